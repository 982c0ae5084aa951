/* pcap_util.c - libpcap helpers. Kept in its own file because <pcap/pcap.h> and
 * <linux/bpf.h> both define struct bpf_insn and cannot share a translation unit.
 */
#include <pcap/pcap.h>

#include "util/pcap_util.h"

const char *xs_pcap_version(void)
{
	return pcap_lib_version();
}
