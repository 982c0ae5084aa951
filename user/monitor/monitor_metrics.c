/* monitor_metrics.c - the monitor's Prometheus metrics (see monitor_metrics.h). The
 * monitor's loop builds the text from each view and swaps it in under the lock; the
 * server's thread serves the last one.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "monitor/monitor_metrics.h"
#include "util/log.h"
#include "util/metrics.h"

struct xs_mon_metrics {
	struct xs_metrics *srv;
	unsigned max_hosts;
	pthread_mutex_t lock;
	struct xs_prom text;		/* under lock */
};

static void collect(void *ctx, struct xs_prom *p)
{
	struct xs_mon_metrics *m = ctx;

	pthread_mutex_lock(&m->lock);
	xs_prom_append(p, m->text.buf, m->text.len);
	pthread_mutex_unlock(&m->lock);
}

int xs_mon_metrics_open(struct xs_mon_metrics **out, const char *listen, unsigned max_hosts)
{
	struct xs_mon_metrics *m = calloc(1, sizeof(*m));
	int err;

	if (!m) {
		pr_warn("metrics: out of memory");
		return -ENOMEM;
	}
	m->max_hosts = max_hosts;
	pthread_mutex_init(&m->lock, NULL);
	if ((err = xs_metrics_start(&m->srv, listen, collect, m))) {
		xs_mon_metrics_close(m);
		return err;
	}
	*out = m;
	return 0;
}

static void counter(struct xs_prom *p, const char *name, const char *help, uint64_t v)
{
	xs_prom_family(p, name, "counter", help);
	xs_prom_u64(p, name, NULL, v);
}

static void totals(struct xs_prom *p, const struct xs_mon_view *v)
{
	const struct xs_mon_totals *t = &v->totals;
	const char *net = "xsweep_monitor_network_packets_total";
	const char *l4 = "xsweep_monitor_transport_packets_total";

	counter(p, "xsweep_monitor_packets_total", "Frames seen on the interface.", t->packets);
	counter(p, "xsweep_monitor_bytes_total", "Bytes of the frames seen (L2 header included).",
		t->bytes);
	xs_prom_family(p, net, "counter", "Frames by network protocol.");
	xs_prom_u64(p, net, "protocol=\"ipv4\"", t->ipv4);
	xs_prom_u64(p, net, "protocol=\"ipv6\"", t->ipv6);
	xs_prom_u64(p, net, "protocol=\"non_ip\"", t->non_ip);
	xs_prom_family(p, l4, "counter", "IP packets by transport protocol (ICMP and ICMPv6 "
		       "are icmp).");
	xs_prom_u64(p, l4, "protocol=\"tcp\"", t->tcp);
	xs_prom_u64(p, l4, "protocol=\"udp\"", t->udp);
	xs_prom_u64(p, l4, "protocol=\"icmp\"", t->icmp);
	xs_prom_u64(p, l4, "protocol=\"other\"", t->other_l4);
	counter(p, "xsweep_monitor_malformed_packets_total",
		"Frames with truncated or invalid headers.", t->malformed);
	counter(p, "xsweep_monitor_fragments_total",
		"Non-first IP fragments (no transport header to read).", t->fragments);
	xs_prom_family(p, "xsweep_monitor_evictions_total", "counter",
		       "Entries the full LRU maps evicted to make room.");
	xs_prom_u64(p, "xsweep_monitor_evictions_total", "map=\"hosts\"", v->hosts_evicted);
	xs_prom_u64(p, "xsweep_monitor_evictions_total", "map=\"ports\"", v->ports_evicted);
	counter(p, "xsweep_monitor_capture_dropped_packets_total",
		"Frames the capture path lost (libpcap; 0 on the XDP path).", v->dropped);
	xs_prom_family(p, "xsweep_monitor_hosts", "gauge", "Source addresses in the table.");
	xs_prom_u64(p, "xsweep_monitor_hosts", NULL, v->nhosts);
}

static int by_packets(const void *a, const void *b)
{
	const struct xs_mon_host_view *x = *(const struct xs_mon_host_view *const *)a;
	const struct xs_mon_host_view *y = *(const struct xs_mon_host_view *const *)b;

	if (x->v.packets != y->v.packets)
		return x->v.packets > y->v.packets ? -1 : 1;
	return xs_mon_addr_cmp(&x->addr, &y->addr);
}

/* Packets and bytes of the top max_hosts sources by packets. 0 or -ENOMEM. */
static int top_hosts(struct xs_prom *p, const struct xs_mon_view *v, unsigned max)
{
	size_t n = v->nhosts < max ? v->nhosts : max;
	const struct xs_mon_host_view **top;
	char a[64], lbl[96];

	if (!n)
		return 0;
	if (!(top = malloc(v->nhosts * sizeof(*top))))
		return -ENOMEM;
	for (size_t i = 0; i < v->nhosts; i++)
		top[i] = &v->hosts[i];
	qsort(top, v->nhosts, sizeof(*top), by_packets);
	xs_prom_family(p, "xsweep_monitor_host_packets_total", "counter",
		       "Packets from the source address (the top sources by packets).");
	for (size_t i = 0; i < n; i++)
		xs_prom_u64(p, "xsweep_monitor_host_packets_total",
			    xs_prom_label(lbl, sizeof(lbl), "addr",
					  xs_mon_addr_str(&top[i]->addr, a, sizeof(a))),
			    top[i]->v.packets);
	xs_prom_family(p, "xsweep_monitor_host_bytes_total", "counter",
		       "Bytes from the source address (the same sources).");
	for (size_t i = 0; i < n; i++)
		xs_prom_u64(p, "xsweep_monitor_host_bytes_total",
			    xs_prom_label(lbl, sizeof(lbl), "addr",
					  xs_mon_addr_str(&top[i]->addr, a, sizeof(a))),
			    top[i]->v.bytes);
	free(top);
	return 0;
}

void xs_mon_metrics_update(struct xs_mon_metrics *m, const struct xs_mon_view *v)
{
	struct xs_prom p = { 0 };

	totals(&p, v);
	if (top_hosts(&p, v, m->max_hosts) || p.oom) {
		pr_warn("metrics: out of memory; serving the previous numbers");
		xs_prom_free(&p);
		return;
	}
	pthread_mutex_lock(&m->lock);
	xs_prom_free(&m->text);
	m->text = p;
	pthread_mutex_unlock(&m->lock);
}

void xs_mon_metrics_close(struct xs_mon_metrics *m)
{
	if (!m)
		return;
	xs_metrics_stop(m->srv);
	xs_prom_free(&m->text);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
