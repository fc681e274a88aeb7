/* libFuzzer target for SK decryption and the inner payload parser.
 * Byte 0 picks the cipher (AES-GCM-256 or AES-CBC-256 + HMAC-SHA2-256) and
 * the mode:
 *   raw:    the rest is a datagram; parse it and open its SK payload with
 *           fixed keys (almost always an integrity failure: the check must
 *           fail cleanly and release nothing).
 *   sealed: byte 1 is the first inner payload type, the rest the inner
 *           plaintext; it is padded, sealed with the fixed keys into an
 *           IKE_AUTH datagram and opened again, so the fuzzer reaches the
 *           inner payload parser behind a valid ICV. A sealed message whose
 *           integrity check fails aborts: sealing and opening must agree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "ike/iana.h"
#include "ike/msg.h"
#include "ike/sk.h"

#define MAX_PLAIN 4096

static struct aead *enc[2], *dec[2];
static struct ike_msg m;

static void setup(void)
{
	static const struct aead_alg algs[2] = {
		{ ENCR_AES_GCM_16, 256, AUTH_NONE },
		{ ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128 },
	};
	uint8_t ek[36], ik[32];

	for (size_t i = 0; i < sizeof(ek); i++)
		ek[i] = (uint8_t)(0x40 + i);
	for (size_t i = 0; i < sizeof(ik); i++)
		ik[i] = (uint8_t)(0x80 + i);
	for (int i = 0; i < 2; i++) {
		size_t el = aead_encr_key_len(&algs[i]), il = aead_integ_key_len(&algs[i]);

		enc[i] = aead_create(&algs[i], true, ek, el, il ? ik : NULL, il);
		dec[i] = aead_create(&algs[i], false, ek, el, il ? ik : NULL, il);
		if (!enc[i] || !dec[i])
			abort();
	}
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, size_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* header(28) | SK header(4) | IV | ciphertext(plain + pad + padlen) | ICV */
static void sealed(int c, uint8_t first, const uint8_t *plain, size_t len)
{
	static uint8_t dgram[28 + 4 + 16 + MAX_PLAIN + 32 + 32];
	const struct aead_alg *alg = aead_get_alg(enc[c]);
	size_t iv_len = aead_iv_len(alg), icv_len = aead_icv_len(alg);
	size_t block = aead_block_size(alg), pad, ct_len, total;
	uint8_t *iv, *ct;
	struct ike_err err;
	enum ike_err_code rc;

	if (len > MAX_PLAIN)
		return;
	pad = (block - (len + 1) % block) % block;
	ct_len = len + pad + 1;
	total = 28 + 4 + iv_len + ct_len + icv_len;
	memset(dgram, 0, 32);
	memset(dgram, 0x11, 8);		/* SPIi */
	memset(dgram + 8, 0x22, 8);	/* SPIr */
	dgram[16] = PL_SK;
	dgram[17] = 0x20;
	dgram[18] = IKE_AUTH;
	dgram[19] = IKE_FLAG_INITIATOR;
	put32(dgram + 20, 1);
	put32(dgram + 24, total);
	dgram[28] = first;
	put16(dgram + 30, total - 28);
	iv = dgram + 32;
	memset(iv, 0x5a, iv_len);
	ct = iv + iv_len;
	memcpy(ct, plain, len);
	memset(ct + len, 0, pad);
	ct[len + pad] = (uint8_t)pad;
	if (!aead_encrypt(enc[c], iv, dgram, 32, ct, ct_len, ct, ct + ct_len))
		abort();
	ike_msg_init(&m);
	rc = ike_msg_parse(&m, dgram, total, &err);
	if (rc == IKE_OK) {
		rc = sk_open(dec[c], &m, &err);
		if (rc == IKE_ERR_HEADER) {
			fprintf(stderr, "fuzz_ike_sk: sealed message failed to open: %s\n",
				err.reason);
			abort();
		}
	}
	ike_msg_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_err err;
	int c;

	if (!enc[0])
		setup();
	if (size < 2)
		return 0;
	c = data[0] & 1;
	if (data[0] & 2) {
		sealed(c, data[1], data + 2, size - 2);
		return 0;
	}
	ike_msg_init(&m);
	if (ike_msg_parse(&m, data + 1, size - 1, &err) == IKE_OK &&
	    ike_msg_find_encrypted(&m))
		sk_open(dec[c], &m, &err);
	ike_msg_free(&m);
	return 0;
}
