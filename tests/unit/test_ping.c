/* test_ping.c - unit tests for `xsweep ping`: checksum, ICMP build/parse, statistics,
 * output lines (lab, ping and JSON) and option parsing. No packets are sent.
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#include "net/icmp.h"
#include "cmd/ping.h"
#include "unit.h"
#include "util/opts.h"

#define ARGV(...) ((char *[]){ "ping", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "ping", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, ...) ping_parse_args(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o))

static void test_csum(void)
{
	/* RFC 1071 section 3 example: the words sum to 0xddf2, checksum 0x220d. */
	uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t pkt[9] = { 8, 0, 0, 0, 0x12, 0x34, 0x00, 0x01, 0xab };
	uint16_t c = xs_csum(rfc, sizeof(rfc));
	uint8_t *cb = (uint8_t *)&c;

	CHECK(cb[0] == 0x22 && cb[1] == 0x0d, "xs_csum: RFC 1071 example gives 22 0d (got %02x %02x)",
	      cb[0], cb[1]);
	c = xs_csum(pkt, sizeof(pkt));
	memcpy(pkt + 2, &c, 2);
	CHECK(xs_csum(pkt, sizeof(pkt)) == 0, "xs_csum: odd-length packet with its checksum sums to 0");
	CHECK(xs_csum_fold(xs_csum_partial(pkt + 4, 5, xs_csum_partial(pkt, 4, 0))) == 0,
	      "xs_csum_partial: chaining two parts equals one pass");
}

/* Wrap an ICMP message in a minimal IPv4 header. */
static size_t ip4_wrap(uint8_t *out, const uint8_t *icmp, size_t len, const char *src,
		       const char *dst, uint8_t ttl)
{
	memset(out, 0, 20);
	out[0] = 0x45;
	out[8] = ttl;
	out[9] = IPPROTO_ICMP;
	inet_pton(AF_INET, src, out + 12);
	inet_pton(AF_INET, dst, out + 16);
	memcpy(out + 20, icmp, len);
	return 20 + len;
}

static void test_icmp4(void)
{
	uint8_t payload[56], req[128], pkt[256], err[256], quoted[128];
	struct xs_icmp_msg m;
	size_t len, n;
	uint16_t c;

	ping_fill_payload(payload, sizeof(payload), 0x1122334455667788ULL, 3, 7);
	len = xs_icmp_echo_build(req, sizeof(req), AF_INET, 0xbeef, 42, payload, sizeof(payload));
	CHECK(len == 64, "echo build: 8 + 56 bytes");
	CHECK(req[0] == ICMP_ECHO && req[4] == 0xbe && req[5] == 0xef && req[7] == 42,
	      "echo build: type 8, id and seq big-endian");
	CHECK(xs_csum(req, len) == 0, "echo build: IPv4 checksum valid");
	CHECK(xs_icmp_echo_build(req, 10, AF_INET, 1, 1, payload, sizeof(payload)) == 0,
	      "echo build: refuses a too small buffer");

	/* The peer's reply: same bytes, type 0, new checksum. */
	req[0] = ICMP_ECHOREPLY;
	memset(req + 2, 0, 2);
	c = xs_csum(req, len);
	memcpy(req + 2, &c, 2);
	n = ip4_wrap(pkt, req, len, "198.18.0.2", "192.0.2.1", 61);
	CHECK(xs_icmp_parse(AF_INET, true, pkt, n, &m) == 0 && m.kind == XS_ICMP_ECHO_REPLY,
	      "parse: raw IPv4 echo reply");
	CHECK(m.id == 0xbeef && m.seq == 42 && m.ttl == 61 && m.dlen == 56 && m.icmp_len == 64 &&
	      !memcmp(m.data, payload, 56), "parse: id, seq, ttl and payload of the reply");
	CHECK(xs_icmp_parse(AF_INET, false, req, len, &m) == 0 && m.kind == XS_ICMP_ECHO_REPLY &&
	      m.ttl == -1, "parse: datagram-socket reply (no IP header)");
	pkt[30] ^= 0xff;
	CHECK(xs_icmp_parse(AF_INET, true, pkt, n, &m) == -EINVAL, "parse: bad checksum rejected");
	CHECK(xs_icmp_parse(AF_INET, true, pkt, 24, &m) == -EINVAL, "parse: truncated packet rejected");

	/* Host unreachable from a router, quoting our request to 198.18.1.1. */
	xs_icmp_echo_build(req, sizeof(req), AF_INET, 0xbeef, 43, payload, sizeof(payload));
	n = ip4_wrap(quoted, req, 8, "192.0.2.1", "198.18.1.1", 63);
	memset(err, 0, 8);
	err[0] = ICMP_DEST_UNREACH;
	err[1] = ICMP_HOST_UNREACH;
	memcpy(err + 8, quoted, n);
	c = xs_csum(err, 8 + n);
	memcpy(err + 2, &c, 2);
	n = ip4_wrap(pkt, err, 8 + n, "192.0.2.2", "192.0.2.1", 64);
	CHECK(xs_icmp_parse(AF_INET, true, pkt, n, &m) == 0 && m.kind == XS_ICMP_ERROR &&
	      m.id == 0xbeef && m.seq == 43, "parse: unreachable quoting our echo request");
	CHECK(IN6_IS_ADDR_V4MAPPED(&m.inner_dst) && m.inner_dst.s6_addr[12] == 198 &&
	      m.inner_dst.s6_addr[15] == 1, "parse: destination of the quoted request");
	CHECK(!strcmp(xs_icmp_strerror(AF_INET, m.type, m.code), "Destination Host Unreachable"),
	      "strerror: host unreachable");
	CHECK(!strcmp(xs_icmp_strerror(AF_INET, ICMP_TIME_EXCEEDED, 0), "Time to live exceeded"),
	      "strerror: time exceeded");

	/* An echo *request* seen by a raw socket is neither a reply nor an error. */
	xs_icmp_echo_build(req, sizeof(req), AF_INET, 1, 1, NULL, 0);
	n = ip4_wrap(pkt, req, 8, "192.0.2.1", "198.18.0.2", 64);
	CHECK(xs_icmp_parse(AF_INET, true, pkt, n, &m) == 0 && m.kind == XS_ICMP_OTHER,
	      "parse: echo request classified as other");
}

static void test_icmp6(void)
{
	uint8_t req[64], err[128];
	struct xs_icmp_msg m;
	size_t len;

	len = xs_icmp_echo_build(req, sizeof(req), AF_INET6, 7, 9, "abcd", 4);
	CHECK(len == 12 && req[0] == ICMP6_ECHO_REQUEST && req[2] == 0 && req[3] == 0,
	      "echo build: ICMPv6 type 128, checksum left to the kernel");
	req[0] = ICMP6_ECHO_REPLY;
	CHECK(xs_icmp_parse(AF_INET6, false, req, len, &m) == 0 && m.kind == XS_ICMP_ECHO_REPLY &&
	      m.id == 7 && m.seq == 9 && m.dlen == 4, "parse: ICMPv6 echo reply");

	/* Destination unreachable (no route) quoting IPv6 header + our request. */
	memset(err, 0, sizeof(err));
	err[0] = ICMP6_DST_UNREACH;
	err[1] = ICMP6_DST_UNREACH_NOROUTE;
	err[8] = 0x60;
	err[8 + 6] = IPPROTO_ICMPV6;
	inet_pton(AF_INET6, "2001:2:0:1::1", err + 8 + 24);
	xs_icmp_echo_build(err + 48, 16, AF_INET6, 7, 10, NULL, 0);
	CHECK(xs_icmp_parse(AF_INET6, false, err, 56, &m) == 0 && m.kind == XS_ICMP_ERROR &&
	      m.id == 7 && m.seq == 10 && m.inner_dst.s6_addr[1] == 0x01 &&
	      m.inner_dst.s6_addr[15] == 1, "parse: ICMPv6 unreachable quoting our request");
	CHECK(!strcmp(xs_icmp_strerror(AF_INET6, m.type, m.code), "Destination unreachable: No route"),
	      "strerror: ICMPv6 no route");
}

static void test_stats(void)
{
	struct ping_stats s = { 0 };

	CHECK(ping_stats_avg(&s) == 0 && ping_stats_mdev(&s) == 0 && ping_loss_pct(&s) == 0,
	      "stats: empty is all zero");
	s.sent = 4;
	CHECK(ping_loss_pct(&s) == 100, "stats: nothing received is 100%% loss");
	ping_stats_add(&s, 3);
	ping_stats_add(&s, 1);
	ping_stats_add(&s, 4);
	ping_stats_add(&s, 2);
	CHECK(s.received == 4 && s.min == 1 && s.max == 4, "stats: min 1, max 4 of {3,1,4,2}");
	CHECK(fabs(ping_stats_avg(&s) - 2.5) < 1e-9, "stats: avg 2.5");
	CHECK(fabs(ping_stats_mdev(&s) - sqrt(1.25)) < 1e-9, "stats: mdev sqrt(1.25) = 1.118");
	CHECK(ping_loss_pct(&s) == 0, "stats: 4 of 4 is 0%% loss");
	s.sent = 5;
	CHECK(fabs(ping_loss_pct(&s) - 20) < 1e-9, "stats: 4 of 5 is 20%% loss");
	s = (struct ping_stats){ .sent = 3 };
	ping_stats_add(&s, 5);
	CHECK(ping_stats_mdev(&s) == 0, "stats: one sample has mdev 0");
}

static void test_format(void)
{
	struct ping_event e = {
		.kind = PING_EV_REPLY, .host = "198.18.0.2", .addr = "198.18.0.2",
		.from = "198.18.0.2", .seq = 1, .ttl = 64, .bytes = 64, .rtt_ms = 0.07541,
	};
	struct ping_stats s = { .sent = 4 };
	struct json_object *j, *v;
	char buf[512];

	ping_format_event(buf, sizeof(buf), PING_STYLE_LAB, &e);
	CHECK(!strcmp(buf, "Ping to 198.18.0.2... Get pong in 0.0754ms"), "lab reply: '%s'", buf);
	ping_format_event(buf, sizeof(buf), PING_STYLE_PING, &e);
	CHECK(!strcmp(buf, "64 bytes from 198.18.0.2: icmp_seq=1 ttl=64 time=0.075 ms"),
	      "ping reply: '%s'", buf);
	e.dup = true;
	ping_format_event(buf, sizeof(buf), PING_STYLE_LAB, &e);
	CHECK(!strcmp(buf, "Ping to 198.18.0.2... Get pong in 0.0754ms (DUP!)"), "lab dup: '%s'", buf);
	ping_format_event(buf, sizeof(buf), PING_STYLE_PING, &e);
	CHECK(!strcmp(buf, "64 bytes from 198.18.0.2: icmp_seq=1 ttl=64 time=0.075 ms (DUP!)"),
	      "ping dup: '%s'", buf);
	e.dup = false;
	e.wrong_src = true;
	e.from = "198.18.0.9";
	ping_format_event(buf, sizeof(buf), PING_STYLE_LAB, &e);
	CHECK(!strcmp(buf, "Ping to 198.18.0.2... Get pong in 0.0754ms (wrong source 198.18.0.9!)"),
	      "lab wrong source: '%s'", buf);
	ping_format_event(buf, sizeof(buf), PING_STYLE_PING, &e);
	CHECK(!strcmp(buf, "64 bytes from 198.18.0.9: icmp_seq=1 ttl=64 time=0.075 ms "
			   "(wrong source! sent to 198.18.0.2)"), "ping wrong source: '%s'", buf);

	e = (struct ping_event){ .kind = PING_EV_TIMEOUT, .host = "198.18.0.9",
				 .addr = "198.18.0.9", .seq = 3, .timeout_s = 2 };
	ping_format_event(buf, sizeof(buf), PING_STYLE_LAB, &e);
	CHECK(!strcmp(buf, "Ping to 198.18.0.9... Ping failed. (timeout within 2sec.)"),
	      "lab timeout: '%s'", buf);
	e.timeout_s = 0.5;
	ping_format_event(buf, sizeof(buf), PING_STYLE_PING, &e);
	CHECK(!strcmp(buf, "198.18.0.9: icmp_seq=3 Ping failed. (timeout within 0.5sec.)"),
	      "ping timeout: '%s'", buf);
	e = (struct ping_event){ .kind = PING_EV_ERROR, .host = "198.18.1.1", .addr = "198.18.1.1",
				 .from = "192.0.2.2", .seq = 2,
				 .error = "Destination Host Unreachable" };
	ping_format_event(buf, sizeof(buf), PING_STYLE_LAB, &e);
	CHECK(!strcmp(buf, "Ping to 198.18.1.1... Ping failed. (Destination Host Unreachable from "
			   "192.0.2.2)"), "lab error: '%s'", buf);
	ping_format_event(buf, sizeof(buf), PING_STYLE_PING, &e);
	CHECK(!strcmp(buf, "From 192.0.2.2 icmp_seq=2 Destination Host Unreachable (to 198.18.1.1)"),
	      "ping error: '%s'", buf);

	ping_format_ms(buf, sizeof(buf), 0.07541);
	CHECK(!strcmp(buf, "0.075"), "ms: 0.075");
	ping_format_ms(buf, sizeof(buf), 12.345);
	CHECK(!strcmp(buf, "12.3"), "ms: 12.3");
	ping_format_ms(buf, sizeof(buf), 123.4);
	CHECK(!strcmp(buf, "123"), "ms: 123");

	ping_format_summary(buf, sizeof(buf), PING_STYLE_LAB, "198.18.0.9", &s);
	CHECK(!strcmp(buf, "198.18.0.9: sent 4, received 0, 100% loss"), "lab summary, none: '%s'", buf);
	ping_stats_add(&s, 1);
	ping_stats_add(&s, 2);
	ping_stats_add(&s, 3);
	s.dups = 2;
	ping_format_summary(buf, sizeof(buf), PING_STYLE_LAB, "198.18.0.2", &s);
	CHECK(!strcmp(buf, "198.18.0.2: sent 4, received 3, 25% loss, 2 duplicates, "
			   "rtt min/avg/max/mdev = 1.0000/2.0000/3.0000/0.8165 ms"),
	      "lab summary: '%s'", buf);
	ping_format_summary(buf, sizeof(buf), PING_STYLE_PING, "198.18.0.2", &s);
	CHECK(!strcmp(buf, "--- 198.18.0.2 ping statistics ---\n"
			   "4 packets transmitted, 3 received, +2 duplicates, 25% packet loss\n"
			   "rtt min/avg/max/mdev = 1.000/2.000/3.000/0.816 ms"),
	      "ping summary: three iputils-like lines");
	s.sent = 3;
	s.received = 1;
	ping_format_summary(buf, sizeof(buf), PING_STYLE_LAB, "h", &s);
	CHECK(strstr(buf, "received 1, 66.7% loss") != NULL, "loss 66.7%%: '%s'", buf);

	e = (struct ping_event){ .kind = PING_EV_REPLY, .host = "alive", .addr = "198.18.0.2",
				 .from = "198.18.0.2", .seq = 1, .ttl = -1, .bytes = 64,
				 .rtt_ms = 0.07541, .dup = true };
	j = ping_event_json(&e);
	snprintf(buf, sizeof(buf), "%s", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	json_object_put(j);
	CHECK(strstr(buf, "\"rtt_ms\":0.0754") && strstr(buf, "\"ttl\":null") &&
	      strstr(buf, "\"dup\":true"), "json reply: %s", buf);
	j = json_tokener_parse(buf);
	CHECK(j && json_object_object_get_ex(j, "type", &v) &&
	      !strcmp(json_object_get_string(v), "reply") &&
	      json_object_object_get_ex(j, "host", &v) && !strcmp(json_object_get_string(v), "alive") &&
	      json_object_object_get_ex(j, "seq", &v) && json_object_get_int(v) == 1,
	      "json reply parses back: type, host, seq");
	json_object_put(j);
	s = (struct ping_stats){ .sent = 4 };
	ping_stats_add(&s, 0.5);
	j = ping_summary_json("alive", "198.18.0.2", &s);
	snprintf(buf, sizeof(buf), "%s", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	json_object_put(j);
	CHECK(strstr(buf, "\"type\":\"summary\"") && strstr(buf, "\"sent\":4") &&
	      strstr(buf, "\"received\":1") && strstr(buf, "\"loss_pct\":75.0") &&
	      strstr(buf, "\"min\":0.5000"), "json summary: %s", buf);
}

static void test_parse(void)
{
	struct ping_opts o;

	CHECK(PARSE(&o, "198.18.0.2") == XS_CONTINUE && o.count == 4 && o.interval == 1.0 &&
	      o.timeout == 2.0 && o.size == 56 && o.ttl == 0 && !o.quiet && o.family == AF_UNSPEC &&
	      o.style == PING_STYLE_LAB && o.output == PING_OUT_TEXT && o.sock == PING_SOCK_AUTO &&
	      o.nhosts == 1 && !strcmp(o.hosts[0], "198.18.0.2"), "parse: defaults");
	CHECK(PARSE(&o, "-c", "3", "-i", "0.05", "-W", "0.5", "-s", "100", "-t", "9", "-q", "-6",
		    "--style", "ping", "-O", "json", "--socket", "dgram", "h1", "h2") == XS_CONTINUE &&
	      o.count == 3 && o.interval == 0.05 && o.timeout == 0.5 && o.size == 100 && o.ttl == 9 &&
	      o.quiet && o.family == AF_INET6 && o.style == PING_STYLE_PING &&
	      o.output == PING_OUT_JSON && o.sock == PING_SOCK_DGRAM && o.nhosts == 2,
	      "parse: every option");
	CHECK(PARSE(&o, "h1", "-c", "2", "h2") == XS_CONTINUE && o.count == 2 && o.nhosts == 2,
	      "parse: options after hosts");
	CHECK(PARSE(&o, "-s", "65527", "h") == XS_CONTINUE && o.size == 65527, "parse: -s 65527 accepted");
	CHECK(PARSE(&o, "-s", "0", "h") == XS_CONTINUE && o.size == 0, "parse: -s 0 accepted");
	CHECK(PARSE(&o, "-c", "0", "h") == 2, "parse: -c 0 rejected");
	CHECK(PARSE(&o, "-c", "2x", "h") == 2, "parse: -c 2x rejected");
	CHECK(PARSE(&o, "-i", "-1", "h") == 2, "parse: -i -1 rejected");
	CHECK(PARSE(&o, "-i", "nan", "h") == 2, "parse: -i nan rejected");
	CHECK(PARSE(&o, "-W", "0", "h") == 2, "parse: -W 0 rejected");
	CHECK(PARSE(&o, "-s", "70000", "h") == 2, "parse: -s 70000 rejected");
	CHECK(PARSE(&o, "-s", "-1", "h") == 2, "parse: -s -1 rejected");
	CHECK(PARSE(&o, "-t", "256", "h") == 2, "parse: -t 256 rejected");
	CHECK(PARSE(&o, "--style", "fancy", "h") == 2, "parse: --style fancy rejected");
	CHECK(PARSE(&o, "-O", "xml", "h") == 2, "parse: -O xml rejected");
	CHECK(PARSE(&o, "--socket", "udp", "h") == 2, "parse: --socket udp rejected");
	CHECK(PARSE(&o, "-x", "h") == 2, "parse: unknown option rejected");
	CHECK(PARSE(&o, "h", "-c") == 2, "parse: missing value rejected");
	CHECK(PARSE(&o, "-c", "3") == 2, "parse: no host rejected");
	CHECK(PARSE(&o, "-i", "500ms", "-W", "1.5s", "h") == XS_CONTINUE && o.interval == 0.5 &&
	      o.timeout == 1.5, "parse: -i/-W take duration units");
	CHECK(PARSE(&o, "-W", "inf", "h") == 2, "parse: -W inf rejected");
	CHECK(PARSE(&o, "-i", "0.0001", "h") == 2, "parse: -i below 1ms rejected");
	CHECK(PARSE(&o, "-c", "+3", "h") == 2, "parse: -c +3 rejected");
	CHECK(PARSE(&o, "-4", "--ipv6", "-v", "h") == XS_CONTINUE && o.family == AF_INET6,
	      "parse: -4/--ipv6, the last wins; -v accepted");
}

static void test_payload(void)
{
	uint8_t a[64], b[64], small[5];

	ping_fill_payload(a, sizeof(a), 0x0102030405060708ULL, 1, 2);
	ping_fill_payload(b, sizeof(b), 0x0102030405060708ULL, 1, 3);
	CHECK(a[0] == 1 && a[7] == 8 && a[11] == 1 && a[15] == 2 && a[16] == 16 && a[63] == 63,
	      "payload: cookie, host, seq big-endian, then pattern");
	CHECK(memcmp(a, b, sizeof(a)) != 0, "payload: differs per request");
	ping_fill_payload(b, sizeof(b), 0x0102030405060709ULL, 1, 2);
	CHECK(memcmp(a, b, sizeof(a)) != 0, "payload: differs per run cookie");
	ping_fill_payload(small, sizeof(small), 0x0102030405060708ULL, 1, 2);
	CHECK(!memcmp(small, a, sizeof(small)), "payload: short sizes carry a cookie prefix");
}

int main(void)
{
	test_csum();
	test_icmp4();
	test_icmp6();
	test_stats();
	test_format();
	test_parse();
	test_payload();
	UNIT_DONE();
}
