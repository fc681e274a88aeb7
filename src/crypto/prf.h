/* IKEv2 pseudo-random functions (transform type 2) and prf+ (RFC 7296
 * 2.13): PRF_HMAC_SHA1 and PRF_HMAC_SHA2_256/384/512 (enum ike_prf_id), on
 * OpenSSL's EVP_MAC "HMAC". A struct prf holds one keyed MAC context that
 * is reused for every computation until the next prf_set_key. */
#ifndef CYGNET_CRYPTO_PRF_H
#define CYGNET_CRYPTO_PRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/mem.h"

/* Largest prf_size of any supported PRF (SHA-512): for stack buffers. */
#define PRF_MAX_SIZE 64

struct prf;

bool prf_supported(uint16_t id);
/* Output (and preferred key) size of a PRF id in bytes, 0 if unsupported. */
size_t prf_size_of(uint16_t id);
const char *prf_name(uint16_t id);	/* "PRF_HMAC_SHA2_256", ... */

/* NULL if unsupported or out of memory. The object needs a key before use. */
struct prf *prf_create(uint16_t id);
uint16_t prf_id(const struct prf *prf);
size_t prf_size(const struct prf *prf);

/* HMAC accepts keys of any length (RFC 7296 2.14: the full nonces are the
 * key of SKEYSEED). The key is copied into OpenSSL; the caller's buffer
 * stays the caller's to wipe. */
bool prf_set_key(struct prf *prf, const void *key, size_t len);

/* out receives prf_size() bytes = prf(K, data). */
bool prf_compute(struct prf *prf, const void *data, size_t len, uint8_t *out);

/* The same over a concatenation without copying it together:
 * prf_begin, any number of prf_update, prf_final(out). */
bool prf_begin(struct prf *prf);
bool prf_update(struct prf *prf, const void *data, size_t len);
bool prf_final(struct prf *prf, uint8_t *out);

/* prf+ (RFC 7296 2.13) with the current key: *out receives out_len bytes
 * of T1 | T2 | ... where Tn = prf(K, Tn-1 | seed | n). More than 255 blocks
 * is an error. On failure *out is empty. */
bool prf_plus(struct prf *prf, const void *seed, size_t seed_len,
	      size_t out_len, struct chunk *out);

/* Frees the object; OpenSSL wipes the key inside the MAC context. */
void prf_free(struct prf *prf);

#endif
