/* probe_icmp.c - build and patch ICMP echo probes (see probe_icmp.h). */
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include "halfsiphash.h"
#include "net/icmp.h"
#include "probe/icmp.h"
#include "xsweep.h"

_Static_assert(sizeof(struct xs_probe_payload) == 24, "payload layout");

void xs_icmp_template(struct xs_probe_ctx *p, const uint8_t src_mac[6], const uint8_t dst_mac[6])
{
	uint8_t *f = p->template, *ip = f + 14, *icmp = ip + 20;
	uint16_t proto = htons(ETH_P_IP), tot = htons(XS_ICMP_L3_LEN);
	uint32_t magic = htonl(XS_PAYLOAD_MAGIC);

	memset(f, 0, sizeof(p->template));
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	memcpy(f + 12, &proto, 2);
	ip[0] = 0x45;
	memcpy(ip + 2, &tot, 2);
	ip[6] = 0x40;			/* DF */
	ip[8] = p->ttl ? p->ttl : 64;
	ip[9] = 1;			/* ICMP */
	memcpy(ip + 12, &p->src, 4);
	icmp[0] = 8;			/* echo request */
	memcpy(icmp + 8, &magic, 4);
}

uint32_t xs_icmp_make(const struct xs_probe_ctx *p, uint8_t *buf, uint32_t dst, uint64_t tx_ns, int l3)
{
	uint8_t *ip = buf + (l3 ? 0 : 14), *icmp = ip + 20;
	/* Same argument order as the XDP validator: (probed target, our address). */
	uint32_t cookie = xs_cookie(p->key, dst, p->src, XS_PROBE_ICMP_ECHO, p->round, p->attempt);
	uint16_t id = htons((uint16_t)(cookie >> 16)), seq = htons((uint16_t)cookie), ipid, c;

	memcpy(buf, l3 ? p->template + 14 : p->template, l3 ? XS_ICMP_L3_LEN : XS_ICMP_FRAME_LEN);
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
	return cookie;
}
