/* send.c - the sender shared by every send backend: socket, buffers, accounting and the
 * retry/back-pressure policy (see send.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
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

/* The backends --send can name, in XS_SEND_AUTO's fallback order. at_max: auto tries
 * it only at --rate max, and says only with -v that it is unavailable. */
static const struct {
	enum xs_send_api api;
	const struct xs_send_ops *ops;
	bool at_max;
} backends[] = {
	{ XS_SEND_XDP, &xs_send_xdp, true },
	{ XS_SEND_URING, &xs_send_uring, false },
	{ XS_SEND_MMSG, &xs_send_mmsg, false },
};
#define N_BACKENDS (sizeof(backends) / sizeof(backends[0]))

int xs_send_unusable(struct xs_sender *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	s->why_err = err;
	return err;
}

/* Close the backend, keeping the reason it gave. */
static void keep_why(struct xs_sender *s, void (*close_fn)(struct xs_sender *))
{
	char why[sizeof(s->why)];
	int why_err = s->why_err;

	memcpy(why, s->why, sizeof(why));
	close_fn(s);
	memcpy(s->why, why, sizeof(why));
	s->why_err = why_err;
}

static void close_backend(struct xs_sender *s)
{
	s->ops->close(s);
	s->ops = NULL;
}

/* Is backends[i] a candidate for s->api? */
static bool candidate(const struct xs_sender *s, unsigned i)
{
	if (s->api != XS_SEND_AUTO)
		return s->api == backends[i].api;
	return !backends[i].at_max || s->at_max;
}

/* The first candidate from backends[from] on that opens; under auto, one line for each
 * that is unavailable here. */
static int open_backend(struct xs_sender *s, unsigned from)
{
	int err = -EINVAL;

	for (unsigned i = from; i < N_BACKENDS; i++) {
		if (!candidate(s, i))
			continue;
		s->why[0] = 0;
		s->ops = backends[i].ops;
		s->backend = i;
		if (!(err = s->ops->open(s)))
			return 0;
		keep_why(s, close_backend);
		if (s->api != XS_SEND_AUTO || i + 1 == N_BACKENDS ||
		    (err != -ENOSYS && err != -EPERM && err != -EOPNOTSUPP))
			return err;
		xs_log(backends[i].at_max ? LOG_INFO : LOG_WARN,
		       "%s unavailable (%s); sending with %s instead", backends[i].ops->name,
		       xs_sender_strerror(s, err), backends[i + 1].ops->name);
	}
	return err;
}

/* The backend's frames did not arrive (-EREMOTEIO from it, s->why says why): under
 * XS_SEND_AUTO the next backend takes over every buffer in flight; asked for by name,
 * the error stands. */
static int fall_back(struct xs_sender *s, int err)
{
	const char *name = s->ops->name;
	uint8_t *held;
	int e;

	if (err != -EREMOTEIO || s->api != XS_SEND_AUTO || s->backend + 1 >= N_BACKENDS)
		return err;
	if (!(held = calloc(s->depth, 1)))
		return -ENOMEM;
	memset(held, 1, s->depth);
	for (unsigned i = 0; i < s->nfree; i++)
		held[s->free_ids[i]] = 0;
	pr_warn("%s unavailable (%s); sending with %s instead", name, s->why,
		backends[s->backend + 1].ops->name);
	close_backend(s);
	err = open_backend(s, s->backend + 1);
	for (unsigned id = 0; !err && id < s->depth; id++)
		if (held[id] && (e = s->ops->push(s, id)))
			err = e;
	free(held);
	return err;
}

const char *xs_sender_strerror(const struct xs_sender *s, int err)
{
	return s->why[0] && err == s->why_err ? s->why : strerror(-err);
}

const char *xs_send_api_name(enum xs_send_api api)
{
	for (unsigned i = 0; i < N_BACKENDS; i++)
		if (api == XS_SEND_AUTO ? !backends[i].at_max : api == backends[i].api)
			return backends[i].ops->name;
	return "none";
}

int xs_sender_open(struct xs_sender *s, enum xs_send_path path, enum xs_send_api api,
		   int ifindex, unsigned depth, unsigned flags)
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
	s->api = api;
	s->at_max = flags & XS_SENDER_AT_MAX;
	s->other_thread = flags & XS_SENDER_THREAD;
	if (!(err = open_backend(s, 0)))
		return 0;
fail:
	keep_why(s, xs_sender_close);
	return err;
}

void xs_send_stats_add(struct xs_send_stats *to, const struct xs_send_stats *from)
{
	to->sent += from->sent;
	to->enobufs += from->enobufs;
	to->eagain += from->eagain;
	to->short_sends += from->short_sends;
	to->other_errors += from->other_errors;
	to->failed += from->failed;
	to->submits += from->submits;
}

const char *xs_sender_name(const struct xs_sender *s)
{
	return s->ops ? s->ops->name : "none";
}

enum xs_send_api xs_sender_api(const struct xs_sender *s)
{
	return s->path == XS_PATH_DGRAM ? XS_SEND_DGRAM : backends[s->backend].api;
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
		if (fall_back(s, s->ops->reclaim(s)))
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

/* A backend that fell back hands its buffers on: the next one sends them here. */
int xs_sender_flush(struct xs_sender *s)
{
	const struct xs_send_ops *ops;
	int err;

	do {
		ops = s->ops;
		err = fall_back(s, ops->flush(s));
	} while (!err && s->ops != ops);
	return err;
}

int xs_sender_drain(struct xs_sender *s)
{
	const struct xs_send_ops *ops;
	int err;

	do {
		ops = s->ops;
		err = fall_back(s, ops->drain(s));
	} while (!err && s->ops != ops);
	return err;
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
