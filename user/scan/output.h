/* output.h - sweep result formats: the lab's text, JSON Lines, CSV, address list and
 * nmap's grepable format. Lines are written as results arrive; the caller flushes.
 */
#ifndef XSWEEP_OUTPUT_H
#define XSWEEP_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

enum xs_fmt { XS_FMT_TEXT, XS_FMT_JSON, XS_FMT_CSV, XS_FMT_LIST, XS_FMT_GREP };

int xs_fmt_parse(const char *s, enum xs_fmt *fmt);
void xs_out_header(FILE *f, enum xs_fmt fmt);
/* addr in network order; rtt_ns and ttl as measured; wall = reception time (ns, realtime). */
void xs_out_alive(FILE *f, enum xs_fmt fmt, uint32_t addr, uint64_t rtt_ns, unsigned ttl, uint64_t wall_ns);
void xs_out_inactive(FILE *f, enum xs_fmt fmt, uint32_t addr, uint64_t wall_ns);
void xs_out_total_inactive(FILE *f, enum xs_fmt fmt, uint64_t n);
/* Periodic mode: a host changed state since the previous round (up = came up). */
void xs_out_change(FILE *f, enum xs_fmt fmt, uint32_t addr, int up, uint64_t wall_ns);
void xs_out_round(FILE *f, enum xs_fmt fmt, unsigned round, uint64_t wall_ns);

#endif
