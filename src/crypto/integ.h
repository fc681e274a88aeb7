/* IKEv2/ESP integrity algorithms (transform type 3): truncated HMACs
 * AUTH_HMAC_SHA1_96, AUTH_HMAC_SHA2_256_128, _384_192, _512_256
 * (RFC 2404, RFC 4868), enum ike_integ_id. Keyed once; the MAC context is
 * reused for every packet. */
#ifndef CYGNET_CRYPTO_INTEG_H
#define CYGNET_CRYPTO_INTEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest integ_icv_len (SHA-512-256) and integ_key_len (SHA-512). */
#define INTEG_MAX_ICV 32
#define INTEG_MAX_KEY 64

struct integ;

bool integ_supported(uint16_t id);
/* Key length (= full HMAC output, RFC 4868 2.1.1) and truncated ICV
 * length in bytes; 0 if unsupported. AUTH_NONE is not supported here. */
size_t integ_key_len(uint16_t id);
size_t integ_icv_len(uint16_t id);
const char *integ_name(uint16_t id);

/* NULL if unsupported or out of memory. */
struct integ *integ_create(uint16_t id);
uint16_t integ_id(const struct integ *in);
/* The key must be exactly integ_key_len() bytes. */
bool integ_set_key(struct integ *in, const void *key, size_t len);

/* icv receives integ_icv_len() bytes over data. */
bool integ_compute(struct integ *in, const void *data, size_t len,
		   uint8_t *icv);
/* Multi-part: integ_begin, integ_update..., then integ_final (writes the
 * truncated ICV) or integ_verify (compares it in constant time). */
bool integ_begin(struct integ *in);
bool integ_update(struct integ *in, const void *data, size_t len);
bool integ_final(struct integ *in, uint8_t *icv);
bool integ_verify(struct integ *in, const uint8_t *icv);

void integ_free(struct integ *in);

#endif
