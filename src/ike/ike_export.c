#include "ike/ike_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "ike/core_priv.h"
#include "lib/rd.h"

enum exp_type {
	EXP_VERSION = 1, EXP_CONF, EXP_INITIATOR, EXP_SPI_I, EXP_SPI_R, EXP_LOCAL,
	EXP_REMOTE, EXP_ALG, EXP_PRF, EXP_SK_D, EXP_SK_AI, EXP_SK_AR, EXP_SK_EI,
	EXP_SK_ER, EXP_SK_PI, EXP_SK_PR, EXP_NI, EXP_NR, EXP_MY_ID, EXP_PEER_ID,
	EXP_NAT, EXP_VIP, EXP_MID_OUT, EXP_MID_IN, EXP_IV_SEQ, EXP_LAST_RESP,
	EXP_FRAG_OK, EXP_CHILD = 100,
	/* inside EXP_CHILD */
	EXC_NAME = 1, EXC_SPI_IN, EXC_SPI_OUT, EXC_ALG, EXC_MODE, EXC_ENCAP,
	EXC_ENCR_IR, EXC_INTEG_IR, EXC_ENCR_RI, EXC_INTEG_RI, EXC_LOCAL_TS, EXC_REMOTE_TS,
	EXC_INITIATOR, EXC_REQID,
};

static void tlv(struct wbuf *w, uint16_t type, const void *p, size_t len)
{
	if (len > 0xffff) {
		w->failed = true;
		return;
	}
	wbuf_u16(w, type);
	wbuf_u16(w, (uint16_t)len);
	wbuf_bytes(w, p, len);
}

static void tlv_u64(struct wbuf *w, uint16_t type, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	tlv(w, type, b, 8);
}

static void tlv_chunk(struct wbuf *w, uint16_t type, const struct chunk *c)
{
	tlv(w, type, c->ptr, c->len);
}

static void tlv_alg(struct wbuf *w, uint16_t type, const struct ike_chosen *a)
{
	uint16_t v[6] = { a->encr, a->key_bits, a->integ, a->prf, a->ke, a->esn };
	uint8_t b[12];

	for (int i = 0; i < 6; i++) {
		b[2 * i] = (uint8_t)(v[i] >> 8);
		b[2 * i + 1] = (uint8_t)v[i];
	}
	tlv(w, type, b, sizeof(b));
}

static void tlv_id(struct wbuf *w, uint16_t type, const struct ike_id *id)
{
	uint8_t b[2 + IKE_ID_MAX];

	b[0] = id->any;
	b[1] = id->type;
	memcpy(b + 2, id->data, id->len);
	tlv(w, type, b, 2u + id->len);
}

static void export_child(struct wbuf *w, const struct child_sa *ch)
{
	struct wbuf in;

	wbuf_init(&in);
	tlv(&in, EXC_NAME, ch->name, strlen(ch->name));
	tlv_u64(&in, EXC_SPI_IN, ch->spi_in);
	tlv_u64(&in, EXC_SPI_OUT, ch->spi_out);
	tlv_alg(&in, EXC_ALG, &ch->alg);
	tlv_u64(&in, EXC_MODE, ch->mode);
	tlv_u64(&in, EXC_ENCAP, ch->encap);
	tlv_u64(&in, EXC_INITIATOR, ch->initiator);
	tlv_u64(&in, EXC_REQID, ch->reqid);
	tlv_chunk(&in, EXC_ENCR_IR, &ch->keys.encr_ir);
	tlv_chunk(&in, EXC_INTEG_IR, &ch->keys.integ_ir);
	tlv_chunk(&in, EXC_ENCR_RI, &ch->keys.encr_ri);
	tlv_chunk(&in, EXC_INTEG_RI, &ch->keys.integ_ri);
	tlv(&in, EXC_LOCAL_TS, ch->local_ts, ch->n_local_ts * sizeof(ch->local_ts[0]));
	tlv(&in, EXC_REMOTE_TS, ch->remote_ts, ch->n_remote_ts * sizeof(ch->remote_ts[0]));
	if (!wbuf_ok(&in))
		w->failed = true;
	else
		tlv(w, EXP_CHILD, in.p, in.len);
	wbuf_free(&in);
}

bool ike_sa_export(const struct ike_sa *sa, struct wbuf *w)
{
	uint8_t nat[2] = { sa->nat_here, sa->nat_there }, ver = IKE_EXPORT_VERSION;
	struct wbuf vip;

	if (sa->state != IKE_SA_ESTABLISHED || !sa->conf)
		return false;
	tlv(w, EXP_VERSION, &ver, 1);
	tlv(w, EXP_CONF, sa->conf->name, strlen(sa->conf->name));
	tlv_u64(w, EXP_INITIATOR, sa->initiator);
	tlv_u64(w, EXP_SPI_I, sa->spi_i);
	tlv_u64(w, EXP_SPI_R, sa->spi_r);
	tlv(w, EXP_LOCAL, &sa->ep.local, sizeof(sa->ep.local));
	tlv(w, EXP_REMOTE, &sa->ep.remote, sizeof(sa->ep.remote));
	tlv_alg(w, EXP_ALG, &sa->alg);
	tlv_u64(w, EXP_PRF, sa->keys.prf);
	tlv_chunk(w, EXP_SK_D, &sa->keys.sk_d);
	tlv_chunk(w, EXP_SK_AI, &sa->keys.sk_ai);
	tlv_chunk(w, EXP_SK_AR, &sa->keys.sk_ar);
	tlv_chunk(w, EXP_SK_EI, &sa->keys.sk_ei);
	tlv_chunk(w, EXP_SK_ER, &sa->keys.sk_er);
	tlv_chunk(w, EXP_SK_PI, &sa->keys.sk_pi);
	tlv_chunk(w, EXP_SK_PR, &sa->keys.sk_pr);
	tlv_chunk(w, EXP_NI, &sa->ni);
	tlv_chunk(w, EXP_NR, &sa->nr);
	tlv_id(w, EXP_MY_ID, &sa->my_id);
	tlv_id(w, EXP_PEER_ID, &sa->peer_id);
	tlv(w, EXP_NAT, nat, 2);
	if (sa->has_vip) {
		wbuf_init(&vip);
		wbuf_u8(&vip, sa->vip_leased);
		wbuf_bytes(&vip, &sa->vip, sizeof(sa->vip));
		if (wbuf_ok(&vip))
			tlv(w, EXP_VIP, vip.p, vip.len);
		wbuf_free(&vip);
	}
	tlv_u64(w, EXP_MID_OUT, sa->mid_out);
	tlv_u64(w, EXP_MID_IN, sa->mid_in);
	tlv_u64(w, EXP_IV_SEQ, sa->iv_seq);
	tlv_u64(w, EXP_FRAG_OK, sa->frag_ok);
	/* the last response, for the peer's retransmit after a takeover */
	if (sa->has_last_resp && sa->last_resp.n == 1)
		tlv_chunk(w, EXP_LAST_RESP, &sa->last_resp.v[0]);
	for (const struct child_sa *ch = sa->children; ch; ch = ch->next)
		if (ch->state == CHILD_SA_INSTALLED)
			export_child(w, ch);
	return wbuf_ok(w);
}

/* --- import ------------------------------------------------------------ */

static bool get_u64(struct rd *v, uint64_t *out)
{
	return v->left == 8 && rd_u64(v, out);
}

static bool get_chunk(struct rd *v, struct chunk *out)
{
	chunk_free(out);
	return v->left ? chunk_dup(out, v->p, v->left) : true;
}

static bool get_alg(struct rd *v, struct ike_chosen *a)
{
	uint16_t x[6];

	if (v->left != 12)
		return false;
	for (int i = 0; i < 6; i++)
		rd_u16(v, &x[i]);
	a->encr = x[0];
	a->key_bits = x[1];
	a->integ = x[2];
	a->prf = x[3];
	a->ke = x[4];
	a->esn = x[5];
	return true;
}

static bool get_id(struct rd *v, struct ike_id *id)
{
	uint8_t any, type;

	if (v->left < 2 || v->left > 2 + IKE_ID_MAX)
		return false;
	memset(id, 0, sizeof(*id));
	rd_u8(v, &any);
	rd_u8(v, &type);
	id->any = any;
	id->type = type;
	id->len = (uint16_t)v->left;
	return rd_copy(v, id->data, v->left);
}

static bool get_str(struct rd *v, char *out, size_t len)
{
	if (v->left >= len)
		return false;
	memcpy(out, v->p, v->left);
	out[v->left] = 0;
	return true;
}

static bool import_child(struct ike_sa *sa, struct rd *blk)
{
	struct child_sa *ch = child_sa_new(sa, "");
	bool ok = true;

	if (!ch)
		return false;
	while (ok && blk->left) {
		uint16_t type, len;
		struct rd v;
		uint64_t x = 0;

		ok = rd_u16(blk, &type) && rd_u16(blk, &len) && rd_sub(blk, len, &v);
		if (!ok)
			break;
		switch (type) {
		case EXC_NAME: ok = get_str(&v, ch->name, sizeof(ch->name)); break;
		case EXC_SPI_IN: ok = get_u64(&v, &x); ch->spi_in = (uint32_t)x; break;
		case EXC_SPI_OUT: ok = get_u64(&v, &x); ch->spi_out = (uint32_t)x; break;
		case EXC_ALG: ok = get_alg(&v, &ch->alg); break;
		case EXC_MODE: ok = get_u64(&v, &x); ch->mode = x ? IKE_MODE_TRANSPORT : IKE_MODE_TUNNEL; break;
		case EXC_ENCAP: ok = get_u64(&v, &x); ch->encap = x; break;
		case EXC_INITIATOR: ok = get_u64(&v, &x); ch->initiator = x; break;
		case EXC_REQID: ok = get_u64(&v, &x); ch->reqid = (uint32_t)x; break;
		case EXC_ENCR_IR: ok = get_chunk(&v, &ch->keys.encr_ir); break;
		case EXC_INTEG_IR: ok = get_chunk(&v, &ch->keys.integ_ir); break;
		case EXC_ENCR_RI: ok = get_chunk(&v, &ch->keys.encr_ri); break;
		case EXC_INTEG_RI: ok = get_chunk(&v, &ch->keys.integ_ri); break;
		case EXC_LOCAL_TS:
			ok = v.left % sizeof(ch->local_ts[0]) == 0 && v.left <= sizeof(ch->local_ts);
			ch->n_local_ts = v.left / sizeof(ch->local_ts[0]);
			ok = ok && rd_copy(&v, ch->local_ts, v.left);
			break;
		case EXC_REMOTE_TS:
			ok = v.left % sizeof(ch->remote_ts[0]) == 0 && v.left <= sizeof(ch->remote_ts);
			ch->n_remote_ts = v.left / sizeof(ch->remote_ts[0]);
			ok = ok && rd_copy(&v, ch->remote_ts, v.left);
			break;
		default: break;
		}
	}
	ch->keys.alg.encr = ch->alg.encr;
	ch->keys.alg.key_bits = ch->alg.key_bits;
	ch->keys.alg.integ = ch->alg.integ;
	if (!ok || !ch->spi_in || !ch->spi_out) {
		child_keys_free(&ch->keys);
		free(ch);
		return false;
	}
	ch->sa = sa;
	ch->state = CHILD_SA_INSTALLED;
	ch->next = sa->children;
	sa->children = ch;
	core_child_register(sa->core, ch);
	return true;
}

uint32_t ike_core_import(struct ike_core *c, const uint8_t *p, size_t len,
			 char *why, size_t whylen)
{
	struct net_endpoints ep = { 0 };
	struct ike_sa *sa;
	struct rd r = rd_init(p, len);
	char conf[IKE_NAME_MAX] = "";
	uint64_t x;
	bool ok = true, version = false;
	const char *err = "malformed";

	sa = ike_sa_new(c, false, &ep);
	if (!sa) {
		snprintf(why, whylen, "out of memory");
		return 0;
	}
	while (ok && r.left) {
		uint16_t type, l;
		struct rd v;

		ok = rd_u16(&r, &type) && rd_u16(&r, &l) && rd_sub(&r, l, &v);
		if (!ok)
			break;
		switch (type) {
		case EXP_VERSION: {
			uint8_t ver;

			ok = v.left == 1 && rd_u8(&v, &ver) && ver == IKE_EXPORT_VERSION;
			version = ok;
			if (!ok)
				err = "unknown version";
			break;
		}
		case EXP_CONF: ok = get_str(&v, conf, sizeof(conf)); break;
		case EXP_INITIATOR: ok = get_u64(&v, &x); sa->initiator = x; break;
		case EXP_SPI_I: ok = get_u64(&v, &sa->spi_i); break;
		case EXP_SPI_R: ok = get_u64(&v, &sa->spi_r); break;
		case EXP_LOCAL: ok = v.left == sizeof(sa->ep.local) && rd_copy(&v, &sa->ep.local, v.left); break;
		case EXP_REMOTE: ok = v.left == sizeof(sa->ep.remote) && rd_copy(&v, &sa->ep.remote, v.left); break;
		case EXP_ALG: ok = get_alg(&v, &sa->alg); break;
		case EXP_PRF: ok = get_u64(&v, &x); sa->keys.prf = (uint16_t)x; break;
		case EXP_SK_D: ok = get_chunk(&v, &sa->keys.sk_d); break;
		case EXP_SK_AI: ok = get_chunk(&v, &sa->keys.sk_ai); break;
		case EXP_SK_AR: ok = get_chunk(&v, &sa->keys.sk_ar); break;
		case EXP_SK_EI: ok = get_chunk(&v, &sa->keys.sk_ei); break;
		case EXP_SK_ER: ok = get_chunk(&v, &sa->keys.sk_er); break;
		case EXP_SK_PI: ok = get_chunk(&v, &sa->keys.sk_pi); break;
		case EXP_SK_PR: ok = get_chunk(&v, &sa->keys.sk_pr); break;
		case EXP_NI: ok = get_chunk(&v, &sa->ni); break;
		case EXP_NR: ok = get_chunk(&v, &sa->nr); break;
		case EXP_MY_ID: ok = get_id(&v, &sa->my_id); break;
		case EXP_PEER_ID: ok = get_id(&v, &sa->peer_id); break;
		case EXP_NAT: {
			uint8_t a = 0, b = 0;

			ok = v.left == 2 && rd_u8(&v, &a) && rd_u8(&v, &b);
			sa->nat_here = a;
			sa->nat_there = b;
			break;
		}
		case EXP_VIP: {
			uint8_t leased = 0;

			ok = v.left == 1 + sizeof(sa->vip) && rd_u8(&v, &leased) &&
			     rd_copy(&v, &sa->vip, sizeof(sa->vip));
			sa->has_vip = ok;
			sa->vip_leased = leased;
			sa->vip.pool[sizeof(sa->vip.pool) - 1] = 0;
			break;
		}
		case EXP_MID_OUT: ok = get_u64(&v, &x); sa->mid_out = (uint32_t)x; break;
		case EXP_MID_IN: ok = get_u64(&v, &x); sa->mid_in = (uint32_t)x; break;
		case EXP_IV_SEQ: ok = get_u64(&v, &sa->iv_seq); break;
		case EXP_FRAG_OK: ok = get_u64(&v, &x); sa->frag_ok = x; break;
		case EXP_LAST_RESP:
			ike_dgrams_free(&sa->last_resp);
			sa->last_resp.v = calloc(1, sizeof(struct chunk));
			ok = sa->last_resp.v && get_chunk(&v, &sa->last_resp.v[0]);
			sa->last_resp.n = ok;
			sa->has_last_resp = ok;
			break;
		case EXP_CHILD: ok = import_child(sa, &v); break;
		default: break;	/* newer fields */
		}
	}
	sa->conf = conf[0] ? ike_conf_ref(ike_core_conf(c, conf)) : NULL;
	if (ok && !sa->conf)
		err = "unknown connection";
	if (!ok || !version || !sa->conf || !sa->spi_i || !sa->spi_r)
		goto fail;
	sa->keys.alg.encr = sa->alg.encr;
	sa->keys.alg.key_bits = sa->alg.key_bits;
	sa->keys.alg.integ = sa->alg.integ;
	if (!keymat_ike_aeads(&sa->keys, sa->initiator, &sa->aead_out, &sa->aead_in)) {
		err = "keys do not fit the algorithms";
		goto fail;
	}
	/* never reuse an IV the old node may have used after the export */
	sa->iv_seq += IKE_EXPORT_IV_JUMP;
	if (htable_find(&c->by_spi, sa->initiator ? &sa->spi_i : &sa->spi_r)) {
		err = "an SA with these SPIs exists";
		goto fail;
	}
	sa->authenticated = true;
	sa->passive = true;
	core_sa_register(c, sa);
	if (sa->in_init_table) {
		htable_remove(&c->by_init, &sa->by_init);
		sa->in_init_table = false;
	}
	ike_sa_update_prefix(sa);
	ike_sa_set_state(sa, IKE_SA_ESTABLISHED);
	sa_info(sa, "imported passive IKE SA '%s' (SPIs %016llx_i %016llx_r)", conf,
		(unsigned long long)sa->spi_i, (unsigned long long)sa->spi_r);
	return sa->unique_id;
fail:
	snprintf(why, whylen, "%s", err);
	ike_sa_free(sa);
	return 0;
}

bool ike_core_activate(struct ike_core *c, uint32_t unique_id)
{
	struct ike_sa *sa = ike_core_find(c, unique_id);

	if (!sa || !sa->passive)
		return false;
	sa->passive = false;
	sa_info(sa, "activated");
	ike_sa_schedule_dpd(sa);
	ike_sa_schedule_rekey(sa);
	ike_sa_schedule_keepalive(sa);
	for (struct child_sa *ch = sa->children; ch; ch = ch->next)
		child_sa_schedule_rekey(sa, ch);
	core_event(sa, IKE_EV_SA_UPDATED, NULL);
	return true;
}
