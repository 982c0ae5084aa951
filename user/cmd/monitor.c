/* monitor.c - `xsweep monitor`: per source address, the TCP source ports it sent from.
 *
 * XDP path: bpf/monitor.bpf.c counts in LRU maps pinned under XS_MON_PIN_DIR; this file
 * loads it (skeleton), attaches it through a bpf_link, reads the maps every interval and
 * prints the lab's table. libpcap path (--capture pcap, or auto when XDP cannot attach):
 * user/monitor/monitor_pcap.c counts the same way in userspace. Output: user/monitor_fmt.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cmd/commands.h"
#include "util/log.h"
#include "util/clock.h"
#include "util/mc_util.h"
#include "util/metrics.h"
#include "util/opts.h"
#include "util/owner.h"
#include "util/privs.h"
#include "util/percpu.h"
#include "monitor/monitor_fmt.h"
#include "monitor/monitor_metrics.h"
#include "monitor/monitor_pcap.h"
#include "net/xdp_attach.h"
#include "xsweep.h"
#include "monitor.skel.h"

_Static_assert(sizeof(struct xs_ip) == 20, "xs_mon_addr layout");
_Static_assert(sizeof(struct xs_mon_host_port) == 24, "xs_mon_host_port layout");
_Static_assert(sizeof(struct xs_mon_host) == 32 + 24 * XS_MON_HOST_PORTS, "xs_mon_host layout");
_Static_assert(sizeof(struct xs_mon_port_key) == 24, "xs_mon_port_key layout");
_Static_assert(sizeof(struct xs_mon_port) == 16, "xs_mon_port layout");
_Static_assert(sizeof(struct xs_mon_totals) == 14 * 8, "xs_mon_totals layout");

enum { MON_OUT_TEXT, MON_OUT_JSON };

struct mon_opts {
	const char *ifname;
	unsigned max_port, max_hosts, max_ports;
	const char *metrics_listen;	/* --metrics-listen ADDR:PORT */
	unsigned metrics_hosts;
	double interval_s, duration_s;
	bool once, keep_maps;
	int output;		/* MON_OUT_* */
	int path;		/* enum xs_mc_path */
	int xdp_mode;		/* enum xs_xdp_mode */
};

static const struct xs_opt_choice outputs[] = {
	{ "text", MON_OUT_TEXT }, { "json", MON_OUT_JSON }, { NULL },
};

/* --metrics-listen: checked here, bound before the capture starts. */
static int opt_metrics_listen(void *obj, const char *arg, char *err, size_t len)
{
	struct mon_opts *o = obj;
	struct sockaddr_storage ss;
	socklen_t sslen;

	if (xs_metrics_parse_listen(arg, &ss, &sslen, err, len))
		return -EINVAL;
	o->metrics_listen = arg;
	return 0;
}

#define O struct mon_opts
static const struct xs_opt mon_table[] = {
	XS_STR("interface", 'i', O, ifname, "IFACE",
	       "interface (default: the first one up, not loopback)"),
	XS_UINT("max-port", 0, O, max_port, "N", 0, 65535,
		"highest source port recorded (default 1000)"),
	XS_DUR("interval", 0, O, interval_s, "D", "refresh period (default 1s; D like 500ms, "
	       "2s, 1m)", .min = 1),
	XS_FLAG("once", 0, O, once, "print one table after one interval and exit"),
	XS_DUR("duration", 0, O, duration_s, "D", "run for D, then print the final table",
	       .min = 1),
	XS_ENUM("output", 'O', O, output, "FMT", outputs,
		"text (default) or json (one document per interval)"),
	XS_ENUM("capture", 0, O, path, "PATH", xs_mc_path_choices,
		"auto (XDP, else libpcap with a notice), xdp, pcap"),
	XS_ENUM("xdp-mode", 0, O, xdp_mode, "MODE", xs_xdp_mode_choices,
		"auto (native, else generic), native, generic"),
	XS_UINT("max-hosts", 0, O, max_hosts, "N", 1, 1u << 24,
		"hosts map size (default 65536); LRU: evictions are shown"),
	XS_UINT("max-ports", 0, O, max_ports, "N", 1, 1u << 24,
		"(host, port) map size, for ports beyond a host's first 3, which its hosts entry "
		"counts (default 262144)"),
	XS_FLAG("keep-maps", 0, O, keep_maps, "leave the pinned maps in place at exit"),
	XS_FUNC("metrics-listen", 0, opt_metrics_listen, "ADDR:PORT",
		"serve Prometheus metrics on http://ADDR:PORT/metrics, updated every interval "
		"([ADDR]:PORT for IPv6; PORT alone binds 127.0.0.1)"),
	XS_UINT("metrics-hosts", 0, O, metrics_hosts, "N", 0, 1u << 24,
		"per-source packet and byte series for the top N sources (default 256)"),
	XS_OPTS_END
};
#undef O

static const struct xs_cmd_opts mon_cmd = {
	.cmd = "monitor",
	.usage = "xsweep monitor [-i IFACE] [--max-port N] [--interval D] [--once|--duration D]\n"
		 "                      [-O text|json] [--capture auto|xdp|pcap] [OPTIONS]",
	.about = "Show, for every source IP seen on IFACE, the TCP source ports (<= --max-port) it sent\n"
		 "from: '198.18.0.7 (22, 80, 443)', sorted by address (IPv4 first). Counted in the kernel\n"
		 "by an XDP program (ingress, always XDP_PASS) in LRU maps pinned under\n"
		 XS_MON_PIN_DIR "/ (bpftool map dump pinned " XS_MON_PIN_DIR "/hosts).",
	.verbose_help = "extra columns: packets, bytes, first/last seen; totals",
	.footer = "On a terminal the table is redrawn every interval; on a pipe, or with --once or\n"
		  "--duration, one final table is printed. SIGINT/SIGTERM stop cleanly (final table,\n"
		  "program detached, pins removed). An interface that already has an XDP program (a\n"
		  "running 'xsweep sweep', say) is never taken over: auto falls back to libpcap.",
	.opts = mon_table,
	.max_args = 0,
};

void usage_monitor(FILE *out)
{
	xs_opts_usage(out, &mon_cmd);
}

static int parse_opts(int argc, char **argv, struct mon_opts *o)
{
	int rc = xs_opts_parse(&mon_cmd, o, argc, argv);

	if (rc != XS_CONTINUE)
		return rc;
	if (o->once && o->duration_s > 0) {
		pr_warn("monitor: --once and --duration exclude each other");
		return XS_EXIT_ERROR;
	}
	return XS_CONTINUE;
}

/* Is a map pinned at path still used by a loaded program (another monitor's)? */
static bool pin_in_use(const char *path)
{
	struct bpf_map_info minfo = {};
	__u32 len = sizeof(minfo), id = 0;
	bool used = false;
	int fd;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	if (bpf_obj_get_info_by_fd(fd, &minfo, &len)) {
		close(fd);
		return false;
	}
	close(fd);
	while (!used && !bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info pinfo = {};
		__u32 map_ids[16], plen = sizeof(pinfo);
		int pfd = bpf_prog_get_fd_by_id(id);

		if (pfd < 0)
			continue;
		pinfo.nr_map_ids = 16;
		pinfo.map_ids = (__u64)(unsigned long)map_ids;
		if (!bpf_obj_get_info_by_fd(pfd, &pinfo, &plen))
			for (__u32 i = 0; i < pinfo.nr_map_ids && i < 16; i++)
				if (map_ids[i] == minfo.id)
					used = true;
		close(pfd);
	}
	return used;
}

static int pin_maps(struct monitor_bpf *skel)
{
	int err;

	err = xs_pin_dir_reset(XS_MON_PIN_DIR);
	if (!err)
		err = xs_pin_map(skel->maps.hosts, XS_MON_PIN_DIR, "hosts");
	if (!err)
		err = xs_pin_map(skel->maps.ports, XS_MON_PIN_DIR, "ports");
	if (!err)
		err = xs_pin_map(skel->maps.totals, XS_MON_PIN_DIR, "totals");
	if (!err)
		err = xs_owner_pin(XS_MON_PIN_DIR);	/* stale pins after SIGKILL are told apart */
	return err;
}

/* Read the three maps into view. */
static int xdp_snapshot(struct monitor_bpf *skel, struct xs_mon_view *v)
{
	int hfd = bpf_map__fd(skel->maps.hosts), pfd = bpf_map__fd(skel->maps.ports);
	struct xs_mon_port_key pk, pnext;
	struct xs_ip hk, hnext;
	struct xs_mon_host h;
	struct xs_mon_port pv;
	void *prev;
	int err;

	xs_mon_view_reset(v);
	for (prev = NULL; !bpf_map_get_next_key(hfd, prev, &hnext); prev = &hk) {
		hk = hnext;
		if (!bpf_map_lookup_elem(hfd, &hk, &h) && xs_mon_view_add_host(v, &hk, &h))
			return -ENOMEM;
	}
	for (prev = NULL; !bpf_map_get_next_key(pfd, prev, &pnext); prev = &pk) {
		pk = pnext;
		if (!bpf_map_lookup_elem(pfd, &pk, &pv) && xs_mon_view_add_port(v, &pk))
			return -ENOMEM;
	}
	err = xs_percpu_sum(bpf_map__fd(skel->maps.totals), 0, &v->totals, sizeof(v->totals));
	if (err)
		return err;
	/* An LRU map evicts only to make room for an insert. */
	v->hosts_evicted = v->totals.host_inserts > v->nhosts ? v->totals.host_inserts - v->nhosts : 0;
	v->ports_evicted = v->totals.port_inserts > v->nports ? v->totals.port_inserts - v->nports : 0;
	return xs_mon_view_finish(v);
}

struct mon_run {
	struct mon_opts *o;
	struct monitor_bpf *skel;	/* XDP path */
	struct xs_xdp x;
	bool pinned;
	struct xs_mon_pcap *pc;		/* libpcap path */
	struct xs_mon_metrics *met;	/* --metrics-listen */
	struct xs_mon_view view;
	int64_t wall_offset;
	bool tty, drawn;
};

static int snapshot(struct mon_run *r)
{
	int err;

	if (r->pc) {
		err = xs_mon_pcap_snapshot(r->pc, &r->view);
	} else {
		err = xdp_snapshot(r->skel, &r->view);
		r->view.path = "xdp";
		r->view.wall_offset_ns = r->wall_offset;
	}
	r->view.ifname = r->o->ifname;
	r->view.max_port = (uint16_t)r->o->max_port;
	if (err)
		pr_warn("monitor: reading counters failed: %s", strerror(-err));
	else if (r->met)
		xs_mon_metrics_update(r->met, &r->view);
	return err;
}

static void show(struct mon_run *r, bool final)
{
	if (snapshot(r))
		return;
	if (r->o->output == MON_OUT_JSON) {
		xs_mon_print_json(stdout, &r->view, xs_wall_ns());
	} else if (r->tty) {
		/* Redraw in place, like the lab's clear-and-print. */
		if (!final || r->drawn)
			fputs("\033[H\033[J", stdout);
		xs_mon_print_text(stdout, &r->view, xs_verbosity > 0);
		r->drawn = true;
	} else if (final) {
		xs_mon_print_text(stdout, &r->view, xs_verbosity > 0);
	}
	fflush(stdout);
}

/* Tick every interval until the deadline or a signal; count pcap packets meanwhile.
 * 0 or -errno (reported). */
static int run_loop(struct mon_run *r)
{
	uint64_t ms = 1000000, start = xs_mono_ns();
	uint64_t interval = (uint64_t)(r->o->interval_s * 1e9), next = start + interval;
	uint64_t deadline = 0;
	struct pollfd pfd = { .fd = r->pc ? xs_mon_pcap_fd(r->pc) : -1, .events = POLLIN };
	char err[256];

	if (r->o->once)
		deadline = start + interval;
	else if (r->o->duration_s > 0)
		deadline = start + (uint64_t)(r->o->duration_s * 1e9);
	while (!xs_mc_stop) {
		uint64_t now = xs_mono_ns(), until;

		if (deadline && now >= deadline)
			break;
		if (now >= next) {
			/* The final table replaces the tick that falls on the deadline. */
			if (r->o->output == MON_OUT_JSON || r->tty)
				show(r, false);
			else if (r->met)
				snapshot(r);
			next += interval;
			continue;
		}
		until = deadline && deadline < next ? deadline : next;
		poll(pfd.fd >= 0 ? &pfd : NULL, pfd.fd >= 0, (int)((until - now + ms - 1) / ms));
		if (r->pc && xs_mon_pcap_dispatch(r->pc, err, sizeof(err)) < 0) {
			pr_warn("monitor: capture failed: %s", err);
			return -EIO;
		}
	}
	/* Count what arrived up to the stop. */
	if (r->pc)
		xs_mon_pcap_dispatch(r->pc, err, sizeof(err));
	show(r, true);
	return 0;
}

/* Pin the XDP path's maps, unless another running monitor holds the directory.
 * 0 or -errno (reported). */
static int pin_xdp_maps(struct mon_run *r)
{
	int err = xs_bpffs_ensure();

	if (!err && pin_in_use(XS_MON_PIN_DIR "/hosts")) {
		pr_warn("%s is in use by another running monitor; not pinning this one's maps",
			XS_MON_PIN_DIR);
		return 0;
	}
	if (!err)
		err = pin_maps(r->skel);
	if (err) {
		pr_warn("monitor: cannot pin maps under %s: %s", XS_MON_PIN_DIR, strerror(-err));
		return err;
	}
	r->pinned = true;
	pr_info("maps pinned under %s", XS_MON_PIN_DIR);
	return 0;
}

/* Load and attach the XDP program and pin its maps, or open libpcap: 0 or -errno
 * (reported). */
static int open_path(struct mon_run *r, int ifindex)
{
	const struct mon_opts *o = r->o;
	char ebuf[256];
	int err = 0;

	/* open -> size maps and set max_port (rodata) -> load -> attach (or fall back). */
	if (o->path != XS_MC_PCAP) {
		r->skel = monitor_bpf__open();
		if (!r->skel) {
			err = -errno;
		} else {
			r->skel->rodata->max_port = (__u16)o->max_port;
			bpf_map__set_max_entries(r->skel->maps.hosts, o->max_hosts);
			bpf_map__set_max_entries(r->skel->maps.ports, o->max_ports);
			err = monitor_bpf__load(r->skel);
		}
	}
	err = xs_mc_attach(r->skel ? r->skel->progs.xs_monitor : NULL, err, o->ifname, ifindex,
			   o->xdp_mode, o->path, &r->x);
	if (err < 0)
		return err;
	if (!err) {
		r->wall_offset = xs_mono_to_wall_offset();
		return pin_xdp_maps(r);
	}
	monitor_bpf__destroy(r->skel);
	r->skel = NULL;
	r->pc = xs_mon_pcap_open(o->ifname, (uint16_t)o->max_port, o->max_hosts, o->max_ports,
				 ebuf, sizeof(ebuf));
	if (!r->pc) {
		pr_warn("monitor: libpcap: %s", ebuf);
		return -EIO;
	}
	return 0;
}

int do_monitor(int argc, char **argv)
{
	struct mon_opts o = {
		.max_port = 1000, .max_hosts = 65536, .max_ports = 262144, .interval_s = 1,
		.metrics_hosts = 256,
	};
	struct mon_run r = { .o = &o, .x = XS_XDP_INIT };
	int ifindex, rc;

	if (xs_privs_refuse_setuid("monitor"))
		return XS_EXIT_ERROR;
	rc = parse_opts(argc, argv, &o);
	if (rc != XS_CONTINUE)
		return rc;
	ifindex = xs_mc_ifindex(&o.ifname);
	if (!ifindex)
		return XS_EXIT_ERROR;
	r.tty = isatty(STDOUT_FILENO);
	xs_mc_install_stop_handlers();
	rc = XS_EXIT_ERROR;
	if (o.metrics_listen && xs_mon_metrics_open(&r.met, o.metrics_listen, o.metrics_hosts))
		goto out;
	/* Set up: the XDP path reads its maps (CAP_BPF), libpcap needs nothing more. */
	if (open_path(&r, ifindex) || (r.met && snapshot(&r)) ||
	    xs_privs_after_setup("monitor", !r.pc))
		goto out;
	/* Always, like tcpdump's "listening on": says which path counts. */
	pr_warn("monitoring %s via %s", o.ifname, r.pc ? "pcap" : "xdp");
	rc = run_loop(&r) ? XS_EXIT_ERROR : XS_EXIT_OK;
out:
	xs_mon_metrics_close(r.met);
	xs_xdp_detach(&r.x);
	if (r.pinned && !o.keep_maps)
		xs_pin_dir_remove(XS_MON_PIN_DIR);
	else if (r.pinned && !xs_owner_keep(XS_MON_PIN_DIR))
		pr_info("maps left pinned under %s (--keep-maps)", XS_MON_PIN_DIR);
	monitor_bpf__destroy(r.skel);
	xs_mon_pcap_close(r.pc);
	xs_mon_view_free(&r.view);
	return rc;
}
