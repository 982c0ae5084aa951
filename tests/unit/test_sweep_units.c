/* test_sweep_units.c - target parsing, exclusions, index mapping, the probe cookie and the
 * probe bytes of `xsweep sweep`. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "halfsiphash.h"
#include "net/icmp.h"
#include "probe/probe.h"
#include "util/parse.h"
#include "scan/targets.h"
#include "unit.h"
#include "xsweep.h"

static uint32_t A(const char *s)
{
	uint32_t a = 0;

	xs_parse_ipv4(s, &a);
	return a;
}

/* The address at index i, host order (every target here is IPv4). */
static uint32_t addr_at(const struct xs_targets *t, uint64_t i)
{
	struct xs_ip ip = xs_targets_addr(t, i);

	return ip.family == XS_AF_INET ? ntohl(xs_ip4_addr(&ip)) : 0;
}

static bool index_of(const struct xs_targets *t, uint32_t a, uint64_t *idx)
{
	struct xs_ip ip = xs_ip4(htonl(a));

	return xs_targets_index(t, &ip, idx);
}

/* Parse tokens, finalize with optional exclusions; returns 0 or the first error. */
static int build(struct xs_targets *t, const char *const *toks, const char *const *excl, char *err)
{
	struct xs_targets e = { 0 };
	int rc = 0;

	memset(t, 0, sizeof(*t));
	for (; *toks && !rc; toks++)
		rc = xs_targets_add(t, *toks, false, err, 256);
	for (; excl && *excl && !rc; excl++)
		rc = xs_targets_add(&e, *excl, false, err, 256);
	if (!rc)
		rc = xs_targets_finalize(t, &e, NULL);
	xs_targets_free(&e);
	return rc;
}

static void test_syntax(void)
{
	struct xs_targets t;
	char err[256];

	CHECK(!build(&t, (const char *[]){ "198.18.0.0/16", NULL }, NULL, err) && t.total == 65536,
	      "CIDR /16 has 65536 addresses");
	xs_targets_free(&t);
	CHECK(!build(&t, (const char *[]){ "198.18.0.5/30", NULL }, NULL, err) && t.total == 4 &&
		      addr_at(&t, 0) == A("198.18.0.4"),
	      "CIDR with host bits set means its network");
	xs_targets_free(&t);
	CHECK(!build(&t, (const char *[]){ "198.18.0.2-4", NULL }, NULL, err) && t.total == 3 &&
		      addr_at(&t, 2) == A("198.18.0.4"),
	      "lab short range 198.18.0.2-4 is 3 addresses ending at .4");
	xs_targets_free(&t);
	CHECK(!build(&t, (const char *[]){ "198.18.0.2-198.18.3.7", NULL }, NULL, err) &&
		      t.total == 3 * 256 + 6,
	      "full range 198.18.0.2-198.18.3.7 has 774 addresses");
	xs_targets_free(&t);
	CHECK(!build(&t, (const char *[]){ "198.18.0.9", NULL }, NULL, err) && t.total == 1,
	      "single address");
	xs_targets_free(&t);
	CHECK(!build(&t, (const char *[]){ "198.18.0.0/24", "198.18.0.128/25", "198.18.0.7",
					   "198.18.1.0-3", "198.18.0.255-198.18.1.1", NULL },
		     NULL, err) && t.total == 260 && t.n == 1,
	      "duplicates, overlaps and adjacency merge: 260 addresses in one range");
	xs_targets_free(&t);
	CHECK(!build(&t, (const char *[]){ "0.0.0.0/0", NULL }, NULL, err) &&
		      t.total == (1ull << 32) - (1ull << 24) - (1ull << 28) * 2,
	      "0/0 minus 0/8, 224/4 and 240/4");
	xs_targets_free(&t);
	CHECK(!build(&t, (const char *[]){ "255.255.255.255", "198.18.0.1", "224.0.0.1", NULL },
		     NULL, err) && t.total == 1,
	      "broadcast and multicast are always skipped");
	xs_targets_free(&t);
}

static void test_bad(void)
{
	static const struct {
		const char *tok, *msg;
	} bad[] = {
		{ "198.18.0.300", "bad target '198.18.0.300': not an IPv4 address, range or CIDR" },
		{ "198.18.0.4/33", "bad target '198.18.0.4/33': prefix length must be 0-32" },
		{ "198.18.0.4/", "bad target '198.18.0.4/': prefix length must be 0-32" },
		{ "198.18.0.9-3", "bad target '198.18.0.9-3': range end is before its start" },
		{ "198.18.3.0-198.18.0.1", "bad target '198.18.3.0-198.18.0.1': range end is before its start" },
		{ "198.18.0.1-256", "bad target '198.18.0.1-256': range end '256' is not 0-255" },
		{ "198.18.0", "bad target '198.18.0': not an IPv4 address, range or CIDR" },
		{ "198.18.0.1.2", "bad target '198.18.0.1.2': not an IPv4 address, range or CIDR" },
		{ "0198.18.0.1", "bad target '0198.18.0.1': not an IPv4 address, range or CIDR" },
		{ "", "bad target ''" },
		{ "x/8", "bad target 'x/8': 'x' is not an IPv4 address" },
		{ "198.18.0.0/-0", "bad target '198.18.0.0/-0': prefix length must be 0-32" },
		{ "198.18.0.0/+0", "bad target '198.18.0.0/+0': prefix length must be 0-32" },
		{ "198.18.0.0/+30", "bad target '198.18.0.0/+30': prefix length must be 0-32" },
		{ "198.18.0.0/030", "bad target '198.18.0.0/030': prefix length must be 0-32" },
		{ "198.18.0.0/ 30", "bad target '198.18.0.0/ 30'" },
		{ "198.18.0.010", "bad target '198.18.0.010': not an IPv4 address, range or CIDR" },
		{ "198.18.0.1-07", "bad target '198.18.0.1-07': range end '07' is not 0-255" },
		{ "2001:2::/129", "bad target '2001:2::/129': prefix length must be 0-128" },
		{ "2001:2::/+64", "bad target '2001:2::/+64': prefix length must be 0-128" },
		{ "fe80::1%eth0", "bad target 'fe80::1%eth0': a zone id (%...) means nothing for a "
				  "sweep target" },
		{ "2001:2::g", "bad target '2001:2::g': '2001:2::g' is not an IPv6 address" },
		{ "2001:2:::1", "bad target '2001:2:::1': '2001:2:::1' is not an IPv6 address" },
		{ "2001:2::9-2001:2::1", "bad target '2001:2::9-2001:2::1': range end is before its "
					 "start" },
	};
	struct xs_targets t = { 0 };
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = xs_targets_add(&t, bad[i].tok, false, err, sizeof(err));

		CHECK(rc == -EINVAL && !strcmp(err, bad[i].msg), "rejects '%s' with: %s", bad[i].tok,
		      bad[i].msg);
		if (rc != -EINVAL || strcmp(err, bad[i].msg))
			printf("# got: %s\n", err);
	}
	xs_targets_free(&t);
	/* inet_aton forms never reach the resolver, even where names are allowed. */
	CHECK(xs_targets_add(&t, "0x7f.1", true, err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "bad target '0x7f.1': not an IPv4 address"),
	      "0x7f.1 is refused as an address, not resolved: %s", err);
	CHECK(xs_targets_add(&t, "127.1", true, err, sizeof(err)) == -EINVAL,
	      "127.1 is refused as an address, not resolved: %s", err);
	CHECK(xs_targets_add(&t, "0x7f000001", true, err, sizeof(err)) == -EINVAL,
	      "0x7f000001 is refused as an address, not resolved: %s", err);
	xs_targets_free(&t);
}

static void test_files(void)
{
	char path[] = "/tmp/xs-targets-XXXXXX", err[512];
	struct xs_targets t = { 0 };
	FILE *f;
	int fd;

	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fprintf(f, "# lab targets\n198.18.0.0/30   # four\n\n  198.18.0.10\n198.18.0.2\n");
	fclose(f);
	CHECK(!xs_targets_add_file(&t, path, false, err, sizeof(err)) &&
		      !xs_targets_finalize(&t, NULL, NULL) && t.total == 5,
	      "file: comments, blanks and duplicates handled (5 addresses)");
	xs_targets_free(&t);

	f = fopen(path, "w");
	fprintf(f, "198.18.0.1\n# ok\n198.18.0.999\n");
	fclose(f);
	CHECK(xs_targets_add_file(&t, path, false, err, sizeof(err)) == -EINVAL &&
		      strstr(err, ":3: bad target '198.18.0.999'"),
	      "file: bad line names the file, the line number and the token");
	xs_targets_free(&t);

	f = fopen(path, "w");
	fprintf(f, "# nothing here\n\n");
	fclose(f);
	CHECK(xs_targets_add_file(&t, path, false, err, sizeof(err)) == -EINVAL &&
		      strstr(err, "has no targets"),
	      "file: empty file is an error");
	xs_targets_free(&t);
	unlink(path);
	CHECK(xs_targets_add_file(&t, path, false, err, sizeof(err)) < 0 && strstr(err, "cannot open"),
	      "file: missing file is an error");
	xs_targets_free(&t);
	CHECK(xs_targets_add_file(&t, "/tmp", false, err, sizeof(err)) < 0 &&
	      strstr(err, "cannot read target file '/tmp'"),
	      "a directory is not a target file: %s", err);
	xs_targets_free(&t);
}

static void test_ipv6(void)
{
	struct xs_targets t;
	char err[256], a[XS_IP_STRLEN];
	struct xs_ip ip;
	uint64_t idx;

	CHECK(!build(&t, (const char *[]){ "2001:2::/112", NULL }, NULL, err) && t.total == 65536,
	      "IPv6 CIDR /112 has 65536 addresses");
	ip = xs_targets_addr(&t, 65535);
	CHECK(ip.family == XS_AF_INET6 && !strcmp(xs_ip_str(&ip, a, sizeof(a)), "2001:2::ffff"),
	      "IPv6 index -> address in RFC 5952 form: %s", a);
	CHECK(xs_targets_index(&t, &ip, &idx) && idx == 65535, "IPv6 address -> index");
	xs_targets_free(&t);
	CHECK(!build(&t, (const char *[]){ "2001:2::1-2001:2::ff", "198.18.0.0/30",
					   "2001:2:0:0:0:0:0:7", NULL },
		     (const char *[]){ "2001:2::10/124", NULL }, err) && t.total == 255 - 16 + 4,
	      "IPv4 and IPv6 mixed, overlaps merged, an IPv6 exclusion applied (%llu)",
	      (unsigned long long)t.total);
	ip = xs_targets_addr(&t, 0);
	CHECK(ip.family == XS_AF_INET && ntohl(xs_ip4_addr(&ip)) == A("198.18.0.0"),
	      "IPv4 addresses sort before IPv6 ones (IPv4-mapped space)");
	xs_targets_free(&t);
	CHECK(!build(&t, (const char *[]){ "::/127", "ff02::1", "2001:2::5", NULL }, NULL, err) &&
	      t.total == 1, "::, ::1 and ff00::/8 are never hosts");
	xs_targets_free(&t);
	CHECK(!build(&t, (const char *[]){ "::ffff:198.18.0.7", NULL }, NULL, err) && t.total == 1 &&
	      xs_targets_addr(&t, 0).family == XS_AF_INET,
	      "an IPv4-mapped IPv6 address is that IPv4 address");
	xs_targets_free(&t);
	CHECK(!build(&t, (const char *[]){ "::ffff:224.0.0.0/100", NULL }, NULL, err) && t.total == 0,
	      "IPv4 multicast written IPv4-mapped is never a host");
	xs_targets_free(&t);
}

static void test_exclusions_and_index(void)
{
	struct xs_targets t;
	char err[256];
	uint64_t idx;
	int ok = 1;

	CHECK(!build(&t, (const char *[]){ "198.18.0.0/24", NULL },
		     (const char *[]){ "198.18.0.0/28", "198.18.0.100-110", "198.18.0.255", NULL }, err) &&
		      t.total == 256 - 16 - 11 - 1 && t.n == 2,
	      "exclusions cut ranges at both ends and in the middle");
	CHECK(!index_of(&t, A("198.18.0.5"), &idx) && !index_of(&t, A("198.18.0.105"), &idx),
	      "excluded addresses have no index");
	for (uint64_t i = 0; i < t.total; i++) {
		struct xs_ip a = xs_targets_addr(&t, i);

		if (a.family != XS_AF_INET || !xs_targets_index(&t, &a, &idx) || idx != i)
			ok = 0;
	}
	CHECK(ok, "index -> address -> index round trip over every target");
	xs_targets_free(&t);
	CHECK(!build(&t, (const char *[]){ "198.18.0.0/24", NULL }, (const char *[]){ "198.18.0.0/23", NULL },
		     err) && t.total == 0,
	      "excluding everything leaves nothing");
	xs_targets_free(&t);
}

static void test_cookie(void)
{
	/* HalfSipHash-2-4, 32-bit tag, key 00..07, message 00..0b: the reference vector. */
	uint32_t v = xs_halfsiphash3(0x03020100u, 0x07060504u, 0x03020100u, 0x07060504u, 0x0b0a0908u);
	const uint32_t key[2] = { 0x01234567u, 0x89abcdefu };
	uint32_t base = xs_cookie(key, 0x0a000001u, 0x0a000002u, XS_PROBE_ICMP_ECHO, 0, 0);
	int changed = 1;

	CHECK(v == 0x2f87f057u, "HalfSipHash-2-4 matches the reference test vector (0x%08x)", v);
	for (int bit = 0; bit < 32; bit++) {
		const uint32_t k2[2] = { key[0] ^ (1u << bit), key[1] };
		const uint32_t k3[2] = { key[0], key[1] ^ (1u << bit) };

		changed &= xs_cookie(key, 0x0a000001u ^ (1u << bit), 0x0a000002u, 1, 0, 0) != base;
		changed &= xs_cookie(key, 0x0a000001u, 0x0a000002u ^ (1u << bit), 1, 0, 0) != base;
		changed &= xs_cookie(k2, 0x0a000001u, 0x0a000002u, 1, 0, 0) != base;
		changed &= xs_cookie(k3, 0x0a000001u, 0x0a000002u, 1, 0, 0) != base;
		if (bit < 16)
			changed &= xs_cookie(key, 0x0a000001u, 0x0a000002u, 1, 1u << bit, 0) != base;
		if (bit < 8) {
			changed &= xs_cookie(key, 0x0a000001u, 0x0a000002u, 1, 0, 1u << bit) != base;
			changed &= xs_cookie(key, 0x0a000001u, 0x0a000002u, 1u ^ (1u << bit), 0, 0) != base;
		}
	}
	CHECK(changed, "a changed bit in target, source, key, probe type, round or attempt changes the cookie");
}

static void test_probe_bytes(void)
{
	const struct xs_probe_module *m = xs_probe_find("icmp");
	struct xs_probe p = { .m = m, .v = { .key = { 1, 2 }, .probe = XS_PROBE_ICMP_ECHO },
			      .ttl = 64, .src_mac = { 2, 0, 0, 0, 0, 1 },
			      .dst_mac = { 2, 0, 0, 0, 0, 2 } };
	uint8_t buf[XS_PROBE_MAX_FRAME];
	uint32_t dst = htonl(A("198.18.0.7")), cookie, tgt, magic;
	struct xs_target t = { .ip = xs_ip4(dst) };
	uint16_t id, seq;
	unsigned len;

	CHECK(m && m == xs_probe_modules[0] && m->type == XS_PROBE_ICMP_ECHO,
	      "registry: icmp is the first (default) probe module");
	p.v.src4 = htonl(A("192.0.2.1"));
	m->build(&p);
	len = m->fill(&p, buf, &t, 123456789ull, false);
	cookie = m->cookie(&p, &t);
	memcpy(&id, buf + 14 + 20 + 4, 2);
	memcpy(&seq, buf + 14 + 20 + 6, 2);
	memcpy(&magic, buf + 14 + 28, 4);
	memcpy(&tgt, buf + 14 + 32, 4);
	CHECK(len == 14 + 20 + 8 + 24, "probe: frame length %u", len);
	CHECK(!memcmp(buf, p.dst_mac, 6) && !memcmp(buf + 6, p.src_mac, 6) && buf[12] == 8 &&
		      buf[13] == 0,
	      "probe: Ethernet header");
	CHECK(buf[14] == 0x45 && buf[14 + 9] == 1 && buf[14 + 8] == 64 && !memcmp(buf + 14 + 16, &dst, 4) &&
		      !memcmp(buf + 14 + 12, &p.v.src4, 4),
	      "probe: IPv4 header fields");
	CHECK(xs_csum(buf + 14, 20) == 0, "probe: IPv4 checksum verifies");
	CHECK(buf[14 + 20] == 8 && xs_csum(buf + 14 + 20, 32) == 0, "probe: ICMP echo checksum verifies");
	CHECK(((uint32_t)ntohs(id) << 16 | ntohs(seq)) == cookie &&
		      cookie == xs_cookie(p.v.key, dst, p.v.src4, XS_PROBE_ICMP_ECHO, 0, 0),
	      "probe: id/seq carry the cookie over (target, source)");
	CHECK(ntohl(magic) == XS_PAYLOAD_MAGIC && tgt == dst, "probe: payload carries magic and target");
	len = m->fill(&p, buf, &t, 0, true);
	CHECK(len == 20 + 8 + 24 && buf[0] == 0x45 && xs_csum(buf, 20) == 0,
	      "probe: raw-socket form starts at the IP header");
}

static void test_duration(void)
{
	double d;

	CHECK(!xs_parse_duration("10s", &d) && d == 10, "duration 10s");
	CHECK(!xs_parse_duration("500ms", &d) && d == 0.5, "duration 500ms");
	CHECK(!xs_parse_duration("2m", &d) && d == 120, "duration 2m");
	CHECK(!xs_parse_duration("0", &d) && d == 0, "duration 0");
	CHECK(xs_parse_duration("-1", &d) && xs_parse_duration("5x", &d) && xs_parse_duration("", &d),
	      "bad durations rejected");
}

int main(void)
{
	test_syntax();
	test_bad();
	test_files();
	test_exclusions_and_index();
	test_ipv6();
	test_cookie();
	test_probe_bytes();
	test_duration();
	UNIT_DONE();
}
