/* monitor_pcap.h - the libpcap path of `xsweep monitor`: counts in userspace.
 *
 * Same parser as the XDP program (include/monitor_parse.h), same limits (max_port,
 * LRU-bounded tables of max_hosts / max_ports entries, evictions counted), same view.
 * Ingress only, like XDP. Free of libbpf headers, usable from monitor.c.
 */
#ifndef XSWEEP_MONITOR_PCAP_H
#define XSWEEP_MONITOR_PCAP_H

#include <stddef.h>
#include <stdint.h>

struct xs_mon_view;
struct xs_mon_pcap;

struct xs_mon_pcap *xs_mon_pcap_open(const char *ifname, uint16_t max_port, size_t max_hosts,
				     size_t max_ports, char *err, size_t errlen);
/* Selectable fd: poll it, then call dispatch. */
int xs_mon_pcap_fd(struct xs_mon_pcap *m);
/* Count every packet available now; returns the number processed or -EIO (err says
 * why). */
int xs_mon_pcap_dispatch(struct xs_mon_pcap *m, char *err, size_t errlen);
/* Count one frame (also used by the unit tests). ts_ns is wall-clock time. */
void xs_mon_pcap_count(struct xs_mon_pcap *m, const uint8_t *data, uint32_t caplen,
		       uint32_t len, uint64_t ts_ns);
/* Fill view (reset first) with the current tables. */
int xs_mon_pcap_snapshot(struct xs_mon_pcap *m, struct xs_mon_view *view);
/* Without a live handle: a counter only (for tests). */
struct xs_mon_pcap *xs_mon_pcap_new_offline(uint16_t max_port, size_t max_hosts, size_t max_ports);
void xs_mon_pcap_close(struct xs_mon_pcap *m);

#endif
