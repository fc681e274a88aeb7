#include "crypto/integ.h"

#include <stdlib.h>

#include "crypto/hmac.h"
#include "ike/iana.h"
#include "lib/mem.h"

struct integ {
	uint16_t id;
	size_t key_len, icv_len;
	struct hmac mac;
};

struct integ_info {
	uint16_t id;
	const char *digest;
	size_t key_len, icv_len;
	const char *name;
};

static const struct integ_info integ_table[] = {
	{ AUTH_HMAC_SHA1_96, "SHA1", 20, 12, "AUTH_HMAC_SHA1_96" },
	{ AUTH_HMAC_SHA2_256_128, "SHA2-256", 32, 16, "AUTH_HMAC_SHA2_256_128" },
	{ AUTH_HMAC_SHA2_384_192, "SHA2-384", 48, 24, "AUTH_HMAC_SHA2_384_192" },
	{ AUTH_HMAC_SHA2_512_256, "SHA2-512", 64, 32, "AUTH_HMAC_SHA2_512_256" },
};

static const struct integ_info *integ_lookup(uint16_t id)
{
	for (size_t i = 0; i < sizeof(integ_table) / sizeof(integ_table[0]); i++)
		if (integ_table[i].id == id)
			return &integ_table[i];
	return NULL;
}

bool integ_supported(uint16_t id)
{
	return integ_lookup(id) != NULL;
}

size_t integ_key_len(uint16_t id)
{
	const struct integ_info *ii = integ_lookup(id);

	return ii ? ii->key_len : 0;
}

size_t integ_icv_len(uint16_t id)
{
	const struct integ_info *ii = integ_lookup(id);

	return ii ? ii->icv_len : 0;
}

const char *integ_name(uint16_t id)
{
	const struct integ_info *ii = integ_lookup(id);

	return ii ? ii->name : "UNKNOWN";
}

struct integ *integ_create(uint16_t id)
{
	const struct integ_info *ii = integ_lookup(id);
	struct integ *in;

	if (!ii)
		return NULL;
	in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	in->id = id;
	in->key_len = ii->key_len;
	in->icv_len = ii->icv_len;
	if (!hmac_init(&in->mac, ii->digest) || in->mac.size != ii->key_len) {
		hmac_clear(&in->mac);
		free(in);
		return NULL;
	}
	return in;
}

uint16_t integ_id(const struct integ *in)
{
	return in->id;
}

bool integ_set_key(struct integ *in, const void *key, size_t len)
{
	if (len != in->key_len) {
		in->mac.keyed = false;
		return false;
	}
	return hmac_set_key(&in->mac, key, len);
}

bool integ_begin(struct integ *in)
{
	return hmac_begin(&in->mac);
}

bool integ_update(struct integ *in, const void *data, size_t len)
{
	return hmac_update(&in->mac, data, len);
}

bool integ_final(struct integ *in, uint8_t *icv)
{
	uint8_t full[INTEG_MAX_KEY];
	bool ok = hmac_final(&in->mac, full);

	if (ok)
		memcpy(icv, full, in->icv_len);	/* truncation: leftmost bits */
	mem_wipe(full, sizeof(full));
	return ok;
}

bool integ_verify(struct integ *in, const uint8_t *icv)
{
	uint8_t full[INTEG_MAX_KEY];
	bool ok = hmac_final(&in->mac, full) &&
		  mem_equal_ct(full, icv, in->icv_len);

	mem_wipe(full, sizeof(full));
	return ok;
}

bool integ_compute(struct integ *in, const void *data, size_t len,
		   uint8_t *icv)
{
	return integ_begin(in) && integ_update(in, data, len) &&
	       integ_final(in, icv);
}

void integ_free(struct integ *in)
{
	if (!in)
		return;
	hmac_clear(&in->mac);
	free(in);
}
