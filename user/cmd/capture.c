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
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture/capture_pcap.h"
#include "cmd/commands.h"
#include "util/log.h"
#include "util/mc_util.h"
#include "net/xdp_attach.h"
#include "xsweep.h"
#include "capture.skel.h"

_Static_assert(sizeof(struct xs_cap_hdr) == 16, "xs_cap_hdr layout");
_Static_assert(sizeof(struct xs_cap_stats) == 32, "xs_cap_stats layout");

#define DEFAULT_SNAPLEN 262144

struct cap_opts {
	const char *ifname, *wfile;
	char *filter;
	uint64_t count, snaplen, duration_ms, buf_kib;
	enum xs_mc_path path;
	enum xs_xdp_mode xdp_mode;
};

void usage_capture(FILE *out)
{
	fprintf(out,
		"Usage: xsweep capture [-i IFACE] [-w FILE.pcap] [-c COUNT] [-s SNAPLEN] [--duration D]\n"
		"                      [--capture auto|xdp|pcap] [OPTIONS] [FILTER...]\n\n"
		"Capture the frames IFACE receives. XDP path (default): an XDP program copies each\n"
		"frame to a BPF ring buffer and passes it on unchanged; INGRESS ONLY (the libpcap\n"
		"path reads ingress too, so both give the same packets). FILTER is a tcpdump/pcap\n"
		"expression, compiled by libpcap and applied in userspace to each frame.\n\n"
		"  -i, --interface IFACE  interface (default: the first one up, not loopback)\n"
		"  -w, --write FILE       write a pcap file (libpcap format; '-' = stdout) instead of\n"
		"                         one tcpdump-like line per packet\n"
		"  -c, --count N          stop after N packets\n"
		"  -s, --snaplen N        bytes kept per packet (default and 0: %d; the XDP path\n"
		"                         copies at most %d)\n"
		"      --duration D       stop after D (500ms, 10s, 1m)\n"
		"  -B, --buffer-size KiB  ring buffer / libpcap buffer (default 8192)\n"
		"      --capture PATH     auto (XDP, else libpcap with a notice), xdp, pcap\n"
		"      --xdp-mode MODE    auto (native, else generic), native, generic\n\n"
		"Stops on SIGINT/SIGTERM too. At the end, on stderr: packets captured, dropped\n"
		"(ring buffer full, or libpcap's kernel drops) and filtered out.\n",
		DEFAULT_SNAPLEN, XS_CAP_MAX_SNAP);
}

static int join_filter(int argc, char **argv, struct cap_opts *o)
{
	size_t len = 1;

	for (int i = optind; i < argc; i++)
		len += strlen(argv[i]) + 1;
	o->filter = calloc(1, len);
	if (!o->filter)
		return -ENOMEM;
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			strcat(o->filter, " ");
		strcat(o->filter, argv[i]);
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct cap_opts *o)
{
	static const struct option lopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "write", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "buffer-size", required_argument, NULL, 'B' },
		{ "capture", required_argument, NULL, 'C' },
		{ "xdp-mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, bad;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:w:c:s:B:h", lopts, NULL)) != -1) {
		bad = 0;
		switch (c) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'w':
			o->wfile = optarg;
			break;
		case 'c':
			bad = xs_mc_parse_u64(optarg, 1, UINT64_MAX, &o->count);
			break;
		case 's':
			bad = xs_mc_parse_u64(optarg, 0, DEFAULT_SNAPLEN, &o->snaplen);
			if (!bad && !o->snaplen)
				o->snaplen = DEFAULT_SNAPLEN;
			break;
		case 'd':
			bad = xs_mc_parse_duration_ms(optarg, &o->duration_ms) || !o->duration_ms;
			break;
		case 'B':
			bad = xs_mc_parse_u64(optarg, 4, 1u << 21, &o->buf_kib);
			break;
		case 'C':
			bad = xs_mc_path_parse(optarg, &o->path);
			break;
		case 'm':
			bad = xs_xdp_mode_parse(optarg, &o->xdp_mode);
			break;
		case 'h':
			usage_capture(stdout);
			return 1;
		case ':':
			pr_warn("capture: option '%s' needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			pr_warn("capture: unknown option '%s' (see 'xsweep help capture')", argv[optind - 1]);
			return -EINVAL;
		}
		if (bad) {
			for (const struct option *l = lopts; l->name; l++)
				if (l->val == c)
					pr_warn("capture: invalid value '%s' for --%s", optarg, l->name);
			return -EINVAL;
		}
	}
	return join_filter(argc, argv, o);
}

struct cap_run {
	struct cap_opts *o;
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
	return deadline && xs_mc_now_ns(CLOCK_MONOTONIC) >= deadline;
}

static int sum_stats(struct capture_bpf *skel, struct xs_cap_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xs_cap_stats *per;
	__u32 zero = 0;
	int err;

	memset(sum, 0, sizeof(*sum));
	if (ncpu < 1)
		return ncpu;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &zero, per);
	for (int c = 0; !err && c < ncpu; c++) {
		sum->seen += per[c].seen;
		sum->queued += per[c].queued;
		sum->ringbuf_full += per[c].ringbuf_full;
		sum->copy_errors += per[c].copy_errors;
	}
	free(per);
	return err ? -errno : 0;
}

static int run_xdp(struct cap_run *r, struct capture_bpf *skel, struct xs_xdp *x,
		   uint64_t deadline, uint64_t *dropped)
{
	struct xs_cap_stats st = { 0 };
	struct ring_buffer *rb;
	int err = 0;

	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_record, r, NULL);
	if (!rb) {
		pr_warn("capture: ring buffer: %s", strerror(errno));
		return -errno;
	}
	while (!xs_mc_stop && !xs_cap_sink_done(r->sink) && !time_up(deadline)) {
		err = ring_buffer__poll(rb, 100);
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
	xs_xdp_detach(x);
	if (!xs_cap_sink_done(r->sink))
		ring_buffer__consume(rb);
	ring_buffer__free(rb);
	if (!err)
		err = sum_stats(skel, &st);
	*dropped = st.ringbuf_full + st.copy_errors + r->bad_records;
	return err;
}

static int run_pcap(struct cap_run *r, struct xs_cap_live *live, uint64_t deadline,
		    uint64_t *dropped)
{
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

int do_capture(int argc, char **argv)
{
	struct cap_opts o = { .snaplen = DEFAULT_SNAPLEN, .buf_kib = 8192 };
	struct xs_cap_sink_opts so = { 0 };
	struct xs_xdp x = XS_XDP_INIT;
	struct cap_run r = { .o = &o };
	struct capture_bpf *skel = NULL;
	struct xs_cap_live *live = NULL;
	uint64_t deadline = 0, dropped = 0, captured, filtered;
	int ifindex, err, ret = XS_EXIT_ERROR;
	bool use_pcap;
	char ebuf[512];
	__u32 copy;

	err = parse_opts(argc, argv, &o);
	if (err)
		return err > 0 ? XS_EXIT_OK : XS_EXIT_ERROR;
	if (xs_cap_filter_check(o.filter, ebuf, sizeof(ebuf))) {
		pr_warn("capture: %s", ebuf);
		goto out;
	}
	ifindex = xs_mc_ifindex(&o.ifname);
	if (!ifindex)
		goto out;
	xs_mc_install_stop_handlers();

	/* With a filter, frames are copied whole so the filter sees what tcpdump's would. */
	copy = *o.filter ? XS_CAP_MAX_SNAP : (__u32)(o.snaplen < XS_CAP_MAX_SNAP ? o.snaplen : XS_CAP_MAX_SNAP);
	err = 0;
	if (o.path != XS_MC_PCAP) {
		/* open -> snap length (rodata) and ring size -> load -> attach (or fall back). */
		skel = capture_bpf__open();
		if (!skel) {
			err = -errno;
		} else {
			__u64 ring = 4096;

			while (ring < o.buf_kib * 1024)
				ring <<= 1;
			skel->rodata->snaplen = copy;
			bpf_map__set_max_entries(skel->maps.events, (__u32)ring);
			err = capture_bpf__load(skel);
		}
	}
	err = xs_mc_attach(skel ? skel->progs.xs_capture : NULL, err, o.ifname, ifindex,
			   o.xdp_mode, o.path, &x);
	if (err < 0)
		goto out;
	use_pcap = err == 1;
	if (use_pcap) {
		capture_bpf__destroy(skel);
		skel = NULL;
		live = xs_cap_live_open(o.ifname, *o.filter ? (o.snaplen > XS_CAP_MAX_SNAP ? (__u32)o.snaplen : XS_CAP_MAX_SNAP) : (__u32)o.snaplen,
					(__u32)o.buf_kib, !o.wfile, ebuf, sizeof(ebuf));
		if (!live) {
			pr_warn("capture: libpcap: %s", ebuf);
			goto out;
		}
	}
	so.filter = o.filter;
	so.wfile = o.wfile;
	so.snaplen = (uint32_t)o.snaplen;
	so.count = o.count;
	so.out = stdout;
	r.sink = xs_cap_sink_open(&so, ebuf, sizeof(ebuf));
	if (!r.sink) {
		pr_warn("capture: %s", ebuf);
		goto out;
	}
	r.wall_offset = xs_mc_mono_to_wall_offset();
	if (o.duration_ms)
		deadline = xs_mc_now_ns(CLOCK_MONOTONIC) + o.duration_ms * 1000000ull;

	/* Always, like tcpdump's "listening on": says which path captures. */
	pr_warn("capturing on %s via %s", o.ifname, use_pcap ? "pcap" : "xdp");
	err = use_pcap ? run_pcap(&r, live, deadline, &dropped) : run_xdp(&r, skel, &x, deadline, &dropped);
	xs_cap_sink_counts(r.sink, &captured, &filtered);
	if (xs_cap_sink_close(r.sink, ebuf, sizeof(ebuf))) {
		pr_warn("capture: %s", ebuf);
		err = -EIO;
	}
	r.sink = NULL;
	fflush(stdout);
	fprintf(stderr, "%llu packets captured, %llu dropped, %llu filtered out (%s on %s)\n",
		(unsigned long long)captured, (unsigned long long)dropped,
		(unsigned long long)filtered, use_pcap ? "pcap" : "xdp", o.ifname);
	ret = err ? XS_EXIT_ERROR : XS_EXIT_OK;
out:
	xs_xdp_detach(&x);
	xs_cap_sink_close(r.sink, NULL, 0);
	capture_bpf__destroy(skel);
	xs_cap_live_close(live);
	free(o.filter);
	return ret;
}
