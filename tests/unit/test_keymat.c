/* IKEv2 key derivation against tests/unit/vectors/keymat.txt, which
 * tests/tools/keymat_vectors.py computes independently with Python's
 * hmac/hashlib: prf+, IKE SA keys, IKE SA rekey, CHILD SA keymat with and
 * without PFS, PSK AUTH and the signed octets. */
#include "check_main.h"
#include "crypto/aead.h"
#include "crypto/prf.h"
#include "ike/iana.h"
#include "ike/keymat.h"

#define VECTOR_FILE "tests/unit/vectors/keymat.txt"
#define MAX_FIELDS 24

struct field {
	const char *name, *value;
};

struct block {
	struct field f[MAX_FIELDS];
	size_t n;
};

static char *file_text;
static struct block *blocks;
static size_t n_blocks;

/* Splits the file in place into blocks of "name = value" lines. */
static void load_vectors(void)
{
	FILE *fp = fopen(VECTOR_FILE, "r");
	size_t cap = 0, len = 0, alloc = 64;
	struct block *cur = NULL;
	char *line;

	ck_assert_msg(fp, "cannot open %s (run from the repository root)", VECTOR_FILE);
	file_text = malloc(1 << 20);
	ck_assert(file_text);
	len = fread(file_text, 1, (1 << 20) - 1, fp);
	fclose(fp);
	file_text[len] = '\0';
	blocks = calloc(alloc, sizeof(*blocks));
	ck_assert(blocks);
	cap = alloc;
	for (line = strtok(file_text, "\n"); line; line = strtok(NULL, "\n")) {
		char *eq;

		if (line[0] == '#')
			continue;
		eq = strstr(line, " = ");
		if (!eq)
			continue;
		*eq = '\0';
		if (strcmp(line, "type") == 0) {
			if (n_blocks == cap) {
				cap *= 2;
				blocks = realloc(blocks, cap * sizeof(*blocks));
				ck_assert(blocks);
			}
			cur = &blocks[n_blocks++];
			cur->n = 0;
		}
		ck_assert(cur && cur->n < MAX_FIELDS);
		cur->f[cur->n].name = line;
		cur->f[cur->n].value = eq + 3;
		cur->n++;
	}
}

static void setup(void)
{
	load_vectors();
}

static void teardown(void)
{
	free(blocks);
	free(file_text);
	blocks = NULL;
	file_text = NULL;
	n_blocks = 0;
}

static const char *get(const struct block *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->f[i].name, name) == 0)
			return b->f[i].value;
	ck_abort_msg("field %s missing", name);
	return NULL;
}

static unsigned long num(const struct block *b, const char *name)
{
	return strtoul(get(b, name), NULL, 10);
}

static struct chunk hex(const struct block *b, const char *name)
{
	const char *h = get(b, name);
	struct chunk c;

	ck_assert(chunk_alloc(&c, strlen(h) / 2));
	ck_assert_uint_eq(test_unhex(h, c.ptr, c.len), c.len);
	return c;
}

static void expect(const struct block *b, const char *name, const struct chunk *got,
		   size_t idx)
{
	struct chunk want = hex(b, name);

	ck_assert_msg(chunk_equal(&want, got), "block %zu: %s differs (len %zu vs %zu)",
		      idx, name, got->len, want.len);
	chunk_free(&want);
}

static size_t count_type(const char *type)
{
	size_t n = 0;

	for (size_t i = 0; i < n_blocks; i++)
		n += strcmp(get(&blocks[i], "type"), type) == 0;
	return n;
}

static struct aead_alg alg_of(const struct block *b)
{
	struct aead_alg a = {
		.encr = (uint16_t)num(b, "encr"),
		.key_bits = (uint16_t)num(b, "bits"),
		.integ = (uint16_t)num(b, "integ"),
	};
	return a;
}

START_TEST(keymat_prf_plus_matches_python)
{
	size_t seen = 0;

	for (size_t i = 0; i < n_blocks; i++) {
		const struct block *b = &blocks[i];
		struct chunk key, seed, out;
		struct prf *prf;

		if (strcmp(get(b, "type"), "prfplus") != 0)
			continue;
		key = hex(b, "key");
		seed = hex(b, "seed");
		prf = prf_create((uint16_t)num(b, "prf"));
		ck_assert(prf && prf_set_key(prf, key.ptr, key.len));
		ck_assert(prf_plus(prf, seed.ptr, seed.len, num(b, "len"), &out));
		expect(b, "out", &out, i);
		chunk_free(&out);
		chunk_free(&key);
		chunk_free(&seed);
		prf_free(prf);
		seen++;
	}
	ck_assert_uint_ge(seen, 4);
}
END_TEST

static void expect_ike_keys(const struct block *b, const struct ike_keys *k, size_t i)
{
	expect(b, "sk_d", &k->sk_d, i);
	expect(b, "sk_ai", &k->sk_ai, i);
	expect(b, "sk_ar", &k->sk_ar, i);
	expect(b, "sk_ei", &k->sk_ei, i);
	expect(b, "sk_er", &k->sk_er, i);
	expect(b, "sk_pi", &k->sk_pi, i);
	expect(b, "sk_pr", &k->sk_pr, i);
}

/* Both ends build their SK payload transforms from the same keys: what
 * the initiator seals, the responder opens, and vice versa. */
static void check_ike_aeads(const struct ike_keys *k)
{
	struct aead *i_out, *i_in, *r_out, *r_in;
	uint8_t iv[AEAD_MAX_IV] = { 1, 2, 3 }, msg[32] = "IKE_AUTH payloads, 32 octets..";
	uint8_t ct[32], pt[32], icv[AEAD_MAX_ICV];

	ck_assert(keymat_ike_aeads(k, true, &i_out, &i_in));
	ck_assert(keymat_ike_aeads(k, false, &r_out, &r_in));
	ck_assert(aead_encrypt(i_out, iv, msg, 28, msg, 32, ct, icv));
	ck_assert(aead_decrypt(r_in, iv, msg, 28, ct, 32, pt, icv));
	ck_assert(memcmp(pt, msg, 32) == 0);
	ck_assert(!aead_decrypt(i_in, iv, msg, 28, ct, 32, pt, icv));	/* other key */
	ck_assert(aead_encrypt(r_out, iv, NULL, 0, msg, 32, ct, icv));
	ck_assert(aead_decrypt(i_in, iv, NULL, 0, ct, 32, pt, icv));
	ck_assert(memcmp(pt, msg, 32) == 0);
	aead_free(i_out);
	aead_free(i_in);
	aead_free(r_out);
	aead_free(r_in);
}

START_TEST(keymat_ike_sa_matches_python)
{
	size_t seen = 0, aead_seen = 0;

	for (size_t i = 0; i < n_blocks; i++) {
		const struct block *b = &blocks[i];
		struct chunk shared, ni, nr, spi_i, spi_r;
		struct aead_alg alg;
		struct ike_keys k;

		if (strcmp(get(b, "type"), "ike") != 0)
			continue;
		alg = alg_of(b);
		shared = hex(b, "shared");
		ni = hex(b, "ni");
		nr = hex(b, "nr");
		spi_i = hex(b, "spi_i");
		spi_r = hex(b, "spi_r");
		ck_assert_msg(keymat_ike_derive((uint16_t)num(b, "prf"), &alg, &shared, &ni,
						&nr, spi_i.ptr, spi_r.ptr, &k), "block %zu", i);
		ck_assert_uint_eq(k.prf, num(b, "prf"));
		expect_ike_keys(b, &k, i);
		if (aead_is_combined(alg.encr)) {
			ck_assert_uint_eq(k.sk_ai.len, 0);
			ck_assert_uint_eq(k.sk_ei.len, alg.key_bits / 8 + 4);
			aead_seen++;
		}
		check_ike_aeads(&k);
		ike_keys_free(&k);
		ck_assert_ptr_null(k.sk_d.ptr);
		ck_assert_uint_eq(k.sk_pr.len, 0);
		chunk_free(&shared);
		chunk_free(&ni);
		chunk_free(&nr);
		chunk_free(&spi_i);
		chunk_free(&spi_r);
		seen++;
	}
	ck_assert_uint_ge(seen, 6);
	ck_assert_uint_ge(aead_seen, 2);
}
END_TEST

START_TEST(keymat_ike_rekey_matches_python)
{
	size_t seen = 0;

	for (size_t i = 0; i < n_blocks; i++) {
		const struct block *b = &blocks[i];
		struct chunk shared, ni, nr, spi_i, spi_r;
		struct ike_keys old = { 0 }, k;
		struct aead_alg alg;

		if (strcmp(get(b, "type"), "rekey") != 0)
			continue;
		alg = alg_of(b);
		old.prf = (uint16_t)num(b, "old_prf");
		old.sk_d = hex(b, "old_sk_d");
		shared = hex(b, "shared");
		ni = hex(b, "ni");
		nr = hex(b, "nr");
		spi_i = hex(b, "spi_i");
		spi_r = hex(b, "spi_r");
		ck_assert(keymat_ike_rekey(&old, (uint16_t)num(b, "prf"), &alg, &shared, &ni,
					   &nr, spi_i.ptr, spi_r.ptr, &k));
		expect_ike_keys(b, &k, i);
		ike_keys_free(&k);
		ike_keys_free(&old);
		chunk_free(&shared);
		chunk_free(&ni);
		chunk_free(&nr);
		chunk_free(&spi_i);
		chunk_free(&spi_r);
		seen++;
	}
	ck_assert_uint_ge(seen, 2);
}
END_TEST

START_TEST(keymat_child_sa_matches_python)
{
	size_t pfs = 0, nopfs = 0;

	for (size_t i = 0; i < n_blocks; i++) {
		const struct block *b = &blocks[i];
		struct chunk shared, ni, nr;
		struct ike_keys ike = { 0 };
		struct child_keys k, k2;
		struct aead_alg alg;

		if (strcmp(get(b, "type"), "child") != 0)
			continue;
		alg = alg_of(b);
		ike.prf = (uint16_t)num(b, "prf");
		ike.sk_d = hex(b, "sk_d");
		shared = hex(b, "shared");
		ni = hex(b, "ni");
		nr = hex(b, "nr");
		ck_assert(keymat_child_derive(&ike, &alg, shared.len ? &shared : NULL,
					      &ni, &nr, &k));
		expect(b, "encr_ir", &k.encr_ir, i);
		expect(b, "integ_ir", &k.integ_ir, i);
		expect(b, "encr_ri", &k.encr_ri, i);
		expect(b, "integ_ri", &k.integ_ri, i);
		ck_assert_uint_eq(k.encr_ir.len, aead_encr_key_len(&alg));
		ck_assert_uint_eq(k.integ_ri.len, aead_integ_key_len(&alg));
		if (shared.len) {
			pfs++;
		} else {
			/* an empty g^ir is the same as none */
			ck_assert(keymat_child_derive(&ike, &alg, &shared, &ni, &nr, &k2));
			ck_assert(chunk_equal(&k.encr_ri, &k2.encr_ri));
			child_keys_free(&k2);
			nopfs++;
		}
		child_keys_free(&k);
		ike_keys_free(&ike);
		chunk_free(&shared);
		chunk_free(&ni);
		chunk_free(&nr);
	}
	ck_assert_uint_ge(pfs, 2);
	ck_assert_uint_ge(nopfs, 2);
}
END_TEST

START_TEST(keymat_psk_auth_matches_python)
{
	size_t seen = 0;

	for (size_t i = 0; i < n_blocks; i++) {
		const struct block *b = &blocks[i];
		struct chunk psk, msg, nonce, sk_p, id, octets, auth;
		uint16_t prf;

		if (strcmp(get(b, "type"), "psk") != 0)
			continue;
		prf = (uint16_t)num(b, "prf");
		psk = hex(b, "psk");
		msg = hex(b, "msg");
		nonce = hex(b, "nonce");
		sk_p = hex(b, "sk_p");
		id = hex(b, "id");
		ck_assert(keymat_signed_octets(prf, &sk_p, msg.ptr, msg.len, &nonce,
					       id.ptr, id.len, &octets));
		expect(b, "octets", &octets, i);
		ck_assert(keymat_psk_auth(prf, psk.ptr, psk.len, &octets, &auth));
		ck_assert_uint_eq(auth.len, prf_size_of(prf));
		expect(b, "auth", &auth, i);
		chunk_free(&auth);
		/* another PSK gives another AUTH */
		psk.ptr[0] ^= 1;
		ck_assert(keymat_psk_auth(prf, psk.ptr, psk.len, &octets, &auth));
		{
			struct chunk want = hex(b, "auth");

			ck_assert(!chunk_equal(&want, &auth));
			chunk_free(&want);
		}
		chunk_free(&auth);
		chunk_free(&octets);
		chunk_free(&psk);
		chunk_free(&msg);
		chunk_free(&nonce);
		chunk_free(&sk_p);
		chunk_free(&id);
		seen++;
	}
	ck_assert_uint_ge(seen, 4);
}
END_TEST

START_TEST(keymat_vector_file_is_complete)
{
	ck_assert_uint_ge(count_type("prfplus"), 4);
	ck_assert_uint_ge(count_type("ike"), 6);
	ck_assert_uint_ge(count_type("rekey"), 2);
	ck_assert_uint_ge(count_type("child"), 4);
	ck_assert_uint_ge(count_type("psk"), 4);
}
END_TEST

START_TEST(keymat_rejects_bad_arguments)
{
	uint8_t spi[IKE_SPI_LEN] = { 1 }, nb[16] = { 2 }, sb[32] = { 3 };
	struct chunk n = { nb, sizeof(nb) }, s = { sb, sizeof(sb) }, empty = { NULL, 0 };
	struct aead_alg gcm = { ENCR_AES_GCM_16, 128, AUTH_NONE };
	struct aead_alg bad = { ENCR_AES_GCM_16, 128, AUTH_HMAC_SHA1_96 };
	struct ike_keys k, none = { 0 };
	struct child_keys c;
	struct chunk out;
	uint8_t id[3] = { 1, 0, 0 };

	ck_assert(!keymat_ike_derive(PRF_AES128_XCBC, &gcm, &s, &n, &n, spi, spi, &k));
	ck_assert(!keymat_ike_derive(PRF_HMAC_SHA2_256, &bad, &s, &n, &n, spi, spi, &k));
	ck_assert(!keymat_ike_derive(PRF_HMAC_SHA2_256, &gcm, &empty, &n, &n, spi, spi, &k));
	ck_assert(!keymat_ike_derive(PRF_HMAC_SHA2_256, &gcm, &s, &empty, &n, spi, spi, &k));
	ck_assert_ptr_null(k.sk_d.ptr);
	ck_assert(!keymat_ike_rekey(&none, PRF_HMAC_SHA2_256, &gcm, &s, &n, &n, spi, spi, &k));
	ck_assert(!keymat_child_derive(&none, &gcm, NULL, &n, &n, &c));
	ck_assert(!keymat_signed_octets(PRF_HMAC_SHA2_256, &s, nb, sizeof(nb), &n,
					id, sizeof(id), &out));	/* ID body < 4 */
	ck_assert_ptr_null(out.ptr);
	ck_assert(!keymat_psk_auth(PRF_HMAC_SHA2_256, NULL, 0, &s, &out));
	ck_assert(!keymat_psk_auth(PRF_HMAC_MD5, sb, 8, &s, &out));
	ike_keys_free(NULL);
	child_keys_free(NULL);
}
END_TEST

static Suite *keymat_suite(void)
{
	Suite *s = suite_create("keymat");
	TCase *tc = tcase_create("keymat");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, keymat_vector_file_is_complete);
	tcase_add_test(tc, keymat_prf_plus_matches_python);
	tcase_add_test(tc, keymat_ike_sa_matches_python);
	tcase_add_test(tc, keymat_ike_rekey_matches_python);
	tcase_add_test(tc, keymat_child_sa_matches_python);
	tcase_add_test(tc, keymat_psk_auth_matches_python);
	tcase_add_test(tc, keymat_rejects_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(keymat_suite)
