/* icmp.c - the ICMP echo probe module (IPv4 and IPv6).
 *
 * Frame: Ethernet | IPv4 (no options, DF) | ICMP echo (id/seq = cookie) |
 * struct xs_probe_payload (magic, target, send time, attempt). The same layout without
 * the Ethernet header goes out on raw IP sockets. IPv6: Ethernet | IPv6 | ICMPv6 echo
 * (id/seq = the IPv6 cookie) | struct xs_probe_payload6. Replies:
 * include/validate_icmp.h.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include "halfsiphash.h"
#include "net/icmp.h"
#include "probe/probe.h"
#include "scan/addr.h"
#include "validate_icmp.h"

#define L3_LEN (20 + 8 + 24)
#define FRAME_LEN (14 + L3_LEN)
#define FRAME6_LEN (14 + 40 + XS_ICMP6_LEN)

_Static_assert(sizeof(struct xs_probe_payload) == 24, "payload layout");
_Static_assert(sizeof(struct xs_probe_payload6) == 32, "payload6 layout");
_Static_assert(FRAME6_LEN <= XS_PROBE_MAX_FRAME, "frame fits a send buffer");

static void icmp_build(struct xs_probe *p)
{
	uint8_t *icmp = p->tmpl + xs_probe_ip4_header(p, p->tmpl, L3_LEN, 1);
	uint32_t magic = htonl(XS_PAYLOAD_MAGIC);

	icmp[0] = 8;			/* echo request */
	memcpy(icmp + 8, &magic, 4);
	p->tmpl_len = FRAME_LEN;

	/* IPv6: echo request 128, payload struct xs_probe_payload6. */
	memset(p->tmpl6, 0, sizeof(p->tmpl6));
	icmp = p->tmpl6 + xs_probe_ip6_header(p, p->tmpl6, XS_ICMP6_LEN, 58);
	icmp[0] = 128;
	memcpy(icmp + 8, &magic, 4);
	p->tmpl6_len = FRAME6_LEN;
}

static uint32_t icmp_cookie(const struct xs_probe *p, const struct xs_target *t)
{
	if (t->ip.family == XS_AF_INET6)
		return xs_probe_cookie6(p, t, p->attempt, 0);
	/* Same argument order as the validator: (probed target, our address). */
	return xs_cookie(p->v.key, xs_ip4_addr(&t->ip), p->v.src4, XS_PROBE_ICMP_ECHO, p->round, p->attempt);
}

static unsigned icmp6_fill(const struct xs_probe *p, uint8_t *buf, const struct xs_target *t,
			   uint64_t tx_ns)
{
	uint8_t *ip = buf + 14, *icmp = ip + 40;
	uint32_t cookie = icmp_cookie(p, t);
	uint16_t id = htons((uint16_t)(cookie >> 16)), seq = htons((uint16_t)cookie), c;

	memcpy(buf, p->tmpl6, FRAME6_LEN);
	memcpy(ip + 24, t->ip.addr, 16);
	memcpy(icmp + 4, &id, 2);
	memcpy(icmp + 6, &seq, 2);
	memcpy(icmp + 12, &p->attempt, 4);
	memcpy(icmp + 16, &tx_ns, 8);
	memcpy(icmp + 24, t->ip.addr, 16);
	c = xs_csum_fold(xs_csum_partial(icmp, XS_ICMP6_LEN,
					 xs_probe_ip6_pseudo(p, t->ip.addr, XS_ICMP6_LEN, 58)));
	memcpy(icmp + 2, &c, 2);
	return FRAME6_LEN;
}

static unsigned icmp_fill(const struct xs_probe *p, uint8_t *buf, const struct xs_target *t,
			  uint64_t tx_ns, bool l3)
{
	uint8_t *ip = buf + (l3 ? 0 : 14), *icmp = ip + 20;
	uint32_t dst = xs_ip4_addr(&t->ip), cookie = icmp_cookie(p, t);
	uint16_t id = htons((uint16_t)(cookie >> 16)), seq = htons((uint16_t)cookie), ipid, c;

	if (t->ip.family == XS_AF_INET6)
		return icmp6_fill(p, buf, t, tx_ns);
	memcpy(buf, l3 ? p->tmpl + 14 : p->tmpl, l3 ? L3_LEN : FRAME_LEN);
	ipid = (uint16_t)(cookie ^ (cookie >> 16));
	memcpy(ip + 4, &ipid, 2);
	memcpy(ip + 16, &dst, 4);
	c = xs_csum(ip, 20);
	memcpy(ip + 10, &c, 2);
	memcpy(icmp + 4, &id, 2);
	memcpy(icmp + 6, &seq, 2);
	memcpy(icmp + 12, &dst, 4);
	memcpy(icmp + 16, &tx_ns, 8);
	memcpy(icmp + 24, &p->attempt, 4);
	c = xs_csum(icmp, 8 + 24);
	memcpy(icmp + 2, &c, 2);
	return l3 ? L3_LEN : FRAME_LEN;
}

static int icmp_validate(const void *data, const void *end, const struct xs_vcfg *c,
			 uint32_t round, struct xs_reply *r)
{
	return xs_icmp_validate(data, end, c, round, r);
}

static void icmp_pcap_filter(const struct xs_probe *p, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->v.src4, a, sizeof(a));
	inet_ntop(AF_INET6, p->v.src6, a6, sizeof(a6));
	/* ICMPv6 behind extension headers escapes icmp6[...]: take all ICMPv6 to us. */
	snprintf(buf, len, "(icmp[icmptype] == icmp-echoreply and dst host %s) or "
		 "(ip6 dst host %s and (icmp6 or ip6[6] != 58))", a, a6);
}

/* The datagram form (probe.h): the frame's echo message without the IP header, then the
 * whole cookie (the kernel replaces the id that carries its upper half). */
static unsigned icmp_fill_dgram(const struct xs_probe *p, uint8_t *buf, const struct xs_target *t,
				uint64_t tx_ns)
{
	bool v6 = t->ip.family == XS_AF_INET6;
	unsigned off = v6 ? 14 + 40 : 20, len = v6 ? XS_ICMP6_LEN : 8 + 24;
	uint32_t cookie = htonl(icmp_cookie(p, t));
	uint8_t frame[XS_PROBE_MAX_FRAME];

	icmp_fill(p, frame, t, tx_ns, true);
	memcpy(buf, frame + off, len);
	memcpy(buf + len, &cookie, 4);
	return len + 4;
}

static const char *icmp_state_name(unsigned state)
{
	return state == XS_STATE_ALIVE ? "alive" : "?";
}

const struct xs_probe_module xs_probe_icmp = {
	.name = "icmp",
	.summary = "ICMP echo request; a host is alive when it answers",
	.type = XS_PROBE_ICMP_ECHO,
	.proto = "icmp",
	.ports = false,
	.build = icmp_build,
	.fill = icmp_fill,
	.fill_dgram = icmp_fill_dgram,
	.cookie = icmp_cookie,
	.validate = icmp_validate,
	.pcap_filter = icmp_pcap_filter,
	.state_name = icmp_state_name,
};
