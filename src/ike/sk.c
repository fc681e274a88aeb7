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

/* One SKF datagram: header | SKF header | IV | E(part | pad | padlen) | ICV */
static enum ike_err_code seal_one(struct aead *a, uint64_t *iv_seq,
				  const struct ike_header *h, uint8_t first,
				  uint16_t num, uint16_t total, const uint8_t *part,
				  size_t len, struct chunk *out, struct ike_err *err)
{
	const struct aead_alg *alg = aead_get_alg(a);
	size_t iv_len = aead_iv_len(alg), icv_len = aead_icv_len(alg);
	size_t block = aead_block_size(alg);
	size_t pad = (block - (len + 1) % block) % block, plain_len = len + pad + 1;
	uint8_t iv[AEAD_MAX_IV], *body, *plain;
	struct wbuf w;
	enum ike_err_code rc;

	plain = calloc(1, plain_len);
	if (!plain)
		return ike_err_set(err, IKE_ERR_NOMEM, PL_SKF, "out of memory");
	memcpy(plain, part, len);
	plain[plain_len - 1] = (uint8_t)pad;
	if (aead_is_combined(alg->encr)) {
		uint64_t seq = ++*iv_seq;

		for (size_t i = 0; i < iv_len; i++)
			iv[i] = (uint8_t)(seq >> (8 * (iv_len - 1 - i)));
	} else if (!rng_bytes(iv, iv_len)) {
		mem_wipe_free(plain, plain_len);
		return ike_err_set(err, IKE_ERR_BUILD, PL_SKF, "no random IV");
	}
	wbuf_init(&w);
	rc = ike_msg_write_skf_header(h, first, num, total, iv_len + plain_len + icv_len,
				      &w, err);
	if (rc == IKE_OK) {
		size_t aad_len = w.len;

		wbuf_reserve(&w, iv_len + plain_len + icv_len);
		if (!wbuf_ok(&w)) {
			rc = ike_err_set(err, IKE_ERR_NOMEM, PL_SKF, "out of memory");
		} else {
			body = w.p + aad_len;
			memcpy(body, iv, iv_len);
			if (!aead_encrypt(a, iv, w.p, aad_len, plain, plain_len, body + iv_len,
					  body + iv_len + plain_len))
				rc = ike_err_set(err, IKE_ERR_BUILD, PL_SKF, "encryption failed");
		}
	}
	mem_wipe_free(plain, plain_len);
	if (rc == IKE_OK) {
		out->ptr = wbuf_steal(&w, &out->len);
		if (!out->ptr)
			rc = ike_err_set(err, IKE_ERR_NOMEM, PL_SKF, "out of memory");
	}
	wbuf_free(&w);
	return rc;
}

enum ike_err_code sk_seal_fragments(struct aead *a, uint64_t *iv_seq,
				    const struct ike_msg *m, size_t max_len,
				    struct chunk **out, size_t *n,
				    struct ike_err *err)
{
	const struct aead_alg *alg = aead_get_alg(a);
	size_t overhead = IKE_HDR_LEN + IKE_SKF_HDR_LEN + aead_iv_len(alg) +
			  aead_icv_len(alg) + aead_block_size(alg);
	size_t room, total, i;
	struct wbuf chain;
	uint8_t first = PL_NONE;
	enum ike_err_code rc;
	struct chunk *v = NULL;

	*out = NULL;
	*n = 0;
	if (max_len <= overhead + 16)
		return ike_err_set(err, IKE_ERR_BUILD, PL_SKF, "fragment size too small");
	room = max_len - overhead;
	/* CBC: keep room a block multiple minus the pad length byte */
	wbuf_init(&chain);
	rc = ike_msg_write_chain(m, &chain, &first, err);
	if (rc != IKE_OK)
		goto out;
	total = (chain.len + room - 1) / room;
	if (!total)
		total = 1;
	if (total > IKE_MAX_FRAGMENTS) {
		rc = ike_err_set(err, IKE_ERR_BUILD, PL_SKF, "message needs %zu fragments", total);
		goto out;
	}
	v = calloc(total, sizeof(*v));
	if (!v) {
		rc = ike_err_set(err, IKE_ERR_NOMEM, PL_SKF, "out of memory");
		goto out;
	}
	for (i = 0; i < total; i++) {
		size_t off = i * room, len = chain.len - off < room ? chain.len - off : room;

		rc = seal_one(a, iv_seq, &m->hdr, i == 0 ? first : 0, (uint16_t)(i + 1),
			      (uint16_t)total, chain.p + off, len, &v[i], err);
		if (rc != IKE_OK)
			break;
	}
	if (rc != IKE_OK) {
		for (size_t k = 0; k < total; k++)
			chunk_free(&v[k]);
		free(v);
		goto out;
	}
	*out = v;
	*n = total;
out:
	wbuf_free(&chain);
	return rc;
}

enum ike_err_code sk_open_fragment(struct aead *a, const struct ike_msg *m,
				   struct chunk *plain, struct ike_err *err)
{
	const struct ike_payload *p = ike_msg_find_encrypted(m);
	const struct aead_alg *alg = aead_get_alg(a);
	size_t iv_len = aead_iv_len(alg), icv_len = aead_icv_len(alg);
	size_t block = aead_block_size(alg), len;
	const uint8_t *body;
	uint8_t *buf, pad;

	memset(plain, 0, sizeof(*plain));
	if (!p || p->type != PL_SKF)
		return ike_err_set(err, IKE_ERR_SYNTAX, PL_SKF, "no SKF payload");
	body = p->skf.body.ptr;
	if (p->skf.body.len < iv_len + icv_len + 1)
		return ike_err_set(err, IKE_ERR_HEADER, PL_SKF, "SKF body too short");
	len = p->skf.body.len - iv_len - icv_len;
	if (len % block)
		return ike_err_set(err, IKE_ERR_HEADER, PL_SKF, "SKF not a block multiple");
	buf = malloc(len);
	if (!buf)
		return ike_err_set(err, IKE_ERR_NOMEM, PL_SKF, "out of memory");
	if (!aead_decrypt(a, body, m->raw.ptr, p->skf.aad_len, body + iv_len, len, buf,
			  body + iv_len + len)) {
		free(buf);
		return ike_err_set(err, IKE_ERR_HEADER, PL_SKF, "SKF integrity check failed");
	}
	pad = buf[len - 1];
	if ((size_t)pad + 1 > len) {
		mem_wipe_free(buf, len);
		return ike_err_set(err, IKE_ERR_SYNTAX, PL_SKF, "SKF pad length too long");
	}
	plain->ptr = buf;
	plain->len = len - pad - 1;
	return IKE_OK;
}
