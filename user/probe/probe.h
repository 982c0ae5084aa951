/* probe.h - probe modules: one struct of callbacks per probe type, and their registry.
 *
 * A module builds a frame template once per run (build), writes the probe for one
 * target and attempt into a send buffer (fill), names the libpcap filter that lets its
 * replies through (pcap_filter), names the states its replies report (state_name) and
 * the fields its results carry (proto, ports). Its replies are validated by its inline
 * in include/validate_<type>.h, the same code in the XDP program and on the libpcap path
 * (validate, below, is that inline). The engine (user/scan/engine.c) knows nothing about
 * any probe type beyond this struct.
 *
 * Adding a probe type: user/probe/<type>.c defining a module, its validator
 * include/validate_<type>.h (one line in include/sweep_validate.h), one line in
 * registry.c.
 */
#ifndef XSWEEP_PROBE_H
#define XSWEEP_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xsweep.h"
#include "verdict.h"

#define XS_PROBE_MAX_FRAME 128	/* largest frame any module builds (send buffer size) */

/* The per-run state a module builds from and fills with. */
struct xs_probe {
	const struct xs_probe_module *m;
	struct xs_vcfg v;	/* key, source addresses, probe type: the validator's view */
	uint8_t src_mac[6], dst_mac[6];		/* IPv4: ours and the next hop's */
	uint8_t src_mac6[6], dst_mac6[6];	/* IPv6 */
	uint8_t ttl;				/* IPv4 TTL and IPv6 hop limit */
	uint32_t round;		/* sweep round (periodic mode) */
	uint32_t attempt;	/* probe number of this target in the round */
	uint8_t tmpl[XS_PROBE_MAX_FRAME];	/* built once by build(): IPv4 */
	uint8_t tmpl6[XS_PROBE_MAX_FRAME];	/* IPv6 */
	unsigned tmpl_len, tmpl6_len;
};

struct xs_probe_module {
	const char *name;	/* --probe NAME */
	const char *summary;	/* one line for --help */
	uint32_t type;		/* XS_PROBE_*: cookie input and the XDP program's branch */
	const char *proto;	/* result field "proto" (icmp, tcp) */
	bool ports;		/* targets are (address, port) pairs */
	/* Build p->tmpl and p->tmpl6 from p (addresses, MACs, TTL). */
	void (*build)(struct xs_probe *p);
	/* Write the probe to t (IPv4 or IPv6) for p->round/p->attempt into buf
	 * (XS_PROBE_MAX_FRAME bytes), without the Ethernet header when l3 (IPv4 only);
	 * returns the length. */
	unsigned (*fill)(const struct xs_probe *p, uint8_t *buf, const struct xs_target *t,
			 uint64_t tx_ns, bool l3);
	/* Port-based probes: the RST that ends the half-open connection a SYN-ACK from t
	 * to probe p->attempt opened (politeness); NULL when the probe type opens none.
	 * Returns the length. */
	unsigned (*fill_reset)(const struct xs_probe *p, uint8_t *buf, const struct xs_target *t,
			       bool l3);
	/* The probe as an ICMP datagram socket sends it (send/dgram.h), or NULL when the
	 * type cannot go that way: the echo message alone, its sequence number the cookie's
	 * low 16 bits (the kernel writes id and checksum), the payload, then the whole
	 * cookie (4 bytes, network order). Returns the length. */
	unsigned (*fill_dgram)(const struct xs_probe *p, uint8_t *buf, const struct xs_target *t,
			       uint64_t tx_ns);
	/* The cookie the probe to t carries (for --dry-run). */
	uint32_t (*cookie)(const struct xs_probe *p, const struct xs_target *t);
	/* Classify a received frame (include/validate_<type>.h): an enum xs_verdict. */
	int (*validate)(const void *data, const void *end, const struct xs_vcfg *c, uint32_t round,
			struct xs_reply *r);
	/* libpcap filter letting this module's replies to our addresses through. */
	void (*pcap_filter)(const struct xs_probe *p, char *buf, size_t len);
	/* Name of a reply state (XS_STATE_*): "alive", ... */
	const char *(*state_name)(unsigned state);
};

/* For modules: the template's Ethernet + IPv4 header (no options, DF, total length
 * tot, protocol proto, TTL p->ttl, source p->v.src4) at f, the rest of the template
 * zeroed; returns 14 + 20. */
unsigned xs_probe_ip4_header(struct xs_probe *p, uint8_t *f, uint16_t tot, uint8_t proto);
/* For modules: an Ethernet + IPv6 header (payload length plen, next header nh, hop
 * limit p->ttl, source p->v.src6) at f; returns 14 + 40. */
unsigned xs_probe_ip6_header(const struct xs_probe *p, uint8_t *f, uint16_t plen, uint8_t nh);
/* The pseudo-header sum of an IPv6 upper layer of len bytes, protocol nh, to dst. */
uint32_t xs_probe_ip6_pseudo(const struct xs_probe *p, const uint8_t dst[16], uint32_t len,
			     uint8_t nh);
/* The IPv6 cookie of a probe to t (xs_cookie6 over the addresses as in the packet). */
uint32_t xs_probe_cookie6(const struct xs_probe *p, const struct xs_target *t, uint32_t attempt,
			  uint32_t port);

/* The registry: every module, NULL-terminated; the first is the default. */
extern const struct xs_probe_module *const xs_probe_modules[];
const struct xs_probe_module *xs_probe_find(const char *name);

#endif
