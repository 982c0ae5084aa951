/* main.c - xsweep entry point: global options and subcommand dispatch.
 *
 * Global options come before the command name; everything after it belongs to the
 * command, whose option table (util/opts.h) also takes -v and -h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "cmd/commands.h"
#include "util/log.h"
#include "util/opts.h"
#include "util/pcap_live.h"

static const struct xs_cmd cmds[] = {
	{ "iface", do_iface, usage_iface, "list interfaces, their addresses and link state" },
	{ "sweep", do_sweep, usage_sweep, "alive hosts (ICMP echo) or open ports (TCP SYN, -p) of IPv4/IPv6 ranges" },
	{ "maps", do_maps, usage_maps, "print the sweep's pinned BPF maps (counters, RTTs, hosts)" },
	{ "ping", do_ping, usage_ping, "ICMP/ICMPv6 echo to many hosts at once, with round-trip times" },
	{ "monitor", do_monitor, usage_monitor, "per source IP, the TCP source ports seen (XDP maps)" },
	{ "capture", do_capture, usage_capture, "capture packets to a pcap file or a summary per line" },
	{ "history", do_history, usage_history, "what a sweep's history file says: uptimes, changes, rounds" },
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: xsweep [-v|-vv] COMMAND [OPTIONS] [ARGS]\n"
		"       xsweep help COMMAND | --help | --version\n\n"
		"A network sweep tool: io_uring sends, XDP/eBPF receives and counts.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < N_CMDS; i++)
		fprintf(out, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(out, "\nGlobal options (before the command; every command also takes -v and -h):\n"
		"  -v, -vv, --verbose   more detail on stderr (-vv includes libbpf output)\n"
		"  -h, --help           this help; 'xsweep help COMMAND' for a command\n"
		"  -V, --version        versions of xsweep and the libraries it uses\n"
		"\nExit status: 0 success, 1 negative result (e.g. interface down), 2 error.\n");
}

static void version(void)
{
	printf("xsweep %s\n", XSWEEP_VERSION);
	printf("libbpf %s, libxdp %s, liburing %s, json-c %s\n", libbpf_version_string(),
	       LIBXDP_PKGVER, LIBURING_PKGVER, json_c_version());
	printf("%s\n", xs_pcap_version());
}

static const struct xs_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < N_CMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	pr_warn("unknown command '%s' (see 'xsweep --help')", name);
	return NULL;
}

/* Options before the command: XS_CONTINUE with *first at the command, or the exit code
 * to return now. A plain loop rather than getopt: getopt keeps state between calls, and
 * the command's own parse must start from scratch.
 */
static int parse_global(int argc, char **argv, int *first)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "--verbose")) {
			xs_verbosity++;
		} else if (a[1] == 'v' && strspn(a + 1, "v") == strlen(a + 1)) {
			xs_verbosity += (int)strlen(a + 1);
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return XS_EXIT_OK;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			version();
			return XS_EXIT_OK;
		} else {
			pr_warn("unknown option '%s' (see 'xsweep --help')", a);
			return XS_EXIT_ERROR;
		}
	}
	*first = i;
	return XS_CONTINUE;
}

int main(int argc, char **argv)
{
	const struct xs_cmd *cmd;
	int rc, first;

	xs_log_setup_libbpf();
	rc = parse_global(argc, argv, &first);
	if (rc != XS_CONTINUE)
		return rc;
	argc -= first;
	argv += first;
	if (argc < 1) {
		usage(stderr);
		return XS_EXIT_ERROR;
	}
	if (!strcmp(argv[0], "help")) {
		if (argc < 2) {
			usage(stdout);
			return XS_EXIT_OK;
		}
		cmd = find_cmd(argv[1]);
		if (!cmd)
			return XS_EXIT_ERROR;
		cmd->usage(stdout);
		return XS_EXIT_OK;
	}
	cmd = find_cmd(argv[0]);
	if (!cmd)
		return XS_EXIT_ERROR;
	return cmd->run(argc, argv);
}
