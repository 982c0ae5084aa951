/* send.h - send backends: how probe frames leave, behind one small interface.
 *
 * The engine takes a free buffer (xs_sender_buf), writes a probe into it, pushes it
 * (xs_sender_push), flushes after each batch and drains at the end of a pass. Buffers,
 * send accounting and the retry/back-pressure policy live here (send.c), once; a
 * backend (io_uring: uring.c, sendmmsg: mmsg.c, XDP live frames: xdp.c) only moves
 * queued buffers to the socket or device and reports each one's result with
 * xs_send_done(). No backend calls another: when one cannot serve (at open, or its first
 * frames did not arrive), send.c moves to the next in the fallback order.
 *
 * Policy: -ENOBUFS/-EAGAIN (a full device queue, the normal back-pressure of a fast
 * peer) are retried with exponential backoff for up to XS_SEND_GIVEUP_MS; short sends
 * and other errors up to XS_SEND_TRIES times; then the probe is counted as failed, so
 * nothing is lost silently.
 *
 * Adding a send backend: a struct xs_send_ops in user/send/<name>.c, its line in the
 * fallback order of send.c (xs_send_backends), its --send name.
 */
#ifndef XSWEEP_SEND_H
#define XSWEEP_SEND_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "xsweep.h"

#define XS_SEND_TRIES 16
#define XS_SEND_GIVEUP_MS 2000
#define XS_SEND_BUFSZ 128

/* --send-path: what the socket carries. */
enum xs_send_path { XS_PATH_PACKET, XS_PATH_RAW, XS_PATH_DGRAM /* ICMP datagram sockets */ };
/* --send: which backend; AUTO tries them in order (at --rate max XDP first, then
 * io_uring, then sendmmsg). */
enum xs_send_api { XS_SEND_AUTO = 0, XS_SEND_URING, XS_SEND_MMSG, XS_SEND_DGRAM, XS_SEND_XDP };

struct xs_send_stats {
	uint64_t sent;		/* completed with the full length */
	uint64_t enobufs;	/* -ENOBUFS completions (retried) */
	uint64_t eagain;	/* -EAGAIN completions (retried) */
	uint64_t short_sends;	/* fewer bytes than asked (retried) */
	uint64_t other_errors;	/* any other error (retried) */
	uint64_t failed;	/* gave up (XS_SEND_TRIES hard errors or XS_SEND_GIVEUP_MS full) */
	uint64_t submits;	/* system calls that carried a batch */
};

union xs_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

struct xs_sender;

struct xs_send_ops {
	const char *name;	/* in the summary: io_uring, sendmmsg */
	/* Independent instances may send side by side, one per sender thread (the engine's
	 * --sender-threads lanes, each with its own socket). */
	bool threads;
	/* Set up on s->fd; -ENOSYS/-EPERM mean "unavailable here" (the next backend is
	 * tried under XS_SEND_AUTO). */
	int (*open)(struct xs_sender *s);
	/* Queue buffer id (its length and destination are in s). */
	int (*push)(struct xs_sender *s, unsigned id);
	/* Send what is queued; take in completions without blocking. */
	int (*flush)(struct xs_sender *s);
	/* Make progress until at least one buffer is free again (blocking). */
	int (*reclaim)(struct xs_sender *s);
	/* Until every pushed buffer has completed (after retries). */
	int (*drain)(struct xs_sender *s);
	void (*close)(struct xs_sender *s);
};

struct xs_sender {
	const struct xs_send_ops *ops;
	void *priv;		/* the backend's state */
	int fd;
	enum xs_send_path path;
	unsigned depth;		/* buffers (and ring entries) */
	uint8_t *bufs;
	uint16_t *lens;
	union xs_sockaddr *dsts;	/* raw path: where each buffer goes */
	uint8_t *tries;
	uint64_t *fail_since;	/* CLOCK_MONOTONIC ns of a buffer's first transient failure */
	unsigned *free_ids, nfree;
	unsigned backoff_us;	/* current pause after a batch that hit a full queue */
	bool congested;		/* this batch saw -ENOBUFS/-EAGAIN */
	struct xs_send_stats st;
	enum xs_send_api api;	/* as asked; XS_SEND_AUTO walks the fallback order */
	bool at_max;		/* --rate max: frames go out as fast as they are taken */
	bool other_thread;	/* XS_SENDER_THREAD */
	unsigned backend;	/* ops' place in that order */
	char why[192];		/* why a backend cannot serve here (xs_send_unusable) */
	int why_err;		/* ... and the error it returned with that reason */
};

/* xs_sender_open() flags. */
#define XS_SENDER_AT_MAX 1	/* --rate max: frames go out as fast as they are taken */
#define XS_SENDER_THREAD 2	/* used from another thread than the one opening it */

/* Open the socket (bound to ifindex) and a backend per api; with XS_SEND_AUTO an
 * unavailable io_uring falls back to sendmmsg with a one-line notice, and at --rate max
 * (XS_SENDER_AT_MAX) XDP comes first where the interface can transmit XDP frames.
 * 0 or -errno. */
int xs_sender_open(struct xs_sender *s, enum xs_send_path path, enum xs_send_api api,
		   int ifindex, unsigned depth, unsigned flags);
const char *xs_sender_name(const struct xs_sender *s);
/* Add one sender's counters to another's (the engine's total over its sender threads). */
void xs_send_stats_add(struct xs_send_stats *to, const struct xs_send_stats *from);
/* The backend s opened, as --send names it (never XS_SEND_AUTO). */
enum xs_send_api xs_sender_api(const struct xs_sender *s);
/* A free buffer (XS_SEND_BUFSZ bytes) to fill; waits for completions when none is free. */
uint8_t *xs_sender_buf(struct xs_sender *s, unsigned *id);
/* Queue buffer id; dst is used on the raw path. */
int xs_sender_push(struct xs_sender *s, unsigned id, unsigned len, const struct xs_ip *dst);
int xs_sender_flush(struct xs_sender *s);
int xs_sender_drain(struct xs_sender *s);
void xs_sender_close(struct xs_sender *s);

/* The reason an open or flush failed: the backend's own words, else strerror. */
const char *xs_sender_strerror(const struct xs_sender *s, int err);
/* The backend --send NAME selects (XS_SEND_AUTO: the first in the fallback order). */
const char *xs_send_api_name(enum xs_send_api api);

/* For backends that cannot serve here: record why (one line, no newline); returns err.
 * From open, -ENOSYS, -EPERM and -EOPNOTSUPP mean "unavailable here": XS_SEND_AUTO
 * tries the next backend. From flush, reclaim or drain, -EREMOTEIO means "the frames
 * did not arrive": the backend completed none of them, and under XS_SEND_AUTO the next
 * backend takes over every buffer in flight. */
int xs_send_unusable(struct xs_sender *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* For backends: buffer id completed with res (bytes sent, or -errno). Returns true when
 * it must be sent again (the policy above), false when it is done (sent or given up:
 * the buffer is free again). */
bool xs_send_done(struct xs_sender *s, unsigned id, int res);
/* For backends, after a batch: pause (exponential backoff) when it met a full queue. */
void xs_send_backoff(struct xs_sender *s);

extern const struct xs_send_ops xs_send_uring, xs_send_mmsg;
/* Whole frames through BPF_PROG_RUN with XDP live frames (send/xdp.c). */
extern const struct xs_send_ops xs_send_xdp;
/* XS_PATH_DGRAM's only backend: the ICMP datagram sockets of send/dgram.h. */
extern const struct xs_send_ops xs_send_dgram;

#endif
