/* perm.h - the order in which a sweep visits its targets.
 *
 * A keyed pseudo-random permutation of the index space, computed, not stored: a small
 * Feistel network over the smallest power-of-two domain 2^b >= N (unbalanced halves when
 * b is odd), walked position by position; positions whose image is >= N are skipped
 * (at most half of them, since 2^b < 2N). Why a Feistel network rather than zmap's
 * cyclic group: it needs no prime or generator search, works for any N with the same
 * code, and is invertible, so "which position probes target i" is O(1). That inverse is
 * what makes shards (position % shards), resume (a position) and "is this target mine"
 * (for --inactive with shards or a resumed run) exact without any per-target memory.
 * The round function is a keyed integer mixer (murmur3's finalizer), not a MAC: the
 * order only needs to spread load, the probe cookie is what must be unforgeable.
 */
#ifndef XSWEEP_PERM_H
#define XSWEEP_PERM_H

#include <stdbool.h>
#include <stdint.h>

#define XS_PERM_ROUNDS 6

struct xs_perm {
	uint64_t n;		/* indexes 0..n-1 are permuted */
	uint64_t domain;	/* 2^bits >= n: positions 0..domain-1 */
	unsigned bits, lbits;	/* lbits: bits of the left half in round 0 */
	uint32_t key[XS_PERM_ROUNDS];
};

/* n <= 2^32. */
void xs_perm_init(struct xs_perm *p, uint64_t n, uint64_t seed);
/* Position (0..domain-1) -> value in 0..domain-1 (a target when < n). */
uint64_t xs_perm_fwd(const struct xs_perm *p, uint64_t pos);
/* Inverse of xs_perm_fwd. */
uint64_t xs_perm_inv(const struct xs_perm *p, uint64_t val);

/* A slice of the positions: shard `shard` of `shards` (positions congruent to shard),
 * from position `start` (inclusive) to `end` (exclusive). */
struct xs_slice {
	uint64_t start, end;
	uint32_t shards, shard;
};

/* First position >= pos that belongs to the slice (may be >= end). */
uint64_t xs_slice_first(const struct xs_slice *s, uint64_t pos);
/* Next target of the slice at or after *pos: returns false at the end; otherwise sets
 * *idx and advances *pos past it. */
bool xs_perm_next(const struct xs_perm *p, const struct xs_slice *s, uint64_t *pos,
		  uint64_t *idx);
/* Is target idx probed by this slice? */
bool xs_perm_mine(const struct xs_perm *p, const struct xs_slice *s, uint64_t idx);

#endif
