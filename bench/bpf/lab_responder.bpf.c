// SPDX-License-Identifier: GPL-2.0
/* lab_responder.bpf.c - the lab's synthetic network: answers probes from XDP.
 *
 * Attached to the responder end of the lab's veth pair (bench/lab). For every
 * destination in the configured IPv4 range or in 2001:2::/48:
 *   ICMP/ICMPv6 echo request -> echo reply (same id, seq, payload) when alive;
 *   TCP SYN -> SYN-ACK when the port is open, RST+ACK when alive but closed;
 *   silence (XDP_DROP) when the address is dead (see bench/lib/lab.h);
 *   TCP RST (a scanner ending a half-open connection) -> counted and dropped, as the
 *   host it is addressed to would take it (the responder's kernel, which shares the
 *   scanner's CPUs, never sees it).
 * Everything else (ARP, NDP, the link addresses, IP options, fragments, runts) is
 * XDP_PASSed to the responder's kernel.
 *
 * Impairments, each decided per reply by a hash of the probe (bench/lib/lab.h): loss
 * (drop), wrong source (reply from dst+1 within the range), bad id (ICMP id/seq or TCP
 * ack XORed), duplicate. XDP_TX emits exactly one frame, so a reply to duplicate is
 * built in place, marked in the XDP metadata and XDP_PASSed; the TC ingress program
 * lab_dup then sends it twice (bpf_clone_redirect + bpf_redirect to the same device).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "lab.h"

#define REPLY_TTL 64
/* <linux/icmp.h> pulls in libc socket headers, so spell out what we need. */
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	union {
		struct {
			__be16 id;
			__be16 sequence;
		} echo;
	} un;
};
#define TCP_FL_SYN 0x02
#define TCP_FL_RST 0x04
#define TCP_FL_ACK 0x10

/* Configuration, written by the loader before load (constant to the verifier). */
const volatile struct lab_cfg cfg = {};

/* Per-CPU counters, one slot; BTF-typed so bpftool prints field names. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lab_stats);
} stats SEC(".maps");

/* ---- checksum helpers (16-bit one's complement, values as stored in the packet) ---- */

static __always_inline __u16 csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* RFC 1624 incremental update: HC' = ~(~HC + ~m + m'). */
static __always_inline __u16 csum_upd16(__u16 csum, __u16 old, __u16 new)
{
	return csum_fold((__u16)~csum + (__u32)(__u16)~old + new);
}

static __always_inline __u16 csum_upd32(__u16 csum, __u32 old, __u32 new)
{
	csum = csum_upd16(csum, old & 0xffff, new & 0xffff);
	return csum_upd16(csum, old >> 16, new >> 16);
}

/* Sum of n 16-bit words (n a compile-time constant, bounds checked by the caller). */
static __always_inline __u32 csum_words(const __u16 *p, int n, __u32 s)
{
#pragma unroll
	for (int i = 0; i < n; i++)
		s += p[i];
	return s;
}

/* ---- small helpers ---- */

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

static __always_inline int port_listed(__u16 port)
{
#pragma unroll
	for (int i = 0; i < LAB_MAX_PORTS; i++)
		if (i < cfg.n_ports && cfg.ports[i] == port)
			return 1;
	return 0;
}

/* First 8 payload bytes, big-endian, zero-padded past the IP payload's end. */
static __always_inline __u64 payload8(const __u8 *p, const void *end, __u32 avail)
{
	__u64 v = 0;

#pragma unroll
	for (__u32 i = 0; i < 8; i++) {
		v <<= 8;
		if (i < avail && (const void *)(p + i + 1) <= end)
			v |= p[i];
	}
	return v;
}

/* Mark the frame for the TC program, which sends it twice. */
static __always_inline int pass_for_dup(struct xdp_md *ctx)
{
	struct lab_meta *m;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return XDP_TX;	/* no room: send once rather than lose it */
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return XDP_TX;
	m->magic = LAB_META_DUP;
	return XDP_PASS;
}

static __always_inline __u32 next_in_range4(__u32 addr)
{
	return (addr & cfg.mask4) | ((addr + 1) & ~cfg.mask4);
}

static __always_inline void ip4_finish(struct iphdr *iph)
{
	iph->ttl = REPLY_TTL;
	iph->check = 0;
	iph->check = csum_fold(csum_words((__u16 *)iph, sizeof(*iph) / 2, 0));
}

/* ---- TCP, shared by both address families ---- */

/* What a SYN to a live host decides: its impairment inputs, loss, whether the port is open. */
struct syn_fate {
	__u64 x1, x2;
	__u32 seq;
	__u16 sport, dport;
	int open;
};

/* Returns 0 when the SYN is lost (counted). */
static __always_inline int syn_fate(struct lab_stats *st, const struct tcphdr *tcp, __u64 key,
				    struct syn_fate *f)
{
	f->sport = bpf_ntohs(tcp->source);
	f->dport = bpf_ntohs(tcp->dest);
	f->seq = bpf_ntohl(tcp->seq);
	f->x1 = (__u32)f->sport << 16 | f->dport;
	f->x2 = f->seq;
	if (lab_impair(cfg.seed, LAB_K_LOSS, cfg.loss, key, f->x1, f->x2)) {
		st->lost++;
		return 0;
	}
	f->open = port_listed(f->dport) && lab_open(cfg.seed, cfg.open, key, f->dport);
	return 1;
}

/* The bare SYN-ACK (open) or RST+ACK header in place, checksum left at 0 for the caller's
 * pseudo-header; counts the reply and a bad-ack impairment. */
static __always_inline void tcp_reply(struct lab_stats *st, struct tcphdr *tcp, __u64 key,
				      const struct syn_fate *f)
{
	__u32 ack = f->seq + 1;

	if (lab_impair(cfg.seed, LAB_K_BAD_ID, cfg.bad_id, key, f->x1, f->x2)) {
		ack ^= LAB_BAD_ACK_XOR;
		st->bad_id++;
	}
	tcp->source = bpf_htons(f->dport);
	tcp->dest = bpf_htons(f->sport);
	tcp->seq = f->open ? bpf_htonl(lab_isn(cfg.seed, key, f->x1, f->x2)) : 0;
	tcp->ack_seq = bpf_htonl(ack);
	((__u8 *)tcp)[12] = (sizeof(*tcp) / 4) << 4;
	((__u8 *)tcp)[13] = f->open ? TCP_FL_SYN | TCP_FL_ACK : TCP_FL_RST | TCP_FL_ACK;
	tcp->window = f->open ? bpf_htons(65535) : 0;
	tcp->urg_ptr = 0;
	tcp->check = 0;
	if (f->open)
		st->tx_tcp_synack++;
	else
		st->tx_tcp_rst++;
}

/* ---- IPv4 ---- */

static __always_inline int icmp4_echo(struct xdp_md *ctx, struct lab_stats *st,
				      struct iphdr *iph, __u32 dst)
{
	void *end = (void *)(long)ctx->data_end;
	struct icmphdr *icmp = (void *)(iph + 1);
	__u64 key = lab_key4(dst), x1, x2;
	__u16 id, seq, tot = bpf_ntohs(iph->tot_len);

	if ((void *)(icmp + 1) > end || tot < sizeof(*iph) + sizeof(*icmp))
		return -1;
	if (icmp->type != ICMP_ECHO || icmp->code != 0)
		return -1;
	st->rx_icmp_echo++;
	if (!lab_alive4(cfg.seed, cfg.alive, dst)) {
		st->dropped_dead++;
		return XDP_DROP;
	}
	id = bpf_ntohs(icmp->un.echo.id);
	seq = bpf_ntohs(icmp->un.echo.sequence);
	x1 = (__u32)id << 16 | seq;
	x2 = payload8((__u8 *)(icmp + 1), end, tot - sizeof(*iph) - sizeof(*icmp));
	if (lab_impair(cfg.seed, LAB_K_LOSS, cfg.loss, key, x1, x2)) {
		st->lost++;
		return XDP_DROP;
	}

	swap_macs((void *)(long)ctx->data);
	iph->daddr = iph->saddr;
	iph->saddr = bpf_htonl(dst);
	if (lab_impair(cfg.seed, LAB_K_WRONG_SRC, cfg.wrong_src, key, x1, x2)) {
		iph->saddr = bpf_htonl(next_in_range4(dst));
		st->wrong_src++;
	}
	ip4_finish(iph);

	icmp->checksum = csum_upd16(icmp->checksum, bpf_htons(ICMP_ECHO << 8),
				    bpf_htons(ICMP_ECHOREPLY << 8));
	icmp->type = ICMP_ECHOREPLY;
	if (lab_impair(cfg.seed, LAB_K_BAD_ID, cfg.bad_id, key, x1, x2)) {
		__u16 nid = bpf_htons(id ^ LAB_BAD_ID_XOR), nseq = bpf_htons(seq ^ LAB_BAD_ID_XOR);

		icmp->checksum = csum_upd16(icmp->checksum, icmp->un.echo.id, nid);
		icmp->checksum = csum_upd16(icmp->checksum, icmp->un.echo.sequence, nseq);
		icmp->un.echo.id = nid;
		icmp->un.echo.sequence = nseq;
		st->bad_id++;
	}
	st->tx_icmp_echo_reply++;
	if (lab_impair(cfg.seed, LAB_K_DUP, cfg.dup, key, x1, x2))
		return pass_for_dup(ctx);
	return XDP_TX;
}

#define TCP4_REPLY_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct tcphdr))

/* A TCP segment to the range: a SYN is counted and goes on to be answered (0); an RST
 * (a scanner ending a half-open connection) is taken by the host it is addressed to,
 * counted and dropped; anything else goes to the kernel (-1). */
static __always_inline int tcp_take(struct lab_stats *st, const struct tcphdr *tcp)
{
	__u8 flags = ((const __u8 *)tcp)[13];

	if ((flags & (TCP_FL_SYN | TCP_FL_RST)) == TCP_FL_RST) {
		st->rx_tcp_rst++;
		return XDP_DROP;
	}
	if ((flags & (TCP_FL_SYN | TCP_FL_ACK | TCP_FL_RST)) != TCP_FL_SYN)
		return -1;
	st->rx_tcp_syn++;
	return 0;
}

static __always_inline int tcp4_syn(struct xdp_md *ctx, struct lab_stats *st,
				    struct iphdr *iph, __u32 dst)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct tcphdr *tcp = (void *)(iph + 1);
	__u64 key = lab_key4(dst);
	struct syn_fate f;
	struct ethhdr *eth;
	__u32 src;
	int act, delta;

	if ((void *)(tcp + 1) > end)
		return -1;
	if ((act = tcp_take(st, tcp)))
		return act;
	if (!lab_alive4(cfg.seed, cfg.alive, dst)) {
		st->dropped_dead++;
		return XDP_DROP;
	}
	src = iph->saddr;
	if (!syn_fate(st, tcp, key, &f))
		return XDP_DROP;

	/* The reply is a bare 20-byte TCP header: cut options and payload. */
	delta = (int)TCP4_REPLY_LEN - (int)(end - data);
	if (delta < 0 && bpf_xdp_adjust_tail(ctx, delta))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + TCP4_REPLY_LEN > end)
		return XDP_DROP;
	eth = data;
	iph = (void *)(eth + 1);
	tcp = (void *)(iph + 1);

	swap_macs(eth);
	iph->tos = 0;
	iph->tot_len = bpf_htons(sizeof(*iph) + sizeof(*tcp));
	iph->id = 0;
	iph->frag_off = bpf_htons(0x4000);	/* DF */
	iph->daddr = src;
	iph->saddr = bpf_htonl(dst);
	if (lab_impair(cfg.seed, LAB_K_WRONG_SRC, cfg.wrong_src, key, f.x1, f.x2)) {
		iph->saddr = bpf_htonl(next_in_range4(dst));
		st->wrong_src++;
	}
	ip4_finish(iph);

	tcp_reply(st, tcp, key, &f);
	tcp->check = csum_fold(csum_words((__u16 *)tcp, sizeof(*tcp) / 2,
					  (iph->saddr & 0xffff) + (iph->saddr >> 16) +
					  (iph->daddr & 0xffff) + (iph->daddr >> 16) +
					  bpf_htons(IPPROTO_TCP) + bpf_htons(sizeof(*tcp))));
	if (lab_impair(cfg.seed, LAB_K_DUP, cfg.dup, key, f.x1, f.x2))
		return pass_for_dup(ctx);
	return XDP_TX;
}

static __always_inline int handle_ipv4(struct xdp_md *ctx, struct lab_stats *st)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	__u32 dst;

	if ((void *)(iph + 1) > end)
		return -1;
	/* Options, fragments and lying lengths go to the kernel. */
	if (iph->version != 4 || iph->ihl != 5 || (iph->frag_off & bpf_htons(0x3fff)))
		return -1;
	if ((void *)iph + bpf_ntohs(iph->tot_len) > end)
		return -1;
	dst = bpf_ntohl(iph->daddr);
	if ((dst & cfg.mask4) != cfg.net4)
		return -1;
	if (iph->protocol == IPPROTO_ICMP)
		return icmp4_echo(ctx, st, iph, dst);
	if (iph->protocol == IPPROTO_TCP)
		return tcp4_syn(ctx, st, iph, dst);
	return -1;
}

/* ---- IPv6 ---- */

static __always_inline __u64 load_be64(const void *p)
{
	__u64 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return bpf_be64_to_cpu(v);
}

static __always_inline void ip6_swap(struct ipv6hdr *ip6)
{
	struct in6_addr a = ip6->saddr;

	ip6->saddr = ip6->daddr;
	ip6->daddr = a;
	ip6->hop_limit = REPLY_TTL;
}

/* Replace the low half of the (already swapped) source with lo + 1; returns the
 * checksum adjusted for the change. */
static __always_inline __u16 ip6_wrong_src(struct ipv6hdr *ip6, __u64 lo, __u16 csum)
{
	__u32 *w = (__u32 *)&ip6->saddr;
	__u32 o2 = w[2], o3 = w[3];

	lo++;
	w[2] = bpf_htonl(lo >> 32);
	w[3] = bpf_htonl((__u32)lo);
	csum = csum_upd32(csum, o2, w[2]);
	return csum_upd32(csum, o3, w[3]);
}

static __always_inline int icmp6_echo(struct xdp_md *ctx, struct lab_stats *st,
				      struct ipv6hdr *ip6, __u64 hi, __u64 lo)
{
	void *end = (void *)(long)ctx->data_end;
	struct icmp6hdr *icmp = (void *)(ip6 + 1);
	__u64 key = lab_key6(hi, lo), x1, x2;
	__u16 id, seq, plen = bpf_ntohs(ip6->payload_len);

	if ((void *)(icmp + 1) > end || plen < sizeof(*icmp))
		return -1;
	if (icmp->icmp6_type != ICMPV6_ECHO_REQUEST || icmp->icmp6_code != 0)
		return -1;
	st->rx_icmp6_echo++;
	if (!lab_alive6(cfg.seed, cfg.alive, hi, lo)) {
		st->dropped_dead++;
		return XDP_DROP;
	}
	id = bpf_ntohs(icmp->icmp6_identifier);
	seq = bpf_ntohs(icmp->icmp6_sequence);
	x1 = (__u32)id << 16 | seq;
	x2 = payload8((__u8 *)(icmp + 1), end, plen - sizeof(*icmp));
	if (lab_impair(cfg.seed, LAB_K_LOSS, cfg.loss, key, x1, x2)) {
		st->lost++;
		return XDP_DROP;
	}

	swap_macs((void *)(long)ctx->data);
	ip6_swap(ip6);
	icmp->icmp6_cksum = csum_upd16(icmp->icmp6_cksum, bpf_htons(ICMPV6_ECHO_REQUEST << 8),
				       bpf_htons(ICMPV6_ECHO_REPLY << 8));
	icmp->icmp6_type = ICMPV6_ECHO_REPLY;
	if (lab_impair(cfg.seed, LAB_K_WRONG_SRC, cfg.wrong_src, key, x1, x2)) {
		icmp->icmp6_cksum = ip6_wrong_src(ip6, lo, icmp->icmp6_cksum);
		st->wrong_src++;
	}
	if (lab_impair(cfg.seed, LAB_K_BAD_ID, cfg.bad_id, key, x1, x2)) {
		__u16 nid = bpf_htons(id ^ LAB_BAD_ID_XOR), nseq = bpf_htons(seq ^ LAB_BAD_ID_XOR);

		icmp->icmp6_cksum = csum_upd16(icmp->icmp6_cksum, icmp->icmp6_identifier, nid);
		icmp->icmp6_cksum = csum_upd16(icmp->icmp6_cksum, icmp->icmp6_sequence, nseq);
		icmp->icmp6_identifier = nid;
		icmp->icmp6_sequence = nseq;
		st->bad_id++;
	}
	st->tx_icmp6_echo_reply++;
	if (lab_impair(cfg.seed, LAB_K_DUP, cfg.dup, key, x1, x2))
		return pass_for_dup(ctx);
	return XDP_TX;
}

#define TCP6_REPLY_LEN (sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + sizeof(struct tcphdr))

static __always_inline int tcp6_syn(struct xdp_md *ctx, struct lab_stats *st,
				    struct ipv6hdr *ip6, __u64 hi, __u64 lo)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct tcphdr *tcp = (void *)(ip6 + 1);
	__u64 key = lab_key6(hi, lo);
	struct syn_fate f;
	struct ethhdr *eth;
	int act, delta;

	if ((void *)(tcp + 1) > end)
		return -1;
	if ((act = tcp_take(st, tcp)))
		return act;
	if (!lab_alive6(cfg.seed, cfg.alive, hi, lo)) {
		st->dropped_dead++;
		return XDP_DROP;
	}
	if (!syn_fate(st, tcp, key, &f))
		return XDP_DROP;

	delta = (int)TCP6_REPLY_LEN - (int)(end - data);
	if (delta < 0 && bpf_xdp_adjust_tail(ctx, delta))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + TCP6_REPLY_LEN > end)
		return XDP_DROP;
	eth = data;
	ip6 = (void *)(eth + 1);
	tcp = (void *)(ip6 + 1);

	swap_macs(eth);
	ip6_swap(ip6);
	ip6->payload_len = bpf_htons(sizeof(*tcp));
	if (lab_impair(cfg.seed, LAB_K_WRONG_SRC, cfg.wrong_src, key, f.x1, f.x2)) {
		ip6_wrong_src(ip6, lo, 0);	/* checksum computed below */
		st->wrong_src++;
	}
	tcp_reply(st, tcp, key, &f);
	/* Pseudo-header: both addresses (contiguous), length, next header. */
	tcp->check = csum_fold(csum_words((__u16 *)tcp, sizeof(*tcp) / 2,
					  csum_words((__u16 *)&ip6->saddr, 16,
						     bpf_htons(sizeof(*tcp)) +
						     bpf_htons(IPPROTO_TCP))));
	if (lab_impair(cfg.seed, LAB_K_DUP, cfg.dup, key, f.x1, f.x2))
		return pass_for_dup(ctx);
	return XDP_TX;
}

static __always_inline int handle_ipv6(struct xdp_md *ctx, struct lab_stats *st)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	__u64 hi, lo;

	if ((void *)(ip6 + 1) > end)
		return -1;
	if (ip6->version != 6)
		return -1;
	if ((void *)(ip6 + 1) + bpf_ntohs(ip6->payload_len) > end)
		return -1;
	hi = load_be64(&ip6->daddr);
	if ((hi & LAB_NET6_MASK) != LAB_NET6_HI)
		return -1;
	lo = load_be64((__u8 *)&ip6->daddr + 8);
	if (ip6->nexthdr == IPPROTO_ICMPV6)
		return icmp6_echo(ctx, st, ip6, hi, lo);
	if (ip6->nexthdr == IPPROTO_TCP)
		return tcp6_syn(ctx, st, ip6, hi, lo);
	return -1;
}

SEC("xdp")
int lab_responder(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct lab_stats *st;
	__u32 zero = 0;
	int act = -1;

	st = bpf_map_lookup_elem(&stats, &zero);
	if (!st)
		return XDP_PASS;
	if ((void *)(eth + 1) <= end) {
		if (eth->h_proto == bpf_htons(ETH_P_IP))
			act = handle_ipv4(ctx, st);
		else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
			act = handle_ipv6(ctx, st);
	}
	if (act < 0) {
		st->rx_other++;
		return XDP_PASS;
	}
	return act;
}

/* Pass-through for the scanner's veth in native mode: on veth, XDP_TX frames only
 * reach a peer that runs an XDP program itself (see LAB.md). */
SEC("xdp")
int lab_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* TC ingress: send twice the replies that the XDP program marked for duplication. */
SEC("tc")
int lab_dup(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	struct lab_meta *m = (void *)(long)skb->data_meta;
	struct lab_stats *st;
	__u32 zero = 0;

	if ((void *)(m + 1) > data || m->magic != LAB_META_DUP)
		return TC_ACT_OK;
	st = bpf_map_lookup_elem(&stats, &zero);
	if (bpf_clone_redirect(skb, skb->ifindex, 0) == 0) {
		if (st)
			st->duplicated++;
	} else if (st) {
		st->dup_failed++;
	}
	return bpf_redirect(skb->ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
