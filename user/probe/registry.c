/* registry.c - the probe modules xsweep knows (see probe.h). */
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include "halfsiphash.h"
#include "net/icmp.h"
#include "probe/probe.h"

extern const struct xs_probe_module xs_probe_icmp, xs_probe_tcp;

/* The first is the default (--probe). */
const struct xs_probe_module *const xs_probe_modules[] = {
	&xs_probe_icmp,
	&xs_probe_tcp,
	NULL,
};

const struct xs_probe_module *xs_probe_find(const char *name)
{
	for (unsigned i = 0; xs_probe_modules[i]; i++)
		if (!strcmp(xs_probe_modules[i]->name, name))
			return xs_probe_modules[i];
	return NULL;
}

unsigned xs_probe_ip4_header(struct xs_probe *p, uint8_t *f, uint16_t tot, uint8_t proto)
{
	uint16_t type = htons(ETH_P_IP), len = htons(tot);
	uint8_t *ip = f + 14;

	memset(f, 0, sizeof(p->tmpl));
	memcpy(f, p->dst_mac, 6);
	memcpy(f + 6, p->src_mac, 6);
	memcpy(f + 12, &type, 2);
	ip[0] = 0x45;
	memcpy(ip + 2, &len, 2);
	ip[6] = 0x40;			/* DF */
	ip[8] = p->ttl ? p->ttl : 64;
	ip[9] = proto;
	memcpy(ip + 12, &p->v.src4, 4);
	return 14 + 20;
}

unsigned xs_probe_ip6_header(const struct xs_probe *p, uint8_t *f, uint16_t plen, uint8_t nh)
{
	uint16_t proto = htons(ETH_P_IPV6), len = htons(plen);
	uint8_t *ip = f + 14;

	memcpy(f, p->dst_mac6, 6);
	memcpy(f + 6, p->src_mac6, 6);
	memcpy(f + 12, &proto, 2);
	memset(ip, 0, 40);
	ip[0] = 0x60;
	memcpy(ip + 4, &len, 2);
	ip[6] = nh;
	ip[7] = p->ttl ? p->ttl : 64;
	memcpy(ip + 8, p->v.src6, 16);
	return 14 + 40;
}

uint32_t xs_probe_ip6_pseudo(const struct xs_probe *p, const uint8_t dst[16], uint32_t len,
			     uint8_t nh)
{
	uint8_t tail[8] = { 0 };
	uint32_t n = htonl(len);

	memcpy(tail, &n, 4);
	tail[7] = nh;
	return xs_csum_partial(tail, 8, xs_csum_partial(dst, 16, xs_csum_partial(p->v.src6, 16, 0)));
}

uint32_t xs_probe_cookie6(const struct xs_probe *p, const struct xs_target *t, uint32_t attempt,
			  uint32_t port)
{
	uint32_t dst[4], src[4];

	memcpy(dst, t->ip.addr, 16);
	memcpy(src, p->v.src6, 16);
	return xs_cookie6(p->v.key, dst, src, p->m->type, p->round, attempt, port);
}
