/* test_sweep6.c - the sweep's XDP program on IPv6 replies, through BPF_PROG_TEST_RUN.
 *
 * ICMPv6 echo replies and TCP SYN-ACK/RST over IPv6, built here with this file's own
 * header and checksum code (pkt.h): genuine ones, wrong cookie, wrong source, bad
 * checksum, extension headers before the upper layer, fragments, a reply cut at every
 * length, and the Neighbor and Router Advertisements the host's IPv6 needs, which must
 * pass untouched. Each verdict is also checked against the userspace copy of the
 * validator (the libpcap path). Then replies to the probes the real modules build.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "halfsiphash.h"
#include "pkt.h"
#include "probe/probe.h"
#include "recv/recv.h"
#include "scan/addr.h"
#include "sweep.skel.h"
#include "sweep_test.h"
#include "sweep_validate.h"
#include "unit.h"
#include "xsweep.h"

#define SPORT_LO 40000
#define SPORT_N 1000

static const __u32 KEY[2] = { 0x0badc0de, 0x5eed1234 };
static const __u32 BADKEY[2] = { 0x0badc0de, 0x5eed1235 };
static const unsigned char MAC_S[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const unsigned char MAC_R[6] = { 0x02, 0, 0, 0, 0, 0x02 };
/* 2001:db8::1, the scanner's address */
static const unsigned char OUR[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

/* 2001:2::n, in the benchmark range */
static void T(unsigned n, unsigned char a[16])
{
	memset(a, 0, 16);
	a[0] = 0x20, a[1] = 0x01, a[3] = 0x02;
	a[14] = n >> 8, a[15] = n;
}

static struct xs_vcfg cfg(__u32 probe)
{
	struct xs_vcfg c = { .key = { KEY[0], KEY[1] }, .probe = probe, .sport_lo = SPORT_LO,
			     .sport_n = SPORT_N };

	c.src4 = htonl(0xc0000201u);
	memcpy(c.src6, OUR, 16);
	return c;
}

struct reply {
	unsigned target, src;	/* 2001:2::target; source 2001:2::src if set */
	__u8 proto;		/* 58 or 6 */
	__u8 type;		/* ICMPv6 type (129 if 0) */
	__u8 flags;		/* TCP (SYN|ACK if 0) */
	__u16 port;		/* TCP source port (the probed one) */
	__u32 round;
	int badkey, badsum, ext, frag;
	__u32 id_xor;
};

static __u32 cookie_of(const struct reply *r)
{
	unsigned char t[16];
	__u32 tw[4], sw[4];

	T(r->target, t);
	memcpy(tw, t, 16);
	memcpy(sw, OUR, 16);
	return xs_cookie6(r->badkey ? BADKEY : KEY, tw, sw,
			  r->proto == 6 ? XS_PROBE_TCP_SYN : XS_PROBE_ICMP_ECHO, r->round, 0,
			  r->proto == 6 ? r->port : 0);
}

/* Extension headers: hop-by-hop (8 bytes) then destination options (8), or a fragment
 * header; returns their length, ip[6] set to the first. */
static size_t ext_headers(const struct reply *r, unsigned char *ip, unsigned char *e, __u8 upper)
{
	if (r->frag) {
		ip[6] = 44;
		e[0] = upper;
		put16(e + 2, 0x0001);	/* offset 0, more fragments */
		return 8;
	}
	if (!r->ext) {
		ip[6] = upper;
		return 0;
	}
	ip[6] = 0;
	e[0] = 60, e[1] = 0, e[2] = 1, e[3] = 4;	/* PadN */
	e[8] = upper, e[9] = 0, e[10] = 1, e[11] = 4;
	return 16;
}

static void build(struct pkt *k, const struct reply *r)
{
	unsigned char *ip, *l4, ph[40] = {}, src[16];
	__u32 c = cookie_of(r);
	size_t ext, l4len = r->proto == 6 ? 20 : 40;

	memset(k, 0, sizeof(*k));
	k->len = eth(k->b, MAC_S, MAC_R, ETH_P_IPV6);
	ip = k->b + 14;
	ext = ext_headers(r, ip, ip + 40, r->proto);
	l4 = ip + 40 + ext;
	ip[0] = 0x60;
	put16(ip + 4, ext + l4len);
	ip[7] = 57;
	T(r->src ? r->src : r->target, src);
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, OUR, 16);
	if (r->proto == 6) {
		struct xs_vcfg cf = cfg(XS_PROBE_TCP_SYN);

		put16(l4, r->port);
		put16(l4 + 2, xs_tcp_sport(&cf, c, 0));
		put32(l4 + 4, 99);
		put32(l4 + 8, c + 1);
		l4[12] = 5 << 4;
		l4[13] = r->flags ? r->flags : 0x12;
	} else {
		unsigned char t[16];
		__u32 a = 0;
		__u64 tx = 1;

		T(r->target, t);
		l4[0] = r->type ? r->type : 129;
		put16(l4 + 4, (c >> 16) ^ (r->id_xor >> 16));
		put16(l4 + 6, c ^ r->id_xor);
		put32(l4 + 8, XS_PAYLOAD_MAGIC);
		memcpy(l4 + 12, &a, 4);
		memcpy(l4 + 16, &tx, 8);
		memcpy(l4 + 24, t, 16);
	}
	memcpy(ph, src, 16);
	memcpy(ph + 16, OUR, 16);
	put32(ph + 32, l4len);
	ph[39] = r->proto;
	put16(l4 + (r->proto == 6 ? 16 : 2), fold(sum16(l4, l4len, sum16(ph, 40, 0))) ^ r->badsum);
	k->len += 40 + ext + l4len;
}

/* A Neighbor (136) or Router (134) Advertisement to us: not ours, passed untouched. */
static void build_nd(struct pkt *k, __u8 type)
{
	unsigned char *ip, *l4, ph[40] = {}, src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

	memset(k, 0, sizeof(*k));
	k->len = eth(k->b, MAC_S, MAC_R, ETH_P_IPV6);
	ip = k->b + 14;
	l4 = ip + 40;
	ip[0] = 0x60;
	put16(ip + 4, 32);
	ip[6] = 58;
	ip[7] = 255;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, OUR, 16);
	l4[0] = type;
	l4[4] = 0x60;		/* NA: router|solicited; RA: hop limit */
	memcpy(l4 + 8, src, 16);
	memcpy(ph, src, 16);
	memcpy(ph + 16, OUR, 16);
	put32(ph + 32, 32);
	ph[39] = 58;
	put16(l4 + 2, fold(sum16(l4, 32, sum16(ph, 40, 0))));
	k->len += 40 + 32;
}

static int user_counter(struct sweep_ctx *x, const struct pkt *k, __u32 round)
{
	struct xs_vcfg c = cfg(x->probe);

	return sweep_user_counter(&c, k, round);
}

struct row {
	const char *name;
	struct reply r;
	__u32 round;
	__u32 action;
	int counter;
	int state;	/* event state, -1 none */
};

static const struct row icmp_rows[] = {
	{ "ICMPv6 echo reply -> drop, event", { .target = 1, .proto = 58 }, 0, XDP_DROP, C_VALID,
	  XS_STATE_ALIVE },
	{ "the same again -> drop, duplicate", { .target = 1, .proto = 58 }, 0, XDP_DROP, C_DUP, -1 },
	{ "wrong cookie -> pass, bad cookie", { .target = 2, .proto = 58, .id_xor = 0x5a5a5a5a }, 0,
	  XDP_PASS, C_BAD_COOKIE, -1 },
	{ "an earlier run's key -> pass, bad cookie", { .target = 3, .proto = 58, .badkey = 1 }, 0,
	  XDP_PASS, C_BAD_COOKIE, -1 },
	{ "from another address -> pass, wrong source", { .target = 4, .src = 5, .proto = 58 }, 0,
	  XDP_PASS, C_WRONG_SRC, -1 },
	{ "bad ICMPv6 checksum -> pass, malformed", { .target = 6, .proto = 58, .badsum = 1 }, 0,
	  XDP_PASS, C_MALFORMED, -1 },
	{ "hop-by-hop + destination options first -> drop, event",
	  { .target = 7, .proto = 58, .ext = 1 }, 0, XDP_DROP, C_VALID, XS_STATE_ALIVE },
	{ "a fragment -> pass, malformed", { .target = 8, .proto = 58, .frag = 1 }, 0, XDP_PASS,
	  C_MALFORMED, -1 },
	{ "previous round's reply -> pass, late", { .target = 9, .proto = 58, .round = 4 }, 5,
	  XDP_PASS, C_LATE, -1 },
	{ "an echo request to us -> pass, not ours", { .target = 10, .proto = 58, .type = 128 }, 0,
	  XDP_PASS, C_NOT_OURS, -1 },
};

static const struct row tcp_rows[] = {
	{ "TCP/IPv6 SYN-ACK -> drop, event open", { .target = 1, .proto = 6, .port = 22 }, 0,
	  XDP_DROP, C_VALID, XS_STATE_OPEN },
	{ "TCP/IPv6 RST+ACK -> drop, event closed",
	  { .target = 2, .proto = 6, .port = 80, .flags = 0x14 }, 0, XDP_DROP, C_VALID,
	  XS_STATE_CLOSED },
	{ "TCP/IPv6 after extension headers -> drop, event",
	  { .target = 3, .proto = 6, .port = 22, .ext = 1 }, 0, XDP_DROP, C_VALID, XS_STATE_OPEN },
	{ "TCP/IPv6 from another address -> pass, bad cookie",
	  { .target = 4, .src = 5, .proto = 6, .port = 22 }, 0, XDP_PASS, C_BAD_COOKIE, -1 },
	{ "TCP/IPv6 earlier run's key -> pass, bad cookie",
	  { .target = 6, .proto = 6, .port = 22, .badkey = 1 }, 0, XDP_PASS, C_BAD_COOKIE, -1 },
	{ "TCP/IPv6 fragment -> pass, malformed", { .target = 7, .proto = 6, .port = 22, .frag = 1 },
	  0, XDP_PASS, C_MALFORMED, -1 },
};

static void test_rows(struct sweep_ctx *x, const struct row *rows, size_t n)
{
	unsigned char want[16];

	for (size_t i = 0; i < n; i++) {
		const struct row *w = &rows[i];
		struct pkt k;
		__u32 act = ~0u;
		int moved, same;

		build(&k, &w->r);
		T(w->r.target, want);
		x->skel->bss->sweep_round = w->round;
		moved = sweep_run(x, &k, &act, &same);
		CHECK(act == w->action && moved == w->counter && (w->action == XDP_DROP || same) &&
		      (w->state < 0 ? x->nev == 0 :
		       x->nev == 1 && x->ev.state == w->state && x->ev.t.ip.family == XS_AF_INET6 &&
		       !memcmp(x->ev.t.ip.addr, want, 16) && x->ev.t.port == w->r.port &&
		       x->ev.ttl == 57),
		      "ipv6: %s (action %u, counter %d, events %d)", w->name, act, moved, x->nev);
		CHECK(user_counter(x, &k, w->round) == (w->counter == C_DUP ? C_VALID : w->counter),
		      "ipv6: %s: the libpcap path's validator agrees", w->name);
	}
}

static void test_nd(struct sweep_ctx *x)
{
	struct pkt k;
	__u32 act;
	int same, moved;

	build_nd(&k, 136);
	moved = sweep_run(x, &k, &act, &same);
	CHECK(act == XDP_PASS && same && moved == C_NOT_OURS && !x->nev,
	      "ipv6: a Neighbor Advertisement to us passes untouched (not ours)");
	build_nd(&k, 134);
	moved = sweep_run(x, &k, &act, &same);
	CHECK(act == XDP_PASS && same && moved == C_NOT_OURS && !x->nev,
	      "ipv6: a Router Advertisement to us passes untouched (not ours)");
}

/* Every cut of a genuine echo reply: pass, no event, the same verdict in userspace. */
static void test_truncated(struct sweep_ctx *x)
{
	struct reply r = { .target = 200, .proto = 58, .ext = 1 };
	struct pkt full, k;
	int bad = 0;

	build(&full, &r);
	x->skel->bss->sweep_round = 0;
	for (size_t len = ETH_HLEN; len < full.len; len++) {
		__u32 act;
		int same, moved;

		k = full;
		k.len = len;
		moved = sweep_run(x, &k, &act, &same);
		if (act != XDP_PASS || !same || x->nev || moved < 0 ||
		    user_counter(x, &k, 0) != moved)
			bad++;
	}
	CHECK(!bad, "ipv6: an echo reply behind extension headers cut at every length from 14 to "
	      "%zu bytes: passed untouched, no event, same counter in userspace (%d wrong)",
	      full.len - 1, bad);
}

/* A responder's answer to the real module's probe: swap addresses (and ports), type. */
static void answer(struct pkt *k, const unsigned char *probe, unsigned len, __u8 proto)
{
	unsigned char *ip = k->b + 14, *l4 = ip + 40, tmp[16], ph[40] = {};
	unsigned l4len = len - 54;

	memset(k, 0, sizeof(*k));
	memcpy(k->b, probe, len);
	k->len = len;
	memcpy(k->b, probe + 6, 6);
	memcpy(k->b + 6, probe, 6);
	memcpy(tmp, ip + 8, 16), memcpy(ip + 8, ip + 24, 16), memcpy(ip + 24, tmp, 16);
	if (proto == 6) {
		__u32 seq = (__u32)l4[4] << 24 | l4[5] << 16 | l4[6] << 8 | l4[7];

		memcpy(tmp, l4, 2), memcpy(l4, l4 + 2, 2), memcpy(l4 + 2, tmp, 2);
		put32(l4 + 8, seq + 1);
		l4[13] = 0x12;
		put16(l4 + 16, 0);
	} else {
		l4[0] = 129;
		put16(l4 + 2, 0);
	}
	memcpy(ph, ip + 8, 32);
	put32(ph + 32, l4len);
	ph[39] = proto;
	put16(l4 + (proto == 6 ? 16 : 2), fold(sum16(l4, l4len, sum16(ph, 40, 0))));
}

static void test_module(struct sweep_ctx *x, const char *name, __u8 proto)
{
	const struct xs_probe_module *m = xs_probe_find(name);
	struct xs_probe p = { .m = m, .v = cfg(x->probe), .ttl = 64 };
	struct xs_target t = { .ip = { .family = XS_AF_INET6 }, .port = proto == 6 ? 443 : 0 };
	unsigned char probe[128];
	unsigned len;
	struct pkt k;
	__u32 act;
	int same;

	memcpy(p.src_mac6, MAC_S, 6);
	memcpy(p.dst_mac6, MAC_R, 6);
	T(77, t.ip.addr);
	m->build(&p);
	len = m->fill(&p, probe, &t, 5, false);
	CHECK(len == (proto == 6 ? 74u : 94u) && probe[12] == 0x86 && probe[13] == 0xdd &&
	      probe[20] == proto && !memcmp(probe + 22, OUR, 16) && !memcmp(probe + 38, t.ip.addr, 16),
	      "ipv6: the %s module builds a %u-byte IPv6 probe from us to 2001:2::4d", name, len);
	answer(&k, probe, len, proto);
	x->skel->bss->sweep_round = 0;
	CHECK(sweep_run(x, &k, &act, &same) == C_VALID && act == XDP_DROP && x->nev == 1 &&
	      !memcmp(x->ev.t.ip.addr, t.ip.addr, 16) && x->ev.t.port == t.port,
	      "ipv6: the answer to the %s module's probe is valid", name);
}

int main(void)
{
	struct xs_vcfg c = cfg(XS_PROBE_ICMP_ECHO);
	struct sweep_ctx x;

	if (sweep_load(&x, &c)) {
		CHECK(0, "sweep program loads (icmp, IPv6 source in rodata)");
		UNIT_DONE();
	}
	test_rows(&x, icmp_rows, sizeof(icmp_rows) / sizeof(icmp_rows[0]));
	test_nd(&x);
	test_truncated(&x);
	test_module(&x, "icmp", 58);
	sweep_unload(&x);
	c = cfg(XS_PROBE_TCP_SYN);
	if (sweep_load(&x, &c)) {
		CHECK(0, "sweep program loads (tcp-syn)");
		UNIT_DONE();
	}
	test_rows(&x, tcp_rows, sizeof(tcp_rows) / sizeof(tcp_rows[0]));
	test_nd(&x);
	test_module(&x, "tcp-syn", 6);
	sweep_unload(&x);
	UNIT_DONE();
}
