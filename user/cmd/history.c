/* history.c - `xsweep history FILE`: what a history file written by `sweep --history`
 * says: per target first and last seen, current state, uptime and changes over a
 * window, and per round the lab's "Total N hosts are inactive"; or, with --changes,
 * every change in time order ("198.18.0.9 went down at ..."). Reading: scan/history_read.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <json-c/json.h>

#include "cmd/commands.h"
#include "scan/addr.h"
#include "scan/history.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/opts.h"
#include "util/parse.h"

enum { OUT_TEXT, OUT_JSON };

struct hist_opts {
	struct xs_ip host;
	bool have_host, changes;
	uint64_t since_ns;
	int fmt;
};

static int opt_host(void *obj, const char *arg, char *err, size_t len)
{
	struct hist_opts *o = obj;
	uint32_t v4;

	memset(&o->host, 0, sizeof(o->host));
	if (strchr(arg, ':') && inet_pton(AF_INET6, arg, o->host.addr) == 1) {
		o->host.family = XS_AF_INET6;
	} else if (!strchr(arg, ':') && !xs_parse_ipv4(arg, &v4)) {
		o->host = xs_ip4(htonl(v4));
	} else {
		snprintf(err, len, "'%s' is not an IPv4 or IPv6 address", arg);
		return -EINVAL;
	}
	o->have_host = true;
	return 0;
}

/* "2026-12-01T10:00:00[.frac][Z]" (also with a blank for T, without seconds, or a date
 * alone): UTC. 0 or -EINVAL. */
static int parse_utc(const char *s, uint64_t *ns)
{
	static const char *const fmts[] = { "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
					    "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d" };

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct tm tm = { 0 };
		const char *end = strptime(s, fmts[i], &tm);
		double frac = 0;
		time_t t;

		if (!end)
			continue;
		if (i < 2 && *end == '.' && end[1] >= '0' && end[1] <= '9')
			frac = strtod(end, (char **)&end);
		if ((*end && strcmp(end, "Z")) || (t = timegm(&tm)) < 0)
			continue;
		*ns = (uint64_t)t * 1000000000u + (uint64_t)(frac * 1e9);
		return 0;
	}
	return -EINVAL;
}

static int opt_since(void *obj, const char *arg, char *err, size_t len)
{
	struct hist_opts *o = obj;
	uint64_t now = xs_wall_ns(), v;
	double ago;

	if (arg[0] == '@' && !xs_parse_u64(arg + 1, 0, UINT64_MAX / 1000000000u, &v)) {
		o->since_ns = v * 1000000000u;
	} else if (!xs_parse_duration(arg, &ago)) {
		o->since_ns = ago * 1e9 < (double)now ? now - (uint64_t)(ago * 1e9) : 0;
	} else if (parse_utc(arg, &o->since_ns)) {
		snprintf(err, len, "'%s' is not a time: 2026-12-01T10:00:00Z (UTC), @UNIXTIME, or "
			 "a duration ago (10m, 2h)", arg);
		return -EINVAL;
	}
	return 0;
}

static const struct xs_opt_choice fmt_choices[] = {
	{ "text", OUT_TEXT }, { "json", OUT_JSON }, { NULL, 0 },
};

#define O struct hist_opts
static const struct xs_opt hist_table[] = {
	XS_FUNC("host", 0, opt_host, "ADDR", "only this address (all its ports)"),
	XS_FUNC("since", 0, opt_since, "TIME",
		"the window: rounds that started at TIME or later, given as "
		"2026-12-01T10:00:00Z (UTC), @UNIXTIME or a duration ago (10m, 2h); default: "
		"the whole file"),
	XS_FLAG("changes", 0, O, changes,
		"list the changes of state in time order instead ('198.18.0.9 went down at ...')"),
	XS_ENUM("output-format", 'O', O, fmt, NULL, fmt_choices,
		"text (default) or json (one document)"),
	XS_OPTS_END
};
#undef O

static const struct xs_cmd_opts hist_cmd = {
	.cmd = "history",
	.usage = "xsweep history FILE [--host ADDR] [--since TIME] [--changes] [-O text|json]",
	.about = "What a history file written by 'xsweep sweep --history FILE' says: per target its\n"
		 "current state, when it was first and last seen up, its uptime (the share of\n"
		 "the window's rounds it was up in: alive, or an open port) and its number of\n"
		 "state changes; then per round the hosts alive and inactive. Works while a sweep\n"
		 "is writing the file.",
	.footer = "Exit status: 0, or 2 (bad option, a file that is not an xsweep history).",
	.opts = hist_table,
	.min_args = 1,
	.max_args = 1,
	.args_name = "FILE",
};

void usage_history(FILE *out)
{
	xs_opts_usage(out, &hist_cmd);
}

/* The one timestamp style (ISO 8601 UTC, microseconds); "never" for 0. */
static const char *fmt_time(uint64_t ns, char *buf, size_t len)
{
	return ns ? xs_fmt_timestamp(ns, buf, len) : "never";
}

/* "198.18.0.9", or "198.18.0.9 port 22" for a port-based target. */
static const char *target_str(const struct xs_target *t, char *buf, size_t len)
{
	char a[XS_IP_STRLEN];

	xs_ip_str(&t->ip, a, sizeof(a));
	if (t->port)
		snprintf(buf, len, "%s port %u", a, t->port);
	else
		snprintf(buf, len, "%s", a);
	return buf;
}

static void print_rounds_text(const struct xs_hist_report *r)
{
	char ts[40];

	for (size_t i = 0; i < r->nrounds; i++) {
		const struct xs_hist_round *x = &r->rounds[i];

		if (r->runs > 1)
			printf("Run %lld, round %u", (long long)x->run, x->round);
		else
			printf("Round %u", x->round);
		printf(" (%s): %llu alive. Total %llu hosts are inactive\n",
		       fmt_time(x->end_ns, ts, sizeof(ts)), (unsigned long long)x->alive,
		       (unsigned long long)x->inactive);
	}
}

static void print_targets_text(const struct xs_hist_report *r)
{
	char t[XS_IP_STRLEN + 16], f[40], l[40];
	int w = 6;

	for (size_t i = 0; i < r->ntargets; i++) {
		int n = (int)strlen(target_str(&r->targets[i].t, t, sizeof(t)));

		w = n > w ? n : w;
	}
	printf("%-*s  %-8s  %-27s  %-27s  %6s  %7s\n", w, "TARGET", "STATE", "FIRST SEEN",
	       "LAST SEEN", "UPTIME", "CHANGES");
	for (size_t i = 0; i < r->ntargets; i++) {
		const struct xs_hist_target *x = &r->targets[i];

		printf("%-*s  %-8s  %-27s  %-27s  %5.1f%%  %7u\n", w,
		       target_str(&x->t, t, sizeof(t)), x->state,
		       fmt_time(x->first_seen_ns, f, sizeof(f)),
		       fmt_time(x->last_seen_ns, l, sizeof(l)),
		       100.0 * (double)x->rounds_up / (double)x->rounds, x->changes);
	}
	print_rounds_text(r);
}

/* The lab's words: "went down", "came up"; ports as the sweep says them. */
static void print_changes_text(const struct xs_hist_report *r)
{
	char a[XS_IP_STRLEN], ts[40], where[48];

	for (size_t i = 0; i < r->nchanges; i++) {
		const struct xs_hist_change *c = &r->changes[i];

		xs_ip_str(&c->t.ip, a, sizeof(a));
		if (r->runs > 1)
			snprintf(where, sizeof(where), "run %lld, round %u", (long long)c->run, c->round);
		else
			snprintf(where, sizeof(where), "round %u", c->round);
		fmt_time(c->time_ns, ts, sizeof(ts));
		if (c->t.port)
			printf("%s port %u/tcp %s (was %s) at %s (%s)\n", a, c->t.port, c->to, c->from,
			       ts, where);
		else
			printf("%s %s at %s (%s)\n", a, xs_history_state_up(c->to) ? "came up" :
			       "went down", ts, where);
	}
}

static json_object *time_json(uint64_t ns)
{
	char ts[40];

	return ns ? json_object_new_string(fmt_time(ns, ts, sizeof(ts))) : NULL;
}

static void add_target_json(json_object *o, const struct xs_target *t)
{
	char a[XS_IP_STRLEN];

	json_object_object_add(o, "addr", json_object_new_string(xs_ip_str(&t->ip, a, sizeof(a))));
	if (t->port)
		json_object_object_add(o, "port", json_object_new_int(t->port));
}

static json_object *targets_json(const struct xs_hist_report *r)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < r->ntargets; i++) {
		const struct xs_hist_target *x = &r->targets[i];
		json_object *o = json_object_new_object();

		add_target_json(o, &x->t);
		json_object_object_add(o, "state", json_object_new_string(x->state));
		json_object_object_add(o, "first_seen", time_json(x->first_seen_ns));
		json_object_object_add(o, "last_seen", time_json(x->last_seen_ns));
		json_object_object_add(o, "uptime",
				       json_object_new_double((double)x->rounds_up / (double)x->rounds));
		json_object_object_add(o, "rounds", json_object_new_int64((int64_t)x->rounds));
		json_object_object_add(o, "rounds_up", json_object_new_int64((int64_t)x->rounds_up));
		json_object_object_add(o, "changes", json_object_new_int64(x->changes));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *rounds_json(const struct xs_hist_report *r)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < r->nrounds; i++) {
		const struct xs_hist_round *x = &r->rounds[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "run", json_object_new_int64(x->run));
		json_object_object_add(o, "round", json_object_new_int64(x->round));
		json_object_object_add(o, "start", time_json(x->start_ns));
		json_object_object_add(o, "end", time_json(x->end_ns));
		json_object_object_add(o, "targets", json_object_new_int64((int64_t)x->targets));
		json_object_object_add(o, "answered", json_object_new_int64((int64_t)x->answered));
		json_object_object_add(o, "alive", json_object_new_int64((int64_t)x->alive));
		json_object_object_add(o, "inactive", json_object_new_int64((int64_t)x->inactive));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *changes_json(const struct xs_hist_report *r)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < r->nchanges; i++) {
		const struct xs_hist_change *c = &r->changes[i];
		json_object *o = json_object_new_object();

		add_target_json(o, &c->t);
		json_object_object_add(o, "run", json_object_new_int64(c->run));
		json_object_object_add(o, "round", json_object_new_int64(c->round));
		json_object_object_add(o, "time", time_json(c->time_ns));
		json_object_object_add(o, "from", json_object_new_string(c->from));
		json_object_object_add(o, "to", json_object_new_string(c->to));
		json_object_object_add(o, "rtt_us", c->rtt_us < 0 ? NULL :
				       json_object_new_double(c->rtt_us));
		json_object_array_add(arr, o);
	}
	return arr;
}

static void print_json(const char *path, const struct hist_opts *o,
		       const struct xs_hist_report *r)
{
	json_object *doc = json_object_new_object();

	json_object_object_add(doc, "file", json_object_new_string(path));
	json_object_object_add(doc, "since", time_json(o->since_ns));
	json_object_object_add(doc, "runs", json_object_new_int64(r->runs));
	if (o->changes) {
		json_object_object_add(doc, "changes", changes_json(r));
	} else {
		json_object_object_add(doc, "hosts", targets_json(r));
		json_object_object_add(doc, "rounds", rounds_json(r));
	}
	printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
}

int do_history(int argc, char **argv)
{
	struct hist_opts o = { .fmt = OUT_TEXT };
	struct xs_hist_query q;
	struct xs_hist_report r;
	int rc = xs_opts_parse(&hist_cmd, &o, argc, argv);

	if (rc != XS_CONTINUE)
		return rc;
	q = (struct xs_hist_query){ .since_ns = o.since_ns, .host = o.have_host ? &o.host : NULL,
				    .changes = o.changes };
	if (xs_history_read(argv[optind], &q, &r))
		return XS_EXIT_ERROR;
	if (o.fmt == OUT_JSON)
		print_json(argv[optind], &o, &r);
	else if (o.changes)
		print_changes_text(&r);
	else
		print_targets_text(&r);
	xs_history_report_free(&r);
	return fflush(stdout) ? XS_EXIT_ERROR : XS_EXIT_OK;
}
