/* Bounded reader over untrusted bytes: every read checks what is left. */
#ifndef CYGNET_LIB_RD_H
#define CYGNET_LIB_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p;
	size_t left;
};

static inline struct rd rd_init(const void *p, size_t len)
{
	struct rd r = { .p = p, .left = len };
	return r;
}

bool rd_u8(struct rd *r, uint8_t *out);
bool rd_u16(struct rd *r, uint16_t *out);	/* network order */
bool rd_u24(struct rd *r, uint32_t *out);
bool rd_u32(struct rd *r, uint32_t *out);
bool rd_u64(struct rd *r, uint64_t *out);
/* Copy len bytes out. */
bool rd_copy(struct rd *r, void *out, size_t len);
/* Point at len bytes without copying; *out stays valid as long as the input. */
bool rd_ptr(struct rd *r, size_t len, const uint8_t **out);
/* A bounded sub-reader over the next len bytes (a payload's own view). */
bool rd_sub(struct rd *r, size_t len, struct rd *sub);
bool rd_skip(struct rd *r, size_t len);
/* Take everything that is left. */
struct rd rd_rest(struct rd *r);

#endif
