#include "kernel/userspace/esp_crypto.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "ike/iana.h"
#include "lib/mem.h"

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static const char *gcm_name(size_t keylen)
{
	switch (keylen) {
	case 16: return "AES-128-GCM";
	case 24: return "AES-192-GCM";
	case 32: return "AES-256-GCM";
	}
	return NULL;
}

static const char *cbc_name(size_t keylen)
{
	switch (keylen) {
	case 16: return "AES-128-CBC";
	case 24: return "AES-192-CBC";
	case 32: return "AES-256-CBC";
	}
	return NULL;
}

/* HMAC digest, key length and truncated ICV length (RFC 4868). */
static bool hmac_params(uint16_t integ, const char **md, size_t *keylen, uint8_t *icv)
{
	switch (integ) {
	case AUTH_HMAC_SHA2_256_128: *md = "SHA256"; *keylen = 32; *icv = 16; return true;
	case AUTH_HMAC_SHA2_384_192: *md = "SHA384"; *keylen = 48; *icv = 24; return true;
	case AUTH_HMAC_SHA2_512_256: *md = "SHA512"; *keylen = 64; *icv = 32; return true;
	}
	return false;
}

static int cipher_setup(struct esp_crypto *c, const char *name, const uint8_t *key,
			const char **reason)
{
	EVP_CIPHER *ciph = EVP_CIPHER_fetch(NULL, name, NULL);
	int ok;

	if (!ciph) {
		*reason = "cipher not available in OpenSSL";
		return -ENOTSUP;
	}
	c->cctx = EVP_CIPHER_CTX_new();
	ok = c->cctx && EVP_CipherInit_ex(c->cctx, ciph, NULL, key, NULL, c->encrypt ? 1 : 0);
	EVP_CIPHER_free(ciph);	/* the context keeps its own reference */
	if (!ok) {
		*reason = "cipher context setup failed";
		return -ENOMEM;
	}
	if (!c->aead)
		EVP_CIPHER_CTX_set_padding(c->cctx, 0);	/* ESP pads itself */
	if (c->encr_alg == ENCR_AES_GCM_16 && !c->encrypt) {
		/* the salt is the fixed field; each packet sets the rest */
		if (EVP_CIPHER_CTX_ctrl(c->cctx, EVP_CTRL_GCM_SET_IV_FIXED, 4, c->salt) <= 0) {
			*reason = "AES-GCM fixed nonce field rejected";
			return -ENOMEM;
		}
		c->gcm_fast = true;
	} else if (c->encr_alg == ENCR_AES_GCM_16) {
		c->gcm_fast = true;
		c->iv_next = 0;	/* no nonce yet: the first seal sets it */
	}
	return 0;
}

static int mac_setup(struct esp_crypto *c, const char *md, const uint8_t *key,
		     size_t keylen, const char **reason)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	OSSL_PARAM params[2];

	if (!mac) {
		*reason = "HMAC not available in OpenSSL";
		return -ENOTSUP;
	}
	c->mac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!c->mac || !EVP_MAC_init(c->mac, key, keylen, params)) {
		*reason = "HMAC context setup failed";
		return -ENOMEM;
	}
	return 0;
}

int esp_crypto_init(struct esp_crypto *c, uint16_t encr_alg, const uint8_t *ekey,
		    size_t ekey_len, uint16_t integ_alg, const uint8_t *ikey,
		    size_t ikey_len, bool encrypt, const char **reason)
{
	const char *name = NULL, *md = NULL;
	size_t mac_keylen = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	c->encr_alg = encr_alg;
	c->integ_alg = integ_alg;
	c->encrypt = encrypt;
	*reason = NULL;
	switch (encr_alg) {
	case ENCR_AES_GCM_16:
	case ENCR_CHACHA20_POLY1305:
		c->aead = true;
		if (integ_alg != AUTH_NONE) {
			*reason = "AEAD cipher with an integrity algorithm";
			return -EINVAL;
		}
		if (ekey_len < 4 ||
		    !(name = encr_alg == ENCR_AES_GCM_16 ? gcm_name(ekey_len - 4) :
			     ekey_len == 36 ? "ChaCha20-Poly1305" : NULL)) {
			*reason = "bad AEAD key length (key || 4-byte salt)";
			return -EINVAL;
		}
		memcpy(c->salt, ekey + ekey_len - 4, 4);
		c->iv_len = 8;
		c->icv_len = 16;
		c->align = 4;
		break;
	case ENCR_AES_CBC:
		if (!(name = cbc_name(ekey_len))) {
			*reason = "bad AES-CBC key length";
			return -EINVAL;
		}
		if (!hmac_params(integ_alg, &md, &mac_keylen, &c->icv_len)) {
			*reason = "AES-CBC needs HMAC-SHA2-256/384/512";
			return -ENOTSUP;
		}
		if (ikey_len != mac_keylen) {
			*reason = "bad HMAC key length";
			return -EINVAL;
		}
		c->iv_len = 16;
		c->align = 16;
		c->ivpool_pos = sizeof(c->ivpool);	/* empty: fill on first use */
		break;
	default:
		*reason = "unsupported ESP encryption algorithm";
		return -ENOTSUP;
	}
	rc = cipher_setup(c, name, ekey, reason);
	if (!rc && md)
		rc = mac_setup(c, md, ikey, ikey_len, reason);
	if (rc)
		esp_crypto_clear(c);
	return rc;
}

void esp_crypto_clear(struct esp_crypto *c)
{
	EVP_CIPHER_CTX_free(c->cctx);	/* cleanses the key schedule */
	EVP_MAC_CTX_free(c->mac);
	mem_wipe(c, sizeof(*c));
}

static size_t make_aad(uint8_t *aad, const uint8_t *pkt, uint64_t seq, bool esn)
{
	if (!esn) {
		memcpy(aad, pkt, 8);
		return 8;
	}
	memcpy(aad, pkt, 4);
	put_be32(aad + 4, (uint32_t)(seq >> 32));
	put_be32(aad + 8, (uint32_t)seq);
	return 12;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* AES-GCM seal through the invocation-field parameters: OpenSSL generates
 * the IV (salt || counter) and counts it up, so a packet needs no re-init.
 * The counter is kept equal to seq; a jump in seq (a dropped seal, an HA
 * node setting the sequence number) re-seeds it with one control call. */
static int gcm_seal(struct esp_crypto *c, uint8_t *pkt, size_t ct_len, uint64_t seq, bool esn)
{
	uint8_t aad[12], *iv = pkt + ESP_HDR_LEN, *ct = iv + 8;
	size_t aad_len = make_aad(aad, pkt, seq, esn);
	OSSL_PARAM p[2] = { OSSL_PARAM_END, OSSL_PARAM_END };
	int outl;

	if (seq != c->iv_next) {
		uint8_t nonce[12];

		memcpy(nonce, c->salt, 4);
		put_be64(nonce + 4, seq);
		/* -1: the whole nonce, invocation field included */
		if (EVP_CIPHER_CTX_ctrl(c->cctx, EVP_CTRL_GCM_SET_IV_FIXED, -1, nonce) <= 0)
			return -1;
		c->iv_next = seq;
	}
	p[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_GET_IV_GEN, iv, 8);
	if (!EVP_CIPHER_CTX_get_params(c->cctx, p))
		return -1;
	c->iv_next++;
	p[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, ct + ct_len,
						 c->icv_len);
	return EVP_CipherUpdate(c->cctx, NULL, &outl, aad, (int)aad_len) &&
	       EVP_CipherUpdate(c->cctx, ct, &outl, ct, (int)ct_len) &&
	       EVP_CipherFinal_ex(c->cctx, ct + ct_len, &outl) &&
	       EVP_CIPHER_CTX_get_params(c->cctx, p) ? 0 : -1;
}

/* AES-GCM open: the expected tag and the packet's IV (the invocation field)
 * in one parameter call. */
static int gcm_open(struct esp_crypto *c, const uint8_t *pkt, uint8_t *out, size_t ct_len,
		    uint64_t seq, bool esn)
{
	uint8_t aad[12];
	size_t aad_len = make_aad(aad, pkt, seq, esn);
	const uint8_t *iv = pkt + ESP_HDR_LEN, *ct = iv + 8;
	uint8_t *oct = out + ESP_HDR_LEN + 8;
	OSSL_PARAM p[3];
	int outl;

	/* OpenSSL copies both: the const casts are for the parameter type */
	p[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
						 (void *)(ct + ct_len), c->icv_len);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV,
						 (void *)iv, 8);
	p[2] = OSSL_PARAM_construct_end();
	if (!EVP_CIPHER_CTX_set_params(c->cctx, p) ||
	    !EVP_CipherUpdate(c->cctx, NULL, &outl, aad, (int)aad_len) ||
	    (ct_len && !EVP_CipherUpdate(c->cctx, oct, &outl, ct, (int)ct_len)))
		return -1;
	return EVP_CipherFinal_ex(c->cctx, oct + ct_len, &outl) ? 0 : 1;
}

/* AEAD: nonce = salt || IV, IV = the 64-bit sequence number (unique per key,
 * RFC 4106 section 3.1 allows any unique value). */
static int aead_run(struct esp_crypto *c, const uint8_t *pkt, uint8_t *out, size_t ct_len,
		    uint64_t seq, bool esn, bool seal)
{
	uint8_t nonce[12], aad[12];
	const uint8_t *iv = pkt + ESP_HDR_LEN, *ct = iv + 8;
	uint8_t *oct = out + ESP_HDR_LEN + 8, *icv = out + ESP_HDR_LEN + 8 + ct_len;
	size_t aad_len;
	int outl;

	if (seal) {	/* in place: out == pkt */
		for (int i = 0; i < 8; i++)
			out[ESP_HDR_LEN + i] = (uint8_t)(seq >> (56 - 8 * i));
	}
	memcpy(nonce, c->salt, 4);
	memcpy(nonce + 4, iv, 8);
	aad_len = make_aad(aad, pkt, seq, esn);
	if (!EVP_CipherInit_ex(c->cctx, NULL, NULL, NULL, nonce, -1) ||
	    !EVP_CipherUpdate(c->cctx, NULL, &outl, aad, (int)aad_len))
		return -1;
	if (!seal && !EVP_CIPHER_CTX_ctrl(c->cctx, EVP_CTRL_AEAD_SET_TAG, c->icv_len,
					  (void *)(ct + ct_len)))	/* copied by OpenSSL */
		return -1;
	if (ct_len && !EVP_CipherUpdate(c->cctx, oct, &outl, ct, (int)ct_len))
		return -1;
	if (!EVP_CipherFinal_ex(c->cctx, oct + ct_len, &outl))
		return seal ? -1 : 1;	/* decrypt: tag mismatch */
	if (seal && !EVP_CIPHER_CTX_ctrl(c->cctx, EVP_CTRL_AEAD_GET_TAG, c->icv_len, icv))
		return -1;
	return 0;
}

static int hmac_compute(struct esp_crypto *c, const uint8_t *pkt, size_t len,
			uint64_t seq, bool esn, uint8_t *out)
{
	uint8_t full[64], hi[4];
	size_t outl;

	put_be32(hi, (uint32_t)(seq >> 32));
	if (!EVP_MAC_init(c->mac, NULL, 0, NULL) ||	/* same key, fresh state */
	    !EVP_MAC_update(c->mac, pkt, len) ||
	    (esn && !EVP_MAC_update(c->mac, hi, 4)) ||
	    !EVP_MAC_final(c->mac, full, &outl, sizeof(full)) || outl < c->icv_len)
		return -1;
	memcpy(out, full, c->icv_len);
	mem_wipe(full, sizeof(full));
	return 0;
}

static int cbc_cipher(struct esp_crypto *c, const uint8_t *iv, const uint8_t *ct, uint8_t *out,
		      size_t ct_len)
{
	uint8_t scratch[16];
	int outl;

	return EVP_CipherInit_ex(c->cctx, NULL, NULL, NULL, iv, -1) &&
	       EVP_CipherUpdate(c->cctx, out, &outl, ct, (int)ct_len) &&
	       (size_t)outl == ct_len &&
	       EVP_CipherFinal_ex(c->cctx, scratch, &outl) ? 0 : -1;
}

int esp_crypto_seal(struct esp_crypto *c, uint8_t *pkt, size_t ct_len, uint64_t seq, bool esn)
{
	uint8_t *iv = pkt + ESP_HDR_LEN;

	if (!c->encrypt || ct_len > INT_MAX / 2 || ct_len % c->align)
		return -1;
	if (c->gcm_fast)
		return gcm_seal(c, pkt, ct_len, seq, esn);
	if (c->aead)
		return aead_run(c, pkt, pkt, ct_len, seq, esn, true);
	if (c->ivpool_pos + c->iv_len > sizeof(c->ivpool)) {
		if (RAND_bytes(c->ivpool, sizeof(c->ivpool)) != 1)
			return -1;
		c->ivpool_pos = 0;
	}
	memcpy(iv, c->ivpool + c->ivpool_pos, c->iv_len);
	c->ivpool_pos += c->iv_len;
	if (cbc_cipher(c, iv, iv + c->iv_len, iv + c->iv_len, ct_len))
		return -1;
	return hmac_compute(c, pkt, ESP_HDR_LEN + c->iv_len + ct_len, seq, esn,
			    iv + c->iv_len + ct_len);
}

int esp_crypto_open(struct esp_crypto *c, const uint8_t *pkt, uint8_t *out, size_t ct_len,
		    uint64_t seq, bool esn)
{
	uint8_t mac[ESP_ICV_MAX];
	const uint8_t *iv = pkt + ESP_HDR_LEN;
	size_t auth_len = ESP_HDR_LEN + c->iv_len + ct_len;

	if (c->encrypt || ct_len > INT_MAX / 2 || ct_len % (c->aead ? 1 : c->align))
		return -1;
	if (c->gcm_fast)
		return gcm_open(c, pkt, out, ct_len, seq, esn);
	if (c->aead)
		return aead_run(c, pkt, out, ct_len, seq, esn, false);
	/* encrypt-then-MAC: authenticate before touching the ciphertext */
	if (hmac_compute(c, pkt, auth_len, seq, esn, mac))
		return -1;
	if (!mem_equal_ct(mac, pkt + auth_len, c->icv_len))
		return 1;
	return cbc_cipher(c, iv, iv + c->iv_len, out + ESP_HDR_LEN + c->iv_len, ct_len);
}
