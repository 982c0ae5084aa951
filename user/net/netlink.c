/* netlink.c - rtnetlink dumps (RTM_GETLINK, RTM_GETADDR) into struct xs_link, with
 * libmnl doing the message framing. Also the pure helpers of the interface model:
 * name validation, the up/down verdict and the formatting of MACs, addresses, flags.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>		/* before <linux/if.h>: libc-compat skips the duplicates */
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "net/netlink.h"

/* Large enough for any single rtnetlink message the kernel puts in a dump. */
#define XS_NL_BUFSIZE 32768
/* A dump that races with a link or address change is retried this many times. */
#define XS_NL_RETRIES 5

int xs_nl_dump(struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	struct mnl_socket *nl;
	unsigned int seq, portid;
	bool interrupted = false;
	char *buf;
	int ret;

	buf = malloc(XS_NL_BUFSIZE);
	if (!buf)
		return -ENOMEM;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl) {
		ret = -errno;
		goto out_free;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	seq = (unsigned int)time(NULL);
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	req->nlmsg_seq = seq;
	req->nlmsg_pid = 0;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(nl, buf, XS_NL_BUFSIZE);
		int rem = (int)len;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		/* The kernel flags the messages of a dump that raced with a change. */
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, rem);
		     h = mnl_nlmsg_next(h, &rem))
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				interrupted = true;
		ret = mnl_cb_run(buf, (size_t)len, seq, portid, cb, data);
		if (ret < 0) {
			ret = errno ? -errno : -EIO;
			goto out;
		}
		if (ret == MNL_CB_STOP)
			break;
	}
	ret = interrupted ? -EAGAIN : 0;
out:
	mnl_socket_close(nl);
out_free:
	free(buf);
	return ret;
}

/* ---- links ---- */

struct link_vec {
	struct xs_link *v;
	size_t n, cap;
	int err;
};

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_OK;
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_OK;
		break;
	case IFLA_OPERSTATE:
	case IFLA_CARRIER:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_OK;
		break;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_vec *lv = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = {};
	struct xs_link *l;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, tb) < 0 || !tb[IFLA_IFNAME])
		return MNL_CB_OK;
	if (lv->n == lv->cap) {
		size_t cap = lv->cap ? lv->cap * 2 : 16;
		struct xs_link *v = realloc(lv->v, cap * sizeof(*v));

		if (!v) {
			lv->err = -ENOMEM;
			return MNL_CB_ERROR;
		}
		lv->v = v;
		lv->cap = cap;
	}
	l = &lv->v[lv->n++];
	memset(l, 0, sizeof(*l));
	l->index = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->type = ifi->ifi_type;
	snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	l->operstate = tb[IFLA_OPERSTATE] ? mnl_attr_get_u8(tb[IFLA_OPERSTATE]) : IF_OPER_UNKNOWN;
	l->carrier = tb[IFLA_CARRIER] ? mnl_attr_get_u8(tb[IFLA_CARRIER]) != 0 :
					(l->flags & IFF_LOWER_UP) != 0;
	if (tb[IFLA_ADDRESS]) {
		size_t len = mnl_attr_get_payload_len(tb[IFLA_ADDRESS]);

		if (len > XS_MAC_MAX)
			len = XS_MAC_MAX;
		memcpy(l->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), len);
		l->mac_len = len;
	}
	return MNL_CB_OK;
}

/* ---- addresses ---- */

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case IFA_LABEL:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_OK;
		break;
	case IFA_FLAGS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_OK;
		break;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static int cmp_link_index(const void *a, const void *b)
{
	const struct xs_link *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_vec *lv = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = {};
	const struct nlattr *a;
	struct xs_link key = { .index = (int)ifa->ifa_index }, *l;
	struct xs_addr *na, *x;
	size_t alen;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return MNL_CB_OK;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb) < 0)
		return MNL_CB_OK;
	/* IFA_LOCAL is the local address; IFA_ADDRESS is the peer on point-to-point links
	 * and the local address otherwise (always so for IPv6 without a peer). */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	alen = ifa->ifa_family == AF_INET ? 4 : 16;
	if (!a || mnl_attr_get_payload_len(a) != alen)
		return MNL_CB_OK;
	l = bsearch(&key, lv->v, lv->n, sizeof(*lv->v), cmp_link_index);
	if (!l)		/* appeared after the link dump; the snapshot ignores it */
		return MNL_CB_OK;
	na = realloc(l->addrs, (l->n_addrs + 1) * sizeof(*na));
	if (!na) {
		lv->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	l->addrs = na;
	x = &na[l->n_addrs++];
	memset(x, 0, sizeof(*x));
	x->family = ifa->ifa_family;
	x->prefixlen = ifa->ifa_prefixlen;
	x->scope = ifa->ifa_scope;
	x->flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	memcpy(&x->addr, mnl_attr_get_payload(a), alen);
	if (tb[IFA_LABEL])
		snprintf(x->label, sizeof(x->label), "%s", mnl_attr_get_str(tb[IFA_LABEL]));
	return MNL_CB_OK;
}

void xs_link_free(struct xs_link *link)
{
	if (!link)
		return;
	free(link->addrs);
	link->addrs = NULL;
	link->n_addrs = 0;
}

void xs_links_free(struct xs_link *links, size_t n)
{
	for (size_t i = 0; i < n; i++)
		xs_link_free(&links[i]);
	free(links);
}

static int dump_links(struct link_vec *lv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	int ret;

	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	/* Leave out per-VF statistics: they can make one message huge. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	ret = xs_nl_dump(nlh, link_cb, lv);
	return lv->err ? lv->err : ret;
}

static int dump_addrs(struct link_vec *lv, int family)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	int ret;

	nlh->nlmsg_type = RTM_GETADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ret = xs_nl_dump(nlh, addr_cb, lv);
	return lv->err ? lv->err : ret;
}

int xs_nl_links(struct xs_link **out, size_t *n)
{
	struct link_vec lv;
	int ret = -EAGAIN;

	for (int try = 0; try < XS_NL_RETRIES && ret == -EAGAIN; try++) {
		memset(&lv, 0, sizeof(lv));
		ret = dump_links(&lv);
		if (!ret) {
			qsort(lv.v, lv.n, sizeof(*lv.v), cmp_link_index);
			ret = dump_addrs(&lv, AF_INET);
		}
		if (!ret)
			ret = dump_addrs(&lv, AF_INET6);
		if (ret)
			xs_links_free(lv.v, lv.n);
	}
	if (ret)
		return ret;
	*out = lv.v;
	*n = lv.n;
	return 0;
}

const struct xs_link *xs_link_find(const struct xs_link *links, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(links[i].name, name))
			return &links[i];
	return NULL;
}

const struct xs_link *xs_link_find_index(const struct xs_link *links, size_t n, int index)
{
	for (size_t i = 0; i < n; i++)
		if (links[i].index == index)
			return &links[i];
	return NULL;
}

int xs_nl_link_by_name(const char *name, struct xs_link *out)
{
	struct xs_link *links;
	const struct xs_link *l;
	size_t n;
	int ret;

	ret = xs_ifname_check(name, NULL, 0);
	if (ret)
		return ret;
	ret = xs_nl_links(&links, &n);
	if (ret)
		return ret;
	l = xs_link_find(links, n, name);
	if (!l) {
		xs_links_free(links, n);
		return -ENODEV;
	}
	/* Hand the found entry (and its address array) over to the caller. */
	*out = *l;
	links[l - links].addrs = NULL;
	links[l - links].n_addrs = 0;
	xs_links_free(links, n);
	return 0;
}

const struct xs_addr *xs_link_primary_addr(const struct xs_link *link, int family)
{
	const struct xs_addr *first = NULL;

	for (size_t i = 0; i < link->n_addrs; i++) {
		const struct xs_addr *a = &link->addrs[i];

		if (a->family != family)
			continue;
		if (!first)
			first = a;
		if (family == AF_INET && !(a->flags & IFA_F_SECONDARY))
			return a;
		if (family == AF_INET6 && a->scope == RT_SCOPE_UNIVERSE &&
		    !(a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
			return a;
	}
	return first;
}

unsigned int xs_link_down_reasons(const struct xs_link *link)
{
	unsigned int r = 0;

	if (!(link->flags & IFF_UP))
		r |= XS_DOWN_ADMIN;
	if (!link->carrier)
		r |= XS_DOWN_CARRIER;
	/* "unknown" is what drivers without operstate support (lo, tun...) report. */
	if (link->operstate != IF_OPER_UP && link->operstate != IF_OPER_UNKNOWN)
		r |= XS_DOWN_OPER;
	return r;
}

/* ---- pure helpers ---- */

int xs_ifname_check(const char *name, char *why, size_t whylen)
{
	size_t len = strlen(name);

	if (!why)
		whylen = 0;
	if (len == 0) {
		snprintf(why, whylen, "empty interface name");
		return -EINVAL;
	}
	if (len > IFNAMSIZ - 1) {
		snprintf(why, whylen,
			 "interface name '%s' is too long: %zu characters, the limit is %d (IFNAMSIZ-1)",
			 name, len, IFNAMSIZ - 1);
		return -ENAMETOOLONG;
	}
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(why, whylen, "invalid interface name '%s'", name);
		return -EINVAL;
	}
	for (const char *p = name; *p; p++) {
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p)) {
			snprintf(why, whylen, "invalid interface name '%s': '%s' is not allowed",
				 name, *p == '/' ? "/" : *p == ':' ? ":" : "white space");
			return -EINVAL;
		}
	}
	return 0;
}

const char *xs_operstate_str(uint8_t operstate)
{
	static const char *const names[] = {
		[IF_OPER_UNKNOWN] = "unknown",
		[IF_OPER_NOTPRESENT] = "notpresent",
		[IF_OPER_DOWN] = "down",
		[IF_OPER_LOWERLAYERDOWN] = "lowerlayerdown",
		[IF_OPER_TESTING] = "testing",
		[IF_OPER_DORMANT] = "dormant",
		[IF_OPER_UP] = "up",
	};

	if (operstate < sizeof(names) / sizeof(names[0]) && names[operstate])
		return names[operstate];
	return "invalid";
}

const char *xs_scope_str(uint8_t scope)
{
	switch (scope) {
	case RT_SCOPE_UNIVERSE: return "global";
	case RT_SCOPE_SITE: return "site";
	case RT_SCOPE_LINK: return "link";
	case RT_SCOPE_HOST: return "host";
	case RT_SCOPE_NOWHERE: return "nowhere";
	default: return "other";
	}
}

char *xs_fmt_mac(const uint8_t *mac, size_t len, char *buf, size_t buflen)
{
	size_t off = 0;

	if (!buflen)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		int w = snprintf(buf + off, buflen - off, i ? ":%02x" : "%02x", mac[i]);

		if (w < 0 || (size_t)w >= buflen - off) {
			buf[off] = '\0';	/* drop the partly written item */
			break;
		}
		off += (size_t)w;
	}
	return buf;
}

char *xs_fmt_addr(const struct xs_addr *a, bool with_prefix, char *buf, size_t buflen)
{
	char tmp[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->family, &a->addr, tmp, sizeof(tmp)))
		snprintf(tmp, sizeof(tmp), "?");
	if (with_prefix)
		snprintf(buf, buflen, "%s/%u", tmp, a->prefixlen);
	else
		snprintf(buf, buflen, "%s", tmp);
	return buf;
}

const char *xs_ifflag_name(unsigned int bit)
{
	switch (bit) {
	case IFF_UP: return "UP";
	case IFF_BROADCAST: return "BROADCAST";
	case IFF_DEBUG: return "DEBUG";
	case IFF_LOOPBACK: return "LOOPBACK";
	case IFF_POINTOPOINT: return "POINTOPOINT";
	case IFF_NOTRAILERS: return "NOTRAILERS";
	case IFF_RUNNING: return "RUNNING";
	case IFF_NOARP: return "NOARP";
	case IFF_PROMISC: return "PROMISC";
	case IFF_ALLMULTI: return "ALLMULTI";
	case IFF_MASTER: return "MASTER";
	case IFF_SLAVE: return "SLAVE";
	case IFF_MULTICAST: return "MULTICAST";
	case IFF_PORTSEL: return "PORTSEL";
	case IFF_AUTOMEDIA: return "AUTOMEDIA";
	case IFF_DYNAMIC: return "DYNAMIC";
	case IFF_LOWER_UP: return "LOWER_UP";
	case IFF_DORMANT: return "DORMANT";
	case IFF_ECHO: return "ECHO";
	default: return NULL;
	}
}

char *xs_fmt_ifflags(unsigned int flags, char *buf, size_t buflen)
{
	size_t off = 0;

	if (!buflen)
		return buf;
	buf[0] = '\0';
	for (unsigned int i = 0; i < 32; i++) {
		unsigned int bit = 1u << i;
		const char *name = xs_ifflag_name(bit);
		char unk[16];
		int w;

		if (!(flags & bit))
			continue;
		if (!name) {
			snprintf(unk, sizeof(unk), "0x%x", bit);
			name = unk;
		}
		w = snprintf(buf + off, buflen - off, "%s%s", off ? "," : "", name);
		if (w < 0 || (size_t)w >= buflen - off) {
			buf[off] = '\0';	/* drop the partly written item */
			break;
		}
		off += (size_t)w;
	}
	return buf;
}

const char *xs_ifaflag_name(uint32_t bit)
{
	switch (bit) {
	case IFA_F_SECONDARY: return "secondary";
	case IFA_F_NODAD: return "nodad";
	case IFA_F_OPTIMISTIC: return "optimistic";
	case IFA_F_DADFAILED: return "dadfailed";
	case IFA_F_HOMEADDRESS: return "homeaddress";
	case IFA_F_DEPRECATED: return "deprecated";
	case IFA_F_TENTATIVE: return "tentative";
	case IFA_F_PERMANENT: return "permanent";
	case IFA_F_MANAGETEMPADDR: return "mngtmpaddr";
	case IFA_F_NOPREFIXROUTE: return "noprefixroute";
	case IFA_F_MCAUTOJOIN: return "autojoin";
	case IFA_F_STABLE_PRIVACY: return "stable-privacy";
	default: return NULL;
	}
}
