#include "lib/wbuf.h"

#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

void wbuf_init(struct wbuf *w)
{
	memset(w, 0, sizeof(*w));
}

void wbuf_free(struct wbuf *w)
{
	mem_wipe_free(w->p, w->cap);
	wbuf_init(w);
}

void wbuf_reset(struct wbuf *w)
{
	w->len = 0;
	w->failed = false;
}

static bool wbuf_grow(struct wbuf *w, size_t more)
{
	size_t need, cap;
	uint8_t *p;

	if (w->failed)
		return false;
	if (more > SIZE_MAX - w->len)
		goto fail;
	need = w->len + more;
	if (need <= w->cap)
		return true;
	cap = w->cap ? w->cap : 256;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	/* realloc could leave key material behind in the old block */
	p = malloc(cap);
	if (!p)
		goto fail;
	if (w->len)
		memcpy(p, w->p, w->len);
	mem_wipe_free(w->p, w->cap);
	w->p = p;
	w->cap = cap;
	return true;
fail:
	w->failed = true;
	return false;
}

void wbuf_bytes(struct wbuf *w, const void *p, size_t len)
{
	if (!len || !wbuf_grow(w, len))
		return;
	memcpy(w->p + w->len, p, len);
	w->len += len;
}

void wbuf_zero(struct wbuf *w, size_t len)
{
	if (!len || !wbuf_grow(w, len))
		return;
	memset(w->p + w->len, 0, len);
	w->len += len;
}

void wbuf_u8(struct wbuf *w, uint8_t v)
{
	wbuf_bytes(w, &v, 1);
}

void wbuf_u16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v & 0xff };

	wbuf_bytes(w, b, sizeof(b));
}

void wbuf_u24(struct wbuf *w, uint32_t v)
{
	uint8_t b[3] = { (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

	wbuf_bytes(w, b, sizeof(b));
}

void wbuf_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

	wbuf_bytes(w, b, sizeof(b));
}

void wbuf_u64(struct wbuf *w, uint64_t v)
{
	wbuf_u32(w, (uint32_t)(v >> 32));
	wbuf_u32(w, (uint32_t)v);
}

size_t wbuf_reserve(struct wbuf *w, size_t len)
{
	size_t off = w->len;

	wbuf_zero(w, len);
	return off;
}

void wbuf_put_u16_at(struct wbuf *w, size_t off, uint16_t v)
{
	if (w->failed || off > w->len || w->len - off < 2)
		return;
	w->p[off] = v >> 8;
	w->p[off + 1] = v & 0xff;
}

void wbuf_put_u32_at(struct wbuf *w, size_t off, uint32_t v)
{
	if (w->failed || off > w->len || w->len - off < 4)
		return;
	w->p[off] = v >> 24;
	w->p[off + 1] = (v >> 16) & 0xff;
	w->p[off + 2] = (v >> 8) & 0xff;
	w->p[off + 3] = v & 0xff;
}

uint8_t *wbuf_steal(struct wbuf *w, size_t *len)
{
	uint8_t *p = w->failed ? NULL : w->p;

	*len = w->failed ? 0 : w->len;
	if (w->failed)
		mem_wipe_free(w->p, w->cap);
	wbuf_init(w);
	return p;
}
