/* owner.h - who pinned a directory of maps.
 *
 * Beside the maps it pins, a process pins "owner": a one-entry BTF-typed array map
 * holding its pid, its start time (/proc/PID/stat field 22, clock ticks after boot: a
 * reused pid has another) and a state. Pins of a running process, pins kept on purpose
 * after a normal exit (--keep-maps) and pins a killed process left behind (SIGKILL: no
 * cleanup ran) are then told apart by any reader (`xsweep maps`), and bpftool prints
 * the record with field names (bpftool map dump pinned DIR/owner).
 */
#ifndef XSWEEP_OWNER_H
#define XSWEEP_OWNER_H

#include <stdbool.h>
#include <stdint.h>

enum xs_owner_state {
	XS_OWNER_RUNNING = 1,	/* pinned by a process that meant to remove them at exit */
	XS_OWNER_KEPT = 2,	/* left on purpose by a process that ended normally */
};

struct xs_owner {
	uint32_t pid;
	uint32_t state;		/* enum xs_owner_state */
	uint64_t start_time;	/* of pid, clock ticks after boot */
};

/* Pin dir/owner for this process (state RUNNING). 0 or -errno. */
int xs_owner_pin(const char *dir);
/* Mark dir/owner KEPT (the pins stay after this process). 0 or -errno. */
int xs_owner_keep(const char *dir);
/* Read dir/owner. 0, -ENOENT when there is none, -EINVAL when it is not an owner map. */
int xs_owner_read(const char *dir, struct xs_owner *o);
/* RUNNING, and its process is gone (no such pid, or a pid reused since). */
bool xs_owner_stale(const struct xs_owner *o);

#endif
