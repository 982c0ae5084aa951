/* parse.h - one set of rules for every numeric option value (command line, resume files),
 * and MAC addresses.
 *
 * Numbers are plain decimal: no sign, no blanks, no hex, not empty. Durations and rates
 * also take a fraction, an exponent ("1e3") and a unit suffix; nan and inf are refused.
 * Every function returns 0 (and writes *out) or -EINVAL (not the right syntax) or
 * -ERANGE (well-formed but outside the limits); *out is untouched on error. They never
 * print: the caller reports one line (opts.c does it for option tables).
 */
#ifndef XSWEEP_PARSE_H
#define XSWEEP_PARSE_H

#include <stdint.h>

#define XS_DURATION_MAX_S 1e7	/* ~115 days: longer is a typo */
#define XS_RATE_MIN 1.0
#define XS_RATE_MAX 1e9

/* Decimal digits only, value in [min, max]. */
int xs_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int xs_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out);

/* "500ms", "2s", "1m", "1h" or plain seconds ("1.5"), finite, 0 .. XS_DURATION_MAX_S. */
int xs_parse_duration(const char *s, double *secs);

/* Packets per second: "2000", "20k"/"20K", "1.5M"/"1.5m", in [1, 1e9]; "max" gives 0. */
int xs_parse_rate(const char *s, double *pps);

/* "aa:bb:cc:dd:ee:ff": six hex bytes of one or two digits separated by ':'; -EINVAL else. */
int xs_parse_mac(const char *s, uint8_t mac[6]);

#endif
