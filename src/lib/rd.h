/* Bounded reader over untrusted bytes: every read checks what is left. A
 * number read that fails yields 0 and false. Inline: the datapath parses
 * every packet's headers with it. */
#ifndef CYGNET_LIB_RD_H
#define CYGNET_LIB_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
	const uint8_t *p;
	size_t left;
};

static inline struct rd rd_init(const void *p, size_t len)
{
	struct rd r = { .p = p, .left = len };
	return r;
}

/* Point at len bytes without copying; *out stays valid as long as the input. */
static inline bool rd_ptr(struct rd *r, size_t len, const uint8_t **out)
{
	if (len > r->left)
		return false;
	*out = r->p;
	r->p += len;
	r->left -= len;
	return true;
}

/* Copy len bytes out. */
static inline bool rd_copy(struct rd *r, void *out, size_t len)
{
	const uint8_t *p;

	if (!rd_ptr(r, len, &p))
		return false;
	if (len)
		memcpy(out, p, len);
	return true;
}

static inline bool rd_u8(struct rd *r, uint8_t *out)
{
	const uint8_t *p;

	if (!rd_ptr(r, 1, &p)) {
		*out = 0;
		return false;
	}
	*out = p[0];
	return true;
}

/* Multi-byte reads are in network order. */
static inline bool rd_u16(struct rd *r, uint16_t *out)
{
	const uint8_t *p;

	if (!rd_ptr(r, 2, &p)) {
		*out = 0;
		return false;
	}
	*out = (uint16_t)(p[0] << 8 | p[1]);
	return true;
}

static inline bool rd_u24(struct rd *r, uint32_t *out)
{
	const uint8_t *p;

	if (!rd_ptr(r, 3, &p)) {
		*out = 0;
		return false;
	}
	*out = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	return true;
}

static inline bool rd_u32(struct rd *r, uint32_t *out)
{
	const uint8_t *p;

	if (!rd_ptr(r, 4, &p)) {
		*out = 0;
		return false;
	}
	*out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return true;
}

/* All or nothing: a short read leaves the reader where it was. */
static inline bool rd_u64(struct rd *r, uint64_t *out)
{
	const uint8_t *p;
	uint32_t hi, lo;

	if (!rd_ptr(r, 8, &p)) {
		*out = 0;
		return false;
	}
	hi = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	lo = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	*out = (uint64_t)hi << 32 | lo;
	return true;
}

/* A bounded sub-reader over the next len bytes (a payload's own view). */
static inline bool rd_sub(struct rd *r, size_t len, struct rd *sub)
{
	const uint8_t *p;

	if (!rd_ptr(r, len, &p))
		return false;
	*sub = rd_init(p, len);
	return true;
}

static inline bool rd_skip(struct rd *r, size_t len)
{
	const uint8_t *p;

	return rd_ptr(r, len, &p);
}

/* Take everything that is left. */
static inline struct rd rd_rest(struct rd *r)
{
	struct rd rest = *r;

	if (r->left)	/* p may be NULL for an empty reader */
		r->p += r->left;
	r->left = 0;
	return rest;
}

#endif
