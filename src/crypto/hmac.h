/* Internal to crypto/: one keyed EVP_MAC "HMAC" context shared by prf.c
 * and integ.c. Not for use outside src/crypto. */
#ifndef CYGNET_CRYPTO_HMAC_H
#define CYGNET_CRYPTO_HMAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evp_mac_ctx_st;

struct hmac {
	struct evp_mac_ctx_st *ctx;
	size_t size;	/* full digest output */
	bool keyed;
};

/* digest: an OpenSSL digest name ("SHA1", "SHA2-256", ...). */
bool hmac_init(struct hmac *h, const char *digest);
bool hmac_set_key(struct hmac *h, const void *key, size_t len);
bool hmac_begin(struct hmac *h);
bool hmac_update(struct hmac *h, const void *data, size_t len);
bool hmac_final(struct hmac *h, uint8_t *out);	/* h->size bytes */
void hmac_clear(struct hmac *h);

#endif
