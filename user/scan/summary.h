/* summary.h - the figures of a finished sweep, once: the engine fills a struct
 * xs_sweep_summary (engine.c), which gives both the "summary:" lines on stderr and the
 * JSON record of --summary-json FILE (summary.c, for programs; like zmap's
 * --metadata-file).
 */
#ifndef XSWEEP_SUMMARY_H
#define XSWEEP_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct xs_sweep_summary {
	const char *probe;		/* module name: icmp, tcp-syn */
	uint64_t start_wall_ns, end_wall_ns;
	double duration_s, sending_s;
	double pps;			/* probes per second while sending */
	double rate;			/* --rate, 0 = max */
	uint64_t seed;
	unsigned shard, shards, rounds;
	bool interrupted;
	uint64_t targets, sent, replies, alive, inactive;
	uint64_t bad_cookie, wrong_src, unexpected, duplicates, late, lost_events;
	uint64_t enobufs, eagain, short_sends, other_errors, failed;
	bool ports;			/* port-based probe: the next four apply */
	uint64_t open, closed, filtered, resets;
	char capture[192];		/* the receive backend's description */
	const char *send, *send_path;
	unsigned sender_threads;	/* threads that sent probes (--sender-threads) */
};

/* The record as one line of JSON on f (timestamps in the one style of every JSON
 * output, util/clock.h). 0 or -errno. */
int xs_summary_json(FILE *f, const struct xs_sweep_summary *s);

#endif
