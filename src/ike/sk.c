#include "ike/sk.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/rng.h"
#include "lib/mem.h"

enum ike_err_code sk_seal(struct aead *a, uint64_t *iv_seq,
			  const struct ike_msg *m, struct wbuf *w,
			  struct ike_err *err)
{
	const struct aead_alg *alg = aead_get_alg(a);
	size_t iv_len = aead_iv_len(alg), icv_len = aead_icv_len(alg);
	size_t block = aead_block_size(alg);
	struct wbuf chain;
	uint8_t first = PL_NONE, iv[AEAD_MAX_IV];
	size_t plain_len, pad, aad_len, off;
	enum ike_err_code rc;
	uint8_t *body;

	wbuf_init(&chain);
	rc = ike_msg_write_chain(m, &chain, &first, err);
	if (rc != IKE_OK)
		goto out;
	/* padding bytes, then the Pad Length byte: total a block multiple */
	pad = (block - (chain.len + 1) % block) % block;
	wbuf_zero(&chain, pad);
	wbuf_u8(&chain, (uint8_t)pad);
	if (!wbuf_ok(&chain)) {
		rc = ike_err_set(err, IKE_ERR_NOMEM, PL_SK, "out of memory");
		goto out;
	}
	plain_len = chain.len;
	if (aead_is_combined(alg->encr)) {
		uint64_t seq = ++*iv_seq;

		for (size_t i = 0; i < iv_len; i++)
			iv[i] = (uint8_t)(seq >> (8 * (iv_len - 1 - i)));
	} else if (!rng_bytes(iv, iv_len)) {
		rc = ike_err_set(err, IKE_ERR_BUILD, PL_SK, "no random IV");
		goto out;
	}
	off = w->len;
	rc = ike_msg_write_sk_header(&m->hdr, first, iv_len + plain_len + icv_len,
				     w, err);
	if (rc != IKE_OK)
		goto out;
	aad_len = w->len - off;
	wbuf_reserve(w, iv_len + plain_len + icv_len);
	if (!wbuf_ok(w)) {
		rc = ike_err_set(err, IKE_ERR_NOMEM, PL_SK, "out of memory");
		goto out;
	}
	body = w->p + off + aad_len;
	memcpy(body, iv, iv_len);
	if (!aead_encrypt(a, iv, w->p + off, aad_len, chain.p, plain_len,
			  body + iv_len, body + iv_len + plain_len)) {
		rc = ike_err_set(err, IKE_ERR_BUILD, PL_SK, "encryption failed");
		goto out;
	}
	rc = IKE_OK;
out:
	wbuf_free(&chain);
	return rc;
}

enum ike_err_code sk_open(struct aead *a, struct ike_msg *m,
			  struct ike_err *err)
{
	const struct ike_payload *p = ike_msg_find_encrypted(m);
	const struct aead_alg *alg = aead_get_alg(a);
	size_t iv_len = aead_iv_len(alg), icv_len = aead_icv_len(alg);
	size_t block = aead_block_size(alg), len;
	const uint8_t *body;
	uint8_t *plain;
	uint8_t pad;
	enum ike_err_code rc;

	if (!p || p->type != PL_SK)
		return ike_err_set(err, IKE_ERR_SYNTAX, PL_SK,
				   "no SK payload in an encrypted exchange");
	body = p->sk.body.ptr;
	if (p->sk.body.len < iv_len + icv_len + 1)
		return ike_err_set(err, IKE_ERR_HEADER, PL_SK,
				   "SK body of %zu bytes too short", p->sk.body.len);
	len = p->sk.body.len - iv_len - icv_len;
	if (len % block)
		return ike_err_set(err, IKE_ERR_HEADER, PL_SK,
				   "SK ciphertext of %zu bytes not a block multiple", len);
	plain = malloc(len);
	if (!plain)
		return ike_err_set(err, IKE_ERR_NOMEM, PL_SK, "out of memory");
	if (!aead_decrypt(a, body, m->raw.ptr, p->sk.aad_len, body + iv_len, len,
			  plain, body + iv_len + len)) {
		free(plain);
		return ike_err_set(err, IKE_ERR_HEADER, PL_SK,
				   "SK integrity check failed");
	}
	pad = plain[len - 1];
	if ((size_t)pad + 1 > len) {
		mem_wipe_free(plain, len);
		return ike_err_set(err, IKE_ERR_SYNTAX, PL_SK,
				   "SK pad length %u exceeds %zu bytes", pad, len);
	}
	if (!ike_msg_adopt(m, plain, len))
		return ike_err_set(err, IKE_ERR_NOMEM, PL_SK, "out of memory");
	rc = ike_msg_parse_inner(m, p->sk.inner_next, plain, len - pad - 1, err);
	return rc;
}
