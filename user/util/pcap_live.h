/* pcap_live.h - the one way xsweep opens a libpcap live capture.
 *
 * Only this file and the *_pcap.c backends include <pcap/pcap.h>: it and <linux/bpf.h>
 * both define struct bpf_insn, so libbpf users hold a pcap_t as an opaque pointer.
 */
#ifndef XSWEEP_PCAP_LIVE_H
#define XSWEEP_PCAP_LIVE_H

#include <stdbool.h>
#include <stddef.h>

struct pcap;

struct xs_pcap_live_opts {
	int snaplen;		/* bytes kept per packet */
	size_t bufsize;		/* kernel ring size in bytes; 0 keeps libpcap's default */
	bool immediate;		/* deliver each packet at once (else batched, timeout_ms) */
	int timeout_ms;		/* batching timeout when !immediate (0: libpcap's default) */
	bool nano;		/* nanosecond timestamps */
	bool inbound_only;	/* received frames only: what an XDP program sees */
	bool nonblock;		/* for poll() loops */
	const char *filter;	/* BPF filter expression, or NULL */
};

/* Open ifname (not promiscuous), require Ethernet framing. NULL with one line in err
 * (naming the interface) on failure.
 */
struct pcap *xs_pcap_live_open(const char *ifname, const struct xs_pcap_live_opts *o,
			       char *err, size_t errlen);

/* libpcap's version string, for --version. */
const char *xs_pcap_version(void);

#endif
