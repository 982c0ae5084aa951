/* test_route6.c - xs_route_get6(), xs_iface_ipv6() and xs_route_resolve_macs() for IPv6
 * (and the family of IPv4 routes) against the kernel's real tables.
 *
 * The expectations need the namespaces that tests/e2e/test-route6.sh builds, so in the
 * unit tier this program only prints "skip". The e2e script runs it inside its namespace,
 *   XS_ROUTE6_TEST=1 test_route6 CASE ARGS...
 * one case per call, the expected values as arguments:
 *   route DST IFNAME SRC GW|-   route to DST (IPv4 or IPv6): family, interface, source,
 *                               gateway (- = on-link) and next hop (GW, else DST)
 *   err DST ERRNO               the route lookup fails with -ERRNO (ENETUNREACH,
 *                               EHOSTUNREACH or EADDRNOTAVAIL)
 *   addr IFNAME ADDR|-          xs_iface_ipv6(): ADDR, or - for -EADDRNOTAVAIL
 *   mac DST SRC_MAC DST_MAC     xs_route_resolve_macs() on the route to DST
 *   nomac DST MS                a silent next hop: -ENOENT, after MS milliseconds
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "unit.h"
#include "net/route.h"

static const uint8_t zero16[16];

/* IPv4 or IPv6 text into a (IPv4 in the first 4 bytes); returns the family or 0. */
static int parse_ip(const char *s, uint8_t a[16])
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, a) == 1)
		return AF_INET6;
	return 0;
}

static int parse_mac(const char *s, uint8_t m[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
		      &m[5]) == 6 ? 0 : -1;
}

static int route_of(const char *dst, struct xs_route *rt)
{
	uint8_t a[16];
	uint32_t v4;

	switch (parse_ip(dst, a)) {
	case AF_INET:
		memcpy(&v4, a, 4);
		return xs_route_get(v4, rt);
	case AF_INET6:
		return xs_route_get6(a, rt);
	}
	fprintf(stderr, "test_route6: bad address '%s'\n", dst);
	exit(2);
}

/* The route's address field of its family equals want ("-": all zero). */
static int addr_is(const struct xs_route *rt, uint32_t v4, const uint8_t v6[16],
		   const char *want)
{
	uint8_t a[16];

	if (!strcmp(want, "-"))
		memset(a, 0, 16);
	else if (parse_ip(want, a) != rt->family)
		return 0;
	return rt->family == AF_INET ? !memcmp(&v4, a, 4) : !memcmp(v6, a, 16);
}

static void case_route(char **av)
{
	const char *dst = av[0], *ifname = av[1], *src = av[2], *gw = av[3];
	struct xs_route rt;
	int err = route_of(dst, &rt), v6 = strchr(dst, ':') != NULL;

	CHECK(err == 0, "route %s: found (%s)", dst, strerror(-err));
	CHECK(rt.family == (v6 ? AF_INET6 : AF_INET), "route %s: family %s", dst,
	      v6 ? "AF_INET6" : "AF_INET");
	CHECK(!strcmp(rt.ifname, ifname) && rt.ifindex == (int)if_nametoindex(ifname),
	      "route %s: interface %s (index %d), got %s (%d)", dst, ifname,
	      (int)if_nametoindex(ifname), rt.ifname, rt.ifindex);
	CHECK(addr_is(&rt, rt.src, rt.src6, src), "route %s: source %s", dst, src);
	CHECK(addr_is(&rt, rt.gateway, rt.gateway6, gw), "route %s: gateway %s", dst,
	      strcmp(gw, "-") ? gw : "none (on-link)");
	CHECK(addr_is(&rt, rt.nexthop, rt.nexthop6, strcmp(gw, "-") ? gw : dst),
	      "route %s: next hop %s", dst, strcmp(gw, "-") ? gw : dst);
	if (v6)
		CHECK(!rt.src && !rt.gateway && !rt.nexthop, "route %s: IPv4 fields zero", dst);
	else
		CHECK(!memcmp(rt.src6, zero16, 16) && !memcmp(rt.gateway6, zero16, 16) &&
		      !memcmp(rt.nexthop6, zero16, 16), "route %s: IPv6 fields zero", dst);
}

static void case_err(const char *dst, const char *name)
{
	static const struct {
		const char *name;
		int err;
	} errs[] = { { "ENETUNREACH", ENETUNREACH }, { "EHOSTUNREACH", EHOSTUNREACH },
		     { "EADDRNOTAVAIL", EADDRNOTAVAIL } };
	struct xs_route rt;
	int err = route_of(dst, &rt), want = 0;

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (!strcmp(name, errs[i].name))
			want = -errs[i].err;
	if (!want) {
		fprintf(stderr, "test_route6: unknown errno name '%s'\n", name);
		exit(2);
	}
	CHECK(err == want, "route %s: -%s (got %d, %s)", dst, name, err, strerror(-err));
}

static void case_addr(const char *ifname, const char *want)
{
	uint8_t got[16], exp[16];
	char buf[INET6_ADDRSTRLEN] = "-";
	int err = xs_iface_ipv6((int)if_nametoindex(ifname), got);

	if (!err)
		inet_ntop(AF_INET6, got, buf, sizeof(buf));
	if (!strcmp(want, "-"))
		CHECK(err == -EADDRNOTAVAIL, "xs_iface_ipv6 %s: no usable address (got %s)",
		      ifname, buf);
	else
		CHECK(!err && parse_ip(want, exp) == AF_INET6 && !memcmp(got, exp, 16),
		      "xs_iface_ipv6 %s: %s (got %s, %d)", ifname, want, buf, err);
}

static void case_mac(const char *dst, const char *src_mac, const char *dst_mac)
{
	uint8_t sm[6], dm[6];
	struct xs_route rt;
	int err = route_of(dst, &rt);

	if (parse_mac(src_mac, sm) || parse_mac(dst_mac, dm)) {
		fprintf(stderr, "test_route6: bad MAC\n");
		exit(2);
	}
	if (!err)
		err = xs_route_resolve_macs(&rt, 3000);
	CHECK(err == 0, "next hop of %s resolved (%s)", dst, strerror(-err));
	CHECK(!memcmp(rt.src_mac, sm, 6), "next hop of %s: source MAC %s", dst, src_mac);
	CHECK(!memcmp(rt.dst_mac, dm, 6) && !rt.is_loopback, "next hop of %s: MAC %s", dst,
	      dst_mac);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void case_nomac(const char *dst, int ms)
{
	struct xs_route rt;
	double t0, took;
	int err = route_of(dst, &rt);

	t0 = now_ms();
	if (!err)
		err = xs_route_resolve_macs(&rt, ms);
	took = now_ms() - t0;
	CHECK(err == -ENOENT, "silent next hop of %s: -ENOENT (got %d)", dst, err);
	CHECK(took >= ms && took < ms + 1000, "silent next hop of %s: gave up after %d ms (%.0f)",
	      dst, ms, took);
}

int main(int argc, char **argv)
{
	const char *env = getenv("XS_ROUTE6_TEST");
	const char *c = argc > 1 ? argv[1] : "";
	int n = argc - 2;

	if (!env || strcmp(env, "1")) {
		SKIP("route6: runs inside tests/e2e/test-route6.sh (XS_ROUTE6_TEST=1)");
		return 0;
	}
	if (!strcmp(c, "route") && n == 4)
		case_route(argv + 2);
	else if (!strcmp(c, "err") && n == 2)
		case_err(argv[2], argv[3]);
	else if (!strcmp(c, "addr") && n == 2)
		case_addr(argv[2], argv[3]);
	else if (!strcmp(c, "mac") && n == 3)
		case_mac(argv[2], argv[3], argv[4]);
	else if (!strcmp(c, "nomac") && n == 2)
		case_nomac(argv[2], atoi(argv[3]));
	else {
		fprintf(stderr, "test_route6: bad case (see the comment on top)\n");
		return 2;
	}
	UNIT_DONE();
}
