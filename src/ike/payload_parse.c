/* Parsers for each payload body (RFC 7296 section 3, RFC 7383 2.5). Every
 * field is read through struct rd; substructure counts are bounded by the
 * IKE_MAX_* limits and by the bytes present. */
#include "ike/payload.h"

#include <string.h>

#include "ike/names.h"

#define PNAME(p) ike_payload_short_name((p)->type)

bool payload_known(uint8_t type)
{
	return (type >= PL_SA && type <= PL_GSPM) || type == PL_SKF;
}

static enum ike_err_code syntax(struct ike_err *err, const struct ike_payload *p,
				const char *what, size_t need, size_t left)
{
	return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
			   "%s: %s needs %zu bytes, %zu left", PNAME(p), what,
			   need, left);
}

static void *arena_array(struct ike_msg *m, size_t n, size_t size)
{
	return ike_msg_alloc(m, (n ? n : 1) * size);
}

/* ---- SA ---------------------------------------------------------------- */

static enum ike_err_code parse_attrs(struct ike_msg *m,
				     const struct ike_payload *p,
				     struct ike_transform *t, unsigned pn,
				     size_t tn, struct rd *r,
				     struct ike_err *err)
{
	size_t max = r->left / 4, n = 0;
	struct ike_attr *a;
	bool have_kl = false;

	if (!r->left)
		return IKE_OK;
	if (max > IKE_MAX_ATTRS)
		max = IKE_MAX_ATTRS;
	a = arena_array(m, max, sizeof(*a));
	if (!a)
		return ike_err_set(err, IKE_ERR_NOMEM, p->type, "out of memory");
	while (r->left) {
		uint16_t at;

		if (n >= IKE_MAX_ATTRS)
			return ike_err_set(err, IKE_ERR_LIMIT, p->type,
					   "SA: proposal %u transform %zu has more than %d attributes",
					   pn, tn, IKE_MAX_ATTRS);
		if (r->left < 4)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %u transform %zu attribute %zu truncated (%zu bytes left)",
					   pn, tn, n + 1, r->left);
		rd_u16(r, &at);
		a[n].type = at & 0x7fff;
		a[n].tv = at & 0x8000;
		if (a[n].tv) {
			rd_u16(r, &a[n].value);
		} else {
			uint16_t len;

			rd_u16(r, &len);
			if (!rd_ptr(r, len, &a[n].data.ptr))
				return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
						   "SA: proposal %u transform %zu attribute %zu length %u exceeds remaining %zu bytes",
						   pn, tn, n + 1, len, r->left);
			a[n].data.len = len;
		}
		if (a[n].type == TRANS_ATTR_KEY_LENGTH) {
			if (!a[n].tv || have_kl)
				return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
						   "SA: proposal %u transform %zu: %s Key Length attribute",
						   pn, tn, have_kl ? "duplicate" : "TLV-encoded");
			have_kl = true;
			t->key_length = a[n].value;
		} else {
			t->unknown_attrs = true;
		}
		n++;
	}
	t->attrs = a;
	t->nattrs = n;
	return IKE_OK;
}

static enum ike_err_code parse_transforms(struct ike_msg *m,
					  const struct ike_payload *p,
					  struct ike_proposal *pr,
					  unsigned ntrans, struct rd *r,
					  struct ike_err *err)
{
	struct ike_transform *t = arena_array(m, ntrans, sizeof(*t));
	size_t n = 0;
	enum ike_err_code rc;

	if (!t)
		return ike_err_set(err, IKE_ERR_NOMEM, p->type, "out of memory");
	while (r->left) {
		uint8_t last, res8;
		uint16_t len;
		struct rd tr;

		if (n >= ntrans)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %u declares %u transforms but %zu bytes follow them",
					   pr->num, ntrans, r->left);
		if (r->left < 8)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %u transform %zu truncated (%zu bytes left)",
					   pr->num, n + 1, r->left);
		rd_u8(r, &last);
		rd_u8(r, &res8);
		rd_u16(r, &len);
		if (len < 8)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %u transform %zu length %u < 8",
					   pr->num, n + 1, len);
		if (!rd_sub(r, len - 4u, &tr))
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %u transform %zu length %u exceeds remaining %zu bytes",
					   pr->num, n + 1, len, r->left + 4);
		if (last != 0 && last != 3)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %u transform %zu last-substructure %u (must be 0 or 3)",
					   pr->num, n + 1, last);
		if ((last == 0) != (r->left == 0))
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %u transform %zu %s",
					   pr->num, n + 1,
					   last ? "says more follow but the proposal ends"
						: "says last but more bytes follow");
		rd_u8(&tr, &t[n].type);
		rd_u8(&tr, &res8);
		rd_u16(&tr, &t[n].id);
		rc = parse_attrs(m, p, &t[n], pr->num, n + 1, &tr, err);
		if (rc)
			return rc;
		n++;
	}
	if (n != ntrans)
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "SA: proposal %u declares %u transforms, found %zu",
				   pr->num, ntrans, n);
	pr->transforms = t;
	pr->ntransforms = n;
	return IKE_OK;
}

static enum ike_err_code parse_sa(struct ike_msg *m, struct ike_payload *p,
				  struct rd *r, bool request,
				  struct ike_err *err)
{
	size_t max = r->left / 8, n = 0;
	struct ike_proposal *pr;
	enum ike_err_code rc;

	if (max > IKE_MAX_PROPOSALS)
		max = IKE_MAX_PROPOSALS;
	pr = arena_array(m, max, sizeof(*pr));
	if (!pr)
		return ike_err_set(err, IKE_ERR_NOMEM, p->type, "out of memory");
	while (r->left) {
		uint8_t last, res, spi_size, ntrans;
		uint16_t len;
		struct rd sub;

		if (n >= IKE_MAX_PROPOSALS)
			return ike_err_set(err, IKE_ERR_LIMIT, p->type,
					   "SA: more than %d proposals",
					   IKE_MAX_PROPOSALS);
		if (r->left < 8)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %zu truncated (%zu bytes left)",
					   n + 1, r->left);
		rd_u8(r, &last);
		rd_u8(r, &res);
		rd_u16(r, &len);
		if (len < 8)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %zu length %u < 8", n + 1, len);
		if (!rd_sub(r, len - 4u, &sub))
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %zu length %u exceeds remaining %zu bytes",
					   n + 1, len, r->left + 4);
		if (last != 0 && last != 2)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %zu last-substructure %u (must be 0 or 2)",
					   n + 1, last);
		if ((last == 0) != (r->left == 0))
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %zu %s", n + 1,
					   last ? "says more follow but the payload ends"
						: "says last but more bytes follow");
		rd_u8(&sub, &pr[n].num);
		rd_u8(&sub, &pr[n].protocol);
		rd_u8(&sub, &spi_size);
		rd_u8(&sub, &ntrans);
		/* RFC 7296 3.3.1: an offer numbers its proposals 1, 2, 3...;
		 * an answer repeats the number of the chosen one. */
		if (request ? pr[n].num != n + 1 : pr[n].num == 0)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %zu has number %u, expected %zu",
					   n + 1, pr[n].num, request ? n + 1 : (size_t)1);
		if (spi_size != 0 && spi_size != 4 && spi_size != 8)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %u SPI size %u (must be 0, 4 or 8)",
					   pr[n].num, spi_size);
		if (!rd_ptr(&sub, spi_size, &pr[n].spi.ptr))
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %u SPI size %u exceeds remaining %zu bytes",
					   pr[n].num, spi_size, sub.left);
		pr[n].spi.len = spi_size;
		if (ntrans == 0)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %u has no transforms", pr[n].num);
		if (ntrans > IKE_MAX_TRANSFORMS)
			return ike_err_set(err, IKE_ERR_LIMIT, p->type,
					   "SA: proposal %u has %u transforms (limit %d)",
					   pr[n].num, ntrans, IKE_MAX_TRANSFORMS);
		if ((size_t)ntrans * 8 > sub.left)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SA: proposal %u declares %u transforms, only %zu bytes left",
					   pr[n].num, ntrans, sub.left);
		rc = parse_transforms(m, p, &pr[n], ntrans, &sub, err);
		if (rc)
			return rc;
		n++;
	}
	if (!n)
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "SA: no proposals");
	p->sa.proposals = pr;
	p->sa.nproposals = n;
	return IKE_OK;
}

/* ---- traffic selectors -------------------------------------------------- */

static enum ike_err_code parse_ts(struct ike_msg *m, struct ike_payload *p,
				  struct rd *r, struct ike_err *err)
{
	uint8_t n, res[3];
	struct ike_ts *ts;
	size_t i;

	if (r->left < 4)
		return syntax(err, p, "header", 4, r->left);
	rd_u8(r, &n);
	rd_copy(r, res, 3);
	if (n > IKE_MAX_TS)
		return ike_err_set(err, IKE_ERR_LIMIT, p->type,
				   "%s: %u traffic selectors (limit %d)", PNAME(p),
				   n, IKE_MAX_TS);
	if ((size_t)n * 8 > r->left)
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "%s: %u traffic selectors cannot fit in %zu bytes",
				   PNAME(p), n, r->left);
	ts = arena_array(m, n, sizeof(*ts));
	if (!ts)
		return ike_err_set(err, IKE_ERR_NOMEM, p->type, "out of memory");
	for (i = 0; i < n; i++) {
		uint16_t len = 0;	/* r->left was checked: the reads below succeed */
		size_t alen;
		struct rd sr;

		if (r->left < 4)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "%s: traffic selector %zu truncated (%zu bytes left)",
					   PNAME(p), i + 1, r->left);
		rd_u8(r, &ts[i].type);
		rd_u8(r, &ts[i].ip_proto);
		rd_u16(r, &len);
		if (len < 8)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "%s: traffic selector %zu length %u < 8",
					   PNAME(p), i + 1, len);
		if (!rd_sub(r, len - 4u, &sr))
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "%s: traffic selector %zu length %u exceeds remaining %zu bytes",
					   PNAME(p), i + 1, len, r->left + 4);
		alen = ike_ts_addr_len(ts[i].type);
		if (!alen) {
			/* RFC 4595, RFC 9478 ... : kept, not interpreted */
			ts[i].raw = (struct ike_bytes){ sr.p, sr.left };
			continue;
		}
		if (len != 8 + 2 * alen)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "%s: traffic selector %zu (%s) length %u, must be %zu",
					   PNAME(p), i + 1, ike_ts_type_name(ts[i].type),
					   len, 8 + 2 * alen);
		rd_u16(&sr, &ts[i].start_port);
		rd_u16(&sr, &ts[i].end_port);
		rd_copy(&sr, ts[i].start, alen);
		rd_copy(&sr, ts[i].end, alen);
	}
	if (r->left)
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "%s: %zu bytes left after %u traffic selectors",
				   PNAME(p), r->left, n);
	p->ts.ts = ts;
	p->ts.nts = n;
	return IKE_OK;
}

/* ---- configuration ----------------------------------------------------- */

static enum ike_err_code parse_cp(struct ike_msg *m, struct ike_payload *p,
				  struct rd *r, struct ike_err *err)
{
	uint8_t res[3];
	size_t max, n = 0;
	struct ike_cp_attr *a;

	if (r->left < 4)
		return syntax(err, p, "header", 4, r->left);
	rd_u8(r, &p->cp.cfg_type);
	rd_copy(r, res, 3);
	max = r->left / 4;
	if (max > IKE_MAX_CP_ATTRS)
		max = IKE_MAX_CP_ATTRS;
	a = arena_array(m, max, sizeof(*a));
	if (!a)
		return ike_err_set(err, IKE_ERR_NOMEM, p->type, "out of memory");
	while (r->left) {
		uint16_t type, len;

		if (n >= IKE_MAX_CP_ATTRS)
			return ike_err_set(err, IKE_ERR_LIMIT, p->type,
					   "CP: more than %d attributes",
					   IKE_MAX_CP_ATTRS);
		if (r->left < 4)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "CP: attribute %zu truncated (%zu bytes left)",
					   n + 1, r->left);
		rd_u16(r, &type);
		rd_u16(r, &len);
		a[n].type = type & 0x7fff;	/* top bit reserved */
		if (!rd_ptr(r, len, &a[n].value.ptr))
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "CP: attribute %zu length %u exceeds remaining %zu bytes",
					   n + 1, len, r->left);
		a[n].value.len = len;
		n++;
	}
	p->cp.attrs = a;
	p->cp.nattrs = n;
	return IKE_OK;
}

/* ---- the small ones ---------------------------------------------------- */

static enum ike_err_code parse_notify(struct ike_payload *p, struct rd *r,
				      struct ike_err *err)
{
	uint8_t spi_size = 0;	/* r->left was checked: the reads below succeed */

	if (r->left < 4)
		return syntax(err, p, "header", 4, r->left);
	rd_u8(r, &p->notify.protocol);
	rd_u8(r, &spi_size);
	rd_u16(r, &p->notify.type);
	if (spi_size > IKE_MAX_SPI_LEN)
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "N(%s): SPI size %u > %d",
				   ike_notify_short_name(p->notify.type),
				   spi_size, IKE_MAX_SPI_LEN);
	if (!rd_ptr(r, spi_size, &p->notify.spi.ptr))
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "N(%s): SPI size %u exceeds remaining %zu bytes",
				   ike_notify_short_name(p->notify.type),
				   spi_size, r->left);
	p->notify.spi.len = spi_size;
	p->notify.data = (struct ike_bytes){ r->p, r->left };
	return IKE_OK;
}

static enum ike_err_code parse_delete(struct ike_payload *p, struct rd *r,
				      struct ike_err *err)
{
	struct ike_pl_delete *d = &p->del;

	if (r->left < 4)
		return syntax(err, p, "header", 4, r->left);
	rd_u8(r, &d->protocol);
	rd_u8(r, &d->spi_size);
	rd_u16(r, &d->nspis);
	if (d->nspis > IKE_MAX_DELETE_SPIS)
		return ike_err_set(err, IKE_ERR_LIMIT, p->type,
				   "D: %u SPIs (limit %d)", d->nspis,
				   IKE_MAX_DELETE_SPIS);
	/* RFC 7296 3.11: an IKE SA is deleted without SPIs, ESP/AH by 4-byte
	 * SPIs. */
	if (d->protocol == PROTO_IKE && (d->spi_size || d->nspis))
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "D: IKE SA delete with SPI size %u and %u SPIs (must be 0)",
				   d->spi_size, d->nspis);
	if ((d->protocol == PROTO_ESP || d->protocol == PROTO_AH) &&
	    d->spi_size != 4)
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "D: %s SPI size %u (must be 4)",
				   ike_protocol_name(d->protocol), d->spi_size);
	if (d->spi_size > IKE_MAX_SPI_LEN)
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "D: SPI size %u > %d", d->spi_size,
				   IKE_MAX_SPI_LEN);
	if ((size_t)d->nspis * d->spi_size != r->left)
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "D: %u SPIs of %u bytes need %zu bytes, payload has %zu",
				   d->nspis, d->spi_size,
				   (size_t)d->nspis * d->spi_size, r->left);
	d->spis = (struct ike_bytes){ r->p, r->left };
	return IKE_OK;
}

/* type (1 byte), 3 reserved, data: ID and AUTH */
static enum ike_err_code parse_type_data(struct ike_payload *p, struct rd *r,
					 uint8_t *type, struct ike_bytes *data,
					 struct ike_err *err)
{
	uint8_t res[3];

	if (r->left < 4)
		return syntax(err, p, "header", 4, r->left);
	rd_u8(r, type);
	rd_copy(r, res, 3);
	*data = (struct ike_bytes){ r->p, r->left };
	return IKE_OK;
}

static enum ike_err_code parse_ke(struct ike_payload *p, struct rd *r,
				  struct ike_err *err)
{
	uint16_t res;

	if (r->left < 4)
		return syntax(err, p, "header", 4, r->left);
	rd_u16(r, &p->ke.group);
	rd_u16(r, &res);
	if (!r->left)
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "KE: empty key exchange data");
	p->ke.data = (struct ike_bytes){ r->p, r->left };
	return IKE_OK;
}

static enum ike_err_code parse_eap(struct ike_payload *p, struct rd *r,
				   struct ike_err *err)
{
	struct rd h = *r;
	uint8_t code, id;
	uint16_t len;

	if (!rd_u8(&h, &code) || !rd_u8(&h, &id) || !rd_u16(&h, &len))
		return syntax(err, p, "header", 4, r->left);
	if (len != r->left)
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "EAP: message length %u, payload carries %zu bytes",
				   len, r->left);
	p->data.data = (struct ike_bytes){ r->p, r->left };
	return IKE_OK;
}

static enum ike_err_code parse_skf(struct ike_payload *p, struct rd *r,
				   struct ike_err *err)
{
	struct ike_pl_skf *f = &p->skf;

	if (r->left < 4)
		return syntax(err, p, "fragment header", 4, r->left);
	rd_u16(r, &f->frag_num);
	rd_u16(r, &f->total);
	if (f->total == 0 || f->total > IKE_MAX_FRAGMENTS)
		return ike_err_set(err, f->total ? IKE_ERR_LIMIT : IKE_ERR_SYNTAX,
				   p->type, "SKF: total fragments %u (must be 1..%d)",
				   f->total, IKE_MAX_FRAGMENTS);
	if (f->frag_num == 0 || f->frag_num > f->total)
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "SKF: fragment number %u of %u", f->frag_num,
				   f->total);
	if (!r->left)
		return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
				   "SKF: empty encrypted body");
	f->body = (struct ike_bytes){ r->p, r->left };
	return IKE_OK;
}

enum ike_err_code payload_parse_body(struct ike_msg *m, struct ike_payload *p,
				     struct rd *r, bool request,
				     struct ike_err *err)
{
	switch (p->type) {
	case PL_SA:
		return parse_sa(m, p, r, request, err);
	case PL_KE:
		return parse_ke(p, r, err);
	case PL_IDI:
	case PL_IDR:
		return parse_type_data(p, r, &p->id.type, &p->id.data, err);
	case PL_AUTH:
		return parse_type_data(p, r, &p->auth.method, &p->auth.data, err);
	case PL_CERT:
	case PL_CERTREQ:
		if (!rd_u8(r, &p->cert.encoding))
			return syntax(err, p, "encoding", 1, r->left);
		p->cert.data = (struct ike_bytes){ r->p, r->left };
		return IKE_OK;
	case PL_NONCE:
		if (r->left < IKE_NONCE_MIN || r->left > IKE_NONCE_MAX)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "No: nonce length %zu (must be %d..%d)",
					   r->left, IKE_NONCE_MIN, IKE_NONCE_MAX);
		p->data.data = (struct ike_bytes){ r->p, r->left };
		return IKE_OK;
	case PL_NOTIFY:
		return parse_notify(p, r, err);
	case PL_DELETE:
		return parse_delete(p, r, err);
	case PL_TSI:
	case PL_TSR:
		return parse_ts(m, p, r, err);
	case PL_CP:
		return parse_cp(m, p, r, err);
	case PL_EAP:
		return parse_eap(p, r, err);
	case PL_SK:
		if (!r->left)
			return ike_err_set(err, IKE_ERR_SYNTAX, p->type,
					   "SK: empty encrypted body");
		p->sk.body = (struct ike_bytes){ r->p, r->left };
		return IKE_OK;
	case PL_SKF:
		return parse_skf(p, r, err);
	default:	/* PL_VENDOR, PL_GSPM */
		p->data.data = (struct ike_bytes){ r->p, r->left };
		return IKE_OK;
	}
}
