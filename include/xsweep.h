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

#endif
