/* pcap_live.c - libpcap live-open and version (see pcap_live.h). */
#include <errno.h>
#include <stdio.h>
#include <pcap/pcap.h>

#include "util/pcap_live.h"

static int set_filter(pcap_t *pc, const char *filter, char *err, size_t errlen)
{
	struct bpf_program prog;

	if (pcap_compile(pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, errlen, "filter '%s': %s", filter, pcap_geterr(pc));
		return -EINVAL;
	}
	if (pcap_setfilter(pc, &prog)) {
		snprintf(err, errlen, "filter '%s': %s", filter, pcap_geterr(pc));
		pcap_freecode(&prog);
		return -EINVAL;
	}
	pcap_freecode(&prog);
	return 0;
}

static void configure(pcap_t *pc, const struct xs_pcap_live_opts *o)
{
	pcap_set_snaplen(pc, o->snaplen);
	pcap_set_promisc(pc, 0);
	if (o->immediate)
		pcap_set_immediate_mode(pc, 1);
	else if (o->timeout_ms)
		pcap_set_timeout(pc, o->timeout_ms);
	if (o->bufsize)
		pcap_set_buffer_size(pc, (int)o->bufsize);
	if (o->nano)
		pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_NANO);
}

pcap_t *xs_pcap_live_open(const char *ifname, const struct xs_pcap_live_opts *o,
			  char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc;

	pc = pcap_create(ifname, ebuf);
	if (!pc) {
		snprintf(err, errlen, "%s", ebuf);
		return NULL;
	}
	configure(pc, o);
	if (pcap_activate(pc) < 0) {
		snprintf(err, errlen, "%s: %s", ifname, pcap_geterr(pc));
		goto fail;
	}
	if (o->inbound_only && pcap_setdirection(pc, PCAP_D_IN)) {
		snprintf(err, errlen, "%s: %s", ifname, pcap_geterr(pc));
		goto fail;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		snprintf(err, errlen, "%s: link type %s is not Ethernet", ifname,
			 pcap_datalink_val_to_name(pcap_datalink(pc)));
		goto fail;
	}
	if (o->filter && set_filter(pc, o->filter, err, errlen))
		goto fail;
	if (o->nonblock && pcap_setnonblock(pc, 1, ebuf)) {
		snprintf(err, errlen, "%s: %s", ifname, ebuf);
		goto fail;
	}
	return pc;
fail:
	pcap_close(pc);
	return NULL;
}

const char *xs_pcap_version(void)
{
	return pcap_lib_version();
}
