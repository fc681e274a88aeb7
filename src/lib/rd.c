#include "lib/rd.h"

#include <string.h>

bool rd_ptr(struct rd *r, size_t len, const uint8_t **out)
{
	if (len > r->left)
		return false;
	*out = r->p;
	r->p += len;
	r->left -= len;
	return true;
}

bool rd_copy(struct rd *r, void *out, size_t len)
{
	const uint8_t *p;

	if (!rd_ptr(r, len, &p))
		return false;
	if (len)
		memcpy(out, p, len);
	return true;
}

bool rd_u8(struct rd *r, uint8_t *out)
{
	return rd_copy(r, out, 1);
}

bool rd_u16(struct rd *r, uint16_t *out)
{
	const uint8_t *p;

	if (!rd_ptr(r, 2, &p))
		return false;
	*out = (uint16_t)(p[0] << 8 | p[1]);
	return true;
}

bool rd_u24(struct rd *r, uint32_t *out)
{
	const uint8_t *p;

	if (!rd_ptr(r, 3, &p))
		return false;
	*out = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	return true;
}

bool rd_u32(struct rd *r, uint32_t *out)
{
	const uint8_t *p;

	if (!rd_ptr(r, 4, &p))
		return false;
	*out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
	return true;
}

bool rd_u64(struct rd *r, uint64_t *out)
{
	uint32_t hi, lo;
	struct rd save = *r;

	if (!rd_u32(r, &hi) || !rd_u32(r, &lo)) {
		*r = save;
		return false;
	}
	*out = (uint64_t)hi << 32 | lo;
	return true;
}

bool rd_sub(struct rd *r, size_t len, struct rd *sub)
{
	const uint8_t *p;

	if (!rd_ptr(r, len, &p))
		return false;
	*sub = rd_init(p, len);
	return true;
}

bool rd_skip(struct rd *r, size_t len)
{
	const uint8_t *p;

	return rd_ptr(r, len, &p);
}

struct rd rd_rest(struct rd *r)
{
	struct rd rest = *r;

	if (r->left)	/* p may be NULL for an empty reader */
		r->p += r->left;
	r->left = 0;
	return rest;
}
