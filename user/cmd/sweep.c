/* sweep.c - `xsweep sweep`: options, targets and resume state, then the engine.
 *
 * Every option is one entry of sweep_opts[] below (user/util/opts.h): that entry is its
 * parser, its --help text and, flagged XS_OPT_SAVE, its line in the resume file
 * (scan/sweep_state.c). The sweep itself is user/scan/engine.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/random.h>

#include "cmd/commands.h"
#include "net/netlink.h"
#include "net/xdp_attach.h"
#include "probe/probe.h"
#include "recv/recv.h"
#include "scan/engine.h"
#include "scan/output.h"
#include "scan/sweep_state.h"
#include "scan/watch.h"
#include "send/send.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/opts.h"
#include "util/parse.h"
#include "util/privs.h"

#define DEFAULT_STATE_FILE "xsweep.resume"

/* What the option table fills: the engine's options plus the target inputs. */
struct sweep_args {
	struct xs_sweep_opts o;
	struct xs_targets excl;
	const char **files;		/* -iL FILE... */
	int nfiles;
	uint16_t *ports;		/* -p, sorted, each once */
	unsigned nports;
	bool loading;			/* reading a resume file: its values are the defaults */
	const char *history;		/* --history FILE */
	const char *metrics_listen;	/* --metrics-listen ADDR:PORT */
	unsigned metrics_hosts;		/* --metrics-hosts N */
	bool resuming;			/* the command line of a resumed sweep */
};

/* getopt reads nmap's "-iL FILE" as -i with the value "L" (and "-iLFILE" as "LFILE");
 * -i looks back at argv to tell them apart. */
static char **cur_argv;
static int cur_argc;

static int add_file(struct sweep_args *a, const char *path)
{
	const char **f = realloc(a->files, (size_t)(a->nfiles + 1) * sizeof(*f));

	if (!f)
		return -ENOMEM;
	a->files = f;
	a->files[a->nfiles++] = path;
	return 0;
}

static int opt_input_file(void *obj, const char *arg, char *err, size_t len)
{
	(void)err, (void)len;
	return add_file(obj, arg);
}

static int opt_iface(void *obj, const char *arg, char *err, size_t len)
{
	struct sweep_args *a = obj;

	if (arg[0] == 'L' && cur_argv && optind > 0 && optind <= cur_argc &&
	    !strncmp(cur_argv[optind - 1], "-iL", 3)) {
		if (arg[1])
			return add_file(a, arg + 1);
		if (optind >= cur_argc) {
			snprintf(err, len, "-iL needs a file name");
			return -EINVAL;
		}
		return add_file(a, cur_argv[optind++]);
	}
	a->o.iface = arg;
	return 0;
}

static int save_iface(FILE *f, const struct xs_opt *o, const void *obj)
{
	const struct sweep_args *a = obj;

	return a->o.iface ? xs_opts_save_value(f, o, a->o.iface) : 0;
}

/* -S: an IPv4 or an IPv6 address (one of each at most). */
static int opt_source(void *obj, const char *arg, char *err, size_t len)
{
	struct sweep_args *a = obj;
	uint8_t buf[16];
	uint32_t v4;
	bool v6 = strchr(arg, ':');

	if (v6 ? inet_pton(AF_INET6, arg, buf) != 1 : xs_parse_ipv4(arg, &v4) != 0) {
		snprintf(err, len, "'%s' is not an IPv4 or IPv6 address", arg);
		return -EINVAL;
	}
	*(v6 ? &a->o.source6 : &a->o.source4) = arg;
	return 0;
}

static int save_source(FILE *f, const struct xs_opt *o, const void *obj)
{
	const struct sweep_args *a = obj;
	int err = 0;

	if (a->o.source4)
		err = xs_opts_save_value(f, o, a->o.source4);
	if (!err && a->o.source6)
		err = xs_opts_save_value(f, o, a->o.source6);
	return err;
}

static int opt_exclude(void *obj, const char *arg, char *err, size_t len)
{
	struct sweep_args *a = obj;
	char *copy = strdup(arg), *tok, *next;
	int rc = copy ? 0 : -ENOMEM;

	/* Every comma-separated element must be a target: no empty ones. */
	for (tok = copy; tok && !rc; tok = next) {
		if ((next = strchr(tok, ',')))
			*next++ = '\0';
		rc = xs_targets_add(&a->excl, tok, false, err, len);
	}
	free(copy);
	return rc;
}

static int opt_exclude_file(void *obj, const char *arg, char *err, size_t len)
{
	struct sweep_args *a = obj;

	return xs_targets_add_file(&a->excl, arg, false, err, len);
}

static int opt_seed(void *obj, const char *arg, char *err, size_t len)
{
	struct sweep_args *a = obj;
	uint64_t v;

	if (xs_parse_u64(arg, 0, UINT64_MAX, &v)) {
		snprintf(err, len, "'%s' is not an unsigned integer", arg);
		return -EINVAL;
	}
	if (a->resuming && v != a->o.seed) {
		snprintf(err, len, "a resumed sweep keeps the seed of its state file");
		return -EINVAL;
	}
	a->o.seed = v;
	a->o.have_seed = true;
	return 0;
}

static int save_seed(FILE *f, const struct xs_opt *o, const void *obj)
{
	const struct sweep_args *a = obj;
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)a->o.seed);
	return xs_opts_save_value(f, o, buf);
}

/* --shards/--shard: a resumed sweep keeps those of its state file. */
static int opt_shard(const char *arg, unsigned lo, unsigned *field, bool resuming, char *err,
		     size_t len)
{
	if (resuming) {
		snprintf(err, len, "a resumed sweep keeps the shard of its state file");
		return -EINVAL;
	}
	if (xs_parse_uint(arg, lo, 65535, field)) {
		snprintf(err, len, "'%s' is not %u-65535", arg, lo);
		return -EINVAL;
	}
	return 0;
}

static int opt_shards(void *obj, const char *arg, char *err, size_t len)
{
	struct sweep_args *a = obj;

	return opt_shard(arg, 1, &a->o.shards, a->resuming, err, len);
}

static int opt_shard_i(void *obj, const char *arg, char *err, size_t len)
{
	struct sweep_args *a = obj;

	return opt_shard(arg, 0, &a->o.shard, a->resuming, err, len);
}

static int save_shards(FILE *f, const struct xs_opt *o, const void *obj)
{
	const struct sweep_args *a = obj;
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", !strcmp(o->name, "shards") ? a->o.shards : a->o.shard);
	return xs_opts_save_value(f, o, buf);
}

/* "22,80,443,8000-8100" -> a sorted set of ports. */
static int parse_ports(const char *arg, uint8_t *set, char *err, size_t len)
{
	char buf[4096], *tok, *next, *dash;
	unsigned lo, hi;

	if (strlen(arg) >= sizeof(buf)) {
		snprintf(err, len, "port list too long");
		return -EINVAL;
	}
	strcpy(buf, arg);
	for (tok = buf; tok; tok = next) {
		if ((next = strchr(tok, ',')))
			*next++ = '\0';
		if ((dash = strchr(tok, '-')))
			*dash++ = '\0';
		if (xs_parse_uint(tok, 1, 65535, &lo) || (dash && xs_parse_uint(dash, 1, 65535, &hi))) {
			snprintf(err, len, "'%s' is not a port or range of ports 1-65535", arg);
			return -EINVAL;
		}
		if (!dash)
			hi = lo;
		if (hi < lo) {
			snprintf(err, len, "range %u-%u ends before it starts", lo, hi);
			return -EINVAL;
		}
		for (unsigned p = lo; p <= hi; p++)
			set[p / 8] |= (uint8_t)(1u << (p % 8));
	}
	return 0;
}

static int opt_ports(void *obj, const char *arg, char *err, size_t len)
{
	struct sweep_args *a = obj;
	uint8_t set[65536 / 8] = { 0 };
	unsigned n = 0;
	int rc;

	for (unsigned i = 0; i < a->nports; i++)
		set[a->ports[i] / 8] |= (uint8_t)(1u << (a->ports[i] % 8));
	if ((rc = parse_ports(arg, set, err, len)))
		return rc;
	free(a->ports);
	a->ports = malloc(65536 * sizeof(*a->ports));
	if (!a->ports)
		return -ENOMEM;
	for (unsigned p = 1; p < 65536; p++)
		if (set[p / 8] & (1u << (p % 8)))
			a->ports[n++] = (uint16_t)p;
	a->nports = n;
	return 0;
}

static int save_ports(FILE *f, const struct xs_opt *o, const void *obj)
{
	const struct sweep_args *a = obj;
	char *buf;
	size_t n = 0;
	int rc;

	if (!a->nports)
		return 0;
	if (!(buf = malloc((size_t)a->nports * 7 + 1)))
		return -ENOMEM;
	for (unsigned i = 0; i < a->nports; i++)
		n += (size_t)sprintf(buf + n, "%s%u", i ? "," : "", a->ports[i]);
	rc = xs_opts_save_value(f, o, buf);
	free(buf);
	return rc;
}

/* --source-port P or LO-HI. */
static int opt_sport(void *obj, const char *arg, char *err, size_t len)
{
	struct sweep_args *a = obj;
	const char *dash = strchr(arg, '-');
	char lo[8] = "";
	unsigned l, h;

	if (dash && (size_t)(dash - arg) < sizeof(lo))
		memcpy(lo, arg, (size_t)(dash - arg));
	if ((dash ? xs_parse_uint(lo, 1, 65535, &l) || xs_parse_uint(dash + 1, 1, 65535, &h) :
		    xs_parse_uint(arg, 1, 65535, &l)) || (dash && h < l)) {
		snprintf(err, len, "'%s' is not a port or a range LO-HI of ports 1-65535", arg);
		return -EINVAL;
	}
	a->o.sport_lo = l;
	a->o.sport_hi = dash ? h : l;
	return 0;
}

static int save_sport(FILE *f, const struct xs_opt *o, const void *obj)
{
	const struct sweep_args *a = obj;
	char buf[16];

	snprintf(buf, sizeof(buf), "%u-%u", a->o.sport_lo, a->o.sport_hi);
	return xs_opts_save_value(f, o, buf);
}

/* --metrics-listen: checked here, bound when the sweep starts. */
static int opt_metrics_listen(void *obj, const char *arg, char *err, size_t len)
{
	struct sweep_args *a = obj;
	struct sockaddr_storage ss;
	socklen_t sslen;

	if (xs_metrics_parse_listen(arg, &ss, &sslen, err, len))
		return -EINVAL;
	a->metrics_listen = arg;
	return 0;
}

static const struct xs_opt_choice capture_choices[] = {
	{ "auto", XS_CAPTURE_AUTO }, { "xdp", XS_CAPTURE_XDP }, { "pcap", XS_CAPTURE_PCAP },
	{ "dgram", XS_CAPTURE_DGRAM }, { NULL, 0 },
};
static const struct xs_opt_choice send_choices[] = {
	{ "auto", XS_SEND_AUTO }, { "uring", XS_SEND_URING }, { "mmsg", XS_SEND_MMSG },
	{ "dgram", XS_SEND_DGRAM }, { "xdp", XS_SEND_XDP }, { NULL, 0 },
};
static const struct xs_opt_choice path_choices[] = {
	{ "packet", XS_PATH_PACKET }, { "raw", XS_PATH_RAW }, { NULL, 0 },
};
static const struct xs_opt_choice xdp_mode_choices[] = {
	{ "auto", XS_XDP_AUTO }, { "native", XS_XDP_NATIVE }, { "generic", XS_XDP_GENERIC },
	{ NULL, 0 },
};

#define A struct sweep_args
static const struct xs_opt sweep_opts[] = {
	XS_SECTION("Targets and output"),
	XS_FUNC("interface", 'i', opt_iface, "IFACE",
		"interface (default: from the route to the first target)",
		.save = save_iface, .flags = XS_OPT_SAVE),
	XS_FUNC("source", 'S', opt_source, "ADDR",
		"source address (default: the route's preferred source); give it twice, an "
		"IPv4 and an IPv6 address, for a sweep of both families", .save = save_source,
		.flags = XS_OPT_SAVE),
	XS_FUNC("input-file", 0, opt_input_file, "FILE",
		"read targets from FILE, one per line ('#' comments); also -iL FILE"),
	XS_FUNC("iL", 0, opt_input_file, "FILE", "nmap's spelling of --input-file",
		.flags = XS_OPT_HIDDEN),
	XS_FUNC("exclude", 0, opt_exclude, "T[,T...]", "skip these targets (repeatable)"),
	XS_FUNC("exclude-file", 0, opt_exclude_file, "FILE", "skip the targets listed in FILE"),
	XS_FLAG("allow-large", 0, A, o.allow_large, "allow sweeping more than 2^24 targets"),
	XS_STR("probe", 0, A, o.probe, "NAME",
	       "probe module: icmp (the default: ICMP echo; a host is alive when it answers) "
	       "or tcp-syn (the default with -p)", .flags = XS_OPT_SAVE),
	XS_FUNC("ports", 'p', opt_ports, "PORTS",
		"TCP SYN to these ports of every address (22,80,443,8000-8100): each (address, "
		"port) pair is a target; open on SYN-ACK, closed on RST", .save = save_ports,
		.flags = XS_OPT_SAVE),
	XS_FUNC("source-port", 0, opt_sport, "P[-Q]",
		"TCP source port, or a range to pick from per target (default 32768-60999)",
		.save = save_sport, .flags = XS_OPT_SAVE),
	XS_FLAG("no-reset", 0, A, o.no_reset,
		"do not end half-open connections: by default xsweep answers each SYN-ACK "
		"with an RST, so targets do not retransmit", .flags = XS_OPT_SAVE),
	XS_FLAG("closed", 0, A, o.closed, "also print closed ports (RST)", .flags = XS_OPT_SAVE),
	XS_FLAG("filtered", 0, A, o.filtered,
		"also print the ports that did not answer (filtered)", .flags = XS_OPT_SAVE),
	XS_STR("output-file", 'o', A, o.outfile, "FILE",
	       "write results to FILE instead of stdout (a resumed sweep appends)",
	       .flags = XS_OPT_SAVE),
	XS_ENUM("output-format", 'O', A, o.fmt, NULL, xs_fmt_choices,
		"text (default: '198.18.0.2 is alive'), json (JSON Lines), csv, list "
		"(addresses only), grep (nmap grepable)", .flags = XS_OPT_SAVE),
	XS_FLAG("inactive", 0, A, o.inactive,
		"also list the targets that did not answer, and their total", .flags = XS_OPT_SAVE),
	XS_DUR("every", 0, A, o.every_s, "DUR",
	       "re-sweep every DUR (e.g. 10s) until interrupted, reporting the hosts that "
	       "went down or came up", .min = 1),
	XS_STR("summary-json", 0, A, o.summary_json, "FILE",
	       "at the end write the run's figures (the summary lines' counters, times, rate, "
	       "seed, paths) to FILE as one JSON object, also with -q"),
	XS_FLAG("progress", 0, A, o.progress,
		"status line every second even when stderr is not a tty"),
	XS_FLAG("quiet", 'q', A, o.quiet, "no status line and no summary"),
	XS_SECTION("Rate and time"),
	XS_RATE("rate", 0, A, o.rate, "PPS",
		"probes per second, paced by a token bucket: 500, 20k, 1.5M, or 'max' (as fast "
		"as the machine goes). Default 10k, zmap's default, which a LAN absorbs",
		.flags = XS_OPT_SAVE),
	XS_UINT("retries", 0, A, o.retries, "N", 0, XS_MAX_ATTEMPT,
		"after the first pass and a short wait (0.5 s, or --wait if shorter) re-probe "
		"only the targets that did not answer, N times (default 0); each retry carries "
		"a fresh cookie", .flags = XS_OPT_SAVE),
	XS_UINT("probes", 0, A, o.probes, "N", 1, XS_MAX_ATTEMPT + 1,
		"probes per target in each pass (default 1, like zmap -P), each with its own "
		"cookie; extra replies count as duplicates", .flags = XS_OPT_SAVE),
	XS_DUR("wait", 0, A, o.wait_s, "DUR",
	       "cooldown after the last probe for late replies (default 2s; 0 ends at once)",
	       .flags = XS_OPT_SAVE),
	XS_DUR("timeout", 0, A, o.timeout_s, "DUR",
	       "bound the whole sweep (sending, retries and cooldown)", .min = 1),
	XS_SECTION("Order, shards and resume"),
	XS_FUNC("seed", 0, opt_seed, "N",
		"targets are visited in a keyed pseudo-random order (a Feistel permutation; "
		"memory: one bit per target); the same seed gives the same order (default: "
		"random)", .save = save_seed, .flags = XS_OPT_SAVE),
	XS_FUNC("shards", 0, opt_shards, "N",
		"with --shard I: probe only slice I (0..N-1) of the order; N machines with the "
		"same targets and --seed cover every target exactly once, and concatenating "
		"their JSON Lines output merges them", .save = save_shards, .flags = XS_OPT_SAVE),
	XS_FUNC("shard", 0, opt_shard_i, "I", "this machine's slice (see --shards)",
		.save = save_shards, .flags = XS_OPT_SAVE),
	XS_FLAG("dry-run", 0, A, o.dry_run,
		"print the probes (address and cookie) in order; send nothing. Needs no "
		"privileges"),
	XS_STR("state-file", 0, A, o.state_file, "FILE",
	       "where SIGINT saves the resume state (default " DEFAULT_STATE_FILE ")"),
	XS_STR("resume", 0, A, o.resume, "FILE",
	       "continue an interrupted sweep from FILE: targets, seed, shard, position and "
	       "options come from FILE (options given here win); both parts together probe "
	       "every target exactly once. The resumed part uses a new cookie key"),
	XS_SECTION("Paths"),
	XS_ENUM("capture", 0, A, o.capture, NULL, capture_choices,
		"auto (default: XDP, falling back to libpcap with a notice when XDP cannot "
		"attach), xdp, or pcap; both validate replies with the same code. dgram: ICMP "
		"datagram sockets send and receive (no privileges, see --send)"),
	XS_ENUM("send", 0, A, o.send_api, NULL, send_choices,
		"auto (default: io_uring, falling back to sendmmsg with a notice when io_uring "
		"is disabled; at --rate max, XDP first where the interface can transmit XDP "
		"frames), uring, mmsg, or xdp (whole frames through XDP live frames: no skb, no "
		"socket; refused where they cannot arrive). dgram: ICMP echo through ICMP "
		"datagram (\"ping\") sockets, sent and received by the kernel: no privileges "
		"needed where net.ipv4.ping_group_range allows them; auto picks it, with a "
		"notice, when packet sockets are not allowed"),
	XS_ENUM("send-path", 0, A, o.send_path, NULL, path_choices,
		"packet (AF_PACKET with PACKET_QDISC_BYPASS, default) or raw (raw IPv4 socket)"),
	XS_ENUM("xdp-mode", 0, A, o.xdp_mode, NULL, xdp_mode_choices,
		"XDP attach mode (default auto: native, else generic)"),
	XS_UINT("ring-depth", 0, A, o.depth, "N", 8, 4096,
		"io_uring entries / packets in flight (default 256)"),
	XS_UINT("sender-threads", 'T', A, o.sender_threads, "N", 1, 16,
		"threads sending probes, each with its own socket and ring, on the io_uring and "
		"sendmmsg senders (default: one per CPU, at most 4, at --rate max; else 1); "
		"--rate is shared between them"),
	XS_UINT("ttl", 0, A, o.ttl, "N", 1, 255, "IP TTL of the probes (default 64)",
		.flags = XS_OPT_SAVE),
	XS_FLAG("keep-maps", 0, A, o.keep_maps, "leave the pinned maps for inspection after exit"),
	XS_SECTION("History and metrics"),
	XS_STR("history", 0, A, history, "FILE",
	       "record every round in the SQLite file FILE (created if missing): its counts and "
	       "each change of state; read it with 'xsweep history FILE' (WAL mode: readable "
	       "while the sweep writes)"),
	XS_FUNC("metrics-listen", 0, opt_metrics_listen, "ADDR:PORT",
		"with --every: serve Prometheus metrics on http://ADDR:PORT/metrics ([ADDR]:PORT "
		"for IPv6; PORT alone binds 127.0.0.1)"),
	XS_UINT("metrics-hosts", 0, A, metrics_hosts, "N", 0, 1u << 24,
		"per-host up and RTT series for sweeps of at most N addresses (default 256); "
		"a larger sweep serves aggregates only"),
	XS_OPTS_END
};
#undef A

static const struct xs_cmd_opts sweep_cmd = {
	.cmd = "sweep",
	.usage = "xsweep sweep [OPTIONS] TARGET...\n       xsweep sweep --resume FILE [OPTIONS]",
	.about = "Detect which hosts of a range answer (alive) and which do not. Probes go out\n"
		 "in io_uring batches; an XDP program validates each reply's keyed cookie and\n"
		 "counts it in BPF maps pinned under " XS_PIN_DIR "/.\n\n"
		 "Targets: 198.18.0.0/16, 198.18.0.2-4, 198.18.0.2-198.18.3.7, 198.18.0.9, host\n"
		 "names (resolved once), -iL FILE. Overlaps are probed once; 0.0.0.0/8,\n"
		 "224.0.0.0/4, 240.0.0.0/4 and 255.255.255.255 are always skipped.",
	.footer = "Durations: 500ms, 2s, 1m or plain seconds. Needs CAP_NET_RAW, CAP_NET_ADMIN,\n"
		  "CAP_BPF and CAP_PERFMON (root, or 'make setcap'); --capture pcap needs no\n"
		  "CAP_BPF. Without any, ICMP echo sweeps use ICMP datagram sockets where\n"
		  "net.ipv4.ping_group_range allows them. Exit status: 0 done (also when --timeout\n"
		  "ends it), 2 error, 130 interrupted (one-shot sweep).",
	.opts = sweep_opts,
	.min_args = 0,
	.max_args = -1,
};

void usage_sweep(FILE *out)
{
	xs_opts_usage(out, &sweep_cmd);
}

static void args_defaults(struct sweep_args *a)
{
	free(a->files);
	free(a->ports);
	xs_targets_free(&a->excl);
	memset(a, 0, sizeof(*a));
	a->o.fmt = XS_FMT_TEXT;
	a->o.wait_s = XS_DEFAULT_WAIT;
	a->o.depth = 256;
	a->o.ttl = 64;
	a->o.probes = 1;
	a->o.rate = XS_DEFAULT_RATE;
	a->o.shards = 1;
	a->o.state_file = DEFAULT_STATE_FILE;
	a->o.sport_lo = 32768;
	a->o.sport_hi = 60999;
	a->metrics_hosts = 256;
}

static int parse(struct sweep_args *a, int argc, char **argv)
{
	int rc;

	cur_argv = argv;
	cur_argc = argc;
	rc = xs_opts_parse(&sweep_cmd, a, argc, argv);
	cur_argv = NULL;
	return rc;
}

/* Options, with a resume file's values as the defaults when --resume is given: a
 * first pass finds --resume, the file is loaded, then the command line wins. */
static int parse_options(struct sweep_args *a, struct xs_sweep_job *j, int argc, char **argv)
{
	const char *resume;
	int rc;

	args_defaults(a);
	if ((rc = parse(a, argc, argv)) != XS_CONTINUE || !a->o.resume)
		return rc;
	resume = a->o.resume;
	args_defaults(a);
	a->loading = true;
	if (xs_state_read(resume, &sweep_cmd, a, &j->slice.start, &j->slice.end, &j->t))
		return XS_EXIT_ERROR;
	a->loading = false;
	a->resuming = true;
	a->o.append = a->o.outfile != NULL;
	if ((rc = parse(a, argc, argv)) != XS_CONTINUE)
		return rc;
	if (optind < argc || a->nfiles) {
		pr_warn("--resume takes the targets from %s; give no targets", resume);
		return XS_EXIT_ERROR;
	}
	if (a->excl.n) {
		pr_warn("--resume: exclusions were applied when the state was saved; give none");
		return XS_EXIT_ERROR;
	}
	return XS_CONTINUE;
}

/* The probe module (-p implies tcp-syn) and the combinations it allows. */
static int check_probe(struct sweep_args *a, struct xs_sweep_job *j)
{
	struct xs_sweep_opts *o = &a->o;

	j->m = xs_probe_find(o->probe ? o->probe : a->nports ? "tcp-syn" : "icmp");
	if (!j->m) {
		pr_warn("--probe: '%s' is not a probe module (icmp, tcp-syn)", o->probe);
		return -EINVAL;
	}
	if (j->m->ports && !a->nports) {
		pr_warn("--probe %s needs the ports to probe: -p PORTS", j->m->name);
		return -EINVAL;
	}
	if (!j->m->ports && (a->nports || o->closed || o->filtered)) {
		pr_warn("--probe %s has no ports: -p, --closed and --filtered need -p (tcp-syn)",
			j->m->name);
		return -EINVAL;
	}
	if (o->fmt == XS_FMT_LIST && (o->inactive || o->closed || o->filtered)) {
		pr_warn("-O list lists what answered; use text, json, csv or grep with "
			"--inactive, --closed or --filtered");
		return -EINVAL;
	}
	if ((o->capture == XS_CAPTURE_DGRAM || o->send_api == XS_SEND_DGRAM) &&
	    (!j->m->fill_dgram || o->send_path == XS_PATH_RAW || o->keep_maps ||
	     (o->capture != XS_CAPTURE_DGRAM && o->capture != XS_CAPTURE_AUTO) ||
	     (o->send_api != XS_SEND_DGRAM && o->send_api != XS_SEND_AUTO))) {
		pr_warn("ICMP datagram sockets send and receive ICMP echo only, without BPF maps: "
			"--capture dgram and --send dgram go together, with none of -p, "
			"--send-path raw and --keep-maps");
		return -EINVAL;
	}
	if (o->dry_run && o->summary_json) {
		pr_warn("--dry-run sends nothing: --summary-json does not apply");
		return -EINVAL;
	}
	if (o->dry_run && o->fmt != XS_FMT_TEXT) {
		pr_warn("--dry-run prints the probes as text; -O does not apply");
		return -EINVAL;
	}
	j->ports = j->m->ports ? a->ports : NULL;
	j->nports = j->m->ports ? a->nports : 1;
	return 0;
}

/* Cross-option rules. */
static int check_options(struct sweep_args *a, struct xs_sweep_job *j)
{
	struct xs_sweep_opts *o = &a->o;
	char why[256];

	if (check_probe(a, j))
		return -EINVAL;
	if (o->shard >= o->shards) {
		pr_warn("--shard %u: shards are numbered 0 to %u", o->shard, o->shards - 1);
		return -EINVAL;
	}
	if (o->shards > 1 && !o->have_seed) {
		pr_warn("--shards needs --seed N, the same on every machine (or they overlap)");
		return -EINVAL;
	}
	if (a->metrics_listen && o->every_s <= 0) {
		pr_warn("--metrics-listen serves the metrics of a periodic sweep: it needs --every");
		return -EINVAL;
	}
	if (o->dry_run && (a->history || a->metrics_listen)) {
		pr_warn("--dry-run sends nothing: --history and --metrics-listen have nothing to record");
		return -EINVAL;
	}
	if (o->every_s > 0 && o->resume) {
		pr_warn("--resume continues a one-shot sweep; it does not combine with --every");
		return -EINVAL;
	}
	if ((o->retries + 1) * o->probes > XS_MAX_ATTEMPT + 1) {
		pr_warn("--probes %u with --retries %u needs %u cookies per target; at most %d",
			o->probes, o->retries, (o->retries + 1) * o->probes, XS_MAX_ATTEMPT + 1);
		return -EINVAL;
	}
	if (o->iface && xs_ifname_check(o->iface, why, sizeof(why))) {
		pr_warn("%s", why);
		return -EINVAL;
	}
	if (!o->have_seed && getrandom(&o->seed, sizeof(o->seed), 0) != sizeof(o->seed)) {
		pr_warn("getrandom: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* Targets from the arguments and -iL files (a resumed sweep has them already). */
static int add_targets(struct sweep_args *a, struct xs_sweep_job *j, int argc, char **argv)
{
	char err[512];
	int n = 0;

	for (int i = optind; i < argc; i++, n++)
		if (xs_targets_add(&j->t, argv[i], true, err, sizeof(err))) {
			pr_warn("%s (argument %d)", err, n + 1);
			return -EINVAL;
		}
	for (int i = 0; i < a->nfiles; i++, n++)
		if (xs_targets_add_file(&j->t, a->files[i], true, err, sizeof(err))) {
			pr_warn("%s", err);
			return -EINVAL;
		}
	if (!j->t.n) {
		pr_warn("no targets given (see 'xsweep help sweep')");
		return -EINVAL;
	}
	return 0;
}

/* Merge, exclude, count; the order (permutation) and this run's slice. */
static int finish_targets(struct sweep_args *a, struct xs_sweep_job *j)
{
	uint64_t reserved = 0, end = j->slice.end;

	/* The first target of each family names its route, before merging reorders. */
	for (size_t i = 0; i < j->t.n; i++) {
		struct xs_ip ip = xs_ip_from_u128(j->t.r[i].lo);
		bool v6 = ip.family == XS_AF_INET6;

		if (!(v6 ? j->path.has6 : j->path.has4))
			*(v6 ? &j->path.first6 : &j->path.first4) = ip;
		*(v6 ? &j->path.has6 : &j->path.has4) = true;
	}
	j->path.iface = a->o.iface;
	j->path.source4 = a->o.source4;
	j->path.source6 = a->o.source6;
	j->path.macs = a->o.send_path == XS_PATH_PACKET;
	if (j->path.has6 && a->o.send_path == XS_PATH_RAW) {
		pr_warn("--send-path raw is IPv4 only; IPv6 targets need the packet path");
		return -EINVAL;
	}
	if (xs_targets_finalize(&j->t, &a->excl, &reserved)) {
		pr_warn("out of memory");
		return -ENOMEM;
	}
	if (reserved)
		pr_info("skipped %llu addresses that cannot be unicast hosts",
			(unsigned long long)reserved);
	if (!j->t.total && !a->excl.n) {
		pr_warn("no targets: every address given is one that is never a unicast host "
			"(0.0.0.0/8, 224.0.0.0/4, 240.0.0.0/4, ::, ::1, ff00::/8)");
		return -EINVAL;
	}
	if (!j->t.total) {
		pr_warn("no targets left after exclusions");
		return -EINVAL;
	}
	if (xs_job_ntargets(j) > XS_LARGE_SWEEP && !a->o.allow_large) {
		pr_warn("%llu targets is more than 2^24; add --allow-large if you mean it",
			(unsigned long long)xs_job_ntargets(j));
		return -EINVAL;
	}
	if (xs_job_ntargets(j) > (1ull << 32)) {
		pr_warn("%llu targets is more than 2^32, the most one sweep takes",
			(unsigned long long)xs_job_ntargets(j));
		return -EINVAL;
	}
	xs_perm_init(&j->perm, xs_job_ntargets(j), a->o.seed);
	j->slice.shards = a->o.shards;
	j->slice.shard = a->o.shard;
	if (!a->o.resume) {
		j->slice.end = j->perm.domain;
	} else if (end != j->perm.domain) {
		pr_warn("--resume: %s does not match its targets (end %llu, domain %llu)",
			a->o.resume, (unsigned long long)end, (unsigned long long)j->perm.domain);
		return -EINVAL;
	}
	return 0;
}

/* --history and --metrics-listen, opened before the sweep starts: a file that cannot be
 * written or a port in use stops it before anything is sent. */
static int open_watch(struct sweep_args *a, struct xs_sweep_job *j, struct xs_watch **w)
{
	struct xs_watch_cfg c = {
		.history = a->history, .metrics_listen = a->metrics_listen,
		.metrics_hosts = a->metrics_hosts, .probe = j->m->name, .ports = j->m->ports,
		.targets = xs_job_ntargets(j), .every_s = a->o.every_s,
	};
	int err = xs_watch_open(w, &c);

	j->obs = xs_watch_observer(*w);
	return err;
}

/* Interrupted before the first pass ended: save where it stopped. */
static void save_state(struct sweep_args *a, struct xs_sweep_job *j)
{
	int err = xs_state_write(a->o.state_file, &sweep_cmd, a, j->resume_pos, j->slice.end,
				 &j->t);

	if (err) {
		pr_warn("cannot save the resume state to %s: %s", a->o.state_file, strerror(-err));
		return;
	}
	pr_warn("interrupted: %llu of %llu positions done; state saved, resume with: "
		"xsweep sweep --resume %s", (unsigned long long)(j->resume_pos - j->slice.start),
		(unsigned long long)(j->slice.end - j->slice.start), a->o.state_file);
}

/* "xsweep sweep ARGS...", for -O grep's header (before getopt reorders argv). */
static char *command_line(int argc, char **argv)
{
	size_t n = sizeof("xsweep");
	char *s;

	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	if (!(s = malloc(n)))
		return NULL;
	strcpy(s, "xsweep");
	for (int i = 0; i < argc; i++)
		strcat(strcat(s, " "), argv[i]);
	return s;
}

int do_sweep(int argc, char **argv)
{
	struct sweep_args a = { 0 };
	char *cmdline = command_line(argc, argv);
	struct xs_sweep_job j = { .o = &a.o, .nports = 1, .cmdline = cmdline };
	struct xs_watch *w = NULL;
	int rc = xs_privs_refuse_setuid("sweep") ? XS_EXIT_ERROR :
		 parse_options(&a, &j, argc, argv);

	if (rc != XS_CONTINUE)
		goto out;
	rc = XS_EXIT_ERROR;
	if (check_options(&a, &j) || (!a.o.resume && add_targets(&a, &j, argc, argv)) ||
	    finish_targets(&a, &j))
		goto out;
	if (a.o.dry_run) {
		rc = xs_sweep_dry_run(&j);
		goto out;
	}
	if (open_watch(&a, &j, &w))
		goto out;
	rc = xs_sweep_run(&j);
	if (xs_watch_close(w))
		rc = XS_EXIT_ERROR;	/* the history could not be written (said then) */
	w = NULL;
	if (j.interrupted) {
		save_state(&a, &j);
	} else if (a.o.resume && rc == XS_EXIT_OK && unlink(a.o.resume)) {
		/* Done: the state it resumed from has nothing left to give. */
		pr_warn("cannot remove %s: %s", a.o.resume, strerror(errno));
	}
out:
	xs_watch_close(w);
	args_defaults(&a);
	xs_targets_free(&j.t);
	free(cmdline);
	return rc;
}
