/* The SA state blob (docs/ha-protocol.md, "SA state"): the encoder (the
 * decoder is sa_decode.c). Header: magic u32, version u16, flags u16;
 * then TLVs (type u16, length u32, value) to the end. A CHILD SA is one TLV whose
 * value is again a TLV list. Integers are network order. */
#include "ike/sa_export.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crypto/aead.h"
#include "ike/core_priv.h"
#include "ike/iana.h"
#include "lib/wbuf.h"

static bool fail(struct sa_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool fail(struct sa_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return false;
}

/* --- encoding ---------------------------------------------------------- */

static size_t tlv_open(struct wbuf *w, uint16_t type)
{
	wbuf_u16(w, type);
	return wbuf_reserve(w, 4);
}

static void tlv_close(struct wbuf *w, size_t off)
{
	if (wbuf_ok(w))
		wbuf_put_u32_at(w, off, (uint32_t)(w->len - off - 4));
}

static void tlv_bytes(struct wbuf *w, uint16_t type, const void *p, size_t len)
{
	wbuf_u16(w, type);
	wbuf_u32(w, (uint32_t)len);
	wbuf_bytes(w, p, len);
}

static void tlv_u8(struct wbuf *w, uint16_t type, uint8_t v)
{
	tlv_bytes(w, type, &v, 1);
}

static void tlv_u32(struct wbuf *w, uint16_t type, uint32_t v)
{
	wbuf_u16(w, type);
	wbuf_u32(w, 4);
	wbuf_u32(w, v);
}

static void tlv_u64(struct wbuf *w, uint16_t type, uint64_t v)
{
	wbuf_u16(w, type);
	wbuf_u32(w, 8);
	wbuf_u64(w, v);
}

static void tlv_chunk(struct wbuf *w, uint16_t type, const struct chunk *c)
{
	tlv_bytes(w, type, c->ptr, c->len);
}

/* family u8 (4|6), address, port u16 */
static bool put_addr(struct wbuf *w, const struct sockaddr_storage *ss, bool port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;

		wbuf_u8(w, 4);
		wbuf_bytes(w, &s->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;

		wbuf_u8(w, 6);
		wbuf_bytes(w, &s->sin6_addr, 16);
	} else {
		return false;
	}
	if (port)
		wbuf_u16(w, sockaddr_port(ss));
	return true;
}

static bool tlv_endpoint(struct wbuf *w, uint16_t type, const struct sockaddr_storage *ss)
{
	size_t off = tlv_open(w, type);
	bool ok = put_addr(w, ss, true);

	tlv_close(w, off);
	return ok;
}

static void tlv_alg(struct wbuf *w, uint16_t type, const struct ike_chosen *a)
{
	wbuf_u16(w, type);
	wbuf_u32(w, 12);
	wbuf_u16(w, a->encr);
	wbuf_u16(w, a->key_bits);
	wbuf_u16(w, a->integ);
	wbuf_u16(w, a->prf);
	wbuf_u16(w, a->ke);
	wbuf_u16(w, a->esn);
}

static void tlv_id(struct wbuf *w, uint16_t type, const struct ike_id *id)
{
	size_t off = tlv_open(w, type);

	wbuf_u8(w, id->type);
	wbuf_bytes(w, id->data, id->len);
	tlv_close(w, off);
}

static void tlv_ts(struct wbuf *w, uint16_t type, const struct ike_ts *ts)
{
	wbuf_u16(w, type);
	wbuf_u32(w, 38);
	wbuf_u8(w, ts->type);
	wbuf_u8(w, ts->ip_proto);
	wbuf_u16(w, ts->start_port);
	wbuf_u16(w, ts->end_port);
	wbuf_bytes(w, ts->start, 16);
	wbuf_bytes(w, ts->end, 16);
}

static bool put_vip(struct wbuf *w, const struct ike_sa *sa)
{
	size_t off = tlv_open(w, SA_T_VIP), n = strnlen(sa->vip.pool, sizeof(sa->vip.pool));
	bool ok = put_addr(w, &sa->vip.addr, false);

	wbuf_u8(w, sa->vip_leased ? 1 : 0);
	wbuf_u8(w, (uint8_t)sa->vip.ndns);
	for (size_t i = 0; i < sa->vip.ndns && i < IKE_MAX_DNS; i++)
		ok = ok && put_addr(w, &sa->vip.dns[i], false);
	wbuf_bytes(w, sa->vip.pool, n);
	tlv_close(w, off);
	return ok;
}

static void put_child(struct wbuf *w, const struct ike_sa *sa, const struct child_sa *ch)
{
	struct ike_child_conf *cc = sa->conf ? ike_conf_child(sa->conf, ch->name) : NULL;
	size_t off = tlv_open(w, SA_T_CHILD);

	tlv_u32(w, SA_C_UNIQUE_ID, ch->unique_id);
	tlv_u32(w, SA_C_REQID, ch->reqid);	/* the exporter's: reference only */
	tlv_bytes(w, SA_C_NAME, ch->name, strnlen(ch->name, sizeof(ch->name)));
	tlv_u8(w, SA_C_PROTO, ch->protocol);
	tlv_u8(w, SA_C_MODE, ch->mode == IKE_MODE_TRANSPORT ? 1 : 0);
	tlv_u8(w, SA_C_ENCAP, ch->encap ? 1 : 0);
	tlv_u32(w, SA_C_SPI_IN, ch->spi_in);
	tlv_u32(w, SA_C_SPI_OUT, ch->spi_out);
	tlv_alg(w, SA_C_ALG, &ch->alg);
	wbuf_u16(w, SA_C_KEYS_ALG);
	wbuf_u32(w, 6);
	wbuf_u16(w, ch->keys.alg.encr);
	wbuf_u16(w, ch->keys.alg.key_bits);
	wbuf_u16(w, ch->keys.alg.integ);
	tlv_chunk(w, SA_C_ENCR_IR, &ch->keys.encr_ir);
	tlv_chunk(w, SA_C_INTEG_IR, &ch->keys.integ_ir);
	tlv_chunk(w, SA_C_ENCR_RI, &ch->keys.encr_ri);
	tlv_chunk(w, SA_C_INTEG_RI, &ch->keys.integ_ri);
	for (size_t i = 0; i < ch->n_local_ts; i++)
		tlv_ts(w, SA_C_LOCAL_TS, &ch->local_ts[i]);
	for (size_t i = 0; i < ch->n_remote_ts; i++)
		tlv_ts(w, SA_C_REMOTE_TS, &ch->remote_ts[i]);
	/* advisory: the importer's conf governs its timers */
	wbuf_u16(w, SA_C_LIFETIMES);
	wbuf_u32(w, 8);
	wbuf_u32(w, cc ? cc->rekey_time_s : 0);
	wbuf_u32(w, cc ? cc->life_time_s : 0);
	tlv_close(w, off);
}

bool sa_export_sa(const struct ike_sa *sa, struct chunk *out, struct sa_err *err)
{
	struct wbuf w;
	const struct ike_keys *k = &sa->keys;
	bool ok = true, passive = sa->state == IKE_SA_PASSIVE;
	size_t nchild = 0;

	out->ptr = NULL;
	out->len = 0;
	if (sa->state != IKE_SA_ESTABLISHED && !passive)
		return fail(err, "IKE SA #%u is %s, only ESTABLISHED SAs are exported",
			    sa->unique_id, ike_sa_state_name(sa->state));
	if (!sa->conf)
		return fail(err, "IKE SA #%u has no connection", sa->unique_id);
	wbuf_init(&w);
	wbuf_u32(&w, SA_EXPORT_MAGIC);
	wbuf_u16(&w, SA_EXPORT_VERSION);
	wbuf_u16(&w, 0);
	tlv_u32(&w, SA_T_UNIQUE_ID, sa->unique_id);
	tlv_u8(&w, SA_T_ROLE, sa->initiator ? 1 : 0);
	tlv_bytes(&w, SA_T_CONF, sa->conf->name, strnlen(sa->conf->name, sizeof(sa->conf->name)));
	tlv_u64(&w, SA_T_SPI_I, sa->spi_i);
	tlv_u64(&w, SA_T_SPI_R, sa->spi_r);
	/* a passive copy is the mirror of an established SA */
	tlv_u8(&w, SA_T_STATE, IKE_SA_ESTABLISHED);
	ok = tlv_endpoint(&w, SA_T_LOCAL, &sa->ep.local) &&
	     tlv_endpoint(&w, SA_T_REMOTE, &sa->ep.remote);
	tlv_u8(&w, SA_T_NAT, (uint8_t)((sa->nat_here ? 1 : 0) | (sa->nat_there ? 2 : 0)));
	tlv_alg(&w, SA_T_ALG, &sa->alg);
	wbuf_u16(&w, SA_T_KEYS_ALG);
	wbuf_u32(&w, 8);
	wbuf_u16(&w, k->prf);
	wbuf_u16(&w, k->alg.encr);
	wbuf_u16(&w, k->alg.key_bits);
	wbuf_u16(&w, k->alg.integ);
	tlv_chunk(&w, SA_T_SK_D, &k->sk_d);
	tlv_chunk(&w, SA_T_SK_AI, &k->sk_ai);
	tlv_chunk(&w, SA_T_SK_AR, &k->sk_ar);
	tlv_chunk(&w, SA_T_SK_EI, &k->sk_ei);
	tlv_chunk(&w, SA_T_SK_ER, &k->sk_er);
	tlv_chunk(&w, SA_T_SK_PI, &k->sk_pi);
	tlv_chunk(&w, SA_T_SK_PR, &k->sk_pr);
	tlv_chunk(&w, SA_T_NI, &sa->ni);
	tlv_chunk(&w, SA_T_NR, &sa->nr);
	tlv_id(&w, SA_T_MY_ID, &sa->my_id);
	tlv_id(&w, SA_T_PEER_ID, &sa->peer_id);
	if (sa->has_vip)
		ok = put_vip(&w, sa) && ok;
	/* a request in flight cannot be finished elsewhere (its task stays
	 * here): the next one uses the following ID, as the peer has most
	 * likely seen this one */
	tlv_u32(&w, SA_T_MID_OUT, sa->mid_out + (sa->req_in_flight ? 1 : 0));
	tlv_u32(&w, SA_T_MID_IN, sa->mid_in);
	/* the last response, one TLV per datagram (RFC 7383 fragments), and
	 * the hash of the request it answers: only that is answered again */
	for (size_t i = 0; i < sa->last_resp.n; i++)
		tlv_chunk(&w, SA_T_LAST_RESP, &sa->last_resp.v[i]);
	if (sa->last_resp.n)
		tlv_bytes(&w, SA_T_LAST_REQ_HASH, sa->last_req_hash, sizeof(sa->last_req_hash));
	tlv_u8(&w, SA_T_FRAG_OK, sa->frag_ok ? 1 : 0);
	tlv_u64(&w, SA_T_IV_SEQ, sa->iv_seq);
	if (sa->peer_cert.len)
		tlv_chunk(&w, SA_T_PEER_CERT, &sa->peer_cert);
	for (const struct child_sa *ch = sa->children; ch; ch = ch->next) {
		if (!passive && ch->state != CHILD_SA_INSTALLED)
			continue;
		if (++nchild > SA_EXPORT_MAX_CHILDREN) {
			wbuf_free(&w);
			return fail(err, "IKE SA #%u has more than %d CHILD SAs", sa->unique_id,
				    SA_EXPORT_MAX_CHILDREN);
		}
		put_child(&w, sa, ch);
	}
	if (!ok) {
		wbuf_free(&w);
		return fail(err, "IKE SA #%u has an address of unknown family", sa->unique_id);
	}
	if (!wbuf_ok(&w)) {
		wbuf_free(&w);
		return fail(err, "out of memory");
	}
	out->ptr = wbuf_steal(&w, &out->len);
	return true;
}

bool sa_export(struct ike_core *c, uint32_t unique_id, struct chunk *out,
	       struct sa_err *err)
{
	struct ike_sa *sa = ike_core_find(c, unique_id);

	out->ptr = NULL;
	out->len = 0;
	if (!sa)
		return fail(err, "no IKE SA #%u", unique_id);
	return sa_export_sa(sa, out, err);
}
