/* test_iface.c - unit tests for interface discovery: name validation, MAC/address/flag
 * formatting, the up/down verdict, and the table, lab-format and JSON renderers fed
 * with hand-built structs.
 *
 * `test_iface agree` (also part of the default run) compares the rtnetlink and ioctl
 * views of the current network namespace: names, index, IFF_* flags, MTU, MAC, the
 * address SIOCGIFADDR returns and every SIOCGIFCONF entry. tests/e2e/test-iface.sh
 * runs it inside a namespace with aliases, secondaries, a down and a no-carrier link.
 * Read-only: no packet is sent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "cmd/iface.h"
#include "unit.h"

/* ---- builders ---- */

static struct xs_addr mk4(const char *s, int plen, uint32_t flags, const char *label)
{
	struct xs_addr a = { .family = AF_INET, .prefixlen = (uint8_t)plen, .flags = flags };

	inet_pton(AF_INET, s, &a.addr.v4);
	a.scope = !strncmp(s, "127.", 4) ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	snprintf(a.label, sizeof(a.label), "%s", label);
	return a;
}

static struct xs_addr mk6(const char *s, int plen, uint32_t flags, uint8_t scope)
{
	struct xs_addr a = { .family = AF_INET6, .prefixlen = (uint8_t)plen, .flags = flags,
			     .scope = scope };

	inet_pton(AF_INET6, s, &a.addr.v6);
	return a;
}

static struct xs_addr lo_addrs[2], v0_addrs[5];
static struct xs_link links[3];

static void build_links(void)
{
	static const uint8_t mac0[6] = { 0x02, 0, 0, 0, 0, 0x01 };

	lo_addrs[0] = mk4("127.0.0.1", 8, IFA_F_PERMANENT, "lo");
	lo_addrs[1] = mk6("::1", 128, IFA_F_PERMANENT, RT_SCOPE_HOST);
	links[0] = (struct xs_link){ .index = 1, .name = "lo",
		.flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP,
		.operstate = IF_OPER_UNKNOWN, .carrier = true, .mtu = 65536,
		.mac_len = 6, .addrs = lo_addrs, .n_addrs = 2 };

	v0_addrs[0] = mk4("192.0.2.1", 24, IFA_F_PERMANENT, "v0");
	v0_addrs[1] = mk4("192.0.2.5", 24, IFA_F_PERMANENT | IFA_F_SECONDARY, "v0");
	v0_addrs[2] = mk4("192.0.2.129", 25, IFA_F_PERMANENT, "v0:1");
	v0_addrs[3] = mk6("2001:db8:0:1::1", 64, IFA_F_PERMANENT | IFA_F_NODAD,
			  RT_SCOPE_UNIVERSE);
	v0_addrs[4] = mk6("2001:db8::9", 64, IFA_F_PERMANENT | IFA_F_TENTATIVE,
			  RT_SCOPE_UNIVERSE);
	links[1] = (struct xs_link){ .index = 3, .name = "v0",
		.flags = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | IFF_LOWER_UP,
		.operstate = IF_OPER_UP, .carrier = true, .mtu = 1400,
		.mac_len = 6, .addrs = v0_addrs, .n_addrs = 5 };
	memcpy(links[1].mac, mac0, 6);

	links[2] = (struct xs_link){ .index = 12, .name = "tun0",
		.flags = IFF_UP | IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST,
		.operstate = IF_OPER_DOWN, .carrier = false, .mtu = 1500 };
}

/* Run a renderer into a string. */
#define CAPTURE(buf, stmt)                                              \
	do {                                                            \
		size_t _len;                                            \
		FILE *out = open_memstream(&(buf), &_len);              \
		stmt;                                                   \
		fclose(out);                                            \
	} while (0)

static int same(const char *want, const char *got)
{
	if (!strcmp(want, got))
		return 1;
	printf("# want:\n%s# got:\n%s", want, got);
	return 0;
}

/* ---- pure helpers ---- */

static void test_ifname(void)
{
	char why[128];

	CHECK(xs_ifname_check("eth0", why, sizeof(why)) == 0, "ifname: eth0 is valid");
	CHECK(xs_ifname_check("abcdefghijklmno", why, sizeof(why)) == 0,
	      "ifname: 15 characters are valid");
	CHECK(xs_ifname_check("abcdefghijklmnop", why, sizeof(why)) == -ENAMETOOLONG,
	      "ifname: 16 characters are too long");
	CHECK(!strcmp(why, "interface name 'abcdefghijklmnop' is too long: 16 characters, "
			   "the limit is 15 (IFNAMSIZ-1)"),
	      "ifname: too-long message names the name, its length and the limit");
	CHECK(xs_ifname_check("", why, sizeof(why)) == -EINVAL && !strcmp(why,
	      "empty interface name"), "ifname: empty is rejected");
	CHECK(xs_ifname_check(".", why, sizeof(why)) == -EINVAL &&
	      xs_ifname_check("..", why, sizeof(why)) == -EINVAL,
	      "ifname: . and .. are rejected");
	CHECK(xs_ifname_check("a/b", why, sizeof(why)) == -EINVAL &&
	      !strcmp(why, "invalid interface name 'a/b': '/' is not allowed"),
	      "ifname: '/' is rejected");
	CHECK(xs_ifname_check("eth0:1", why, sizeof(why)) == -EINVAL &&
	      !strcmp(why, "invalid interface name 'eth0:1': ':' is not allowed"),
	      "ifname: ':' (alias label) is rejected");
	CHECK(xs_ifname_check("a b", why, sizeof(why)) == -EINVAL &&
	      xs_ifname_check("a\tb", NULL, 0) == -EINVAL,
	      "ifname: white space is rejected (also without a message buffer)");
	CHECK(xs_ifname_check("..a", why, sizeof(why)) == 0, "ifname: '..a' is valid");
}

static void test_fmt(void)
{
	static const uint8_t mac[6] = { 0x02, 0xab, 0xcd, 0x00, 0x0f, 0xff };
	uint8_t ib[20];
	char buf[XS_MAC_STRLEN], small[8];
	struct xs_addr a;

	CHECK(!strcmp(xs_fmt_mac(mac, 6, buf, sizeof(buf)), "02:ab:cd:00:0f:ff"),
	      "mac: 6 bytes, lower-case hex");
	CHECK(!strcmp(xs_fmt_mac(mac, 0, buf, sizeof(buf)), ""), "mac: no address is empty");
	for (int i = 0; i < 20; i++)
		ib[i] = (uint8_t)i;
	CHECK(!strcmp(xs_fmt_mac(ib, 20, buf, sizeof(buf)),
		      "00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13"),
	      "mac: 20-byte (InfiniBand) address");
	CHECK(!strcmp(xs_fmt_mac(mac, 6, small, sizeof(small)), "02:ab"),
	      "mac: a short buffer holds whole bytes only");

	a = mk4("192.0.2.1", 24, 0, "");
	CHECK(!strcmp(xs_fmt_addr(&a, true, buf, sizeof(buf)), "192.0.2.1/24"), "addr: v4/len");
	CHECK(!strcmp(xs_fmt_addr(&a, false, buf, sizeof(buf)), "192.0.2.1"), "addr: v4");
	a = mk6("2001:0db8:0000:0000:0000:0000:0000:0001", 64, 0, 0);
	CHECK(!strcmp(xs_fmt_addr(&a, true, buf, sizeof(buf)), "2001:db8::1/64"),
	      "addr: v6 compressed with prefix");

	CHECK(!strcmp(xs_fmt_ifflags(IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST |
				     IFF_LOWER_UP, buf, sizeof(buf)),
		      "UP,BROADCAST,RUNNING,MULTICAST,LOWER_UP"), "flags: names in bit order");
	CHECK(!strcmp(xs_fmt_ifflags(IFF_UP | (1u << 20), buf, sizeof(buf)), "UP,0x100000"),
	      "flags: unnamed bit as hex");
	CHECK(!strcmp(xs_fmt_ifflags(0, buf, sizeof(buf)), ""), "flags: none");
	CHECK(!strcmp(xs_fmt_ifflags(IFF_UP | IFF_BROADCAST, small, sizeof(small)), "UP"),
	      "flags: a short buffer holds whole names only");

	CHECK(!strcmp(xs_operstate_str(IF_OPER_UP), "up") &&
	      !strcmp(xs_operstate_str(IF_OPER_DOWN), "down") &&
	      !strcmp(xs_operstate_str(IF_OPER_UNKNOWN), "unknown") &&
	      !strcmp(xs_operstate_str(IF_OPER_LOWERLAYERDOWN), "lowerlayerdown") &&
	      !strcmp(xs_operstate_str(IF_OPER_DORMANT), "dormant") &&
	      !strcmp(xs_operstate_str(IF_OPER_NOTPRESENT), "notpresent") &&
	      !strcmp(xs_operstate_str(IF_OPER_TESTING), "testing") &&
	      !strcmp(xs_operstate_str(42), "invalid"), "operstate names (RFC 2863)");
	CHECK(!strcmp(xs_scope_str(RT_SCOPE_UNIVERSE), "global") &&
	      !strcmp(xs_scope_str(RT_SCOPE_LINK), "link") &&
	      !strcmp(xs_scope_str(RT_SCOPE_HOST), "host"), "scope names");
}

static void test_state(void)
{
	struct xs_link l = { .flags = IFF_UP | IFF_RUNNING | IFF_LOWER_UP,
			     .operstate = IF_OPER_UP, .carrier = true };
	char buf[96];

	CHECK(xs_link_down_reasons(&l) == 0, "state: admin up + carrier + operstate up is up");
	l.operstate = IF_OPER_UNKNOWN;
	CHECK(xs_link_down_reasons(&l) == 0, "state: operstate unknown (lo, tun) counts as up");
	l.operstate = IF_OPER_LOWERLAYERDOWN;
	l.carrier = false;
	CHECK(xs_link_down_reasons(&l) == (XS_DOWN_CARRIER | XS_DOWN_OPER),
	      "state: no carrier -> down");
	CHECK(!strcmp(xs_fmt_down_reasons(xs_link_down_reasons(&l), l.operstate, buf,
					  sizeof(buf)), "no carrier, operstate lowerlayerdown"),
	      "state: no-carrier reasons text");
	l.flags = 0;
	l.operstate = IF_OPER_DOWN;
	CHECK(!strcmp(xs_fmt_down_reasons(xs_link_down_reasons(&l), l.operstate, buf,
					  sizeof(buf)), "admin down, no carrier, operstate down"),
	      "state: admin-down reasons text");
	l.carrier = true;
	CHECK(!strcmp(xs_fmt_down_reasons(xs_link_down_reasons(&l), l.operstate, buf,
					  sizeof(buf)), "admin down, operstate down"),
	      "state: admin down with carrier (ifb) text");
	l.flags = IFF_UP;
	l.operstate = IF_OPER_DORMANT;
	CHECK(xs_link_down_reasons(&l) == XS_DOWN_OPER &&
	      !strcmp(xs_fmt_down_reasons(XS_DOWN_OPER, l.operstate, buf, sizeof(buf)),
		      "operstate dormant"), "state: dormant is down");
	CHECK(!strcmp(xs_fmt_down_reasons(0, IF_OPER_UP, buf, sizeof(buf)), ""),
	      "state: no reasons, empty text");
}

static void test_primary(void)
{
	struct xs_addr v[4];
	struct xs_link l = { .addrs = v };

	v[0] = mk4("192.0.2.5", 24, IFA_F_SECONDARY, "x");
	v[1] = mk4("192.0.2.1", 24, 0, "x");
	l.n_addrs = 2;
	CHECK(xs_link_primary_addr(&l, AF_INET) == &v[1], "primary: v4 skips a secondary");
	l.n_addrs = 1;
	CHECK(xs_link_primary_addr(&l, AF_INET) == &v[0],
	      "primary: v4 falls back to a secondary when it is all there is");
	CHECK(xs_link_primary_addr(&l, AF_INET6) == NULL, "primary: no v6 -> NULL");
	v[0] = mk6("fe80::1", 64, 0, RT_SCOPE_LINK);
	v[1] = mk6("2001:db8::1", 64, IFA_F_TENTATIVE, RT_SCOPE_UNIVERSE);
	v[2] = mk6("2001:db8::2", 64, 0, RT_SCOPE_UNIVERSE);
	l.n_addrs = 3;
	CHECK(xs_link_primary_addr(&l, AF_INET6) == &v[2],
	      "primary: v6 prefers a global, non-tentative address");
	l.n_addrs = 1;
	CHECK(xs_link_primary_addr(&l, AF_INET6) == &v[0],
	      "primary: v6 falls back to link-local");
}

/* ---- renderers ---- */

static void test_table(void)
{
	char *got = NULL;
	const char *want =
"IDX  NAME  ADMIN  OPER     CARRIER    MTU  MAC                ADDRESSES\n"
"  1  lo    up     unknown  yes      65536  00:00:00:00:00:00  127.0.0.1/8\n"
"                                                              ::1/128\n"
"  3  v0    up     up       yes       1400  02:00:00:00:00:01  192.0.2.1/24\n"
"                                                              192.0.2.5/24 secondary\n"
"                                                              192.0.2.129/25 label v0:1\n"
"                                                              2001:db8:0:1::1/64\n"
"                                                              2001:db8::9/64 tentative\n"
" 12  tun0  up     down     no        1500  -                  -\n";

	CAPTURE(got, xs_iface_print_table(out, links, 3));
	CHECK(same(want, got), "list: table from hand-built links");
	free(got);

	CAPTURE(got, xs_iface_print_table(out, links, 0));
	CHECK(same("IDX  NAME  ADMIN  OPER  CARRIER  MTU  MAC  ADDRESSES\n", got),
	      "list: empty table is the header only");
	free(got);
}

static void test_link_json(void)
{
	char *got = NULL;
	struct xs_link l = links[1];
	const char *want =
"{\n"
"  \"interfaces\": [\n"
"    {\n"
"      \"index\": 3,\n"
"      \"name\": \"v0\",\n"
"      \"admin_up\": true,\n"
"      \"operstate\": \"up\",\n"
"      \"carrier\": true,\n"
"      \"up\": true,\n"
"      \"mtu\": 1400,\n"
"      \"mac\": \"02:00:00:00:00:01\",\n"
"      \"flags\": [\n"
"        \"UP\",\n"
"        \"BROADCAST\",\n"
"        \"RUNNING\",\n"
"        \"MULTICAST\",\n"
"        \"LOWER_UP\"\n"
"      ],\n"
"      \"addresses\": [\n"
"        {\n"
"          \"family\": \"inet\",\n"
"          \"address\": \"192.0.2.5\",\n"
"          \"prefixlen\": 24,\n"
"          \"scope\": \"global\",\n"
"          \"flags\": [\n"
"            \"secondary\",\n"
"            \"permanent\"\n"
"          ]\n"
"        },\n"
"        {\n"
"          \"family\": \"inet\",\n"
"          \"address\": \"192.0.2.129\",\n"
"          \"prefixlen\": 25,\n"
"          \"scope\": \"global\",\n"
"          \"flags\": [\n"
"            \"permanent\"\n"
"          ],\n"
"          \"label\": \"v0:1\"\n"
"        },\n"
"        {\n"
"          \"family\": \"inet6\",\n"
"          \"address\": \"2001:db8:0:1::1\",\n"
"          \"prefixlen\": 64,\n"
"          \"scope\": \"global\",\n"
"          \"flags\": [\n"
"            \"nodad\",\n"
"            \"permanent\"\n"
"          ]\n"
"        }\n"
"      ]\n"
"    },\n"
"    {\n"
"      \"index\": 12,\n"
"      \"name\": \"tun0\",\n"
"      \"admin_up\": true,\n"
"      \"operstate\": \"down\",\n"
"      \"carrier\": false,\n"
"      \"up\": false,\n"
"      \"mtu\": 1500,\n"
"      \"mac\": null,\n"
"      \"flags\": [\n"
"        \"UP\",\n"
"        \"POINTOPOINT\",\n"
"        \"NOARP\",\n"
"        \"MULTICAST\"\n"
"      ],\n"
"      \"addresses\": [\n"
"      ]\n"
"    }\n"
"  ]\n"
"}\n";
	struct xs_link two[2];

	l.addrs = &v0_addrs[1];
	l.n_addrs = 3;
	two[0] = l;
	two[1] = links[2];
	CAPTURE(got, xs_json_print(out, xs_iface_links_json(two, 2)));
	CHECK(same(want, got), "list: JSON from hand-built links (null MAC, empty list)");
	free(got);
}

static void test_addr(void)
{
	char *got = NULL;
	size_t cnt = 0;
	const char *want4 =
		"Interface [v0] --> IP: 192.0.2.1\n"
		"Interface [v0] --> IP: 192.0.2.5\n"
		"Interface [v0] --> IP: 192.0.2.129\n";
	const char *want6 =
		"Interface [v0] --> IP: 192.0.2.1\n"
		"Interface [v0] --> IP: 192.0.2.5\n"
		"Interface [v0] --> IP: 192.0.2.129\n"
		"Interface [v0] --> IPv6: 2001:db8:0:1::1\n"
		"Interface [v0] --> IPv6: 2001:db8::9\n";
	struct xs_link only6 = links[1];

	CAPTURE(got, cnt = xs_iface_print_addrs(out, &links[1], false));
	CHECK(same(want4, got) && cnt == 3, "addr: lab format, every IPv4 address");
	free(got);
	CAPTURE(got, cnt = xs_iface_print_addrs(out, &links[1], true));
	CHECK(same(want6, got) && cnt == 5, "addr -6: IPv4 then IPv6 lines");
	free(got);
	CAPTURE(got, cnt = xs_iface_print_addrs(out, &links[2], false));
	CHECK(same("Interface [tun0] has no IPv4 address\n", got) && cnt == 0,
	      "addr: no address says so, count 0");
	free(got);
	CAPTURE(got, cnt = xs_iface_print_addrs(out, &links[2], true));
	CHECK(same("Interface [tun0] has no IPv4 or IPv6 address\n", got) && cnt == 0,
	      "addr -6: no address says so");
	free(got);
	only6.addrs = &v0_addrs[3];
	only6.n_addrs = 1;
	CAPTURE(got, cnt = xs_iface_print_addrs(out, &only6, false));
	CHECK(same("Interface [v0] has no IPv4 address\n", got) && cnt == 0,
	      "addr: IPv6-only link has no IPv4 address");
	free(got);

	CAPTURE(got, xs_json_print(out, xs_iface_addrs_json(&links[0], false)));
	CHECK(same("{\n"
		   "  \"name\": \"lo\",\n"
		   "  \"index\": 1,\n"
		   "  \"addresses\": [\n"
		   "    {\n"
		   "      \"family\": \"inet\",\n"
		   "      \"address\": \"127.0.0.1\",\n"
		   "      \"prefixlen\": 8,\n"
		   "      \"scope\": \"host\",\n"
		   "      \"flags\": [\n"
		   "        \"permanent\"\n"
		   "      ]\n"
		   "    }\n"
		   "  ]\n"
		   "}\n", got), "addr: JSON without -6 has IPv4 only");
	free(got);
}

static void test_status(void)
{
	char *got = NULL;
	struct xs_link down = links[1];

	CAPTURE(got, xs_iface_print_status(out, &links[1], false));
	CHECK(same("Interface [v0] is: up\n", got), "status: up, lab format");
	free(got);
	CAPTURE(got, xs_iface_print_status(out, &links[1], true));
	CHECK(same("Interface [v0] is: up (admin up, carrier, operstate up)\n", got),
	      "status -v: up with the facts");
	free(got);
	CAPTURE(got, xs_iface_print_status(out, &links[2], false));
	CHECK(same("Interface [tun0] is: down\n", got), "status: down");
	free(got);
	CAPTURE(got, xs_iface_print_status(out, &links[2], true));
	CHECK(same("Interface [tun0] is: down (no carrier, operstate down)\n", got),
	      "status -v: down with the reasons");
	free(got);
	down.flags &= ~(unsigned int)IFF_UP;
	CAPTURE(got, xs_json_print(out, xs_iface_status_json(&down)));
	CHECK(same("{\n"
		   "  \"name\": \"v0\",\n"
		   "  \"index\": 3,\n"
		   "  \"status\": \"down\",\n"
		   "  \"admin_up\": false,\n"
		   "  \"carrier\": true,\n"
		   "  \"operstate\": \"up\",\n"
		   "  \"reasons\": [\n"
		   "    \"admin down\"\n"
		   "  ]\n"
		   "}\n", got), "status: JSON with the reasons");
	free(got);
}

static void test_ioctl_render(void)
{
	struct in_addr c0[3], c1[1];
	struct xs_ioc_if v[2] = {
		{ .name = "v0", .index = 3, .flags = IFF_UP | IFF_BROADCAST | IFF_RUNNING |
		  IFF_MULTICAST, .mtu = 1400, .mac = { 2, 0, 0, 0, 0, 1 }, .mac_len = 6,
		  .has_addr = true, .prefixlen = 24, .conf_addrs = c0, .n_conf_addrs = 3 },
		{ .name = "v0:1", .index = 3, .flags = IFF_UP | IFF_BROADCAST | IFF_RUNNING |
		  IFF_MULTICAST, .mtu = 1400, .mac = { 2, 0, 0, 0, 0, 1 }, .mac_len = 6,
		  .has_addr = true, .prefixlen = 25, .conf_addrs = c1, .n_conf_addrs = 1 },
	};
	char *got = NULL;

	inet_pton(AF_INET, "192.0.2.1", &v[0].addr);
	c0[0] = v[0].addr;
	inet_pton(AF_INET, "192.0.2.5", &c0[1]);
	inet_pton(AF_INET, "192.0.2.6", &c0[2]);
	inet_pton(AF_INET, "192.0.2.129", &v[1].addr);
	c1[0] = v[1].addr;
	CAPTURE(got, xs_iface_print_ioc_table(out, v, 2));
	CHECK(same("IDX  NAME  ADMIN  RUNNING   MTU  MAC                IPV4\n"
		   "  3  v0    up     yes      1400  02:00:00:00:00:01  192.0.2.1/24\n"
		   "                                                    192.0.2.5\n"
		   "                                                    192.0.2.6\n"
		   "  3  v0:1  up     yes      1400  02:00:00:00:00:01  192.0.2.129/25\n", got),
	      "list --ioctl: table, SIOCGIFADDR first then the other SIOCGIFCONF entries");
	free(got);
	CAPTURE(got, xs_json_print(out, xs_iface_ioc_json(&v[1], 1)));
	CHECK(same("{\n"
		   "  \"source\": \"ioctl\",\n"
		   "  \"interfaces\": [\n"
		   "    {\n"
		   "      \"index\": 3,\n"
		   "      \"name\": \"v0:1\",\n"
		   "      \"admin_up\": true,\n"
		   "      \"running\": true,\n"
		   "      \"mtu\": 1400,\n"
		   "      \"mac\": \"02:00:00:00:00:01\",\n"
		   "      \"flags\": [\n"
		   "        \"UP\",\n"
		   "        \"BROADCAST\",\n"
		   "        \"RUNNING\",\n"
		   "        \"MULTICAST\"\n"
		   "      ],\n"
		   "      \"address\": \"192.0.2.129\",\n"
		   "      \"prefixlen\": 25,\n"
		   "      \"conf_addresses\": [\n"
		   "        \"192.0.2.129\"\n"
		   "      ]\n"
		   "    }\n"
		   "  ]\n"
		   "}\n", got), "list --ioctl: JSON");
	free(got);
}

/* ---- agreement between the two paths, in the current namespace ---- */

static const struct xs_addr *first_v4_with_label(const struct xs_link *l, const char *label)
{
	for (size_t i = 0; i < l->n_addrs; i++)
		if (l->addrs[i].family == AF_INET && !strcmp(l->addrs[i].label, label))
			return &l->addrs[i];
	return NULL;
}

static void test_agree(void)
{
	struct xs_link *nl;
	struct xs_ioc_conf *conf;
	size_t n, nconf, nl_v4 = 0;
	char a[XS_ADDR_STRLEN], b[INET_ADDRSTRLEN];
	int ret;

	ret = xs_nl_links(&nl, &n);
	CHECK(ret == 0 && n > 0, "agree: rtnetlink dump works (%zu links)", n);
	if (ret)
		return;
	ret = xs_ioc_conf(&conf, &nconf);
	CHECK(ret == 0, "agree: SIOCGIFCONF works (%zu entries)", nconf);
	if (ret) {
		xs_links_free(nl, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct xs_link *l = &nl[i];
		const struct xs_addr *want = first_v4_with_label(l, l->name);
		const struct xs_addr *prim = xs_link_primary_addr(l, AF_INET);
		struct xs_ioc_if io;

		ret = xs_ioc_get(l->name, &io);
		CHECK(ret == 0, "agree: %s: ioctl knows the name", l->name);
		if (ret)
			continue;
		CHECK(io.index == l->index, "agree: %s: index %d / %d", l->name, io.index,
		      l->index);
		CHECK(io.flags == (l->flags & 0xffff),
		      "agree: %s: IFF_* flags 0x%x / 0x%x (UP %d, RUNNING %d)", l->name,
		      io.flags, l->flags & 0xffff, !!(io.flags & IFF_UP),
		      !!(io.flags & IFF_RUNNING));
		/* The kernel reports LOWER_UP and RUNNING only for a device that is up. */
		if (l->flags & IFF_UP)
			CHECK(!!(l->flags & IFF_LOWER_UP) == l->carrier,
			      "agree: %s: netlink LOWER_UP matches IFLA_CARRIER (%d)", l->name,
			      l->carrier);
		CHECK(!!(io.flags & IFF_RUNNING) ==
		      (!!(l->flags & IFF_UP) && (l->operstate == IF_OPER_UP ||
						  l->operstate == IF_OPER_UNKNOWN)),
		      "agree: %s: ioctl RUNNING iff netlink admin up and operstate %s",
		      l->name, xs_operstate_str(l->operstate));
		CHECK(io.mtu >= 0 && (unsigned int)io.mtu == l->mtu, "agree: %s: MTU %d / %u",
		      l->name, io.mtu, l->mtu);
		if (io.mac_len)
			CHECK(io.mac_len == l->mac_len && !memcmp(io.mac, l->mac, io.mac_len),
			      "agree: %s: MAC", l->name);
		if (!want) {
			CHECK(!io.has_addr, "agree: %s: no IPv4 address on either path", l->name);
			continue;
		}
		xs_fmt_addr(want, false, a, sizeof(a));
		inet_ntop(AF_INET, &io.addr, b, sizeof(b));
		CHECK(io.has_addr && io.addr.s_addr == want->addr.v4.s_addr &&
		      io.prefixlen == want->prefixlen,
		      "agree: %s: SIOCGIFADDR %s/%u is netlink's first address %s/%u", l->name,
		      b, io.prefixlen, a, want->prefixlen);
		if (prim && !strcmp(prim->label, l->name))
			CHECK(io.addr.s_addr == prim->addr.v4.s_addr,
			      "agree: %s: primary IPv4 address %s", l->name, b);
	}
	/* Every SIOCGIFCONF entry is a netlink IPv4 address with the same label, and the
	 * counts match: the two lists are the same multiset. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < nl[i].n_addrs; j++)
			nl_v4 += nl[i].addrs[j].family == AF_INET;
	CHECK(nconf == nl_v4, "agree: SIOCGIFCONF has one entry per IPv4 address (%zu / %zu)",
	      nconf, nl_v4);
	for (size_t k = 0; k < nconf; k++) {
		char dev[IFNAMSIZ], *colon;
		const struct xs_link *l;
		bool found = false;

		snprintf(dev, sizeof(dev), "%s", conf[k].label);
		colon = strchr(dev, ':');
		if (colon)
			*colon = '\0';
		l = xs_link_find(nl, n, dev);
		for (size_t j = 0; l && j < l->n_addrs; j++)
			if (l->addrs[j].family == AF_INET &&
			    l->addrs[j].addr.v4.s_addr == conf[k].addr.s_addr &&
			    !strcmp(l->addrs[j].label, conf[k].label))
				found = true;
		inet_ntop(AF_INET, &conf[k].addr, b, sizeof(b));
		CHECK(found, "agree: SIOCGIFCONF %s %s is a netlink address of %s", conf[k].label,
		      b, dev);
	}
	free(conf);
	xs_links_free(nl, n);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "agree")) {
		test_agree();
		UNIT_DONE();
	}
	build_links();
	test_ifname();
	test_fmt();
	test_state();
	test_primary();
	test_table();
	test_link_json();
	test_addr();
	test_status();
	test_ioctl_render();
	test_agree();
	UNIT_DONE();
}
