/* metrics.h - Prometheus metrics over HTTP: a builder for the text exposition format
 * (version 0.0.4) and a server, libmicrohttpd's, that serves it on /metrics.
 *
 *	xs_metrics_start(&m, "127.0.0.1:9100", collect, ctx);
 *
 * binds the address at once (so a port in use is an error before anything else starts)
 * and answers each GET /metrics on the server's own thread by calling collect(ctx, p),
 * which appends families to p with the xs_prom_* functions; collect does its own
 * locking against the thread that owns the numbers. Nothing else is served: other paths
 * get 404, other methods 405.
 */
#ifndef XSWEEP_METRICS_H
#define XSWEEP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* A growing exposition text. On allocation failure oom is set and further appends are
 * ignored (the server answers 500). */
struct xs_prom {
	char *buf;
	size_t len, cap;
	bool oom;
};

/* "# HELP name help" and "# TYPE name type" (counter, gauge, histogram); help is one
 * line without backslashes. */
void xs_prom_family(struct xs_prom *p, const char *name, const char *type, const char *help);
/* One sample: name{labels} value; labels is "k=\"v\",..." (see xs_prom_label) or NULL. */
void xs_prom_u64(struct xs_prom *p, const char *name, const char *labels, uint64_t v);
void xs_prom_f64(struct xs_prom *p, const char *name, const char *labels, double v);
/* key="value" with the value escaped as the format wants (\\, \", \n); returns buf. */
const char *xs_prom_label(char *buf, size_t len, const char *key, const char *value);
/* A whole histogram family: n buckets with upper bounds le[] (ascending, the last one
 * INFINITY) and the count of each (not cumulative), then _sum and _count. */
void xs_prom_histogram(struct xs_prom *p, const char *name, const char *help,
		       const double *le, const uint64_t *count, size_t n, double sum);
void xs_prom_append(struct xs_prom *p, const char *text, size_t len);
void xs_prom_printf(struct xs_prom *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void xs_prom_free(struct xs_prom *p);

/* ADDR:PORT, [ADDR6]:PORT, :PORT or PORT (127.0.0.1 when no address is given); ADDR is
 * a numeric IPv4 or IPv6 address, PORT 1-65535. 0, or -EINVAL with one line in err. */
int xs_metrics_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sslen,
			    char *err, size_t errlen);

typedef void (*xs_metrics_fn)(void *ctx, struct xs_prom *p);
struct xs_metrics;

/* Bind listen (see xs_metrics_parse_listen) and serve collect's text on /metrics from a
 * thread of the server's. 0, or -errno with one line printed ("--metrics-listen ...:
 * Address already in use"). SIGINT/SIGTERM stay with the calling thread. */
int xs_metrics_start(struct xs_metrics **m, const char *listen, xs_metrics_fn collect,
		     void *ctx);
/* Stop serving (waits for a request in progress) and free; NULL is fine. */
void xs_metrics_stop(struct xs_metrics *m);

#endif
