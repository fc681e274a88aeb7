/* Growable write buffer for building messages. Errors are sticky: after an
 * allocation failure every write is a no-op and wbuf_ok() says false, so a
 * builder checks once at the end instead of after every field. */
#ifndef CYGNET_LIB_WBUF_H
#define CYGNET_LIB_WBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool failed;
};

void wbuf_init(struct wbuf *w);
void wbuf_free(struct wbuf *w);		/* wipes, then frees */
void wbuf_reset(struct wbuf *w);	/* len = 0, keeps memory */
static inline bool wbuf_ok(const struct wbuf *w) { return !w->failed; }

void wbuf_u8(struct wbuf *w, uint8_t v);
void wbuf_u16(struct wbuf *w, uint16_t v);	/* network order */
void wbuf_u24(struct wbuf *w, uint32_t v);
void wbuf_u32(struct wbuf *w, uint32_t v);
void wbuf_u64(struct wbuf *w, uint64_t v);
void wbuf_bytes(struct wbuf *w, const void *p, size_t len);
void wbuf_zero(struct wbuf *w, size_t len);
/* Reserve len bytes, return their offset (for fields patched later). */
size_t wbuf_reserve(struct wbuf *w, size_t len);
void wbuf_put_u16_at(struct wbuf *w, size_t off, uint16_t v);
void wbuf_put_u32_at(struct wbuf *w, size_t off, uint32_t v);
/* Hand the bytes to the caller (who frees them); the wbuf is reset. */
uint8_t *wbuf_steal(struct wbuf *w, size_t *len);

#endif
