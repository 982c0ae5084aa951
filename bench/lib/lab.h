/* lab.h - the lab's ground truth, shared by the XDP responder (bench/bpf/lab_responder.bpf.c)
 * and userspace (bench/labctl.c, tests).
 *
 * Whether an address is alive, whether a port is open and whether a reply is impaired
 * are pure functions of (seed, kind, inputs): a splitmix64-style finalizer chained over
 * the inputs, whose top 32 bits are compared with a threshold fraction * 2^32. The BPF
 * program and `bench/lab truth` call the same inline functions, so they cannot disagree.
 *
 * All addresses and ports are passed in HOST byte order; IPv6 addresses as two 64-bit
 * halves (bytes 0-7 and 8-15, each read big-endian). Fixed-width types only.
 */
#ifndef XSWEEP_LAB_H
#define XSWEEP_LAB_H

#include <linux/types.h>

/* Where `bench/lab` pins the responder's maps (one directory per lab name). */
#define LAB_PIN_ROOT "/sys/fs/bpf/xsweep-lab"
/* Where `bench/lab` keeps a lab's state (seed, fractions, namespaces). */
#define LAB_STATE_ROOT "/run/xsweep-lab"

/* A fraction is a threshold on a 32-bit draw: 0 = never, LAB_FRAC_ONE = always. */
#define LAB_FRAC_ONE (1ULL << 32)
#define LAB_MAX_PORTS 16

/* IPv6 target space served by the responder: 2001:2::/48. */
#define LAB_NET6_HI 0x2001000200000000ULL
#define LAB_NET6_MASK 0xffffffffffff0000ULL

/* Hash domains, so the draws for different questions are independent. */
enum lab_kind {
	LAB_K_ALIVE4 = 1,
	LAB_K_ALIVE6,
	LAB_K_OPEN,
	LAB_K_LOSS,
	LAB_K_DUP,
	LAB_K_WRONG_SRC,
	LAB_K_BAD_ID,
	LAB_K_ISN,
};

/* Responder configuration, set by the loader in the program's read-only data. */
struct lab_cfg {
	__u64 seed;
	__u64 alive;		/* thresholds, 0..LAB_FRAC_ONE */
	__u64 open;
	__u64 loss;
	__u64 dup;
	__u64 wrong_src;
	__u64 bad_id;
	__u32 net4;		/* IPv4 range served, host order */
	__u32 mask4;
	__u32 n_ports;		/* open_ports[0..n_ports) are the candidate open ports */
	__u16 ports[LAB_MAX_PORTS];
	__u32 pad;
};

/* Responder counters (per-CPU array, one slot; bpftool prints these names). */
struct lab_stats {
	__u64 rx_icmp_echo;		/* echo requests to the IPv4 range */
	__u64 rx_icmp6_echo;		/* echo requests to 2001:2::/48 */
	__u64 rx_tcp_syn;		/* SYNs (no ACK) to either range */
	__u64 rx_other;			/* everything else, passed to the kernel */
	__u64 tx_icmp_echo_reply;	/* replies emitted by XDP, impaired ones included */
	__u64 tx_icmp6_echo_reply;
	__u64 tx_tcp_synack;
	__u64 tx_tcp_rst;
	__u64 dropped_dead;		/* probes to dead addresses (silence) */
	__u64 lost;			/* replies suppressed by --loss */
	__u64 duplicated;		/* extra copies sent by the TC program (--dup) */
	__u64 wrong_src;		/* replies sent from dst+1 (--wrong-src) */
	__u64 bad_id;			/* replies with corrupted id/seq or ack (--bad-id) */
	__u64 dup_failed;		/* duplicate requested but the clone failed */
	__u64 rx_tcp_rst;		/* RSTs (no SYN) to either range: taken, dropped */
};

/* XDP -> TC metadata marking a reply that the TC program must send twice. */
#define LAB_META_DUP 0x4c414244U	/* "LABD" */
struct lab_meta {
	__u32 magic;
};

/* XOR patterns of the --bad-id impairment. */
#define LAB_BAD_ID_XOR 0x5a5a
#define LAB_BAD_ACK_XOR 0x5a5a5a5aU

static inline __u64 lab_mix64(__u64 z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline __u64 lab_hstart(__u64 seed, __u32 kind)
{
	return lab_mix64(seed + (__u64)kind * 0x9e3779b97f4a7c15ULL);
}

static inline __u64 lab_hadd(__u64 h, __u64 v)
{
	return lab_mix64(h ^ v);
}

/* True with probability thresh / 2^32. */
static inline int lab_pick(__u64 h, __u64 thresh)
{
	return (h >> 32) < thresh;
}

static inline int lab_alive4(__u64 seed, __u64 thresh, __u32 addr)
{
	return lab_pick(lab_hadd(lab_hstart(seed, LAB_K_ALIVE4), addr), thresh);
}

static inline int lab_alive6(__u64 seed, __u64 thresh, __u64 hi, __u64 lo)
{
	return lab_pick(lab_hadd(lab_hadd(lab_hstart(seed, LAB_K_ALIVE6), hi), lo), thresh);
}

/* Address key for open ports and impairments: IPv4 addr or a fold of the IPv6 halves. */
static inline __u64 lab_key4(__u32 addr)
{
	return addr;
}

static inline __u64 lab_key6(__u64 hi, __u64 lo)
{
	return lab_mix64(hi) ^ lo ^ (1ULL << 63);
}

/* Is port open on an alive host (the port must also be in cfg->ports)? */
static inline int lab_open(__u64 seed, __u64 thresh, __u64 key, __u16 port)
{
	return lab_pick(lab_hadd(lab_hadd(lab_hstart(seed, LAB_K_OPEN), key), port), thresh);
}

/* Per-reply draw for an impairment kind. For ICMP x1 = id << 16 | seq and x2 = the
 * first 8 payload bytes (big-endian, zero-padded); for TCP x1 = sport << 16 | dport
 * and x2 = the SYN's sequence number. */
static inline __attribute__((always_inline)) __u64 lab_draw(__u64 seed, __u32 kind, __u64 key, __u64 x1, __u64 x2)
{
	return lab_hadd(lab_hadd(lab_hadd(lab_hstart(seed, kind), key), x1), x2);
}

/* Always inlined: as a BPF function call it would take more than five arguments. */
static inline __attribute__((always_inline)) int lab_impair(__u64 seed, __u32 kind,
							    __u64 thresh, __u64 key,
							    __u64 x1, __u64 x2)
{
	return thresh && lab_pick(lab_draw(seed, kind, key, x1, x2), thresh);
}

/* Initial sequence number of a SYN-ACK (deterministic too). */
static inline __u32 lab_isn(__u64 seed, __u64 key, __u64 x1, __u64 x2)
{
	return (__u32)lab_draw(seed, LAB_K_ISN, key, x1, x2);
}

#ifndef __bpf__
/* Fraction (0..1) to threshold; userspace only. */
static inline __u64 lab_frac_thresh(double f)
{
	if (!(f > 0))
		return 0;
	if (f >= 1)
		return LAB_FRAC_ONE;
	return (__u64)(f * (double)LAB_FRAC_ONE + 0.5);
}
#endif

#endif
