// SPDX-License-Identifier: GPL-2.0
/* xsend.bpf.c - the frame writer of the XDP send backend (user/send/xdp.c).
 *
 * Never attached: a worker thread runs it with BPF_PROG_RUN, BPF_F_TEST_XDP_LIVE_FRAMES
 * and a huge repeat count, in the context of the scanner's interface
 * (ctx.ingress_ifindex). The queue map is a ring of XS_XSEND_ENTRY(slot, length) that
 * userspace fills (head); each run takes the next entry (tail), copies that slot's
 * frame -- built by a probe module in userspace, through the mmapped frames map -- over
 * the live frame, trims it to the frame's length, marks the entry sent and returns
 * XDP_TX: the kernel hands the frame to the driver's ndo_xdp_xmit, with no skb and no
 * socket. With the ring empty, a run drops its frame (nothing leaves) and counts idle.
 *
 * Every byte of the frame is written on every run: the kernel's page pool hands a page
 * back with whatever the last holder left in it (on veth, the peer's XDP program
 * rewrites the very page it received), so nothing of an earlier frame may be trusted.
 *
 * Ordering: userspace stores the entries before head; this program loads head before
 * the entries, copies the frame before it stores tail, and userspace reuses a slot only
 * after it has loaded a tail past its entry. The program's side relies on program order
 * being kept, as on x86 (TSO); userspace uses acquire/release.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xsend.h"

/* The sender's buffers: one frame per slot, written by userspace through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);		/* userspace sets the sender's depth */
	__type(key, __u32);
	__type(value, struct xs_xsend_frame);
} frames SEC(".maps");

/* The ring of frames to send, XS_XSEND_ENTRY(slot, length); 64-bit values since array
 * elements are 8-byte strided in the mmapped view. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);		/* userspace sets a power of two >= depth */
	__type(key, __u32);
	__type(value, __u64);
} queue SEC(".maps");

/* Set before load: queue entries - 1. */
const volatile __u32 ring_mask;

/* Entries queued (userspace writes it), entries taken (this program writes it): each on
 * its own cache line. */
__u64 head __attribute__((aligned(64)));
__u64 tail __attribute__((aligned(64)));
struct xs_xsend_stats stats __attribute__((aligned(64)));

/* Copy the frame of entry e over the live frame; 0, or -1 for a bad entry. */
static __always_inline int write_frame(struct xdp_md *ctx, __u32 e)
{
	__u32 slot = XS_XSEND_SLOT(e), len = XS_XSEND_LEN(e);
	struct xs_xsend_frame *f;
	__u64 *dst, *src;

	if (len < XS_XSEND_MIN || len > XS_XSEND_FRAME)
		return -1;
	if (!(f = bpf_map_lookup_elem(&frames, &slot)))
		return -1;
	dst = (void *)(long)ctx->data;
	if ((void *)(dst + XS_XSEND_FRAME / 8) > (void *)(long)ctx->data_end)
		return -1;
	src = (__u64 *)f->b;
#pragma unroll
	for (int i = 0; i < XS_XSEND_FRAME / 8; i++)
		dst[i] = src[i];
	if (len < XS_XSEND_FRAME && bpf_xdp_adjust_tail(ctx, (int)len - XS_XSEND_FRAME))
		return -1;
	return 0;
}

SEC("xdp")
int xs_xsend(struct xdp_md *ctx)
{
	__u64 t = tail, *q;
	__u32 k = (__u32)t & ring_mask;
	int act = XDP_DROP;

	if (t == *(volatile __u64 *)&head) {
		stats.idle++;
		return XDP_DROP;
	}
	q = bpf_map_lookup_elem(&queue, &k);
	if (q && !write_frame(ctx, (__u32)*q)) {
		*q |= XS_XSEND_SENT;
		stats.tx++;
		act = XDP_TX;
	} else {
		stats.bad++;
	}
	tail = t + 1;
	return act;
}

char LICENSE[] SEC("license") = "GPL";
