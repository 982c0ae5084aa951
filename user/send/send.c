/* send.c - the sender shared by every send backend: socket, buffers, accounting and the
 * retry/back-pressure policy (see send.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include "send/send.h"
#include "util/clock.h"
#include "util/log.h"

static int open_socket(enum xs_send_path path, int ifindex)
{
	int one = 1, sndbuf = 4 << 20, fd;

	if (path == XS_PATH_PACKET) {
		struct sockaddr_ll sll = {
			.sll_family = AF_PACKET,
			.sll_ifindex = ifindex,
			.sll_protocol = htons(ETH_P_IP),
		};

		/* Protocol 0: this socket never receives, so it costs nothing on rx. */
		fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
			goto err;
		/* Straight to the driver: the qdisc layer only adds cost for a scanner. */
		if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
			pr_info("PACKET_QDISC_BYPASS unavailable: %s", strerror(errno));
	} else {
		fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
		if (fd < 0)
			return -errno;
		if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)))
			goto err;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	return fd;
err:
	one = -errno;
	close(fd);
	return one;
}

static int alloc_pool(struct xs_sender *s, unsigned depth)
{
	s->depth = depth;
	s->bufs = aligned_alloc(64, (size_t)depth * XS_SEND_BUFSZ);
	s->lens = calloc(depth, sizeof(*s->lens));
	s->dsts = calloc(depth, sizeof(*s->dsts));
	s->tries = calloc(depth, sizeof(*s->tries));
	s->fail_since = calloc(depth, sizeof(*s->fail_since));
	s->free_ids = calloc(depth, sizeof(*s->free_ids));
	if (!s->bufs || !s->lens || !s->dsts || !s->tries || !s->fail_since || !s->free_ids)
		return -ENOMEM;
	for (unsigned i = 0; i < depth; i++)
		s->free_ids[s->nfree++] = depth - 1 - i;
	s->backoff_us = 8;
	return 0;
}

/* The backends --send can name, in XS_SEND_AUTO's fallback order. */
static const struct {
	enum xs_send_api api;
	const struct xs_send_ops *ops;
} backends[] = {
	{ XS_SEND_URING, &xs_send_uring },
	{ XS_SEND_MMSG, &xs_send_mmsg },
};
#define N_BACKENDS (sizeof(backends) / sizeof(backends[0]))

int xs_sender_open(struct xs_sender *s, enum xs_send_path path, enum xs_send_api api,
		   int ifindex, unsigned depth)
{
	int err = -EINVAL;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->fd = -1;
	if ((err = alloc_pool(s, depth)))
		goto fail;
	if (path == XS_PATH_DGRAM) {
		/* Its sockets are the receive backend's (send/dgram.h). */
		s->ops = &xs_send_dgram;
		if ((err = s->ops->open(s)))
			goto fail;
		return 0;
	}
	s->fd = open_socket(path, ifindex);
	if (s->fd < 0) {
		err = s->fd;
		goto fail;
	}
	for (unsigned i = 0; i < N_BACKENDS; i++) {
		if (api != XS_SEND_AUTO && api != backends[i].api)
			continue;
		s->ops = backends[i].ops;
		err = s->ops->open(s);
		if (!err)
			break;
		s->ops->close(s);
		s->ops = NULL;
		if (api != XS_SEND_AUTO || (err != -ENOSYS && err != -EPERM) || i + 1 == N_BACKENDS)
			goto fail;
		pr_warn("%s unavailable (%s); sending with %s instead", backends[i].ops->name,
			strerror(-err), backends[i + 1].ops->name);
	}
	return 0;
fail:
	xs_sender_close(s);
	return err;
}

const char *xs_sender_name(const struct xs_sender *s)
{
	return s->ops ? s->ops->name : "none";
}

bool xs_send_done(struct xs_sender *s, unsigned id, int res)
{
	const char *why = NULL;

	if (res == (int)s->lens[id]) {
		s->st.sent++;
		s->fail_since[id] = 0;
		s->free_ids[s->nfree++] = id;
		return false;
	}
	if (res == -ENOBUFS || res == -EAGAIN || res == -EWOULDBLOCK) {
		/* A full queue is back-pressure, not an error: wait it out, within reason. */
		uint64_t now = xs_mono_ns();

		if (res == -ENOBUFS)
			s->st.enobufs++;
		else
			s->st.eagain++;
		s->congested = true;
		if (!s->fail_since[id])
			s->fail_since[id] = now;
		else if (now - s->fail_since[id] > (uint64_t)XS_SEND_GIVEUP_MS * 1000000u)
			why = "device queue full for too long";
	} else {
		if (res >= 0)
			s->st.short_sends++;
		else
			s->st.other_errors++;
		if (++s->tries[id] >= XS_SEND_TRIES)
			why = res < 0 ? strerror(-res) : "short send";
	}
	if (!why)
		return true;
	if (s->st.failed++ == 0)
		pr_warn("send failed, probe dropped: %s", why);
	s->free_ids[s->nfree++] = id;
	return false;
}

void xs_send_backoff(struct xs_sender *s)
{
	if (!s->congested) {
		s->backoff_us = 8;
		return;
	}
	s->congested = false;
	usleep(s->backoff_us);
	if (s->backoff_us < 1000)
		s->backoff_us *= 2;
}

uint8_t *xs_sender_buf(struct xs_sender *s, unsigned *id)
{
	while (!s->nfree)
		if (s->ops->reclaim(s))
			return NULL;
	*id = s->free_ids[--s->nfree];
	s->tries[*id] = 0;
	s->fail_since[*id] = 0;
	return s->bufs + (size_t)*id * XS_SEND_BUFSZ;
}

int xs_sender_push(struct xs_sender *s, unsigned id, unsigned len, const struct xs_ip *dst)
{
	union xs_sockaddr *d = &s->dsts[id];

	s->lens[id] = (uint16_t)len;
	if (s->path == XS_PATH_DGRAM && dst->family == XS_AF_INET6) {
		d->in6 = (struct sockaddr_in6){ .sin6_family = AF_INET6 };
		memcpy(&d->in6.sin6_addr, dst->addr, 16);
	} else if (s->path != XS_PATH_PACKET) {
		d->in.sin_family = AF_INET;
		memcpy(&d->in.sin_addr.s_addr, dst->addr, 4);
	}
	return s->ops->push(s, id);
}

int xs_sender_flush(struct xs_sender *s)
{
	return s->ops->flush(s);
}

int xs_sender_drain(struct xs_sender *s)
{
	return s->ops->drain(s);
}

void xs_sender_close(struct xs_sender *s)
{
	if (s->ops)
		s->ops->close(s);
	if (s->fd >= 0)
		close(s->fd);
	free(s->bufs);
	free(s->lens);
	free(s->dsts);
	free(s->tries);
	free(s->fail_since);
	free(s->free_ids);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
