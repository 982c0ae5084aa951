/* monitor_table.h - a bounded LRU hash table in userspace for the libpcap monitor path.
 *
 * Mirrors what BPF_MAP_TYPE_LRU_HASH gives the XDP path: fixed-size keys and values, at
 * most `max` entries, the least recently used entry evicted to make room, and an insert
 * counter so evictions = inserts - live entries, exactly as for the BPF maps.
 */
#ifndef XSWEEP_MONITOR_TABLE_H
#define XSWEEP_MONITOR_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct xs_lru;

struct xs_lru *xs_lru_new(size_t key_size, size_t val_size, size_t max);
void xs_lru_free(struct xs_lru *t);
/* Value for key, created zeroed (evicting the LRU entry when full) if absent; the entry
 * becomes most recently used. *created tells whether it was new. NULL on ENOMEM.
 */
void *xs_lru_get(struct xs_lru *t, const void *key, int *created);
size_t xs_lru_count(const struct xs_lru *t);
uint64_t xs_lru_inserts(const struct xs_lru *t);
/* Call fn(key, val, arg) for every entry, most recently used first. */
void xs_lru_foreach(const struct xs_lru *t, void (*fn)(const void *key, const void *val, void *arg),
		    void *arg);

#endif
