/* pcap.c - the libpcap receive backend (see recv.h), for hosts where the XDP program
 * cannot be attached. Replies are captured in immediate mode through the probe module's
 * filter, with a buffer sized for the probe rate, and classified by the very function
 * the XDP program runs (the module's validate, include/validate_<type>.h), so both
 * paths accept and reject the same frames. It has no duplicate filter of its own: every
 * valid reply goes to on_reply and the caller counts duplicates (ops.user_dedup).
 * Each frame is validated in an aligned copy (xs_frame_align), as the XDP program's
 * shared validators read header fields as whole words.
 * Free of libbpf headers (<pcap/pcap.h> and <linux/bpf.h> cannot share a translation
 * unit).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "probe/probe.h"
#include "recv/recv.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/pcap_live.h"

struct rx_pcap {
	pcap_t *pc;
	uint32_t round;
	int64_t wall_minus_mono;	/* to turn capture timestamps into bpf_ktime time */
	struct xs_stats st;
	struct xs_rx *rx;
	struct xs_frame_copy frame;
};

const unsigned char *xs_frame_align(struct xs_frame_copy *f, const void *frame, size_t *len)
{
	const unsigned char *eth = frame;
	/* Ethernet header at 2 for IPv6 (IP at 16), else at 6 (IP at 20, payload at 48). */
	size_t off = *len >= 14 && eth[12] == 0x86 && eth[13] == 0xdd ? 2 : 6;

	if (*len > XS_FRAME_COPY_MAX)
		*len = XS_FRAME_COPY_MAX;
	memcpy(f->b + off, frame, *len);
	return f->b + off;
}

static int pcap_open_rx(struct xs_rx *rx)
{
	const struct xs_rx_cfg *c = &rx->cfg;
	struct rx_pcap *p = calloc(1, sizeof(*p));
	char filter[160], err[PCAP_ERRBUF_SIZE + 64];
	/* Room for about two seconds of replies at the probe rate (4-128 MiB). */
	size_t bufsz = (size_t)((c->rate > 0 ? c->rate : 1e6) * 128 * 2);
	struct xs_pcap_live_opts o = {
		/* A probe's reply is under 128 bytes, with room for a VLAN tag we reject. */
		.snaplen = XS_PROBE_MAX_FRAME, .immediate = true, .nano = true,
		.inbound_only = true, .nonblock = true, .filter = filter,
	};

	if (!p)
		return -ENOMEM;
	rx->priv = p;
	p->rx = rx;
	o.bufsize = bufsz < (4u << 20) ? 4u << 20 : bufsz > (128u << 20) ? 128u << 20 : bufsz;
	c->probe->m->pcap_filter(c->probe, filter, sizeof(filter));
	p->pc = xs_pcap_live_open(c->ifname, &o, err, sizeof(err));
	if (!p->pc) {
		pr_warn("libpcap: %s", err);
		return -EIO;
	}
	p->wall_minus_mono = xs_mono_to_wall_offset();
	return 0;
}

static void pcap_set_round(struct xs_rx *rx, uint32_t round)
{
	((struct rx_pcap *)rx->priv)->round = round;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct rx_pcap *p = (struct rx_pcap *)user;
	const struct xs_probe *probe = p->rx->cfg.probe;
	struct xs_event ev = { 0 };
	size_t len = h->caplen;
	const unsigned char *f = xs_frame_align(&p->frame, bytes, &len);
	struct xs_reply r;
	int64_t ts;
	int v;

	p->st.rx_packets++;
	v = probe->m->validate(f, f + len, &probe->v, p->round, &r);
	if (v != XS_V_VALID) {
		xs_sweep_count(&p->st, v);
		return;
	}
	/* Nanosecond timestamps (PCAP_TSTAMP_PRECISION_NANO): tv_usec holds ns. */
	ts = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec - p->wall_minus_mono;
	ev.t = r.t;
	ev.ttl = (uint8_t)r.ttl;
	ev.state = (uint8_t)r.state;
	ev.attempt = (uint8_t)r.attempt;
	ev.rx_ns = ts > 0 ? (uint64_t)ts : 0;
	ev.tx_ns = r.tx_ns;
	p->rx->cfg.on_reply(p->rx->cfg.ctx, &ev);
}

static void pcap_poll_rx(struct xs_rx *rx, int timeout_ms)
{
	struct rx_pcap *p = rx->priv;
	struct pollfd pfd = { .fd = pcap_get_selectable_fd(p->pc), .events = POLLIN };

	if (timeout_ms > 0)
		poll(&pfd, 1, timeout_ms);
	/* A busy capture can hold more than one block: empty it. */
	for (int i = 0; i < 64; i++) {
		int n = pcap_dispatch(p->pc, -1, on_packet, (u_char *)p);

		if (n == PCAP_ERROR)
			pr_warn("libpcap: %s", pcap_geterr(p->pc));
		if (n <= 0)
			break;
	}
}

static void pcap_stats_rx(struct xs_rx *rx, struct xs_stats *st)
{
	*st = ((struct rx_pcap *)rx->priv)->st;
}

static void pcap_describe(struct xs_rx *rx, char *buf, size_t len)
{
	struct rx_pcap *p = rx->priv;
	struct pcap_stat ps = { 0 };

	pcap_stats(p->pc, &ps);
	snprintf(buf, len, "capture pcap on %s (received %llu, dropped %llu, interface dropped %llu)",
		 rx->cfg.ifname, (unsigned long long)ps.ps_recv, (unsigned long long)ps.ps_drop,
		 (unsigned long long)ps.ps_ifdrop);
}

static void pcap_close_rx(struct xs_rx *rx)
{
	struct rx_pcap *p = rx->priv;

	if (!p)
		return;
	if (p->pc)
		pcap_close(p->pc);
	free(p);
	rx->priv = NULL;
}

const struct xs_rx_ops xs_rx_pcap = {
	.name = "pcap",
	.user_dedup = true,
	.open = pcap_open_rx,
	.set_round = pcap_set_round,
	.poll = pcap_poll_rx,
	.stats = pcap_stats_rx,
	.describe = pcap_describe,
	.close = pcap_close_rx,
};
