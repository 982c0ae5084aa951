/* uring.c - the io_uring send backend (see send.h).
 *
 * One SQE per probe (IORING_OP_SEND on AF_PACKET, IORING_OP_SENDMSG with a destination
 * on the raw socket), submitted in batches: one io_uring_enter per flush. The socket is
 * a registered file, which saves an fd lookup and a refcount per SQE. Completions that
 * the policy says to retry are queued again after the batch's backoff.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <liburing.h>
#include <sys/socket.h>

#include "send/send.h"

struct uring {
	struct io_uring ring;
	bool fixed_file;	/* the socket is registered */
	unsigned inflight, queued;
	unsigned *retry_ids, nretry;
	struct msghdr *msgs;	/* raw path */
	struct iovec *iov;
};

static int uring_open(struct xs_sender *s)
{
	struct io_uring_params p = { 0 };
	struct uring *u = calloc(1, sizeof(*u));
	int err;

	if (!u)
		return -ENOMEM;
	u->retry_ids = calloc(s->depth, sizeof(*u->retry_ids));
	u->msgs = calloc(s->depth, sizeof(*u->msgs));
	u->iov = calloc(s->depth, sizeof(*u->iov));
	if (!u->retry_ids || !u->msgs || !u->iov) {
		err = -ENOMEM;
		goto fail;
	}
	/* Best flags first; older kernels answer -EINVAL and get the plain ring. A ring
	 * used from another thread than this one (a sender thread's) cannot be
	 * SINGLE_ISSUER: its submitter is whoever creates it. */
	p.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN |
		  (s->other_thread ? 0 : IORING_SETUP_SINGLE_ISSUER);
	err = io_uring_queue_init_params(s->depth, &u->ring, &p);
	if (err == -EINVAL) {
		memset(&p, 0, sizeof(p));
		err = io_uring_queue_init_params(s->depth, &u->ring, &p);
	}
	if (err)
		goto fail;
	u->fixed_file = io_uring_register_files(&u->ring, &s->fd, 1) == 0;
	s->priv = u;
	return 0;
fail:
	free(u->retry_ids);
	free(u->msgs);
	free(u->iov);
	free(u);
	return err;
}

static void prep(struct xs_sender *s, struct uring *u, struct io_uring_sqe *sqe, unsigned id)
{
	uint8_t *buf = s->bufs + (size_t)id * XS_SEND_BUFSZ;
	int fd = u->fixed_file ? 0 : s->fd;

	if (s->path == XS_PATH_PACKET) {
		io_uring_prep_send(sqe, fd, buf, s->lens[id], 0);
	} else {
		struct msghdr *m = &u->msgs[id];

		u->iov[id].iov_base = buf;
		u->iov[id].iov_len = s->lens[id];
		memset(m, 0, sizeof(*m));
		m->msg_name = &s->dsts[id];
		m->msg_namelen = sizeof(s->dsts[id].in);
		m->msg_iov = &u->iov[id];
		m->msg_iovlen = 1;
		io_uring_prep_sendmsg(sqe, fd, m, 0);
	}
	if (u->fixed_file)
		sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, id);
}

static int submit(struct xs_sender *s, struct uring *u)
{
	int ret;

	if (!u->queued)
		return 0;
	do {
		ret = io_uring_submit(&u->ring);
	} while (ret == -EINTR);
	s->st.submits++;
	if (ret < 0)
		return ret;
	u->inflight += (unsigned)ret;
	u->queued -= (unsigned)ret < u->queued ? (unsigned)ret : u->queued;
	return 0;
}

static int queue_id(struct xs_sender *s, struct uring *u, unsigned id)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
	int err;

	if (!sqe) {
		/* Submission queue full: send this batch, then there is room. */
		if ((err = submit(s, u)))
			return err;
		sqe = io_uring_get_sqe(&u->ring);
		if (!sqe)
			return -EBUSY;
	}
	prep(s, u, sqe, id);
	u->queued++;
	return 0;
}

/* Reap completions (waiting for one when wait is set), then queue the retries. */
static int reap(struct xs_sender *s, struct uring *u, bool wait)
{
	struct io_uring_cqe *cqes[64];
	unsigned n;
	int err;

	if (wait && u->inflight) {
		struct io_uring_cqe *cqe;

		do {
			err = io_uring_wait_cqe(&u->ring, &cqe);
		} while (err == -EINTR);
		if (err)
			return err;
	}
	while ((n = io_uring_peek_batch_cqe(&u->ring, cqes, 64)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			unsigned id = (unsigned)io_uring_cqe_get_data64(cqes[i]);

			if (xs_send_done(s, id, cqes[i]->res))
				u->retry_ids[u->nretry++] = id;
		}
		io_uring_cq_advance(&u->ring, n);
		u->inflight -= n;
	}
	/* Resend what failed; a full device queue first gets a moment to drain. */
	if (u->nretry) {
		unsigned nr = u->nretry;

		xs_send_backoff(s);
		u->nretry = 0;
		for (unsigned i = 0; i < nr; i++)
			if ((err = queue_id(s, u, u->retry_ids[i])))
				return err;
	}
	return 0;
}

static int uring_push(struct xs_sender *s, unsigned id)
{
	return queue_id(s, s->priv, id);
}

static int uring_flush(struct xs_sender *s)
{
	struct uring *u = s->priv;
	int err = submit(s, u);

	return err ? err : reap(s, u, false);
}

static int uring_reclaim(struct xs_sender *s)
{
	struct uring *u = s->priv;
	int err = submit(s, u);

	return err ? err : reap(s, u, true);
}

static int uring_drain(struct xs_sender *s)
{
	struct uring *u = s->priv;
	int err;

	while (u->inflight || u->queued || u->nretry)
		if ((err = submit(s, u)) || (err = reap(s, u, true)))
			return err;
	return 0;
}

static void uring_close(struct xs_sender *s)
{
	struct uring *u = s->priv;

	if (!u)
		return;
	io_uring_queue_exit(&u->ring);
	free(u->retry_ids);
	free(u->msgs);
	free(u->iov);
	free(u);
	s->priv = NULL;
}

const struct xs_send_ops xs_send_uring = {
	.name = "io_uring",
	.threads = true,
	.open = uring_open,
	.push = uring_push,
	.flush = uring_flush,
	.reclaim = uring_reclaim,
	.drain = uring_drain,
	.close = uring_close,
};
