/* send_uring.h - batched probe transmission with io_uring.
 *
 * A fixed pool of packet buffers; the caller fills a free buffer and pushes it; SQEs are
 * submitted in batches (one io_uring_enter per batch). Completions with -ENOBUFS,
 * -EAGAIN or a short send are counted and the same buffer is sent again (up to
 * XS_SEND_TRIES times for hard errors; a full device queue -- -ENOBUFS/-EAGAIN, the
 * normal back-pressure of a fast peer -- is retried with exponential backoff for up to
 * XS_SEND_GIVEUP_MS), so nothing is silently lost. Two socket kinds: AF_PACKET
 * (full Ethernet frames, PACKET_QDISC_BYPASS, IORING_OP_SEND) and raw IPv4 with
 * IP_HDRINCL (IORING_OP_SENDMSG with a destination).
 *
 * Where io_uring is unavailable (kernel.io_uring_disabled, seccomp, ENOSYS) the same
 * interface sends with batched sendmmsg(2) instead (send_mmsg.c): pushed buffers are
 * queued and go out in one system call per flush, with the same retry accounting.
 */
#ifndef XSWEEP_SEND_URING_H
#define XSWEEP_SEND_URING_H

#include <stdint.h>
#include <liburing.h>
#include <netinet/in.h>

#define XS_SEND_TRIES 16
#define XS_SEND_GIVEUP_MS 2000

enum xs_send_path { XS_PATH_PACKET, XS_PATH_RAW };
/* --send: which system call interface carries the batches. */
enum xs_send_api { XS_SEND_AUTO = 0, XS_SEND_URING, XS_SEND_MMSG };

struct xs_send_stats {
	uint64_t sent;		/* completed with the full length */
	uint64_t enobufs;	/* -ENOBUFS completions (retried) */
	uint64_t eagain;	/* -EAGAIN completions (retried) */
	uint64_t short_sends;	/* fewer bytes than asked (retried) */
	uint64_t other_errors;	/* any other error (retried) */
	uint64_t failed;	/* gave up (XS_SEND_TRIES hard errors or XS_SEND_GIVEUP_MS full) */
	uint64_t submits;	/* io_uring_submit calls */
};

struct xs_sender {
	struct io_uring ring;
	int fd;
	int fixed_file;		/* registered file in use */
	int ring_ok;
	enum xs_send_path path;
	unsigned depth;		/* buffers == ring entries */
	uint8_t *bufs;
	uint16_t *lens;
	uint8_t *tries;
	uint64_t *fail_since;	/* CLOCK_MONOTONIC ns of a buffer's first transient failure */
	unsigned backoff_us;	/* current pause after a batch that hit a full queue */
	int congested;		/* this batch saw -ENOBUFS/-EAGAIN */
	unsigned *free_ids, nfree;
	unsigned *retry_ids, nretry;
	unsigned inflight, queued;
	struct msghdr *msgs;	/* raw path only */
	struct iovec *iov;
	struct sockaddr_in *dsts;
	int mmsg;		/* 1: sendmmsg backend (no ring) */
	struct mmsghdr *mm;	/* mmsg: the queued batch */
	unsigned *mm_ids, nmm;
	struct xs_send_stats st;
};

#define XS_SEND_BUFSZ 128

/* Open the socket (bound to ifindex) and the ring. Returns 0 or -errno; -ENOSYS or
 * -EPERM from io_uring_setup means io_uring is unavailable: with XS_SEND_AUTO the
 * sender then falls back to sendmmsg and prints a one-line notice. */
int xs_sender_open(struct xs_sender *s, enum xs_send_path path, enum xs_send_api api,
		   int ifindex, unsigned depth);
const char *xs_send_api_str(const struct xs_sender *s);

/* send_mmsg.c: the sendmmsg backend behind the same calls. */
int xs_mmsg_init(struct xs_sender *s);
int xs_mmsg_push(struct xs_sender *s, unsigned id);
int xs_mmsg_flush(struct xs_sender *s);
void xs_mmsg_free(struct xs_sender *s);
/* A free buffer (XS_SEND_BUFSZ bytes) to fill; waits for completions when none is free. */
uint8_t *xs_sender_buf(struct xs_sender *s, unsigned *id);
/* Queue buffer id for sending; dst (network order) is used on the raw path. */
int xs_sender_push(struct xs_sender *s, unsigned id, unsigned len, uint32_t dst);
/* Submit what is queued and reap what has completed, without blocking. */
int xs_sender_flush(struct xs_sender *s);
/* Wait until every pushed packet has completed (after retries). */
int xs_sender_drain(struct xs_sender *s);
void xs_sender_close(struct xs_sender *s);

/* Shared by both backends: account a failed send of buffer id (res = -errno, or the
 * short byte count); returns 1 when it should be sent again, 0 when given up. */
int xs_send_failed(struct xs_sender *s, unsigned id, int res);
/* After a batch: pause (exponential backoff) when it met a full queue, reset otherwise. */
void xs_send_backoff(struct xs_sender *s);

#endif
