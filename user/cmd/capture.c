/* capture.c - `xsweep capture`: ingress frames to a pcap file or one line each.
 *
 * XDP path: bpf/capture.bpf.c copies each frame (up to the snap length) with a
 * monotonic timestamp into a BPF ring buffer; here the records get wall-clock time and
 * go to the sink in user/capture/capture_pcap.c (filter, pcap_dump or a tcpdump-like line).
 * libpcap path (--capture pcap, or auto when XDP cannot attach): the same sink fed by
 * libpcap. The summary counts captured, dropped (ring buffer full / pcap drops) and
 * filtered out packets.
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

#include "capture/capture_pcap.h"
#include "cmd/commands.h"
#include "util/log.h"
#include "util/clock.h"
#include "util/mc_util.h"
#include "util/opts.h"
#include "util/percpu.h"
#include "util/privs.h"
#include "net/xdp_attach.h"
#include "xsweep.h"
#include "capture.skel.h"

_Static_assert(sizeof(struct xs_cap_hdr) == 16, "xs_cap_hdr layout");
_Static_assert(sizeof(struct xs_cap_stats) == 32, "xs_cap_stats layout");

#define DEFAULT_SNAPLEN 262144

struct cap_opts {
	const char *ifname, *wfile;
	char *filter;
	uint64_t count;
	unsigned snaplen, buf_kib;
	double duration_s;
	int path;		/* enum xs_mc_path */
	int xdp_mode;		/* enum xs_xdp_mode */
};

#define STR_(x) #x
#define STR(x) STR_(x)

#define O struct cap_opts
static const struct xs_opt cap_table[] = {
	XS_STR("interface", 'i', O, ifname, "IFACE",
	       "interface (default: the first one up, not loopback)"),
	XS_STR("write", 'w', O, wfile, "FILE", "write a pcap file (libpcap format; '-' = "
	       "stdout) instead of one tcpdump-like line per packet"),
	XS_U64("count", 'c', O, count, "N", 1, UINT64_MAX, "stop after N packets"),
	XS_UINT("snaplen", 's', O, snaplen, "N", 0, DEFAULT_SNAPLEN, "bytes kept per packet "
		"(default and 0: " STR(DEFAULT_SNAPLEN) "; the XDP path copies at most "
		STR(XS_CAP_MAX_SNAP) ")"),
	XS_DUR("duration", 0, O, duration_s, "D", "stop after D (500ms, 10s, 1m)", .min = 1),
	XS_UINT("buffer-size", 'B', O, buf_kib, "KiB", 4, 1u << 21,
		"ring buffer / libpcap buffer (default 8192)"),
	XS_ENUM("capture", 0, O, path, "PATH", xs_mc_path_choices,
		"auto (XDP, else libpcap with a notice), xdp, pcap"),
	XS_ENUM("xdp-mode", 0, O, xdp_mode, "MODE", xs_xdp_mode_choices,
		"auto (native, else generic), native, generic"),
	XS_OPTS_END
};
#undef O

static const struct xs_cmd_opts cap_cmd = {
	.cmd = "capture",
	.usage = "xsweep capture [-i IFACE] [-w FILE.pcap] [-c COUNT] [-s SNAPLEN] [--duration D]\n"
		 "                      [--capture auto|xdp|pcap] [OPTIONS] [FILTER...]",
	.about = "Capture the frames IFACE receives. XDP path (default): an XDP program copies each\n"
		 "frame to a BPF ring buffer and passes it on unchanged; INGRESS ONLY (the libpcap\n"
		 "path reads ingress too, so both give the same packets). FILTER is a tcpdump/pcap\n"
		 "expression, compiled by libpcap and applied in userspace to each frame.",
	.footer = "Stops on SIGINT/SIGTERM too. At the end, on stderr: packets captured, dropped\n"
		  "(ring buffer full, or libpcap's kernel drops) and filtered out.",
	.opts = cap_table,
	.max_args = -1,
};

void usage_capture(FILE *out)
{
	xs_opts_usage(out, &cap_cmd);
}

/* FILTER... joined with blanks ("" when none). */
static int join_filter(int argc, char **argv, struct cap_opts *o)
{
	size_t len = 1;

	for (int i = optind; i < argc; i++)
		len += strlen(argv[i]) + 1;
	o->filter = calloc(1, len);
	if (!o->filter) {
		pr_warn("capture: out of memory");
		return XS_EXIT_ERROR;
	}
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			strcat(o->filter, " ");
		strcat(o->filter, argv[i]);
	}
	return XS_CONTINUE;
}

static int parse_opts(int argc, char **argv, struct cap_opts *o)
{
	int rc = xs_opts_parse(&cap_cmd, o, argc, argv);

	if (rc != XS_CONTINUE)
		return rc;
	if (!o->snaplen)
		o->snaplen = DEFAULT_SNAPLEN;
	return join_filter(argc, argv, o);
}

struct cap_run {
	struct cap_opts *o;
	struct capture_bpf *skel;	/* XDP path */
	struct xs_xdp x;
	struct xs_cap_live *live;	/* libpcap path */
	struct xs_cap_sink *sink;
	int64_t wall_offset;
	uint64_t bad_records;
};

/* Ring buffer callback: one struct xs_cap_hdr + caplen bytes. */
static int on_record(void *ctx, void *data, size_t size)
{
	struct cap_run *r = ctx;
	const struct xs_cap_hdr *h = data;

	if (size < sizeof(*h) || size < sizeof(*h) + h->caplen) {
		r->bad_records++;
		return 0;
	}
	xs_cap_sink_packet(r->sink, h->ts_ns + r->wall_offset, (const uint8_t *)(h + 1), h->caplen,
			   h->len);
	return 0;
}

static bool time_up(uint64_t deadline)
{
	return deadline && xs_mono_ns() >= deadline;
}

static int run_xdp(struct cap_run *r, uint64_t deadline, uint64_t *dropped)
{
	struct capture_bpf *skel = r->skel;
	struct xs_cap_stats st = { 0 };
	struct ring_buffer *rb;
	int err = 0;

	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_record, r, NULL);
	if (!rb) {
		pr_warn("capture: ring buffer: %s", strerror(errno));
		return -errno;
	}
	while (!xs_mc_stop && !xs_cap_sink_done(r->sink) && !time_up(deadline)) {
		/* Records are written without a wakeup until a batch is waiting
		 * (rb_wakeup.h), so epoll may never report a lone one: the timeout is
		 * followed by a consume, which reads whatever is there. */
		err = ring_buffer__poll(rb, 100);
		if (err >= 0 && !xs_cap_sink_done(r->sink))
			err = ring_buffer__consume(rb);
		if (err == -EINTR)
			err = 0;
		if (err < 0) {
			pr_warn("capture: reading the ring buffer: %s", strerror(-err));
			break;
		}
		err = 0;
		xs_cap_sink_flush(r->sink);
	}
	/* Detach first, then drain what the program queued before it stopped. */
	xs_xdp_detach(&r->x);
	if (!xs_cap_sink_done(r->sink))
		ring_buffer__consume(rb);
	ring_buffer__free(rb);
	if (!err) {
		err = xs_percpu_sum(bpf_map__fd(skel->maps.stats), 0, &st, sizeof(st));
		if (err)
			pr_warn("capture: reading the counters: %s", strerror(-err));
	}
	*dropped = st.ringbuf_full + st.copy_errors + r->bad_records;
	return err;
}

static int run_pcap(struct cap_run *r, uint64_t deadline, uint64_t *dropped)
{
	struct xs_cap_live *live = r->live;
	struct pollfd pfd = { .fd = xs_cap_live_fd(live), .events = POLLIN };
	char err[256];

	while (!xs_mc_stop && !xs_cap_sink_done(r->sink) && !time_up(deadline)) {
		poll(&pfd, 1, 100);
		if (xs_cap_live_dispatch(live, r->sink, err, sizeof(err)) < 0) {
			pr_warn("capture: %s", err);
			return -EIO;
		}
		xs_cap_sink_flush(r->sink);
	}
	if (!xs_cap_sink_done(r->sink))
		xs_cap_live_dispatch(live, r->sink, err, sizeof(err));
	*dropped = xs_cap_live_dropped(live);
	return 0;
}

/* Load and attach the XDP program, or open libpcap: 0 or -errno (reported). */
static int open_path(struct cap_run *r, int ifindex)
{
	const struct cap_opts *o = r->o;
	/* With a filter, frames are copied whole so the filter sees what tcpdump's would. */
	__u32 copy = *o->filter || o->snaplen > XS_CAP_MAX_SNAP ? XS_CAP_MAX_SNAP : o->snaplen;
	char ebuf[512];
	int err = 0;

	if (o->path != XS_MC_PCAP) {
		/* open -> snap length (rodata) and ring size -> load -> attach (or fall back). */
		r->skel = capture_bpf__open();
		if (!r->skel) {
			err = -errno;
		} else {
			__u64 ring = 4096;

			while (ring < (__u64)o->buf_kib * 1024)
				ring <<= 1;
			r->skel->rodata->snaplen = copy;
			bpf_map__set_max_entries(r->skel->maps.events, (__u32)ring);
			err = capture_bpf__load(r->skel);
		}
	}
	err = xs_mc_attach(r->skel ? r->skel->progs.xs_capture : NULL, err, o->ifname, ifindex,
			   o->xdp_mode, o->path, &r->x);
	if (err <= 0)
		return err;
	/* libpcap: with a filter, at least what the XDP path would copy. */
	capture_bpf__destroy(r->skel);
	r->skel = NULL;
	r->live = xs_cap_live_open(o->ifname, *o->filter && o->snaplen < XS_CAP_MAX_SNAP ?
				   XS_CAP_MAX_SNAP : o->snaplen, o->buf_kib, !o->wfile,
				   ebuf, sizeof(ebuf));
	if (!r->live) {
		pr_warn("capture: libpcap: %s", ebuf);
		return -EIO;
	}
	return 0;
}

static int open_sink(struct cap_run *r)
{
	const struct xs_cap_sink_opts so = {
		.filter = r->o->filter, .wfile = r->o->wfile, .snaplen = r->o->snaplen,
		.count = r->o->count, .out = stdout,
	};
	char ebuf[512];

	r->sink = xs_cap_sink_open(&so, ebuf, sizeof(ebuf));
	if (!r->sink) {
		pr_warn("capture: %s", ebuf);
		return -EINVAL;
	}
	return 0;
}

/* Capture until -c, --duration or a signal; the summary line. 0 or -errno (reported). */
static int run(struct cap_run *r)
{
	const char *path = r->live ? "pcap" : "xdp";
	uint64_t deadline = 0, dropped = 0, captured, filtered;
	char ebuf[512];
	int err;

	r->wall_offset = xs_mono_to_wall_offset();
	if (r->o->duration_s > 0)
		deadline = xs_mono_ns() + (uint64_t)(r->o->duration_s * 1e9);
	/* Always, like tcpdump's "listening on": says which path captures. */
	pr_warn("capturing on %s via %s", r->o->ifname, path);
	err = r->live ? run_pcap(r, deadline, &dropped) : run_xdp(r, deadline, &dropped);
	xs_cap_sink_counts(r->sink, &captured, &filtered);
	if (xs_cap_sink_close(r->sink, ebuf, sizeof(ebuf))) {
		pr_warn("capture: %s", ebuf);
		err = -EIO;
	}
	r->sink = NULL;
	fflush(stdout);
	fprintf(stderr, "%llu packets captured, %llu dropped, %llu filtered out (%s on %s)\n",
		(unsigned long long)captured, (unsigned long long)dropped,
		(unsigned long long)filtered, path, r->o->ifname);
	return err;
}

int do_capture(int argc, char **argv)
{
	struct cap_opts o = { .snaplen = DEFAULT_SNAPLEN, .buf_kib = 8192 };
	struct cap_run r = { .o = &o, .x = XS_XDP_INIT };
	int ifindex, rc;
	char ebuf[512];

	rc = xs_privs_refuse_setuid("capture") ? XS_EXIT_ERROR : parse_opts(argc, argv, &o);
	if (rc != XS_CONTINUE)
		goto out;
	rc = XS_EXIT_ERROR;
	if (xs_cap_filter_check(o.filter, ebuf, sizeof(ebuf))) {
		pr_warn("capture: %s", ebuf);
		goto out;
	}
	ifindex = xs_mc_ifindex(&o.ifname);
	if (!ifindex)
		goto out;
	xs_mc_install_stop_handlers();
	/* Set up: the XDP path reads its ring buffer and counters (CAP_BPF), libpcap
	 * needs nothing more. */
	if (open_path(&r, ifindex) || open_sink(&r) || xs_privs_after_setup("capture", !r.live))
		goto out;
	rc = run(&r) ? XS_EXIT_ERROR : XS_EXIT_OK;
out:
	xs_xdp_detach(&r.x);
	xs_cap_sink_close(r.sink, NULL, 0);
	capture_bpf__destroy(r.skel);
	xs_cap_live_close(r.live);
	free(o.filter);
	return rc;
}
