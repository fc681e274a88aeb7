/* Per-SA, per-direction ESP transforms on OpenSSL 3 EVP.
 *
 * Keys are set once when the SA is installed; the per-packet path only sets
 * the IV/nonce and runs the cipher in place, so it allocates nothing.
 * Offered: AES-GCM-16 (128/192/256, RFC 4106), ChaCha20-Poly1305 (RFC 7634),
 * AES-CBC (128/192/256) with HMAC-SHA2-256-128/384-192/512-256 (RFC 4868).
 *
 * Packet layout the functions work on (pkt points at the SPI):
 *   SPI(4) | Seq(4) | IV(iv_len) | ciphertext(ct_len) | ICV(icv_len)
 * With ESN the high 32 bits of the sequence number are authenticated but not
 * sent: AEAD AAD = SPI | seq_hi | seq_lo (RFC 4106 section 5, RFC 7634
 * section 2.1); HMAC input = SPI | seq_lo | IV | ciphertext | seq_hi
 * (RFC 4303 section 2.2.1). */
#ifndef CYGNET_KERNEL_USERSPACE_ESP_CRYPTO_H
#define CYGNET_KERNEL_USERSPACE_ESP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define ESP_HDR_LEN 8
#define ESP_IV_MAX 16
#define ESP_ICV_MAX 32

struct esp_crypto {
	uint16_t encr_alg, integ_alg;
	bool aead;
	bool encrypt;
	uint8_t iv_len;		/* 8 AEAD, 16 CBC */
	uint8_t icv_len;
	uint8_t align;		/* ciphertext length multiple: 4 AEAD, 16 CBC */
	uint8_t salt[4];	/* AEAD nonce prefix */
	/* AES-GCM: the nonce is set through OpenSSL's GCM invocation-field
	 * parameters (one parameter call per packet instead of a re-init and a
	 * control call, ~15% of the per-packet cost at 1400 bytes). Sealing:
	 * the invocation field OpenSSL hands out next, kept equal to seq. */
	bool gcm_fast;
	uint64_t iv_next;
	EVP_CIPHER_CTX *cctx;
	EVP_MAC_CTX *mac;	/* CBC only */
	/* CBC IVs come from RAND_bytes in batches; each IV is used once. */
	uint8_t ivpool[512];
	size_t ivpool_pos;
};

/* Set up c for one direction. Key lengths: AEAD key || 4-byte salt;
 * integ_alg must be AUTH_NONE for AEAD and an HMAC-SHA2 for CBC. Returns 0,
 * -ENOTSUP (unknown algorithm), -EINVAL (bad key length) or -ENOMEM, with
 * *reason for the log. */
int esp_crypto_init(struct esp_crypto *c, uint16_t encr_alg, const uint8_t *ekey,
		    size_t ekey_len, uint16_t integ_alg, const uint8_t *ikey,
		    size_t ikey_len, bool encrypt, const char **reason);
/* Free the contexts and wipe everything. Safe on a zeroed struct. */
void esp_crypto_clear(struct esp_crypto *c);

/* Header (SPI, seq_lo) already at pkt; ct_len plaintext bytes (already padded
 * to align) at pkt + 8 + iv_len. Writes the IV, encrypts in place and writes
 * the ICV after the ciphertext. seq is the full 64-bit number. 0 or -1. */
int esp_crypto_seal(struct esp_crypto *c, uint8_t *pkt, size_t ct_len, uint64_t seq, bool esn);

/* Verify the ICV and decrypt: the plaintext goes to out + 8 + iv_len (out
 * == pkt: in place; otherwise out has room for the whole packet and pkt is
 * left alone). 0 ok, 1 ICV mismatch, -1 library failure. On failure the
 * plaintext area may hold garbage. */
int esp_crypto_open(struct esp_crypto *c, const uint8_t *pkt, uint8_t *out, size_t ct_len,
		    uint64_t seq, bool esn);

#endif
