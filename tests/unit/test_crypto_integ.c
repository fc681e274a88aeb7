/* Integrity algorithms: RFC 2202 (HMAC-SHA1-96) and RFC 4868 2.7.2
 * (HMAC-SHA-256-128, -384-192, -512-256 with full-size keys). */
#include "check_main.h"
#include "crypto/integ.h"
#include "ike/iana.h"

#define DD50 "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd" \
	     "dddddddddddddddddddddddddddddd"
#define CD50 "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd" \
	     "cdcdcdcdcdcdcdcdcdcdcdcdcdcd"
#define B16(x) x x x x x x x x x x x x x x x x
#define K0B32 B16("0b0b")
#define KAA32 B16("aaaa")
#define JEFE8 "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665"

struct integ_vec {
	const char *name;
	uint16_t id;
	const char *key;	/* hex */
	const char *data_hex, *data_text;
	const char *icv;	/* truncated ICV */
};

static const struct integ_vec integ_vecs[] = {
	/* RFC 2202 3, truncated to 96 bits (RFC 2404) */
	{ "2202-1", AUTH_HMAC_SHA1_96, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  NULL, "Hi There", "b617318655057264e28bc0b6" },
	{ "2202-3", AUTH_HMAC_SHA1_96, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  DD50, NULL, "125d7342b9ac11cd91a39af4" },
	{ "2202-4", AUTH_HMAC_SHA1_96, "0102030405060708090a0b0c0d0e0f10111213141516171819",
	  CD50, NULL, "4c9007f4026250c6bc8414f9" },
	/* RFC 4868 2.7.2.1 */
	{ "4868-AUTH256-1", AUTH_HMAC_SHA2_256_128, K0B32, NULL, "Hi There",
	  "198a607eb44bfbc69903a0f1cf2bbdc5" },
	{ "4868-AUTH256-2", AUTH_HMAC_SHA2_256_128, JEFE8, NULL,
	  "what do ya want for nothing?", "167f928588c5cc2eef8e3093caa0e87c" },
	{ "4868-AUTH256-3", AUTH_HMAC_SHA2_256_128, KAA32, DD50, NULL,
	  "cdcb1220d1ecccea91e53aba3092f962" },
	/* RFC 4868 2.7.2.2 */
	{ "4868-AUTH384-1", AUTH_HMAC_SHA2_384_192, K0B32 B16("0b"), NULL, "Hi There",
	  "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973" },
	{ "4868-AUTH384-2", AUTH_HMAC_SHA2_384_192, JEFE8 "4a6566654a6566654a6566654a656665",
	  NULL, "what do ya want for nothing?",
	  "2c7353974f1842fd66d53c452ca42122b28c0b594cfb184d" },
	{ "4868-AUTH384-3", AUTH_HMAC_SHA2_384_192, KAA32 B16("aa"), DD50, NULL,
	  "809f439be00274321d4a538652164b53554a508184a0c316" },
	/* RFC 4868 2.7.2.3 */
	{ "4868-AUTH512-1", AUTH_HMAC_SHA2_512_256, K0B32 K0B32, NULL, "Hi There",
	  "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8" },
	{ "4868-AUTH512-2", AUTH_HMAC_SHA2_512_256, JEFE8 JEFE8, NULL,
	  "what do ya want for nothing?",
	  "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454" },
	{ "4868-AUTH512-3", AUTH_HMAC_SHA2_512_256, KAA32 KAA32, DD50, NULL,
	  "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8" },
};

static size_t vec_data(const struct integ_vec *v, uint8_t *out, size_t max)
{
	if (v->data_hex)
		return test_unhex(v->data_hex, out, max);
	memcpy(out, v->data_text, strlen(v->data_text));
	return strlen(v->data_text);
}

START_TEST(integ_rfc_vectors)
{
	const struct integ_vec *v = &integ_vecs[_i];
	uint8_t key[INTEG_MAX_KEY + 8], data[100], want[INTEG_MAX_ICV], got[INTEG_MAX_ICV];
	size_t klen = test_unhex(v->key, key, sizeof(key));
	size_t dlen = vec_data(v, data, sizeof(data));
	size_t wlen = test_unhex(v->icv, want, sizeof(want));
	struct integ *in = integ_create(v->id);

	ck_assert_msg(in, "%s", v->name);
	ck_assert_uint_eq(wlen, integ_icv_len(v->id));
	/* RFC 2202 case 4 has a 25-byte key: HMAC-SHA1-96 needs exactly 20. */
	if (klen != integ_key_len(v->id)) {
		ck_assert(!integ_set_key(in, key, klen));
		ck_assert(!integ_compute(in, data, dlen, got));
		integ_free(in);
		return;
	}
	ck_assert(integ_set_key(in, key, klen));
	ck_assert(integ_compute(in, data, dlen, got));
	ck_assert_msg(memcmp(got, want, wlen) == 0, "%s", v->name);
	/* verify accepts it, and rejects every single flipped bit */
	ck_assert(integ_begin(in) && integ_update(in, data, dlen) && integ_verify(in, want));
	for (size_t bit = 0; bit < wlen * 8; bit++) {
		want[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert(integ_begin(in) && integ_update(in, data, dlen));
		ck_assert_msg(!integ_verify(in, want), "%s bit %zu", v->name, bit);
		want[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* a flipped data bit changes the ICV */
	data[0] ^= 1;
	ck_assert(integ_compute(in, data, dlen, got));
	ck_assert(memcmp(got, want, wlen) != 0);
	integ_free(in);
}
END_TEST

START_TEST(integ_ids_and_sizes)
{
	static const struct { uint16_t id; size_t key, icv; } t[] = {
		{ AUTH_HMAC_SHA1_96, 20, 12 },
		{ AUTH_HMAC_SHA2_256_128, 32, 16 },
		{ AUTH_HMAC_SHA2_384_192, 48, 24 },
		{ AUTH_HMAC_SHA2_512_256, 64, 32 },
		{ AUTH_NONE, 0, 0 }, { AUTH_HMAC_MD5_96, 0, 0 }, { AUTH_AES_XCBC_96, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct integ *in = integ_create(t[i].id);

		ck_assert_uint_eq(integ_key_len(t[i].id), t[i].key);
		ck_assert_uint_eq(integ_icv_len(t[i].id), t[i].icv);
		ck_assert_int_eq(integ_supported(t[i].id), t[i].key != 0);
		ck_assert_int_eq(in != NULL, t[i].key != 0);
		if (in)
			ck_assert_uint_eq(integ_id(in), t[i].id);
		integ_free(in);
	}
}
END_TEST

START_TEST(integ_without_key_fails)
{
	struct integ *in = integ_create(AUTH_HMAC_SHA2_256_128);
	uint8_t icv[INTEG_MAX_ICV] = { 0 };

	ck_assert(!integ_compute(in, "x", 1, icv));
	ck_assert(!integ_begin(in));
	ck_assert(!integ_verify(in, icv));
	integ_free(in);
	integ_free(NULL);
}
END_TEST

static Suite *integ_suite(void)
{
	Suite *s = suite_create("crypto_integ");
	TCase *tc = tcase_create("integ");

	tcase_add_loop_test(tc, integ_rfc_vectors, 0,
			    sizeof(integ_vecs) / sizeof(integ_vecs[0]));
	tcase_add_test(tc, integ_ids_and_sizes);
	tcase_add_test(tc, integ_without_key_fails);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(integ_suite)
