/* Writers for each payload body: the mirror of payload_parse.c. A writer
 * refuses (IKE_ERR_BUILD) what the parser would refuse, so everything it
 * writes parses again. */
#include "ike/payload.h"

#include "ike/names.h"

#define PNAME(p) ike_payload_short_name((p)->type)

/* Patch a 16-bit length at off with the bytes written since off. */
static bool patch_len16(struct wbuf *w, size_t off)
{
	size_t len = w->len - off;

	if (!wbuf_ok(w))
		return true;	/* reported by the caller's wbuf_ok() check */
	if (len > UINT16_MAX)
		return false;
	wbuf_put_u16_at(w, off + 2, (uint16_t)len);
	return true;
}

static enum ike_err_code write_transform(const struct ike_payload *p,
					 const struct ike_transform *t,
					 bool last, struct wbuf *w,
					 struct ike_err *err)
{
	size_t off = w->len, i;

	if (t->nattrs > IKE_MAX_ATTRS)
		return ike_err_set(err, IKE_ERR_BUILD, p->type,
				   "SA: transform with %zu attributes (limit %d)",
				   t->nattrs, IKE_MAX_ATTRS);
	wbuf_u8(w, last ? 0 : 3);
	wbuf_u8(w, 0);
	wbuf_u16(w, 0);
	wbuf_u8(w, t->type);
	wbuf_u8(w, 0);
	wbuf_u16(w, t->id);
	for (i = 0; i < t->nattrs; i++) {
		const struct ike_attr *a = &t->attrs[i];

		if (a->type > 0x7fff || a->data.len > UINT16_MAX ||
		    (a->type == TRANS_ATTR_KEY_LENGTH && !a->tv))
			return ike_err_set(err, IKE_ERR_BUILD, p->type,
					   "SA: invalid transform attribute %u",
					   a->type);
		if (a->tv) {
			wbuf_u16(w, (uint16_t)(0x8000 | a->type));
			wbuf_u16(w, a->value);
		} else {
			wbuf_u16(w, a->type);
			wbuf_u16(w, (uint16_t)a->data.len);
			wbuf_bytes(w, a->data.ptr, a->data.len);
		}
	}
	if (!t->nattrs && t->key_length) {
		wbuf_u16(w, 0x8000 | TRANS_ATTR_KEY_LENGTH);
		wbuf_u16(w, t->key_length);
	}
	if (!patch_len16(w, off))
		return ike_err_set(err, IKE_ERR_BUILD, p->type,
				   "SA: transform longer than 65535 bytes");
	return IKE_OK;
}

static enum ike_err_code write_sa(const struct ike_payload *p, struct wbuf *w,
				  struct ike_err *err)
{
	const struct ike_pl_sa *sa = &p->sa;
	enum ike_err_code rc;
	size_t i, j;

	if (!sa->nproposals || sa->nproposals > IKE_MAX_PROPOSALS)
		return ike_err_set(err, IKE_ERR_BUILD, p->type,
				   "SA: %zu proposals (must be 1..%d)",
				   sa->nproposals, IKE_MAX_PROPOSALS);
	for (i = 0; i < sa->nproposals; i++) {
		const struct ike_proposal *pr = &sa->proposals[i];
		size_t off = w->len;

		if (pr->spi.len != 0 && pr->spi.len != 4 && pr->spi.len != 8)
			return ike_err_set(err, IKE_ERR_BUILD, p->type,
					   "SA: proposal %u SPI size %zu",
					   pr->num, pr->spi.len);
		if (!pr->ntransforms || pr->ntransforms > IKE_MAX_TRANSFORMS ||
		    !pr->num)
			return ike_err_set(err, IKE_ERR_BUILD, p->type,
					   "SA: proposal %u with %zu transforms",
					   pr->num, pr->ntransforms);
		wbuf_u8(w, i + 1 < sa->nproposals ? 2 : 0);
		wbuf_u8(w, 0);
		wbuf_u16(w, 0);
		wbuf_u8(w, pr->num);
		wbuf_u8(w, pr->protocol);
		wbuf_u8(w, (uint8_t)pr->spi.len);
		wbuf_u8(w, (uint8_t)pr->ntransforms);
		wbuf_bytes(w, pr->spi.ptr, pr->spi.len);
		for (j = 0; j < pr->ntransforms; j++) {
			rc = write_transform(p, &pr->transforms[j],
					     j + 1 == pr->ntransforms, w, err);
			if (rc)
				return rc;
		}
		if (!patch_len16(w, off))
			return ike_err_set(err, IKE_ERR_BUILD, p->type,
					   "SA: proposal longer than 65535 bytes");
	}
	return IKE_OK;
}

static enum ike_err_code write_ts(const struct ike_payload *p, struct wbuf *w,
				  struct ike_err *err)
{
	size_t i;

	if (p->ts.nts > IKE_MAX_TS)
		return ike_err_set(err, IKE_ERR_BUILD, p->type,
				   "%s: %zu selectors (limit %d)", PNAME(p),
				   p->ts.nts, IKE_MAX_TS);
	wbuf_u8(w, (uint8_t)p->ts.nts);
	wbuf_zero(w, 3);
	for (i = 0; i < p->ts.nts; i++) {
		const struct ike_ts *ts = &p->ts.ts[i];
		size_t alen = ike_ts_addr_len(ts->type);

		wbuf_u8(w, ts->type);
		wbuf_u8(w, ts->ip_proto);
		if (!alen) {
			if (ts->raw.len < 4 || ts->raw.len > UINT16_MAX - 4)
				return ike_err_set(err, IKE_ERR_BUILD, p->type,
						   "%s: selector %zu of unknown type with %zu bytes",
						   PNAME(p), i + 1, ts->raw.len);
			wbuf_u16(w, (uint16_t)(4 + ts->raw.len));
			wbuf_bytes(w, ts->raw.ptr, ts->raw.len);
			continue;
		}
		wbuf_u16(w, (uint16_t)(8 + 2 * alen));
		wbuf_u16(w, ts->start_port);
		wbuf_u16(w, ts->end_port);
		wbuf_bytes(w, ts->start, alen);
		wbuf_bytes(w, ts->end, alen);
	}
	return IKE_OK;
}

static enum ike_err_code write_cp(const struct ike_payload *p, struct wbuf *w,
				  struct ike_err *err)
{
	size_t i;

	if (p->cp.nattrs > IKE_MAX_CP_ATTRS)
		return ike_err_set(err, IKE_ERR_BUILD, p->type,
				   "CP: %zu attributes (limit %d)", p->cp.nattrs,
				   IKE_MAX_CP_ATTRS);
	wbuf_u8(w, p->cp.cfg_type);
	wbuf_zero(w, 3);
	for (i = 0; i < p->cp.nattrs; i++) {
		const struct ike_cp_attr *a = &p->cp.attrs[i];

		if (a->type > 0x7fff || a->value.len > UINT16_MAX)
			return ike_err_set(err, IKE_ERR_BUILD, p->type,
					   "CP: invalid attribute %u", a->type);
		wbuf_u16(w, a->type);
		wbuf_u16(w, (uint16_t)a->value.len);
		wbuf_bytes(w, a->value.ptr, a->value.len);
	}
	return IKE_OK;
}

static enum ike_err_code write_delete(const struct ike_payload *p,
				      struct wbuf *w, struct ike_err *err)
{
	const struct ike_pl_delete *d = &p->del;
	bool ok = d->nspis <= IKE_MAX_DELETE_SPIS &&
		  d->spi_size <= IKE_MAX_SPI_LEN &&
		  (size_t)d->nspis * d->spi_size == d->spis.len;

	if (d->protocol == PROTO_IKE)
		ok = ok && !d->spi_size && !d->nspis;
	if (d->protocol == PROTO_ESP || d->protocol == PROTO_AH)
		ok = ok && d->spi_size == 4;
	if (!ok)
		return ike_err_set(err, IKE_ERR_BUILD, p->type,
				   "D: protocol %u, %u SPIs of %u bytes in %zu bytes",
				   d->protocol, d->nspis, d->spi_size, d->spis.len);
	wbuf_u8(w, d->protocol);
	wbuf_u8(w, d->spi_size);
	wbuf_u16(w, d->nspis);
	wbuf_bytes(w, d->spis.ptr, d->spis.len);
	return IKE_OK;
}

static void write_type_data(struct wbuf *w, uint8_t type,
			    const struct ike_bytes *data)
{
	wbuf_u8(w, type);
	wbuf_zero(w, 3);
	wbuf_bytes(w, data->ptr, data->len);
}

enum ike_err_code payload_write_body(const struct ike_payload *p,
				     struct wbuf *w, struct ike_err *err)
{
	const struct ike_bytes *d = &p->data.data;

	switch (p->type) {
	case PL_SA:
		return write_sa(p, w, err);
	case PL_KE:
		if (!p->ke.data.len)
			return ike_err_set(err, IKE_ERR_BUILD, p->type,
					   "KE: empty key exchange data");
		wbuf_u16(w, p->ke.group);
		wbuf_u16(w, 0);
		wbuf_bytes(w, p->ke.data.ptr, p->ke.data.len);
		return IKE_OK;
	case PL_IDI:
	case PL_IDR:
		write_type_data(w, p->id.type, &p->id.data);
		return IKE_OK;
	case PL_AUTH:
		write_type_data(w, p->auth.method, &p->auth.data);
		return IKE_OK;
	case PL_CERT:
	case PL_CERTREQ:
		wbuf_u8(w, p->cert.encoding);
		wbuf_bytes(w, p->cert.data.ptr, p->cert.data.len);
		return IKE_OK;
	case PL_NONCE:
		if (d->len < IKE_NONCE_MIN || d->len > IKE_NONCE_MAX)
			return ike_err_set(err, IKE_ERR_BUILD, p->type,
					   "No: nonce length %zu", d->len);
		wbuf_bytes(w, d->ptr, d->len);
		return IKE_OK;
	case PL_NOTIFY:
		if (p->notify.spi.len > IKE_MAX_SPI_LEN)
			return ike_err_set(err, IKE_ERR_BUILD, p->type,
					   "N: SPI size %zu", p->notify.spi.len);
		wbuf_u8(w, p->notify.protocol);
		wbuf_u8(w, (uint8_t)p->notify.spi.len);
		wbuf_u16(w, p->notify.type);
		wbuf_bytes(w, p->notify.spi.ptr, p->notify.spi.len);
		wbuf_bytes(w, p->notify.data.ptr, p->notify.data.len);
		return IKE_OK;
	case PL_DELETE:
		return write_delete(p, w, err);
	case PL_TSI:
	case PL_TSR:
		return write_ts(p, w, err);
	case PL_CP:
		return write_cp(p, w, err);
	case PL_EAP:
		if (d->len < 4 || d->len > UINT16_MAX ||
		    (size_t)(d->ptr[2] << 8 | d->ptr[3]) != d->len)
			return ike_err_set(err, IKE_ERR_BUILD, p->type,
					   "EAP: message length does not match its %zu bytes",
					   d->len);
		wbuf_bytes(w, d->ptr, d->len);
		return IKE_OK;
	case PL_SK:
		if (!p->sk.body.len)
			return ike_err_set(err, IKE_ERR_BUILD, p->type,
					   "SK: empty body");
		wbuf_bytes(w, p->sk.body.ptr, p->sk.body.len);
		return IKE_OK;
	case PL_SKF:
		if (!p->skf.body.len || !p->skf.total ||
		    p->skf.total > IKE_MAX_FRAGMENTS || !p->skf.frag_num ||
		    p->skf.frag_num > p->skf.total)
			return ike_err_set(err, IKE_ERR_BUILD, p->type,
					   "SKF: fragment %u of %u with %zu bytes",
					   p->skf.frag_num, p->skf.total,
					   p->skf.body.len);
		wbuf_u16(w, p->skf.frag_num);
		wbuf_u16(w, p->skf.total);
		wbuf_bytes(w, p->skf.body.ptr, p->skf.body.len);
		return IKE_OK;
	case PL_VENDOR:
	case PL_GSPM:
		wbuf_bytes(w, d->ptr, d->len);
		return IKE_OK;
	default:
		return ike_err_set(err, IKE_ERR_BUILD, p->type,
				   "cannot write payload type %u", p->type);
	}
}
