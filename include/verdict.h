/* verdict.h - what a reply validator decides, shared by every probe type's validator
 * (include/validate_*.h), the XDP program (bpf/sweep.bpf.c) and the libpcap path.
 *
 * Plain C for the BPF target and userspace alike: byte order through compiler builtins,
 * so no libc or bpf_helpers header is needed.
 */
#ifndef XSWEEP_VERDICT_H
#define XSWEEP_VERDICT_H

#include <linux/types.h>

#include "ip6_ext.h"
#include "xsweep.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define XS_BE16(x) __builtin_bswap16(x)
#define XS_BE32(x) __builtin_bswap32(x)
#else
#define XS_BE16(x) (x)
#define XS_BE32(x) (x)
#endif

#define XS_INLINE static inline __attribute__((always_inline))

enum xs_verdict {
	XS_V_NOT_OURS = 0,	/* not a reply to one of our probes: pass it on */
	XS_V_MALFORMED,		/* truncated or unusual headers (IPv4 options, fragments) */
	XS_V_BAD_COOKIE,	/* looks like ours, but the cookie does not match */
	XS_V_WRONG_SRC,		/* valid cookie for a target, from another address */
	XS_V_LATE,		/* genuine reply to the previous round's probe (periodic mode) */
	XS_V_VALID,		/* a reply to one of our probes */
};

/* What a valid reply tells. */
struct xs_reply {
	struct xs_target t;	/* responder = probed target (and port) */
	__u32 ttl;		/* IPv4 TTL / IPv6 hop limit */
	__u32 state;		/* XS_STATE_* */
	__u32 attempt;		/* which probe of the target this answers */
	__u32 pad;
	__u64 tx_ns;		/* CLOCK_MONOTONIC send time carried in the reply */
};

/* Count a verdict other than XS_V_VALID in the shared counters. */
XS_INLINE void xs_sweep_count(struct xs_stats *st, int v)
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

/* struct xs_target for an IPv4 address (network order) and port. */
XS_INLINE void xs_target4(struct xs_target *t, __u32 addr, __u16 port)
{
	__builtin_memset(t, 0, sizeof(*t));
	t->ip.family = XS_AF_INET;
	__builtin_memcpy(t->ip.addr, &addr, 4);
	t->port = port;
}

/* struct xs_target for an IPv6 address (16 bytes, as in the packet) and port. */
XS_INLINE void xs_target6(struct xs_target *t, const __u8 *addr, __u16 port)
{
	__builtin_memset(t, 0, sizeof(*t));
	t->ip.family = XS_AF_INET6;
	__builtin_memcpy(t->ip.addr, addr, 16);
	t->port = port;
}

/* Two IPv6 addresses are equal (memcmp is not a BPF builtin). */
XS_INLINE int xs_eq16(const void *a, const void *b)
{
	__u32 x[4], y[4];

	__builtin_memcpy(x, a, 16);
	__builtin_memcpy(y, b, 16);
	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

/* The IPv6 header at l3 (40 bytes checked by the caller) is addressed to c->src6. */
XS_INLINE int xs_to_us6(const __u8 *l3, const struct xs_vcfg *c)
{
	return xs_eq16(l3 + 24, c->src6);
}

/* The upper layer of an IPv6 packet to us, if it is protocol proto: its offset from l3,
 * or the verdict (< 0 as -verdict - 1) when it cannot be ours. */
XS_INLINE int xs_ip6_upper(const __u8 *l3, const void *end, const struct xs_vcfg *c, __u8 proto)
{
	struct xs_ip6_l4 e;

	if (l3 + 40 > (const __u8 *)end)
		return -XS_V_MALFORMED - 1;
	if ((l3[0] >> 4) != 6 || !xs_to_us6(l3, c))
		return -XS_V_NOT_OURS - 1;
	xs_ip6_ext(l3, end, &e);
	/* Our replies are never fragmented: a fragment of one is malformed. */
	if (e.truncated || (e.fragment && e.nh == proto))
		return -XS_V_MALFORMED - 1;
	if (e.nh != proto || e.fragment)
		return -XS_V_NOT_OURS - 1;
	return (int)e.off;
}

#endif
