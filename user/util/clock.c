/* clock.c - clocks and the wall-clock formatter (see clock.h). */
#include <stdio.h>
#include <time.h>

#include "util/clock.h"

static uint64_t read_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t xs_mono_ns(void)
{
	return read_ns(CLOCK_MONOTONIC);
}

uint64_t xs_wall_ns(void)
{
	return read_ns(CLOCK_REALTIME);
}

double xs_now_s(void)
{
	return (double)xs_mono_ns() / 1e9;
}

int64_t xs_mono_to_wall_offset(void)
{
	/* Bracket the realtime read between two monotonic reads to halve the error. */
	uint64_t m1 = xs_mono_ns();
	uint64_t r = xs_wall_ns();
	uint64_t m2 = xs_mono_ns();

	return (int64_t)(r - (m1 + (m2 - m1) / 2));
}

char *xs_fmt_timestamp(uint64_t wall_ns, char *buf, size_t len)
{
	time_t sec = (time_t)(wall_ns / 1000000000ull);
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06uZ", (unsigned)(wall_ns % 1000000000ull / 1000));
	return buf;
}

char *xs_fmt_clock(uint64_t wall_ns, int digits, char *buf, size_t len)
{
	time_t sec = (time_t)(wall_ns / 1000000000ull);
	uint64_t frac = wall_ns % 1000000000ull;
	struct tm tm;

	localtime_r(&sec, &tm);
	if (digits == 3)
		snprintf(buf, len, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (unsigned)(frac / 1000000));
	else
		snprintf(buf, len, "%02d:%02d:%02d.%06u", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (unsigned)(frac / 1000));
	return buf;
}
