/* route.c - rtnetlink route and neighbour lookups for the sweep (see route.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#include "util/log.h"
#include "net/netlink.h"
#include "net/route.h"

/* Send one (non-dump) request and run cb over its answer; dumps use xs_nl_dump(). */
static int nl_request(struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned int portid, seq;
	int ret;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	seq = req->nlmsg_seq = (unsigned int)time(NULL);
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	/* A plain request has one answer (or an NLMSG_ERROR, which sets errno). */
	ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret > 0)
		ret = mnl_cb_run(buf, (size_t)ret, seq, portid, cb, data);
	if (ret < 0)
		ret = -errno;
out:
	mnl_socket_close(nl);
	return ret < 0 ? ret : 0;
}

/* An address attribute into the field of its family (4 bytes IPv4, 16 bytes IPv6). */
static void attr_addr(const struct nlattr *attr, uint32_t *v4, uint8_t v6[16])
{
	if (mnl_attr_get_payload_len(attr) == 4)
		*v4 = mnl_attr_get_u32(attr);
	else if (mnl_attr_get_payload_len(attr) == 16)
		memcpy(v6, mnl_attr_get_payload(attr), 16);
}

static int route_attr(const struct nlattr *attr, void *data)
{
	struct xs_route *rt = data;

	switch (mnl_attr_get_type(attr)) {
	case RTA_OIF:
		rt->ifindex = (int)mnl_attr_get_u32(attr);
		break;
	case RTA_PREFSRC:
		attr_addr(attr, &rt->src, rt->src6);
		break;
	case RTA_GATEWAY:
		attr_addr(attr, &rt->gateway, rt->gateway6);
		break;
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtmsg *rm = mnl_nlmsg_get_payload(nlh);

	if (rm->rtm_type == RTN_UNREACHABLE || rm->rtm_type == RTN_BLACKHOLE ||
	    rm->rtm_type == RTN_PROHIBIT) {
		errno = ENETUNREACH;
		return MNL_CB_ERROR;
	}
	return mnl_attr_parse(nlh, sizeof(*rm), route_attr, data);
}

/* RTM_GETROUTE for dst (len bytes of family) into a zeroed rt: family, ifindex, ifname,
 * and whatever source and gateway the kernel names. */
static int route_request(int family, const void *dst, size_t len, struct xs_route *rt)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rm;
	int err;

	memset(rt, 0, sizeof(*rt));
	rt->family = family;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rm));
	rm->rtm_family = (uint8_t)family;
	rm->rtm_dst_len = (uint8_t)(len * 8);
	mnl_attr_put(nlh, RTA_DST, len, dst);

	err = nl_request(nlh, route_cb, rt);
	if (err)
		return err;
	if (!rt->ifindex)
		return -ENETUNREACH;
	if (!if_indextoname((unsigned)rt->ifindex, rt->ifname))
		return -errno;
	return 0;
}

int xs_route_get(uint32_t dst, struct xs_route *rt)
{
	int err = route_request(AF_INET, &dst, sizeof(dst), rt);

	if (err)
		return err;
	if (!rt->src && (err = xs_iface_ipv4(rt->ifindex, &rt->src)))
		return err;
	rt->nexthop = rt->gateway ? rt->gateway : dst;
	return 0;
}

static int is_zero16(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return !memcmp(a, zero, 16);
}

int xs_route_get6(const uint8_t dst[16], struct xs_route *rt)
{
	int err = route_request(AF_INET6, dst, 16, rt);

	/* IPv6 answers a reject route with its error instead of a route of that type:
	 * unreachable EHOSTUNREACH, blackhole EINVAL, prohibit EACCES, throw EAGAIN. */
	if (err == -EHOSTUNREACH || err == -EINVAL || err == -EACCES || err == -EAGAIN)
		return -ENETUNREACH;
	if (err)
		return err;
	/* The kernel names no source when its selection found none (e.g. only tentative
	 * addresses with use_oif_addrs_only): then only a usable global one will do. */
	if (is_zero16(rt->src6) && (err = xs_iface_ipv6(rt->ifindex, rt->src6)))
		return err;
	memcpy(rt->nexthop6, is_zero16(rt->gateway6) ? dst : rt->gateway6, 16);
	return 0;
}

/* Copy a's address to out: IPv4 any, IPv6 only a global-scope one that is not tentative
 * (xs_link_primary_addr() prefers such one but falls back to any). */
static int copy_src_addr(const struct xs_addr *a, int family, void *out)
{
	if (!a)
		return -EADDRNOTAVAIL;
	if (family == AF_INET) {
		memcpy(out, &a->addr.v4, 4);
		return 0;
	}
	if (a->scope != RT_SCOPE_UNIVERSE || (a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
		return -EADDRNOTAVAIL;
	memcpy(out, &a->addr.v6, 16);
	return 0;
}

/* The interface's source address of family (copy_src_addr), its MAC and type, from the
 * rtnetlink link snapshot (netlink.c) that `xsweep iface` uses too. */
static int link_info(int ifindex, int family, void *addr, uint8_t mac[6], unsigned short *type)
{
	const struct xs_link *l;
	struct xs_link *links;
	size_t n;
	int err;

	err = xs_nl_links(&links, &n);
	if (err)
		return err;
	l = xs_link_find_index(links, n, ifindex);
	if (!l) {
		err = -ENODEV;
	} else {
		if (addr)
			err = copy_src_addr(xs_link_primary_addr(l, family), family, addr);
		if (mac)
			memcpy(mac, l->mac, l->mac_len >= 6 ? 6 : 0);
		if (type)
			*type = l->type;
	}
	xs_links_free(links, n);
	return err;
}

int xs_iface_ipv4(int ifindex, uint32_t *addr)
{
	return link_info(ifindex, AF_INET, addr, NULL, NULL);
}

int xs_iface_ipv6(int ifindex, uint8_t addr[16])
{
	return link_info(ifindex, AF_INET6, addr, NULL, NULL);
}

struct neigh_req {
	int family;
	int ifindex;
	const void *dst;
	size_t dst_len;		/* 4 or 16 */
	uint8_t mac[6];
	int found;
	int cur_ok;
};

static int neigh_attr(const struct nlattr *attr, void *data)
{
	struct neigh_req *r = data;

	if (mnl_attr_get_type(attr) == NDA_DST && mnl_attr_get_payload_len(attr) == r->dst_len &&
	    !memcmp(mnl_attr_get_payload(attr), r->dst, r->dst_len))
		r->cur_ok |= 1;
	if (mnl_attr_get_type(attr) == NDA_LLADDR && mnl_attr_get_payload_len(attr) == 6) {
		r->cur_ok |= 2;
		memcpy(r->mac, mnl_attr_get_payload(attr), 6);
	}
	return MNL_CB_OK;
}

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	struct neigh_req *r = data;
	uint8_t saved[6];

	if (nd->ndm_family != r->family || nd->ndm_ifindex != r->ifindex ||
	    !(nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT |
			       NUD_NOARP)) || r->found)
		return MNL_CB_OK;
	memcpy(saved, r->mac, 6);
	r->cur_ok = 0;
	mnl_attr_parse(nlh, sizeof(*nd), neigh_attr, data);
	if (r->cur_ok == 3)
		r->found = 1;
	else
		memcpy(r->mac, saved, 6);
	return MNL_CB_OK;
}

/* The MAC of dst (IPv4 or IPv6 as family says) in a usable neighbour entry on ifindex. */
static int neigh_lookup(int family, int ifindex, const void *dst, uint8_t mac[6])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct neigh_req r = { .family = family, .ifindex = ifindex, .dst = dst,
			       .dst_len = family == AF_INET6 ? 16 : 4 };
	struct nlmsghdr *nlh;
	struct ndmsg *nd;
	int err;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETNEIGH;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = (uint8_t)family;
	err = xs_nl_dump(nlh, neigh_cb, &r);
	if (err)
		return err;
	if (!r.found)
		return -ENOENT;
	memcpy(mac, r.mac, 6);
	return 0;
}

/* Make the kernel resolve the next hop (ARP, or neighbour discovery for IPv6): one empty
 * UDP datagram to its discard port from a socket bound to the interface. The IPv6 scope
 * id names the interface of a link-local next hop (a router's fe80:: address) even when
 * SO_BINDTODEVICE is refused (it needs CAP_NET_RAW); other addresses ignore it. */
static void kick_neigh(const struct xs_route *rt)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} to = { 0 };
	socklen_t len = sizeof(to.v4);
	int fd;

	if (rt->family == AF_INET6) {
		to.v6.sin6_family = AF_INET6;
		to.v6.sin6_port = htons(9);
		to.v6.sin6_scope_id = (uint32_t)rt->ifindex;
		memcpy(&to.v6.sin6_addr, rt->nexthop6, 16);
		len = sizeof(to.v6);
	} else {
		to.v4.sin_family = AF_INET;
		to.v4.sin_port = htons(9);
		to.v4.sin_addr.s_addr = rt->nexthop;
	}
	fd = socket(to.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, rt->ifname, (socklen_t)strlen(rt->ifname));
	if (sendto(fd, "", 0, 0, &to.sa, len) < 0)
		pr_debug("%s kick: %s", rt->family == AF_INET6 ? "NDP" : "ARP", strerror(errno));
	close(fd);
}

int xs_route_resolve_macs(struct xs_route *rt, int timeout_ms)
{
	int family = rt->family == AF_INET6 ? AF_INET6 : AF_INET;
	const void *nexthop = family == AF_INET6 ? (const void *)rt->nexthop6 : &rt->nexthop;
	unsigned short type = 0;
	int err;

	err = link_info(rt->ifindex, family, NULL, rt->src_mac, &type);
	if (err)
		return err;
	if (type == ARPHRD_LOOPBACK) {
		rt->is_loopback = 1;
		memset(rt->dst_mac, 0, 6);
		return 0;
	}
	for (int waited = 0;; waited += 20) {
		err = neigh_lookup(family, rt->ifindex, nexthop, rt->dst_mac);
		if (err != -ENOENT || waited >= timeout_ms)
			return err;
		if (waited == 0)
			kick_neigh(rt);
		poll(NULL, 0, 20);
	}
}
