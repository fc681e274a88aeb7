#include "lib/mem.h"

#include <stdlib.h>
#include <string.h>

void mem_wipe(void *p, size_t len)
{
	if (p && len)
		explicit_bzero(p, len);
}

void mem_wipe_free(void *p, size_t len)
{
	mem_wipe(p, len);
	free(p);
}

bool mem_equal_ct(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

bool chunk_alloc(struct chunk *c, size_t len)
{
	c->ptr = calloc(1, len ? len : 1);
	c->len = c->ptr ? len : 0;
	return c->ptr != NULL;
}

bool chunk_dup(struct chunk *c, const void *p, size_t len)
{
	if (!chunk_alloc(c, len))
		return false;
	if (len)
		memcpy(c->ptr, p, len);
	return true;
}

bool chunk_cat(struct chunk *c, const struct chunk *a, const struct chunk *b)
{
	if (a->len > SIZE_MAX - b->len || !chunk_alloc(c, a->len + b->len))
		return false;
	if (a->len)
		memcpy(c->ptr, a->ptr, a->len);
	if (b->len)
		memcpy(c->ptr + a->len, b->ptr, b->len);
	return true;
}

void chunk_free(struct chunk *c)
{
	mem_wipe_free(c->ptr, c->len);
	c->ptr = NULL;
	c->len = 0;
}
