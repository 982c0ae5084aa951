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

static __always_inline void count_host(struct xs_mon_totals *t, const struct xs_ip *src,
				       __u64 len, __u64 now)
{
	struct xs_mon_host *h, nh = { .packets = 1, .bytes = len, .first_ns = now, .last_ns = now };
	long err;

	h = bpf_map_lookup_elem(&hosts, src);
	if (!h) {
		err = bpf_map_update_elem(&hosts, src, &nh, BPF_NOEXIST);
		if (!err) {
			t->host_inserts++;
			return;
		}
		/* Another CPU inserted it first: add to its entry. */
		h = bpf_map_lookup_elem(&hosts, src);
		if (!h) {
			t->insert_errors++;
			return;
		}
	}
	__sync_fetch_and_add(&h->packets, 1);
	__sync_fetch_and_add(&h->bytes, len);
	h->last_ns = now;
}

static __always_inline void count_port(struct xs_mon_totals *t, const struct xs_ip *src,
				       __u16 port, __u64 now)
{
	struct xs_mon_port_key k = { .port = port };
	struct xs_mon_port *v, nv = { .packets = 1, .last_ns = now };
	long err;

	__builtin_memcpy(&k.src, src, sizeof(k.src));
	v = bpf_map_lookup_elem(&ports, &k);
	if (!v) {
		err = bpf_map_update_elem(&ports, &k, &nv, BPF_NOEXIST);
		if (!err) {
			t->port_inserts++;
			return;
		}
		v = bpf_map_lookup_elem(&ports, &k);
		if (!v) {
			t->insert_errors++;
			return;
		}
	}
	__sync_fetch_and_add(&v->packets, 1);
	v->last_ns = now;
}

SEC("xdp")
int xs_monitor(struct xdp_md *ctx)
{
	const __u8 *data = (const __u8 *)(long)ctx->data;
	const __u8 *data_end = (const __u8 *)(long)ctx->data_end;
	struct xs_mon_totals *t;
	struct xs_mon_pkt p;
	__u32 zero = 0;
	__u64 len, now;

	t = bpf_map_lookup_elem(&totals, &zero);
	if (!t)
		return XDP_PASS;
	len = bpf_xdp_get_buff_len(ctx);
	now = bpf_ktime_get_ns();
	t->packets++;
	t->bytes += len;

	if (!xs_mon_count_totals(t, xs_mon_parse(data, data_end, &p), &p))
		return XDP_PASS;

	count_host(t, &p.src, len, now);
	if (p.has_sport && p.sport <= max_port)
		count_port(t, &p.src, p.sport, now);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
