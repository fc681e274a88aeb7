/* The SA state blob: the bounded decoder (format in sa_export.c and
 * docs/ha-protocol.md). Every read goes through struct rd; a failure
 * names the field. */
#include "ike/sa_export.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/prf.h"
#include "ike/core_priv.h"
#include "ike/iana.h"
#include "lib/rd.h"

#define MAX_LAST_RESP 65535u
#define MAX_PEER_CERT 16384u
#define MAX_SK_LEN 64u		/* SK_d/SK_pi/SK_pr: a PRF output */
#define MAX_RESP_DGRAMS 64	/* fragments of one response */

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

/* --- decoding ---------------------------------------------------------- */

/* The next TLV of r into type and its bounded value. */
static bool next_tlv(struct rd *r, uint16_t *type, struct rd *val, struct sa_err *err)
{
	uint32_t len;
	struct rd save = *r;

	if (!rd_u16(r, type) || !rd_u32(r, &len)) {
		*r = save;
		return fail(err, "truncated TLV header");
	}
	if (!rd_sub(r, len, val)) {
		*r = save;
		return fail(err, "TLV %u: length %u exceeds the %zu bytes left", *type, len,
			    r->left);
	}
	return true;
}

/* A singleton TLV seen twice is refused: the blob is ambiguous. */
static bool mark(uint64_t *seen, uint16_t type, const char *what, struct sa_err *err)
{
	if (*seen & (1ull << type))
		return fail(err, "%s: duplicate TLV %u", what, type);
	*seen |= 1ull << type;
	return true;
}

static bool rd_exact(struct rd *v, size_t len, const char *what, struct sa_err *err)
{
	if (v->left != len)
		return fail(err, "%s: length %zu, expected %zu", what, v->left, len);
	return true;
}

static bool get_u8(struct rd *v, uint8_t *o, const char *what, struct sa_err *err)
{
	return rd_exact(v, 1, what, err) && rd_u8(v, o);
}

static bool get_u32(struct rd *v, uint32_t *o, const char *what, struct sa_err *err)
{
	return rd_exact(v, 4, what, err) && rd_u32(v, o);
}

static bool get_u64(struct rd *v, uint64_t *o, const char *what, struct sa_err *err)
{
	return rd_exact(v, 8, what, err) && rd_u64(v, o);
}

static bool get_chunk(struct rd *v, struct chunk *o, size_t min, size_t max,
		      const char *what, struct sa_err *err)
{
	const uint8_t *p;
	size_t n = v->left;

	if (n < min || n > max)
		return fail(err, "%s: length %zu not in %zu..%zu", what, n, min, max);
	if (!rd_ptr(v, n, &p))
		return fail(err, "%s: truncated", what);
	chunk_free(o);
	if (n && !chunk_dup(o, p, n))
		return fail(err, "out of memory");
	return true;
}

static bool get_name(struct rd *v, char *out, size_t size, const char *what,
		     struct sa_err *err)
{
	size_t n = v->left;

	if (n == 0 || n >= size)
		return fail(err, "%s: length %zu not in 1..%zu", what, n, size - 1);
	if (!rd_copy(v, out, n))
		return fail(err, "%s: truncated", what);
	out[n] = 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
			return fail(err, "%s: not printable", what);
	return true;
}

static bool get_addr(struct rd *v, struct sockaddr_storage *ss, bool port,
		     const char *what, struct sa_err *err)
{
	uint8_t fam;
	uint16_t p = 0;

	memset(ss, 0, sizeof(*ss));
	if (!rd_u8(v, &fam))
		return fail(err, "%s: truncated", what);
	if (fam == 4) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		if (!rd_copy(v, &s->sin_addr, 4))
			return fail(err, "%s: truncated IPv4 address", what);
	} else if (fam == 6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		if (!rd_copy(v, &s->sin6_addr, 16))
			return fail(err, "%s: truncated IPv6 address", what);
	} else {
		return fail(err, "%s: unknown address family %u", what, fam);
	}
	if (port) {
		if (!rd_u16(v, &p))
			return fail(err, "%s: truncated port", what);
		sockaddr_set_port(ss, p);
	}
	return true;
}

static bool get_endpoint(struct rd *v, struct sockaddr_storage *ss, const char *what,
			 struct sa_err *err)
{
	return get_addr(v, ss, true, what, err) && rd_exact(v, 0, what, err);
}

static bool get_alg(struct rd *v, struct ike_chosen *a, const char *what,
		    struct sa_err *err)
{
	return rd_exact(v, 12, what, err) && rd_u16(v, &a->encr) &&
	       rd_u16(v, &a->key_bits) && rd_u16(v, &a->integ) && rd_u16(v, &a->prf) &&
	       rd_u16(v, &a->ke) && rd_u16(v, &a->esn);
}

static bool get_aead_alg(struct rd *v, struct aead_alg *a, const char *what,
			 struct sa_err *err)
{
	if (!rd_exact(v, 6, what, err) || !rd_u16(v, &a->encr) ||
	    !rd_u16(v, &a->key_bits) || !rd_u16(v, &a->integ))
		return false;
	if (!aead_supported(a))
		return fail(err, "%s: unsupported algorithm %u/%u/%u", what, a->encr,
			    a->key_bits, a->integ);
	return true;
}

static bool get_id(struct rd *v, struct ike_id *id, const char *what, struct sa_err *err)
{
	memset(id, 0, sizeof(*id));
	if (!rd_u8(v, &id->type))
		return fail(err, "%s: truncated", what);
	if (v->left == 0 || v->left > IKE_ID_MAX)
		return fail(err, "%s: length %zu not in 1..%d", what, v->left, IKE_ID_MAX);
	id->len = (uint16_t)v->left;
	return rd_copy(v, id->data, id->len);
}

static bool get_ts(struct rd *v, struct ike_ts *ts, const char *what, struct sa_err *err)
{
	memset(ts, 0, sizeof(*ts));
	if (!rd_exact(v, 38, what, err) || !rd_u8(v, &ts->type) ||
	    !rd_u8(v, &ts->ip_proto) || !rd_u16(v, &ts->start_port) ||
	    !rd_u16(v, &ts->end_port) || !rd_copy(v, ts->start, 16) ||
	    !rd_copy(v, ts->end, 16))
		return false;
	if (ts->type != TS_IPV4_ADDR_RANGE && ts->type != TS_IPV6_ADDR_RANGE)
		return fail(err, "%s: selector type %u not supported", what, ts->type);
	return true;
}

static bool get_vip(struct rd *v, struct ike_sa *sa, struct sa_err *err)
{
	uint8_t leased, ndns;

	memset(&sa->vip, 0, sizeof(sa->vip));
	if (!get_addr(v, &sa->vip.addr, false, "virtual IP", err))
		return false;
	if (!rd_u8(v, &leased) || !rd_u8(v, &ndns))
		return fail(err, "virtual IP: truncated");
	if (leased > 1 || ndns > IKE_MAX_DNS)
		return fail(err, "virtual IP: bad flags %u or %u DNS servers", leased, ndns);
	for (uint8_t i = 0; i < ndns; i++)
		if (!get_addr(v, &sa->vip.dns[i], false, "virtual IP DNS", err))
			return false;
	sa->vip.ndns = ndns;
	if (v->left >= sizeof(sa->vip.pool))
		return fail(err, "virtual IP: pool name too long");
	if (v->left && !get_name(v, sa->vip.pool, sizeof(sa->vip.pool), "pool name", err))
		return false;
	sa->has_vip = true;
	sa->vip_leased = leased;
	return true;
}

/* CHILD SA keys must fit the algorithm exactly. */
static bool check_child_keys(const struct child_keys *k, struct sa_err *err)
{
	size_t e = aead_encr_key_len(&k->alg), i = aead_integ_key_len(&k->alg);

	if (k->encr_ir.len != e || k->encr_ri.len != e)
		return fail(err, "CHILD SA: encryption keys of %zu/%zu bytes, expected %zu",
			    k->encr_ir.len, k->encr_ri.len, e);
	if (k->integ_ir.len != i || k->integ_ri.len != i)
		return fail(err, "CHILD SA: integrity keys of %zu/%zu bytes, expected %zu",
			    k->integ_ir.len, k->integ_ri.len, i);
	return true;
}

#define REQUIRED_CHILD ((1ull << SA_C_UNIQUE_ID) | (1ull << SA_C_NAME) | (1ull << SA_C_PROTO) | \
	(1ull << SA_C_MODE) | (1ull << SA_C_SPI_IN) | (1ull << SA_C_SPI_OUT) | (1ull << SA_C_ALG) | \
	(1ull << SA_C_KEYS_ALG) | (1ull << SA_C_ENCR_IR) | (1ull << SA_C_ENCR_RI) | \
	(1ull << SA_C_LOCAL_TS) | (1ull << SA_C_REMOTE_TS))

static bool decode_child(struct rd *r, struct child_sa *ch, struct sa_err *err)
{
	uint64_t seen = 0;
	uint16_t type;
	struct rd v;
	uint8_t u8;
	uint32_t u32;

	while (r->left) {
		if (!next_tlv(r, &type, &v, err))
			return false;
		if (type >= SA_C_MAX)
			continue;	/* a later version's field */
		if (type != SA_C_LOCAL_TS && type != SA_C_REMOTE_TS && !mark(&seen, type, "CHILD SA", err))
			return false;
		seen |= 1ull << type;
		switch (type) {
		case SA_C_UNIQUE_ID:
			if (!get_u32(&v, &ch->unique_id, "CHILD unique id", err))
				return false;
			break;
		case SA_C_NAME:
			if (!get_name(&v, ch->name, sizeof(ch->name), "CHILD name", err))
				return false;
			break;
		case SA_C_PROTO:
			if (!get_u8(&v, &ch->protocol, "CHILD protocol", err))
				return false;
			if (ch->protocol != PROTO_ESP && ch->protocol != PROTO_AH)
				return fail(err, "CHILD protocol %u unknown", ch->protocol);
			break;
		case SA_C_MODE:
			if (!get_u8(&v, &u8, "CHILD mode", err))
				return false;
			if (u8 > 1)
				return fail(err, "CHILD mode %u unknown", u8);
			ch->mode = u8 ? IKE_MODE_TRANSPORT : IKE_MODE_TUNNEL;
			break;
		case SA_C_ENCAP:
			if (!get_u8(&v, &u8, "CHILD encap", err))
				return false;
			ch->encap = u8 != 0;
			break;
		case SA_C_SPI_IN:
		case SA_C_SPI_OUT:
			if (!get_u32(&v, &u32, "CHILD SPI", err))
				return false;
			if (!u32)
				return fail(err, "CHILD SPI is 0");
			*(type == SA_C_SPI_IN ? &ch->spi_in : &ch->spi_out) = u32;
			break;
		case SA_C_ALG:
			if (!get_alg(&v, &ch->alg, "CHILD algorithms", err))
				return false;
			break;
		case SA_C_KEYS_ALG:
			if (!get_aead_alg(&v, &ch->keys.alg, "CHILD key algorithm", err))
				return false;
			break;
		case SA_C_ENCR_IR:
		case SA_C_ENCR_RI:
		case SA_C_INTEG_IR:
		case SA_C_INTEG_RI: {
			struct chunk *k = type == SA_C_ENCR_IR ? &ch->keys.encr_ir :
					  type == SA_C_ENCR_RI ? &ch->keys.encr_ri :
					  type == SA_C_INTEG_IR ? &ch->keys.integ_ir :
					  &ch->keys.integ_ri;

			if (!get_chunk(&v, k, 0, 128, "CHILD key", err))
				return false;
			break;
		}
		case SA_C_LOCAL_TS:
			if (ch->n_local_ts == CHILD_MAX_TS)
				return fail(err, "CHILD SA: more than %d local selectors", CHILD_MAX_TS);
			if (!get_ts(&v, &ch->local_ts[ch->n_local_ts++], "local selector", err))
				return false;
			break;
		case SA_C_REMOTE_TS:
			if (ch->n_remote_ts == CHILD_MAX_TS)
				return fail(err, "CHILD SA: more than %d remote selectors", CHILD_MAX_TS);
			if (!get_ts(&v, &ch->remote_ts[ch->n_remote_ts++], "remote selector", err))
				return false;
			break;
		case SA_C_REQID:
			if (!get_u32(&v, &ch->reqid, "CHILD reqid", err))
				return false;
			break;
		case SA_C_LIFETIMES:
			if (!rd_exact(&v, 8, "CHILD lifetimes", err))
				return false;
			break;
		default:
			break;
		}
	}
	if ((seen & REQUIRED_CHILD) != REQUIRED_CHILD) {
		for (unsigned t = 1; t < SA_C_MAX; t++)
			if ((REQUIRED_CHILD & (1ull << t)) && !(seen & (1ull << t)))
				return fail(err, "CHILD SA: TLV %u missing", t);
	}
	return check_child_keys(&ch->keys, err);
}

#define REQUIRED_IKE ((1ull << SA_T_UNIQUE_ID) | (1ull << SA_T_ROLE) | (1ull << SA_T_CONF) | \
	(1ull << SA_T_SPI_I) | (1ull << SA_T_SPI_R) | (1ull << SA_T_STATE) | (1ull << SA_T_LOCAL) | \
	(1ull << SA_T_REMOTE) | (1ull << SA_T_ALG) | (1ull << SA_T_KEYS_ALG) | (1ull << SA_T_SK_D) | \
	(1ull << SA_T_SK_EI) | (1ull << SA_T_SK_ER) | (1ull << SA_T_SK_PI) | (1ull << SA_T_SK_PR) | \
	(1ull << SA_T_NI) | (1ull << SA_T_NR) | (1ull << SA_T_MY_ID) | (1ull << SA_T_PEER_ID) | \
	(1ull << SA_T_MID_OUT) | (1ull << SA_T_MID_IN) | (1ull << SA_T_IV_SEQ))

/* One more datagram of the last response (repeated TLV, in order). */
static bool get_last_resp(struct rd *v, struct ike_sa *sa, struct sa_err *err)
{
	struct chunk *nv;

	if (sa->last_resp.n >= MAX_RESP_DGRAMS)
		return fail(err, "last response: more than %d datagrams", MAX_RESP_DGRAMS);
	nv = realloc(sa->last_resp.v, (sa->last_resp.n + 1) * sizeof(*nv));
	if (!nv)
		return fail(err, "out of memory");
	sa->last_resp.v = nv;
	nv[sa->last_resp.n] = (struct chunk){ 0 };
	if (!get_chunk(v, &nv[sa->last_resp.n], 28, MAX_LAST_RESP, "last response", err)) {
		chunk_free(&nv[sa->last_resp.n]);
		return false;
	}
	sa->last_resp.n++;
	return true;
}

static struct chunk *sk_field(struct ike_sa *sa, uint16_t type)
{
	struct ike_keys *k = &sa->keys;

	switch (type) {
	case SA_T_SK_D: return &k->sk_d;
	case SA_T_SK_AI: return &k->sk_ai;
	case SA_T_SK_AR: return &k->sk_ar;
	case SA_T_SK_EI: return &k->sk_ei;
	case SA_T_SK_ER: return &k->sk_er;
	case SA_T_SK_PI: return &k->sk_pi;
	default: return &k->sk_pr;
	}
}

static bool decode_ike_tlv(uint16_t type, struct rd *v, struct ike_sa *sa,
			   char conf_name[64], size_t *nchild, struct sa_err *err)
{
	uint8_t u8;

	switch (type) {
	case SA_T_UNIQUE_ID: {
		uint32_t id;

		return get_u32(v, &id, "unique id", err);
	}
	case SA_T_ROLE:
		if (!get_u8(v, &u8, "role", err))
			return false;
		if (u8 > 1)
			return fail(err, "role %u unknown", u8);
		sa->initiator = u8;
		return true;
	case SA_T_CONF:
		return get_name(v, conf_name, 64, "connection name", err);
	case SA_T_SPI_I:
	case SA_T_SPI_R: {
		uint64_t *spi = type == SA_T_SPI_I ? &sa->spi_i : &sa->spi_r;

		if (!get_u64(v, spi, "IKE SPI", err))
			return false;
		return *spi ? true : fail(err, "IKE SPI is 0");
	}
	case SA_T_STATE:
		if (!get_u8(v, &u8, "state", err))
			return false;
		if (u8 != IKE_SA_ESTABLISHED)
			return fail(err, "state %u: only ESTABLISHED SAs are imported", u8);
		return true;
	case SA_T_LOCAL:
		return get_endpoint(v, &sa->ep.local, "local endpoint", err);
	case SA_T_REMOTE:
		return get_endpoint(v, &sa->ep.remote, "remote endpoint", err);
	case SA_T_NAT:
		if (!get_u8(v, &u8, "NAT flags", err))
			return false;
		if (u8 > 3)
			return fail(err, "NAT flags %#x unknown", u8);
		sa->nat_here = u8 & 1;
		sa->nat_there = (u8 & 2) != 0;
		return true;
	case SA_T_ALG:
		return get_alg(v, &sa->alg, "IKE algorithms", err);
	case SA_T_KEYS_ALG:
		if (!rd_exact(v, 8, "IKE key algorithm", err) || !rd_u16(v, &sa->keys.prf))
			return false;
		if (!prf_size_of(sa->keys.prf))
			return fail(err, "IKE PRF %u unsupported", sa->keys.prf);
		return get_aead_alg(v, &sa->keys.alg, "IKE key algorithm", err);
	case SA_T_SK_D:
	case SA_T_SK_PI:
	case SA_T_SK_PR:
		return get_chunk(v, sk_field(sa, type), 1, MAX_SK_LEN, "SK_d/SK_p", err);
	case SA_T_SK_AI:
	case SA_T_SK_AR:
	case SA_T_SK_EI:
	case SA_T_SK_ER:
		return get_chunk(v, sk_field(sa, type), 0, 128, "SK_a/SK_e", err);
	case SA_T_NI:
		return get_chunk(v, &sa->ni, 16, 256, "Ni", err);
	case SA_T_NR:
		return get_chunk(v, &sa->nr, 16, 256, "Nr", err);
	case SA_T_MY_ID:
		return get_id(v, &sa->my_id, "our identity", err);
	case SA_T_PEER_ID:
		return get_id(v, &sa->peer_id, "peer identity", err);
	case SA_T_VIP:
		return get_vip(v, sa, err);
	case SA_T_MID_OUT:
		return get_u32(v, &sa->mid_out, "message ID out", err);
	case SA_T_MID_IN:
		return get_u32(v, &sa->mid_in, "message ID in", err);
	case SA_T_LAST_RESP:
		return get_last_resp(v, sa, err);
	case SA_T_LAST_REQ_HASH:
		return rd_exact(v, sizeof(sa->last_req_hash), "request hash", err) &&
		       rd_copy(v, sa->last_req_hash, sizeof(sa->last_req_hash));
	case SA_T_FRAG_OK:
		if (!get_u8(v, &u8, "fragmentation flag", err))
			return false;
		sa->frag_ok = u8 != 0;
		return true;
	case SA_T_IV_SEQ:
		return get_u64(v, &sa->iv_seq, "IV counter", err);
	case SA_T_PEER_CERT:
		return get_chunk(v, &sa->peer_cert, 1, MAX_PEER_CERT, "peer certificate", err);
	case SA_T_CHILD: {
		struct child_sa *ch, **pp;

		if (++*nchild > SA_EXPORT_MAX_CHILDREN)
			return fail(err, "more than %d CHILD SAs", SA_EXPORT_MAX_CHILDREN);
		ch = child_sa_new(sa, "");
		if (!ch)
			return fail(err, "out of memory");
		ch->sa = sa;
		/* keep the exporter's order: re-export gives the same bytes */
		for (pp = &sa->children; *pp; pp = &(*pp)->next)
			;
		*pp = ch;
		return decode_child(v, ch, err);
	}
	default:
		return true;
	}
}

bool sa_decode(const uint8_t *blob, size_t len, struct ike_sa *sa,
	       char conf_name[64], struct sa_err *err)
{
	struct rd r = rd_init(blob, len), v;
	uint64_t seen = 0;
	uint32_t magic;
	uint16_t version, flags, type;
	size_t nchild = 0, e, i;

	if (!rd_u32(&r, &magic) || !rd_u16(&r, &version) || !rd_u16(&r, &flags))
		return fail(err, "truncated header (%zu bytes)", len);
	if (magic != SA_EXPORT_MAGIC)
		return fail(err, "not an SA state blob (magic %08x)", magic);
	if (version != SA_EXPORT_VERSION)
		return fail(err, "version %u not supported (this node speaks %u)", version,
			    SA_EXPORT_VERSION);
	while (r.left) {
		if (!next_tlv(&r, &type, &v, err))
			return false;
		if (type >= SA_T_MAX_IKE || type == 0)
			continue;	/* a later version's field */
		if (type != SA_T_CHILD && type != SA_T_LAST_RESP &&
		    !mark(&seen, type, "IKE SA", err))
			return false;
		if (!decode_ike_tlv(type, &v, sa, conf_name, &nchild, err))
			return false;
	}
	if ((seen & REQUIRED_IKE) != REQUIRED_IKE) {
		for (unsigned t = 1; t < SA_T_MAX_IKE; t++)
			if ((REQUIRED_IKE & (1ull << t)) && !(seen & (1ull << t)))
				return fail(err, "IKE SA: TLV %u missing", t);
	}
	if (sa->ep.local.ss_family != sa->ep.remote.ss_family)
		return fail(err, "local and remote endpoints of different families");
	e = aead_encr_key_len(&sa->keys.alg);
	i = aead_integ_key_len(&sa->keys.alg);
	if (sa->keys.sk_ei.len != e || sa->keys.sk_er.len != e ||
	    sa->keys.sk_ai.len != i || sa->keys.sk_ar.len != i)
		return fail(err, "IKE keys do not fit the algorithm (%zu/%zu encr, %zu/%zu integ)",
			    sa->keys.sk_ei.len, sa->keys.sk_er.len, sa->keys.sk_ai.len,
			    sa->keys.sk_ar.len);
	if (sa->keys.sk_d.len != prf_size_of(sa->keys.prf) ||
	    sa->keys.sk_pi.len != sa->keys.sk_d.len || sa->keys.sk_pr.len != sa->keys.sk_d.len)
		return fail(err, "SK_d/SK_pi/SK_pr do not fit the PRF");
	if (!keymat_ike_aeads(&sa->keys, sa->initiator, &sa->aead_out, &sa->aead_in))
		return fail(err, "cannot key the SK transforms");
	sa->authenticated = true;
	sa->ke_group = sa->alg.ke;
	return true;
}
