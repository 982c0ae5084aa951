/* targets.c - target parsing, merging, exclusion and index mapping (see targets.h). */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "scan/targets.h"
#include "util/parse.h"

#define V4(a) (XS_V4_MAPPED | (a))
#define U128_MAX (~(xs_u128)0)

/* Never a unicast host (sorted): the unspecified address and loopback, "this network",
 * IPv4 multicast, reserved and limited broadcast (also as IPv4-mapped IPv6, the same
 * numbers here), IPv6 multicast. */
static const struct xs_range never_unicast[] = {
	{ 0, 1 },				/* ::/128 and ::1/128 */
	{ V4(0x00000000u), V4(0x00ffffffu) },	/* 0.0.0.0/8 */
	{ V4(0xe0000000u), V4(0xffffffffu) },	/* 224.0.0.0/4 + 240.0.0.0/4 (255.255.255.255) */
	{ (xs_u128)0xff << 120, U128_MAX },	/* ff00::/8 */
};

static int push(struct xs_targets *t, xs_u128 lo, xs_u128 hi)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct xs_range *r = realloc(t->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		t->r = r;
		t->cap = cap;
	}
	t->r[t->n].lo = lo;
	t->r[t->n].hi = hi;
	t->n++;
	return 0;
}

/* A token whose last label starts with a digit is an address, never a host name (no
 * top-level domain does): "127.1" and "0x7f.1" must not reach the resolver, which
 * would take them as inet_aton forms. */
static bool looks_numeric(const char *s)
{
	const char *last = strrchr(s, '.');

	return isdigit((unsigned char)(last ? last[1] : s[0])) || strspn(s, "0123456789./-") == strlen(s);
}

/* Decimal 0..max without sign, blanks or a leading zero ("0" itself is fine). */
static int strict_uint(const char *s, unsigned max, unsigned *v)
{
	if (!isdigit((unsigned char)*s) || (s[0] == '0' && s[1]))
		return -EINVAL;
	return xs_parse_uint(s, 0, max, v);
}

static int resolve_host(struct xs_targets *t, const char *name, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res, *ai;
	int rc, added = 0;

	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "cannot resolve '%s': %s", name, gai_strerror(rc));
		return -EINVAL;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		struct xs_ip ip = ai->ai_family == AF_INET6 ?
			(struct xs_ip){ .family = XS_AF_INET6 } :
			xs_ip4(((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr);

		if (ai->ai_family == AF_INET6)
			memcpy(ip.addr, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
		if (push(t, xs_ip_u128(&ip), xs_ip_u128(&ip))) {
			freeaddrinfo(res);
			return -ENOMEM;
		}
		added++;
	}
	freeaddrinfo(res);
	return added ? 0 : -EINVAL;
}

static int bad_addr(const char *tok, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "bad target '%s': '%s' is not an IPv4 address", tok, what);
	return -EINVAL;
}

/* a.b.c.d/len: host bits set (198.18.0.5/16) means the network, as nmap and zmap do. */
static int add_cidr(struct xs_targets *t, const char *tok, char *addr, const char *len,
		    char *err, size_t errlen)
{
	uint32_t lo, mask;
	unsigned n;

	if (xs_parse_ipv4(addr, &lo))
		return bad_addr(tok, addr, err, errlen);
	if (strict_uint(len, 32, &n)) {
		snprintf(err, errlen, "bad target '%s': prefix length must be 0-32", tok);
		return -EINVAL;
	}
	mask = n ? ~0u << (32 - n) : 0;
	return push(t, V4(lo & mask), V4((lo & mask) | ~mask));
}

/* a.b.c.d-e.f.g.h, or the lab's short form a.b.c.d-h (ends at a.b.c.h). */
static int add_range(struct xs_targets *t, const char *tok, char *first, const char *last,
		     char *err, size_t errlen)
{
	uint32_t lo, hi;
	unsigned end;

	if (xs_parse_ipv4(first, &lo))
		return bad_addr(tok, first, err, errlen);
	if (strchr(last, '.')) {
		if (xs_parse_ipv4(last, &hi))
			return bad_addr(tok, last, err, errlen);
	} else if (strict_uint(last, 255, &end)) {
		snprintf(err, errlen, "bad target '%s': range end '%s' is not 0-255", tok, last);
		return -EINVAL;
	} else {
		hi = (lo & 0xffffff00u) | end;
	}
	if (hi < lo) {
		snprintf(err, errlen, "bad target '%s': range end is before its start", tok);
		return -EINVAL;
	}
	return push(t, V4(lo), V4(hi));
}

/* An IPv6 address (strict inet_pton; no zone id), as a number. */
static int parse6(const char *tok, const char *s, xs_u128 *v, char *err, size_t errlen)
{
	struct xs_ip ip = { .family = XS_AF_INET6 };

	if (strchr(s, '%')) {
		snprintf(err, errlen, "bad target '%s': a zone id (%%...) means nothing for a sweep "
			 "target", tok);
		return -EINVAL;
	}
	if (inet_pton(AF_INET6, s, ip.addr) != 1) {
		snprintf(err, errlen, "bad target '%s': '%s' is not an IPv6 address", tok, s);
		return -EINVAL;
	}
	*v = xs_ip_u128(&ip);
	return 0;
}

/* ADDR, ADDR/LEN (0-128) or ADDR-ADDR, IPv6. */
static int add6(struct xs_targets *t, const char *tok, char *buf, char *err, size_t errlen)
{
	char *p = strpbrk(buf, "/-");
	xs_u128 lo, hi, mask;
	unsigned n;
	char sep = p ? *p : 0;

	if (p)
		*p++ = '\0';
	if (parse6(tok, buf, &lo, err, errlen))
		return -EINVAL;
	if (sep == '/') {
		if (strict_uint(p, 128, &n)) {
			snprintf(err, errlen, "bad target '%s': prefix length must be 0-128", tok);
			return -EINVAL;
		}
		mask = n ? U128_MAX << (128 - n) : 0;
		return push(t, lo & mask, (lo & mask) | ~mask);
	}
	if (sep == '-') {
		if (parse6(tok, p, &hi, err, errlen))
			return -EINVAL;
		if (hi < lo) {
			snprintf(err, errlen, "bad target '%s': range end is before its start", tok);
			return -EINVAL;
		}
		return push(t, lo, hi);
	}
	return push(t, lo, lo);
}

int xs_targets_add(struct xs_targets *t, const char *tok, bool resolve, char *err, size_t errlen)
{
	char buf[256], *p;
	uint32_t a;

	if (!*tok || strlen(tok) >= sizeof(buf) || strpbrk(tok, " \t")) {
		snprintf(err, errlen, "bad target '%s'", tok);
		return -EINVAL;
	}
	strcpy(buf, tok);
	if (strchr(buf, ':'))
		return add6(t, tok, buf, err, errlen);
	if ((p = strchr(buf, '/'))) {
		*p++ = '\0';
		return add_cidr(t, tok, buf, p, err, errlen);
	}
	if ((p = strchr(buf, '-')) && looks_numeric(buf)) {
		*p++ = '\0';
		return add_range(t, tok, buf, p, err, errlen);
	}
	if (!xs_parse_ipv4(buf, &a))
		return push(t, V4(a), V4(a));
	if (looks_numeric(buf) || !resolve) {
		snprintf(err, errlen, "bad target '%s': not an IPv4 address%s", tok,
			 resolve ? "" : ", range or CIDR");
		return -EINVAL;
	}
	return resolve_host(t, buf, err, errlen);
}

int xs_targets_add_file(struct xs_targets *t, const char *path, bool resolve, char *err,
			size_t errlen)
{
	char line[512], msg[384];
	int lineno = 0, added = 0, rc = 0;
	bool in = !strcmp(path, "-");	/* fping's -f -: standard input */
	FILE *f = in ? stdin : fopen(path, "r");

	if (!f) {
		snprintf(err, errlen, "cannot open target file '%s': %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e;

		lineno++;
		if ((e = strchr(s, '#')))
			*e = '\0';
		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (!*s)
			continue;
		rc = xs_targets_add(t, s, resolve, msg, sizeof(msg));
		if (rc) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
			break;
		}
		added++;
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "cannot read target file '%s': %s", path, strerror(errno));
		rc = -EIO;
	}
	if (!in)
		fclose(f);
	if (!rc && !added) {
		snprintf(err, errlen, "target file '%s' has no targets", path);
		rc = -EINVAL;
	}
	return rc;
}

static int cmp_range(const void *a, const void *b)
{
	const struct xs_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge overlapping or adjacent ranges in place. */
static void normalize(struct xs_targets *t)
{
	size_t out = 0;

	if (!t->n)
		return;
	qsort(t->r, t->n, sizeof(*t->r), cmp_range);
	for (size_t i = 1; i < t->n; i++) {
		struct xs_range *last = &t->r[out];

		if (t->r[i].lo <= last->hi || (last->hi != U128_MAX && t->r[i].lo == last->hi + 1)) {
			if (t->r[i].hi > last->hi)
				last->hi = t->r[i].hi;
		} else {
			t->r[++out] = t->r[i];
		}
	}
	t->n = out + 1;
}

/* Addresses in range i, saturated at 2^64 - 1 (a sweep is capped far below that). */
static uint64_t range_size(const struct xs_range *r)
{
	xs_u128 n = r->hi - r->lo;

	return n >= UINT64_MAX ? UINT64_MAX : (uint64_t)n + 1;
}

static uint64_t count(const struct xs_targets *t)
{
	uint64_t c = 0;

	for (size_t i = 0; i < t->n; i++) {
		uint64_t n = range_size(&t->r[i]);

		c = c > UINT64_MAX - n ? UINT64_MAX : c + n;
	}
	return c;
}

/* t -= x (both normalized). */
static int subtract(struct xs_targets *t, const struct xs_range *x, size_t nx)
{
	struct xs_targets out = { 0 };
	size_t j = 0;

	for (size_t i = 0; i < t->n; i++) {
		xs_u128 lo = t->r[i].lo, hi = t->r[i].hi;
		bool left = true;

		while (j < nx && x[j].hi < lo)
			j++;
		for (size_t k = j; k < nx && x[k].lo <= hi && left; k++) {
			if (x[k].lo > lo && push(&out, lo, x[k].lo - 1))
				goto nomem;
			left = x[k].hi < hi;
			lo = x[k].hi + 1;
		}
		if (left && lo <= hi && push(&out, lo, hi))
			goto nomem;
	}
	free(t->r);
	t->r = out.r;
	t->n = out.n;
	t->cap = out.cap;
	return 0;
nomem:
	free(out.r);
	return -ENOMEM;
}

int xs_targets_finalize(struct xs_targets *t, const struct xs_targets *excl, uint64_t *reserved)
{
	uint64_t before, acc = 0;
	int err;

	normalize(t);
	if (excl && excl->n) {
		struct xs_targets e = { 0 };

		for (size_t i = 0; i < excl->n; i++)
			if ((err = push(&e, excl->r[i].lo, excl->r[i].hi))) {
				free(e.r);
				return err;
			}
		normalize(&e);
		err = subtract(t, e.r, e.n);
		free(e.r);
		if (err)
			return err;
	}
	before = count(t);
	err = subtract(t, never_unicast, sizeof(never_unicast) / sizeof(never_unicast[0]));
	if (err)
		return err;
	t->total = count(t);
	if (reserved)
		*reserved = before - t->total;

	free(t->start);
	t->start = malloc((t->n + 1) * sizeof(*t->start));
	if (!t->start)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		t->start[i] = acc;
		acc += range_size(&t->r[i]);
	}
	t->start[t->n] = acc;
	return 0;
}

struct xs_ip xs_targets_addr(const struct xs_targets *t, uint64_t idx)
{
	size_t lo = 0, hi = t->n;

	/* Find the last range whose start <= idx. */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (t->start[mid] <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return xs_ip_from_u128(t->r[lo].lo + (idx - t->start[lo]));
}

bool xs_targets_index(const struct xs_targets *t, const struct xs_ip *ip, uint64_t *idx)
{
	xs_u128 addr = xs_ip_u128(ip);
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->r[mid].hi < addr)
			lo = mid + 1;
		else if (t->r[mid].lo > addr)
			hi = mid;
		else {
			*idx = t->start[mid] + (uint64_t)(addr - t->r[mid].lo);
			return true;
		}
	}
	return false;
}

void xs_targets_free(struct xs_targets *t)
{
	free(t->r);
	free(t->start);
	memset(t, 0, sizeof(*t));
}
