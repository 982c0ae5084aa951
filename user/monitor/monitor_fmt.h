/* monitor_fmt.h - what `xsweep monitor` shows, independent of where counts come from.
 *
 * Both paths (XDP maps, libpcap tables) fill a struct xs_mon_view with host and port
 * records in any order; xs_mon_view_finish() sorts hosts by address (numerically, IPv4
 * before IPv6) and attaches each host's ports (ascending). Then text or JSON output.
 */
#ifndef XSWEEP_MONITOR_FMT_H
#define XSWEEP_MONITOR_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "xsweep.h"

struct xs_mon_host_view {
	struct xs_ip addr;
	struct xs_mon_host v;		/* zero when the host entry was evicted but ports remain
					 * (ports-map entries: the ports beyond the inline slots) */
	const struct xs_mon_port_key *ports;	/* slice of view->ports, sorted by port */
	size_t nports;
};

struct xs_mon_view {
	struct xs_mon_host_view *hosts;
	size_t nhosts, hosts_cap;
	struct xs_mon_port_key *ports;
	size_t nports, ports_cap;
	struct xs_mon_totals totals;
	uint64_t hosts_evicted, ports_evicted;
	uint64_t dropped;		/* frames the capture path lost (libpcap's counters) */
	int64_t wall_offset_ns;		/* add to first_ns/last_ns for wall-clock time */
	const char *ifname;
	const char *path;		/* "xdp" or "pcap" */
	uint16_t max_port;
};

void xs_mon_view_reset(struct xs_mon_view *v);	/* drop records, keep buffers */
void xs_mon_view_free(struct xs_mon_view *v);
/* A host record, and a port record for each of its used inline port slots. */
int xs_mon_view_add_host(struct xs_mon_view *v, const struct xs_ip *a,
			 const struct xs_mon_host *h);
int xs_mon_view_add_port(struct xs_mon_view *v, const struct xs_mon_port_key *k);
/* Sort, merge ports into hosts, add hosts known only from ports. 0 or -ENOMEM. */
int xs_mon_view_finish(struct xs_mon_view *v);

int xs_mon_addr_cmp(const struct xs_ip *a, const struct xs_ip *b);
char *xs_mon_addr_str(const struct xs_ip *a, char *buf, size_t len);

/* The lab's table: "198.18.0.7 (22, 80, 443)" per host; verbose adds packets, bytes,
 * first/last seen and a totals line. An evictions line appears whenever maps were full.
 */
void xs_mon_print_text(FILE *out, const struct xs_mon_view *v, bool verbose);
/* One JSON document on one line. */
int xs_mon_print_json(FILE *out, const struct xs_mon_view *v, uint64_t now_wall_ns);

#endif
