/* path.h - where a sweep's probes go: per address family, the route to the first target
 * of that family (interface, source address, next-hop MAC), and the one interface both
 * families must share (one XDP program, one send socket).
 */
#ifndef XSWEEP_PATH_H
#define XSWEEP_PATH_H

#include <stdbool.h>
#include <net/if.h>

#include "net/route.h"
#include "xsweep.h"

struct xs_probe;

struct xs_path_cfg {
	bool has4, has6;		/* families among the targets */
	struct xs_ip first4, first6;	/* the first target of each, given first */
	const char *iface;		/* -i, or NULL */
	const char *source4, *source6;	/* -S, or NULL */
	bool macs;			/* resolve next-hop MACs (frames, not raw IP) */
};

struct xs_path {
	struct xs_route rt4, rt6;	/* valid per has4/has6 */
	int ifindex;
	char ifname[IF_NAMESIZE];
};

/* Routes (and MACs when asked) for every family in use; 0 or -errno (one line printed). */
int xs_path_setup(struct xs_path *p, const struct xs_path_cfg *c);
/* Sources and MACs into the probe's state. */
void xs_path_apply(const struct xs_path *p, const struct xs_path_cfg *c, struct xs_probe *probe);

#endif
