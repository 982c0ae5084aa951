/* sweep_metrics.h - Prometheus metrics of a periodic sweep (`sweep --every D
 * --metrics-listen ADDR:PORT`), served by util/metrics.c.
 *
 * Round by round (updated when a round ends): xsweep_sweep_rounds_total,
 * xsweep_sweep_targets, xsweep_sweep_hosts_alive, xsweep_sweep_hosts_inactive,
 * xsweep_sweep_changes_total{direction="up"|"down"}, xsweep_sweep_probes_sent_total,
 * xsweep_sweep_round_duration_seconds, xsweep_sweep_last_round_end_timestamp_seconds,
 * xsweep_sweep_rtt_seconds (histogram: the kernel's log2 rtt_hist map, XDP path), and per
 * host xsweep_sweep_host_up{addr} and xsweep_sweep_host_rtt_seconds{addr} while the sweep
 * has at most max_hosts addresses. At each scrape: xsweep_sweep_replies_total{verdict},
 * read from the pinned stats map (the last round's counters on the libpcap path).
 */
#ifndef XSWEEP_SWEEP_METRICS_H
#define XSWEEP_SWEEP_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "scan/engine.h"

struct xs_sweep_metrics;

/* Bind listen and serve. 0 or -errno (one line printed). */
int xs_sweep_metrics_open(struct xs_sweep_metrics **m, const char *listen, unsigned max_hosts);
void xs_sweep_metrics_round_begin(struct xs_sweep_metrics *m, unsigned round);
/* Each address of the round once: up when it answered (on any port), rtt_ns its
 * (lowest) RTT; was_up its state in the previous round, -1 when unknown. */
void xs_sweep_metrics_host(struct xs_sweep_metrics *m, const struct xs_ip *ip, bool up,
			   uint64_t rtt_ns, int was_up);
void xs_sweep_metrics_round_end(struct xs_sweep_metrics *m, const struct xs_round_summary *s);
/* Stop serving and free; NULL is fine. */
void xs_sweep_metrics_close(struct xs_sweep_metrics *m);

#endif
