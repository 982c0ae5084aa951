/* test_xsend.c - the XDP send program (bpf/xsend.bpf.c) through BPF_PROG_TEST_RUN.
 *
 * Without live frames (no interface needed): each run gets a 128-byte frame full of
 * 0xee -- what a recycled page may hold -- and must hand back exactly the frame of the
 * next queued entry, every byte of it, trimmed to its length, with XDP_TX, the entry
 * marked sent and tail moved on. Entries with a bad length or slot are dropped and
 * counted, an empty ring is an idle run. The frames come from every real probe module
 * (ICMP and TCP SYN, IPv4 and IPv6, and the TCP module's RST): the program knows no
 * probe type. The ring wraps. Maps are written through their mmap, as the backend
 * (user/send/xdp.c) does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "probe/probe.h"
#include "unit.h"
#include "util/percpu.h"
#include "xsend.h"
#include "xsweep.h"
#include "xsend.skel.h"

#define SLOTS 8
#define RING 8

struct ctx {
	struct xsend_bpf *skel;
	struct xs_xsend_frame *frames;
	__u64 *queue;
	size_t frames_sz, queue_sz;
	int prog;
};

struct res {
	int err;
	__u32 action, len;
	unsigned char out[256];
};

static int load(struct ctx *x)
{
	memset(x, 0, sizeof(*x));
	if (!(x->skel = xsend_bpf__open()))
		return -1;
	x->skel->rodata->ring_mask = RING - 1;
	bpf_map__set_max_entries(x->skel->maps.frames, SLOTS);
	bpf_map__set_max_entries(x->skel->maps.queue, RING);
	if (xsend_bpf__load(x->skel))
		return -1;
	x->prog = bpf_program__fd(x->skel->progs.xs_xsend);
	x->frames = xs_map_mmap(x->skel->maps.frames, &x->frames_sz);
	x->queue = xs_map_mmap(x->skel->maps.queue, &x->queue_sz);
	return x->frames && x->queue ? 0 : -1;
}

static void unload(struct ctx *x)
{
	if (x->frames)
		munmap(x->frames, x->frames_sz);
	if (x->queue)
		munmap(x->queue, x->queue_sz);
	xsend_bpf__destroy(x->skel);
}

/* One run on a frame of stale bytes. */
static struct res run(struct ctx *x)
{
	unsigned char in[XS_XSEND_FRAME];
	struct res r = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = sizeof(in),
		    .data_out = r.out, .data_size_out = sizeof(r.out), .repeat = 1);

	memset(in, 0xee, sizeof(in));
	r.err = bpf_prog_test_run_opts(x->prog, &o);
	r.action = o.retval;
	r.len = o.data_size_out;
	return r;
}

/* Queue slot/len at head, publish it, run once. */
static struct res send_one(struct ctx *x, unsigned slot, unsigned len)
{
	__u64 h = x->skel->bss->head;

	x->queue[h & (RING - 1)] = XS_XSEND_ENTRY(slot, len);
	x->skel->bss->head = h + 1;
	return run(x);
}

static void pattern(struct ctx *x, unsigned slot, unsigned seed)
{
	for (unsigned i = 0; i < XS_XSEND_FRAME; i++)
		x->frames[slot].b[i] = (unsigned char)(i * 7 + seed);
}

static void test_basics(struct ctx *x)
{
	struct xsend_bpf__bss *b = x->skel->bss;
	struct res r = run(x);
	__u64 e;

	CHECK(!r.err && r.action == XDP_DROP && b->stats.idle == 1 && b->tail == 0,
	      "empty ring: XDP_DROP, counted idle, tail stays");
	pattern(x, 3, 1);
	r = send_one(x, 3, 98);
	e = x->queue[0];
	CHECK(!r.err && r.action == XDP_TX && r.len == 98 && !memcmp(r.out, x->frames[3].b, 98),
	      "one entry: XDP_TX with exactly the slot's 98 bytes over a stale frame");
	CHECK((e & XS_XSEND_SENT) && XS_XSEND_SLOT(e) == 3 && XS_XSEND_LEN(e) == 98 &&
	      b->tail == 1 && b->stats.tx == 1, "the entry is marked sent, tail 1, tx 1");
	r = run(x);
	CHECK(r.action == XDP_DROP && b->stats.idle == 2 && b->tail == 1,
	      "taken entries are not sent again");
	pattern(x, 0, 2);
	r = send_one(x, 0, XS_XSEND_MIN);
	CHECK(r.action == XDP_TX && r.len == XS_XSEND_MIN && !memcmp(r.out, x->frames[0].b, 14),
	      "shortest frame (%d bytes, an Ethernet header)", XS_XSEND_MIN);
	pattern(x, 7, 3);
	r = send_one(x, 7, XS_XSEND_FRAME);
	CHECK(r.action == XDP_TX && r.len == XS_XSEND_FRAME &&
	      !memcmp(r.out, x->frames[7].b, XS_XSEND_FRAME), "longest frame (%d bytes)",
	      XS_XSEND_FRAME);
}

static void test_bad(struct ctx *x)
{
	struct xsend_bpf__bss *b = x->skel->bss;
	static const struct { unsigned slot, len; const char *what; } bad[] = {
		{ 1, XS_XSEND_MIN - 1, "shorter than an Ethernet header" },
		{ 1, XS_XSEND_FRAME + 1, "longer than a slot" },
		{ 1, 0, "length 0" },
		{ SLOTS, 60, "slot past the frames map" },
		{ 0xffff, 60, "slot 0xffff" },
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		__u64 bad0 = b->stats.bad, tx0 = b->stats.tx, t = b->tail;
		struct res r = send_one(x, bad[i].slot, bad[i].len);

		CHECK(r.action == XDP_DROP && b->stats.bad == bad0 + 1 && b->stats.tx == tx0 &&
		      b->tail == t + 1 && !(x->queue[t & (RING - 1)] & XS_XSEND_SENT),
		      "bad entry (%s): XDP_DROP, counted bad, not marked sent, tail moves on",
		      bad[i].what);
	}
}

/* Twice round the ring, each frame different: the mask wraps, order is kept. */
static void test_wrap(struct ctx *x)
{
	unsigned ok = 0, n = 2 * RING + 3;

	for (unsigned i = 0; i < n; i++) {
		unsigned slot = i % SLOTS, len = 60 + i;
		struct res r;

		pattern(x, slot, 40 + i);
		r = send_one(x, slot, len);
		ok += r.action == XDP_TX && r.len == len && !memcmp(r.out, x->frames[slot].b, len);
	}
	CHECK(ok == n && x->skel->bss->tail == x->skel->bss->head,
	      "%u frames through a ring of %d: each exact, in order", n, RING);
}

/* Frames from the real probe modules go out byte for byte. */
static void test_modules(struct ctx *x)
{
	static const char *const names[] = { "icmp", "tcp-syn" };
	struct xs_target t4 = { .ip = { .family = XS_AF_INET, .addr = { 198, 18, 0, 9 } },
				.port = 443 };
	struct xs_target t6 = { .ip = { .family = XS_AF_INET6,
					.addr = { 0x20, 0x01, 0, 2, [15] = 9 } }, .port = 22 };

	for (unsigned i = 0; i < 2; i++) {
		const struct xs_probe_module *m = xs_probe_find(names[i]);
		struct xs_probe p = { .m = m, .v = { .key = { 1, 2 }, .src4 = htonl(0xc0000201),
						     .probe = m->type, .sport_lo = 40000,
						     .sport_n = 100 }, .ttl = 64, .attempt = 3 };
		const struct xs_target *ts[2] = { &t4, &t6 };

		p.v.src6[0] = 0x20, p.v.src6[1] = 0x01, p.v.src6[2] = 0x0d, p.v.src6[3] = 0xb8;
		p.v.src6[15] = 1;
		m->build(&p);
		for (unsigned k = 0; k < 2; k++) {
			uint8_t *f = x->frames[2 + k].b;
			unsigned len = m->fill(&p, f, ts[k], 12345, false);
			struct res r = send_one(x, 2 + k, len);

			CHECK(r.action == XDP_TX && r.len == len && !memcmp(r.out, f, len),
			      "%s probe over IPv%d (%u bytes) goes out byte for byte", m->name,
			      k ? 6 : 4, len);
			if (!m->fill_reset)
				continue;
			len = m->fill_reset(&p, f, ts[k], false);
			r = send_one(x, 2 + k, len);
			CHECK(r.action == XDP_TX && r.len == len && !memcmp(r.out, f, len),
			      "%s politeness RST over IPv%d (%u bytes) goes out byte for byte",
			      m->name, k ? 6 : 4, len);
		}
	}
}

/* Not a check: what one copy costs, every run taking the next of RING queued frames. */
static void test_speed(struct ctx *x)
{
	unsigned char in[XS_XSEND_FRAME], out[256];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = sizeof(in),
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1000000);
	__u32 copy;

	memset(in, 0xee, sizeof(in));
	for (unsigned k = 0; k < RING; k++)
		x->queue[k] = XS_XSEND_ENTRY(k % SLOTS, 98);
	x->skel->bss->tail = 0;
	x->skel->bss->head = 1ull << 40;	/* never empty */
	if (bpf_prog_test_run_opts(x->prog, &o))
		return;
	copy = o.duration;
	o.data_size_out = sizeof(out);
	x->skel->bss->head = x->skel->bss->tail;	/* now always empty */
	if (!bpf_prog_test_run_opts(x->prog, &o))
		printf("# BPF_PROG_TEST_RUN: %u ns per 98-byte frame copied (XDP_TX), %u ns per "
		       "run on an empty ring (XDP_DROP)\n", copy, o.duration);
}

int main(void)
{
	struct ctx x;

	if (geteuid() != 0) {
		SKIP("XDP send test-run (needs root)");
		return 0;
	}
	if (load(&x)) {
		CHECK(0, "xsend program loads and its maps mmap");
		unload(&x);
		UNIT_DONE();
	}
	test_basics(&x);
	test_bad(&x);
	test_wrap(&x);
	test_modules(&x);
	test_speed(&x);
	unload(&x);
	UNIT_DONE();
}
