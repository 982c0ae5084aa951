/* xsend.h - the layout shared by the XDP send program (bpf/xsend.bpf.c) and its
 * backend (user/send/xdp.c).
 *
 * Userspace writes whole Ethernet frames into the slots of the `frames` map (mmapped:
 * they are the sender's buffers) and queues them in the ring `queue`: one
 * XS_XSEND_ENTRY(slot, length) per frame, published by moving `head`. A long
 * BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES sends one queued frame per run and
 * moves `tail`.
 */
#ifndef XSWEEP_XSEND_H
#define XSWEEP_XSEND_H

#include <linux/types.h>

/* Bytes per slot: the largest frame a probe module writes (XS_SEND_BUFSZ). */
#define XS_XSEND_FRAME 128
/* Shortest frame the program sends: an Ethernet header. */
#define XS_XSEND_MIN 14

/* A queue entry: slot index in bits 0-15, frame length in bits 16-30; the program sets
 * XS_XSEND_SENT in each entry it sent. */
#define XS_XSEND_ENTRY(slot, len) ((__u32)(slot) | (__u32)(len) << 16)
#define XS_XSEND_SLOT(e) ((e) & 0xffffu)
#define XS_XSEND_LEN(e) (((e) >> 16) & 0x7fffu)
#define XS_XSEND_SENT (1u << 31)

struct xs_xsend_frame {
	__u8 b[XS_XSEND_FRAME];
};

/* The program's counters (.bss, mmapped): what each run did. */
struct xs_xsend_stats {
	__u64 tx;		/* frames returned with XDP_TX */
	__u64 bad;		/* entries with a bad slot or length: XDP_DROP */
	__u64 idle;		/* runs that found the ring empty: XDP_DROP */
};

#endif
