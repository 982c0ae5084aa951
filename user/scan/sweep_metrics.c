/* sweep_metrics.c - a periodic sweep's Prometheus metrics (see sweep_metrics.h).
 *
 * The sweep's thread builds the round's families into a text when a round ends and
 * swaps it in under the lock; the server's thread serves that text and adds the reply
 * counters, read from the kernel's stats map at each scrape. The pinned maps are opened
 * when round 1 begins (the receive path pinned them a moment before) and trusted only
 * once round 1's summary says the XDP path is in use: on the libpcap path a pin left by
 * another sweep (--keep-maps) is not ours.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "scan/addr.h"
#include "scan/sweep_metrics.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/percpu.h"
#include "xsweep.h"

struct xs_sweep_metrics {
	struct xs_metrics *srv;
	unsigned max_hosts;
	/* the sweep's thread only */
	struct xs_prom up, rtt;		/* this round's per-host samples */
	uint64_t nhosts;
	uint64_t went_up, went_down;
	bool said_too_many;
	bool xdp;			/* round 1 said the XDP path: the pins are ours */
	int stats_fd, rtt_fd;
	/* shared with the server's thread */
	pthread_mutex_t lock;
	struct xs_prom text;		/* the last round's families */
	bool maps;			/* stats_fd is this run's: read it at each scrape */
	bool have_rx;
	struct xs_stats rx;		/* else: the last round's counters */
};

static void replies(struct xs_prom *p, const struct xs_stats *st)
{
	const char *name = "xsweep_sweep_replies_total";

	xs_prom_family(p, name, "counter", "Replies to this run's probes, by the receive path's "
		       "verdict (valid: first reply of a target in a round).");
	xs_prom_u64(p, name, "verdict=\"valid\"", st->rx_valid);
	xs_prom_u64(p, name, "verdict=\"bad_cookie\"", st->rx_bad_cookie);
	xs_prom_u64(p, name, "verdict=\"wrong_source\"", st->rx_wrong_src);
	xs_prom_u64(p, name, "verdict=\"duplicate\"", st->rx_duplicate);
	xs_prom_u64(p, name, "verdict=\"late\"", st->rx_late);
}

/* On the server's thread, per scrape. */
static void collect(void *ctx, struct xs_prom *p)
{
	struct xs_sweep_metrics *m = ctx;
	struct xs_stats st;

	pthread_mutex_lock(&m->lock);
	if (m->text.len)
		xs_prom_append(p, m->text.buf, m->text.len);
	if (m->maps && !xs_percpu_sum(m->stats_fd, 0, &st, sizeof(st)))
		replies(p, &st);
	else if (m->have_rx)
		replies(p, &m->rx);
	pthread_mutex_unlock(&m->lock);
}

int xs_sweep_metrics_open(struct xs_sweep_metrics **out, const char *listen, unsigned max_hosts)
{
	struct xs_sweep_metrics *m = calloc(1, sizeof(*m));
	int err;

	if (!m) {
		pr_warn("metrics: out of memory");
		return -ENOMEM;
	}
	m->max_hosts = max_hosts;
	m->stats_fd = m->rtt_fd = -1;
	pthread_mutex_init(&m->lock, NULL);
	xs_prom_family(&m->text, "xsweep_sweep_rounds_total", "counter",
		       "Sweep rounds completed.");
	xs_prom_u64(&m->text, "xsweep_sweep_rounds_total", NULL, 0);
	if ((err = xs_metrics_start(&m->srv, listen, collect, m))) {
		xs_sweep_metrics_close(m);
		return err;
	}
	*out = m;
	return 0;
}

/* A pinned map of the expected shape, or -1. */
static int open_pin(const char *name, __u32 value_size)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", XS_PIN_DIR, name);
	if ((fd = bpf_obj_get(path)) < 0)
		return -1;
	if (xs_map_check(fd, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32), value_size)) {
		close(fd);
		return -1;
	}
	return fd;
}

void xs_sweep_metrics_round_begin(struct xs_sweep_metrics *m, unsigned round)
{
	if (round != 1 || m->stats_fd >= 0)
		return;
	m->stats_fd = open_pin("stats", sizeof(struct xs_stats));
	m->rtt_fd = open_pin("rtt_hist", sizeof(__u64));
}

void xs_sweep_metrics_host(struct xs_sweep_metrics *m, const struct xs_ip *ip, bool up,
			   uint64_t rtt_ns, int was_up)
{
	char a[XS_IP_STRLEN], lbl[XS_IP_STRLEN + 16];

	if (was_up >= 0 && up != (bool)was_up)
		*(up ? &m->went_up : &m->went_down) += 1;
	if (++m->nhosts > m->max_hosts)
		return;
	xs_prom_label(lbl, sizeof(lbl), "addr", xs_ip_str(ip, a, sizeof(a)));
	xs_prom_u64(&m->up, "xsweep_sweep_host_up", lbl, up);
	if (up)
		xs_prom_f64(&m->rtt, "xsweep_sweep_host_rtt_seconds", lbl, (double)rtt_ns / 1e9);
}

/* The kernel's log2 histogram: slot k counts RTTs of [2^k, 2^(k+1)) microseconds (slot 0
 * from 0, the last one everything above). */
static void rtt_histogram(struct xs_sweep_metrics *m, struct xs_prom *p, uint64_t sum_ns)
{
	double le[XS_RTT_SLOTS];
	uint64_t n[XS_RTT_SLOTS];

	for (__u32 k = 0; k < XS_RTT_SLOTS; k++) {
		if (xs_percpu_sum(m->rtt_fd, k, &n[k], sizeof(n[k])))
			return;
		le[k] = k + 1 < XS_RTT_SLOTS ? ldexp(1e-6, (int)k + 1) : INFINITY;
	}
	xs_prom_histogram(p, "xsweep_sweep_rtt_seconds", "Round-trip times of valid replies "
			  "that carried their send time (ICMP echo), from the XDP program's "
			  "log2 histogram.", le, n, XS_RTT_SLOTS, (double)sum_ns / 1e9);
}

static void gauge(struct xs_prom *p, const char *name, const char *help, double v)
{
	xs_prom_family(p, name, "gauge", help);
	xs_prom_f64(p, name, NULL, v);
}

static void round_families(struct xs_sweep_metrics *m, struct xs_prom *p,
			   const struct xs_round_summary *s)
{
	xs_prom_family(p, "xsweep_sweep_rounds_total", "counter", "Sweep rounds completed.");
	xs_prom_u64(p, "xsweep_sweep_rounds_total", NULL, s->round);
	gauge(p, "xsweep_sweep_targets", "Targets probed per round (addresses x ports).",
	      (double)s->targets);
	gauge(p, "xsweep_sweep_hosts_alive", "Addresses that answered in the last round.",
	      (double)s->hosts_alive);
	gauge(p, "xsweep_sweep_hosts_inactive", "Addresses that did not answer in the last round.",
	      (double)s->hosts_inactive);
	xs_prom_family(p, "xsweep_sweep_changes_total", "counter",
		       "Addresses that came up or went down between two rounds.");
	xs_prom_u64(p, "xsweep_sweep_changes_total", "direction=\"up\"", m->went_up);
	xs_prom_u64(p, "xsweep_sweep_changes_total", "direction=\"down\"", m->went_down);
	xs_prom_family(p, "xsweep_sweep_probes_sent_total", "counter", "Probes sent by this run.");
	xs_prom_u64(p, "xsweep_sweep_probes_sent_total", NULL, s->sent);
	gauge(p, "xsweep_sweep_round_duration_seconds", "Duration of the last round.",
	      (double)(s->end_wall_ns - s->start_wall_ns) / 1e9);
	gauge(p, "xsweep_sweep_last_round_end_timestamp_seconds",
	      "When the last round ended (Unix time).", (double)s->end_wall_ns / 1e9);
	if (m->xdp && m->rtt_fd >= 0)
		rtt_histogram(m, p, s->rtt_sum_ns);
	if (!m->nhosts || m->nhosts > m->max_hosts)
		return;
	xs_prom_family(p, "xsweep_sweep_host_up", "gauge",
		       "1 when the address answered in the last round, else 0.");
	xs_prom_append(p, m->up.buf, m->up.len);
	xs_prom_family(p, "xsweep_sweep_host_rtt_seconds", "gauge",
		       "Round-trip time of the address in the last round (when it answered).");
	xs_prom_append(p, m->rtt.buf, m->rtt.len);
}

void xs_sweep_metrics_round_end(struct xs_sweep_metrics *m, const struct xs_round_summary *s)
{
	struct xs_prom p = { 0 };

	if (s->round == 1 && s->capture && !strcmp(s->capture, "xdp") && m->stats_fd >= 0)
		m->xdp = true;
	if (m->nhosts > m->max_hosts && !m->said_too_many) {
		m->said_too_many = true;
		pr_warn("metrics: %llu addresses is more than --metrics-hosts %u: no per-host "
			"series, aggregates only", (unsigned long long)m->nhosts, m->max_hosts);
	}
	round_families(m, &p, s);
	pthread_mutex_lock(&m->lock);
	xs_prom_free(&m->text);
	m->text = p;
	m->maps = m->xdp;
	m->rx = s->rx;
	m->have_rx = true;
	pthread_mutex_unlock(&m->lock);
	xs_prom_free(&m->up);
	xs_prom_free(&m->rtt);
	m->nhosts = 0;
}

void xs_sweep_metrics_close(struct xs_sweep_metrics *m)
{
	if (!m)
		return;
	xs_metrics_stop(m->srv);
	if (m->stats_fd >= 0)
		close(m->stats_fd);
	if (m->rtt_fd >= 0)
		close(m->rtt_fd);
	xs_prom_free(&m->text);
	xs_prom_free(&m->up);
	xs_prom_free(&m->rtt);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
