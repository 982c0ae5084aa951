/* maps.c - `xsweep maps`: the sweep's pinned maps read back from bpffs, the same data
 * `bpftool map dump pinned /sys/fs/bpf/xsweep/<map>` prints, summed over CPUs.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cmd/commands.h"
#include "scan/addr.h"
#include "util/log.h"
#include "xsweep.h"

void usage_maps(FILE *out)
{
	fprintf(out,
		"Usage: xsweep maps [--dir DIR] [--hosts N]\n\n"
		"Print the sweep's counters, RTT histogram and recent hosts from the maps pinned\n"
		"under " XS_PIN_DIR "/ (present while a sweep runs, or after one run with\n"
		"--keep-maps). Options: --dir DIR (pin directory), --hosts N (hosts to list, default 20).\n");
}

static const char *const stat_names[] = {
	"rx_packets", "rx_not_ours", "rx_malformed", "rx_valid", "rx_bad_cookie",
	"rx_wrong_src", "rx_duplicate", "ev_lost", "rx_late",
};
_Static_assert(sizeof(stat_names) / sizeof(stat_names[0]) == sizeof(struct xs_stats) / 8,
	       "one name per counter");

static int open_pin(const char *dir, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		pr_warn("cannot open %s: %s (is a sweep running, or was --keep-maps used?)", path,
			strerror(errno));
	return fd;
}

int do_maps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "hosts", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = XS_PIN_DIR;
	int ncpu = libbpf_num_possible_cpus(), c, fd, nhosts = 20, rc = XS_EXIT_ERROR;
	__u64 *vals = NULL, sum[sizeof(struct xs_stats) / 8] = { 0 };
	struct xs_target key, next;
	__u32 shown = 0, total = 0;
	struct xs_host h;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'n':
			nhosts = atoi(optarg);
			break;
		case 'h':
			usage_maps(stdout);
			return XS_EXIT_OK;
		default:
			pr_warn("see 'xsweep help maps'");
			return XS_EXIT_ERROR;
		}
	}
	vals = calloc((size_t)ncpu, sizeof(struct xs_stats) > XS_RTT_SLOTS * 8 ?
				    sizeof(struct xs_stats) : XS_RTT_SLOTS * 8);
	if (!vals)
		return XS_EXIT_ERROR;

	if ((fd = open_pin(dir, "stats")) < 0)
		goto out;
	if (bpf_map_lookup_elem(fd, &key, vals)) {
		pr_warn("reading stats: %s", strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	for (int cpu = 0; cpu < ncpu; cpu++)
		for (size_t k = 0; k < sizeof(sum) / 8; k++)
			sum[k] += vals[(size_t)cpu * (sizeof(sum) / 8) + k];
	printf("stats:\n");
	for (size_t k = 0; k < sizeof(sum) / 8; k++)
		printf("  %-14s %llu\n", stat_names[k], (unsigned long long)sum[k]);

	if ((fd = open_pin(dir, "rtt_hist")) < 0)
		goto out;
	printf("rtt_hist (microseconds):\n");
	for (__u32 slot = 0; slot < XS_RTT_SLOTS; slot++) {
		__u64 n = 0;

		if (bpf_map_lookup_elem(fd, &slot, vals))
			break;
		for (int cpu = 0; cpu < ncpu; cpu++)
			n += vals[cpu];
		if (n)
			printf("  [%llu, %llu) %llu\n", slot ? 1ull << slot : 0ull,
			       1ull << (slot + 1), (unsigned long long)n);
	}
	close(fd);

	if ((fd = open_pin(dir, "hosts")) < 0)
		goto out;
	printf("hosts (address round replies rtt_us):\n");
	for (int err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &key, &next)) {
		key = next;
		total++;
		if ((int)shown >= nhosts || bpf_map_lookup_elem(fd, &key, &h))
			continue;
		char a[XS_IP_STRLEN];

		xs_ip_str(&key.ip, a, sizeof(a));
		if (key.port)
			snprintf(a + strlen(a), sizeof(a) - strlen(a), ":%u", key.port);
		printf("  %-15s %u %u %.1f\n", a, h.round, h.replies, h.rtt_ns / 1000.0);
		shown++;
	}
	printf("  (%u hosts in the map, %u shown)\n", total, shown);
	close(fd);
	rc = XS_EXIT_OK;
out:
	free(vals);
	return rc;
}
