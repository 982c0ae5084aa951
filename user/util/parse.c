/* parse.c - numeric option values: one syntax, one set of limits (see parse.h). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int xs_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int xs_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v;
	int err = xs_parse_u64(s, min, max, &v);

	if (!err)
		*out = (unsigned)v;
	return err;
}

/* A decimal number with optional fraction and exponent; *end is what follows it.
 * The first character must be a digit or '.': no sign, blank, nan, inf or hex.
 */
static int parse_real(const char *s, double *v, const char **end)
{
	char *e;

	if (!s || !(is_digit(*s) || (*s == '.' && is_digit(s[1]))))
		return -EINVAL;
	if (strchr(s, 'x') || strchr(s, 'X'))
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &e);
	if (e == s)
		return -EINVAL;
	if (errno == ERANGE || !isfinite(*v))
		return -ERANGE;
	*end = e;
	return 0;
}

int xs_parse_duration(const char *s, double *secs)
{
	const char *end;
	double v;
	int err;

	err = parse_real(s, &v, &end);
	if (err)
		return err;
	if (!*end || !strcmp(end, "s"))
		;
	else if (!strcmp(end, "ms"))
		v /= 1000;
	else if (!strcmp(end, "m"))
		v *= 60;
	else if (!strcmp(end, "h"))
		v *= 3600;
	else
		return -EINVAL;
	if (!isfinite(v) || v < 0 || v > XS_DURATION_MAX_S)
		return -ERANGE;
	*secs = v;
	return 0;
}

int xs_parse_rate(const char *s, double *pps)
{
	const char *end;
	double v;
	int err;

	if (s && !strcmp(s, "max")) {
		*pps = 0;
		return 0;
	}
	err = parse_real(s, &v, &end);
	if (err)
		return err;
	if (!strcmp(end, "k") || !strcmp(end, "K"))
		v *= 1e3;
	else if (!strcmp(end, "M") || !strcmp(end, "m"))
		v *= 1e6;
	else if (*end)
		return -EINVAL;
	if (!isfinite(v) || v < XS_RATE_MIN || v > XS_RATE_MAX)
		return -ERANGE;
	*pps = v;
	return 0;
}

int xs_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];

	for (int i = 0; i < 6; i++) {
		int n = 0, v = 0;

		for (; n < 2 && isxdigit((unsigned char)*s); n++, s++)
			v = v * 16 + (isdigit((unsigned char)*s) ? *s - '0' : (*s | 0x20) - 'a' + 10);
		if (!n || *s != (i < 5 ? ':' : '\0'))
			return -EINVAL;
		m[i] = (uint8_t)v;
		s += i < 5;
	}
	memcpy(mac, m, 6);
	return 0;
}
