#include "crypto/rng.h"

#include <limits.h>
#include <openssl/rand.h>

bool rng_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t total = len;

	/* RAND_bytes takes an int: feed large requests in slices. */
	while (len) {
		int n = len > INT_MAX ? INT_MAX : (int)len;

		if (RAND_bytes(p, n) != 1) {
			mem_wipe(buf, total);
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool rng_nonce(struct chunk *out, size_t len)
{
	if (!chunk_alloc(out, len))
		return false;
	if (!rng_bytes(out->ptr, len)) {
		chunk_free(out);
		return false;
	}
	return true;
}
