/* output.h - sweep result formats: the lab's text, JSON Lines, CSV, address list and
 * nmap's grepable format. Lines are written as results arrive; the caller flushes.
 * Addresses are struct xs_target (include/xsweep.h) in every format.
 */
#ifndef XSWEEP_OUTPUT_H
#define XSWEEP_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "util/opts.h"
#include "xsweep.h"

enum xs_fmt { XS_FMT_TEXT, XS_FMT_JSON, XS_FMT_CSV, XS_FMT_LIST, XS_FMT_GREP };

/* -O's choices (for the option table), ending with { NULL }. */
extern const struct xs_opt_choice xs_fmt_choices[];

void xs_out_header(FILE *f, enum xs_fmt fmt);
/* A reply: state as the probe module names it ("alive"); rtt_ns and ttl as measured;
 * wall = reception time (ns, realtime). */
void xs_out_reply(FILE *f, enum xs_fmt fmt, const struct xs_target *t, const char *state,
		  uint64_t rtt_ns, unsigned ttl, uint64_t wall_ns);
void xs_out_inactive(FILE *f, enum xs_fmt fmt, const struct xs_target *t, uint64_t wall_ns);
void xs_out_total_inactive(FILE *f, enum xs_fmt fmt, uint64_t n);
/* Periodic mode: a target changed state since the previous round (up = came up). */
void xs_out_change(FILE *f, enum xs_fmt fmt, const struct xs_target *t, int up, uint64_t wall_ns);
void xs_out_round(FILE *f, enum xs_fmt fmt, unsigned round, uint64_t wall_ns);

#endif
