/* capture_pcap.h - the libpcap side of `xsweep capture` (no libbpf headers here).
 *
 * A sink takes frames from either path (XDP ring buffer records or libpcap), applies the
 * FILTER (compiled by libpcap, run with pcap_offline_filter on each frame), truncates to
 * the snap length, and writes a pcap file (pcap_open_dead + pcap_dump_open) or prints a
 * tcpdump-like line. The live source reads an interface with libpcap into a sink.
 */
#ifndef XSWEEP_CAPTURE_PCAP_H
#define XSWEEP_CAPTURE_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct xs_cap_sink_opts {
	const char *filter;	/* NULL or "": keep everything */
	const char *wfile;	/* NULL: one line per packet on out; "-" = stdout */
	uint32_t snaplen;	/* bytes kept per packet (pcap header snaplen) */
	uint64_t count;		/* stop after this many captured; 0 = no limit */
	FILE *out;		/* for summary lines */
};

struct xs_cap_sink;

struct xs_cap_sink *xs_cap_sink_open(const struct xs_cap_sink_opts *o, char *err, size_t errlen);
/* One frame: len bytes on the wire, caplen in data, wall-clock ns. Returns 1 once the
 * count is reached (later frames are ignored), 0 otherwise.
 */
int xs_cap_sink_packet(struct xs_cap_sink *s, uint64_t wall_ns, const uint8_t *data,
		       uint32_t caplen, uint32_t len);
int xs_cap_sink_done(const struct xs_cap_sink *s);
void xs_cap_sink_flush(struct xs_cap_sink *s);
void xs_cap_sink_counts(const struct xs_cap_sink *s, uint64_t *captured, uint64_t *filtered);
/* 0, or -errno with err set (e.g. write error). Frees s. */
int xs_cap_sink_close(struct xs_cap_sink *s, char *err, size_t errlen);

/* Validate a filter expression without a capture (for early errors): 0 or -EINVAL
 * (err says why). */
int xs_cap_filter_check(const char *filter, char *err, size_t errlen);

struct xs_cap_live;
/* Ingress only, like XDP. snaplen is what libpcap copies (the sink truncates further). */
struct xs_cap_live *xs_cap_live_open(const char *ifname, uint32_t snaplen, uint32_t buf_kib, int immediate,
				     char *err, size_t errlen);
int xs_cap_live_fd(struct xs_cap_live *l);
/* Feed every frame available now to sink; number read or -EIO (err says why). */
int xs_cap_live_dispatch(struct xs_cap_live *l, struct xs_cap_sink *sink, char *err, size_t errlen);
/* Kernel drops (ps_drop + ps_ifdrop). */
uint64_t xs_cap_live_dropped(struct xs_cap_live *l);
void xs_cap_live_close(struct xs_cap_live *l);

#endif
