/* sweep.c - `xsweep sweep`: which hosts of a range are alive, which are inactive.
 *
 * Pipeline: targets (targets.c) -> probes built from a template (probe_icmp.c) ->
 * batched io_uring sends (send_uring.c) on the interface of the route to the first
 * target -> replies validated by the XDP program (bpf/sweep.bpf.c, keyed cookie) ->
 * ring-buffer events -> per-target answer bitmap here (final duplicate filter) ->
 * streamed output (output.c). Counters, an RTT histogram and recent hosts live in
 * BTF-typed maps pinned under /sys/fs/bpf/xsweep/ while the sweep runs.
 *
 * Control: targets are visited in a keyed pseudo-random order (perm.c) restricted to a
 * slice (shard, resume position); probes are paced by a token bucket (--rate); the
 * whole run is bounded by --timeout; SIGINT saves a resume file (sweep_state.c).
 * Fallbacks: libpcap receive (sweep_pcap.c, same validator as XDP) when XDP cannot
 * attach, sendmmsg (send_mmsg.c) when io_uring is unavailable.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
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

#include "cmd/commands.h"
#include "halfsiphash.h"
#include "util/log.h"
#include "net/netlink.h"
#include "util/mc_util.h"
#include "scan/output.h"
#include "scan/perm.h"
#include "probe/icmp.h"
#include "net/route.h"
#include "send/send_uring.h"
#include "cmd/sweep.h"
#include "sweep.skel.h"
#include "recv/sweep_pcap.h"
#include "scan/sweep_state.h"
#include "scan/targets.h"
#include "net/xdp_attach.h"
#include "xsweep.h"

_Static_assert(sizeof(struct xs_stats) == 72, "xs_stats layout");
_Static_assert(sizeof(struct xs_event) == 16, "xs_event layout");
_Static_assert(sizeof(struct xs_host) == 24, "xs_host layout");

#define LARGE_SWEEP (1ull << 24)
#define BATCH 256
#define RETRY_WAIT 0.5	/* seconds between a pass and its retry */
#define DEFAULT_RATE 10000.0	/* probes/s: zmap's default, does not flood a LAN */
#define DEFAULT_WAIT 2.0	/* seconds of cooldown after the last probe */
#define INT_GRACE 0.25		/* after SIGINT: seconds to collect replies in flight */
#define DEFAULT_STATE_FILE "xsweep.resume"

struct sweep_opts {
	const char *iface;
	const char *source;
	const char *outfile;
	enum xs_fmt fmt;
	enum xs_xdp_mode xdp_mode;
	enum xs_send_path path;
	enum xs_send_api api;
	enum xs_mc_path capture;
	bool inactive, progress, allow_large, keep_maps, quiet, dry_run, have_seed;
	double every_s, wait_s, timeout_s;
	double rate;			/* probes/s, 0 = as fast as possible */
	unsigned ttl, depth, retries, probes;
	uint32_t shards, shard;
	uint64_t seed;
	const char *resume, *state_file;
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
	struct xs_sweep_pcap *pc;	/* libpcap receive path, NULL when XDP receives */
	struct xs_stats ust;		/* pcap path: valid / duplicate replies counted here */
	struct xs_perm perm;
	struct xs_slice slice;
	uint64_t mine;			/* targets in the slice */
	uint64_t pos0;			/* pass 0: next position not yet probed */
	uint64_t next_ns;		/* token bucket: when the next probe may leave */
	FILE *out;
	uint8_t *answered, *prev;	/* bitmaps over target indexes */
	unsigned round, rounds_done;
	/* this round */
	uint64_t sent_idx, alive, user_dups, unexpected;
	/* whole run */
	uint64_t tot_alive, tot_inactive;
	double t_start, t_round, t_last_status, send_secs;
	uint64_t last_sent, last_rx;
	bool pinned, tty, timed_out, pass0_done;
};

/* 1 after the first SIGINT/SIGTERM (stop sending, collect replies in flight), 2 after
 * a second one (quit now). */
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	if (stop < 2)
		stop++;
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
		"Usage: xsweep sweep [OPTIONS] TARGET...\n"
		"       xsweep sweep --resume FILE [OPTIONS]\n\n"
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
		"  --progress            status line every second even when stderr is not a tty\n"
		"  -q, --quiet           no status line and no summary\n\n"
		"Rate and time:\n"
		"  --rate PPS            probes per second, paced by a token bucket: 500, 20k, 1.5M,\n"
		"                        or 'max' (as fast as the machine goes). Default 10k, zmap's\n"
		"                        default, which a LAN absorbs; raise it on purpose\n"
		"  --retries N           after the first pass and a short wait (0.5 s, or --wait if\n"
		"                        shorter) re-probe only the targets that did not answer,\n"
		"                        N times (default 0); each retry carries a fresh cookie.\n"
		"                        A host is reported once, however many replies arrive\n"
		"  --probes N            probes per target in each pass (default 1, like zmap -P),\n"
		"                        each with its own cookie; extra replies count as duplicates\n"
		"  --wait DUR            cooldown after the last probe for late replies (default 2s;\n"
		"                        0 ends at once)\n"
		"  --timeout DUR         bound the whole sweep (sending, retries and cooldown)\n\n"
		"Order, shards and resume:\n"
		"  --seed N              targets are visited in a pseudo-random order (a keyed Feistel\n"
		"                        permutation of the index space; memory: one bit per target).\n"
		"                        The same seed gives the same order (default: random)\n"
		"  --shards N --shard I  probe only slice I (0..N-1) of the order; N machines with\n"
		"                        the same targets and --seed cover every target exactly once.\n"
		"                        The slices are disjoint, so merging JSON Lines output is\n"
		"                        concatenation: cat shard-*.json > all.json\n"
		"  --dry-run             print the probes (address and cookie) in order; send nothing.\n"
		"                        Needs no privileges\n"
		"  --state-file F        where SIGINT saves the resume state (default " DEFAULT_STATE_FILE ")\n"
		"  --resume F            continue an interrupted sweep from F: targets, seed, shard,\n"
		"                        position and options come from F (options given here win);\n"
		"                        both parts together probe every target exactly once. The\n"
		"                        resumed part uses a new cookie key\n\n"
		"Paths:\n"
		"  --capture MODE        auto (default: XDP, falling back to libpcap with a notice\n"
		"                        when XDP cannot attach), xdp, or pcap. Both validate replies\n"
		"                        with the same code; pcap's drop counters are in the summary\n"
		"  --send API            auto (default: io_uring, falling back to sendmmsg with a\n"
		"                        notice when io_uring is disabled), uring, or mmsg\n"
		"  --send-path P         packet (AF_PACKET with PACKET_QDISC_BYPASS, default) or raw\n"
		"                        (raw IPv4 socket)\n"
		"  --xdp-mode MODE       auto (default), native or generic\n"
		"  --ring-depth N        io_uring entries / packets in flight (default 256)\n"
		"  --ttl N               IP TTL of the probes (default 64)\n"
		"  --keep-maps           leave the pinned maps for inspection after exit\n\n"
		"Durations: 500ms, 2s, 1m or plain seconds. Needs CAP_NET_RAW, CAP_NET_ADMIN and\n"
		"CAP_BPF (root); --capture pcap needs no CAP_BPF. Exit status: 0 done (also when\n"
		"--timeout ends it), 2 error, 130 interrupted (one-shot sweep).\n");
}

/* "2000", "20k", "1.5M", "max" (0 = unlimited); -EINVAL on anything else. */
int xs_parse_rate(const char *s, double *pps)
{
	char *end;
	double v;

	if (!strcmp(s, "max")) {
		*pps = 0;
		return 0;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || *s == '-' || *s == '+')
		return -EINVAL;
	if (!strcmp(end, "k") || !strcmp(end, "K"))
		v *= 1e3;
	else if (!strcmp(end, "M") || !strcmp(end, "m"))
		v *= 1e6;
	else if (*end)
		return -EINVAL;
	if (v < 1 || v > 1e9)
		return -EINVAL;
	*pps = v;
	return 0;
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
	OPT_PROGRESS, OPT_XDP_MODE, OPT_SEND_PATH, OPT_DEPTH, OPT_TTL, OPT_KEEP_MAPS, OPT_IL, OPT_RETRIES, OPT_PROBES,
	OPT_RATE, OPT_TIMEOUT, OPT_SEED, OPT_SHARDS, OPT_SHARD, OPT_DRY_RUN, OPT_RESUME, OPT_STATE_FILE,
	OPT_CAPTURE, OPT_SEND,
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
	{ "probes", required_argument, NULL, OPT_PROBES },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "xdp-mode", required_argument, NULL, OPT_XDP_MODE },
	{ "send-path", required_argument, NULL, OPT_SEND_PATH },
	{ "ring-depth", required_argument, NULL, OPT_DEPTH },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "keep-maps", no_argument, NULL, OPT_KEEP_MAPS },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "shards", required_argument, NULL, OPT_SHARDS },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "resume", required_argument, NULL, OPT_RESUME },
	{ "state-file", required_argument, NULL, OPT_STATE_FILE },
	{ "capture", required_argument, NULL, OPT_CAPTURE },
	{ "send", required_argument, NULL, OPT_SEND },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/* Defaults from a resume file: targets, order, slice and options. */
static int load_resume(struct sweep *sw, char *err, size_t errlen)
{
	struct sweep_opts *o = &sw->o;
	struct xs_sweep_state st;
	static struct xs_sweep_state keep;	/* iface/source strings outlive this call */
	int rc;

	rc = xs_state_read(o->resume, &st, &sw->t, err, errlen);
	if (rc)
		return rc;
	keep = st;
	o->seed = st.seed;
	o->have_seed = true;
	o->shards = st.shards;
	o->shard = st.shard;
	sw->slice.start = st.position;
	sw->slice.end = st.end;
	o->rate = st.rate;
	o->retries = st.retries <= XS_MAX_ATTEMPT ? st.retries : 0;
	o->probes = st.probes >= 1 && st.probes <= XS_MAX_ATTEMPT + 1 ? st.probes : 1;
	o->ttl = st.ttl >= 1 && st.ttl <= 255 ? st.ttl : 64;
	o->wait_s = st.wait_s;
	if (st.format[0] && xs_fmt_parse(st.format, &o->fmt)) {
		snprintf(err, errlen, "%s: unknown format '%s'", o->resume, st.format);
		return -EINVAL;
	}
	o->inactive = st.inactive;
	if (keep.iface[0])
		o->iface = keep.iface;
	if (keep.source[0])
		o->source = keep.source;
	return 0;
}

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
	o->wait_s = DEFAULT_WAIT;
	o->depth = 256;
	o->ttl = 64;
	o->rate = DEFAULT_RATE;
	o->shards = 1;
	o->state_file = DEFAULT_STATE_FILE;
	sw->slice.end = UINT64_MAX;

	/* --resume first: the file gives defaults that options on the command line override. */
	for (int i = 1; i < argc - 1; i++)
		if (!strcmp(argv[i], "--resume"))
			o->resume = argv[i + 1];
	if (o->resume && load_resume(sw, err, sizeof(err))) {
		pr_warn("--resume: %s", err);
		goto out;
	}

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
		case OPT_PROBES:
			if (parse_uint(optarg, 1, XS_MAX_ATTEMPT + 1, &o->probes)) {
				pr_warn("--probes: '%s' is not 1-%d", optarg, XS_MAX_ATTEMPT + 1);
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
		case OPT_RATE:
			if (xs_parse_rate(optarg, &o->rate)) {
				pr_warn("--rate: '%s' is not a rate (e.g. 500, 20k, 1.5M, max)", optarg);
				goto out;
			}
			break;
		case OPT_TIMEOUT:
			if (xs_parse_duration(optarg, &o->timeout_s) || o->timeout_s <= 0) {
				pr_warn("--timeout: bad duration '%s' (e.g. 30s, 5m)", optarg);
				goto out;
			}
			break;
		case OPT_SEED: {
			uint64_t v;

			if (xs_mc_parse_u64(optarg, 0, UINT64_MAX, &v)) {
				pr_warn("--seed: '%s' is not an unsigned integer", optarg);
				goto out;
			}
			if (o->resume && v != o->seed) {
				pr_warn("--seed: a resumed sweep keeps the seed of its state file");
				goto out;
			}
			o->seed = v;
			o->have_seed = true;
			break;
		}
		case OPT_SHARDS:
		case OPT_SHARD: {
			unsigned v;

			if (o->resume) {
				pr_warn("--%s: a resumed sweep keeps the shard of its state file",
					c == OPT_SHARDS ? "shards" : "shard");
				goto out;
			}
			if (parse_uint(optarg, c == OPT_SHARDS ? 1 : 0, 65535, &v)) {
				pr_warn("--%s: '%s' is not %s", c == OPT_SHARDS ? "shards" : "shard",
					optarg, c == OPT_SHARDS ? "1-65535" : "0-65535");
				goto out;
			}
			if (c == OPT_SHARDS)
				o->shards = v;
			else
				o->shard = v;
			break;
		}
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_RESUME:
			break;	/* read above */
		case OPT_STATE_FILE:
			o->state_file = optarg;
			break;
		case OPT_CAPTURE:
			if (xs_mc_path_parse(optarg, &o->capture)) {
				pr_warn("--capture: '%s' is not auto, xdp or pcap", optarg);
				goto out;
			}
			break;
		case OPT_SEND:
			if (!strcmp(optarg, "auto"))
				o->api = XS_SEND_AUTO;
			else if (!strcmp(optarg, "uring"))
				o->api = XS_SEND_URING;
			else if (!strcmp(optarg, "mmsg"))
				o->api = XS_SEND_MMSG;
			else {
				pr_warn("--send: '%s' is not auto, uring or mmsg", optarg);
				goto out;
			}
			break;
		default:
			pr_warn("see 'xsweep help sweep'");
			goto out;
		}
	}
	if (o->resume && (optind < argc || nfiles)) {
		pr_warn("--resume takes the targets from %s; give no targets", o->resume);
		goto out;
	}
	if (o->resume)
		ntargets = 1;
	if (o->shard >= o->shards) {
		pr_warn("--shard %u: shards are numbered 0 to %u", o->shard, o->shards - 1);
		goto out;
	}
	if (o->shards > 1 && !o->have_seed) {
		pr_warn("--shards needs --seed N, the same on every machine (or they overlap)");
		goto out;
	}
	if (o->every_s > 0 && o->resume) {
		pr_warn("--resume continues a one-shot sweep; it does not combine with --every");
		goto out;
	}
	if (!o->have_seed && getrandom(&o->seed, sizeof(o->seed), 0) != sizeof(o->seed)) {
		pr_warn("getrandom: %s", strerror(errno));
		goto out;
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
	if (!o->probes)
		o->probes = 1;
	if ((o->retries + 1) * o->probes > XS_MAX_ATTEMPT + 1) {
		pr_warn("--probes %u with --retries %u needs %u cookies per target; at most %d",
			o->probes, o->retries, (o->retries + 1) * o->probes, XS_MAX_ATTEMPT + 1);
		goto out;
	}
	if (!ntargets) {
		pr_warn("no targets given (see 'xsweep help sweep')");
		goto out;
	}
	if (o->iface && xs_ifname_check(o->iface, err, sizeof(err))) {
		pr_warn("%s", err);
		goto out;
	}
	/* The first target names the route before exclusions reorder anything. */
	sw->rt.nexthop = htonl(sw->t.r[0].lo);
	if (o->resume && excl.n) {
		pr_warn("--resume: exclusions were applied when the state was saved; give none");
		goto out;
	}
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
	xs_perm_init(&sw->perm, sw->t.total, o->seed);
	if (sw->slice.end > sw->perm.domain)
		sw->slice.end = sw->perm.domain;
	sw->slice.shards = o->shards;
	sw->slice.shard = o->shard;
	if (o->resume && sw->slice.end != sw->perm.domain) {
		pr_warn("--resume: %s does not match its targets (end %llu, domain %llu)", o->resume,
			(unsigned long long)sw->slice.end, (unsigned long long)sw->perm.domain);
		goto out;
	}
	sw->pos0 = sw->slice.start;
	rc = 0;
out:
	free(files);
	xs_targets_free(&excl);
	return rc;
}

static const char *const fmt_names[] = { "text", "json", "csv", "list", "grep" };

/* Counters of the receive path: summed per-CPU map (XDP) or the pcap path's own. */
static int read_stats(struct sweep *sw, struct xs_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xs_stats *v;
	__u32 zero = 0;
	int err;

	memset(sum, 0, sizeof(*sum));
	if (sw->pc) {
		xs_sweep_pcap_counters(sw->pc, sum);
		sum->rx_valid = sw->ust.rx_valid;
		sum->rx_duplicate = sw->ust.rx_duplicate;
		return 0;
	}
	if (!sw->skel)
		return 0;
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

/* A validated reply, from either receive path: the answer bitmap is the final
 * duplicate filter (the XDP LRU can forget; the pcap path has nothing else). */
static void got_reply(struct sweep *sw, uint32_t addr, unsigned ttl, uint64_t rtt_ns)
{
	uint64_t idx;

	if (!xs_targets_index(&sw->t, ntohl(addr), &idx)) {
		/* Valid cookie for an address we did not sweep: never a result. */
		sw->unexpected++;
		return;
	}
	if (sw->answered[idx / 8] & (1u << (idx % 8))) {
		if (sw->pc)
			sw->ust.rx_duplicate++;
		else
			sw->user_dups++;	/* the XDP LRU forgot it; the bitmap did not */
		return;
	}
	sw->answered[idx / 8] |= (uint8_t)(1u << (idx % 8));
	sw->alive++;
	if (sw->pc)
		sw->ust.rx_valid++;
	xs_out_alive(sw->out, sw->o.fmt, addr, rtt_ns, ttl, wall_ns());
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct xs_event *ev = data;

	if (len >= sizeof(*ev))
		got_reply(ctx, ev->addr, ev->ttl, ev->rtt_ns);
	return 0;
}

static void on_pcap_reply(void *ctx, uint32_t addr, unsigned ttl, uint64_t rtt_ns)
{
	got_reply(ctx, addr, ttl, rtt_ns);
}

/* Take in the replies that are there, waiting up to timeout_ms for the first. */
static void rx_poll(struct sweep *sw, int timeout_ms)
{
	char err[256];

	if (sw->pc) {
		struct pollfd pfd = { .fd = xs_sweep_pcap_fd(sw->pc), .events = POLLIN };

		if (timeout_ms > 0)
			poll(&pfd, 1, timeout_ms);
		/* A busy capture can hold more than one block: empty it. */
		for (int i = 0; i < 64; i++) {
			int n = xs_sweep_pcap_dispatch(sw->pc, on_pcap_reply, sw, err, sizeof(err));

			if (n < 0)
				pr_warn("libpcap: %s", err);
			if (n <= 0)
				break;
		}
	} else if (timeout_ms > 0) {
		ring_buffer__poll(sw->rb, timeout_ms);
	} else {
		ring_buffer__consume(sw->rb);
	}
}

static bool out_of_time(struct sweep *sw)
{
	if (sw->o.timeout_s > 0 && !sw->timed_out && now_s() - sw->t_start >= sw->o.timeout_s) {
		sw->timed_out = true;
		if (!sw->o.quiet)
			pr_warn("timeout: stopping after %.1f s (--timeout)", sw->o.timeout_s);
	}
	return sw->timed_out;
}

static void status_line(struct sweep *sw, bool final)
{
	struct xs_stats st;
	double t = now_s(), el = t - sw->t_round, dt = t - sw->t_last_status;
	double pct = sw->mine ? 100.0 * (double)sw->sent_idx / (double)sw->mine : 100;
	uint64_t sent = sw->snd.st.sent;
	double tx_rate, rx_rate, eta;

	if (!(sw->tty || sw->o.progress) || sw->o.quiet)
		return;
	if (!final && dt < 1.0)
		return;
	read_stats(sw, &st);
	tx_rate = dt > 0 ? (double)(sent - sw->last_sent) / dt : 0;
	rx_rate = dt > 0 ? (double)(st.rx_valid - sw->last_rx) / dt : 0;
	eta = tx_rate > 0 && sw->mine > sw->sent_idx ? (double)(sw->mine - sw->sent_idx) / tx_rate : 0;
	fprintf(stderr, "%s[%6.1fs] sent %5.1f%% %8.0f pps | recv %8.0f pps | hits %llu | "
		"invalid %llu | drops %llu | ETA %.0fs%s",
		sw->tty ? "\r\033[K" : "", el, pct > 100 ? 100 : pct, tx_rate, rx_rate,
		(unsigned long long)sw->alive,
		(unsigned long long)(st.rx_bad_cookie + st.rx_wrong_src),
		(unsigned long long)(st.ev_lost + sw->snd.st.failed), eta,
		sw->tty && !final ? "" : "\n");
	sw->t_last_status = t;
	sw->last_sent = sent;
	sw->last_rx = st.rx_valid;
}

/* The cookie key, then the receive path: XDP when it loads and attaches (per
 * --capture), else libpcap with the same validator. */
static int setup_rx(struct sweep *sw)
{
	uint32_t key[2];
	char ebuf[256];
	int load_err = 0, r, err;
	size_t bufsz;

	if (getrandom(key, sizeof(key), 0) != sizeof(key)) {
		pr_warn("getrandom: %s", strerror(errno));
		return -errno;
	}
	memcpy(sw->probe.key, key, sizeof(key));
	sw->probe.src = sw->rt.src;
	sw->probe.ttl = (uint8_t)sw->o.ttl;

	if (sw->o.capture != XS_MC_PCAP) {
		sw->skel = sweep_bpf__open();
		if (!sw->skel) {
			load_err = -errno;
		} else {
			/* Configuration is read-only data of the BPF program: set before load. */
			sw->skel->rodata->cfg_key[0] = key[0];
			sw->skel->rodata->cfg_key[1] = key[1];
			sw->skel->rodata->cfg_src = sw->rt.src;
			load_err = sweep_bpf__load(sw->skel);
		}
		if (load_err && sw->o.capture == XS_MC_XDP)
			pr_warn("cannot load the sweep BPF program: %s (needs CAP_BPF; -vv for details)",
				strerror(-load_err));
		if (load_err && sw->o.capture == XS_MC_XDP)
			return load_err;
	}
	r = xs_mc_attach(sw->skel && !load_err ? sw->skel->progs.xs_sweep : NULL, load_err,
			 sw->rt.ifname, sw->rt.ifindex, sw->o.xdp_mode, sw->o.capture, &sw->xdp);
	if (r < 0)
		return r;
	if (r == 1) {
		sweep_bpf__destroy(sw->skel);
		sw->skel = NULL;
		/* Room for about two seconds of replies at the probe rate (4-128 MiB). */
		bufsz = (size_t)((sw->o.rate > 0 ? sw->o.rate : 1e6) * 128 * 2);
		bufsz = bufsz < (4u << 20) ? 4u << 20 : bufsz > (128u << 20) ? 128u << 20 : bufsz;
		sw->pc = xs_sweep_pcap_open(sw->rt.ifname, sw->rt.src, key, bufsz, ebuf, sizeof(ebuf));
		if (!sw->pc) {
			pr_warn("libpcap: %s", ebuf);
			return -EIO;
		}
		return 0;
	}

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

/* Token bucket: wait (taking in replies) until the next probe may leave. Each probe
 * sent moves next_ns on by 1/rate (charge()); the bucket holds at most 50 ms of probes
 * (or one batch): a short stall (scheduling on a busy machine) is made up for, a long
 * one is not paid back with a burst. */
static void pace(struct sweep *sw, unsigned batch)
{
	uint64_t now = mono_ns(), per = (uint64_t)(1e9 / sw->o.rate);
	uint64_t burst = per * (batch > sw->o.rate / 20 ? batch : (uint64_t)(sw->o.rate / 20));

	if (now > sw->next_ns + burst)
		sw->next_ns = now - burst;
	while (!stop && now < sw->next_ns) {
		uint64_t left = sw->next_ns - now;

		if (left > 2000000) {
			rx_poll(sw, (int)((left - 1000000) / 1000000));
			fflush(sw->out);
			status_line(sw, false);
		} else {
			struct timespec ts = { .tv_sec = (time_t)(sw->next_ns / 1000000000u),
					       .tv_nsec = (long)(sw->next_ns % 1000000000u) };

			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		now = mono_ns();
	}
}

static void charge(struct sweep *sw, unsigned n)
{
	sw->next_ns += (uint64_t)(1e9 / sw->o.rate) * n;
}

/* Probe the targets of this run's slice, in permutation order: all of them (attempt 0)
 * or only those that have not answered (retries). Replies are taken in between
 * batches so output streams. */
static int send_pass(struct sweep *sw, unsigned attempt)
{
	const int l3 = sw->o.path == XS_PATH_RAW;
	const unsigned len = l3 ? XS_ICMP_L3_LEN : XS_ICMP_FRAME_LEN;
	/* At a set rate, batches of about half a millisecond of probes. */
	unsigned batch = sw->o.rate > 0 ? (unsigned)(sw->o.rate / 2000) : BATCH;
	uint64_t pos = sw->slice.start, idx;
	double t0 = now_s();
	bool more = true;
	int err;

	batch = batch < 1 ? 1 : batch > BATCH ? BATCH : batch;
	sw->sent_idx = 0;
	sw->next_ns = mono_ns();
	while (more && !stop && !out_of_time(sw)) {
		uint64_t tx;
		unsigned n = 0;

		if (sw->o.rate > 0)
			pace(sw, batch);
		if (stop)
			break;
		tx = mono_ns();
		while (n < batch && (more = xs_perm_next(&sw->perm, &sw->slice, &pos, &idx))) {
			uint32_t dst;
			unsigned id;
			uint8_t *buf;

			sw->sent_idx++;
			if (attempt && (sw->answered[idx / 8] & (1u << (idx % 8))))
				continue;
			dst = htonl(xs_targets_addr(&sw->t, idx));
			/* Each probe of a target has its own attempt number, hence its own cookie. */
			for (unsigned k = 0; k < sw->o.probes; k++) {
				sw->probe.attempt = attempt * sw->o.probes + k;
				buf = xs_sender_buf(&sw->snd, &id);
				if (!buf)
					return -EIO;
				xs_icmp_make(&sw->probe, buf, dst, tx, l3);
				if ((err = xs_sender_push(&sw->snd, id, len, dst)))
					return err;
				n++;
			}
		}
		if (!attempt)
			sw->pos0 = pos;
		if (sw->o.rate > 0)
			charge(sw, n);
		if ((err = xs_sender_flush(&sw->snd)))
			return err;
		rx_poll(sw, 0);
		fflush(sw->out);
		status_line(sw, false);
	}
	if (!attempt && !more)
		sw->pass0_done = true;
	err = xs_sender_drain(&sw->snd);
	sw->send_secs += now_s() - t0;
	return err;
}

/* Wait for late replies: secs, cut short by a signal (after the first, only `grace`
 * seconds are left) or by --timeout. */
static void cooldown(struct sweep *sw, double secs)
{
	double deadline = now_s() + secs;
	bool interrupted = false;

	while (stop < 2) {
		double left;

		if (stop && !interrupted) {
			interrupted = true;
			if (deadline > now_s() + INT_GRACE)
				deadline = now_s() + INT_GRACE;
		}
		if (out_of_time(sw))
			break;
		left = deadline - now_s();
		if (left <= 0)
			break;
		rx_poll(sw, left > 0.1 ? 100 : (int)(left * 1000) + 1);
		fflush(sw->out);
		status_line(sw, false);
	}
	rx_poll(sw, 0);
	fflush(sw->out);
}

/* One round: a pass over every target, retries of the silent ones, the cooldown. */
static int run_round(struct sweep *sw)
{
	struct xs_stats st;
	int err;

	if (sw->skel)
		sw->skel->bss->sweep_round = sw->round;
	if (sw->pc)
		xs_sweep_pcap_set_round(sw->pc, sw->round);
	sw->probe.round = sw->round;
	memset(sw->answered, 0, (size_t)((sw->t.total + 7) / 8));
	sw->alive = 0;
	sw->t_round = sw->t_last_status = now_s();
	sw->last_sent = sw->snd.st.sent;
	read_stats(sw, &st);
	sw->last_rx = st.rx_valid;

	for (unsigned attempt = 0; attempt <= sw->o.retries && !stop && !out_of_time(sw); attempt++) {
		if (attempt) {
			/* Give first replies a moment before re-probing the silent targets. */
			cooldown(sw, sw->o.wait_s < RETRY_WAIT ? sw->o.wait_s : RETRY_WAIT);
			if (sw->alive == sw->mine || stop || out_of_time(sw))
				break;
		}
		if ((err = send_pass(sw, attempt)))
			return err;
	}
	cooldown(sw, stop ? INT_GRACE : sw->o.wait_s);
	status_line(sw, true);
	return 0;
}

/* Is target i probed by this run? (Every target unless shards or a resume split.) */
static bool is_mine(struct sweep *sw, uint64_t i)
{
	if (sw->slice.shards == 1 && sw->slice.start == 0 && sw->slice.end >= sw->perm.domain)
		return true;
	return xs_perm_mine(&sw->perm, &sw->slice, i);
}

/* Targets of the slice: counted once (a walk of the permutation's inverse). */
static uint64_t count_mine(struct sweep *sw)
{
	uint64_t n = 0;

	if (sw->slice.shards == 1 && sw->slice.start == 0 && sw->slice.end >= sw->perm.domain)
		return sw->t.total;
	for (uint64_t i = 0; i < sw->t.total; i++)
		n += xs_perm_mine(&sw->perm, &sw->slice, i);
	return n;
}

static void report_round(struct sweep *sw)
{
	uint64_t inactive = 0, w = wall_ns();

	for (uint64_t i = 0; i < sw->t.total; i++) {
		bool up = sw->answered[i / 8] & (1u << (i % 8));
		uint32_t a;

		if (up || !is_mine(sw, i))
			continue;
		/* An interrupted first part leaves its unprobed targets to the resumed part. */
		if (!sw->pass0_done && xs_perm_inv(&sw->perm, i) >= sw->pos0)
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
	char rate[32], slice[64] = "";
	uint64_t recv = 0, drop = 0, ifdrop = 0;

	if (sw->o.quiet)
		return;
	read_stats(sw, &st);
	if (sw->o.rate > 0)
		snprintf(rate, sizeof(rate), "%.0f/s", sw->o.rate);
	else
		snprintf(rate, sizeof(rate), "max");
	if (sw->slice.shards > 1)
		snprintf(slice, sizeof(slice), ", shard %u of %u", sw->slice.shard, sw->slice.shards);
	fprintf(stderr,
		"summary: targets %llu, rounds %u, sent %llu, replies %llu, alive %llu, inactive %llu\n"
		"summary: invalid %llu (bad cookie %llu, wrong source %llu, unexpected %llu), "
		"duplicates %llu, late %llu, lost events %llu\n"
		"summary: send errors %llu (ENOBUFS %llu, EAGAIN %llu, short %llu, other %llu; "
		"all retried), failed %llu\n"
		"summary: duration %.3f s, sending %.3f s, %.0f probes/s while sending (rate %s), "
		"seed %" PRIu64 "%s\n",
		(unsigned long long)sw->mine, sw->rounds_done,
		(unsigned long long)s->sent, (unsigned long long)(st.rx_valid + st.rx_duplicate),
		(unsigned long long)sw->tot_alive, (unsigned long long)sw->tot_inactive,
		(unsigned long long)(st.rx_bad_cookie + st.rx_wrong_src + sw->unexpected),
		(unsigned long long)st.rx_bad_cookie, (unsigned long long)st.rx_wrong_src,
		(unsigned long long)sw->unexpected,
		(unsigned long long)(st.rx_duplicate + sw->user_dups), (unsigned long long)st.rx_late,
		(unsigned long long)st.ev_lost,
		(unsigned long long)(s->enobufs + s->eagain + s->short_sends + s->other_errors),
		(unsigned long long)s->enobufs, (unsigned long long)s->eagain,
		(unsigned long long)s->short_sends, (unsigned long long)s->other_errors,
		(unsigned long long)s->failed, dur, sw->send_secs,
		sw->send_secs > 0 ? (double)s->sent / sw->send_secs : 0, rate, sw->o.seed, slice);
	if (sw->pc) {
		xs_sweep_pcap_drops(sw->pc, &recv, &drop, &ifdrop);
		fprintf(stderr, "summary: capture pcap on %s (received %llu, dropped %llu, "
			"interface dropped %llu), send %s, send path %s\n", sw->rt.ifname,
			(unsigned long long)recv, (unsigned long long)drop, (unsigned long long)ifdrop,
			xs_send_api_str(&sw->snd), sw->o.path == XS_PATH_RAW ? "raw" : "packet");
	} else {
		fprintf(stderr, "summary: capture XDP %s on %s, send %s, send path %s\n",
			xs_xdp_mode_str(sw->xdp.mode), sw->rt.ifname, xs_send_api_str(&sw->snd),
			sw->o.path == XS_PATH_RAW ? "raw" : "packet");
	}
}

/* SIGINT before the first pass ended: save where it stopped. */
static void save_state(struct sweep *sw)
{
	struct xs_sweep_state st = {
		.seed = sw->o.seed, .shards = sw->slice.shards, .shard = sw->slice.shard,
		.position = sw->pos0, .end = sw->slice.end, .rate = sw->o.rate,
		.retries = sw->o.retries, .probes = sw->o.probes, .ttl = sw->o.ttl, .wait_s = sw->o.wait_s,
		.inactive = sw->o.inactive,
	};
	int err;

	snprintf(st.format, sizeof(st.format), "%s", fmt_names[sw->o.fmt]);
	if (sw->o.iface)
		snprintf(st.iface, sizeof(st.iface), "%s", sw->o.iface);
	if (sw->o.source)
		snprintf(st.source, sizeof(st.source), "%.15s", sw->o.source);
	err = xs_state_write(sw->o.state_file, &st, &sw->t);
	if (err) {
		pr_warn("cannot save the resume state to %s: %s", sw->o.state_file, strerror(-err));
		return;
	}
	pr_warn("interrupted: %llu of %llu positions done; state saved, resume with: "
		"xsweep sweep --resume %s", (unsigned long long)(sw->pos0 - sw->slice.start),
		(unsigned long long)(sw->slice.end - sw->slice.start), sw->o.state_file);
}

/* --dry-run: the probes of the first pass, in order, with their cookies. */
static int dry_run(struct sweep *sw)
{
	uint64_t pos = sw->slice.start, idx, n = 0;
	char a[INET_ADDRSTRLEN];

	if (getrandom(sw->probe.key, sizeof(sw->probe.key), 0) != sizeof(sw->probe.key)) {
		pr_warn("getrandom: %s", strerror(errno));
		return XS_EXIT_ERROR;
	}
	while (xs_perm_next(&sw->perm, &sw->slice, &pos, &idx)) {
		uint32_t dst = htonl(xs_targets_addr(&sw->t, idx));
		uint32_t c = xs_cookie(sw->probe.key, dst, sw->rt.src, XS_PROBE_ICMP_ECHO, 0, 0);

		inet_ntop(AF_INET, &dst, a, sizeof(a));
		fprintf(sw->out, "%s cookie 0x%08x\n", a, c);
		n++;
	}
	inet_ntop(AF_INET, &sw->rt.src, a, sizeof(a));
	if (!sw->o.quiet)
		fprintf(stderr, "dry run: %llu probes from %s, seed %" PRIu64 ", shard %u of %u; "
			"nothing sent\n", (unsigned long long)n, a, sw->o.seed, sw->slice.shard,
			sw->slice.shards);
	return fflush(sw->out) ? XS_EXIT_ERROR : XS_EXIT_OK;
}

static void cleanup(struct sweep *sw)
{
	xs_sender_close(&sw->snd);
	ring_buffer__free(sw->rb);
	xs_sweep_pcap_close(sw->pc);
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
	if (sw.o.dry_run) {
		/* The source address is a cookie input: from -S, else the route (a netlink
		 * query, no packets). */
		uint32_t src;

		if (sw.o.source && !xs_parse_ipv4(sw.o.source, &src)) {
			sw.rt.src = htonl(src);
		} else if (sw.o.source) {
			pr_warn("--source: '%s' is not an IPv4 address", sw.o.source);
			goto out;
		} else if (xs_route_get(sw.rt.nexthop, &sw.rt)) {
			pr_warn("dry run: no route to the first target; give the source with -S");
			goto out;
		}
		rc = dry_run(&sw);
		goto out;
	}
	sw.answered = calloc((size_t)((sw.t.total + 7) / 8), 1);
	if (!sw.answered) {
		pr_warn("out of memory for %llu targets", (unsigned long long)sw.t.total);
		goto out;
	}
	if (setup_route(&sw))
		goto out;
	sw.mine = count_mine(&sw);

	stop = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (setup_rx(&sw))
		goto out;
	err = xs_sender_open(&sw.snd, sw.o.path, sw.o.api, sw.rt.ifindex, sw.o.depth);
	if (err) {
		pr_warn("cannot set up the %s sender on %s: %s",
			sw.o.api == XS_SEND_MMSG ? "sendmmsg" : "io_uring", sw.rt.ifname,
			strerror(-err));
		goto out;
	}
	/* The template needs the key and source set up by setup_rx(). */
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
		if (stop && sw.o.every_s > 0)
			break;	/* an interrupted round of a periodic sweep is not reported */
		report_round(&sw);
		if (stop || sw.o.every_s <= 0 || out_of_time(&sw))
			break;
		/* Keep this round to report changes after the next one. */
		if (!sw.prev && !(sw.prev = malloc((size_t)((sw.t.total + 7) / 8))))
			goto out;
		memcpy(sw.prev, sw.answered, (size_t)((sw.t.total + 7) / 8));
		for (double until = sw.t_round + sw.o.every_s; !stop && now_s() < until;) {
			if (out_of_time(&sw))
				break;
			usleep(20000);
		}
		if (stop || sw.timed_out)
			break;
	}
	summary(&sw);
	if (stop && sw.o.every_s <= 0 && !sw.pass0_done)
		save_state(&sw);
	else if (stop && sw.o.every_s <= 0 && !sw.o.quiet)
		pr_warn("interrupted after every target was probed: nothing to resume");
	rc = stop && sw.o.every_s <= 0 ? 130 : XS_EXIT_OK;
out:
	cleanup(&sw);
	return rc;
}
