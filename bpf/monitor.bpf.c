// SPDX-License-Identifier: GPL-2.0
/* monitor.bpf.c - XDP side of `xsweep monitor`: per-source counters in LRU maps.
 *
 * For every frame: per-protocol totals; for every valid IPv4/IPv6 packet, packets and
 * bytes per source address (hosts); for every complete TCP header with a source port
 * <= max_port, packets per (source address, port) (ports). Parsing is the shared
 * include/monitor_parse.h, so the libpcap fallback counts identically. Always XDP_PASS:
 * monitoring never changes traffic.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xsweep.h"
#include "monitor_parse.h"

#ifndef XS_MON_HOSTS_DEFAULT
#define XS_MON_HOSTS_DEFAULT 65536
#endif
#ifndef XS_MON_PORTS_DEFAULT
#define XS_MON_PORTS_DEFAULT 262144
#endif

/* Set by userspace before load (skeleton rodata). */
const volatile __u16 max_port = 1000;

/* Packets and bytes per source address; LRU-bounded, size set by --max-hosts. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XS_MON_HOSTS_DEFAULT);
	__type(key, struct xs_ip);
	__type(value, struct xs_mon_host);
} hosts SEC(".maps");

/* Packets per (source address, TCP source port); size set by --max-ports. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XS_MON_PORTS_DEFAULT);
	__type(key, struct xs_mon_port_key);
	__type(value, struct xs_mon_port);
} ports SEC(".maps");

/* Per-protocol totals and insert counters (evictions are derived from these). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_mon_totals);
} totals SEC(".maps");

/* One more packet on an entry that exists. Atomic adds: other CPUs count into the same
 * entry; last_ns is a plain store (any recent time will do). */
static __always_inline void host_add(struct xs_mon_host *h, __u64 len, __u64 now)
{
	__sync_fetch_and_add(&h->packets, 1);
	__sync_fetch_and_add(&h->bytes, len);
	h->last_ns = now;
}

static __always_inline void port_add(struct xs_mon_port *v, __u64 now)
{
	__sync_fetch_and_add(&v->packets, 1);
	v->last_ns = now;
}

/* The lookup found no entry: create it, or add to the one another CPU created meanwhile. */
static __always_inline void host_insert(struct xs_mon_totals *t, const struct xs_ip *src,
					__u64 len, __u64 now)
{
	struct xs_mon_host *h, nh = { .packets = 1, .bytes = len, .first_ns = now, .last_ns = now };

	if (!bpf_map_update_elem(&hosts, src, &nh, BPF_NOEXIST)) {
		t->host_inserts++;
		return;
	}
	h = bpf_map_lookup_elem(&hosts, src);
	if (h)
		host_add(h, len, now);
	else
		t->insert_errors++;
}

static __always_inline void port_insert(struct xs_mon_totals *t, const struct xs_mon_port_key *k,
					__u64 now)
{
	struct xs_mon_port *v, nv = { .packets = 1, .last_ns = now };

	if (!bpf_map_update_elem(&ports, k, &nv, BPF_NOEXIST)) {
		t->port_inserts++;
		return;
	}
	v = bpf_map_lookup_elem(&ports, k);
	if (v)
		port_add(v, now);
	else
		t->insert_errors++;
}

SEC("xdp")
int xs_monitor(struct xdp_md *ctx)
{
	const __u8 *data = (const __u8 *)(long)ctx->data;
	const __u8 *data_end = (const __u8 *)(long)ctx->data_end;
	struct xs_mon_port_key k = {};
	struct xs_mon_port *v = NULL;
	struct xs_mon_totals *t;
	struct xs_mon_host *h;
	struct xs_mon_pkt p;
	__u32 zero = 0;
	__u64 len, now;
	int want_port;

	t = bpf_map_lookup_elem(&totals, &zero);
	if (!t)
		return XDP_PASS;
	len = bpf_xdp_get_buff_len(ctx);
	/* The tick clock (CLOCK_MONOTONIC, 1/HZ resolution): first/last seen are shown in
	 * milliseconds, and bpf_ktime_get_ns() cost 25-35 ns per packet here, ~15 % of the
	 * program (bench/results/monitor-2026-12-01-line-rate.md). */
	now = bpf_ktime_get_coarse_ns();
	t->packets++;
	t->bytes += len;

	if (!xs_mon_count_totals(t, xs_mon_parse(data, data_end, &p), &p))
		return XDP_PASS;

	/* Both lookups before any update. With thousands of sources the entries are cold and
	 * each lookup waits on dependent cache misses (bucket, then element); back to back, the
	 * ports lookup's misses overlap the hosts lookup's instead of queuing behind its atomic
	 * adds. Its key is written before the hosts lookup too: written after it, the key's
	 * stores would retire (and reach the ports lookup's hash) only once the hosts lookup's
	 * misses are served. -20 % per packet with 16 384 sources (same results file). */
	want_port = p.has_sport && p.sport <= max_port;
	if (want_port) {
		__builtin_memcpy(&k.src, &p.src, sizeof(k.src));
		k.port = p.sport;
	}
	h = bpf_map_lookup_elem(&hosts, &p.src);
	if (want_port)
		v = bpf_map_lookup_elem(&ports, &k);
	if (h)
		host_add(h, len, now);
	else
		host_insert(t, &p.src, len, now);
	if (v)
		port_add(v, now);
	else if (want_port)
		port_insert(t, &k, now);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
