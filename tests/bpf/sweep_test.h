/* sweep_test.h - what the sweep program's test-run tests share (test_sweep*.c): the
 * program's summed counters, and the libpcap path's verdict on a frame as the index of
 * the counter it moves.
 */
#ifndef XSWEEP_TESTS_SWEEP_TEST_H
#define XSWEEP_TESTS_SWEEP_TEST_H

#include <stdlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pkt.h"
#include "recv/recv.h"
#include "sweep.skel.h"
#include "sweep_validate.h"
#include "xsweep.h"

/* Counter indexes, in struct xs_stats order (0 is rx_packets). */
enum { C_NOT_OURS = 1, C_MALFORMED, C_VALID, C_BAD_COOKIE, C_WRONG_SRC, C_DUP, C_LOST, C_LATE };

/* The stats map summed over the CPUs (zero when it cannot be read). */
static inline struct xs_stats sweep_stats(struct sweep_bpf *skel, int ncpu)
{
	struct xs_stats *v = calloc((size_t)ncpu, sizeof(*v)), sum = {};
	__u32 zero = 0;

	if (v && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &zero, v))
		for (int c = 0; c < ncpu; c++)
			for (size_t f = 0; f < sizeof(sum) / 8; f++)
				((__u64 *)&sum)[f] += ((__u64 *)&v[c])[f];
	free(v);
	return sum;
}

/* The libpcap path's verdict on k (validated in an aligned copy, as that path does): the
 * counter it moves, C_VALID for a valid reply, -1 for none. */
static inline int sweep_user_counter(const struct xs_vcfg *c, const struct pkt *k, __u32 round)
{
	struct xs_frame_copy fc;
	struct xs_stats u = {};
	struct xs_reply r;
	size_t len = k->len;
	const unsigned char *f = xs_frame_align(&fc, k->b, &len);
	int v = xs_sweep_validate(f, f + len, c, round, &r);

	if (v == XS_V_VALID)
		return C_VALID;
	xs_sweep_count(&u, v);
	for (size_t i = 1; i < sizeof(u) / 8; i++)
		if (((__u64 *)&u)[i])
			return (int)i;
	return -1;
}

#endif
