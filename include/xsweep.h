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

/* ---- addresses and targets (sweep, monitor) --------------------------------------- */

#define XS_AF_INET 4
#define XS_AF_INET6 6

/* One address type for IPv4 and IPv6, in map keys, events, targets and outputs: IPv4 in
 * addr[0..3] (the rest zero), IPv6 in addr[0..15], network byte order. */
struct xs_ip {
	__u8 family;		/* XS_AF_INET or XS_AF_INET6 */
	__u8 pad[3];
	__u8 addr[16];
};

/* What one probe goes to: an address and, for port-based probe types, a port (0 for
 * the others). Key of the sweep's hosts map. */
struct xs_target {
	struct xs_ip ip;
	__u16 port;		/* host byte order */
	__u16 pad;
};

/* ---- sweep ----------------------------------------------------------------------- */

/* Probe types (user/probe/registry.c): an input of the cookie, so a reply to one kind
 * never validates another, and the XDP program's branch (cfg.probe). */
#define XS_PROBE_ICMP_ECHO 1
#define XS_PROBE_TCP_SYN 2

/* Reply states a probe module reports (event.state); names in the module. */
#define XS_STATE_ALIVE 0	/* the target answered (ICMP echo reply) */
#define XS_STATE_OPEN 1		/* TCP SYN-ACK */
#define XS_STATE_CLOSED 2	/* TCP RST */

/* What the validators need to know, read-only in the XDP program (rodata, so the
 * verifier prunes the probe types not in use) and the same in userspace. */
struct xs_vcfg {
	__u32 key[2];		/* cookie key, random per run */
	__u32 src4;		/* our IPv4 source address, network order */
	__u32 probe;		/* XS_PROBE_* */
	__u16 sport_lo;		/* TCP: our source ports, sport_lo .. sport_lo + sport_n - 1 */
	__u16 sport_n;
	__u32 flags;		/* reserved, 0 */
	__u8 src6[16];		/* our IPv6 source address */
};

/* The ICMP echo probe's payload (network order for target). The attempt
 * (0 = first probe, 1.. = retries) is an input of the cookie, so each retry carries a
 * fresh id/seq; a forged attempt value fails the cookie check like any other field. */
struct xs_probe_payload {
	__u32 magic;		/* XS_PAYLOAD_MAGIC: tells our replies from anyone else's */
	__u32 target;		/* the address probed (network order) */
	__u64 tx_ns;		/* CLOCK_MONOTONIC send time (bpf_ktime_get_ns clock) */
	__u32 attempt;		/* 0..XS_MAX_ATTEMPT */
	__u32 reserved;
};
/* The ICMPv6 echo probe's payload: the target is an IPv6 address. */
struct xs_probe_payload6 {
	__u32 magic;		/* XS_PAYLOAD_MAGIC */
	__u32 attempt;		/* 0..XS_MAX_ATTEMPT */
	__u64 tx_ns;		/* CLOCK_MONOTONIC send time */
	__u8 target[16];	/* the address probed */
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
	__u64 rx_late;		/* genuine reply to the previous round, arrived after it: passed */
};

/* A validated reply, ring buffer -> userspace. */
struct xs_event {
	struct xs_target t;	/* responder (= the probed target) */
	__u8 ttl;
	__u8 state;		/* XS_STATE_* */
	__u8 attempt;		/* which probe of the target this answers */
	__u8 pad[5];
	__u64 rx_ns;		/* CLOCK_MONOTONIC reception time */
	__u64 tx_ns;		/* send time the reply carried; 0 when it carries none */
};

/* Open ports (map "ports", key struct xs_target): SYN-ACKs seen. */
struct xs_port {
	__u64 replies;
	__u64 last_ns;
};

/* Answering targets (map "hosts", key struct xs_target; see XS_HOSTS_EXACT_MAX). */
struct xs_host {
	__u32 round;		/* sweep round of the last reply */
	__u32 replies;		/* replies seen in that round */
	__u64 rtt_ns;		/* RTT of the first reply of that round */
	__u64 last_ns;		/* bpf_ktime_get_ns of the last reply */
};

#define XS_RTT_SLOTS 32		/* log2(rtt_us) histogram slots */
/* The sweep's hosts and ports maps (user/recv/xdp.c): a sweep of up to
 * XS_HOSTS_EXACT_MAX (address, port) targets gets plain hash maps, hosts with an entry
 * for each target (every answer kept) and ports with room for XS_PORTS_MAX open pairs; a
 * larger one LRU maps of XS_HOSTS_MAX and XS_PORTS_MAX entries. */
#define XS_HOSTS_EXACT_MAX (1u << 18)
#define XS_HOSTS_MAX 65536	/* LRU size of the hosts map beyond that */
#define XS_PORTS_MAX 65536	/* size of the ports map */
#define XS_RINGBUF_SIZE (1 << 22)

/* ---- monitor / capture (xsweep monitor, xsweep capture) ------------------------- */

/* Pins of `xsweep monitor`: XS_MON_PIN_DIR/{hosts,ports,totals}. */
#define XS_MON_PIN_DIR XS_PIN_DIR "/monitor"

/* TCP source ports (<= max_port) counted inside a hosts entry: the first
 * XS_MON_HOST_PORTS ports a source sends from live in its hosts entry, so a packet costs
 * one map lookup, not two; further ports go to the ports map. */
#define XS_MON_HOST_PORTS 3

/* One inline port slot. The first 8 bytes (port, used, pad) are claimed as one word with
 * a compare-and-swap (include/monitor_parse.h) and never change after: a slot with used
 * == 0 is free. */
struct xs_mon_host_port {
	__u16 port;		/* host byte order */
	__u16 used;		/* 1: the slot counts this port */
	__u32 pad;
	__u64 packets;
	__u64 last_ns;
};

/* hosts map value: every IP packet from one source address, and its first ports. */
struct xs_mon_host {
	__u64 packets;
	__u64 bytes;		/* frame bytes, L2 header included */
	__u64 first_ns;		/* bpf_ktime_get_coarse_ns (CLOCK_MONOTONIC, tick resolution) */
	__u64 last_ns;
	struct xs_mon_host_port ports[XS_MON_HOST_PORTS];
};

/* ports map key: (source address, TCP source port <= max_port), for the ports beyond a
 * hosts entry's XS_MON_HOST_PORTS slots. */
struct xs_mon_port_key {
	struct xs_ip src;
	__u16 port;		/* host byte order */
	__u16 pad;
};

struct xs_mon_port {
	__u64 packets;
	__u64 last_ns;
};

/* totals map (per-CPU array, one slot): per-protocol counters and map inserts.
 * Evictions = inserts - live entries (an LRU map evicts only to make room for an insert).
 */
struct xs_mon_totals {
	__u64 packets;		/* every frame */
	__u64 bytes;
	__u64 ipv4;
	__u64 ipv6;
	__u64 tcp;
	__u64 udp;
	__u64 icmp;		/* ICMP and ICMPv6 */
	__u64 other_l4;
	__u64 non_ip;		/* ARP, other ethertypes */
	__u64 malformed;	/* truncated or invalid L2/L3/L4 headers */
	__u64 fragments;	/* non-first fragments: no L4 header to read */
	__u64 host_inserts;	/* new keys created in hosts */
	__u64 port_inserts;	/* new keys created in ports (ports beyond the inline slots) */
	__u64 insert_errors;	/* map updates that failed */
};

/* Largest packet prefix the XDP capture copies (per-CPU scratch buffer size). */
#define XS_CAP_MAX_SNAP 16384

/* Ring buffer record of the capture program: header then caplen bytes. */
struct xs_cap_hdr {
	__u64 ts_ns;		/* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u32 len;		/* original frame length */
	__u32 caplen;		/* bytes that follow */
};

/* Capture counters (per-CPU array, one slot). */
struct xs_cap_stats {
	__u64 seen;		/* frames the program ran on */
	__u64 queued;		/* records written to the ring buffer */
	__u64 ringbuf_full;	/* records lost: ring buffer full (reported as dropped) */
	__u64 copy_errors;	/* bpf_xdp_load_bytes failures (reported as dropped) */
};

/* ---- end monitor / capture ------------------------------------------------------ */

#endif
