// SPDX-License-Identifier: GPL-2.0
/* sweep.bpf.c - XDP receive side of `xsweep sweep`.
 *
 * Counts every frame by L3 family in a per-CPU array and passes it on: the host's own
 * traffic is never changed by this program.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xsweep.h"

/* Per-CPU counters, one slot; BTF-typed so bpftool prints field names. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_stats);
} stats SEC(".maps");

SEC("xdp")
int xs_sweep(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct xs_stats *st;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&stats, &zero);
	if (!st)
		return XDP_PASS;
	st->rx_packets++;
	if ((void *)(eth + 1) > data_end) {
		st->rx_other++;
		return XDP_PASS;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		st->rx_ipv4++;
	else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		st->rx_ipv6++;
	else
		st->rx_other++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
