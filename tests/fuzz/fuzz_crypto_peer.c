/* Hostile peer input to the crypto layer: a KE payload's public value
 * (ke_compute validation for every group) and an SK payload / ESP packet
 * (aead_decrypt for every algorithm). Input: byte 0 selects the group or
 * algorithm, the rest is the peer's data. Keys are fixed per process. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/ke.h"
#include "ike/iana.h"

static const uint16_t groups[] = { KE_MODP_2048, KE_MODP_3072, KE_MODP_4096,
	KE_ECP_256, KE_ECP_384, KE_ECP_521, KE_CURVE25519, KE_CURVE448 };
#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

static const struct aead_alg algs[] = {
	{ ENCR_AES_GCM_16, 128, AUTH_NONE },
	{ ENCR_AES_GCM_16, 256, AUTH_NONE },
	{ ENCR_CHACHA20_POLY1305, 256, AUTH_NONE },
	{ ENCR_AES_CBC, 128, AUTH_HMAC_SHA1_96 },
	{ ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128 },
	{ ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_512_256 },
};
#define N_ALGS (sizeof(algs) / sizeof(algs[0]))

static struct ke *kes[N_GROUPS];
static struct aead *aeads[N_ALGS];

static void fuzz_ke(size_t g, const uint8_t *data, size_t len)
{
	struct chunk secret;

	if (!kes[g])
		kes[g] = ke_create(groups[g]);
	if (!kes[g])
		__builtin_trap();
	/* Pad short inputs to the right length so the checks behind the
	 * length check are reached, except when byte 1 says "as is". */
	if (len && data[0] & 1) {
		uint8_t buf[600] = { 0 };
		size_t plen = ke_public_len(groups[g]);

		memcpy(buf, data + 1, len - 1 < plen ? len - 1 : plen);
		if (ke_compute(kes[g], buf, plen, &secret))
			chunk_free(&secret);
		return;
	}
	if (ke_compute(kes[g], data, len, &secret))
		chunk_free(&secret);
}

static void fuzz_aead(size_t a, const uint8_t *data, size_t len)
{
	static const uint8_t key[80] = { 0x42 };
	const struct aead_alg *alg = &algs[a];
	size_t ivl = aead_iv_len(alg), icvl = aead_icv_len(alg), aadl;
	uint8_t out[4096];

	if (!aeads[a])
		aeads[a] = aead_create(alg, false, key, aead_encr_key_len(alg), key,
				       aead_integ_key_len(alg));
	if (!aeads[a])
		__builtin_trap();
	/* data = aad_len(1) | aad | iv | ciphertext | icv */
	if (len < 1)
		return;
	aadl = data[0] % 32;
	data++;
	len--;
	if (len < aadl + ivl + icvl || len - aadl - ivl - icvl > sizeof(out))
		return;
	len -= aadl + ivl + icvl;
	if (aead_decrypt(aeads[a], data + aadl, data, aadl, data + aadl + ivl, len, out,
			 data + aadl + ivl + len))
		__builtin_trap();	/* a forgery with a fixed secret key */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sel;

	if (size < 1)
		return 0;
	sel = data[0] % (N_GROUPS + N_ALGS);
	if (sel < N_GROUPS)
		fuzz_ke(sel, data + 1, size - 1);
	else
		fuzz_aead(sel - N_GROUPS, data + 1, size - 1);
	return 0;
}
