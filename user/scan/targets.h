/* targets.h - the set of addresses to probe (struct xs_ip, one 128-bit space: addr.h).
 *
 * Targets are parsed from CIDRs, ranges, single addresses, host names and files into a
 * sorted list of disjoint ranges (so duplicates and overlaps are probed once), minus
 * exclusions and addresses that can never be a unicast host. Index <-> address mapping
 * is O(log ranges), so a /8 costs a few bytes, not a list of 16M addresses.
 */
#ifndef XSWEEP_TARGETS_H
#define XSWEEP_TARGETS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "scan/addr.h"

struct xs_range {
	xs_u128 lo, hi;		/* inclusive; IPv4 as ::ffff:a.b.c.d */
};

struct xs_targets {
	struct xs_range *r;
	size_t n, cap;
	uint64_t *start;	/* after finalize: index of r[i].lo in the whole set */
	uint64_t total;		/* after finalize: number of addresses */
};

/* Parse one target token (CIDR, a.b.c.d-e, a.b.c.d-a.b.c.d, address, host name) and add
 * it. On error returns -EINVAL and writes a message (without the "xsweep: " prefix) to
 * err. resolve=false rejects host names (for exclusions). */
int xs_targets_add(struct xs_targets *t, const char *tok, bool resolve, char *err, size_t errlen);
/* Add every line of a file (one target per line, '#' comments, blank lines ignored). */
int xs_targets_add_file(struct xs_targets *t, const char *path, bool resolve, char *err,
			size_t errlen);
/* Sort, merge, subtract excl (may be NULL) and the never-unicast ranges; build the index.
 * Returns the number of addresses removed as never-unicast through *reserved. */
int xs_targets_finalize(struct xs_targets *t, const struct xs_targets *excl, uint64_t *reserved);
struct xs_ip xs_targets_addr(const struct xs_targets *t, uint64_t idx);
bool xs_targets_index(const struct xs_targets *t, const struct xs_ip *ip, uint64_t *idx);
void xs_targets_free(struct xs_targets *t);

#endif
