/* output.h - sweep result formats: the lab's text, JSON Lines, CSV, address list and
 * nmap's grepable format. Lines are written as results arrive; the caller flushes.
 * Every result is a struct xs_target (address, and port for port-based probe types).
 */
#ifndef XSWEEP_OUTPUT_H
#define XSWEEP_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/opts.h"
#include "xsweep.h"

enum xs_fmt { XS_FMT_TEXT, XS_FMT_JSON, XS_FMT_CSV, XS_FMT_LIST, XS_FMT_GREP };

/* -O's choices (for the option table), ending with { NULL }. */
extern const struct xs_opt_choice xs_fmt_choices[];

/* Where and how results go; proto/ports come from the probe module. */
struct xs_out {
	FILE *f;
	enum xs_fmt fmt;
	const char *proto;	/* "icmp", "tcp" */
	bool ports;		/* results are (address, port) pairs */
	bool periodic;		/* --every: JSON and CSV results carry their round */
	unsigned round;		/* the round being reported (1, 2, ...) */
	const char *cmdline;	/* -O grep: the command line for the header */
	uint64_t start_wall_ns;	/* when the sweep began */
};

struct xs_result {
	const struct xs_target *t;
	const char *state;	/* "alive", "inactive", "open", "closed", "filtered" */
	bool measured;		/* rtt_ns and ttl are known (a reply) */
	uint64_t rtt_ns;
	unsigned ttl;
	uint64_t wall_ns;	/* when (realtime ns) */
	const char *change;	/* periodic mode: "came up", "went down", "was open"...; or NULL */
};

/* CSV: the header row; grep: nmap's "# ... scan initiated ... as: ..." line. */
void xs_out_header(const struct xs_out *o);
/* grep: nmap's "# ... done at ... -- N IP addresses (M hosts up) scanned in S seconds". */
void xs_out_footer(const struct xs_out *o, uint64_t addrs, uint64_t up, double secs);
void xs_out_result(const struct xs_out *o, const struct xs_result *r);
/* Text only: "Total N hosts are inactive". */
void xs_out_total_inactive(const struct xs_out *o, uint64_t n);
/* Text only: the lab's per-host form, "198.18.0.9 (22, 80, 443)". */
void xs_out_host_ports(const struct xs_out *o, const struct xs_ip *ip, const uint16_t *ports,
		       unsigned n);
/* Text only, periodic mode: "Round N (time)". */
void xs_out_round(const struct xs_out *o, unsigned round, uint64_t wall_ns);

#endif
