/* monitor_pcap.c - libpcap live capture feeding userspace LRU tables for `xsweep monitor`.
 *
 * Kept apart from libbpf code: <pcap/pcap.h> and <linux/bpf.h> both define struct bpf_insn.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "monitor/monitor_fmt.h"
#include "monitor_parse.h"
#include "monitor/monitor_pcap.h"
#include "monitor/monitor_table.h"
#include "util/pcap_live.h"

struct xs_mon_pcap {
	pcap_t *pc;
	uint16_t max_port;
	struct xs_lru *hosts, *ports;
	struct xs_mon_totals totals;
};

struct xs_mon_pcap *xs_mon_pcap_new_offline(uint16_t max_port, size_t max_hosts, size_t max_ports)
{
	struct xs_mon_pcap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->max_port = max_port;
	m->hosts = xs_lru_new(sizeof(struct xs_ip), sizeof(struct xs_mon_host), max_hosts);
	m->ports = xs_lru_new(sizeof(struct xs_mon_port_key), sizeof(struct xs_mon_port), max_ports);
	if (!m->hosts || !m->ports) {
		xs_mon_pcap_close(m);
		return NULL;
	}
	return m;
}

struct xs_mon_pcap *xs_mon_pcap_open(const char *ifname, uint16_t max_port, size_t max_hosts,
				     size_t max_ports, char *err, size_t errlen)
{
	/* Headers are all the parser reads: a short snaplen keeps copies small. Immediate
	 * mode gives each packet a fixed slot: 16 MiB holds ~50k of them, about a quarter
	 * second at the rates the lab reaches, instead of libpcap's 2 MiB default. Inbound
	 * only: what an XDP program sees. */
	const struct xs_pcap_live_opts po = {
		.snaplen = 256, .bufsize = 16 << 20, .immediate = true, .inbound_only = true,
		.nonblock = true,
	};
	struct xs_mon_pcap *m;

	m = xs_mon_pcap_new_offline(max_port, max_hosts, max_ports);
	if (!m) {
		snprintf(err, errlen, "out of memory for %zu hosts / %zu ports", max_hosts, max_ports);
		return NULL;
	}
	m->pc = xs_pcap_live_open(ifname, &po, err, errlen);
	if (!m->pc) {
		xs_mon_pcap_close(m);
		return NULL;
	}
	return m;
}

int xs_mon_pcap_fd(struct xs_mon_pcap *m)
{
	return pcap_get_selectable_fd(m->pc);
}

void xs_mon_pcap_count(struct xs_mon_pcap *m, const uint8_t *data, uint32_t caplen,
		       uint32_t len, uint64_t ts_ns)
{
	struct xs_mon_totals *t = &m->totals;
	struct xs_mon_pkt p;
	int created;

	t->packets++;
	t->bytes += len;
	if (!xs_mon_count_totals(t, xs_mon_parse(data, data + caplen, &p), &p))
		return;

	struct xs_mon_host *h = xs_lru_get(m->hosts, &p.src, &created);

	if (h) {
		if (created)
			h->first_ns = ts_ns;
		h->packets++;
		h->bytes += len;
		h->last_ns = ts_ns;
	}
	/* The host's first XS_MON_HOST_PORTS ports in its entry, further ones in the ports
	 * table, with the XDP program's own helper. */
	if (p.has_sport && p.sport <= m->max_port && !(h && xs_mon_host_port_add(h, p.sport, ts_ns))) {
		struct xs_mon_port_key k = { .src = p.src, .port = p.sport };
		struct xs_mon_port *v = xs_lru_get(m->ports, &k, &created);

		if (v) {
			v->packets++;
			v->last_ns = ts_ns;
		}
	}
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec * 1000ull;

	xs_mon_pcap_count((struct xs_mon_pcap *)user, bytes, h->caplen, h->len, ts);
}

int xs_mon_pcap_dispatch(struct xs_mon_pcap *m, char *err, size_t errlen)
{
	int n = pcap_dispatch(m->pc, -1, on_packet, (u_char *)m);

	if (n == PCAP_ERROR) {
		snprintf(err, errlen, "%s", pcap_geterr(m->pc));
		return -EIO;
	}
	return n < 0 ? 0 : n;
}

struct snap_ctx {
	struct xs_mon_view *view;
	int err;
};

static void add_host(const void *key, const void *val, void *arg)
{
	struct snap_ctx *c = arg;

	if (xs_mon_view_add_host(c->view, key, val))
		c->err = -ENOMEM;
}

static void add_port(const void *key, const void *val, void *arg)
{
	struct snap_ctx *c = arg;

	(void)val;
	if (xs_mon_view_add_port(c->view, key))
		c->err = -ENOMEM;
}

int xs_mon_pcap_snapshot(struct xs_mon_pcap *m, struct xs_mon_view *view)
{
	struct snap_ctx c = { .view = view };

	xs_mon_view_reset(view);
	xs_lru_foreach(m->hosts, add_host, &c);
	xs_lru_foreach(m->ports, add_port, &c);
	view->totals = m->totals;
	view->totals.host_inserts = xs_lru_inserts(m->hosts);
	view->totals.port_inserts = xs_lru_inserts(m->ports);
	view->hosts_evicted = xs_lru_inserts(m->hosts) - xs_lru_count(m->hosts);
	view->ports_evicted = xs_lru_inserts(m->ports) - xs_lru_count(m->ports);
	view->wall_offset_ns = 0;	/* pcap timestamps are wall-clock already */
	view->path = "pcap";
	if (m->pc) {
		struct pcap_stat ps;

		if (!pcap_stats(m->pc, &ps))
			view->dropped = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
	}
	if (c.err)
		return c.err;
	return xs_mon_view_finish(view);
}

void xs_mon_pcap_close(struct xs_mon_pcap *m)
{
	if (!m)
		return;
	if (m->pc)
		pcap_close(m->pc);
	xs_lru_free(m->hosts);
	xs_lru_free(m->ports);
	free(m);
}
