/* fuzz_validate.c - libFuzzer target: the sweep's reply validator (xs_sweep_validate,
 * include/sweep_validate.h: the inline the XDP program runs, built for userspace as the
 * libpcap path uses it, on an aligned copy of the frame).
 *
 * Input byte 0: bit 0 the probe type (ICMP echo, TCP SYN), bits 1-2 the round; the rest
 * is an Ethernet frame (IPv4 or IPv6). Every verdict must be one of enum xs_verdict, and
 * a valid reply must name the frame's own source address.
 *
 * Seeds: XS_FUZZ_WRITE_SEEDS=DIR writes genuine replies (built by the probe modules,
 * then turned around: addresses and ports swapped, echo reply or SYN-ACK/RST+ACK,
 * checksums) for the fixed key below into DIR and exits. XS_FUZZ_PRINT=1 prints each
 * input's verdict (to check seeds: fuzz_validate FILE...).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "net/icmp.h"
#include "probe/probe.h"
#include "recv/recv.h"
#include "scan/addr.h"
#include "sweep_validate.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int print_verdicts;
static const uint8_t OUR6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

static struct xs_vcfg vcfg(unsigned probe)
{
	struct xs_vcfg c = { .key = { 0x01234567, 0x89abcdef }, .src4 = htonl(0xc0000201),
			     .probe = probe, .sport_lo = 32768, .sport_n = 28232 };

	memcpy(c.src6, OUR6, 16);
	return c;
}

static void swap(uint8_t *a, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t x = a[i];

		a[i] = b[i];
		b[i] = x;
	}
}

/* Turn the probe frame f (n bytes) into the reply a target sends; tcp_flags 0: ICMP. */
static void reflect(uint8_t *f, unsigned n, uint8_t tcp_flags)
{
	int v6 = f[12] == 0x86;
	uint8_t *ip = f + 14, *l4 = ip + (v6 ? 40 : 20), ph[40] = { 0 };
	unsigned alen = v6 ? 16 : 4, soff = v6 ? 8 : 12, l4len = n - (unsigned)(l4 - f);
	uint32_t seq;
	uint16_t c;

	swap(f, f + 6, 6);
	swap(ip + soff, ip + soff + alen, alen);
	if (tcp_flags) {
		memcpy(&seq, l4 + 4, 4);
		seq = htonl(ntohl(seq) + 1);
		swap(l4, l4 + 2, 2);
		memcpy(l4 + 8, &seq, 4);
		memset(l4 + 4, 0x5a, 4);
		l4[13] = tcp_flags;
	} else {
		l4[0] = v6 ? 129 : 0;
	}
	memset(l4 + (tcp_flags ? 16 : 2), 0, 2);
	if (!v6 && !tcp_flags) {
		c = xs_csum(l4, l4len);
	} else {
		memcpy(ph, ip + soff, 2 * alen);
		ph[2 * alen + (v6 ? 2 : 2)] = (uint8_t)(l4len >> 8);
		ph[2 * alen + (v6 ? 3 : 3)] = (uint8_t)l4len;
		ph[2 * alen + (v6 ? 7 : 1)] = v6 ? (tcp_flags ? 6 : 58) : 6;
		c = xs_csum_fold(xs_csum_partial(l4, l4len, xs_csum_partial(ph, v6 ? 40 : 12, 0)));
	}
	memcpy(l4 + (tcp_flags ? 16 : 2), &c, 2);
}

struct seed {
	const char *name;
	unsigned probe, round, attempt, v6, fuzz_round;
	uint8_t tcp_flags;
};

static void write_seed(const char *dir, const struct seed *s)
{
	struct xs_probe p = { .v = vcfg(s->probe), .src_mac = { 2, 0, 0, 0, 0, 1 },
			      .dst_mac = { 2, 0, 0, 0, 0, 2 }, .src_mac6 = { 2, 0, 0, 0, 0, 1 },
			      .dst_mac6 = { 2, 0, 0, 0, 0, 2 }, .ttl = 64, .round = s->round,
			      .attempt = s->attempt };
	struct xs_target t = { .ip = xs_ip4(htonl(0xc6120007)), .port = 80 };
	uint8_t buf[1 + XS_PROBE_MAX_FRAME];
	char path[512];
	unsigned n;
	FILE *f;

	p.m = xs_probe_find(s->probe == XS_PROBE_TCP_SYN ? "tcp-syn" : "icmp");
	if (s->v6) {
		t.ip.family = XS_AF_INET6;
		memcpy(t.ip.addr, (const uint8_t[16]){ 0x20, 0x01, 0, 2, [15] = 7 }, 16);
	}
	p.m->build(&p);
	n = p.m->fill(&p, buf + 1, &t, 123456789, false);
	reflect(buf + 1, n, s->tcp_flags);
	buf[0] = (uint8_t)((s->probe == XS_PROBE_TCP_SYN) | s->fuzz_round << 1);
	snprintf(path, sizeof(path), "%s/%s", dir, s->name);
	if (!(f = fopen(path, "w")) || fwrite(buf, 1, n + 1, f) != n + 1 || fclose(f))
		abort();
}

static void write_seeds(const char *dir)
{
	static const struct seed seeds[] = {
		{ "icmp4-valid", XS_PROBE_ICMP_ECHO, 0, 0, 0, 0, 0 },
		{ "icmp4-retry-round1", XS_PROBE_ICMP_ECHO, 1, 2, 0, 1, 0 },
		{ "icmp4-late", XS_PROBE_ICMP_ECHO, 1, 0, 0, 2, 0 },
		{ "icmp6-valid", XS_PROBE_ICMP_ECHO, 0, 0, 1, 0, 0 },
		{ "icmp6-retry-round2", XS_PROBE_ICMP_ECHO, 2, 1, 1, 2, 0 },
		{ "tcp4-open", XS_PROBE_TCP_SYN, 0, 0, 0, 0, XS_TCP_SYN | XS_TCP_ACK },
		{ "tcp4-closed-round1", XS_PROBE_TCP_SYN, 1, 1, 0, 1, XS_TCP_RST | XS_TCP_ACK },
		{ "tcp6-open", XS_PROBE_TCP_SYN, 0, 0, 1, 0, XS_TCP_SYN | XS_TCP_ACK },
		{ "tcp6-late", XS_PROBE_TCP_SYN, 2, 0, 1, 3, XS_TCP_SYN | XS_TCP_ACK },
	};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		write_seed(dir, &seeds[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("XS_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	print_verdicts = getenv("XS_FUZZ_PRINT") != NULL;
	if (dir) {
		write_seeds(dir);
		exit(0);
	}
	return 0;
}

/* A valid reply names the frame's source address (IPv4 at 26, IPv6 at 22). */
static void check_valid(const unsigned char *f, const struct xs_reply *r)
{
	if (r->t.ip.family == XS_AF_INET && f[12] == 0x08 && !memcmp(r->t.ip.addr, f + 26, 4))
		return;
	if (r->t.ip.family == XS_AF_INET6 && f[12] == 0x86 && !memcmp(r->t.ip.addr, f + 22, 16))
		return;
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xs_frame_copy fc;
	struct xs_vcfg c;
	struct xs_reply r;
	const unsigned char *f;
	size_t len;
	int v;

	if (!size)
		return 0;
	c = vcfg(data[0] & 1 ? XS_PROBE_TCP_SYN : XS_PROBE_ICMP_ECHO);
	len = size - 1;
	f = xs_frame_align(&fc, data + 1, &len);
	v = xs_sweep_validate(f, f + len, &c, (data[0] >> 1) & 3, &r);
	if (v < XS_V_NOT_OURS || v > XS_V_VALID)
		abort();
	if (v == XS_V_VALID)
		check_valid(f, &r);
	if (print_verdicts)
		printf("verdict %d (0 not ours .. 5 valid)\n", v);
	return 0;
}
