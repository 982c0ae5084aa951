/* ping_fmt.c - the pure parts of `xsweep ping`: statistics, output lines (lab, ping and
 * JSON) and the probe payload. No sockets here: the unit tests call them directly.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd/ping.h"
#include "util/clock.h"

void ping_stats_add(struct ping_stats *s, double rtt_ms)
{
	if (!s->received || rtt_ms < s->min)
		s->min = rtt_ms;
	if (!s->received || rtt_ms > s->max)
		s->max = rtt_ms;
	s->sum += rtt_ms;
	s->sum2 += rtt_ms * rtt_ms;
	s->received++;
}

double ping_stats_avg(const struct ping_stats *s)
{
	return s->received ? s->sum / s->received : 0.0;
}

double ping_stats_mdev(const struct ping_stats *s)
{
	double avg, var;

	if (!s->received)
		return 0.0;
	avg = s->sum / s->received;
	var = s->sum2 / s->received - avg * avg;
	return var > 0 ? sqrt(var) : 0.0;
}

double ping_loss_pct(const struct ping_stats *s)
{
	if (!s->sent)
		return 0.0;
	return 100.0 * (double)(s->sent - (s->received < s->sent ? s->received : s->sent)) /
	       s->sent;
}

int ping_format_ms(char *buf, size_t len, double ms)
{
	if (ms >= 100)
		return snprintf(buf, len, "%.0f", ms);
	if (ms >= 10)
		return snprintf(buf, len, "%.1f", ms);
	if (ms >= 1)
		return snprintf(buf, len, "%.2f", ms);
	return snprintf(buf, len, "%.3f", ms);
}

/* "0", "25", "33.3": whole percentages without decimals. */
static void format_pct(char *buf, size_t len, double pct)
{
	if (fabs(pct - round(pct)) < 0.05)
		snprintf(buf, len, "%.0f", pct);
	else
		snprintf(buf, len, "%.1f", pct);
}

int ping_format_event(char *buf, size_t len, enum ping_style style, const struct ping_event *e)
{
	char ms[32];
	int n;

	if (style == PING_STYLE_LAB) {
		switch (e->kind) {
		case PING_EV_REPLY:
			n = snprintf(buf, len, "Ping to %s... Get pong in %.4fms%s", e->host,
				     e->rtt_ms, e->dup ? " (DUP!)" : "");
			break;
		case PING_EV_TIMEOUT:
			return snprintf(buf, len, "Ping to %s... Ping failed. (timeout within %gsec.)",
					e->host, e->timeout_s);
		default:
			return snprintf(buf, len, "Ping to %s... Ping failed. (%s from %s)", e->host,
					e->error, e->from);
		}
		if (e->wrong_src && n >= 0 && (size_t)n < len)
			n += snprintf(buf + n, len - n, " (wrong source %s!)", e->from);
		return n;
	}

	switch (e->kind) {
	case PING_EV_REPLY:
		ping_format_ms(ms, sizeof(ms), e->rtt_ms);
		n = snprintf(buf, len, "%zu bytes from %s: icmp_seq=%u", e->bytes, e->from, e->seq);
		if (e->ttl >= 0 && n >= 0 && (size_t)n < len)
			n += snprintf(buf + n, len - n, " ttl=%d", e->ttl);
		if (n >= 0 && (size_t)n < len)
			n += snprintf(buf + n, len - n, " time=%s ms%s", ms, e->dup ? " (DUP!)" : "");
		if (e->wrong_src && n >= 0 && (size_t)n < len)
			n += snprintf(buf + n, len - n, " (wrong source! sent to %s)", e->addr);
		return n;
	case PING_EV_TIMEOUT:
		return snprintf(buf, len, "%s: icmp_seq=%u Ping failed. (timeout within %gsec.)",
				e->addr, e->seq, e->timeout_s);
	default:
		return snprintf(buf, len, "From %s icmp_seq=%u %s (to %s)", e->from, e->seq, e->error,
				e->addr);
	}
}

int ping_format_summary(char *buf, size_t len, enum ping_style style, const char *host,
			const struct ping_stats *s)
{
	char pct[16];
	int n = 0;

#define ADD(...)                                                                   \
	do {                                                                       \
		if (n >= 0 && (size_t)n < len)                                     \
			n += snprintf(buf + n, len - n, __VA_ARGS__);              \
	} while (0)

	format_pct(pct, sizeof(pct), ping_loss_pct(s));
	if (style == PING_STYLE_PING) {
		ADD("--- %s ping statistics ---\n", host);
		ADD("%u packets transmitted, %u received", s->sent, s->received);
		if (s->dups)
			ADD(", +%u duplicates", s->dups);
		if (s->errors)
			ADD(", +%u errors", s->errors);
		ADD(", %s%% packet loss", pct);
		if (s->wrong_src)
			ADD(", %u from wrong source", s->wrong_src);
		if (s->received)
			ADD("\nrtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms", s->min,
			    ping_stats_avg(s), s->max, ping_stats_mdev(s));
	} else {
		ADD("%s: sent %u, received %u, %s%% loss", host, s->sent, s->received, pct);
		if (s->dups)
			ADD(", %u duplicates", s->dups);
		if (s->errors)
			ADD(", %u errors", s->errors);
		if (s->wrong_src)
			ADD(", %u from wrong source", s->wrong_src);
		if (s->received)
			ADD(", rtt min/avg/max/mdev = %.4f/%.4f/%.4f/%.4f ms", s->min,
			    ping_stats_avg(s), s->max, ping_stats_mdev(s));
	}
#undef ADD
	return n;
}

static struct json_object *json_ms(double ms)
{
	char s[32];

	snprintf(s, sizeof(s), "%.4f", ms);
	return json_object_new_double_s(ms, s);
}

/* When the line is written, in the timestamp style of every JSON output. */
static struct json_object *json_now(void)
{
	char ts[40];

	return json_object_new_string(xs_fmt_timestamp(xs_wall_ns(), ts, sizeof(ts)));
}

struct json_object *ping_event_json(const struct ping_event *e)
{
	static const char *const kinds[] = { "reply", "timeout", "error" };
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(kinds[e->kind]));
	json_object_object_add(o, "host", json_object_new_string(e->host));
	json_object_object_add(o, "addr", json_object_new_string(e->addr));
	json_object_object_add(o, "seq", json_object_new_int((int)e->seq));
	json_object_object_add(o, "timestamp", json_now());
	switch (e->kind) {
	case PING_EV_REPLY:
		json_object_object_add(o, "from", json_object_new_string(e->from));
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)e->bytes));
		json_object_object_add(o, "ttl", e->ttl >= 0 ? json_object_new_int(e->ttl) : NULL);
		json_object_object_add(o, "rtt_ms", json_ms(e->rtt_ms));
		json_object_object_add(o, "dup", json_object_new_boolean(e->dup));
		json_object_object_add(o, "wrong_source", json_object_new_boolean(e->wrong_src));
		break;
	case PING_EV_TIMEOUT:
		json_object_object_add(o, "timeout_s", json_object_new_double(e->timeout_s));
		break;
	case PING_EV_ERROR:
		json_object_object_add(o, "from", json_object_new_string(e->from));
		json_object_object_add(o, "error", json_object_new_string(e->error));
		break;
	}
	return o;
}

struct json_object *ping_summary_json(const char *host, const char *addr,
				      const struct ping_stats *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *rtt = NULL;
	char pct[16];

	json_object_object_add(o, "type", json_object_new_string("summary"));
	json_object_object_add(o, "host", json_object_new_string(host));
	json_object_object_add(o, "addr", json_object_new_string(addr));
	json_object_object_add(o, "timestamp", json_now());
	json_object_object_add(o, "sent", json_object_new_int64(s->sent));
	json_object_object_add(o, "received", json_object_new_int64(s->received));
	json_object_object_add(o, "duplicates", json_object_new_int64(s->dups));
	json_object_object_add(o, "errors", json_object_new_int64(s->errors));
	json_object_object_add(o, "wrong_source", json_object_new_int64(s->wrong_src));
	snprintf(pct, sizeof(pct), "%.1f", ping_loss_pct(s));
	json_object_object_add(o, "loss_pct", json_object_new_double_s(ping_loss_pct(s), pct));
	if (s->received) {
		rtt = json_object_new_object();
		json_object_object_add(rtt, "min", json_ms(s->min));
		json_object_object_add(rtt, "avg", json_ms(ping_stats_avg(s)));
		json_object_object_add(rtt, "max", json_ms(s->max));
		json_object_object_add(rtt, "mdev", json_ms(ping_stats_mdev(s)));
	}
	json_object_object_add(o, "rtt_ms", rtt);
	return o;
}

void ping_fill_payload(uint8_t *buf, size_t len, uint64_t cookie, uint32_t host, uint32_t seq)
{
	uint8_t tag[PING_TAG_LEN];
	size_t i;

	for (i = 0; i < 8; i++)
		tag[i] = (uint8_t)(cookie >> (56 - 8 * i));
	for (i = 0; i < 4; i++) {
		tag[8 + i] = (uint8_t)(host >> (24 - 8 * i));
		tag[12 + i] = (uint8_t)(seq >> (24 - 8 * i));
	}
	memcpy(buf, tag, len < PING_TAG_LEN ? len : PING_TAG_LEN);
	for (i = PING_TAG_LEN; i < len; i++)
		buf[i] = (uint8_t)i;
}

