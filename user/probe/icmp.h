/* probe_icmp.h - the ICMP echo probe: a frame template built once, patched per target.
 *
 * Frame: Ethernet | IPv4 (no options) | ICMP echo (id/seq = cookie) | xs_probe_payload.
 * The same layout is used without the Ethernet header on raw IP sockets.
 */
#ifndef XSWEEP_PROBE_ICMP_H
#define XSWEEP_PROBE_ICMP_H

#include <stddef.h>
#include <stdint.h>

#define XS_ICMP_L3_LEN (20 + 8 + 24)
#define XS_ICMP_FRAME_LEN (14 + XS_ICMP_L3_LEN)

struct xs_probe_ctx {
	uint32_t key[2];
	uint32_t src;		/* network order */
	uint32_t round;
	uint32_t attempt;
	uint8_t ttl;
	uint8_t template[XS_ICMP_FRAME_LEN];
};

void xs_icmp_template(struct xs_probe_ctx *p, const uint8_t src_mac[6], const uint8_t dst_mac[6]);
/* Write the probe for dst (network order) into buf (XS_ICMP_FRAME_LEN bytes); returns the
 * cookie. l3 != 0 writes the packet without its Ethernet header (raw socket). */
uint32_t xs_icmp_make(const struct xs_probe_ctx *p, uint8_t *buf, uint32_t dst, uint64_t tx_ns, int l3);

#endif
