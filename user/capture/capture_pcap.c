/* capture_pcap.c - filter, pcap file writing and live libpcap reading for `xsweep capture`.
 *
 * Kept apart from libbpf code: <pcap/pcap.h> and <linux/bpf.h> both define struct bpf_insn.
 *
 * Where the filter runs: in userspace, on every frame, with pcap_offline_filter() (the
 * expression compiled once by pcap_compile against an Ethernet pcap_open_dead handle).
 * An XDP program cannot run classic BPF, and translating it to eBPF would be a second
 * filter compiler; libpcap's own interpreter gives exactly tcpdump's semantics. The
 * libpcap path filters at the same place so that "filtered out" is counted the same way
 * on both paths. To stay correct for expressions that look deep into a packet, the
 * frame is copied whole (up to XS_CAP_MAX_SNAP) when a filter is set, filtered, and only
 * then truncated to the snap length.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "capture/capture_fmt.h"
#include "capture/capture_pcap.h"
#include "util/pcap_live.h"

struct xs_cap_sink {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	struct bpf_program prog;
	int have_prog;
	uint32_t snaplen;
	uint64_t count, captured, filtered;
	FILE *out;
};

static int compile(pcap_t *dead, struct bpf_program *prog, const char *filter, char *err,
		   size_t errlen)
{
	if (pcap_compile(dead, prog, filter, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, errlen, "bad filter '%s': %s", filter, pcap_geterr(dead));
		return -EINVAL;
	}
	return 0;
}

int xs_cap_filter_check(const char *filter, char *err, size_t errlen)
{
	struct bpf_program prog;
	pcap_t *dead;
	int rc;

	if (!filter || !*filter)
		return 0;
	dead = pcap_open_dead(DLT_EN10MB, 262144);
	if (!dead) {
		snprintf(err, errlen, "pcap_open_dead failed");
		return -ENOMEM;
	}
	rc = compile(dead, &prog, filter, err, errlen);
	if (!rc)
		pcap_freecode(&prog);
	pcap_close(dead);
	return rc;
}

struct xs_cap_sink *xs_cap_sink_open(const struct xs_cap_sink_opts *o, char *err, size_t errlen)
{
	struct xs_cap_sink *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->snaplen = o->snaplen;
	s->count = o->count;
	s->out = o->out ? o->out : stdout;
	s->dead = pcap_open_dead(DLT_EN10MB, (int)o->snaplen);
	if (!s->dead) {
		snprintf(err, errlen, "pcap_open_dead failed");
		goto fail;
	}
	if (o->filter && *o->filter) {
		if (compile(s->dead, &s->prog, o->filter, err, errlen))
			goto fail;
		s->have_prog = 1;
	}
	if (o->wfile) {
		s->dumper = pcap_dump_open(s->dead, o->wfile);
		if (!s->dumper) {
			snprintf(err, errlen, "%s", pcap_geterr(s->dead));
			goto fail;
		}
	}
	return s;
fail:
	xs_cap_sink_close(s, NULL, 0);
	return NULL;
}

int xs_cap_sink_packet(struct xs_cap_sink *s, uint64_t wall_ns, const uint8_t *data,
		       uint32_t caplen, uint32_t len)
{
	struct pcap_pkthdr h;

	if (xs_cap_sink_done(s))
		return 1;
	h.ts.tv_sec = (time_t)(wall_ns / 1000000000ull);
	h.ts.tv_usec = (suseconds_t)(wall_ns % 1000000000ull / 1000);
	h.caplen = caplen;
	h.len = len;
	if (s->have_prog && !pcap_offline_filter(&s->prog, &h, data)) {
		s->filtered++;
		return 0;
	}
	if (h.caplen > s->snaplen)
		h.caplen = s->snaplen;
	s->captured++;
	if (s->dumper) {
		pcap_dump((u_char *)s->dumper, &h, data);
	} else {
		char line[512];

		fprintf(s->out, "%s\n", xs_cap_summary(line, sizeof(line), wall_ns, data, h.caplen, len));
	}
	return xs_cap_sink_done(s);
}

int xs_cap_sink_done(const struct xs_cap_sink *s)
{
	return s->count && s->captured >= s->count;
}

void xs_cap_sink_flush(struct xs_cap_sink *s)
{
	if (s->dumper)
		pcap_dump_flush(s->dumper);
	else
		fflush(s->out);
}

void xs_cap_sink_counts(const struct xs_cap_sink *s, uint64_t *captured, uint64_t *filtered)
{
	*captured = s->captured;
	*filtered = s->filtered;
}

int xs_cap_sink_close(struct xs_cap_sink *s, char *err, size_t errlen)
{
	int rc = 0;

	if (!s)
		return 0;
	if (s->dumper) {
		if (pcap_dump_flush(s->dumper) && err) {
			rc = -errno;
			snprintf(err, errlen, "writing the pcap file failed: %s", strerror(-rc));
		}
		pcap_dump_close(s->dumper);
	}
	if (s->have_prog)
		pcap_freecode(&s->prog);
	if (s->dead)
		pcap_close(s->dead);
	free(s);
	return rc;
}

struct xs_cap_live {
	pcap_t *pc;
	struct xs_cap_sink *sink;
};

struct xs_cap_live *xs_cap_live_open(const char *ifname, uint32_t snaplen, uint32_t buf_kib, int immediate,
				     char *err, size_t errlen)
{
	/* Immediate mode delivers each packet at once, for per-packet lines; libpcap then
	 * gives every packet a ring slot sized for the snap length, so with the default
	 * 262144 a buffer holds a few dozen packets and bursts drop. Writing a file only
	 * needs the packets, so it uses the batched (TPACKET_V3) ring and a 100 ms timeout,
	 * as tcpdump -w does. Inbound only, like the XDP path. */
	const struct xs_pcap_live_opts po = {
		.snaplen = (int)snaplen, .bufsize = (size_t)buf_kib * 1024,
		.immediate = immediate, .timeout_ms = 100, .inbound_only = true, .nonblock = true,
	};
	struct xs_cap_live *l = calloc(1, sizeof(*l));

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->pc = xs_pcap_live_open(ifname, &po, err, errlen);
	if (!l->pc) {
		xs_cap_live_close(l);
		return NULL;
	}
	return l;
}

int xs_cap_live_fd(struct xs_cap_live *l)
{
	return pcap_get_selectable_fd(l->pc);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct xs_cap_live *l = (struct xs_cap_live *)user;
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec * 1000ull;

	if (xs_cap_sink_packet(l->sink, ts, bytes, h->caplen, h->len))
		pcap_breakloop(l->pc);
}

int xs_cap_live_dispatch(struct xs_cap_live *l, struct xs_cap_sink *sink, char *err, size_t errlen)
{
	int n;

	l->sink = sink;
	n = pcap_dispatch(l->pc, -1, on_packet, (u_char *)l);
	if (n == PCAP_ERROR) {
		snprintf(err, errlen, "%s", pcap_geterr(l->pc));
		return -EIO;
	}
	return n < 0 ? 0 : n;
}

uint64_t xs_cap_live_dropped(struct xs_cap_live *l)
{
	struct pcap_stat st;

	if (pcap_stats(l->pc, &st))
		return 0;
	return (uint64_t)st.ps_drop + st.ps_ifdrop;
}

void xs_cap_live_close(struct xs_cap_live *l)
{
	if (!l)
		return;
	if (l->pc)
		pcap_close(l->pc);
	free(l);
}
