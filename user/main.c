/* main.c - xsweep entry point: global options and subcommand dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "util/pcap_util.h"
#include <json-c/json.h>

#include "cmd/commands.h"
#include "util/log.h"

static const struct xs_cmd cmds[] = {
	{ "iface", do_iface, usage_iface, "list interfaces, their addresses and link state" },
	{ "sweep", do_sweep, usage_sweep, "find the alive and inactive hosts of a range (ICMP echo)" },
	{ "maps", do_maps, usage_maps, "print the sweep's pinned BPF maps (counters, RTTs, hosts)" },
	{ "ping", do_ping, usage_ping, "ICMP/ICMPv6 echo to many hosts at once, with round-trip times" },
	{ "monitor", do_monitor, usage_monitor, "per source IP, the TCP source ports seen (XDP maps)" },
	{ "capture", do_capture, usage_capture, "capture packets to a pcap file or a summary per line" },
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
	fprintf(out, "\nGlobal options (anywhere on the command line):\n"
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
	return NULL;
}

/* Remove -v/-vv/--verbose from argv wherever they appear; returns the new argc. */
static int strip_verbosity(int argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (!strcmp(a, "--verbose")) {
			xs_verbosity++;
			continue;
		}
		if (a[0] == '-' && a[1] == 'v' && strspn(a + 1, "v") == strlen(a + 1)) {
			xs_verbosity += strlen(a + 1);
			continue;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	const struct xs_cmd *cmd;

	argc = strip_verbosity(argc, argv);
	xs_log_setup_libbpf();

	if (argc < 2) {
		usage(stderr);
		return XS_EXIT_ERROR;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return XS_EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		version();
		return XS_EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return XS_EXIT_OK;
		}
		cmd = find_cmd(argv[2]);
		if (!cmd) {
			pr_warn("unknown command '%s' (see 'xsweep --help')", argv[2]);
			return XS_EXIT_ERROR;
		}
		cmd->usage(stdout);
		return XS_EXIT_OK;
	}
	cmd = find_cmd(argv[1]);
	if (!cmd) {
		pr_warn("unknown command '%s' (see 'xsweep --help')", argv[1]);
		return XS_EXIT_ERROR;
	}
	return cmd->run(argc - 1, argv + 1);
}
