/* history.h - sweep history in an SQLite file: written round by round by `xsweep sweep
 * --history FILE`, read back by `xsweep history FILE`.
 *
 * One transaction per round (WAL mode): a reader can query while a sweep writes, and a
 * SIGKILL loses at most the round in flight. The file is versioned (application_id
 * "XSWP", user_version = XS_HISTORY_FORMAT); another format, another application's
 * file or a file that is not SQLite is refused with one line.
 *
 * Schema (format 1; times are ns since the epoch, UTC):
 *   runs(id, started_ns, probe, targets, every_s, xsweep)     one row per sweep
 *   rounds(run, round, start_ns, end_ns, targets, answered, alive, inactive, sent)
 *   targets(id, addr, port, state)       every target ever seen answering; its last state
 *   states(target, run, round, state, prev, rtt_us)
 *	one row whenever a target's state differs from the previous round's; in the first
 *	round of a run, one row per target of `targets` (prev: its state at the end of the
 *	run before, NULL for a new one). A target's state holds until its next row; before
 *	its first row in a run it was silent. States: alive/inactive (ICMP),
 *	open/closed/filtered (TCP, per address and port).
 *   view changes(addr, port, run, round, time_ns, old_state, new_state, rtt_us)
 */
#ifndef XSWEEP_HISTORY_H
#define XSWEEP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scan/engine.h"
#include "xsweep.h"

#define XS_HISTORY_FORMAT 1
#define XS_HISTORY_APP_ID 0x58535750	/* "XSWP" */
#define XS_HISTORY_STATE_LEN 12

/* ---- writing (sweep --history) ---------------------------------------------------- */

struct xs_history;

struct xs_history_run {
	const char *probe;		/* probe module: "icmp", "tcp-syn" */
	bool ports;			/* port-based: a silent target is "filtered" */
	uint64_t targets;		/* addresses x ports */
	double every_s;			/* 0 for a one-shot sweep */
};

/* Open or create path for writing; a new file gets the schema, an existing one must be
 * an xsweep history of this format and writable. 0 or -errno (one line printed); on
 * error an existing file is left as it was. */
int xs_history_open(struct xs_history **h, const char *path, const struct xs_history_run *run);
void xs_history_round_begin(struct xs_history *h, unsigned round, uint64_t wall_ns);
/* Every target of the round: state "alive", "inactive", "open", "closed" or "filtered";
 * prev its state in the previous round of this run, NULL in the run's first round. */
int xs_history_target(struct xs_history *h, const struct xs_target *t, const char *state,
		      const char *prev, uint64_t rtt_ns);
/* Commit the round. 0 or -errno: the round is rolled back, the error reported once, and
 * every later call is a no-op returning the same error. */
int xs_history_round_end(struct xs_history *h, const struct xs_round_summary *s);
/* Close; returns the first write error, or 0. NULL is fine. */
int xs_history_close(struct xs_history *h);

/* ---- reading (xsweep history) ----------------------------------------------------- */

struct xs_hist_round {
	int64_t run;
	unsigned round;
	uint64_t start_ns, end_ns;
	uint64_t targets, answered, alive, inactive;
};

/* One target over the window. */
struct xs_hist_target {
	struct xs_target t;
	char state[XS_HISTORY_STATE_LEN];	/* its last state */
	uint64_t first_seen_ns, last_seen_ns;	/* first and last round it was up (alive or
						 * open), whole file; 0: never */
	uint64_t rounds, rounds_up;		/* rounds in the window it was a target of,
						 * and was up in */
	unsigned changes;			/* state changes in the window */
};

struct xs_hist_change {
	struct xs_target t;
	int64_t run;
	unsigned round;
	uint64_t time_ns;			/* end of that round */
	char from[XS_HISTORY_STATE_LEN], to[XS_HISTORY_STATE_LEN];
	double rtt_us;				/* < 0: no reply */
};

struct xs_hist_query {
	uint64_t since_ns;			/* rounds that started then or later; 0: all */
	const struct xs_ip *host;		/* or NULL: every address */
	bool changes;				/* read changes instead of targets */
};

struct xs_hist_report {
	struct xs_hist_round *rounds;		/* in the window, in order */
	size_t nrounds;
	struct xs_hist_target *targets;		/* sorted by address, port */
	size_t ntargets;
	struct xs_hist_change *changes;		/* in time order */
	size_t nchanges;
	unsigned runs;				/* runs in the file */
	bool ports;				/* some target has a port (a TCP sweep) */
};

/* Read path (read-only; works while a sweep writes it). 0 or -errno (one line printed). */
int xs_history_read(const char *path, const struct xs_hist_query *q, struct xs_hist_report *r);
void xs_history_report_free(struct xs_hist_report *r);

/* Shared by the writer and the reader (history.c): open read-write or read-only and
 * check the format; a new empty file is accepted only for writing. 0 or -errno (one
 * line printed). */
struct sqlite3;
int xs_history_db_open(const char *path, bool write, struct sqlite3 **db);
/* Up: "alive" or "open". */
bool xs_history_state_up(const char *state);

#endif
