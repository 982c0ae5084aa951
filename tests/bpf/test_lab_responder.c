/* test_lab_responder.c - the lab's XDP responder through BPF_PROG_TEST_RUN.
 *
 * A table of crafted frames, each with the expected XDP action and, for replies, the
 * exact expected bytes, built here independently (own header builders and checksum
 * code; only the truth functions come from bench/lib/lab.h). Then impairments: for 64
 * echo requests the fate computed from lab.h (lost / wrong source / bad id / duplicate)
 * must match what the program did, byte for byte. Finally the per-CPU counters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lab.h"
#include "pkt.h"
#include "unit.h"
#include "lab_responder.skel.h"

#define SEED 42
#define SCAN4 0xc0000201u	/* 192.0.2.1 */
#define RESP4 0xc0000202u	/* 192.0.2.2 */

static const unsigned char MAC_S[6] = { 0x02, 0, 0, 0, 0, 0x01 };	/* scanner */
static const unsigned char MAC_R[6] = { 0x02, 0, 0, 0, 0, 0x02 };	/* responder */

/* ---- independent packet builders ---- */

struct ip4 {
	__u32 src, dst;
	__u8 proto, ttl, tos;
	__u16 id, frag;
};

static void ip4_hdr(unsigned char *p, const struct ip4 *h, size_t l4len)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[1] = h->tos;
	put16(p + 2, 20 + l4len);
	put16(p + 4, h->id);
	put16(p + 6, h->frag);
	p[8] = h->ttl;
	p[9] = h->proto;
	put32(p + 12, h->src);
	put32(p + 16, h->dst);
	put16(p + 10, fold(sum16(p, 20, 0)));
}

static void icmp4(struct pkt *k, const unsigned char *dmac, const unsigned char *smac,
		  const struct ip4 *h, __u8 type, __u16 id, __u16 seq, const char *payload)
{
	size_t pl = strlen(payload), l4 = 8 + pl;
	unsigned char *ic;

	k->len = eth(k->b, dmac, smac, ETH_P_IP);
	ip4_hdr(k->b + k->len, h, l4);
	ic = k->b + k->len + 20;
	memset(ic, 0, 8);
	ic[0] = type;
	put16(ic + 4, id);
	put16(ic + 6, seq);
	memcpy(ic + 8, payload, pl);
	put16(ic + 2, fold(sum16(ic, l4, 0)));
	k->len += 20 + l4;
}

/* TCP segment; opts adds a 4-byte MSS option (the responder must cut it). */
static void tcp4(struct pkt *k, const unsigned char *dmac, const unsigned char *smac,
		 const struct ip4 *h, __u16 sport, __u16 dport, __u32 seq, __u32 ack,
		 __u8 flags, __u16 win, int opts)
{
	size_t l4 = opts ? 24 : 20;
	unsigned char *t, ph[12];

	k->len = eth(k->b, dmac, smac, ETH_P_IP);
	ip4_hdr(k->b + k->len, h, l4);
	t = k->b + k->len + 20;
	memset(t, 0, l4);
	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = (l4 / 4) << 4;
	t[13] = flags;
	put16(t + 14, win);
	if (opts) {
		t[20] = 2, t[21] = 4;
		put16(t + 22, 1460);
	}
	put32(ph, h->src);
	put32(ph + 4, h->dst);
	ph[8] = 0, ph[9] = 6;
	put16(ph + 10, l4);
	put16(t + 16, fold(sum16(t, l4, sum16(ph, 12, 0))));
	k->len += 20 + l4;
}

struct ip6 {
	unsigned char src[16], dst[16];
	__u8 nh, hop;
};

static void ip6_hdr(unsigned char *p, const struct ip6 *h, size_t l4len)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, l4len);
	p[6] = h->nh;
	p[7] = h->hop;
	memcpy(p + 8, h->src, 16);
	memcpy(p + 24, h->dst, 16);
}

static __u32 pseudo6(const struct ip6 *h, size_t l4len)
{
	unsigned char ph[40] = {};

	memcpy(ph, h->src, 16);
	memcpy(ph + 16, h->dst, 16);
	put32(ph + 32, l4len);
	ph[39] = h->nh;
	return sum16(ph, 40, 0);
}

static void icmp6(struct pkt *k, const unsigned char *dmac, const unsigned char *smac,
		  const struct ip6 *h, __u8 type, __u16 id, __u16 seq, const char *payload)
{
	size_t pl = strlen(payload), l4 = 8 + pl;
	unsigned char *ic;

	k->len = eth(k->b, dmac, smac, ETH_P_IPV6);
	ip6_hdr(k->b + k->len, h, l4);
	ic = k->b + k->len + 40;
	memset(ic, 0, 8);
	ic[0] = type;
	put16(ic + 4, id);
	put16(ic + 6, seq);
	memcpy(ic + 8, payload, pl);
	put16(ic + 2, fold(sum16(ic, l4, pseudo6(h, l4))));
	k->len += 40 + l4;
}

static void tcp6(struct pkt *k, const unsigned char *dmac, const unsigned char *smac,
		 const struct ip6 *h, __u16 sport, __u16 dport, __u32 seq, __u32 ack,
		 __u8 flags, __u16 win, int opts)
{
	size_t l4 = opts ? 24 : 20;
	unsigned char *t;

	k->len = eth(k->b, dmac, smac, ETH_P_IPV6);
	ip6_hdr(k->b + k->len, h, l4);
	t = k->b + k->len + 40;
	memset(t, 0, l4);
	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = (l4 / 4) << 4;
	t[13] = flags;
	put16(t + 14, win);
	if (opts) {
		t[20] = 2, t[21] = 4;
		put16(t + 22, 1460);
	}
	put16(t + 16, fold(sum16(t, l4, pseudo6(h, l4))));
	k->len += 40 + l4;
}

static void addr6(unsigned char *a, __u64 hi, __u64 lo)
{
	for (int i = 0; i < 8; i++) {
		a[i] = hi >> (56 - 8 * i);
		a[8 + i] = lo >> (56 - 8 * i);
	}
}

static __u64 payload_key(const char *s)
{
	__u64 v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | (i < (int)strlen(s) ? (unsigned char)s[i] : 0);
	return v;
}

/* ---- running the program ---- */

struct result {
	int err;
	__u32 action;
	__u32 meta;	/* metadata length */
	unsigned char out[1024];
	__u32 out_len;
};

static struct result run(int prog_fd, const struct pkt *k)
{
	struct result r = {};
	struct xdp_md ctx_in = { .data = 0, .data_end = k->len }, ctx_out = {};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = k->b, .data_size_in = k->len,
		    .data_out = r.out, .data_size_out = sizeof(r.out), .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .ctx_out = &ctx_out,
		    .ctx_size_out = sizeof(ctx_out), .repeat = 1);

	r.err = bpf_prog_test_run_opts(prog_fd, &o);
	r.action = o.retval;
	r.out_len = o.data_size_out;
	r.meta = ctx_out.data;
	return r;
}

static int same_frame(const struct result *r, const struct pkt *want)
{
	if (r->out_len != r->meta + want->len)
		return 0;
	return !memcmp(r->out + r->meta, want->b, want->len);
}

static void hexdiff(const struct result *r, const struct pkt *want)
{
	printf("#   got  (%u):", r->out_len - r->meta);
	for (__u32 i = r->meta; i < r->out_len; i++)
		printf(" %02x", r->out[i]);
	printf("\n#   want (%zu):", want->len);
	for (size_t i = 0; i < want->len; i++)
		printf(" %02x", want->b[i]);
	printf("\n");
}

static struct lab_cfg base_cfg(void)
{
	struct lab_cfg c = {
		.seed = SEED,
		.alive = lab_frac_thresh(0.5),
		.open = lab_frac_thresh(0.5),
		.net4 = 0xc6120000,
		.mask4 = 0xfffe0000,
		.n_ports = 3,
		.ports = { 22, 80, 443 },
	};
	return c;
}

static struct lab_responder_bpf *load(const struct lab_cfg *cfg)
{
	struct lab_responder_bpf *skel = lab_responder_bpf__open();

	if (!skel)
		return NULL;
	skel->rodata->cfg = *cfg;
	if (lab_responder_bpf__load(skel)) {
		lab_responder_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static struct lab_stats read_stats(struct lab_responder_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus();
	struct lab_stats *v = calloc(ncpu, sizeof(*v)), sum = {};
	__u32 zero = 0;

	if (v && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &zero, v)) {
		for (int c = 0; c < ncpu; c++)
			for (size_t f = 0; f < sizeof(sum) / 8; f++)
				((__u64 *)&sum)[f] += ((__u64 *)&v[c])[f];
	}
	free(v);
	return sum;
}

/* Find the first address in 198.18.0.0/15 (from 198.18.0.1) meeting pred. */
static __u32 find4(const struct lab_cfg *c, int alive, int port, int open)
{
	for (__u32 a = 0xc6120001; a < 0xc6140000; a++) {
		if (lab_alive4(c->seed, c->alive, a) != alive)
			continue;
		if (port && lab_open(c->seed, c->open, lab_key4(a), port) != open)
			continue;
		return a;
	}
	return 0;
}

static __u64 find6(const struct lab_cfg *c, int alive, int port, int open)
{
	for (__u64 lo = 1; lo < 100000; lo++) {
		if (lab_alive6(c->seed, c->alive, LAB_NET6_HI, lo) != alive)
			continue;
		if (port && lab_open(c->seed, c->open, lab_key6(LAB_NET6_HI, lo), port) != open)
			continue;
		return lo;
	}
	return 0;
}

static void test_table(void)
{
	struct lab_cfg cfg = base_cfg();
	struct lab_responder_bpf *skel = load(&cfg);
	__u32 alive = find4(&cfg, 1, 0, 0), dead = find4(&cfg, 0, 0, 0);
	__u32 open22 = find4(&cfg, 1, 22, 1), closed22 = find4(&cfg, 1, 22, 0);
	__u64 alive6 = find6(&cfg, 1, 0, 0), dead6 = find6(&cfg, 0, 0, 0);
	__u64 open6 = find6(&cfg, 1, 443, 1);
	struct pkt in, want;
	struct result r;
	struct lab_stats st;
	int fd, n_echo = 0, n_echo6 = 0, n_syn = 0, n_other = 0, n_dead = 0, n_rst = 0;

	CHECK(skel != NULL, "responder loads with a config in rodata");
	if (!skel)
		return;
	fd = bpf_program__fd(skel->progs.lab_responder);
	CHECK(alive && dead && open22 && closed22 && alive6 && dead6 && open6,
	      "lab.h finds alive, dead, open and closed addresses");

	/* Echo to an alive address: exact reply bytes. */
	{
		struct ip4 q = { SCAN4, alive, 1, 61, 0, 0x1234, 0x4000 };
		struct ip4 a = { alive, SCAN4, 1, 64, 0, 0x1234, 0x4000 };

		icmp4(&in, MAC_R, MAC_S, &q, 8, 0xbeef, 7, "xsweep-lab-payload");
		icmp4(&want, MAC_S, MAC_R, &a, 0, 0xbeef, 7, "xsweep-lab-payload");
		r = run(fd, &in);
		n_echo++;
		CHECK(!r.err && r.action == XDP_TX, "echo to alive address -> XDP_TX");
		CHECK(same_frame(&r, &want), "echo reply bytes: MACs/addresses swapped, TTL 64, "
		      "type 0, same id/seq/payload, correct checksums");
		if (!same_frame(&r, &want))
			hexdiff(&r, &want);

		/* Odd payload length and no payload at all. */
		icmp4(&in, MAC_R, MAC_S, &q, 8, 1, 2, "abc");
		icmp4(&want, MAC_S, MAC_R, &a, 0, 1, 2, "abc");
		r = run(fd, &in);
		n_echo++;
		CHECK(r.action == XDP_TX && same_frame(&r, &want), "echo reply, odd payload");
		icmp4(&in, MAC_R, MAC_S, &q, 8, 0xffff, 0xffff, "");
		icmp4(&want, MAC_S, MAC_R, &a, 0, 0xffff, 0xffff, "");
		r = run(fd, &in);
		n_echo++;
		CHECK(r.action == XDP_TX && same_frame(&r, &want), "echo reply, empty payload");

		/* Identical packets get identical answers. */
		icmp4(&in, MAC_R, MAC_S, &q, 8, 0xbeef, 7, "xsweep-lab-payload");
		r = run(fd, &in);
		n_echo++;
		icmp4(&want, MAC_S, MAC_R, &a, 0, 0xbeef, 7, "xsweep-lab-payload");
		CHECK(same_frame(&r, &want), "the same request twice, the same reply");
	}

	/* Echo to a dead address: dropped. */
	{
		struct ip4 q = { SCAN4, dead, 1, 64, 0, 1, 0 };

		icmp4(&in, MAC_R, MAC_S, &q, 8, 1, 1, "x");
		r = run(fd, &in);
		n_echo++, n_dead++;
		CHECK(!r.err && r.action == XDP_DROP, "echo to dead address -> XDP_DROP");
	}

	/* SYN to an open port (with an MSS option, which the reply drops). */
	{
		struct ip4 q = { SCAN4, open22, 6, 64, 0, 99, 0x4000 };
		struct ip4 a = { open22, SCAN4, 6, 64, 0, 0, 0x4000 };
		__u32 isn = lab_isn(SEED, lab_key4(open22), 40000u << 16 | 22, 1000);

		tcp4(&in, MAC_R, MAC_S, &q, 40000, 22, 1000, 0, 0x02, 1024, 1);
		tcp4(&want, MAC_S, MAC_R, &a, 22, 40000, isn, 1001, 0x12, 65535, 0);
		r = run(fd, &in);
		n_syn++;
		CHECK(!r.err && r.action == XDP_TX, "SYN to open port -> XDP_TX");
		CHECK(same_frame(&r, &want), "SYN-ACK bytes: ports swapped, ack = seq + 1, "
		      "options cut, correct checksums");
		if (!same_frame(&r, &want))
			hexdiff(&r, &want);
	}

	/* SYN to a closed port of an alive host: RST+ACK. */
	{
		struct ip4 q = { SCAN4, closed22, 6, 64, 0, 99, 0 };
		struct ip4 a = { closed22, SCAN4, 6, 64, 0, 0, 0x4000 };

		tcp4(&in, MAC_R, MAC_S, &q, 40001, 22, 0xfffffffe, 0, 0x02, 1024, 0);
		tcp4(&want, MAC_S, MAC_R, &a, 22, 40001, 0, 0xffffffff, 0x14, 0, 0);
		r = run(fd, &in);
		n_syn++;
		CHECK(r.action == XDP_TX && same_frame(&r, &want),
		      "SYN to closed port -> RST+ACK, exact bytes");
		if (!same_frame(&r, &want))
			hexdiff(&r, &want);
		/* A port not in --open-ports is closed on every host. */
		q.dst = open22;
		a.src = open22;
		tcp4(&in, MAC_R, MAC_S, &q, 40002, 8080, 5, 0, 0x02, 1024, 0);
		tcp4(&want, MAC_S, MAC_R, &a, 8080, 40002, 0, 6, 0x14, 0, 0);
		r = run(fd, &in);
		n_syn++;
		CHECK(r.action == XDP_TX && same_frame(&r, &want), "SYN to unlisted port -> RST");
	}

	/* SYN to a dead host: dropped. */
	{
		struct ip4 q = { SCAN4, dead, 6, 64, 0, 1, 0 };

		tcp4(&in, MAC_R, MAC_S, &q, 40000, 22, 1, 0, 0x02, 1024, 0);
		r = run(fd, &in);
		n_syn++, n_dead++;
		CHECK(r.action == XDP_DROP, "SYN to dead host -> XDP_DROP");
	}

	/* A scanner's RST (its politeness RST after a SYN-ACK): taken by the host it is
	 * addressed to, i.e. counted and dropped, never passed to the responder's kernel. */
	{
		struct ip4 q = { SCAN4, alive, 6, 64, 0, 1, 0 };
		struct ip6 q6 = { .nh = 6, .hop = 64 };

		tcp4(&in, MAC_R, MAC_S, &q, 40000, 22, 5, 0, 0x04, 0, 0);
		r = run(fd, &in);
		n_rst++;
		CHECK(r.action == XDP_DROP, "RST to an alive IPv4 address -> XDP_DROP (counted)");
		addr6(q6.src, 0x20010db800000000ULL, 1);
		addr6(q6.dst, LAB_NET6_HI, open6);
		tcp6(&in, MAC_R, MAC_S, &q6, 50000, 443, 78, 0, 0x04, 0, 0);
		r = run(fd, &in);
		n_rst++;
		CHECK(r.action == XDP_DROP, "RST to a 2001:2:: address -> XDP_DROP (counted)");
	}

	/* ICMPv6 echo. */
	{
		struct ip6 q = { .nh = 58, .hop = 64 }, a = { .nh = 58, .hop = 64 };

		addr6(q.src, 0x20010db800000000ULL, 1);
		addr6(q.dst, LAB_NET6_HI, alive6);
		memcpy(a.src, q.dst, 16);
		memcpy(a.dst, q.src, 16);
		icmp6(&in, MAC_R, MAC_S, &q, 128, 0x4242, 9, "v6 payload!");
		icmp6(&want, MAC_S, MAC_R, &a, 129, 0x4242, 9, "v6 payload!");
		r = run(fd, &in);
		n_echo6++;
		CHECK(r.action == XDP_TX && same_frame(&r, &want),
		      "ICMPv6 echo to alive 2001:2:: address -> exact reply bytes");
		if (!same_frame(&r, &want))
			hexdiff(&r, &want);
		addr6(q.dst, LAB_NET6_HI, dead6);
		icmp6(&in, MAC_R, MAC_S, &q, 128, 0x4242, 9, "v6 payload!");
		r = run(fd, &in);
		n_echo6++, n_dead++;
		CHECK(r.action == XDP_DROP, "ICMPv6 echo to dead address -> XDP_DROP");
	}

	/* TCP over IPv6. */
	{
		struct ip6 q = { .nh = 6, .hop = 64 }, a = { .nh = 6, .hop = 64 };
		__u32 isn = lab_isn(SEED, lab_key6(LAB_NET6_HI, open6), 50000u << 16 | 443, 77);

		addr6(q.src, 0x20010db800000000ULL, 1);
		addr6(q.dst, LAB_NET6_HI, open6);
		memcpy(a.src, q.dst, 16);
		memcpy(a.dst, q.src, 16);
		tcp6(&in, MAC_R, MAC_S, &q, 50000, 443, 77, 0, 0x02, 1024, 1);
		tcp6(&want, MAC_S, MAC_R, &a, 443, 50000, isn, 78, 0x12, 65535, 0);
		r = run(fd, &in);
		n_syn++;
		CHECK(r.action == XDP_TX && same_frame(&r, &want),
		      "IPv6 SYN to open port -> SYN-ACK, exact bytes");
		if (!same_frame(&r, &want))
			hexdiff(&r, &want);
	}

	/* Everything that is not a probe goes to the kernel untouched. */
	{
		static const struct {
			const char *name;
			int kind;
		} pass[] = {
			{ "ARP request", 1 },
			{ "non-IP ethertype", 2 },
			{ "bare Ethernet header (IPv4 ethertype)", 3 },
			{ "truncated IPv4 header", 4 },
			{ "truncated ICMP header", 5 },
			{ "IPv4 with options (ihl 6)", 6 },
			{ "IPv4 total length beyond the frame", 7 },
			{ "IPv4 fragment", 8 },
			{ "echo to the responder's link address", 9 },
			{ "echo reply (type 0) into the range", 10 },
			{ "TCP ACK (not a SYN)", 11 },
			{ "UDP into the range", 12 },
			{ "truncated TCP header", 13 },
			{ "IPv6 NDP neighbour solicitation", 14 },
			{ "IPv6 echo to 2001:db8::2", 15 },
			{ "truncated IPv6 header", 16 },
			{ "IPv6 payload length beyond the frame", 17 },
			{ "IPv4 version field 6 with IPv4 ethertype", 18 },
		};
		struct ip4 q = { SCAN4, alive, 1, 64, 0, 1, 0 };
		struct ip6 q6 = { .nh = 58, .hop = 255 };

		addr6(q6.src, 0x20010db800000000ULL, 1);
		for (size_t i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
			memset(&in, 0, sizeof(in));
			q.proto = 1;
			q.dst = alive;
			q.frag = 0;
			switch (pass[i].kind) {
			case 1:
				in.len = eth(in.b, (unsigned char *)"\xff\xff\xff\xff\xff\xff", MAC_S,
					     ETH_P_ARP);
				memcpy(in.b + 14, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
				in.len = 42;
				break;
			case 2:
				in.len = eth(in.b, MAC_R, MAC_S, 0x88b5) + 46;
				break;
			case 3:
				in.len = eth(in.b, MAC_R, MAC_S, ETH_P_IP);
				break;
			case 4:
				icmp4(&in, MAC_R, MAC_S, &q, 8, 1, 1, "");
				in.len = 14 + 12;
				break;
			case 5:
				icmp4(&in, MAC_R, MAC_S, &q, 8, 1, 1, "");
				in.len = 14 + 20 + 4;
				break;
			case 6:
				icmp4(&in, MAC_R, MAC_S, &q, 8, 1, 1, "12345678");
				in.b[14] = 0x46;
				break;
			case 7:
				icmp4(&in, MAC_R, MAC_S, &q, 8, 1, 1, "12345678");
				in.len -= 4;
				break;
			case 8:
				q.frag = 0x2000;	/* more fragments */
				icmp4(&in, MAC_R, MAC_S, &q, 8, 1, 1, "12345678");
				break;
			case 9:
				q.dst = RESP4;
				icmp4(&in, MAC_R, MAC_S, &q, 8, 1, 1, "12345678");
				break;
			case 10:
				icmp4(&in, MAC_R, MAC_S, &q, 0, 1, 1, "12345678");
				break;
			case 11:
				q.proto = 6;
				tcp4(&in, MAC_R, MAC_S, &q, 1, 22, 1, 1, 0x10, 1, 0);
				break;
			case 12:
				q.proto = 17;
				icmp4(&in, MAC_R, MAC_S, &q, 8, 1, 1, "12345678");
				break;
			case 13:
				q.proto = 6;
				tcp4(&in, MAC_R, MAC_S, &q, 1, 22, 1, 0, 0x02, 1, 0);
				in.len = 14 + 20 + 12;
				in.b[17] = 32;	/* tot_len consistent with the cut */
				break;
			case 14:
				addr6(q6.dst, 0x20010db800000000ULL, 2);
				icmp6(&in, MAC_R, MAC_S, &q6, 135, 0, 0, "0123456789abcdef");
				break;
			case 15:
				addr6(q6.dst, 0x20010db800000000ULL, 2);
				icmp6(&in, MAC_R, MAC_S, &q6, 128, 1, 1, "x");
				break;
			case 16:
				addr6(q6.dst, LAB_NET6_HI, alive6);
				icmp6(&in, MAC_R, MAC_S, &q6, 128, 1, 1, "x");
				in.len = 14 + 30;
				break;
			case 17:
				addr6(q6.dst, LAB_NET6_HI, alive6);
				icmp6(&in, MAC_R, MAC_S, &q6, 128, 1, 1, "xxxx");
				in.len -= 2;
				break;
			case 18:
				icmp4(&in, MAC_R, MAC_S, &q, 8, 1, 1, "12345678");
				in.b[14] = 0x65;
				break;
			}
			r = run(fd, &in);
			n_other++;
			CHECK(!r.err && r.action == XDP_PASS && r.out_len == in.len &&
			      !memcmp(r.out, in.b, in.len), "%s -> XDP_PASS, unchanged",
			      pass[i].name);
		}
	}

	st = read_stats(skel);
	CHECK(st.rx_icmp_echo == (__u64)n_echo && st.rx_icmp6_echo == (__u64)n_echo6 &&
	      st.rx_tcp_syn == (__u64)n_syn && st.rx_other == (__u64)n_other,
	      "rx counters per type (%llu echo, %llu echo6, %llu syn, %llu other)",
	      (unsigned long long)st.rx_icmp_echo, (unsigned long long)st.rx_icmp6_echo,
	      (unsigned long long)st.rx_tcp_syn, (unsigned long long)st.rx_other);
	CHECK(st.rx_tcp_rst == (__u64)n_rst, "rx_tcp_rst counts the RSTs (%llu)",
	      (unsigned long long)st.rx_tcp_rst);
	CHECK(st.tx_icmp_echo_reply == (__u64)n_echo - 1 && st.tx_icmp6_echo_reply == 1 &&
	      st.tx_tcp_synack == 2 && st.tx_tcp_rst == 2 && st.dropped_dead == (__u64)n_dead,
	      "tx and dropped counters");
	CHECK(!st.lost && !st.duplicated && !st.wrong_src && !st.bad_id,
	      "no impairments counted when none configured");
	lab_responder_bpf__destroy(skel);
}

/* Impairments: each fate predicted from lab.h and checked byte for byte. */
static void test_impairments(void)
{
	struct lab_cfg cfg = base_cfg();
	struct lab_responder_bpf *skel;
	int fd, ok = 0, n = 64, lost = 0, wrong = 0, bad = 0, dup = 0;
	__u32 alive;
	struct pkt in, want;
	struct result r;
	struct lab_stats st;

	cfg.alive = LAB_FRAC_ONE;
	cfg.net4 = 0xc6120100;	/* 198.18.1.0/24 */
	cfg.mask4 = 0xffffff00;
	cfg.loss = cfg.dup = cfg.wrong_src = cfg.bad_id = lab_frac_thresh(0.4);
	skel = load(&cfg);
	CHECK(skel != NULL, "responder loads with impairments");
	if (!skel)
		return;
	fd = bpf_program__fd(skel->progs.lab_responder);
	alive = 0xc61201ff;	/* .255: wrong source wraps to .0 within the /24 */

	for (int i = 0; i < n; i++) {
		struct ip4 q = { SCAN4, alive, 1, 64, 0, 7, 0 };
		struct ip4 a = { alive, SCAN4, 1, 64, 0, 7, 0 };
		char payload[16];
		__u16 id = 0x1000 + i % 3, seq = i;
		__u64 key = lab_key4(alive), x1, x2;
		int l, w, b, d, good;

		snprintf(payload, sizeof(payload), "p%07d", i * 31);
		x1 = (__u32)id << 16 | seq;
		x2 = payload_key(payload);
		l = lab_impair(SEED, LAB_K_LOSS, cfg.loss, key, x1, x2);
		w = lab_impair(SEED, LAB_K_WRONG_SRC, cfg.wrong_src, key, x1, x2);
		b = lab_impair(SEED, LAB_K_BAD_ID, cfg.bad_id, key, x1, x2);
		d = lab_impair(SEED, LAB_K_DUP, cfg.dup, key, x1, x2);
		icmp4(&in, MAC_R, MAC_S, &q, 8, id, seq, payload);
		if (w)
			a.src = 0xc6120100;
		icmp4(&want, MAC_S, MAC_R, &a, 0, b ? id ^ LAB_BAD_ID_XOR : id,
		      b ? seq ^ LAB_BAD_ID_XOR : seq, payload);
		r = run(fd, &in);
		if (l) {
			good = r.action == XDP_DROP;
			lost++;
		} else {
			good = same_frame(&r, &want);
			if (d)
				good = good && r.action == XDP_PASS && r.meta == 4 &&
				       *(__u32 *)r.out == LAB_META_DUP;
			else
				good = good && r.action == XDP_TX && r.meta == 0;
			wrong += w, bad += b, dup += d;
		}
		if (!good)
			printf("# request %d: lost %d wrong %d bad %d dup %d -> action %u meta %u\n",
			       i, l, w, b, d, r.action, r.meta);
		ok += good;
	}
	CHECK(ok == n, "%d of %d impaired echo replies exactly as lab.h predicts", ok, n);
	CHECK(lost && wrong && bad && dup && lost < n,
	      "every impairment happened (%d lost, %d wrong src, %d bad id, %d dup)",
	      lost, wrong, bad, dup);
	st = read_stats(skel);
	CHECK(st.lost == (__u64)lost && st.wrong_src == (__u64)wrong && st.bad_id == (__u64)bad &&
	      st.tx_icmp_echo_reply == (__u64)(n - lost),
	      "impairment counters match (duplicates are counted by the TC program)");

	/* IPv6 wrong source and bad id: the checksum covers the new address. */
	{
		struct ip6 q = { .nh = 58, .hop = 64 }, a = { .nh = 58, .hop = 64 };
		int seen = 0;

		addr6(q.src, 0x20010db800000000ULL, 1);
		addr6(q.dst, LAB_NET6_HI, 0x11);
		addr6(a.dst, 0x20010db800000000ULL, 1);
		for (int i = 0; i < 32; i++) {
			__u64 key = lab_key6(LAB_NET6_HI, 0x11), x1 = 5u << 16 | i;
			int l = lab_impair(SEED, LAB_K_LOSS, cfg.loss, key, x1, 0);
			int w = lab_impair(SEED, LAB_K_WRONG_SRC, cfg.wrong_src, key, x1, 0);
			int b = lab_impair(SEED, LAB_K_BAD_ID, cfg.bad_id, key, x1, 0);

			if (l || !w || !b)
				continue;
			addr6(a.src, LAB_NET6_HI, 0x12);
			icmp6(&in, MAC_R, MAC_S, &q, 128, 5, i, "");
			icmp6(&want, MAC_S, MAC_R, &a, 129, 5 ^ LAB_BAD_ID_XOR, i ^ LAB_BAD_ID_XOR, "");
			r = run(fd, &in);
			CHECK(same_frame(&r, &want), "ICMPv6 reply from dst+1 with bad id: exact bytes");
			if (!same_frame(&r, &want))
				hexdiff(&r, &want);
			seen = 1;
			break;
		}
		CHECK(seen, "found an ICMPv6 request drawn for wrong source and bad id");
	}

	/* TCP bad id: the ack number is corrupted. */
	{
		int seen = 0;

		for (__u32 s = 1; s < 200 && !seen; s++) {
			struct ip4 q = { SCAN4, alive, 6, 64, 0, 1, 0 };
			struct ip4 a = { alive, SCAN4, 6, 64, 0, 0, 0x4000 };
			__u64 key = lab_key4(alive), x1 = 40000u << 16 | 8080;

			if (lab_impair(SEED, LAB_K_LOSS, cfg.loss, key, x1, s) ||
			    lab_impair(SEED, LAB_K_WRONG_SRC, cfg.wrong_src, key, x1, s) ||
			    lab_impair(SEED, LAB_K_DUP, cfg.dup, key, x1, s) ||
			    !lab_impair(SEED, LAB_K_BAD_ID, cfg.bad_id, key, x1, s))
				continue;
			tcp4(&in, MAC_R, MAC_S, &q, 40000, 8080, s, 0, 0x02, 1, 0);
			tcp4(&want, MAC_S, MAC_R, &a, 8080, 40000, 0, (s + 1) ^ LAB_BAD_ACK_XOR,
			     0x14, 0, 0);
			r = run(fd, &in);
			CHECK(r.action == XDP_TX && same_frame(&r, &want),
			      "RST with corrupted ack (bad id): exact bytes");
			seen = 1;
		}
		CHECK(seen, "found a SYN drawn for bad id only");
	}
	lab_responder_bpf__destroy(skel);
}

/* Throughput of the program itself (informational; the figure in bench/README.md
 * comes from bpftool's run_time_ns on live traffic, see `bench/lab rate`). */
static void test_speed(void)
{
	struct lab_cfg cfg = base_cfg();
	struct lab_responder_bpf *skel = load(&cfg);
	struct ip4 q = { SCAN4, 0, 1, 64, 0, 1, 0 };
	unsigned char out[256];
	struct pkt in;

	if (!skel)
		return;
	q.dst = find4(&cfg, 1, 0, 0);
	icmp4(&in, MAC_R, MAC_S, &q, 8, 1, 1, "0123456789abcdef0123");
	{
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in.b, .data_size_in = in.len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1000000);

		if (!bpf_prog_test_run_opts(bpf_program__fd(skel->progs.lab_responder), &o))
			printf("# BPF_PROG_TEST_RUN: %u ns per echo reply (%.1f M/s)\n",
			       o.duration, o.duration ? 1000.0 / o.duration : 0);
	}
	lab_responder_bpf__destroy(skel);
}

int main(void)
{
	if (geteuid() != 0) {
		SKIP("lab responder test-run (needs root)");
		return 0;
	}
	test_table();
	test_impairments();
	test_speed();
	UNIT_DONE();
}
