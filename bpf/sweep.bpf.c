// SPDX-License-Identifier: GPL-2.0
/* sweep.bpf.c - XDP receive side of `xsweep sweep`.
 *
 * For every frame on the scanner's interface, the probe type's validator
 * (include/sweep_validate.h -> include/validate_<type>.h, shared with the libpcap path
 * user/recv/pcap.c) recomputes the keyed cookie (HalfSipHash over the probed target, our
 * address, probe type, round and attempt) and compares it with what the reply carries.
 * A valid first reply of the round becomes a ring-buffer event and is dropped (it has
 * been consumed); everything else -- the host's own traffic, replies with a wrong cookie,
 * from the wrong address, duplicates -- is counted and passed on unchanged, so this
 * program never breaks the host's networking. The probe type is read-only
 * configuration, so the verifier keeps only the branch of the type in use.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xsweep.h"
#include "sweep_validate.h"
#include "rb_wakeup.h"

/* Set by userspace before load: key, our addresses, probe type. */
const volatile struct xs_vcfg cfg;

/* Sweep round: userspace bumps it (mmaped .bss) before each re-sweep. */
__u32 sweep_round;

/* Per-CPU counters, one slot; BTF-typed so bpftool prints field names. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_stats);
} stats SEC(".maps");

/* log2(RTT in microseconds) histogram of valid replies. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XS_RTT_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} rtt_hist SEC(".maps");

/* Answering targets: first-reply RTT and reply count per round; also the duplicate
 * filter. Userspace makes this and ports a plain hash with an entry for every target when
 * the sweep has at most XS_HOSTS_EXACT_MAX of them (user/recv/xdp.c); the LRU is for
 * larger sweeps. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XS_HOSTS_MAX);
	__type(key, struct xs_target);
	__type(value, struct xs_host);
} hosts SEC(".maps");

/* Open ports: SYN-ACKs per (address, port), for `xsweep maps --ports` and bpftool. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XS_PORTS_MAX);
	__type(key, struct xs_target);
	__type(value, struct xs_port);
} ports SEC(".maps");

/* Validated replies for userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XS_RINGBUF_SIZE);
} events SEC(".maps");

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0;

	for (int i = 0; i < XS_RTT_SLOTS - 1 && v > 1; i++) {
		v >>= 1;
		r++;
	}
	return r;
}

static __always_inline void count_rtt(__u64 rtt)
{
	__u32 slot = log2_u64(rtt / 1000);
	__u64 *cnt = bpf_map_lookup_elem(&rtt_hist, &slot);

	if (cnt)
		(*cnt)++;
}

static __always_inline void count_port(const struct xs_reply *r, __u64 now)
{
	struct xs_port *p, np = { .replies = 1, .last_ns = now };

	if (r->state != XS_STATE_OPEN)
		return;
	p = bpf_map_lookup_elem(&ports, &r->t);
	if (!p) {
		bpf_map_update_elem(&ports, &r->t, &np, BPF_ANY);
		return;
	}
	__sync_fetch_and_add(&p->replies, 1);
	p->last_ns = now;
}

/* A reply xs_sweep_validate() accepted: first of the round -> event, else duplicate. */
static __always_inline void handle_reply(struct xs_stats *st, const struct xs_reply *r, __u32 cur)
{
	struct xs_host *h, nh = {};
	struct xs_event *ev;
	__u64 now, rtt;

	now = bpf_ktime_get_ns();
	rtt = r->tx_ns && now > r->tx_ns ? now - r->tx_ns : 0;
	count_port(r, now);
	h = bpf_map_lookup_elem(&hosts, &r->t);
	if (h && h->round == cur && h->replies) {
		__sync_fetch_and_add(&h->replies, 1);
		h->last_ns = now;
		st->rx_duplicate++;
		return;
	}
	/* Reserve the event first: if the ring is full, leave no trace in hosts/rtt_hist, so
	 * a retry of this host is still a first reply rather than a duplicate. */
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		st->ev_lost++;
		return;
	}
	__builtin_memcpy(&ev->t, &r->t, sizeof(ev->t));
	ev->ttl = (__u8)r->ttl;
	ev->state = (__u8)r->state;
	ev->attempt = (__u8)r->attempt;
	__builtin_memset(ev->pad, 0, sizeof(ev->pad));
	ev->rx_ns = now;
	ev->tx_ns = r->tx_ns;
	bpf_ringbuf_submit(ev, xs_rb_wakeup_flags(&events));

	nh.round = cur;
	nh.replies = 1;
	nh.rtt_ns = rtt;
	nh.last_ns = now;
	bpf_map_update_elem(&hosts, &r->t, &nh, BPF_ANY);
	if (r->tx_ns)
		count_rtt(rtt);
	st->rx_valid++;
}

SEC("xdp")
int xs_sweep(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xs_vcfg c = {
		.key = { cfg.key[0], cfg.key[1] }, .src4 = cfg.src4, .probe = cfg.probe,
		.sport_lo = cfg.sport_lo, .sport_n = cfg.sport_n,
	};
	__u32 cur = sweep_round, zero = 0;
	struct xs_reply r = {};

	/* rodata is read field by field (const volatile); IPv6 replies need src6. */
	for (int i = 0; i < 16; i++)
		c.src6[i] = cfg.src6[i];
	struct xs_stats *st;
	int v;

	st = bpf_map_lookup_elem(&stats, &zero);
	if (!st)
		return XDP_PASS;
	st->rx_packets++;
	/* The same classification as the libpcap path (include/sweep_validate.h). */
	v = xs_sweep_validate(data, data_end, &c, cur, &r);
	if (v != XS_V_VALID) {
		xs_sweep_count(st, v);
		return XDP_PASS;
	}
	handle_reply(st, &r, cur);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
