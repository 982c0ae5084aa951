/* validate_icmp.h - the ICMP echo probe's reply validator, one copy for the XDP
 * program and the libpcap path (through include/sweep_validate.h).
 *
 * An echo reply to our address whose payload carries the xsweep magic: the keyed cookie
 * over (probed target, our address, probe type, round, attempt) must equal its id/seq.
 * IPv4 (ICMP) and IPv6 (ICMPv6, after its extension headers).
 * Written for the verifier first: every read bounds-checked against data_end before it
 * happens, no loops, always inlined.
 */
#ifndef XSWEEP_VALIDATE_ICMP_H
#define XSWEEP_VALIDATE_ICMP_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

#include "halfsiphash.h"
#include "verdict.h"

#define XS_ICMP_ECHOREPLY 0

/* ICMP echo header (linux/icmp.h drags in libc socket headers that -target bpf lacks). */
struct xs_icmp_echo {
	__u8 type;
	__u8 code;
	__u16 checksum;
	__be16 id;
	__be16 seq;
};

#define XS_ICMP6_ECHOREPLY 129
#define XS_ICMP6_LEN (8 + 32)	/* echo header + struct xs_probe_payload6 */

/* The ICMPv6 checksum of our echo reply (XS_ICMP6_LEN bytes at l4, checked against the
 * end by the caller) with the pseudo-header of the IPv6 header at l3 verifies. */
XS_INLINE int xs_icmp6_csum_ok(const __u8 *l3, const __u8 *l4)
{
	__u32 sum = XS_ICMP6_LEN + 58;
	int i;

	XS_UNROLL
	for (i = 0; i < 32; i += 2)
		sum += xs_get16(l3 + 8 + i);
	XS_UNROLL
	for (i = 0; i < XS_ICMP6_LEN; i += 2)
		sum += xs_get16(l4 + i);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* ICMPv6 echo replies: the same checks as IPv4's, after the extension headers, plus the
 * checksum (a corrupted reply is malformed, whatever its cookie). */
XS_INLINE int xs_icmp6_validate(const __u8 *l3, const void *data_end, const struct xs_vcfg *c,
				__u32 round, struct xs_reply *r)
{
	__u32 key[2] = { c->key[0], c->key[1] }, tgt[4], src[4], cookie, got, attempt;
	int off = xs_ip6_upper(l3, data_end, c, 58);
	const struct xs_probe_payload6 *pl;
	const __u8 *l4;
	__u8 saddr[16];

	if (off < 0)
		return -off - 1;
	l4 = l3 + off;
	if (l4 + 8 > (const __u8 *)data_end)
		return XS_V_MALFORMED;
	pl = (const void *)(l4 + 8);
	if (l4 + XS_ICMP6_LEN > (const __u8 *)data_end)
		return l4[0] == XS_ICMP6_ECHOREPLY ? XS_V_MALFORMED : XS_V_NOT_OURS;
	if (l4[0] != XS_ICMP6_ECHOREPLY || l4[1] != 0 || pl->magic != XS_BE32(XS_PAYLOAD_MAGIC))
		return XS_V_NOT_OURS;
	if (xs_get16(l3 + 4) != off - 40 + XS_ICMP6_LEN || !xs_icmp6_csum_ok(l3, l4))
		return XS_V_MALFORMED;
	attempt = pl->attempt;
	if (attempt > XS_MAX_ATTEMPT)
		return XS_V_BAD_COOKIE;
	__builtin_memcpy(tgt, pl->target, 16);
	__builtin_memcpy(src, c->src6, 16);
	__builtin_memcpy(saddr, l3 + 8, 16);
	cookie = xs_cookie6(key, tgt, src, XS_PROBE_ICMP_ECHO, round, attempt, 0);
	got = (__u32)xs_get16(l4 + 4) << 16 | xs_get16(l4 + 6);
	if (got != cookie) {
		if (round && xs_eq16(saddr, tgt) &&
		    got == xs_cookie6(key, tgt, src, XS_PROBE_ICMP_ECHO, round - 1, attempt, 0))
			return XS_V_LATE;
		return XS_V_BAD_COOKIE;
	}
	if (!xs_eq16(saddr, tgt))
		return XS_V_WRONG_SRC;
	xs_target6(&r->t, saddr, 0);
	r->ttl = l3[7];
	r->state = XS_STATE_ALIVE;
	r->attempt = attempt;
	r->tx_ns = pl->tx_ns;
	return XS_V_VALID;
}

XS_INLINE int xs_icmp_validate(const void *data, const void *data_end, const struct xs_vcfg *c,
			       __u32 round, struct xs_reply *r)
{
	const struct ethhdr *eth = data;
	const struct xs_probe_payload *pl;
	const struct xs_icmp_echo *icmp;
	const struct iphdr *ip;
	__u32 cookie, got, src = c->src4;
	__u32 key[2] = { c->key[0], c->key[1] };

	/* Only untagged IPv4 and IPv6 carry our replies (our probes are untagged). */
	if ((const void *)(eth + 1) > data_end)
		return XS_V_NOT_OURS;
	if (eth->h_proto == XS_BE16(ETH_P_IPV6))
		return xs_icmp6_validate((const __u8 *)(eth + 1), data_end, c, round, r);
	if (eth->h_proto != XS_BE16(ETH_P_IP))
		return XS_V_NOT_OURS;
	ip = (const void *)(eth + 1);
	if ((const void *)(ip + 1) > data_end)
		return XS_V_MALFORMED;
	if (ip->protocol != IPPROTO_ICMP || ip->daddr != src)
		return XS_V_NOT_OURS;
	/* Our probes carry no IP options and are never fragmented; neither are replies. */
	if (ip->ihl != 5 || ip->version != 4 || (ip->frag_off & XS_BE16(0x3fff)))
		return XS_V_MALFORMED;
	icmp = (const void *)(ip + 1);
	pl = (const void *)(icmp + 1);
	if ((const void *)(pl + 1) > data_end) {
		if ((const void *)(icmp + 1) <= data_end && icmp->type == XS_ICMP_ECHOREPLY)
			return XS_V_MALFORMED;
		return XS_V_NOT_OURS;
	}
	if (icmp->type != XS_ICMP_ECHOREPLY || icmp->code != 0 ||
	    pl->magic != XS_BE32(XS_PAYLOAD_MAGIC))
		return XS_V_NOT_OURS;

	/* The cookie is over the address we probed (carried in the payload); a reply that
	 * does not match it was forged or corrupted. */
	if (pl->attempt > XS_MAX_ATTEMPT)
		return XS_V_BAD_COOKIE;
	cookie = xs_cookie(key, pl->target, src, XS_PROBE_ICMP_ECHO, round, pl->attempt);
	got = ((__u32)XS_BE16(icmp->id) << 16) | XS_BE16(icmp->seq);
	if (got != cookie) {
		/* In periodic mode a slow host's reply can outlive its round: a cookie of the
		 * previous round from the probed address is late, not forged. */
		if (round && ip->saddr == pl->target &&
		    got == xs_cookie(key, pl->target, src, XS_PROBE_ICMP_ECHO, round - 1, pl->attempt))
			return XS_V_LATE;
		return XS_V_BAD_COOKIE;
	}
	if (ip->saddr != pl->target)
		return XS_V_WRONG_SRC;
	xs_target4(&r->t, ip->saddr, 0);
	r->ttl = ip->ttl;
	r->state = XS_STATE_ALIVE;
	r->attempt = pl->attempt;
	r->tx_ns = pl->tx_ns;
	return XS_V_VALID;
}

#endif
