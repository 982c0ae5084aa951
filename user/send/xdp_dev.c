/* xdp_dev.c - what the XDP send backend asks the kernel about its interface: the
 * driver's name (ethtool), whether it can transmit XDP frames now (the netdev generic
 * netlink family's xdp-features, kernel 6.3+) and its packet counters (RTM_GETSTATS).
 *
 * On veth, the counters are what honest delivery rests on: tx_packets counts what the
 * peer's NAPI took in (XDP frames included), tx_dropped what the peer's full ring
 * refused, and a frame that the peer cannot take at all (no NAPI) shows up in neither.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#include "send/xdp_dev.h"

/* From linux/netdev.h (kernel 6.3+; Debian 12's headers predate it). */
#define NETDEV_FAMILY "netdev"
#define NETDEV_CMD_DEV_GET 1
#define NETDEV_A_DEV_IFINDEX 1
#define NETDEV_A_DEV_XDP_FEATURES 3
#define NETDEV_XDP_ACT_NDO_XMIT 4

int xs_dev_driver(const char *ifname, char *drv, size_t len)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { .ifr_data = (void *)&info };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	else
		snprintf(drv, len, "%s", info.driver);
	close(fd);
	return err;
}

/* One request, one answer (a message for cb, or an error) on sock. */
static int nl_ask(struct mnl_socket *sock, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(sock, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	if (mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, mnl_socket_get_portid(sock), cb, data) < 0)
		return -errno;
	return 0;
}

struct u64_attr {
	unsigned type;
	int found;
	uint64_t val;
};

static int genl_attr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct u64_attr *a = data;
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != a->type)
			continue;
		if (mnl_attr_get_payload_len(attr) == 2)
			a->val = mnl_attr_get_u16(attr);
		else if (mnl_attr_get_payload_len(attr) == 8)
			a->val = mnl_attr_get_u64(attr);
		else
			a->val = mnl_attr_get_u32(attr);
		a->found = 1;
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *genl_req(char *buf, uint16_t family, uint8_t cmd, unsigned seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

int xs_dev_xdp_xmit(int ifindex)
{
	struct u64_attr fam = { .type = CTRL_ATTR_FAMILY_ID };
	struct u64_attr feat = { .type = NETDEV_A_DEV_XDP_FEATURES };
	char buf[256];
	struct mnl_socket *sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	struct nlmsghdr *nlh;
	int err;

	if (!sock)
		return -errno;
	if (mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID)) {
		err = -errno;
		goto out;
	}
	nlh = genl_req(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NETDEV_FAMILY);
	if ((err = nl_ask(sock, nlh, genl_attr_cb, &fam)))
		goto out;	/* -ENOENT: a kernel without the netdev family */
	nlh = genl_req(buf, (uint16_t)fam.val, NETDEV_CMD_DEV_GET, 2);
	mnl_attr_put_u32(nlh, NETDEV_A_DEV_IFINDEX, (uint32_t)ifindex);
	if ((err = nl_ask(sock, nlh, genl_attr_cb, &feat)))
		goto out;
	err = !feat.found ? -ENOENT : (feat.val & NETDEV_XDP_ACT_NDO_XMIT) != 0;
out:
	mnl_socket_close(sock);
	return err;
}

int xs_dev_stats_open(struct xs_dev_stats *d, int ifindex)
{
	d->ifindex = ifindex;
	d->seq = 0;
	d->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!d->sock)
		return -errno;
	if (mnl_socket_bind(d->sock, 0, MNL_SOCKET_AUTOPID)) {
		int err = -errno;

		xs_dev_stats_close(d);
		return err;
	}
	return 0;
}

struct link64 {
	struct rtnl_link_stats64 st;
	int found;
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link64 *l = data;
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct if_stats_msg)) {
		if (mnl_attr_get_type(attr) != IFLA_STATS_LINK_64 ||
		    mnl_attr_get_payload_len(attr) < sizeof(l->st))
			continue;
		memcpy(&l->st, mnl_attr_get_payload(attr), sizeof(l->st));
		l->found = 1;
	}
	return MNL_CB_OK;
}

int xs_dev_stats_read(struct xs_dev_stats *d, uint64_t *tx, uint64_t *dropped)
{
	char buf[128];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct if_stats_msg *ism;
	struct link64 l = { 0 };
	int err;

	nlh->nlmsg_type = RTM_GETSTATS;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++d->seq;
	ism = mnl_nlmsg_put_extra_header(nlh, sizeof(*ism));
	ism->ifindex = (uint32_t)d->ifindex;
	ism->filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64);
	if ((err = nl_ask(d->sock, nlh, stats_cb, &l)))
		return err;
	if (!l.found)
		return -ENODATA;
	*tx = l.st.tx_packets;
	*dropped = l.st.tx_dropped;
	return 0;
}

void xs_dev_stats_close(struct xs_dev_stats *d)
{
	if (d->sock)
		mnl_socket_close(d->sock);
	d->sock = NULL;
}
