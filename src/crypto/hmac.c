#include "crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

bool hmac_init(struct hmac *h, const char *digest)
{
	EVP_MAC *mac;
	OSSL_PARAM params[2];
	EVP_MD *md;
	size_t size;

	h->ctx = NULL;
	h->size = 0;
	h->keyed = false;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		return false;
	h->ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);	/* the context holds its own reference */
	if (!h->ctx)
		return false;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_CTX_set_params(h->ctx, params)) {
		hmac_clear(h);
		return false;
	}
	/* The MAC context only knows its size once keyed (OpenSSL 3.0). */
	md = EVP_MD_fetch(NULL, digest, NULL);
	size = md ? (size_t)EVP_MD_get_size(md) : 0;
	EVP_MD_free(md);
	if (!size || size > 64) {
		hmac_clear(h);
		return false;
	}
	h->size = size;
	return true;
}

bool hmac_set_key(struct hmac *h, const void *key, size_t len)
{
	static const uint8_t empty;

	if (!key && len) {
		h->keyed = false;
		return false;
	}
	/* EVP_MAC_init with a NULL key means "keep the old key": an empty
	 * key needs a non-NULL pointer. */
	h->keyed = EVP_MAC_init(h->ctx, key && len ? key : &empty, len, NULL) == 1;
	if (!h->keyed)
		ERR_clear_error();
	return h->keyed;
}

bool hmac_begin(struct hmac *h)
{
	/* Re-initialises with the stored key: no key schedule per call. */
	return h->keyed && EVP_MAC_init(h->ctx, NULL, 0, NULL) == 1;
}

bool hmac_update(struct hmac *h, const void *data, size_t len)
{
	if (!len)
		return h->keyed;
	return h->keyed && EVP_MAC_update(h->ctx, data, len) == 1;
}

bool hmac_final(struct hmac *h, uint8_t *out)
{
	size_t n = 0;

	return h->keyed && EVP_MAC_final(h->ctx, out, &n, h->size) == 1 &&
	       n == h->size;
}

void hmac_clear(struct hmac *h)
{
	EVP_MAC_CTX_free(h->ctx);	/* cleanses the HMAC key state */
	h->ctx = NULL;
	h->keyed = false;
}
