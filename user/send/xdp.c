/* xdp.c - the XDP send backend (see send.h): probes leave through BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES (kernel 5.18+), past the AF_PACKET socket path: no skb,
 * no socket.
 *
 * The probe modules fill frames exactly as for the other backends, but the buffers
 * they write into are the slots of a BPF_F_MMAPABLE array map (frames); each push
 * appends XS_XSEND_ENTRY(slot, length) to a second one, a ring (queue), and a flush
 * publishes the ring's head. A worker thread keeps bpf/xsend.bpf.c running on live
 * frames in the context of the interface: each run copies the next queued frame over
 * a live frame and returns XDP_TX, so the kernel hands it to the driver's
 * ndo_xdp_xmit; its tail tells which buffers are free again.
 *
 * Why a long-running worker and not one run per flush: a run with repeat > 1 adds the
 * program to the kernel's XDP dispatcher and removes it at the end, and each change
 * waits for an RCU grace period: measured here, 16 ms per run of 256 frames (12.7k
 * probes/s), and repeat = 1 costs 17 us per frame (58k probes/s). So a run lasts up to
 * XSEND_RUNS program runs, drain parks the worker (a signal ends its run) and a run
 * that found nothing to send parks it too, until the next flush. While frames trickle
 * in (a set --rate) the worker polls the ring: one CPU busy, which is why auto picks
 * this backend only at --rate max. The worker runs at the engine's own priority: it is
 * the busier thread (each run's softirq work, the peer's NAPI and the replies coming
 * back, is charged to it), and a SCHED_IDLE worker starved whenever anything else
 * wanted its CPU (measured, /15 x 8, interleaved, beside one busy loop: medians of 4
 * runs 460k and 737k probes/s, lowest 248k, against 778k and 775k, lowest 436k; beside
 * two busy loops a SCHED_IDLE sweep was still sending after 8 minutes).
 *
 * Honest delivery. A device can take XDP frames and lose them: on veth the peer must
 * be up with NAPI (an XDP program, or GRO on), else every frame is dropped (the peer
 * never sees it; only the sender's tx_dropped counts it), and a full peer ring drops
 * too. So: open refuses an interface that does not advertise XDP transmit; the first
 * batch must show up in the interface's tx counter (else flush returns -EREMOTEIO with
 * the reason and send.c moves on); after that, at most XSEND_WINDOW frames are queued
 * or held by the device (sent, neither taken in nor dropped, by the same counters), and
 * frames the device drops anyway are counted as failed, with a notice. Nothing outlives
 * the process: the program is never attached, it goes away with its file descriptor.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "send/send.h"
#include "send/xdp_dev.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/percpu.h"
#include "xsend.h"
#include "xsend.skel.h"

_Static_assert(XS_XSEND_FRAME == XS_SEND_BUFSZ, "a frames slot is one sender buffer");
_Static_assert(sizeof(struct xs_xsend_frame) % 8 == 0, "array map values are 8-byte strided");

/* Frames in flight at most, queued for the program or held by the device: the ring of
 * a veth peer (VETH_RING_SIZE) holds 256, less up to two cache lines of slots its
 * consumer frees lazily, and a full ring drops. */
#define XSEND_WINDOW 192
#define XSEND_BATCH 128		/* frames per kernel batch (one peer wake-up); measured best */
#define XSEND_RUNS (1 << 20)	/* program runs per BPF_PROG_RUN: 0.2 s when idle */
#define XSEND_SIG (SIGRTMIN + 4)	/* ends the worker's run early */
#define FIRST_WAIT_MS 250	/* for the first batch to show up in the counters */
#define STALL_MS XS_SEND_GIVEUP_MS	/* the worker took nothing for this long */
#define DEV_READ_NS 10000000u	/* device drops are read at most this often in flush */

struct xsend {
	struct xsend_bpf *skel;
	struct xs_xsend_frame *frames;	/* the sender's buffers while this backend runs */
	__u64 *queue;			/* the ring, XS_XSEND_ENTRY() */
	size_t frames_sz, queue_sz;
	uint8_t *pool;			/* send.c's own buffers, handed back on close */
	unsigned mask;			/* ring entries - 1 */
	uint64_t head;			/* entries queued (published by flush) */
	uint64_t done;			/* entries completed: done <= tail <= head */
	int prog_fd, ifindex;
	char ifname[IF_NAMESIZE], drv[32];
	/* the worker: go asks it to run, running says it is inside BPF_PROG_RUN */
	pthread_t worker;
	bool prepared, have_worker, go, quit, running;
	int run_err;			/* written by the worker, read with worker_err() */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sigaction old_sa;		/* XSEND_SIG's handler before open */
	long old_slack;			/* the engine thread's timer slack before open */
	bool at_max;			/* --rate max (s->at_max): the threads get CPUs */
	bool pinned;			/* the engine thread's CPUs are old_cpus at close */
	cpu_set_t old_cpus;
	/* delivery: device counters since open */
	struct xs_dev_stats dev;
	uint64_t tx0, drop0, arrived, dropped, counted_drops, read_ns;
	bool checked;			/* the first batch arrived */
};

static const char *veth_hint(const struct xsend *x)
{
	return strcmp(x->drv, "veth") ? "" :
	       ": its veth peer must be up, with an XDP program or GRO (ethtool -K PEER gro on)";
}

static uint64_t sent_by_prog(const struct xsend *x)
{
	return __atomic_load_n(&x->skel->bss->stats.tx, __ATOMIC_RELAXED);
}

/* Read the device counters: frames taken in and dropped since open. */
static int refresh(struct xsend *x)
{
	uint64_t tx, drop;
	int err = xs_dev_stats_read(&x->dev, &tx, &drop);

	if (err)
		return err;
	x->arrived = tx - x->tx0;
	x->dropped = drop - x->drop0;
	x->read_ns = xs_mono_ns();
	return 0;
}

/* repeat runs of the program on live frames; a signal ends them early (not an error). */
static int live_run(struct xsend *x, unsigned repeat)
{
	static const struct xs_xsend_frame blank;
	/* The kernel wants the context to describe data_in: data_end is its length. */
	struct xdp_md ctx = { .data_end = sizeof(blank), .ingress_ifindex = (__u32)x->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = &blank, .data_size_in = sizeof(blank),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = (int)repeat,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = XSEND_BATCH);
	int err = bpf_prog_test_run_opts(x->prog_fd, &opts);

	return err == -EINTR ? 0 : err;
}

static void on_sig(int sig)
{
	(void)sig;
}

/* The worker: runs the program while asked to; parks after a run that sent nothing. */
static void *worker_main(void *arg)
{
	struct xsend *x = arg;
	sigset_t set;

	/* Only XSEND_SIG for this thread: SIGINT and friends stay the engine's. */
	sigfillset(&set);
	sigdelset(&set, XSEND_SIG);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	pthread_mutex_lock(&x->mu);
	for (;;) {
		uint64_t tx = sent_by_prog(x);
		int err;

		while (!x->go && !x->quit)
			pthread_cond_wait(&x->cv, &x->mu);
		if (x->quit)
			break;
		x->running = true;
		pthread_mutex_unlock(&x->mu);
		err = live_run(x, XSEND_RUNS);
		pthread_mutex_lock(&x->mu);
		x->running = false;
		if (err)
			__atomic_store_n(&x->run_err, err, __ATOMIC_RELAXED);
		if (err || (sent_by_prog(x) == tx && x->skel->bss->tail ==
					__atomic_load_n(&x->skel->bss->head, __ATOMIC_ACQUIRE)))
			x->go = false;
		pthread_cond_broadcast(&x->cv);
	}
	pthread_mutex_unlock(&x->mu);
	return NULL;
}

static int worker_err(const struct xsend *x)
{
	return __atomic_load_n(&x->run_err, __ATOMIC_RELAXED);
}

/* At --rate max, a CPU each for the engine and the worker, when the process may use two
 * or more: the engine stays on the CPU it runs on now, the worker gets the next allowed
 * one (attr). Beside other load the scheduler otherwise keeps moving them (and the
 * softirq work the worker's runs bring) onto one CPU. Measured on /15 x 8 (2 CPUs),
 * interleaved, beside one busy loop: 680k -> 754k probes/s (median of 5) and 782k ->
 * 890k (of 6, each pinned run faster than its unpinned neighbour); on a quiet machine no
 * difference beyond the noise (1.41M -> 1.42M, 1.46M -> 1.51M). close gives the engine
 * thread its CPUs back. */
static void pin_threads(struct xsend *x, pthread_attr_t *attr)
{
	cpu_set_t one;
	int cur = sched_getcpu(), next = -1;

	if (!x->at_max || cur < 0 || cur >= CPU_SETSIZE ||
	    pthread_getaffinity_np(pthread_self(), sizeof(x->old_cpus), &x->old_cpus) ||
	    CPU_COUNT(&x->old_cpus) < 2 || !CPU_ISSET(cur, &x->old_cpus))
		return;
	for (int n = 1; n < CPU_SETSIZE && next < 0; n++)
		if (CPU_ISSET((cur + n) % CPU_SETSIZE, &x->old_cpus))
			next = (cur + n) % CPU_SETSIZE;
	CPU_ZERO(&one);
	CPU_SET(next, &one);
	if (pthread_attr_setaffinity_np(attr, sizeof(one), &one))
		return;
	CPU_ZERO(&one);
	CPU_SET(cur, &one);
	x->pinned = !pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
	pr_debug("XDP send: the engine on CPU %d%s, the worker on CPU %d", cur,
		 x->pinned ? "" : " (not pinned)", next);
}

/* The engine thread's CPUs as they were before pin_threads(). */
static void unpin(struct xsend *x)
{
	if (x->pinned)
		pthread_setaffinity_np(pthread_self(), sizeof(x->old_cpus), &x->old_cpus);
	x->pinned = false;
}

/* Make sure the worker runs. It starts at the first flush, not at open: threads hold
 * capabilities each, and by then the engine thread has dropped those it needed only to
 * set up, so the worker never holds more. */
static int wake(struct xs_sender *s, struct xsend *x)
{
	int err;

	if (!x->have_worker) {
		pthread_attr_t attr;

		pthread_attr_init(&attr);
		pin_threads(x, &attr);
		err = pthread_create(&x->worker, &attr, worker_main, x);
		pthread_attr_destroy(&attr);
		if (err) {
			unpin(x);
			return xs_send_unusable(s, -err, "cannot start the XDP send thread: %s",
						strerror(err));
		}
		x->have_worker = true;
	}
	pthread_mutex_lock(&x->mu);
	if (!x->go) {
		x->go = true;
		pthread_cond_broadcast(&x->cv);
	}
	pthread_mutex_unlock(&x->mu);
	return 0;
}

/* Stop the worker's run (and with quit, the worker); returns once it is out of it. */
static void park(struct xsend *x, bool quit)
{
	if (!x->have_worker)
		return;
	pthread_mutex_lock(&x->mu);
	x->go = false;
	x->quit |= quit;
	pthread_cond_broadcast(&x->cv);
	while (x->running) {
		struct timespec ts;

		/* Again and again: a signal just before the run starts is not seen by it. */
		pthread_kill(x->worker, XSEND_SIG);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&x->cv, &x->mu, &ts);
	}
	pthread_mutex_unlock(&x->mu);
}

/* What the worker needs before it starts (at the first flush: wake). */
static int prepare_worker(struct xs_sender *s, struct xsend *x)
{
	struct sigaction sa = { .sa_handler = on_sig };

	sigemptyset(&sa.sa_mask);
	if (sigaction(XSEND_SIG, &sa, &x->old_sa))
		return xs_send_unusable(s, -errno, "sigaction: %s", strerror(errno));
	pthread_mutex_init(&x->mu, NULL);
	pthread_cond_init(&x->cv, NULL);
	/* Waits for the worker last tens of microseconds: 50 us of slack would double them. */
	x->old_slack = prctl(PR_GET_TIMERSLACK);
	prctl(PR_SET_TIMERSLACK, 1000);
	x->prepared = true;
	return 0;
}

/* Load the program with maps of depth entries; -EPERM without the privileges. */
static int load(struct xs_sender *s, struct xsend *x)
{
	unsigned ring = 1;
	int err;

	while (ring < s->depth)
		ring <<= 1;
	x->mask = ring - 1;
	if (!(x->skel = xsend_bpf__open()))
		return xs_send_unusable(s, -errno, "cannot open the XDP send program: %s",
					strerror(errno));
	x->skel->rodata->ring_mask = x->mask;
	bpf_map__set_max_entries(x->skel->maps.frames, s->depth);
	bpf_map__set_max_entries(x->skel->maps.queue, ring);
	if ((err = xsend_bpf__load(x->skel)))
		return xs_send_unusable(s, err == -EPERM ? -EPERM : -EOPNOTSUPP,
					"cannot load the XDP send program: %s%s", strerror(-err),
					err == -EPERM ? " (needs CAP_BPF and CAP_NET_ADMIN)" : "");
	x->prog_fd = bpf_program__fd(x->skel->progs.xs_xsend);
	x->frames = xs_map_mmap(x->skel->maps.frames, &x->frames_sz);
	x->queue = xs_map_mmap(x->skel->maps.queue, &x->queue_sz);
	if (!x->frames || !x->queue)
		return xs_send_unusable(s, -errno, "cannot mmap the XDP send maps: %s",
					strerror(errno));
	return 0;
}

/* Which interface, and can it transmit XDP frames at all? */
static int check_iface(struct xs_sender *s, struct xsend *x)
{
	struct sockaddr_ll sll;
	socklen_t len = sizeof(sll);
	int r;

	if (s->path != XS_PATH_PACKET)
		return xs_send_unusable(s, -EOPNOTSUPP, "whole Ethernet frames only: "
					"not with --send-path raw");
	if (getsockname(s->fd, (struct sockaddr *)&sll, &len) ||
	    !if_indextoname((unsigned)sll.sll_ifindex, x->ifname))
		return xs_send_unusable(s, -errno, "no interface: %s", strerror(errno));
	x->ifindex = sll.sll_ifindex;
	if (xs_dev_driver(x->ifname, x->drv, sizeof(x->drv)))
		snprintf(x->drv, sizeof(x->drv), "?");
	r = xs_dev_xdp_xmit(x->ifindex);
	if (r == 0)
		return xs_send_unusable(s, -EOPNOTSUPP, "%s (%s) cannot transmit XDP frames now%s",
					x->ifname, x->drv, veth_hint(x));
	if (r < 0)
		pr_debug("XDP send: no xdp-features for %s (%s); the first batch will tell",
			 x->ifname, strerror(-r));
	return 0;
}

/* A run with the ring empty: the program drops its frame, so nothing leaves, but the
 * kernel has shown that it runs live frames on this interface. */
static int dry_run(struct xs_sender *s, struct xsend *x)
{
	int err = live_run(x, 1);

	if (err == -EINVAL || err == -EOPNOTSUPP)
		return xs_send_unusable(s, -EOPNOTSUPP, "the kernel cannot run XDP live frames "
					"(BPF_F_TEST_XDP_LIVE_FRAMES, 5.18+): %s", strerror(-err));
	if (err)
		return xs_send_unusable(s, err == -EPERM ? -EPERM : -EOPNOTSUPP,
					"cannot run XDP live frames on %s: %s", x->ifname,
					strerror(-err));
	return 0;
}

/* Whatever kept XDP from starting here (but memory) means "unavailable" to send.c. */
static int unavailable(struct xs_sender *s, int err)
{
	if (err != -EPERM && err != -ENOMEM)
		err = s->why_err = -EOPNOTSUPP;
	return err;
}

static int xsend_open(struct xs_sender *s)
{
	struct xsend *x = calloc(1, sizeof(*x));
	int err;

	if (!x)
		return -ENOMEM;
	s->priv = x;
	x->at_max = s->at_max;
	if ((err = check_iface(s, x)) || (err = load(s, x)) || (err = dry_run(s, x)))
		return unavailable(s, err);
	if ((err = xs_dev_stats_open(&x->dev, x->ifindex)) ||
	    (err = xs_dev_stats_read(&x->dev, &x->tx0, &x->drop0)))
		return xs_send_unusable(s, -EOPNOTSUPP, "cannot read the counters of %s: %s",
					x->ifname, strerror(-err));
	if ((err = prepare_worker(s, x)))
		return unavailable(s, err);
	/* The frames map becomes the sender's buffer pool (close hands it back). */
	x->pool = s->bufs;
	s->bufs = (uint8_t *)x->frames;
	return 0;
}

static int xsend_push(struct xs_sender *s, unsigned id)
{
	struct xsend *x = s->priv;

	x->queue[x->head++ & x->mask] = XS_XSEND_ENTRY(id, s->lens[id]);
	return 0;
}

/* Complete what the program took: sent, or back to the retry policy (queued again). */
static void reap(struct xs_sender *s, struct xsend *x)
{
	uint64_t tail = __atomic_load_n(&x->skel->bss->tail, __ATOMIC_ACQUIRE);

	for (; x->done < tail; x->done++) {
		__u32 e = (__u32)x->queue[x->done & x->mask];
		unsigned id = XS_XSEND_SLOT(e), len = XS_XSEND_LEN(e);

		if (xs_send_done(s, id, e & XS_XSEND_SENT ? (int)len : -EIO))
			xsend_push(s, id);
	}
}

/* Frames the device dropped after taking them (a full peer ring) are lost: counted as
 * failed, not sent, with one notice. */
static void account_drops(struct xs_sender *s, struct xsend *x)
{
	uint64_t d = x->dropped - x->counted_drops;

	if (!d)
		return;
	if (!x->counted_drops)
		pr_warn("XDP send: %s dropped %llu frames (device queue full); counted as failed",
			x->ifname, (unsigned long long)d);
	x->counted_drops = x->dropped;
	s->st.failed += d;
	s->st.sent -= d < s->st.sent ? d : s->st.sent;
}

/* How far head may go: frames queued for the program plus frames the device holds
 * (sent, neither taken in by the peer nor dropped) stay within XSEND_WINDOW. */
static uint64_t head_limit(const struct xsend *x)
{
	uint64_t tail = __atomic_load_n(&x->skel->bss->tail, __ATOMIC_ACQUIRE);
	uint64_t sent = sent_by_prog(x), gone = x->arrived + x->dropped;
	uint64_t held = sent > gone ? sent - gone : 0;

	return held < XSEND_WINDOW ? tail + XSEND_WINDOW - held : tail;
}

/* Publish what the window allows of the queued entries and make sure the worker runs. */
static int publish(struct xs_sender *s, struct xsend *x)
{
	uint64_t pub = x->skel->bss->head, want = x->head;
	int err;

	if ((err = worker_err(x)))
		return xs_send_unusable(s, err, "XDP live frames on %s: %s", x->ifname,
					strerror(-err));
	if (want > head_limit(x) && (err = refresh(x)))
		return err;
	if (want > head_limit(x))
		want = head_limit(x) > pub ? head_limit(x) : pub;
	if (want == pub)
		return 0;
	__atomic_store_n(&x->skel->bss->head, want, __ATOMIC_RELEASE);
	s->st.submits++;
	return wake(s, x);
}

/* Wait for the program to take entries: until tail >= want. */
static int wait_tail(struct xs_sender *s, struct xsend *x, uint64_t want)
{
	uint64_t t0 = xs_mono_ns(), last = x->done;
	const struct timespec nap = { .tv_nsec = 20000 };
	int err;

	for (;;) {
		reap(s, x);
		if ((err = publish(s, x)))
			return err;
		if (__atomic_load_n(&x->skel->bss->tail, __ATOMIC_ACQUIRE) >= want)
			return 0;
		if (x->done != last) {
			last = x->done;
			t0 = xs_mono_ns();
		} else if (xs_mono_ns() - t0 > (uint64_t)STALL_MS * 1000000u) {
			return xs_send_unusable(s, -EIO, "XDP send: no frame left in %d ms",
						STALL_MS);
		}
		nanosleep(&nap, NULL);
	}
}

/* Honest delivery: the first batch must show up in the device's counters as taken in
 * (dropped ones are counted as failed later). Nothing is completed before: a failure
 * hands every frame on to the next backend. */
static int check_first(struct xs_sender *s, struct xsend *x)
{
	uint64_t t0 = xs_mono_ns(), sent = 0;
	const struct timespec nap = { .tv_nsec = 1000000 };
	int err;

	do {
		nanosleep(&nap, NULL);
		sent = sent_by_prog(x);
		if (__atomic_load_n(&x->skel->bss->tail, __ATOMIC_ACQUIRE) < x->skel->bss->head)
			continue;
		if ((err = refresh(x)))
			return err;
		if (x->arrived && x->arrived + x->dropped >= sent) {
			x->checked = true;
			pr_debug("XDP send: the first %llu frames arrived in %.1f ms",
				 (unsigned long long)sent, (double)(xs_mono_ns() - t0) / 1e6);
			return 0;
		}
	} while (xs_mono_ns() - t0 < (uint64_t)FIRST_WAIT_MS * 1000000u && !worker_err(x));
	park(x, false);
	if (worker_err(x))
		return publish(s, x);
	return xs_send_unusable(s, -EREMOTEIO, "%s (%s) passed on %llu of the %llu frames of "
				"the first batch (tx_packets +%llu, tx_dropped +%llu)%s", x->ifname,
				x->drv, (unsigned long long)(x->arrived < sent ? x->arrived : sent),
				(unsigned long long)sent, (unsigned long long)x->arrived,
				(unsigned long long)x->dropped, veth_hint(x));
}

static int xsend_flush(struct xs_sender *s)
{
	struct xsend *x = s->priv;
	int err;

	if ((err = publish(s, x)))
		return err;
	if (!x->checked && (err = check_first(s, x)))
		return err;
	reap(s, x);
	if (xs_mono_ns() - x->read_ns > DEV_READ_NS && !refresh(x))
		account_drops(s, x);
	return publish(s, x);
}

static int xsend_reclaim(struct xs_sender *s)
{
	struct xsend *x = s->priv;
	uint64_t want;
	int err;

	if ((err = xsend_flush(s)) || s->nfree)
		return err;
	/* A quarter of the buffers at once: fewer wake-ups, each with a batch to fill. */
	want = x->done + (s->depth / 4 ? s->depth / 4 : 1);
	return wait_tail(s, x, want < x->head ? want : x->head);
}

/* Everything taken, then the device's last word on drops (at most 100 ms). */
static int xsend_drain(struct xs_sender *s)
{
	struct xsend *x = s->priv;
	uint64_t deadline = xs_mono_ns() + 100000000u;
	const struct timespec nap = { .tv_nsec = 100000 };
	int err = xsend_flush(s);

	while (!err && x->done < x->head)
		err = wait_tail(s, x, x->head);
	if (!err)
		park(x, false);	/* no spinning until the next pass */
	while (!err && !(err = refresh(x)) && x->arrived + x->dropped < sent_by_prog(x) &&
	       xs_mono_ns() < deadline)
		nanosleep(&nap, NULL);
	if (!err)
		account_drops(s, x);
	return err;
}

/* -vv: what the worker cost (its CPU time includes the polling of an empty ring). */
static void log_worker(struct xsend *x)
{
	struct timespec ts = { 0 };
	clockid_t cid;
	const struct xs_xsend_stats *st = &x->skel->bss->stats;

	if (!pthread_getcpuclockid(x->worker, &cid))
		clock_gettime(cid, &ts);
	pr_debug("XDP send: %llu frames sent, %llu bad, %llu empty runs; worker CPU %.3f s",
		 (unsigned long long)st->tx, (unsigned long long)st->bad,
		 (unsigned long long)st->idle, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static void xsend_close(struct xs_sender *s)
{
	struct xsend *x = s->priv;

	if (!x)
		return;
	if (x->have_worker) {
		log_worker(x);
		park(x, true);
		pthread_join(x->worker, NULL);
	}
	if (x->prepared) {
		pthread_cond_destroy(&x->cv);
		pthread_mutex_destroy(&x->mu);
		sigaction(XSEND_SIG, &x->old_sa, NULL);
		prctl(PR_SET_TIMERSLACK, x->old_slack);
	}
	unpin(x);
	if (x->pool) {
		/* Hand the pool back with its frames: the next backend may send them. */
		memcpy(x->pool, x->frames, (size_t)s->depth * XS_SEND_BUFSZ);
		s->bufs = x->pool;
	}
	if (x->frames)
		munmap(x->frames, x->frames_sz);
	if (x->queue)
		munmap(x->queue, x->queue_sz);
	xs_dev_stats_close(&x->dev);
	xsend_bpf__destroy(x->skel);
	free(x);
	s->priv = NULL;
}

const struct xs_send_ops xs_send_xdp = {
	.name = "XDP",
	.open = xsend_open,
	.push = xsend_push,
	.flush = xsend_flush,
	.reclaim = xsend_reclaim,
	.drain = xsend_drain,
	.close = xsend_close,
};
