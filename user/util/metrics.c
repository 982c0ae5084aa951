/* metrics.c - the Prometheus text exposition builder and the /metrics server (see
 * metrics.h). The listening socket is ours (so a port in use is reported with its errno,
 * in one line); libmicrohttpd serves HTTP on it from its own thread, which holds at most
 * CAP_BPF whatever the caller holds.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/capability.h>
#include <microhttpd.h>

#include "util/log.h"
#include "util/metrics.h"
#include "util/parse.h"
#include "util/privs.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct xs_metrics {
	struct MHD_Daemon *d;
	int fd;
	xs_metrics_fn collect;
	void *ctx;
};

static bool grow(struct xs_prom *p, size_t more)
{
	size_t cap = p->cap ? p->cap : 4096;
	char *b;

	if (p->oom)
		return false;
	while (cap < p->len + more + 1)
		cap *= 2;
	if (cap == p->cap)
		return true;
	if (!(b = realloc(p->buf, cap))) {
		p->oom = true;
		return false;
	}
	p->buf = b;
	p->cap = cap;
	return true;
}

void xs_prom_append(struct xs_prom *p, const char *text, size_t len)
{
	if (!grow(p, len))
		return;
	memcpy(p->buf + p->len, text, len);
	p->len += len;
	p->buf[p->len] = '\0';
}

void xs_prom_printf(struct xs_prom *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(p, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(p->buf + p->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	p->len += (size_t)n;
}

void xs_prom_free(struct xs_prom *p)
{
	free(p->buf);
	*p = (struct xs_prom){ 0 };
}

void xs_prom_family(struct xs_prom *p, const char *name, const char *type, const char *help)
{
	xs_prom_printf(p, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample_start(struct xs_prom *p, const char *name, const char *labels)
{
	if (labels && *labels)
		xs_prom_printf(p, "%s{%s} ", name, labels);
	else
		xs_prom_printf(p, "%s ", name);
}

void xs_prom_u64(struct xs_prom *p, const char *name, const char *labels, uint64_t v)
{
	sample_start(p, name, labels);
	xs_prom_printf(p, "%llu\n", (unsigned long long)v);
}

void xs_prom_f64(struct xs_prom *p, const char *name, const char *labels, double v)
{
	sample_start(p, name, labels);
	if (isnan(v))
		xs_prom_printf(p, "NaN\n");
	else if (isinf(v))
		xs_prom_printf(p, "%sInf\n", v > 0 ? "+" : "-");
	else
		xs_prom_printf(p, "%.15g\n", v);
}

const char *xs_prom_label(char *buf, size_t len, const char *key, const char *value)
{
	size_t n = (size_t)snprintf(buf, len, "%s=\"", key);

	for (; *value && n + 4 < len; value++) {
		const char *esc = *value == '\\' ? "\\\\" : *value == '"' ? "\\\"" :
				  *value == '\n' ? "\\n" : NULL;

		if (esc) {
			memcpy(buf + n, esc, 2);
			n += 2;
		} else {
			buf[n++] = *value;
		}
	}
	if (n + 2 <= len) {
		buf[n++] = '"';
		buf[n] = '\0';
	}
	return buf;
}

void xs_prom_histogram(struct xs_prom *p, const char *name, const char *help,
		       const double *le, const uint64_t *count, size_t n, double sum)
{
	char bucket[128], lbl[64];
	uint64_t cum = 0;

	xs_prom_family(p, name, "histogram", help);
	snprintf(bucket, sizeof(bucket), "%s_bucket", name);
	for (size_t i = 0; i < n; i++) {
		cum += count[i];
		if (isinf(le[i]))
			snprintf(lbl, sizeof(lbl), "le=\"+Inf\"");
		else
			snprintf(lbl, sizeof(lbl), "le=\"%.15g\"", le[i]);
		xs_prom_u64(p, bucket, lbl, cum);
	}
	xs_prom_printf(p, "%s_sum %.15g\n%s_count %llu\n", name, sum, name, (unsigned long long)cum);
}

/* PORT, 1-65535. */
static int parse_port(const char *s, uint16_t *port)
{
	unsigned v;

	if (xs_parse_uint(s, 1, 65535, &v))
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int xs_metrics_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sslen,
			    char *err, size_t errlen)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	const char *colon = strrchr(s, ':'), *port = colon ? colon + 1 : s;
	char host[INET6_ADDRSTRLEN + 2] = "127.0.0.1";
	size_t hlen = colon ? (size_t)(colon - s) : 0;
	uint16_t p;

	memset(ss, 0, sizeof(*ss));
	if (hlen >= sizeof(host) || parse_port(port, &p))
		goto bad;
	if (hlen) {
		memcpy(host, s, hlen);
		host[hlen] = '\0';
	}
	if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			goto bad;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(p);
		*sslen = sizeof(*s6);
		return 0;
	}
	if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		goto bad;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(p);
	*sslen = sizeof(*s4);
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not ADDR:PORT ([ADDR]:PORT for IPv6, PORT alone for "
		 "127.0.0.1; numeric address, port 1-65535)", s);
	return -EINVAL;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body, size_t len,
			     const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result plain(struct MHD_Connection *c, unsigned status, const char *msg)
{
	char *body = strdup(msg);

	return body ? reply(c, status, body, strlen(body), "text/plain; charset=utf-8") : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	struct xs_metrics *m = cls;
	struct xs_prom p = { 0 };

	(void)version, (void)upload, (void)req_cls;
	if (*upload_size)
		return MHD_NO;	/* a GET has no body */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return plain(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics\n");
	if (strcmp(url, "/metrics"))
		return plain(c, MHD_HTTP_NOT_FOUND, "xsweep serves Prometheus metrics on /metrics\n");
	m->collect(m->ctx, &p);
	xs_prom_append(&p, "", 0);
	if (p.oom) {
		xs_prom_free(&p);
		return plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	}
	return reply(c, MHD_HTTP_OK, p.buf, p.len, CONTENT_TYPE);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	pr_debug("metrics: libmicrohttpd: %s", msg);
}

/* Our own listening socket: 0 or -errno. */
static int listen_on(const struct sockaddr_storage *ss, socklen_t len)
{
	int one = 1, fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -errno;
	/* Lets a restart bind while old connections sit in TIME_WAIT; a listener that is
	 * still there keeps the port (EADDRINUSE). */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) || listen(fd, 32)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* MHD_start_daemon's arguments and result, for the thread that calls it. */
struct starter {
	struct xs_metrics *m;
	bool v6;
	struct MHD_Daemon *d;
	int err;
};

/* The server's thread takes the capabilities of the thread that starts it, and the
 * commands start it before they drop theirs (xs_privs_after_setup, for the calling thread
 * only: capabilities are per thread). So a thread of its own, which first keeps no more
 * than CAP_BPF (what the commands keep, and what a scrape reading their maps may use),
 * starts it, and ends; the caller keeps its capabilities. */
static void *starter_main(void *arg)
{
	struct starter *s = arg;

	if ((s->err = xs_privs_keep(XS_CAP(CAP_BPF), NULL)))
		return NULL;
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG |
				(s->v6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL, on_request, s->m,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_LISTEN_SOCKET, s->m->fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				MHD_OPTION_END);
	if (!s->d)
		s->err = -EIO;
	return NULL;
}

/* The server, started by starter_main. Its threads inherit the signal mask too: they
 * must not take SIGINT/SIGTERM from the thread whose loop waits for them. 0 or -errno. */
static int start_daemon(struct xs_metrics *m, bool v6)
{
	struct starter s = { .m = m, .v6 = v6 };
	sigset_t block, old;
	pthread_t t;
	int err;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	err = pthread_create(&t, NULL, starter_main, &s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	pthread_join(t, NULL);
	m->d = s.d;
	return s.err;
}

int xs_metrics_start(struct xs_metrics **out, const char *listen, xs_metrics_fn collect,
		     void *ctx)
{
	struct sockaddr_storage ss;
	struct xs_metrics *m;
	char msg[256];
	socklen_t len;
	int fd, err;

	if (xs_metrics_parse_listen(listen, &ss, &len, msg, sizeof(msg))) {
		pr_warn("--metrics-listen: %s", msg);
		return -EINVAL;
	}
	if ((fd = listen_on(&ss, len)) < 0) {
		pr_warn("--metrics-listen %s: %s", listen, strerror(-fd));
		return fd;
	}
	if (!(m = calloc(1, sizeof(*m)))) {
		close(fd);
		return -ENOMEM;
	}
	*m = (struct xs_metrics){ .fd = fd, .collect = collect, .ctx = ctx };
	if ((err = start_daemon(m, ss.ss_family == AF_INET6))) {
		if (err == -EIO)
			pr_warn("--metrics-listen %s: libmicrohttpd could not start its server", listen);
		else
			pr_warn("--metrics-listen %s: cannot start the server's thread: %s", listen,
				strerror(-err));
		close(fd);
		free(m);
		return err;
	}
	pr_info("serving metrics on http://%s/metrics", listen);
	*out = m;
	return 0;
}

void xs_metrics_stop(struct xs_metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->d);	/* closes the listening socket too */
	free(m);
}
