/* output.c - sweep result formats (see output.h). JSON is built with json-c so every
 * string is escaped correctly. */
#include <netdb.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <json-c/json.h>

#include "scan/addr.h"
#include "scan/output.h"
#include "util/clock.h"

const struct xs_opt_choice xs_fmt_choices[] = {
	{ "text", XS_FMT_TEXT }, { "json", XS_FMT_JSON }, { "csv", XS_FMT_CSV },
	{ "list", XS_FMT_LIST }, { "grep", XS_FMT_GREP }, { NULL, 0 },
};

#define fmt_time xs_fmt_timestamp

static void json_line(const struct xs_out *o, const struct xs_result *r, const char *a)
{
	struct json_object *j = json_object_new_object();
	char ts[40], num[32];

	fmt_time(r->wall_ns, ts, sizeof(ts));
	json_object_object_add(j, "addr", json_object_new_string(a));
	if (o->ports) {
		json_object_object_add(j, "port", json_object_new_int(r->t->port));
		json_object_object_add(j, "proto", json_object_new_string(o->proto));
	}
	json_object_object_add(j, "state", json_object_new_string(r->state));
	if (r->measured) {
		/* Microseconds with ns resolution, printed as written (no binary noise). */
		snprintf(num, sizeof(num), "%.3f", r->rtt_ns / 1000.0);
		json_object_object_add(j, "rtt_us", json_object_new_double_s(r->rtt_ns / 1000.0, num));
	} else {
		json_object_object_add(j, "rtt_us", NULL);
	}
	json_object_object_add(j, "ttl", r->measured ? json_object_new_int((int)r->ttl) : NULL);
	json_object_object_add(j, "timestamp", json_object_new_string(ts));
	if (o->periodic)
		json_object_object_add(j, "round", json_object_new_int((int)o->round));
	if (r->change)
		json_object_object_add(j, "change", json_object_new_string(r->change));
	fprintf(o->f, "%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	json_object_put(j);
}

/* nmap's date: "Tue Dec  1 14:24:01 2026" (local time, like ctime). */
static const char *nmap_time(uint64_t wall_ns, char *buf, size_t len)
{
	time_t sec = (time_t)(wall_ns / 1000000000u);
	struct tm tm;

	localtime_r(&sec, &tm);
	strftime(buf, len, "%a %b %e %H:%M:%S %Y", &tm);
	return buf;
}

void xs_out_header(const struct xs_out *o)
{
	char when[64];

	if (o->fmt == XS_FMT_GREP)
		fprintf(o->f, "# xsweep %s scan initiated %s as: %s\n", XSWEEP_VERSION,
			nmap_time(o->start_wall_ns, when, sizeof(when)),
			o->cmdline ? o->cmdline : "xsweep sweep");
	if (o->fmt == XS_FMT_CSV)
		fprintf(o->f, "%s%s\n", o->ports ? "addr,port,proto,state,rtt_us,ttl,timestamp" :
					 "addr,state,rtt_us,ttl,timestamp", o->periodic ? ",round" : "");
}

void xs_out_footer(const struct xs_out *o, uint64_t addrs, uint64_t up, double secs)
{
	char when[64];

	if (o->fmt != XS_FMT_GREP)
		return;
	fprintf(o->f, "# xsweep done at %s -- %llu IP address%s (%llu host%s up) scanned in "
		"%.2f seconds\n", nmap_time(xs_wall_ns(), when, sizeof(when)),
		(unsigned long long)addrs, addrs == 1 ? "" : "es", (unsigned long long)up,
		up == 1 ? "" : "s", secs);
}

static void csv_line(const struct xs_out *o, const struct xs_result *r, const char *a)
{
	char ts[40];

	fmt_time(r->wall_ns, ts, sizeof(ts));
	fprintf(o->f, "%s,", a);
	if (o->ports)
		fprintf(o->f, "%u,%s,", r->t->port, o->proto);
	if (r->measured)
		fprintf(o->f, "%s,%.3f,%u,%s", r->state, r->rtt_ns / 1000.0, r->ttl, ts);
	else
		fprintf(o->f, "%s,,,%s", r->state, ts);
	if (o->periodic)
		fprintf(o->f, ",%u", o->round);
	fputc('\n', o->f);
}

static void text_line(const struct xs_out *o, const struct xs_result *r, const char *a)
{
	if (!o->ports && r->change)
		fprintf(o->f, "%s %s\n", a, r->change);
	else if (!o->ports || !r->t->port)
		fprintf(o->f, "%s is %s\n", a, r->state);
	else if (r->change)
		fprintf(o->f, "%s port %u/%s %s (%s)\n", a, r->t->port, o->proto, r->state, r->change);
	else
		fprintf(o->f, "%s port %u/%s %s\n", a, r->t->port, o->proto, r->state);
}

/* nmap's grepable format: a Status line per host, a Ports field per port. */
static void grep_line(const struct xs_out *o, const struct xs_result *r, const char *a)
{
	struct servent *se;

	if (!o->ports || !r->t->port) {
		fprintf(o->f, "Host: %s ()\tStatus: %s\n", a, r->measured ? "Up" : "Down");
		return;
	}
	se = getservbyport(htons(r->t->port), o->proto);
	fprintf(o->f, "Host: %s ()\tPorts: %u/%s/%s//%s///\n", a, r->t->port, r->state, o->proto,
		se ? se->s_name : "");
}

void xs_out_result(const struct xs_out *o, const struct xs_result *r)
{
	char a[XS_IP_STRLEN];

	xs_ip_str(&r->t->ip, a, sizeof(a));
	switch (o->fmt) {
	case XS_FMT_TEXT:
		text_line(o, r, a);
		break;
	case XS_FMT_JSON:
		json_line(o, r, a);
		break;
	case XS_FMT_CSV:
		if (!r->change)
			csv_line(o, r, a);
		break;
	case XS_FMT_LIST:
		/* The list is of what answered (open ports for port-based probes). */
		if (r->change || !r->measured)
			break;
		if (!o->ports)
			fprintf(o->f, "%s\n", a);
		else if (r->t->ip.family == XS_AF_INET6)
			fprintf(o->f, "[%s]:%u\n", a, r->t->port);
		else
			fprintf(o->f, "%s:%u\n", a, r->t->port);
		break;
	case XS_FMT_GREP:
		if (!r->change)
			grep_line(o, r, a);
		break;
	}
}

void xs_out_total_inactive(const struct xs_out *o, uint64_t n)
{
	if (o->fmt == XS_FMT_TEXT)
		fprintf(o->f, "Total %llu hosts are inactive\n", (unsigned long long)n);
}

void xs_out_host_ports(const struct xs_out *o, const struct xs_ip *ip, const uint16_t *ports,
		       unsigned n)
{
	char a[XS_IP_STRLEN];

	if (o->fmt != XS_FMT_TEXT || !n)
		return;
	fprintf(o->f, "%s (", xs_ip_str(ip, a, sizeof(a)));
	for (unsigned i = 0; i < n; i++)
		fprintf(o->f, "%s%u", i ? ", " : "", ports[i]);
	fprintf(o->f, ")\n");
}

void xs_out_round(const struct xs_out *o, unsigned round, uint64_t wall_ns)
{
	char ts[40];

	if (o->fmt != XS_FMT_TEXT)
		return;
	fmt_time(wall_ns, ts, sizeof(ts));
	fprintf(o->f, "Round %u (%s)\n", round, ts);
}
