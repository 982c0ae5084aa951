/* mc_util.h - what `xsweep monitor`, `capture` and `sweep` share around an XDP-or-libpcap
 * capture: the --capture path, the interface, the attach-or-fall-back policy and the
 * signal-driven stop flag. (Value parsing: util/parse.h; clocks: util/clock.h.)
 */
#ifndef XSWEEP_MC_UTIL_H
#define XSWEEP_MC_UTIL_H

#include <signal.h>
#include <stdint.h>

#include "util/opts.h"

/* --capture auto|xdp|pcap: where packets are read. */
enum xs_mc_path { XS_MC_AUTO = 0, XS_MC_XDP, XS_MC_PCAP };
/* Its values for option tables (util/opts.h). */
extern const struct xs_opt_choice xs_mc_path_choices[];

/* ifindex of name, or of the first interface that is up and not loopback when name is
 * NULL (name then points to a static copy). 0 (with a message printed) when none.
 */
int xs_mc_ifindex(const char **name);

struct bpf_program;
struct xs_xdp;
/* Attach prog per --capture: 0 attached (x filled), 1 use libpcap (a one-line notice was
 * printed when falling back), or -errno (message printed: the caller exits 2).
 * load_err is the skeleton load result (non-zero: XDP is unavailable).
 */
int xs_mc_attach(struct bpf_program *prog, int load_err, const char *ifname, int ifindex,
		 int xdp_mode, enum xs_mc_path path, struct xs_xdp *x);

/* SIGINT/SIGTERM set xs_mc_stop (no SA_RESTART: blocking calls return EINTR). */
extern volatile sig_atomic_t xs_mc_stop;
void xs_mc_install_stop_handlers(void);

#endif
