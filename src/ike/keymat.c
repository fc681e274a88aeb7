#include "ike/keymat.h"

#include "crypto/prf.h"
#include "ike/iana.h"

/* Splits a prf+ stream into consecutive keys. */
struct keymat_cut {
	const struct chunk *src;
	size_t at;
};

static bool keymat_take(struct keymat_cut *c, size_t len, struct chunk *dst)
{
	if (len > c->src->len - c->at)
		return false;
	if (!chunk_dup(dst, c->src->ptr + c->at, len))
		return false;
	c->at += len;
	return true;
}

/* {SK_d, SK_ai, SK_ar, SK_ei, SK_er, SK_pi, SK_pr} = prf+(SKEYSEED, seed) */
static bool keymat_ike_split(uint16_t prf_id, const struct aead_alg *alg,
			     const uint8_t *skeyseed, size_t sks_len,
			     const struct chunk *ni, const struct chunk *nr,
			     const uint8_t *spi_i, const uint8_t *spi_r,
			     struct ike_keys *out)
{
	size_t ps = prf_size_of(prf_id), ek = aead_encr_key_len(alg),
	       ak = aead_integ_key_len(alg);
	struct prf *prf = prf_create(prf_id);
	struct chunk seed = { 0 }, stream = { 0 };
	struct keymat_cut cut = { &stream, 0 };
	bool ok = false;

	if (!prf || !prf_set_key(prf, skeyseed, sks_len) ||
	    !chunk_alloc(&seed, ni->len + nr->len + 2 * IKE_SPI_LEN))
		goto out;
	memcpy(seed.ptr, ni->ptr, ni->len);
	memcpy(seed.ptr + ni->len, nr->ptr, nr->len);
	memcpy(seed.ptr + ni->len + nr->len, spi_i, IKE_SPI_LEN);
	memcpy(seed.ptr + ni->len + nr->len + IKE_SPI_LEN, spi_r, IKE_SPI_LEN);
	if (!prf_plus(prf, seed.ptr, seed.len, 3 * ps + 2 * ak + 2 * ek, &stream))
		goto out;
	out->prf = prf_id;
	out->alg = *alg;
	ok = keymat_take(&cut, ps, &out->sk_d) &&
	     keymat_take(&cut, ak, &out->sk_ai) &&
	     keymat_take(&cut, ak, &out->sk_ar) &&
	     keymat_take(&cut, ek, &out->sk_ei) &&
	     keymat_take(&cut, ek, &out->sk_er) &&
	     keymat_take(&cut, ps, &out->sk_pi) &&
	     keymat_take(&cut, ps, &out->sk_pr);
out:
	if (!ok)
		ike_keys_free(out);
	chunk_free(&stream);
	chunk_free(&seed);
	prf_free(prf);
	return ok;
}

static bool keymat_args_ok(uint16_t prf, const struct aead_alg *alg,
			   const struct chunk *shared, const struct chunk *ni,
			   const struct chunk *nr)
{
	return prf_supported(prf) && aead_supported(alg) && shared &&
	       shared->len && ni && ni->len && nr && nr->len;
}

bool keymat_ike_derive(uint16_t prf_id, const struct aead_alg *alg,
		       const struct chunk *shared,
		       const struct chunk *ni, const struct chunk *nr,
		       const uint8_t *spi_i, const uint8_t *spi_r,
		       struct ike_keys *out)
{
	uint8_t skeyseed[PRF_MAX_SIZE];
	struct chunk nonces = { 0 };
	struct prf *prf = NULL;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (!keymat_args_ok(prf_id, alg, shared, ni, nr) || !spi_i || !spi_r)
		return false;
	/* SKEYSEED = prf(Ni | Nr, g^ir): HMAC takes the full nonces as key
	 * (RFC 7296 2.14). */
	prf = prf_create(prf_id);
	ok = prf && chunk_cat(&nonces, ni, nr) &&
	     prf_set_key(prf, nonces.ptr, nonces.len) &&
	     prf_compute(prf, shared->ptr, shared->len, skeyseed) &&
	     keymat_ike_split(prf_id, alg, skeyseed, prf_size(prf),
			      ni, nr, spi_i, spi_r, out);
	mem_wipe(skeyseed, sizeof(skeyseed));
	chunk_free(&nonces);
	prf_free(prf);
	return ok;
}

bool keymat_ike_rekey(const struct ike_keys *old, uint16_t prf_id,
		      const struct aead_alg *alg, const struct chunk *shared,
		      const struct chunk *ni, const struct chunk *nr,
		      const uint8_t *spi_i, const uint8_t *spi_r,
		      struct ike_keys *out)
{
	uint8_t skeyseed[PRF_MAX_SIZE];
	struct prf *prf = NULL;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (!old || !old->sk_d.len || !keymat_args_ok(prf_id, alg, shared, ni, nr) ||
	    !spi_i || !spi_r)
		return false;
	/* The rekey exchange belongs to the old SA: its PRF and SK_d make
	 * SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) (RFC 7296 2.18). */
	prf = prf_create(old->prf);
	ok = prf && prf_set_key(prf, old->sk_d.ptr, old->sk_d.len) &&
	     prf_begin(prf) && prf_update(prf, shared->ptr, shared->len) &&
	     prf_update(prf, ni->ptr, ni->len) &&
	     prf_update(prf, nr->ptr, nr->len) && prf_final(prf, skeyseed) &&
	     keymat_ike_split(prf_id, alg, skeyseed, prf_size(prf),
			      ni, nr, spi_i, spi_r, out);
	mem_wipe(skeyseed, sizeof(skeyseed));
	prf_free(prf);
	return ok;
}

void ike_keys_free(struct ike_keys *k)
{
	if (!k)
		return;
	chunk_free(&k->sk_d);
	chunk_free(&k->sk_ai);
	chunk_free(&k->sk_ar);
	chunk_free(&k->sk_ei);
	chunk_free(&k->sk_er);
	chunk_free(&k->sk_pi);
	chunk_free(&k->sk_pr);
}

bool keymat_ike_aeads(const struct ike_keys *k, bool initiator,
		      struct aead **out, struct aead **in)
{
	const struct chunk *eo = initiator ? &k->sk_ei : &k->sk_er,
			   *ao = initiator ? &k->sk_ai : &k->sk_ar,
			   *ei = initiator ? &k->sk_er : &k->sk_ei,
			   *ai = initiator ? &k->sk_ar : &k->sk_ai;

	*out = aead_create(&k->alg, true, eo->ptr, eo->len, ao->ptr, ao->len);
	*in = aead_create(&k->alg, false, ei->ptr, ei->len, ai->ptr, ai->len);
	if (*out && *in)
		return true;
	aead_free(*out);
	aead_free(*in);
	*out = *in = NULL;
	return false;
}

bool keymat_child_derive(const struct ike_keys *ike,
			 const struct aead_alg *alg, const struct chunk *shared,
			 const struct chunk *ni, const struct chunk *nr,
			 struct child_keys *out)
{
	size_t ek = aead_encr_key_len(alg), ak = aead_integ_key_len(alg);
	size_t slen = shared ? shared->len : 0;
	struct chunk seed = { 0 }, stream = { 0 };
	struct keymat_cut cut = { &stream, 0 };
	struct prf *prf = NULL;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (!ike || !ike->sk_d.len || !aead_supported(alg) || !ni || !ni->len ||
	    !nr || !nr->len)
		return false;
	/* KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr)  (RFC 7296 2.17) */
	if (!chunk_alloc(&seed, slen + ni->len + nr->len))
		goto out;
	if (slen)
		memcpy(seed.ptr, shared->ptr, slen);
	memcpy(seed.ptr + slen, ni->ptr, ni->len);
	memcpy(seed.ptr + slen + ni->len, nr->ptr, nr->len);
	prf = prf_create(ike->prf);
	if (!prf || !prf_set_key(prf, ike->sk_d.ptr, ike->sk_d.len) ||
	    !prf_plus(prf, seed.ptr, seed.len, 2 * (ek + ak), &stream))
		goto out;
	out->alg = *alg;
	/* Initiator-to-responder first; encryption before integrity. */
	ok = keymat_take(&cut, ek, &out->encr_ir) &&
	     keymat_take(&cut, ak, &out->integ_ir) &&
	     keymat_take(&cut, ek, &out->encr_ri) &&
	     keymat_take(&cut, ak, &out->integ_ri);
out:
	if (!ok)
		child_keys_free(out);
	chunk_free(&stream);
	chunk_free(&seed);
	prf_free(prf);
	return ok;
}

void child_keys_free(struct child_keys *k)
{
	if (!k)
		return;
	chunk_free(&k->encr_ir);
	chunk_free(&k->integ_ir);
	chunk_free(&k->encr_ri);
	chunk_free(&k->integ_ri);
}

bool keymat_signed_octets(uint16_t prf_id, const struct chunk *sk_p,
			  const uint8_t *msg, size_t msg_len,
			  const struct chunk *peer_nonce,
			  const uint8_t *id_body, size_t id_len,
			  struct chunk *out)
{
	struct prf *prf = NULL;
	size_t ps = prf_size_of(prf_id);
	bool ok = false;

	out->ptr = NULL;
	out->len = 0;
	if (!ps || !sk_p || !msg || !msg_len || !peer_nonce || !peer_nonce->len ||
	    !id_body || id_len < 4 || msg_len > SIZE_MAX - peer_nonce->len - ps)
		return false;
	prf = prf_create(prf_id);
	if (!prf || !chunk_alloc(out, msg_len + peer_nonce->len + ps))
		goto out;
	memcpy(out->ptr, msg, msg_len);
	memcpy(out->ptr + msg_len, peer_nonce->ptr, peer_nonce->len);
	/* MACedIDFor{I,R} = prf(SK_p{i,r}, IDx') */
	ok = prf_set_key(prf, sk_p->ptr, sk_p->len) &&
	     prf_compute(prf, id_body, id_len, out->ptr + msg_len + peer_nonce->len);
out:
	if (!ok)
		chunk_free(out);
	prf_free(prf);
	return ok;
}

bool keymat_psk_auth(uint16_t prf_id, const uint8_t *secret, size_t secret_len,
		     const struct chunk *octets, struct chunk *out)
{
	static const char pad[] = "Key Pad for IKEv2";	/* 17 octets, no NUL */
	uint8_t inner[PRF_MAX_SIZE];
	struct prf *prf = NULL;
	bool ok = false;

	out->ptr = NULL;
	out->len = 0;
	if (!prf_supported(prf_id) || !secret || !secret_len || !octets ||
	    !octets->len)
		return false;
	prf = prf_create(prf_id);
	if (!prf || !chunk_alloc(out, prf_size(prf)))
		goto out;
	ok = prf_set_key(prf, secret, secret_len) &&
	     prf_compute(prf, pad, sizeof(pad) - 1, inner) &&
	     prf_set_key(prf, inner, prf_size(prf)) &&
	     prf_compute(prf, octets->ptr, octets->len, out->ptr);
out:
	mem_wipe(inner, sizeof(inner));
	if (!ok)
		chunk_free(out);
	prf_free(prf);
	return ok;
}
