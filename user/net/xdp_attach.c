/* xdp_attach.c - XDP attach through bpf_links (native, else generic) and bpffs pinning. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "util/log.h"
#include "net/xdp_attach.h"

#define BPFFS_ROOT "/sys/fs/bpf"

const char *xs_xdp_mode_str(enum xs_xdp_mode mode)
{
	switch (mode) {
	case XS_XDP_NATIVE:
		return "native";
	case XS_XDP_GENERIC:
		return "generic";
	default:
		return "auto";
	}
}

/* --xdp-mode values; drv and skb are ip-link's names for native and generic. */
const struct xs_opt_choice xs_xdp_mode_choices[] = {
	{ "auto", XS_XDP_AUTO }, { "native", XS_XDP_NATIVE }, { "generic", XS_XDP_GENERIC },
	{ "drv", XS_XDP_NATIVE }, { "skb", XS_XDP_GENERIC }, { NULL },
};

int xs_xdp_query(int ifindex, __u32 *prog_id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	*prog_id = q.prog_id;
	return 0;
}

static int link_xdp(int prog_fd, int ifindex, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd;

	fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	return fd < 0 ? -errno : fd;
}

int xs_xdp_attach(struct bpf_program *prog, int ifindex, enum xs_xdp_mode want,
		  struct xs_xdp *out, __u32 *other_id)
{
	__u32 id = 0;
	int fd, err;

	out->link_fd = -1;
	out->ifindex = ifindex;

	/* Never replace someone else's program: check before trying. */
	err = xs_xdp_query(ifindex, &id);
	if (err)
		return err;
	if (id) {
		if (other_id)
			*other_id = id;
		return -EBUSY;
	}

	if (want != XS_XDP_GENERIC) {
		fd = link_xdp(bpf_program__fd(prog), ifindex, XDP_FLAGS_DRV_MODE);
		if (fd >= 0) {
			out->link_fd = fd;
			out->mode = XS_XDP_NATIVE;
			return 0;
		}
		if (want == XS_XDP_NATIVE || fd == -EBUSY)
			return fd;
		pr_info("native XDP refused on ifindex %d (%s), trying generic mode", ifindex,
			strerror(-fd));
	}
	fd = link_xdp(bpf_program__fd(prog), ifindex, XDP_FLAGS_SKB_MODE);
	if (fd < 0)
		return fd;
	out->link_fd = fd;
	out->mode = XS_XDP_GENERIC;
	return 0;
}

void xs_xdp_detach(struct xs_xdp *x)
{
	if (x->link_fd >= 0) {
		/* Closing the only reference to the link detaches the program. */
		close(x->link_fd);
		x->link_fd = -1;
	}
}

int xs_bpffs_ensure(void)
{
	struct statfs st;

	if (!statfs(BPFFS_ROOT, &st) && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mkdir(BPFFS_ROOT, 0700) && errno != EEXIST)
		return -errno;
	if (mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700"))
		return -errno;
	pr_info("mounted bpffs at %s", BPFFS_ROOT);
	return 0;
}

static int mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];
	size_t len = strlen(dir);

	if (len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, dir, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static void unlink_pins(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_type == DT_DIR)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

int xs_pin_dir_reset(const char *dir)
{
	int err = xs_bpffs_ensure();

	if (err)
		return err;
	err = mkdir_p(dir);
	if (err)
		return err;
	unlink_pins(dir);
	return 0;
}

int xs_pin_map(struct bpf_map *map, const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	return bpf_map__pin(map, path);
}

void xs_pin_dir_remove(const char *dir)
{
	char parent[PATH_MAX];
	char *slash;

	unlink_pins(dir);
	rmdir(dir);
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (strcmp(parent, BPFFS_ROOT))
			rmdir(parent); /* fails harmlessly while other pins live there */
	}
}

static int libxdp_quiet(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (xs_verbosity < LOG_DEBUG)
		return 0;
	fputs("libxdp: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

/* libxdp knows whether the program on an interface is its multi-program dispatcher
 * (which other libxdp users could join) or a single program, and their names. */
void xs_xdp_describe(int ifindex, char *buf, size_t len)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	enum xdp_attach_mode mode;
	const char *m;
	size_t off;

	libxdp_set_print(libxdp_quiet);
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(mp) || !mp) {
		snprintf(buf, len, "an XDP program");
		return;
	}
	mode = xdp_multiprog__attach_mode(mp);
	m = mode == XDP_MODE_NATIVE ? "native" : mode == XDP_MODE_SKB ? "generic" :
	    mode == XDP_MODE_HW ? "offloaded" : "unknown";
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		snprintf(buf, len, "XDP program '%s' (id %u, %s mode, not a libxdp dispatcher)",
			 p ? xdp_program__name(p) : "?", p ? xdp_program__id(p) : 0, m);
	} else {
		off = (size_t)snprintf(buf, len, "a libxdp dispatcher (%s mode) with",
				       m);
		for (p = xdp_multiprog__next_prog(NULL, mp); p && off < len;
		     p = xdp_multiprog__next_prog(p, mp))
			off += (size_t)snprintf(buf + off, len - off, " '%s'", xdp_program__name(p));
	}
	xdp_multiprog__close(mp);
}
