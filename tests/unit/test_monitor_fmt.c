/* test_monitor_fmt.c - monitor/capture formatting and helpers, without the kernel.
 *
 * The lab table (numeric address order, IPv4 before IPv6, ports ascending, bare address
 * without ports, hosts known only from ports, eviction line), JSON output, the
 * userspace LRU table's eviction accounting, option value parsing, the tcpdump-like
 * capture lines, and the inline port slots of a hosts entry (include/monitor_parse.h)
 * under two threads racing on one entry, as two CPUs do in the XDP program.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "unit.h"
#include "capture/capture_fmt.h"
#include "util/parse.h"
#include "monitor/monitor_fmt.h"
#include "monitor/monitor_table.h"
#include "monitor_parse.h"

static struct xs_ip A(const char *s)
{
	struct xs_ip a = { 0 };

	if (inet_pton(AF_INET, s, a.addr) == 1) {
		a.family = XS_AF_INET;
	} else {
		a.family = XS_AF_INET6;
		inet_pton(AF_INET6, s, a.addr);
	}
	return a;
}

static void port(struct xs_mon_view *v, const char *addr, unsigned short p)
{
	struct xs_mon_port_key k = { .src = A(addr), .port = p };

	xs_mon_view_add_port(v, &k);
}

static void host(struct xs_mon_view *v, const char *addr, unsigned long long pk)
{
	struct xs_ip a = A(addr);
	struct xs_mon_host h = { .packets = pk, .bytes = pk * 60, .first_ns = 1, .last_ns = 2 };

	xs_mon_view_add_host(v, &a, &h);
}

static char *render(struct xs_mon_view *v, bool verbose)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	xs_mon_print_text(f, v, verbose);
	fclose(f);
	return buf;
}

/* Nothing seen yet: no arrays at all (qsort must not be handed NULL; UBSan checks). */
static void test_empty(void)
{
	struct xs_mon_view v = { .max_port = 1000, .path = "xdp", .ifname = "veth0" };

	CHECK(!xs_mon_view_finish(&v) && v.nhosts == 0 && v.nports == 0,
	      "an empty view finishes with no hosts");
	xs_mon_view_free(&v);
}

static void test_table(void)
{
	struct xs_mon_view v = { .max_port = 1000, .path = "xdp", .ifname = "veth0" };
	struct json_object *doc, *hosts, *h0;
	char *out, *js = NULL;
	size_t jlen = 0;
	FILE *f;

	host(&v, "2001:db8::2", 3);
	host(&v, "198.18.0.10", 1);
	host(&v, "198.18.0.9", 4);
	host(&v, "192.0.2.77", 1);
	host(&v, "2001:2::7", 1);
	port(&v, "198.18.0.9", 443);
	port(&v, "198.18.0.9", 22);
	port(&v, "198.18.0.9", 80);
	port(&v, "198.18.0.9", 80);	/* a duplicate from a map walked while changing */
	port(&v, "2001:db8::2", 1000);
	port(&v, "198.18.0.200", 25);	/* host entry evicted, port entry alive */
	CHECK(!xs_mon_view_finish(&v), "view finishes");
	out = render(&v, false);
	CHECK(out && !strcmp(out, "192.0.2.77\n198.18.0.9 (22, 80, 443)\n198.18.0.10\n198.18.0.200 (25)\n"
				  "2001:2::7\n2001:db8::2 (1000)\n"),
	      "lab format, numeric order (x.9 before x.10), IPv4 first, ports ascending, bare hosts");
	free(out);

	v.hosts_evicted = 3;
	out = render(&v, false);
	CHECK(out && strstr(out, "evicted (maps full): 3 hosts, 0 ports\n"),
	      "evictions are shown without -v when maps were full");
	free(out);

	out = render(&v, true);
	CHECK(out && !strncmp(out, "ADDRESS (PORTS)", 15) && strstr(out, "198.18.0.9 (22, 80, 443) ") &&
		      strstr(out, "(evicted)") && strstr(out, "totals (xdp on veth0)"),
	      "verbose: header, columns, evicted host marked, totals line");
	free(out);

	f = open_memstream(&js, &jlen);
	xs_mon_print_json(f, &v, 1700000000000000000ull);
	fclose(f);
	doc = json_tokener_parse(js);
	CHECK(doc && json_object_object_get_ex(doc, "hosts", &hosts) &&
		      json_object_array_length(hosts) == 6,
	      "JSON parses, 6 hosts");
	h0 = doc && hosts ? json_object_array_get_idx(hosts, 1) : NULL;
	CHECK(h0 && !strcmp(json_object_get_string(json_object_object_get(h0, "address")), "198.18.0.9") &&
		      json_object_array_length(json_object_object_get(h0, "ports")) == 3 &&
		      json_object_get_int(json_object_array_get_idx(json_object_object_get(h0, "ports"), 2)) == 443,
	      "JSON host 198.18.0.9 has ports [22, 80, 443]");
	CHECK(strchr(js, '\n') == js + strlen(js) - 1, "JSON document is one line");
	json_object_put(doc);
	free(js);
	xs_mon_view_free(&v);
}

static void test_lru(void)
{
	struct xs_lru *t = xs_lru_new(sizeof(int), sizeof(long), 3);
	int created, k;
	long *v;

	for (k = 1; k <= 3; k++) {
		v = xs_lru_get(t, &k, &created);
		*v = k * 10;
	}
	CHECK(((uintptr_t)v & 7) == 0, "values 8-byte aligned after a 4-byte key");
	k = 1;
	v = xs_lru_get(t, &k, &created);	/* 1 becomes most recent: 2 is now LRU */
	CHECK(!created && *v == 10, "existing key found, value kept");
	k = 4;
	xs_lru_get(t, &k, &created);
	CHECK(created && xs_lru_count(t) == 3 && xs_lru_inserts(t) == 4,
	      "full table: insert evicts, count 3, inserts 4 (1 evicted)");
	k = 2;
	v = xs_lru_get(t, &k, &created);
	CHECK(created && *v == 0, "the least recently used key (2) was the one evicted");
	k = 1;
	v = xs_lru_get(t, &k, &created);
	CHECK(!created && *v == 10, "recently used key (1) survived");
	xs_lru_free(t);
}

static void test_parse(void)
{
	uint64_t u;
	double d;

	CHECK(!xs_parse_duration("1s", &d) && d == 1, "1s = 1 s");
	CHECK(!xs_parse_duration("250ms", &d) && d == 0.25, "250ms");
	CHECK(!xs_parse_duration("1.5", &d) && d == 1.5, "1.5 = 1.5 s");
	CHECK(!xs_parse_duration("2m", &d) && d == 120, "2m");
	CHECK(xs_parse_duration("-1s", &d) && xs_parse_duration("1x", &d) &&
		      xs_parse_duration("", &d) && xs_parse_duration("nan", &d),
	      "bad durations refused");
	CHECK(!xs_parse_u64("1000", 0, 65535, &u) && u == 1000 && xs_parse_u64("70000", 0, 65535, &u) &&
		      xs_parse_u64("12a", 0, 65535, &u),
	      "integer range and syntax checked");
}

/* Frame builders for capture lines. */
static unsigned eth(unsigned char *b, unsigned short type)
{
	memset(b, 0x02, 12);
	b[12] = type >> 8, b[13] = type & 0xff;
	return 14;
}

static void test_capture_lines(void)
{
	unsigned char b[128] = { 0 };
	char line[256];
	unsigned char *ip = b + eth(b, 0x0800), *l4 = ip + 20;
	const char *p;

	ip[0] = 0x45, ip[3] = 40, ip[9] = 6;
	inet_pton(AF_INET, "198.18.0.10", ip + 12);
	inet_pton(AF_INET, "192.0.2.1", ip + 16);
	l4[1] = 22, l4[3] = 9, l4[7] = 5, l4[12] = 0x50, l4[13] = 0x02, l4[14] = 0xfa, l4[15] = 0xf0;
	xs_cap_summary(line, sizeof(line), 0, b, 54, 54);
	p = strchr(line, ' ');
	CHECK(p && !strcmp(p, " IP 198.18.0.10.22 > 192.0.2.1.9: Flags [S], seq 5, win 64240, length 0"),
	      "TCP SYN line like tcpdump -n (%s)", line);
	l4[13] = 0x14, l4[11] = 6;
	xs_cap_summary(line, sizeof(line), 0, b, 54, 54);
	CHECK(strstr(line, "Flags [R.], seq 5, ack 6, win 64240, length 0") != NULL, "RST-ACK flags and ack");
	xs_cap_summary(line, sizeof(line), 0, b, 40, 54);
	CHECK(strstr(line, "IP 198.18.0.10 > 192.0.2.1: [|tcp]") != NULL, "cut TCP header marked [|tcp]");

	ip[3] = 34, ip[9] = 17;
	l4[0] = 0x14, l4[1] = 0xe9, l4[2] = 0, l4[3] = 9, l4[4] = 0, l4[5] = 14;
	xs_cap_summary(line, sizeof(line), 0, b, 48, 48);
	CHECK(strstr(line, "IP 198.18.0.10.5353 > 192.0.2.1.9: UDP, length 6") != NULL, "UDP line (%s)", line);

	ip[3] = 28, ip[9] = 1;
	memset(l4, 0, 8);
	l4[0] = 8, l4[5] = 7, l4[7] = 1;
	xs_cap_summary(line, sizeof(line), 0, b, 42, 42);
	CHECK(strstr(line, "IP 198.18.0.10 > 192.0.2.1: ICMP echo request, id 7, seq 1, length 8") != NULL,
	      "ICMP echo line (%s)", line);

	memset(b, 0, sizeof(b));
	ip = b + eth(b, 0x86dd);
	ip[0] = 0x60, ip[5] = 20, ip[6] = 6;
	inet_pton(AF_INET6, "2001:2::7", ip + 8);
	inet_pton(AF_INET6, "2001:db8::1", ip + 24);
	l4 = ip + 40;
	l4[0] = 1, l4[1] = 0xbb, l4[3] = 9, l4[12] = 0x50, l4[13] = 0x02;
	xs_cap_summary(line, sizeof(line), 0, b, 74, 74);
	CHECK(strstr(line, "IP6 2001:2::7.443 > 2001:db8::1.9: Flags [S], seq 0, win 0, length 0") != NULL,
	      "IPv6 TCP line (%s)", line);

	memset(b, 0, sizeof(b));
	ip = b + eth(b, 0x0806);
	ip[1] = 1, ip[2] = 8, ip[4] = 6, ip[5] = 4, ip[7] = 1;
	inet_pton(AF_INET, "192.0.2.2", ip + 14);
	inet_pton(AF_INET, "192.0.2.1", ip + 24);
	xs_cap_summary(line, sizeof(line), 0, b, 42, 42);
	CHECK(strstr(line, "ARP, Request who-has 192.0.2.1 tell 192.0.2.2, length 28") != NULL,
	      "ARP request line (%s)", line);
}

/* Two threads count into one hosts entry at once, each cycling over the same 5 ports in a
 * different order: every packet must land in exactly one place (a slot, or "overflow",
 * what the ports map would get), each port in at most one slot, slots never torn. */
#define SLOT_ROUNDS 200000
static const unsigned short slot_ports[5] = { 443, 22, 80, 25, 1000 };
static pthread_barrier_t slot_start;
struct slot_arg {
	struct xs_mon_host *h;
	int shift;
	unsigned long long overflow[5];
};

static void *slot_thread(void *p)
{
	struct slot_arg *a = p;

	pthread_barrier_wait(&slot_start);	/* both claim the free slots at the same time */
	for (int i = 0; i < SLOT_ROUNDS; i++) {
		int j = (i + a->shift) % 5;

		if (!xs_mon_host_port_add(a->h, slot_ports[j], (uint64_t)i + 1))
			a->overflow[j]++;
	}
	return NULL;
}

static void test_slots(void)
{
	for (int trial = 0; trial < 20; trial++) {
		struct xs_mon_host h = { 0 };
		struct slot_arg a[2] = { { .h = &h, .shift = 0 }, { .h = &h, .shift = 3 } };
		pthread_t t[2];
		int ok = 1, used = 0;

		pthread_barrier_init(&slot_start, NULL, 2);
		for (int i = 0; i < 2; i++)
			pthread_create(&t[i], NULL, slot_thread, &a[i]);
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&slot_start);
		for (int j = 0; j < 5; j++) {
			unsigned long long got = a[0].overflow[j] + a[1].overflow[j];
			int in = 0;

			for (int s = 0; s < XS_MON_HOST_PORTS; s++)
				if (h.ports[s].used && h.ports[s].port == slot_ports[j]) {
					got += h.ports[s].packets;
					in++;
				}
			/* Each thread sends each port SLOT_ROUNDS / 5 times. */
			if (got != 2ull * SLOT_ROUNDS / 5 || in > 1 ||
			    (in && a[0].overflow[j] + a[1].overflow[j]))
				ok = 0;
			used += in;
		}
		for (int s = 0; s < XS_MON_HOST_PORTS; s++)
			if (h.ports[s].used != 1 || h.ports[s].pad)
				ok = 0;
		CHECK(ok && used == XS_MON_HOST_PORTS,
		      "inline port slots, two threads racing (trial %d): every packet counted once, each "
		      "port in one place, all %d slots used", trial, XS_MON_HOST_PORTS);
	}
}

int main(void)
{
	test_empty();
	test_table();
	test_lru();
	test_parse();
	test_capture_lines();
	test_slots();
	UNIT_DONE();
}
