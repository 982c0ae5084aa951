/* mmsg.c - the sendmmsg(2) send backend (see send.h).
 *
 * For hosts where io_uring is off (kernel.io_uring_disabled, a seccomp filter, an old
 * kernel): pushed buffers are queued as mmsghdrs and leave in one sendmmsg call per
 * flush. The socket blocks, so a full device queue shows up as -ENOBUFS (AF_PACKET with
 * PACKET_QDISC_BYPASS) or a partial batch: the message that failed is accounted by the
 * shared policy (xs_send_done), retried after a pause (xs_send_backoff), and the rest of
 * the batch follows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "send/send.h"

struct mmsg {
	struct mmsghdr *mm;	/* the queued batch */
	struct iovec *iov;
	unsigned *ids, n;
	unsigned *retry_ids;
};

static int mmsg_open(struct xs_sender *s)
{
	struct mmsg *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->mm = calloc(s->depth, sizeof(*m->mm));
	m->iov = calloc(s->depth, sizeof(*m->iov));
	m->ids = calloc(s->depth, sizeof(*m->ids));
	m->retry_ids = calloc(s->depth, sizeof(*m->retry_ids));
	s->priv = m;
	if (!m->mm || !m->iov || !m->ids || !m->retry_ids)
		return -ENOMEM;
	return 0;
}

static void queue(struct xs_sender *s, struct mmsg *m, unsigned id)
{
	struct msghdr *h = &m->mm[m->n].msg_hdr;

	m->iov[m->n].iov_base = s->bufs + (size_t)id * XS_SEND_BUFSZ;
	m->iov[m->n].iov_len = s->lens[id];
	memset(h, 0, sizeof(*h));
	if (s->path == XS_PATH_RAW) {
		h->msg_name = &s->dsts[id];
		h->msg_namelen = sizeof(s->dsts[id].in);
	}
	h->msg_iov = &m->iov[m->n];
	h->msg_iovlen = 1;
	m->ids[m->n++] = id;
}

/* Send the queued batch; every buffer is free again when this returns 0. */
static int mmsg_flush(struct xs_sender *s)
{
	struct mmsg *m = s->priv;

	while (m->n) {
		unsigned off = 0, nretry = 0;

		while (off < m->n) {
			int ret = sendmmsg(s->fd, m->mm + off, m->n - off, 0);

			if (ret > 0) {
				s->st.submits++;
				for (int k = 0; k < ret; k++, off++)
					if (xs_send_done(s, m->ids[off], (int)m->mm[off].msg_len))
						m->retry_ids[nretry++] = m->ids[off];
				continue;
			}
			if (ret < 0 && errno == EINTR)
				continue;
			if (!xs_send_done(s, m->ids[off], ret < 0 ? -errno : -EIO)) {
				off++;
				continue;
			}
			/* The device queue is full: give it a moment to drain. */
			xs_send_backoff(s);
		}
		/* Short sends go again, as a new batch. */
		m->n = 0;
		for (unsigned i = 0; i < nretry; i++)
			queue(s, m, m->retry_ids[i]);
	}
	return 0;
}

static int mmsg_push(struct xs_sender *s, unsigned id)
{
	struct mmsg *m = s->priv;
	int err;

	if (m->n == s->depth && (err = mmsg_flush(s)))
		return err;
	queue(s, m, id);
	return 0;
}

static void mmsg_close(struct xs_sender *s)
{
	struct mmsg *m = s->priv;

	if (!m)
		return;
	free(m->mm);
	free(m->iov);
	free(m->ids);
	free(m->retry_ids);
	free(m);
	s->priv = NULL;
}

const struct xs_send_ops xs_send_mmsg = {
	.name = "sendmmsg",
	.threads = true,
	.open = mmsg_open,
	.push = mmsg_push,
	.flush = mmsg_flush,
	.reclaim = mmsg_flush,
	.drain = mmsg_flush,
	.close = mmsg_close,
};
