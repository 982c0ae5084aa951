/* synblast.c - TCP SYN load for bench/monitor: from the lab's scanner namespace, sends
 * SYNs over an AF_PACKET socket to the responder veth's MAC, so the lab's XDP responder
 * answers each one (RST+ACK or SYN-ACK from a port <= 1000) back into the scanner's
 * interface, where `xsweep monitor` / `xsweep capture` watch.
 *
 *   synblast --ifname IF --dst-mac MAC [--range CIDR] [--ports P,P..] [--count N]
 *            [--pps R] [--batch N]
 *
 * Destinations cycle through RANGE (inside 198.18.0.0/15 only), destination ports
 * through PORTS, source ports through 1024..65535. --pps paces the sends (batches on an
 * absolute clock; 0 = as fast as the socket takes them). Refuses to run in the root
 * network namespace. Prints "sent N in S s (R pps)".
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "net/icmp.h"
#include "util/log.h"
#include "util/parse.h"
#include "netns.h"

#define FRAME_LEN 54	/* 14 Ethernet + 20 IPv4 + 20 TCP, no options */
#define MAX_PORTS 16

static void build_syn(unsigned char *f, const unsigned char *dmac, const unsigned char *smac,
		      __u32 src, __u32 dst, __u16 sport, __u16 dport, __u32 seq)
{
	unsigned char *ip = f + 14, *tcp = ip + 20;
	__u32 s;
	__u16 c;

	memset(f, 0, FRAME_LEN);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = FRAME_LEN - 14;
	ip[6] = 0x40;	/* DF */
	ip[8] = 64;
	ip[9] = 6;
	ip[12] = src >> 24, ip[13] = src >> 16, ip[14] = src >> 8, ip[15] = src;
	ip[16] = dst >> 24, ip[17] = dst >> 16, ip[18] = dst >> 8, ip[19] = dst;
	c = xs_csum(ip, 20);
	memcpy(ip + 10, &c, 2);
	tcp[0] = sport >> 8, tcp[1] = sport;
	tcp[2] = dport >> 8, tcp[3] = dport;
	tcp[4] = seq >> 24, tcp[5] = seq >> 16, tcp[6] = seq >> 8, tcp[7] = seq;
	tcp[12] = 5 << 4;
	tcp[13] = 0x02;	/* SYN */
	tcp[14] = 0xff, tcp[15] = 0xff;
	/* Pseudo-header: addresses, protocol, TCP length. */
	s = xs_csum_partial(ip + 12, 8, htons(6 + 20));
	c = xs_csum_fold(xs_csum_partial(tcp, 20, s));
	memcpy(tcp + 16, &c, 2);
}

static int parse_num(const char *name, const char *s, unsigned long long max,
		     unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *out > max) {
		pr_warn("synblast: bad --%s '%s'", name, s);
		return -1;
	}
	return 0;
}

static int parse_cidr(const char *s, __u32 *net, __u32 *mask)
{
	char buf[64], *slash;
	unsigned long long plen = 32;
	struct in_addr a;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		if (parse_num("range", slash + 1, 32, &plen))
			return -1;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*mask = plen ? ~0U << (32 - plen) : 0;
	*net = ntohl(a.s_addr) & *mask;
	/* Targets only ever come from 198.18.0.0/15 (RFC 2544). */
	return (*mask & 0xfffe0000) == 0xfffe0000 && (*net & 0xfffe0000) == 0xc6120000 ? 0 : -1;
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: synblast --ifname IF --dst-mac MAC [--range CIDR] [--ports P,P..]\n"
		     "                [--count N] [--pps R] [--batch N]\n");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "ifname", required_argument, NULL, 'i' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "range", required_argument, NULL, 'r' },
		{ "ports", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "pps", required_argument, NULL, 'R' },
		{ "batch", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *ifname = NULL, *dst_mac = NULL, *range = "198.18.0.0/15", *ports_s = "22,80,443";
	unsigned long long count = 1000000, pps = 0, batch = 64, v;
	unsigned char dmac[6], smac[6], (*frames)[FRAME_LEN] = NULL;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct mmsghdr *msgs = NULL;
	struct iovec *iov = NULL;
	struct ifreq ifr = {};
	__u16 ports[MAX_PORTS];
	__u32 net, mask, n, nports = 0, i = 0;
	unsigned long long sent = 0;
	double t0, t1;
	int fd = -1, c, one = 1, ret = XS_EXIT_ERROR;
	char buf[128], *tok, *save;

	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'm': dst_mac = optarg; break;
		case 'r': range = optarg; break;
		case 'p': ports_s = optarg; break;
		case 'c':
			if (parse_num("count", optarg, 1ULL << 40, &count))
				return XS_EXIT_ERROR;
			break;
		case 'R':
			if (parse_num("pps", optarg, 100000000, &pps))
				return XS_EXIT_ERROR;
			break;
		case 'b':
			if (parse_num("batch", optarg, 1024, &batch) || !batch)
				return XS_EXIT_ERROR;
			break;
		case 'h':
			usage(stdout);
			return XS_EXIT_OK;
		default:
			usage(stderr);
			return XS_EXIT_ERROR;
		}
	}
	if (optind != argc || !ifname || !dst_mac) {
		usage(stderr);
		return XS_EXIT_ERROR;
	}
	if (parse_cidr(range, &net, &mask)) {
		pr_warn("synblast: --range must be an IPv4 CIDR inside 198.18.0.0/15, not '%s'", range);
		return XS_EXIT_ERROR;
	}
	if (strlen(ports_s) >= sizeof(buf)) {
		pr_warn("synblast: --ports too long");
		return XS_EXIT_ERROR;
	}
	strcpy(buf, ports_s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (nports == MAX_PORTS || parse_num("ports", tok, 65535, &v) || !v) {
			pr_warn("synblast: --ports wants 1..%d ports in 1..65535", MAX_PORTS);
			return XS_EXIT_ERROR;
		}
		ports[nports++] = v;
	}
	if (!nports) {
		pr_warn("synblast: --ports is empty");
		return XS_EXIT_ERROR;
	}
	if (xs_parse_mac(dst_mac, dmac)) {
		pr_warn("synblast: bad --dst-mac '%s'", dst_mac);
		return XS_EXIT_ERROR;
	}
	if (xs_in_root_netns()) {
		pr_warn("synblast: refusing to send from the root network namespace");
		return XS_EXIT_ERROR;
	}
	n = ~mask + 1;

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		pr_warn("synblast: AF_PACKET socket: %s", strerror(errno));
		goto out;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		pr_warn("synblast: no interface %s: %s", ifname, strerror(errno));
		goto out;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_ifindex = if_nametoindex(ifname);
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dmac, 6);
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));

	frames = calloc(batch, FRAME_LEN);
	msgs = calloc(batch, sizeof(*msgs));
	iov = calloc(batch, sizeof(*iov));
	if (!frames || !msgs || !iov)
		goto out;
	t0 = now_s();
	while (sent < count) {
		int b = count - sent < batch ? (int)(count - sent) : (int)batch, got;

		if (pps) {
			/* Absolute schedule: batch k leaves at t0 + sent / pps. */
			double due = t0 + (double)sent / pps, now = now_s();

			if (due > now) {
				struct timespec ts = { (time_t)(due - now),
						       (long)((due - now - (time_t)(due - now)) * 1e9) };
				nanosleep(&ts, NULL);
			}
		}
		for (int k = 0; k < b; k++) {
			__u32 j = i + k;

			build_syn(frames[k], dmac, smac, 0xc0000201 /* 192.0.2.1 */,
				  net + (n ? j % n : j), 1024 + j % (65536 - 1024),
				  ports[j % nports], j);
			iov[k].iov_base = frames[k];
			iov[k].iov_len = FRAME_LEN;
			msgs[k].msg_hdr.msg_iov = &iov[k];
			msgs[k].msg_hdr.msg_iovlen = 1;
			msgs[k].msg_hdr.msg_name = &sll;
			msgs[k].msg_hdr.msg_namelen = sizeof(sll);
		}
		got = sendmmsg(fd, msgs, b, 0);
		if (got < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
				continue;
			pr_warn("synblast: sendmmsg: %s", strerror(errno));
			goto out;
		}
		sent += got;
		i += got;
	}
	t1 = now_s();
	printf("sent %llu in %.3f s (%.0f pps)\n", sent, t1 - t0, sent / (t1 - t0));
	ret = XS_EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	free(frames);
	free(msgs);
	free(iov);
	return ret;
}
