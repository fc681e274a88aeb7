/* Key loading and queries over OpenSSL 3 EVP_PKEY (see pubkey.h). */
#include "crypto/pubkey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#define PUBKEY_FILE_MAX (1024 * 1024)	/* keys are a few KiB at most */

/* OSSL_DECODER detects PEM vs DER and the key structure (PKCS#8,
 * traditional, SubjectPublicKeyInfo). A NULL passphrase callback makes
 * encrypted keys fail instead of prompting. */
static EVP_PKEY *pubkey_decode(const uint8_t *p, size_t len, int selection,
			       const char **reason)
{
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *k = NULL;
	const unsigned char *in = p;
	size_t left = len;

	if (!p || !len) {
		*reason = "empty key data";
		return NULL;
	}
	dctx = OSSL_DECODER_CTX_new_for_pkey(&k, NULL, NULL, NULL, selection,
					     NULL, NULL);
	if (!dctx) {
		*reason = "no key decoder";
		return NULL;
	}
	if (!OSSL_DECODER_from_data(dctx, &in, &left) || !k) {
		EVP_PKEY_free(k);
		k = NULL;
		*reason = "not a supported unencrypted key (PEM or DER)";
	}
	OSSL_DECODER_CTX_free(dctx);
	if (k && pubkey_type(k) == PUBKEY_NONE) {
		EVP_PKEY_free(k);
		k = NULL;
		*reason = "unsupported key type or curve";
	}
	return k;
}

EVP_PKEY *pubkey_load_private_mem(const uint8_t *p, size_t len,
				  const char **reason)
{
	EVP_PKEY *k = pubkey_decode(p, len, EVP_PKEY_KEYPAIR, reason);

	if (k && !pubkey_has_private(k)) {
		EVP_PKEY_free(k);
		*reason = "not a private key";
		return NULL;
	}
	return k;
}

EVP_PKEY *pubkey_load_public_mem(const uint8_t *p, size_t len,
				 const char **reason)
{
	return pubkey_decode(p, len, EVP_PKEY_PUBLIC_KEY, reason);
}

EVP_PKEY *pubkey_load_private_file(const char *path, const char **reason)
{
	FILE *f = fopen(path, "rb");
	struct chunk buf = { 0 };
	long size;
	EVP_PKEY *k = NULL;

	if (!f) {
		*reason = "cannot open key file";
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		*reason = "cannot read key file";
	} else if (size == 0 || size > PUBKEY_FILE_MAX) {
		*reason = size ? "key file too large" : "empty key file";
	} else if (!chunk_alloc(&buf, (size_t)size)) {
		*reason = "out of memory";
	} else if (fread(buf.ptr, 1, buf.len, f) != buf.len) {
		*reason = "cannot read key file";
	} else {
		k = pubkey_load_private_mem(buf.ptr, buf.len, reason);
	}
	chunk_free(&buf);	/* wipes the key bytes */
	fclose(f);
	return k;
}

void pubkey_free(EVP_PKEY *k)
{
	EVP_PKEY_free(k);
}

static int pubkey_ec_bits(const EVP_PKEY *k)
{
	char curve[64];

	if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
					    curve, sizeof(curve), NULL))
		return 0;
	if (!strcmp(curve, "prime256v1") || !strcmp(curve, "P-256"))
		return 256;
	if (!strcmp(curve, "secp384r1") || !strcmp(curve, "P-384"))
		return 384;
	if (!strcmp(curve, "secp521r1") || !strcmp(curve, "P-521"))
		return 521;
	return 0;
}

enum pubkey_type pubkey_type(const EVP_PKEY *k)
{
	if (!k)
		return PUBKEY_NONE;
	if (EVP_PKEY_is_a(k, "RSA"))
		return PUBKEY_RSA;
	if (EVP_PKEY_is_a(k, "EC"))
		return pubkey_ec_bits(k) ? PUBKEY_ECDSA : PUBKEY_NONE;
	if (EVP_PKEY_is_a(k, "ED25519"))
		return PUBKEY_ED25519;
	if (EVP_PKEY_is_a(k, "ED448"))
		return PUBKEY_ED448;
	return PUBKEY_NONE;
}

const char *pubkey_type_name(enum pubkey_type t)
{
	switch (t) {
	case PUBKEY_RSA: return "RSA";
	case PUBKEY_ECDSA: return "ECDSA";
	case PUBKEY_ED25519: return "Ed25519";
	case PUBKEY_ED448: return "Ed448";
	case PUBKEY_NONE: break;
	}
	return "none";
}

int pubkey_bits(const EVP_PKEY *k)
{
	switch (pubkey_type(k)) {
	case PUBKEY_RSA: return EVP_PKEY_get_bits(k);
	case PUBKEY_ECDSA: return pubkey_ec_bits(k);
	case PUBKEY_ED25519: return 255;
	case PUBKEY_ED448: return 448;
	case PUBKEY_NONE: break;
	}
	return 0;
}

bool pubkey_has_private(const EVP_PKEY *k)
{
	BIGNUM *bn = NULL;
	uint8_t raw[64];
	size_t len = sizeof(raw);
	bool ok = false;

	switch (pubkey_type(k)) {
	case PUBKEY_RSA:
		ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_D, &bn);
		BN_clear_free(bn);
		break;
	case PUBKEY_ECDSA:
		ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &bn);
		BN_clear_free(bn);
		break;
	case PUBKEY_ED25519:
	case PUBKEY_ED448:
		ok = EVP_PKEY_get_raw_private_key(k, raw, &len) == 1;
		mem_wipe(raw, sizeof(raw));
		break;
	case PUBKEY_NONE:
		break;
	}
	return ok;
}

bool pubkey_spki_der(const EVP_PKEY *k, struct chunk *out)
{
	unsigned char *der = NULL;
	int len;
	bool ok;

	out->ptr = NULL;
	out->len = 0;
	len = i2d_PUBKEY((EVP_PKEY *)k, &der);
	if (len <= 0)
		return false;
	ok = chunk_dup(out, der, (size_t)len);
	OPENSSL_free(der);
	return ok;
}

bool pubkey_keyid(const EVP_PKEY *k, uint8_t out[PUBKEY_KEYID_LEN])
{
	struct chunk spki;
	unsigned int mdlen = 0;
	bool ok;

	if (!pubkey_spki_der(k, &spki))
		return false;
	ok = EVP_Digest(spki.ptr, spki.len, out, &mdlen, EVP_sha1(), NULL) == 1 &&
	     mdlen == PUBKEY_KEYID_LEN;
	chunk_free(&spki);
	return ok;
}

bool pubkey_equal(const EVP_PKEY *a, const EVP_PKEY *b)
{
	return a && b && EVP_PKEY_eq(a, b) == 1;
}
