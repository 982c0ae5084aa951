/* ifioctl.h - the ioctl view of interfaces (what the original lab used).
 *
 * SIOCGIFCONF returns one entry per IPv4 address, named by the address label ("eth0",
 * or "eth0:1" for an alias), so interfaces without an IPv4 address are invisible to it.
 * Per-name ioctls (SIOCGIFINDEX, SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFHWADDR, SIOCGIFADDR,
 * SIOCGIFNETMASK) work on any interface. SIOCGIFFLAGS returns a short, so IFF_LOWER_UP,
 * IFF_DORMANT and IFF_ECHO (bits 16-18) are never seen here. Kept mainly so tests can
 * check that it and rtnetlink (netlink.h) agree. Functions return 0 or -errno.
 */
#ifndef XSWEEP_IFIOCTL_H
#define XSWEEP_IFIOCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>

/* One SIOCGIFCONF entry. */
struct xs_ioc_conf {
	char label[IFNAMSIZ];
	struct in_addr addr;
};

struct xs_ioc_if {
	char name[IFNAMSIZ];		/* the name asked for; may be an alias label */
	int index;			/* SIOCGIFINDEX */
	unsigned int flags;		/* SIOCGIFFLAGS: low 16 IFF_* bits only */
	int mtu;			/* SIOCGIFMTU */
	unsigned short hwtype;		/* SIOCGIFHWADDR sa_family (ARPHRD_*) */
	uint8_t mac[14];
	size_t mac_len;			/* known from hwtype; 0 when the type is not known */
	bool has_addr;			/* SIOCGIFADDR succeeded */
	struct in_addr addr;		/* SIOCGIFADDR: the first address with this label */
	uint8_t prefixlen;		/* from SIOCGIFNETMASK */
	struct in_addr *conf_addrs;	/* every SIOCGIFCONF address with this label */
	size_t n_conf_addrs;
};

/* Raw SIOCGIFCONF, in kernel order. free() the array. */
int xs_ioc_conf(struct xs_ioc_conf **out, size_t *n);

/* The per-name ioctls for one name (conf_addrs left empty). -ENODEV if unknown. */
int xs_ioc_get(const char *name, struct xs_ioc_if *out);

/* SIOCGIFCONF grouped by label (first-seen order), each completed with xs_ioc_get(). */
int xs_ioc_list(struct xs_ioc_if **out, size_t *n);
void xs_ioc_free(struct xs_ioc_if *v, size_t n);

#endif
