/* xsweep.h - types shared by the BPF programs (bpf/) and user code (user/).
 *
 * Fixed-width types only, explicit padding; user code _Static_asserts the sizes so
 * both sides agree on the layout bpftool prints from BTF.
 */
#ifndef XSWEEP_SHARED_H
#define XSWEEP_SHARED_H

#include <linux/types.h>

/* Where pinned maps live (bpftool map dump pinned XS_PIN_DIR/stats). */
#define XS_PIN_DIR "/sys/fs/bpf/xsweep"

/* ---- sweep ----------------------------------------------------------------------- */

/* Probe types, an input of the cookie so a reply to one kind never validates another. */
#define XS_PROBE_ICMP_ECHO 1

/* Every xsweep echo payload is this structure (network order for addr). The attempt
 * (0 = first probe, 1.. = retries) is an input of the cookie, so each retry carries a
 * fresh id/seq; a forged attempt value fails the cookie check like any other field. */
struct xs_probe_payload {
	__u32 magic;		/* XS_PAYLOAD_MAGIC: tells our replies from anyone else's */
	__u32 target;		/* the address probed (network order) */
	__u64 tx_ns;		/* CLOCK_MONOTONIC send time (bpf_ktime_get_ns clock) */
	__u32 attempt;		/* 0..XS_MAX_ATTEMPT */
	__u32 reserved;
};
#define XS_MAX_ATTEMPT 255
#define XS_PAYLOAD_MAGIC 0x58535750u /* "XSWP" */

/* Per-CPU counters of the sweep receive program (stats map, one slot). */
struct xs_stats {
	__u64 rx_packets;	/* every frame seen */
	__u64 rx_not_ours;	/* passed: not an xsweep echo reply to our address */
	__u64 rx_malformed;	/* passed: truncated or bad IPv4 header (ihl != 5, fragment) */
	__u64 rx_valid;		/* matched replies, turned into events and dropped */
	__u64 rx_bad_cookie;	/* our payload, but id/seq is not the cookie: passed */
	__u64 rx_wrong_src;	/* valid cookie for a target but from another address */
	__u64 rx_duplicate;	/* second reply of the same round from the same host */
	__u64 ev_lost;		/* ring buffer full: event not delivered */
};

/* A validated reply, ring buffer -> userspace. */
struct xs_event {
	__u32 addr;		/* responder, network order */
	__u8 ttl;
	__u8 pad[3];
	__u64 rtt_ns;
};

/* Recent hosts (LRU map "hosts"), key = address in network order. */
struct xs_host {
	__u32 round;		/* sweep round of the last reply */
	__u32 replies;		/* replies seen in that round */
	__u64 rtt_ns;		/* RTT of the first reply of that round */
	__u64 last_ns;		/* bpf_ktime_get_ns of the last reply */
};

#define XS_RTT_SLOTS 32		/* log2(rtt_us) histogram slots */
#define XS_HOSTS_MAX 65536	/* default LRU size of the hosts map */
#define XS_RINGBUF_SIZE (1 << 22)

#endif
