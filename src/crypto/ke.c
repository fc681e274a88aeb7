#include "crypto/ke.h"

#include <stdlib.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include "crypto/ke_stock.h"
#include "ike/iana.h"

enum ke_kind { KE_KIND_MODP, KE_KIND_ECP, KE_KIND_ECX };

struct ke_info {
	uint16_t id;
	enum ke_kind kind;
	const char *ossl;	/* group name (DH, EC) or key type (ECX) */
	size_t pub_len;
	const char *name;
};

static const struct ke_info ke_table[] = {
	{ KE_MODP_2048, KE_KIND_MODP, "modp_2048", 256, "MODP_2048" },
	{ KE_MODP_3072, KE_KIND_MODP, "modp_3072", 384, "MODP_3072" },
	{ KE_MODP_4096, KE_KIND_MODP, "modp_4096", 512, "MODP_4096" },
	{ KE_ECP_256, KE_KIND_ECP, "P-256", 64, "ECP_256" },
	{ KE_ECP_384, KE_KIND_ECP, "P-384", 96, "ECP_384" },
	{ KE_ECP_521, KE_KIND_ECP, "P-521", 132, "ECP_521" },
	{ KE_CURVE25519, KE_KIND_ECX, "X25519", 32, "CURVE25519" },
	{ KE_CURVE448, KE_KIND_ECX, "X448", 56, "CURVE448" },
};

struct ke {
	const struct ke_info *info;
	EVP_PKEY *key;
	const char *err;
};

static const struct ke_info *ke_lookup(uint16_t group)
{
	for (size_t i = 0; i < sizeof(ke_table) / sizeof(ke_table[0]); i++)
		if (ke_table[i].id == group)
			return &ke_table[i];
	return NULL;
}

bool ke_supported(uint16_t group)
{
	return ke_lookup(group) != NULL;
}

size_t ke_public_len(uint16_t group)
{
	const struct ke_info *ki = ke_lookup(group);

	return ki ? ki->pub_len : 0;
}

const char *ke_group_name(uint16_t group)
{
	const struct ke_info *ki = ke_lookup(group);

	return ki ? ki->name : "UNKNOWN";
}

uint16_t ke_group(const struct ke *ke)
{
	return ke->info->id;
}

const char *ke_error(const struct ke *ke)
{
	return ke->err ? ke->err : "";
}

static const char *ke_keytype(const struct ke_info *ki)
{
	return ki->kind == KE_KIND_MODP ? "DH" :
	       ki->kind == KE_KIND_ECP ? "EC" : ki->ossl;
}

static EVP_PKEY *ke_generate(const struct ke_info *ki)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, ke_keytype(ki), NULL);
	EVP_PKEY *key = NULL;

	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1)
		goto out;
	if (ki->kind != KE_KIND_ECX) {
		OSSL_PARAM p[2] = {
			OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
							 (char *)ki->ossl, 0),
			OSSL_PARAM_construct_end(),
		};

		if (EVP_PKEY_CTX_set_params(ctx, p) != 1)
			goto out;
	}
	if (EVP_PKEY_generate(ctx, &key) != 1)
		key = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	return key;
}

EVP_PKEY *ke_keygen(uint16_t group)
{
	const struct ke_info *ki = ke_lookup(group);
	EVP_PKEY *key = ki ? ke_generate(ki) : NULL;

	if (!key)
		ERR_clear_error();
	return key;
}

struct ke *ke_create(uint16_t group)
{
	const struct ke_info *ki = ke_lookup(group);
	struct ke *ke;

	if (!ki)
		return NULL;
	ke = calloc(1, sizeof(*ke));
	if (!ke)
		return NULL;
	ke->info = ki;
	ke->key = ke_stock_take(group);
	if (!ke->key)
		ke->key = ke_generate(ki);
	if (!ke->key) {
		ERR_clear_error();
		free(ke);
		return NULL;
	}
	return ke;
}

/* Builds a key of our group from params (private and/or public parts). */
static EVP_PKEY *ke_fromdata(const struct ke_info *ki, OSSL_PARAM_BLD *bld,
			     int selection)
{
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *key = NULL;

	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     ki->ossl, 0))
		return NULL;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, ke_keytype(ki), NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, selection, params) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);	/* may hold the private scalar: cleared */
	return key;
}

bool ke_public(const struct ke *ke, struct chunk *out)
{
	const struct ke_info *ki = ke->info;
	uint8_t buf[1 + 132];
	size_t len = 0;
	BIGNUM *y = NULL;
	bool ok = false;

	out->ptr = NULL;
	out->len = 0;
	if (!chunk_alloc(out, ki->pub_len))
		return false;
	switch (ki->kind) {
	case KE_KIND_MODP:
		ok = EVP_PKEY_get_bn_param(ke->key, OSSL_PKEY_PARAM_PUB_KEY, &y) == 1 &&
		     BN_bn2binpad(y, out->ptr, (int)out->len) == (int)out->len;
		break;
	case KE_KIND_ECP:
		/* OpenSSL's uncompressed encoding is 0x04 | x | y: IKE drops
		 * the prefix (RFC 5903 7). */
		ok = EVP_PKEY_get_octet_string_param(ke->key,
						     OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
						     buf, sizeof(buf), &len) == 1 &&
		     len == 1 + ki->pub_len && buf[0] == 0x04;
		if (ok)
			memcpy(out->ptr, buf + 1, ki->pub_len);
		break;
	case KE_KIND_ECX:
		len = out->len;
		ok = EVP_PKEY_get_raw_public_key(ke->key, out->ptr, &len) == 1 &&
		     len == ki->pub_len;
		break;
	}
	BN_free(y);
	if (!ok) {
		ERR_clear_error();
		chunk_free(out);
	}
	return ok;
}

/* MODP: y = g^x mod p, computed as a DH derivation of x against the
 * peer value g (OpenSSL 3.0 does not derive it when importing x alone). */
static EVP_PKEY *ke_private_modp(const struct ke *ke, const BIGNUM *x)
{
	const struct ke_info *ki = ke->info;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *priv = NULL, *gen = NULL, *key = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *g = NULL, *y = NULL;
	uint8_t buf[512];
	size_t len = ki->pub_len;

	if (EVP_PKEY_get_bn_param(ke->key, OSSL_PKEY_PARAM_FFC_G, &g) != 1)
		goto out;
	if (!(bld = OSSL_PARAM_BLD_new()) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x) ||
	    !(priv = ke_fromdata(ki, bld, EVP_PKEY_KEYPAIR)))
		goto out;
	OSSL_PARAM_BLD_free(bld);
	if (!(bld = OSSL_PARAM_BLD_new()) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, g) ||
	    !(gen = ke_fromdata(ki, bld, EVP_PKEY_PUBLIC_KEY)))
		goto out;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer_ex(ctx, gen, 0) != 1 ||
	    EVP_PKEY_derive(ctx, buf, &len) != 1 ||
	    !(y = BN_bin2bn(buf, (int)len, NULL)))
		goto out;
	OSSL_PARAM_BLD_free(bld);
	if (!(bld = OSSL_PARAM_BLD_new()) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
		goto out;
	key = ke_fromdata(ki, bld, EVP_PKEY_KEYPAIR);
out:
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(gen);
	BN_free(g);
	BN_free(y);
	return key;
}

/* ECP: OpenSSL 3.0 computes Q = dG when it decodes a SEC1 ECPrivateKey
 * (RFC 5915) that has no public key, so wrap d in one:
 * SEQUENCE { INTEGER 1, OCTET STRING d, [0] { OID curve } }. */
static EVP_PKEY *ke_private_ecp(const struct ke *ke, const uint8_t *d, size_t len)
{
	static const uint8_t oid256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
					  0x3d, 0x03, 0x01, 0x07 };
	static const uint8_t oid384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
	static const uint8_t oid521[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 };
	const uint8_t *oid = ke->info->id == KE_ECP_256 ? oid256 :
			     ke->info->id == KE_ECP_384 ? oid384 : oid521;
	size_t olen = ke->info->id == KE_ECP_256 ? sizeof(oid256) : sizeof(oid384);
	size_t dlen = ke->info->pub_len / 2;
	uint8_t der[128];
	const uint8_t *p = der;
	size_t n = 0;
	EVP_PKEY *key;

	if (len != dlen)
		return NULL;
	der[n++] = 0x30;
	der[n++] = (uint8_t)(3 + 2 + dlen + 2 + olen);	/* < 128: short form */
	der[n++] = 0x02; der[n++] = 0x01; der[n++] = 0x01;
	der[n++] = 0x04; der[n++] = (uint8_t)dlen;
	memcpy(der + n, d, dlen);
	n += dlen;
	der[n++] = 0xa0; der[n++] = (uint8_t)olen;
	memcpy(der + n, oid, olen);
	n += olen;
	key = d2i_PrivateKey_ex(EVP_PKEY_EC, NULL, &p, (long)n, NULL, NULL);
	mem_wipe(der, sizeof(der));
	return key;
}

bool ke_set_private(struct ke *ke, const uint8_t *priv, size_t len)
{
	const struct ke_info *ki = ke->info;
	BIGNUM *x = NULL;
	EVP_PKEY *key = NULL;

	switch (ki->kind) {
	case KE_KIND_ECX:
		key = EVP_PKEY_new_raw_private_key_ex(NULL, ki->ossl, NULL, priv, len);
		break;
	case KE_KIND_ECP:
		key = ke_private_ecp(ke, priv, len);
		break;
	case KE_KIND_MODP:
		x = BN_secure_new();
		if (x && len && len <= ki->pub_len && BN_bin2bn(priv, (int)len, x))
			key = ke_private_modp(ke, x);
		BN_clear_free(x);
		break;
	}
	if (key) {
		/* A usable key has a public value (d = 0 gives infinity). */
		EVP_PKEY *old = ke->key;
		struct chunk pub;

		ke->key = key;
		if (ke_public(ke, &pub)) {
			chunk_free(&pub);
			EVP_PKEY_free(old);
			return true;
		}
		ke->key = old;
		EVP_PKEY_free(key);
	}
	ERR_clear_error();
	ke->err = "invalid private key";
	return false;
}

/* MODP: 1 < y < p-1 (RFC 7296 / NIST SP 800-56A partial validation). */
static EVP_PKEY *ke_peer_modp(struct ke *ke, const uint8_t *peer, size_t len)
{
	BIGNUM *p = NULL, *y = NULL, *pm1 = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *key = NULL;

	y = BN_bin2bn(peer, (int)len, NULL);
	pm1 = BN_new();
	if (!y || !pm1 ||
	    EVP_PKEY_get_bn_param(ke->key, OSSL_PKEY_PARAM_FFC_P, &p) != 1 ||
	    !BN_sub(pm1, p, BN_value_one())) {
		ke->err = "internal error";
		goto out;
	}
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, pm1) >= 0) {
		ke->err = "public value out of range";
		goto out;
	}
	bld = OSSL_PARAM_BLD_new();
	if (!bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) ||
	    !(key = ke_fromdata(ke->info, bld, EVP_PKEY_PUBLIC_KEY)))
		ke->err = "invalid public value";
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(y);
	BN_free(pm1);
	return key;
}

/* ECP: x | y, each < p and on the curve (OpenSSL's decoder checks both;
 * the quick public check repeats the curve check and rejects infinity). */
static EVP_PKEY *ke_peer_ecp(struct ke *ke, const uint8_t *peer, size_t len)
{
	uint8_t buf[1 + 132];
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *ctx = NULL;

	buf[0] = 0x04;
	memcpy(buf + 1, peer, len);
	if (!bld || !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						      buf, len + 1) ||
	    !(key = ke_fromdata(ke->info, bld, EVP_PKEY_PUBLIC_KEY))) {
		ke->err = "point not on curve";
		goto out;
	}
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (!ctx || EVP_PKEY_public_check_quick(ctx) != 1) {
		ke->err = "point not on curve";
		EVP_PKEY_free(key);
		key = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

bool ke_compute(struct ke *ke, const uint8_t *peer, size_t len,
		struct chunk *secret)
{
	const struct ke_info *ki = ke->info;
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t slen = 0;
	uint8_t any = 0;
	bool ok = false;

	secret->ptr = NULL;
	secret->len = 0;
	ke->err = NULL;
	if (!peer || len != ki->pub_len) {
		ke->err = "public value has the wrong length";
		return false;
	}
	switch (ki->kind) {
	case KE_KIND_MODP:
		pk = ke_peer_modp(ke, peer, len);
		break;
	case KE_KIND_ECP:
		pk = ke_peer_ecp(ke, peer, len);
		break;
	case KE_KIND_ECX:
		pk = EVP_PKEY_new_raw_public_key_ex(NULL, ki->ossl, NULL, peer, len);
		if (!pk)
			ke->err = "invalid public value";
		break;
	}
	if (!pk)
		goto out;
	ke->err = "key derivation failed";
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ke->key, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) != 1)
		goto out;
	if (ki->kind == KE_KIND_MODP) {
		/* g^ir is as long as p (RFC 7296 2.14), leading zeros kept. */
		unsigned int pad = 1;
		OSSL_PARAM p[2] = {
			OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD, &pad),
			OSSL_PARAM_construct_end(),
		};

		if (EVP_PKEY_CTX_set_params(ctx, p) != 1)
			goto out;
	}
	/* Validation was done above: no second (costly) full check. */
	if (EVP_PKEY_derive_set_peer_ex(ctx, pk, 0) != 1 ||
	    EVP_PKEY_derive(ctx, NULL, &slen) != 1 || !slen ||
	    !chunk_alloc(secret, slen))
		goto out;
	if (EVP_PKEY_derive(ctx, secret->ptr, &slen) != 1) {
		/* X25519/X448 fail here on an all-zero result */
		if (ki->kind == KE_KIND_ECX)
			ke->err = "shared secret is zero (low-order point)";
		goto out;
	}
	secret->len = slen;
	for (size_t i = 0; i < slen; i++)
		any |= secret->ptr[i];
	if (!any) {
		ke->err = "shared secret is zero (low-order point)";
		goto out;
	}
	if (slen != (ki->kind == KE_KIND_ECP ? ki->pub_len / 2 : ki->pub_len)) {
		ke->err = "shared secret has the wrong length";
		goto out;
	}
	ke->err = NULL;
	ok = true;
out:
	if (!ok) {
		ERR_clear_error();
		chunk_free(secret);
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ok;
}

void ke_free(struct ke *ke)
{
	if (!ke)
		return;
	EVP_PKEY_free(ke->key);	/* OpenSSL clears private keys on free */
	free(ke);
}
