/* icmp.h - Internet checksum and ICMP/ICMPv6 echo helpers shared by ping and the sweep.
 *
 * Nothing here touches a socket: building an echo request, parsing what a raw or
 * datagram ICMP socket hands back (echo replies and errors quoting our requests), and
 * naming ICMP errors. Byte order: every field in struct xs_icmp_msg is host order.
 */
#ifndef XSWEEP_ICMP_H
#define XSWEEP_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* RFC 1071 one's-complement sum. xs_csum() returns the checksum in the byte order of
 * the data: store it into the packet as is (memcpy), no htons(). A buffer that already
 * holds a correct checksum sums to 0. */
uint32_t xs_csum_partial(const void *buf, size_t len, uint32_t sum);
uint16_t xs_csum_fold(uint32_t sum);
uint16_t xs_csum(const void *buf, size_t len);

#define XS_ICMP_HDR_LEN 8	/* type, code, checksum, id, sequence */

/* Write an echo request (ICMP type 8, or ICMPv6 type 128 when family is AF_INET6)
 * followed by payload into buf. The ICMPv4 checksum is computed here; ICMPv6 needs
 * the pseudo-header, so its checksum is left 0 for the kernel (raw ICMPv6 and all
 * datagram ICMP sockets fill it in). Returns the length, or 0 if buf is too small. */
size_t xs_icmp_echo_build(void *buf, size_t bufsz, int family, uint16_t id, uint16_t seq,
			  const void *payload, size_t plen);

enum xs_icmp_kind {
	XS_ICMP_OTHER = 0,	/* valid ICMP, but neither an echo reply nor an error about one */
	XS_ICMP_ECHO_REPLY,
	XS_ICMP_ERROR,		/* unreachable, time exceeded, ... quoting an echo request */
};

struct xs_icmp_msg {
	enum xs_icmp_kind kind;
	uint8_t type, code;	/* of the message itself */
	uint16_t id, seq;	/* of the reply, or of the quoted echo request */
	int ttl;		/* from the IPv4 header when present, else -1 */
	const uint8_t *data;	/* echo reply payload (after the 8-byte header) */
	size_t dlen;
	size_t icmp_len;	/* ICMP header + payload */
	struct in6_addr inner_dst;	/* errors: destination of the quoted request;
					 * IPv4 as ::ffff:a.b.c.d */
};

/* Parse one packet as read from an ICMP socket. has_iphdr: the buffer starts with the
 * IPv4 header (raw IPv4 sockets). Returns 0, or -EINVAL for a truncated/bad packet
 * (an IPv4 ICMP checksum is verified here; the kernel verified ICMPv6 already). */
int xs_icmp_parse(int family, bool has_iphdr, const void *buf, size_t len,
		  struct xs_icmp_msg *m);

/* "Destination Host Unreachable", "Time to live exceeded", ... for an ICMP error. */
const char *xs_icmp_strerror(int family, uint8_t type, uint8_t code);

#endif
