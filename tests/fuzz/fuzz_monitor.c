/* fuzz_monitor.c - libFuzzer target: the monitor's packet parser (include/monitor_parse.h,
 * the code the XDP program runs) and the libpcap path's counting, views and output
 * behind it (user/monitor/).
 *
 * Input: frames, each a length byte then that many bytes (the last one takes what is
 * left). Each frame is parsed on its own (a source address only for IP kinds, a source
 * port only for a complete TCP header) and counted into small LRU tables (4 hosts,
 * 8 ports: evictions happen), which are then snapshotted, sorted and printed as text
 * and JSON to /dev/null.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor_parse.h"
#include "monitor/monitor_fmt.h"
#include "monitor/monitor_pcap.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	return devnull ? 0 : -1;
}

static void check_parse(const uint8_t *f, size_t len)
{
	struct xs_mon_pkt p;
	int kind = xs_mon_parse(f, f + len, &p);

	if (kind != p.kind || kind < XS_PKT_NON_IP || kind > XS_PKT_IP)
		abort();
	if (kind != XS_PKT_IP && (p.src.family || p.has_sport))
		abort();
	if (p.has_sport && (p.l4proto != 6 || p.fragment || p.truncated))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xs_mon_pcap *m = xs_mon_pcap_new_offline(1000, 4, 8);
	struct xs_mon_view v = { .ifname = "fuzz0", .path = "pcap", .max_port = 1000 };
	uint64_t ts = 1700000000000000000ull;
	size_t i = 0;

	if (!m)
		return 0;
	while (i < size) {
		size_t n = data[i++];
		uint8_t *f;

		if (n > size - i)
			n = size - i;
		/* Its own allocation, so ASan sees any read past the frame. */
		f = malloc(n ? n : 1);
		if (!f)
			break;
		memcpy(f, data + i, n);
		check_parse(f, n);
		xs_mon_pcap_count(m, f, (uint32_t)n, (uint32_t)n + (data[0] & 7), ts += 1000);
		free(f);
		i += n;
	}
	if (!xs_mon_pcap_snapshot(m, &v)) {
		xs_mon_print_text(devnull, &v, true);
		xs_mon_print_json(devnull, &v, ts);
	}
	xs_mon_view_free(&v);
	xs_mon_pcap_close(m);
	return 0;
}
