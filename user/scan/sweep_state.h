/* sweep_state.h - the resume file of `xsweep sweep` (written on SIGINT, read by --resume).
 *
 * Text, one item per line:
 *	xsweep-sweep-state 2
 *	--seed 42			the options flagged XS_OPT_SAVE in the command's
 *	--rate 20000			option table, as xs_opts_save() writes them
 *	position 1558			next position of the permutation not yet probed
 *	end 4096			end of the slice (the domain size for a whole run)
 *	range 198.18.0.0-198.18.15.255	the finalized targets (exclusions applied)
 *	checksum 0123456789abcdef	FNV-1a 64 of every byte before this line
 * Options are read back through the same parsers and limits as the command line, and
 * a file whose checksum does not match (cut short, edited) is refused. The cookie key
 * is not saved: a resumed run draws a new one, so late replies to the first part's
 * probes fail validation.
 */
#ifndef XSWEEP_SWEEP_STATE_H
#define XSWEEP_SWEEP_STATE_H

#include <stdint.h>

#include "scan/targets.h"
#include "util/opts.h"

/* 0 or -errno (the caller reports). The file is written beside path and renamed. */
int xs_state_write(const char *path, const struct xs_cmd_opts *c, const void *opts,
		   uint64_t position, uint64_t end, const struct xs_targets *t);
/* Options into opts, the ranges into t (not finalized). 0, or -errno after one line
 * naming the file. */
int xs_state_read(const char *path, const struct xs_cmd_opts *c, void *opts,
		  uint64_t *position, uint64_t *end, struct xs_targets *t);

#endif
