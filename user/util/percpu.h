/* percpu.h - read pinned or loaded BPF maps safely: shape checks, per-CPU sums, mmap. */
#ifndef XSWEEP_PERCPU_H
#define XSWEEP_PERCPU_H

#include <stddef.h>
#include <linux/types.h>

/* 0 when map_fd is a map of this type with these key and value sizes; -EINVAL if not
 * (what a reader must check before trusting a pinned map with its buffers), or -errno.
 */
int xs_map_check(int map_fd, __u32 type, __u32 key_size, __u32 value_size);

/* Look up key in the per-CPU array map_fd and add every CPU's copy, field by field (each
 * value is value_size bytes of __u64 counters) into sum. The map's shape is checked
 * first. 0 or -errno (sum then zeroed).
 */
int xs_percpu_sum(int map_fd, __u32 key, void *sum, size_t value_size);

struct bpf_map;

/* Map the values of a loaded BPF_F_MMAPABLE array (8-byte strided, whole pages) read and
 * write; *sz is the mapping's length. NULL with errno set on failure. */
void *xs_map_mmap(struct bpf_map *map, size_t *sz);

#endif
