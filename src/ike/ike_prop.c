#include "ike/ike_prop.h"

#include <stdio.h>
#include <string.h>

#include "ike/iana.h"

/* First offered transform of type that we also have; 0xffff: none. */
static bool pick(const struct ike_proposal *o, const struct ike_prop *p,
		 uint8_t type, uint16_t hint, struct ike_chosen *c)
{
	const uint16_t *ids = NULL;
	size_t n = 0;
	bool found = false, present = false;

	switch (type) {
	case TRANS_INTEG: ids = p->integ; n = p->n_integ; break;
	case TRANS_PRF: ids = p->prf; n = p->n_prf; break;
	case TRANS_KE: ids = p->ke; n = p->n_ke; break;
	case TRANS_ESN: ids = p->esn; n = p->n_esn; break;
	default: break;
	}
	for (size_t i = 0; i < o->ntransforms; i++) {
		const struct ike_transform *t = &o->transforms[i];

		if (t->type != type)
			continue;
		present = true;
		if (t->unknown_attrs)
			continue;
		if (type == TRANS_ENCR) {
			for (size_t j = 0; j < p->n_encr; j++)
				if (p->encr[j].id == t->id &&
				    p->encr[j].key_bits == t->key_length && !found) {
					c->encr = t->id;
					c->key_bits = t->key_length;
					found = true;
				}
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			if (ids[j] != t->id)
				continue;
			if (!found || (hint && t->id == hint)) {
				switch (type) {
				case TRANS_INTEG: c->integ = t->id; break;
				case TRANS_PRF: c->prf = t->id; break;
				case TRANS_KE: c->ke = t->id; break;
				case TRANS_ESN: c->esn = t->id; break;
				}
				found = true;
			}
		}
	}
	if (found)
		return true;
	/* types we do not configure: fine when absent or offered as NONE */
	if (n == 0 && type != TRANS_ENCR) {
		if (!present)
			return true;
		for (size_t i = 0; i < o->ntransforms; i++)
			if (o->transforms[i].type == type && o->transforms[i].id == 0)
				return true;
	}
	return false;
}

static bool match_one(const struct ike_proposal *o, const struct ike_prop *p,
		      uint8_t protocol, uint16_t hint, struct ike_chosen *c)
{
	memset(c, 0, sizeof(*c));
	if (o->protocol != protocol)
		return false;
	if (!pick(o, p, TRANS_ENCR, 0, c) || !pick(o, p, TRANS_INTEG, 0, c) ||
	    (hint != PROP_NO_KE && !pick(o, p, TRANS_KE, hint, c)))
		return false;
	if (protocol == PROTO_IKE && !pick(o, p, TRANS_PRF, 0, c))
		return false;
	if (protocol == PROTO_ESP && !pick(o, p, TRANS_ESN, 0, c))
		return false;
	if (protocol == PROTO_IKE && (!c->prf || !c->ke))
		return false;
	/* a cipher without integrity protection needs an integrity transform */
	if (c->encr != ENCR_AES_GCM_16 && c->encr != ENCR_AES_GCM_12 &&
	    c->encr != ENCR_AES_GCM_8 && c->encr != ENCR_CHACHA20_POLY1305 &&
	    !c->integ)
		return false;
	return true;
}

bool prop_select(const struct ike_prop *ours, size_t n_ours,
		 const struct ike_pl_sa *offered, uint8_t protocol,
		 uint16_t ke_hint, struct ike_chosen *out, uint8_t *num,
		 struct ike_bytes *spi)
{
	for (size_t i = 0; i < n_ours; i++)
		for (size_t j = 0; j < offered->nproposals; j++) {
			const struct ike_proposal *o = &offered->proposals[j];

			if (match_one(o, &ours[i], protocol, ke_hint, out)) {
				*num = o->num;
				*spi = o->spi;
				return true;
			}
		}
	return false;
}

bool prop_accept_reply(const struct ike_prop *ours, size_t n_ours,
		       const struct ike_pl_sa *reply, uint8_t protocol, uint16_t ke_hint,
		       struct ike_chosen *out, struct ike_bytes *spi)
{
	uint8_t num;

	if (reply->nproposals != 1)
		return false;
	if (!prop_select(ours, n_ours, reply, protocol, ke_hint, out, &num, spi))
		return false;
	/* the reply must hold exactly one transform per type */
	for (size_t i = 0; i < reply->proposals[0].ntransforms; i++)
		for (size_t j = i + 1; j < reply->proposals[0].ntransforms; j++)
			if (reply->proposals[0].transforms[i].type ==
			    reply->proposals[0].transforms[j].type)
				return false;
	return true;
}

static void add_t(struct ike_transform *ts, size_t *n, uint8_t type,
		  uint16_t id, uint16_t key_bits)
{
	ts[*n].type = type;
	ts[*n].id = id;
	ts[*n].key_length = key_bits;
	(*n)++;
}

bool prop_add_offer(struct ike_msg *m, const struct ike_prop *ps, size_t n,
		    uint16_t ke_first, const void *spi, size_t spi_len)
{
	struct ike_payload *pl = ike_msg_add(m, PL_SA);
	struct ike_proposal *props;

	if (!pl || !n)
		return false;
	props = ike_msg_alloc(m, n * sizeof(*props));
	if (!props)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct ike_prop *p = &ps[i];
		size_t cnt = 0, max = p->n_encr + p->n_integ + p->n_prf +
				      p->n_ke + p->n_esn;
		struct ike_transform *ts = ike_msg_alloc(m, (max + 1) * sizeof(*ts));

		if (!ts)
			return false;
		for (size_t j = 0; j < p->n_encr; j++)
			add_t(ts, &cnt, TRANS_ENCR, p->encr[j].id, p->encr[j].key_bits);
		for (size_t j = 0; j < p->n_prf; j++)
			add_t(ts, &cnt, TRANS_PRF, p->prf[j], 0);
		for (size_t j = 0; j < p->n_integ; j++)
			add_t(ts, &cnt, TRANS_INTEG, p->integ[j], 0);
		for (size_t j = 0; j < p->n_ke && ke_first != PROP_NO_KE; j++)
			if (p->ke[j] == ke_first)
				add_t(ts, &cnt, TRANS_KE, p->ke[j], 0);
		for (size_t j = 0; j < p->n_ke && ke_first != PROP_NO_KE; j++)
			if (p->ke[j] != ke_first)
				add_t(ts, &cnt, TRANS_KE, p->ke[j], 0);
		for (size_t j = 0; j < p->n_esn; j++)
			add_t(ts, &cnt, TRANS_ESN, p->esn[j], 0);
		props[i].num = (uint8_t)(i + 1);
		props[i].protocol = p->protocol;
		props[i].spi.ptr = spi;
		props[i].spi.len = spi_len;
		props[i].transforms = ts;
		props[i].ntransforms = cnt;
	}
	pl->sa.proposals = props;
	pl->sa.nproposals = n;
	return true;
}

bool prop_add_chosen(struct ike_msg *m, const struct ike_chosen *c,
		     uint8_t protocol, uint8_t num, const void *spi,
		     size_t spi_len)
{
	struct ike_payload *pl = ike_msg_add(m, PL_SA);
	struct ike_proposal *prop = ike_msg_alloc(m, sizeof(*prop));
	struct ike_transform *ts = ike_msg_alloc(m, 5 * sizeof(*ts));
	size_t cnt = 0;

	if (!pl || !prop || !ts)
		return false;
	add_t(ts, &cnt, TRANS_ENCR, c->encr, c->key_bits);
	if (c->prf)
		add_t(ts, &cnt, TRANS_PRF, c->prf, 0);
	if (c->integ)
		add_t(ts, &cnt, TRANS_INTEG, c->integ, 0);
	if (c->ke)
		add_t(ts, &cnt, TRANS_KE, c->ke, 0);
	if (protocol == PROTO_ESP)
		add_t(ts, &cnt, TRANS_ESN, c->esn, 0);
	prop->num = num;
	prop->protocol = protocol;
	prop->spi.ptr = spi;
	prop->spi.len = spi_len;
	prop->transforms = ts;
	prop->ntransforms = cnt;
	pl->sa.proposals = prop;
	pl->sa.nproposals = 1;
	return true;
}

const char *prop_chosen_str(const struct ike_chosen *c, char *buf, size_t len)
{
	snprintf(buf, len, "ENCR %u/%u INTEG %u PRF %u KE %u ESN %u", c->encr,
		 c->key_bits, c->integ, c->prf, c->ke, c->esn);
	return buf;
}

const char *prop_offer_str(const struct ike_pl_sa *sa, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sa->nproposals && o + 1 < len; i++) {
		const struct ike_proposal *p = &sa->proposals[i];

		o += (size_t)snprintf(buf + o, len - o, "%s%u:%s", i ? "; " : "", p->num,
				      p->protocol == PROTO_IKE ? "IKE" : "ESP");
		for (size_t j = 0; j < p->ntransforms && o + 1 < len; j++)
			o += (size_t)snprintf(buf + o, len - o, " %u/%u%s%u",
					      p->transforms[j].type, p->transforms[j].id,
					      p->transforms[j].key_length ? "/" : "",
					      p->transforms[j].key_length);
	}
	return buf;
}
