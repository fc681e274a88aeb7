/* Key exchange: RFC 5903 8 (ECP 256/384/521), RFC 7748 5.2 and 6.1/6.2
 * (X25519, X448), MODP agreement and public value validation. */
#include "check_main.h"
#include "crypto/ke.h"
#include "ike/iana.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

/* A complete exchange: both private keys, both public values (IKE wire
 * format) and the shared secret. */
struct dh_vec {
	const char *name;
	uint16_t group;
	const char *priv_i, *pub_i, *priv_r, *pub_r, *shared;
};

static const struct dh_vec dh_vecs[] = {
	{ "RFC 5903 8.1", KE_ECP_256,
	  "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
	  "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
	  "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
	  "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
	  "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
	  "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
	  "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de" },
	{ "RFC 5903 8.2", KE_ECP_384,
	  "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655"
	  "e35b538041e649ee3faef896783ab194",
	  "667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6"
	  "de3ac808acb4bdb4c88732aee95f41aa"
	  "9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38e"
	  "eb9fcff3c2c947dae69b4c634573a81c",
	  "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942"
	  "e0308312916b8ed2960e4bd55a7448fc",
	  "e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d"
	  "0d1ac43a0336def96fda41d0774a3571"
	  "dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1ff"
	  "f83fa40142209dff5eaad96db9e6386c",
	  "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4"
	  "d603135569b9e9d09cf5d4a270f59746" },
	{ "RFC 5903 8.3", KE_ECP_521,
	  "0037ade9319a89f4dabdb3ef411aaccca5123c61acab57b5393dce47608172a0"
	  "95aa85a30fe1c2952c6771d937ba9777f5957b2639bab072462f68c27a57382d4a52",
	  "0015417e84dbf28c0ad3c278713349dc7df153c897a1891bd98bab4357c9ecbe"
	  "e1e3bf42e00b8e380aeae57c2d107564941885942af5a7f4601723c4195d176ced3e"
	  "017cae20b6641d2eeb695786d8c946146239d099e18e1d5a514c739d7cb4a10a"
	  "d8a788015ac405d7799dc75e7b7d5b6cf2261a6a7f1507438bf01beb6ca3926f9582",
	  "0145ba99a847af43793fdd0e872e7cdfa16be30fdc780f97bccc3f078380201e"
	  "9c677d600b343757a3bdbf2a3163e4c2f869cca7458aa4a4effc311f5cb151685eb9",
	  "00d0b3975ac4b799f5bea16d5e13e9af971d5e9b984c9f39728b5e5739735a21"
	  "9b97c356436adc6e95bb0352f6be64a6c2912d4ef2d0433ced2b6171640012d9460f"
	  "015c68226383956e3bd066e797b623c27ce0eac2f551a10c2c724d9852077b87"
	  "220b6536c5c408a1d2aebb8e86d678ae49cb57091f4732296579ab44fcd17f0fc56a",
	  "01144c7d79ae6956bc8edb8e7c787c4521cb086fa64407f97894e5e6b2d79b04"
	  "d1427e73ca4baa240a34786859810c06b3c715a3a8cc3151f2bee417996d19f3ddea" },
	{ "RFC 7748 6.1", KE_CURVE25519,
	  "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	  "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	  "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742" },
	{ "RFC 7748 6.2", KE_CURVE448,
	  "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf5"
	  "74a9419744897391006382a6f127ab1d9ac2d8c0a598726b",
	  "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bb"
	  "c836647241d953d40c5b12da88120d53177f80e532c41fa0",
	  "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120"
	  "bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d",
	  "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972"
	  "fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609",
	  "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56"
	  "fd2464c335543936521c24403085d59a449a5037514a879d" },
};

#define MAXB 600

static struct ke *ke_with_private(uint16_t group, const char *hex)
{
	uint8_t priv[MAXB];
	size_t len = test_unhex(hex, priv, sizeof(priv));
	struct ke *ke = ke_create(group);

	ck_assert_ptr_nonnull(ke);
	ck_assert_msg(ke_set_private(ke, priv, len), "%s", ke_error(ke));
	return ke;
}

static void check_side(const struct dh_vec *v, const char *priv, const char *pub,
		       const char *peer)
{
	uint8_t want_pub[MAXB], peer_pub[MAXB], want[MAXB];
	size_t plen = test_unhex(pub, want_pub, sizeof(want_pub));
	size_t qlen = test_unhex(peer, peer_pub, sizeof(peer_pub));
	size_t slen = test_unhex(v->shared, want, sizeof(want));
	struct ke *ke = ke_with_private(v->group, priv);
	struct chunk mine, secret;

	ck_assert_uint_eq(plen, ke_public_len(v->group));
	ck_assert(ke_public(ke, &mine));
	ck_assert_uint_eq(mine.len, plen);
	ck_assert_msg(memcmp(mine.ptr, want_pub, plen) == 0, "%s public", v->name);
	ck_assert_msg(ke_compute(ke, peer_pub, qlen, &secret), "%s: %s", v->name, ke_error(ke));
	ck_assert_uint_eq(secret.len, slen);
	ck_assert_msg(memcmp(secret.ptr, want, slen) == 0, "%s shared", v->name);
	chunk_free(&secret);
	chunk_free(&mine);
	ke_free(ke);
}

START_TEST(ke_dh_vectors)
{
	const struct dh_vec *v = &dh_vecs[_i];

	check_side(v, v->priv_i, v->pub_i, v->pub_r);
	check_side(v, v->priv_r, v->pub_r, v->pub_i);
}
END_TEST

/* RFC 7748 5.2: the X25519/X448 functions on single inputs. */
struct fn_vec {
	uint16_t group;
	const char *scalar, *u, *out;
};

static const struct fn_vec fn_vecs[] = {
	{ KE_CURVE25519,
	  "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
	  "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
	  "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552" },
	{ KE_CURVE25519,	/* u has its top bit set: must be masked */
	  "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
	  "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
	  "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957" },
	{ KE_CURVE448,
	  "3d262fddf9ec8e88495266fea19a34d28882acef045104d0d1aae121700a779c"
	  "984c24f8cdd78fbff44943eba368f54b29259a4f1c600ad3",
	  "06fce640fa3487bfda5f6cf2d5263f8aad88334cbd07437f020f08f9814dc031"
	  "ddbdc38c19c6da2583fa5429db94ada18aa7a7fb4ef8a086",
	  "ce3e4ff95a60dc6697da1db1d85e6afbdf79b50a2412d7546d5f239fe14fbaad"
	  "eb445fc66a01b0779d98223961111e21766282f73dd96b6f" },
	{ KE_CURVE448,
	  "203d494428b8399352665ddca42f9de8fef600908e0d461cb021f8c538345dd7"
	  "7c3e4806e25f46d3315c44e0a5b4371282dd2c8d5be3095f",
	  "0fbcc2f993cd56d3305b0b7d9e55d4c1a8fb5dbb52f8e9a1e9b6201b165d0158"
	  "94e56c4d3570bee52fe205e28a78b91cdfbde71ce8d157db",
	  "884a02576239ff7a2f2f63b2db6a9ff37047ac13568e1e30fe63c4a7ad1b3ee3"
	  "a5700df34321d62077e63633c575c1c954514e99da7c179d" },
};

START_TEST(ke_x_function_vectors)
{
	const struct fn_vec *v = &fn_vecs[_i];
	uint8_t u[64], want[64];
	size_t ulen = test_unhex(v->u, u, sizeof(u));
	size_t wlen = test_unhex(v->out, want, sizeof(want));
	struct ke *ke = ke_with_private(v->group, v->scalar);
	struct chunk out;

	ck_assert(ke_compute(ke, u, ulen, &out));
	ck_assert_uint_eq(out.len, wlen);
	ck_assert(memcmp(out.ptr, want, wlen) == 0);
	chunk_free(&out);
	ke_free(ke);
}
END_TEST

/* RFC 7748 5.2 iteration: k = u = 9 (5 for X448); k, u = X(k, u), k. */
struct iter_vec {
	uint16_t group;
	size_t len;
	uint8_t start;
	const char *after1, *after1000;
};

static const struct iter_vec iter_vecs[] = {
	{ KE_CURVE25519, 32, 9,
	  "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079",
	  "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51" },
	{ KE_CURVE448, 56, 5,
	  "3f482c8a9f19b01e6c46ee9711d9dc14fd4bf67af30765c2ae2b846a4d23a8cd"
	  "0db897086239492caf350b51f833868b9bc2b3bca9cf4113",
	  "aa3b4749d55b9daf1e5b00288826c467274ce3ebbdd5c17b975e09d4af6c67cf"
	  "10d087202db88286e2b79fceea3ec353ef54faa26e219f38" },
};

START_TEST(ke_x_iterations)
{
	const struct iter_vec *v = &iter_vecs[_i];
	uint8_t k[56] = { 0 }, u[56] = { 0 }, want[56];
	struct ke *ke = ke_create(v->group);

	k[0] = u[0] = v->start;
	for (int i = 1; i <= 1000; i++) {
		struct chunk r;

		ck_assert(ke_set_private(ke, k, v->len));
		ck_assert(ke_compute(ke, u, v->len, &r));
		memcpy(u, k, v->len);
		memcpy(k, r.ptr, v->len);
		chunk_free(&r);
		if (i == 1 || i == 1000) {
			test_unhex(i == 1 ? v->after1 : v->after1000, want, sizeof(want));
			ck_assert_msg(memcmp(k, want, v->len) == 0, "%s after %d",
				      ke_group_name(v->group), i);
		}
	}
	ke_free(ke);
}
END_TEST

START_TEST(ke_group_table)
{
	static const struct { uint16_t id; size_t len; const char *name; } t[] = {
		{ KE_MODP_2048, 256, "MODP_2048" }, { KE_MODP_3072, 384, "MODP_3072" },
		{ KE_MODP_4096, 512, "MODP_4096" }, { KE_ECP_256, 64, "ECP_256" },
		{ KE_ECP_384, 96, "ECP_384" }, { KE_ECP_521, 132, "ECP_521" },
		{ KE_CURVE25519, 32, "CURVE25519" }, { KE_CURVE448, 56, "CURVE448" },
		{ KE_NONE, 0, "UNKNOWN" }, { KE_MODP_1024, 0, "UNKNOWN" },
		{ KE_MODP_1536, 0, "UNKNOWN" }, { KE_MODP_6144, 0, "UNKNOWN" },
		{ KE_MODP_8192, 0, "UNKNOWN" }, { 999, 0, "UNKNOWN" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ke *ke = ke_create(t[i].id);

		ck_assert_uint_eq(ke_public_len(t[i].id), t[i].len);
		ck_assert_int_eq(ke_supported(t[i].id), t[i].len != 0);
		ck_assert_str_eq(ke_group_name(t[i].id), t[i].name);
		ck_assert_int_eq(ke != NULL, t[i].len != 0);
		if (ke)
			ck_assert_uint_eq(ke_group(ke), t[i].id);
		ke_free(ke);
	}
}
END_TEST

/* Fresh key pairs of every group agree; secrets have the documented size. */
static const uint16_t all_groups[] = { KE_MODP_2048, KE_MODP_3072, KE_MODP_4096,
	KE_ECP_256, KE_ECP_384, KE_ECP_521, KE_CURVE25519, KE_CURVE448 };

START_TEST(ke_two_parties_agree)
{
	uint16_t g = all_groups[_i];
	struct ke *a = ke_create(g), *b = ke_create(g);
	struct chunk pa, pb, sa, sb;
	size_t want = g == KE_ECP_256 || g == KE_ECP_384 || g == KE_ECP_521 ?
		      ke_public_len(g) / 2 : ke_public_len(g);

	ck_assert(a && b);
	ck_assert(ke_public(a, &pa) && ke_public(b, &pb));
	ck_assert_uint_eq(pa.len, ke_public_len(g));
	ck_assert(!chunk_equal(&pa, &pb));
	ck_assert(ke_compute(a, pb.ptr, pb.len, &sa));
	ck_assert(ke_compute(b, pa.ptr, pa.len, &sb));
	ck_assert_uint_eq(sa.len, want);
	ck_assert(chunk_equal(&sa, &sb));
	ck_assert_str_eq(ke_error(a), "");
	chunk_free(&pa);
	chunk_free(&pb);
	chunk_free(&sa);
	chunk_free(&sb);
	ke_free(a);
	ke_free(b);
}
END_TEST

/* Wrong lengths are rejected for every group. */
START_TEST(ke_rejects_wrong_length)
{
	uint16_t g = all_groups[_i];
	struct ke *a = ke_create(g), *b = ke_create(g);
	struct chunk pb, s = { 0 };
	uint8_t buf[MAXB + 1];

	ck_assert(ke_public(b, &pb));
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 1, pb.ptr, pb.len);
	ck_assert(!ke_compute(a, pb.ptr, pb.len - 1, &s));	/* short */
	ck_assert_ptr_null(s.ptr);
	ck_assert(strstr(ke_error(a), "length"));
	ck_assert(!ke_compute(a, buf, pb.len + 1, &s));		/* long: 00 | y */
	ck_assert(!ke_compute(a, pb.ptr, 0, &s));
	ck_assert(!ke_compute(a, NULL, pb.len, &s));
	/* the object stays usable after a rejected value */
	ck_assert(ke_compute(a, pb.ptr, pb.len, &s));
	chunk_free(&s);
	chunk_free(&pb);
	ke_free(a);
	ke_free(b);
}
END_TEST

static BIGNUM *modp_prime(uint16_t group)
{
	const char *name = group == KE_MODP_2048 ? "modp_2048" :
			   group == KE_MODP_3072 ? "modp_3072" : "modp_4096";
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	OSSL_PARAM p[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)name, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY *key = NULL;
	BIGNUM *prime = NULL;

	ck_assert(ctx && EVP_PKEY_paramgen_init(ctx) == 1);
	ck_assert(EVP_PKEY_CTX_set_params(ctx, p) == 1);
	ck_assert(EVP_PKEY_generate(ctx, &key) == 1);
	ck_assert(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_FFC_P, &prime) == 1);
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
	return prime;
}

/* RFC 7296 / SP 800-56A: 1 < y < p-1. */
START_TEST(ke_modp_rejects_invalid_publics)
{
	uint16_t g = all_groups[_i];	/* 0..2: the MODP groups */
	size_t len = ke_public_len(g);
	BIGNUM *p = modp_prime(g), *v = BN_new();
	struct ke *a = ke_create(g);
	uint8_t buf[MAXB];
	struct chunk s = { 0 };
	/* value = p + delta, or a small constant when small is set */
	static const struct { int small; long val; } bad[] = {
		{ 1, 0 }, { 1, 1 }, { 0, -1 }, { 0, 0 }, { 0, 1 },
	};

	/* RFC 3526 primes: the top and bottom 64 bits are all ones */
	ck_assert_int_eq(BN_num_bytes(p), (int)len);
	ck_assert(BN_bn2binpad(p, buf, (int)len) == (int)len);
	for (int i = 0; i < 8; i++)
		ck_assert(buf[i] == 0xff && buf[len - 1 - i] == 0xff);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bad[i].small)
			ck_assert(BN_set_word(v, (BN_ULONG)bad[i].val));
		else if (bad[i].val < 0)
			ck_assert(BN_sub(v, p, BN_value_one()));
		else
			ck_assert(BN_copy(v, p) && BN_add_word(v, (BN_ULONG)bad[i].val));
		if (BN_num_bytes(v) > (int)len)
			continue;
		ck_assert(BN_bn2binpad(v, buf, (int)len) == (int)len);
		ck_assert_msg(!ke_compute(a, buf, len, &s), "%s value %zu",
			      ke_group_name(g), i);
		ck_assert_ptr_null(s.ptr);
		ck_assert_str_eq(ke_error(a), "public value out of range");
	}
	memset(buf, 0xff, len);	/* > p */
	ck_assert(!ke_compute(a, buf, len, &s));
	/* 2 and p-2 are the extreme accepted values */
	ck_assert(BN_set_word(v, 2) && BN_bn2binpad(v, buf, (int)len) == (int)len);
	ck_assert(ke_compute(a, buf, len, &s));
	chunk_free(&s);
	ck_assert(BN_sub(v, p, BN_value_one()) && BN_sub_word(v, 1));
	ck_assert(BN_bn2binpad(v, buf, (int)len) == (int)len);
	ck_assert(ke_compute(a, buf, len, &s));
	ck_assert_uint_eq(s.len, len);
	chunk_free(&s);
	BN_free(p);
	BN_free(v);
	ke_free(a);
}
END_TEST

START_TEST(ke_ecp_rejects_points_off_curve)
{
	uint16_t g = all_groups[3 + _i];
	struct ke *a = ke_create(g), *b = ke_create(g);
	size_t len = ke_public_len(g);
	struct chunk pb, s = { 0 };
	uint8_t buf[MAXB];

	ck_assert(ke_public(b, &pb));
	memcpy(buf, pb.ptr, len);
	buf[len - 1] ^= 0x01;			/* y changed: off the curve */
	ck_assert(!ke_compute(a, buf, len, &s));
	ck_assert_str_eq(ke_error(a), "point not on curve");
	memcpy(buf, pb.ptr, len);
	buf[len / 2 - 1] ^= 0x01;		/* x changed */
	ck_assert(!ke_compute(a, buf, len, &s));
	memset(buf, 0, len);			/* (0, 0) */
	ck_assert(!ke_compute(a, buf, len, &s));
	memset(buf, 0xff, len);			/* coordinates >= p */
	ck_assert(!ke_compute(a, buf, len, &s));
	ck_assert_ptr_null(s.ptr);
	chunk_free(&pb);
	ke_free(a);
	ke_free(b);
}
END_TEST

/* RFC 7748 6: a low-order peer value gives an all-zero secret. */
START_TEST(ke_x_rejects_low_order_points)
{
	static const struct { uint16_t g; const char *u; } t[] = {
		{ KE_CURVE25519, "0000000000000000000000000000000000000000000000000000000000000000" },
		{ KE_CURVE25519, "0100000000000000000000000000000000000000000000000000000000000000" },
		/* order 8 */
		{ KE_CURVE25519, "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800" },
		{ KE_CURVE448, "0000000000000000000000000000000000000000000000000000000000000000"
			       "000000000000000000000000000000000000000000000000" },
		{ KE_CURVE448, "0100000000000000000000000000000000000000000000000000000000000000"
			       "000000000000000000000000000000000000000000000000" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ke *a = ke_create(t[i].g);
		uint8_t u[56];
		size_t len = test_unhex(t[i].u, u, sizeof(u));
		struct chunk s = { 0 };

		ck_assert_uint_eq(len, ke_public_len(t[i].g));
		ck_assert_msg(!ke_compute(a, u, len, &s), "case %zu", i);
		ck_assert_ptr_null(s.ptr);
		ck_assert(strstr(ke_error(a), "zero"));
		ke_free(a);
	}
}
END_TEST

START_TEST(ke_set_private_rejects_bad_scalars)
{
	uint8_t zero[66] = { 0 };
	struct ke *ec = ke_create(KE_ECP_256), *x = ke_create(KE_CURVE25519);
	struct chunk before, after;

	ck_assert(ke_public(ec, &before));
	ck_assert(!ke_set_private(ec, zero, 32));	/* d = 0 */
	ck_assert(!ke_set_private(ec, zero, 31));	/* wrong length */
	ck_assert(ke_public(ec, &after));		/* old key kept */
	ck_assert(chunk_equal(&before, &after));
	ck_assert(!ke_set_private(x, zero, 31));
	chunk_free(&before);
	chunk_free(&after);
	ke_free(ec);
	ke_free(x);
	ke_free(NULL);
}
END_TEST

static Suite *ke_suite(void)
{
	Suite *s = suite_create("crypto_ke");
	TCase *tc = tcase_create("ke");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, ke_dh_vectors, 0, sizeof(dh_vecs) / sizeof(dh_vecs[0]));
	tcase_add_loop_test(tc, ke_x_function_vectors, 0, sizeof(fn_vecs) / sizeof(fn_vecs[0]));
	tcase_add_loop_test(tc, ke_x_iterations, 0, sizeof(iter_vecs) / sizeof(iter_vecs[0]));
	tcase_add_test(tc, ke_group_table);
	tcase_add_loop_test(tc, ke_two_parties_agree, 0, 8);
	tcase_add_loop_test(tc, ke_rejects_wrong_length, 0, 8);
	tcase_add_loop_test(tc, ke_modp_rejects_invalid_publics, 0, 3);
	tcase_add_loop_test(tc, ke_ecp_rejects_points_off_curve, 0, 3);
	tcase_add_test(tc, ke_x_rejects_low_order_points);
	tcase_add_test(tc, ke_set_private_rejects_bad_scalars);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ke_suite)
