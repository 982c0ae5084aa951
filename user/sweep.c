/* sweep.c - `xsweep sweep`: which hosts of a range are alive, which are inactive.
 *
 * Pipeline: targets (targets.c) -> probes built from a template (probe_icmp.c) ->
 * batched io_uring sends (send_uring.c) on the interface of the route to the first
 * target -> replies validated by the XDP program (bpf/sweep.bpf.c, keyed cookie) ->
 * ring-buffer events -> per-target answer bitmap here (final duplicate filter) ->
 * streamed output (output.c). Counters, an RTT histogram and recent hosts live in
 * BTF-typed maps pinned under /sys/fs/bpf/xsweep/ while the sweep runs.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/random.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "commands.h"
#include "log.h"
#include "output.h"
#include "probe_icmp.h"
#include "route.h"
#include "send_uring.h"
#include "sweep.h"
#include "sweep.skel.h"
#include "targets.h"
#include "xdp_attach.h"
#include "xsweep.h"

_Static_assert(sizeof(struct xs_stats) == 64, "xs_stats layout");
_Static_assert(sizeof(struct xs_event) == 16, "xs_event layout");
_Static_assert(sizeof(struct xs_host) == 24, "xs_host layout");

#define LARGE_SWEEP (1ull << 24)
#define BATCH 64
#define RETRY_WAIT 0.5	/* seconds between a pass and its retry */

struct sweep_opts {
	const char *iface;
	const char *source;
	const char *outfile;
	enum xs_fmt fmt;
	enum xs_xdp_mode xdp_mode;
	enum xs_send_path path;
	bool inactive, progress, allow_large, keep_maps, quiet;
	double every_s, wait_s;
	unsigned ttl, depth, retries;
};

struct sweep {
	struct sweep_opts o;
	struct xs_targets t;
	struct xs_route rt;
	struct sweep_bpf *skel;
	struct xs_xdp xdp;
	struct ring_buffer *rb;
	struct xs_sender snd;
	struct xs_probe_ctx probe;
	FILE *out;
	uint8_t *answered, *prev;	/* bitmaps over target indexes */
	unsigned round, rounds_done;
	/* this round */
	uint64_t sent_idx, alive, user_dups, unexpected;
	/* whole run */
	uint64_t tot_alive, tot_inactive, tot_probes;
	double t_start, t_round, t_last_status, send_secs;
	uint64_t last_sent, last_rx;
	bool pinned, tty;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void usage_sweep(FILE *out)
{
	fprintf(out,
		"Usage: xsweep sweep [OPTIONS] TARGET...\n\n"
		"Detect which hosts of a range answer ICMP echo (alive) and which do not.\n"
		"Probes go out in io_uring batches; an XDP program validates each reply's keyed\n"
		"cookie and counts it in BPF maps pinned under " XS_PIN_DIR "/.\n\n"
		"Targets: 198.18.0.0/16, 198.18.0.2-4, 198.18.0.2-198.18.3.7, 198.18.0.9, host names\n"
		"(resolved once), -iL FILE (one per line, '#' comments). Overlaps are probed once;\n"
		"0.0.0.0/8, 224.0.0.0/4, 240.0.0.0/4 and 255.255.255.255 are always skipped.\n\n"
		"Options:\n"
		"  -i IFACE              interface (default: from the route to the first target)\n"
		"  -S, --source ADDR     source address (default: the route's preferred source)\n"
		"  -iL, --input-file F   read targets from F\n"
		"  --exclude T[,T...]    skip these targets (repeatable)\n"
		"  --exclude-file F      skip the targets listed in F\n"
		"  --allow-large         allow sweeping more than 2^24 addresses\n"
		"  -o FILE               write results to FILE instead of stdout\n"
		"  -O FMT                text (default: '198.18.0.2 is alive'), json (JSON Lines),\n"
		"                        csv, list (addresses only), grep (nmap grepable)\n"
		"  --inactive            also list hosts that did not answer, and their total\n"
		"  --every DUR           re-sweep every DUR (e.g. 10s) until interrupted, reporting\n"
		"                        the hosts that went down or came up\n"
		"  --wait DUR            wait for late replies after the last probe (default 1s)\n"
		"  --retries N           re-probe targets that did not answer, N times (default 0)\n"
		"  --progress            status line every second even when stderr is not a tty\n"
		"  -q, --quiet           no status line and no summary\n"
		"  --xdp-mode MODE       auto (default), native or generic\n"
		"  --send-path P         packet (AF_PACKET, default) or raw (raw IPv4 socket)\n"
		"  --ring-depth N        io_uring entries / packets in flight (default 64)\n"
		"  --ttl N               IP TTL of the probes (default 64)\n"
		"  --keep-maps           leave the pinned maps for inspection after exit\n\n"
		"Durations: 500ms, 2s, 1m or plain seconds. Needs CAP_NET_RAW, CAP_NET_ADMIN and\n"
		"CAP_BPF (root). Exit status: 0 done, 2 error, 130 interrupted (one-shot sweep).\n");
}

int xs_parse_duration(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return -EINVAL;
	if (!*end || !strcmp(end, "s"))
		;
	else if (!strcmp(end, "ms"))
		v /= 1000;
	else if (!strcmp(end, "m"))
		v *= 60;
	else if (!strcmp(end, "h"))
		v *= 3600;
	else
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < lo || v > hi)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

enum {
	OPT_EXCLUDE = 256, OPT_EXCLUDE_FILE, OPT_ALLOW_LARGE, OPT_INACTIVE, OPT_EVERY, OPT_WAIT,
	OPT_PROGRESS, OPT_XDP_MODE, OPT_SEND_PATH, OPT_DEPTH, OPT_TTL, OPT_KEEP_MAPS, OPT_IL, OPT_RETRIES,
};

static const struct option long_opts[] = {
	{ "source", required_argument, NULL, 'S' },
	{ "input-file", required_argument, NULL, OPT_IL },
	{ "iL", required_argument, NULL, OPT_IL },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "exclude-file", required_argument, NULL, OPT_EXCLUDE_FILE },
	{ "allow-large", no_argument, NULL, OPT_ALLOW_LARGE },
	{ "inactive", no_argument, NULL, OPT_INACTIVE },
	{ "every", required_argument, NULL, OPT_EVERY },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "xdp-mode", required_argument, NULL, OPT_XDP_MODE },
	{ "send-path", required_argument, NULL, OPT_SEND_PATH },
	{ "ring-depth", required_argument, NULL, OPT_DEPTH },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "keep-maps", no_argument, NULL, OPT_KEEP_MAPS },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/* Parse options and targets into sw; returns 0 or an exit code. */
static int parse_args(struct sweep *sw, int argc, char **argv)
{
	struct xs_targets excl = { 0 };
	struct sweep_opts *o = &sw->o;
	char err[512];
	uint64_t reserved = 0;
	int c, rc = XS_EXIT_ERROR, ntargets = 0;
	char **files = calloc((size_t)argc, sizeof(char *));
	int nfiles = 0;

	if (!files)
		return XS_EXIT_ERROR;
	o->fmt = XS_FMT_TEXT;
	o->wait_s = 1.0;
	o->depth = 64;
	o->ttl = 64;

	/* nmap's "-iL FILE" is one short option with a two-letter name. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-iL"))
			argv[i] = "--iL";

	optind = 1;
	while ((c = getopt_long(argc, argv, "hi:S:o:O:q", long_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage_sweep(stdout);
			rc = -1;
			goto out;
		case 'i':
			o->iface = optarg;
			break;
		case 'S':
			o->source = optarg;
			break;
		case 'o':
			o->outfile = optarg;
			break;
		case 'O':
			if (xs_fmt_parse(optarg, &o->fmt)) {
				pr_warn("unknown output format '%s' (text, json, csv, list, grep)", optarg);
				goto out;
			}
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_IL:
			files[nfiles++] = optarg;
			break;
		case OPT_EXCLUDE:
			for (char *tok = strtok(optarg, ","); tok; tok = strtok(NULL, ","))
				if (xs_targets_add(&excl, tok, false, err, sizeof(err))) {
					pr_warn("--exclude: %s", err);
					goto out;
				}
			break;
		case OPT_EXCLUDE_FILE:
			if (xs_targets_add_file(&excl, optarg, false, err, sizeof(err))) {
				pr_warn("--exclude-file: %s", err);
				goto out;
			}
			break;
		case OPT_ALLOW_LARGE:
			o->allow_large = true;
			break;
		case OPT_INACTIVE:
			o->inactive = true;
			break;
		case OPT_EVERY:
			if (xs_parse_duration(optarg, &o->every_s) || o->every_s <= 0) {
				pr_warn("--every: bad duration '%s' (e.g. 10s, 500ms)", optarg);
				goto out;
			}
			break;
		case OPT_WAIT:
			if (xs_parse_duration(optarg, &o->wait_s)) {
				pr_warn("--wait: bad duration '%s' (e.g. 2s, 0)", optarg);
				goto out;
			}
			break;
		case OPT_RETRIES:
			if (parse_uint(optarg, 0, XS_MAX_ATTEMPT, &o->retries)) {
				pr_warn("--retries: '%s' is not 0-%d", optarg, XS_MAX_ATTEMPT);
				goto out;
			}
			break;
		case OPT_PROGRESS:
			o->progress = true;
			break;
		case OPT_XDP_MODE:
			if (xs_xdp_mode_parse(optarg, &o->xdp_mode)) {
				pr_warn("--xdp-mode: '%s' is not auto, native or generic", optarg);
				goto out;
			}
			break;
		case OPT_SEND_PATH:
			if (!strcmp(optarg, "packet"))
				o->path = XS_PATH_PACKET;
			else if (!strcmp(optarg, "raw"))
				o->path = XS_PATH_RAW;
			else {
				pr_warn("--send-path: '%s' is not packet or raw", optarg);
				goto out;
			}
			break;
		case OPT_DEPTH:
			if (parse_uint(optarg, 8, 4096, &o->depth)) {
				pr_warn("--ring-depth: '%s' is not 8-4096", optarg);
				goto out;
			}
			break;
		case OPT_TTL:
			if (parse_uint(optarg, 1, 255, &o->ttl)) {
				pr_warn("--ttl: '%s' is not 1-255", optarg);
				goto out;
			}
			break;
		case OPT_KEEP_MAPS:
			o->keep_maps = true;
			break;
		default:
			pr_warn("see 'xsweep help sweep'");
			goto out;
		}
	}
	for (int i = optind; i < argc; i++, ntargets++)
		if (xs_targets_add(&sw->t, argv[i], true, err, sizeof(err))) {
			pr_warn("%s (argument %d)", err, ntargets + 1);
			goto out;
		}
	for (int i = 0; i < nfiles; i++, ntargets++)
		if (xs_targets_add_file(&sw->t, files[i], true, err, sizeof(err))) {
			pr_warn("%s", err);
			goto out;
		}
	if (!ntargets) {
		pr_warn("no targets given (see 'xsweep help sweep')");
		goto out;
	}
	if (o->iface && strlen(o->iface) >= IF_NAMESIZE) {
		pr_warn("interface name '%s' is too long (at most %d characters)", o->iface,
			IF_NAMESIZE - 1);
		goto out;
	}
	/* The first target names the route before exclusions reorder anything. */
	sw->rt.nexthop = htonl(sw->t.r[0].lo);
	if (xs_targets_finalize(&sw->t, &excl, &reserved)) {
		pr_warn("out of memory");
		goto out;
	}
	if (reserved)
		pr_info("skipped %llu addresses that cannot be unicast hosts",
			(unsigned long long)reserved);
	if (!sw->t.total) {
		pr_warn("no targets left after exclusions");
		goto out;
	}
	if (sw->t.total > LARGE_SWEEP && !o->allow_large) {
		pr_warn("%llu targets is more than 2^24; add --allow-large if you mean it",
			(unsigned long long)sw->t.total);
		goto out;
	}
	rc = 0;
out:
	free(files);
	xs_targets_free(&excl);
	return rc;
}

/* Sum the per-CPU counters. */
static int read_stats(struct sweep *sw, struct xs_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xs_stats *v;
	__u32 zero = 0;
	int err;

	memset(sum, 0, sizeof(*sum));
	if (ncpu <= 0)
		return -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(sw->skel->maps.stats), &zero, v);
	for (int i = 0; !err && i < ncpu; i++) {
		__u64 *d = (__u64 *)sum, *s = (__u64 *)&v[i];

		for (size_t k = 0; k < sizeof(*sum) / sizeof(__u64); k++)
			d[k] += s[k];
	}
	free(v);
	return err;
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct sweep *sw = ctx;
	const struct xs_event *ev = data;
	uint64_t idx;

	if (len < sizeof(*ev))
		return 0;
	if (!xs_targets_index(&sw->t, ntohl(ev->addr), &idx)) {
		/* Valid cookie for an address we did not sweep: never a result. */
		sw->unexpected++;
		return 0;
	}
	if (sw->answered[idx / 8] & (1u << (idx % 8))) {
		sw->user_dups++;	/* the XDP LRU forgot it; the bitmap did not */
		return 0;
	}
	sw->answered[idx / 8] |= (uint8_t)(1u << (idx % 8));
	sw->alive++;
	xs_out_alive(sw->out, sw->o.fmt, ev->addr, ev->rtt_ns, ev->ttl, wall_ns());
	return 0;
}

static void status_line(struct sweep *sw, bool final)
{
	struct xs_stats st;
	double t = now_s(), el = t - sw->t_round, dt = t - sw->t_last_status;
	double pct = sw->t.total ? 100.0 * (double)sw->sent_idx / (double)sw->t.total : 100;
	uint64_t sent = sw->snd.st.sent;
	double tx_rate, rx_rate, eta;

	if (!(sw->tty || sw->o.progress) || sw->o.quiet)
		return;
	if (!final && dt < 1.0)
		return;
	read_stats(sw, &st);
	tx_rate = dt > 0 ? (double)(sent - sw->last_sent) / dt : 0;
	rx_rate = dt > 0 ? (double)(st.rx_valid - sw->last_rx) / dt : 0;
	eta = tx_rate > 0 ? (double)(sw->t.total - sw->sent_idx) / tx_rate : 0;
	fprintf(stderr, "%s[%6.1fs] sent %5.1f%% %8.0f pps | recv %8.0f pps | hits %llu | "
		"invalid %llu | drops %llu | ETA %.0fs%s",
		sw->tty ? "\r\033[K" : "", el, pct, tx_rate, rx_rate,
		(unsigned long long)sw->alive,
		(unsigned long long)(st.rx_bad_cookie + st.rx_wrong_src),
		(unsigned long long)(st.ev_lost + sw->snd.st.failed), eta,
		sw->tty && !final ? "" : "\n");
	sw->t_last_status = t;
	sw->last_sent = sent;
	sw->last_rx = st.rx_valid;
}

static int setup_bpf(struct sweep *sw)
{
	uint32_t key[2];
	__u32 other = 0;
	int err;

	if (getrandom(key, sizeof(key), 0) != sizeof(key)) {
		pr_warn("getrandom: %s", strerror(errno));
		return -errno;
	}
	sw->skel = sweep_bpf__open();
	if (!sw->skel) {
		pr_warn("cannot open the sweep BPF object: %s", strerror(errno));
		return -errno;
	}
	/* Configuration is read-only data of the BPF program: set before load. */
	sw->skel->rodata->cfg_key[0] = key[0];
	sw->skel->rodata->cfg_key[1] = key[1];
	sw->skel->rodata->cfg_src = sw->rt.src;
	memcpy(sw->probe.key, key, sizeof(key));
	sw->probe.src = sw->rt.src;
	sw->probe.ttl = (uint8_t)sw->o.ttl;

	err = sweep_bpf__load(sw->skel);
	if (err) {
		pr_warn("cannot load the sweep BPF program: %s (needs CAP_BPF; -vv for details)",
			strerror(-err));
		return err;
	}
	err = xs_xdp_attach(sw->skel->progs.xs_sweep, sw->rt.ifindex, sw->o.xdp_mode, &sw->xdp,
			    &other);
	if (err == -EBUSY && other) {
		char what[256];

		xs_xdp_describe(sw->rt.ifindex, what, sizeof(what));
		pr_warn("%s already has %s; not replacing it", sw->rt.ifname, what);
		return err;
	}
	if (err) {
		pr_warn("cannot attach XDP on %s: %s", sw->rt.ifname, strerror(-err));
		return err;
	}
	pr_info("XDP attached to %s in %s mode", sw->rt.ifname, xs_xdp_mode_str(sw->xdp.mode));

	err = xs_pin_dir_reset(XS_PIN_DIR);
	if (!err)
		err = xs_pin_map(sw->skel->maps.stats, XS_PIN_DIR, "stats");
	if (!err)
		err = xs_pin_map(sw->skel->maps.rtt_hist, XS_PIN_DIR, "rtt_hist");
	if (!err)
		err = xs_pin_map(sw->skel->maps.hosts, XS_PIN_DIR, "hosts");
	if (err) {
		pr_warn("cannot pin maps under %s: %s", XS_PIN_DIR, strerror(-err));
		return err;
	}
	sw->pinned = true;

	sw->rb = ring_buffer__new(bpf_map__fd(sw->skel->maps.events), on_event, sw, NULL);
	if (!sw->rb) {
		pr_warn("cannot open the ring buffer: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int setup_route(struct sweep *sw)
{
	uint32_t first = sw->rt.nexthop;
	int err;

	err = xs_route_get(first, &sw->rt);
	if (err) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &first, a, sizeof(a));
		pr_warn("no route to %s: %s", a, strerror(-err));
		return err;
	}
	if (sw->o.iface && strcmp(sw->o.iface, sw->rt.ifname)) {
		int idx = (int)if_nametoindex(sw->o.iface);

		if (!idx) {
			pr_warn("no such interface: %s", sw->o.iface);
			return -ENODEV;
		}
		sw->rt.ifindex = idx;
		snprintf(sw->rt.ifname, sizeof(sw->rt.ifname), "%s", sw->o.iface);
		sw->rt.src = 0;
		sw->rt.gateway = 0;
		sw->rt.nexthop = first;
		if ((err = xs_iface_ipv4(idx, &sw->rt.src)) && !sw->o.source) {
			pr_warn("%s has no IPv4 address; give one with -S", sw->o.iface);
			return err;
		}
	}
	if (sw->o.source && xs_parse_ipv4(sw->o.source, &sw->rt.src) == 0)
		sw->rt.src = htonl(sw->rt.src);
	else if (sw->o.source) {
		pr_warn("--source: '%s' is not an IPv4 address", sw->o.source);
		return -EINVAL;
	}
	if (sw->o.path == XS_PATH_PACKET) {
		err = xs_route_resolve_macs(&sw->rt, 1000);
		if (err) {
			char a[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &sw->rt.nexthop, a, sizeof(a));
			pr_warn("cannot resolve the MAC address of next hop %s on %s: %s", a,
				sw->rt.ifname, strerror(-err));
			return err;
		}
	}
	if (xs_verbosity >= LOG_INFO) {
		char s[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &sw->rt.src, s, sizeof(s));
		inet_ntop(AF_INET, &sw->rt.nexthop, g, sizeof(g));
		pr_info("interface %s, source %s, next hop %s (%02x:%02x:%02x:%02x:%02x:%02x)",
			sw->rt.ifname, s, g, sw->rt.dst_mac[0], sw->rt.dst_mac[1], sw->rt.dst_mac[2],
			sw->rt.dst_mac[3], sw->rt.dst_mac[4], sw->rt.dst_mac[5]);
	}
	return 0;
}

/* Probe every target of this round (attempt 0), or only those that have not answered
 * (retries). Replies are consumed between batches so output streams. */
static int send_pass(struct sweep *sw, unsigned attempt)
{
	const int l3 = sw->o.path == XS_PATH_RAW;
	const unsigned len = l3 ? XS_ICMP_L3_LEN : XS_ICMP_FRAME_LEN;
	uint64_t idx = 0;
	double t0 = now_s();
	int err;

	sw->probe.attempt = attempt;
	sw->sent_idx = 0;
	while (idx < sw->t.total && !stop) {
		uint64_t tx = mono_ns();
		unsigned n = 0;

		for (; idx < sw->t.total && n < BATCH; idx++) {
			uint32_t dst;
			unsigned id;
			uint8_t *buf;

			if (attempt && (sw->answered[idx / 8] & (1u << (idx % 8))))
				continue;
			dst = htonl(xs_targets_addr(&sw->t, idx));
			buf = xs_sender_buf(&sw->snd, &id);
			if (!buf)
				return -EIO;
			xs_icmp_make(&sw->probe, buf, dst, tx, l3);
			if ((err = xs_sender_push(&sw->snd, id, len, dst)))
				return err;
			n++;
		}
		sw->sent_idx = idx;
		sw->tot_probes += n;
		if ((err = xs_sender_flush(&sw->snd)))
			return err;
		ring_buffer__consume(sw->rb);
		fflush(sw->out);
		status_line(sw, false);
	}
	err = xs_sender_drain(&sw->snd);
	sw->send_secs += now_s() - t0;
	return err;
}

/* Wait for late replies. */
static void cooldown(struct sweep *sw, double secs)
{
	double deadline = now_s() + secs;

	while (!stop) {
		double left = deadline - now_s();

		if (left <= 0)
			break;
		ring_buffer__poll(sw->rb, left > 0.1 ? 100 : (int)(left * 1000) + 1);
		fflush(sw->out);
		status_line(sw, false);
	}
	ring_buffer__consume(sw->rb);
	fflush(sw->out);
}

/* One round: a pass over every target, retries of the silent ones, the cooldown. */
static int run_round(struct sweep *sw)
{
	struct xs_stats st;
	int err;

	sw->skel->bss->sweep_round = sw->round;
	sw->probe.round = sw->round;
	memset(sw->answered, 0, (size_t)((sw->t.total + 7) / 8));
	sw->alive = 0;
	sw->t_round = sw->t_last_status = now_s();
	sw->last_sent = sw->snd.st.sent;
	read_stats(sw, &st);
	sw->last_rx = st.rx_valid;

	for (unsigned attempt = 0; attempt <= sw->o.retries && !stop; attempt++) {
		if (attempt) {
			/* Give first replies a moment before re-probing the silent targets. */
			cooldown(sw, sw->o.wait_s < RETRY_WAIT ? sw->o.wait_s : RETRY_WAIT);
			if (sw->alive == sw->t.total)
				break;
		}
		if ((err = send_pass(sw, attempt)))
			return err;
	}
	cooldown(sw, sw->o.wait_s);
	status_line(sw, true);
	return 0;
}

static void report_round(struct sweep *sw)
{
	uint64_t inactive = 0, w = wall_ns();

	for (uint64_t i = 0; i < sw->t.total; i++) {
		bool up = sw->answered[i / 8] & (1u << (i % 8));
		uint32_t a;

		if (up)
			continue;
		inactive++;
		if (sw->o.inactive) {
			a = htonl(xs_targets_addr(&sw->t, i));
			xs_out_inactive(sw->out, sw->o.fmt, a, w);
		}
	}
	if (sw->o.inactive)
		xs_out_total_inactive(sw->out, sw->o.fmt, inactive);
	if (sw->round > 0 && sw->prev) {
		for (uint64_t i = 0; i < sw->t.total; i++) {
			bool up = sw->answered[i / 8] & (1u << (i % 8));
			bool was = sw->prev[i / 8] & (1u << (i % 8));

			if (up != was)
				xs_out_change(sw->out, sw->o.fmt, htonl(xs_targets_addr(&sw->t, i)), up, w);
		}
	}
	fflush(sw->out);
	sw->tot_alive = sw->alive;
	sw->tot_inactive = inactive;
	sw->rounds_done++;
}

static void summary(struct sweep *sw)
{
	struct xs_stats st;
	double dur = now_s() - sw->t_start;
	const struct xs_send_stats *s = &sw->snd.st;

	if (sw->o.quiet)
		return;
	read_stats(sw, &st);
	fprintf(stderr,
		"summary: targets %llu, rounds %u, sent %llu, replies %llu, alive %llu, inactive %llu\n"
		"summary: invalid %llu (bad cookie %llu, wrong source %llu, unexpected %llu), "
		"duplicates %llu, lost events %llu\n"
		"summary: send errors %llu (ENOBUFS %llu, EAGAIN %llu, short %llu, other %llu; "
		"all retried), failed %llu\n"
		"summary: duration %.3f s, sending %.3f s, %.0f probes/s while sending, "
		"XDP %s on %s, send path %s\n",
		(unsigned long long)sw->t.total, sw->rounds_done,
		(unsigned long long)s->sent, (unsigned long long)(st.rx_valid + st.rx_duplicate),
		(unsigned long long)sw->tot_alive, (unsigned long long)sw->tot_inactive,
		(unsigned long long)(st.rx_bad_cookie + st.rx_wrong_src + sw->unexpected),
		(unsigned long long)st.rx_bad_cookie, (unsigned long long)st.rx_wrong_src,
		(unsigned long long)sw->unexpected,
		(unsigned long long)(st.rx_duplicate + sw->user_dups), (unsigned long long)st.ev_lost,
		(unsigned long long)(s->enobufs + s->eagain + s->short_sends + s->other_errors),
		(unsigned long long)s->enobufs, (unsigned long long)s->eagain,
		(unsigned long long)s->short_sends, (unsigned long long)s->other_errors,
		(unsigned long long)s->failed, dur, sw->send_secs,
		sw->send_secs > 0 ? (double)s->sent / sw->send_secs : 0,
		xs_xdp_mode_str(sw->xdp.mode), sw->rt.ifname,
		sw->o.path == XS_PATH_RAW ? "raw" : "packet");
}

static void cleanup(struct sweep *sw)
{
	xs_sender_close(&sw->snd);
	ring_buffer__free(sw->rb);
	xs_xdp_detach(&sw->xdp);
	if (sw->pinned && !sw->o.keep_maps)
		xs_pin_dir_remove(XS_PIN_DIR);
	else if (sw->pinned)
		pr_info("maps kept under %s", XS_PIN_DIR);
	sweep_bpf__destroy(sw->skel);
	if (sw->out && sw->out != stdout)
		fclose(sw->out);
	free(sw->answered);
	free(sw->prev);
	xs_targets_free(&sw->t);
}

int do_sweep(int argc, char **argv)
{
	struct sweep sw = { .xdp = XS_XDP_INIT };
	struct sigaction sa = { .sa_handler = on_signal };
	int rc, err;

	sw.snd.fd = -1;
	rc = parse_args(&sw, argc, argv);
	if (rc) {
		xs_targets_free(&sw.t);
		return rc < 0 ? XS_EXIT_OK : rc;
	}
	rc = XS_EXIT_ERROR;
	sw.out = stdout;
	if (sw.o.outfile && !(sw.out = fopen(sw.o.outfile, "w"))) {
		pr_warn("cannot open %s: %s", sw.o.outfile, strerror(errno));
		sw.out = NULL;
		goto out;
	}
	sw.answered = calloc((size_t)((sw.t.total + 7) / 8), 1);
	if (!sw.answered) {
		pr_warn("out of memory for %llu targets", (unsigned long long)sw.t.total);
		goto out;
	}
	if (setup_route(&sw))
		goto out;
	xs_icmp_template(&sw.probe, sw.rt.src_mac, sw.rt.dst_mac);

	stop = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (setup_bpf(&sw))
		goto out;
	err = xs_sender_open(&sw.snd, sw.o.path, sw.rt.ifindex, sw.o.depth);
	if (err) {
		pr_warn("cannot set up the io_uring sender on %s: %s", sw.rt.ifname, strerror(-err));
		goto out;
	}
	/* The template needs the key and source set up by setup_bpf(). */
	xs_icmp_template(&sw.probe, sw.rt.src_mac, sw.rt.dst_mac);
	sw.tty = isatty(STDERR_FILENO);
	sw.t_start = now_s();
	xs_out_header(sw.out, sw.o.fmt);

	for (;; sw.round++) {
		if (sw.o.every_s > 0)
			xs_out_round(sw.out, sw.o.fmt, sw.round + 1, wall_ns());
		if ((err = run_round(&sw))) {
			pr_warn("sweep failed: %s", strerror(-err));
			goto out;
		}
		if (stop && sw.o.every_s <= 0)
			break;
		if (stop)
			break;	/* an interrupted round of a periodic sweep is not reported */
		report_round(&sw);
		if (sw.o.every_s <= 0)
			break;
		/* Keep this round to report changes after the next one. */
		if (!sw.prev && !(sw.prev = malloc((size_t)((sw.t.total + 7) / 8))))
			goto out;
		memcpy(sw.prev, sw.answered, (size_t)((sw.t.total + 7) / 8));
		for (double until = sw.t_round + sw.o.every_s; !stop && now_s() < until;)
			usleep(20000);
		if (stop)
			break;
	}
	summary(&sw);
	rc = stop && sw.o.every_s <= 0 ? 130 : XS_EXIT_OK;
out:
	cleanup(&sw);
	return rc;
}
