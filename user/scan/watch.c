/* watch.c - the sweep's observer for history and metrics (see watch.h).
 *
 * The engine reports the targets of every round in the same order (target index order:
 * address by address, ports ascending), so the previous round's state of the k-th
 * target reported is at position k; a fingerprint of each target checks that, and a
 * target whose position does not match is treated as one without a previous state.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "scan/addr.h"
#include "scan/history.h"
#include "scan/sweep_metrics.h"
#include "scan/watch.h"
#include "util/log.h"

enum { SILENT, ALIVE, OPEN, CLOSED, UNKNOWN };

struct host {
	bool open;			/* a host is being gathered */
	struct xs_ip ip;
	bool up, was_up, known;
	uint64_t rtt_ns;
};

struct xs_watch {
	struct xs_sweep_observer obs;
	struct xs_history *hist;
	struct xs_sweep_metrics *met;
	bool ports, said_order, stopped;
	unsigned round;
	uint8_t *state;			/* previous round's state, per position */
	uint32_t *fp;			/* and its target's fingerprint */
	size_t n, cap, pos;
	struct host host;
};

static const char *state_name(const struct xs_watch *w, int code)
{
	static const char *const names[] = { [ALIVE] = "alive", [OPEN] = "open",
					     [CLOSED] = "closed" };

	return code == SILENT ? (w->ports ? "filtered" : "inactive") : names[code];
}

static int state_code(const char *state)
{
	if (!state)
		return SILENT;
	return !strcmp(state, "open") ? OPEN : !strcmp(state, "closed") ? CLOSED : ALIVE;
}

/* FNV-1a over the address and port. */
static uint32_t fingerprint(const struct xs_target *t)
{
	uint32_t h = 2166136261u;
	uint8_t b[sizeof(t->ip.addr) + 3];

	memcpy(b, t->ip.addr, sizeof(t->ip.addr));
	b[16] = t->ip.family;
	b[17] = (uint8_t)(t->port >> 8);
	b[18] = (uint8_t)t->port;
	for (size_t i = 0; i < sizeof(b); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* The previous round's state at this position, and this round's stored there. */
static int swap_state(struct xs_watch *w, const struct xs_target *t, int code)
{
	uint32_t fp = fingerprint(t);
	size_t k = w->pos++;
	int prev = UNKNOWN;

	if (k >= w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 4096;
		uint8_t *s = realloc(w->state, cap);
		uint32_t *f = s ? realloc(w->fp, cap * sizeof(*f)) : NULL;

		if (s)
			w->state = s;
		if (!f)
			return UNKNOWN;	/* out of memory: no change tracking */
		w->fp = f;
		w->cap = cap;
	}
	if (k < w->n && w->round > 1 && w->fp[k] == fp)
		prev = w->state[k];
	else if (k < w->n && w->round > 1 && !w->said_order) {
		w->said_order = true;
		pr_info("watch: targets came in another order than last round; changes of the "
			"targets out of place are not tracked");
	}
	w->state[k] = (uint8_t)code;
	w->fp[k] = fp;
	if (k >= w->n)
		w->n = k + 1;
	return prev;
}

/* The history cannot be written: stop the sweep (as SIGTERM does) rather than sweep on
 * with nothing kept; do_sweep then exits 2. */
static void history_failed(struct xs_watch *w)
{
	if (w->stopped)
		return;
	w->stopped = true;
	raise(SIGTERM);
}

static void flush_host(struct xs_watch *w)
{
	if (!w->host.open)
		return;
	if (w->met)
		xs_sweep_metrics_host(w->met, &w->host.ip, w->host.up, w->host.rtt_ns,
				      w->host.known ? w->host.was_up : -1);
	w->host.open = false;
}

/* Targets come address by address: gather one address's ports. */
static void add_to_host(struct xs_watch *w, const struct xs_target *t, int code, int prev,
			uint64_t rtt_ns)
{
	if (!w->host.open || !xs_ip_equal(&w->host.ip, &t->ip)) {
		flush_host(w);
		w->host = (struct host){ .open = true, .ip = t->ip, .known = true };
	}
	if (code != SILENT) {
		if (!w->host.up || (rtt_ns && rtt_ns < w->host.rtt_ns))
			w->host.rtt_ns = rtt_ns;
		w->host.up = true;
	}
	w->host.known &= prev != UNKNOWN;
	w->host.was_up |= prev != UNKNOWN && prev != SILENT;
}

static void on_round_begin(void *ctx, unsigned round, uint64_t wall_ns)
{
	struct xs_watch *w = ctx;

	w->round = round;
	w->pos = 0;
	if (w->hist)
		xs_history_round_begin(w->hist, round, wall_ns);
	if (w->met)
		xs_sweep_metrics_round_begin(w->met, round);
}

static void on_target(void *ctx, const struct xs_target *t, const char *state, uint64_t rtt_ns)
{
	struct xs_watch *w = ctx;
	int code = state_code(state), prev = swap_state(w, t, code);

	if (w->hist && xs_history_target(w->hist, t, state_name(w, code),
					 prev == UNKNOWN ? NULL : state_name(w, prev), rtt_ns))
		history_failed(w);
	add_to_host(w, t, code, prev, rtt_ns);
}

static void on_round_end(void *ctx, const struct xs_round_summary *s)
{
	struct xs_watch *w = ctx;

	flush_host(w);
	if (w->hist && xs_history_round_end(w->hist, s))
		history_failed(w);
	if (w->met)
		xs_sweep_metrics_round_end(w->met, s);
}

int xs_watch_open(struct xs_watch **out, const struct xs_watch_cfg *c)
{
	struct xs_history_run run = { .probe = c->probe, .ports = c->ports, .targets = c->targets,
				      .every_s = c->every_s };
	struct xs_watch *w;
	int err;

	*out = NULL;
	if (!c->history && !c->metrics_listen)
		return 0;
	if (!(w = calloc(1, sizeof(*w)))) {
		pr_warn("out of memory");
		return -ENOMEM;
	}
	w->ports = c->ports;
	w->obs = (struct xs_sweep_observer){ .ctx = w, .round_begin = on_round_begin,
					     .target = on_target, .round_end = on_round_end };
	if ((c->metrics_listen &&
	     (err = xs_sweep_metrics_open(&w->met, c->metrics_listen, c->metrics_hosts))) ||
	    (c->history && (err = xs_history_open(&w->hist, c->history, &run)))) {
		xs_watch_close(w);
		return err;
	}
	*out = w;
	return 0;
}

const struct xs_sweep_observer *xs_watch_observer(struct xs_watch *w)
{
	return w ? &w->obs : NULL;
}

int xs_watch_close(struct xs_watch *w)
{
	int err;

	if (!w)
		return 0;
	xs_sweep_metrics_close(w->met);
	err = xs_history_close(w->hist);
	free(w->state);
	free(w->fp);
	free(w);
	return err;
}
