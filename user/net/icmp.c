/* icmp.c - Internet checksum, ICMP/ICMPv6 echo building and reply/error parsing.
 *
 * Pure functions over byte buffers (no sockets), so they are unit-tested with crafted
 * packets and reused by the sweep for its own checksums.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#include "net/icmp.h"

uint32_t xs_csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = sum;
	uint16_t w;

	/* Summing 16-bit words in memory order gives a result in memory order too
	 * (the one's-complement sum is byte-order independent, RFC 1071 2(B)). */
	while (len >= 2) {
		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { *p, 0 };

		memcpy(&w, last, 2);
		acc += w;
	}
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t xs_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t xs_csum(const void *buf, size_t len)
{
	return xs_csum_fold(xs_csum_partial(buf, len, 0));
}

size_t xs_icmp_echo_build(void *buf, size_t bufsz, int family, uint16_t id, uint16_t seq,
			  const void *payload, size_t plen)
{
	uint8_t *p = buf;
	uint16_t v;

	if (bufsz < XS_ICMP_HDR_LEN || plen > bufsz - XS_ICMP_HDR_LEN)
		return 0;
	p[0] = family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	p[1] = 0;
	memset(p + 2, 0, 2);
	v = htons(id);
	memcpy(p + 4, &v, 2);
	v = htons(seq);
	memcpy(p + 6, &v, 2);
	if (plen)
		memcpy(p + XS_ICMP_HDR_LEN, payload, plen);
	if (family != AF_INET6) {
		v = xs_csum(p, XS_ICMP_HDR_LEN + plen);
		memcpy(p + 2, &v, 2);
	}
	return XS_ICMP_HDR_LEN + plen;
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return ntohs(v);
}

/* Quoted IPv4 request inside an ICMP error: IP header + at least 8 bytes of ICMP. */
static int parse_quoted4(const uint8_t *q, size_t len, struct xs_icmp_msg *m)
{
	size_t ihl;

	if (len < 20 || (q[0] >> 4) != 4)
		return -EINVAL;
	ihl = (size_t)(q[0] & 0xf) * 4;
	if (ihl < 20 || len < ihl + XS_ICMP_HDR_LEN)
		return -EINVAL;
	if (q[9] != IPPROTO_ICMP || q[ihl] != ICMP_ECHO)
		return 0;	/* an error about something else */
	memset(&m->inner_dst, 0, sizeof(m->inner_dst));
	m->inner_dst.s6_addr[10] = 0xff;
	m->inner_dst.s6_addr[11] = 0xff;
	memcpy(&m->inner_dst.s6_addr[12], q + 16, 4);
	m->id = get16(q + ihl + 4);
	m->seq = get16(q + ihl + 6);
	m->kind = XS_ICMP_ERROR;
	return 0;
}

/* Quoted IPv6 request: fixed header, then directly ICMPv6 (we send no extension headers). */
static int parse_quoted6(const uint8_t *q, size_t len, struct xs_icmp_msg *m)
{
	if (len < 40 || (q[0] >> 4) != 6)
		return -EINVAL;
	if (len < 40 + XS_ICMP_HDR_LEN)
		return -EINVAL;
	if (q[6] != IPPROTO_ICMPV6 || q[40] != ICMP6_ECHO_REQUEST)
		return 0;
	memcpy(&m->inner_dst, q + 24, 16);
	m->id = get16(q + 44);
	m->seq = get16(q + 46);
	m->kind = XS_ICMP_ERROR;
	return 0;
}

int xs_icmp_parse(int family, bool has_iphdr, const void *buf, size_t len,
		  struct xs_icmp_msg *m)
{
	const uint8_t *p = buf;

	memset(m, 0, sizeof(*m));
	m->ttl = -1;
	if (has_iphdr) {
		size_t ihl;

		if (family != AF_INET || len < 20 || (p[0] >> 4) != 4)
			return -EINVAL;
		ihl = (size_t)(p[0] & 0xf) * 4;
		if (ihl < 20 || len < ihl)
			return -EINVAL;
		if (p[9] != IPPROTO_ICMP)
			return -EINVAL;
		m->ttl = p[8];
		p += ihl;
		len -= ihl;
	}
	if (len < XS_ICMP_HDR_LEN)
		return -EINVAL;
	if (family == AF_INET && xs_csum(p, len) != 0)
		return -EINVAL;
	m->type = p[0];
	m->code = p[1];
	m->icmp_len = len;

	if (family == AF_INET6) {
		switch (m->type) {
		case ICMP6_ECHO_REPLY:
			break;
		case ICMP6_DST_UNREACH:
		case ICMP6_PACKET_TOO_BIG:
		case ICMP6_TIME_EXCEEDED:
		case ICMP6_PARAM_PROB:
			return parse_quoted6(p + 8, len - 8, m);
		default:
			return 0;
		}
	} else {
		switch (m->type) {
		case ICMP_ECHOREPLY:
			break;
		case ICMP_DEST_UNREACH:
		case ICMP_SOURCE_QUENCH:
		case ICMP_TIME_EXCEEDED:
		case ICMP_PARAMETERPROB:
			return parse_quoted4(p + 8, len - 8, m);
		default:
			return 0;
		}
	}
	m->kind = XS_ICMP_ECHO_REPLY;
	m->id = get16(p + 4);
	m->seq = get16(p + 6);
	m->data = p + XS_ICMP_HDR_LEN;
	m->dlen = len - XS_ICMP_HDR_LEN;
	return 0;
}

static const char *unreach4[] = {
	[ICMP_NET_UNREACH] = "Destination Net Unreachable",
	[ICMP_HOST_UNREACH] = "Destination Host Unreachable",
	[ICMP_PROT_UNREACH] = "Destination Protocol Unreachable",
	[ICMP_PORT_UNREACH] = "Destination Port Unreachable",
	[ICMP_FRAG_NEEDED] = "Frag needed and DF set",
	[ICMP_SR_FAILED] = "Source Route Failed",
	[ICMP_NET_UNKNOWN] = "Destination Net Unknown",
	[ICMP_HOST_UNKNOWN] = "Destination Host Unknown",
	[ICMP_HOST_ISOLATED] = "Source Host Isolated",
	[ICMP_NET_ANO] = "Destination Net Prohibited",
	[ICMP_HOST_ANO] = "Destination Host Prohibited",
	[ICMP_NET_UNR_TOS] = "Destination Net Unreachable for Type of Service",
	[ICMP_HOST_UNR_TOS] = "Destination Host Unreachable for Type of Service",
	[ICMP_PKT_FILTERED] = "Packet filtered",
	[ICMP_PREC_VIOLATION] = "Precedence Violation",
	[ICMP_PREC_CUTOFF] = "Precedence Cutoff",
};

static const char *unreach6[] = {
	[ICMP6_DST_UNREACH_NOROUTE] = "Destination unreachable: No route",
	[ICMP6_DST_UNREACH_ADMIN] = "Destination unreachable: Administratively prohibited",
	[ICMP6_DST_UNREACH_BEYONDSCOPE] = "Destination unreachable: Beyond scope",
	[ICMP6_DST_UNREACH_ADDR] = "Destination unreachable: Address unreachable",
	[ICMP6_DST_UNREACH_NOPORT] = "Destination unreachable: Port unreachable",
	[5] = "Destination unreachable: Source address failed policy",
	[6] = "Destination unreachable: Reject route",
};

const char *xs_icmp_strerror(int family, uint8_t type, uint8_t code)
{
	if (family == AF_INET6) {
		switch (type) {
		case ICMP6_DST_UNREACH:
			if (code < sizeof(unreach6) / sizeof(unreach6[0]) && unreach6[code])
				return unreach6[code];
			return "Destination unreachable";
		case ICMP6_PACKET_TOO_BIG:
			return "Packet too big";
		case ICMP6_TIME_EXCEEDED:
			return code ? "Fragment reassembly time exceeded" : "Time to live exceeded";
		case ICMP6_PARAM_PROB:
			return "Parameter problem";
		}
		return "Unknown ICMPv6 error";
	}
	switch (type) {
	case ICMP_DEST_UNREACH:
		if (code < sizeof(unreach4) / sizeof(unreach4[0]) && unreach4[code])
			return unreach4[code];
		return "Destination Unreachable";
	case ICMP_SOURCE_QUENCH:
		return "Source Quench";
	case ICMP_TIME_EXCEEDED:
		return code ? "Frag reassembly time exceeded" : "Time to live exceeded";
	case ICMP_PARAMETERPROB:
		return "Parameter problem";
	}
	return "Unknown ICMP error";
}
