/* percpu.c - BPF map helpers: shape checks, per-CPU counter sums, mmap (see percpu.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util/percpu.h"

int xs_map_check(int map_fd, __u32 type, __u32 key_size, __u32 value_size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	if (info.type != type || info.key_size != key_size || info.value_size != value_size)
		return -EINVAL;
	return 0;
}

int xs_percpu_sum(int map_fd, __u32 key, void *sum, size_t value_size)
{
	/* The kernel lays per-CPU values out 8-byte aligned, one after the other. */
	size_t stride = (value_size + 7) & ~(size_t)7, nf = value_size / sizeof(__u64);
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals, *out = sum;
	int err = 0;

	memset(sum, 0, value_size);
	if (value_size % sizeof(__u64))
		return -EINVAL;
	if (ncpu < 1)
		return ncpu < 0 ? ncpu : -EINVAL;
	err = xs_map_check(map_fd, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(key), (__u32)value_size);
	if (err)
		return err;
	vals = calloc((size_t)ncpu, stride);
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, &key, vals)) {
		err = -errno;
		goto out;
	}
	for (int c = 0; c < ncpu; c++) {
		const __u64 *v = (const __u64 *)((const char *)vals + (size_t)c * stride);

		for (size_t i = 0; i < nf; i++)
			out[i] += v[i];
	}
out:
	free(vals);
	return err;
}

void *xs_map_mmap(struct bpf_map *map, size_t *sz)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (size_t)((bpf_map__value_size(map) + 7) & ~7u) * bpf_map__max_entries(map);
	void *p;

	*sz = (len + page - 1) / page * page;
	p = mmap(NULL, *sz, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(map), 0);
	return p == MAP_FAILED ? NULL : p;
}
