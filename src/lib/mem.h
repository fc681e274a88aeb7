/* Memory that may hold secrets, and byte chunks. */
#ifndef CYGNET_LIB_MEM_H
#define CYGNET_LIB_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A counted run of bytes owned by whoever holds it. */
struct chunk {
	uint8_t *ptr;
	size_t len;
};

void mem_wipe(void *p, size_t len);
void mem_wipe_free(void *p, size_t len);
/* Constant-time comparison for MACs and secrets. */
bool mem_equal_ct(const void *a, const void *b, size_t len);

bool chunk_alloc(struct chunk *c, size_t len);		/* zeroed */
bool chunk_dup(struct chunk *c, const void *p, size_t len);
bool chunk_cat(struct chunk *c, const struct chunk *a, const struct chunk *b);
void chunk_free(struct chunk *c);	/* always wipes: a chunk may hold keys */
static inline bool chunk_equal(const struct chunk *a, const struct chunk *b);

#include <string.h>
static inline bool chunk_equal(const struct chunk *a, const struct chunk *b)
{
	return a->len == b->len && (!a->len || memcmp(a->ptr, b->ptr, a->len) == 0);
}

#endif
