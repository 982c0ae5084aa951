/* mc_util.h - small helpers shared by `xsweep monitor` and `xsweep capture`:
 * option value parsing, clocks, signal-driven stop flag.
 */
#ifndef XSWEEP_MC_UTIL_H
#define XSWEEP_MC_UTIL_H

#include <signal.h>
#include <stdint.h>

/* "1s", "500ms", "2m", "1h", "1.5" (seconds) -> milliseconds; -EINVAL on bad input. */
int xs_mc_parse_duration_ms(const char *s, uint64_t *ms);
/* Decimal unsigned in [min, max]; -EINVAL / -ERANGE. */
int xs_mc_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
uint64_t xs_mc_now_ns(int clock_id);
/* CLOCK_REALTIME - CLOCK_MONOTONIC: add to a bpf_ktime_get_ns() value for wall time. */
int64_t xs_mc_mono_to_wall_offset(void);
/* "HH:MM:SS.frac" in local time; digits = 3 (ms) or 6 (us). */
char *xs_mc_fmt_time(uint64_t wall_ns, int digits, char *buf, unsigned long len);

/* --capture auto|xdp|pcap: where packets are read. */
enum xs_mc_path { XS_MC_AUTO = 0, XS_MC_XDP, XS_MC_PCAP };
int xs_mc_path_parse(const char *s, enum xs_mc_path *p);

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
