/* Trust anchors and chain verification: a set of trusted CA certificates
 * (an X509_STORE), verification of an end-entity certificate with untrusted
 * intermediates (e.g. from CERT payloads), and CERTREQ support (the SHA-1
 * key ids of the CAs, finding a CA by such a hash). */
#ifndef CYGNET_CRYPTO_X509_TRUST_H
#define CYGNET_CRYPTO_X509_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <openssl/x509.h>

#include "crypto/pubkey.h"
#include "lib/mem.h"

struct x509_trust;

struct x509_trust *x509_trust_new(void);
void x509_trust_free(struct x509_trust *t);
/* Add a trusted CA (takes its own reference). false if it is not a CA
 * certificate or on allocation failure. */
bool x509_trust_add(struct x509_trust *t, X509 *ca, const char **reason);
size_t x509_trust_count(const struct x509_trust *t);

/* Verify leaf up to a trusted CA, using the untrusted intermediates (may be
 * NULL). at = 0 checks validity against the current time. Returns
 * X509_V_OK (0) or an X509_V_ERR_* code with *reason a readable string
 * ("certificate has expired", "unable to get local issuer certificate",
 * "certificate signature failure", ...). */
int x509_trust_verify(const struct x509_trust *t, X509 *leaf,
		      STACK_OF(X509) *untrusted, time_t at, const char **reason);

/* The CA whose SubjectPublicKeyInfo SHA-1 is keyid (borrowed), or NULL. */
X509 *x509_trust_find_keyid(const struct x509_trust *t,
			    const uint8_t keyid[PUBKEY_KEYID_LEN]);
/* Concatenated 20-byte key ids of all CAs: CERTREQ payload data. */
bool x509_trust_certreq_data(const struct x509_trust *t, struct chunk *out);

#endif
