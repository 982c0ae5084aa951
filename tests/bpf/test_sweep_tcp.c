/* test_sweep_tcp.c - the sweep's XDP program with the TCP SYN probe type, through
 * BPF_PROG_TEST_RUN.
 *
 * The program is loaded with cfg.probe = XS_PROBE_TCP_SYN. Each row is a reply built
 * here (its own header and checksum code, pkt.h) the way a target answers a SYN: its
 * verdict (XDP action, which counter moved, the event and its state) must be the
 * expected one, and the userspace copy of the validator (include/sweep_validate.h, the
 * libpcap path) must count it in the same counter. Then: a reply to the SYN the real
 * module builds (user/probe/tcp.c), the RST it sends after a SYN-ACK, the ports map,
 * and a reply cut at every length.
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

#define OUR	0xc0000201u	/* 192.0.2.1 */
#define T(n)	(0xc6120000u + (n))	/* 198.18.0.0/15 */
#define SPORT_LO 40000
#define SPORT_N	1000

static const __u32 KEY[2] = { 0x0badc0de, 0x5eed1234 };
static const __u32 OLDKEY[2] = { 0x0badc0de, 0x5eed1299 };	/* an earlier run's key */
static const unsigned char MAC_S[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const unsigned char MAC_R[6] = { 0x02, 0, 0, 0, 0, 0x02 };

/* A target's answer; zero fields take the values of a good reply. */
struct reply {
	__u32 target;		/* the probed address */
	__u16 port;		/* the probed port */
	__u32 src;		/* IP source if not target */
	__u16 sport;		/* TCP source if not port */
	int dport_delta;	/* our port off the attempt's by this */
	__u32 attempt;		/* answers this attempt (source port cookie + attempt) */
	__u16 dport;		/* TCP destination if set (absolute) */
	__u32 round;		/* round the cookie was made for */
	int oldkey;
	__u32 ack_xor;
	__u8 flags;		/* 0: SYN|ACK */
	int opts;		/* TCP options (MSS, SACK, TS) in the reply */
	__u8 ihl;		/* 5 if 0 */
};

static const struct xs_vcfg CFG = { .key = { 0x0badc0de, 0x5eed1234 }, .src4 = 0,
				    .probe = XS_PROBE_TCP_SYN, .sport_lo = SPORT_LO,
				    .sport_n = SPORT_N };

static struct xs_vcfg cfg(void)
{
	struct xs_vcfg c = CFG;

	c.src4 = htonl(OUR);
	return c;
}

static void build(struct pkt *k, const struct reply *r)
{
	struct xs_vcfg c = cfg();
	__u16 port = r->port ? r->port : 22;
	__u32 cookie = xs_cookie_port(r->oldkey ? OLDKEY : KEY, htonl(r->target), htonl(OUR),
				      XS_PROBE_TCP_SYN, r->round, port);
	size_t ihl = r->ihl ? r->ihl : 5, iplen = ihl * 4, tl = r->opts ? 40 : 20;
	unsigned char *ip, *th, ph[12];
	__u32 src = r->src ? r->src : r->target;
	__u16 dport = r->dport ? r->dport : xs_tcp_sport(&c, cookie, r->attempt) + r->dport_delta;

	memset(k, 0, sizeof(*k));
	k->len = eth(k->b, MAC_S, MAC_R, ETH_P_IP);
	ip = k->b + k->len;
	th = ip + iplen;
	ip[0] = 0x40 | ihl;
	put16(ip + 2, iplen + tl);
	put16(ip + 6, 0x4000);
	ip[8] = 61;
	ip[9] = 6;
	put32(ip + 12, src);
	put32(ip + 16, OUR);
	memset(ip + 20, 1, iplen - 20);
	put16(ip + 10, fold(sum16(ip, iplen, 0)));
	put16(th, r->sport ? r->sport : port);
	put16(th + 2, dport);
	put32(th + 4, 0x12345678);
	put32(th + 8, (cookie + 1) ^ r->ack_xor);
	th[12] = (tl / 4) << 4;
	th[13] = r->flags ? r->flags : 0x12;
	put16(th + 14, 64240);
	if (r->opts) {
		static const unsigned char o[20] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4,
						     5, 6, 7, 8, 1, 3, 3, 7 };
		memcpy(th + 20, o, sizeof(o));
	}
	put32(ph, src);
	put32(ph + 4, OUR);
	ph[8] = 0, ph[9] = 6;
	put16(ph + 10, tl);
	put16(th + 16, fold(sum16(th, tl, sum16(ph, 12, 0))));
	k->len += iplen + tl;
}

/* Run one frame (sweep_test.h): the counter that moved, the action. */
static int run(struct sweep_ctx *x, const struct pkt *k, __u32 *action)
{
	return sweep_run(x, k, action, NULL);
}

/* Counter index of a verdict, as struct xs_stats orders them. */
static int user_counter(const struct pkt *k, __u32 round)
{
	struct xs_vcfg c = cfg();

	return sweep_user_counter(&c, k, round);
}

static const struct {
	const char *name;
	struct reply r;
	__u32 round;		/* the program's round */
	__u32 action;
	int counter;
	int state;		/* event state, -1 none */
} rows[] = {
	{ "genuine SYN-ACK -> drop, event open", { .target = T(1), .port = 22 }, 0, XDP_DROP, C_VALID, XS_STATE_OPEN },
	{ "genuine RST+ACK -> drop, event closed", { .target = T(2), .port = 80, .flags = 0x14 }, 0, XDP_DROP, C_VALID,
	  XS_STATE_CLOSED },
	{ "the same SYN-ACK again -> drop, duplicate", { .target = T(1), .port = 22 }, 0, XDP_DROP, C_DUP, -1 },
	{ "SYN-ACK with TCP options -> drop, event open", { .target = T(3), .port = 443, .opts = 1 }, 0, XDP_DROP,
	  C_VALID, XS_STATE_OPEN },
	{ "wrong ack -> pass, bad cookie", { .target = T(4), .port = 22, .ack_xor = 0x5a5a5a5a }, 0, XDP_PASS,
	  C_BAD_COOKIE, -1 },
	{ "from another address -> pass, bad cookie", { .target = T(5), .port = 22, .src = T(6) }, 0, XDP_PASS,
	  C_BAD_COOKIE, -1 },
	{ "from another port -> pass, bad cookie", { .target = T(7), .port = 22, .sport = 23 }, 0, XDP_PASS,
	  C_BAD_COOKIE, -1 },
	{ "to the port of attempt 3 -> drop, event (a retry's reply)",
	  { .target = T(8), .port = 22, .attempt = 3 }, 0, XDP_DROP, C_VALID, XS_STATE_OPEN },
	{ "to a port 256 past the cookie's -> pass, bad cookie",
	  { .target = T(18), .port = 22, .attempt = 256 }, 0, XDP_PASS, C_BAD_COOKIE, -1 },
	{ "to the port just before the cookie's -> pass, bad cookie",
	  { .target = T(19), .port = 22, .dport_delta = -1 }, 0, XDP_PASS, C_BAD_COOKIE, -1 },
	{ "to a port outside ours -> pass, not ours", { .target = T(9), .port = 22, .dport = 5000 }, 0, XDP_PASS,
	  C_NOT_OURS, -1 },
	{ "an earlier run's reply (other key) -> pass, bad cookie", { .target = T(10), .port = 22, .oldkey = 1 }, 0,
	  XDP_PASS, C_BAD_COOKIE, -1 },
	{ "previous round's reply -> pass, late", { .target = T(11), .port = 22, .round = 6 }, 7, XDP_PASS, C_LATE,
	  -1 },
	{ "a reply two rounds old -> pass, bad cookie", { .target = T(12), .port = 22, .round = 5 }, 7, XDP_PASS,
	  C_BAD_COOKIE, -1 },
	{ "this round's reply in round 7 -> drop, event", { .target = T(13), .port = 22, .round = 7 }, 7, XDP_DROP,
	  C_VALID, XS_STATE_OPEN },
	{ "IPv4 options -> pass, malformed", { .target = T(14), .port = 22, .ihl = 6 }, 0, XDP_PASS, C_MALFORMED, -1 },
	{ "plain RST (no ACK) -> pass, not ours", { .target = T(15), .port = 22, .flags = 0x04 }, 0, XDP_PASS,
	  C_NOT_OURS, -1 },
	{ "a SYN to us -> pass, not ours", { .target = T(16), .port = 22, .flags = 0x02 }, 0, XDP_PASS, C_NOT_OURS,
	  -1 },
	{ "SYN-ACK with FIN -> pass, not ours", { .target = T(17), .port = 22, .flags = 0x13 }, 0, XDP_PASS,
	  C_NOT_OURS, -1 },
};

static void test_rows(struct sweep_ctx *x)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pkt k;
		__u32 act = ~0u;
		int moved;

		build(&k, &rows[i].r);
		x->skel->bss->sweep_round = rows[i].round;
		moved = run(x, &k, &act);
		CHECK(act == rows[i].action && moved == rows[i].counter &&
		      (rows[i].state < 0 ? x->nev == 0 :
		       x->nev == 1 && x->ev.state == rows[i].state &&
		       x->ev.t.port == rows[i].r.port && x->ev.ttl == 61 && !x->ev.tx_ns &&
		       x->ev.attempt == rows[i].r.attempt &&
		       x->ev.rx_ns),
		      "tcp: %s (action %u, counter %d, events %d)", rows[i].name, act, moved, x->nev);
		/* The libpcap path has no duplicate filter of its own: a duplicate is a valid
		 * reply there, and the engine's bitmap catches it. */
		CHECK(user_counter(&k, rows[i].round) ==
			      (rows[i].counter == C_DUP ? C_VALID : rows[i].counter),
		      "tcp: %s: the libpcap path's validator agrees", rows[i].name);
	}
}

static void test_ports_map(struct sweep_ctx *x)
{
	struct xs_target t = { .ip = xs_ip4(htonl(T(1))), .port = 22 }, t2 = t;
	struct xs_port p = {};

	t2.ip = xs_ip4(htonl(T(2)));
	t2.port = 80;
	CHECK(!bpf_map_lookup_elem(bpf_map__fd(x->skel->maps.ports), &t, &p) && p.replies == 2,
	      "ports map: 198.18.0.1:22 counted twice (SYN-ACK and its duplicate): %llu",
	      (unsigned long long)p.replies);
	CHECK(bpf_map_lookup_elem(bpf_map__fd(x->skel->maps.ports), &t2, &p) == -ENOENT,
	      "ports map: the closed port 198.18.0.2:80 is not in it");
}

/* The real module's SYN, answered; then the RST it sends after the SYN-ACK. */
static void test_module(struct sweep_ctx *x)
{
	const struct xs_probe_module *m = xs_probe_find("tcp-syn");
	struct xs_probe p = { .m = m, .v = cfg(), .ttl = 64 };
	struct xs_target t = { .ip = xs_ip4(htonl(T(100))), .port = 8080 };
	unsigned char syn[64], rst[64], *th = syn + 34, *rt = rst + 34, tmp[4];
	struct pkt k = { .len = 54 };
	__u32 act, cookie;
	unsigned len;

	memcpy(p.src_mac, MAC_S, 6);
	memcpy(p.dst_mac, MAC_R, 6);
	m->build(&p);
	len = m->fill(&p, syn, &t, 0, false);
	cookie = m->cookie(&p, &t);
	CHECK(len == 54 && syn[23] == 6 && th[13] == 0x02 && fold(sum16(syn + 14, 20, 0)) == 0,
	      "tcp module: a 54-byte SYN with a valid IPv4 header");
	CHECK(((__u32)th[4] << 24 | th[5] << 16 | th[6] << 8 | th[7]) == cookie &&
	      (th[2] << 8 | th[3]) == 8080 &&
	      (th[0] << 8 | th[1]) == xs_tcp_sport(&p.v, cookie, 0) &&
	      (th[0] << 8 | th[1]) >= SPORT_LO && (th[0] << 8 | th[1]) < SPORT_LO + SPORT_N,
	      "tcp module: seq = cookie, destination port 8080, source port from the cookie");
	p.attempt = 1;
	m->fill(&p, rst, &t, 0, false);
	CHECK((rt[0] << 8 | rt[1]) == xs_tcp_sport(&p.v, cookie, 1) &&
	      (rt[0] << 8 | rt[1]) != (th[0] << 8 | th[1]) && !memcmp(rt + 2, th + 2, 6),
	      "tcp module: a retry (attempt 1) is the same SYN from the next source port");
	p.attempt = 0;
	/* The target's SYN-ACK: swap, ack = seq + 1. */
	memcpy(k.b, syn, 54);
	memcpy(k.b, syn + 6, 6);
	memcpy(k.b + 6, syn, 6);
	memcpy(tmp, k.b + 26, 4), memcpy(k.b + 26, k.b + 30, 4), memcpy(k.b + 30, tmp, 4);
	memcpy(tmp, k.b + 34, 2), memcpy(k.b + 34, k.b + 36, 2), memcpy(k.b + 36, tmp, 2);
	put32(k.b + 42, cookie + 1);
	put32(k.b + 38, 777);
	k.b[47] = 0x12;
	x->skel->bss->sweep_round = 0;
	CHECK(run(x, &k, &act) == C_VALID && act == XDP_DROP && x->nev == 1 &&
	      x->ev.state == XS_STATE_OPEN && x->ev.t.port == 8080,
	      "tcp module: the SYN-ACK to its SYN is valid, open, port 8080");
	len = m->fill_reset(&p, rst, &t, false);
	CHECK(len == 54 && rt[13] == 0x04 &&
	      ((__u32)rt[4] << 24 | rt[5] << 16 | rt[6] << 8 | rt[7]) == cookie + 1 &&
	      !memcmp(rt, th, 4) && fold(sum16(rst + 14, 20, 0)) == 0,
	      "tcp module: the RST after it has seq = cookie + 1, the SYN's ports");
	{
		unsigned char ph[12];

		memcpy(ph, rst + 26, 8);
		ph[8] = 0, ph[9] = 6, ph[10] = 0, ph[11] = 20;
		CHECK(fold(sum16(rt, 20, sum16(ph, 12, 0))) == 0, "tcp module: RST checksum verifies");
		memcpy(ph, syn + 26, 8);
		CHECK(fold(sum16(th, 20, sum16(ph, 12, 0))) == 0, "tcp module: SYN checksum verifies");
	}
}

/* A valid SYN-ACK cut at every length: never an event, never a drop. */
static void test_truncated(struct sweep_ctx *x)
{
	struct reply r = { .target = T(200), .port = 22 };
	struct pkt full, k;
	int bad = 0;

	build(&full, &r);
	x->skel->bss->sweep_round = 0;
	for (size_t len = ETH_HLEN; len < full.len; len++) {
		__u32 act;
		int moved, want = len < 14 + 20 + 20 ? C_MALFORMED : -1;

		k = full;
		k.len = len;
		moved = run(x, &k, &act);
		if (act != XDP_PASS || x->nev || moved != want || user_counter(&k, 0) != want)
			bad++;
	}
	CHECK(!bad, "tcp: a reply cut at every length from 14 to 53 bytes: pass, malformed, no event "
	      "(%d wrong)", bad);
}

int main(void)
{
	struct xs_vcfg c = cfg();
	struct sweep_ctx x;

	if (sweep_load(&x, &c)) {
		CHECK(0, "sweep program loads with probe tcp-syn");
		UNIT_DONE();
	}
	CHECK(1, "sweep program loads with probe tcp-syn in rodata");
	test_rows(&x);
	test_ports_map(&x);
	test_module(&x);
	test_truncated(&x);
	sweep_unload(&x);
	UNIT_DONE();
}
