/* send_uring.c - io_uring batched sender (see send_uring.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include "util/log.h"
#include "send/send_uring.h"

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

const char *xs_send_api_str(const struct xs_sender *s)
{
	return s->mmsg ? "sendmmsg" : "io_uring";
}

int xs_sender_open(struct xs_sender *s, enum xs_send_path path, enum xs_send_api api,
		   int ifindex, unsigned depth)
{
	struct io_uring_params p = { 0 };
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->ring.ring_fd = -1;
	s->path = path;
	s->depth = depth;
	s->bufs = aligned_alloc(64, (size_t)depth * XS_SEND_BUFSZ);
	s->lens = calloc(depth, sizeof(*s->lens));
	s->tries = calloc(depth, sizeof(*s->tries));
	s->fail_since = calloc(depth, sizeof(*s->fail_since));
	s->backoff_us = 8;
	s->free_ids = calloc(depth, sizeof(*s->free_ids));
	s->retry_ids = calloc(depth, sizeof(*s->retry_ids));
	s->msgs = calloc(depth, sizeof(*s->msgs));
	s->iov = calloc(depth, sizeof(*s->iov));
	s->dsts = calloc(depth, sizeof(*s->dsts));
	if (!s->bufs || !s->lens || !s->tries || !s->fail_since || !s->free_ids || !s->retry_ids || !s->msgs ||
	    !s->iov || !s->dsts) {
		err = -ENOMEM;
		goto err;
	}
	for (unsigned i = 0; i < depth; i++)
		s->free_ids[s->nfree++] = depth - 1 - i;

	if (api == XS_SEND_MMSG)
		goto mmsg;
	/* Best flags first; older kernels answer -EINVAL and get the plain ring. */
	p.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER;
	err = io_uring_queue_init_params(depth, &s->ring, &p);
	if (err == -EINVAL) {
		memset(&p, 0, sizeof(p));
		err = io_uring_queue_init_params(depth, &s->ring, &p);
	}
	if (err) {
		s->ring.ring_fd = -1;
		if (api == XS_SEND_AUTO && (err == -ENOSYS || err == -EPERM)) {
			pr_warn("io_uring unavailable (%s); sending with sendmmsg instead",
				strerror(-err));
			goto mmsg;
		}
		goto err;
	}
	s->ring_ok = 1;
	s->fd = open_socket(path, ifindex);
	if (s->fd < 0) {
		err = s->fd;
		goto err;
	}
	/* A registered file saves an fd lookup and refcount per SQE. */
	s->fixed_file = io_uring_register_files(&s->ring, &s->fd, 1) == 0;
	return 0;
mmsg:
	s->fd = open_socket(path, ifindex);
	if (s->fd < 0) {
		err = s->fd;
		goto err;
	}
	if ((err = xs_mmsg_init(s)))
		goto err;
	return 0;
err:
	xs_sender_close(s);
	return err;
}

static void prep(struct xs_sender *s, struct io_uring_sqe *sqe, unsigned id)
{
	uint8_t *buf = s->bufs + (size_t)id * XS_SEND_BUFSZ;
	int fd = s->fixed_file ? 0 : s->fd;

	if (s->path == XS_PATH_PACKET) {
		io_uring_prep_send(sqe, fd, buf, s->lens[id], 0);
	} else {
		struct msghdr *m = &s->msgs[id];

		s->iov[id].iov_base = buf;
		s->iov[id].iov_len = s->lens[id];
		memset(m, 0, sizeof(*m));
		m->msg_name = &s->dsts[id];
		m->msg_namelen = sizeof(s->dsts[id]);
		m->msg_iov = &s->iov[id];
		m->msg_iovlen = 1;
		io_uring_prep_sendmsg(sqe, fd, m, 0);
	}
	if (s->fixed_file)
		sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, id);
}

static int submit(struct xs_sender *s)
{
	int ret;

	if (!s->queued)
		return 0;
	do {
		ret = io_uring_submit(&s->ring);
	} while (ret == -EINTR);
	s->st.submits++;
	if (ret < 0)
		return ret;
	s->inflight += (unsigned)ret;
	s->queued -= (unsigned)ret < s->queued ? (unsigned)ret : s->queued;
	return 0;
}

static int queue_id(struct xs_sender *s, unsigned id)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);
	int err;

	if (!sqe) {
		/* Submission queue full: send this batch, then there is room. */
		if ((err = submit(s)))
			return err;
		sqe = io_uring_get_sqe(&s->ring);
		if (!sqe)
			return -EBUSY;
	}
	prep(s, sqe, id);
	s->queued++;
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int xs_send_failed(struct xs_sender *s, unsigned id, int res)
{
	const char *why = NULL;

	if (res == -ENOBUFS || res == -EAGAIN || res == -EWOULDBLOCK) {
		/* A full queue is back-pressure, not an error: wait it out, within reason. */
		uint64_t now = mono_ns();

		if (res == -ENOBUFS)
			s->st.enobufs++;
		else
			s->st.eagain++;
		s->congested = 1;
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
		return 1;
	if (s->st.failed++ == 0)
		pr_warn("send failed, probe dropped: %s", why);
	return 0;
}

void xs_send_backoff(struct xs_sender *s)
{
	if (!s->congested) {
		s->backoff_us = 8;
		return;
	}
	s->congested = 0;
	usleep(s->backoff_us);
	if (s->backoff_us < 1000)
		s->backoff_us *= 2;
}

static void complete(struct xs_sender *s, unsigned id, int res)
{
	if (res == (int)s->lens[id]) {
		s->st.sent++;
		s->fail_since[id] = 0;
		s->free_ids[s->nfree++] = id;
		return;
	}
	if (xs_send_failed(s, id, res))
		s->retry_ids[s->nretry++] = id;
	else
		s->free_ids[s->nfree++] = id;
}

/* Reap completions; wait for at least one when wait is set. */
static int reap(struct xs_sender *s, int wait)
{
	struct io_uring_cqe *cqes[64];
	unsigned n;
	int err;

	if (wait && s->inflight) {
		struct io_uring_cqe *cqe;

		do {
			err = io_uring_wait_cqe(&s->ring, &cqe);
		} while (err == -EINTR);
		if (err)
			return err;
	}
	while ((n = io_uring_peek_batch_cqe(&s->ring, cqes, 64)) > 0) {
		for (unsigned i = 0; i < n; i++)
			complete(s, (unsigned)io_uring_cqe_get_data64(cqes[i]), cqes[i]->res);
		io_uring_cq_advance(&s->ring, n);
		s->inflight -= n;
	}
	/* Resend what failed; a full device queue first gets a moment to drain. */
	if (s->nretry) {
		unsigned nr = s->nretry;

		xs_send_backoff(s);
		s->nretry = 0;
		for (unsigned i = 0; i < nr; i++)
			if ((err = queue_id(s, s->retry_ids[i])))
				return err;
	}
	return 0;
}

uint8_t *xs_sender_buf(struct xs_sender *s, unsigned *id)
{
	if (!s->nfree && s->mmsg && xs_mmsg_flush(s))
		return NULL;
	while (!s->nfree) {
		if (submit(s) || reap(s, 1))
			return NULL;
	}
	*id = s->free_ids[--s->nfree];
	s->tries[*id] = 0;
	s->fail_since[*id] = 0;
	return s->bufs + (size_t)*id * XS_SEND_BUFSZ;
}

int xs_sender_push(struct xs_sender *s, unsigned id, unsigned len, uint32_t dst)
{
	s->lens[id] = (uint16_t)len;
	s->dsts[id].sin_family = AF_INET;
	s->dsts[id].sin_addr.s_addr = dst;
	if (s->mmsg)
		return xs_mmsg_push(s, id);
	return queue_id(s, id);
}

int xs_sender_flush(struct xs_sender *s)
{
	int err;

	if (s->mmsg)
		return xs_mmsg_flush(s);
	err = submit(s);

	return err ? err : reap(s, 0);
}

int xs_sender_drain(struct xs_sender *s)
{
	int err;

	if (s->mmsg)
		return xs_mmsg_flush(s);
	while (s->inflight || s->queued || s->nretry) {
		if ((err = submit(s)) || (err = reap(s, 1)))
			return err;
	}
	return 0;
}

void xs_sender_close(struct xs_sender *s)
{
	if (s->ring_ok)
		io_uring_queue_exit(&s->ring);
	if (s->fd >= 0)
		close(s->fd);
	free(s->bufs);
	free(s->lens);
	free(s->tries);
	free(s->fail_since);
	free(s->free_ids);
	free(s->retry_ids);
	free(s->msgs);
	free(s->iov);
	free(s->dsts);
	xs_mmsg_free(s);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
