/* netlink.h - the interface model and how xsweep reads it from rtnetlink (libmnl).
 *
 * xs_nl_links() snapshots every interface of the current network namespace with one
 * RTM_GETLINK dump and one RTM_GETADDR dump per family, into plain structs that the
 * caller owns and frees with xs_links_free(). xs_nl_dump() is the generic dump loop the
 * snapshot is built on; later lookups (routes, neighbours) send their own request
 * through it. Nothing here sends a packet on any interface: it only asks the kernel.
 *
 * Functions return 0 or -errno; callers report with pr_warn().
 */
#ifndef XSWEEP_NETLINK_H
#define XSWEEP_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>

#define XS_MAC_MAX 32		/* MAX_ADDR_LEN in the kernel */
#define XS_MAC_STRLEN (XS_MAC_MAX * 3)
/* "ffff:...:ffff/128" plus room; enough for any formatted address with prefix. */
#define XS_ADDR_STRLEN (INET6_ADDRSTRLEN + 5)

struct xs_addr {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t prefixlen;
	uint8_t scope;			/* RT_SCOPE_* */
	uint32_t flags;			/* IFA_F_* (IFA_FLAGS when the kernel sends it) */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	char label[IFNAMSIZ];		/* IPv4 only (IFA_LABEL, e.g. "eth0:1"); "" otherwise */
};

struct xs_link {
	int index;
	char name[IFNAMSIZ];
	unsigned int flags;		/* IFF_* as in ifinfomsg.ifi_flags (incl. IFF_LOWER_UP) */
	uint8_t operstate;		/* IF_OPER_* (RFC 2863) */
	bool carrier;			/* IFLA_CARRIER, else IFF_LOWER_UP */
	unsigned int mtu;
	unsigned short type;		/* ARPHRD_* */
	uint8_t mac[XS_MAC_MAX];	/* IFLA_ADDRESS */
	size_t mac_len;			/* 0: the link has no hardware address */
	struct xs_addr *addrs;		/* IPv4 first, then IPv6, each in kernel order */
	size_t n_addrs;
};

/* Why a link is not usable; 0 means up. */
enum xs_down_reason {
	XS_DOWN_ADMIN = 1 << 0,		/* IFF_UP clear */
	XS_DOWN_CARRIER = 1 << 1,	/* no carrier */
	XS_DOWN_OPER = 1 << 2,		/* operstate neither up nor unknown */
};

/* Snapshot all links with their addresses, sorted by index. */
int xs_nl_links(struct xs_link **out, size_t *n);
void xs_links_free(struct xs_link *links, size_t n);

/* One link by name (validated with xs_ifname_check first): 0, -ENODEV, or the
 * validation error. Free with xs_link_free(). */
int xs_nl_link_by_name(const char *name, struct xs_link *out);
void xs_link_free(struct xs_link *link);

const struct xs_link *xs_link_find(const struct xs_link *links, size_t n, const char *name);
const struct xs_link *xs_link_find_index(const struct xs_link *links, size_t n, int index);

/* The address a sender would use by default: IPv4, the first non-secondary one;
 * IPv6, the first global one that is not tentative, else the first one. NULL if none. */
const struct xs_addr *xs_link_primary_addr(const struct xs_link *link, int family);

/* Bitmask of enum xs_down_reason. */
unsigned int xs_link_down_reasons(const struct xs_link *link);

/* Validate an interface name the way the kernel does (dev_valid_name): not empty, at
 * most IFNAMSIZ-1 characters, not "." or "..", no '/', ':' or white space.
 * Returns 0, -ENAMETOOLONG or -EINVAL; with why != NULL a one-line reason is written. */
int xs_ifname_check(const char *name, char *why, size_t whylen);

/* Formatting helpers (pure, unit-tested). */
const char *xs_operstate_str(uint8_t operstate);	/* "up", "lowerlayerdown", ... */
const char *xs_scope_str(uint8_t scope);		/* "global", "link", "host", ... */
char *xs_fmt_mac(const uint8_t *mac, size_t len, char *buf, size_t buflen);
char *xs_fmt_addr(const struct xs_addr *a, bool with_prefix, char *buf, size_t buflen);
/* Names of the IFF_* bits in flags, in bit order, comma-separated ("UP,BROADCAST,..."). */
char *xs_fmt_ifflags(unsigned int flags, char *buf, size_t buflen);
/* Name of one IFF_* bit, NULL when unnamed. */
const char *xs_ifflag_name(unsigned int bit);
/* Name of one IFA_F_* bit, NULL when unnamed. */
const char *xs_ifaflag_name(uint32_t bit);

/* Generic dump: send req (nlmsg_flags gets NLM_F_REQUEST | NLM_F_DUMP, seq and pid set
 * here) on a fresh NETLINK_ROUTE socket and run cb on every reply message.
 * A dump the kernel marks interrupted (NLM_F_DUMP_INTR) returns -EAGAIN. */
int xs_nl_dump(struct nlmsghdr *req, mnl_cb_t cb, void *data);

#endif
