/* Message and chain serialization, and the header + SK/SKF header helpers
 * the SK layer writes encrypted messages with. */
#include "ike/msg.h"

#include <string.h>

#include "ike/names.h"
#include "ike/payload.h"

#define NO_OFF SIZE_MAX

static void put_u8_at(struct wbuf *w, size_t off, uint8_t v)
{
	if (wbuf_ok(w) && off < w->len)
		w->p[off] = v;
}

static enum ike_err_code nomem(struct ike_err *err)
{
	return ike_err_set(err, IKE_ERR_NOMEM, 0, "out of memory");
}

/* Write payloads as one chain. prev_next: offset of the next-payload byte
 * to point at the first payload (the IKE header's), or NO_OFF, then the
 * first type goes to *first. outer: skip inner payloads, allow SK/SKF as
 * the last one; else: write everything but SK/SKF. */
static enum ike_err_code write_chain(const struct ike_msg *m, struct wbuf *w,
				     size_t prev_next, uint8_t *first,
				     bool outer, struct ike_err *err)
{
	enum ike_err_code rc;
	bool ended = false;
	size_t i;

	if (first)
		*first = PL_NONE;
	for (i = 0; i < m->npl; i++) {
		const struct ike_payload *p = &m->pl[i];
		const bool enc = p->type == PL_SK || p->type == PL_SKF;
		size_t off;

		if (outer ? p->inner : enc)
			continue;
		if (ended)
			return ike_err_set(err, IKE_ERR_BUILD, p->type,
					   "%s after the encrypted payload",
					   ike_payload_short_name(p->type));
		if (prev_next == NO_OFF && first)
			*first = p->type;
		else
			put_u8_at(w, prev_next, p->type);
		off = w->len;
		prev_next = off;
		wbuf_u8(w, PL_NONE);
		wbuf_u8(w, p->critical ? IKE_PAYLOAD_CRITICAL : 0);
		wbuf_u16(w, 0);
		rc = payload_write_body(p, w, err);
		if (rc)
			return rc;
		if (!wbuf_ok(w))
			return nomem(err);
		if (w->len - off > UINT16_MAX)
			return ike_err_set(err, IKE_ERR_BUILD, p->type,
					   "%s: payload of %zu bytes",
					   ike_payload_short_name(p->type),
					   w->len - off);
		wbuf_put_u16_at(w, off + 2, (uint16_t)(w->len - off));
		if (enc) {
			put_u8_at(w, off, p->type == PL_SK ? p->sk.inner_next
					: p->skf.frag_num == 1 ? p->skf.inner_next
					: PL_NONE);
			ended = true;
		}
	}
	return wbuf_ok(w) ? IKE_OK : nomem(err);
}

/* Header with the length patched by the caller; returns the offset of the
 * header's next-payload byte. */
static size_t write_header(const struct ike_header *h, uint8_t next,
			   uint32_t length, struct wbuf *w)
{
	size_t next_off;

	wbuf_u64(w, h->spi_i);
	wbuf_u64(w, h->spi_r);
	next_off = w->len;
	wbuf_u8(w, next);
	wbuf_u8(w, IKE_VERSION_2_0);
	wbuf_u8(w, h->exchange);
	wbuf_u8(w, h->flags);
	wbuf_u32(w, h->msg_id);
	wbuf_u32(w, length);
	return next_off;
}

enum ike_err_code ike_msg_write(const struct ike_msg *m, struct wbuf *w,
				struct ike_err *err)
{
	size_t start = w->len, next_off;
	enum ike_err_code rc;

	memset(err, 0, sizeof(*err));
	next_off = write_header(&m->hdr, PL_NONE, 0, w);
	rc = write_chain(m, w, next_off, NULL, true, err);
	if (rc)
		return rc;
	if (w->len - start > UINT32_MAX)
		return ike_err_set(err, IKE_ERR_BUILD, 0, "message too long");
	wbuf_put_u32_at(w, start + 24, (uint32_t)(w->len - start));
	return wbuf_ok(w) ? IKE_OK : nomem(err);
}

enum ike_err_code ike_msg_write_chain(const struct ike_msg *m, struct wbuf *w,
				      uint8_t *first, struct ike_err *err)
{
	memset(err, 0, sizeof(*err));
	return write_chain(m, w, NO_OFF, first, false, err);
}

enum ike_err_code ike_msg_write_sk_header(const struct ike_header *h,
					  uint8_t inner_first, size_t body_len,
					  struct wbuf *w, struct ike_err *err)
{
	memset(err, 0, sizeof(*err));
	if (!body_len || body_len > UINT16_MAX - IKE_GENERIC_HDR_LEN)
		return ike_err_set(err, IKE_ERR_BUILD, PL_SK,
				   "SK: body of %zu bytes", body_len);
	write_header(h, PL_SK,
		     (uint32_t)(IKE_HDR_LEN + IKE_GENERIC_HDR_LEN + body_len), w);
	wbuf_u8(w, inner_first);
	wbuf_u8(w, 0);
	wbuf_u16(w, (uint16_t)(IKE_GENERIC_HDR_LEN + body_len));
	return wbuf_ok(w) ? IKE_OK : nomem(err);
}

enum ike_err_code ike_msg_write_skf_header(const struct ike_header *h,
					   uint8_t inner_first,
					   uint16_t frag_num, uint16_t total,
					   size_t body_len, struct wbuf *w,
					   struct ike_err *err)
{
	memset(err, 0, sizeof(*err));
	if (!body_len || body_len > UINT16_MAX - IKE_SKF_HDR_LEN)
		return ike_err_set(err, IKE_ERR_BUILD, PL_SKF,
				   "SKF: body of %zu bytes", body_len);
	if (!total || total > IKE_MAX_FRAGMENTS || !frag_num ||
	    frag_num > total)
		return ike_err_set(err, IKE_ERR_BUILD, PL_SKF,
				   "SKF: fragment %u of %u", frag_num, total);
	write_header(h, PL_SKF,
		     (uint32_t)(IKE_HDR_LEN + IKE_SKF_HDR_LEN + body_len), w);
	wbuf_u8(w, frag_num == 1 ? inner_first : PL_NONE);
	wbuf_u8(w, 0);
	wbuf_u16(w, (uint16_t)(IKE_SKF_HDR_LEN + body_len));
	wbuf_u16(w, frag_num);
	wbuf_u16(w, total);
	return wbuf_ok(w) ? IKE_OK : nomem(err);
}
