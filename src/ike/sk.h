/* The Encrypted payload (RFC 7296 3.14): seal a message's payload chain
 * into header | SK | IV | ciphertext | padding | ICV, and open a received
 * SK payload into the message's inner payloads. The associated data is the
 * IKE header and the SK generic header; AEAD and CBC+HMAC both go through
 * crypto/aead.h. */
#ifndef CYGNET_IKE_SK_H
#define CYGNET_IKE_SK_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/msg.h"
#include "lib/mem.h"
#include "lib/wbuf.h"

struct aead;

/* Writes the whole datagram for m (m->hdr as header; every payload of m
 * goes inside SK) to w. iv_seq feeds the counter IVs of combined-mode
 * ciphers; CBC IVs are random. */
enum ike_err_code sk_seal(struct aead *a, uint64_t *iv_seq,
			  const struct ike_msg *m, struct wbuf *w,
			  struct ike_err *err);

/* Verifies and decrypts m's SK payload (m parsed by ike_msg_parse) and
 * appends the inner payloads to m. IKE_ERR_HEADER with notify 0 when the
 * integrity check fails (drop silently, RFC 7296 2.21.2). */
enum ike_err_code sk_open(struct aead *a, struct ike_msg *m,
			  struct ike_err *err);

/* RFC 7383: seal m as fragments, each datagram at most max_len bytes.
 * *out receives *n malloc'd chunks (free each with chunk_free, then the
 * array with free). */
enum ike_err_code sk_seal_fragments(struct aead *a, uint64_t *iv_seq,
				    const struct ike_msg *m, size_t max_len,
				    struct chunk **out, size_t *n,
				    struct ike_err *err);

/* Verifies and decrypts m's SKF payload into *plain (malloc'd, without
 * padding). The fragment number, total and first inner payload type are
 * in the payload (ike_msg_find_encrypted(m)->skf). */
enum ike_err_code sk_open_fragment(struct aead *a, const struct ike_msg *m,
				   struct chunk *plain, struct ike_err *err);

#endif
