/* labctl.c - the compiled half of bench/lab: loads the XDP responder, prints the
 * ground truth, reads the responder's counters and blasts echo requests.
 *
 *   labctl load  --netns NAME --ifname IF --pin-dir DIR [--mode generic|native] CONFIG
 *   labctl truth CONFIG [--ports] RANGE...
 *   labctl stats --pin-dir DIR [--json]
 *   labctl blast --ifname IF --dst-mac MAC [--range CIDR] [--count N] [--batch N]
 *   labctl xdpblast --ifname IF --dst-mac MAC [--range CIDR] [--count N] [--batch N]
 *                   [--syn-ports P,P..]
 *   labctl xdpblast --dst-mac MAC [--range CIDR] [--syn-ports P,P..] --verify N
 *   labctl pass  --netns NAME --ifname IF   (native XDP_PASS program, for tests)
 *
 * blast and xdpblast are the two send ceilings of bench/compare: blast an AF_PACKET
 * sendmmsg loop, xdpblast an XDP program run on live frames (BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES, bench/bpf/lab_xdpblast.bpf.c) that returns XDP_TX out of
 * IF; both send the same 64-byte echo requests (xdpblast --syn-ports: synblast's SYNs,
 * one to every (address, port) pair). xdpblast has no flow control: it prints what it
 * sent and IF's tx_packets / tx_dropped deltas (on veth: frames the peer took in / refused),
 * and exits 1 when nothing reached the peer (a veth peer without NAPI). --batch: frames
 * per kernel batch, 1..256, default 64. --verify N sends nothing: N plain test runs over
 * frames of random bytes, each compared byte for byte with the probe built here.
 *
 * CONFIG: --seed N --alive F --open F --open-ports P,P.. --loss F --dup F
 *         --wrong-src F --bad-id F --range CIDR
 *
 * `load` runs in the root mount namespace so the maps are pinned in the root's bpffs,
 * then setns()es into the responder's network namespace to attach: XDP over netlink
 * (bpf_xdp_attach, survives this process) and, with --dup, a TC ingress program.
 * The truth comes from bench/lib/lab.h, the same functions the BPF program runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <ifaddrs.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "net/icmp.h"
#include "lab.h"
#include "util/log.h"
#include "util/parse.h"
#include "netns.h"
#include "lab_responder.skel.h"
#include "xdpblast.h"
#include "lab_xdpblast.skel.h"

_Static_assert(sizeof(struct lab_stats) % 8 == 0, "per-CPU values are 8-byte rounded");
_Static_assert(sizeof(struct lab_cfg) == 104, "lab_cfg layout");

struct range4 {
	__u32 net, mask;
};

struct range6 {
	__u64 hi, lo;	/* network */
	int plen;
};

struct opts {
	struct lab_cfg cfg;
	const char *netns, *ifname, *pin_dir, *mode, *dst_mac, *range;
	int ports, json;
	long long count;
	int batch, batch_set;
	const char *syn_ports;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: labctl load --netns NAME --ifname IF --pin-dir DIR [--mode generic|native] CONFIG\n"
		"       labctl truth CONFIG [--ports] RANGE...\n"
		"       labctl stats --pin-dir DIR [--json]\n"
		"       labctl blast --ifname IF --dst-mac MAC [--range CIDR] [--count N] [--batch N]\n"
		"       labctl xdpblast --ifname IF --dst-mac MAC [--range CIDR] [--count N] [--batch N]\n"
		"                       [--syn-ports P,P..]\n"
		"       labctl xdpblast --dst-mac MAC [--range CIDR] [--syn-ports P,P..] --verify N\n"
		"       labctl pass --netns NAME --ifname IF\n"
		"CONFIG: --seed N --alive F --open F --open-ports P,P.. --loss F --dup F\n"
		"        --wrong-src F --bad-id F --range CIDR (fractions F in [0,1])\n");
}

static int parse_frac(const char *name, const char *s, __u64 *out)
{
	char *end;
	double f;

	errno = 0;
	f = strtod(s, &end);
	if (errno || end == s || *end || !(f >= 0 && f <= 1)) {
		pr_warn("lab: --%s wants a fraction in [0,1], not '%s'", name, s);
		return -EINVAL;
	}
	*out = lab_frac_thresh(f);
	return 0;
}

static int parse_u64(const char *name, const char *s, unsigned long long max,
		     unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || *out > max) {
		pr_warn("lab: bad --%s '%s'", name, s);
		return -EINVAL;
	}
	return 0;
}

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const __u16 *)a - (int)*(const __u16 *)b;
}

static int parse_ports(const char *s, struct lab_cfg *cfg)
{
	char buf[256], *tok, *save;
	unsigned long long v;

	cfg->n_ports = 0;
	if (strlen(s) >= sizeof(buf)) {
		pr_warn("lab: --open-ports too long");
		return -EINVAL;
	}
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (parse_u64("open-ports", tok, 65535, &v) || v == 0)
			return -EINVAL;
		if (cfg->n_ports == LAB_MAX_PORTS) {
			pr_warn("lab: at most %d --open-ports", LAB_MAX_PORTS);
			return -EINVAL;
		}
		cfg->ports[cfg->n_ports++] = v;
	}
	qsort(cfg->ports, cfg->n_ports, sizeof(cfg->ports[0]), cmp_u16);
	return 0;
}

static int parse_prefix(const char *s, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -1;
	return v;
}

/* "A.B.C.D[/N]" -> range; returns 0, or -EAFNOSUPPORT when it is not IPv4. */
static int parse_range4(const char *s, struct range4 *r)
{
	char buf[64], *slash;
	struct in_addr a;
	int plen = 32;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		plen = parse_prefix(slash + 1, 32);
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EAFNOSUPPORT;
	if (plen < 0)
		return -EINVAL;
	r->mask = plen ? ~0U << (32 - plen) : 0;
	r->net = ntohl(a.s_addr) & r->mask;
	return 0;
}

static __u64 be64_at(const unsigned char *p)
{
	__u64 v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int parse_range6(const char *s, struct range6 *r)
{
	char buf[80], *slash;
	struct in6_addr a;
	__u64 mhi, mlo;
	int plen = 128;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		plen = parse_prefix(slash + 1, 128);
	}
	if (inet_pton(AF_INET6, buf, &a) != 1 || plen < 0)
		return -EINVAL;
	mhi = plen >= 64 ? ~0ULL : plen ? ~0ULL << (64 - plen) : 0;
	mlo = plen >= 128 ? ~0ULL : plen > 64 ? ~0ULL << (128 - plen) : 0;
	r->hi = be64_at(a.s6_addr) & mhi;
	r->lo = be64_at(a.s6_addr + 8) & mlo;
	r->plen = plen;
	return 0;
}

enum {
	O_SEED = 256, O_ALIVE, O_OPEN, O_OPEN_PORTS, O_LOSS, O_DUP, O_WRONG_SRC, O_BAD_ID,
	O_RANGE, O_NETNS, O_IFNAME, O_PIN_DIR, O_MODE, O_PORTS, O_JSON, O_DST_MAC,
	O_COUNT, O_BATCH, O_SYN_PORTS, O_HELP,
};

static const struct option long_opts[] = {
	{ "seed", required_argument, NULL, O_SEED },
	{ "alive", required_argument, NULL, O_ALIVE },
	{ "open", required_argument, NULL, O_OPEN },
	{ "open-ports", required_argument, NULL, O_OPEN_PORTS },
	{ "loss", required_argument, NULL, O_LOSS },
	{ "dup", required_argument, NULL, O_DUP },
	{ "wrong-src", required_argument, NULL, O_WRONG_SRC },
	{ "bad-id", required_argument, NULL, O_BAD_ID },
	{ "range", required_argument, NULL, O_RANGE },
	{ "netns", required_argument, NULL, O_NETNS },
	{ "ifname", required_argument, NULL, O_IFNAME },
	{ "pin-dir", required_argument, NULL, O_PIN_DIR },
	{ "mode", required_argument, NULL, O_MODE },
	{ "ports", no_argument, NULL, O_PORTS },
	{ "json", no_argument, NULL, O_JSON },
	{ "dst-mac", required_argument, NULL, O_DST_MAC },
	{ "count", required_argument, NULL, O_COUNT },
	{ "batch", required_argument, NULL, O_BATCH },
	{ "syn-ports", required_argument, NULL, O_SYN_PORTS },
	{ "help", no_argument, NULL, O_HELP },
	{}
};

/* Parse every option of every subcommand; returns optind or -1. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	unsigned long long v;
	struct range4 r;
	int c, err = 0;

	memset(o, 0, sizeof(*o));
	o->cfg.seed = 1;
	o->cfg.alive = lab_frac_thresh(0.5);
	o->cfg.open = lab_frac_thresh(0.3);
	o->cfg.n_ports = 3;
	o->cfg.ports[0] = 22;
	o->cfg.ports[1] = 80;
	o->cfg.ports[2] = 443;
	o->range = "198.18.0.0/15";
	o->mode = "generic";
	o->count = 1000000;
	o->batch = 64;
	optind = 1;
	while (!err && (c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case O_SEED:
			err = parse_u64("seed", optarg, ULLONG_MAX, &v);
			o->cfg.seed = v;
			break;
		case O_ALIVE: err = parse_frac("alive", optarg, &o->cfg.alive); break;
		case O_OPEN: err = parse_frac("open", optarg, &o->cfg.open); break;
		case O_LOSS: err = parse_frac("loss", optarg, &o->cfg.loss); break;
		case O_DUP: err = parse_frac("dup", optarg, &o->cfg.dup); break;
		case O_WRONG_SRC: err = parse_frac("wrong-src", optarg, &o->cfg.wrong_src); break;
		case O_BAD_ID: err = parse_frac("bad-id", optarg, &o->cfg.bad_id); break;
		case O_OPEN_PORTS: err = parse_ports(optarg, &o->cfg); break;
		case O_RANGE: o->range = optarg; break;
		case O_NETNS: o->netns = optarg; break;
		case O_IFNAME: o->ifname = optarg; break;
		case O_PIN_DIR: o->pin_dir = optarg; break;
		case O_MODE: o->mode = optarg; break;
		case O_PORTS: o->ports = 1; break;
		case O_JSON: o->json = 1; break;
		case O_DST_MAC: o->dst_mac = optarg; break;
		case O_COUNT:
			err = parse_u64("count", optarg, LLONG_MAX, &v);
			o->count = v;
			break;
		case O_BATCH:
			err = parse_u64("batch", optarg, 1024, &v) || v == 0;
			o->batch = v;
			o->batch_set = 1;
			break;
		case O_SYN_PORTS: o->syn_ports = optarg; break;
		case 'h':
		case O_HELP:
			usage(stdout);
			exit(XS_EXIT_OK);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (err)
		return -1;
	if (parse_range4(o->range, &r)) {
		pr_warn("lab: --range wants an IPv4 CIDR, not '%s'", o->range);
		return -1;
	}
	/* Targets only ever come from 198.18.0.0/15 (RFC 2544). */
	if ((r.mask & 0xfffe0000) != 0xfffe0000 || (r.net & 0xfffe0000) != 0xc6120000) {
		pr_warn("lab: --range must lie inside 198.18.0.0/15, not '%s'", o->range);
		return -1;
	}
	o->cfg.net4 = r.net;
	o->cfg.mask4 = r.mask;
	return optind;
}

/* ---- load ---- */

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static int enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET))
		err = -errno;
	close(fd);
	return err;
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static int do_load(int argc, char **argv)
{
	struct lab_responder_bpf *skel = NULL;
	char path[PATH_MAX];
	__u32 xdp_flags;
	int ifindex, err, idx, pinned = 0;
	struct opts o;

	idx = parse_opts(argc, argv, &o);
	if (idx < 0)
		return XS_EXIT_ERROR;
	if (idx != argc || !o.netns || !o.ifname || !o.pin_dir) {
		pr_warn("lab: load needs --netns, --ifname and --pin-dir and no arguments");
		return XS_EXIT_ERROR;
	}
	if (!strcmp(o.mode, "generic")) {
		xdp_flags = XDP_FLAGS_SKB_MODE;
	} else if (!strcmp(o.mode, "native")) {
		xdp_flags = XDP_FLAGS_DRV_MODE;
	} else {
		pr_warn("lab: --mode is generic or native, not '%s'", o.mode);
		return XS_EXIT_ERROR;
	}

	/* Open, then write the configuration into read-only data before load. */
	skel = lab_responder_bpf__open();
	if (!skel) {
		pr_warn("lab: couldn't open the responder: %s", strerror(errno));
		return XS_EXIT_ERROR;
	}
	skel->rodata->cfg = o.cfg;
	err = lab_responder_bpf__load(skel);
	if (err) {
		pr_warn("lab: couldn't load the responder: %s (try -vv)", strerror(-err));
		goto out;
	}

	/* Pin in this (root) mount namespace's bpffs, before changing network namespace. */
	err = mkdir_p(o.pin_dir);
	if (err) {
		pr_warn("lab: couldn't create %s: %s", o.pin_dir, strerror(-err));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/stats", o.pin_dir);
	err = bpf_map__pin(skel->maps.stats, path);
	if (err) {
		pr_warn("lab: couldn't pin %s: %s", path, strerror(-err));
		goto out;
	}
	pinned = 1;

	/* Attach inside the responder namespace, over netlink so it outlives us. */
	err = enter_netns(o.netns);
	if (err) {
		pr_warn("lab: couldn't enter network namespace %s: %s", o.netns, strerror(-err));
		goto out;
	}
	ifindex = if_nametoindex(o.ifname);
	if (!ifindex) {
		err = -errno;
		pr_warn("lab: no interface %s in %s", o.ifname, o.netns);
		goto out;
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.lab_responder),
			     xdp_flags | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (err) {
		pr_warn("lab: couldn't attach XDP (%s mode) on %s: %s", o.mode, o.ifname,
			strerror(-err));
		goto out;
	}
	printf("xdp_prog_id %u\n", prog_id(bpf_program__fd(skel->progs.lab_responder)));

	/* Duplicates: XDP passes marked replies up, TC ingress sends them twice. */
	if (o.cfg.dup) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, tco, .handle = 1, .priority = 1,
			    .prog_fd = bpf_program__fd(skel->progs.lab_dup));

		err = bpf_tc_hook_create(&hook);
		if (err && err != -EEXIST) {
			pr_warn("lab: couldn't create clsact on %s: %s", o.ifname, strerror(-err));
			goto out_detach;
		}
		err = bpf_tc_attach(&hook, &tco);
		if (err) {
			pr_warn("lab: couldn't attach TC on %s: %s", o.ifname, strerror(-err));
			goto out_detach;
		}
		printf("tc_prog_id %u\n", tco.prog_id);
	}
	err = 0;
	goto out;

out_detach:
	bpf_xdp_detach(ifindex, xdp_flags, NULL);
out:
	if (err && pinned)
		unlink(path);
	lab_responder_bpf__destroy(skel);
	return err ? XS_EXIT_ERROR : XS_EXIT_OK;
}

/* Attach the XDP_PASS program natively, so the peer's native XDP_TX frames arrive. */
static int do_pass(int argc, char **argv)
{
	struct lab_responder_bpf *skel;
	int ifindex, err, idx;
	struct opts o;

	idx = parse_opts(argc, argv, &o);
	if (idx < 0)
		return XS_EXIT_ERROR;
	if (idx != argc || !o.netns || !o.ifname) {
		pr_warn("lab: pass needs --netns and --ifname");
		return XS_EXIT_ERROR;
	}
	skel = lab_responder_bpf__open_and_load();
	if (!skel) {
		pr_warn("lab: couldn't load the responder object: %s", strerror(errno));
		return XS_EXIT_ERROR;
	}
	err = enter_netns(o.netns);
	if (err) {
		pr_warn("lab: couldn't enter network namespace %s: %s", o.netns, strerror(-err));
		goto out;
	}
	ifindex = if_nametoindex(o.ifname);
	if (!ifindex) {
		err = -ENODEV;
		pr_warn("lab: no interface %s in %s", o.ifname, o.netns);
		goto out;
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.lab_pass),
			     XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (err)
		pr_warn("lab: couldn't attach XDP on %s: %s", o.ifname, strerror(-err));
out:
	lab_responder_bpf__destroy(skel);
	return err ? XS_EXIT_ERROR : XS_EXIT_OK;
}

/* ---- truth ---- */

static int port_open(const struct lab_cfg *cfg, __u64 key, __u16 port)
{
	return lab_open(cfg->seed, cfg->open, key, port);
}

static void truth4(const struct lab_cfg *cfg, const struct range4 *r, int ports)
{
	/* CIDRs nest or are disjoint: the intersection is the longer prefix, if any. */
	__u32 mask = r->mask | cfg->mask4;
	__u32 net = (r->net | cfg->net4) & mask;
	__u32 a, last = net | ~mask;
	char buf[INET_ADDRSTRLEN];

	if ((r->net ^ cfg->net4) & r->mask & cfg->mask4)
		return;
	a = net;
	for (;;) {
		if (lab_alive4(cfg->seed, cfg->alive, a)) {
			struct in_addr in = { .s_addr = htonl(a) };

			inet_ntop(AF_INET, &in, buf, sizeof(buf));
			if (!ports) {
				puts(buf);
			} else {
				for (__u32 i = 0; i < cfg->n_ports; i++)
					if (port_open(cfg, lab_key4(a), cfg->ports[i]))
						printf("%s:%u\n", buf, cfg->ports[i]);
			}
		}
		if (a == last)
			break;
		a++;
	}
}

static int truth6(const struct lab_cfg *cfg, const struct range6 *r, int ports)
{
	struct in6_addr in;
	char buf[INET6_ADDRSTRLEN];
	__u64 hi = r->hi, lo, n;

	/* Intersect with 2001:2::/48. */
	if (r->plen < 48) {
		if ((hi ^ LAB_NET6_HI) & (r->plen ? ~0ULL << (64 - r->plen) : 0))
			return 0;
		hi = LAB_NET6_HI;
	} else if ((hi & LAB_NET6_MASK) != LAB_NET6_HI) {
		return 0;
	}
	if (r->plen < 104) {
		pr_warn("lab: IPv6 truth ranges are limited to /104 or longer (2^24 addresses)");
		return -E2BIG;
	}
	n = 1ULL << (128 - r->plen);
	for (__u64 i = 0; i < n; i++) {
		lo = r->lo + i;
		if (!lab_alive6(cfg->seed, cfg->alive, hi, lo))
			continue;
		for (int b = 0; b < 8; b++) {
			in.s6_addr[b] = hi >> (56 - 8 * b);
			in.s6_addr[8 + b] = lo >> (56 - 8 * b);
		}
		inet_ntop(AF_INET6, &in, buf, sizeof(buf));
		if (!ports) {
			puts(buf);
			continue;
		}
		for (__u32 p = 0; p < cfg->n_ports; p++)
			if (port_open(cfg, lab_key6(hi, lo), cfg->ports[p]))
				printf("[%s]:%u\n", buf, cfg->ports[p]);
	}
	return 0;
}

static int do_truth(int argc, char **argv)
{
	struct opts o;
	int idx;

	idx = parse_opts(argc, argv, &o);
	if (idx < 0)
		return XS_EXIT_ERROR;
	if (idx == argc) {
		pr_warn("lab: truth needs a RANGE");
		return XS_EXIT_ERROR;
	}
	for (int i = idx; i < argc; i++) {
		struct range4 r4;
		struct range6 r6;
		int err = parse_range4(argv[i], &r4);

		if (!err) {
			truth4(&o.cfg, &r4, o.ports);
			continue;
		}
		if (err == -EAFNOSUPPORT && !parse_range6(argv[i], &r6)) {
			if (truth6(&o.cfg, &r6, o.ports))
				return XS_EXIT_ERROR;
			continue;
		}
		pr_warn("lab: bad RANGE '%s' (want CIDR or address)", argv[i]);
		return XS_EXIT_ERROR;
	}
	return fflush(stdout) ? XS_EXIT_ERROR : XS_EXIT_OK;
}

/* ---- stats ---- */

static const struct {
	const char *name;
	size_t off;
} stat_fields[] = {
#define F(x) { #x, offsetof(struct lab_stats, x) }
	F(rx_icmp_echo), F(rx_icmp6_echo), F(rx_tcp_syn), F(rx_other),
	F(tx_icmp_echo_reply), F(tx_icmp6_echo_reply), F(tx_tcp_synack), F(tx_tcp_rst),
	F(dropped_dead), F(lost), F(duplicated), F(wrong_src), F(bad_id), F(dup_failed),
	F(rx_tcp_rst),
#undef F
};

static int do_stats(int argc, char **argv)
{
	struct lab_stats sum = {}, *vals;
	char path[PATH_MAX];
	int fd, ncpu, idx;
	__u32 zero = 0;
	struct opts o;

	idx = parse_opts(argc, argv, &o);
	if (idx < 0)
		return XS_EXIT_ERROR;
	if (idx != argc || !o.pin_dir) {
		pr_warn("lab: stats needs --pin-dir and no arguments");
		return XS_EXIT_ERROR;
	}
	snprintf(path, sizeof(path), "%s/stats", o.pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		pr_warn("lab: couldn't open pinned map %s: %s", path, strerror(errno));
		return XS_EXIT_ERROR;
	}
	ncpu = libbpf_num_possible_cpus();
	vals = calloc(ncpu > 0 ? ncpu : 1, sizeof(*vals));
	if (ncpu <= 0 || !vals || bpf_map_lookup_elem(fd, &zero, vals)) {
		pr_warn("lab: couldn't read %s: %s", path, strerror(errno));
		free(vals);
		close(fd);
		return XS_EXIT_ERROR;
	}
	close(fd);
	for (int c = 0; c < ncpu; c++)
		for (size_t f = 0; f < sizeof(stat_fields) / sizeof(stat_fields[0]); f++)
			*(__u64 *)((char *)&sum + stat_fields[f].off) +=
				*(__u64 *)((char *)&vals[c] + stat_fields[f].off);
	free(vals);

	if (o.json) {
		struct json_object *obj = json_object_new_object();

		for (size_t f = 0; f < sizeof(stat_fields) / sizeof(stat_fields[0]); f++)
			json_object_object_add(obj, stat_fields[f].name,
					       json_object_new_uint64(*(__u64 *)((char *)&sum +
										 stat_fields[f].off)));
		puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));
		json_object_put(obj);
	} else {
		for (size_t f = 0; f < sizeof(stat_fields) / sizeof(stat_fields[0]); f++)
			printf("%-20s %llu\n", stat_fields[f].name,
			       (unsigned long long)*(__u64 *)((char *)&sum + stat_fields[f].off));
	}
	return fflush(stdout) ? XS_EXIT_ERROR : XS_EXIT_OK;
}

#define BLAST_LEN 64	/* 14 + 20 + 8 + 22 bytes of payload */

static void build_echo(unsigned char *f, const unsigned char *dmac, const unsigned char *smac,
		       __u32 dst, __u16 seq)
{
	unsigned char *ip = f + 14, *ic = ip + 20;
	__u16 c;

	memset(f, 0, BLAST_LEN);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = BLAST_LEN - 14;
	ip[8] = 64;
	ip[9] = 1;
	ip[12] = 192, ip[13] = 0, ip[14] = 2, ip[15] = 1;
	ip[16] = dst >> 24, ip[17] = dst >> 16, ip[18] = dst >> 8, ip[19] = dst;
	c = xs_csum(ip, 20);
	memcpy(ip + 10, &c, 2);
	ic[0] = 8;
	ic[4] = 0x4c, ic[5] = 0x42;	/* id "LB" */
	ic[6] = seq >> 8, ic[7] = seq;
	c = xs_csum(ic, BLAST_LEN - 34);
	memcpy(ic + 2, &c, 2);
}

static int do_blast(int argc, char **argv)
{
	unsigned char dmac[6], smac[6], (*frames)[BLAST_LEN] = NULL;
	struct mmsghdr *msgs = NULL;
	struct iovec *iov = NULL;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct range4 r;
	struct ifreq ifr = {};
	long long sent = 0;
	int fd = -1, idx, one = 1, ret = XS_EXIT_ERROR;
	__u32 n, i = 0;
	struct opts o;

	idx = parse_opts(argc, argv, &o);
	if (idx < 0)
		return XS_EXIT_ERROR;
	if (idx != argc || !o.ifname || !o.dst_mac) {
		pr_warn("lab: blast needs --ifname and --dst-mac");
		return XS_EXIT_ERROR;
	}
	if (xs_in_root_netns()) {
		pr_warn("lab: refusing to send from the root network namespace");
		return XS_EXIT_ERROR;
	}
	if (xs_parse_mac(o.dst_mac, dmac)) {
		pr_warn("lab: bad --dst-mac '%s'", o.dst_mac);
		return XS_EXIT_ERROR;
	}
	parse_range4(o.range, &r);
	n = ~r.mask + 1;	/* 0 for /0: wraps naturally */

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		pr_warn("lab: AF_PACKET socket: %s", strerror(errno));
		goto out;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o.ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		pr_warn("lab: no interface %s: %s", o.ifname, strerror(errno));
		goto out;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_ifindex = if_nametoindex(o.ifname);
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dmac, 6);
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));

	frames = calloc(o.batch, BLAST_LEN);
	msgs = calloc(o.batch, sizeof(*msgs));
	iov = calloc(o.batch, sizeof(*iov));
	if (!frames || !msgs || !iov)
		goto out;
	while (sent < o.count) {
		int b = o.count - sent < o.batch ? (int)(o.count - sent) : o.batch, got;

		for (int k = 0; k < b; k++, i++) {
			build_echo(frames[k], dmac, smac, r.net + (n ? i % n : i), (__u16)(i / 7));
			iov[k].iov_base = frames[k];
			iov[k].iov_len = BLAST_LEN;
			msgs[k].msg_hdr.msg_iov = &iov[k];
			msgs[k].msg_hdr.msg_iovlen = 1;
			msgs[k].msg_hdr.msg_name = &sll;
			msgs[k].msg_hdr.msg_namelen = sizeof(sll);
		}
		got = sendmmsg(fd, msgs, b, 0);
		if (got < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
				continue;
			pr_warn("lab: sendmmsg: %s", strerror(errno));
			goto out;
		}
		sent += got;
	}
	printf("sent %lld\n", sent);
	ret = XS_EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	free(frames);
	free(msgs);
	free(iov);
	return ret;
}

/* ---- xdpblast: the XDP live-frames ceiling ---- */

#define XB_MAX_BATCH 256	/* the kernel's limit for BPF_F_TEST_XDP_LIVE_FRAMES */
#define XB_DEF_BATCH 64		/* the kernel's default (NAPI_POLL_WEIGHT) */
#define XB_SYN_SEQ 0x4c420001	/* TCP sequence number of every SYN */

/* 16-bit words as they lie in memory, added in host order (see xdpblast.h). */
static __u32 sum16(const void *p, size_t len, __u32 s)
{
	const unsigned char *b = p;

	for (size_t i = 0; i + 1 < len; i += 2) {
		__u16 w;

		memcpy(&w, b + i, 2);
		s += w;
	}
	return s;
}

static void put_be16(unsigned char *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(unsigned char *p, __u32 v)
{
	p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

/* Ethernet + IPv4 header of a lab probe from 192.0.2.1, destination and csum zero. */
static void xb_l2l3(unsigned char *f, const unsigned char *dmac, const unsigned char *smac,
		    int len, int proto)
{
	unsigned char *ip = f + 14;

	memset(f, 0, len);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	put_be16(ip + 2, len - 14);
	if (proto == 6)
		ip[6] = 0x40;	/* DF, as synblast */
	ip[8] = 64;
	ip[9] = proto;
	put_be32(ip + 12, 0xc0000201);	/* 192.0.2.1 */
}

/* The template and partial sums of xdpblast.h. */
static void xb_template(struct xb_cfg *c, const unsigned char *dmac, const unsigned char *smac)
{
	unsigned char *f = (unsigned char *)c->frame, *ip = f + 14, *l4 = ip + 20;

	if (!c->tcp) {
		xb_l2l3(f, dmac, smac, XB_ICMP_LEN, 1);
		l4[0] = 8;
		l4[4] = 0x4c, l4[5] = 0x42;	/* id "LB", as labctl blast */
		c->ip_sum = sum16(ip, 20, 0);
		c->l4_sum = sum16(l4, XB_ICMP_LEN - 34, 0);
		return;
	}
	xb_l2l3(f, dmac, smac, XB_SYN_LEN, 6);
	put_be32(l4 + 4, XB_SYN_SEQ);
	l4[12] = 5 << 4;
	l4[13] = 0x02;	/* SYN */
	l4[14] = 0xff, l4[15] = 0xff;
	c->ip_sum = sum16(ip, 20, 0);
	/* Pseudo header: source, destination (zero here), zero, protocol, TCP length. */
	{
		unsigned char ph[12] = { 0 };

		memcpy(ph, ip + 12, 4);
		ph[9] = 6;
		ph[11] = 20;
		c->l4_sum = sum16(ph, 12, sum16(l4, 20, 0));
	}
}

/* Frame k as the program must write it, built here from scratch with full checksums:
 * ICMP exactly labctl blast's frame k, TCP a SYN to port k % n of address k / n. */
static int xb_reference(const struct xb_cfg *c, const unsigned char *dmac,
			const unsigned char *smac, __u64 k, unsigned char *f)
{
	unsigned char *ip = f + 14, *tcp = ip + 20;
	__u32 s;
	__u16 cs;

	if (!c->tcp) {
		build_echo(f, dmac, smac, c->net + ((__u32)k & c->hostmask), (__u16)(k / 7));
		return XB_ICMP_LEN;
	}
	xb_l2l3(f, dmac, smac, XB_SYN_LEN, 6);
	put_be32(ip + 16, c->net + ((__u32)(k / c->n_ports) & c->hostmask));
	cs = xs_csum(ip, 20);
	memcpy(ip + 10, &cs, 2);
	put_be16(tcp, 1024 + k % (65536 - 1024));
	put_be16(tcp + 2, c->ports[k % c->n_ports]);
	put_be32(tcp + 4, XB_SYN_SEQ);
	tcp[12] = 5 << 4;
	tcp[13] = 0x02;
	tcp[14] = 0xff, tcp[15] = 0xff;
	s = xs_csum_partial(ip + 12, 8, htons(6 + 20));
	cs = xs_csum_fold(xs_csum_partial(tcp, 20, s));
	memcpy(tcp + 16, &cs, 2);
	return XB_SYN_LEN;
}

/* --verify N: N plain test runs (no live frames) over frames full of stale bytes, each
 * compared byte for byte with xb_reference(). */
static int xb_verify(struct lab_xdpblast_bpf *skel, const unsigned char *dmac,
		     const unsigned char *smac, long long n)
{
	const struct xb_cfg *c = (const struct xb_cfg *)&skel->rodata->cfg;
	unsigned char in[XB_MAX_LEN], out[XB_MAX_LEN], want[XB_MAX_LEN];
	int len = c->tcp ? XB_SYN_LEN : XB_ICMP_LEN;
	unsigned seed = 1;

	for (long long k = 0; k < n; k++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

		for (int i = 0; i < len; i++)
			in[i] = rand_r(&seed);
		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.lab_xdpblast), &opts)) {
			pr_warn("lab: xdpblast --verify: test run: %s", strerror(errno));
			return -1;
		}
		xb_reference(c, dmac, smac, k, want);
		if (opts.retval != XDP_TX || opts.data_size_out != (__u32)len ||
		    memcmp(out, want, len)) {
			pr_warn("lab: xdpblast --verify: frame %lld differs (action %u, %u bytes)", k,
				opts.retval, opts.data_size_out);
			return -1;
		}
	}
	return 0;
}

/* tx_packets and tx_dropped of IF (rtnetlink, through getifaddrs); on veth, frames the
 * peer took in and frames it refused. 32-bit counters: compare by difference. */
static int if_tx_stats(const char *ifname, __u32 *packets, __u32 *dropped)
{
	struct ifaddrs *ifa, *p;
	int err = -ENODEV;

	if (getifaddrs(&ifa))
		return -errno;
	for (p = ifa; p; p = p->ifa_next) {
		const struct rtnl_link_stats *st = p->ifa_data;

		if (!p->ifa_addr || p->ifa_addr->sa_family != AF_PACKET || !st ||
		    strcmp(p->ifa_name, ifname))
			continue;
		*packets = st->tx_packets;
		*dropped = st->tx_dropped;
		err = 0;
		break;
	}
	freeifaddrs(ifa);
	return err;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int do_xdpblast(int argc, char **argv)
{
	struct lab_xdpblast_bpf *skel = NULL;
	unsigned char dmac[6], smac[6];
	struct xb_cfg c = {};
	struct range4 r;
	struct ifreq ifr = {};
	__u32 p0 = 0, d0 = 0, p1 = 0, d1 = 0, len;
	long long sent = 0, verify = 0;
	double t0, t1;
	int fd, idx, ifindex, err, ret = XS_EXIT_ERROR, have_stats;
	struct opts o;

	/* --verify N is this subcommand's alone: take it out before the common parser. */
	for (int i = 1; i < argc; i++) {
		unsigned long long v;

		if (strcmp(argv[i], "--verify"))
			continue;
		if (i + 1 >= argc || parse_u64("verify", argv[i + 1], 1 << 20, &v))
			return XS_EXIT_ERROR;
		verify = v;
		memmove(argv + i, argv + i + 2, (argc - i - 2) * sizeof(*argv));
		argc -= 2;
		break;
	}
	idx = parse_opts(argc, argv, &o);
	if (idx < 0)
		return XS_EXIT_ERROR;
	if (idx != argc || (!verify && !o.ifname) || !o.dst_mac) {
		pr_warn("lab: xdpblast needs --ifname and --dst-mac (--verify N: --dst-mac)");
		return XS_EXIT_ERROR;
	}
	if (!o.batch_set)
		o.batch = XB_DEF_BATCH;
	if (o.batch > XB_MAX_BATCH) {
		pr_warn("lab: xdpblast --batch is at most %d (the kernel's limit)", XB_MAX_BATCH);
		return XS_EXIT_ERROR;
	}
	if (!verify && xs_in_root_netns()) {
		pr_warn("lab: refusing to send from the root network namespace");
		return XS_EXIT_ERROR;
	}
	if (xs_parse_mac(o.dst_mac, dmac)) {
		pr_warn("lab: bad --dst-mac '%s'", o.dst_mac);
		return XS_EXIT_ERROR;
	}
	parse_range4(o.range, &r);	/* checked by parse_opts: inside 198.18.0.0/15 */
	c.net = r.net;
	c.hostmask = ~r.mask;
	if (o.syn_ports) {
		struct lab_cfg pc = {};

		if (parse_ports(o.syn_ports, &pc) || !pc.n_ports) {
			pr_warn("lab: xdpblast --syn-ports wants 1..%d ports", XB_MAX_PORTS);
			return XS_EXIT_ERROR;
		}
		c.tcp = 1;
		c.n_ports = pc.n_ports;
		memcpy(c.ports, pc.ports, sizeof(c.ports));
	}

	memset(smac, 0, sizeof(smac));
	ifindex = 0;
	if (o.ifname) {
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o.ifname);
		if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr)) {
			pr_warn("lab: no interface %s: %s", o.ifname, strerror(errno));
			if (fd >= 0)
				close(fd);
			return XS_EXIT_ERROR;
		}
		close(fd);
		memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
		ifindex = if_nametoindex(o.ifname);
	}
	xb_template(&c, dmac, smac);
	len = c.tcp ? XB_SYN_LEN : XB_ICMP_LEN;

	skel = lab_xdpblast_bpf__open();
	if (!skel) {
		pr_warn("lab: couldn't open the XDP blaster: %s", strerror(errno));
		return XS_EXIT_ERROR;
	}
	memcpy((void *)&skel->rodata->cfg, &c, sizeof(c));
	err = lab_xdpblast_bpf__load(skel);
	if (err) {
		pr_warn("lab: couldn't load the XDP blaster: %s (try LAB_VERBOSE=2)", strerror(-err));
		goto out;
	}
	if (verify) {
		if (xb_verify(skel, dmac, smac, verify))
			goto out;
		printf("verified %lld frames\n", verify);
		ret = XS_EXIT_OK;
		goto out;
	}

	have_stats = !if_tx_stats(o.ifname, &p0, &d0);
	t0 = mono_s();
	while (sent < o.count) {
		long long left = o.count - sent;
		struct xdp_md ctx = { .data_end = len, .ingress_ifindex = (__u32)ifindex };
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = c.frame, .data_size_in = len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .repeat = left > (1 << 30) ? 1 << 30 : (int)left,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = (__u32)o.batch);

		err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.lab_xdpblast), &opts);
		err = err ? -errno : 0;
		sent = skel->bss->stats.tx;
		if (err == -EINTR)
			break;
		if (err) {
			pr_warn("lab: BPF_PROG_RUN with live frames on %s: %s%s", o.ifname,
				strerror(-err), err == -EINVAL ? " (kernel before 5.18?)" : "");
			goto out;
		}
	}
	t1 = mono_s();
	/* The peer takes frames in from its NAPI, after the run: wait until its counters
	 * stand still (20 ms), at most 1 s. */
	if (have_stats) {
		__u32 lp = p0, ld = d0;
		int still = 0;

		for (int i = 0; i < 200 && still < 4; i++) {
			struct timespec ts = { 0, 5000000 };

			nanosleep(&ts, NULL);
			if (if_tx_stats(o.ifname, &p1, &d1)) {
				have_stats = 0;
				break;
			}
			still = p1 == lp && d1 == ld ? still + 1 : 0;
			lp = p1, ld = d1;
		}
	}
	printf("sent %lld in %.3f s (%.3f Mpps)", sent, t1 - t0,
	       t1 > t0 ? sent / (t1 - t0) / 1e6 : 0.0);
	if (have_stats)
		printf("; %s tx_packets +%u, tx_dropped +%u", o.ifname, p1 - p0, d1 - d0);
	printf("; %llu frames too short\n", (unsigned long long)skel->bss->stats.bad);
	ret = XS_EXIT_OK;
	/* The interface sends other things meanwhile (neighbour discovery, MLD): fewer than
	 * 1% of the frames counted as transmitted is "none reached the peer". */
	if (have_stats && sent > 0 && (long long)(p1 - p0) * 100 < sent) {
		pr_warn("lab: xdpblast: no frame reached %s's peer (tx_packets +%u, tx_dropped +%u): "
			"on veth the peer needs NAPI, an XDP program of its own or GRO (bench/lab gro on)",
			o.ifname, p1 - p0, d1 - d0);
		ret = XS_EXIT_NEGATIVE;
	}
out:
	lab_xdpblast_bpf__destroy(skel);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	xs_log_setup_libbpf();
	if (getenv("LAB_VERBOSE"))
		xs_verbosity = atoi(getenv("LAB_VERBOSE"));
	if (!strcmp(cmd, "load"))
		return do_load(argc - 1, argv + 1);
	if (!strcmp(cmd, "truth"))
		return do_truth(argc - 1, argv + 1);
	if (!strcmp(cmd, "stats"))
		return do_stats(argc - 1, argv + 1);
	if (!strcmp(cmd, "pass"))
		return do_pass(argc - 1, argv + 1);
	if (!strcmp(cmd, "blast"))
		return do_blast(argc - 1, argv + 1);
	if (!strcmp(cmd, "xdpblast"))
		return do_xdpblast(argc - 1, argv + 1);
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		usage(stdout);
		return XS_EXIT_OK;
	}
	usage(stderr);
	return XS_EXIT_ERROR;
}
