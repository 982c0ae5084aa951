/* mc_util.c - option parsing, clocks and the stop flag for monitor/capture. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"
#include "util/mc_util.h"
#include "net/xdp_attach.h"

volatile sig_atomic_t xs_mc_stop;

int xs_mc_parse_duration_ms(const char *s, uint64_t *ms)
{
	char *end;
	double v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -EINVAL;
	if (!*end || !strcmp(end, "s"))
		v *= 1000;
	else if (!strcmp(end, "ms"))
		;
	else if (!strcmp(end, "m"))
		v *= 60000;
	else if (!strcmp(end, "h"))
		v *= 3600000;
	else
		return -EINVAL;
	if (v > 1e12)
		return -ERANGE;
	*ms = (uint64_t)(v + 0.5);
	return 0;
}

int xs_mc_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

uint64_t xs_mc_now_ns(int clock_id)
{
	struct timespec ts;

	clock_gettime(clock_id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t xs_mc_mono_to_wall_offset(void)
{
	/* Bracket the realtime read between two monotonic reads to halve the error. */
	uint64_t m1 = xs_mc_now_ns(CLOCK_MONOTONIC);
	uint64_t r = xs_mc_now_ns(CLOCK_REALTIME);
	uint64_t m2 = xs_mc_now_ns(CLOCK_MONOTONIC);

	return (int64_t)(r - (m1 + (m2 - m1) / 2));
}

char *xs_mc_fmt_time(uint64_t wall_ns, int digits, char *buf, unsigned long len)
{
	time_t sec = (time_t)(wall_ns / 1000000000ull);
	uint64_t frac = wall_ns % 1000000000ull;
	struct tm tm;

	localtime_r(&sec, &tm);
	if (digits == 3)
		snprintf(buf, len, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (unsigned)(frac / 1000000));
	else
		snprintf(buf, len, "%02d:%02d:%02d.%06u", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (unsigned)(frac / 1000));
	return buf;
}

static void on_stop(int sig)
{
	(void)sig;
	xs_mc_stop = 1;
}

void xs_mc_install_stop_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int xs_mc_path_parse(const char *s, enum xs_mc_path *p)
{
	if (!strcmp(s, "auto"))
		*p = XS_MC_AUTO;
	else if (!strcmp(s, "xdp"))
		*p = XS_MC_XDP;
	else if (!strcmp(s, "pcap"))
		*p = XS_MC_PCAP;
	else
		return -EINVAL;
	return 0;
}

int xs_mc_ifindex(const char **name)
{
	static char first[IF_NAMESIZE];
	struct if_nameindex *ifs, *i;
	struct ifreq ifr;
	int fd, idx = 0;

	if (*name) {
		idx = if_nametoindex(*name);
		if (!idx)
			pr_warn("no such interface '%s'", *name);
		return idx;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ifs = if_nameindex();
	for (i = ifs; fd >= 0 && i && i->if_index; i++) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr))
			continue;
		if ((ifr.ifr_flags & IFF_UP) && !(ifr.ifr_flags & IFF_LOOPBACK)) {
			snprintf(first, sizeof(first), "%s", i->if_name);
			idx = i->if_index;
			break;
		}
	}
	if (ifs)
		if_freenameindex(ifs);
	if (fd >= 0)
		close(fd);
	if (!idx)
		pr_warn("no interface is up (other than loopback); give one with -i");
	else
		*name = first;
	return idx;
}

int xs_mc_attach(struct bpf_program *prog, int load_err, const char *ifname, int ifindex,
		 int xdp_mode, enum xs_mc_path path, struct xs_xdp *x)
{
	__u32 other = 0;
	int err;

	if (path == XS_MC_PCAP)
		return 1;
	if (load_err) {
		if (path == XS_MC_XDP) {
			pr_warn("cannot load the XDP program: %s", strerror(-load_err));
			return load_err;
		}
		pr_warn("XDP unavailable (%s); capturing with libpcap instead", strerror(-load_err));
		return 1;
	}
	err = xs_xdp_attach(prog, ifindex, (enum xs_xdp_mode)xdp_mode, x, &other);
	if (!err) {
		pr_info("XDP program attached to %s in %s mode", ifname, xs_xdp_mode_str(x->mode));
		return 0;
	}
	if (err == -EBUSY && other) {
		char what[256];

		/* libxdp tells a dispatcher from a single program, with names and mode. */
		xs_xdp_describe(ifindex, what, sizeof(what));
		if (path == XS_MC_XDP) {
			pr_warn("%s already has %s attached (never replaced); "
				"use --capture pcap or stop that program", ifname, what);
			return err;
		}
		pr_warn("%s already has %s attached; capturing with libpcap instead", ifname, what);
		return 1;
	}
	if (path == XS_MC_XDP) {
		pr_warn("cannot attach XDP to %s: %s", ifname, strerror(-err));
		return err;
	}
	pr_warn("cannot attach XDP to %s (%s); capturing with libpcap instead", ifname,
		strerror(-err));
	return 1;
}
