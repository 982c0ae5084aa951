// SPDX-License-Identifier: GPL-2.0
/* monitor.bpf.c - XDP side of `xsweep monitor`: per-source counters in LRU maps.
 *
 * For every frame: per-protocol totals; for every valid IPv4/IPv6 packet, packets and
 * bytes per source address (hosts); for every complete TCP header with a source port
 * <= max_port, packets per (source address, port): in the source's hosts entry for its
 * first XS_MON_HOST_PORTS ports, in the ports map beyond. Parsing is the shared
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

/* Packets and bytes per source address, and packets per TCP source port (<= max_port) for
 * its first XS_MON_HOST_PORTS ports; LRU-bounded, size set by --max-hosts. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XS_MON_HOSTS_DEFAULT);
	__type(key, struct xs_ip);
	__type(value, struct xs_mon_host);
} hosts SEC(".maps");

/* Packets per (source address, TCP source port) for the ports beyond a hosts entry's
 * inline slots; size set by --max-ports. */
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

/* A port none of the host's inline slots could take: count it in the ports map. Atomic
 * adds: other CPUs count into the same entry; last_ns is a plain store. */
static __always_inline void port_count(struct xs_mon_totals *t, const struct xs_ip *src,
				       __u16 port, __u64 now)
{
	struct xs_mon_port *v, nv = { .packets = 1, .last_ns = now };
	struct xs_mon_port_key k = {};

	__builtin_memcpy(&k.src, src, sizeof(k.src));
	k.port = port;
	v = bpf_map_lookup_elem(&ports, &k);
	if (!v) {
		if (!bpf_map_update_elem(&ports, &k, &nv, BPF_NOEXIST)) {
			t->port_inserts++;
			return;
		}
		/* Another CPU created it meanwhile. */
		v = bpf_map_lookup_elem(&ports, &k);
		if (!v) {
			t->insert_errors++;
			return;
		}
	}
	__sync_fetch_and_add(&v->packets, 1);
	v->last_ns = now;
}

/* One more packet on a hosts entry that exists (port < 0: none to count). */
static __always_inline void host_add(struct xs_mon_totals *t, struct xs_mon_host *h,
				     const struct xs_ip *src, int port, __u64 len, __u64 now)
{
	__sync_fetch_and_add(&h->packets, 1);
	__sync_fetch_and_add(&h->bytes, len);
	h->last_ns = now;
	if (port >= 0 && !xs_mon_host_port_add(h, (__u16)port, now))
		port_count(t, src, (__u16)port, now);
}

SEC("xdp")
int xs_monitor(struct xdp_md *ctx)
{
	const __u8 *data = (const __u8 *)(long)ctx->data;
	const __u8 *data_end = (const __u8 *)(long)ctx->data_end;
	struct xs_mon_totals *t;
	struct xs_mon_host *h;
	struct xs_mon_pkt p;
	__u32 zero = 0;
	__u64 len, now;
	int port;

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

	/* One lookup per packet: the host's first ports are counted in its own entry. With
	 * thousands of sources every lookup waits on cache misses (bucket, then element), so a
	 * second map for the ports cost a second set of them
	 * (bench/results/monitor-2026-12-01-one-lookup.md). */
	port = p.has_sport && p.sport <= max_port ? p.sport : -1;
	h = bpf_map_lookup_elem(&hosts, &p.src);
	if (!h) {
		struct xs_mon_host nh = { .packets = 1, .bytes = len, .first_ns = now, .last_ns = now };

		if (port >= 0) {
			nh.ports[0].port = (__u16)port;
			nh.ports[0].used = 1;
			nh.ports[0].packets = 1;
			nh.ports[0].last_ns = now;
		}
		if (!bpf_map_update_elem(&hosts, &p.src, &nh, BPF_NOEXIST)) {
			t->host_inserts++;
			return XDP_PASS;
		}
		/* Another CPU created it meanwhile: add to that one. */
		h = bpf_map_lookup_elem(&hosts, &p.src);
		if (!h) {
			t->insert_errors++;
			return XDP_PASS;
		}
	}
	host_add(t, h, &p.src, port, len, now);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
