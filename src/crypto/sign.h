/* IKEv2 signature authentication: the AUTH payload data for RFC 7427
 * Digital Signature (method 14) and for the classic methods 1 (RSA PKCS#1
 * v1.5 SHA-1) and 9/10/11 (ECDSA SHA-256/384/512 on P-256/384/521, r||s).
 * "octets" are the InitiatorSignedOctets / ResponderSignedOctets. */
#ifndef CYGNET_CRYPTO_SIGN_H
#define CYGNET_CRYPTO_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#include "crypto/sigalg.h"
#include "lib/mem.h"

enum sign_status {
	SIGN_OK = 0,
	SIGN_ERR_MALFORMED,	/* AUTH data does not parse */
	SIGN_ERR_UNKNOWN_ALG,	/* AlgorithmIdentifier or method not supported */
	SIGN_ERR_KEY_MISMATCH,	/* algorithm does not fit the key */
	SIGN_ERR_BAD_SIGNATURE,
	SIGN_ERR_INTERNAL,	/* allocation or OpenSSL failure */
};

const char *sign_status_name(enum sign_status st);

/* Method 14: out = [len][AlgorithmIdentifier][signature]. rsa_pss selects
 * RSASSA-PSS for RSA keys (ignored otherwise). */
enum sign_status sign_auth_data(EVP_PKEY *key, uint16_t hash_id, bool rsa_pss,
				const uint8_t *octets, size_t octets_len,
				struct chunk *out, const char **reason);
enum sign_status sign_verify_auth_data(EVP_PKEY *pub, const uint8_t *auth,
				       size_t auth_len, const uint8_t *octets,
				       size_t octets_len, const char **reason);

/* Classic methods (AUTH_RSA_SIG, AUTH_ECDSA_256/384/521): the AUTH data is
 * the bare signature. */
enum sign_status sign_classic(EVP_PKEY *key, uint8_t method,
			      const uint8_t *octets, size_t octets_len,
			      struct chunk *out, const char **reason);
enum sign_status sign_verify_classic(EVP_PKEY *pub, uint8_t method,
				     const uint8_t *sig, size_t sig_len,
				     const uint8_t *octets, size_t octets_len,
				     const char **reason);
/* The classic method for this key (1, 9, 10, 11), 0 if none (EdDSA). */
uint8_t sign_classic_method(const EVP_PKEY *key);

/* One signature with a scheme, DER (ECDSA-Sig-Value) for ECDSA; the
 * building block of the above, exposed for tests and other protocols. */
enum sign_status sign_raw(EVP_PKEY *key, const struct sigalg *alg,
			  const uint8_t *msg, size_t msg_len,
			  struct chunk *sig, const char **reason);
enum sign_status sign_verify_raw(EVP_PKEY *pub, const struct sigalg *alg,
				 const uint8_t *sig, size_t sig_len,
				 const uint8_t *msg, size_t msg_len,
				 const char **reason);

#endif
