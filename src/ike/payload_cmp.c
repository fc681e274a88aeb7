/* Semantic payload equality: used by the round-trip tests and the fuzzer,
 * and by anyone who must tell whether two payloads say the same. */
#include "ike/msg.h"

#include <string.h>

static bool bytes_eq(const struct ike_bytes *a, const struct ike_bytes *b)
{
	return a->len == b->len && (!a->len || memcmp(a->ptr, b->ptr, a->len) == 0);
}

/* The attributes a transform puts on the wire (see ike_transform). */
static void wire_attrs(const struct ike_transform *t, struct ike_attr *kl,
		       const struct ike_attr **attrs, size_t *n)
{
	if (t->nattrs || !t->key_length) {
		*attrs = t->attrs;
		*n = t->nattrs;
		return;
	}
	*kl = (struct ike_attr){ .type = TRANS_ATTR_KEY_LENGTH, .tv = true,
				 .value = t->key_length };
	*attrs = kl;
	*n = 1;
}

static bool transform_eq(const struct ike_transform *a,
			 const struct ike_transform *b)
{
	struct ike_attr kla, klb;
	const struct ike_attr *aa, *ab;
	size_t na, nb, i;

	if (a->type != b->type || a->id != b->id)
		return false;
	wire_attrs(a, &kla, &aa, &na);
	wire_attrs(b, &klb, &ab, &nb);
	if (na != nb)
		return false;
	for (i = 0; i < na; i++) {
		if (aa[i].type != ab[i].type || aa[i].tv != ab[i].tv)
			return false;
		if (aa[i].tv ? aa[i].value != ab[i].value
			     : !bytes_eq(&aa[i].data, &ab[i].data))
			return false;
	}
	return true;
}

static bool sa_eq(const struct ike_pl_sa *a, const struct ike_pl_sa *b)
{
	size_t i, j;

	if (a->nproposals != b->nproposals)
		return false;
	for (i = 0; i < a->nproposals; i++) {
		const struct ike_proposal *pa = &a->proposals[i];
		const struct ike_proposal *pb = &b->proposals[i];

		if (pa->num != pb->num || pa->protocol != pb->protocol ||
		    !bytes_eq(&pa->spi, &pb->spi) ||
		    pa->ntransforms != pb->ntransforms)
			return false;
		for (j = 0; j < pa->ntransforms; j++)
			if (!transform_eq(&pa->transforms[j], &pb->transforms[j]))
				return false;
	}
	return true;
}

static bool ts_eq(const struct ike_pl_ts *a, const struct ike_pl_ts *b)
{
	size_t i, alen;

	if (a->nts != b->nts)
		return false;
	for (i = 0; i < a->nts; i++) {
		const struct ike_ts *x = &a->ts[i], *y = &b->ts[i];

		if (x->type != y->type || x->ip_proto != y->ip_proto)
			return false;
		alen = ike_ts_addr_len(x->type);
		if (!alen) {
			if (!bytes_eq(&x->raw, &y->raw))
				return false;
			continue;
		}
		if (x->start_port != y->start_port ||
		    x->end_port != y->end_port ||
		    memcmp(x->start, y->start, alen) ||
		    memcmp(x->end, y->end, alen))
			return false;
	}
	return true;
}

static bool cp_eq(const struct ike_pl_cp *a, const struct ike_pl_cp *b)
{
	size_t i;

	if (a->cfg_type != b->cfg_type || a->nattrs != b->nattrs)
		return false;
	for (i = 0; i < a->nattrs; i++)
		if (a->attrs[i].type != b->attrs[i].type ||
		    !bytes_eq(&a->attrs[i].value, &b->attrs[i].value))
			return false;
	return true;
}

bool ike_payload_equal(const struct ike_payload *a,
		       const struct ike_payload *b)
{
	if (a->type != b->type || a->critical != b->critical)
		return false;
	switch (a->type) {
	case PL_SA:
		return sa_eq(&a->sa, &b->sa);
	case PL_KE:
		return a->ke.group == b->ke.group &&
		       bytes_eq(&a->ke.data, &b->ke.data);
	case PL_IDI:
	case PL_IDR:
		return a->id.type == b->id.type &&
		       bytes_eq(&a->id.data, &b->id.data);
	case PL_CERT:
	case PL_CERTREQ:
		return a->cert.encoding == b->cert.encoding &&
		       bytes_eq(&a->cert.data, &b->cert.data);
	case PL_AUTH:
		return a->auth.method == b->auth.method &&
		       bytes_eq(&a->auth.data, &b->auth.data);
	case PL_NOTIFY:
		return a->notify.protocol == b->notify.protocol &&
		       a->notify.type == b->notify.type &&
		       bytes_eq(&a->notify.spi, &b->notify.spi) &&
		       bytes_eq(&a->notify.data, &b->notify.data);
	case PL_DELETE:
		return a->del.protocol == b->del.protocol &&
		       a->del.spi_size == b->del.spi_size &&
		       a->del.nspis == b->del.nspis &&
		       bytes_eq(&a->del.spis, &b->del.spis);
	case PL_TSI:
	case PL_TSR:
		return ts_eq(&a->ts, &b->ts);
	case PL_CP:
		return cp_eq(&a->cp, &b->cp);
	case PL_SK:
		return a->sk.inner_next == b->sk.inner_next &&
		       bytes_eq(&a->sk.body, &b->sk.body);
	case PL_SKF:
		return a->skf.frag_num == b->skf.frag_num &&
		       a->skf.total == b->skf.total &&
		       a->skf.inner_next == b->skf.inner_next &&
		       bytes_eq(&a->skf.body, &b->skf.body);
	default:
		return bytes_eq(&a->data.data, &b->data.data);
	}
}
