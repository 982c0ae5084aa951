/* dgram.c - the send backend of unprivileged sweeps: ICMP echo messages (no IP header;
 * the module's fill_dgram) on the ICMP datagram sockets of send/dgram.h.
 *
 * Pushed buffers queue per address family (one socket each) and leave in one
 * sendmmsg(2) per family and flush, each to the destination xs_sender_push recorded.
 * The sockets do not block: a full socket buffer is -EAGAIN, back-pressure for the
 * shared policy (send.c), which retries after a pause; a message that failed goes again
 * in the next round of the loop, the ones after it are not held back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "send/dgram.h"
#include "send/send.h"
#include "util/log.h"

struct dgram_queue {
	struct mmsghdr *mm;
	struct iovec *iov;
	unsigned *ids, n;
};

struct dgram_tx {
	struct xs_dgram *sk;
	struct dgram_queue q[2];	/* IPv4, IPv6 */
};

static int dgram_open(struct xs_sender *s)
{
	struct dgram_tx *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	s->priv = t;
	for (int f = 0; f < 2; f++) {
		t->q[f].mm = calloc(s->depth, sizeof(*t->q[f].mm));
		t->q[f].iov = calloc(s->depth, sizeof(*t->q[f].iov));
		t->q[f].ids = calloc(s->depth, sizeof(*t->q[f].ids));
		if (!t->q[f].mm || !t->q[f].iov || !t->q[f].ids)
			return -ENOMEM;
	}
	/* The receive backend opened them (recv/dgram.c). */
	t->sk = xs_dgram_get();
	return t->sk ? 0 : -ENOTCONN;
}

static void enqueue(struct xs_sender *s, struct dgram_queue *q, unsigned id)
{
	struct msghdr *h = &q->mm[q->n].msg_hdr;
	union xs_sockaddr *d = &s->dsts[id];

	q->iov[q->n] = (struct iovec){ s->bufs + (size_t)id * XS_SEND_BUFSZ, s->lens[id] };
	memset(h, 0, sizeof(*h));
	h->msg_name = d;
	h->msg_namelen = d->sa.sa_family == AF_INET6 ? sizeof(d->in6) : sizeof(d->in);
	h->msg_iov = &q->iov[q->n];
	h->msg_iovlen = 1;
	q->ids[q->n++] = id;
}

/* One sendmmsg over what is queued from message first on; every message it took or the
 * one it failed on is accounted (xs_send_done). Returns the next message to send, with
 * those to send again moved to the front (*nretry of them). */
static unsigned send_some(struct xs_sender *s, int fd, struct dgram_queue *q, unsigned first,
			  unsigned *nretry)
{
	int ret = sendmmsg(fd, q->mm + first, q->n - first, 0);
	unsigned done = ret > 0 ? (unsigned)ret : 1;

	if (ret < 0 && errno == EINTR)
		return first;
	if (ret > 0)
		s->st.submits++;
	for (unsigned k = first; k < first + done; k++) {
		int res = ret > 0 ? (int)q->mm[k].msg_len : -errno;

		if (xs_send_done(s, q->ids[k], res))
			q->ids[(*nretry)++] = q->ids[k];
	}
	return first + done;
}

static int flush_queue(struct xs_sender *s, struct dgram_tx *t, int f)
{
	struct dgram_queue *q = &t->q[f];

	if (q->n && t->sk->fd[f] < 0) {
		/* No socket for that family: every probe to it fails, counted. */
		for (unsigned k = 0; k < q->n; k++)
			while (xs_send_done(s, q->ids[k], -EAFNOSUPPORT))
				;
		q->n = 0;
	}
	while (q->n) {
		unsigned next = 0, nretry = 0, n = q->n;

		while (next < n)
			next = send_some(s, t->sk->fd[f], q, next, &nretry);
		/* The ones to send again, as a new batch, after a pause if the queue was full. */
		q->n = 0;
		for (unsigned k = 0; k < nretry; k++)
			enqueue(s, q, q->ids[k]);
		xs_send_backoff(s);
	}
	return 0;
}

static int dgram_flush(struct xs_sender *s)
{
	struct dgram_tx *t = s->priv;

	flush_queue(s, t, 0);
	return flush_queue(s, t, 1);
}

static int dgram_push(struct xs_sender *s, unsigned id)
{
	struct dgram_tx *t = s->priv;
	struct dgram_queue *q = &t->q[xs_dgram_idx(s->dsts[id].sa.sa_family == AF_INET6)];

	if (q->n == s->depth)
		dgram_flush(s);
	enqueue(s, q, id);
	return 0;
}

static void dgram_close(struct xs_sender *s)
{
	struct dgram_tx *t = s->priv;

	if (!t)
		return;
	for (int f = 0; f < 2; f++) {
		free(t->q[f].mm);
		free(t->q[f].iov);
		free(t->q[f].ids);
	}
	xs_dgram_put(t->sk);
	free(t);
	s->priv = NULL;
}

const struct xs_send_ops xs_send_dgram = {
	.name = "dgram",
	.open = dgram_open,
	.push = dgram_push,
	.flush = dgram_flush,
	.reclaim = dgram_flush,
	.drain = dgram_flush,
	.close = dgram_close,
};
