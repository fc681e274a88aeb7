/* Hostile AUTH payload data (RFC 7427 and classic methods) and
 * SIGNATURE_HASH_ALGORITHMS notify data. Byte 0 picks the key and the
 * classic method; the rest is the AUTH data. Keys are made once. */
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "crypto/sigalg.h"
#include "crypto/sign.h"

static EVP_PKEY *fuzz_keys[3];

static void fuzz_init(void)
{
	if (fuzz_keys[0])
		return;
	fuzz_keys[0] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	fuzz_keys[1] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	fuzz_keys[2] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t octets[] = "signed octets";
	static const uint8_t methods[] = { 1, 9, 10, 11, 14 };
	const char *reason = NULL;
	struct sigalg alg;
	uint16_t ids[8];
	size_t n;
	EVP_PKEY *k;

	fuzz_init();
	if (size < 1)
		return 0;
	k = fuzz_keys[data[0] % 3];
	sign_verify_auth_data(k, data + 1, size - 1, octets, sizeof(octets), &reason);
	sign_verify_classic(k, methods[(data[0] >> 2) % 5], data + 1, size - 1,
			    octets, sizeof(octets), &reason);
	sigalg_decode(data + 1, size - 1, &alg, &reason);
	sigalg_parse_hash_notify(data + 1, size - 1, ids, 8, &n, &reason);
	return 0;
}
