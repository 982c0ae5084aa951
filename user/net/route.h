/* route.h - where a probe goes: output interface, source address and next-hop MAC,
 * from the kernel's routing and neighbour tables over rtnetlink (libmnl).
 */
#ifndef XSWEEP_ROUTE_H
#define XSWEEP_ROUTE_H

#include <stdint.h>
#include <net/if.h>

struct xs_route {
	int ifindex;
	char ifname[IF_NAMESIZE];
	uint32_t src;		/* network order */
	uint32_t gateway;	/* network order, 0 when on-link */
	uint32_t nexthop;	/* gateway, or the destination itself */
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	int is_loopback;
};

/* RTM_GETROUTE for dst (network order). */
int xs_route_get(uint32_t dst, struct xs_route *rt);
/* Fill src_mac/dst_mac (resolving the next hop with ARP when not in the table). */
int xs_route_resolve_macs(struct xs_route *rt, int timeout_ms);
/* First IPv4 address of ifindex, network order. */
int xs_iface_ipv4(int ifindex, uint32_t *addr);

#endif
