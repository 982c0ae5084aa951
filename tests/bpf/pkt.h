/* pkt.h - byte-level packet builders for the BPF test-run tests.
 *
 * Deliberately independent of user/ (its own checksum and field writers), so a test's
 * expected bytes never come from the code under test.
 */
#ifndef XSWEEP_TESTS_PKT_H
#define XSWEEP_TESTS_PKT_H

#include <stddef.h>
#include <string.h>
#include <linux/types.h>

struct pkt {
	unsigned char b[512];
	size_t len;
};

/* RFC 1071 sum of n bytes (big-endian words) added to s; fold() finishes it. */
static inline __u32 sum16(const unsigned char *p, size_t n, __u32 s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += p[i] << 8 | p[i + 1];
	if (n & 1)
		s += p[n - 1] << 8;
	return s;
}

static inline __u16 fold(__u32 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

static inline void put16(unsigned char *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void put32(unsigned char *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* Ethernet header; returns its length. */
static inline size_t eth(unsigned char *p, const unsigned char *dst, const unsigned char *src,
			 __u16 proto)
{
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	put16(p + 12, proto);
	return 14;
}

#endif
