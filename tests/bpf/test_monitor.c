/* test_monitor.c - bpf/monitor.bpf.c and bpf/capture.bpf.c through BPF_PROG_TEST_RUN.
 *
 * Crafted frames (TCP over IPv4/IPv6, VLAN, extension headers, ports at and above the
 * limit, truncated headers, bad IHL, fragments, ARP) go through the real monitor
 * program; the maps must hold exactly the expected (address, port) keys and counters,
 * every run must return XDP_PASS, and the libpcap path's userspace counter fed the same
 * frames must print the same table. The capture program must emit ring buffer records
 * with the right header and bytes, and count (not lose silently) records a full ring
 * buffer refuses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "unit.h"
#include "monitor/monitor_fmt.h"
#include "monitor/monitor_pcap.h"
#include "xsweep.h"
#include "monitor.skel.h"
#include "capture.skel.h"

struct frame {
	const char *name;
	unsigned char b[256];
	unsigned len;
};

static struct frame frames[32];
static int nframes;

/* Ethernet + optional VLAN tag; returns offset of L3. */
static unsigned eth(unsigned char *b, unsigned short type, int vlan)
{
	unsigned o = 12;

	memset(b, 0x02, 12);
	if (vlan) {
		b[o++] = 0x81, b[o++] = 0x00, b[o++] = 0x00, b[o++] = 0x07;
	}
	b[o++] = type >> 8;
	b[o++] = type & 0xff;
	return o;
}

static void tcp(unsigned char *p, unsigned short sport)
{
	memset(p, 0, 20);
	p[0] = sport >> 8, p[1] = sport & 0xff;
	p[2] = 0, p[3] = 9;
	p[12] = 5 << 4;
	p[13] = 0x02;
}

/* IPv4 frame: ihl in words, tot = IP total length, frag = flags/offset field. */
static struct frame *v4(const char *name, const char *src, unsigned char proto, unsigned ihl,
			unsigned tot, unsigned short frag, unsigned short sport, unsigned len, int vlan)
{
	struct frame *f = &frames[nframes++];
	unsigned o = eth(f->b, 0x0800, vlan);
	unsigned char *ip = f->b + o;

	f->name = name;
	ip[0] = 0x40 | ihl;
	ip[2] = tot >> 8, ip[3] = tot & 0xff;
	ip[6] = frag >> 8, ip[7] = frag & 0xff;
	ip[8] = 64;
	ip[9] = proto;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, "192.0.2.1", ip + 16);
	if (proto == 6)
		tcp(ip + ihl * 4, sport);
	f->len = len ? len : o + tot;
	return f;
}

static struct frame *v6(const char *name, const char *src, unsigned char nh, int ext,
			unsigned short sport, unsigned len)
{
	struct frame *f = &frames[nframes++];
	unsigned o = eth(f->b, 0x86dd, 0), plen = 20 + (ext ? 8 : 0);
	unsigned char *ip = f->b + o, *p = ip + 40;

	f->name = name;
	ip[0] = 0x60;
	ip[4] = plen >> 8, ip[5] = plen & 0xff;
	ip[7] = 64;
	inet_pton(AF_INET6, src, ip + 8);
	inet_pton(AF_INET6, "2001:db8::1", ip + 24);
	if (ext == 1) {		/* hop-by-hop options, 8 bytes */
		ip[6] = 0;
		p[0] = nh;
		p[1] = 0;
		p += 8;
	} else if (ext == 2) {	/* fragment header, offset 8 (non-first) */
		ip[6] = 44;
		p[0] = nh;
		p[2] = 0, p[3] = 8;
		p += 8;
	} else {
		ip[6] = nh;
	}
	tcp(p, sport);
	f->len = len ? len : o + 40 + plen;
	return f;
}

static void build_frames(void)
{
	struct frame *f;

	v4("v4 tcp sport 22", "198.18.0.7", 6, 5, 40, 0, 22, 0, 0);
	v4("v4 tcp sport 80", "198.18.0.7", 6, 5, 40, 0, 80, 0, 0);
	v4("v4 tcp sport 80 again", "198.18.0.7", 6, 5, 40, 0, 80, 0, 0);
	v4("v4 tcp sport 1000 (the limit)", "198.18.0.7", 6, 5, 40, 0, 1000, 0, 0);
	v4("v4 tcp sport 1001 (above the limit)", "198.18.0.7", 6, 5, 40, 0, 1001, 0, 0);
	v4("v4 tcp over 802.1Q sport 53", "198.18.0.7", 6, 5, 40, 0, 53, 0, 1);
	v4("v4 udp", "198.18.0.7", 17, 5, 28, 0, 0, 0, 0);
	v4("v4 first fragment (MF, offset 0) sport 21", "198.18.0.8", 6, 5, 40, 0x2000, 21, 0, 0);
	f = v4("v4 non-first fragment with port-like bytes", "198.18.0.8", 6, 5, 40, 0x0003, 0, 0, 0);
	f->b[14 + 20] = 0, f->b[14 + 21] = 23;	/* would read as sport 23 */
	v4("v4 truncated IP header", "198.18.0.66", 6, 5, 40, 0, 22, 14 + 10, 0);
	v4("v4 bad ihl (4)", "198.18.0.67", 6, 4, 40, 0, 22, 0, 0);
	v4("v4 total length < ihl", "198.18.0.68", 6, 5, 12, 0, 22, 14 + 20, 0);
	v4("v4 ihl 15 past the frame end", "198.18.0.9", 6, 15, 80, 0, 0, 14 + 40, 0);
	v4("v4 truncated tcp header", "198.18.0.10", 6, 5, 40, 0, 22, 14 + 30, 0);
	f = v4("v4 tcp data offset < 5", "198.18.0.11", 6, 5, 40, 0, 22, 0, 0);
	f->b[14 + 20 + 12] = 4 << 4;
	v6("v6 tcp sport 443", "2001:2::7", 6, 0, 443, 0);
	v6("v6 hop-by-hop then tcp sport 25", "2001:2::7", 6, 1, 25, 0);
	v6("v6 non-first fragment", "2001:2::8", 6, 2, 23, 0);
	v6("v6 truncated tcp header", "2001:2::9", 6, 0, 22, 14 + 40 + 10);
	v6("v6 truncated IPv6 header", "2001:2::99", 6, 0, 22, 14 + 30);
	f = &frames[nframes++];
	f->name = "arp";
	f->len = eth(f->b, 0x0806, 0) + 28;
}

struct want_port {
	const char *addr;
	unsigned short port;
	unsigned long long packets;
};

static const struct want_port want_ports[] = {
	{ "198.18.0.7", 22, 1 },  { "198.18.0.7", 53, 1 }, { "198.18.0.7", 80, 2 },
	{ "198.18.0.7", 1000, 1 }, { "198.18.0.8", 21, 1 }, { "2001:2::7", 25, 1 },
	{ "2001:2::7", 443, 1 },
};

static void mk_addr(const char *s, struct xs_ip *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1) {
		a->family = XS_AF_INET;
	} else {
		a->family = XS_AF_INET6;
		inet_pton(AF_INET6, s, a->addr);
	}
}

static int run(int prog_fd, const void *data, unsigned len, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data, .data_size_in = len, .repeat = 1);
	int err = bpf_prog_test_run_opts(prog_fd, &o);

	*retval = o.retval;
	return err;
}

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static char *text_of(struct xs_mon_view *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	v->max_port = 1000;
	xs_mon_print_text(f, v, false);
	fclose(f);
	return buf;
}

static void test_monitor(void)
{
	struct monitor_bpf *skel = monitor_bpf__open();
	struct xs_mon_view xv = { 0 }, pv = { 0 };
	struct xs_mon_port_key k, next;
	struct xs_mon_totals *per, t = { 0 };
	struct xs_mon_pcap *pc;
	struct xs_mon_host h;
	struct xs_ip a;
	int ncpu = libbpf_num_possible_cpus(), all_pass = 1, nkeys = 0, fd;
	__u32 retval, zero = 0;
	__u64 t_before, t_after;
	char *xt, *pt;
	void *prev;

	if (!skel) {
		CHECK(0, "monitor skeleton opens");
		return;
	}
	skel->rodata->max_port = 1000;
	CHECK(!monitor_bpf__load(skel), "monitor program loads (verifier accepts the shared parser)");
	/* The program stamps with the tick clock: CLOCK_MONOTONIC_COARSE, never ahead of
	 * CLOCK_MONOTONIC (what userspace converts to wall time). */
	t_before = clock_ns(CLOCK_MONOTONIC_COARSE);
	for (int i = 0; i < nframes; i++) {
		int err = run(bpf_program__fd(skel->progs.xs_monitor), frames[i].b, frames[i].len, &retval);

		if (err || retval != XDP_PASS) {
			all_pass = 0;
			printf("# %s: err %d retval %u\n", frames[i].name, err, retval);
		}
	}
	t_after = clock_ns(CLOCK_MONOTONIC);
	CHECK(all_pass, "monitor returns XDP_PASS for all %d frames, malformed ones included", nframes);

	/* Each (address, port) is counted in exactly one place: one of the host entry's
	 * XS_MON_HOST_PORTS inline slots, or (beyond them) the ports map. 198.18.0.7 sends from
	 * four ports: the first three (22, 80, 1000) take its slots, the fourth (53) goes to the
	 * map. */
	for (size_t i = 0; i < sizeof(want_ports) / sizeof(want_ports[0]); i++) {
		struct xs_mon_port v = { 0 };
		unsigned long long got = 0;
		int places = 0;

		mk_addr(want_ports[i].addr, &a);
		if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.hosts), &a, &h))
			for (int j = 0; j < XS_MON_HOST_PORTS; j++)
				if (h.ports[j].used && h.ports[j].port == want_ports[i].port) {
					got += h.ports[j].packets;
					places++;
					CHECK(h.ports[j].last_ns >= h.first_ns && h.ports[j].last_ns <= h.last_ns,
					      "hosts[%s].ports[%d] (port %u): first <= last_ns <= last",
					      want_ports[i].addr, j, want_ports[i].port);
				}
		memset(&k, 0, sizeof(k));
		k.src = a;
		k.port = want_ports[i].port;
		if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.ports), &k, &v)) {
			got += v.packets;
			places++;
		}
		CHECK(places == 1 && got == want_ports[i].packets,
		      "(%s, %u): %llu packets, in one place (got %llu in %d)", want_ports[i].addr,
		      want_ports[i].port, want_ports[i].packets, got, places);
	}
	fd = bpf_map__fd(skel->maps.ports);
	for (prev = NULL; !bpf_map_get_next_key(fd, prev, &next); prev = &k) {
		k = next;
		nkeys++;
	}
	memset(&k, 0, sizeof(k));
	mk_addr("198.18.0.7", &k.src);
	k.port = 53;
	CHECK(nkeys == 1 && !bpf_map_lookup_elem(fd, &k, &(struct xs_mon_port){ 0 }),
	      "ports map holds exactly the one port beyond the inline slots, (198.18.0.7, 53) (got %d keys)",
	      nkeys);

	fd = bpf_map__fd(skel->maps.hosts);
	mk_addr("198.18.0.7", &a);
	CHECK(!bpf_map_lookup_elem(fd, &a, &h) && h.packets == 7 && h.bytes == 5 * 54 + 58 + 42 &&
		      h.first_ns && h.last_ns >= h.first_ns,
	      "hosts[198.18.0.7]: 7 packets, %d bytes (5 tcp, 1 tagged, 1 udp), first <= last", 5 * 54 + 58 + 42);
	CHECK(h.first_ns >= t_before && h.last_ns <= t_after,
	      "hosts[198.18.0.7]: first/last seen on CLOCK_MONOTONIC between the coarse clock before "
	      "and the clock after the runs");
	mk_addr("198.18.0.8", &a);
	CHECK(!bpf_map_lookup_elem(fd, &a, &h) && h.packets == 2,
	      "hosts[198.18.0.8]: both fragments counted per host");
	mk_addr("198.18.0.9", &a);
	CHECK(!bpf_map_lookup_elem(fd, &a, &h) && h.packets == 1,
	      "hosts[198.18.0.9]: valid IP header with L4 past the end counts the host only");
	{
		const char *bad[] = { "198.18.0.66", "198.18.0.67", "198.18.0.68", "2001:2::99" };

		for (int i = 0; i < 4; i++) {
			mk_addr(bad[i], &a);
			CHECK(bpf_map_lookup_elem(fd, &a, &h) && errno == ENOENT,
			      "no host entry for malformed IP header from %s", bad[i]);
		}
	}

	per = calloc(ncpu, sizeof(*per));
	if (per && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.totals), &zero, per))
		for (int c = 0; c < ncpu; c++) {
			__u64 *d = (__u64 *)&t, *s = (__u64 *)&per[c];

			for (size_t f = 0; f < sizeof(t) / 8; f++)
				d[f] += s[f];
		}
	free(per);
	CHECK(t.packets == (unsigned)nframes, "totals.packets == %d (got %llu)", nframes,
	      (unsigned long long)t.packets);
	/* truncated IP, bad ihl, tot < ihl, v6 short header; ihl past end, short tcp x2, doff<5 */
	CHECK(t.malformed == 8, "totals.malformed == 8 (got %llu)", (unsigned long long)t.malformed);
	CHECK(t.fragments == 2, "totals.fragments == 2 (got %llu)", (unsigned long long)t.fragments);
	CHECK(t.non_ip == 1 && t.udp == 1 && t.tcp == 9 && t.ipv4 == 12 && t.ipv6 == 4,
	      "totals: non_ip 1, udp 1, tcp 9, ipv4 12, ipv6 4 (got %llu %llu %llu %llu %llu)",
	      (unsigned long long)t.non_ip, (unsigned long long)t.udp, (unsigned long long)t.tcp,
	      (unsigned long long)t.ipv4, (unsigned long long)t.ipv6);
	CHECK(t.host_inserts == 8 && t.port_inserts == 1, "inserts: 8 hosts, 1 port (got %llu, %llu)",
	      (unsigned long long)t.host_inserts, (unsigned long long)t.port_inserts);

	/* Same frames through the libpcap path's counter: same table. */
	for (prev = NULL, fd = bpf_map__fd(skel->maps.hosts); !bpf_map_get_next_key(fd, prev, &a);
	     prev = &a)
		if (!bpf_map_lookup_elem(fd, &a, &h))
			xs_mon_view_add_host(&xv, &a, &h);
	for (prev = NULL, fd = bpf_map__fd(skel->maps.ports); !bpf_map_get_next_key(fd, prev, &k);
	     prev = &k)
		xs_mon_view_add_port(&xv, &k);
	xs_mon_view_finish(&xv);
	pc = xs_mon_pcap_new_offline(1000, 64, 64);
	for (int i = 0; pc && i < nframes; i++)
		xs_mon_pcap_count(pc, frames[i].b, frames[i].len, frames[i].len, 1000 + i);
	if (pc)
		xs_mon_pcap_snapshot(pc, &pv);
	xt = text_of(&xv);
	pt = text_of(&pv);
	CHECK(xt && pt && !strcmp(xt, pt) &&
		      !strcmp(xt, "198.18.0.7 (22, 53, 80, 1000)\n198.18.0.8 (21)\n198.18.0.9\n"
				  "198.18.0.10\n198.18.0.11\n2001:2::7 (25, 443)\n2001:2::8\n2001:2::9\n"),
	      "XDP maps and the libpcap counter give the same, expected table");
	if (xt && pt && strcmp(xt, pt))
		printf("# xdp:\n%s# pcap:\n%s", xt, pt);
	free(xt);
	free(pt);
	xs_mon_view_free(&xv);
	xs_mon_view_free(&pv);
	xs_mon_pcap_close(pc);
	monitor_bpf__destroy(skel);
}

struct rec_ctx {
	int n;
	struct xs_cap_hdr hdr[16];
	unsigned char data[16][128];
};

static int on_rec(void *ctx, void *data, size_t size)
{
	struct rec_ctx *c = ctx;
	const struct xs_cap_hdr *h = data;

	if (c->n < 16 && size >= sizeof(*h)) {
		c->hdr[c->n] = *h;
		memcpy(c->data[c->n], h + 1, h->caplen < 128 ? h->caplen : 128);
	}
	c->n++;
	return 0;
}

static void cap_stats(struct capture_bpf *skel, struct xs_cap_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xs_cap_stats *per = calloc(ncpu, sizeof(*per));
	__u32 zero = 0;

	memset(sum, 0, sizeof(*sum));
	if (per && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &zero, per))
		for (int c = 0; c < ncpu; c++) {
			sum->seen += per[c].seen;
			sum->queued += per[c].queued;
			sum->ringbuf_full += per[c].ringbuf_full;
		}
	free(per);
}

static void test_capture(void)
{
	struct capture_bpf *skel = capture_bpf__open();
	struct rec_ctx *c = calloc(1, sizeof(*c));
	struct ring_buffer *rb;
	struct xs_cap_stats st;
	unsigned char big[1000];
	__u32 retval;
	int ok_runs = 1;

	if (!skel || !c) {
		CHECK(0, "capture skeleton opens");
		return;
	}
	skel->rodata->snaplen = 64;
	CHECK(!capture_bpf__load(skel), "capture program loads (snaplen 64)");
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_rec, c, NULL);
	/* frames[0]: 54 bytes (< snaplen); big: 1000 bytes (> snaplen). */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7 + 3);
	if (run(bpf_program__fd(skel->progs.xs_capture), frames[0].b, frames[0].len, &retval) ||
	    retval != XDP_PASS)
		ok_runs = 0;
	if (run(bpf_program__fd(skel->progs.xs_capture), big, sizeof(big), &retval) || retval != XDP_PASS)
		ok_runs = 0;
	CHECK(ok_runs, "capture returns XDP_PASS");
	if (rb)
		ring_buffer__consume(rb);
	CHECK(c->n == 2, "two ring buffer records (got %d)", c->n);
	CHECK(c->hdr[0].len == frames[0].len && c->hdr[0].caplen == frames[0].len &&
		      !memcmp(c->data[0], frames[0].b, frames[0].len) && c->hdr[0].ts_ns,
	      "record 1: len = caplen = %u, bytes identical, timestamp set", frames[0].len);
	CHECK(c->hdr[1].len == 1000 && c->hdr[1].caplen == 64 && !memcmp(c->data[1], big, 64),
	      "record 2: len 1000, caplen 64 (snaplen), first 64 bytes identical");
	cap_stats(skel, &st);
	CHECK(st.seen == 2 && st.queued == 2 && st.ringbuf_full == 0, "stats: seen 2, queued 2, full 0");
	ring_buffer__free(rb);
	capture_bpf__destroy(skel);

	/* A 4 KiB ring holds three ~1 KiB records: the rest must be counted as full. */
	skel = capture_bpf__open();
	if (!skel)
		return;
	bpf_map__set_max_entries(skel->maps.events, 4096);
	CHECK(!capture_bpf__load(skel), "capture program loads (4 KiB ring buffer)");
	for (int i = 0; i < 10; i++)
		run(bpf_program__fd(skel->progs.xs_capture), big, sizeof(big), &retval);
	memset(c, 0, sizeof(*c));
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_rec, c, NULL);
	if (rb)
		ring_buffer__consume(rb);
	cap_stats(skel, &st);
	CHECK(st.seen == 10 && st.ringbuf_full > 0 && st.queued + st.ringbuf_full == 10 &&
		      (int)st.queued == c->n,
	      "full ring buffer: %llu queued (= %d records read) + %llu counted full == 10",
	      (unsigned long long)st.queued, c->n, (unsigned long long)st.ringbuf_full);
	ring_buffer__free(rb);
	capture_bpf__destroy(skel);
	free(c);
}

/* Cost of one TCP/IPv4 packet through the monitor, repeated (informational, like
 * test_sweep's): where the live figure in bench/README comes apart from the program's own
 * work, the difference is the kernel path around it. */
static void test_speed(void)
{
	struct monitor_bpf *skel = monitor_bpf__open_and_load();
	struct frame *f = NULL;
	__u32 retval;

	for (int i = 0; i < nframes && !f; i++)
		if (frames[i].b[12] == 0x08 && frames[i].b[14 + 9] == 6 && frames[i].len >= 54)
			f = &frames[i];
	if (!skel || !f) {
		SKIP("monitor speed: no program or no TCP frame");
		monitor_bpf__destroy(skel);
		return;
	}
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b, .data_size_in = f->len, .repeat = 200000);
	if (!bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xs_monitor), &o)) {
		retval = o.retval;
		CHECK(retval == XDP_PASS, "monitor: %u repeated runs of one TCP packet all XDP_PASS", 200000u);
		printf("# BPF_PROG_TEST_RUN: %u ns per TCP packet through the monitor (%s)\n",
		       o.duration, f->name);
	}
	monitor_bpf__destroy(skel);
}

int main(void)
{
	if (geteuid()) {
		SKIP("BPF test-run needs root");
		return 0;
	}
	build_frames();
	test_monitor();
	test_capture();
	test_speed();
	UNIT_DONE();
}
