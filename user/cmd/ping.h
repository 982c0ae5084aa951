/* ping.h - `xsweep ping`: option parsing, statistics and output formatting.
 *
 * Options and the socket engine live in ping.c, statistics and output lines in
 * ping_fmt.c; these pieces are exported so the unit tests can check parsing,
 * min/avg/max/mdev and every output line without sending a packet.
 */
#ifndef XSWEEP_PING_H
#define XSWEEP_PING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

enum ping_style { PING_STYLE_LAB, PING_STYLE_PING };
enum ping_output { PING_OUT_TEXT, PING_OUT_JSON };
enum ping_sock { PING_SOCK_AUTO, PING_SOCK_RAW, PING_SOCK_DGRAM };

#define PING_MAX_COUNT 1000000
#define PING_MAX_SIZE4 65507	/* 65535 - IPv4 header - ICMP header */
#define PING_MAX_SIZE6 65527	/* 65535 - ICMPv6 header (payload length excludes IPv6 header) */
#define PING_TAG_LEN 16	/* payload tag: cookie (8) + host index (4) + request number (4) */
#define PING_STR_(x) #x
#define PING_STR(x) PING_STR_(x)

struct ping_opts {
	unsigned count;		/* -c, echo requests per host */
	double interval;	/* -i, seconds between requests to one host */
	double timeout;		/* -W, seconds to wait for each reply */
	unsigned size;		/* -s, payload bytes */
	unsigned ttl;		/* -t, 0 = system default */
	bool quiet;		/* -q, summaries only */
	int family;		/* -4/-6: AF_INET, AF_INET6, AF_UNSPEC */
	enum ping_style style;
	enum ping_output output;
	enum ping_sock sock;
	char **hosts;
	int nhosts;
};

/* Parse `ping [options] HOST...` (argv[0] == "ping"): XS_CONTINUE (util/opts.h), or the
 * exit code to return at once (0 after --help, 2 after one "xsweep: ping: ..." line). */
int ping_parse_args(int argc, char **argv, struct ping_opts *o);

/* Per-host counters; RTTs in milliseconds (dups and wrong-source replies excluded). */
struct ping_stats {
	uint32_t sent, received, dups, errors, wrong_src;
	double min, max, sum, sum2;
};

void ping_stats_add(struct ping_stats *s, double rtt_ms);
double ping_stats_avg(const struct ping_stats *s);
double ping_stats_mdev(const struct ping_stats *s);	/* population std deviation */
double ping_loss_pct(const struct ping_stats *s);

enum ping_event_kind { PING_EV_REPLY, PING_EV_TIMEOUT, PING_EV_ERROR };

/* One line of per-probe output. */
struct ping_event {
	enum ping_event_kind kind;
	const char *host;	/* as given on the command line */
	const char *addr;	/* numeric target address */
	const char *from;	/* numeric source of the reply or ICMP error */
	unsigned int seq;	/* 1-based, per host */
	int ttl;		/* -1 unknown */
	size_t bytes;		/* ICMP bytes received */
	double rtt_ms;
	bool dup;
	bool wrong_src;
	const char *error;	/* PING_EV_ERROR: what went wrong */
	double timeout_s;	/* PING_EV_TIMEOUT */
};

int ping_format_event(char *buf, size_t len, enum ping_style style, const struct ping_event *e);
int ping_format_summary(char *buf, size_t len, enum ping_style style, const char *host,
			const struct ping_stats *s);
struct json_object *ping_event_json(const struct ping_event *e);
struct json_object *ping_summary_json(const char *host, const char *addr,
				      const struct ping_stats *s);

/* "0.075" / "1.23" / "12.3" / "123" like iputils' ping. */
int ping_format_ms(char *buf, size_t len, double ms);

/* Payload of request (host, seq): a tag (cookie, host index, seq; big-endian) as far as
 * it fits, then a byte pattern. A reply is ours only if its payload is identical. */
void ping_fill_payload(uint8_t *buf, size_t len, uint64_t cookie, uint32_t host, uint32_t seq);

#endif
