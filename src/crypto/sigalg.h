/* RFC 7427 signature schemes: the AlgorithmIdentifier that precedes the
 * signature in a Digital Signature (method 14) AUTH payload, and the
 * SIGNATURE_HASH_ALGORITHMS notify (hash negotiation). */
#ifndef CYGNET_CRYPTO_SIGALG_H
#define CYGNET_CRYPTO_SIGALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#include "crypto/pubkey.h"
#include "lib/mem.h"

enum sig_scheme {
	SIG_NONE = 0,
	SIG_RSA_PKCS1_SHA1,	/* verify only */
	SIG_RSA_PKCS1_SHA256,
	SIG_RSA_PKCS1_SHA384,
	SIG_RSA_PKCS1_SHA512,
	SIG_RSA_PSS_SHA256,	/* MGF1 same hash, salt = hash length */
	SIG_RSA_PSS_SHA384,
	SIG_RSA_PSS_SHA512,
	SIG_ECDSA_SHA256,
	SIG_ECDSA_SHA384,
	SIG_ECDSA_SHA512,
	SIG_ED25519,		/* pure EdDSA, identity hash */
	SIG_ED448,
	SIG_SCHEME_COUNT,
};

/* A scheme as read from the wire: PSS carries its own salt length. */
struct sigalg {
	enum sig_scheme scheme;
	int pss_salt_len;	/* PSS only */
};

const char *sigalg_name(enum sig_scheme s);
/* RFC 7427 hash id (enum ike_hash_id) of the scheme, 0 for SIG_NONE. */
uint16_t sigalg_hash(enum sig_scheme s);
/* The key type a scheme needs. */
enum pubkey_type sigalg_key_type(enum sig_scheme s);
/* OpenSSL digest name for EVP_DigestSignInit_ex, NULL for EdDSA. */
const char *sigalg_md_name(enum sig_scheme s);
/* Digest length in bytes (PSS salt length), 0 for EdDSA. */
int sigalg_md_len(enum sig_scheme s);

/* The scheme for this key and hash; rsa_pss picks RSASSA-PSS over
 * PKCS#1 v1.5 for RSA keys. SIG_NONE if the pair does not fit (EdDSA only
 * with HASH_IDENTITY; ECDSA with SHA-256/384/512 on any supported curve). */
enum sig_scheme sigalg_for_key(const EVP_PKEY *k, uint16_t hash_id, bool rsa_pss);

/* DER AlgorithmIdentifier as RFC 7427 Appendix A spells it (PKCS#1 with
 * NULL parameters, ECDSA and EdDSA without, PSS with the full
 * RSASSA-PSS-params including trailerField). */
bool sigalg_encode(enum sig_scheme s, struct chunk *out);
enum sigalg_decode_status {
	SIGALG_OK = 0,
	SIGALG_MALFORMED,	/* not exactly one DER AlgorithmIdentifier */
	SIGALG_UNKNOWN,		/* well-formed, but an algorithm or parameters
				 * we do not accept */
};
/* Parse a DER AlgorithmIdentifier; all len bytes must be exactly one
 * AlgorithmIdentifier in DER (d2i, then re-encoded and compared). */
enum sigalg_decode_status sigalg_decode(const uint8_t *p, size_t len,
					struct sigalg *out, const char **reason);

/* Hash negotiation (RFC 7427 section 4). The notify data is a list of
 * 16-bit hash ids; unknown ids are skipped, an odd length is malformed. */
bool sigalg_parse_hash_notify(const uint8_t *p, size_t len, uint16_t *ids,
			      size_t max, size_t *n, const char **reason);
/* Our own list: SHA2-256, SHA2-384, SHA2-512, identity. */
bool sigalg_build_hash_notify(struct chunk *out);
/* Pick the hash for signing with k given the peer's list: SHA2-256 for RSA
 * and P-256, SHA2-384 for P-384, SHA2-512 for P-521, identity for EdDSA;
 * else the next stronger, then weaker hash the peer supports. 0 if none
 * fits (the caller falls back to a classic auth method). */
uint16_t sigalg_pick_hash(const EVP_PKEY *k, const uint16_t *peer, size_t n);

#endif
