/* IKEv2 signature AUTH data over OpenSSL EVP_DigestSign/Verify (see
 * sign.h). */
#include "crypto/sign.h"

#include <string.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "ike/iana.h"
#include "lib/rd.h"

const char *sign_status_name(enum sign_status st)
{
	switch (st) {
	case SIGN_OK: return "ok";
	case SIGN_ERR_MALFORMED: return "malformed AUTH data";
	case SIGN_ERR_UNKNOWN_ALG: return "unknown signature algorithm";
	case SIGN_ERR_KEY_MISMATCH: return "algorithm does not fit the key";
	case SIGN_ERR_BAD_SIGNATURE: return "bad signature";
	case SIGN_ERR_INTERNAL: return "internal error";
	}
	return "?";
}

/* Padding, salt and MGF1 for RSA; nothing to do for (EC/Ed)DSA. */
static bool sign_setup_pctx(EVP_PKEY_CTX *pctx, const struct sigalg *alg)
{
	const char *md = sigalg_md_name(alg->scheme);

	if (sigalg_key_type(alg->scheme) != PUBKEY_RSA)
		return true;
	switch (alg->scheme) {
	case SIG_RSA_PSS_SHA256:
	case SIG_RSA_PSS_SHA384:
	case SIG_RSA_PSS_SHA512:
		return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
		       EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) > 0 &&
		       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, alg->pss_salt_len) > 0;
	default:
		return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
	}
}

static enum sign_status sign_check_key(const EVP_PKEY *k, const struct sigalg *alg,
				       const char **reason)
{
	if (sigalg_key_type(alg->scheme) == PUBKEY_NONE) {
		*reason = "no signature scheme";
		return SIGN_ERR_UNKNOWN_ALG;
	}
	if (pubkey_type(k) != sigalg_key_type(alg->scheme)) {
		*reason = "signature algorithm does not fit the key type";
		return SIGN_ERR_KEY_MISMATCH;
	}
	return SIGN_OK;
}

enum sign_status sign_raw(EVP_PKEY *key, const struct sigalg *alg,
			  const uint8_t *msg, size_t msg_len,
			  struct chunk *sig, const char **reason)
{
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	enum sign_status st;
	size_t len = 0;

	sig->ptr = NULL;
	sig->len = 0;
	st = sign_check_key(key, alg, reason);
	if (st != SIGN_OK)
		return st;
	st = SIGN_ERR_INTERNAL;
	*reason = "signing failed";
	ctx = EVP_MD_CTX_new();
	if (!ctx ||
	    EVP_DigestSignInit_ex(ctx, &pctx, sigalg_md_name(alg->scheme), NULL,
				  NULL, key, NULL) != 1 ||
	    !sign_setup_pctx(pctx, alg) ||
	    EVP_DigestSign(ctx, NULL, &len, msg, msg_len) != 1 ||
	    !chunk_alloc(sig, len))
		goto out;
	if (EVP_DigestSign(ctx, sig->ptr, &len, msg, msg_len) != 1) {
		chunk_free(sig);
		goto out;
	}
	sig->len = len;	/* ECDSA DER may come out shorter than the maximum */
	st = SIGN_OK;
	*reason = "ok";
out:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return st;
}

enum sign_status sign_verify_raw(EVP_PKEY *pub, const struct sigalg *alg,
				 const uint8_t *sig, size_t sig_len,
				 const uint8_t *msg, size_t msg_len,
				 const char **reason)
{
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	enum sign_status st;

	st = sign_check_key(pub, alg, reason);
	if (st != SIGN_OK)
		return st;
	st = SIGN_ERR_INTERNAL;
	*reason = "verification setup failed";
	ctx = EVP_MD_CTX_new();
	if (!ctx ||
	    EVP_DigestVerifyInit_ex(ctx, &pctx, sigalg_md_name(alg->scheme), NULL,
				    NULL, pub, NULL) != 1 ||
	    !sign_setup_pctx(pctx, alg))
		goto out;
	/* 0 is a wrong signature, < 0 one that does not even parse: both
	 * mean the peer did not prove possession of the key */
	if (EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) == 1) {
		st = SIGN_OK;
		*reason = "ok";
	} else {
		st = SIGN_ERR_BAD_SIGNATURE;
		*reason = "signature does not verify";
	}
out:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return st;
}

enum sign_status sign_auth_data(EVP_PKEY *key, uint16_t hash_id, bool rsa_pss,
				const uint8_t *octets, size_t octets_len,
				struct chunk *out, const char **reason)
{
	struct sigalg alg = { .scheme = sigalg_for_key(key, hash_id, rsa_pss) };
	struct chunk algid = { 0 }, sig = { 0 };
	enum sign_status st;

	out->ptr = NULL;
	out->len = 0;
	if (alg.scheme == SIG_NONE) {
		*reason = pubkey_type(key) == PUBKEY_NONE ?
			  "unsupported key" : "hash not usable with this key";
		return SIGN_ERR_KEY_MISMATCH;
	}
	alg.pss_salt_len = sigalg_md_len(alg.scheme);
	if (!sigalg_encode(alg.scheme, &algid)) {
		*reason = "cannot encode AlgorithmIdentifier";
		return SIGN_ERR_INTERNAL;
	}
	st = sign_raw(key, &alg, octets, octets_len, &sig, reason);
	if (st != SIGN_OK)
		goto out;
	if (!chunk_alloc(out, 1 + algid.len + sig.len)) {
		*reason = "out of memory";
		st = SIGN_ERR_INTERNAL;
		goto out;
	}
	out->ptr[0] = (uint8_t)algid.len;	/* < 256, checked by the encoder */
	memcpy(out->ptr + 1, algid.ptr, algid.len);
	memcpy(out->ptr + 1 + algid.len, sig.ptr, sig.len);
out:
	chunk_free(&algid);
	chunk_free(&sig);
	return st;
}

enum sign_status sign_verify_auth_data(EVP_PKEY *pub, const uint8_t *auth,
				       size_t auth_len, const uint8_t *octets,
				       size_t octets_len, const char **reason)
{
	struct rd r = rd_init(auth, auth_len);
	const uint8_t *algid;
	struct sigalg alg;
	struct rd sig;
	uint8_t len;

	if (!rd_u8(&r, &len) || len == 0) {
		*reason = "AUTH data without AlgorithmIdentifier";
		return SIGN_ERR_MALFORMED;
	}
	if (!rd_ptr(&r, len, &algid)) {
		*reason = "AlgorithmIdentifier length exceeds AUTH data";
		return SIGN_ERR_MALFORMED;
	}
	switch (sigalg_decode(algid, len, &alg, reason)) {
	case SIGALG_OK:
		break;
	case SIGALG_MALFORMED:
		return SIGN_ERR_MALFORMED;
	case SIGALG_UNKNOWN:
		return SIGN_ERR_UNKNOWN_ALG;
	}
	sig = rd_rest(&r);
	if (!sig.left) {
		*reason = "AUTH data without signature";
		return SIGN_ERR_MALFORMED;
	}
	return sign_verify_raw(pub, &alg, sig.p, sig.left, octets, octets_len,
			       reason);
}

/* Classic methods: scheme and fixed r/s width (0 for RSA). */
static bool sign_classic_scheme(uint8_t method, enum sig_scheme *s, size_t *half)
{
	switch (method) {
	case AUTH_RSA_SIG: *s = SIG_RSA_PKCS1_SHA1; *half = 0; return true;
	case AUTH_ECDSA_256: *s = SIG_ECDSA_SHA256; *half = 32; return true;
	case AUTH_ECDSA_384: *s = SIG_ECDSA_SHA384; *half = 48; return true;
	case AUTH_ECDSA_521: *s = SIG_ECDSA_SHA512; *half = 66; return true;
	default: return false;
	}
}

uint8_t sign_classic_method(const EVP_PKEY *key)
{
	switch (pubkey_type(key)) {
	case PUBKEY_RSA:
		return AUTH_RSA_SIG;
	case PUBKEY_ECDSA:
		switch (pubkey_bits(key)) {
		case 256: return AUTH_ECDSA_256;
		case 384: return AUTH_ECDSA_384;
		case 521: return AUTH_ECDSA_521;
		default: return 0;
		}
	default:
		return 0;
	}
}

/* Methods 9-11 bind the curve (RFC 4754): the key must be on it. */
static enum sign_status sign_classic_check(const EVP_PKEY *k, uint8_t method,
					   enum sig_scheme *s, size_t *half,
					   const char **reason)
{
	if (!sign_classic_scheme(method, s, half)) {
		*reason = "not a classic signature auth method";
		return SIGN_ERR_UNKNOWN_ALG;
	}
	if (sign_classic_method(k) != method) {
		*reason = "auth method does not fit the key";
		return SIGN_ERR_KEY_MISMATCH;
	}
	return SIGN_OK;
}

/* DER Ecdsa-Sig-Value -> r||s, each left-padded to half bytes. */
static bool sign_ecdsa_der_to_raw(const struct chunk *der, size_t half,
				  struct chunk *out)
{
	const unsigned char *p = der->ptr;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der->len);
	const BIGNUM *r, *s;
	bool ok = false;

	if (!es)
		return false;
	ECDSA_SIG_get0(es, &r, &s);
	if (chunk_alloc(out, 2 * half) &&
	    BN_bn2binpad(r, out->ptr, (int)half) == (int)half &&
	    BN_bn2binpad(s, out->ptr + half, (int)half) == (int)half)
		ok = true;
	else
		chunk_free(out);
	ECDSA_SIG_free(es);
	return ok;
}

static bool sign_ecdsa_raw_to_der(const uint8_t *sig, size_t half,
				  struct chunk *out)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)half, NULL);
	BIGNUM *s = BN_bin2bn(sig + half, (int)half, NULL);
	unsigned char *der = NULL;
	int len;
	bool ok = false;

	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return false;
	}
	len = i2d_ECDSA_SIG(es, &der);
	if (len > 0)
		ok = chunk_dup(out, der, (size_t)len);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	return ok;
}

enum sign_status sign_classic(EVP_PKEY *key, uint8_t method,
			      const uint8_t *octets, size_t octets_len,
			      struct chunk *out, const char **reason)
{
	struct sigalg alg = { 0 };
	struct chunk der = { 0 };
	enum sign_status st;
	size_t half;

	out->ptr = NULL;
	out->len = 0;
	st = sign_classic_check(key, method, &alg.scheme, &half, reason);
	if (st != SIGN_OK)
		return st;
	if (!half)
		return sign_raw(key, &alg, octets, octets_len, out, reason);
	st = sign_raw(key, &alg, octets, octets_len, &der, reason);
	if (st == SIGN_OK && !sign_ecdsa_der_to_raw(&der, half, out)) {
		*reason = "cannot convert ECDSA signature";
		st = SIGN_ERR_INTERNAL;
	}
	chunk_free(&der);
	return st;
}

enum sign_status sign_verify_classic(EVP_PKEY *pub, uint8_t method,
				     const uint8_t *sig, size_t sig_len,
				     const uint8_t *octets, size_t octets_len,
				     const char **reason)
{
	struct sigalg alg = { 0 };
	struct chunk der = { 0 };
	enum sign_status st;
	size_t half;

	st = sign_classic_check(pub, method, &alg.scheme, &half, reason);
	if (st != SIGN_OK)
		return st;
	if (!half)
		return sign_verify_raw(pub, &alg, sig, sig_len, octets,
				       octets_len, reason);
	if (sig_len != 2 * half) {
		*reason = "ECDSA signature has the wrong length for the curve";
		return SIGN_ERR_BAD_SIGNATURE;
	}
	if (!sign_ecdsa_raw_to_der(sig, half, &der)) {
		*reason = "out of memory";
		return SIGN_ERR_INTERNAL;
	}
	st = sign_verify_raw(pub, &alg, der.ptr, der.len, octets, octets_len,
			     reason);
	chunk_free(&der);
	return st;
}
