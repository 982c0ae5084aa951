/* sweep_pcap.h - the libpcap receive path of `xsweep sweep` (--capture pcap).
 *
 * For hosts where the XDP program cannot be attached. Replies are captured with a
 * compiled filter (ICMP echo replies to our address), in immediate mode with a buffer
 * sized for the probe rate, and classified by the very function the XDP program uses
 * (include/sweep_validate.h), so both paths accept and reject the same frames. Free of
 * libbpf headers (<pcap/pcap.h> and <linux/bpf.h> cannot share a translation unit).
 */
#ifndef XSWEEP_SWEEP_PCAP_H
#define XSWEEP_SWEEP_PCAP_H

#include <stddef.h>
#include <stdint.h>

#include "xsweep.h"

struct xs_sweep_pcap;

/* A valid reply: responder (network order), its TTL, RTT from the capture timestamp. */
typedef void (*xs_sweep_reply_fn)(void *ctx, uint32_t addr, unsigned ttl, uint64_t rtt_ns);

/* src: our address (network order); bufsize: kernel capture buffer in bytes. */
struct xs_sweep_pcap *xs_sweep_pcap_open(const char *ifname, uint32_t src, const uint32_t key[2],
					 size_t bufsize, char *err, size_t errlen);
void xs_sweep_pcap_set_round(struct xs_sweep_pcap *p, uint32_t round);
/* Selectable fd: poll it, then dispatch. */
int xs_sweep_pcap_fd(struct xs_sweep_pcap *p);
/* Classify every frame available now; valid replies go to fn. Returns the number of
 * frames processed, or -1 with err set. */
int xs_sweep_pcap_dispatch(struct xs_sweep_pcap *p, xs_sweep_reply_fn fn, void *ctx, char *err,
			   size_t errlen);
/* Counters of the frames the filter let through, as the XDP program counts them
 * (rx_valid and rx_duplicate are the caller's: it owns the duplicate filter). */
void xs_sweep_pcap_counters(struct xs_sweep_pcap *p, struct xs_stats *st);
/* libpcap's own counters: received by the filter, dropped for lack of buffer space,
 * dropped by the interface. 0 or -1. */
int xs_sweep_pcap_drops(struct xs_sweep_pcap *p, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop);
void xs_sweep_pcap_close(struct xs_sweep_pcap *p);

#endif
