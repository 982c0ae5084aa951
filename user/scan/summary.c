/* summary.c - the JSON record of a finished sweep (see summary.h). */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>

#include "scan/summary.h"
#include "util/clock.h"

static void add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static struct json_object *u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static struct json_object *when(uint64_t wall_ns)
{
	char ts[40];

	return json_object_new_string(xs_fmt_timestamp(wall_ns, ts, sizeof(ts)));
}

/* Seconds with the precision the text summary shows, printed as written. */
static struct json_object *secs(double v, const char *fmt)
{
	char num[32];

	snprintf(num, sizeof(num), fmt, v);
	return json_object_new_double_s(v, num);
}

static struct json_object *errors(const struct xs_sweep_summary *s)
{
	struct json_object *inv = json_object_new_object();

	add(inv, "bad_cookie", u64(s->bad_cookie));
	add(inv, "wrong_source", u64(s->wrong_src));
	add(inv, "unexpected", u64(s->unexpected));
	return inv;
}

static struct json_object *send_errors(const struct xs_sweep_summary *s)
{
	struct json_object *e = json_object_new_object();

	add(e, "enobufs", u64(s->enobufs));
	add(e, "eagain", u64(s->eagain));
	add(e, "short", u64(s->short_sends));
	add(e, "other", u64(s->other_errors));
	return e;
}

static struct json_object *ports(const struct xs_sweep_summary *s)
{
	struct json_object *p = json_object_new_object();

	add(p, "open", u64(s->open));
	add(p, "closed", u64(s->closed));
	add(p, "filtered", u64(s->filtered));
	add(p, "resets", u64(s->resets));
	return p;
}

int xs_summary_json(FILE *f, const struct xs_sweep_summary *s)
{
	struct json_object *o = json_object_new_object();
	char seed[24];
	int err = 0;

	add(o, "start", when(s->start_wall_ns));
	add(o, "end", when(s->end_wall_ns));
	add(o, "probe", json_object_new_string(s->probe));
	add(o, "targets", u64(s->targets));
	add(o, "rounds", json_object_new_int((int)s->rounds));
	add(o, "sent", u64(s->sent));
	add(o, "replies", u64(s->replies));
	add(o, "alive", u64(s->alive));
	add(o, "inactive", u64(s->inactive));
	add(o, "invalid", errors(s));
	add(o, "duplicates", u64(s->duplicates));
	add(o, "late", u64(s->late));
	add(o, "lost_events", u64(s->lost_events));
	add(o, "send_errors", send_errors(s));
	add(o, "failed", u64(s->failed));
	add(o, "ports", s->ports ? ports(s) : NULL);
	add(o, "duration_s", secs(s->duration_s, "%.3f"));
	add(o, "sending_s", secs(s->sending_s, "%.3f"));
	add(o, "probes_per_s", secs(s->pps, "%.0f"));
	add(o, "rate", s->rate > 0 ? secs(s->rate, "%.0f") : NULL);
	/* A string: JSON readers that hold numbers as doubles would round a 64-bit seed. */
	snprintf(seed, sizeof(seed), "%" PRIu64, s->seed);
	add(o, "seed", json_object_new_string(seed));
	add(o, "shard", json_object_new_int((int)s->shard));
	add(o, "shards", json_object_new_int((int)s->shards));
	add(o, "capture", json_object_new_string(s->capture));
	add(o, "send", json_object_new_string(s->send));
	add(o, "send_path", json_object_new_string(s->send_path));
	add(o, "sender_threads", json_object_new_int((int)s->sender_threads));
	add(o, "interrupted", json_object_new_boolean(s->interrupted));
	if (fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) < 0 ||
	    fflush(f))
		err = -errno;
	json_object_put(o);
	return err;
}
