/* benchrun.c - run one benchmark command and measure it from outside.
 *
 *   benchrun --pin-dir DIR [--timeout SEC] [--idle-int SEC] [--poll-us N]
 *            [--stdout F] [--stderr F] -- CMD [ARG...]
 *
 * Forks CMD (typically `bench/lab exec TOOL ...`, which enters the lab's scanner
 * namespace), and while it runs polls the lab responder's pinned per-CPU counters
 * (DIR/stats, struct lab_stats of bench/lib/lab.h) every N microseconds (default 1000),
 * remembering when the probe counter (echo requests, IPv4 and IPv6, plus TCP SYNs) first
 * and last moved: that window (from the last sample before the first change, so at most
 * one poll interval too long) is the time probes were on the wire, whatever the tool
 * does before (setup) and after (cooldown). When CMD exits, getrusage(RUSAGE_CHILDREN) gives the user and system CPU
 * time of the whole process tree and the largest peak RSS in it. Prints one line of
 * shell-readable key=value pairs on stdout:
 *
 *   status=0 wall_s=1.234 user_s=0.010 sys_s=0.250 maxrss_kb=12236 rx_echo=65536
 *   tx_reply=32758 lost=0 wire_s=0.245 timeout=0 idle_int=0 rx_syn=0 tx_synack=0
 *   tx_rst=0 probes=65536 replies=32758
 *
 * rx_echo/tx_reply are IPv4 echo requests and replies; rx_syn the SYNs, tx_synack and
 * tx_rst the responder's answers to them; probes and replies the sums over ICMP, ICMPv6
 * and TCP (what a sweep of any probe type put on the wire and got back).
 *
 * CMD's stdout and stderr are inherited, or go to the files given. Stopping a command
 * that does not end by itself: --timeout SEC (SEC seconds after the start) and --idle-int
 * SEC (SEC seconds after the last probe reached the responder; for tools that hang after
 * their cooldown) send SIGINT to CMD's process group, again every second, then SIGKILL
 * after 3 s; timeout=1 or idle_int=1 says which fired. SIGINT first, so that the tool
 * exits through its own handler and its CPU time is still counted. Exit status: 0 when
 * the measurement worked (CMD's own status is in status=), 2 on error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lab.h"
#include "util/log.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sum the per-CPU lab counters into *sum. */
static int read_counters(int fd, int ncpu, struct lab_stats *vals, struct lab_stats *sum)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, vals))
		return -errno;
	memset(sum, 0, sizeof(*sum));
	for (int c = 0; c < ncpu; c++) {
		__u64 *d = (__u64 *)sum, *s = (__u64 *)&vals[c];

		for (size_t k = 0; k < sizeof(*sum) / sizeof(__u64); k++)
			d[k] += s[k];
	}
	return 0;
}

/* Every probe the responder counts: echo requests (IPv4, IPv6) and TCP SYNs. */
static __u64 probes(const struct lab_stats *s)
{
	return s->rx_icmp_echo + s->rx_icmp6_echo + s->rx_tcp_syn;
}

static __u64 replies(const struct lab_stats *s)
{
	return s->tx_icmp_echo_reply + s->tx_icmp6_echo_reply + s->tx_tcp_synack + s->tx_tcp_rst;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: benchrun --pin-dir DIR [--timeout SEC] [--poll-us N] [--stdout F] "
		"[--stderr F] -- CMD [ARG...]\n");
}

/* Point fd at a new file (child side, before exec). */
static int redirect(const char *file, int fd)
{
	int f = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (f < 0 || dup2(f, fd) < 0) {
		pr_warn("benchrun: cannot write %s: %s", file, strerror(errno));
		return -1;
	}
	close(f);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "idle-int", required_argument, NULL, 'i' },
		{ "poll-us", required_argument, NULL, 'u' },
		{ "stdout", required_argument, NULL, 'o' },
		{ "stderr", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *pin_dir = NULL, *out_file = NULL, *err_file = NULL;
	double timeout = 0, idle = 0, t0, t_first = 0, t_last = 0, t_stop = 0, t_sig = 0;
	double t_sample;
	long poll_us = 1000;
	struct lab_stats *vals, before, cur, prev;
	struct rusage ru;
	char path[4096];
	int c, fd, ncpu, wst = 0, timed_out = 0, idled = 0;
	pid_t pid;

	xs_log_setup_libbpf();
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pin_dir = optarg;
			break;
		case 't':
			timeout = atof(optarg);
			break;
		case 'i':
			idle = atof(optarg);
			break;
		case 'u':
			poll_us = atol(optarg);
			break;
		case 'o':
			out_file = optarg;
			break;
		case 'e':
			err_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return XS_EXIT_OK;
		default:
			usage(stderr);
			return XS_EXIT_ERROR;
		}
	}
	if (!pin_dir || optind >= argc || poll_us < 100) {
		usage(stderr);
		return XS_EXIT_ERROR;
	}
	snprintf(path, sizeof(path), "%s/stats", pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		pr_warn("benchrun: cannot open pinned map %s: %s", path, strerror(errno));
		return XS_EXIT_ERROR;
	}
	ncpu = libbpf_num_possible_cpus();
	vals = calloc(ncpu > 0 ? (size_t)ncpu : 1, sizeof(*vals));
	if (ncpu <= 0 || !vals || read_counters(fd, ncpu, vals, &before)) {
		pr_warn("benchrun: cannot read %s: %s", path, strerror(errno));
		return XS_EXIT_ERROR;
	}
	prev = before;
	fflush(stdout);
	/* Orphans of the tree (a killed wrapper's children) come back to us, so their CPU
	 * time still reaches RUSAGE_CHILDREN when we reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	t0 = t_sample = now_s();
	pid = fork();
	if (pid < 0) {
		pr_warn("benchrun: fork: %s", strerror(errno));
		return XS_EXIT_ERROR;
	}
	if (pid == 0) {
		setpgid(0, 0);	/* its own group, so a timeout reaches the whole tree */
		if ((out_file && redirect(out_file, STDOUT_FILENO)) ||
		    (err_file && redirect(err_file, STDERR_FILENO)))
			_exit(127);
		execvp(argv[optind], argv + optind);
		pr_warn("benchrun: cannot run %s: %s", argv[optind], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);

	for (;;) {
		struct timespec ts = { 0, poll_us * 1000 };
		pid_t w = waitpid(pid, &wst, WNOHANG);
		double t = now_s();

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			pr_warn("benchrun: waitpid: %s", strerror(errno));
			return XS_EXIT_ERROR;
		}
		if (!read_counters(fd, ncpu, vals, &cur)) {
			/* The window starts at the last sample that saw no change yet. */
			if (probes(&cur) != probes(&prev)) {
				if (!t_first)
					t_first = t_sample;
				t_last = t;
			}
			prev = cur;
			t_sample = t;
		}
		if (!t_stop && timeout > 0 && t - t0 > timeout)
			timed_out = 1;
		if (!t_stop && idle > 0 && t_last && t - t_last > idle)
			idled = 1;
		if (!t_stop && (timed_out || idled))
			t_stop = t;
		if (t_stop && t - t_stop > 3) {
			kill(-pid, SIGKILL);
		} else if (t_stop && t - t_sig >= 1) {
			kill(-pid, SIGINT);
			t_sig = t;
		}
		nanosleep(&ts, NULL);
	}
	{
		double t_end = now_s();

		/* Reap whatever the tree left behind (killed wrappers' children). */
		kill(-pid, SIGKILL);
		while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
			;

		/* Counters that moved in the last poll interval. */
		if (!read_counters(fd, ncpu, vals, &cur) && probes(&cur) != probes(&prev)) {
			if (!t_first)
				t_first = t_sample;
			t_last = t_end;
		}
		getrusage(RUSAGE_CHILDREN, &ru);
		printf("status=%d wall_s=%.4f user_s=%.4f sys_s=%.4f maxrss_kb=%ld rx_echo=%llu "
		       "tx_reply=%llu lost=%llu wire_s=%.4f timeout=%d idle_int=%d rx_syn=%llu "
		       "tx_synack=%llu tx_rst=%llu probes=%llu replies=%llu\n",
		       WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst), t_end - t0,
		       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
		       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss,
		       (unsigned long long)(cur.rx_icmp_echo - before.rx_icmp_echo),
		       (unsigned long long)(cur.tx_icmp_echo_reply - before.tx_icmp_echo_reply),
		       (unsigned long long)(cur.lost - before.lost),
		       t_first ? t_last - t_first : 0.0, timed_out, idled,
		       (unsigned long long)(cur.rx_tcp_syn - before.rx_tcp_syn),
		       (unsigned long long)(cur.tx_tcp_synack - before.tx_tcp_synack),
		       (unsigned long long)(cur.tx_tcp_rst - before.tx_tcp_rst),
		       (unsigned long long)(probes(&cur) - probes(&before)),
		       (unsigned long long)(replies(&cur) - replies(&before)));
	}
	free(vals);
	return XS_EXIT_OK;
}
