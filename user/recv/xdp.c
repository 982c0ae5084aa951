/* xdp.c - the XDP receive backend (see recv.h): bpf/sweep.bpf.c attached through a
 * bpf_link, its maps pinned under XS_PIN_DIR while it runs, valid replies through a
 * ring buffer. The program drops the first reply of a round and duplicates (counted);
 * everything else passes to the host untouched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "net/xdp_attach.h"
#include "probe/probe.h"
#include "recv/recv.h"
#include "sweep.skel.h"
#include "util/log.h"
#include "util/mc_util.h"
#include "util/owner.h"
#include "util/percpu.h"

_Static_assert(sizeof(struct xs_stats) == 72, "xs_stats layout");
_Static_assert(sizeof(struct xs_event) == 48, "xs_event layout");
_Static_assert(sizeof(struct xs_vcfg) == 40, "xs_vcfg layout");
_Static_assert(sizeof(struct xs_host) == 24, "xs_host layout");
_Static_assert(sizeof(struct xs_target) == 24, "xs_target layout");

struct rx_xdp {
	struct sweep_bpf *skel;
	struct xs_xdp link;
	struct ring_buffer *rb;
	bool pinned;
};

static int on_event(void *ctx, void *data, size_t len)
{
	struct xs_rx *rx = ctx;

	if (len >= sizeof(struct xs_event))
		rx->cfg.on_reply(rx->cfg.ctx, data);
	return 0;
}

static int pin_maps(struct rx_xdp *x)
{
	int err = xs_pin_dir_reset(XS_PIN_DIR);

	if (!err)
		err = xs_pin_map(x->skel->maps.stats, XS_PIN_DIR, "stats");
	if (!err)
		err = xs_pin_map(x->skel->maps.rtt_hist, XS_PIN_DIR, "rtt_hist");
	if (!err)
		err = xs_pin_map(x->skel->maps.hosts, XS_PIN_DIR, "hosts");
	if (!err)
		err = xs_pin_map(x->skel->maps.ports, XS_PIN_DIR, "ports");
	if (!err)
		err = xs_owner_pin(XS_PIN_DIR);	/* stale pins after SIGKILL are told apart */
	if (err)
		pr_warn("cannot pin maps under %s: %s", XS_PIN_DIR, strerror(-err));
	x->pinned = true;
	return err;
}

/* The hosts and ports maps for a sweep of targets (address, port) targets. Up to
 * XS_HOSTS_EXACT_MAX targets: plain hashes, hosts with an entry for each target (a
 * reply's key is always a target its cookie was made for, so it never fills), ports with
 * up to XS_PORTS_MAX open pairs, or one entry when the probe has no ports. Beyond: the LRU
 * maps the program declares. */
static int size_maps(struct sweep_bpf *skel, uint64_t targets, bool ports)
{
	__u32 hosts_max = (__u32)targets, ports_max = !ports ? 1 :
			  targets < XS_PORTS_MAX ? (__u32)targets : XS_PORTS_MAX;
	int err;

	if (!targets || targets > XS_HOSTS_EXACT_MAX)
		return 0;
	if ((err = bpf_map__set_type(skel->maps.hosts, BPF_MAP_TYPE_HASH)) ||
	    (err = bpf_map__set_max_entries(skel->maps.hosts, hosts_max)) ||
	    (err = bpf_map__set_type(skel->maps.ports, BPF_MAP_TYPE_HASH)))
		return err;
	return bpf_map__set_max_entries(skel->maps.ports, ports_max);
}

/* Load with the validator's configuration as read-only data, then attach per
 * --capture; 1 hands over to libpcap (xs_mc_attach printed why). */
static int xdp_open(struct xs_rx *rx)
{
	const struct xs_rx_cfg *c = &rx->cfg;
	struct rx_xdp *x = calloc(1, sizeof(*x));
	int load_err = 0, r;

	if (!x)
		return -ENOMEM;
	x->link = (struct xs_xdp)XS_XDP_INIT;
	rx->priv = x;
	x->skel = sweep_bpf__open();
	if (!x->skel) {
		load_err = -errno;
	} else {
		x->skel->rodata->cfg = c->probe->v;
		load_err = size_maps(x->skel, c->targets, c->probe->m->ports);
		if (!load_err)
			load_err = sweep_bpf__load(x->skel);
	}
	if (load_err && c->capture == XS_CAPTURE_XDP) {
		pr_warn("cannot load the sweep BPF program: %s (needs CAP_BPF; -vv for details)",
			strerror(-load_err));
		return load_err;
	}
	r = xs_mc_attach(x->skel && !load_err ? x->skel->progs.xs_sweep : NULL, load_err,
			 c->ifname, c->ifindex, c->xdp_mode, (enum xs_mc_path)c->capture, &x->link);
	if (r)
		return r;
	if ((r = pin_maps(x)))
		return r;
	x->rb = ring_buffer__new(bpf_map__fd(x->skel->maps.events), on_event, rx, NULL);
	if (!x->rb) {
		r = -errno;
		pr_warn("cannot open the ring buffer: %s", strerror(-r));
		return r;
	}
	return 0;
}

static void xdp_set_round(struct xs_rx *rx, uint32_t round)
{
	struct rx_xdp *x = rx->priv;

	x->skel->bss->sweep_round = round;
}

static void xdp_poll(struct xs_rx *rx, int timeout_ms)
{
	struct rx_xdp *x = rx->priv;

	/* Records are written without a wakeup until enough are waiting (rb_wakeup.h):
	 * after a poll that waited, take what is there whether or not epoll said so. */
	if (timeout_ms > 0)
		ring_buffer__poll(x->rb, timeout_ms);
	ring_buffer__consume(x->rb);
}

static void xdp_stats(struct xs_rx *rx, struct xs_stats *st)
{
	struct rx_xdp *x = rx->priv;

	if (xs_percpu_sum(bpf_map__fd(x->skel->maps.stats), 0, st, sizeof(*st)))
		memset(st, 0, sizeof(*st));
}

static void xdp_describe(struct xs_rx *rx, char *buf, size_t len)
{
	struct rx_xdp *x = rx->priv;

	snprintf(buf, len, "capture XDP %s on %s", xs_xdp_mode_str(x->link.mode), rx->cfg.ifname);
}

static void xdp_close(struct xs_rx *rx)
{
	struct rx_xdp *x = rx->priv;

	if (!x)
		return;
	ring_buffer__free(x->rb);
	xs_xdp_detach(&x->link);
	if (x->pinned && !rx->cfg.keep_maps)
		xs_pin_dir_remove(XS_PIN_DIR);
	else if (x->pinned && !xs_owner_keep(XS_PIN_DIR))
		pr_info("maps kept under %s", XS_PIN_DIR);
	sweep_bpf__destroy(x->skel);
	free(x);
	rx->priv = NULL;
}

const struct xs_rx_ops xs_rx_xdp = {
	.name = "xdp",
	.user_dedup = false,
	.open = xdp_open,
	.set_round = xdp_set_round,
	.poll = xdp_poll,
	.stats = xdp_stats,
	.describe = xdp_describe,
	.close = xdp_close,
};
