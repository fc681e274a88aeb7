/* X.509 certificates: loading (PEM or DER, one or a PEM bundle), the DER
 * that goes into a CERT payload, names, subjectAltNames, validity and the
 * public key. Certificates are OpenSSL X509 objects (X509_free). */
#ifndef CYGNET_CRYPTO_X509_H
#define CYGNET_CRYPTO_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <openssl/x509.h>

#include "crypto/pubkey.h"
#include "lib/mem.h"

/* One certificate, PEM or DER (detected). NULL with *reason on failure. */
X509 *x509_load_file(const char *path, const char **reason);
X509 *x509_load_mem(const uint8_t *p, size_t len, const char **reason);
/* Every certificate of a PEM bundle (or one DER certificate), in order.
 * NULL if none could be read; free with x509_bundle_free. */
STACK_OF(X509) *x509_load_bundle_file(const char *path, const char **reason);
STACK_OF(X509) *x509_load_bundle_mem(const uint8_t *p, size_t len,
				     const char **reason);
void x509_bundle_free(STACK_OF(X509) *sk);
void x509_free(X509 *c);

/* DER of the whole certificate: the CERT payload data (encoding 4). */
bool x509_der(const X509 *c, struct chunk *out);
bool x509_subject_der(const X509 *c, struct chunk *out);
bool x509_issuer_der(const X509 *c, struct chunk *out);
/* Readable DN in RDN order, strongSwan style: "C=CH, O=strongSwan, CN=gw".
 * false if the buffer is too small (the text is then cut). */
bool x509_name_str(const X509_NAME *n, char *buf, size_t len);
bool x509_subject_str(const X509 *c, char *buf, size_t len);
bool x509_issuer_str(const X509 *c, char *buf, size_t len);

/* subjectAltNames that IKE IDs can match, typed with enum ike_id_type:
 * dNSName -> ID_FQDN, rfc822Name -> ID_RFC822_ADDR, iPAddress -> ID_IPV4_ADDR
 * (4 bytes) or ID_IPV6_ADDR (16 bytes). Other kinds are skipped. */
#define X509_SAN_MAX_LEN 255
struct x509_san {
	uint8_t type;
	uint16_t len;
	uint8_t data[X509_SAN_MAX_LEN];
};
/* Fills up to max entries, returns how many the certificate has. */
size_t x509_get_sans(const X509 *c, struct x509_san *out, size_t max);

/* notBefore / notAfter as UNIX times. */
bool x509_validity(const X509 *c, time_t *not_before, time_t *not_after);
bool x509_is_ca(const X509 *c);
bool x509_is_self_signed(const X509 *c);

/* The certificate's public key (a new reference: pubkey_free it). */
EVP_PKEY *x509_get_pubkey(const X509 *c);
/* SHA-1 of the DER SubjectPublicKeyInfo: the CERTREQ CA hash. */
bool x509_keyid(const X509 *c, uint8_t out[PUBKEY_KEYID_LEN]);

#endif
