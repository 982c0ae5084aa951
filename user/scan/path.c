/* path.c - routes per address family for the sweep (see path.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "probe/probe.h"
#include "scan/addr.h"
#include "scan/path.h"
#include "util/log.h"

/* -i IFACE other than the route's: that interface and its own address. */
static int route_override(struct xs_route *rt, const struct xs_path_cfg *c, bool v6)
{
	int idx = (int)if_nametoindex(c->iface), err;

	if (!idx) {
		pr_warn("no such interface: %s", c->iface);
		return -ENODEV;
	}
	rt->ifindex = idx;
	snprintf(rt->ifname, sizeof(rt->ifname), "%s", c->iface);
	rt->gateway = 0;
	memset(rt->gateway6, 0, 16);
	if (v6) {
		memcpy(rt->nexthop6, c->first6.addr, 16);
		err = xs_iface_ipv6(idx, rt->src6);
	} else {
		rt->nexthop = xs_ip4_addr(&c->first4);
		err = xs_iface_ipv4(idx, &rt->src);
	}
	if (err && !(v6 ? c->source6 : c->source4)) {
		pr_warn("%s has no IPv%c address; give one with -S", c->iface, v6 ? '6' : '4');
		return -EADDRNOTAVAIL;
	}
	return 0;
}

static void log_route(const struct xs_route *rt, bool v6)
{
	char s[XS_IP_STRLEN], g[XS_IP_STRLEN];
	const uint8_t *m = rt->dst_mac;

	if (xs_verbosity < LOG_INFO)
		return;
	inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ? (const void *)rt->src6 : &rt->src, s, sizeof(s));
	inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ? (const void *)rt->nexthop6 : &rt->nexthop, g,
		  sizeof(g));
	pr_info("interface %s, source %s, next hop %s (%02x:%02x:%02x:%02x:%02x:%02x)",
		rt->ifname, s, g, m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* One family's route: the kernel's to the first target, -i and -S applied, MACs. */
static int family_route(struct xs_route *rt, const struct xs_path_cfg *c, bool v6)
{
	const struct xs_ip *first = v6 ? &c->first6 : &c->first4;
	const char *src = v6 ? c->source6 : c->source4;
	char a[XS_IP_STRLEN];
	int err;

	err = v6 ? xs_route_get6(first->addr, rt) : xs_route_get(xs_ip4_addr(first), rt);
	if (err) {
		pr_warn("no route to %s: %s", xs_ip_str(first, a, sizeof(a)), strerror(-err));
		return err;
	}
	if (c->iface && strcmp(c->iface, rt->ifname) && (err = route_override(rt, c, v6)))
		return err;
	if (src)	/* checked when parsed */
		inet_pton(v6 ? AF_INET6 : AF_INET, src, v6 ? (void *)rt->src6 : (void *)&rt->src);
	/* Neighbour discovery retries after a second (RetransTimer): give it three. */
	if (c->macs && (err = xs_route_resolve_macs(rt, v6 ? 3000 : 1000))) {
		inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ? (const void *)rt->nexthop6 : &rt->nexthop,
			  a, sizeof(a));
		pr_warn("cannot resolve the MAC address of next hop %s on %s: %s", a, rt->ifname,
			strerror(-err));
		return err;
	}
	log_route(rt, v6);
	return 0;
}

int xs_path_setup(struct xs_path *p, const struct xs_path_cfg *c)
{
	const struct xs_route *rt;
	int err;

	memset(p, 0, sizeof(*p));
	if (c->has4 && (err = family_route(&p->rt4, c, false)))
		return err;
	if (c->has6 && (err = family_route(&p->rt6, c, true)))
		return err;
	if (c->has4 && c->has6 && p->rt4.ifindex != p->rt6.ifindex) {
		pr_warn("IPv4 targets route through %s and IPv6 targets through %s: one sweep "
			"uses one interface (sweep the families separately, or give -i)",
			p->rt4.ifname, p->rt6.ifname);
		return -EXDEV;
	}
	rt = c->has4 ? &p->rt4 : &p->rt6;
	p->ifindex = rt->ifindex;
	snprintf(p->ifname, sizeof(p->ifname), "%s", rt->ifname);
	return 0;
}

void xs_path_apply(const struct xs_path *p, const struct xs_path_cfg *c, struct xs_probe *probe)
{
	if (c->has4) {
		probe->v.src4 = p->rt4.src;
		memcpy(probe->src_mac, p->rt4.src_mac, 6);
		memcpy(probe->dst_mac, p->rt4.dst_mac, 6);
	}
	if (c->has6) {
		memcpy(probe->v.src6, p->rt6.src6, 16);
		memcpy(probe->src_mac6, p->rt6.src_mac, 6);
		memcpy(probe->dst_mac6, p->rt6.dst_mac, 6);
	}
}
