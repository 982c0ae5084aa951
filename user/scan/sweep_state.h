/* sweep_state.h - the resume file of `xsweep sweep` (written on SIGINT, read by --resume).
 *
 * A few "key value" lines: the finalized target ranges (exclusions already applied), the
 * order (seed), the slice (shards, shard, the position reached and the end) and the
 * options that shape the probes and the output. The cookie key is not saved: a resumed
 * run draws a new one, so late replies to the first part's probes fail validation.
 */
#ifndef XSWEEP_SWEEP_STATE_H
#define XSWEEP_SWEEP_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "scan/targets.h"

struct xs_sweep_state {
	uint64_t seed;
	uint32_t shards, shard;
	uint64_t position;	/* next position of the permutation not yet probed */
	uint64_t end;		/* end of the slice (the domain size for a whole run) */
	double rate;		/* probes/s, 0 = max */
	unsigned retries, ttl, probes;
	double wait_s;
	char format[8];
	bool inactive;
	char iface[IF_NAMESIZE];
	char source[16];
};

int xs_state_write(const char *path, const struct xs_sweep_state *s, const struct xs_targets *t);
/* Fills s and adds the ranges to t (not finalized). -errno with err set. */
int xs_state_read(const char *path, struct xs_sweep_state *s, struct xs_targets *t, char *err,
		  size_t errlen);

#endif
