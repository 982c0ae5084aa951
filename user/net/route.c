/* route.c - rtnetlink route and neighbour lookups for the sweep (see route.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
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

static int route_attr(const struct nlattr *attr, void *data)
{
	struct xs_route *rt = data;

	switch (mnl_attr_get_type(attr)) {
	case RTA_OIF:
		rt->ifindex = (int)mnl_attr_get_u32(attr);
		break;
	case RTA_PREFSRC:
		rt->src = mnl_attr_get_u32(attr);
		break;
	case RTA_GATEWAY:
		rt->gateway = mnl_attr_get_u32(attr);
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

int xs_route_get(uint32_t dst, struct xs_route *rt)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rm;
	int err;

	memset(rt, 0, sizeof(*rt));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rm));
	rm->rtm_family = AF_INET;
	rm->rtm_dst_len = 32;
	mnl_attr_put_u32(nlh, RTA_DST, dst);

	err = nl_request(nlh, route_cb, rt);
	if (err)
		return err;
	if (!rt->ifindex)
		return -ENETUNREACH;
	if (!if_indextoname((unsigned)rt->ifindex, rt->ifname))
		return -errno;
	if (!rt->src && (err = xs_iface_ipv4(rt->ifindex, &rt->src)))
		return err;
	rt->nexthop = rt->gateway ? rt->gateway : dst;
	return 0;
}

/* The interface's IPv4 address, its MAC and type, from the rtnetlink link snapshot
 * (netlink.c) that `xsweep iface` uses too. */
static int link_info(int ifindex, uint32_t *addr, uint8_t mac[6], unsigned short *type)
{
	const struct xs_link *l;
	const struct xs_addr *a;
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
		a = xs_link_primary_addr(l, AF_INET);
		if (addr && !a)
			err = -EADDRNOTAVAIL;
		if (addr && a)
			*addr = a->addr.v4.s_addr;
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
	return link_info(ifindex, addr, NULL, NULL);
}

struct neigh_req {
	int ifindex;
	uint32_t dst;
	uint8_t mac[6];
	int found;
	int cur_ok;
};

static int neigh_attr(const struct nlattr *attr, void *data)
{
	struct neigh_req *r = data;

	if (mnl_attr_get_type(attr) == NDA_DST && mnl_attr_get_payload_len(attr) == 4 &&
	    mnl_attr_get_u32(attr) == r->dst)
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

	if (nd->ndm_family != AF_INET || nd->ndm_ifindex != r->ifindex ||
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

static int neigh_lookup(int ifindex, uint32_t dst, uint8_t mac[6])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct neigh_req r = { .ifindex = ifindex, .dst = dst };
	struct nlmsghdr *nlh;
	struct ndmsg *nd;
	int err;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETNEIGH;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_INET;
	err = xs_nl_dump(nlh, neigh_cb, &r);
	if (err)
		return err;
	if (!r.found)
		return -ENOENT;
	memcpy(mac, r.mac, 6);
	return 0;
}

/* Make the kernel ARP for the next hop: one empty UDP datagram to the discard port. */
static void kick_arp(const struct xs_route *rt)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	sin.sin_addr.s_addr = rt->nexthop;
	setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, rt->ifname, (socklen_t)strlen(rt->ifname));
	if (sendto(fd, "", 0, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		pr_debug("ARP kick: %s", strerror(errno));
	close(fd);
}

int xs_route_resolve_macs(struct xs_route *rt, int timeout_ms)
{
	unsigned short type = 0;
	int err;

	err = link_info(rt->ifindex, NULL, rt->src_mac, &type);
	if (err)
		return err;
	if (type == ARPHRD_LOOPBACK) {
		rt->is_loopback = 1;
		memset(rt->dst_mac, 0, 6);
		return 0;
	}
	for (int waited = 0;; waited += 20) {
		err = neigh_lookup(rt->ifindex, rt->nexthop, rt->dst_mac);
		if (err != -ENOENT || waited >= timeout_ms)
			return err;
		if (waited == 0)
			kick_arp(rt);
		poll(NULL, 0, 20);
	}
}
