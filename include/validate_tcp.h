/* validate_tcp.h - the TCP SYN probe's reply validator (IPv4 and IPv6), one copy for
 * the XDP program and the libpcap path (through include/sweep_validate.h).
 *
 * A SYN-ACK (open) or an RST with ACK (closed) to our address and to one of our source
 * ports: its acknowledgement must be the SYN's cookie + 1, the cookie being over (the
 * replying address and port, our address, the round), and its destination port one of
 * the source ports that cookie picks (one per attempt). A reply from another address or
 * port than the one probed computes another cookie, so it counts as a bad cookie. A
 * plain RST (no ACK) acknowledges nothing and cannot be checked: it is not ours.
 */
#ifndef XSWEEP_VALIDATE_TCP_H
#define XSWEEP_VALIDATE_TCP_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

#include "halfsiphash.h"
#include "verdict.h"

#define XS_TCP_FIN 0x01
#define XS_TCP_SYN 0x02
#define XS_TCP_RST 0x04
#define XS_TCP_ACK 0x10

/* The fixed part of a TCP header. */
struct xs_tcp {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u8 doff;		/* data offset in the high nibble */
	__u8 flags;
	__be16 window;
	__u16 check;
	__be16 urg_ptr;
};

/* The source port of attempt a of the SYN with this cookie: each attempt (retry, or
 * --probes) leaves from the next port after the cookie's own, so it is a new SYN. */
XS_INLINE __u16 xs_tcp_sport(const struct xs_vcfg *c, __u32 cookie, __u32 a)
{
	return (__u16)(c->sport_lo + (c->sport_n ? ((cookie >> 8) + a) % c->sport_n : 0));
}

/* The attempt a reply to our port dport answers, or -1 when dport is not one of the
 * cookie's (at most XS_MAX_ATTEMPT + 1 ports after its own). */
XS_INLINE int xs_tcp_attempt(const struct xs_vcfg *c, __u32 cookie, __u16 dport)
{
	__u32 base, d, a;

	if (!c->sport_n)
		return -1;
	base = (cookie >> 8) % c->sport_n;
	d = (__u32)(dport - c->sport_lo);
	a = d >= base ? d - base : d + c->sport_n - base;
	return a <= XS_MAX_ATTEMPT ? (int)a : -1;
}

/* The verdict on a SYN-ACK or RST+ACK whose cookies for this round and the previous
 * one are cur and prev (has_prev: round > 0). */
XS_INLINE int xs_tcp_check(const struct xs_vcfg *c, const struct xs_tcp *th, __u32 cur,
			   __u32 prev, int has_prev, struct xs_reply *r)
{
	__u32 ack = XS_BE32(th->ack_seq) - 1;
	__u16 dport = XS_BE16(th->dest);
	int a;

	if (ack == cur && (a = xs_tcp_attempt(c, cur, dport)) >= 0) {
		r->attempt = (__u32)a;
		return XS_V_VALID;
	}
	if (has_prev && ack == prev && xs_tcp_attempt(c, prev, dport) >= 0)
		return XS_V_LATE;
	return XS_V_BAD_COOKIE;
}

/* The TCP header th is ours to look at: to one of our source ports, SYN-ACK or RST+ACK;
 * sets the reply's state. */
XS_INLINE int xs_tcp_ours(const struct xs_vcfg *c, const struct xs_tcp *th, struct xs_reply *r)
{
	__u16 dport = XS_BE16(th->dest);
	__u8 fl = th->flags & (XS_TCP_SYN | XS_TCP_ACK | XS_TCP_RST | XS_TCP_FIN);

	/* Only replies to our source ports are looked at: the host's own connections
	 * elsewhere are not ours. */
	if (dport < c->sport_lo || dport - c->sport_lo >= c->sport_n)
		return 0;
	if (fl != (XS_TCP_SYN | XS_TCP_ACK) && fl != (XS_TCP_RST | XS_TCP_ACK))
		return 0;
	r->state = fl & XS_TCP_SYN ? XS_STATE_OPEN : XS_STATE_CLOSED;
	return 1;
}

/* IPv6: after the extension headers. */
XS_INLINE int xs_tcp6_validate(const __u8 *l3, const void *data_end, const struct xs_vcfg *c,
			       __u32 round, struct xs_reply *r)
{
	__u32 key[2] = { c->key[0], c->key[1] }, saddr[4], src[4], cur, prev = 0;
	int off = xs_ip6_upper(l3, data_end, c, 6), v;
	const struct xs_tcp *th;
	__u16 port;

	if (off < 0)
		return -off - 1;
	th = (const void *)(l3 + off);
	if ((const void *)(th + 1) > data_end)
		return XS_V_MALFORMED;
	if (!xs_tcp_ours(c, th, r))
		return XS_V_NOT_OURS;
	port = XS_BE16(th->source);
	__builtin_memcpy(saddr, l3 + 8, 16);
	__builtin_memcpy(src, c->src6, 16);
	cur = xs_cookie6(key, saddr, src, XS_PROBE_TCP_SYN, round, 0, port);
	if (round)
		prev = xs_cookie6(key, saddr, src, XS_PROBE_TCP_SYN, round - 1, 0, port);
	v = xs_tcp_check(c, th, cur, prev, round != 0, r);
	if (v != XS_V_VALID)
		return v;
	xs_target6(&r->t, l3 + 8, port);
	r->ttl = l3[7];
	r->tx_ns = 0;
	return XS_V_VALID;
}

XS_INLINE int xs_tcp_validate(const void *data, const void *data_end, const struct xs_vcfg *c,
			      __u32 round, struct xs_reply *r)
{
	__u32 key[2] = { c->key[0], c->key[1] }, cur, prev = 0;
	const struct ethhdr *eth = data;
	const struct iphdr *ip;
	const struct xs_tcp *th;
	__u16 port;
	int v;

	if ((const void *)(eth + 1) > data_end)
		return XS_V_NOT_OURS;
	if (eth->h_proto == XS_BE16(ETH_P_IPV6))
		return xs_tcp6_validate((const __u8 *)(eth + 1), data_end, c, round, r);
	if (eth->h_proto != XS_BE16(ETH_P_IP))
		return XS_V_NOT_OURS;
	ip = (const void *)(eth + 1);
	if ((const void *)(ip + 1) > data_end)
		return XS_V_MALFORMED;
	if (ip->protocol != IPPROTO_TCP || ip->daddr != c->src4)
		return XS_V_NOT_OURS;
	th = (const void *)(ip + 1);
	/* Replies to our probes carry no IP options, are never fragmented and hold a
	 * whole TCP header. */
	if (ip->ihl != 5 || ip->version != 4 || (ip->frag_off & XS_BE16(0x3fff)) ||
	    (const void *)(th + 1) > data_end)
		return XS_V_MALFORMED;
	if (!xs_tcp_ours(c, th, r))
		return XS_V_NOT_OURS;
	port = XS_BE16(th->source);
	cur = xs_cookie_port(key, ip->saddr, c->src4, XS_PROBE_TCP_SYN, round, port);
	if (round)
		prev = xs_cookie_port(key, ip->saddr, c->src4, XS_PROBE_TCP_SYN, round - 1, port);
	v = xs_tcp_check(c, th, cur, prev, round != 0, r);
	if (v != XS_V_VALID)
		return v;
	xs_target4(&r->t, ip->saddr, port);
	r->ttl = ip->ttl;
	r->tx_ns = 0;	/* a SYN-ACK carries no time of ours */
	return XS_V_VALID;
}

#endif
