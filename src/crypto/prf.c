#include "crypto/prf.h"

#include <stdlib.h>

#include "crypto/hmac.h"
#include "ike/iana.h"

struct prf {
	uint16_t id;
	struct hmac mac;
};

struct prf_info {
	uint16_t id;
	const char *digest;
	size_t size;
	const char *name;
};

static const struct prf_info prf_table[] = {
	{ PRF_HMAC_SHA1, "SHA1", 20, "PRF_HMAC_SHA1" },
	{ PRF_HMAC_SHA2_256, "SHA2-256", 32, "PRF_HMAC_SHA2_256" },
	{ PRF_HMAC_SHA2_384, "SHA2-384", 48, "PRF_HMAC_SHA2_384" },
	{ PRF_HMAC_SHA2_512, "SHA2-512", 64, "PRF_HMAC_SHA2_512" },
};

static const struct prf_info *prf_lookup(uint16_t id)
{
	for (size_t i = 0; i < sizeof(prf_table) / sizeof(prf_table[0]); i++)
		if (prf_table[i].id == id)
			return &prf_table[i];
	return NULL;
}

bool prf_supported(uint16_t id)
{
	return prf_lookup(id) != NULL;
}

size_t prf_size_of(uint16_t id)
{
	const struct prf_info *pi = prf_lookup(id);

	return pi ? pi->size : 0;
}

const char *prf_name(uint16_t id)
{
	const struct prf_info *pi = prf_lookup(id);

	return pi ? pi->name : "UNKNOWN";
}

struct prf *prf_create(uint16_t id)
{
	const struct prf_info *pi = prf_lookup(id);
	struct prf *prf;

	if (!pi)
		return NULL;
	prf = calloc(1, sizeof(*prf));
	if (!prf)
		return NULL;
	prf->id = id;
	if (!hmac_init(&prf->mac, pi->digest) || prf->mac.size != pi->size) {
		hmac_clear(&prf->mac);
		free(prf);
		return NULL;
	}
	return prf;
}

uint16_t prf_id(const struct prf *prf)
{
	return prf->id;
}

size_t prf_size(const struct prf *prf)
{
	return prf->mac.size;
}

bool prf_set_key(struct prf *prf, const void *key, size_t len)
{
	return hmac_set_key(&prf->mac, key, len);
}

bool prf_begin(struct prf *prf)
{
	return hmac_begin(&prf->mac);
}

bool prf_update(struct prf *prf, const void *data, size_t len)
{
	return hmac_update(&prf->mac, data, len);
}

bool prf_final(struct prf *prf, uint8_t *out)
{
	return hmac_final(&prf->mac, out);
}

bool prf_compute(struct prf *prf, const void *data, size_t len, uint8_t *out)
{
	return prf_begin(prf) && prf_update(prf, data, len) && prf_final(prf, out);
}

bool prf_plus(struct prf *prf, const void *seed, size_t seed_len,
	      size_t out_len, struct chunk *out)
{
	size_t bs = prf_size(prf), done = 0;
	uint8_t t[PRF_MAX_SIZE];
	bool ok = true;

	out->ptr = NULL;
	out->len = 0;
	/* The counter is one octet: at most 255 blocks (RFC 7296 2.13). */
	if (out_len > 255 * bs || !chunk_alloc(out, out_len))
		return false;
	for (uint8_t n = 1; ok && done < out_len; n++) {
		size_t take = out_len - done < bs ? out_len - done : bs;

		ok = prf_begin(prf) &&
		     (n == 1 || prf_update(prf, t, bs)) &&
		     prf_update(prf, seed, seed_len) &&
		     prf_update(prf, &n, 1) && prf_final(prf, t);
		if (ok) {
			memcpy(out->ptr + done, t, take);
			done += take;
		}
	}
	mem_wipe(t, sizeof(t));
	if (!ok)
		chunk_free(out);
	return ok;
}

void prf_free(struct prf *prf)
{
	if (!prf)
		return;
	hmac_clear(&prf->mac);
	free(prf);
}
