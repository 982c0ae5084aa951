/* sweep_validate.h - the sweep's reply validator, one copy for both receive paths.
 *
 * bpf/sweep.bpf.c (XDP) and user/recv/sweep_pcap.c (libpcap fallback) both call
 * xs_sweep_validate() on each received Ethernet frame, so a frame gets the same verdict
 * whichever path received it: not ours, malformed, bad cookie, wrong source, late, or a valid
 * reply (the responder address, its TTL and the probe's send time are returned). What
 * happens next (duplicate filter, events, counters) is the caller's business.
 *
 * Written for the BPF verifier first: every read is bounds-checked against data_end
 * before it happens, no loops, always inlined. Plain C otherwise (byte order through
 * compiler builtins, so no libc or bpf_helpers header is needed).
 */
#ifndef XSWEEP_SWEEP_VALIDATE_H
#define XSWEEP_SWEEP_VALIDATE_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

#include "halfsiphash.h"
#include "xsweep.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define XS_BE16(x) __builtin_bswap16(x)
#define XS_BE32(x) __builtin_bswap32(x)
#else
#define XS_BE16(x) (x)
#define XS_BE32(x) (x)
#endif

#define XS_ICMP_ECHOREPLY 0

/* ICMP echo header (linux/icmp.h drags in libc socket headers that -target bpf lacks). */
struct xs_icmp_echo {
	__u8 type;
	__u8 code;
	__u16 checksum;
	__be16 id;
	__be16 seq;
};

enum xs_verdict {
	XS_V_NOT_OURS = 0,	/* not an xsweep echo reply to our address: pass it on */
	XS_V_MALFORMED,		/* truncated or unusual IPv4 header (ihl != 5, fragment) */
	XS_V_BAD_COOKIE,	/* our payload, but id/seq is not the cookie */
	XS_V_WRONG_SRC,		/* valid cookie for a target, from another address */
	XS_V_LATE,		/* genuine reply to the previous round's probe (periodic mode) */
	XS_V_VALID,		/* a reply to one of our probes */
};

/* What a valid reply tells. */
struct xs_reply {
	__u32 saddr;		/* responder = probed target, network order */
	__u32 ttl;
	__u64 tx_ns;		/* CLOCK_MONOTONIC send time carried in the payload */
};

/* Classify one frame. key/src (network order)/round: the sweep's cookie inputs. */
static inline __attribute__((always_inline)) int
xs_sweep_validate(const void *data, const void *data_end, const __u32 key[2], __u32 src,
		  __u32 round, struct xs_reply *r)
{
	const struct ethhdr *eth = data;
	const struct xs_probe_payload *pl;
	const struct xs_icmp_echo *icmp;
	const struct iphdr *ip;
	__u32 cookie, got;

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
	r->saddr = ip->saddr;
	r->ttl = ip->ttl;
	r->tx_ns = pl->tx_ns;
	return XS_V_VALID;
}

/* Count a verdict other than XS_V_VALID in the shared counters. */
static inline __attribute__((always_inline)) void xs_sweep_count(struct xs_stats *st, int v)
{
	if (v == XS_V_NOT_OURS)
		st->rx_not_ours++;
	else if (v == XS_V_MALFORMED)
		st->rx_malformed++;
	else if (v == XS_V_BAD_COOKIE)
		st->rx_bad_cookie++;
	else if (v == XS_V_WRONG_SRC)
		st->rx_wrong_src++;
	else if (v == XS_V_LATE)
		st->rx_late++;
}

#endif
