#include "lib/htable.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static size_t round_pow2(size_t n)
{
	size_t p = 8;

	while (p < n && p < ((size_t)1 << (sizeof(size_t) * 8 - 2)))
		p <<= 1;
	return p;
}

bool htable_init(struct htable *t, htable_hash_fn hash, htable_match_fn match,
		 uint32_t seed, size_t initial)
{
	memset(t, 0, sizeof(*t));
	t->nbuckets = round_pow2(initial);
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		t->nbuckets = 0;
		return false;
	}
	t->hash = hash;
	t->match = match;
	t->seed = seed;
	return true;
}

void htable_free(struct htable *t)
{
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

static void bucket_push(struct htable_node **head, struct htable_node *n)
{
	n->next = *head;
	if (n->next)
		n->next->pprev = &n->next;
	n->pprev = head;
	*head = n;
}

/* Double the bucket array. Chains are pushed in reverse, so nodes with equal
 * keys would swap order; walk each old chain from its tail to keep "newest
 * first" for duplicates. */
static void grow(struct htable *t)
{
	size_t nb = t->nbuckets * 2;
	struct htable_node **nbk;

	if (nb < t->nbuckets)
		return;
	nbk = calloc(nb, sizeof(*nbk));
	if (!nbk)
		return;		/* keep working with longer chains */
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct htable_node *n = t->buckets[i], *tail = NULL;

		for (; n; n = n->next)
			tail = n;
		while (tail) {
			struct htable_node *prev = tail->pprev == &t->buckets[i] ? NULL :
				(struct htable_node *)(void *)((char *)tail->pprev -
							       offsetof(struct htable_node, next));
			bucket_push(&nbk[tail->hash & (nb - 1)], tail);
			tail = prev;
		}
	}
	free(t->buckets);
	t->buckets = nbk;
	t->nbuckets = nb;
}

void htable_insert(struct htable *t, struct htable_node *n, const void *key)
{
	n->hash = t->hash(key, t->seed);
	if (t->count + 1 > t->nbuckets)
		grow(t);
	bucket_push(&t->buckets[n->hash & (t->nbuckets - 1)], n);
	t->count++;
}

static struct htable_node *scan(const struct htable *t, struct htable_node *n,
				uint32_t h, const void *key)
{
	for (; n; n = n->next)
		if (n->hash == h && t->match(n, key))
			return n;
	return NULL;
}

struct htable_node *htable_find(const struct htable *t, const void *key)
{
	uint32_t h;

	if (!t->nbuckets)
		return NULL;
	h = t->hash(key, t->seed);
	return scan(t, t->buckets[h & (t->nbuckets - 1)], h, key);
}

struct htable_node *htable_find_next(const struct htable *t,
				     const struct htable_node *n, const void *key)
{
	return scan(t, n->next, n->hash, key);
}

void htable_remove(struct htable *t, struct htable_node *n)
{
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
	n->next = NULL;
	n->pprev = NULL;
	t->count--;
}

void htable_iter_init(struct htable_iter *it, const struct htable *t)
{
	it->t = t;
	it->bucket = 0;
	it->next = t->nbuckets ? t->buckets[0] : NULL;
}

struct htable_node *htable_iter_next(struct htable_iter *it)
{
	struct htable_node *n;

	while (!it->next) {
		if (++it->bucket >= it->t->nbuckets)
			return NULL;
		it->next = it->t->buckets[it->bucket];
	}
	n = it->next;
	it->next = n->next;	/* taken before the caller may unlink n */
	return n;
}

uint32_t htable_random_seed(void)
{
	uint32_t s = 0;

	if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s))
		s = 0;
	return s;
}

/* ---- Linux jhash (lookup3), include/linux/jhash.h ---- */

#define JHASH_INITVAL 0xdeadbeefu

static inline uint32_t rol32(uint32_t w, unsigned s)
{
	return (w << s) | (w >> (32 - s));
}

#define JHASH_MIX(a, b, c)                            \
	do {                                          \
		a -= c; a ^= rol32(c, 4);  c += b;    \
		b -= a; b ^= rol32(a, 6);  a += c;    \
		c -= b; c ^= rol32(b, 8);  b += a;    \
		a -= c; a ^= rol32(c, 16); c += b;    \
		b -= a; b ^= rol32(a, 19); a += c;    \
		c -= b; c ^= rol32(b, 4);  b += a;    \
	} while (0)

#define JHASH_FINAL(a, b, c)                          \
	do {                                          \
		c ^= b; c -= rol32(b, 14);            \
		a ^= c; a -= rol32(c, 11);            \
		b ^= a; b -= rol32(a, 25);            \
		c ^= b; c -= rol32(b, 16);            \
		a ^= c; a -= rol32(c, 4);             \
		b ^= a; b -= rol32(a, 14);            \
		c ^= b; c -= rol32(b, 24);            \
	} while (0)

/* The kernel reads CPU-order words; cygnet runs on little-endian hosts
 * (x86-64, arm64) and reads little-endian explicitly so results do not depend
 * on alignment. */
static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint32_t jhash(const void *key, size_t length, uint32_t initval)
{
	const uint8_t *k = key;
	uint32_t a, b, c;

	a = b = c = JHASH_INITVAL + (uint32_t)length + initval;
	while (length > 12) {
		a += get_le32(k);
		b += get_le32(k + 4);
		c += get_le32(k + 8);
		JHASH_MIX(a, b, c);
		length -= 12;
		k += 12;
	}
	switch (length) {
	case 12: c += (uint32_t)k[11] << 24; /* fall through */
	case 11: c += (uint32_t)k[10] << 16; /* fall through */
	case 10: c += (uint32_t)k[9] << 8;   /* fall through */
	case 9:  c += k[8];                  /* fall through */
	case 8:  b += (uint32_t)k[7] << 24;  /* fall through */
	case 7:  b += (uint32_t)k[6] << 16;  /* fall through */
	case 6:  b += (uint32_t)k[5] << 8;   /* fall through */
	case 5:  b += k[4];                  /* fall through */
	case 4:  a += (uint32_t)k[3] << 24;  /* fall through */
	case 3:  a += (uint32_t)k[2] << 16;  /* fall through */
	case 2:  a += (uint32_t)k[1] << 8;   /* fall through */
	case 1:  a += k[0];
		JHASH_FINAL(a, b, c);
		break;
	default:
		break;
	}
	return c;
}

uint32_t jhash2(const uint32_t *k, size_t length, uint32_t initval)
{
	uint32_t a, b, c;

	a = b = c = JHASH_INITVAL + ((uint32_t)length << 2) + initval;
	while (length > 3) {
		a += k[0];
		b += k[1];
		c += k[2];
		JHASH_MIX(a, b, c);
		length -= 3;
		k += 3;
	}
	switch (length) {
	case 3: c += k[2]; /* fall through */
	case 2: b += k[1]; /* fall through */
	case 1: a += k[0];
		JHASH_FINAL(a, b, c);
		break;
	default:
		break;
	}
	return c;
}

static inline uint32_t jhash_nwords(uint32_t a, uint32_t b, uint32_t c, uint32_t initval)
{
	a += initval;
	b += initval;
	c += initval;
	JHASH_FINAL(a, b, c);
	return c;
}

uint32_t jhash_3words(uint32_t a, uint32_t b, uint32_t c, uint32_t initval)
{
	return jhash_nwords(a, b, c, initval + JHASH_INITVAL + (3 << 2));
}

uint32_t jhash_2words(uint32_t a, uint32_t b, uint32_t initval)
{
	return jhash_nwords(a, b, 0, initval + JHASH_INITVAL + (2 << 2));
}

uint32_t jhash_1word(uint32_t a, uint32_t initval)
{
	return jhash_nwords(a, 0, 0, initval + JHASH_INITVAL + (1 << 2));
}

uint32_t htable_hash_u32(const void *key, uint32_t seed)
{
	uint32_t v;

	memcpy(&v, key, sizeof(v));
	return jhash_1word(v, seed);
}

uint32_t htable_hash_u64(const void *key, uint32_t seed)
{
	uint64_t v;

	memcpy(&v, key, sizeof(v));
	return jhash_2words((uint32_t)v, (uint32_t)(v >> 32), seed);
}
