/* PRFs and prf+: RFC 4231 (HMAC-SHA2), RFC 2202 (HMAC-SHA1), RFC 4868 2.7.1
 * (PRF vectors), prf+ bounds. prf+ values are checked against the
 * independent Python computation in test_keymat.c. */
#include "check_main.h"
#include "crypto/prf.h"
#include "ike/iana.h"

#define AA20 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define AA80 AA20 AA20 AA20 AA20
#define AA131 AA80 AA20 AA20 "aaaaaaaaaaaaaaaaaaaaaa"	/* 131 octets */
#define DD50 "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd" \
	     "dddddddddddddddddddddddddddddd"
#define CD50 "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd" \
	     "cdcdcdcdcdcdcdcdcdcdcdcdcdcd"
#define KEY25 "0102030405060708090a0b0c0d0e0f10111213141516171819"
#define KEY0B "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
#define KEY0C "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c"

/* key and data in hex; "text" data is given as ASCII with hex == NULL. */
struct prf_vec {
	const char *name;
	uint16_t prf;
	const char *key_hex, *key_text;
	const char *data_hex, *data_text;
	size_t cmp_len;		/* 0: the full output; RFC 4231 case 5 truncates */
	const char *out;
};

static const char T6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
static const char T7[] = "This is a test using a larger than block-size key and a larger "
			 "than block-size data. The key needs to be hashed before being "
			 "used by the HMAC algorithm.";
static const char T7_2202[] = "Test Using Larger Than Block-Size Key and Larger "
			      "Than One Block-Size Data";

static const struct prf_vec prf_vecs[] = {
	/* RFC 4231 4.2 - 4.8 */
	{ "4231-1", PRF_HMAC_SHA2_256, KEY0B, NULL, NULL, "Hi There", 0,
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ "4231-1", PRF_HMAC_SHA2_384, KEY0B, NULL, NULL, "Hi There", 0,
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6" },
	{ "4231-1", PRF_HMAC_SHA2_512, KEY0B, NULL, NULL, "Hi There", 0,
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ "4231-2", PRF_HMAC_SHA2_256, NULL, "Jefe", NULL, "what do ya want for nothing?", 0,
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ "4231-2", PRF_HMAC_SHA2_384, NULL, "Jefe", NULL, "what do ya want for nothing?", 0,
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	  "8e2240ca5e69e2c78b3239ecfab21649" },
	{ "4231-2", PRF_HMAC_SHA2_512, NULL, "Jefe", NULL, "what do ya want for nothing?", 0,
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	{ "4231-3", PRF_HMAC_SHA2_256, AA20, NULL, DD50, NULL, 0,
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
	{ "4231-3", PRF_HMAC_SHA2_384, AA20, NULL, DD50, NULL, 0,
	  "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
	  "2a5ab39dc13814b94e3ab6e101a34f27" },
	{ "4231-3", PRF_HMAC_SHA2_512, AA20, NULL, DD50, NULL, 0,
	  "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	  "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" },
	{ "4231-4", PRF_HMAC_SHA2_256, KEY25, NULL, CD50, NULL, 0,
	  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
	{ "4231-4", PRF_HMAC_SHA2_384, KEY25, NULL, CD50, NULL, 0,
	  "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
	  "6801dd23c4a7d679ccf8a386c674cffb" },
	{ "4231-4", PRF_HMAC_SHA2_512, KEY25, NULL, CD50, NULL, 0,
	  "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	  "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" },
	/* RFC 4231 4.6: output truncated to 128 bits */
	{ "4231-5", PRF_HMAC_SHA2_256, KEY0C, NULL, NULL, "Test With Truncation", 16,
	  "a3b6167473100ee06e0c796c2955552b" },
	{ "4231-5", PRF_HMAC_SHA2_384, KEY0C, NULL, NULL, "Test With Truncation", 16,
	  "3abf34c3503b2a23a46efc619baef897" },
	{ "4231-5", PRF_HMAC_SHA2_512, KEY0C, NULL, NULL, "Test With Truncation", 16,
	  "415fad6271580a531d4179bc891d87a6" },
	{ "4231-6", PRF_HMAC_SHA2_256, AA131, NULL, NULL, T6, 0,
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	{ "4231-6", PRF_HMAC_SHA2_384, AA131, NULL, NULL, T6, 0,
	  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	  "0c2ef6ab4030fe8296248df163f44952" },
	{ "4231-6", PRF_HMAC_SHA2_512, AA131, NULL, NULL, T6, 0,
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
	{ "4231-7", PRF_HMAC_SHA2_256, AA131, NULL, NULL, T7, 0,
	  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
	{ "4231-7", PRF_HMAC_SHA2_384, AA131, NULL, NULL, T7, 0,
	  "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
	  "a678cc31e799176d3860e6110c46523e" },
	{ "4231-7", PRF_HMAC_SHA2_512, AA131, NULL, NULL, T7, 0,
	  "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	  "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" },
	/* RFC 2202 3 (HMAC-SHA-1) */
	{ "2202-1", PRF_HMAC_SHA1, KEY0B, NULL, NULL, "Hi There", 0,
	  "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ "2202-2", PRF_HMAC_SHA1, NULL, "Jefe", NULL, "what do ya want for nothing?", 0,
	  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ "2202-3", PRF_HMAC_SHA1, AA20, NULL, DD50, NULL, 0,
	  "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
	{ "2202-4", PRF_HMAC_SHA1, KEY25, NULL, CD50, NULL, 0,
	  "4c9007f4026250c6bc8414f9bf50c86c2d7235da" },
	{ "2202-5", PRF_HMAC_SHA1, KEY0C, NULL, NULL, "Test With Truncation", 0,
	  "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04" },
	{ "2202-6", PRF_HMAC_SHA1, AA80, NULL, NULL, T6, 0,
	  "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
	{ "2202-7", PRF_HMAC_SHA1, AA80, NULL, NULL, T7_2202, 0,
	  "e8e99d0f45237d786d6bbaa7965c7808bbff1a91" },
};

static size_t vec_bytes(const char *hex, const char *text, uint8_t *out, size_t max)
{
	if (hex)
		return test_unhex(hex, out, max);
	memcpy(out, text, strlen(text));
	return strlen(text);
}

START_TEST(prf_rfc_vectors)
{
	const struct prf_vec *v = &prf_vecs[_i];
	uint8_t key[200], data[200], want[PRF_MAX_SIZE], got[PRF_MAX_SIZE];
	size_t klen = vec_bytes(v->key_hex, v->key_text, key, sizeof(key));
	size_t dlen = vec_bytes(v->data_hex, v->data_text, data, sizeof(data));
	size_t wlen = test_unhex(v->out, want, sizeof(want));
	struct prf *prf = prf_create(v->prf);

	ck_assert_msg(prf, "%s", v->name);
	ck_assert_uint_eq(prf_size(prf), prf_size_of(v->prf));
	ck_assert_uint_eq(wlen, v->cmp_len ? v->cmp_len : prf_size(prf));
	ck_assert(prf_set_key(prf, key, klen));
	ck_assert(prf_compute(prf, data, dlen, got));
	ck_assert_msg(memcmp(got, want, wlen) == 0, "%s %s", v->name, prf_name(v->prf));
	/* The context is reused: a second run gives the same result. */
	memset(got, 0, sizeof(got));
	ck_assert(prf_compute(prf, data, dlen, got));
	ck_assert_msg(memcmp(got, want, wlen) == 0, "%s reuse", v->name);
	/* Multi-part input equals the concatenation. */
	memset(got, 0, sizeof(got));
	ck_assert(prf_begin(prf) && prf_update(prf, data, dlen / 3) &&
		  prf_update(prf, data + dlen / 3, 0) &&
		  prf_update(prf, data + dlen / 3, dlen - dlen / 3) &&
		  prf_final(prf, got));
	ck_assert_msg(memcmp(got, want, wlen) == 0, "%s parts", v->name);
	prf_free(prf);
}
END_TEST

START_TEST(prf_ids_and_sizes)
{
	static const struct { uint16_t id; size_t size; } t[] = {
		{ PRF_HMAC_SHA1, 20 }, { PRF_HMAC_SHA2_256, 32 },
		{ PRF_HMAC_SHA2_384, 48 }, { PRF_HMAC_SHA2_512, 64 },
		{ PRF_HMAC_MD5, 0 }, { PRF_AES128_XCBC, 0 }, { PRF_AES128_CMAC, 0 },
		{ 0, 0 }, { 1000, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct prf *prf = prf_create(t[i].id);

		ck_assert_uint_eq(prf_size_of(t[i].id), t[i].size);
		ck_assert_int_eq(prf_supported(t[i].id), t[i].size != 0);
		ck_assert_int_eq(prf != NULL, t[i].size != 0);
		if (prf) {
			ck_assert_uint_eq(prf_id(prf), t[i].id);
			ck_assert_uint_eq(prf_size(prf), t[i].size);
		}
		prf_free(prf);
	}
}
END_TEST

START_TEST(prf_needs_a_key)
{
	struct prf *prf = prf_create(PRF_HMAC_SHA2_256);
	uint8_t out[PRF_MAX_SIZE];
	struct chunk c = { 0 };

	ck_assert(!prf_compute(prf, "x", 1, out));
	ck_assert(!prf_plus(prf, "x", 1, 10, &c));
	ck_assert_ptr_null(c.ptr);
	prf_free(prf);
	prf_free(NULL);
}
END_TEST

/* prf+ = T1 | T2 | ... with Tn = prf(K, Tn-1 | S | n), at most 255 blocks. */
START_TEST(prf_plus_structure_and_limit)
{
	static const uint16_t ids[] = { PRF_HMAC_SHA1, PRF_HMAC_SHA2_256,
					PRF_HMAC_SHA2_384, PRF_HMAC_SHA2_512 };

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct prf *prf = prf_create(ids[i]);
		size_t bs = prf_size(prf);
		uint8_t t1[PRF_MAX_SIZE], t2[PRF_MAX_SIZE], in[PRF_MAX_SIZE + 8];
		struct chunk out, shorter;

		ck_assert(prf_set_key(prf, "key", 3));
		ck_assert(prf_plus(prf, "seed", 4, 2 * bs + 1, &out));
		ck_assert_uint_eq(out.len, 2 * bs + 1);
		memcpy(in, "seed\x01", 5);
		ck_assert(prf_compute(prf, in, 5, t1));
		memcpy(in, t1, bs);
		memcpy(in + bs, "seed\x02", 5);
		ck_assert(prf_compute(prf, in, bs + 5, t2));
		ck_assert(memcmp(out.ptr, t1, bs) == 0);
		ck_assert(memcmp(out.ptr + bs, t2, bs) == 0);
		/* a shorter request is a prefix of a longer one */
		ck_assert(prf_plus(prf, "seed", 4, bs - 1, &shorter));
		ck_assert(memcmp(shorter.ptr, out.ptr, bs - 1) == 0);
		chunk_free(&shorter);
		chunk_free(&out);

		ck_assert(prf_plus(prf, "s", 1, 255 * bs, &out));
		ck_assert_uint_eq(out.len, 255 * bs);
		chunk_free(&out);
		ck_assert(!prf_plus(prf, "s", 1, 255 * bs + 1, &out));
		ck_assert_ptr_null(out.ptr);
		ck_assert_uint_eq(out.len, 0);
		prf_free(prf);
	}
}
END_TEST

START_TEST(prf_rekey_changes_output)
{
	struct prf *prf = prf_create(PRF_HMAC_SHA2_256);
	uint8_t a[PRF_MAX_SIZE], b[PRF_MAX_SIZE], c[PRF_MAX_SIZE];

	ck_assert(prf_set_key(prf, "k1", 2) && prf_compute(prf, "d", 1, a));
	ck_assert(prf_set_key(prf, "k2", 2) && prf_compute(prf, "d", 1, b));
	ck_assert(prf_set_key(prf, "k1", 2) && prf_compute(prf, "d", 1, c));
	ck_assert(memcmp(a, b, 32) != 0);
	ck_assert(memcmp(a, c, 32) == 0);
	/* an empty key is a valid HMAC key */
	ck_assert(prf_set_key(prf, NULL, 0) && prf_compute(prf, "d", 1, b));
	ck_assert(memcmp(a, b, 32) != 0);
	prf_free(prf);
}
END_TEST

static Suite *prf_suite(void)
{
	Suite *s = suite_create("crypto_prf");
	TCase *tc = tcase_create("prf");

	tcase_add_loop_test(tc, prf_rfc_vectors, 0, sizeof(prf_vecs) / sizeof(prf_vecs[0]));
	tcase_add_test(tc, prf_ids_and_sizes);
	tcase_add_test(tc, prf_needs_a_key);
	tcase_add_test(tc, prf_plus_structure_and_limit);
	tcase_add_test(tc, prf_rekey_changes_output);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(prf_suite)
