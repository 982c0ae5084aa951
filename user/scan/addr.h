/* addr.h - struct xs_ip (include/xsweep.h), the one address type of targets, events,
 * map keys and outputs: conversions, formatting, parsing.
 *
 * For ordering and ranges, addresses live in one 128-bit space: IPv6 as is, IPv4 as
 * its IPv4-mapped IPv6 address (::ffff:a.b.c.d), so one sorted list of ranges holds
 * both families.
 */
#ifndef XSWEEP_ADDR_H
#define XSWEEP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xsweep.h"

typedef unsigned __int128 xs_u128;

#define XS_V4_MAPPED ((xs_u128)0xffff << 32)
#define XS_IP_STRLEN 46		/* INET6_ADDRSTRLEN */

/* IPv4 address in network order -> struct xs_ip. */
struct xs_ip xs_ip4(uint32_t addr);
/* The IPv4 address (network order) of an XS_AF_INET address. */
uint32_t xs_ip4_addr(const struct xs_ip *ip);
xs_u128 xs_ip_u128(const struct xs_ip *ip);
struct xs_ip xs_ip_from_u128(xs_u128 v);
bool xs_ip_equal(const struct xs_ip *a, const struct xs_ip *b);
/* The address as text (dotted quad, RFC 5952 for IPv6); returns buf. */
const char *xs_ip_str(const struct xs_ip *ip, char *buf, size_t len);

/* Strict dotted quad (four decimal parts 0-255, no short forms, no octal): host order. */
int xs_parse_ipv4(const char *s, uint32_t *addr);

#endif
