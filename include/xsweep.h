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

/* Per-CPU packet counters of the sweep receive program. */
struct xs_stats {
	__u64 rx_packets;	/* every frame seen */
	__u64 rx_ipv4;
	__u64 rx_ipv6;
	__u64 rx_other;		/* ARP, VLAN-less non-IP, runts */
};

/* ---- monitor / capture (xsweep monitor, xsweep capture) ------------------------- */

/* Pins of `xsweep monitor`: XS_MON_PIN_DIR/{hosts,ports,totals}. */
#define XS_MON_PIN_DIR XS_PIN_DIR "/monitor"

#define XS_MON_AF_INET 4
#define XS_MON_AF_INET6 6

/* A source address: IPv4 in addr[0..3] (rest zero), IPv6 in addr[0..15]. */
struct xs_mon_addr {
	__u8 family;		/* XS_MON_AF_INET or XS_MON_AF_INET6 */
	__u8 pad[3];
	__u8 addr[16];		/* network byte order */
};

/* hosts map value: every IP packet from one source address. */
struct xs_mon_host {
	__u64 packets;
	__u64 bytes;		/* frame bytes, L2 header included */
	__u64 first_ns;		/* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u64 last_ns;
};

/* ports map key: (source address, TCP source port <= max_port). */
struct xs_mon_port_key {
	struct xs_mon_addr src;
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
	__u64 port_inserts;	/* new keys created in ports */
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
