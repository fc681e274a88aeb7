/* Header and payload-chain parsing: the generic payload header walk, the
 * critical bit, SK/SKF placement and the limits on the chain. */
#include "ike/msg.h"

#include <string.h>

#include "ike/names.h"
#include "ike/payload.h"
#include "lib/rd.h"

enum ike_err_code ike_header_parse(const uint8_t *dgram, size_t len,
				   struct ike_header *h, struct ike_err *err)
{
	struct rd r = rd_init(dgram, len);

	if (len < IKE_HDR_LEN)
		return ike_err_set(err, IKE_ERR_HEADER, 0,
				   "header: datagram of %zu bytes, need %d",
				   len, IKE_HDR_LEN);
	rd_u64(&r, &h->spi_i);
	rd_u64(&r, &h->spi_r);
	rd_u8(&r, &h->next);
	rd_u8(&r, &h->version);
	rd_u8(&r, &h->exchange);
	rd_u8(&r, &h->flags);
	rd_u32(&r, &h->msg_id);
	rd_u32(&r, &h->length);
	/* RFC 7296 2.5: a different major version gets INVALID_MAJOR_VERSION;
	 * the minor version is ignored. */
	if (h->version >> 4 != 2)
		return ike_err_set(err, IKE_ERR_VERSION, 0,
				   "header: IKE version %u.%u, need 2.x",
				   h->version >> 4, h->version & 0xf);
	if (h->length != len)
		return ike_err_set(err, IKE_ERR_HEADER, 0,
				   "header: length field %u, datagram %zu bytes",
				   h->length, len);
	return IKE_OK;
}

/* Walk a chain starting with payload type 'next' over r. 'base' is where r
 * started (offsets are relative to the buffer r came from, plus 'base_off').
 * Outer chains end at SK/SKF; inner chains may not contain them. */
static enum ike_err_code parse_chain(struct ike_msg *m, uint8_t next,
				     struct rd *r, size_t base_off,
				     bool inner, struct ike_err *err)
{
	const size_t total = r->left;
	const bool request = !(m->hdr.flags & IKE_FLAG_RESPONSE);
	enum ike_err_code rc;

	while (next != PL_NONE) {
		const uint8_t type = next;
		const size_t off = base_off + (total - r->left);
		struct ike_payload *p;
		uint8_t flags;
		uint16_t len;
		struct rd body;

		if (r->left < IKE_GENERIC_HDR_LEN)
			return ike_err_set(err, IKE_ERR_SYNTAX, type,
					   "%s: payload header at offset %zu truncated (%zu bytes left)",
					   ike_payload_short_name(type), off, r->left);
		rd_u8(r, &next);
		rd_u8(r, &flags);
		rd_u16(r, &len);
		if (len < IKE_GENERIC_HDR_LEN)
			return ike_err_set(err, IKE_ERR_SYNTAX, type,
					   "%s: payload length %u < 4 at offset %zu",
					   ike_payload_short_name(type), len, off);
		if (!rd_sub(r, len - 4u, &body))
			return ike_err_set(err, IKE_ERR_SYNTAX, type,
					   "%s: payload length %u exceeds remaining %zu bytes",
					   ike_payload_short_name(type), len,
					   r->left + 4);
		if (!payload_known(type)) {
			/* RFC 7296 2.5: skip unless the sender marked it
			 * critical; then the whole message is refused. */
			if (flags & IKE_PAYLOAD_CRITICAL)
				return ike_err_set(err, IKE_ERR_CRITICAL, type,
						   "unsupported critical payload type %u",
						   type);
			m->skipped++;
			continue;
		}
		if (m->npl >= IKE_MAX_PAYLOADS)
			return ike_err_set(err, IKE_ERR_LIMIT, type,
					   "more than %d payloads",
					   IKE_MAX_PAYLOADS);
		if (inner && (type == PL_SK || type == PL_SKF))
			return ike_err_set(err, IKE_ERR_SYNTAX, type,
					   "%s inside an encrypted payload",
					   ike_payload_short_name(type));
		p = &m->pl[m->npl];
		memset(p, 0, sizeof(*p));
		p->type = type;
		p->critical = flags & IKE_PAYLOAD_CRITICAL;
		p->inner = inner;
		p->offset = off;
		p->body = (struct ike_bytes){ body.p, body.left };
		rc = payload_parse_body(m, p, &body, request, err);
		if (rc)
			return rc;
		m->npl++;
		if (type == PL_SK || type == PL_SKF) {
			/* RFC 7296 3.14, RFC 7383 2.5: the last payload; its
			 * next-payload field names the first inner one. */
			if (r->left)
				return ike_err_set(err, IKE_ERR_SYNTAX, type,
						   "%s is not the last payload: %zu bytes follow",
						   ike_payload_short_name(type), r->left);
			if (type == PL_SK) {
				p->sk.inner_next = next;
				p->sk.aad_len = off + IKE_GENERIC_HDR_LEN;
			} else {
				if (p->skf.frag_num != 1 && next != PL_NONE)
					return ike_err_set(err, IKE_ERR_SYNTAX, type,
							   "SKF: fragment %u has next payload %u (must be 0)",
							   p->skf.frag_num, next);
				p->skf.inner_next = next;
				p->skf.aad_len = off + IKE_SKF_HDR_LEN;
			}
			return IKE_OK;
		}
	}
	if (r->left)
		return ike_err_set(err, IKE_ERR_SYNTAX, 0,
				   "payload chain ends with %zu bytes left over",
				   r->left);
	return IKE_OK;
}

enum ike_err_code ike_msg_parse(struct ike_msg *m, const uint8_t *dgram,
				size_t len, struct ike_err *err)
{
	struct rd r;
	enum ike_err_code rc;

	ike_msg_init(m);
	memset(err, 0, sizeof(*err));
	rc = ike_header_parse(dgram, len, &m->hdr, err);
	if (rc)
		return rc;
	m->raw = (struct ike_bytes){ dgram, len };
	r = rd_init(dgram + IKE_HDR_LEN, len - IKE_HDR_LEN);
	return parse_chain(m, m->hdr.next, &r, IKE_HDR_LEN, false, err);
}

enum ike_err_code ike_msg_parse_inner(struct ike_msg *m, uint8_t first,
				      const uint8_t *buf, size_t len,
				      struct ike_err *err)
{
	const size_t npl = m->npl;
	const unsigned skipped = m->skipped;
	struct rd r = rd_init(buf, len);
	enum ike_err_code rc;

	memset(err, 0, sizeof(*err));
	rc = parse_chain(m, first, &r, 0, true, err);
	if (rc) {
		m->npl = npl;
		m->skipped = skipped;
	} else {
		m->decrypted = true;
	}
	return rc;
}
