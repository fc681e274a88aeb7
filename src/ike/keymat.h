/* IKEv2 key derivation (RFC 7296 2.14, 2.17, 2.18) and PSK authentication
 * (2.15). Pure functions over byte strings: callers pass the negotiated
 * algorithm ids, the DH shared secret, nonces and SPIs as on the wire.
 * Every key lives in a struct chunk and is wiped by the *_free functions;
 * intermediate values (SKEYSEED, the prf+ stream) are wiped before return. */
#ifndef CYGNET_IKE_KEYMAT_H
#define CYGNET_IKE_KEYMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/aead.h"
#include "lib/mem.h"

#define IKE_SPI_LEN 8

/* The keys of one IKE SA. prf is the SA's PRF id (for AUTH and for
 * deriving CHILD SAs / the next rekey); encr/integ is the SK payload
 * algorithm set. sk_ei/sk_er include the 4-byte salt for combined-mode
 * ciphers, and sk_ai/sk_ar are empty then. */
struct ike_keys {
	uint16_t prf;
	struct aead_alg alg;
	struct chunk sk_d, sk_ai, sk_ar, sk_ei, sk_er, sk_pi, sk_pr;
};

/* IKE_SA_INIT: SKEYSEED = prf(Ni | Nr, g^ir), then
 * {SK_d, SK_ai, SK_ar, SK_ei, SK_er, SK_pi, SK_pr}
 *     = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
 * spi_i/spi_r are IKE_SPI_LEN bytes. On failure *out is left empty. */
bool keymat_ike_derive(uint16_t prf, const struct aead_alg *alg,
		       const struct chunk *shared,
		       const struct chunk *ni, const struct chunk *nr,
		       const uint8_t *spi_i, const uint8_t *spi_r,
		       struct ike_keys *out);

/* IKE SA rekey (CREATE_CHILD_SA): SKEYSEED = prf_old(SK_d_old,
 * g^ir_new | Ni | Nr) with the OLD SA's PRF (old->prf and old->sk_d), then
 * prf+ of the NEW PRF over Ni | Nr | SPIi | SPIr (the new SA's SPIs, the
 * nonces of the rekey exchange). */
bool keymat_ike_rekey(const struct ike_keys *old, uint16_t prf,
		      const struct aead_alg *alg, const struct chunk *shared,
		      const struct chunk *ni, const struct chunk *nr,
		      const uint8_t *spi_i, const uint8_t *spi_r,
		      struct ike_keys *out);

void ike_keys_free(struct ike_keys *k);

/* The SK payload transforms of an IKE SA for one side: *out encrypts what
 * we send (SK_ei/SK_ai when we are the original initiator), *in decrypts
 * what we receive. Both NULL on failure. */
bool keymat_ike_aeads(const struct ike_keys *k, bool initiator,
		      struct aead **out, struct aead **in);

/* The keys of one CHILD SA (ESP): "_ir" protects initiator -> responder
 * traffic, "_ri" responder -> initiator. encr keys include the salt for
 * combined-mode ciphers; integ keys are empty then. */
struct child_keys {
	struct aead_alg alg;
	struct chunk encr_ir, integ_ir, encr_ri, integ_ri;
};

/* KEYMAT = prf+(SK_d, [g^ir_new |] Ni | Nr), split in the order of RFC 7296
 * 2.17: encr_ir, integ_ir, encr_ri, integ_ri. shared is NULL (or empty)
 * without PFS. ike->prf and ike->sk_d are used. */
bool keymat_child_derive(const struct ike_keys *ike,
			 const struct aead_alg *alg, const struct chunk *shared,
			 const struct chunk *ni, const struct chunk *nr,
			 struct child_keys *out);

void child_keys_free(struct child_keys *k);

/* The octets an AUTH payload signs or MACs (RFC 7296 2.15):
 *   RealMessage | Nonce(peer) | prf(SK_px, IDx')
 * msg is our whole first message (IKE_SA_INIT request for the initiator,
 * response for the responder), peer_nonce the other side's Nonce data,
 * sk_p our SK_pi (initiator) or SK_pr (responder), id_body our ID payload
 * body (ID type, 3 reserved bytes, identification data). *out allocated. */
bool keymat_signed_octets(uint16_t prf, const struct chunk *sk_p,
			  const uint8_t *msg, size_t msg_len,
			  const struct chunk *peer_nonce,
			  const uint8_t *id_body, size_t id_len,
			  struct chunk *out);

/* Shared-key AUTH data = prf(prf(secret, "Key Pad for IKEv2"), octets),
 * prf_size bytes into *out. secret is the PSK (or the EAP MSK). Verify a
 * peer's AUTH with mem_equal_ct after computing the expected value. */
bool keymat_psk_auth(uint16_t prf, const uint8_t *secret, size_t secret_len,
		     const struct chunk *octets, struct chunk *out);

#endif
