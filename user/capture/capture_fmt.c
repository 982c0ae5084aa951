/* capture_fmt.c - decode Ethernet/ARP/IPv4/IPv6/TCP/UDP/ICMP headers into one line.
 *
 * Follows tcpdump -n's wording for the common cases (so the lines read familiar) with
 * absolute sequence numbers and no TCP options; "[|proto]" marks a header cut short by
 * the snap length, as tcpdump does.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capture/capture_fmt.h"
#include "util/clock.h"

struct out {
	char *buf;
	size_t len, n;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (o->n >= o->len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (r > 0)
		o->n += (size_t)r;
}

static uint16_t g16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t g32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void tcp_flags(struct out *o, uint8_t f)
{
	put(o, "Flags [");
	if (f & 0x01)
		put(o, "F");
	if (f & 0x02)
		put(o, "S");
	if (f & 0x04)
		put(o, "R");
	if (f & 0x08)
		put(o, "P");
	if (f & 0x20)
		put(o, "U");
	if (f & 0x40)
		put(o, "E");
	if (f & 0x80)
		put(o, "W");
	if (f & 0x10)
		put(o, ".");
	if (!(f & 0xff))
		put(o, "none");
	put(o, "]");
}

/* Upper layer: l4 has avail captured bytes of a plen-byte L4 packet. */
static void l4_line(struct out *o, int v6, const char *src, const char *dst, uint8_t proto,
		    const uint8_t *l4, long avail, uint32_t plen)
{
	switch (proto) {
	case 6:
		if (avail < 20) {
			put(o, "%s > %s: [|tcp]", src, dst);
			return;
		}
		put(o, "%s.%u > %s.%u: ", src, g16(l4), dst, g16(l4 + 2));
		tcp_flags(o, l4[13]);
		put(o, ", seq %u", g32(l4 + 4));
		if (l4[13] & 0x10)
			put(o, ", ack %u", g32(l4 + 8));
		put(o, ", win %u, length %u", g16(l4 + 14),
		    plen >= (uint32_t)(l4[12] >> 4) * 4 ? plen - (uint32_t)(l4[12] >> 4) * 4 : 0);
		return;
	case 17:
		if (avail < 8) {
			put(o, "%s > %s: [|udp]", src, dst);
			return;
		}
		put(o, "%s.%u > %s.%u: UDP, length %u", src, g16(l4), dst, g16(l4 + 2),
		    g16(l4 + 4) >= 8 ? g16(l4 + 4) - 8 : 0);
		return;
	case 1:
	case 58:
		put(o, "%s > %s: %s", src, dst, v6 ? "ICMP6, " : "ICMP ");
		if (avail < 8) {
			put(o, "[|icmp]");
			return;
		}
		if ((!v6 && (l4[0] == 8 || l4[0] == 0)) || (v6 && (l4[0] == 128 || l4[0] == 129)))
			put(o, "echo %s, id %u, seq %u, length %u",
			    (l4[0] == 8 || l4[0] == 128) ? "request" : "reply", g16(l4 + 4), g16(l4 + 6),
			    plen);
		else
			put(o, "type %u, code %u, length %u", l4[0], l4[1], plen);
		return;
	default:
		put(o, "%s > %s: ip-proto-%u %u", src, dst, proto, plen);
	}
}

static void ip4_line(struct out *o, const uint8_t *p, const uint8_t *end, uint32_t len)
{
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	uint32_t hl, tot;

	if (end - p < 20 || (p[0] >> 4) != 4) {
		put(o, "IP [|ip] length %u", len);
		return;
	}
	hl = (uint32_t)(p[0] & 0xf) * 4;
	tot = g16(p + 2);
	inet_ntop(AF_INET, p + 12, src, sizeof(src));
	inet_ntop(AF_INET, p + 16, dst, sizeof(dst));
	put(o, "IP ");
	if (hl < 20 || tot < hl)
		put(o, "%s > %s: bad header length %u, total %u", src, dst, hl, tot);
	else if (g16(p + 6) & 0x1fff)
		put(o, "%s > %s: ip-proto-%u, frag offset %u, length %u", src, dst, p[9],
		    (g16(p + 6) & 0x1fff) * 8, tot - hl);
	else
		l4_line(o, 0, src, dst, p[9], p + hl, end - (p + hl), tot - hl);
}

static void ip6_line(struct out *o, const uint8_t *p, const uint8_t *end, uint32_t len)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	uint32_t plen;
	uint8_t nh;

	if (end - p < 40) {
		put(o, "IP6 [|ip6] length %u", len);
		return;
	}
	inet_ntop(AF_INET6, p + 8, src, sizeof(src));
	inet_ntop(AF_INET6, p + 24, dst, sizeof(dst));
	plen = g16(p + 4);
	nh = p[6];
	p += 40;
	/* Hop-by-hop, routing, destination options: skip to the upper layer. */
	while ((nh == 0 || nh == 43 || nh == 60) && end - p >= 8) {
		uint32_t el = ((uint32_t)p[1] + 1) * 8;

		nh = p[0];
		plen = plen >= el ? plen - el : 0;
		p += el;
	}
	put(o, "IP6 ");
	if (nh == 44)
		put(o, "%s > %s: frag, length %u", src, dst, plen);
	else
		l4_line(o, 1, src, dst, nh, p, end > p ? end - p : 0, plen);
}

static void arp_line(struct out *o, const uint8_t *p, const uint8_t *end, uint32_t len)
{
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];

	if (end - p < 28 || g16(p) != 1 || g16(p + 2) != 0x0800) {
		put(o, "ARP, length %u", len - 14);
		return;
	}
	inet_ntop(AF_INET, p + 14, src, sizeof(src));
	inet_ntop(AF_INET, p + 24, dst, sizeof(dst));
	if (g16(p + 6) == 1)
		put(o, "ARP, Request who-has %s tell %s, length %u", dst, src, len - 14);
	else if (g16(p + 6) == 2)
		put(o, "ARP, Reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x, length %u", src, p[8],
		    p[9], p[10], p[11], p[12], p[13], len - 14);
	else
		put(o, "ARP, op %u, length %u", g16(p + 6), len - 14);
}

char *xs_cap_summary(char *buf, size_t buflen, uint64_t wall_ns, const uint8_t *data,
		     uint32_t caplen, uint32_t len)
{
	struct out o = { .buf = buf, .len = buflen };
	const uint8_t *p = data, *end = data + caplen;
	uint16_t type;
	char ts[32];

	if (buflen)
		buf[0] = '\0';
	put(&o, "%s ", xs_fmt_clock(wall_ns, 6, ts, sizeof(ts)));
	if (caplen < 14) {
		put(&o, "[|ether] length %u", len);
		return buf;
	}
	type = g16(p + 12);
	p += 14;
	while ((type == 0x8100 || type == 0x88a8) && p + 4 <= end) {
		put(&o, "vlan %u, ", g16(p) & 0x0fff);
		type = g16(p + 2);
		p += 4;
	}
	if (type == 0x0800)
		ip4_line(&o, p, end, len);
	else if (type == 0x86dd)
		ip6_line(&o, p, end, len);
	else if (type == 0x0806)
		arp_line(&o, p, end, len);
	else
		put(&o, "ethertype 0x%04x, length %u", type, len);
	return buf;
}
