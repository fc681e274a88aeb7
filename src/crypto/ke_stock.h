/* A stock of fresh ephemeral key pairs, generated ahead of time by a
 * background thread, so that the IKE thread pays only for the derivation
 * (key generation is about a quarter of a responder's CPU per IKE SA, and
 * this puts it on the other core).
 *
 * The stock learns which groups are used: the first ke_create() of a group
 * generates inline and marks the group wanted; from then on the thread keeps
 * up to `depth` key pairs of it ready. A key leaves the stock exactly once
 * and is never reused; when the stock is empty, or not started,
 * ke_create() generates inline as before. Process-wide, thread-safe. */
#ifndef CYGNET_CRYPTO_KE_STOCK_H
#define CYGNET_CRYPTO_KE_STOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ke_stock_stats {
	uint64_t taken;		/* ke_create served from the stock */
	uint64_t inline_made;	/* ke_create generated inline (stock empty/off) */
	uint64_t generated;	/* key pairs the thread generated */
	uint32_t ready;		/* key pairs ready now, all groups */
};

/* Starts the thread; depth 0 or a second start is a no-op that returns
 * true. false (why set) if the thread cannot start. */
bool ke_stock_start(size_t depth, char *why, size_t whylen);
/* Stops the thread and frees the key pairs left (OpenSSL clears them). */
void ke_stock_stop(void);
void ke_stock_get_stats(struct ke_stock_stats *out);

/* For ke.c: a ready key pair (an EVP_PKEY *) of the group, or NULL, in
 * which case the group is marked wanted, the caller generates one and
 * that counts as made inline. */
void *ke_stock_take(uint16_t group);

#endif
