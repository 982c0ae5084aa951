/* xdp_dev.h - the interface facts the XDP send backend (xdp.c) needs: driver name,
 * XDP transmit support, packet counters. Functions return 0 (or a flag) or -errno.
 */
#ifndef XSWEEP_XDP_DEV_H
#define XSWEEP_XDP_DEV_H

#include <stddef.h>
#include <stdint.h>

struct mnl_socket;

/* The driver's name ("veth"), through ETHTOOL_GDRVINFO. */
int xs_dev_driver(const char *ifname, char *drv, size_t len);

/* 1 when the interface advertises XDP transmit (NETDEV_XDP_ACT_NDO_XMIT) now, 0 when
 * not, -errno when the kernel cannot tell (-ENOENT before 6.3). veth advertises it only
 * while its peer has NAPI: an XDP program or GRO. */
int xs_dev_xdp_xmit(int ifindex);

/* The interface's counters through RTM_GETSTATS on one open rtnetlink socket. */
struct xs_dev_stats {
	struct mnl_socket *sock;
	int ifindex;
	unsigned seq;
};

int xs_dev_stats_open(struct xs_dev_stats *d, int ifindex);
/* tx_packets and tx_dropped of IFLA_STATS_LINK_64. */
int xs_dev_stats_read(struct xs_dev_stats *d, uint64_t *tx, uint64_t *dropped);
void xs_dev_stats_close(struct xs_dev_stats *d);

#endif
