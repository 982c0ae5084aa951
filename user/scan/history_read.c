/* history_read.c - reading a history file (history.h) for `xsweep history`: the rounds,
 * each target's uptime, first and last seen and changes over a window, or the changes.
 *
 * A target's state is known for every round of the runs it has rows in: silent before
 * its first row of a run, then each row's state until the next row (history.h). So a
 * target's rounds and up-rounds come from its rows and the rounds table alone, in one
 * pass over its rows, whatever the number of rounds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sqlite3.h>

#include "scan/addr.h"
#include "scan/history.h"
#include "util/log.h"

/* The rounds of one run: all[first .. first + n - 1]; from all[win] on, in the window. */
struct run_span {
	int64_t run;
	size_t first, n, win;
};

struct reader {
	sqlite3 *db;
	const char *path;
	const struct xs_hist_query *q;
	struct xs_hist_round *all;	/* every round, by run and round */
	size_t nall;
	struct run_span *runs;
	size_t nruns;
};

/* A row's state in the walk over one target's rows. */
struct walk {
	struct xs_hist_target cur;
	int64_t id, run;
	unsigned round;
	char state[XS_HISTORY_STATE_LEN];
};

static int fail(struct reader *rd)
{
	pr_warn("history %s: cannot read: %s", rd->path, sqlite3_errmsg(rd->db));
	return -EIO;
}

/* Text address as stored -> struct xs_ip. */
static void parse_addr(const char *s, struct xs_ip *ip)
{
	uint32_t v4;

	memset(ip, 0, sizeof(*ip));
	if (strchr(s, ':')) {
		ip->family = XS_AF_INET6;
		inet_pton(AF_INET6, s, ip->addr);
	} else if (inet_pton(AF_INET, s, &v4) == 1) {
		*ip = xs_ip4(v4);
	}
}

static int cmp_target(const struct xs_target *a, const struct xs_target *b)
{
	xs_u128 x = xs_ip_u128(&a->ip), y = xs_ip_u128(&b->ip);

	if (x != y)
		return x < y ? -1 : 1;
	return (int)a->port - (int)b->port;
}

static int cmp_hist_target(const void *a, const void *b)
{
	return cmp_target(&((const struct xs_hist_target *)a)->t,
			  &((const struct xs_hist_target *)b)->t);
}

static int cmp_change(const void *pa, const void *pb)
{
	const struct xs_hist_change *a = pa, *b = pb;

	if (a->time_ns != b->time_ns)
		return a->time_ns < b->time_ns ? -1 : 1;
	if (a->run != b->run)
		return a->run < b->run ? -1 : 1;
	return cmp_target(&a->t, &b->t);
}

static void *grow(void *arr, size_t n, size_t *cap, size_t size)
{
	void *p;

	if (n < *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 64;
	if (!(p = realloc(arr, *cap * size)))
		free(arr);
	return p;
}

/* Every round, and where each run's are and its window begins. */
static int read_rounds(struct reader *rd)
{
	sqlite3_stmt *s;
	size_t cap = 0, rcap = 0;
	int rc;

	if (sqlite3_prepare_v2(rd->db, "SELECT run, round, start_ns, end_ns, targets, answered,"
			       " alive, inactive FROM rounds ORDER BY run, round", -1, &s, NULL))
		return fail(rd);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct xs_hist_round r = {
			.run = sqlite3_column_int64(s, 0), .round = (unsigned)sqlite3_column_int(s, 1),
			.start_ns = (uint64_t)sqlite3_column_int64(s, 2),
			.end_ns = (uint64_t)sqlite3_column_int64(s, 3),
			.targets = (uint64_t)sqlite3_column_int64(s, 4),
			.answered = (uint64_t)sqlite3_column_int64(s, 5),
			.alive = (uint64_t)sqlite3_column_int64(s, 6),
			.inactive = (uint64_t)sqlite3_column_int64(s, 7),
		};
		struct run_span *sp;

		if (!(rd->all = grow(rd->all, rd->nall, &cap, sizeof(r))))
			goto oom;
		rd->all[rd->nall] = r;
		if (!rd->nruns || rd->runs[rd->nruns - 1].run != r.run) {
			if (!(rd->runs = grow(rd->runs, rd->nruns, &rcap, sizeof(*sp))))
				goto oom;
			rd->runs[rd->nruns++] = (struct run_span){ .run = r.run, .first = rd->nall,
								   .win = SIZE_MAX };
		}
		sp = &rd->runs[rd->nruns - 1];
		sp->n++;
		if (sp->win == SIZE_MAX && r.start_ns >= rd->q->since_ns)
			sp->win = rd->nall;
		rd->nall++;
	}
	sqlite3_finalize(s);
	for (size_t i = 0; i < rd->nruns; i++)
		if (rd->runs[i].win == SIZE_MAX)
			rd->runs[i].win = rd->runs[i].first + rd->runs[i].n;
	return rc == SQLITE_DONE ? 0 : fail(rd);
oom:
	sqlite3_finalize(s);
	pr_warn("history %s: out of memory", rd->path);
	return -ENOMEM;
}

static const struct run_span *find_run(const struct reader *rd, int64_t run)
{
	size_t lo = 0, hi = rd->nruns;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (rd->runs[mid].run < run)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < rd->nruns && rd->runs[lo].run == run ? &rd->runs[lo] : NULL;
}

/* Index in all[] of the first round of sp numbered >= round. */
static size_t round_index(const struct reader *rd, const struct run_span *sp, unsigned round)
{
	size_t lo = sp->first, hi = sp->first + sp->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (rd->all[mid].round < round)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Rounds a..b (b = UINT32_MAX: to the end) of a run in state: counted when in the
 * window; first/last seen when up. */
static void segment(const struct reader *rd, struct walk *w, unsigned a, unsigned b,
		    const char *state)
{
	const struct run_span *sp = find_run(rd, w->run);
	size_t ia, ib, from;

	if (!sp)
		return;
	ia = round_index(rd, sp, a);
	ib = b == UINT32_MAX ? sp->first + sp->n : round_index(rd, sp, b + 1);
	if (ia >= ib)
		return;
	from = ia > sp->win ? ia : sp->win;
	w->cur.rounds += ib > from ? ib - from : 0;
	if (!xs_history_state_up(state))
		return;
	w->cur.rounds_up += ib > from ? ib - from : 0;
	if (!w->cur.first_seen_ns || rd->all[ia].start_ns < w->cur.first_seen_ns)
		w->cur.first_seen_ns = rd->all[ia].start_ns;
	if (rd->all[ib - 1].end_ns > w->cur.last_seen_ns)
		w->cur.last_seen_ns = rd->all[ib - 1].end_ns;
}

/* Rows of one target come in (run, round) order. */
static void walk_row(const struct reader *rd, struct walk *w, int64_t run, unsigned round,
		     const char *state, const char *prev)
{
	if (w->run == run) {
		segment(rd, w, w->round, round - 1, w->state);
	} else {
		if (w->run)
			segment(rd, w, w->round, UINT32_MAX, w->state);
		w->run = run;
		if (round > 1)	/* silent in this run until now */
			segment(rd, w, 1, round - 1, "inactive");
	}
	w->round = round;
	snprintf(w->state, sizeof(w->state), "%s", state);
	snprintf(w->cur.state, sizeof(w->cur.state), "%s", state);
	if (prev && strcmp(prev, state)) {
		const struct run_span *sp = find_run(rd, run);

		if (sp && round_index(rd, sp, round) >= sp->win)
			w->cur.changes++;
	}
}

/* The target walked so far: closed and kept when it was a target in the window. */
static int walk_end(const struct reader *rd, struct walk *w, struct xs_hist_report *r,
		    size_t *cap)
{
	if (!w->run)
		return 0;
	segment(rd, w, w->round, UINT32_MAX, w->state);
	w->run = 0;
	if (!w->cur.rounds)
		return 0;
	if (!(r->targets = grow(r->targets, r->ntargets, cap, sizeof(w->cur))))
		return -ENOMEM;
	r->targets[r->ntargets++] = w->cur;
	r->ports |= w->cur.t.port != 0;
	return 0;
}

static void bind_host(const struct reader *rd, sqlite3_stmt *s, int idx)
{
	char a[XS_IP_STRLEN];

	if (rd->q->host)
		sqlite3_bind_text(s, idx, xs_ip_str(rd->q->host, a, sizeof(a)), -1, SQLITE_TRANSIENT);
}

static int read_targets(struct reader *rd, struct xs_hist_report *r)
{
	char sql[320];
	struct walk w = { 0 };
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc, err = 0;

	snprintf(sql, sizeof(sql), "SELECT s.target, t.addr, t.port, s.run, s.round, s.state,"
		 " s.prev FROM states s JOIN targets t ON t.id = s.target %s"
		 " ORDER BY s.target, s.run, s.round", rd->q->host ? "WHERE t.addr = ?1" : "");
	if (sqlite3_prepare_v2(rd->db, sql, -1, &s, NULL))
		return fail(rd);
	bind_host(rd, s, 1);
	while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);

		if (id != w.id) {
			err = walk_end(rd, &w, r, &cap);
			w = (struct walk){ .id = id };
			parse_addr((const char *)sqlite3_column_text(s, 1), &w.cur.t.ip);
			w.cur.t.port = (uint16_t)sqlite3_column_int(s, 2);
		}
		walk_row(rd, &w, sqlite3_column_int64(s, 3), (unsigned)sqlite3_column_int(s, 4),
			 (const char *)sqlite3_column_text(s, 5),
			 (const char *)sqlite3_column_text(s, 6));
	}
	if (!err)
		err = walk_end(rd, &w, r, &cap);
	sqlite3_finalize(s);
	if (err) {
		pr_warn("history %s: out of memory", rd->path);
		return err;
	}
	if (rc != SQLITE_DONE)
		return fail(rd);
	if (r->ntargets)
		qsort(r->targets, r->ntargets, sizeof(*r->targets), cmp_hist_target);
	return 0;
}

static int read_changes(struct reader *rd, struct xs_hist_report *r)
{
	char sql[512];
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT t.addr, t.port, s.run, s.round, r.end_ns, s.prev,"
		 " s.state, s.rtt_us FROM states s JOIN targets t ON t.id = s.target"
		 " JOIN rounds r ON r.run = s.run AND r.round = s.round"
		 " WHERE s.prev IS NOT NULL AND s.prev <> s.state AND r.start_ns >= ?2 %s",
		 rd->q->host ? "AND t.addr = ?1" : "");
	if (sqlite3_prepare_v2(rd->db, sql, -1, &s, NULL))
		return fail(rd);
	bind_host(rd, s, 1);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)rd->q->since_ns);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct xs_hist_change *c;

		if (!(r->changes = grow(r->changes, r->nchanges, &cap, sizeof(*c)))) {
			sqlite3_finalize(s);
			pr_warn("history %s: out of memory", rd->path);
			return -ENOMEM;
		}
		c = &r->changes[r->nchanges++];
		memset(c, 0, sizeof(*c));
		parse_addr((const char *)sqlite3_column_text(s, 0), &c->t.ip);
		c->t.port = (uint16_t)sqlite3_column_int(s, 1);
		r->ports |= c->t.port != 0;
		c->run = sqlite3_column_int64(s, 2);
		c->round = (unsigned)sqlite3_column_int(s, 3);
		c->time_ns = (uint64_t)sqlite3_column_int64(s, 4);
		snprintf(c->from, sizeof(c->from), "%s", (const char *)sqlite3_column_text(s, 5));
		snprintf(c->to, sizeof(c->to), "%s", (const char *)sqlite3_column_text(s, 6));
		c->rtt_us = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 : sqlite3_column_double(s, 7);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return fail(rd);
	if (r->nchanges)
		qsort(r->changes, r->nchanges, sizeof(*r->changes), cmp_change);
	return 0;
}

/* The rounds in the window, for the report. */
static int window_rounds(struct reader *rd, struct xs_hist_report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < rd->nruns; i++)
		n += rd->runs[i].first + rd->runs[i].n - rd->runs[i].win;
	if (n && !(r->rounds = calloc(n, sizeof(*r->rounds)))) {
		pr_warn("history %s: out of memory", rd->path);
		return -ENOMEM;
	}
	for (size_t i = 0; i < rd->nruns; i++)
		for (size_t k = rd->runs[i].win; k < rd->runs[i].first + rd->runs[i].n; k++)
			r->rounds[r->nrounds++] = rd->all[k];
	r->runs = (unsigned)rd->nruns;
	return 0;
}

int xs_history_read(const char *path, const struct xs_hist_query *q, struct xs_hist_report *r)
{
	struct reader rd = { .path = path, .q = q };
	int err;

	memset(r, 0, sizeof(*r));
	if ((err = xs_history_db_open(path, false, &rd.db)))
		return err;
	/* One read transaction: a consistent snapshot while a sweep goes on writing. */
	if (sqlite3_exec(rd.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		err = fail(&rd);
	if (!err)
		err = read_rounds(&rd);
	if (!err)
		err = q->changes ? read_changes(&rd, r) : read_targets(&rd, r);
	if (!err)
		err = window_rounds(&rd, r);
	sqlite3_exec(rd.db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(rd.db);
	free(rd.all);
	free(rd.runs);
	if (err)
		xs_history_report_free(r);
	return err;
}

void xs_history_report_free(struct xs_hist_report *r)
{
	free(r->rounds);
	free(r->targets);
	free(r->changes);
	memset(r, 0, sizeof(*r));
}
