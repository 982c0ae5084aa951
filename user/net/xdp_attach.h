/* xdp_attach.h - attach XDP programs through bpf_links and pin maps in bpffs.
 *
 * A bpf_link is owned by the process: the kernel detaches the program when the last
 * reference (our fd) goes away, so a killed xsweep never leaves a program behind.
 * An interface that already carries an XDP program is never taken over: the attach
 * fails with -EBUSY and the caller falls back (pcap) or refuses.
 */
#ifndef XSWEEP_XDP_ATTACH_H
#define XSWEEP_XDP_ATTACH_H

#include <stddef.h>
#include <linux/types.h>

#include "util/opts.h"

struct bpf_program;
struct bpf_map;

enum xs_xdp_mode {
	XS_XDP_AUTO = 0,	/* native, falling back to generic */
	XS_XDP_NATIVE,
	XS_XDP_GENERIC,
};

struct xs_xdp {
	int link_fd;		/* -1 when not attached */
	int ifindex;
	enum xs_xdp_mode mode;	/* the mode actually attached */
};

#define XS_XDP_INIT { .link_fd = -1 }

/* 0, or -EBUSY (another program is attached: *other_id set when non-NULL), or -errno. */
int xs_xdp_attach(struct bpf_program *prog, int ifindex, enum xs_xdp_mode want,
		  struct xs_xdp *out, __u32 *other_id);
void xs_xdp_detach(struct xs_xdp *x);
const char *xs_xdp_mode_str(enum xs_xdp_mode mode);
/* --xdp-mode values for option tables (util/opts.h). */
extern const struct xs_opt_choice xs_xdp_mode_choices[];
/* Id of the XDP program attached to ifindex (0 when none), or -errno. */
int xs_xdp_query(int ifindex, __u32 *prog_id);

/* Describe what is attached to ifindex (through libxdp), for error messages. */
void xs_xdp_describe(int ifindex, char *buf, size_t len);

/* Make sure a bpffs is mounted at /sys/fs/bpf (ip netns exec gives a fresh /sys). */
int xs_bpffs_ensure(void);
/* mkdir -p dir under bpffs, removing stale pins from a previous run. */
int xs_pin_dir_reset(const char *dir);
/* Pin map as dir/name. */
int xs_pin_map(struct bpf_map *map, const char *dir, const char *name);
/* Unlink every pin in dir and remove dir (and its parent if it became empty). */
void xs_pin_dir_remove(const char *dir);

#endif
