/* perm.c - keyed Feistel permutation of the target index space (see perm.h). */
#include "scan/perm.h"

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* murmur3 fmix32 of (x ^ key): every input bit affects every output bit. */
static inline uint32_t mix(uint32_t x, uint32_t key)
{
	x ^= key;
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

static inline uint64_t mask(unsigned bits)
{
	return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

void xs_perm_init(struct xs_perm *p, uint64_t n, uint64_t seed)
{
	p->n = n;
	p->bits = 0;
	while ((1ull << p->bits) < n)
		p->bits++;
	p->domain = 1ull << p->bits;
	p->lbits = p->bits / 2;
	for (int i = 0; i < XS_PERM_ROUNDS; i++)
		p->key[i] = (uint32_t)splitmix64(&seed);
}

/* Round i splits x into L (u high bits) and R (v low bits) and maps it to
 * R | (L ^ F(R)) with R now high: the halves swap sizes every round. */
uint64_t xs_perm_fwd(const struct xs_perm *p, uint64_t x)
{
	unsigned u = p->lbits, v = p->bits - p->lbits;

	for (int i = 0; i < XS_PERM_ROUNDS; i++) {
		uint64_t l = x >> v, r = x & mask(v);

		l ^= mix((uint32_t)r, p->key[i]) & mask(u);
		x = (r << u) | l;
		unsigned t = u;

		u = v;
		v = t;
	}
	return x;
}

uint64_t xs_perm_inv(const struct xs_perm *p, uint64_t x)
{
	/* Sizes of round i: u = lbits for even i, the other half for odd i. */
	for (int i = XS_PERM_ROUNDS - 1; i >= 0; i--) {
		unsigned u = (i % 2) ? p->bits - p->lbits : p->lbits;
		unsigned v = p->bits - u;
		uint64_t r = x >> u, l = x & mask(u);

		l ^= mix((uint32_t)r, p->key[i]) & mask(u);
		x = (l << v) | r;
	}
	return x;
}

uint64_t xs_slice_first(const struct xs_slice *s, uint64_t pos)
{
	uint64_t rem = pos % s->shards;

	return rem == s->shard ? pos :
	       pos + (s->shard + s->shards - rem) % s->shards;
}

bool xs_perm_next(const struct xs_perm *p, const struct xs_slice *s, uint64_t *pos,
		  uint64_t *idx)
{
	uint64_t end = s->end < p->domain ? s->end : p->domain;

	for (uint64_t j = xs_slice_first(s, *pos); j < end; j += s->shards) {
		uint64_t v = xs_perm_fwd(p, j);

		if (v < p->n) {
			*idx = v;
			*pos = j + 1;
			return true;
		}
	}
	*pos = end;
	return false;
}

bool xs_perm_mine(const struct xs_perm *p, const struct xs_slice *s, uint64_t idx)
{
	uint64_t j = xs_perm_inv(p, idx);

	return j >= s->start && j < s->end && j % s->shards == s->shard;
}
