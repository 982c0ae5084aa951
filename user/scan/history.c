/* history.c - the history file: opening and format checks, the schema, and the writer
 * that `sweep --history` drives round by round (see history.h; reading:
 * history_read.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "scan/addr.h"
#include "scan/history.h"
#include "util/log.h"

#define BUSY_MS 5000	/* wait this long for another writer's round to commit */

static const char schema[] =
	"CREATE TABLE runs (id INTEGER PRIMARY KEY, started_ns INTEGER NOT NULL,"
	" probe TEXT NOT NULL, targets INTEGER NOT NULL, every_s REAL, xsweep TEXT NOT NULL);"
	"CREATE TABLE rounds (run INTEGER NOT NULL REFERENCES runs (id), round INTEGER NOT NULL,"
	" start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL, targets INTEGER NOT NULL,"
	" answered INTEGER NOT NULL, alive INTEGER NOT NULL, inactive INTEGER NOT NULL,"
	" sent INTEGER NOT NULL, PRIMARY KEY (run, round)) WITHOUT ROWID;"
	"CREATE TABLE targets (id INTEGER PRIMARY KEY, addr TEXT NOT NULL,"
	" port INTEGER NOT NULL, state TEXT NOT NULL, UNIQUE (addr, port));"
	"CREATE TABLE states (target INTEGER NOT NULL REFERENCES targets (id),"
	" run INTEGER NOT NULL, round INTEGER NOT NULL, state TEXT NOT NULL, prev TEXT,"
	" rtt_us REAL, PRIMARY KEY (target, run, round),"
	" FOREIGN KEY (run, round) REFERENCES rounds (run, round)) WITHOUT ROWID;"
	"CREATE INDEX states_round ON states (run, round);"
	"CREATE VIEW changes AS SELECT t.addr, t.port, s.run, s.round, r.end_ns AS time_ns,"
	" s.prev AS old_state, s.state AS new_state, s.rtt_us FROM states s"
	" JOIN targets t ON t.id = s.target JOIN rounds r ON r.run = s.run AND r.round = s.round"
	" WHERE s.prev IS NOT NULL AND s.prev <> s.state;";

enum { ST_FIND, ST_ADD_TARGET, ST_SET_STATE, ST_ADD_STATE, ST_ADD_ROUND, ST_ADD_RUN, ST_N };

static const char *const stmt_sql[ST_N] = {
	[ST_FIND] = "SELECT id, state FROM targets WHERE addr = ?1 AND port = ?2",
	[ST_ADD_TARGET] = "INSERT INTO targets (addr, port, state) VALUES (?1, ?2, ?3)",
	[ST_SET_STATE] = "UPDATE targets SET state = ?2 WHERE id = ?1",
	[ST_ADD_STATE] = "INSERT INTO states (target, run, round, state, prev, rtt_us)"
			 " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_ADD_ROUND] = "INSERT INTO rounds (run, round, start_ns, end_ns, targets, answered,"
			 " alive, inactive, sent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_ADD_RUN] = "INSERT INTO runs (started_ns, probe, targets, every_s, xsweep)"
		       " VALUES (?1, ?2, ?3, ?4, ?5)",
};

struct xs_history {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_N];
	struct xs_history_run info;
	int64_t run;			/* 0 until the first round is written */
	unsigned round;
	uint64_t round_ns;
	bool in_tx;
	int err;			/* the first write error: no more writes */
};

bool xs_history_state_up(const char *state)
{
	return state && (!strcmp(state, "alive") || !strcmp(state, "open"));
}

/* One line for an SQLite error on db; returns -errno (the OS's when it had one). */
static int db_fail(sqlite3 *db, const char *path, const char *what)
{
	int sys = db ? sqlite3_system_errno(db) : 0;

	pr_warn("history %s: %s: %s", path, what,
		db ? (sys && sqlite3_errcode(db) == SQLITE_CANTOPEN ? strerror(sys) :
		      sqlite3_errmsg(db)) : "out of memory");
	return sys ? -sys : -EIO;
}

static int pragma_int(sqlite3 *db, const char *sql, int *v)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*v = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* 0 an xsweep history of this format, 1 an empty database, or -errno (reported). */
static int check_format(sqlite3 *db, const char *path)
{
	int app = 0, ver = 0, objects = 0;

	if (pragma_int(db, "PRAGMA application_id", &app) ||
	    pragma_int(db, "PRAGMA user_version", &ver) ||
	    pragma_int(db, "SELECT count(*) FROM sqlite_master", &objects)) {
		if (sqlite3_errcode(db) == SQLITE_NOTADB || sqlite3_errcode(db) == SQLITE_CORRUPT) {
			pr_warn("history %s: not an xsweep history: %s", path, sqlite3_errmsg(db));
			return -EINVAL;
		}
		return db_fail(db, path, "cannot read");
	}
	if (app == XS_HISTORY_APP_ID && ver == XS_HISTORY_FORMAT)
		return 0;
	if (app == XS_HISTORY_APP_ID) {
		pr_warn("history %s: written by %s xsweep (history format %d); this one reads "
			"format %d only", path, ver < XS_HISTORY_FORMAT ? "an older" : "a newer", ver,
			XS_HISTORY_FORMAT);
		return -EINVAL;
	}
	if (app == 0 && objects == 0)
		return 1;
	pr_warn("history %s: an SQLite database, but not an xsweep history (application_id "
		"0x%08x)", path, (unsigned)app);
	return -EINVAL;
}

/* A new file: WAL first (it cannot change inside a transaction), then the schema and the
 * format stamp in one transaction. */
static int create_schema(sqlite3 *db, const char *path)
{
	char sql[sizeof(schema) + 160];

	snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE; %s PRAGMA application_id = %d;"
		 " PRAGMA user_version = %d; COMMIT;", schema, XS_HISTORY_APP_ID, XS_HISTORY_FORMAT);
	if (sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		int err = db_fail(db, path, "cannot create the history");

		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return err;
	}
	return 0;
}

/* Writing: WAL mode, and a write lock can be had now (so a file we cannot write is
 * refused before the sweep starts, with nothing written to it). */
static int check_writable(sqlite3 *db, const char *path)
{
	if (sqlite3_db_readonly(db, "main") == 1) {
		pr_warn("history %s: not writable (read-only file or file system)", path);
		return -EACCES;
	}
	if (sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
			 " BEGIN IMMEDIATE; ROLLBACK;", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, path, "cannot write");
	return 0;
}

int xs_history_db_open(const char *path, bool write, sqlite3 **out)
{
	int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	sqlite3 *db = NULL;
	int err;

	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		err = db_fail(db, path, "cannot open");
		sqlite3_close(db);
		return err;
	}
	sqlite3_busy_timeout(db, BUSY_MS);
	sqlite3_extended_result_codes(db, 0);
	err = check_format(db, path);
	if (err == 1 && !write) {
		pr_warn("history %s: empty: no sweep has written to it", path);
		err = -EINVAL;
	} else if (err == 1) {
		err = create_schema(db, path);
	}
	if (!err && write)
		err = check_writable(db, path);
	if (err) {
		sqlite3_close(db);
		return err;
	}
	*out = db;
	return 0;
}

int xs_history_open(struct xs_history **out, const char *path, const struct xs_history_run *run)
{
	struct xs_history *h = calloc(1, sizeof(*h));
	int err;

	if (!h || !(h->path = strdup(path))) {
		free(h);
		pr_warn("history %s: out of memory", path);
		return -ENOMEM;
	}
	h->info = *run;
	if ((err = xs_history_db_open(path, true, &h->db))) {
		free(h->path);
		free(h);
		return err;
	}
	for (int i = 0; i < ST_N; i++)
		if (sqlite3_prepare_v3(h->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &h->st[i], NULL) != SQLITE_OK) {
			err = db_fail(h->db, path, "cannot prepare a statement");
			xs_history_close(h);
			return err;
		}
	*out = h;
	return 0;
}

/* Step a statement that returns no row, then reset it. */
static int exec_stmt(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : rc;
}

/* The round's transaction begins with the first write; the run's row with its first
 * round (a run killed before its first round leaves nothing). */
static int begin(struct xs_history *h)
{
	sqlite3_stmt *s = h->st[ST_ADD_RUN];
	int rc;

	if (h->in_tx)
		return 0;
	if ((rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
		return rc;
	h->in_tx = true;
	if (h->run)
		return 0;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)h->round_ns);
	sqlite3_bind_text(s, 2, h->info.probe, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)h->info.targets);
	if (h->info.every_s > 0)
		sqlite3_bind_double(s, 4, h->info.every_s);
	else
		sqlite3_bind_null(s, 4);
	sqlite3_bind_text(s, 5, XSWEEP_VERSION, -1, SQLITE_STATIC);
	if ((rc = exec_stmt(s)))
		return rc;
	h->run = sqlite3_last_insert_rowid(h->db);
	return 0;
}

/* A failed write: roll the round back, say so once, write nothing more. */
static int fail(struct xs_history *h)
{
	h->err = db_fail(h->db, h->path, "cannot write this round; history stops here");
	if (h->in_tx)
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	h->in_tx = false;
	if (h->round == 1)
		h->run = 0;
	return h->err;
}

void xs_history_round_begin(struct xs_history *h, unsigned round, uint64_t wall_ns)
{
	h->round = round;
	h->round_ns = wall_ns;
}

/* The target's row in targets, if any (*id and its state in known; else *id stays 0):
 * 0 or an SQLite error code. */
static int find_target(struct xs_history *h, const char *addr, unsigned port, int64_t *id,
		       char *known)
{
	sqlite3_stmt *s = h->st[ST_FIND];
	int rc;

	sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, (int)port);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		snprintf(known, XS_HISTORY_STATE_LEN, "%s", (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : rc;
}

static int add_target(struct xs_history *h, const char *addr, unsigned port, const char *state,
		      int64_t *id)
{
	sqlite3_stmt *s = h->st[ST_ADD_TARGET];
	int rc;

	sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, (int)port);
	sqlite3_bind_text(s, 3, state, -1, SQLITE_STATIC);
	if ((rc = exec_stmt(s)))
		return rc;
	*id = sqlite3_last_insert_rowid(h->db);
	return 0;
}

static int add_state(struct xs_history *h, int64_t id, const char *state, const char *prev,
		     uint64_t rtt_ns)
{
	sqlite3_stmt *s = h->st[ST_ADD_STATE];

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, h->run);
	sqlite3_bind_int(s, 3, (int)h->round);
	sqlite3_bind_text(s, 4, state, -1, SQLITE_STATIC);
	if (prev)
		sqlite3_bind_text(s, 5, prev, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 5);
	if (rtt_ns)
		sqlite3_bind_double(s, 6, (double)rtt_ns / 1000.0);
	else
		sqlite3_bind_null(s, 6);
	return exec_stmt(s);
}

static int set_state(struct xs_history *h, int64_t id, const char *state)
{
	sqlite3_stmt *s = h->st[ST_SET_STATE];

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	return exec_stmt(s);
}

/* Write what this target's state says: a row when it changed (or, in a run's first
 * round, when the target answered or is known); targets holds the last state. */
static int write_target(struct xs_history *h, const struct xs_target *t, const char *state,
			const char *prev, uint64_t rtt_ns)
{
	char addr[XS_IP_STRLEN], known[XS_HISTORY_STATE_LEN] = "";
	bool answered = strcmp(state, "inactive") && strcmp(state, "filtered");
	int64_t id = 0;
	int rc;

	xs_ip_str(&t->ip, addr, sizeof(addr));
	if ((rc = find_target(h, addr, t->port, &id, known)))
		return rc;
	if (!id && !answered)
		return 0;	/* silent, never seen: nothing to say */
	if ((rc = begin(h)))
		return rc;
	if (!id && (rc = add_target(h, addr, t->port, state, &id)))
		return rc;
	if (!prev)
		prev = known[0] ? known : NULL;
	if ((rc = add_state(h, id, state, prev, answered ? rtt_ns : 0)))
		return rc;
	return known[0] && strcmp(known, state) ? set_state(h, id, state) : 0;
}

int xs_history_target(struct xs_history *h, const struct xs_target *t, const char *state,
		      const char *prev, uint64_t rtt_ns)
{
	if (h->err)
		return h->err;
	if (prev && !strcmp(prev, state))
		return 0;
	return write_target(h, t, state, prev, rtt_ns) ? fail(h) : 0;
}

int xs_history_round_end(struct xs_history *h, const struct xs_round_summary *s)
{
	sqlite3_stmt *st = h->st[ST_ADD_ROUND];
	const uint64_t v[] = { s->start_wall_ns, s->end_wall_ns, s->targets, s->answered,
			       s->hosts_alive, s->hosts_inactive, s->sent };

	if (h->err)
		return h->err;
	if (begin(h))
		return fail(h);
	sqlite3_bind_int64(st, 1, h->run);
	sqlite3_bind_int(st, 2, (int)s->round);
	for (int i = 0; i < 7; i++)
		sqlite3_bind_int64(st, 3 + i, (sqlite3_int64)v[i]);
	if (exec_stmt(st) || sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return fail(h);
	h->in_tx = false;
	return 0;
}

int xs_history_close(struct xs_history *h)
{
	int err;

	if (!h)
		return 0;
	if (h->in_tx)
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	for (int i = 0; i < ST_N; i++)
		sqlite3_finalize(h->st[i]);
	/* Back to a rollback journal when no one else has the file open: a WAL file needs
	 * its -shm beside it, which a reader who may not write the directory cannot make. */
	sqlite3_exec(h->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	sqlite3_close(h->db);
	err = h->err;
	free(h->path);
	free(h);
	return err;
}
