/* monitor_metrics.h - Prometheus metrics of `xsweep monitor --metrics-listen ADDR:PORT`,
 * served by util/metrics.c, updated from each interval's view (monitor_fmt.h):
 *
 *   xsweep_monitor_packets_total, xsweep_monitor_bytes_total      every frame seen
 *   xsweep_monitor_network_packets_total{protocol="ipv4|ipv6|non_ip"}
 *   xsweep_monitor_transport_packets_total{protocol="tcp|udp|icmp|other"}
 *   xsweep_monitor_malformed_packets_total, xsweep_monitor_fragments_total
 *   xsweep_monitor_evictions_total{map="hosts|ports"}               LRU maps full
 *   xsweep_monitor_capture_dropped_packets_total                   libpcap's drops
 *   xsweep_monitor_hosts                                           sources in the table
 *   xsweep_monitor_host_packets_total{addr}, xsweep_monitor_host_bytes_total{addr}
 *	for the top max_hosts sources by packets
 */
#ifndef XSWEEP_MONITOR_METRICS_H
#define XSWEEP_MONITOR_METRICS_H

#include "monitor/monitor_fmt.h"

struct xs_mon_metrics;

/* Bind listen and serve. 0 or -errno (one line printed). */
int xs_mon_metrics_open(struct xs_mon_metrics **m, const char *listen, unsigned max_hosts);
/* The numbers of a finished view (xs_mon_view_finish); served until the next update. */
void xs_mon_metrics_update(struct xs_mon_metrics *m, const struct xs_mon_view *v);
/* Stop serving and free; NULL is fine. */
void xs_mon_metrics_close(struct xs_mon_metrics *m);

#endif
