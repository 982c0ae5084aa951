/* sweep.h - helpers of `xsweep sweep` shared with other commands and tests. */
#ifndef XSWEEP_SWEEP_H
#define XSWEEP_SWEEP_H

/* "500ms", "2s", "1m", "1h" or plain seconds; 0 or -EINVAL. */
int xs_parse_duration(const char *s, double *out);
/* --rate: "2000", "20k", "1.5M" or "max" (*pps = 0: unlimited); 0 or -EINVAL. */
int xs_parse_rate(const char *s, double *pps);

#endif
