/* watch.h - what watches a sweep round by round: the history file (history.h) and the
 * Prometheus metrics (sweep_metrics.h), behind the engine's one observer.
 *
 * The engine tells each round's state of every target; this layer remembers the
 * previous round's (one byte per target), so history and metrics hear of changes, and
 * groups a port-based sweep's targets by address for the per-host metrics.
 */
#ifndef XSWEEP_WATCH_H
#define XSWEEP_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "scan/engine.h"

struct xs_watch_cfg {
	const char *history;		/* --history FILE, or NULL */
	const char *metrics_listen;	/* --metrics-listen ADDR:PORT, or NULL */
	unsigned metrics_hosts;		/* --metrics-hosts N */
	const char *probe;		/* probe module's name */
	bool ports;			/* port-based probe: silent is "filtered" */
	uint64_t targets;
	double every_s;
};

struct xs_watch;

/* Start what cfg asks for: the metrics server first (a port in use fails before the
 * history file is touched), then the history file. *w is NULL when cfg asks for
 * neither. 0 or -errno (one line printed, nothing left open). */
int xs_watch_open(struct xs_watch **w, const struct xs_watch_cfg *cfg);
/* The observer for xs_sweep_job.obs; NULL for a NULL watch. */
const struct xs_sweep_observer *xs_watch_observer(struct xs_watch *w);
/* Close everything; -errno when the history could not be written (said then), else 0.
 * NULL is fine. */
int xs_watch_close(struct xs_watch *w);

#endif
