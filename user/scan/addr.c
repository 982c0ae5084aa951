/* addr.c - struct xs_ip helpers (see addr.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "scan/addr.h"

struct xs_ip xs_ip4(uint32_t addr)
{
	struct xs_ip ip = { .family = XS_AF_INET };

	memcpy(ip.addr, &addr, 4);
	return ip;
}

uint32_t xs_ip4_addr(const struct xs_ip *ip)
{
	uint32_t a;

	memcpy(&a, ip->addr, 4);
	return a;
}

xs_u128 xs_ip_u128(const struct xs_ip *ip)
{
	xs_u128 v = 0;

	if (ip->family == XS_AF_INET)
		return XS_V4_MAPPED | ntohl(xs_ip4_addr(ip));
	for (int i = 0; i < 16; i++)
		v = (v << 8) | ip->addr[i];
	return v;
}

struct xs_ip xs_ip_from_u128(xs_u128 v)
{
	struct xs_ip ip = { .family = XS_AF_INET6 };

	if ((v >> 32) == 0xffff)
		return xs_ip4(htonl((uint32_t)v));
	for (int i = 15; i >= 0; i--, v >>= 8)
		ip.addr[i] = (uint8_t)v;
	return ip;
}

bool xs_ip_equal(const struct xs_ip *a, const struct xs_ip *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, 16);
}

const char *xs_ip_str(const struct xs_ip *ip, char *buf, size_t len)
{
	if (!inet_ntop(ip->family == XS_AF_INET ? AF_INET : AF_INET6, ip->addr, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

int xs_parse_ipv4(const char *s, uint32_t *addr)
{
	uint32_t a = 0;
	int parts = 0;

	while (parts < 4) {
		unsigned v = 0;
		int digits = 0;

		if (s[0] == '0' && isdigit((unsigned char)s[1]))
			return -EINVAL;	/* a leading zero reads as octal elsewhere */
		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3 || v > 255)
				return -EINVAL;
		}
		if (!digits)
			return -EINVAL;
		a = (a << 8) | v;
		parts++;
		if (parts < 4 && *s++ != '.')
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	*addr = a;
	return 0;
}
