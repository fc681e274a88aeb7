/* Asymmetric keys for IKE authentication: loading private keys (PEM or DER,
 * RSA, ECDSA P-256/384/521, Ed25519, Ed448), public keys, type and size
 * queries, and the key id (SHA-1 of the DER SubjectPublicKeyInfo) that
 * CERTREQ payloads and VICI key ids use. Keys are OpenSSL EVP_PKEYs; OpenSSL
 * wipes private key material when the last reference is freed. */
#ifndef CYGNET_CRYPTO_PUBKEY_H
#define CYGNET_CRYPTO_PUBKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#include "lib/mem.h"

#define PUBKEY_KEYID_LEN 20	/* SHA-1 */

enum pubkey_type {
	PUBKEY_NONE = 0,	/* unsupported or no key */
	PUBKEY_RSA,
	PUBKEY_ECDSA,		/* P-256, P-384 or P-521 only */
	PUBKEY_ED25519,
	PUBKEY_ED448,
};

/* Private key from a file or memory, PEM (PKCS#8 or traditional) or DER.
 * Encrypted keys are refused (no passphrase prompt in a daemon). NULL on
 * failure with *reason set. */
EVP_PKEY *pubkey_load_private_file(const char *path, const char **reason);
EVP_PKEY *pubkey_load_private_mem(const uint8_t *p, size_t len,
				  const char **reason);
/* Public key from a SubjectPublicKeyInfo, PEM ("PUBLIC KEY") or DER. */
EVP_PKEY *pubkey_load_public_mem(const uint8_t *p, size_t len,
				 const char **reason);
void pubkey_free(EVP_PKEY *k);

/* PUBKEY_NONE for key types or curves we do not sign with. */
enum pubkey_type pubkey_type(const EVP_PKEY *k);
const char *pubkey_type_name(enum pubkey_type t);
/* RSA: modulus bits; ECDSA: curve size (256, 384, 521); Ed25519: 255;
 * Ed448: 448; 0 if unsupported. */
int pubkey_bits(const EVP_PKEY *k);
bool pubkey_has_private(const EVP_PKEY *k);

/* DER SubjectPublicKeyInfo of the public half. */
bool pubkey_spki_der(const EVP_PKEY *k, struct chunk *out);
/* SHA-1 over the DER SubjectPublicKeyInfo. */
bool pubkey_keyid(const EVP_PKEY *k, uint8_t out[PUBKEY_KEYID_LEN]);
/* Same public key (parameters and public value). */
bool pubkey_equal(const EVP_PKEY *a, const EVP_PKEY *b);

#endif
