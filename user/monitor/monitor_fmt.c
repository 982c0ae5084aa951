/* monitor_fmt.c - sorting and printing the monitor table (text like the lab's, JSON). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "util/clock.h"
#include "monitor/monitor_fmt.h"

void xs_mon_view_reset(struct xs_mon_view *v)
{
	v->nhosts = 0;
	v->nports = 0;
	memset(&v->totals, 0, sizeof(v->totals));
	v->hosts_evicted = v->ports_evicted = 0;
	v->dropped = 0;
}

void xs_mon_view_free(struct xs_mon_view *v)
{
	free(v->hosts);
	free(v->ports);
	v->hosts = NULL;
	v->ports = NULL;
	v->nhosts = v->hosts_cap = v->nports = v->ports_cap = 0;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int xs_mon_view_add_host(struct xs_mon_view *v, const struct xs_ip *a,
			 const struct xs_mon_host *h)
{
	struct xs_mon_host_view *hv;

	if (grow((void **)&v->hosts, &v->hosts_cap, v->nhosts + 1, sizeof(*v->hosts)))
		return -ENOMEM;
	hv = &v->hosts[v->nhosts++];
	memset(hv, 0, sizeof(*hv));
	hv->addr = *a;
	hv->v = *h;
	/* The host's first ports are counted in its own entry (XS_MON_HOST_PORTS slots). */
	for (size_t i = 0; i < XS_MON_HOST_PORTS; i++) {
		struct xs_mon_port_key k = { .src = *a, .port = h->ports[i].port };

		if (h->ports[i].used && xs_mon_view_add_port(v, &k))
			return -ENOMEM;
	}
	return 0;
}

int xs_mon_view_add_port(struct xs_mon_view *v, const struct xs_mon_port_key *k)
{
	if (grow((void **)&v->ports, &v->ports_cap, v->nports + 1, sizeof(*v->ports)))
		return -ENOMEM;
	v->ports[v->nports++] = *k;
	return 0;
}

int xs_mon_addr_cmp(const struct xs_ip *a, const struct xs_ip *b)
{
	/* Family first (4 before 6), then the address bytes: network order sorts numerically. */
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, a->family == XS_AF_INET ? 4 : 16);
}

static int cmp_host(const void *x, const void *y)
{
	return xs_mon_addr_cmp(&((const struct xs_mon_host_view *)x)->addr,
			       &((const struct xs_mon_host_view *)y)->addr);
}

static int cmp_port(const void *x, const void *y)
{
	const struct xs_mon_port_key *a = x, *b = y;
	int c = xs_mon_addr_cmp(&a->src, &b->src);

	if (c)
		return c;
	return (a->port > b->port) - (a->port < b->port);
}

int xs_mon_view_finish(struct xs_mon_view *v)
{
	static const struct xs_mon_host zero;
	size_t nh, i, j;
	int c;

	/* qsort's array may not be NULL, even when empty. */
	if (v->nports)
		qsort(v->ports, v->nports, sizeof(*v->ports), cmp_port);
	if (v->nhosts)
		qsort(v->hosts, v->nhosts, sizeof(*v->hosts), cmp_host);
	/* A map walked while it changes can yield a key twice: keep one. */
	for (i = j = 0; i < v->nports; i++)
		if (!j || cmp_port(&v->ports[j - 1], &v->ports[i]))
			v->ports[j++] = v->ports[i];
	v->nports = j;
	for (i = j = 0; i < v->nhosts; i++)
		if (!j || cmp_host(&v->hosts[j - 1], &v->hosts[i]))
			v->hosts[j++] = v->hosts[i];
	v->nhosts = j;
	/* Ports whose host entry was evicted still deserve a line: add the host. */
	nh = v->nhosts;
	for (i = 0, j = 0; j < v->nports;) {
		c = i < nh ? xs_mon_addr_cmp(&v->hosts[i].addr, &v->ports[j].src) : 1;
		if (c < 0) {
			i++;
		} else if (c == 0) {
			while (j < v->nports && !xs_mon_addr_cmp(&v->ports[j].src, &v->hosts[i].addr))
				j++;
			i++;
		} else {
			if (xs_mon_view_add_host(v, &v->ports[j].src, &zero))
				return -ENOMEM;
			while (j + 1 < v->nports && !xs_mon_addr_cmp(&v->ports[j + 1].src, &v->ports[j].src))
				j++;
			j++;
		}
	}
	if (v->nhosts != nh)
		qsort(v->hosts, v->nhosts, sizeof(*v->hosts), cmp_host);
	/* Both sorted: hand each host its slice of ports. */
	for (i = 0, j = 0; i < v->nhosts; i++) {
		struct xs_mon_host_view *h = &v->hosts[i];

		while (j < v->nports && xs_mon_addr_cmp(&v->ports[j].src, &h->addr) < 0)
			j++;
		h->ports = v->ports ? v->ports + j : NULL;
		h->nports = 0;
		while (j < v->nports && !xs_mon_addr_cmp(&v->ports[j].src, &h->addr)) {
			j++;
			h->nports++;
		}
	}
	return 0;
}

char *xs_mon_addr_str(const struct xs_ip *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == XS_AF_INET ? AF_INET : AF_INET6, a->addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

/* "ADDR" or "ADDR (p1, p2, ...)"; returns the length written (snprintf semantics). */
static int host_label(const struct xs_mon_host_view *h, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	size_t n;

	n = snprintf(buf, len, "%s", xs_mon_addr_str(&h->addr, addr, sizeof(addr)));
	for (size_t i = 0; i < h->nports && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%u", i ? ", " : " (", h->ports[i].port);
	if (h->nports && n < len)
		n += snprintf(buf + n, len - n, ")");
	return (int)n;
}

void xs_mon_print_text(FILE *out, const struct xs_mon_view *v, bool verbose)
{
	size_t i, width = 0, cap = 64;
	char *label;
	char t1[32], t2[32];

	/* A host can have max_port + 1 ports of up to 7 chars each. */
	cap += (size_t)(v->max_port + 1) * 7;
	label = malloc(cap);
	if (!label)
		return;
	if (verbose) {
		for (i = 0; i < v->nhosts; i++) {
			size_t w = host_label(&v->hosts[i], label, cap);

			if (w > width)
				width = w;
		}
		if (width < 7)
			width = 7;
		fprintf(out, "%-*s %10s %12s %-12s %s\n", (int)width, "ADDRESS (PORTS)", "PACKETS",
			"BYTES", "FIRST SEEN", "LAST SEEN");
	}
	for (i = 0; i < v->nhosts; i++) {
		const struct xs_mon_host_view *h = &v->hosts[i];

		host_label(h, label, cap);
		if (!verbose) {
			fprintf(out, "%s\n", label);
			continue;
		}
		if (h->v.packets)
			fprintf(out, "%-*s %10llu %12llu %-12s %s\n", (int)width, label,
				(unsigned long long)h->v.packets, (unsigned long long)h->v.bytes,
				xs_fmt_clock(h->v.first_ns + v->wall_offset_ns, 3, t1, sizeof(t1)),
				xs_fmt_clock(h->v.last_ns + v->wall_offset_ns, 3, t2, sizeof(t2)));
		else
			fprintf(out, "%-*s %10s %12s %s\n", (int)width, label, "-", "-", "(evicted)");
	}
	free(label);
	if (verbose) {
		const struct xs_mon_totals *t = &v->totals;

		fprintf(out, "totals (%s on %s): %llu packets, %llu bytes; ipv4 %llu, ipv6 %llu, "
			"tcp %llu, udp %llu, icmp %llu, other %llu, non-ip %llu, malformed %llu, "
			"fragments %llu\n", v->path, v->ifname ? v->ifname : "?",
			(unsigned long long)t->packets, (unsigned long long)t->bytes,
			(unsigned long long)t->ipv4, (unsigned long long)t->ipv6,
			(unsigned long long)t->tcp, (unsigned long long)t->udp,
			(unsigned long long)t->icmp, (unsigned long long)t->other_l4,
			(unsigned long long)t->non_ip, (unsigned long long)t->malformed,
			(unsigned long long)t->fragments);
	}
	if (verbose || v->hosts_evicted || v->ports_evicted)
		fprintf(out, "evicted (maps full): %llu hosts, %llu ports\n",
			(unsigned long long)v->hosts_evicted, (unsigned long long)v->ports_evicted);
	/* Nothing lost silently: libpcap's drops are shown whenever there are any. */
	if (v->dropped)
		fprintf(out, "dropped (not counted, capture buffer full): %llu packets\n",
			(unsigned long long)v->dropped);
}

static struct json_object *u64(uint64_t x)
{
	return json_object_new_uint64(x);
}

int xs_mon_print_json(FILE *out, const struct xs_mon_view *v, uint64_t now_wall_ns)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *hosts = json_object_new_array();
	struct json_object *tot = json_object_new_object();
	struct json_object *ev = json_object_new_object();
	const struct xs_mon_totals *t = &v->totals;
	char addr[INET6_ADDRSTRLEN], ts[40];

	json_object_object_add(doc, "interface", json_object_new_string(v->ifname ? v->ifname : ""));
	json_object_object_add(doc, "path", json_object_new_string(v->path ? v->path : ""));
	json_object_object_add(doc, "timestamp",
			       json_object_new_string(xs_fmt_timestamp(now_wall_ns, ts, sizeof(ts))));
	json_object_object_add(doc, "max_port", json_object_new_int(v->max_port));
	for (size_t i = 0; i < v->nhosts; i++) {
		const struct xs_mon_host_view *h = &v->hosts[i];
		struct json_object *o = json_object_new_object();
		struct json_object *ports = json_object_new_array();

		json_object_object_add(o, "address",
				       json_object_new_string(xs_mon_addr_str(&h->addr, addr, sizeof(addr))));
		for (size_t j = 0; j < h->nports; j++)
			json_object_array_add(ports, json_object_new_int(h->ports[j].port));
		json_object_object_add(o, "ports", ports);
		json_object_object_add(o, "packets", u64(h->v.packets));
		json_object_object_add(o, "bytes", u64(h->v.bytes));
		if (h->v.packets) {
			xs_fmt_timestamp(h->v.first_ns + v->wall_offset_ns, ts, sizeof(ts));
			json_object_object_add(o, "first_seen", json_object_new_string(ts));
			xs_fmt_timestamp(h->v.last_ns + v->wall_offset_ns, ts, sizeof(ts));
			json_object_object_add(o, "last_seen", json_object_new_string(ts));
		}
		json_object_array_add(hosts, o);
	}
	json_object_object_add(doc, "hosts", hosts);
	json_object_object_add(tot, "packets", u64(t->packets));
	json_object_object_add(tot, "bytes", u64(t->bytes));
	json_object_object_add(tot, "ipv4", u64(t->ipv4));
	json_object_object_add(tot, "ipv6", u64(t->ipv6));
	json_object_object_add(tot, "tcp", u64(t->tcp));
	json_object_object_add(tot, "udp", u64(t->udp));
	json_object_object_add(tot, "icmp", u64(t->icmp));
	json_object_object_add(tot, "other_l4", u64(t->other_l4));
	json_object_object_add(tot, "non_ip", u64(t->non_ip));
	json_object_object_add(tot, "malformed", u64(t->malformed));
	json_object_object_add(tot, "fragments", u64(t->fragments));
	json_object_object_add(doc, "totals", tot);
	json_object_object_add(ev, "hosts", u64(v->hosts_evicted));
	json_object_object_add(ev, "ports", u64(v->ports_evicted));
	json_object_object_add(doc, "evicted", ev);
	json_object_object_add(doc, "dropped", u64(v->dropped));
	fprintf(out, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
	json_object_put(doc);
	return 0;
}
