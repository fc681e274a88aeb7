#include "check_main.h"
#include "lib/htable.h"

struct item {
	struct htable_node node;
	uint32_t key;
	int tag;
};

static bool item_match(const struct htable_node *n, const void *key)
{
	return htable_entry(n, struct item, node)->key == *(const uint32_t *)key;
}

/* A deliberately terrible hash: everything in one chain. */
static uint32_t hash_const(const void *key, uint32_t seed)
{
	(void)key;
	(void)seed;
	return 7;
}

/* lookup3.c driver5 vectors (hashlittle == Linux jhash on little-endian). */
static const struct {
	const char *s;
	uint32_t initval, want;
} jhash_vec[] = {
	{ "", 0, 0xdeadbeef },
	{ "", 0xdeadbeef, 0xbd5b7dde },
	{ "Four score and seven years ago", 0, 0x17770551 },
	{ "Four score and seven years ago", 1, 0xcd628161 },
};

START_TEST(jhash_matches_lookup3_vectors)
{
	for (size_t i = 0; i < sizeof(jhash_vec) / sizeof(jhash_vec[0]); i++)
		ck_assert_uint_eq(jhash(jhash_vec[i].s, strlen(jhash_vec[i].s),
					jhash_vec[i].initval), jhash_vec[i].want);
}
END_TEST

START_TEST(jhash_word_forms_agree)
{
	/* The kernel's word forms are defined to equal jhash2 over the words, and
	 * jhash2 equals jhash over the same bytes on a little-endian host. */
	uint32_t w[4] = { 0xc0000201, 0x12345678, 0xdeadbeef, 0x00000001 };
	uint8_t b[16];

	for (int i = 0; i < 4; i++) {
		b[i * 4] = (uint8_t)w[i];
		b[i * 4 + 1] = (uint8_t)(w[i] >> 8);
		b[i * 4 + 2] = (uint8_t)(w[i] >> 16);
		b[i * 4 + 3] = (uint8_t)(w[i] >> 24);
	}
	for (uint32_t seed = 0; seed < 5; seed++) {
		ck_assert_uint_eq(jhash_1word(w[0], seed), jhash2(w, 1, seed));
		ck_assert_uint_eq(jhash_2words(w[0], w[1], seed), jhash2(w, 2, seed));
		ck_assert_uint_eq(jhash_3words(w[0], w[1], w[2], seed), jhash2(w, 3, seed));
		for (size_t n = 0; n <= 4; n++)
			ck_assert_uint_eq(jhash2(w, n, seed), jhash(b, n * 4, seed));
	}
	ck_assert_uint_ne(jhash_1word(1, 0), jhash_1word(1, 1));
}
END_TEST

static void run_basic(htable_hash_fn h)
{
	enum { N = 5000 };
	struct htable t;
	struct item *items = calloc(N, sizeof(*items));

	ck_assert(htable_init(&t, h, item_match, 0x1234, 0));
	ck_assert_uint_eq(t.nbuckets, 8);
	for (uint32_t i = 0; i < N; i++) {
		items[i].key = i * 2654435761u;
		htable_insert(&t, &items[i].node, &items[i].key);
	}
	ck_assert_uint_eq(htable_count(&t), N);
	ck_assert_uint_ge(t.nbuckets, N);	/* grew: load factor <= 1 */
	ck_assert_uint_le(t.nbuckets, 2 * N);
	for (uint32_t i = 0; i < N; i++) {
		uint32_t k = i * 2654435761u;
		struct htable_node *n = htable_find(&t, &k);

		ck_assert_ptr_eq(n, &items[i].node);
	}
	/* remove the odd ones, the even ones stay findable */
	for (uint32_t i = 1; i < N; i += 2)
		htable_remove(&t, &items[i].node);
	ck_assert_uint_eq(htable_count(&t), N / 2);
	for (uint32_t i = 0; i < N; i++) {
		uint32_t k = i * 2654435761u;
		struct htable_node *n = htable_find(&t, &k);

		if (i % 2)
			ck_assert_ptr_null(n);
		else
			ck_assert_ptr_eq(n, &items[i].node);
	}
	htable_free(&t);
	free(items);
}

START_TEST(htable_insert_find_remove_and_grow)
{
	run_basic(htable_hash_u32);
}
END_TEST

START_TEST(htable_survives_full_collisions)
{
	run_basic(hash_const);
}
END_TEST

START_TEST(htable_duplicates_newest_first_across_grow)
{
	struct item it[40];
	struct htable t;
	uint32_t k = 42;
	struct htable_node *n;
	int seen = 0;

	ck_assert(htable_init(&t, htable_hash_u32, item_match, 99, 8));
	for (int i = 0; i < 40; i++) {
		it[i].key = i < 3 ? 42 : (uint32_t)(1000 + i);
		it[i].tag = i;
		htable_insert(&t, &it[i].node, &it[i].key);
	}
	/* 40 inserts forced several grows; duplicates keep newest-first order */
	for (n = htable_find(&t, &k); n; n = htable_find_next(&t, n, &k)) {
		ck_assert_int_eq(htable_entry(n, struct item, node)->tag, 2 - seen);
		seen++;
	}
	ck_assert_int_eq(seen, 3);
	htable_free(&t);
}
END_TEST

START_TEST(htable_iteration_allows_removing_current)
{
	enum { N = 300 };
	struct item items[N];
	struct htable t;
	struct htable_iter it;
	struct htable_node *n;
	int visited = 0;

	ck_assert(htable_init(&t, htable_hash_u32, item_match, 5, 0));
	for (int i = 0; i < N; i++) {
		items[i].key = (uint32_t)i;
		items[i].tag = 0;
		htable_insert(&t, &items[i].node, &items[i].key);
	}
	htable_iter_init(&it, &t);
	while ((n = htable_iter_next(&it))) {
		struct item *e = htable_entry(n, struct item, node);

		e->tag++;
		visited++;
		if (e->key % 3)
			htable_remove(&t, n);
	}
	ck_assert_int_eq(visited, N);
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(items[i].tag, 1);	/* each exactly once */
	ck_assert_uint_eq(htable_count(&t), N / 3);
	htable_free(&t);
}
END_TEST

START_TEST(htable_random_seed_varies)
{
	uint32_t a = htable_random_seed(), b = htable_random_seed(), c = htable_random_seed();

	/* three equal 32-bit draws: ~2^-64 */
	ck_assert(!(a == b && b == c));
}
END_TEST

static Suite *htable_suite(void)
{
	Suite *s = suite_create("htable");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, jhash_matches_lookup3_vectors);
	tcase_add_test(tc, jhash_word_forms_agree);
	tcase_add_test(tc, htable_insert_find_remove_and_grow);
	tcase_add_test(tc, htable_survives_full_collisions);
	tcase_add_test(tc, htable_duplicates_newest_first_across_grow);
	tcase_add_test(tc, htable_iteration_allows_removing_current);
	tcase_add_test(tc, htable_random_seed_varies);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(htable_suite)
