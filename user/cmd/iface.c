/* iface.c - `xsweep iface list|addr|status`: interface discovery over rtnetlink, with
 * the ioctl view (`list --ioctl`) kept for comparison. Read-only: sends no packet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>

#include "cmd/commands.h"
#include "cmd/iface.h"
#include "util/log.h"
#include "util/opts.h"

/* ---- a small text table: columns sized to their widest cell ---- */

#define TBL_MAXCOLS 8

struct tbl {
	int ncols;
	const char *const *hdr;
	const bool *right;		/* right-aligned columns */
	char **cells;			/* nrows * ncols strdup'ed cells */
	size_t nrows, cap;
};

static void tbl_add(struct tbl *t, const char *const *row)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * (size_t)t->ncols * sizeof(*c));

		if (!c)
			return;		/* out of memory: the row is dropped */
		t->cells = c;
		t->cap = cap;
	}
	/* A cell that cannot be copied (out of memory) prints as empty. */
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = strdup(row[i] ? row[i] : "");
	t->nrows++;
}

static void tbl_print_row(FILE *out, const struct tbl *t, const size_t *w,
			  const char *const *row)
{
	int last = t->ncols - 1;

	/* Trailing empty cells are not padded, so no line ends in blanks. */
	while (last > 0 && !*row[last])
		last--;
	for (int i = 0; i <= last; i++) {
		const char *sep = i ? "  " : "";

		if (t->right[i])
			fprintf(out, "%s%*s", sep, (int)w[i], row[i]);
		else if (i == last)
			fprintf(out, "%s%s", sep, row[i]);
		else
			fprintf(out, "%s%-*s", sep, (int)w[i], row[i]);
	}
	fputc('\n', out);
}

static void tbl_print(FILE *out, struct tbl *t)
{
	size_t w[TBL_MAXCOLS];

	for (int i = 0; i < t->ncols; i++)
		w[i] = strlen(t->hdr[i]);
	for (size_t r = 0; r < t->nrows; r++)
		for (int i = 0; i < t->ncols; i++) {
			char **c = &t->cells[r * (size_t)t->ncols + (size_t)i];
			size_t l;

			if (!*c)
				*c = strdup("");
			l = *c ? strlen(*c) : 0;

			if (l > w[i])
				w[i] = l;
		}
	tbl_print_row(out, t, w, t->hdr);
	for (size_t r = 0; r < t->nrows; r++)
		tbl_print_row(out, t, w, (const char *const *)&t->cells[r * (size_t)t->ncols]);
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}

/* ---- shared pieces ---- */

static const char *family_str(int family)
{
	return family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : "other";
}

char *xs_fmt_down_reasons(unsigned int reasons, uint8_t operstate, char *buf, size_t len)
{
	size_t off = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (reasons & XS_DOWN_ADMIN && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%sadmin down", off ? ", " : "");
	if (reasons & XS_DOWN_CARRIER && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%sno carrier", off ? ", " : "");
	if (reasons & XS_DOWN_OPER && off < len)
		snprintf(buf + off, len - off, "%soperstate %s", off ? ", " : "",
			 xs_operstate_str(operstate));
	return buf;
}

void xs_json_print(FILE *out, json_object *doc)
{
	fprintf(out, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
			JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
}

static json_object *json_flags(unsigned int flags)
{
	json_object *arr = json_object_new_array();

	for (unsigned int i = 0; i < 32; i++) {
		const char *name = xs_ifflag_name(1u << i);

		if ((flags & (1u << i)) && name)
			json_object_array_add(arr, json_object_new_string(name));
	}
	return arr;
}

static json_object *json_mac(const uint8_t *mac, size_t len)
{
	char buf[XS_MAC_STRLEN];

	if (!len)
		return NULL;	/* JSON null */
	return json_object_new_string(xs_fmt_mac(mac, len, buf, sizeof(buf)));
}

/* ---- iface list (rtnetlink) ---- */

/* "192.0.2.5/24 secondary", "192.0.2.129/25 label v0:1", "2001:db8::1/64 tentative" */
static void addr_cell(const struct xs_addr *a, const char *ifname, char *buf, size_t len)
{
	static const uint32_t shown[] = { IFA_F_SECONDARY, IFA_F_TENTATIVE, IFA_F_DADFAILED,
					  IFA_F_DEPRECATED };
	size_t off;

	xs_fmt_addr(a, true, buf, len);
	off = strlen(buf);
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		if ((a->flags & shown[i]) && off < len)
			off += (size_t)snprintf(buf + off, len - off, " %s",
						xs_ifaflag_name(shown[i]));
	if (a->label[0] && strcmp(a->label, ifname) && off < len)
		snprintf(buf + off, len - off, " label %s", a->label);
}

void xs_iface_print_table(FILE *out, const struct xs_link *links, size_t n)
{
	static const char *const hdr[] = { "IDX", "NAME", "ADMIN", "OPER", "CARRIER", "MTU",
					   "MAC", "ADDRESSES" };
	static const bool right[] = { true, false, false, false, false, true, false, false };
	struct tbl t = { .ncols = 8, .hdr = hdr, .right = right };

	for (size_t i = 0; i < n; i++) {
		const struct xs_link *l = &links[i];
		char idx[16], mtu[16], mac[XS_MAC_STRLEN], addr[XS_ADDR_STRLEN + 64];
		const char *row[8] = { idx, l->name, (l->flags & IFF_UP) ? "up" : "down",
				       xs_operstate_str(l->operstate), l->carrier ? "yes" : "no",
				       mtu, mac, addr };

		snprintf(idx, sizeof(idx), "%d", l->index);
		snprintf(mtu, sizeof(mtu), "%u", l->mtu);
		if (l->mac_len)
			xs_fmt_mac(l->mac, l->mac_len, mac, sizeof(mac));
		else
			snprintf(mac, sizeof(mac), "-");
		if (!l->n_addrs)
			snprintf(addr, sizeof(addr), "-");
		for (size_t j = 0; j < l->n_addrs || j == 0; j++) {
			if (l->n_addrs)
				addr_cell(&l->addrs[j], l->name, addr, sizeof(addr));
			if (j == 0) {
				tbl_add(&t, row);
			} else {
				const char *cont[8] = { "", "", "", "", "", "", "", addr };

				tbl_add(&t, cont);
			}
		}
	}
	tbl_print(out, &t);
}

json_object *xs_iface_addr_json(const struct xs_addr *a, const char *ifname)
{
	json_object *o = json_object_new_object(), *fl = json_object_new_array();
	char buf[XS_ADDR_STRLEN];

	json_object_object_add(o, "family", json_object_new_string(family_str(a->family)));
	json_object_object_add(o, "address",
			       json_object_new_string(xs_fmt_addr(a, false, buf, sizeof(buf))));
	json_object_object_add(o, "prefixlen", json_object_new_int(a->prefixlen));
	json_object_object_add(o, "scope", json_object_new_string(xs_scope_str(a->scope)));
	for (unsigned int i = 0; i < 32; i++) {
		const char *name = xs_ifaflag_name(1u << i);

		if ((a->flags & (1u << i)) && name)
			json_object_array_add(fl, json_object_new_string(name));
	}
	json_object_object_add(o, "flags", fl);
	if (a->label[0] && (!ifname || strcmp(a->label, ifname)))
		json_object_object_add(o, "label", json_object_new_string(a->label));
	return o;
}

json_object *xs_iface_link_json(const struct xs_link *l)
{
	json_object *o = json_object_new_object(), *addrs = json_object_new_array();

	json_object_object_add(o, "index", json_object_new_int(l->index));
	json_object_object_add(o, "name", json_object_new_string(l->name));
	json_object_object_add(o, "admin_up", json_object_new_boolean(l->flags & IFF_UP));
	json_object_object_add(o, "operstate",
			       json_object_new_string(xs_operstate_str(l->operstate)));
	json_object_object_add(o, "carrier", json_object_new_boolean(l->carrier));
	json_object_object_add(o, "up", json_object_new_boolean(!xs_link_down_reasons(l)));
	json_object_object_add(o, "mtu", json_object_new_int64(l->mtu));
	json_object_object_add(o, "mac", json_mac(l->mac, l->mac_len));
	json_object_object_add(o, "flags", json_flags(l->flags));
	for (size_t i = 0; i < l->n_addrs; i++)
		json_object_array_add(addrs, xs_iface_addr_json(&l->addrs[i], l->name));
	json_object_object_add(o, "addresses", addrs);
	return o;
}

json_object *xs_iface_links_json(const struct xs_link *links, size_t n)
{
	json_object *doc = json_object_new_object(), *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, xs_iface_link_json(&links[i]));
	json_object_object_add(doc, "interfaces", arr);
	return doc;
}

/* ---- iface list --ioctl ---- */

void xs_iface_print_ioc_table(FILE *out, const struct xs_ioc_if *v, size_t n)
{
	static const char *const hdr[] = { "IDX", "NAME", "ADMIN", "RUNNING", "MTU", "MAC",
					   "IPV4" };
	static const bool right[] = { true, false, false, false, true, false, false };
	struct tbl t = { .ncols = 7, .hdr = hdr, .right = right };

	for (size_t i = 0; i < n; i++) {
		const struct xs_ioc_if *e = &v[i];
		char idx[16], mtu[16], mac[XS_MAC_STRLEN], addr[INET_ADDRSTRLEN + 8];
		const char *row[7] = { idx, e->name, (e->flags & IFF_UP) ? "up" : "down",
				       (e->flags & IFF_RUNNING) ? "yes" : "no", mtu, mac, addr };
		bool skipped = false;

		snprintf(idx, sizeof(idx), "%d", e->index);
		snprintf(mtu, sizeof(mtu), "%d", e->mtu);
		if (e->mac_len)
			xs_fmt_mac(e->mac, e->mac_len, mac, sizeof(mac));
		else
			snprintf(mac, sizeof(mac), "-");
		/* First the SIOCGIFADDR/SIOCGIFNETMASK answer, then the other addresses that
		 * SIOCGIFCONF listed under the same label (no prefix length for those). */
		if (e->has_addr) {
			inet_ntop(AF_INET, &e->addr, addr, sizeof(addr));
			snprintf(addr + strlen(addr), sizeof(addr) - strlen(addr), "/%u",
				 e->prefixlen);
		} else {
			snprintf(addr, sizeof(addr), "-");
		}
		tbl_add(&t, row);
		for (size_t j = 0; j < e->n_conf_addrs; j++) {
			const char *cont[7] = { "", "", "", "", "", "", addr };

			if (e->has_addr && !skipped && e->conf_addrs[j].s_addr == e->addr.s_addr) {
				skipped = true;
				continue;
			}
			inet_ntop(AF_INET, &e->conf_addrs[j], addr, sizeof(addr));
			tbl_add(&t, cont);
		}
	}
	tbl_print(out, &t);
}

json_object *xs_iface_ioc_json(const struct xs_ioc_if *v, size_t n)
{
	json_object *doc = json_object_new_object(), *arr = json_object_new_array();
	char buf[INET_ADDRSTRLEN];

	json_object_object_add(doc, "source", json_object_new_string("ioctl"));
	for (size_t i = 0; i < n; i++) {
		const struct xs_ioc_if *e = &v[i];
		json_object *o = json_object_new_object(), *ca = json_object_new_array();

		json_object_object_add(o, "index", json_object_new_int(e->index));
		json_object_object_add(o, "name", json_object_new_string(e->name));
		json_object_object_add(o, "admin_up", json_object_new_boolean(e->flags & IFF_UP));
		json_object_object_add(o, "running",
				       json_object_new_boolean(e->flags & IFF_RUNNING));
		json_object_object_add(o, "mtu", json_object_new_int(e->mtu));
		json_object_object_add(o, "mac", json_mac(e->mac, e->mac_len));
		json_object_object_add(o, "flags", json_flags(e->flags));
		json_object_object_add(o, "address", e->has_addr ?
			json_object_new_string(inet_ntop(AF_INET, &e->addr, buf, sizeof(buf))) :
			NULL);
		json_object_object_add(o, "prefixlen",
				       e->has_addr ? json_object_new_int(e->prefixlen) : NULL);
		for (size_t j = 0; j < e->n_conf_addrs; j++)
			json_object_array_add(ca, json_object_new_string(
				inet_ntop(AF_INET, &e->conf_addrs[j], buf, sizeof(buf))));
		json_object_object_add(o, "conf_addresses", ca);
		json_object_array_add(arr, o);
	}
	json_object_object_add(doc, "interfaces", arr);
	return doc;
}

/* ---- iface addr / status ---- */

size_t xs_iface_print_addrs(FILE *out, const struct xs_link *l, bool v6)
{
	char buf[XS_ADDR_STRLEN];
	size_t cnt = 0;

	for (int pass = 0; pass < (v6 ? 2 : 1); pass++) {
		int family = pass ? AF_INET6 : AF_INET;

		for (size_t i = 0; i < l->n_addrs; i++) {
			if (l->addrs[i].family != family)
				continue;
			fprintf(out, "Interface [%s] --> %s: %s\n", l->name,
				pass ? "IPv6" : "IP", xs_fmt_addr(&l->addrs[i], false, buf,
								  sizeof(buf)));
			cnt++;
		}
	}
	if (!cnt)
		fprintf(out, "Interface [%s] has no %s address\n", l->name,
			v6 ? "IPv4 or IPv6" : "IPv4");
	return cnt;
}

json_object *xs_iface_addrs_json(const struct xs_link *l, bool v6)
{
	json_object *doc = json_object_new_object(), *arr = json_object_new_array();

	json_object_object_add(doc, "name", json_object_new_string(l->name));
	json_object_object_add(doc, "index", json_object_new_int(l->index));
	for (int pass = 0; pass < (v6 ? 2 : 1); pass++)
		for (size_t i = 0; i < l->n_addrs; i++)
			if (l->addrs[i].family == (pass ? AF_INET6 : AF_INET))
				json_object_array_add(arr, xs_iface_addr_json(&l->addrs[i], l->name));
	json_object_object_add(doc, "addresses", arr);
	return doc;
}

void xs_iface_print_status(FILE *out, const struct xs_link *l, bool verbose)
{
	unsigned int reasons = xs_link_down_reasons(l);
	char why[96];

	fprintf(out, "Interface [%s] is: %s", l->name, reasons ? "down" : "up");
	if (verbose && reasons)
		fprintf(out, " (%s)", xs_fmt_down_reasons(reasons, l->operstate, why, sizeof(why)));
	else if (verbose)
		fprintf(out, " (admin up, carrier, operstate %s)", xs_operstate_str(l->operstate));
	fputc('\n', out);
}

json_object *xs_iface_status_json(const struct xs_link *l)
{
	json_object *doc = json_object_new_object(), *arr = json_object_new_array();
	unsigned int reasons = xs_link_down_reasons(l);
	char why[32];

	json_object_object_add(doc, "name", json_object_new_string(l->name));
	json_object_object_add(doc, "index", json_object_new_int(l->index));
	json_object_object_add(doc, "status", json_object_new_string(reasons ? "down" : "up"));
	json_object_object_add(doc, "admin_up", json_object_new_boolean(l->flags & IFF_UP));
	json_object_object_add(doc, "carrier", json_object_new_boolean(l->carrier));
	json_object_object_add(doc, "operstate",
			       json_object_new_string(xs_operstate_str(l->operstate)));
	for (unsigned int bit = 1; bit <= XS_DOWN_OPER; bit <<= 1)
		if (reasons & bit)
			json_object_array_add(arr, json_object_new_string(
				xs_fmt_down_reasons(bit, l->operstate, why, sizeof(why))));
	json_object_object_add(doc, "reasons", arr);
	return doc;
}

/* ---- command line ---- */

struct iface_opts {
	bool json, v6, ioctl;
	const char *ifname;
};

#define O struct iface_opts
static const struct xs_opt iface_table[] = {
	XS_SECTION("Options"),
	XS_FLAG("json", 'j', O, json, "one JSON document on stdout instead of text"),
	XS_FLAG("ipv6", '6', O, v6, "addr: add IPv6 addresses ('Interface [IFNAME] --> IPv6: "
		"ADDRESS')"),
	XS_FLAG("ioctl", 0, O, ioctl, "list: what the ioctl path sees instead (SIOCGIFCONF, "
		"then SIOCGIFINDEX/FLAGS/MTU/HWADDR/ADDR/NETMASK per name); SIOCGIFCONF reports "
		"only interfaces with an IPv4 address, one name per address label (eth0, "
		"eth0:1), and its flags lack LOWER_UP"),
	XS_OPTS_END
};
#undef O

static const struct xs_cmd_opts iface_cmd = {
	.cmd = "iface",
	.usage = "xsweep iface list [--json] [--ioctl]\n"
		 "       xsweep iface addr IFNAME [-6] [--json]\n"
		 "       xsweep iface status IFNAME [--json]",
	.about = "Interface discovery through rtnetlink (RTM_GETLINK, RTM_GETADDR dumps). Read-only:\n"
		 "no packet is sent and no privilege is needed.\n"
		 "\n"
		 "  list      every interface: index, name, admin state (IFF_UP), operational state,\n"
		 "            carrier, MTU, MAC, IPv4 and IPv6 addresses with prefix lengths\n"
		 "  addr      'Interface [IFNAME] --> IP: ADDRESS' for each IPv4 address;\n"
		 "            exit 1 (and says so) when the interface has none\n"
		 "  status    'Interface [IFNAME] is: up' or 'down'; down when admin down, without\n"
		 "            carrier, or operstate neither up nor unknown; -v gives the reason;\n"
		 "            exit 0 up, 1 down",
	.verbose_help = "status: the facts, or the reasons for down",
	.footer = "IFNAME is at most 15 characters (IFNAMSIZ-1) without '/', ':' or blanks.\n"
		  "Exit status: 0 ok/up, 1 down or no address, 2 error (unknown interface, bad name,\n"
		  "bad option).",
	.opts = iface_table,
	.max_args = -1,
};

void usage_iface(FILE *out)
{
	xs_opts_usage(out, &iface_cmd);
}

static int usage_err(const char *sub, const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	if (sub)
		pr_warn("iface %s: %s (see 'xsweep help iface')", sub, msg);
	else
		pr_warn("iface: %s (see 'xsweep help iface')", msg);
	return XS_EXIT_ERROR;
}

struct iface_sub {
	const char *name;
	bool want_ifname;
	int (*run)(const struct iface_opts *o);	/* returns the exit code */
};

static const struct iface_sub *find_sub(const char *name);

/* The subcommand is the first word that is not an option (iface's options take no
 * value), so "-v status v1" and "status v1 -v" both name it in messages.
 */
static const char *first_word(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return i + 1 < argc ? argv[i + 1] : NULL;
		if (argv[i][0] != '-' || !argv[i][1])
			return argv[i];
	}
	return NULL;
}

/* Parse "iface [OPTIONS] SUB [IFNAME]": XS_CONTINUE with *s and o filled, or an exit code. */
static int parse_opts(int argc, char **argv, const struct iface_sub **s, struct iface_opts *o)
{
	struct xs_cmd_opts c = iface_cmd;
	const char *sub = first_word(argc, argv);
	char name[32];
	int rc, n;

	*s = sub ? find_sub(sub) : NULL;
	if (*s) {
		snprintf(name, sizeof(name), "iface %s", (*s)->name);
		c.cmd = name;
		c.help_cmd = "iface";
	}
	rc = xs_opts_parse(&c, o, argc, argv);
	if (rc != XS_CONTINUE)
		return rc;
	if (!sub)
		return usage_err(NULL, "missing subcommand (list, addr or status)%s", "");
	if (!strcmp(sub, "help")) {
		usage_iface(stdout);
		return XS_EXIT_OK;
	}
	if (!*s)
		return usage_err(NULL, "unknown subcommand '%s'", sub);
	if (o->v6 && strcmp(sub, "addr"))
		return usage_err(sub, "option '%s' applies only to 'iface addr'", "-6");
	if (o->ioctl && strcmp(sub, "list"))
		return usage_err(sub, "option '%s' applies only to 'iface list'", "--ioctl");
	/* GNU getopt moved the operands to the end: SUB [IFNAME]. */
	n = argc - optind - 1;
	if (n > (*s)->want_ifname)
		return usage_err(sub, "unexpected argument '%s'",
				 argv[optind + 1 + (*s)->want_ifname]);
	if ((*s)->want_ifname && !n)
		return usage_err(sub, "missing interface name%s", "");
	o->ifname = n ? argv[optind + 1] : NULL;
	return XS_CONTINUE;
}

/* Resolve IFNAME to a link: validates the name first (the lab silently truncated).
 * 0 or -errno, reported here (the one place that knows which check failed). */
static int get_link(const char *name, struct xs_link *l)
{
	char why[128];
	int ret;

	ret = xs_ifname_check(name, why, sizeof(why));
	if (ret) {
		pr_warn("%s", why);
		return ret;
	}
	ret = xs_nl_link_by_name(name, l);
	if (ret == -ENODEV)
		pr_warn("no such interface '%s'", name);
	else if (ret)
		pr_warn("cannot read interfaces over rtnetlink: %s", strerror(-ret));
	return ret;
}

static int cmd_list(const struct iface_opts *o)
{
	int ret;

	if (o->ioctl) {
		struct xs_ioc_if *v;
		size_t n;

		ret = xs_ioc_list(&v, &n);
		if (ret) {
			pr_warn("cannot list interfaces with SIOCGIFCONF: %s", strerror(-ret));
			return XS_EXIT_ERROR;
		}
		if (o->json)
			xs_json_print(stdout, xs_iface_ioc_json(v, n));
		else
			xs_iface_print_ioc_table(stdout, v, n);
		xs_ioc_free(v, n);
	} else {
		struct xs_link *links;
		size_t n;

		ret = xs_nl_links(&links, &n);
		if (ret) {
			pr_warn("cannot read interfaces over rtnetlink: %s", strerror(-ret));
			return XS_EXIT_ERROR;
		}
		if (o->json)
			xs_json_print(stdout, xs_iface_links_json(links, n));
		else
			xs_iface_print_table(stdout, links, n);
		xs_links_free(links, n);
	}
	return XS_EXIT_OK;
}

static int cmd_addr(const struct iface_opts *o)
{
	struct xs_link l;
	size_t cnt = 0;

	if (get_link(o->ifname, &l))
		return XS_EXIT_ERROR;
	if (o->json) {
		json_object *doc = xs_iface_addrs_json(&l, o->v6);

		cnt = json_object_array_length(json_object_object_get(doc, "addresses"));
		xs_json_print(stdout, doc);
	} else {
		cnt = xs_iface_print_addrs(stdout, &l, o->v6);
	}
	xs_link_free(&l);
	return cnt ? XS_EXIT_OK : XS_EXIT_NEGATIVE;
}

static int cmd_status(const struct iface_opts *o)
{
	struct xs_link l;
	unsigned int reasons;

	if (get_link(o->ifname, &l))
		return XS_EXIT_ERROR;
	reasons = xs_link_down_reasons(&l);
	if (o->json)
		xs_json_print(stdout, xs_iface_status_json(&l));
	else
		xs_iface_print_status(stdout, &l, xs_verbosity >= LOG_INFO);
	xs_link_free(&l);
	return reasons ? XS_EXIT_NEGATIVE : XS_EXIT_OK;
}

static const struct iface_sub subs[] = {
	{ "list", false, cmd_list },
	{ "addr", true, cmd_addr },
	{ "status", true, cmd_status },
};

static const struct iface_sub *find_sub(const char *name)
{
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(name, subs[i].name))
			return &subs[i];
	return NULL;
}

int do_iface(int argc, char **argv)
{
	const struct iface_sub *s;
	struct iface_opts o = {};
	int rc;

	rc = parse_opts(argc, argv, &s, &o);
	if (rc != XS_CONTINUE)
		return rc;
	return s->run(&o);
}
