/* Key exchange (IKEv2 transform type 4) for the KE payload: MODP groups
 * 14/15/16 (RFC 3526), ECP groups 19/20/21 (RFC 5903: P-256/384/521) and
 * Curve25519/Curve448 (31/32, RFC 8031). Group ids are enum ike_ke_id.
 *
 * Wire format of public values (ke_public / peer input of ke_compute):
 *   MODP   y left-padded to the prime length (256/384/512 bytes)
 *   ECP    x || y, each left-padded to the field size, no 0x04 prefix
 *   X25519/X448  the raw 32/56-byte u-coordinate
 * Shared secrets: MODP g^xy padded to the prime length, ECP the x
 * coordinate padded to the field size, X25519/X448 raw 32/56 bytes. */
#ifndef CYGNET_CRYPTO_KE_H
#define CYGNET_CRYPTO_KE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/mem.h"

struct ke;

bool ke_supported(uint16_t group);
/* Bytes of the public value (= KE payload data) for a group, 0 if the
 * group is unsupported. */
size_t ke_public_len(uint16_t group);
/* "MODP_2048", "ECP_256", "CURVE25519", ...; "UNKNOWN" for others. */
const char *ke_group_name(uint16_t group);

/* A fresh ephemeral key pair; NULL if the group is unsupported or OpenSSL
 * failed (ke_supported() tells which). */
struct ke *ke_create(uint16_t group);
uint16_t ke_group(const struct ke *ke);

/* A new key pair of the group as an OpenSSL EVP_PKEY, NULL if unsupported
 * or failed; for the key stock's thread (crypto/ke_stock.h). */
struct evp_pkey_st *ke_keygen(uint16_t group);

/* Replaces the private key by a fixed one (test vectors only; big-endian
 * scalar for MODP/ECP, raw bytes for X25519/X448) and derives the public
 * value from it. */
bool ke_set_private(struct ke *ke, const uint8_t *priv, size_t len);

/* Our public value in wire format; *out is allocated (ke_public_len). */
bool ke_public(const struct ke *ke, struct chunk *out);

/* Validates the peer's public value and derives the shared secret into
 * *secret (allocated; chunk_free wipes it). Rejected: wrong length,
 * MODP y <= 1 or y >= p-1, ECP points not on the curve or coordinates >= p,
 * X25519/X448 results that are all zero (low-order points). On failure
 * *secret is empty and ke_error() says why. */
bool ke_compute(struct ke *ke, const uint8_t *peer, size_t len,
		struct chunk *secret);

/* Reason of the last failure on this object, for a log line ("" if none). */
const char *ke_error(const struct ke *ke);

/* Frees the key pair (OpenSSL clears private keys on free). NULL is ok. */
void ke_free(struct ke *ke);

#endif
