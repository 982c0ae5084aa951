/* monitor_parse.h - the one packet parser of `xsweep monitor`, shared by the XDP program
 * (bpf/monitor.bpf.c) and the libpcap fallback (user/monitor/monitor_pcap.c).
 *
 * Both paths must count exactly the same things, so they run the same code: every
 * access is bounds-checked against `end` in the form the BPF verifier accepts, loops
 * are bounded, and nothing here calls a helper or libc. Reads Ethernet (up to two
 * 802.1Q/802.1ad tags), IPv4 (IHL checked, fragments), IPv6 (up to XS_IPV6_MAX_EXT
 * extension headers, fragment header) and the fixed TCP header.
 */
#ifndef XSWEEP_MONITOR_PARSE_H
#define XSWEEP_MONITOR_PARSE_H

#include <linux/types.h>
#include "ip6_ext.h"
#include "xsweep.h"

enum xs_pkt_kind {
	XS_PKT_NON_IP = 0,	/* not IPv4/IPv6: ARP, LLDP, ... */
	XS_PKT_MALFORMED,	/* an IP ethertype with an unusable IP header: not counted per host */
	XS_PKT_IP,		/* valid IP header: src is the source address */
};

struct xs_mon_pkt {
	struct xs_ip src;
	__u8 kind;		/* enum xs_pkt_kind */
	__u8 l4proto;		/* IPPROTO_* of the upper layer (after extension headers) */
	__u8 fragment;		/* non-first fragment: no L4 header in this packet */
	__u8 truncated;		/* an IP packet whose L4/extension header is cut short or invalid */
	__u8 has_sport;		/* a complete TCP header was found: sport is valid */
	__u8 pad;
	__u16 sport;		/* TCP source port, host byte order */
};

/* Parse one frame [data, end). Fills *p; returns p->kind. */
static __always_inline int xs_mon_parse(const __u8 *data, const __u8 *end, struct xs_mon_pkt *p)
{
	const __u8 *l3, *l4;
	struct xs_ip6_l4 e;
	__u16 proto, tot, frag;
	__u32 hlen, off;
	int i;

	__builtin_memset(p, 0, sizeof(*p));
	if (data + 14 > end)
		return p->kind = XS_PKT_NON_IP;	/* runt: no ethertype to speak of */
	proto = xs_get16(data + 12);
	l3 = data + 14;
	XS_UNROLL
	for (i = 0; i < 2; i++) {
		if (proto != 0x8100 && proto != 0x88a8)
			break;
		if (l3 + 4 > end)
			return p->kind = XS_PKT_NON_IP;
		proto = xs_get16(l3 + 2);
		l3 += 4;
	}

	if (proto == 0x0800) {
		if (l3 + 20 > end || (l3[0] >> 4) != 4)
			return p->kind = XS_PKT_MALFORMED;
		hlen = (__u32)(l3[0] & 0x0f) * 4;
		tot = xs_get16(l3 + 2);
		if (hlen < 20 || tot < hlen)
			return p->kind = XS_PKT_MALFORMED;
		p->kind = XS_PKT_IP;
		p->src.family = XS_AF_INET;
		__builtin_memcpy(p->src.addr, l3 + 12, 4);
		p->l4proto = l3[9];
		frag = xs_get16(l3 + 6);
		if (frag & 0x1fff) {
			p->fragment = 1;
			return p->kind;
		}
		if (p->l4proto != 6)
			return p->kind;
		l4 = l3 + hlen;
		if (tot < hlen + 20 || l4 + 20 > end || (l4[12] >> 4) < 5) {
			p->truncated = 1;
			return p->kind;
		}
		p->sport = xs_get16(l4);
		p->has_sport = 1;
		return p->kind;
	}

	if (proto != 0x86dd)
		return p->kind = XS_PKT_NON_IP;
	if (l3 + 40 > end || (l3[0] >> 4) != 6)
		return p->kind = XS_PKT_MALFORMED;
	p->kind = XS_PKT_IP;
	p->src.family = XS_AF_INET6;
	__builtin_memcpy(p->src.addr, l3 + 8, 16);
	tot = xs_get16(l3 + 4);	/* payload length */
	xs_ip6_ext(l3, end, &e);
	p->l4proto = e.nh;
	if (e.truncated) {
		p->truncated = 1;
		return p->kind;
	}
	if (e.nonfirst) {
		p->fragment = 1;
		return p->kind;
	}
	if (e.nh != 6)
		return p->kind;
	off = e.off;
	l4 = l3 + off;
	if ((__u32)tot + 40 < off + 20 || l4 + 20 > end || (l4[12] >> 4) < 5) {
		p->truncated = 1;
		return p->kind;
	}
	p->sport = xs_get16(l4);
	p->has_sport = 1;
	return p->kind;
}


/* Count one parsed frame in the per-protocol totals, the same way on the XDP and the
 * libpcap paths. Returns 1 when the frame has an IP source to count per host. */
static __always_inline int xs_mon_count_totals(struct xs_mon_totals *t, int kind,
					       const struct xs_mon_pkt *p)
{
	if (kind == XS_PKT_NON_IP) {
		t->non_ip++;
		return 0;
	}
	if (kind == XS_PKT_MALFORMED) {
		t->malformed++;
		return 0;
	}
	if (p->src.family == XS_AF_INET)
		t->ipv4++;
	else
		t->ipv6++;
	if (p->fragment)
		t->fragments++;
	else if (p->truncated)
		t->malformed++;
	else if (p->l4proto == 6)
		t->tcp++;
	else if (p->l4proto == 17)
		t->udp++;
	else if (p->l4proto == 1 || p->l4proto == 58)
		t->icmp++;
	else
		t->other_l4++;
	return 1;
}

/* The claim word of an inline port slot: its first 8 bytes as they read once it holds
 * port (struct xs_mon_host_port: port, used = 1, pad = 0). */
static __always_inline __u64 xs_mon_slot_word(__u16 port)
{
	struct xs_mon_host_port s = { .port = port, .used = 1 };
	__u64 w;

	__builtin_memcpy(&w, &s, sizeof(w));
	return w;
}

/* Count one packet from TCP source port `port` in h's inline slots, the same way on the
 * XDP and the libpcap paths. Slots are taken in order and never given back, so a port
 * sits in at most one slot: the first free slot is claimed with a compare-and-swap
 * (64-bit: clang's BPF target needs -mcpu=v3 for 32-bit ones), and a CPU that lost the
 * race to another CPU claiming the same port counts into that slot. Returns 1 when
 * counted, 0 when every slot holds another port: the caller counts it in the ports map. */
static __always_inline int xs_mon_host_port_add(struct xs_mon_host *h, __u16 port, __u64 now)
{
	__u64 want = xs_mon_slot_word(port), cur;
	int i;

	XS_UNROLL
	for (i = 0; i < XS_MON_HOST_PORTS; i++) {
		__u64 *w = (__u64 *)&h->ports[i];

		cur = *(volatile __u64 *)w;
		if (!cur)
			cur = __sync_val_compare_and_swap(w, 0, want);
		if (!cur || cur == want) {
			__sync_fetch_and_add(&h->ports[i].packets, 1);
			h->ports[i].last_ns = now;
			return 1;
		}
	}
	return 0;
}

#endif
