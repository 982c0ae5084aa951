/* validate_icmp.h - the ICMP echo probe's reply validator (IPv4), one copy for the XDP
 * program and the libpcap path (through include/sweep_validate.h).
 *
 * An echo reply to our address whose payload carries the xsweep magic: the keyed cookie
 * over (probed target, our address, probe type, round, attempt) must equal its id/seq.
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

XS_INLINE int xs_icmp_validate(const void *data, const void *data_end, const struct xs_vcfg *c,
			       __u32 round, struct xs_reply *r)
{
	const struct ethhdr *eth = data;
	const struct xs_probe_payload *pl;
	const struct xs_icmp_echo *icmp;
	const struct iphdr *ip;
	__u32 cookie, got, src = c->src4;
	__u32 key[2] = { c->key[0], c->key[1] };

	/* Only untagged IPv4 carries our replies (we send untagged IPv4 probes). */
	if ((const void *)(eth + 1) > data_end || eth->h_proto != XS_BE16(ETH_P_IP))
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
