#include "crypto/aead.h"

#include <limits.h>
#include <stdlib.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/integ.h"
#include "ike/iana.h"
#include "lib/mem.h"

#define AEAD_SALT_LEN 4
#define AEAD_NONCE_LEN 12	/* salt | 8-byte explicit IV (RFC 4106 4) */
#define AEAD_TAG_LEN 16

struct aead {
	struct aead_alg alg;
	bool encrypt, combined;
	size_t key_len, iv_len, icv_len, block;
	uint8_t salt[AEAD_SALT_LEN];
	EVP_CIPHER_CTX *ctx;
	struct integ *integ;	/* CBC only */
};

/* The OpenSSL cipher for an ENCR id and key size, NULL if unsupported. */
static const char *aead_cipher_name(uint16_t encr, uint16_t key_bits)
{
	switch (encr) {
	case ENCR_AES_GCM_16:
		return key_bits == 128 ? "AES-128-GCM" :
		       key_bits == 256 ? "AES-256-GCM" : NULL;
	case ENCR_AES_CBC:
		return key_bits == 128 ? "AES-128-CBC" :
		       key_bits == 256 ? "AES-256-CBC" : NULL;
	case ENCR_CHACHA20_POLY1305:
		return key_bits == 256 ? "ChaCha20-Poly1305" : NULL;
	default:
		return NULL;
	}
}

bool aead_is_combined(uint16_t encr)
{
	return encr == ENCR_AES_GCM_16 || encr == ENCR_CHACHA20_POLY1305;
}

bool aead_supported(const struct aead_alg *alg)
{
	if (!aead_cipher_name(alg->encr, alg->key_bits))
		return false;
	if (aead_is_combined(alg->encr))
		return alg->integ == AUTH_NONE;
	return integ_supported(alg->integ);
}

size_t aead_salt_len(const struct aead_alg *alg)
{
	if (!aead_supported(alg))
		return 0;
	return aead_is_combined(alg->encr) ? AEAD_SALT_LEN : 0;
}

size_t aead_encr_key_len(const struct aead_alg *alg)
{
	if (!aead_supported(alg))
		return 0;
	return alg->key_bits / 8 + aead_salt_len(alg);
}

size_t aead_integ_key_len(const struct aead_alg *alg)
{
	if (!aead_supported(alg) || aead_is_combined(alg->encr))
		return 0;
	return integ_key_len(alg->integ);
}

size_t aead_iv_len(const struct aead_alg *alg)
{
	if (!aead_supported(alg))
		return 0;
	return aead_is_combined(alg->encr) ? 8 : 16;
}

size_t aead_icv_len(const struct aead_alg *alg)
{
	if (!aead_supported(alg))
		return 0;
	return aead_is_combined(alg->encr) ? AEAD_TAG_LEN :
	       integ_icv_len(alg->integ);
}

size_t aead_block_size(const struct aead_alg *alg)
{
	if (!aead_supported(alg))
		return 0;
	return aead_is_combined(alg->encr) ? 1 : 16;
}

struct aead *aead_create(const struct aead_alg *alg, bool encrypt,
			 const uint8_t *encr_key, size_t encr_key_len,
			 const uint8_t *integ_key, size_t integ_key_len)
{
	struct aead *a = NULL;
	EVP_CIPHER *cipher = NULL;

	if (!aead_supported(alg) || !encr_key ||
	    encr_key_len != aead_encr_key_len(alg) ||
	    integ_key_len != aead_integ_key_len(alg) ||
	    (integ_key_len && !integ_key))
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->alg = *alg;
	a->encrypt = encrypt;
	a->combined = aead_is_combined(alg->encr);
	a->key_len = alg->key_bits / 8;
	a->iv_len = aead_iv_len(alg);
	a->icv_len = aead_icv_len(alg);
	a->block = aead_block_size(alg);
	if (a->combined)
		memcpy(a->salt, encr_key + a->key_len, AEAD_SALT_LEN);

	cipher = EVP_CIPHER_fetch(NULL, aead_cipher_name(alg->encr, alg->key_bits), NULL);
	a->ctx = EVP_CIPHER_CTX_new();
	if (!cipher || !a->ctx ||
	    (size_t)EVP_CIPHER_get_key_length(cipher) != a->key_len)
		goto fail;
	/* The key schedule is built once here; per packet only the IV is
	 * set (EVP_CipherInit_ex2 with NULL cipher and key). */
	if (!EVP_CipherInit_ex2(a->ctx, cipher, encr_key, NULL, encrypt, NULL))
		goto fail;
	if (a->combined) {
		size_t nlen = AEAD_NONCE_LEN;
		OSSL_PARAM p[2] = {
			OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &nlen),
			OSSL_PARAM_construct_end(),
		};

		if (!EVP_CIPHER_CTX_set_params(a->ctx, p))
			goto fail;
	} else {
		if (!EVP_CIPHER_CTX_set_padding(a->ctx, 0))
			goto fail;
		a->integ = integ_create(alg->integ);
		if (!a->integ || !integ_set_key(a->integ, integ_key, integ_key_len))
			goto fail;
	}
	EVP_CIPHER_free(cipher);
	return a;
fail:
	ERR_clear_error();
	EVP_CIPHER_free(cipher);
	aead_free(a);
	return NULL;
}

const struct aead_alg *aead_get_alg(const struct aead *a)
{
	return &a->alg;
}

/* Sets the per-packet IV (nonce = salt | IV for combined mode). */
static bool aead_start(struct aead *a, const uint8_t *iv)
{
	uint8_t nonce[AEAD_NONCE_LEN];
	const uint8_t *use = iv;

	if (a->combined) {
		memcpy(nonce, a->salt, AEAD_SALT_LEN);
		memcpy(nonce + AEAD_SALT_LEN, iv, a->iv_len);
		use = nonce;
	}
	return EVP_CipherInit_ex2(a->ctx, NULL, NULL, use, a->encrypt, NULL) == 1;
}

/* Runs the cipher over len bytes (which the caller checked fit an int). */
static bool aead_run(struct aead *a, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t spare[16] = { 0 };	/* Final writes nothing here; never NULL + 0 */
	int n = 0, fin = 0;

	if (len && (EVP_CipherUpdate(a->ctx, out, &n, in, (int)len) != 1 ||
		    (size_t)n > len))
		return false;
	/* For combined mode Final checks the tag on decryption. */
	if (EVP_CipherFinal_ex(a->ctx, len ? out + n : spare, &fin) != 1)
		return false;
	return (size_t)n + (size_t)fin == len;
}

static bool aead_len_ok(const struct aead *a, size_t aad_len, size_t len)
{
	return len <= INT_MAX && aad_len <= INT_MAX && len % a->block == 0;
}

static bool aead_aad(struct aead *a, const uint8_t *aad, size_t aad_len)
{
	int n = 0;

	return !aad_len ||
	       EVP_CipherUpdate(a->ctx, NULL, &n, aad, (int)aad_len) == 1;
}

/* trailer: octets the ICV covers after the ciphertext (cipher + MAC only) */
static bool aead_seal(struct aead *a, const uint8_t *iv,
		      const uint8_t *aad, size_t aad_len,
		      const uint8_t *plain, size_t len,
		      const uint8_t *trailer, size_t trailer_len,
		      uint8_t *out, uint8_t *icv)
{
	bool ok;

	if (!a->encrypt || !aead_len_ok(a, aad_len, len))
		return false;
	if (a->combined) {
		OSSL_PARAM p[2] = {
			OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
							  icv, AEAD_TAG_LEN),
			OSSL_PARAM_construct_end(),
		};

		ok = aead_start(a, iv) && aead_aad(a, aad, aad_len) &&
		     aead_run(a, plain, len, out) &&
		     EVP_CIPHER_CTX_get_params(a->ctx, p) == 1;
	} else {
		ok = aead_start(a, iv) && aead_run(a, plain, len, out) &&
		     integ_begin(a->integ) &&
		     integ_update(a->integ, aad, aad_len) &&
		     integ_update(a->integ, iv, a->iv_len) &&
		     integ_update(a->integ, out, len) &&
		     integ_update(a->integ, trailer, trailer_len) &&
		     integ_final(a->integ, icv);
	}
	if (!ok)
		ERR_clear_error();
	return ok;
}

static bool aead_open(struct aead *a, const uint8_t *iv,
		      const uint8_t *aad, size_t aad_len,
		      const uint8_t *cipher, size_t len,
		      const uint8_t *trailer, size_t trailer_len,
		      uint8_t *out, const uint8_t *icv)
{
	bool ok = false;

	if (a->encrypt || !aead_len_ok(a, aad_len, len)) {
		/* nothing decrypted */
	} else if (a->combined) {
		OSSL_PARAM p[2] = {
			/* set_params only reads the tag */
			OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
							  (void *)icv, AEAD_TAG_LEN),
			OSSL_PARAM_construct_end(),
		};

		ok = aead_start(a, iv) &&
		     EVP_CIPHER_CTX_set_params(a->ctx, p) == 1 &&
		     aead_aad(a, aad, aad_len) &&
		     aead_run(a, cipher, len, out);
	} else {
		/* Encrypt-then-MAC: authenticate before touching the cipher. */
		ok = integ_begin(a->integ) &&
		     integ_update(a->integ, aad, aad_len) &&
		     integ_update(a->integ, iv, a->iv_len) &&
		     integ_update(a->integ, cipher, len) &&
		     integ_update(a->integ, trailer, trailer_len) &&
		     integ_verify(a->integ, icv) &&
		     aead_start(a, iv) && aead_run(a, cipher, len, out);
	}
	if (!ok) {
		if (out)
			mem_wipe(out, len);
		ERR_clear_error();
	}
	return ok;
}

bool aead_encrypt(struct aead *a, const uint8_t *iv,
		  const uint8_t *aad, size_t aad_len,
		  const uint8_t *plain, size_t len,
		  uint8_t *out, uint8_t *icv)
{
	return aead_seal(a, iv, aad, aad_len, plain, len, NULL, 0, out, icv);
}

bool aead_decrypt(struct aead *a, const uint8_t *iv,
		  const uint8_t *aad, size_t aad_len,
		  const uint8_t *cipher, size_t len,
		  uint8_t *out, const uint8_t *icv)
{
	return aead_open(a, iv, aad, aad_len, cipher, len, NULL, 0, out, icv);
}

static void aead_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

bool aead_encrypt_esn(struct aead *a, const uint8_t *iv,
		      const uint8_t *aad, size_t aad_len,
		      const uint8_t *plain, size_t len, uint32_t seq_hi,
		      uint8_t *out, uint8_t *icv)
{
	uint8_t hi[4];

	if (a->combined)
		return false;
	aead_put_u32(hi, seq_hi);
	return aead_seal(a, iv, aad, aad_len, plain, len, hi, sizeof(hi), out, icv);
}

bool aead_decrypt_esn(struct aead *a, const uint8_t *iv,
		      const uint8_t *aad, size_t aad_len,
		      const uint8_t *cipher, size_t len, uint32_t seq_hi,
		      uint8_t *out, const uint8_t *icv)
{
	uint8_t hi[4];

	if (a->combined) {
		if (out)
			mem_wipe(out, len);
		return false;
	}
	aead_put_u32(hi, seq_hi);
	return aead_open(a, iv, aad, aad_len, cipher, len, hi, sizeof(hi), out, icv);
}

void aead_free(struct aead *a)
{
	if (!a)
		return;
	EVP_CIPHER_CTX_free(a->ctx);	/* cleanses the key schedule */
	integ_free(a->integ);
	mem_wipe_free(a, sizeof(*a));	/* the salt */
}
