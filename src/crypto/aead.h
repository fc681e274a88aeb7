/* Encryption with integrity for the IKE SK payload and for ESP, one
 * interface for both kinds of transform sets (like strongSwan's aead_t):
 *   combined mode  ENCR_AES_GCM_16 (128/256-bit key, RFC 4106/5282) and
 *                  ENCR_CHACHA20_POLY1305 (256-bit key, RFC 7634/7539)
 *                  key material = key | 4-byte salt, 8-byte explicit IV,
 *                  nonce = salt | IV, 16-byte ICV; integ must be AUTH_NONE
 *   cipher + MAC   ENCR_AES_CBC (128/256) with AUTH_HMAC_SHA1_96,
 *                  AUTH_HMAC_SHA2_256_128/_384_192/_512_256; 16-byte IV,
 *                  ICV = truncated HMAC over aad | iv | ciphertext
 *                  (encrypt-then-MAC as in RFC 7296 3.14 and RFC 4303)
 * Lengths are caller-padded: no padding is added or removed here.
 *
 * One struct aead per direction: keys are set once at creation and the
 * OpenSSL contexts are reused, so aead_encrypt/aead_decrypt do no setup
 * and no allocation of their own (the HMAC re-init inside OpenSSL 3.0
 * still duplicates its digest state). Not thread-safe per object. */
#ifndef CYGNET_CRYPTO_AEAD_H
#define CYGNET_CRYPTO_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds for stack buffers. */
#define AEAD_MAX_IV 16
#define AEAD_MAX_ICV 32

/* A negotiated algorithm set: ENCR_* id, key bits (the Key Length
 * attribute; 256 for ChaCha20-Poly1305) and AUTH_* id (AUTH_NONE with
 * combined-mode ciphers). */
struct aead_alg {
	uint16_t encr;
	uint16_t key_bits;
	uint16_t integ;
};

bool aead_supported(const struct aead_alg *alg);
/* True for combined-mode ciphers (GCM, ChaCha20-Poly1305). */
bool aead_is_combined(uint16_t encr);

/* Per-algorithm sizes in bytes, 0 if unsupported: */
size_t aead_encr_key_len(const struct aead_alg *alg);	/* incl. salt */
size_t aead_salt_len(const struct aead_alg *alg);	/* 4 or 0 */
size_t aead_integ_key_len(const struct aead_alg *alg);	/* 0 if combined */
size_t aead_iv_len(const struct aead_alg *alg);		/* 8 or 16 */
size_t aead_icv_len(const struct aead_alg *alg);	/* 16 or the HMAC's */
/* Plaintext length must be a multiple of this (16 for CBC, 1 otherwise);
 * ESP additionally aligns to 4 itself. */
size_t aead_block_size(const struct aead_alg *alg);

struct aead;

/* A keyed object for one direction (encrypt true: aead_encrypt only,
 * false: aead_decrypt only). Key lengths must equal aead_encr_key_len and
 * aead_integ_key_len (integ_key may be NULL for combined mode). The keys
 * are copied into OpenSSL; the caller wipes its own copies. NULL on
 * unsupported algorithm, wrong key length or OpenSSL failure. */
struct aead *aead_create(const struct aead_alg *alg, bool encrypt,
			 const uint8_t *encr_key, size_t encr_key_len,
			 const uint8_t *integ_key, size_t integ_key_len);
const struct aead_alg *aead_get_alg(const struct aead *a);

/* Encrypts len bytes of plain into out (len bytes; out may equal plain)
 * and writes aead_icv_len() bytes to icv. iv is aead_iv_len() bytes and
 * must never repeat under one key. aad may be NULL if aad_len is 0.
 * False if len is not a multiple of the block size or on the wrong
 * direction. */
bool aead_encrypt(struct aead *a, const uint8_t *iv,
		  const uint8_t *aad, size_t aad_len,
		  const uint8_t *plain, size_t len,
		  uint8_t *out, uint8_t *icv);

/* Verifies icv (aead_icv_len() bytes, constant-time) over aad, iv and
 * cipher, then decrypts len bytes into out (may equal cipher). False on
 * ICV mismatch, bad length or wrong direction; out (len bytes) is then
 * zeroed, so no unauthenticated plaintext is ever released. */
bool aead_decrypt(struct aead *a, const uint8_t *iv,
		  const uint8_t *aad, size_t aad_len,
		  const uint8_t *cipher, size_t len,
		  uint8_t *out, const uint8_t *icv);

/* ESP with extended sequence numbers for cipher + MAC transforms: the
 * ICV also covers the high 32 bits of the sequence number, appended after
 * the ciphertext in network order (RFC 4303 2.2.1 and 3.3.2.1); they are
 * not sent. Combined-mode ESP carries seq_hi in its AAD instead (RFC 4106
 * 5, RFC 7634 2.1), so these refuse combined mode. Otherwise the same as
 * aead_encrypt/aead_decrypt. */
bool aead_encrypt_esn(struct aead *a, const uint8_t *iv,
		      const uint8_t *aad, size_t aad_len,
		      const uint8_t *plain, size_t len, uint32_t seq_hi,
		      uint8_t *out, uint8_t *icv);
bool aead_decrypt_esn(struct aead *a, const uint8_t *iv,
		      const uint8_t *aad, size_t aad_len,
		      const uint8_t *cipher, size_t len, uint32_t seq_hi,
		      uint8_t *out, const uint8_t *icv);

/* Frees both contexts; OpenSSL clears the key schedules. NULL is ok. */
void aead_free(struct aead *a);

#endif
