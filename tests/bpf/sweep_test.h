/* sweep_test.h - what the sweep program's test-run tests share (test_sweep*.c): the
 * program's summed counters, loading it and running one frame through it (sweep_ctx),
 * and the libpcap path's verdict on a frame as the index of the counter it moves.
 */
#ifndef XSWEEP_TESTS_SWEEP_TEST_H
#define XSWEEP_TESTS_SWEEP_TEST_H

#include <stdlib.h>
#include <string.h>
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

/* The sweep program loaded with one configuration, and its ring buffer: the last event and
 * how many arrived during the last sweep_run(). */
struct sweep_ctx {
	struct sweep_bpf *skel;
	struct ring_buffer *rb;
	int prog, ncpu, nev;
	struct xs_event ev;
	__u32 probe;		/* cfg.probe as loaded */
};

static inline int sweep_on_event(void *c, void *data, size_t sz)
{
	struct sweep_ctx *x = c;

	if (sz == sizeof(x->ev))
		memcpy(&x->ev, data, sz);
	x->nev++;
	return 0;
}

/* Load with cfg as the program's read-only configuration; 0 or -1. */
static inline int sweep_load(struct sweep_ctx *x, const struct xs_vcfg *cfg)
{
	memset(x, 0, sizeof(*x));
	x->probe = cfg->probe;
	x->ncpu = libbpf_num_possible_cpus();
	x->skel = sweep_bpf__open();
	if (!x->skel)
		return -1;
	x->skel->rodata->cfg = *cfg;
	if (sweep_bpf__load(x->skel))
		return -1;
	x->prog = bpf_program__fd(x->skel->progs.xs_sweep);
	x->rb = ring_buffer__new(bpf_map__fd(x->skel->maps.events), sweep_on_event, x, NULL);
	return x->rb ? 0 : -1;
}

static inline void sweep_unload(struct sweep_ctx *x)
{
	ring_buffer__free(x->rb);
	sweep_bpf__destroy(x->skel);
}

/* Run one frame: the index of the one counter that moved besides rx_packets (-1: none or
 * several, -2: the run failed); *action; *same (when not NULL): the frame left as it came. */
static inline int sweep_run(struct sweep_ctx *x, const struct pkt *k, __u32 *action, int *same)
{
	unsigned char out[512];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = k->b, .data_size_in = k->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	struct xs_stats a = sweep_stats(x->skel, x->ncpu), b;
	int moved = -1, n = 0;

	x->nev = 0;
	if (bpf_prog_test_run_opts(x->prog, &o))
		return -2;
	*action = o.retval;
	if (same)
		*same = o.data_size_out == k->len && !memcmp(out, k->b, k->len);
	ring_buffer__consume(x->rb);
	b = sweep_stats(x->skel, x->ncpu);
	for (size_t f = 1; f < sizeof(a) / 8; f++)
		if (((__u64 *)&b)[f] != ((__u64 *)&a)[f])
			moved = (int)f, n++;
	return n == 1 ? moved : -1;
}

#endif
