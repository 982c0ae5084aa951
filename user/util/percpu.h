/* percpu.h - sum one slot of a per-CPU BPF array whose value is a struct of __u64s. */
#ifndef XSWEEP_PERCPU_H
#define XSWEEP_PERCPU_H

#include <stddef.h>
#include <linux/types.h>

/* Look up key in the per-CPU map map_fd and add every CPU's copy, field by field (each
 * value is value_size bytes of __u64 counters) into sum. 0 or -errno (sum then zeroed).
 */
int xs_percpu_sum(int map_fd, __u32 key, void *sum, size_t value_size);

#endif
