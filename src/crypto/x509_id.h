/* IKE identities (ID payload contents): parsing config-style strings,
 * validating wire IDs, printing for logs, comparing, and matching against a
 * certificate (subject DN or subjectAltNames). */
#ifndef CYGNET_CRYPTO_X509_ID_H
#define CYGNET_CRYPTO_X509_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

#include "lib/mem.h"

/* Not an IANA type: "%any" in a config, matches every identity. */
#define X509_ID_ANY 0

struct x509_id {
	uint8_t type;		/* enum ike_id_type or X509_ID_ANY */
	struct chunk data;	/* as in the ID payload after the header */
};

/* From a config string (strongSwan rules):
 *   "%any"                      -> X509_ID_ANY
 *   "@#0a1b.."                  -> ID_KEY_ID (hex)
 *   "@gw.example.com"           -> ID_FQDN (forced)
 *   "192.0.2.1" / "2001:db8::1" -> ID_IPV4_ADDR / ID_IPV6_ADDR
 *   "C=CH, O=strongSwan, CN=gw" -> ID_DER_ASN1_DN (any string with '=')
 *   "user@example.com"          -> ID_RFC822_ADDR
 *   anything else               -> ID_FQDN
 * Prefixes force a type: "fqdn:", "dns:", "email:", "rfc822:", "userfqdn:",
 * "ipv4:", "ipv6:", "asn1dn:", "keyid:" (hex). */
bool x509_id_parse(const char *s, struct x509_id *out, const char **reason);
/* From an ID payload: checks the length of addresses and that a DN is one
 * DER Name with no trailing bytes. */
bool x509_id_from_wire(uint8_t type, const uint8_t *p, size_t len,
		       struct x509_id *out, const char **reason);
/* The certificate's subject DN as an ID_DER_ASN1_DN identity. */
bool x509_id_from_subject(const X509 *c, struct x509_id *out);
void x509_id_free(struct x509_id *id);
bool x509_id_copy(struct x509_id *dst, const struct x509_id *src);

/* Printable form for logs; non-printable bytes are escaped. Always
 * NUL-terminates; false if cut short. */
bool x509_id_to_str(const struct x509_id *id, char *buf, size_t len);

/* Same identity: FQDN and RFC822 compare case-insensitively, DNs by their
 * canonical form (X509_NAME_cmp), the rest byte for byte. */
bool x509_id_equal(const struct x509_id *a, const struct x509_id *b);
/* Does the certificate carry this identity? ID_DER_ASN1_DN vs the subject
 * DN; ID_FQDN vs dNSName, ID_RFC822_ADDR vs rfc822Name, ID_IPV4/IPV6_ADDR vs
 * iPAddress subjectAltNames; X509_ID_ANY always. */
bool x509_id_matches_cert(const struct x509_id *id, const X509 *c);

#endif
