/* route.h - where a probe goes: output interface, source address and next-hop MAC,
 * from the kernel's routing and neighbour tables over rtnetlink (libmnl).
 *
 * One struct for both families; `family` says which half is filled:
 *   AF_INET   xs_route_get():  src, gateway, nexthop (IPv4, network order); the *6
 *             fields are zero.
 *   AF_INET6  xs_route_get6(): src6, gateway6, nexthop6 (16 bytes, network order); the
 *             IPv4 fields are zero.
 * Both fill ifindex and ifname (RTA_OIF). The source is the kernel's choice
 * (RTA_PREFSRC: the route's `src`, else its source address selection); when it gives
 * none, the interface's own address: IPv4 its primary one, IPv6 its first global-scope
 * address that is not tentative (never a link-local one). The gateway is zero for an
 * on-link route, and the next hop is then the destination itself.
 *
 * xs_route_resolve_macs() works for either family: src_mac is the output link's
 * address; dst_mac the next hop's entry in the neighbour table (ARP for IPv4, NDP for
 * IPv6) in a usable state (REACHABLE, STALE, DELAY, PROBE, PERMANENT, NOARP). When
 * there is none yet (missing, INCOMPLETE or FAILED), it makes the kernel resolve it by
 * sending one empty UDP datagram to the next hop's discard port (9) from a socket bound
 * to the interface (IPv6: with the interface as scope id, so a link-local gateway such
 * as fe80::1 works), then polls the table every 20 ms until timeout_ms. On loopback
 * both MACs are zero and is_loopback is set.
 *
 * Errors (0 or -errno; the caller reports): no route, -ENETUNREACH. A reject route
 * (unreachable, blackhole, prohibit, throw) makes the kernel answer with an error of its
 * own (EHOSTUNREACH, EINVAL, EACCES, EAGAIN): xs_route_get6() maps them all to
 * -ENETUNREACH; xs_route_get() returns them as it always did. -EADDRNOTAVAIL when no
 * source address fits; -ENOENT when the next hop did not resolve within timeout_ms.
 * Only tables are read and the one datagram is sent: nothing else.
 */
#ifndef XSWEEP_ROUTE_H
#define XSWEEP_ROUTE_H

#include <stdint.h>
#include <net/if.h>

struct xs_route {
	int family;		/* AF_INET or AF_INET6 */
	int ifindex;
	char ifname[IF_NAMESIZE];
	uint32_t src;		/* network order */
	uint32_t gateway;	/* network order, 0 when on-link */
	uint32_t nexthop;	/* gateway, or the destination itself */
	uint8_t src6[16];
	uint8_t gateway6[16];	/* all zero when on-link */
	uint8_t nexthop6[16];	/* gateway6, or the destination itself */
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	int is_loopback;
};

/* RTM_GETROUTE for dst (network order); rt->family = AF_INET. */
int xs_route_get(uint32_t dst, struct xs_route *rt);
/* RTM_GETROUTE for an IPv6 destination; rt->family = AF_INET6. */
int xs_route_get6(const uint8_t dst[16], struct xs_route *rt);
/* Fill src_mac/dst_mac, resolving the next hop (ARP or NDP) when not in the table. */
int xs_route_resolve_macs(struct xs_route *rt, int timeout_ms);
/* First IPv4 address of ifindex, network order. */
int xs_iface_ipv4(int ifindex, uint32_t *addr);
/* First global-scope, non-tentative IPv6 address of ifindex; -EADDRNOTAVAIL if none. */
int xs_iface_ipv6(int ifindex, uint8_t addr[16]);

#endif
