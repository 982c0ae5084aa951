/* engine.c - the sweep engine (see engine.h).
 *
 * The path of one probe: target index from the permutation (perm.c) -> (address, port)
 * (xs_job_target) -> the probe module writes the frame into a send buffer (probe/) ->
 * the send backend batches it out (send/) -> the reply is validated by the receive
 * backend (recv/: XDP program or libpcap, the same validator) -> on_reply() here: the
 * per-target answer bitmap is the final duplicate filter -> output (output.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/random.h>

#include "recv/recv.h"
#include "scan/engine.h"
#include "scan/output.h"
#include "scan/path.h"
#include "scan/summary.h"
#include "send/dgram.h"
#include "send/send.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/privs.h"

#define BATCH 256
#define CHUNK 4096	/* slice positions a sender lane claims at a time (at most) */
#define RETRY_WAIT 0.5	/* seconds between a pass and its retry */
#define INT_GRACE 0.25	/* after SIGINT: seconds to collect replies in flight */

struct sweep;

/* One sending thread's part of a pass. Lane 0 is the main thread (its sender also sends
 * the RSTs; it takes in replies between batches); lanes 1.. are threads of their own
 * (--sender-threads), each with its own socket and ring, started per pass. Lanes claim
 * chunks of CHUNK slice positions in increasing order (claim()), so the work balances
 * itself and "every position below P was probed" stays exact for resume. */
struct lane {
	struct sweep *sw;
	struct xs_sender *snd;
	struct xs_sender own;	/* lanes 1..: snd points here */
	struct xs_probe probe;	/* a copy: attempt changes per probe */
	pthread_t tid;
	struct xs_slice sub;	/* the chunk being walked */
	uint64_t pos;		/* its next position */
	uint64_t next_ns;	/* token bucket */
	uint64_t walked;	/* slice positions walked this pass (atomic) */
	uint64_t sent, failed;	/* own.st's, for the status line (atomic; publish_lane) */
	uint64_t probes;	/* probes pushed this pass */
	unsigned attempt;
	int err;
	bool busy;		/* holds a chunk not yet finished */
	bool done;		/* the thread is finished with this pass (atomic) */
};

#define MAX_LANES 16

struct sweep {
	struct xs_sweep_job *j;
	const struct xs_sweep_opts *o;
	struct xs_path path;
	struct xs_probe probe;
	struct xs_rx rx;
	struct xs_sender snd;
	struct lane lane[MAX_LANES];
	unsigned nlanes;		/* 1 + sender threads */
	double lane_rate;		/* --rate / nlanes (0: max) */
	uint64_t chunk;			/* slice positions per claim (open_lanes) */
	uint64_t next_chunk;		/* the next unclaimed position (atomic) */
	uint64_t last_claim;		/* start of the highest chunk claimed (atomic) */
	bool abort;			/* a lane failed: every lane stops (atomic) */
	bool expired;			/* --timeout has passed (atomic; take_replies) */
	struct xs_out out;
	uint64_t n;			/* targets: addresses x ports */
	uint8_t *answered, *prev;	/* bitmaps over target indexes */
	uint8_t *open, *prev_open;	/* port-based probes: the targets that said open */
	uint64_t *tx_at;		/* send time per 2^tx_shift positions (for replies */
	unsigned tx_shift;		/* that carry none): at most 2^20 slots */
	uint32_t *rtt_us;		/* observers: each answered target's RTT and state */
	uint8_t *state;
	unsigned round, rounds_done;
	uint64_t mine;			/* targets in the slice */
	uint64_t pos0;			/* pass 0: next position not yet probed */
	/* this round */
	uint64_t alive, n_open, n_closed;
	/* replies counted here: duplicates the bitmap caught, valid ones for backends
	 * without a duplicate filter, valid cookies for targets not swept */
	uint64_t user_valid, user_dups, unexpected;
	uint64_t resets;		/* RSTs after SYN-ACKs (counted in snd.st.sent too) */
	bool resets_queued;
	/* whole run */
	uint64_t rtt_sum_ns;			/* as the summary's (engine.h) */
	uint64_t tot_alive, tot_inactive;	/* hosts (addresses) of the last round */
	uint64_t round_wall;			/* when this round began (realtime ns) */
	uint64_t hosts_up;
	double t_start, t_round, t_last_status, send_secs;
	uint64_t last_sent, last_rx;
	bool tty, timed_out, pass0_done;
	/* The status line: its last text, whether it is on the terminal now (no newline
	 * after it), whether a result took it away, whether results share its terminal. */
	char status[224];
	bool status_shown, status_hidden, status_shares_tty;
	bool dgram;		/* ICMP datagram sockets send and receive (send/dgram.h) */
	FILE *summary_f;	/* --summary-json */
};

/* 1 after the first SIGINT/SIGTERM (stop sending, collect replies in flight), 2 after
 * a second one (quit now). */
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	if (stop < 2)
		stop++;
}

/* Bitmaps over target indexes. Only the main thread writes them; sender lanes read the
 * answer bitmap for retries while it does, hence relaxed atomic bytes (plain moves on
 * x86). */
static bool bit(const uint8_t *b, uint64_t i)
{
	return __atomic_load_n(&b[i / 8], __ATOMIC_RELAXED) & (1u << (i % 8));
}

uint64_t xs_job_ntargets(const struct xs_sweep_job *j)
{
	return j->t.total * (j->nports ? j->nports : 1);
}

void xs_job_target(const struct xs_sweep_job *j, uint64_t idx, struct xs_target *t)
{
	unsigned np = j->nports ? j->nports : 1;

	t->ip = xs_targets_addr(&j->t, idx / np);
	t->port = j->ports ? j->ports[idx % np] : 0;
	t->pad = 0;
}

/* Target -> index; false for a target not in the sweep. */
static bool target_index(const struct xs_sweep_job *j, const struct xs_target *t, uint64_t *idx)
{
	unsigned np = j->nports ? j->nports : 1, k = 0;
	uint64_t a;

	if (!xs_targets_index(&j->t, &t->ip, &a))
		return false;
	if (j->ports) {
		while (k < np && j->ports[k] != t->port)
			k++;
		if (k == np)
			return false;
	} else if (t->port) {
		return false;
	}
	*idx = a * np + k;
	return true;
}

static bool out_of_time(struct sweep *sw)
{
	if (sw->o->timeout_s > 0 && !sw->timed_out && xs_now_s() - sw->t_start >= sw->o->timeout_s) {
		sw->timed_out = true;
		if (!sw->o->quiet)
			pr_warn("timeout: stopping after %.1f s (--timeout)", sw->o->timeout_s);
	}
	return sw->timed_out;
}

/* The receive path's counters, with what this file counted for backends that have no
 * duplicate filter of their own. */
static void rx_counters(struct sweep *sw, struct xs_stats *st)
{
	sw->rx.ops->stats(&sw->rx, st);
	if (sw->rx.ops->user_dedup) {
		st->rx_valid = sw->user_valid;
		st->rx_duplicate = sw->user_dups;
	}
}

/* Duplicates: the kernel's count plus those only the bitmap caught. */
static uint64_t duplicates(struct sweep *sw, const struct xs_stats *st)
{
	return st->rx_duplicate + (sw->rx.ops->user_dedup ? 0 : sw->user_dups);
}

static void set_bit(uint8_t *b, uint64_t i)
{
	__atomic_store_n(&b[i / 8], (uint8_t)(b[i / 8] | (1u << (i % 8))), __ATOMIC_RELAXED);
}

/* The RTT of a reply: from the send time it carried, else from its batch's. */
static uint64_t reply_rtt(struct sweep *sw, const struct xs_event *ev, uint64_t idx)
{
	uint64_t tx = ev->tx_ns;

	if (!tx)
		tx = __atomic_load_n(&sw->tx_at[xs_perm_inv(&sw->j->perm, idx) >> sw->tx_shift],
				     __ATOMIC_RELAXED);
	return ev->rx_ns > tx ? ev->rx_ns - tx : 0;
}

/* Politeness: end the half-open connection a SYN-ACK opened, so the target does not
 * retransmit (masscan's default). On the libpcap path the host's kernel, which sees
 * the SYN-ACK too, does it already. Queued here, sent with the next flush. */
static void send_reset(struct sweep *sw, const struct xs_target *t, unsigned attempt)
{
	struct xs_probe p = sw->probe;
	unsigned id, len;
	uint8_t *buf;

	if (sw->o->no_reset || !sw->j->m->fill_reset || sw->rx.ops->user_dedup)
		return;
	if (!(buf = xs_sender_buf(&sw->snd, &id)))
		return;
	p.attempt = attempt;
	len = sw->j->m->fill_reset(&p, buf, t, sw->o->send_path == XS_PATH_RAW);
	if (!xs_sender_push(&sw->snd, id, len, &t->ip)) {
		sw->resets++;
		sw->resets_queued = true;
	}
}

/* A result is about to go to the terminal the status line is on: take the line away
 * first (zmap and masscan do the same), take_replies() draws it again below. */
static void status_clear(struct sweep *sw)
{
	if (!sw->status_shown || !sw->status_shares_tty)
		return;
	fputs("\r\033[K", stderr);
	sw->status_shown = false;
	sw->status_hidden = true;
}

/* A validated reply, from either receive path: the answer bitmap is the final
 * duplicate filter (the XDP maps of a sweep of more than XS_HOSTS_EXACT_MAX targets are
 * LRUs that forget; the pcap path has nothing else). */
static void on_reply(void *ctx, const struct xs_event *ev)
{
	struct sweep *sw = ctx;
	struct xs_result r = { .t = &ev->t, .measured = true, .ttl = ev->ttl };
	uint64_t idx;

	if (ev->tx_ns && ev->rx_ns > ev->tx_ns)
		sw->rtt_sum_ns += ev->rx_ns - ev->tx_ns;
	if (!target_index(sw->j, &ev->t, &idx)) {
		/* Valid cookie for a target we did not sweep: never a result. */
		sw->unexpected++;
		return;
	}
	if (bit(sw->answered, idx)) {
		sw->user_dups++;
		return;
	}
	set_bit(sw->answered, idx);
	sw->alive++;
	sw->user_valid++;
	if (ev->state == XS_STATE_OPEN) {
		set_bit(sw->open, idx);
		sw->n_open++;
	} else if (ev->state == XS_STATE_CLOSED) {
		sw->n_closed++;
	}
	if (sw->state)
		sw->state[idx] = ev->state;
	if (ev->state == XS_STATE_CLOSED && !sw->o->closed)
		return;
	if (ev->state == XS_STATE_OPEN)
		send_reset(sw, &ev->t, ev->attempt);
	r.state = sw->j->m->state_name(ev->state);
	r.rtt_ns = reply_rtt(sw, ev, idx);
	if (sw->rtt_us)
		sw->rtt_us[idx] = (uint32_t)(r.rtt_ns / 1000 < UINT32_MAX ? r.rtt_ns / 1000 : UINT32_MAX);
	r.wall_ns = xs_wall_ns();
	status_clear(sw);
	xs_out_result(&sw->out, &r);
}

/* Slice positions walked this pass, by every lane. */
static uint64_t lanes_walked(struct sweep *sw)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < sw->nlanes; i++)
		n += __atomic_load_n(&sw->lane[i].walked, __ATOMIC_RELAXED);
	return n;
}

/* A lane thread's counters for the main thread, which reads them while it runs. */
static void publish_lane(struct lane *l)
{
	__atomic_store_n(&l->sent, l->own.st.sent, __ATOMIC_RELAXED);
	__atomic_store_n(&l->failed, l->own.st.failed, __ATOMIC_RELAXED);
}

/* Frames sent so far (probes and RSTs) and given up on, while lanes may be running. */
static void sent_now(struct sweep *sw, uint64_t *sent, uint64_t *failed)
{
	*sent = sw->snd.st.sent;
	*failed = sw->snd.st.failed;
	for (unsigned i = 1; i < sw->nlanes; i++) {
		*sent += __atomic_load_n(&sw->lane[i].sent, __ATOMIC_RELAXED);
		*failed += __atomic_load_n(&sw->lane[i].failed, __ATOMIC_RELAXED);
	}
}

/* Every sender's counters summed (no lane is running). */
static struct xs_send_stats send_totals(const struct sweep *sw)
{
	struct xs_send_stats t = sw->snd.st;

	for (unsigned i = 1; i < sw->nlanes; i++)
		xs_send_stats_add(&t, &sw->lane[i].own.st);
	return t;
}

static void status_line(struct sweep *sw, bool final)
{
	struct xs_stats st;
	double t = xs_now_s(), el = t - sw->t_round, dt = t - sw->t_last_status;
	uint64_t walked = lanes_walked(sw), sent, failed;
	double pct = sw->mine ? 100.0 * (double)walked / (double)sw->mine : 100;
	double tx_rate, rx_rate, eta;

	if (!(sw->tty || sw->o->progress) || sw->o->quiet)
		return;
	if (!final && dt < 1.0)
		return;
	rx_counters(sw, &st);
	sent_now(sw, &sent, &failed);
	tx_rate = dt > 0 ? (double)(sent - sw->last_sent) / dt : 0;
	rx_rate = dt > 0 ? (double)(st.rx_valid - sw->last_rx) / dt : 0;
	eta = tx_rate > 0 && sw->mine > walked ? (double)(sw->mine - walked) / tx_rate : 0;
	snprintf(sw->status, sizeof(sw->status), "[%6.1fs] sent %5.1f%% %8.0f pps | recv %8.0f "
		 "pps | hits %llu | invalid %llu | drops %llu | ETA %.0fs", el, pct > 100 ? 100 : pct,
		 tx_rate, rx_rate, (unsigned long long)sw->alive,
		 (unsigned long long)(st.rx_bad_cookie + st.rx_wrong_src),
		 (unsigned long long)(st.ev_lost + failed), eta);
	fprintf(stderr, "%s%s%s", sw->tty ? "\r\033[K" : "", sw->status,
		sw->tty && !final ? "" : "\n");
	sw->status_shown = sw->tty && !final;
	sw->status_hidden = false;
	sw->t_last_status = t;
	sw->last_sent = sent;
	sw->last_rx = st.rx_valid;
}

/* Take in replies (waiting up to timeout_ms), then flush the output and the status; tell
 * the sender lanes when --timeout has passed. */
static void take_replies(struct sweep *sw, int timeout_ms)
{
	sw->rx.ops->poll(&sw->rx, timeout_ms);
	if (sw->o->timeout_s > 0 && !sw->expired && xs_now_s() - sw->t_start >= sw->o->timeout_s)
		__atomic_store_n(&sw->expired, true, __ATOMIC_RELAXED);
	if (sw->resets_queued && !xs_sender_flush(&sw->snd))
		sw->resets_queued = false;
	fflush(sw->out.f);
	if (sw->status_hidden) {
		fprintf(stderr, "\r\033[K%s", sw->status);
		sw->status_shown = true;
		sw->status_hidden = false;
	}
	status_line(sw, false);
}

/* Token bucket, per lane: wait until the next probe may leave (lane 0 takes in replies
 * meanwhile). Each probe sent moves next_ns on by 1/rate; the bucket holds at most 50 ms
 * of probes (or one batch): a short stall (scheduling on a busy machine) is made up for,
 * a long one is not paid back with a burst. */
static void pace(struct lane *l, unsigned batch)
{
	struct sweep *sw = l->sw;
	double rate = sw->lane_rate;
	uint64_t now = xs_mono_ns(), per = (uint64_t)(1e9 / rate);
	uint64_t burst = per * (batch > rate / 20 ? batch : (uint64_t)(rate / 20));

	if (now > l->next_ns + burst)
		l->next_ns = now - burst;
	while (!stop && now < l->next_ns) {
		uint64_t left = l->next_ns - now;

		if (left > 2000000 && l == &sw->lane[0]) {
			take_replies(sw, (int)((left - 1000000) / 1000000));
		} else {
			struct timespec ts = { .tv_sec = (time_t)(l->next_ns / 1000000000u),
					       .tv_nsec = (long)(l->next_ns % 1000000000u) };

			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		now = xs_mono_ns();
	}
}

/* Should lanes stop claiming (a signal, --timeout, a failed lane)? For any thread:
 * lane 0 notices --timeout in take_replies() after each of its batches, so no lane reads
 * the clock per probe; out_of_time() is the main thread's (it reports). */
static bool halted(struct sweep *sw)
{
	return stop || __atomic_load_n(&sw->abort, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&sw->expired, __ATOMIC_RELAXED);
}

/* The next chunk of the slice for lane l: false when none is left or lanes are halted. */
static bool claim(struct sweep *sw, struct lane *l)
{
	const struct xs_slice *s = &sw->j->slice;
	uint64_t span = sw->chunk * s->shards, c;

	l->busy = false;
	if (halted(sw))
		return false;
	c = __atomic_fetch_add(&sw->next_chunk, span, __ATOMIC_RELAXED);
	if (c >= s->end)
		return false;
	l->sub = *s;
	l->sub.start = c;
	l->sub.end = s->end - c > span ? c + span : s->end;
	l->pos = c;
	l->busy = true;
	/* Chunks are claimed in increasing order: the last claimed is the highest. */
	__atomic_store_n(&sw->last_claim, c, __ATOMIC_RELAXED);
	return true;
}

/* The lane's next target: from its chunk, then from newly claimed ones. When lanes are
 * halted, a lane whose chunk is not the highest claimed still finishes it, so that every
 * position below the highest lane's is probed (an exact resume point); the highest lane
 * stops where it is. */
static bool next_target(struct sweep *sw, struct lane *l, uint64_t *pos, uint64_t *idx)
{
	for (;;) {
		if (l->busy && halted(sw) &&
		    (__atomic_load_n(&sw->abort, __ATOMIC_RELAXED) ||
		     l->sub.start == __atomic_load_n(&sw->last_claim, __ATOMIC_RELAXED)))
			return false;
		if (l->busy && xs_perm_next(&sw->j->perm, &l->sub, &l->pos, idx)) {
			*pos = l->pos - 1;
			return true;
		}
		if (!claim(sw, l))
			return false;
	}
}

/* Probes of one target for this attempt (--probes of them, each with its own cookie). */
static int send_target(struct lane *l, uint64_t pos, uint64_t idx, uint64_t tx, unsigned *n)
{
	struct sweep *sw = l->sw;
	const bool l3 = sw->o->send_path == XS_PATH_RAW;
	const struct xs_probe_module *m = sw->j->m;
	struct xs_target t;
	unsigned id, len;
	uint8_t *buf;
	int err;

	xs_job_target(sw->j, idx, &t);
	__atomic_store_n(&sw->tx_at[pos >> sw->tx_shift], tx, __ATOMIC_RELAXED);
	for (unsigned k = 0; k < sw->o->probes; k++) {
		l->probe.attempt = l->attempt * sw->o->probes + k;
		buf = xs_sender_buf(l->snd, &id);
		if (!buf)
			return -EIO;
		len = sw->dgram ? m->fill_dgram(&l->probe, buf, &t, tx) :
				  m->fill(&l->probe, buf, &t, tx, l3);
		if ((err = xs_sender_push(l->snd, id, len, &t.ip)))
			return err;
		(*n)++;
	}
	return 0;
}

/* One lane's walk over its chunks: batches of probes, paced, flushed; lane 0 takes in
 * replies after each batch so output streams. The targets that answered are skipped
 * on retries. */
static int send_lane(struct lane *l)
{
	struct sweep *sw = l->sw;
	/* At a set rate, batches of about half a millisecond of probes. */
	unsigned batch = sw->lane_rate > 0 ? (unsigned)(sw->lane_rate / 2000) : BATCH;
	bool more = true, first = l == &sw->lane[0];
	uint64_t pos, idx;
	int err;

	batch = batch < 1 ? 1 : batch > BATCH ? BATCH : batch;
	l->next_ns = xs_mono_ns();
	while (more) {
		uint64_t tx;
		unsigned n = 0;

		if (sw->lane_rate > 0)
			pace(l, batch);
		tx = xs_mono_ns();
		while (n < batch && (more = next_target(sw, l, &pos, &idx))) {
			__atomic_store_n(&l->walked, l->walked + 1, __ATOMIC_RELAXED);
			if (l->attempt && bit(sw->answered, idx))
				continue;
			if ((err = send_target(l, pos, idx, tx, &n)))
				return err;
		}
		l->probes += n;
		if (sw->lane_rate > 0)
			l->next_ns += (uint64_t)(1e9 / sw->lane_rate) * n;
		if ((err = xs_sender_flush(l->snd)))
			return err;
		if (first)
			take_replies(sw, 0);
		else
			publish_lane(l);
	}
	return 0;
}

static void *lane_thread(void *arg)
{
	struct lane *l = arg;

	l->err = send_lane(l);
	if (!l->err)
		l->err = xs_sender_drain(l->snd);
	publish_lane(l);
	if (l->err)
		__atomic_store_n(&l->sw->abort, true, __ATOMIC_RELAXED);
	__atomic_store_n(&l->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Start lanes 1.. for this pass, with SIGINT and SIGTERM blocked there: signals go to
 * the main thread, whose waits they cut short. Returns how many started. */
static unsigned start_lanes(struct sweep *sw)
{
	sigset_t block, old;
	unsigned i;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (i = 1; i < sw->nlanes; i++) {
		int err = pthread_create(&sw->lane[i].tid, NULL, lane_thread, &sw->lane[i]);

		if (err) {
			pr_warn("cannot start sender thread %u: %s", i, strerror(err));
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return i - 1;
}

/* Probe the targets of this run's slice, in permutation order: all of them (attempt 0)
 * or only those that have not answered (retries). Lane 0 is this thread; the others
 * run beside it; replies are taken in until the last of them is done. */
static int send_pass(struct sweep *sw, unsigned attempt)
{
	double t0 = xs_now_s();
	unsigned started;
	uint64_t resume;
	int err, e;

	sw->next_chunk = sw->last_claim = sw->j->slice.start;
	sw->abort = false;
	for (unsigned i = 0; i < sw->nlanes; i++) {
		struct lane *l = &sw->lane[i];

		l->probe = sw->probe;
		l->attempt = attempt;
		l->walked = l->probes = 0;
		l->busy = l->done = false;
		l->err = 0;
	}
	started = start_lanes(sw);
	err = send_lane(&sw->lane[0]);
	if (err)
		__atomic_store_n(&sw->abort, true, __ATOMIC_RELAXED);
	for (unsigned i = 1; i <= started; i++) {
		while (!__atomic_load_n(&sw->lane[i].done, __ATOMIC_ACQUIRE))
			take_replies(sw, 1);
		pthread_join(sw->lane[i].tid, NULL);
		if (!err)
			err = sw->lane[i].err;
	}
	out_of_time(sw);	/* reports --timeout if that is what halted the lanes */
	for (unsigned i = 0; sw->nlanes > 1 && i <= started; i++)
		pr_debug("pass %u: sender thread %u sent %llu probes", attempt, i,
			 (unsigned long long)sw->lane[i].probes);
	if (!attempt) {
		/* Every position below the next unclaimed one is probed, except in a chunk a
		 * lane left unfinished: then from there on (only the highest can be). */
		resume = __atomic_load_n(&sw->next_chunk, __ATOMIC_RELAXED);
		for (unsigned i = 0; i <= started; i++)
			if (sw->lane[i].busy && sw->lane[i].pos < resume)
				resume = sw->lane[i].pos;
		sw->pos0 = resume < sw->j->slice.end ? resume : sw->j->slice.end;
		sw->pass0_done = sw->pos0 >= sw->j->slice.end;
	}
	e = xs_sender_drain(&sw->snd);
	sw->send_secs += xs_now_s() - t0;
	return err ? err : e;
}

/* Wait for late replies: secs, cut short by a signal (after the first, only INT_GRACE
 * seconds are left) or by --timeout. */
static void cooldown(struct sweep *sw, double secs)
{
	double deadline = xs_now_s() + secs;
	bool interrupted = false;

	while (stop < 2) {
		uint64_t resets = sw->resets;
		double left;

		if (stop && !interrupted) {
			interrupted = true;
			if (deadline > xs_now_s() + INT_GRACE)
				deadline = xs_now_s() + INT_GRACE;
		}
		if (out_of_time(sw))
			break;
		left = deadline - xs_now_s();
		if (left <= 0)
			break;
		take_replies(sw, left > 0.1 ? 100 : (int)(left * 1000) + 1);
		/* No probe follows the RSTs these replies brought: let the sender finish them
		 * and rest. (The XDP backend's worker would poll its empty ring to the end of
		 * its run, ~2 million empty program runs after the last RST: SYN sweeps over
		 * XDP cost 4.1 CPU s per million probes instead of 2.2.) */
		if (sw->resets != resets)
			xs_sender_drain(&sw->snd);
	}
	sw->rx.ops->poll(&sw->rx, 0);
	xs_sender_drain(&sw->snd);
	fflush(sw->out.f);
}

/* One round: a pass over every target, retries of the silent ones, the cooldown. */
static int run_round(struct sweep *sw)
{
	struct xs_stats st;
	uint64_t failed;
	int err;

	sw->rx.ops->set_round(&sw->rx, sw->round);
	sw->probe.round = sw->round;
	sw->round_wall = xs_wall_ns();
	if (sw->j->obs && sw->j->obs->round_begin)
		sw->j->obs->round_begin(sw->j->obs->ctx, sw->round + 1, sw->round_wall);
	memset(sw->answered, 0, (size_t)((sw->n + 7) / 8));
	if (sw->open)
		memset(sw->open, 0, (size_t)((sw->n + 7) / 8));
	sw->alive = sw->n_open = sw->n_closed = 0;
	sw->t_round = sw->t_last_status = xs_now_s();
	sent_now(sw, &sw->last_sent, &failed);
	rx_counters(sw, &st);
	sw->last_rx = st.rx_valid;

	for (unsigned attempt = 0; attempt <= sw->o->retries && !stop && !out_of_time(sw); attempt++) {
		if (attempt) {
			/* Give first replies a moment before re-probing the silent targets. */
			cooldown(sw, sw->o->wait_s < RETRY_WAIT ? sw->o->wait_s : RETRY_WAIT);
			if (sw->alive == sw->mine || stop || out_of_time(sw))
				break;
		}
		if ((err = send_pass(sw, attempt)))
			return err;
	}
	cooldown(sw, stop ? INT_GRACE : sw->o->wait_s);
	status_line(sw, true);
	return 0;
}

/* Is target i probed by this run? (Every target unless shards or a resume split.) */
static bool whole(const struct xs_sweep_job *j)
{
	return j->slice.shards == 1 && j->slice.start == 0 && j->slice.end >= j->perm.domain;
}

static uint64_t count_mine(struct sweep *sw)
{
	uint64_t n = 0;

	if (whole(sw->j))
		return sw->n;
	for (uint64_t i = 0; i < sw->n; i++)
		n += xs_perm_mine(&sw->j->perm, &sw->j->slice, i);
	return n;
}

/* Was target i probed by this run? An interrupted first part leaves its unprobed
 * targets to the resumed part. */
static bool probed(struct sweep *sw, uint64_t i)
{
	const struct xs_sweep_job *j = sw->j;

	if (!whole(j) && !xs_perm_mine(&j->perm, &j->slice, i))
		return false;
	return sw->pass0_done || xs_perm_inv(&j->perm, i) < sw->pos0;
}

/* Port-based probes: the silent pairs (--filtered) and the open ports of one address. */
static void report_ports(struct sweep *sw, uint64_t a, uint64_t w)
{
	unsigned np = sw->j->nports, nopen = 0;
	struct xs_target t = { .ip = xs_targets_addr(&sw->j->t, a) };
	uint16_t open[np];

	for (unsigned k = 0; k < np; k++) {
		uint64_t i = a * np + k;

		if (bit(sw->open, i))
			open[nopen++] = sw->j->ports[k];
		if (!sw->o->filtered || bit(sw->answered, i) || !probed(sw, i))
			continue;
		xs_job_target(sw->j, i, &t);
		xs_out_result(&sw->out, &(struct xs_result){ .t = &t, .state = "filtered", .wall_ns = w });
	}
	xs_out_host_ports(&sw->out, &t.ip, open, nopen);
}

/* Addresses this run probed that did not answer at all (on any port); each listed
 * with --inactive. Returns their number. */
static uint64_t report_hosts(struct sweep *sw, uint64_t w)
{
	const struct xs_sweep_job *j = sw->j;
	uint64_t inactive = 0;
	unsigned np = j->nports;
	struct xs_target t;

	for (uint64_t a = 0; a < j->t.total; a++) {
		bool mine = false, up = false;

		for (unsigned k = 0; k < np; k++) {
			mine |= probed(sw, a * np + k);
			up |= bit(sw->answered, a * np + k);
		}
		if (sw->open)
			report_ports(sw, a, w);
		sw->hosts_up += mine && up;
		if (!mine || up)
			continue;
		inactive++;
		if (sw->o->inactive) {
			t = (struct xs_target){ .ip = xs_targets_addr(&j->t, a) };
			xs_out_result(&sw->out, &(struct xs_result){ .t = &t, .state = "inactive",
								 .wall_ns = w });
		}
	}
	if (sw->o->inactive)
		xs_out_total_inactive(&sw->out, inactive);
	return inactive;
}

/* A target's state for change reports: 0 silent, 1 answered (closed), 2 open. */
static int target_state(const uint8_t *answered, const uint8_t *open, uint64_t i)
{
	return open && bit(open, i) ? 2 : bit(answered, i);
}

/* Periodic mode: what changed since the previous round. */
static void report_changes(struct sweep *sw, uint64_t w)
{
	static const char *const was[] = { "was filtered", "was closed", "was open" };
	static const char *const now[] = { "filtered", "closed", "open" };
	struct xs_result r = { .wall_ns = w };
	struct xs_target t;

	for (uint64_t i = 0; i < sw->n; i++) {
		int cur = target_state(sw->answered, sw->open, i);
		int old = target_state(sw->prev, sw->prev_open, i);

		if (cur == old)
			continue;
		xs_job_target(sw->j, i, &t);
		r.t = &t;
		if (sw->open) {
			r.state = now[cur];
			r.change = was[old];
		} else {
			r.state = cur ? "alive" : "inactive";
			r.change = cur ? "came up" : "went down";
		}
		xs_out_result(&sw->out, &r);
	}
}

/* Observers: every target of the round, then the round's summary. */
static void observe_round(struct sweep *sw, uint64_t w)
{
	const struct xs_sweep_observer *obs = sw->j->obs;
	struct xs_round_summary s = {
		.round = sw->round + 1, .start_wall_ns = sw->round_wall, .end_wall_ns = w,
		.targets = sw->mine, .answered = sw->alive, .hosts_alive = sw->tot_alive,
		.hosts_inactive = sw->tot_inactive, .sent = send_totals(sw).sent - sw->resets,
		.capture = sw->rx.ops->name, .rtt_sum_ns = sw->rtt_sum_ns,
	};
	struct xs_target t;

	for (uint64_t i = 0; obs->target && i < sw->n; i++) {
		bool up = bit(sw->answered, i);

		if (!probed(sw, i))
			continue;
		xs_job_target(sw->j, i, &t);
		obs->target(obs->ctx, &t, up ? sw->j->m->state_name(sw->state[i]) : NULL,
			    up ? (uint64_t)sw->rtt_us[i] * 1000 : 0);
	}
	rx_counters(sw, &s.rx);
	if (obs->round_end)
		obs->round_end(obs->ctx, &s);
}

static void report_round(struct sweep *sw)
{
	uint64_t w = xs_wall_ns(), inactive;

	sw->hosts_up = 0;
	inactive = report_hosts(sw, w);

	if (sw->round > 0 && sw->prev)
		report_changes(sw, w);
	fflush(sw->out.f);
	sw->tot_alive = sw->hosts_up;
	sw->tot_inactive = inactive;
	sw->rounds_done++;
	if (sw->j->obs)
		observe_round(sw, w);
}

/* The run's figures, once: for the summary lines and --summary-json. */
static void summary_record(struct sweep *sw, struct xs_sweep_summary *r)
{
	const struct xs_send_stats tot = send_totals(sw), *s = &tot;
	struct xs_stats st;

	rx_counters(sw, &st);
	*r = (struct xs_sweep_summary){
		.probe = sw->j->m->name, .start_wall_ns = sw->out.start_wall_ns,
		.end_wall_ns = xs_wall_ns(), .duration_s = xs_now_s() - sw->t_start,
		.sending_s = sw->send_secs, .rate = sw->o->rate, .seed = sw->o->seed,
		.shard = sw->j->slice.shard, .shards = sw->j->slice.shards,
		.rounds = sw->rounds_done, .interrupted = stop != 0, .targets = sw->mine,
		.sent = s->sent - sw->resets, .replies = st.rx_valid + st.rx_duplicate,
		.alive = sw->tot_alive, .inactive = sw->tot_inactive,
		.bad_cookie = st.rx_bad_cookie, .wrong_src = st.rx_wrong_src,
		.unexpected = sw->unexpected, .duplicates = duplicates(sw, &st),
		.late = st.rx_late, .lost_events = st.ev_lost, .enobufs = s->enobufs,
		.eagain = s->eagain, .short_sends = s->short_sends,
		.other_errors = s->other_errors, .failed = s->failed, .ports = sw->open != NULL,
		.open = sw->n_open, .closed = sw->n_closed,
		.filtered = sw->mine - sw->n_open - sw->n_closed, .resets = sw->resets,
		.send = xs_sender_name(&sw->snd), .sender_threads = sw->nlanes,
		.send_path = sw->dgram ? "ICMP datagram sockets" :
			     sw->o->send_path == XS_PATH_RAW ? "raw" : "packet",
	};
	r->pps = sw->send_secs > 0 ? (double)s->sent / sw->send_secs : 0;
	sw->rx.ops->describe(&sw->rx, r->capture, sizeof(r->capture));
}

static void summary(struct sweep *sw)
{
	char rate[32], slice[64] = "";
	struct xs_sweep_summary r;
	int err;

	summary_record(sw, &r);
	if (sw->summary_f && (err = xs_summary_json(sw->summary_f, &r)))
		pr_warn("cannot write %s: %s", sw->o->summary_json, strerror(-err));
	if (sw->o->quiet)
		return;
	if (r.rate > 0)
		snprintf(rate, sizeof(rate), "%.0f/s", r.rate);
	else
		snprintf(rate, sizeof(rate), "max");
	if (r.shards > 1)
		snprintf(slice, sizeof(slice), ", shard %u of %u", r.shard, r.shards);
	fprintf(stderr,
		"summary: targets %llu, rounds %u, sent %llu, replies %llu, alive %llu, inactive %llu\n"
		"summary: invalid %llu (bad cookie %llu, wrong source %llu, unexpected %llu), "
		"duplicates %llu, late %llu, lost events %llu\n"
		"summary: send errors %llu (ENOBUFS %llu, EAGAIN %llu, short %llu, other %llu; "
		"all retried), failed %llu\n"
		"summary: duration %.3f s, sending %.3f s, %.0f probes/s while sending (rate %s), "
		"seed %" PRIu64 "%s\n"
		"summary: %s, send %s, send path %s\n",
		(unsigned long long)r.targets, r.rounds, (unsigned long long)r.sent,
		(unsigned long long)r.replies, (unsigned long long)r.alive,
		(unsigned long long)r.inactive,
		(unsigned long long)(r.bad_cookie + r.wrong_src + r.unexpected),
		(unsigned long long)r.bad_cookie, (unsigned long long)r.wrong_src,
		(unsigned long long)r.unexpected, (unsigned long long)r.duplicates,
		(unsigned long long)r.late, (unsigned long long)r.lost_events,
		(unsigned long long)(r.enobufs + r.eagain + r.short_sends + r.other_errors),
		(unsigned long long)r.enobufs, (unsigned long long)r.eagain,
		(unsigned long long)r.short_sends, (unsigned long long)r.other_errors,
		(unsigned long long)r.failed, r.duration_s, r.sending_s, r.pps, rate, r.seed, slice,
		r.capture, r.send, r.send_path);
	if (r.ports)
		fprintf(stderr, "summary: ports open %llu, closed %llu, filtered %llu (last round); "
			"resets sent %llu\n", (unsigned long long)r.open, (unsigned long long)r.closed,
			(unsigned long long)r.filtered, (unsigned long long)r.resets);
}

/* --sender-threads: lane 0 is this thread with sw->snd; each further lane gets a sender
 * of its own on the same backend (opened here, before privileges are dropped), where the
 * backend allows it (ops->threads: io_uring and sendmmsg; the XDP backend has its own
 * worker). 0 (auto): one lane per online CPU, at most 4, at --rate max; else 1. */
static int open_lanes(struct sweep *sw)
{
	bool can = sw->snd.ops->threads;
	unsigned want = sw->o->sender_threads;
	long cpus;
	int err;

	if (!want) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		want = sw->o->rate > 0 || cpus < 1 ? 1 : cpus > 4 ? 4 : (unsigned)cpus;
	} else if (want > 1 && !can && !sw->o->quiet) {
		pr_warn("--sender-threads %u: the %s sender sends from one thread", want,
			xs_sender_name(&sw->snd));
	}
	sw->nlanes = 1;
	sw->lane[0] = (struct lane){ .sw = sw, .snd = &sw->snd };
	for (unsigned i = 1; can && i < want; i++) {
		struct lane *l = &sw->lane[i];

		*l = (struct lane){ .sw = sw, .snd = &l->own };
		l->own.fd = -1;
		err = xs_sender_open(&l->own, sw->o->send_path, xs_sender_api(&sw->snd),
				     sw->path.ifindex, sw->o->depth,
				     XS_SENDER_THREAD | (sw->o->rate <= 0 ? XS_SENDER_AT_MAX : 0));
		if (err) {
			pr_warn("cannot set up sender thread %u: %s", i,
				xs_sender_strerror(&l->own, err));
			xs_sender_close(&l->own);
			return err;
		}
		sw->nlanes++;
	}
	sw->lane_rate = sw->o->rate > 0 ? sw->o->rate / sw->nlanes : 0;
	/* A halted lane finishes a chunk below the highest one at its rate: at a set rate,
	 * chunks of 50 ms of probes keep that short. */
	sw->chunk = CHUNK;
	if (sw->lane_rate > 0 && sw->lane_rate / 20 < CHUNK)
		sw->chunk = sw->lane_rate < 20 ? 1 : (uint64_t)(sw->lane_rate / 20);
	if (sw->nlanes > 1)
		pr_debug("sending from %u threads", sw->nlanes);
	return 0;
}

/* The probe's per-run state: module, random cookie key, source, TTL. */
static int setup_probe(struct sweep *sw)
{
	struct xs_probe *p = &sw->probe;

	p->m = sw->j->m;
	p->v.probe = p->m->type;
	if (getrandom(p->v.key, sizeof(p->v.key), 0) != sizeof(p->v.key)) {
		pr_warn("getrandom: %s", strerror(errno));
		return -errno;
	}
	p->v.sport_lo = (uint16_t)sw->o->sport_lo;
	p->v.sport_n = (uint16_t)(sw->o->sport_hi - sw->o->sport_lo + 1);
	p->ttl = (uint8_t)sw->o->ttl;
	return 0;
}

static int setup(struct sweep *sw)
{
	struct xs_rx_cfg rc = {
		.probe = &sw->probe, .capture = sw->o->capture, .xdp_mode = (int)sw->o->xdp_mode,
		.rate = sw->o->rate, .keep_maps = sw->o->keep_maps, .targets = sw->n,
		.on_reply = on_reply, .ctx = sw,
	};
	struct xs_path_cfg pc = sw->j->path;
	int err;

	sw->answered = calloc((size_t)((sw->n + 7) / 8), 1);
	sw->tx_shift = sw->j->perm.bits > 28 ? sw->j->perm.bits - 20 : 8;
	sw->tx_at = calloc((size_t)(sw->j->perm.domain >> sw->tx_shift) + 1, sizeof(*sw->tx_at));
	if (sw->j->m->ports)
		sw->open = calloc((size_t)((sw->n + 7) / 8), 1);
	if (sw->j->obs && sw->j->obs->target) {
		sw->rtt_us = calloc((size_t)sw->n, sizeof(*sw->rtt_us));
		sw->state = calloc((size_t)sw->n, 1);
	}
	if (!sw->answered || !sw->tx_at || (sw->j->m->ports && !sw->open) ||
	    (sw->j->obs && sw->j->obs->target && (!sw->rtt_us || !sw->state))) {
		pr_warn("out of memory for %llu targets", (unsigned long long)sw->n);
		return -ENOMEM;
	}
	/* Without privileges for packet sockets: ICMP datagram sockets, or one line why not. */
	if ((err = xs_dgram_choose((int)sw->o->capture, (int)sw->o->send_api, sw->j->m)) < 0)
		return err;
	sw->dgram = err == 1;
	rc.capture = sw->dgram ? XS_CAPTURE_DGRAM : rc.capture;
	pc.macs = pc.macs && !sw->dgram;
	if ((err = xs_path_setup(&sw->path, &pc)) || (err = setup_probe(sw)))
		return err;
	xs_path_apply(&sw->path, &pc, &sw->probe);
	sw->mine = count_mine(sw);
	rc.ifname = sw->path.ifname;
	rc.ifindex = sw->path.ifindex;
	if ((err = xs_rx_open(&sw->rx, &rc)))
		return err;
	if (sw->j->m->ports && sw->rx.ops->user_dedup && !sw->o->quiet)
		pr_warn("with libpcap the host kernel sees the replies too: it answers each "
			"SYN-ACK with an RST of its own");
	err = xs_sender_open(&sw->snd, sw->dgram ? XS_PATH_DGRAM : sw->o->send_path,
			     sw->o->send_api, sw->path.ifindex, sw->o->depth,
			     sw->o->rate <= 0 ? XS_SENDER_AT_MAX : 0);
	if (err) {
		pr_warn("cannot set up the %s sender on %s: %s",
			xs_send_api_name((enum xs_send_api)sw->o->send_api), sw->path.ifname,
			xs_sender_strerror(&sw->snd, err));
		return err;
	}
	sw->j->m->build(&sw->probe);
	return open_lanes(sw);
}

/* Rounds until done: one for a one-shot sweep, until interrupted with --every. */
static int run_rounds(struct sweep *sw)
{
	size_t bytes = (size_t)((sw->n + 7) / 8);
	int err;

	for (;; sw->round++) {
		sw->out.round = sw->round + 1;
		if (sw->o->every_s > 0)
			xs_out_round(&sw->out, sw->round + 1, xs_wall_ns());
		if ((err = run_round(sw))) {
			pr_warn("sweep failed: %s", xs_sender_strerror(&sw->snd, err));
			return err;
		}
		if (stop && sw->o->every_s > 0)
			break;	/* an interrupted round of a periodic sweep is not reported */
		report_round(sw);
		if (stop || sw->o->every_s <= 0 || out_of_time(sw))
			break;
		/* Keep this round to report changes after the next one. */
		if (!sw->prev && !(sw->prev = malloc(bytes)))
			return -ENOMEM;
		memcpy(sw->prev, sw->answered, bytes);
		if (sw->open && !sw->prev_open && !(sw->prev_open = malloc(bytes)))
			return -ENOMEM;
		if (sw->open)
			memcpy(sw->prev_open, sw->open, bytes);
		while (!stop && xs_now_s() < sw->t_round + sw->o->every_s && !out_of_time(sw))
			usleep(20000);
		if (stop || sw->timed_out)
			break;
	}
	return 0;
}

static void cleanup(struct sweep *sw)
{
	for (unsigned i = 1; i < sw->nlanes; i++)
		xs_sender_close(&sw->lane[i].own);
	xs_sender_close(&sw->snd);
	xs_rx_close(&sw->rx);
	if (sw->out.f && sw->out.f != stdout)
		fclose(sw->out.f);
	if (sw->summary_f)
		fclose(sw->summary_f);
	free(sw->answered);
	free(sw->prev);
	free(sw->open);
	free(sw->prev_open);
	free(sw->tx_at);
	free(sw->rtt_us);
	free(sw->state);
}

static int open_output(struct sweep *sw)
{
	sw->out = (struct xs_out){ .f = stdout, .fmt = sw->o->fmt, .proto = sw->j->m->proto,
				   .ports = sw->j->m->ports, .periodic = sw->o->every_s > 0,
				   .cmdline = sw->j->cmdline, .start_wall_ns = xs_wall_ns() };
	if (sw->o->outfile && !(sw->out.f = fopen(sw->o->outfile, sw->o->append ? "a" : "w"))) {
		pr_warn("cannot open %s: %s", sw->o->outfile, strerror(errno));
		return -errno;
	}
	return 0;
}

int xs_sweep_run(struct xs_sweep_job *j)
{
	struct sweep sw = { .j = j, .o = j->o, .n = xs_job_ntargets(j) };
	struct sigaction sa = { .sa_handler = on_signal };
	int rc = XS_EXIT_ERROR;

	sw.snd.fd = -1;
	if (open_output(&sw))
		goto out;
	if (j->o->summary_json && !(sw.summary_f = fopen(j->o->summary_json, "w"))) {
		pr_warn("cannot open %s: %s", j->o->summary_json, strerror(errno));
		goto out;
	}
	stop = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Set up: from here on at most CAP_BPF (maps, the XDP sender) is needed. */
	if (setup(&sw) || xs_privs_after_setup("sweep", true))
		goto out;
	sw.tty = isatty(STDERR_FILENO);
	sw.status_shares_tty = sw.tty && isatty(fileno(sw.out.f));
	sw.t_start = xs_now_s();
	sw.pos0 = j->slice.start;
	xs_out_header(&sw.out);
	if (run_rounds(&sw))
		goto out;
	xs_out_footer(&sw.out, sw.tot_alive + sw.tot_inactive, sw.tot_alive, xs_now_s() - sw.t_start);
	summary(&sw);
	if (stop && sw.o->every_s <= 0 && !sw.pass0_done) {
		j->interrupted = true;
		j->resume_pos = sw.pos0;
	} else if (stop && sw.o->every_s <= 0 && !sw.o->quiet) {
		pr_warn("interrupted after every target was probed: nothing to resume");
	}
	rc = stop && sw.o->every_s <= 0 ? 130 : XS_EXIT_OK;
out:
	cleanup(&sw);
	return rc;
}

/* --dry-run: the source addresses are cookie inputs: from -S, else the routes (netlink
 * queries, no packets). */
static int dry_run_sources(struct sweep *sw)
{
	struct xs_path_cfg c = sw->j->path;

	c.macs = false;
	c.has4 = c.has4 && !c.source4;
	c.has6 = c.has6 && !c.source6;
	if ((c.has4 || c.has6) && xs_path_setup(&sw->path, &c)) {
		pr_warn("dry run: no route to the first target; give the source with -S");
		return -EHOSTUNREACH;
	}
	c = sw->j->path;
	c.macs = false;
	if (c.source4)
		inet_pton(AF_INET, c.source4, &sw->path.rt4.src);
	if (c.source6)
		inet_pton(AF_INET6, c.source6, sw->path.rt6.src6);
	xs_path_apply(&sw->path, &c, &sw->probe);
	return 0;
}

/* "192.0.2.1", "2001:db8::1" or both. */
static const char *dry_run_from(struct sweep *sw, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	size_t n = 0;

	buf[0] = '\0';
	if (sw->j->path.has4)
		n = (size_t)snprintf(buf, len, "%s", inet_ntop(AF_INET, &sw->probe.v.src4, a, sizeof(a)));
	if (sw->j->path.has6 && n < len)
		snprintf(buf + n, len - n, "%s%s", n ? " and " : "",
			 inet_ntop(AF_INET6, sw->probe.v.src6, a, sizeof(a)));
	return buf;
}

int xs_sweep_dry_run(struct xs_sweep_job *j)
{
	struct sweep sw = { .j = j, .o = j->o };
	struct xs_probe *p = &sw.probe;
	uint64_t pos = j->slice.start, idx, n = 0;
	char a[2 * XS_IP_STRLEN + 8];
	struct xs_target t;
	int rc = XS_EXIT_ERROR;

	if (open_output(&sw) || setup_probe(&sw) || dry_run_sources(&sw))
		goto out;
	while (xs_perm_next(&j->perm, &j->slice, &pos, &idx)) {
		xs_job_target(j, idx, &t);
		if (t.port)
			fprintf(sw.out.f, "%s port %u cookie 0x%08x\n", xs_ip_str(&t.ip, a, sizeof(a)),
				t.port, j->m->cookie(p, &t));
		else
			fprintf(sw.out.f, "%s cookie 0x%08x\n", xs_ip_str(&t.ip, a, sizeof(a)),
				j->m->cookie(p, &t));
		n++;
	}
	if (!j->o->quiet)
		fprintf(stderr, "dry run: %llu probes from %s, seed %" PRIu64 ", shard %u of %u; "
			"nothing sent\n", (unsigned long long)n, dry_run_from(&sw, a, sizeof(a)),
			j->o->seed, j->slice.shard, j->slice.shards);
	rc = fflush(sw.out.f) ? XS_EXIT_ERROR : XS_EXIT_OK;
out:
	if (sw.out.f && sw.out.f != stdout)
		fclose(sw.out.f);
	return rc;
}
