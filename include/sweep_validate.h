/* sweep_validate.h - the sweep's reply validator, one copy for both receive paths.
 *
 * bpf/sweep.bpf.c (XDP) and user/recv/pcap.c (libpcap fallback) both call
 * xs_sweep_validate() on each received Ethernet frame, so a frame gets the same verdict
 * whichever path received it (include/verdict.h). Each probe type has its own inline
 * validator (include/validate_<type>.h); this dispatches on cfg->probe, which is
 * read-only data in the XDP program, so the verifier prunes every other branch. What
 * happens next (duplicate filter, events, counters) is the caller's business.
 *
 * Adding a probe type: its validate_<type>.h and one line here.
 */
#ifndef XSWEEP_SWEEP_VALIDATE_H
#define XSWEEP_SWEEP_VALIDATE_H

#include "verdict.h"
#include "validate_icmp.h"
#include "validate_tcp.h"

/* Classify one frame. c: key, our addresses and the probe type; round: this sweep round. */
XS_INLINE int xs_sweep_validate(const void *data, const void *data_end, const struct xs_vcfg *c,
				__u32 round, struct xs_reply *r)
{
	if (c->probe == XS_PROBE_ICMP_ECHO)
		return xs_icmp_validate(data, data_end, c, round, r);
	if (c->probe == XS_PROBE_TCP_SYN)
		return xs_tcp_validate(data, data_end, c, round, r);
	return XS_V_NOT_OURS;
}

#endif
