/* send_mmsg.c - the sendmmsg(2) backend of the sender (see send_uring.h).
 *
 * For hosts where io_uring is off (kernel.io_uring_disabled, a seccomp filter, an old
 * kernel): pushed buffers are queued as mmsghdrs and leave in one sendmmsg call per
 * flush. The socket blocks, so a full device queue shows up as -ENOBUFS (AF_PACKET with
 * PACKET_QDISC_BYPASS) or a partial batch: the message that failed is counted, retried
 * after a pause with the sender's shared policy (xs_send_failed/xs_send_backoff), and the
 * rest of the batch follows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "util/log.h"
#include "send/send_uring.h"

int xs_mmsg_init(struct xs_sender *s)
{
	s->mm = calloc(s->depth, sizeof(*s->mm));
	s->mm_ids = calloc(s->depth, sizeof(*s->mm_ids));
	if (!s->mm || !s->mm_ids)
		return -ENOMEM;
	s->mmsg = 1;
	return 0;
}

void xs_mmsg_free(struct xs_sender *s)
{
	free(s->mm);
	free(s->mm_ids);
	s->mm = NULL;
	s->mm_ids = NULL;
}

int xs_mmsg_push(struct xs_sender *s, unsigned id)
{
	struct msghdr *m;

	if (s->nmm == s->depth) {
		int err = xs_mmsg_flush(s);

		if (err)
			return err;
	}
	s->iov[id].iov_base = s->bufs + (size_t)id * XS_SEND_BUFSZ;
	s->iov[id].iov_len = s->lens[id];
	m = &s->mm[s->nmm].msg_hdr;
	memset(m, 0, sizeof(*m));
	if (s->path == XS_PATH_RAW) {
		m->msg_name = &s->dsts[id];
		m->msg_namelen = sizeof(s->dsts[id]);
	}
	m->msg_iov = &s->iov[id];
	m->msg_iovlen = 1;
	s->mm_ids[s->nmm++] = id;
	return 0;
}

/* Send the queued batch; every buffer is free again when this returns 0. */
int xs_mmsg_flush(struct xs_sender *s)
{
	while (s->nmm) {
		unsigned off = 0, nretry = 0;

		while (off < s->nmm) {
			int ret = sendmmsg(s->fd, s->mm + off, s->nmm - off, 0);
			unsigned id = s->mm_ids[off];

			if (ret > 0) {
				s->st.submits++;
				for (int k = 0; k < ret; k++, off++) {
					unsigned i = s->mm_ids[off];

					if (s->mm[off].msg_len == s->lens[i]) {
						s->st.sent++;
						s->free_ids[s->nfree++] = i;
						continue;
					}
					if (xs_send_failed(s, i, (int)s->mm[off].msg_len))
						s->retry_ids[nretry++] = i;
					else
						s->free_ids[s->nfree++] = i;
				}
				continue;
			}
			if (ret < 0 && errno == EINTR)
				continue;
			if (!xs_send_failed(s, id, ret < 0 ? -errno : -EIO)) {
				s->free_ids[s->nfree++] = id;
				off++;
				continue;
			}
			/* The device queue is full: give it a moment to drain. */
			xs_send_backoff(s);
		}
		/* Short sends go again, as a new batch. */
		s->nmm = 0;
		for (unsigned i = 0; i < nretry; i++)
			xs_mmsg_push(s, s->retry_ids[i]);
	}
	return 0;
}
