/* engine.h - the sweep engine: rounds of passes over a target set, one probe module, one
 * send backend, one receive backend (see README "Architecture").
 *
 * The command (user/cmd/sweep.c) parses options and targets into a struct xs_sweep_job;
 * xs_sweep_run() does the rest: route, receive backend (recv/), sender (send/), the
 * probe template (probe/), then rounds: a pass in permutation order (scan/perm.c) paced
 * by a token bucket, retries of the silent targets, a cooldown; results stream to the
 * output (scan/output.c) as replies arrive.
 */
#ifndef XSWEEP_ENGINE_H
#define XSWEEP_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "probe/probe.h"
#include "scan/path.h"
#include "scan/perm.h"
#include "scan/targets.h"

#define XS_DEFAULT_RATE 10000.0	/* probes/s: zmap's default, does not flood a LAN */
#define XS_DEFAULT_WAIT 2.0	/* seconds of cooldown after the last probe */
#define XS_LARGE_SWEEP (1ull << 24)	/* more targets need --allow-large */

/* Every option of `xsweep sweep` (one entry each in cmd/sweep.c's table). */
struct xs_sweep_opts {
	const char *iface, *outfile, *probe, *resume, *state_file;
	const char *summary_json;	/* --summary-json FILE, or NULL */
	const char *source4, *source6;	/* -S, per family */
	unsigned fmt;			/* enum xs_fmt */
	unsigned xdp_mode;		/* enum xs_xdp_mode */
	unsigned send_path;		/* enum xs_send_path */
	unsigned send_api;		/* enum xs_send_api */
	unsigned capture;		/* enum xs_capture */
	bool inactive, progress, allow_large, keep_maps, quiet, dry_run, have_seed;
	bool append;			/* open outfile for appending (a resumed sweep) */
	bool closed, filtered;		/* port-based probes: also print closed / silent ports */
	bool no_reset;			/* do not answer SYN-ACKs with an RST */
	unsigned sport_lo, sport_hi;	/* TCP source ports */
	double every_s, wait_s, timeout_s;
	double rate;			/* probes/s, 0 = as fast as possible */
	unsigned ttl, depth, retries, probes;
	unsigned sender_threads;	/* 0: auto (engine.c open_lanes) */
	unsigned shards, shard;
	uint64_t seed;
};

/* What a round of a sweep found, for observers (history, metrics). */
struct xs_round_summary {
	unsigned round;			/* 1, 2, ... */
	uint64_t start_wall_ns, end_wall_ns;
	uint64_t targets;		/* probed by this run: addresses x ports */
	uint64_t answered;		/* targets that answered */
	uint64_t hosts_alive, hosts_inactive;	/* addresses */
	uint64_t sent;			/* probes sent so far (whole run) */
	struct xs_stats rx;		/* the receive path's counters so far (whole run) */
	const char *capture;		/* receive backend: "xdp" (rx and the RTT histogram
					 * are the maps pinned under XS_PIN_DIR) or "pcap" */
	uint64_t rtt_sum_ns;		/* RTTs of the valid replies that carried their send
					 * time, summed (those the kernel's rtt_hist counts) */
};

/* Optional: told about each reported round (periodic mode reports every completed
 * round, an interrupted one is not reported). Called on the sweep's thread. */
struct xs_sweep_observer {
	void *ctx;
	void (*round_begin)(void *ctx, unsigned round, uint64_t wall_ns);
	/* Every target this run probed, once per reported round: whether it answered,
	 * the module's name for its state ("alive", "open", "closed"; NULL when it did
	 * not answer) and its RTT (0 when it did not answer). */
	void (*target)(void *ctx, const struct xs_target *t, const char *state, uint64_t rtt_ns);
	void (*round_end)(void *ctx, const struct xs_round_summary *s);
};

/* What the command hands the engine. */
struct xs_sweep_job {
	const struct xs_sweep_opts *o;
	const struct xs_probe_module *m;
	struct xs_targets t;		/* finalized */
	const uint16_t *ports;		/* port-based modules: the ports of every address */
	unsigned nports;		/* 1 (port 0) for the others */
	struct xs_perm perm;		/* over t.total * nports targets */
	struct xs_slice slice;
	struct xs_path_cfg path;	/* families, first target of each, -i, -S */
	const struct xs_sweep_observer *obs;	/* or NULL */
	const char *cmdline;		/* for -O grep's header, or NULL */
	/* Out: set when a one-shot sweep was interrupted before its first pass ended. */
	bool interrupted;
	uint64_t resume_pos;		/* next position not yet probed */
};

/* Run the sweep; returns the exit status (0, 2, or 130 when interrupted). */
int xs_sweep_run(struct xs_sweep_job *j);
/* --dry-run: print the first pass's probes in order with their cookies; send nothing. */
int xs_sweep_dry_run(struct xs_sweep_job *j);
/* Target index -> (address, port). */
void xs_job_target(const struct xs_sweep_job *j, uint64_t idx, struct xs_target *t);
/* Number of targets (addresses x ports). */
uint64_t xs_job_ntargets(const struct xs_sweep_job *j);

#endif
