/* ip6_ext.h - the IPv6 extension-header walk, one copy for every parser that runs both
 * in an XDP program and in userspace (monitor_parse.h, validate_*.h).
 *
 * Bounds-checked against `end` before each read, bounded loop, no helper or libc.
 */
#ifndef XSWEEP_IP6_EXT_H
#define XSWEEP_IP6_EXT_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define XS_IPV6_MAX_EXT 4

#ifdef __bpf__
#define XS_UNROLL _Pragma("unroll")
#else
#define XS_UNROLL
#endif

static __always_inline __u16 xs_get16(const __u8 *p)
{
	return (__u16)((__u16)p[0] << 8 | p[1]);
}

/* Where the upper layer starts after an IPv6 header's extension headers. */
struct xs_ip6_l4 {
	__u32 off;		/* from the start of the IPv6 header */
	__u8 nh;		/* upper-layer protocol (or the header the walk stopped at) */
	__u8 fragment;		/* a fragment header was seen */
	__u8 nonfirst;		/* ... of a non-first fragment: no upper-layer header here */
	__u8 truncated;		/* an extension header is cut short */
};

/* l3: an IPv6 header whose 40 bytes the caller has checked against end. Skips up to
 * XS_IPV6_MAX_EXT hop-by-hop, routing, fragment and destination-options headers. */
static __always_inline void xs_ip6_ext(const __u8 *l3, const __u8 *end, struct xs_ip6_l4 *r)
{
	__u16 frag;
	int i;

	r->off = 40;
	r->nh = l3[6];
	r->fragment = r->nonfirst = r->truncated = 0;
	XS_UNROLL
	for (i = 0; i < XS_IPV6_MAX_EXT; i++) {
		const __u8 *ext = l3 + r->off;

		if (r->nh != 0 && r->nh != 43 && r->nh != 44 && r->nh != 60)
			break;
		if (ext + 8 > end) {
			r->truncated = 1;
			return;
		}
		if (r->nh == 44) {
			frag = xs_get16(ext + 2);
			r->nh = ext[0];
			r->off += 8;
			r->fragment = 1;
			if (frag & 0xfff8) {
				r->nonfirst = 1;
				return;
			}
		} else {
			r->nh = ext[0];
			r->off += ((__u32)ext[1] + 1) * 8;
		}
	}
}

#endif
