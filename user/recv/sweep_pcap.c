/* sweep_pcap.c - libpcap receive path of `xsweep sweep` (see sweep_pcap.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <pcap/pcap.h>

#include "recv/sweep_pcap.h"
#include "sweep_validate.h"

struct xs_sweep_pcap {
	pcap_t *pc;
	uint32_t key[2];
	uint32_t src;
	uint32_t round;
	int64_t wall_minus_mono;	/* to turn capture timestamps into bpf_ktime time */
	struct xs_stats st;
	xs_sweep_reply_fn fn;
	void *ctx;
};

static int64_t wall_minus_mono(void)
{
	struct timespec m1, r, m2;

	clock_gettime(CLOCK_MONOTONIC, &m1);
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m2);
	return ((int64_t)r.tv_sec * 1000000000 + r.tv_nsec) -
	       ((int64_t)m1.tv_sec * 1000000000 + m1.tv_nsec +
		(((int64_t)m2.tv_sec - m1.tv_sec) * 1000000000 + (m2.tv_nsec - m1.tv_nsec)) / 2);
}

struct xs_sweep_pcap *xs_sweep_pcap_open(const char *ifname, uint32_t src, const uint32_t key[2],
					 size_t bufsize, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "", filter[128], a[INET_ADDRSTRLEN];
	struct bpf_program prog;
	struct xs_sweep_pcap *p = calloc(1, sizeof(*p));
	int rc;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->key[0] = key[0];
	p->key[1] = key[1];
	p->src = src;
	p->pc = pcap_create(ifname, ebuf);
	if (!p->pc) {
		snprintf(err, errlen, "%s", ebuf);
		goto fail;
	}
	/* A probe's reply is 66 bytes; 128 leaves room for a VLAN tag we would reject. */
	pcap_set_snaplen(p->pc, 128);
	pcap_set_promisc(p->pc, 0);
	/* Deliver each reply as it arrives (output streams), not when a block fills. */
	pcap_set_immediate_mode(p->pc, 1);
	pcap_set_buffer_size(p->pc, (int)bufsize);
	pcap_set_tstamp_precision(p->pc, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(p->pc);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", ifname, pcap_geterr(p->pc));
		goto fail;
	}
	/* What an XDP program sees: received frames only, never our own probes. */
	if (pcap_setdirection(p->pc, PCAP_D_IN)) {
		snprintf(err, errlen, "%s: %s", ifname, pcap_geterr(p->pc));
		goto fail;
	}
	if (pcap_datalink(p->pc) != DLT_EN10MB) {
		snprintf(err, errlen, "%s: link type %s is not Ethernet", ifname,
			 pcap_datalink_val_to_name(pcap_datalink(p->pc)));
		goto fail;
	}
	/* The kernel hands us echo replies to our address only; the validator decides. */
	inet_ntop(AF_INET, &src, a, sizeof(a));
	snprintf(filter, sizeof(filter), "icmp[icmptype] == icmp-echoreply and dst host %s", a);
	if (pcap_compile(p->pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) ||
	    pcap_setfilter(p->pc, &prog)) {
		snprintf(err, errlen, "filter '%s': %s", filter, pcap_geterr(p->pc));
		goto fail;
	}
	pcap_freecode(&prog);
	if (pcap_setnonblock(p->pc, 1, ebuf)) {
		snprintf(err, errlen, "%s", ebuf);
		goto fail;
	}
	p->wall_minus_mono = wall_minus_mono();
	return p;
fail:
	xs_sweep_pcap_close(p);
	return NULL;
}

void xs_sweep_pcap_set_round(struct xs_sweep_pcap *p, uint32_t round)
{
	p->round = round;
}

int xs_sweep_pcap_fd(struct xs_sweep_pcap *p)
{
	return pcap_get_selectable_fd(p->pc);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct xs_sweep_pcap *p = (struct xs_sweep_pcap *)user;
	struct xs_reply r;
	int64_t ts;
	int v;

	p->st.rx_packets++;
	v = xs_sweep_validate(bytes, bytes + h->caplen, p->key, p->src, p->round, &r);
	if (v != XS_V_VALID) {
		xs_sweep_count(&p->st, v);
		return;
	}
	/* Nanosecond timestamps (PCAP_TSTAMP_PRECISION_NANO): tv_usec holds ns. */
	ts = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec - p->wall_minus_mono;
	p->fn(p->ctx, r.saddr, r.ttl, ts > (int64_t)r.tx_ns ? (uint64_t)ts - r.tx_ns : 0);
}

int xs_sweep_pcap_dispatch(struct xs_sweep_pcap *p, xs_sweep_reply_fn fn, void *ctx, char *err,
			   size_t errlen)
{
	int n;

	p->fn = fn;
	p->ctx = ctx;
	n = pcap_dispatch(p->pc, -1, on_packet, (u_char *)p);
	if (n == PCAP_ERROR) {
		snprintf(err, errlen, "%s", pcap_geterr(p->pc));
		return -1;
	}
	return n < 0 ? 0 : n;
}

void xs_sweep_pcap_counters(struct xs_sweep_pcap *p, struct xs_stats *st)
{
	*st = p->st;
}

int xs_sweep_pcap_drops(struct xs_sweep_pcap *p, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop)
{
	struct pcap_stat ps;

	if (pcap_stats(p->pc, &ps))
		return -1;
	*recv = ps.ps_recv;
	*drop = ps.ps_drop;
	*ifdrop = ps.ps_ifdrop;
	return 0;
}

void xs_sweep_pcap_close(struct xs_sweep_pcap *p)
{
	if (!p)
		return;
	if (p->pc)
		pcap_close(p->pc);
	free(p);
}
