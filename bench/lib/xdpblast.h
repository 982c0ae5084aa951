/* xdpblast.h - shared by the lab's XDP live-frames blaster (bench/bpf/lab_xdpblast.bpf.c)
 * and its loader (`labctl xdpblast`, bench/labctl.c).
 *
 * The loader builds the probe once as a template -- every byte of the frame, with the
 * fields that change per frame (destination address, ICMP sequence or TCP ports) and the
 * checksums zero -- and the one's-complement partial sums of that template. The program
 * copies the whole template over each live frame, writes the changing fields and finishes
 * the checksums from the partial sums. Sums are of 16-bit words as they lie in memory
 * (loaded in host order), so both sides add and store them the same way.
 */
#ifndef XSWEEP_XDPBLAST_H
#define XSWEEP_XDPBLAST_H

#include <linux/types.h>

#define XB_ICMP_LEN 64		/* 14 Ethernet + 20 IPv4 + 8 ICMP + 22 payload, as labctl blast */
#define XB_SYN_LEN 54		/* 14 Ethernet + 20 IPv4 + 20 TCP, as synblast */
#define XB_MAX_LEN 64
#define XB_MAX_PORTS 16

/* Offsets in the frame. */
#define XB_OFF_IP_CSUM 24	/* 14 + 10 */
#define XB_OFF_IP_DST 30	/* 14 + 16 */
#define XB_OFF_ICMP_CSUM 36	/* 34 + 2 */
#define XB_OFF_ICMP_SEQ 40	/* 34 + 6 */
#define XB_OFF_TCP_SPORT 34
#define XB_OFF_TCP_DPORT 36
#define XB_OFF_TCP_CSUM 50	/* 34 + 16 */

struct xb_cfg {
	__u64 frame[XB_MAX_LEN / 8];	/* the template, XB_ICMP_LEN or XB_SYN_LEN bytes used */
	__u32 tcp;			/* 0: ICMP echo request, 1: TCP SYN */
	__u32 net;			/* first destination, host order */
	__u32 hostmask;			/* destinations net + (k & hostmask): a CIDR */
	__u32 ip_sum;			/* partial sum of the IPv4 header (csum, dst zero) */
	__u32 l4_sum;			/* ICMP: header + payload (csum, seq zero); TCP: pseudo
					 * header and header (dst, ports, csum zero) */
	__u32 n_ports;			/* TCP: ports[0..n_ports) */
	__u16 ports[XB_MAX_PORTS];	/* TCP destination ports, host order */
};

/* What the program counts (its .bss). */
struct xb_stats {
	__u64 tx;			/* frames written and returned XDP_TX */
	__u64 bad;			/* frames too short for the template (XDP_DROP) */
};

#endif
