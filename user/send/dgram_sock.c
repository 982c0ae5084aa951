/* dgram_sock.c - the ICMP datagram sockets of an unprivileged sweep, and the choice of
 * that path (see dgram.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "probe/probe.h"
#include "recv/recv.h"
#include "send/dgram.h"
#include "send/send.h"
#include "util/log.h"

#define SOCKBUF (4 << 20)	/* asked for; the kernel caps it at [rw]mem_max */

static struct xs_dgram socks = { .fd = { -1, -1 } };

/* Whether a socket of this kind may be opened here: false only for a refusal
 * (EPERM/EACCES), not for other errors (those show up, with their cause, later). */
static bool allowed(int domain, int type, int proto)
{
	int fd = socket(domain, type | SOCK_CLOEXEC, proto);

	if (fd >= 0) {
		close(fd);
		return true;
	}
	return errno != EPERM && errno != EACCES;
}

/* One line: what would let this process send probes. */
static void explain(const struct xs_probe_module *m)
{
	char exe[256] = "xsweep", range[64] = "?", caps[384];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");

	if (n > 0)
		exe[n] = '\0';
	if (f) {
		if (fgets(range, sizeof(range), f))
			range[strcspn(range, "\n")] = '\0';
		fclose(f);
	}
	for (char *c = range; *c; c++)
		*c = *c == '\t' ? ' ' : *c;
	snprintf(caps, sizeof(caps), "packet sockets need CAP_NET_RAW (as root: make setcap, or "
		 "setcap cap_net_raw,cap_net_admin,cap_bpf,cap_perfmon+ep %s)", exe);
	if (!m->fill_dgram) {
		pr_warn("not allowed to send %s probes: %s", m->name, caps);
		return;
	}
	pr_warn("not allowed to send probes: %s; ICMP datagram sockets need group %u in "
		"net.ipv4.ping_group_range (now \"%s\"; e.g. sysctl -w "
		"net.ipv4.ping_group_range=\"0 2147483647\")", caps, (unsigned)getegid(), range);
}

int xs_dgram_choose(int capture, int send_api, const struct xs_probe_module *m)
{
	if (capture == XS_CAPTURE_DGRAM || send_api == XS_SEND_DGRAM)
		return 1;
	if (capture != XS_CAPTURE_AUTO || send_api != XS_SEND_AUTO)
		return 0;
	if (allowed(AF_PACKET, SOCK_RAW, 0))
		return 0;
	if (!m->fill_dgram || !allowed(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)) {
		explain(m);
		return -EPERM;
	}
	pr_warn("no CAP_NET_RAW: sweeping through ICMP datagram sockets instead "
		"(net.ipv4.ping_group_range allows them): no XDP, the kernel sends and "
		"receives every probe");
	return 1;
}

/* Options of one family's socket: TTL, kernel receive timestamps, the reply's TTL,
 * the count of datagrams the socket had to drop, room for bursts of replies. */
static int sock_options(int fd, bool v6, int ttl)
{
	int one = 1, buf = SOCKBUF;
	int lvl = v6 ? IPPROTO_IPV6 : IPPROTO_IP;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (setsockopt(fd, lvl, v6 ? IPV6_UNICAST_HOPS : IP_TTL, &ttl, sizeof(ttl)) ||
	    setsockopt(fd, lvl, v6 ? IPV6_RECVHOPLIMIT : IP_RECVTTL, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)))
		return -errno;
	return 0;
}

/* Bind to our source address (port 0: the kernel picks the echo id) and learn the id. */
static int sock_bind(int fd, const struct xs_probe *p, bool v6, uint16_t *id)
{
	union xs_sockaddr a = { 0 };
	socklen_t len = v6 ? sizeof(a.in6) : sizeof(a.in);

	if (v6) {
		a.in6.sin6_family = AF_INET6;
		memcpy(&a.in6.sin6_addr, p->v.src6, 16);
	} else {
		a.in.sin_family = AF_INET;
		a.in.sin_addr.s_addr = p->v.src4;
	}
	if (bind(fd, &a.sa, len) || getsockname(fd, &a.sa, &len))
		return -errno;
	*id = ntohs(v6 ? a.in6.sin6_port : a.in.sin_port);
	return 0;
}

static int open_one(const struct xs_probe *p, const char *ifname, bool v6)
{
	int i = xs_dgram_idx(v6), err;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);

	if (fd < 0) {
		err = -errno;
		pr_warn("cannot open an ICMP%s datagram socket: %s", v6 ? "v6" : "", strerror(-err));
		return err;
	}
	socks.fd[i] = fd;
	/* Since Linux 5.7 binding to a device needs no privilege; before, routes decide. */
	if (ifname && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)))
		pr_info("ICMP datagram socket not bound to %s: %s", ifname, strerror(errno));
	if ((err = sock_options(fd, v6, p->ttl ? p->ttl : 64)) ||
	    (err = sock_bind(fd, p, v6, &socks.id[i]))) {
		pr_warn("cannot set up the ICMP%s datagram socket: %s", v6 ? "v6" : "",
			strerror(-err));
		return err;
	}
	return 0;
}

int xs_dgram_open(const struct xs_probe *p, const char *ifname, struct xs_dgram **out)
{
	static const uint8_t zero[16];
	int err = 0;

	if (!socks.refs) {
		if (p->v.src4 && (err = open_one(p, ifname, false)))
			goto fail;
		if (memcmp(p->v.src6, zero, 16) && (err = open_one(p, ifname, true)))
			goto fail;
	}
	socks.refs++;
	*out = &socks;
	return 0;
fail:
	socks.refs = 1;
	xs_dgram_put(&socks);
	return err;
}

struct xs_dgram *xs_dgram_get(void)
{
	if (!socks.refs)
		return NULL;
	socks.refs++;
	return &socks;
}

void xs_dgram_put(struct xs_dgram *d)
{
	if (!d || !d->refs || --d->refs)
		return;
	for (int i = 0; i < 2; i++) {
		if (d->fd[i] >= 0)
			close(d->fd[i]);
		d->fd[i] = -1;
		d->id[i] = 0;
	}
}
