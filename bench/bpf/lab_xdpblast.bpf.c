// SPDX-License-Identifier: GPL-2.0
/* lab_xdpblast.bpf.c - the lab's XDP live-frames blaster (`labctl xdpblast`): the
 * ceiling of sending with XDP, as `labctl blast` is the ceiling of AF_PACKET sendmmsg.
 *
 * Never attached: labctl runs it with BPF_PROG_RUN, BPF_F_TEST_XDP_LIVE_FRAMES and a
 * repeat count of the frames to send, in the context of the scanner's interface
 * (ctx.ingress_ifindex). Each run writes one probe over the live frame it is given --
 * an ICMP echo request, or a TCP SYN -- to the next destination of the range (and the
 * next port), and returns XDP_TX: the kernel hands the frame to the interface's
 * ndo_xdp_xmit, no skb, no socket, nothing else.
 *
 * Every byte of the frame is written on every run (the template from the loader, then
 * the destination, sequence or ports, and the checksums): the page pool hands pages back
 * with whatever their last holder left (on veth a native-mode peer rewrites the very page
 * it received into its reply), so nothing of an earlier frame may be trusted.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdpblast.h"

/* Set by the loader before load: constant to the verifier and the JIT. */
const volatile struct xb_cfg cfg = {};

/* Frames written so far: the next frame's index (one runner at a time: labctl runs the
 * program from one thread, and a test run keeps to one CPU). */
__u64 cursor;
struct xb_stats stats;

static __always_inline __u16 fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

static __always_inline void put16(void *data, int off, __u16 v)
{
	*(__u16 *)(data + off) = v;
}

/* Write the destination address dst (host order) and the IPv4 header checksum; returns
 * the address's two halves summed, for the L4 checksum (whose pseudo-header holds it). */
static __always_inline __u32 put_dst(void *data, __u32 dst)
{
	__u16 d0 = bpf_htons(dst >> 16), d1 = bpf_htons(dst & 0xffff);

	put16(data, XB_OFF_IP_DST, d0);
	put16(data, XB_OFF_IP_DST + 2, d1);
	put16(data, XB_OFF_IP_CSUM, fold(cfg.ip_sum + d0 + d1));
	return (__u32)d0 + d1;
}

SEC("xdp")
int lab_xdpblast(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u64 k = cursor++, a;
	__u64 *d = data;
	__u32 dsum;

	if (cfg.tcp) {
		__u16 dport, sport;

		if (data + XB_SYN_LEN > end)
			goto bad;
		/* 54 bytes: six words and three half-words. */
#pragma unroll
		for (int i = 0; i < 6; i++)
			d[i] = cfg.frame[i];
		put16(data, 48, ((const volatile __u16 *)cfg.frame)[24]);
		put16(data, 50, ((const volatile __u16 *)cfg.frame)[25]);
		put16(data, 52, ((const volatile __u16 *)cfg.frame)[26]);
		/* Every port of an address, then the next address. */
		a = k / cfg.n_ports;
		dport = bpf_htons(cfg.ports[(__u32)(k % cfg.n_ports) & (XB_MAX_PORTS - 1)]);
		sport = bpf_htons(1024 + (__u16)(k % (65536 - 1024)));
		dsum = put_dst(data, cfg.net + ((__u32)a & cfg.hostmask));
		put16(data, XB_OFF_TCP_SPORT, sport);
		put16(data, XB_OFF_TCP_DPORT, dport);
		put16(data, XB_OFF_TCP_CSUM, fold(cfg.l4_sum + dsum + sport + dport));
	} else {
		__u16 seq;

		if (data + XB_ICMP_LEN > end)
			goto bad;
#pragma unroll
		for (int i = 0; i < XB_ICMP_LEN / 8; i++)
			d[i] = cfg.frame[i];
		seq = bpf_htons((__u16)(k / 7));
		put_dst(data, cfg.net + ((__u32)k & cfg.hostmask));
		put16(data, XB_OFF_ICMP_SEQ, seq);
		put16(data, XB_OFF_ICMP_CSUM, fold(cfg.l4_sum + seq));
	}
	stats.tx++;
	return XDP_TX;
bad:
	stats.bad++;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
