/* pcap_util.h - libpcap helpers usable from files that include <linux/bpf.h>. */
#ifndef XSWEEP_PCAP_UTIL_H
#define XSWEEP_PCAP_UTIL_H

const char *xs_pcap_version(void);

#endif
