/* tcp.c - the TCP SYN probe module (IPv4 and IPv6).
 *
 * Frame: Ethernet | IPv4 (no options, DF) or IPv6 | TCP SYN (20 bytes, no options): sequence
 * number = the cookie over (target address and port, our address, round), source port
 * picked from the cookie within --source-port. A SYN-ACK means open, an RST closed;
 * replies: include/validate_tcp.h. After a SYN-ACK the engine sends the RST that ends
 * the half-open connection (fill_reset), unless --no-reset.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include "halfsiphash.h"
#include "net/icmp.h"
#include "probe/probe.h"
#include "scan/addr.h"
#include "validate_tcp.h"

#define L3_LEN (20 + 20)
#define FRAME_LEN (14 + L3_LEN)
#define FRAME6_LEN (14 + 40 + 20)

static void tcp_build(struct xs_probe *p)
{
	uint8_t *th = p->tmpl + xs_probe_ip4_header(p, p->tmpl, L3_LEN, 6);
	uint16_t win = htons(65535);

	th[12] = 5 << 4;		/* 20-byte header */
	th[13] = XS_TCP_SYN;
	memcpy(th + 14, &win, 2);
	p->tmpl_len = FRAME_LEN;

	memset(p->tmpl6, 0, sizeof(p->tmpl6));
	th = p->tmpl6 + xs_probe_ip6_header(p, p->tmpl6, 20, 6);
	th[12] = 5 << 4;
	th[13] = XS_TCP_SYN;
	memcpy(th + 14, &win, 2);
	p->tmpl6_len = FRAME6_LEN;
}

static uint32_t tcp_cookie(const struct xs_probe *p, const struct xs_target *t)
{
	if (t->ip.family == XS_AF_INET6)
		return xs_probe_cookie6(p, t, 0, t->port);
	return xs_cookie_port(p->v.key, xs_ip4_addr(&t->ip), p->v.src4, XS_PROBE_TCP_SYN, p->round, t->port);
}

/* The TCP header at th for the segment to t: ports, seq, flags (th holds the template's). */
static void tcp_header(const struct xs_probe *p, uint8_t *th, const struct xs_target *t,
		       uint32_t cookie, bool rst)
{
	uint16_t sport = htons(xs_tcp_sport(&p->v, cookie, p->attempt)), dport = htons(t->port);
	uint32_t seq = htonl(cookie + rst);

	memcpy(th, &sport, 2);
	memcpy(th + 2, &dport, 2);
	memcpy(th + 4, &seq, 4);
	if (rst) {
		th[13] = XS_TCP_RST;
		memset(th + 14, 0, 2);	/* window 0 */
	}
}

static unsigned tcp6_segment(const struct xs_probe *p, uint8_t *buf, const struct xs_target *t,
			     bool rst)
{
	uint8_t *ip = buf + 14, *th = ip + 40;
	uint16_t c;

	memcpy(buf, p->tmpl6, FRAME6_LEN);
	memcpy(ip + 24, t->ip.addr, 16);
	tcp_header(p, th, t, tcp_cookie(p, t), rst);
	c = xs_csum_fold(xs_csum_partial(th, 20, xs_probe_ip6_pseudo(p, t->ip.addr, 20, 6)));
	memcpy(th + 16, &c, 2);
	return FRAME6_LEN;
}

/* The segment to t from the source port of p->attempt: the SYN (seq = cookie), or the
 * RST that follows a SYN-ACK to it (seq = cookie + 1). */
static unsigned tcp_segment(const struct xs_probe *p, uint8_t *buf, const struct xs_target *t,
			    bool l3, bool rst)
{
	uint8_t *ip = buf + (l3 ? 0 : 14), *th = ip + 20, ph[12];
	uint32_t dst = xs_ip4_addr(&t->ip), cookie = tcp_cookie(p, t);
	uint16_t ipid = (uint16_t)(cookie ^ (cookie >> 16) ^ rst), len = htons(20), c;

	if (t->ip.family == XS_AF_INET6)
		return tcp6_segment(p, buf, t, rst);
	memcpy(buf, l3 ? p->tmpl + 14 : p->tmpl, l3 ? L3_LEN : FRAME_LEN);
	memcpy(ip + 4, &ipid, 2);
	memcpy(ip + 16, &dst, 4);
	c = xs_csum(ip, 20);
	memcpy(ip + 10, &c, 2);
	tcp_header(p, th, t, cookie, rst);
	memcpy(ph, &p->v.src4, 4);
	memcpy(ph + 4, &dst, 4);
	ph[8] = 0;
	ph[9] = 6;
	memcpy(ph + 10, &len, 2);
	c = xs_csum_fold(xs_csum_partial(th, 20, xs_csum_partial(ph, sizeof(ph), 0)));
	memcpy(th + 16, &c, 2);
	return l3 ? L3_LEN : FRAME_LEN;
}

static unsigned tcp_fill(const struct xs_probe *p, uint8_t *buf, const struct xs_target *t,
			 uint64_t tx_ns, bool l3)
{
	(void)tx_ns;	/* nothing in a SYN comes back but the ports and seq + 1 */
	return tcp_segment(p, buf, t, l3, false);
}

static unsigned tcp_fill_reset(const struct xs_probe *p, uint8_t *buf, const struct xs_target *t,
			       bool l3)
{
	return tcp_segment(p, buf, t, l3, true);
}

static int tcp_validate(const void *data, const void *end, const struct xs_vcfg *c,
			uint32_t round, struct xs_reply *r)
{
	return xs_tcp_validate(data, end, c, round, r);
}

static void tcp_pcap_filter(const struct xs_probe *p, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->v.src4, a, sizeof(a));
	inet_ntop(AF_INET6, p->v.src6, a6, sizeof(a6));
	snprintf(buf, len, "(tcp and dst host %s and dst portrange %u-%u) or (ip6 dst host %s)", a,
		 p->v.sport_lo, p->v.sport_lo + p->v.sport_n - 1, a6);
}

static const char *tcp_state_name(unsigned state)
{
	return state == XS_STATE_OPEN ? "open" : state == XS_STATE_CLOSED ? "closed" : "?";
}

const struct xs_probe_module xs_probe_tcp = {
	.name = "tcp-syn",
	.summary = "TCP SYN to each port of -p; open on SYN-ACK, closed on RST",
	.type = XS_PROBE_TCP_SYN,
	.proto = "tcp",
	.ports = true,
	.build = tcp_build,
	.fill = tcp_fill,
	.fill_reset = tcp_fill_reset,
	.cookie = tcp_cookie,
	.validate = tcp_validate,
	.pcap_filter = tcp_pcap_filter,
	.state_name = tcp_state_name,
};
