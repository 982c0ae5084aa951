/* recv.h - receive backends: where the sweep's replies are validated and counted.
 *
 * xdp.c: the XDP program bpf/sweep.bpf.c on the interface (bpf_link), BTF-typed maps
 * pinned under XS_PIN_DIR, validated replies through a ring buffer. pcap.c: a libpcap
 * capture classified in userspace by the same validator (the probe module's, from
 * include/validate_<type>.h). xs_rx_open() picks one per --capture: XDP, falling back
 * to libpcap with a one-line notice when it cannot load or attach (auto), or only one.
 * Either hands every valid reply to cfg->on_reply as a struct xs_event.
 *
 * Adding a receive backend: a struct xs_rx_ops in user/recv/<name>.c and its place in
 * xs_rx_open() (recv.c).
 */
#ifndef XSWEEP_RECV_H
#define XSWEEP_RECV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xsweep.h"

struct xs_probe;

/* --capture: where replies are read. */
enum xs_capture { XS_CAPTURE_AUTO = 0, XS_CAPTURE_XDP, XS_CAPTURE_PCAP, XS_CAPTURE_DGRAM };

struct xs_rx_cfg {
	const char *ifname;
	int ifindex;
	const struct xs_probe *probe;	/* key, addresses, probe type, module */
	enum xs_capture capture;
	int xdp_mode;			/* enum xs_xdp_mode */
	double rate;			/* probes/s (0 = max): sizes the capture buffer */
	bool keep_maps;			/* leave the pins after close */
	uint64_t targets;		/* (address, port) targets of the sweep: map sizes */
	/* A valid reply (target, TTL, state, RTT); may be a duplicate for backends whose
	 * ops->user_dedup is set. */
	void (*on_reply)(void *ctx, const struct xs_event *ev);
	void *ctx;
};

struct xs_rx;

struct xs_rx_ops {
	const char *name;
	bool user_dedup;	/* no duplicate filter before on_reply: the caller counts */
	/* 0, 1 when this backend cannot run here and the next one should (a notice was
	 * printed), or -errno (a message was printed). */
	int (*open)(struct xs_rx *rx);
	void (*set_round)(struct xs_rx *rx, uint32_t round);
	/* Deliver what has arrived, waiting up to timeout_ms (0: do not wait) for it. */
	void (*poll)(struct xs_rx *rx, int timeout_ms);
	/* The backend's counters (for user_dedup backends rx_valid/rx_duplicate are 0). */
	void (*stats)(struct xs_rx *rx, struct xs_stats *st);
	/* "capture XDP native on IF", "capture pcap on IF (received ...)" */
	void (*describe)(struct xs_rx *rx, char *buf, size_t len);
	void (*close)(struct xs_rx *rx);
};

struct xs_rx {
	const struct xs_rx_ops *ops;
	struct xs_rx_cfg cfg;
	void *priv;
};

extern const struct xs_rx_ops xs_rx_xdp, xs_rx_pcap;
/* ICMP datagram sockets, shared with the send backend (send/dgram.h): no privileges. */
extern const struct xs_rx_ops xs_rx_dgram;

/* A frame copied where the validators (include/validate_*.h) may read it: IPv4 header
 * 4-byte aligned and the echo payload behind it 8-byte aligned, IPv6 header 8-byte
 * aligned. libpcap's ring (and a test's frame buffer) puts them 2 or 4 bytes off. */
#define XS_FRAME_COPY_MAX 1536
struct xs_frame_copy {
	_Alignas(8) unsigned char b[8 + XS_FRAME_COPY_MAX];
};

/* Copy len bytes of frame (*len cut to XS_FRAME_COPY_MAX) into f; returns the copy. */
const unsigned char *xs_frame_align(struct xs_frame_copy *f, const void *frame, size_t *len);

/* Open the backend --capture asks for; 0 or -errno (message printed). */
int xs_rx_open(struct xs_rx *rx, const struct xs_rx_cfg *cfg);
void xs_rx_close(struct xs_rx *rx);

#endif
