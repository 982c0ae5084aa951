/* clock.h - the clocks xsweep reads, and the wall-clock formatter.
 *
 * Monotonic time measures (rates, timeouts, RTTs) and matches bpf_ktime_get_ns();
 * wall time is only for display. xs_mono_to_wall_offset() turns one into the other.
 */
#ifndef XSWEEP_CLOCK_H
#define XSWEEP_CLOCK_H

#include <stddef.h>
#include <stdint.h>

uint64_t xs_mono_ns(void);	/* CLOCK_MONOTONIC, ns (the clock of bpf_ktime_get_ns) */
uint64_t xs_wall_ns(void);	/* CLOCK_REALTIME, ns since the epoch */
double xs_now_s(void);		/* CLOCK_MONOTONIC, seconds */

/* CLOCK_REALTIME - CLOCK_MONOTONIC, the realtime read bracketed by two monotonic reads:
 * add it to a monotonic (or bpf_ktime_get_ns) value to get wall time.
 */
int64_t xs_mono_to_wall_offset(void);

/* "HH:MM:SS.mmm" (digits 3) or "HH:MM:SS.uuuuuu" (digits 6), local time; returns buf. */
char *xs_fmt_clock(uint64_t wall_ns, int digits, char *buf, size_t len);

/* The one timestamp style of every JSON output (sweep, ping, monitor, maps): ISO 8601,
 * UTC, microseconds, "2026-11-27T20:17:34.977727Z" (28 bytes with the NUL); returns buf. */
char *xs_fmt_timestamp(uint64_t wall_ns, char *buf, size_t len);

#endif
