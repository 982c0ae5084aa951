/* ping.c - `xsweep ping`: ICMP/ICMPv6 echo to many hosts at once, with round-trip times.
 *
 * Like fping, every host is pinged concurrently from one event loop: one ICMP socket per
 * address family, a global 16-bit wire sequence number mapping each request back to its
 * (host, request), and a payload that carries a per-run random cookie plus the host
 * index and request number. A reply counts only if id (raw sockets), sequence and the
 * whole payload match; a second reply to the same request is a (DUP!), a reply to a
 * request for host A coming from address B is flagged as coming from the wrong source.
 *
 * Sockets: a raw ICMP socket when we have CAP_NET_RAW, otherwise an ICMP datagram
 * ("ping") socket, allowed for groups in net.ipv4.ping_group_range. On datagram sockets
 * the kernel picks the echo id and routes replies to us by it, so matching there relies on
 * sequence + payload; ICMP errors arrive on the socket error queue (IP_RECVERR).
 * Once the sockets are open every capability is dropped (and a setuid run returns to the
 * real uid/gid) before the first reply is read.
 *
 * RTT = kernel receive timestamp (SO_TIMESTAMPNS control message) - CLOCK_REALTIME
 * read immediately before sendto().
 */
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "cmd/commands.h"
#include "net/icmp.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/opts.h"
#include "util/privs.h"
#include "cmd/ping.h"


/* ---------------------------------------------------------------- options */

static int set_family(void *obj, int family)
{
	((struct ping_opts *)obj)->family = family;
	return 0;
}

static int set_ipv4(void *obj, const char *arg, char *err, size_t errlen)
{
	(void)arg, (void)err, (void)errlen;
	return set_family(obj, AF_INET);
}

static int set_ipv6(void *obj, const char *arg, char *err, size_t errlen)
{
	(void)arg, (void)err, (void)errlen;
	return set_family(obj, AF_INET6);
}

static const struct xs_opt_choice styles[] = {
	{ "lab", PING_STYLE_LAB }, { "ping", PING_STYLE_PING }, { NULL },
};
static const struct xs_opt_choice outputs[] = {
	{ "text", PING_OUT_TEXT }, { "json", PING_OUT_JSON }, { NULL },
};
static const struct xs_opt_choice socks[] = {
	{ "auto", PING_SOCK_AUTO }, { "raw", PING_SOCK_RAW }, { "dgram", PING_SOCK_DGRAM },
	{ NULL },
};

#define O struct ping_opts
static const struct xs_opt ping_table[] = {
	XS_UINT("count", 'c', O, count, "COUNT", 1, PING_MAX_COUNT,
		"requests per host (default 4)"),
	XS_DUR("interval", 'i', O, interval, "D", "interval between requests to one host "
	       "(default 1; D like 0.2, 500ms, 2s)", .min = 1, .max = 3600 * 1000),
	XS_DUR("timeout", 'W', O, timeout, "D", "time to wait for each reply (default 2)",
	       .min = 1, .max = 3600 * 1000),
	XS_UINT("size", 's', O, size, "BYTES", 0, PING_MAX_SIZE6, "payload size (default 56; "
		"at most " PING_STR(PING_MAX_SIZE4) " for IPv4, " PING_STR(PING_MAX_SIZE6)
		" for IPv6)"),
	XS_UINT("ttl", 't', O, ttl, "TTL", 1, 255, "IPv4 time to live / IPv6 hop limit (1-255)"),
	XS_FLAG("quiet", 'q', O, quiet, "print only the per-host summaries"),
	XS_FUNC("ipv4", '4', set_ipv4, NULL, "resolve host names to IPv4 only"),
	XS_FUNC("ipv6", '6', set_ipv6, NULL, "resolve host names to IPv6 only"),
	XS_ENUM("style", 0, O, style, NULL, styles, "lab: \"Ping to HOST... Get pong in "
		"0.0754ms\" (default);\nping: \"64 bytes from HOST: icmp_seq=1 ttl=64 time=0.075 "
		"ms\""),
	XS_ENUM("output", 'O', O, output, NULL, outputs, "json: one object per line, per reply "
		"and per host summary"),
	XS_ENUM("socket", 0, O, sock, NULL, socks, "raw ICMP socket (needs CAP_NET_RAW) or ICMP "
		"datagram socket (needs a group in net.ipv4.ping_group_range); auto: raw, then "
		"dgram"),
	XS_OPTS_END
};
#undef O

static const struct xs_cmd_opts ping_cmd = {
	.cmd = "ping",
	.usage = "xsweep ping [OPTIONS] HOST...",
	.about = "Send ICMP/ICMPv6 echo requests to every HOST at once and report round-trip times.",
	.footer = "RTTs come from kernel receive timestamps. Replies are matched by sequence number\n"
		  "and a per-run payload cookie; duplicates are marked (DUP!), replies from another\n"
		  "address than the one pinged are flagged and not counted.\n"
		  "Exit status: 0 every host answered, 1 some host did not, 2 error.",
	.opts = ping_table,
	.min_args = 1,
	.max_args = -1,
	.args_name = "HOST",
};

void usage_ping(FILE *out)
{
	xs_opts_usage(out, &ping_cmd);
}

int ping_parse_args(int argc, char **argv, struct ping_opts *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->count = 4;
	o->interval = 1.0;
	o->timeout = 2.0;
	o->size = 56;
	o->family = AF_UNSPEC;
	rc = xs_opts_parse(&ping_cmd, o, argc, argv);
	if (rc != XS_CONTINUE)
		return rc;
	o->hosts = argv + optind;
	o->nhosts = argc - optind;
	return XS_CONTINUE;
}

/* ------------------------------------------------------------------ engine */

enum probe_state { PR_UNSENT = 0, PR_PENDING, PR_ANSWERED, PR_ERROR, PR_TIMEOUT };

struct probe {
	double tx_mono;		/* CLOCK_MONOTONIC seconds: scheduling and timeouts */
	int64_t tx_real_ns;	/* CLOCK_REALTIME ns: same clock as SO_TIMESTAMPNS */
	uint8_t state;
};

struct host {
	const char *name;
	struct sockaddr_storage sa;
	socklen_t salen;
	int family;
	struct in6_addr key;	/* address for comparisons; IPv4 as ::ffff:a.b.c.d */
	char addr[INET6_ADDRSTRLEN];
	struct probe *probes;
	unsigned int nsent;
	unsigned int next_expire;	/* first request that may still time out */
	double start;		/* first send time; request k goes at start + k * interval */
	struct ping_stats st;
};

struct isock {
	int fd;
	int family;
	bool raw;
};

struct seqslot {
	uint32_t host1;		/* host index + 1; 0 = never used */
	uint32_t idx;
};

struct pinger {
	const struct ping_opts *o;
	struct host *hosts;
	int nhosts;
	struct isock s4, s6;
	uint16_t ident;
	uint64_t cookie;
	uint16_t wire_seq;
	struct seqslot *seqmap;	/* 65536 entries, indexed by wire sequence */
	uint8_t *txbuf, *rxbuf, *payload;
	size_t bufsz;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void sa_key(const struct sockaddr *sa, struct in6_addr *key)
{
	memset(key, 0, sizeof(*key));
	if (sa->sa_family == AF_INET6) {
		*key = ((const struct sockaddr_in6 *)sa)->sin6_addr;
	} else {
		key->s6_addr[10] = 0xff;
		key->s6_addr[11] = 0xff;
		memcpy(&key->s6_addr[12], &((const struct sockaddr_in *)sa)->sin_addr, 4);
	}
}

static void key_str(const struct in6_addr *key, char *buf, size_t len)
{
	if (IN6_IS_ADDR_V4MAPPED(key))
		inet_ntop(AF_INET, &key->s6_addr[12], buf, len);
	else
		inet_ntop(AF_INET6, key, buf, len);
}

static int resolve(struct pinger *p)
{
	const struct ping_opts *o = p->o;

	for (int i = 0; i < p->nhosts; i++) {
		struct host *h = &p->hosts[i];
		struct addrinfo hints = { .ai_family = o->family, .ai_socktype = SOCK_RAW };
		struct addrinfo *res;
		int err;

		h->name = o->hosts[i];
		err = getaddrinfo(h->name, NULL, &hints, &res);
		if (err) {
			pr_warn("ping: unknown host '%s': %s", h->name,
				err == EAI_SYSTEM ? strerror(errno) : gai_strerror(err));
			return -ENOENT;
		}
		memcpy(&h->sa, res->ai_addr, res->ai_addrlen);
		h->salen = res->ai_addrlen;
		h->family = res->ai_family;
		freeaddrinfo(res);
		sa_key((struct sockaddr *)&h->sa, &h->key);
		key_str(&h->key, h->addr, sizeof(h->addr));
		if (h->family == AF_INET && o->size > PING_MAX_SIZE4) {
			pr_warn("ping: -s %u: too large for IPv4 host %s (at most %d bytes)",
				o->size, h->name, PING_MAX_SIZE4);
			return -EINVAL;
		}
		h->probes = calloc(o->count, sizeof(*h->probes));
		if (!h->probes) {
			pr_warn("ping: out of memory");
			return -ENOMEM;
		}
	}
	return 0;
}

static int setup_socket(struct isock *s, const struct ping_opts *o)
{
	int one = 1, rcvbuf = 1 << 20, ttl = o->ttl;

	/* The receive timestamp is what the RTT is made of: not optional. */
	if (setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)))
		return -errno;
	setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));

	if (s->family == AF_INET) {
		if (ttl && setsockopt(s->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)))
			return -errno;
		if (s->raw) {
			/* Bits set are types the kernel will not hand us. */
			struct icmp_filter f = {
				.data = ~((1U << ICMP_ECHOREPLY) | (1U << ICMP_DEST_UNREACH) |
					  (1U << ICMP_SOURCE_QUENCH) | (1U << ICMP_TIME_EXCEEDED) |
					  (1U << ICMP_PARAMETERPROB)),
			};
			if (setsockopt(s->fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f)))
				return -errno;
		} else {
			if (setsockopt(s->fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) ||
			    setsockopt(s->fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)))
				return -errno;
		}
	} else {
		if (ttl && setsockopt(s->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)))
			return -errno;
		if (setsockopt(s->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)))
			return -errno;
		if (s->raw) {
			struct icmp6_filter f;

			ICMP6_FILTER_SETBLOCKALL(&f);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
			ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
			ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f);
			ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
			ICMP6_FILTER_SETPASS(ICMP6_PARAM_PROB, &f);
			if (setsockopt(s->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)))
				return -errno;
		} else if (setsockopt(s->fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one))) {
			return -errno;
		}
	}
	return 0;
}

/* One line saying what to change when the socket kinds we may use are not allowed. */
static void explain_no_permission(enum ping_sock mode)
{
	char exe[512] = "xsweep", range[64] = "?", raw[640], dgram[256];
	ssize_t n;
	FILE *f;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0)
		exe[n] = '\0';
	f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");
	if (f) {
		if (fgets(range, sizeof(range), f)) {
			range[strcspn(range, "\n")] = '\0';
			for (char *c = range; *c; c++)
				if (*c == '\t')
					*c = ' ';
		}
		fclose(f);
	}
	snprintf(raw, sizeof(raw), "raw sockets need CAP_NET_RAW (setcap cap_net_raw+ep %s)", exe);
	snprintf(dgram, sizeof(dgram),
		 "ping sockets need group %u in net.ipv4.ping_group_range (now \"%s\"; e.g. "
		 "sysctl -w net.ipv4.ping_group_range=\"0 2147483647\")",
		 (unsigned int)getegid(), range);
	if (mode == PING_SOCK_RAW)
		pr_warn("ping: not allowed to open a raw ICMP socket: %s", raw);
	else if (mode == PING_SOCK_DGRAM)
		pr_warn("ping: not allowed to open an ICMP datagram socket: %s", dgram);
	else
		pr_warn("ping: not allowed to open an ICMP socket: %s, %s", raw, dgram);
}

static int open_socket(struct isock *s, int family, const struct ping_opts *o)
{
	int proto = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	const char *fam = family == AF_INET6 ? "ICMPv6" : "ICMP";
	int err = 0;

	s->family = family;
	s->fd = -1;
	if (o->sock != PING_SOCK_DGRAM) {
		s->fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, proto);
		s->raw = s->fd >= 0;
		if (s->fd < 0 && (o->sock == PING_SOCK_RAW || (errno != EPERM && errno != EACCES)))
			goto fail;
	}
	if (s->fd < 0) {
		s->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, proto);
		if (s->fd < 0)
			goto fail;
	}
	err = setup_socket(s, o);
	if (err) {
		pr_warn("ping: cannot set up the %s socket: %s", fam, strerror(-err));
		close(s->fd);
		s->fd = -1;
		return err;
	}
	pr_info("ping: using a %s %s socket", s->raw ? "raw" : "datagram", fam);
	return 0;
fail:
	err = -errno;
	if (err == -EPERM || err == -EACCES)
		explain_no_permission(o->sock);
	else
		pr_warn("ping: cannot open an %s socket: %s", fam, strerror(-err));
	return err;
}

/* After the sockets are open nothing else needs privilege: give it all up before the
 * first packet from the network is parsed. */
static int drop_privileges(void)
{
	uid_t ruid = getuid();
	gid_t rgid = getgid();
	bool had = false;
	int err = xs_privs_keep(0, &had);	/* every set, bounding too; no_new_privs */

	if (err)
		return err;
	/* Setuid/setgid run: back to the invoking user, all three ids. */
	if (getegid() != rgid && setresgid(rgid, rgid, rgid))
		return -errno;
	if (geteuid() != ruid && setresuid(ruid, ruid, ruid))
		return -errno;
	if (had)
		pr_info("ping: capabilities dropped");
	return 0;
}

static void emit(struct pinger *p, const struct ping_event *e)
{
	char line[1024];

	if (p->o->quiet)
		return;
	if (p->o->output == PING_OUT_JSON) {
		struct json_object *j = ping_event_json(e);

		puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
		json_object_put(j);
		return;
	}
	ping_format_event(line, sizeof(line), p->o->style, e);
	puts(line);
}

static void emit_error(struct pinger *p, struct host *h, unsigned int idx, const char *from,
		       const char *what)
{
	struct ping_event e = {
		.kind = PING_EV_ERROR, .host = h->name, .addr = h->addr, .from = from,
		.seq = idx + 1, .ttl = -1, .error = what,
	};

	emit(p, &e);
}

static void send_probe(struct pinger *p, struct host *h)
{
	const struct ping_opts *o = p->o;
	uint32_t hidx = (uint32_t)(h - p->hosts);
	unsigned int idx = h->nsent++;
	struct probe *pr = &h->probes[idx];
	struct isock *s = h->family == AF_INET6 ? &p->s6 : &p->s4;
	uint16_t wseq = ++p->wire_seq;
	size_t len;
	ssize_t n;

	p->seqmap[wseq] = (struct seqslot){ .host1 = hidx + 1, .idx = idx };
	ping_fill_payload(p->payload, o->size, p->cookie, hidx, idx);
	len = xs_icmp_echo_build(p->txbuf, p->bufsz, h->family, p->ident, wseq, p->payload,
				 o->size);
	if (!s->raw) {
		/* A datagram socket with IP_RECVERR keeps the last ICMP error pending in
		 * SO_ERROR and would fail this send with it; the details are read from the
		 * error queue instead. */
		int soerr;
		socklen_t sl = sizeof(soerr);

		getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	}
	h->st.sent++;
	pr->state = PR_PENDING;
	pr->tx_mono = xs_now_s();
	pr->tx_real_ns = (int64_t)xs_wall_ns();
	n = sendto(s->fd, p->txbuf, len, 0, (struct sockaddr *)&h->sa, h->salen);
	if (n < 0) {
		char what[128];

		snprintf(what, sizeof(what), "sendto: %s", strerror(errno));
		pr->state = PR_ERROR;
		h->st.errors++;
		emit_error(p, h, idx, "localhost", what);
	}
}

/* Which (host, request) does this wire sequence number belong to? */
static struct host *lookup(struct pinger *p, int family, uint16_t wseq, unsigned int *idx)
{
	struct seqslot *sl = &p->seqmap[wseq];
	struct host *h;

	if (!sl->host1 || sl->host1 > (uint32_t)p->nhosts)
		return NULL;
	h = &p->hosts[sl->host1 - 1];
	if (h->family != family || sl->idx >= h->nsent)
		return NULL;
	*idx = sl->idx;
	return h;
}

static bool payload_ok(struct pinger *p, struct host *h, unsigned int idx, const uint8_t *data,
		       size_t len)
{
	if (len != (size_t)p->o->size)
		return false;
	ping_fill_payload(p->payload, len, p->cookie, (uint32_t)(h - p->hosts), idx);
	return !memcmp(p->payload, data, len);
}

static void handle_reply(struct pinger *p, struct isock *s, const struct xs_icmp_msg *m,
			 const struct in6_addr *src, int ttl, int64_t rx_ns)
{
	char from[INET6_ADDRSTRLEN];
	struct ping_event e = { .kind = PING_EV_REPLY };
	unsigned int idx;
	struct host *h;
	struct probe *pr;

	if (s->raw && m->id != p->ident)
		return;		/* another pinger's reply */
	h = lookup(p, s->family, m->seq, &idx);
	if (!h || !payload_ok(p, h, idx, m->data, m->dlen)) {
		pr_debug("ping: ignoring an echo reply that is not ours (seq %u)", m->seq);
		return;
	}
	pr = &h->probes[idx];
	key_str(src, from, sizeof(from));
	e.host = h->name;
	e.addr = h->addr;
	e.from = from;
	e.seq = idx + 1;
	e.ttl = m->ttl >= 0 ? m->ttl : ttl;
	e.bytes = m->icmp_len;
	e.rtt_ms = (double)(rx_ns - pr->tx_real_ns) / 1e6;
	e.wrong_src = memcmp(src, &h->key, sizeof(*src)) != 0;

	if (e.wrong_src) {
		/* Our request, answered by somebody else: show it, do not count it. */
		h->st.wrong_src++;
	} else if (pr->state == PR_ANSWERED) {
		e.dup = true;
		h->st.dups++;
	} else if (pr->state == PR_PENDING) {
		pr->state = PR_ANSWERED;
		ping_stats_add(&h->st, e.rtt_ms);
	} else {
		pr_info("ping: late reply from %s for icmp_seq=%u after %.1f ms, not counted",
			from, idx + 1, e.rtt_ms);
		return;
	}
	emit(p, &e);
}

static void handle_error(struct pinger *p, struct host *h, unsigned int idx,
			 const struct in6_addr *dst, const char *from, const char *what)
{
	struct probe *pr = &h->probes[idx];

	if (memcmp(dst, &h->key, sizeof(*dst)))
		return;		/* not the destination we sent this sequence to */
	if (pr->state != PR_PENDING)
		return;
	pr->state = PR_ERROR;
	h->st.errors++;
	emit_error(p, h, idx, from, what);
}

/* Normal receive queue: echo replies, and on raw sockets ICMP errors too. */
static void drain(struct pinger *p, struct isock *s)
{
	for (;;) {
		struct sockaddr_storage ss;
		char ctrl[256];
		struct iovec iov = { .iov_base = p->rxbuf, .iov_len = p->bufsz };
		struct msghdr msg = {
			.msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov,
			.msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl),
		};
		struct xs_icmp_msg m;
		struct in6_addr src;
		int64_t rx_ns = 0;
		int ttl = -1;
		ssize_t n;

		n = recvmsg(s->fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (!s->raw)
				continue;	/* pending ICMP error; the error queue has it */
			pr_warn("ping: recvmsg: %s", strerror(errno));
			return;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				rx_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
			} else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
				   (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
				memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			}
		}
		if (!rx_ns) {
			pr_debug("ping: no kernel timestamp on a packet, using the clock now");
			rx_ns = (int64_t)xs_wall_ns();
		}
		if ((msg.msg_flags & MSG_TRUNC) ||
		    xs_icmp_parse(s->family, s->raw && s->family == AF_INET, p->rxbuf, n, &m))
			continue;
		sa_key((struct sockaddr *)&ss, &src);
		if (m.kind == XS_ICMP_ECHO_REPLY) {
			handle_reply(p, s, &m, &src, ttl, rx_ns);
		} else if (m.kind == XS_ICMP_ERROR && m.id == p->ident) {
			char from[INET6_ADDRSTRLEN];
			unsigned int idx;
			struct host *h = lookup(p, s->family, m.seq, &idx);

			key_str(&src, from, sizeof(from));
			if (h)
				handle_error(p, h, idx, &m.inner_dst, from,
					     xs_icmp_strerror(s->family, m.type, m.code));
		}
	}
}

/* Datagram sockets: ICMP errors about our requests, via IP_RECVERR/IPV6_RECVERR. */
static void drain_errqueue(struct pinger *p, struct isock *s)
{
	for (;;) {
		struct sockaddr_storage ss;
		char ctrl[512];
		struct iovec iov = { .iov_base = p->rxbuf, .iov_len = p->bufsz };
		struct msghdr msg = {
			.msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov,
			.msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl),
		};
		struct sock_extended_err *ee = NULL;
		char from[INET6_ADDRSTRLEN] = "?";
		const char *what;
		struct in6_addr dst;
		unsigned int idx;
		struct host *h;
		uint16_t wseq;
		ssize_t n;

		n = recvmsg(s->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
				ee = (struct sock_extended_err *)CMSG_DATA(c);
		/* The payload is our own request as sent (with the kernel's echo id). */
		if (!ee || n < XS_ICMP_HDR_LEN)
			continue;
		wseq = (uint16_t)(p->rxbuf[6] << 8 | p->rxbuf[7]);
		h = lookup(p, s->family, wseq, &idx);
		if (!h)
			continue;
		if (ee->ee_origin == SO_EE_ORIGIN_ICMP || ee->ee_origin == SO_EE_ORIGIN_ICMP6) {
			struct in6_addr off;

			sa_key(SO_EE_OFFENDER(ee), &off);
			key_str(&off, from, sizeof(from));
			what = xs_icmp_strerror(s->family, ee->ee_type, ee->ee_code);
		} else {
			snprintf(from, sizeof(from), "localhost");
			what = strerror(ee->ee_errno);
		}
		sa_key((struct sockaddr *)&ss, &dst);
		handle_error(p, h, idx, &dst, from, what);
	}
}

/* Requests whose reply is overdue become timeouts, oldest first. */
static void expire(struct pinger *p, double now)
{
	for (int i = 0; i < p->nhosts; i++) {
		struct host *h = &p->hosts[i];

		while (h->next_expire < h->nsent) {
			struct probe *pr = &h->probes[h->next_expire];

			if (pr->state == PR_PENDING) {
				struct ping_event e = {
					.kind = PING_EV_TIMEOUT, .host = h->name, .addr = h->addr,
					.seq = h->next_expire + 1, .ttl = -1,
					.timeout_s = p->o->timeout,
				};

				if (pr->tx_mono + p->o->timeout > now)
					break;
				pr->state = PR_TIMEOUT;
				emit(p, &e);
			}
			h->next_expire++;
		}
	}
}

static int run(struct pinger *p)
{
	const struct ping_opts *o = p->o;
	/* Hosts start staggered (at most 1 ms apart) so a big list does not burst. */
	double stagger = o->interval / p->nhosts < 0.001 ? o->interval / p->nhosts : 0.001;
	double t0 = xs_now_s();
	struct pollfd pfd[2];
	int nfd = 0;

	if (p->s4.fd >= 0)
		pfd[nfd++] = (struct pollfd){ .fd = p->s4.fd, .events = POLLIN };
	if (p->s6.fd >= 0)
		pfd[nfd++] = (struct pollfd){ .fd = p->s6.fd, .events = POLLIN };
	for (int i = 0; i < p->nhosts; i++)
		p->hosts[i].start = t0 + i * stagger;

	while (!interrupted) {
		double now = xs_now_s(), next = INFINITY;
		bool busy = false;
		struct timespec ts;

		for (int i = 0; i < p->nhosts; i++) {
			struct host *h = &p->hosts[i];

			while (h->nsent < o->count &&
			       h->start + h->nsent * o->interval <= now)
				send_probe(p, h);
		}
		expire(p, now);
		for (int i = 0; i < p->nhosts; i++) {
			struct host *h = &p->hosts[i];

			if (h->nsent < o->count) {
				busy = true;
				next = fmin(next, h->start + h->nsent * o->interval);
			}
			if (h->next_expire < h->nsent) {
				busy = true;
				next = fmin(next, h->probes[h->next_expire].tx_mono + o->timeout);
			}
		}
		if (!busy)
			break;
		next = fmax(next - xs_now_s(), 0);
		ts.tv_sec = (time_t)next;
		ts.tv_nsec = (long)((next - ts.tv_sec) * 1e9) + 1000;	/* +1 us: do not wake early */
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (ppoll(pfd, nfd, &ts, NULL) < 0 && errno != EINTR) {
			pr_warn("ping: poll: %s", strerror(errno));
			return -errno;
		}
		for (int i = 0; i < nfd; i++) {
			struct isock *s = pfd[i].fd == p->s4.fd ? &p->s4 : &p->s6;

			if (pfd[i].revents & POLLERR && !s->raw)
				drain_errqueue(p, s);
			if (pfd[i].revents & (POLLIN | POLLERR))
				drain(p, s);
		}
	}
	/* Whatever is already queued (e.g. the duplicate of the last reply) still counts. */
	for (int i = 0; i < nfd; i++) {
		struct isock *s = pfd[i].fd == p->s4.fd ? &p->s4 : &p->s6;

		if (!s->raw)
			drain_errqueue(p, s);
		drain(p, s);
	}
	return 0;
}

static void print_header(struct pinger *p)
{
	if (p->o->output != PING_OUT_TEXT || p->o->style != PING_STYLE_PING)
		return;
	for (int i = 0; i < p->nhosts; i++) {
		struct host *h = &p->hosts[i];
		int iphdr = h->family == AF_INET6 ? 40 : 20;

		printf("PING %s (%s) %u(%u) bytes of data.\n", h->name, h->addr, p->o->size,
		       p->o->size + XS_ICMP_HDR_LEN + iphdr);
	}
}

static int print_summaries(struct pinger *p)
{
	int unanswered = 0;

	for (int i = 0; i < p->nhosts; i++) {
		struct host *h = &p->hosts[i];

		if (!h->st.received)
			unanswered++;
		if (p->o->output == PING_OUT_JSON) {
			struct json_object *j = ping_summary_json(h->name, h->addr, &h->st);

			puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
			json_object_put(j);
		} else {
			char buf[1024];

			if (p->o->style == PING_STYLE_PING)
				putchar('\n');
			ping_format_summary(buf, sizeof(buf), p->o->style, h->name, &h->st);
			puts(buf);
		}
	}
	return unanswered;
}

static void pinger_free(struct pinger *p)
{
	if (p->s4.fd >= 0)
		close(p->s4.fd);
	if (p->s6.fd >= 0)
		close(p->s6.fd);
	for (int i = 0; p->hosts && i < p->nhosts; i++)
		free(p->hosts[i].probes);
	free(p->hosts);
	free(p->seqmap);
	free(p->txbuf);
	free(p->rxbuf);
	free(p->payload);
}

int do_ping(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct pinger p = { .s4.fd = -1, .s6.fd = -1 };
	struct ping_opts o;
	bool need4 = false, need6 = false;
	int err, ret = XS_EXIT_ERROR, unanswered;

	err = ping_parse_args(argc, argv, &o);
	if (err != XS_CONTINUE)
		return err;
	p.o = &o;
	p.nhosts = o.nhosts;
	p.hosts = calloc(o.nhosts, sizeof(*p.hosts));
	p.seqmap = calloc(65536, sizeof(*p.seqmap));
	p.bufsz = 65536 + 512;
	p.txbuf = malloc(p.bufsz);
	p.rxbuf = malloc(p.bufsz);
	p.payload = malloc(p.bufsz);
	if (!p.hosts || !p.seqmap || !p.txbuf || !p.rxbuf || !p.payload) {
		pr_warn("ping: out of memory");
		goto out;
	}
	if (resolve(&p))
		goto out;
	if (getrandom(&p.cookie, sizeof(p.cookie), 0) != sizeof(p.cookie))
		p.cookie = xs_wall_ns() ^ ((uint64_t)getpid() << 32);
	p.ident = (uint16_t)(getpid() ^ (p.cookie >> 48));
	if (o.size < PING_TAG_LEN)
		pr_info("ping: -s %u leaves room for only %u of the %d cookie bytes", o.size,
			o.size, PING_TAG_LEN);

	for (int i = 0; i < p.nhosts; i++) {
		need4 |= p.hosts[i].family == AF_INET;
		need6 |= p.hosts[i].family == AF_INET6;
	}
	if (need4 && open_socket(&p.s4, AF_INET, &o))
		goto out;
	if (need6 && open_socket(&p.s6, AF_INET6, &o))
		goto out;
	err = drop_privileges();
	if (err) {
		pr_warn("ping: cannot drop privileges: %s", strerror(-err));
		goto out;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	print_header(&p);
	if (run(&p))
		goto out;
	unanswered = print_summaries(&p);
	ret = unanswered ? XS_EXIT_NEGATIVE : XS_EXIT_OK;
out:
	fflush(stdout);
	pinger_free(&p);
	return ret;
}
