/* monitor_table.c - bounded LRU hash table (chained buckets + LRU list over one node pool). */
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor_table.h"

#define NIL UINT32_MAX
#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

struct node {
	uint32_t hnext;		/* next node in the bucket chain */
	uint32_t prev, next;	/* LRU list: head = most recent */
	uint32_t bucket;
};

struct xs_lru {
	size_t key_size, val_size, val_off, max, n, node_size;
	uint32_t nbuckets, head, tail, free_next;
	uint64_t inserts;
	uint32_t *buckets;
	unsigned char *nodes;	/* max nodes: struct node, key, value */
};

static struct node *N(const struct xs_lru *t, uint32_t i)
{
	return (struct node *)(t->nodes + (size_t)i * t->node_size);
}

static void *K(const struct xs_lru *t, uint32_t i)
{
	return (unsigned char *)N(t, i) + sizeof(struct node);
}

static void *V(const struct xs_lru *t, uint32_t i)
{
	return (unsigned char *)N(t, i) + t->val_off;
}

/* FNV-1a over the key bytes. */
static uint32_t hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

struct xs_lru *xs_lru_new(size_t key_size, size_t val_size, size_t max)
{
	struct xs_lru *t;

	if (!max || max >= NIL)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->key_size = key_size;
	t->val_size = val_size;
	t->max = max;
	/* Keys and values are made of __u64/__u32 fields: both start 8-byte aligned. */
	t->val_off = ALIGN8(sizeof(struct node) + key_size);
	t->node_size = ALIGN8(t->val_off + val_size);
	t->nbuckets = 1;
	while (t->nbuckets < max && t->nbuckets < (1u << 30))
		t->nbuckets <<= 1;
	t->head = t->tail = NIL;
	t->buckets = malloc(sizeof(*t->buckets) * t->nbuckets);
	t->nodes = calloc(max, t->node_size);
	if (!t->buckets || !t->nodes) {
		xs_lru_free(t);
		return NULL;
	}
	memset(t->buckets, 0xff, sizeof(*t->buckets) * t->nbuckets);
	return t;
}

void xs_lru_free(struct xs_lru *t)
{
	if (!t)
		return;
	free(t->buckets);
	free(t->nodes);
	free(t);
}

static void lru_unlink(struct xs_lru *t, uint32_t i)
{
	struct node *n = N(t, i);

	if (n->prev != NIL)
		N(t, n->prev)->next = n->next;
	else
		t->head = n->next;
	if (n->next != NIL)
		N(t, n->next)->prev = n->prev;
	else
		t->tail = n->prev;
}

static void lru_push_head(struct xs_lru *t, uint32_t i)
{
	struct node *n = N(t, i);

	n->prev = NIL;
	n->next = t->head;
	if (t->head != NIL)
		N(t, t->head)->prev = i;
	t->head = i;
	if (t->tail == NIL)
		t->tail = i;
}

static void bucket_remove(struct xs_lru *t, uint32_t i)
{
	uint32_t *pp = &t->buckets[N(t, i)->bucket];

	while (*pp != i)
		pp = &N(t, *pp)->hnext;
	*pp = N(t, i)->hnext;
}

void *xs_lru_get(struct xs_lru *t, const void *key, int *created)
{
	uint32_t b = hash(key, t->key_size) & (t->nbuckets - 1);
	uint32_t i;

	*created = 0;
	for (i = t->buckets[b]; i != NIL; i = N(t, i)->hnext) {
		if (!memcmp(K(t, i), key, t->key_size)) {
			lru_unlink(t, i);
			lru_push_head(t, i);
			return V(t, i);
		}
	}
	if (t->n < t->max) {
		i = (uint32_t)t->n++;
	} else {
		/* Full: reuse the least recently used node. */
		i = t->tail;
		lru_unlink(t, i);
		bucket_remove(t, i);
	}
	memcpy(K(t, i), key, t->key_size);
	memset(V(t, i), 0, t->val_size);
	N(t, i)->bucket = b;
	N(t, i)->hnext = t->buckets[b];
	t->buckets[b] = i;
	lru_push_head(t, i);
	t->inserts++;
	*created = 1;
	return V(t, i);
}

size_t xs_lru_count(const struct xs_lru *t)
{
	return t->n;
}

uint64_t xs_lru_inserts(const struct xs_lru *t)
{
	return t->inserts;
}

void xs_lru_foreach(const struct xs_lru *t, void (*fn)(const void *key, const void *val, void *arg),
		    void *arg)
{
	for (uint32_t i = t->head; i != NIL; i = N(t, i)->next)
		fn(K(t, i), V(t, i), arg);
}
