/* halfsiphash.h - HalfSipHash-2-4 (32-bit output) over 32-bit words.
 *
 * Used as the keyed probe cookie by both the sender (user/) and the XDP validator
 * (bpf/), so it is header-only, branch-free and uses only 32-bit arithmetic.
 * Message layout: w0 | w1 | w2 as 12 little-endian bytes.
 */
#ifndef XSWEEP_HALFSIPHASH_H
#define XSWEEP_HALFSIPHASH_H

#include <linux/types.h>

/* Always inlined: BPF functions take at most five arguments. */
#define XS_HSIP_INLINE static inline __attribute__((always_inline))

#define XS_ROTL32(x, b) (__u32)(((x) << (b)) | ((x) >> (32 - (b))))

#define XS_HSIP_ROUND(v0, v1, v2, v3)                                              \
	do {                                                                       \
		v0 += v1; v1 = XS_ROTL32(v1, 5); v1 ^= v0; v0 = XS_ROTL32(v0, 16); \
		v2 += v3; v3 = XS_ROTL32(v3, 8); v3 ^= v2;                        \
		v0 += v3; v3 = XS_ROTL32(v3, 7); v3 ^= v0;                        \
		v2 += v1; v1 = XS_ROTL32(v1, 13); v1 ^= v2; v2 = XS_ROTL32(v2, 16); \
	} while (0)

#define XS_HSIP_WORD(v0, v1, v2, v3, m)                                            \
	do {                                                                       \
		v3 ^= (m);                                                         \
		XS_HSIP_ROUND(v0, v1, v2, v3);                                     \
		XS_HSIP_ROUND(v0, v1, v2, v3);                                     \
		v0 ^= (m);                                                         \
	} while (0)

/* The same over any number of words, a word at a time (IPv6 cookies). */
struct xs_hsip {
	__u32 v0, v1, v2, v3, n;
};

XS_HSIP_INLINE void xs_hsip_init(struct xs_hsip *h, const __u32 key[2])
{
	h->v0 = key[0];
	h->v1 = key[1];
	h->v2 = 0x6c796765u ^ key[0];
	h->v3 = 0x74656462u ^ key[1];
	h->n = 0;
}

XS_HSIP_INLINE void xs_hsip_word(struct xs_hsip *h, __u32 m)
{
	XS_HSIP_WORD(h->v0, h->v1, h->v2, h->v3, m);
	h->n += 4;
}

XS_HSIP_INLINE __u32 xs_hsip_final(struct xs_hsip *h)
{
	XS_HSIP_WORD(h->v0, h->v1, h->v2, h->v3, h->n << 24);
	h->v2 ^= 0xff;
	XS_HSIP_ROUND(h->v0, h->v1, h->v2, h->v3);
	XS_HSIP_ROUND(h->v0, h->v1, h->v2, h->v3);
	XS_HSIP_ROUND(h->v0, h->v1, h->v2, h->v3);
	XS_HSIP_ROUND(h->v0, h->v1, h->v2, h->v3);
	return h->v1 ^ h->v3;
}

/* Over n words (n a constant: the loop unrolls). */
XS_HSIP_INLINE __u32 xs_hsip_words(const __u32 key[2], const __u32 *w, int n)
{
	struct xs_hsip h;

	xs_hsip_init(&h, key);
#ifdef __bpf__
#pragma unroll
#endif
	for (int i = 0; i < n; i++)
		xs_hsip_word(&h, w[i]);
	return xs_hsip_final(&h);
}

/* Over three words: the reference function (12-byte message). */
XS_HSIP_INLINE __u32 xs_halfsiphash3(__u32 k0, __u32 k1, __u32 w0, __u32 w1, __u32 w2)
{
	const __u32 key[2] = { k0, k1 }, w[3] = { w0, w1, w2 };

	return xs_hsip_words(key, w, 3);
}

/* The IPv6 cookie: over the target and our address (16 bytes each, as they sit in the
 * packet), then the type/round/attempt word and, for port-based types, the port. */
XS_HSIP_INLINE __u32 xs_cookie6(const __u32 key[2], const __u32 target[4], const __u32 src[4],
			       __u32 type, __u32 round, __u32 attempt, __u32 port)
{
	struct xs_hsip h;

	xs_hsip_init(&h, key);
	xs_hsip_word(&h, target[0]);
	xs_hsip_word(&h, target[1]);
	xs_hsip_word(&h, target[2]);
	xs_hsip_word(&h, target[3]);
	xs_hsip_word(&h, src[0]);
	xs_hsip_word(&h, src[1]);
	xs_hsip_word(&h, src[2]);
	xs_hsip_word(&h, src[3]);
	xs_hsip_word(&h, (type << 24) ^ ((round & 0xffff) << 8) ^ (attempt & 0xff));
	xs_hsip_word(&h, port);
	return xs_hsip_final(&h);
}

/* The probe cookie: carried in ICMP id (high half) and seq (low half). Addresses in
 * network order, as they sit in the packet; round (periodic re-sweeps) and attempt
 * (retries within a round) make every probe of a target draw a new cookie. */
XS_HSIP_INLINE __u32 xs_cookie(const __u32 key[2], __u32 target, __u32 src, __u32 type,
			      __u32 round, __u32 attempt)
{
	return xs_halfsiphash3(key[0], key[1], target, src,
			       (type << 24) ^ ((round & 0xffff) << 8) ^ (attempt & 0xff));
}

/* The TCP SYN cookie: the sequence number of the SYN, acknowledged + 1 by the SYN-ACK or
 * RST. Over the target address and port, our address, the type and the round; a reply
 * echoes nothing else of ours (no attempt: retries repeat the same SYN). */
XS_HSIP_INLINE __u32 xs_cookie_port(const __u32 key[2], __u32 target, __u32 src, __u32 type,
				   __u32 round, __u32 port)
{
	const __u32 w[4] = { target, src, (type << 24) ^ (round & 0xffff), port };

	return xs_hsip_words(key, w, 4);
}

#endif

