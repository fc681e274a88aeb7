/* Random bytes from OpenSSL's CSPRNG (RAND_bytes), for nonces, SPIs, IVs
 * and private keys. Nothing is logged. */
#ifndef CYGNET_CRYPTO_RNG_H
#define CYGNET_CRYPTO_RNG_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/mem.h"

/* Fills buf with len random bytes; false if the CSPRNG failed (then buf
 * is zeroed, never left half random). len 0 succeeds. */
bool rng_bytes(void *buf, size_t len);

/* Allocates *out with len random bytes (an IKE nonce is 16..256 bytes;
 * that range is the caller's policy). On failure *out is empty. */
bool rng_nonce(struct chunk *out, size_t len);

#endif
