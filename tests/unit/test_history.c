/* test_history.c - sweep history and metrics without a network: rounds driven through
 * the sweep's observer (scan/watch.c) into a history file (scan/history.c), read back
 * (scan/history_read.c): changes in the right rounds, uptimes, windows, a second run,
 * TCP port states, a writer killed mid-round, and every file the writer must refuse
 * (left byte for byte as it was). Then the Prometheus text builder and the /metrics
 * server on 127.0.0.1 (a port in use, a scrape, the socket released on stop).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "unit.h"
#include "scan/addr.h"
#include "scan/history.h"
#include "scan/watch.h"
#include "util/log.h"
#include "util/metrics.h"

#define NS 1000000000ull
#define T0 (1796000000ull * NS)	/* round r of run k starts at T0 + (k * 100 + r) s */

static char dir[] = "/tmp/xs-hist-XXXXXX";

/* dir/name, each in its own slot (a test's handful of paths). */
static const char *path_in(const char *name)
{
	static char paths[32][256];
	static unsigned n;
	char *p = paths[n++ % 32];

	snprintf(p, sizeof(paths[0]), "%s/%s", dir, name);
	return p;
}

static struct xs_target tgt(unsigned last, unsigned port)
{
	struct xs_target t = { .ip = xs_ip4(htonl(0xc6120000u | last)), .port = (uint16_t)port };

	return t;
}

/* One round through the observer: states[i] for target i (NULL: silent). */
static void round_of(const struct xs_sweep_observer *o, unsigned run, unsigned round,
		     const struct xs_target *t, const char *const *states, size_t n)
{
	uint64_t start = T0 + (run * 100 + round) * NS, alive = 0;
	struct xs_round_summary s = { .round = round, .start_wall_ns = start,
				      .end_wall_ns = start + NS / 2, .targets = n, .sent = n };

	o->round_begin(o->ctx, round, start);
	for (size_t i = 0; i < n; i++) {
		o->target(o->ctx, &t[i], states[i], states[i] ? 70000 + i * 1000 : 0);
		alive += states[i] != NULL;
	}
	s.answered = s.hosts_alive = alive;
	s.hosts_inactive = n - alive;
	o->round_end(o->ctx, &s);
}

static struct xs_watch *writer(const char *file, bool ports)
{
	struct xs_watch_cfg c = { .history = file, .probe = ports ? "tcp-syn" : "icmp",
				  .ports = ports, .targets = 4, .every_s = 1 };
	struct xs_watch *w = NULL;

	CHECK(!xs_watch_open(&w, &c) && w, "history: open %s for writing", file);
	return w;
}

static const struct xs_hist_target *find(const struct xs_hist_report *r, unsigned last)
{
	for (size_t i = 0; i < r->ntargets; i++)
		if (r->targets[i].t.ip.addr[3] == last)
			return &r->targets[i];
	return NULL;
}

static const char *const A = "alive";

/* Run 1: .1 always up, .2 down in round 2, .3 up from round 3, .4 never. */
static void write_run1(const char *file)
{
	const struct xs_target t[4] = { tgt(1, 0), tgt(2, 0), tgt(3, 0), tgt(4, 0) };
	const char *const r1[4] = { A, A, NULL, NULL }, *const r2[4] = { A, NULL, NULL, NULL };
	const char *const r3[4] = { A, A, A, NULL };
	struct xs_watch *w = writer(file, false);

	if (!w)
		return;
	round_of(xs_watch_observer(w), 1, 1, t, r1, 4);
	round_of(xs_watch_observer(w), 1, 2, t, r2, 4);
	round_of(xs_watch_observer(w), 1, 3, t, r3, 4);
	round_of(xs_watch_observer(w), 1, 4, t, r3, 4);
	CHECK(!xs_watch_close(w), "history: four rounds written");
}

static void test_one_run(void)
{
	const char *file = path_in("one.db");
	struct xs_hist_query q = { 0 };
	const struct xs_hist_target *x;
	struct xs_hist_report r;

	write_run1(file);
	CHECK(!xs_history_read(file, &q, &r), "history: read back");
	CHECK(r.nrounds == 4 && r.runs == 1 && r.rounds[1].alive == 1 && r.rounds[1].inactive == 3 &&
	      r.rounds[3].alive == 3, "history: 4 rounds of 1 run with their counts");
	CHECK(r.ntargets == 3 && !find(&r, 4), "history: 3 targets (the one never up is not one)");
	x = find(&r, 1);
	CHECK(x && x->rounds == 4 && x->rounds_up == 4 && !x->changes && !strcmp(x->state, "alive"),
	      "history: .1 up in 4 of 4 rounds, no change");
	CHECK(x && x->first_seen_ns == T0 + 101 * NS && x->last_seen_ns == T0 + 104 * NS + NS / 2,
	      "history: .1 first seen at round 1's start, last at round 4's end");
	x = find(&r, 2);
	CHECK(x && x->rounds == 4 && x->rounds_up == 3 && x->changes == 2,
	      "history: .2 up in 3 of 4 rounds, 2 changes");
	x = find(&r, 3);
	CHECK(x && x->rounds == 4 && x->rounds_up == 2 && x->changes == 1 &&
	      x->first_seen_ns == T0 + 103 * NS, "history: .3 up in 2 of 4 rounds, first seen round 3");
	xs_history_report_free(&r);

	q.changes = true;
	CHECK(!xs_history_read(file, &q, &r) && r.nchanges == 3, "history: 3 changes");
	CHECK(r.nchanges == 3 && r.changes[0].round == 2 && r.changes[0].t.ip.addr[3] == 2 &&
	      !strcmp(r.changes[0].from, "alive") && !strcmp(r.changes[0].to, "inactive") &&
	      r.changes[0].rtt_us < 0, "history: .2 went down in round 2");
	CHECK(r.nchanges == 3 && r.changes[1].round == 3 && r.changes[1].t.ip.addr[3] == 2 &&
	      r.changes[2].round == 3 && r.changes[2].t.ip.addr[3] == 3 &&
	      !strcmp(r.changes[2].to, "alive") && r.changes[2].rtt_us == 72.0 &&
	      r.changes[2].time_ns == T0 + 103 * NS + NS / 2,
	      "history: .2 and .3 came up in round 3 (address order, RTT, round end time)");
	xs_history_report_free(&r);

	q = (struct xs_hist_query){ .since_ns = T0 + 103 * NS };
	CHECK(!xs_history_read(file, &q, &r) && r.nrounds == 2, "history: --since: 2 rounds");
	x = find(&r, 2);
	CHECK(x && x->rounds == 2 && x->rounds_up == 2 && x->changes == 1,
	      "history: --since: .2 up in both, 1 change in the window");
	xs_history_report_free(&r);

	struct xs_ip h = tgt(3, 0).ip;
	q = (struct xs_hist_query){ .host = &h };
	CHECK(!xs_history_read(file, &q, &r) && r.ntargets == 1 && r.targets[0].t.ip.addr[3] == 3,
	      "history: --host: that address only");
	xs_history_report_free(&r);
}

/* A second run on the same file: known targets are compared with their last state. */
static void test_second_run(void)
{
	const char *file = path_in("one.db");
	const struct xs_target t[4] = { tgt(1, 0), tgt(2, 0), tgt(3, 0), tgt(4, 0) };
	const char *const r1[4] = { NULL, A, A, NULL };
	struct xs_hist_query q = { .changes = true };
	struct xs_watch *w = writer(file, false);
	struct xs_hist_report r;

	if (!w)
		return;
	round_of(xs_watch_observer(w), 2, 1, t, r1, 4);
	xs_watch_close(w);
	CHECK(!xs_history_read(file, &q, &r) && r.runs == 2 && r.nchanges == 4 &&
	      r.changes[3].run == 2 && r.changes[3].round == 1 && r.changes[3].t.ip.addr[3] == 1 &&
	      !strcmp(r.changes[3].to, "inactive"),
	      "history: run 2: .1 found down in its first round is a change");
	xs_history_report_free(&r);
	q.changes = false;
	CHECK(!xs_history_read(file, &q, &r) && find(&r, 1) && find(&r, 1)->rounds == 5 &&
	      find(&r, 1)->rounds_up == 4 && !strcmp(find(&r, 1)->state, "inactive"),
	      "history: .1 up 4 of 5 rounds over both runs, now inactive");
	xs_history_report_free(&r);
}

/* TCP: per (address, port); a port that closes is a change. */
static void test_ports(void)
{
	const char *file = path_in("tcp.db");
	const struct xs_target t[3] = { tgt(9, 22), tgt(9, 80), tgt(10, 22) };
	const char *const r1[3] = { "open", "open", "closed" };
	const char *const r2[3] = { "open", "closed", NULL };
	struct xs_hist_query q = { .changes = true };
	struct xs_watch *w = writer(file, true);
	struct xs_hist_report r;

	if (!w)
		return;
	round_of(xs_watch_observer(w), 1, 1, t, r1, 3);
	round_of(xs_watch_observer(w), 1, 2, t, r2, 3);
	xs_watch_close(w);
	CHECK(!xs_history_read(file, &q, &r) && r.ports && r.nchanges == 2 &&
	      r.changes[0].t.port == 80 && !strcmp(r.changes[0].from, "open") &&
	      !strcmp(r.changes[0].to, "closed") && r.changes[1].t.ip.addr[3] == 10 &&
	      !strcmp(r.changes[1].to, "filtered"),
	      "history: tcp: 80 open -> closed, .10:22 closed -> filtered");
	xs_history_report_free(&r);
	q.changes = false;
	CHECK(!xs_history_read(file, &q, &r) && r.ntargets == 3 && r.targets[1].t.port == 80 &&
	      r.targets[1].rounds_up == 1 && r.targets[2].rounds_up == 0,
	      "history: tcp: up means open (80: 1 of 2 rounds; closed is not up)");
	xs_history_report_free(&r);
}

static volatile sig_atomic_t terms;

static void on_term(int sig)
{
	(void)sig;
	terms++;
}

/* A round that cannot be written (another process holds the file's write lock past the
 * 5 s busy timeout): rolled back, said once, the sweep asked to stop (SIGTERM, as the
 * engine's own handler takes it), close reports the error, later rounds write nothing. */
static void test_write_failure(void)
{
	const char *file = path_in("locked.db");
	const struct xs_target t[1] = { tgt(1, 0) };
	const char *const up[1] = { A };
	struct sigaction sa = { .sa_handler = on_term }, old;
	struct xs_hist_query q = { 0 };
	struct xs_watch *w = writer(file, false);
	struct xs_hist_report r;
	int pipefd[2], status;
	pid_t pid;
	char c;

	if (!w || pipe(pipefd))
		return;
	round_of(xs_watch_observer(w), 1, 1, t, up, 1);
	if ((pid = fork()) == 0) {
		sqlite3 *db;

		sqlite3_open(file, &db);
		sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL);
		(void)!write(pipefd[1], "x", 1);
		sleep(7);
		_exit(0);
	}
	(void)!read(pipefd[0], &c, 1);
	sigaction(SIGTERM, &sa, &old);
	round_of(xs_watch_observer(w), 1, 2, t, up, 1);
	round_of(xs_watch_observer(w), 1, 3, t, up, 1);
	sigaction(SIGTERM, &old, NULL);
	CHECK(terms == 1, "history: a round that cannot be written stops the sweep (one SIGTERM)");
	CHECK(xs_watch_close(w) < 0, "history: ... and close reports it");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(pipefd[0]);
	close(pipefd[1]);
	CHECK(!xs_history_read(file, &q, &r) && r.nrounds == 1,
	      "history: ... the file keeps the round written before");
	xs_history_report_free(&r);
}

/* IPv6 targets are stored as text and come back as the same address, after IPv4. */
static void test_ipv6(void)
{
	const char *file = path_in("v6.db");
	struct xs_target t[2] = { { .ip = { .family = XS_AF_INET6 } }, tgt(7, 0) };
	const char *const up[2] = { A, A };
	struct xs_hist_query q = { 0 };
	struct xs_watch *w = writer(file, false);
	struct xs_hist_report r;

	if (!w)
		return;
	inet_pton(AF_INET6, "2001:2::1:7", t[0].ip.addr);
	round_of(xs_watch_observer(w), 1, 1, t, up, 2);
	xs_watch_close(w);
	CHECK(!xs_history_read(file, &q, &r) && r.ntargets == 2 && r.targets[0].t.ip.addr[3] == 7 &&
	      xs_ip_equal(&r.targets[1].t.ip, &t[0].ip), "history: IPv6 round trip, sorted after IPv4");
	xs_history_report_free(&r);
	q.host = &t[0].ip;
	CHECK(!xs_history_read(file, &q, &r) && r.ntargets == 1 &&
	      xs_ip_equal(&r.targets[0].t.ip, &t[0].ip), "history: --host with an IPv6 address");
	xs_history_report_free(&r);
}

/* SIGKILL while a round is being written: every completed round is there. */
static void test_killed_writer(void)
{
	const char *file = path_in("killed.db");
	const struct xs_target t[2] = { tgt(1, 0), tgt(2, 0) };
	const char *const up[2] = { A, A }, *const down[2] = { A, NULL };
	struct xs_hist_query q = { 0 };
	struct xs_hist_report r;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct xs_watch *w = writer(file, false);
		const struct xs_sweep_observer *o = xs_watch_observer(w);

		round_of(o, 1, 1, t, up, 2);
		round_of(o, 1, 2, t, down, 2);
		o->round_begin(o->ctx, 3, T0 + 103 * NS);
		o->target(o->ctx, &t[0], NULL, 0);	/* round 3's transaction is open */
		o->target(o->ctx, &t[1], A, 1000);
		raise(SIGKILL);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "history: writer killed mid-round");
	CHECK(!xs_history_read(file, &q, &r) && r.nrounds == 2 && find(&r, 2) &&
	      find(&r, 2)->changes == 1 && !strcmp(find(&r, 1)->state, "alive"),
	      "history: after SIGKILL the file opens with the 2 completed rounds, nothing of round 3");
	xs_history_report_free(&r);
}

static char *slurp(const char *file, size_t *len)
{
	static char buf[1 << 16];
	int fd = open(file, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));

	if (fd >= 0)
		close(fd);
	*len = n < 0 ? 0 : (size_t)n;
	return n < 0 ? NULL : buf;
}

static void make_db(const char *file, const char *sql)
{
	sqlite3 *db;

	sqlite3_open(file, &db);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
}

/* A file the writer must refuse: refused, and the same bytes afterwards. */
static void refused(const char *what, const char *file)
{
	struct xs_history_run run = { .probe = "icmp", .targets = 1 };
	struct xs_history *h = NULL;
	char before[1 << 16];
	size_t n0, n1;
	char *b = slurp(file, &n0);
	int err;

	if (b)
		memcpy(before, b, n0);
	err = xs_history_open(&h, file, &run);
	b = slurp(file, &n1);
	CHECK(err < 0 && !h && n0 == n1 && (!n0 || !memcmp(before, b, n0)),
	      "history: %s refused (%d), file unchanged", what, err);
	xs_history_close(h);
}

static void test_bad_files(void)
{
	const char *garbage = path_in("garbage.db"), *foreign = path_in("foreign.db");
	const char *newer = path_in("newer.db"), *older = path_in("older.db");
	struct xs_history_run run = { .probe = "icmp", .targets = 1 };
	struct xs_hist_query q = { 0 };
	struct xs_hist_report r;
	struct xs_history *h = NULL;
	int fd = open(garbage, O_CREAT | O_WRONLY, 0644);

	for (int i = 0; i < 64; i++)
		(void)!write(fd, "not a database, not at all.. ", 29);
	close(fd);
	make_db(foreign, "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine');");
	make_db(newer, "PRAGMA application_id = 1481856848; PRAGMA user_version = 2;"
		       " CREATE TABLE x (a);");
	make_db(older, "PRAGMA application_id = 1481856848; PRAGMA user_version = 0;"
		       " CREATE TABLE x (a);");
	refused("a file that is not SQLite", garbage);
	refused("another application's database", foreign);
	refused("a newer history format", newer);
	refused("an older history format", older);
	refused("a directory", dir);
	refused("a file in a missing directory", path_in("missing/x.db"));
	CHECK(access(path_in("missing"), F_OK) && errno == ENOENT, "history: nothing created there");
	CHECK(xs_history_read(garbage, &q, &r) == -EINVAL && xs_history_read(foreign, &q, &r) ==
	      -EINVAL && xs_history_read(path_in("none.db"), &q, &r) == -ENOENT,
	      "history: the reader refuses them too (and a missing file)");
	fd = open(path_in("empty.db"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	CHECK(xs_history_read(path_in("empty.db"), &q, &r) == -EINVAL,
	      "history: the reader refuses an empty file");
	CHECK(!xs_history_open(&h, path_in("empty.db"), &run), "history: an empty file becomes one");
	xs_history_close(h);
}

/* ---- metrics ---------------------------------------------------------------------- */

static void test_prom_text(void)
{
	const double le[3] = { 0.5, 1, 1.0 / 0.0 };
	const uint64_t n[3] = { 2, 3, 1 };
	struct xs_prom p = { 0 };
	char lbl[64];

	CHECK(!strcmp(xs_prom_label(lbl, sizeof(lbl), "addr", "a\"b\\c\nd"),
		      "addr=\"a\\\"b\\\\c\\nd\""), "prom: label values escaped");
	xs_prom_family(&p, "x_total", "counter", "Things.");
	xs_prom_u64(&p, "x_total", "k=\"v\"", 18446744073709551615ull);
	xs_prom_f64(&p, "x_seconds", NULL, 1796135270.123456);
	xs_prom_histogram(&p, "h_seconds", "H.", le, n, 3, 2.5);
	CHECK(p.buf && !strcmp(p.buf,
		"# HELP x_total Things.\n# TYPE x_total counter\n"
		"x_total{k=\"v\"} 18446744073709551615\n"
		"x_seconds 1796135270.12346\n"
		"# HELP h_seconds H.\n# TYPE h_seconds histogram\n"
		"h_seconds_bucket{le=\"0.5\"} 2\nh_seconds_bucket{le=\"1\"} 5\n"
		"h_seconds_bucket{le=\"+Inf\"} 6\nh_seconds_sum 2.5\nh_seconds_count 6\n"),
	      "prom: families, exact counters, cumulative buckets ending +Inf");
	xs_prom_free(&p);
}

static void test_parse_listen(void)
{
	static const char *const bad[] = { "0", "65536", "host:80", "[::1]", "192.0.2.1:",
					   "1.2.3:80", "::1:80", "[::1]80", "", ":" };
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	char err[256];
	socklen_t len;

	CHECK(!xs_metrics_parse_listen("9100", &ss, &len, err, sizeof(err)) &&
	      s4->sin_family == AF_INET && s4->sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
	      s4->sin_port == htons(9100), "listen: PORT alone is 127.0.0.1:PORT");
	CHECK(!xs_metrics_parse_listen(":9100", &ss, &len, err, sizeof(err)) &&
	      s4->sin_addr.s_addr == htonl(INADDR_LOOPBACK), "listen: :PORT is 127.0.0.1:PORT");
	CHECK(!xs_metrics_parse_listen("0.0.0.0:1", &ss, &len, err, sizeof(err)) &&
	      s4->sin_addr.s_addr == 0 && len == sizeof(*s4), "listen: 0.0.0.0:1");
	CHECK(!xs_metrics_parse_listen("[::1]:65535", &ss, &len, err, sizeof(err)) &&
	      s6->sin6_family == AF_INET6 && s6->sin6_port == htons(65535) && len == sizeof(*s6),
	      "listen: [::1]:65535");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(xs_metrics_parse_listen(bad[i], &ss, &len, err, sizeof(err)) == -EINVAL &&
		      strstr(err, "is not ADDR:PORT"), "listen: '%s' refused", bad[i]);
}

static void collect(void *ctx, struct xs_prom *p)
{
	xs_prom_family(p, "t_up", "gauge", (const char *)ctx);
	xs_prom_u64(p, "t_up", NULL, 1);
}

/* GET path from 127.0.0.1:port; the whole answer in buf. */
static ssize_t http_get(unsigned port, const char *path, char *buf, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n, got = 0;
	char req[128];

	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path);
	(void)!write(fd, req, strlen(req));
	while ((n = read(fd, buf + got, len - 1 - (size_t)got)) > 0)
		got += n;
	buf[got] = '\0';
	close(fd);
	return got;
}

static int nfds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void test_server(void)
{
	int fds0 = nfds();
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	struct xs_metrics *m = NULL;
	char addr[32], resp[4096];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port;

	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &alen);
	(void)listen(fd, 1);
	port = ntohs(a.sin_port);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	CHECK(xs_metrics_start(&m, addr, collect, "A test.") == -EADDRINUSE && !m,
	      "server: a port in use: -EADDRINUSE");
	close(fd);
	CHECK(!xs_metrics_start(&m, addr, collect, "A test.") && m, "server: started on %s", addr);
	CHECK(http_get(port, "/metrics", resp, sizeof(resp)) > 0 && strstr(resp, " 200 ") &&
	      strstr(resp, "Content-Type: text/plain; version=0.0.4") &&
	      strstr(resp, "\r\n\r\n# HELP t_up A test.\n# TYPE t_up gauge\nt_up 1\n"),
	      "server: GET /metrics is the collected text");
	CHECK(http_get(port, "/", resp, sizeof(resp)) > 0 && strstr(resp, " 404 "),
	      "server: other paths 404");
	xs_metrics_stop(m);
	CHECK(http_get(port, "/metrics", resp, sizeof(resp)) < 0, "server: stopped, nothing listens");
	/* SO_REUSEADDR: past our closed connections in TIME_WAIT, not past a listener. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int));
	CHECK(!bind(fd, (struct sockaddr *)&a, sizeof(a)) && !listen(fd, 1),
	      "server: the port is free again (its socket was closed)");
	close(fd);
	CHECK(nfds() == fds0, "server: no descriptor left open (%d before, %d after)", fds0, nfds());
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_one_run();
	test_second_run();
	test_ports();
	test_ipv6();
	test_killed_writer();
	test_write_failure();
	test_bad_files();
	test_prom_text();
	test_parse_listen();
	test_server();
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	wait(NULL);
	UNIT_DONE();
}
