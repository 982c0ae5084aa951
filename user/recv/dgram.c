/* dgram.c - the receive backend of unprivileged sweeps: echo replies read from the ICMP
 * datagram sockets of send/dgram.h (which this backend opens; the send backend shares
 * them).
 *
 * The kernel hands each socket only the echo replies that carry its id, as the ICMP
 * message alone, with the sender's address, and here with the receive timestamp
 * (SO_TIMESTAMPNS), the TTL or hop limit, and the socket's drop count (SO_RXQ_OVFL). A
 * reply is valid when its payload has our magic, a possible attempt, and the sequence
 * number and the cookie after the payload both equal the keyed cookie recomputed over
 * (target in the payload, our address, probe type, round, attempt), and it comes from
 * that target (see dgram.h for why this is the check the channel allows). There is no
 * duplicate filter here (ops.user_dedup: the engine counts them).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "probe/probe.h"
#include "recv/recv.h"
#include "scan/addr.h"
#include "send/dgram.h"
#include "send/send.h"
#include "util/clock.h"
#include "util/log.h"

#define RX_BATCH 32
#define RX_ROUNDS 64		/* batches per poll at most: sending must go on */
#define MSG_MAX 128		/* our replies are 44 bytes at most */
#define CMSG_MAX (CMSG_SPACE(sizeof(struct timespec)) + 2 * CMSG_SPACE(sizeof(int)) + 64)

#define TAIL_LEN 4		/* the whole cookie after the payload */
#define LEN4 (8 + sizeof(struct xs_probe_payload) + TAIL_LEN)
#define LEN6 (8 + sizeof(struct xs_probe_payload6) + TAIL_LEN)

struct rx_dgram {
	struct xs_dgram *sk;
	struct xs_probe p;		/* the probe's state; round and attempt set per reply */
	int64_t wall_minus_mono;	/* kernel timestamps are realtime; RTTs monotonic */
	struct xs_stats st;
	uint32_t dropped[2];		/* SO_RXQ_OVFL: replies the socket had no room for */
	struct mmsghdr mm[RX_BATCH];
	struct iovec iov[RX_BATCH];
	union xs_sockaddr from[RX_BATCH];
	uint8_t msg[RX_BATCH][MSG_MAX];
	uint8_t ctl[RX_BATCH][CMSG_MAX] __attribute__((aligned(8)));
};

static int dgram_open_rx(struct xs_rx *rx)
{
	struct rx_dgram *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	rx->priv = d;
	d->p = *rx->cfg.probe;
	d->wall_minus_mono = xs_mono_to_wall_offset();
	return xs_dgram_open(rx->cfg.probe, rx->cfg.ifname, &d->sk);
}

static void dgram_set_round(struct xs_rx *rx, uint32_t round)
{
	((struct rx_dgram *)rx->priv)->p.round = round;
}

static uint32_t get32(const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return v;
}

/* Where the payload keeps the target and the attempt: struct xs_probe_payload(6). */
static void payload_fields(const uint8_t *pl, bool v6, struct xs_target *t, uint32_t *attempt,
			   __u64 *tx_ns)
{
	memset(t, 0, sizeof(*t));
	t->ip.family = v6 ? XS_AF_INET6 : XS_AF_INET;
	if (v6) {
		const struct xs_probe_payload6 *p6 = (const void *)pl;

		memcpy(t->ip.addr, p6->target, 16);
		*attempt = p6->attempt;
	} else {
		memcpy(t->ip.addr, pl + offsetof(struct xs_probe_payload, target), 4);
		*attempt = get32(pl + offsetof(struct xs_probe_payload, attempt));
	}
	memcpy(tx_ns, pl + (v6 ? offsetof(struct xs_probe_payload6, tx_ns) :
				 offsetof(struct xs_probe_payload, tx_ns)), 8);
}

/* The cookie of round/attempt to t, as the send side computed it. */
static uint32_t cookie(struct rx_dgram *d, const struct xs_target *t, uint32_t round,
		       uint32_t attempt)
{
	struct xs_probe p = d->p;

	p.round = round;
	p.attempt = attempt;
	return p.m->cookie(&p, t);
}

/* Classify one echo reply message (len bytes) from address from. */
static int check_reply(struct rx_dgram *d, const uint8_t *m, size_t len, const struct xs_ip *from,
		       struct xs_reply *r)
{
	bool v6 = from->family == XS_AF_INET6;
	size_t want = v6 ? LEN6 : LEN4;
	uint32_t attempt, c, tail;
	uint16_t seq;

	if (len < 12 || m[0] != (v6 ? 129 : 0) || get32(m + 8) != htonl(XS_PAYLOAD_MAGIC))
		return XS_V_NOT_OURS;
	if (len != want)
		return XS_V_MALFORMED;
	payload_fields(m + 8, v6, &r->t, &attempt, &r->tx_ns);
	if (attempt > XS_MAX_ATTEMPT)
		return XS_V_BAD_COOKIE;
	seq = (uint16_t)(m[6] << 8 | m[7]);
	tail = ntohl(get32(m + want - TAIL_LEN));
	c = cookie(d, &r->t, d->p.round, attempt);
	if (seq != (uint16_t)c || tail != c) {
		/* Periodic mode: the previous round's genuine reply, from the target, late. */
		if (d->p.round && xs_ip_equal(from, &r->t.ip) &&
		    (c = cookie(d, &r->t, d->p.round - 1, attempt), seq == (uint16_t)c && tail == c))
			return XS_V_LATE;
		return XS_V_BAD_COOKIE;
	}
	if (!xs_ip_equal(from, &r->t.ip))
		return XS_V_WRONG_SRC;
	r->state = XS_STATE_ALIVE;
	r->attempt = attempt;
	return XS_V_VALID;
}

/* Timestamp, TTL and drop count from one message's control data. */
static void control(struct rx_dgram *d, struct msghdr *h, int f, struct xs_event *ev)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		int ttl;

		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS) {
			struct timespec ts;
			int64_t ns;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - d->wall_minus_mono;
			ev->rx_ns = ns > 0 ? (uint64_t)ns : 0;
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
			memcpy(&d->dropped[f], CMSG_DATA(c), sizeof(d->dropped[f]));
		} else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
			   (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			ev->ttl = (uint8_t)ttl;
		}
	}
}

static struct xs_ip from_ip(const union xs_sockaddr *a)
{
	struct xs_ip ip = { .family = XS_AF_INET };

	if (a->sa.sa_family == AF_INET6) {
		ip.family = XS_AF_INET6;
		memcpy(ip.addr, &a->in6.sin6_addr, 16);
	} else {
		memcpy(ip.addr, &a->in.sin_addr, 4);
	}
	return ip;
}

static void deliver(struct xs_rx *rx, struct rx_dgram *d, int f, unsigned k)
{
	struct xs_ip from = from_ip(&d->from[k]);
	struct xs_event ev = { 0 };
	struct xs_reply r = { 0 };
	int v;

	d->st.rx_packets++;
	control(d, &d->mm[k].msg_hdr, f, &ev);
	if (!ev.rx_ns)
		ev.rx_ns = xs_mono_ns();
	v = check_reply(d, d->msg[k], d->mm[k].msg_len, &from, &r);
	if (v != XS_V_VALID) {
		xs_sweep_count(&d->st, v);
		return;
	}
	ev.t = r.t;
	ev.state = (uint8_t)r.state;
	ev.attempt = (uint8_t)r.attempt;
	ev.tx_ns = r.tx_ns;
	rx->cfg.on_reply(rx->cfg.ctx, &ev);
}

/* Read what one socket holds, up to RX_ROUNDS batches. */
static void drain(struct xs_rx *rx, struct rx_dgram *d, int f)
{
	for (int round = 0; round < RX_ROUNDS; round++) {
		int n;

		for (unsigned k = 0; k < RX_BATCH; k++) {
			d->iov[k] = (struct iovec){ d->msg[k], MSG_MAX };
			d->mm[k].msg_hdr = (struct msghdr){
				.msg_name = &d->from[k], .msg_namelen = sizeof(d->from[k]),
				.msg_iov = &d->iov[k], .msg_iovlen = 1,
				.msg_control = d->ctl[k], .msg_controllen = CMSG_MAX,
			};
		}
		n = recvmmsg(d->sk->fd[f], d->mm, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			pr_warn("ICMP datagram socket: %s", strerror(errno));
		if (n <= 0)
			return;
		for (int k = 0; k < n; k++)
			deliver(rx, d, f, (unsigned)k);
		if (n < RX_BATCH)
			return;
	}
}

static void dgram_poll_rx(struct xs_rx *rx, int timeout_ms)
{
	struct rx_dgram *d = rx->priv;
	struct pollfd pfd[2];
	int n = 0;

	for (int f = 0; f < 2; f++)
		if (d->sk->fd[f] >= 0)
			pfd[n++] = (struct pollfd){ .fd = d->sk->fd[f], .events = POLLIN };
	if (timeout_ms > 0)
		poll(pfd, (nfds_t)n, timeout_ms);
	for (int f = 0; f < 2; f++)
		if (d->sk->fd[f] >= 0)
			drain(rx, d, f);
}

static void dgram_stats_rx(struct xs_rx *rx, struct xs_stats *st)
{
	*st = ((struct rx_dgram *)rx->priv)->st;
}

static void dgram_describe(struct xs_rx *rx, char *buf, size_t len)
{
	struct rx_dgram *d = rx->priv;
	char ids[48] = "", *p = ids;

	for (int f = 0; f < 2; f++)
		if (d->sk->fd[f] >= 0)
			p += snprintf(p, sizeof(ids) - (size_t)(p - ids), "%s%s %u", p == ids ? "" : ", ",
				      f ? "ICMPv6" : "ICMP", d->sk->id[f]);
	snprintf(buf, len, "capture ICMP datagram sockets (echo id %s; dropped for lack of room "
		 "%u)", ids, d->dropped[0] + d->dropped[1]);
}

static void dgram_close_rx(struct xs_rx *rx)
{
	struct rx_dgram *d = rx->priv;

	if (!d)
		return;
	xs_dgram_put(d->sk);
	free(d);
	rx->priv = NULL;
}

const struct xs_rx_ops xs_rx_dgram = {
	.name = "dgram",
	.user_dedup = true,
	.open = dgram_open_rx,
	.set_round = dgram_set_round,
	.poll = dgram_poll_rx,
	.stats = dgram_stats_rx,
	.describe = dgram_describe,
	.close = dgram_close_rx,
};
