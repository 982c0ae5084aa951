/* test_sweep.c - the sweep's XDP receive program (bpf/sweep.bpf.c) through BPF_PROG_TEST_RUN.
 *
 * A table in the katran style: each row is a description, a frame (built here with this
 * file's own header and checksum code, the way a responder would answer a probe), the
 * sweep round to set, the expected XDP action, the expected counter deltas and the
 * expected ring-buffer event or none. After each run the test compares every per-CPU
 * counter (summed), drains the ring buffer, checks the hosts LRU map and the RTT
 * histogram. Then: the reply to a probe made by the real sender (the icmp probe module), a valid
 * reply cut at every length, and a ring buffer that fills up (ev_lost).
 * Only the cookie function (include/halfsiphash.h) and the layouts (include/xsweep.h)
 * are shared with the program under test. Every frame is also classified by the
 * userspace copy of the validator (include/sweep_validate.h, the libpcap path), which
 * must count it in the same counter as the XDP program.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "halfsiphash.h"
#include "sweep_test.h"
#include "sweep_validate.h"
#include "probe/probe.h"
#include "recv/recv.h"
#include "scan/addr.h"
#include "pkt.h"
#include "unit.h"
#include "xsweep.h"
#include "sweep.skel.h"

#define OUR	0xc0000201u	/* 192.0.2.1: cfg.src4, the scanner's address */
#define OTHER	0xc0000209u	/* 192.0.2.9: another host on the link */
#define T(n)	(0xc6120000u + (n))	/* targets in 198.18.0.0/15 */
#define TX_AGO_NS 3000000ull	/* probes in the table were "sent" 3 ms ago */

static const __u32 KEY[2] = { 0x0badc0de, 0x5eed1234 };
static const __u32 BADKEY[2] = { 0x0badc0de, 0x5eed1235 };
static const unsigned char MAC_S[6] = { 0x02, 0, 0, 0, 0, 0x01 };	/* scanner */
static const unsigned char MAC_R[6] = { 0x02, 0, 0, 0, 0, 0x02 };	/* responder / router */

/* ---- independent packet builders ---- */

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* What a responder sends back; zero fields take the values of a good reply. */
struct reply {
	__u32 target;		/* the probed address: payload target, IP source */
	__u32 src;		/* IP source if not the target */
	__u32 dst;		/* IP destination if not OUR */
	__u32 ck_target;	/* address the id/seq cookie was made for, if not target */
	__u32 round;		/* sweep round the cookie was made for */
	int badkey;		/* cookie made with another key */
	__u16 id_xor, seq_xor;	/* corrupt the id/seq */
	__u8 type, code;	/* ICMP: 0/0 echo reply */
	__u8 ttl;		/* 57 if 0 */
	__u8 proto;		/* IPv4 protocol if not ICMP */
	__u8 ihl;		/* 5 if 0; more words are NOP options */
	__u8 version;		/* 4 if 0 */
	__u16 frag;		/* flags | fragment offset field */
	__u32 magic_xor;	/* corrupt the payload magic */
	int plain;		/* a plain ping payload (no xsweep payload) */
	int future;		/* tx_ns later than now: RTT must clamp to 0 */
	__u16 tpid;		/* one VLAN tag with this TPID before the IPv4 header */
	int pad_to;		/* Ethernet padding up to this frame length */
	__u32 attempt;		/* retry number carried in the payload and the cookie */
	__u32 ck_attempt_xor;	/* payload attempt differs from the cookie's by this */
};

static __u32 reply_cookie(const struct reply *r)
{
	__u32 t = htonl(r->ck_target ? r->ck_target : r->target);

	return xs_cookie(r->badkey ? BADKEY : KEY, t, htonl(OUR), XS_PROBE_ICMP_ECHO, r->round,
			 r->attempt);
}

/* Ethernet [+ VLAN] + IPv4 [+ options] + ICMP echo header + payload, checksums right. */
static void build_reply(struct pkt *k, const struct reply *r, __u64 tx_ns)
{
	unsigned char *ip, *ic, *pl;
	__u32 cookie = reply_cookie(r);
	size_t ihl = r->ihl ? r->ihl : 5, iplen = ihl < 5 ? 20 : ihl * 4, l4;
	static const char plain[] = "abcdefghijklmnopqrstuvwabcdefghi"; /* ping -p style */

	memset(k, 0, sizeof(*k));
	if (r->tpid) {
		k->len = eth(k->b, MAC_S, MAC_R, r->tpid);
		put16(k->b + 14, 0x0064);	/* VID 100 */
		put16(k->b + 16, ETH_P_IP);
		k->len = 18;
	} else {
		k->len = eth(k->b, MAC_S, MAC_R, ETH_P_IP);
	}
	ip = k->b + k->len;
	ic = ip + iplen;
	pl = ic + 8;
	if (r->plain) {
		memcpy(pl, plain, 32);
		l4 = 8 + 32;
	} else {
		put32(pl, XS_PAYLOAD_MAGIC ^ r->magic_xor);
		put32(pl + 4, r->target);
		memcpy(pl + 8, &tx_ns, 8);	/* host order, as the sender writes it */
		{
			__u32 a = r->attempt ^ r->ck_attempt_xor;

			memcpy(pl + 16, &a, 4);	/* host order, as the sender writes it */
		}
		l4 = 8 + sizeof(struct xs_probe_payload);
	}
	ic[0] = r->type;
	ic[1] = r->code;
	put16(ic + 4, (cookie >> 16) ^ r->id_xor);
	put16(ic + 6, (cookie & 0xffff) ^ r->seq_xor);
	put16(ic + 2, fold(sum16(ic, l4, 0)));

	ip[0] = (r->version ? r->version : 4) << 4 | ihl;
	put16(ip + 2, iplen + l4);
	put16(ip + 4, 0x4242);
	put16(ip + 6, r->frag);
	ip[8] = r->ttl ? r->ttl : 57;
	ip[9] = r->proto ? r->proto : 1;
	put32(ip + 12, r->src ? r->src : r->target);
	put32(ip + 16, r->dst ? r->dst : OUR);
	memset(ip + 20, 1, iplen - 20);		/* NOP options */
	put16(ip + 10, fold(sum16(ip, iplen, 0)));
	k->len += iplen + l4;
	if (r->pad_to && (size_t)r->pad_to > k->len)
		k->len = r->pad_to;		/* zero trailer, as short frames are padded */
}

static void build_arp(struct pkt *k)
{
	unsigned char *a;

	memset(k, 0, sizeof(*k));
	k->len = eth(k->b, MAC_S, MAC_R, ETH_P_ARP);
	a = k->b + 14;
	put16(a, 1);			/* Ethernet */
	put16(a + 2, ETH_P_IP);
	a[4] = 6, a[5] = 4;
	put16(a + 6, 2);		/* reply */
	memcpy(a + 8, MAC_R, 6);
	put32(a + 14, OTHER);
	memcpy(a + 18, MAC_S, 6);
	put32(a + 24, OUR);
	k->len = 42;
}

/* TCP (SYN-ACK) or UDP from a target to our address, transport checksum included. */
static void build_l4(struct pkt *k, __u8 proto, __u32 src)
{
	unsigned char *ip, *t, ph[12];
	size_t l4 = proto == 6 ? 20 : 8 + 16;

	memset(k, 0, sizeof(*k));
	k->len = eth(k->b, MAC_S, MAC_R, ETH_P_IP);
	ip = k->b + 14;
	t = ip + 20;
	ip[0] = 0x45;
	put16(ip + 2, 20 + l4);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, OUR);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	put16(t, proto == 6 ? 80 : 53);
	put16(t + 2, 40000);
	if (proto == 6) {
		put32(t + 4, 0x11111111);
		put32(t + 8, 0x22222223);
		t[12] = 5 << 4;
		t[13] = 0x12;	/* SYN|ACK */
		put16(t + 14, 65535);
	} else {
		put16(t + 4, l4);
		put32(t + 8, XS_PAYLOAD_MAGIC);	/* even with our magic inside, UDP is not ours */
	}
	put32(ph, src);
	put32(ph + 4, OUR);
	ph[8] = 0, ph[9] = proto;
	put16(ph + 10, l4);
	put16(t + (proto == 6 ? 16 : 6), fold(sum16(t, l4, sum16(ph, 12, 0))));
	k->len += 20 + l4;
}

/* ICMPv6 echo reply 2001:2::5 -> 2001:db8::1 with an xsweep-looking payload. */
static void build_ip6(struct pkt *k)
{
	unsigned char *ip, *ic, ph[40] = {};
	static const unsigned char s6[16] = { 0x20, 0x01, 0, 2, [15] = 5 };
	static const unsigned char d6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	size_t l4 = 8 + 16;

	memset(k, 0, sizeof(*k));
	k->len = eth(k->b, MAC_S, MAC_R, ETH_P_IPV6);
	ip = k->b + 14;
	ic = ip + 40;
	ip[0] = 0x60;
	put16(ip + 4, l4);
	ip[6] = 58;
	ip[7] = 64;
	memcpy(ip + 8, s6, 16);
	memcpy(ip + 24, d6, 16);
	ic[0] = 129;
	put16(ic + 4, 0x1234);
	put16(ic + 6, 1);
	put32(ic + 8, XS_PAYLOAD_MAGIC);
	memcpy(ph, s6, 16);
	memcpy(ph + 16, d6, 16);
	put32(ph + 32, l4);
	ph[39] = 58;
	put16(ic + 2, fold(sum16(ic, l4, sum16(ph, 40, 0))));
	k->len += 40 + l4;
}

/* A responder's answer to the real sender's probe bytes: swap MACs and addresses, type 0,
 * new TTL, both checksums recomputed here; id/seq/payload echoed unchanged. */
static void reply_from_probe(struct pkt *k, const unsigned char *probe, size_t len, __u8 ttl)
{
	unsigned char *ip = k->b + 14, *ic = ip + 20, tmp[4];

	memset(k, 0, sizeof(*k));
	memcpy(k->b, probe, len);
	k->len = len;
	memcpy(k->b, probe + 6, 6);
	memcpy(k->b + 6, probe, 6);
	memcpy(tmp, ip + 12, 4);
	memcpy(ip + 12, ip + 16, 4);
	memcpy(ip + 16, tmp, 4);
	ip[8] = ttl;
	put16(ip + 10, 0);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	ic[0] = 0;
	put16(ic + 2, 0);
	put16(ic + 2, fold(sum16(ic, len - 34, 0)));
}

/* ---- running the program and reading its state ---- */

#define MAX_EV 256

struct ctx {
	struct sweep_bpf *skel;
	struct ring_buffer *rb;
	int prog, ncpu, runs;
	struct xs_event ev[MAX_EV];
	int nev;
	int hold;	/* leave events in the ring buffer */
};

static int on_event(void *c, void *data, size_t sz)
{
	struct ctx *x = c;

	if (sz == sizeof(struct xs_event) && x->nev < MAX_EV)
		memcpy(&x->ev[x->nev], data, sz);
	x->nev++;
	return 0;
}

static struct xs_stats read_stats(struct ctx *x)
{
	return sweep_stats(x->skel, x->ncpu);
}

static void read_hist(struct ctx *x, __u64 h[XS_RTT_SLOTS])
{
	__u64 *v = calloc(x->ncpu, sizeof(*v));

	for (__u32 s = 0; s < XS_RTT_SLOTS; s++) {
		h[s] = 0;
		if (v && !bpf_map_lookup_elem(bpf_map__fd(x->skel->maps.rtt_hist), &s, v))
			for (int c = 0; c < x->ncpu; c++)
				h[s] += v[c];
	}
	free(v);
}

static int count_hosts(struct ctx *x)
{
	int fd = bpf_map__fd(x->skel->maps.hosts), n = 0;
	struct xs_target k, next, *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		n++;
		k = next;
		prev = &k;
	}
	return n;
}

/* The hosts map is keyed by struct xs_target (address, port 0 for ICMP). */
static struct xs_target tgt(__u32 addr)
{
	struct xs_target t = { .ip = xs_ip4(htonl(addr)) };

	return t;
}

static int get_host(struct ctx *x, __u32 addr, struct xs_host *h)
{
	struct xs_target t = tgt(addr);

	return bpf_map_lookup_elem(bpf_map__fd(x->skel->maps.hosts), &t, h);
}

/* The event is for the IPv4 target addr (host order), port 0, padding zero. */
static int ev_is(const struct xs_event *e, __u32 addr)
{
	struct xs_target t = tgt(addr);

	return !memcmp(&e->t, &t, sizeof(t));
}

/* Own log2 of the RTT in microseconds, capped to the last slot. */
static __u32 rtt_slot(__u64 rtt_ns)
{
	__u64 us = rtt_ns / 1000;
	__u32 s = 0;

	while (us > 1 && s < XS_RTT_SLOTS - 1)
		us >>= 1, s++;
	return s;
}

struct run_res {
	int err;
	__u32 action;
	int same;	/* output frame == input frame */
};

static struct run_res run(struct ctx *x, const struct pkt *k)
{
	unsigned char out[512];
	struct run_res r = {};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = k->b, .data_size_in = k->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	x->nev = 0;
	r.err = bpf_prog_test_run_opts(x->prog, &o) ? -errno : 0;
	r.action = o.retval;
	r.same = o.data_size_out == k->len && !memcmp(out, k->b, k->len);
	if (!r.err)
		x->runs++;
	if (!x->hold)
		ring_buffer__consume(x->rb);
	return r;
}

static int load(struct ctx *x, __u32 ringbuf_size)
{
	memset(x, 0, sizeof(*x));
	x->ncpu = libbpf_num_possible_cpus();
	x->skel = sweep_bpf__open();
	if (!x->skel)
		return -1;
	x->skel->rodata->cfg.key[0] = KEY[0];
	x->skel->rodata->cfg.key[1] = KEY[1];
	x->skel->rodata->cfg.src4 = htonl(OUR);
	x->skel->rodata->cfg.probe = XS_PROBE_ICMP_ECHO;
	if (ringbuf_size && bpf_map__set_max_entries(x->skel->maps.events, ringbuf_size))
		return -1;
	if (sweep_bpf__load(x->skel))
		return -1;
	x->prog = bpf_program__fd(x->skel->progs.xs_sweep);
	x->rb = ring_buffer__new(bpf_map__fd(x->skel->maps.events), on_event, x, NULL);
	return x->rb ? 0 : -1;
}

static void unload(struct ctx *x)
{
	ring_buffer__free(x->rb);
	sweep_bpf__destroy(x->skel);
}

static const char *const FIELD[] = { "rx_packets", "rx_not_ours", "rx_malformed", "rx_valid",
				     "rx_bad_cookie", "rx_wrong_src", "rx_duplicate", "ev_lost",
				     "rx_late" };
_Static_assert(sizeof(FIELD) / sizeof(FIELD[0]) == sizeof(struct xs_stats) / 8, "fields");

/* Compare counter deltas (rx_packets of want is set by the caller); print the mismatches. */
static int same_delta(const struct xs_stats *a, const struct xs_stats *b,
		      const struct xs_stats *want)
{
	int ok = 1;

	for (size_t f = 0; f < sizeof(*a) / 8; f++) {
		__u64 d = ((const __u64 *)b)[f] - ((const __u64 *)a)[f], w = ((const __u64 *)want)[f];

		if (d != w) {
			printf("#   %s: +%llu, want +%llu\n", FIELD[f], (unsigned long long)d,
			       (unsigned long long)w);
			ok = 0;
		}
	}
	return ok;
}

/* The libpcap path's verdict on a frame, as counter deltas the XDP program would show
 * (a valid reply counts as rx_valid, or as rx_duplicate when the XDP side saw one). */
static int same_in_userspace(const struct pkt *k, __u32 round, const struct xs_stats *xdp_delta)
{
	struct xs_stats u = {};
	struct xs_reply r;
	const struct xs_vcfg c = { .key = { KEY[0], KEY[1] }, .src4 = htonl(OUR),
				   .probe = XS_PROBE_ICMP_ECHO };
	struct xs_frame_copy fc;	/* aligned, as the libpcap path validates it */
	size_t len = k->len;
	const unsigned char *f = xs_frame_align(&fc, k->b, &len);
	int v = xs_sweep_validate(f, f + len, &c, round, &r);

	if (v == XS_V_VALID) {
		if (xdp_delta->rx_duplicate)
			u.rx_duplicate = 1;
		else
			u.rx_valid = 1;
	} else {
		xs_sweep_count(&u, v);
	}
	for (size_t f = 1; f < sizeof(u) / 8; f++)
		if (((const __u64 *)&u)[f] != ((const __u64 *)xdp_delta)[f] &&
		    f != 7 /* ev_lost: an XDP-side resource, not a verdict */) {
			printf("#   userspace verdict %d differs in %s\n", v, FIELD[f]);
			return 0;
		}
	return 1;
}

static struct xs_stats delta(const struct xs_stats *a, const struct xs_stats *b)
{
	struct xs_stats d;

	for (size_t f = 0; f < sizeof(d) / 8; f++)
		((__u64 *)&d)[f] = ((const __u64 *)b)[f] - ((const __u64 *)a)[f];
	return d;
}

/* ---- the table ---- */

enum kind { K_REPLY, K_ARP, K_IP6, K_TCP, K_UDP };

struct row {
	const char *name;
	enum kind kind;
	struct reply r;
	__u32 round;		/* sweep_round set before the run */
	__u32 action;
	struct xs_stats d;	/* expected deltas; rx_packets +1 is implied */
	int event;		/* one event: addr = r.target, ttl = r.ttl */
	__u32 replies;		/* hosts[target].replies afterwards, if nonzero */
};

#define D(...) ((struct xs_stats){ __VA_ARGS__ })
#define PASS(cnt) .action = XDP_PASS, .d = D(.cnt = 1)
#define VALID .action = XDP_DROP, .d = D(.rx_valid = 1), .event = 1, .replies = 1
#define DUP(n) .action = XDP_DROP, .d = D(.rx_duplicate = 1), .replies = n

static const struct row rows[] = {
	/* round 0 */
	{ "valid echo reply -> XDP_DROP, one event, rx_valid",
	  K_REPLY, { .target = T(1) }, VALID },
	{ "same reply again in the round -> XDP_DROP, rx_duplicate, no event",
	  K_REPLY, { .target = T(1) }, DUP(2) },
	{ "third copy -> rx_duplicate again, hosts counts 3 replies",
	  K_REPLY, { .target = T(1) }, DUP(3) },
	{ "valid reply with DF and TTL 255",
	  K_REPLY, { .target = T(2), .frag = 0x4000, .ttl = 255 }, VALID },
	{ "valid reply padded to the 60-byte Ethernet minimum",
	  K_REPLY, { .target = T(3), .pad_to = 60, .ttl = 1 }, VALID },
	{ "valid reply whose tx_ns is in the future -> RTT 0, slot 0",
	  K_REPLY, { .target = T(4), .future = 1 }, VALID },
	{ "valid reply to a retry (attempt 3 in payload and cookie)",
	  K_REPLY, { .target = T(9), .attempt = 3 }, VALID },
	{ "payload attempt differs from the cookie's -> rx_bad_cookie",
	  K_REPLY, { .target = T(10), .attempt = 2, .ck_attempt_xor = 1 }, PASS(rx_bad_cookie) },
	{ "attempt above XS_MAX_ATTEMPT (cookie uses only 8 bits) -> rx_bad_cookie",
	  K_REPLY, { .target = T(10), .attempt = 1, .ck_attempt_xor = 0x100 }, PASS(rx_bad_cookie) },
	{ "id flipped (one bit) -> XDP_PASS rx_bad_cookie",
	  K_REPLY, { .target = T(5), .id_xor = 0x0001 }, PASS(rx_bad_cookie) },
	{ "seq flipped (one bit) -> XDP_PASS rx_bad_cookie",
	  K_REPLY, { .target = T(5), .seq_xor = 0x8000 }, PASS(rx_bad_cookie) },
	{ "id and seq with every bit inverted -> rx_bad_cookie",
	  K_REPLY, { .target = T(5), .id_xor = 0xffff, .seq_xor = 0xffff }, PASS(rx_bad_cookie) },
	{ "cookie made with another key -> rx_bad_cookie",
	  K_REPLY, { .target = T(5), .badkey = 1 }, PASS(rx_bad_cookie) },
	{ "payload target changed (cookie of T6, payload and source T7) -> rx_bad_cookie",
	  K_REPLY, { .target = T(7), .ck_target = T(6) }, PASS(rx_bad_cookie) },
	{ "not-probed source: valid cookie for T8 but IP source T8+1 -> rx_wrong_src",
	  K_REPLY, { .target = T(8), .src = T(9) }, PASS(rx_wrong_src) },
	{ "not-probed source from outside the range -> rx_wrong_src",
	  K_REPLY, { .target = T(8), .src = OTHER }, PASS(rx_wrong_src) },
	{ "wrong source and wrong cookie -> rx_bad_cookie (cookie checked first)",
	  K_REPLY, { .target = T(8), .src = T(9), .seq_xor = 1 }, PASS(rx_bad_cookie) },
	{ "the valid reply of T8 after its impaired copies -> event",
	  K_REPLY, { .target = T(8) }, VALID },
	{ "reply to another destination (192.0.2.9) -> rx_not_ours",
	  K_REPLY, { .target = T(10), .dst = OTHER }, PASS(rx_not_ours) },
	{ "plain ping reply (no xsweep payload) -> rx_not_ours",
	  K_REPLY, { .target = T(10), .plain = 1 }, PASS(rx_not_ours) },
	{ "payload magic off by one bit -> rx_not_ours",
	  K_REPLY, { .target = T(10), .magic_xor = 1 }, PASS(rx_not_ours) },
	{ "echo REQUEST with a valid cookie and payload -> rx_not_ours",
	  K_REPLY, { .target = T(10), .type = 8 }, PASS(rx_not_ours) },
	{ "echo reply with code 1 -> rx_not_ours",
	  K_REPLY, { .target = T(10), .code = 1 }, PASS(rx_not_ours) },
	{ "ICMP destination unreachable -> rx_not_ours",
	  K_REPLY, { .target = T(10), .type = 3, .code = 1 }, PASS(rx_not_ours) },
	{ "IPv4 ihl 4 -> rx_malformed",
	  K_REPLY, { .target = T(10), .ihl = 4 }, PASS(rx_malformed) },
	{ "IPv4 ihl 6 (one word of options, ICMP after them) -> rx_malformed",
	  K_REPLY, { .target = T(11), .ihl = 6 }, PASS(rx_malformed) },
	{ "IPv4 ihl 15 (40 bytes of options) -> rx_malformed",
	  K_REPLY, { .target = T(11), .ihl = 15 }, PASS(rx_malformed) },
	{ "IP version 6 under the IPv4 ethertype -> rx_malformed",
	  K_REPLY, { .target = T(11), .version = 6 }, PASS(rx_malformed) },
	{ "first fragment (MF) -> rx_malformed",
	  K_REPLY, { .target = T(11), .frag = 0x2000 }, PASS(rx_malformed) },
	{ "fragment offset 8 bytes -> rx_malformed",
	  K_REPLY, { .target = T(11), .frag = 0x0001 }, PASS(rx_malformed) },
	{ "last fragment (offset, no MF, DF) -> rx_malformed",
	  K_REPLY, { .target = T(11), .frag = 0x4000 | 0x00b9 }, PASS(rx_malformed) },
	{ "802.1Q VLAN-tagged valid reply -> rx_not_ours",
	  K_REPLY, { .target = T(11), .tpid = 0x8100 }, PASS(rx_not_ours) },
	{ "802.1ad tagged valid reply -> rx_not_ours",
	  K_REPLY, { .target = T(11), .tpid = 0x88a8 }, PASS(rx_not_ours) },
	{ "IPv6 ICMPv6 echo reply -> rx_not_ours",
	  K_IP6, {}, PASS(rx_not_ours) },
	{ "ARP reply -> rx_not_ours",
	  K_ARP, {}, PASS(rx_not_ours) },
	{ "TCP SYN-ACK to our address -> rx_not_ours",
	  K_TCP, {}, PASS(rx_not_ours) },
	{ "UDP to our address -> rx_not_ours",
	  K_UDP, {}, PASS(rx_not_ours) },
	{ "IPv4 protocol 2 with an ICMP-looking body -> rx_not_ours",
	  K_REPLY, { .target = T(11), .proto = 2 }, PASS(rx_not_ours) },
	/* round 1 */
	{ "round 1: T1 answers with the round-1 cookie -> valid again",
	  K_REPLY, { .target = T(1), .round = 1 }, .round = 1, VALID },
	{ "round 1: T1 again -> rx_duplicate",
	  K_REPLY, { .target = T(1), .round = 1 }, .round = 1, DUP(2) },
	{ "round 1: late reply carrying a round-0 cookie -> rx_late",
	  K_REPLY, { .target = T(12), .round = 0 }, .round = 1, PASS(rx_late) },
	{ "round 1: T2's late round-0 reply -> rx_late, not a duplicate",
	  K_REPLY, { .target = T(2), .round = 0 }, .round = 1, PASS(rx_late) },
	{ "round 1: round-0 cookie from another source -> rx_bad_cookie, never late",
	  K_REPLY, { .target = T(14), .round = 0, .src = T(15) }, .round = 1, PASS(rx_bad_cookie) },
	{ "round 1: round-0 cookie with a flipped seq bit -> rx_bad_cookie",
	  K_REPLY, { .target = T(14), .round = 0, .seq_xor = 1 }, .round = 1, PASS(rx_bad_cookie) },
	{ "round 1: T12 with the round-1 cookie -> valid",
	  K_REPLY, { .target = T(12), .round = 1 }, .round = 1, VALID },
	{ "round 1: a round-2 cookie (from the future) -> rx_bad_cookie",
	  K_REPLY, { .target = T(13), .round = 2 }, .round = 1, PASS(rx_bad_cookie) },
};

static void build_row(const struct row *w, struct pkt *k, __u64 *tx_ns)
{
	*tx_ns = w->r.future ? mono_ns() + 3600000000000ull : mono_ns() - TX_AGO_NS;
	switch (w->kind) {
	case K_REPLY:
		build_reply(k, &w->r, *tx_ns);
		break;
	case K_ARP:
		build_arp(k);
		break;
	case K_IP6:
		build_ip6(k);
		break;
	case K_TCP:
		build_l4(k, 6, T(11));
		break;
	case K_UDP:
		build_l4(k, 17, T(11));
		break;
	}
}

/* Check one valid reply's event, hosts entry and histogram slot. */
static void check_event(struct ctx *x, const char *name, __u32 addr, __u8 ttl, int rtt0,
		       const __u64 h0[XS_RTT_SLOTS], const __u64 h1[XS_RTT_SLOTS])
{
	const struct xs_event *e = &x->ev[0];
	__u64 lo = rtt0 ? 0 : TX_AGO_NS, hi = rtt0 ? 0 : TX_AGO_NS + 1000000000ull;
	/* The program's RTT: reception time less the send time the reply carried, 0 for a
	 * send time in the future. */
	__u64 rtt = e->rx_ns > e->tx_ns ? e->rx_ns - e->tx_ns : 0;
	__u32 slot = rtt_slot(rtt);
	struct xs_host h;
	int ok, hist_ok = 1;

	static const __u8 zero[sizeof(e->pad)];

	ok = x->nev == 1 && ev_is(e, addr) && e->ttl == ttl && e->state == XS_STATE_ALIVE &&
	     !memcmp(e->pad, zero, sizeof(zero)) && e->tx_ns && rtt >= lo && rtt <= hi;
	CHECK(ok, "%s: one event, addr, ttl %u, rtt %llu ns", name, ttl,
	      (unsigned long long)rtt);
	for (__u32 s = 0; s < XS_RTT_SLOTS; s++)
		hist_ok &= h1[s] - h0[s] == (s == slot);
	CHECK(hist_ok, "%s: rtt_hist slot %u (own log2 of the event's RTT) +1, others unchanged",
	      name, slot);
	CHECK(!get_host(x, addr, &h) && h.round == x->skel->bss->sweep_round && h.replies == 1 &&
	      h.rtt_ns == rtt && h.last_ns == e->rx_ns,
	      "%s: hosts entry (round, 1 reply, same RTT as the event)", name);
}

static void test_table(void)
{
	struct ctx x;
	struct xs_stats s0, s1, want;
	__u64 h0[XS_RTT_SLOTS], h1[XS_RTT_SLOTS];
	struct pkt k;
	__u64 tx_ns;
	int n0, n1;

	CHECK(!load(&x, 0), "sweep program loads with key, cfg.src4 = 192.0.2.1 and probe icmp in rodata");
	if (!x.rb) {
		unload(&x);
		return;
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct run_res r;
		__u8 ttl = w->r.ttl ? w->r.ttl : 57;
		struct xs_host h;

		x.skel->bss->sweep_round = w->round;
		build_row(w, &k, &tx_ns);
		s0 = read_stats(&x);
		read_hist(&x, h0);
		n0 = count_hosts(&x);
		r = run(&x, &k);
		s1 = read_stats(&x);
		read_hist(&x, h1);
		n1 = count_hosts(&x);
		want = w->d;
		want.rx_packets = 1;
		CHECK(!r.err && r.action == w->action && r.same, "%s: action %u%s", w->name,
		      r.action, r.same ? "" : ", frame modified");
		CHECK(same_delta(&s0, &s1, &want), "%s: counter deltas", w->name);
		{
			struct xs_stats d = delta(&s0, &s1);

			CHECK(same_in_userspace(&k, w->round, &d),
			      "%s: the libpcap path's validator gives the same verdict", w->name);
		}
		if (w->event) {
			check_event(&x, w->name, w->r.target, ttl, w->r.future, h0, h1);
		} else {
			CHECK(x.nev == 0 && !memcmp(h0, h1, sizeof(h0)) && n0 == n1,
			      "%s: no event, no new host, histogram unchanged", w->name);
		}
		if (w->replies)
			CHECK(!get_host(&x, w->r.target, &h) && h.replies == w->replies &&
			      h.round == w->round,
			      "%s: hosts entry has %u replies in round %u", w->name, w->replies,
			      w->round);
	}
	CHECK(read_stats(&x).rx_packets == (__u64)x.runs,
	      "rx_packets counts every frame (%d runs)", x.runs);
	unload(&x);
}

/* The real sender's probe (user/probe/icmp.c), answered as a responder would. */
static void test_from_probe(void)
{
	const struct xs_probe_module *m = xs_probe_find("icmp");
	struct xs_probe p = { .m = m, .v = { .key = { KEY[0], KEY[1] }, .src4 = htonl(OUR),
					     .probe = XS_PROBE_ICMP_ECHO }, .round = 7 };
	struct xs_target t100 = tgt(T(100)), t101 = tgt(T(101));
	unsigned char probe[14 + 20 + 8 + 24];
	__u64 h0[XS_RTT_SLOTS], h1[XS_RTT_SLOTS];
	struct xs_stats s0, s1;
	struct run_res r;
	struct pkt k;
	struct ctx x;

	if (load(&x, 0)) {
		CHECK(0, "sweep program loads (probe test)");
		unload(&x);
		return;
	}
	x.skel->bss->sweep_round = 7;
	memcpy(p.src_mac, MAC_S, 6);
	memcpy(p.dst_mac, MAC_R, 6);
	m->build(&p);
	CHECK(m->fill(&p, probe, &t100, mono_ns() - TX_AGO_NS, false) == sizeof(probe),
	      "the icmp module builds a %zu-byte frame", sizeof(probe));
	reply_from_probe(&k, probe, sizeof(probe), 61);
	s0 = read_stats(&x);
	read_hist(&x, h0);
	r = run(&x, &k);
	s1 = read_stats(&x);
	read_hist(&x, h1);
	CHECK(!r.err && r.action == XDP_DROP && s1.rx_valid - s0.rx_valid == 1 &&
	      s1.rx_packets - s0.rx_packets == 1,
	      "reply to a probe built by the icmp module (round 7) -> XDP_DROP, rx_valid");
	check_event(&x, "reply to the icmp module's probe", T(100), 61, 0, h0, h1);

	/* The probe itself (type 8, looped back or seen on a mirror port) is not a reply. */
	{
		struct pkt q = { .len = sizeof(probe) };
		__u32 tmp;

		memcpy(q.b, probe, sizeof(probe));
		memcpy(&tmp, q.b + 26, 4);	/* make it addressed to us, as a request to us */
		memcpy(q.b + 26, q.b + 30, 4);
		memcpy(q.b + 30, &tmp, 4);
		s0 = read_stats(&x);
		r = run(&x, &q);
		s1 = read_stats(&x);
		CHECK(r.action == XDP_PASS && s1.rx_not_ours - s0.rx_not_ours == 1 && !x.nev,
		      "the probe (echo request) addressed to us -> XDP_PASS rx_not_ours, no event");
	}
	/* Same probe answered while the program is in round 8: the cookie is stale. */
	x.skel->bss->sweep_round = 8;
	m->fill(&p, probe, &t101, mono_ns() - TX_AGO_NS, false);
	reply_from_probe(&k, probe, sizeof(probe), 61);
	s0 = read_stats(&x);
	r = run(&x, &k);
	s1 = read_stats(&x);
	CHECK(r.action == XDP_PASS && s1.rx_late - s0.rx_late == 1 && !x.nev,
	      "reply to a round-7 probe while in round 8 -> XDP_PASS rx_late");
	/* Two rounds later it is no longer "late": just wrong. */
	x.skel->bss->sweep_round = 9;
	s0 = read_stats(&x);
	r = run(&x, &k);
	s1 = read_stats(&x);
	CHECK(r.action == XDP_PASS && s1.rx_bad_cookie - s0.rx_bad_cookie == 1 && !x.nev,
	      "reply to a round-7 probe while in round 9 -> XDP_PASS rx_bad_cookie");
	unload(&x);
}

/* A valid reply cut at every length. The counter follows from the layout the program
 * parses: < 14 no Ethernet header, < 34 no full IPv4 header, < 42 no full ICMP header
 * (type unknown: not ours), < 58 an echo reply without its whole payload (malformed). */
static void test_truncation(void)
{
	struct reply rp = { .target = T(200), .ttl = 50 };
	struct ctx x;
	struct pkt full, k;
	int bad = 0, einval = 0, ran = 0, ubad = 0;
	__u64 h0[XS_RTT_SLOTS], h1[XS_RTT_SLOTS];

	if (load(&x, 0)) {
		CHECK(0, "sweep program loads (truncation test)");
		unload(&x);
		return;
	}
	build_reply(&full, &rp, mono_ns() - TX_AGO_NS);
	CHECK(full.len == 14 + 20 + 8 + 24, "full reply is %zu bytes, the probe's length", full.len);
	for (size_t len = 0; len < full.len; len++) {
		struct xs_stats s0, s1, want = {};
		struct run_res r;
		int ok;

		k = full;
		k.len = len;
		memset(k.b + len, 0, sizeof(k.b) - len);
		s0 = read_stats(&x);
		r = run(&x, &k);
		s1 = read_stats(&x);
		if (len < ETH_HLEN)
			want.rx_not_ours = 1;
		else if (len < 14 + 20)
			want.rx_malformed = 1;
		else if (len < 14 + 20 + 8)
			want.rx_not_ours = 1;
		else
			want.rx_malformed = 1;
		want.rx_packets = 1;
		/* The userspace validator runs on every length, even those the kernel refuses. */
		if (!same_in_userspace(&k, 0, &want))
			ubad++;
		if (r.err) {
			/* The kernel refuses XDP test-run input shorter than an Ethernet header;
			 * then the program must not have run at all. */
			memset(&want, 0, sizeof(want));
			ok = len < ETH_HLEN && r.err == -EINVAL;
			einval++;
		} else {
			ok = r.action == XDP_PASS && r.same;
			ran++;
		}
		if (!same_delta(&s0, &s1, &want) || !ok || x.nev) {
			printf("#   cut at %zu bytes: err %d action %u events %d\n", len, r.err,
			       r.action, x.nev);
			bad++;
		}
	}
	CHECK(!bad, "reply cut at every length 0..%zu -> XDP_PASS, no event, counter by layer "
	      "(%d run, %d refused by the kernel as shorter than Ethernet)", full.len - 1, ran,
	      einval);
	CHECK(!ubad, "reply cut at every length: the libpcap path's validator counts it the same "
	      "(including the lengths the kernel refuses to run)");
	CHECK(count_hosts(&x) == 0, "no truncated reply created a hosts entry");
	read_hist(&x, h0);
	k = full;
	{
		struct run_res r = run(&x, &k);

		read_hist(&x, h1);
		CHECK(r.action == XDP_DROP && x.nev == 1 && read_stats(&x).rx_valid == 1,
		      "the same reply uncut afterwards -> valid (truncations did not poison "
		      "the duplicate filter)");
	}
	CHECK(read_stats(&x).rx_packets == (__u64)x.runs, "rx_packets counts every frame run (%d)",
	      x.runs);
	unload(&x);
}

/* A full ring buffer: the event is counted in ev_lost, not in rx_valid. */
static void test_ringbuf_full(void)
{
	/* Kernel ring buffer record: 8-byte header, sample rounded up to 8 bytes. */
	const int rec = 8 + ((sizeof(struct xs_event) + 7) & ~7u), size = 4096, cap = size / rec;
	struct xs_stats s0, s1;
	struct ctx x;
	int ok = 1, order = 1;
	struct pkt k;

	if (load(&x, size)) {
		CHECK(0, "sweep program loads with a %d-byte ring buffer", size);
		unload(&x);
		return;
	}
	x.hold = 1;
	s0 = read_stats(&x);
	for (int i = 0; i <= cap; i++) {
		struct reply rp = { .target = T(1000 + i) };
		struct run_res r;

		build_reply(&k, &rp, mono_ns() - TX_AGO_NS);
		r = run(&x, &k);
		ok &= !r.err && r.action == XDP_DROP;
	}
	s1 = read_stats(&x);
	CHECK(ok && s1.rx_valid - s0.rx_valid == (__u64)cap && s1.ev_lost - s0.ev_lost == 1,
	      "%d valid replies into a ring buffer of %d events -> %d rx_valid, 1 ev_lost "
	      "(got %llu, %llu)", cap + 1, cap, cap,
	      (unsigned long long)(s1.rx_valid - s0.rx_valid),
	      (unsigned long long)(s1.ev_lost - s0.ev_lost));
	x.nev = 0;
	ring_buffer__consume(x.rb);
	for (int i = 0; i < x.nev && i < MAX_EV; i++)
		order &= ev_is(&x.ev[i], T(1000 + i));
	CHECK(x.nev == cap && order, "ring buffer drained: %d events, in arrival order", x.nev);
	x.hold = 0;
	{
		struct reply rp = { .target = T(2000) };
		struct run_res r;

		build_reply(&k, &rp, mono_ns() - TX_AGO_NS);
		r = run(&x, &k);
		CHECK(r.action == XDP_DROP && x.nev == 1 && ev_is(&x.ev[0], T(2000)),
		      "after draining, a new host's reply is an event again");
	}
	{
		/* The host whose event was lost: its retransmitted reply must still be a first
		 * reply (the duplicate filter is only set once the event is delivered). */
		struct reply rp = { .target = T(1000 + cap) };

		s0 = read_stats(&x);
		x.nev = 0;
		build_reply(&k, &rp, mono_ns() - TX_AGO_NS);
		run(&x, &k);
		s1 = read_stats(&x);
		CHECK(s1.rx_valid == s0.rx_valid + 1 && s1.rx_duplicate == s0.rx_duplicate && x.nev == 1,
		      "a retry from the host whose event was lost is a valid first reply");
	}
	unload(&x);
}

/* Cost of the full validation path (informational). */
static void test_speed(void)
{
	struct reply rp = { .target = T(3000), .seq_xor = 1 };
	unsigned char out[256];
	struct pkt k;
	struct ctx x;

	if (load(&x, 0)) {
		unload(&x);
		return;
	}
	build_reply(&k, &rp, mono_ns());
	{
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = k.b, .data_size_in = k.len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 100000);

		if (!bpf_prog_test_run_opts(x.prog, &o))
			printf("# BPF_PROG_TEST_RUN: %u ns per reply through the cookie check\n",
			       o.duration);
	}
	unload(&x);
}

int main(void)
{
	if (geteuid() != 0) {
		SKIP("sweep XDP test-run (needs root)");
		return 0;
	}
	test_table();
	test_from_probe();
	test_truncation();
	test_ringbuf_full();
	test_speed();
	UNIT_DONE();
}
