/* Intrusive chained hash table and the hash functions the project uses.
 *
 * The caller embeds a struct htable_node in its own object and gives the
 * table a hash function over keys and a match function (node vs key). The
 * table stores each node's hash, so growing never calls back into the caller.
 * Lookup, insert and remove are O(1) on average; the bucket array doubles
 * when the load factor passes 1. A failed grow is not an error: the table
 * keeps working with longer chains, so insert cannot fail.
 *
 * Keys chosen by a peer (SPIs, addresses) must be hashed with a random seed
 * (htable_random_seed) so that nobody can aim all entries at one bucket.
 *
 * The jhash functions are a port of the Linux kernel's jhash.h (Bob Jenkins'
 * lookup3), bit for bit, so that segment hashes computed here equal those of
 * the kernel's xt_cluster match. */
#ifndef CYGNET_LIB_HTABLE_H
#define CYGNET_LIB_HTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct htable_node {
	struct htable_node *next;
	struct htable_node **pprev;	/* O(1) unlink without rehashing */
	uint32_t hash;
};

/* Hash of a key under the table's seed. */
typedef uint32_t (*htable_hash_fn)(const void *key, uint32_t seed);
/* Does node n carry key? */
typedef bool (*htable_match_fn)(const struct htable_node *n, const void *key);

struct htable {
	struct htable_node **buckets;
	size_t nbuckets;		/* always a power of two */
	size_t count;
	uint32_t seed;
	htable_hash_fn hash;
	htable_match_fn match;
};

/* initial is a hint (rounded up to a power of two, at least 8). */
bool htable_init(struct htable *t, htable_hash_fn hash, htable_match_fn match,
		 uint32_t seed, size_t initial);
/* Frees the bucket array only: the nodes belong to the caller. */
void htable_free(struct htable *t);

/* Insert n under key. Duplicates are allowed; the newest is found first. */
void htable_insert(struct htable *t, struct htable_node *n, const void *key);
/* First node matching key, or NULL. */
struct htable_node *htable_find(const struct htable *t, const void *key);
/* Next node after n (a node found with key) that also matches key. */
struct htable_node *htable_find_next(const struct htable *t,
				     const struct htable_node *n, const void *key);
/* Unlink n; n must be in t. */
void htable_remove(struct htable *t, struct htable_node *n);
static inline size_t htable_count(const struct htable *t) { return t->count; }

/* Iteration over every node. Removing the node just returned is allowed;
 * inserting or removing any other node during iteration is not. */
struct htable_iter {
	const struct htable *t;
	size_t bucket;
	struct htable_node *next;
};
void htable_iter_init(struct htable_iter *it, const struct htable *t);
struct htable_node *htable_iter_next(struct htable_iter *it);

/* Container-of for intrusive nodes. */
#define htable_entry(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* A random seed from the kernel's CSPRNG (getrandom); 0 only if that fails. */
uint32_t htable_random_seed(void);

/* Linux jhash family (include/linux/jhash.h). */
uint32_t jhash(const void *key, size_t len, uint32_t initval);
uint32_t jhash2(const uint32_t *k, size_t nwords, uint32_t initval);
uint32_t jhash_1word(uint32_t a, uint32_t initval);
uint32_t jhash_2words(uint32_t a, uint32_t b, uint32_t initval);
uint32_t jhash_3words(uint32_t a, uint32_t b, uint32_t c, uint32_t initval);

/* Ready-made hash functions for the common key types (key points to it). */
uint32_t htable_hash_u32(const void *key, uint32_t seed);
uint32_t htable_hash_u64(const void *key, uint32_t seed);
/* For byte strings use jhash(p, len, seed) inside your own hash_fn. */

#endif
