/* output.c - sweep result formats (see output.h). JSON is built with json-c so every
 * string is escaped correctly. */
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <json-c/json.h>

#include "scan/addr.h"
#include "scan/output.h"

const struct xs_opt_choice xs_fmt_choices[] = {
	{ "text", XS_FMT_TEXT }, { "json", XS_FMT_JSON }, { "csv", XS_FMT_CSV },
	{ "list", XS_FMT_LIST }, { "grep", XS_FMT_GREP }, { NULL, 0 },
};

static void fmt_time(uint64_t wall_ns, char *buf, size_t len)
{
	time_t sec = (time_t)(wall_ns / 1000000000u);
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf + strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm), 16, ".%06uZ",
		 (unsigned)(wall_ns % 1000000000u / 1000));
}

static void json_line(FILE *f, const struct xs_target *t, const char *state,
		      const uint64_t *rtt_ns, unsigned ttl, uint64_t wall_ns, const char *extra_key,
		      const char *extra)
{
	char a[XS_IP_STRLEN], ts[40];
	struct json_object *o = json_object_new_object();

	xs_ip_str(&t->ip, a, sizeof(a));
	fmt_time(wall_ns, ts, sizeof(ts));
	json_object_object_add(o, "addr", json_object_new_string(a));
	json_object_object_add(o, "state", json_object_new_string(state));
	if (rtt_ns) {
		char num[32];

		/* Microseconds with ns resolution, printed as written (no binary noise). */
		snprintf(num, sizeof(num), "%.3f", *rtt_ns / 1000.0);
		json_object_object_add(o, "rtt_us", json_object_new_double_s(*rtt_ns / 1000.0, num));
	} else {
		json_object_object_add(o, "rtt_us", NULL);
	}
	json_object_object_add(o, "ttl", rtt_ns ? json_object_new_int((int)ttl) : NULL);
	json_object_object_add(o, "timestamp", json_object_new_string(ts));
	if (extra_key)
		json_object_object_add(o, extra_key, json_object_new_string(extra));
	fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

void xs_out_header(FILE *f, enum xs_fmt fmt)
{
	if (fmt == XS_FMT_CSV)
		fprintf(f, "addr,state,rtt_us,ttl,timestamp\n");
}

void xs_out_reply(FILE *f, enum xs_fmt fmt, const struct xs_target *t, const char *state,
		  uint64_t rtt_ns, unsigned ttl, uint64_t wall_ns)
{
	char a[XS_IP_STRLEN], ts[40];

	xs_ip_str(&t->ip, a, sizeof(a));
	switch (fmt) {
	case XS_FMT_TEXT:
		fprintf(f, "%s is %s\n", a, state);
		break;
	case XS_FMT_JSON:
		json_line(f, t, state, &rtt_ns, ttl, wall_ns, NULL, NULL);
		break;
	case XS_FMT_CSV:
		fmt_time(wall_ns, ts, sizeof(ts));
		fprintf(f, "%s,%s,%.3f,%u,%s\n", a, state, rtt_ns / 1000.0, ttl, ts);
		break;
	case XS_FMT_LIST:
		fprintf(f, "%s\n", a);
		break;
	case XS_FMT_GREP:
		fprintf(f, "Host: %s ()\tStatus: Up\n", a);
		break;
	}
}

void xs_out_inactive(FILE *f, enum xs_fmt fmt, const struct xs_target *t, uint64_t wall_ns)
{
	char a[XS_IP_STRLEN], ts[40];

	xs_ip_str(&t->ip, a, sizeof(a));
	switch (fmt) {
	case XS_FMT_TEXT:
		fprintf(f, "%s is inactive\n", a);
		break;
	case XS_FMT_JSON:
		json_line(f, t, "inactive", NULL, 0, wall_ns, NULL, NULL);
		break;
	case XS_FMT_CSV:
		fmt_time(wall_ns, ts, sizeof(ts));
		fprintf(f, "%s,inactive,,,%s\n", a, ts);
		break;
	case XS_FMT_LIST:
		break;	/* the list is of responsive hosts */
	case XS_FMT_GREP:
		fprintf(f, "Host: %s ()\tStatus: Down\n", a);
		break;
	}
}

void xs_out_total_inactive(FILE *f, enum xs_fmt fmt, uint64_t n)
{
	if (fmt == XS_FMT_TEXT)
		fprintf(f, "Total %llu hosts are inactive\n", (unsigned long long)n);
}

void xs_out_change(FILE *f, enum xs_fmt fmt, const struct xs_target *t, int up, uint64_t wall_ns)
{
	char a[XS_IP_STRLEN];

	xs_ip_str(&t->ip, a, sizeof(a));
	if (fmt == XS_FMT_JSON)
		json_line(f, t, up ? "alive" : "inactive", NULL, 0, wall_ns, "change",
			  up ? "came up" : "went down");
	else if (fmt == XS_FMT_TEXT)
		fprintf(f, "%s %s\n", a, up ? "came up" : "went down");
}

void xs_out_round(FILE *f, enum xs_fmt fmt, unsigned round, uint64_t wall_ns)
{
	char ts[40];

	if (fmt != XS_FMT_TEXT)
		return;
	fmt_time(wall_ns, ts, sizeof(ts));
	fprintf(f, "Round %u (%s)\n", round, ts);
}
