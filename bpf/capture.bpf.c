// SPDX-License-Identifier: GPL-2.0
/* capture.bpf.c - XDP side of `xsweep capture`: copy ingress frames to a ring buffer.
 *
 * Each frame's first `snaplen` bytes (at most XS_CAP_MAX_SNAP) go to a BPF ring buffer
 * as a struct xs_cap_hdr record (monotonic timestamp, original and captured length)
 * followed by the bytes; userspace filters and writes pcap. A full ring buffer is
 * counted (stats.ringbuf_full), never silent. Always XDP_PASS.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xsweep.h"
#include "rb_wakeup.h"

/* Set by userspace before load: bytes to copy per frame (1..XS_CAP_MAX_SNAP). */
const volatile __u32 snaplen = XS_CAP_MAX_SNAP;

/* Records to userspace; size set by -B before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

/* Counters: seen, queued, ring buffer full, copy errors. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_cap_stats);
} stats SEC(".maps");

struct xs_cap_record {
	struct xs_cap_hdr hdr;
	__u8 data[XS_CAP_MAX_SNAP];
};

/* Per-CPU scratch record: lets bpf_ringbuf_output() send only hdr + caplen bytes. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_cap_record);
} scratch SEC(".maps");

SEC("xdp")
int xs_capture(struct xdp_md *ctx)
{
	struct xs_cap_record *rec;
	struct xs_cap_stats *st;
	__u32 zero = 0, len;
	__u64 cap;

	st = bpf_map_lookup_elem(&stats, &zero);
	rec = bpf_map_lookup_elem(&scratch, &zero);
	if (!st || !rec)
		return XDP_PASS;
	st->seen++;

	len = bpf_xdp_get_buff_len(ctx);
	cap = len < snaplen ? len : snaplen;
	if (cap > XS_CAP_MAX_SNAP)
		cap = XS_CAP_MAX_SNAP;
	/* Keep the verifier's view of cap in [1, XS_CAP_MAX_SNAP] on the 64-bit register. */
	asm volatile("" : "+r"(cap));
	if (cap < 1 || cap > XS_CAP_MAX_SNAP)
		return XDP_PASS;
	/* Reads across fragments too (multi-buffer XDP). */
	if (bpf_xdp_load_bytes(ctx, 0, rec->data, cap)) {
		st->copy_errors++;
		return XDP_PASS;
	}
	rec->hdr.ts_ns = bpf_ktime_get_ns();
	rec->hdr.len = len;
	rec->hdr.caplen = cap;
	if (bpf_ringbuf_output(&events, rec, sizeof(rec->hdr) + cap, xs_rb_wakeup_flags(&events)))
		st->ringbuf_full++;
	else
		st->queued++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
