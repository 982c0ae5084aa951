/* owner.c - the "owner" map beside pinned maps (see owner.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "util/owner.h"

_Static_assert(sizeof(struct xs_owner) == 16, "owner layout (BTF below)");

/* Start time of pid (field 22 of /proc/PID/stat, after the parenthesised name, which
 * may itself hold spaces and parentheses). 0 or -errno. */
static int start_time(uint32_t pid, uint64_t *st)
{
	char path[64], buf[1024], *p;
	unsigned long long v;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	if (!(f = fopen(path, "r")))
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* After ")": state (field 3) then 18 fields up to starttime (22). */
	if (!p || sscanf(p + 1, " %*c" "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s"
			 " %*s %*s %*s %*s %*s %*s %*s %*s %llu", &v) != 1)
		return -EINVAL;
	*st = v;
	return 0;
}

/* BTF for the map (int key, struct xs_owner value) loaded into the kernel: its fd
 * (the caller closes it), or -errno. */
static int owner_btf(void)
{
	struct btf *b = btf__new_empty();
	int u32, u64, fd = -ENOMEM;

	if (!b)
		return -ENOMEM;
	u32 = btf__add_int(b, "__u32", 4, 0);			/* type 1: the key */
	u64 = btf__add_int(b, "__u64", 8, 0);
	if (u32 > 0 && u64 > 0 && btf__add_struct(b, "xs_owner", 16) > 0 &&	/* type 3 */
	    !btf__add_field(b, "pid", u32, 0, 0) && !btf__add_field(b, "state", u32, 32, 0) &&
	    !btf__add_field(b, "start_time", u64, 64, 0)) {
		fd = btf__load_into_kernel(b);	/* 0 or -errno */
		if (!fd && (fd = dup(btf__fd(b))) < 0)
			fd = -errno;
	}
	btf__free(b);
	return fd;
}

int xs_owner_pin(const char *dir)
{
	struct xs_owner o = { .pid = (uint32_t)getpid(), .state = XS_OWNER_RUNNING };
	LIBBPF_OPTS(bpf_map_create_opts, mo, .btf_key_type_id = 1, .btf_value_type_id = 3);
	char path[512];
	uint32_t key = 0;
	int fd, err;

	if ((err = start_time(o.pid, &o.start_time)))
		return err;
	if ((err = owner_btf()) < 0)
		return err;
	mo.btf_fd = (uint32_t)err;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "owner", sizeof(key), sizeof(o), 1, &mo);
	err = fd < 0 ? -errno : 0;
	close((int)mo.btf_fd);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/owner", dir);
	unlink(path);
	if (bpf_map_update_elem(fd, &key, &o, BPF_ANY) || bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	return err;
}

static int owner_fd(const char *dir)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/owner", dir);
	if ((fd = bpf_obj_get(path)) < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_MAP_TYPE_ARRAY ||
	    info.key_size != 4 || info.value_size != sizeof(struct xs_owner)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int xs_owner_read(const char *dir, struct xs_owner *o)
{
	uint32_t key = 0;
	int fd = owner_fd(dir), err = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key, o))
		err = -errno;
	close(fd);
	return err;
}

int xs_owner_keep(const char *dir)
{
	struct xs_owner o;
	uint32_t key = 0;
	int fd = owner_fd(dir), err = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key, &o))
		err = -errno;
	o.state = XS_OWNER_KEPT;
	if (!err && bpf_map_update_elem(fd, &key, &o, BPF_ANY))
		err = -errno;
	close(fd);
	return err;
}

bool xs_owner_stale(const struct xs_owner *o)
{
	uint64_t st;

	if (o->state != XS_OWNER_RUNNING)
		return false;
	return start_time(o->pid, &st) || st != o->start_time;
}
