/* fuzz_icmp.c - libFuzzer target: the ping reply parser (user/net/icmp.c xs_icmp_parse),
 * what a raw or datagram ICMP/ICMPv6 socket hands back.
 *
 * Input byte 0: bit 0 IPv6, bit 1 the buffer starts with an IPv4 header (raw IPv4
 * sockets), bit 2 fix the ICMPv4 checksum first (else nearly every mutation stops at
 * it). The rest is the packet, in its own allocation. A parsed echo reply's payload
 * must lie inside the packet; an error's text must exist.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/icmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The ICMPv4 checksum of the message behind the optional IPv4 header, set in place. */
static void fix_csum(uint8_t *p, size_t len, int has_iphdr)
{
	size_t off = has_iphdr && len >= 20 ? (size_t)(p[0] & 0xf) * 4 : 0;
	uint16_t c;

	if (off + XS_ICMP_HDR_LEN > len)
		return;
	memset(p + off + 2, 0, 2);
	c = xs_csum(p + off, len - off);
	memcpy(p + off + 2, &c, 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int family, has_iphdr;
	struct xs_icmp_msg m;
	uint8_t *p;
	size_t len;

	if (!size)
		return 0;
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	has_iphdr = !!(data[0] & 2);
	len = size - 1;
	if (!(p = malloc(len ? len : 1)))
		return 0;
	memcpy(p, data + 1, len);
	if ((data[0] & 4) && family == AF_INET)
		fix_csum(p, len, has_iphdr);
	if (!xs_icmp_parse(family, has_iphdr, p, len, &m)) {
		if (m.kind == XS_ICMP_ECHO_REPLY &&
		    (m.data < p || m.dlen > len || m.data + m.dlen > p + len))
			abort();
		if (m.kind == XS_ICMP_ERROR && !xs_icmp_strerror(family, m.type, m.code))
			abort();
	}
	free(p);
	return 0;
}
