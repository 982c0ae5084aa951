/* mc_util.c - what monitor, capture and sweep share around an XDP-or-libpcap capture:
 * the path choice, the interface, the attach-or-fall-back policy, the stop flag. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"
#include "util/mc_util.h"
#include "net/xdp_attach.h"

volatile sig_atomic_t xs_mc_stop;

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

const struct xs_opt_choice xs_mc_path_choices[] = {
	{ "auto", XS_MC_AUTO }, { "xdp", XS_MC_XDP }, { "pcap", XS_MC_PCAP }, { NULL },
};

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
