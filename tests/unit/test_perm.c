/* test_perm.c - the sweep order (user/scan/perm.c): for sizes 1, 2, 3, 255, 256, 65536 and
 * 2^20 every index appears exactly once, the inverse inverts, the seed decides the order,
 * and shards (and a resume split) are disjoint and together complete. */
#include <stdlib.h>
#include <string.h>

#include "scan/perm.h"
#include "unit.h"

/* Walk a slice; count every index; returns the number of targets visited, -1 if an
 * index came twice or is out of range. */
static long long walk(const struct xs_perm *p, const struct xs_slice *s, uint8_t *seen)
{
	uint64_t pos = s->start, idx;
	long long n = 0;

	while (xs_perm_next(p, s, &pos, &idx)) {
		if (idx >= p->n || seen[idx])
			return -1;
		seen[idx] = 1;
		n++;
		if (!xs_perm_mine(p, s, idx))
			return -1;
	}
	return n;
}

static void test_sizes(void)
{
	static const uint64_t sizes[] = { 1, 2, 3, 255, 256, 65536, 1u << 20 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		uint64_t n = sizes[k];
		struct xs_perm p;
		struct xs_slice all = { .start = 0, .end = ~0ull, .shards = 1, .shard = 0 };
		uint8_t *seen = calloc(n, 1);
		bool inv_ok = true, in_order = true;
		long long got;

		xs_perm_init(&p, n, 42 + k);
		got = walk(&p, &all, seen);
		CHECK(got == (long long)n, "size %llu: every index exactly once (%lld visited)",
		      (unsigned long long)n, got);
		CHECK(p.domain >= n && p.domain < 2 * n + 1, "size %llu: domain %llu < 2N",
		      (unsigned long long)n, (unsigned long long)p.domain);
		for (uint64_t j = 0; j < p.domain; j++)
			if (xs_perm_inv(&p, xs_perm_fwd(&p, j)) != j || xs_perm_fwd(&p, j) >= p.domain)
				inv_ok = false;
		CHECK(inv_ok, "size %llu: inverse of every position", (unsigned long long)n);
		if (n >= 255) {
			uint64_t pos = 0, idx, prev = 0, ascending = 0, cnt = 0;

			while (xs_perm_next(&p, &all, &pos, &idx)) {
				ascending += cnt && idx == prev + 1;
				prev = idx;
				cnt++;
			}
			in_order = ascending > n / 16;
			CHECK(!in_order, "size %llu: not sequential (%llu of %llu steps are +1)",
			      (unsigned long long)n, (unsigned long long)ascending,
			      (unsigned long long)n);
		}
		free(seen);
	}
}

static void test_seed(void)
{
	struct xs_perm a, b, c;
	struct xs_slice all = { .start = 0, .end = ~0ull, .shards = 1 };
	uint64_t pa = 0, pb = 0, pc = 0, ia, ib, ic;
	int same_ab = 1, same_ac = 1;

	xs_perm_init(&a, 1000, 7);
	xs_perm_init(&b, 1000, 7);
	xs_perm_init(&c, 1000, 8);
	while (xs_perm_next(&a, &all, &pa, &ia)) {
		xs_perm_next(&b, &all, &pb, &ib);
		xs_perm_next(&c, &all, &pc, &ic);
		same_ab &= ia == ib;
		same_ac &= ia == ic;
	}
	CHECK(same_ab, "same seed, same order");
	CHECK(!same_ac, "another seed, another order");
}

static void test_shards(void)
{
	static const uint64_t sizes[] = { 1, 3, 256, 65536, 100003 };
	static const unsigned nshards[] = { 1, 2, 3, 7, 16 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
		for (size_t m = 0; m < sizeof(nshards) / sizeof(nshards[0]); m++) {
			uint64_t n = sizes[k];
			unsigned sh = nshards[m];
			uint8_t *seen = calloc(n, 1);
			long long total = 0, got, lo = -1, hi = 0;
			bool ok = true;
			struct xs_perm p;

			xs_perm_init(&p, n, 99);
			for (unsigned i = 0; i < sh; i++) {
				struct xs_slice s = { .start = 0, .end = ~0ull, .shards = sh, .shard = i };

				got = walk(&p, &s, seen);
				if (got < 0)
					ok = false;
				total += got;
				lo = lo < 0 || got < lo ? got : lo;
				hi = got > hi ? got : hi;
			}
			CHECK(ok && total == (long long)n,
			      "%llu targets in %u shards: disjoint, union complete (sizes %lld-%lld)",
			      (unsigned long long)n, sh, lo, hi);
			free(seen);
		}
}

/* An interrupted shard and its resume: [0, stop) then [stop, end). */
static void test_resume_split(void)
{
	struct xs_perm p;
	uint64_t n = 65536, stop_at = 12345;
	uint8_t *seen = calloc(n, 1);
	struct xs_slice a = { .start = 0, .end = stop_at, .shards = 3, .shard = 1 };
	struct xs_slice b = { .start = stop_at, .end = ~0ull, .shards = 3, .shard = 1 };
	struct xs_slice whole = { .start = 0, .end = ~0ull, .shards = 3, .shard = 1 };
	uint8_t *seen2 = calloc(n, 1);
	long long x, y, z;

	xs_perm_init(&p, n, 5);
	x = walk(&p, &a, seen);
	y = walk(&p, &b, seen);
	z = walk(&p, &whole, seen2);
	CHECK(x > 0 && y > 0 && x + y == z && !memcmp(seen, seen2, n),
	      "stopped shard + resume = the whole shard, each target once (%lld + %lld)", x, y);
	free(seen);
	free(seen2);
}

int main(void)
{
	test_sizes();
	test_seed();
	test_shards();
	test_resume_split();
	UNIT_DONE();
}
