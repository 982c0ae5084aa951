/* dgram.h - sweeps without privileges: ICMP datagram ("ping") sockets, one per address
 * family, shared by a send backend (send/dgram.c) and a receive backend (recv/dgram.c).
 *
 * Where packet sockets are not allowed (no CAP_NET_RAW) but net.ipv4.ping_group_range
 * holds one of our groups, SOCK_DGRAM/IPPROTO_ICMP(V6) sockets still send echo requests
 * and receive their replies (fping's way, and `xsweep ping`'s). The kernel owns what
 * such a socket sends in the echo id (the socket's port) and the checksum, and hands the
 * socket only echo replies carrying its id; the sequence number and the payload are
 * ours. So a probe carries the keyed cookie's low 16 bits in the sequence number and all
 * 32 bits after the payload (the module's fill_dgram, probe/probe.h), and a reply counts
 * when the payload's magic, the attempt, the sequence number and the payload's cookie
 * all match the cookie recomputed over (target, our address, type, round, attempt), and
 * it comes from the target: the raw path's 32-bit keyed check, with the payload copy
 * standing in for the id the kernel took, plus the kernel's own filter on the id.
 *
 * The receive backend opens the sockets (it knows the probe: TTL, source addresses),
 * the send backend uses them; the last one to close them closes them.
 */
#ifndef XSWEEP_DGRAM_H
#define XSWEEP_DGRAM_H

#include <stdbool.h>
#include <stdint.h>

struct xs_probe;
struct xs_probe_module;

struct xs_dgram {
	int fd[2];		/* [0] ICMP (IPv4), [1] ICMPv6; -1 when not open */
	uint16_t id[2];		/* the echo id the kernel gave each socket */
	unsigned refs;
};

/* Index into fd[]/id[] for an address family (XS_AF_INET, XS_AF_INET6, AF_INET...). */
static inline int xs_dgram_idx(bool v6)
{
	return v6 ? 1 : 0;
}

/* Should this sweep go through ICMP datagram sockets? capture and send are --capture
 * and --send (enum xs_capture, enum xs_send_api): "dgram" for either forces it; "auto"
 * for both picks it, with a one-line notice, when packet sockets are not allowed here.
 * 1 yes, 0 no, -EPERM when no way to send is allowed (one line saying what to change).
 */
int xs_dgram_choose(int capture, int send_api, const struct xs_probe_module *m);

/* Open the sockets (first caller), or share them: one per family the probe has a source
 * address for, bound to that address and to interface ifname, with the probe's TTL.
 * 0 or -errno (one line printed). */
int xs_dgram_open(const struct xs_probe *p, const char *ifname, struct xs_dgram **out);
/* The sockets the receive backend opened (NULL when none). */
struct xs_dgram *xs_dgram_get(void);
/* Let go of one reference; the last closes the sockets. */
void xs_dgram_put(struct xs_dgram *d);

#endif
