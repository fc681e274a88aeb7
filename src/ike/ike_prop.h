/* Proposal selection (RFC 7296 2.7, 3.3) and SA payload building between
 * the core's struct ike_prop / ike_chosen and the codec's SA payload. */
#ifndef CYGNET_IKE_IKE_PROP_H
#define CYGNET_IKE_IKE_PROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_conf.h"
#include "ike/msg.h"

/* ke_hint / ke_first value: leave KE transforms out (ESP in IKE_AUTH,
 * where RFC 7296 1.2 has no key exchange). */
#define PROP_NO_KE 0xffff

/* Responder: pick the first of our proposals (our order first, as
 * strongSwan's default) that an offered proposal satisfies. ke_hint: a
 * group the peer already sent a KE for, preferred when acceptable. *num and
 * *spi: the chosen offered proposal's number and SPI. */
bool prop_select(const struct ike_prop *ours, size_t n_ours,
		 const struct ike_pl_sa *offered, uint8_t protocol,
		 uint16_t ke_hint, struct ike_chosen *out, uint8_t *num,
		 struct ike_bytes *spi);

/* Initiator: check the responder's single proposal against ours. */
bool prop_accept_reply(const struct ike_prop *ours, size_t n_ours,
		       const struct ike_pl_sa *reply, uint8_t protocol, uint16_t ke_hint,
		       struct ike_chosen *out, struct ike_bytes *spi);

/* Adds an SA payload with all of our proposals (ke_first: move this group
 * to the front of every proposal that has it). spi: 0, 4 or 8 bytes. */
bool prop_add_offer(struct ike_msg *m, const struct ike_prop *ps, size_t n,
		    uint16_t ke_first, const void *spi, size_t spi_len);
/* Adds an SA payload with the one chosen proposal. */
bool prop_add_chosen(struct ike_msg *m, const struct ike_chosen *c,
		     uint8_t protocol, uint8_t num, const void *spi,
		     size_t spi_len);

/* The offered proposals as "1:ESP 1/20/256 3/12 5/0; 2:..." for logs. */
const char *prop_offer_str(const struct ike_pl_sa *sa, char *buf, size_t len);

/* "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519" style, for logs. */
const char *prop_chosen_str(const struct ike_chosen *c, char *buf, size_t len);

#endif
