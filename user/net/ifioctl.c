/* ifioctl.c - SIOCGIFCONF and the per-interface SIOCGIF* ioctls on an AF_INET datagram
 * socket (no packet is ever sent on it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/if_arp.h>

#include "net/ifioctl.h"

static int ioc_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

int xs_ioc_conf(struct xs_ioc_conf **out, size_t *n)
{
	struct ifconf ifc = {};
	struct ifreq *req = NULL;
	struct xs_ioc_conf *v;
	size_t cnt;
	int fd, ret;

	fd = ioc_socket();
	if (fd < 0)
		return fd;
	/* With a NULL buffer Linux reports the size needed; an address may be added in
	 * between, so grow until the answer no longer fills the buffer. */
	if (ioctl(fd, SIOCGIFCONF, &ifc) < 0) {
		ret = -errno;
		goto out;
	}
	for (int len = ifc.ifc_len + (int)sizeof(struct ifreq);; len *= 2) {
		struct ifreq *r = realloc(req, (size_t)len);

		if (!r) {
			ret = -ENOMEM;
			goto out;
		}
		req = r;
		ifc.ifc_len = len;
		ifc.ifc_req = req;
		if (ioctl(fd, SIOCGIFCONF, &ifc) < 0) {
			ret = -errno;
			goto out;
		}
		if (ifc.ifc_len < len)
			break;
	}
	cnt = (size_t)ifc.ifc_len / sizeof(struct ifreq);
	v = calloc(cnt ? cnt : 1, sizeof(*v));
	if (!v) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cnt; i++) {
		memcpy(v[i].label, req[i].ifr_name, IFNAMSIZ);
		v[i].label[IFNAMSIZ - 1] = '\0';
		v[i].addr = ((struct sockaddr_in *)&req[i].ifr_addr)->sin_addr;
	}
	*out = v;
	*n = cnt;
	ret = 0;
out:
	free(req);
	close(fd);
	return ret;
}

static size_t hw_len(unsigned short type)
{
	switch (type) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
	case ARPHRD_IEEE802:
		return 6;
	case ARPHRD_TUNNEL:
	case ARPHRD_SIT:
	case ARPHRD_IPGRE:
		return 4;
	default:
		return 0;
	}
}

static int prefix_of(struct in_addr mask)
{
	return __builtin_popcount(mask.s_addr);
}

int xs_ioc_get(const char *name, struct xs_ioc_if *out)
{
	struct ifreq ifr;
	int fd, ret;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	fd = ioc_socket();
	if (fd < 0)
		return fd;
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);

#define IOC(req)                                               \
	do {                                                   \
		memset(&ifr, 0, sizeof(ifr));                  \
		memcpy(ifr.ifr_name, out->name, IFNAMSIZ);     \
		if (ioctl(fd, req, &ifr) < 0) {                \
			ret = -errno;                          \
			goto out;                              \
		}                                              \
	} while (0)

	IOC(SIOCGIFINDEX);
	out->index = ifr.ifr_ifindex;
	IOC(SIOCGIFFLAGS);
	out->flags = (unsigned short)ifr.ifr_flags;
	IOC(SIOCGIFMTU);
	out->mtu = ifr.ifr_mtu;
	IOC(SIOCGIFHWADDR);
	out->hwtype = ifr.ifr_hwaddr.sa_family;
	out->mac_len = hw_len(out->hwtype);
	memcpy(out->mac, ifr.ifr_hwaddr.sa_data, sizeof(out->mac));
#undef IOC

	/* An interface without IPv4 address answers EADDRNOTAVAIL: not an error here. */
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, out->name, IFNAMSIZ);
	if (ioctl(fd, SIOCGIFADDR, &ifr) == 0) {
		out->has_addr = true;
		out->addr = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr;
		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, out->name, IFNAMSIZ);
		if (ioctl(fd, SIOCGIFNETMASK, &ifr) == 0)
			out->prefixlen = (uint8_t)prefix_of(
				((struct sockaddr_in *)&ifr.ifr_netmask)->sin_addr);
	} else if (errno != EADDRNOTAVAIL) {
		ret = -errno;
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

void xs_ioc_free(struct xs_ioc_if *v, size_t n)
{
	for (size_t i = 0; i < n && v; i++)
		free(v[i].conf_addrs);
	free(v);
}

int xs_ioc_list(struct xs_ioc_if **out, size_t *n)
{
	struct xs_ioc_conf *conf;
	struct xs_ioc_if *v;
	size_t nconf, cnt = 0;
	int ret;

	ret = xs_ioc_conf(&conf, &nconf);
	if (ret)
		return ret;
	v = calloc(nconf ? nconf : 1, sizeof(*v));
	if (!v) {
		free(conf);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nconf; i++) {
		struct xs_ioc_if *e = NULL;
		struct in_addr *a;

		for (size_t j = 0; j < cnt; j++)
			if (!strcmp(v[j].name, conf[i].label))
				e = &v[j];
		if (!e) {
			e = &v[cnt];
			ret = xs_ioc_get(conf[i].label, e);
			if (ret)
				goto err;
			cnt++;
		}
		a = realloc(e->conf_addrs, (e->n_conf_addrs + 1) * sizeof(*a));
		if (!a) {
			ret = -ENOMEM;
			goto err;
		}
		e->conf_addrs = a;
		a[e->n_conf_addrs++] = conf[i].addr;
	}
	free(conf);
	*out = v;
	*n = cnt;
	return 0;
err:
	free(conf);
	xs_ioc_free(v, cnt);
	return ret;
}
