/* Keys (pubkey), RFC 7427 AlgorithmIdentifiers and hash negotiation
 * (sigalg), and IKEv2 signature AUTH data (sign), against the fixtures in
 * tests/fixtures/pki (regenerate with gen.sh). */
#include "check_main.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/pubkey.h"
#include "crypto/sigalg.h"
#include "crypto/sign.h"
#include "ike/iana.h"

#define FIX "tests/fixtures/pki/"

static const uint8_t octets[] =
	"InitiatorSignedOctets: RealMessage1 | NonceRData | prf(SK_pi, IDi')";

static EVP_PKEY *load_priv(const char *name)
{
	const char *reason = NULL;
	EVP_PKEY *k = pubkey_load_private_file(name, &reason);

	ck_assert_msg(k != NULL, "%s: %s", name, reason);
	return k;
}

/* The public half only, through its DER SubjectPublicKeyInfo, so that a
 * verification never sees private material. */
static EVP_PKEY *public_of(const EVP_PKEY *priv)
{
	struct chunk spki;
	const char *reason = NULL;
	EVP_PKEY *pub;

	ck_assert(pubkey_spki_der(priv, &spki));
	pub = pubkey_load_public_mem(spki.ptr, spki.len, &reason);
	ck_assert_msg(pub != NULL, "%s", reason);
	ck_assert(!pubkey_has_private(pub));
	chunk_free(&spki);
	return pub;
}

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	return test_unhex(hex, out, max);
}

/* RFC 7427 Appendix A (A.1, A.3, A.4.3) and RFC 8420 (EdDSA). */
static const struct {
	enum sig_scheme scheme;
	const char *der;
} algid_vectors[] = {
	{ SIG_RSA_PKCS1_SHA1, "30 0d 06 09 2a 86 48 86 f7 0d 01 01 05 05 00" },
	{ SIG_RSA_PKCS1_SHA256, "30 0d 06 09 2a 86 48 86 f7 0d 01 01 0b 05 00" },
	{ SIG_RSA_PKCS1_SHA384, "30 0d 06 09 2a 86 48 86 f7 0d 01 01 0c 05 00" },
	{ SIG_RSA_PKCS1_SHA512, "30 0d 06 09 2a 86 48 86 f7 0d 01 01 0d 05 00" },
	{ SIG_ECDSA_SHA256, "30 0a 06 08 2a 86 48 ce 3d 04 03 02" },
	{ SIG_ECDSA_SHA384, "30 0a 06 08 2a 86 48 ce 3d 04 03 03" },
	{ SIG_ECDSA_SHA512, "30 0a 06 08 2a 86 48 ce 3d 04 03 04" },
	{ SIG_RSA_PSS_SHA256,
	  "30 46 06 09 2a 86 48 86 f7 0d 01 01 0a 30 39 a0 0f 30 0d 06 09 60 86"
	  "48 01 65 03 04 02 01 05 00 a1 1c 30 1a 06 09 2a 86 48 86 f7 0d 01 01"
	  "08 30 0d 06 09 60 86 48 01 65 03 04 02 01 05 00 a2 03 02 01 20 a3 03"
	  "02 01 01" },
	{ SIG_ED25519, "30 05 06 03 2b 65 70" },
	{ SIG_ED448, "30 05 06 03 2b 65 71" },
};

START_TEST(algid_matches_rfc7427_bytes)
{
	for (size_t i = 0; i < sizeof(algid_vectors) / sizeof(algid_vectors[0]); i++) {
		uint8_t want[128];
		size_t n = unhex(algid_vectors[i].der, want, sizeof(want));
		struct chunk got;
		struct sigalg alg;
		const char *reason = NULL;

		ck_assert(sigalg_encode(algid_vectors[i].scheme, &got));
		ck_assert_msg(got.len == n && !memcmp(got.ptr, want, n),
			      "%s differs", sigalg_name(algid_vectors[i].scheme));
		ck_assert_int_eq(sigalg_decode(want, n, &alg, &reason), SIGALG_OK);
		ck_assert_int_eq(alg.scheme, algid_vectors[i].scheme);
		chunk_free(&got);
	}
}
END_TEST

START_TEST(algid_pss_sha384_sha512_round_trip)
{
	static const enum sig_scheme s[] = { SIG_RSA_PSS_SHA384, SIG_RSA_PSS_SHA512 };

	for (size_t i = 0; i < 2; i++) {
		struct chunk der;
		struct sigalg alg;
		const char *reason = NULL;

		ck_assert(sigalg_encode(s[i], &der));
		ck_assert_int_eq(sigalg_decode(der.ptr, der.len, &alg, &reason), SIGALG_OK);
		ck_assert_int_eq(alg.scheme, s[i]);
		ck_assert_int_eq(alg.pss_salt_len, i ? 64 : 48);
		chunk_free(&der);
	}
}
END_TEST

/* AlgorithmIdentifiers that must not be accepted. */
static const struct {
	const char *what;
	const char *der;
	enum sigalg_decode_status want;
} algid_bad[] = {
	{ "md5WithRSAEncryption", "30 0d 06 09 2a 86 48 86 f7 0d 01 01 04 05 00", SIGALG_UNKNOWN },
	{ "ecdsa-with-SHA256 + NULL", "30 0c 06 08 2a 86 48 ce 3d 04 03 02 05 00", SIGALG_UNKNOWN },
	{ "Ed25519 + NULL", "30 07 06 03 2b 65 70 05 00", SIGALG_UNKNOWN },
	{ "PKCS#1 + INTEGER param", "30 0e 06 09 2a 86 48 86 f7 0d 01 01 0b 02 01 00", SIGALG_UNKNOWN },
	{ "PSS empty params (A.4.1)", "30 0b 06 09 2a 86 48 86 f7 0d 01 01 0a", SIGALG_UNKNOWN },
	{ "PSS default params (A.4.2, SHA-1)", "30 0d 06 09 2a 86 48 86 f7 0d 01 01 0a 30 00", SIGALG_UNKNOWN },
	{ "PSS SHA-256 with MGF1-SHA-384",
	  "30 46 06 09 2a 86 48 86 f7 0d 01 01 0a 30 39 a0 0f 30 0d 06 09 60 86"
	  "48 01 65 03 04 02 01 05 00 a1 1c 30 1a 06 09 2a 86 48 86 f7 0d 01 01"
	  "08 30 0d 06 09 60 86 48 01 65 03 04 02 02 05 00 a2 03 02 01 20 a3 03"
	  "02 01 01", SIGALG_UNKNOWN },
	{ "PSS trailerField 2",
	  "30 46 06 09 2a 86 48 86 f7 0d 01 01 0a 30 39 a0 0f 30 0d 06 09 60 86"
	  "48 01 65 03 04 02 01 05 00 a1 1c 30 1a 06 09 2a 86 48 86 f7 0d 01 01"
	  "08 30 0d 06 09 60 86 48 01 65 03 04 02 01 05 00 a2 03 02 01 20 a3 03"
	  "02 01 02", SIGALG_UNKNOWN },
	{ "trailing byte", "30 0a 06 08 2a 86 48 ce 3d 04 03 02 00", SIGALG_MALFORMED },
	{ "truncated", "30 0a 06 08 2a 86 48 ce 3d 04 03", SIGALG_MALFORMED },
	{ "long-form length (BER)", "30 81 0a 06 08 2a 86 48 ce 3d 04 03 02", SIGALG_MALFORMED },
	{ "not a SEQUENCE", "31 0a 06 08 2a 86 48 ce 3d 04 03 02", SIGALG_MALFORMED },
	{ "garbage", "ff ff ff", SIGALG_MALFORMED },
};

START_TEST(algid_rejects_bad_encodings)
{
	for (size_t i = 0; i < sizeof(algid_bad) / sizeof(algid_bad[0]); i++) {
		uint8_t der[128];
		size_t n = unhex(algid_bad[i].der, der, sizeof(der));
		struct sigalg alg;
		const char *reason = NULL;

		ck_assert_msg(sigalg_decode(der, n, &alg, &reason) == algid_bad[i].want,
			      "%s accepted or misclassified", algid_bad[i].what);
		ck_assert(reason != NULL);
		ck_assert_int_eq(alg.scheme, SIG_NONE);
	}
}
END_TEST

/* Every key type with every hash it can use, PKCS#1 and PSS for RSA. */
static const struct {
	const char *key;
	enum pubkey_type type;
	int bits;
	uint16_t hash;
	bool pss;
	enum sig_scheme scheme;
} sign_cases[] = {
	{ FIX "gw.key", PUBKEY_RSA, 2048, HASH_SHA2_256, false, SIG_RSA_PKCS1_SHA256 },
	{ FIX "gw.key", PUBKEY_RSA, 2048, HASH_SHA2_384, false, SIG_RSA_PKCS1_SHA384 },
	{ FIX "gw.key", PUBKEY_RSA, 2048, HASH_SHA2_512, false, SIG_RSA_PKCS1_SHA512 },
	{ FIX "gw.key", PUBKEY_RSA, 2048, HASH_SHA2_256, true, SIG_RSA_PSS_SHA256 },
	{ FIX "gw.key", PUBKEY_RSA, 2048, HASH_SHA2_384, true, SIG_RSA_PSS_SHA384 },
	{ FIX "gw.key", PUBKEY_RSA, 2048, HASH_SHA2_512, true, SIG_RSA_PSS_SHA512 },
	{ FIX "rw.key", PUBKEY_ECDSA, 256, HASH_SHA2_256, false, SIG_ECDSA_SHA256 },
	{ FIX "rw.key", PUBKEY_ECDSA, 256, HASH_SHA2_384, false, SIG_ECDSA_SHA384 },
	{ FIX "rw.key", PUBKEY_ECDSA, 256, HASH_SHA2_512, false, SIG_ECDSA_SHA512 },
	{ FIX "p384.key", PUBKEY_ECDSA, 384, HASH_SHA2_384, false, SIG_ECDSA_SHA384 },
	{ FIX "p384.key", PUBKEY_ECDSA, 384, HASH_SHA2_256, false, SIG_ECDSA_SHA256 },
	{ FIX "leaf.key", PUBKEY_ECDSA, 521, HASH_SHA2_512, false, SIG_ECDSA_SHA512 },
	{ FIX "ed25519.key", PUBKEY_ED25519, 255, HASH_IDENTITY, false, SIG_ED25519 },
	{ FIX "ed448.key", PUBKEY_ED448, 448, HASH_IDENTITY, false, SIG_ED448 },
};

START_TEST(auth_data_round_trip_all_schemes)
{
	for (size_t i = 0; i < sizeof(sign_cases) / sizeof(sign_cases[0]); i++) {
		EVP_PKEY *key = load_priv(sign_cases[i].key), *pub = public_of(key);
		struct chunk auth, algid;
		const char *reason = NULL;
		uint8_t msg[sizeof(octets)];

		ck_assert_int_eq(pubkey_type(key), sign_cases[i].type);
		ck_assert_int_eq(pubkey_bits(key), sign_cases[i].bits);
		ck_assert_int_eq(sigalg_for_key(key, sign_cases[i].hash, sign_cases[i].pss),
				 sign_cases[i].scheme);
		ck_assert_int_eq(sign_auth_data(key, sign_cases[i].hash, sign_cases[i].pss,
						octets, sizeof(octets), &auth, &reason), SIGN_OK);
		/* layout: [len][AlgorithmIdentifier][signature] */
		ck_assert(sigalg_encode(sign_cases[i].scheme, &algid));
		ck_assert_uint_eq(auth.ptr[0], algid.len);
		ck_assert(!memcmp(auth.ptr + 1, algid.ptr, algid.len));
		ck_assert_uint_gt(auth.len, 1 + algid.len);
		ck_assert_msg(sign_verify_auth_data(pub, auth.ptr, auth.len, octets,
						    sizeof(octets), &reason) == SIGN_OK,
			      "%s: %s", sigalg_name(sign_cases[i].scheme), reason);

		/* a flipped bit in the signed octets or the signature fails */
		memcpy(msg, octets, sizeof(msg));
		msg[7] ^= 0x01;
		ck_assert_int_eq(sign_verify_auth_data(pub, auth.ptr, auth.len, msg,
						       sizeof(msg), &reason),
				 SIGN_ERR_BAD_SIGNATURE);
		auth.ptr[auth.len - 1] ^= 0x80;
		ck_assert_int_eq(sign_verify_auth_data(pub, auth.ptr, auth.len, octets,
						       sizeof(octets), &reason),
				 SIGN_ERR_BAD_SIGNATURE);
		chunk_free(&algid);
		chunk_free(&auth);
		pubkey_free(pub);
		pubkey_free(key);
	}
}
END_TEST

START_TEST(auth_data_rejects_wrong_key)
{
	EVP_PKEY *gw = load_priv(FIX "gw.key"), *ca = load_priv(FIX "ca-rsa.key");
	EVP_PKEY *rw = load_priv(FIX "rw.key"), *rogue = load_priv(FIX "rogue.key");
	EVP_PKEY *ed = load_priv(FIX "ed25519.key"), *ed448 = load_priv(FIX "ed448.key");
	struct chunk a;
	const char *reason = NULL;

	/* same type, other key: bad signature */
	ck_assert_int_eq(sign_auth_data(gw, HASH_SHA2_256, true, octets, sizeof(octets), &a, &reason), SIGN_OK);
	ck_assert_int_eq(sign_verify_auth_data(ca, a.ptr, a.len, octets, sizeof(octets), &reason),
			 SIGN_ERR_BAD_SIGNATURE);
	/* other type: the algorithm does not fit the key */
	ck_assert_int_eq(sign_verify_auth_data(rw, a.ptr, a.len, octets, sizeof(octets), &reason),
			 SIGN_ERR_KEY_MISMATCH);
	chunk_free(&a);
	ck_assert_int_eq(sign_auth_data(rw, HASH_SHA2_256, false, octets, sizeof(octets), &a, &reason), SIGN_OK);
	ck_assert_int_eq(sign_verify_auth_data(rogue, a.ptr, a.len, octets, sizeof(octets), &reason),
			 SIGN_ERR_BAD_SIGNATURE);
	ck_assert_int_eq(sign_verify_auth_data(gw, a.ptr, a.len, octets, sizeof(octets), &reason),
			 SIGN_ERR_KEY_MISMATCH);
	chunk_free(&a);
	ck_assert_int_eq(sign_auth_data(ed, HASH_IDENTITY, false, octets, sizeof(octets), &a, &reason), SIGN_OK);
	ck_assert_int_eq(sign_verify_auth_data(ed448, a.ptr, a.len, octets, sizeof(octets), &reason),
			 SIGN_ERR_KEY_MISMATCH);
	chunk_free(&a);
	/* hashes a key cannot use */
	ck_assert_int_eq(sign_auth_data(ed, HASH_SHA2_256, false, octets, sizeof(octets), &a, &reason),
			 SIGN_ERR_KEY_MISMATCH);
	ck_assert_int_eq(sign_auth_data(rw, HASH_IDENTITY, false, octets, sizeof(octets), &a, &reason),
			 SIGN_ERR_KEY_MISMATCH);
	ck_assert_int_eq(sign_auth_data(gw, HASH_SHA1, false, octets, sizeof(octets), &a, &reason),
			 SIGN_ERR_KEY_MISMATCH);
	ck_assert_ptr_null(a.ptr);
	pubkey_free(gw); pubkey_free(ca); pubkey_free(rw);
	pubkey_free(rogue); pubkey_free(ed); pubkey_free(ed448);
}
END_TEST

/* Build [len][algid][sig] by hand. */
static void wrap(const uint8_t *algid, size_t alen, const uint8_t *sig, size_t slen,
		 uint8_t *out, size_t *olen)
{
	out[0] = (uint8_t)alen;
	memcpy(out + 1, algid, alen);
	memcpy(out + 1 + alen, sig, slen);
	*olen = 1 + alen + slen;
}

/* Sign with EVP directly, as another implementation would. */
static size_t openssl_sign(EVP_PKEY *k, const char *md, bool pss, uint8_t *sig, size_t max)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t len = max;

	ck_assert(ctx != NULL);
	ck_assert_int_eq(EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, k, NULL), 1);
	if (pss) {
		ck_assert_int_gt(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 0);
		ck_assert_int_gt(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 0);
	}
	ck_assert_int_eq(EVP_DigestSign(ctx, sig, &len, octets, sizeof(octets)), 1);
	EVP_MD_CTX_free(ctx);
	return len;
}

static const struct {
	const char *key;
	const char *md;
	bool pss;
	size_t vector;	/* index into algid_vectors */
} indep_cases[] = {
	{ FIX "gw.key", "SHA1", false, 0 },	/* verify-only scheme */
	{ FIX "gw.key", "SHA256", false, 1 },
	{ FIX "gw.key", "SHA384", false, 2 },
	{ FIX "gw.key", "SHA512", false, 3 },
	{ FIX "gw.key", "SHA256", true, 7 },
	{ FIX "rw.key", "SHA256", false, 4 },
	{ FIX "p384.key", "SHA384", false, 5 },
	{ FIX "leaf.key", "SHA512", false, 6 },
	{ FIX "ed25519.key", NULL, false, 8 },
	{ FIX "ed448.key", NULL, false, 9 },
};

START_TEST(verifies_independent_openssl_signatures)
{
	for (size_t i = 0; i < sizeof(indep_cases) / sizeof(indep_cases[0]); i++) {
		EVP_PKEY *k = load_priv(indep_cases[i].key), *pub = public_of(k);
		uint8_t algid[128], sig[1024], auth[1200], bad[1200];
		size_t alen = unhex(algid_vectors[indep_cases[i].vector].der, algid, sizeof(algid));
		size_t slen = openssl_sign(k, indep_cases[i].md, indep_cases[i].pss, sig, sizeof(sig));
		size_t len;
		const char *reason = NULL;

		wrap(algid, alen, sig, slen, auth, &len);
		ck_assert_msg(sign_verify_auth_data(pub, auth, len, octets, sizeof(octets),
						    &reason) == SIGN_OK, "case %zu: %s", i, reason);
		/* trailing bytes after the signature */
		memcpy(bad, auth, len);
		bad[len] = 0;
		ck_assert_int_eq(sign_verify_auth_data(pub, bad, len + 1, octets, sizeof(octets), &reason),
				 SIGN_ERR_BAD_SIGNATURE);
		/* length byte claims more than there is */
		bad[0] = (uint8_t)(len);
		ck_assert_int_eq(sign_verify_auth_data(pub, bad, len, octets, sizeof(octets), &reason),
				 SIGN_ERR_MALFORMED);
		/* length byte one short / one long: AlgorithmIdentifier cut or
		 * with a junk byte */
		memcpy(bad, auth, len);
		bad[0] = (uint8_t)(alen - 1);
		ck_assert_int_eq(sign_verify_auth_data(pub, bad, len, octets, sizeof(octets), &reason),
				 SIGN_ERR_MALFORMED);
		bad[0] = (uint8_t)(alen + 1);
		ck_assert_int_eq(sign_verify_auth_data(pub, bad, len, octets, sizeof(octets), &reason),
				 SIGN_ERR_MALFORMED);
		/* only the length byte, or the AlgorithmIdentifier without signature */
		ck_assert_int_eq(sign_verify_auth_data(pub, auth, 1, octets, sizeof(octets), &reason),
				 SIGN_ERR_MALFORMED);
		ck_assert_int_eq(sign_verify_auth_data(pub, auth, 1 + alen, octets, sizeof(octets), &reason),
				 SIGN_ERR_MALFORMED);
		ck_assert_int_eq(sign_verify_auth_data(pub, auth, 0, octets, sizeof(octets), &reason),
				 SIGN_ERR_MALFORMED);
		pubkey_free(pub);
		pubkey_free(k);
	}
}
END_TEST

START_TEST(rejects_wrong_algorithm_identifier)
{
	EVP_PKEY *k = load_priv(FIX "gw.key"), *e = load_priv(FIX "rw.key");
	uint8_t a256[128], a384[128], a512[128], auth[1200];
	uint8_t sig[512];
	size_t n256 = unhex(algid_vectors[1].der, a256, sizeof(a256));
	size_t n384 = unhex(algid_vectors[2].der, a384, sizeof(a384));
	size_t n512 = unhex(algid_vectors[6].der, a512, sizeof(a512));
	size_t slen, len;
	const char *reason = NULL;

	/* PKCS#1 SHA-256 signature labelled SHA-384 */
	slen = openssl_sign(k, "SHA256", false, sig, sizeof(sig));
	wrap(a384, n384, sig, slen, auth, &len);
	ck_assert_int_eq(sign_verify_auth_data(k, auth, len, octets, sizeof(octets), &reason),
			 SIGN_ERR_BAD_SIGNATURE);
	/* PSS signature labelled PKCS#1 */
	slen = openssl_sign(k, "SHA256", true, sig, sizeof(sig));
	wrap(a256, n256, sig, slen, auth, &len);
	ck_assert_int_eq(sign_verify_auth_data(k, auth, len, octets, sizeof(octets), &reason),
			 SIGN_ERR_BAD_SIGNATURE);
	/* ECDSA SHA-256 signature labelled SHA-512 */
	slen = openssl_sign(e, "SHA256", false, sig, sizeof(sig));
	wrap(a512, n512, sig, slen, auth, &len);
	ck_assert_int_eq(sign_verify_auth_data(e, auth, len, octets, sizeof(octets), &reason),
			 SIGN_ERR_BAD_SIGNATURE);
	/* an unknown algorithm (md5WithRSAEncryption) */
	n256 = unhex(algid_bad[0].der, a256, sizeof(a256));
	wrap(a256, n256, sig, slen, auth, &len);
	ck_assert_int_eq(sign_verify_auth_data(k, auth, len, octets, sizeof(octets), &reason),
			 SIGN_ERR_UNKNOWN_ALG);
	pubkey_free(k);
	pubkey_free(e);
}
END_TEST

static const struct {
	const char *key;
	uint8_t method;
	size_t sig_len;
} classic_cases[] = {
	{ FIX "gw.key", AUTH_RSA_SIG, 256 },
	{ FIX "rw.key", AUTH_ECDSA_256, 64 },
	{ FIX "p384.key", AUTH_ECDSA_384, 96 },
	{ FIX "leaf.key", AUTH_ECDSA_521, 132 },
};

START_TEST(classic_methods_round_trip)
{
	for (size_t i = 0; i < sizeof(classic_cases) / sizeof(classic_cases[0]); i++) {
		EVP_PKEY *k = load_priv(classic_cases[i].key), *pub = public_of(k);
		struct chunk sig;
		const char *reason = NULL;
		uint8_t other = classic_cases[i].method == AUTH_ECDSA_256 ? AUTH_ECDSA_384
									  : AUTH_ECDSA_256;

		ck_assert_uint_eq(sign_classic_method(k), classic_cases[i].method);
		ck_assert_int_eq(sign_classic(k, classic_cases[i].method, octets, sizeof(octets),
					      &sig, &reason), SIGN_OK);
		ck_assert_uint_eq(sig.len, classic_cases[i].sig_len);
		ck_assert_int_eq(sign_verify_classic(pub, classic_cases[i].method, sig.ptr, sig.len,
						     octets, sizeof(octets), &reason), SIGN_OK);
		ck_assert_int_eq(sign_verify_classic(pub, other, sig.ptr, sig.len,
						     octets, sizeof(octets), &reason),
				 SIGN_ERR_KEY_MISMATCH);
		ck_assert_int_eq(sign_verify_classic(pub, classic_cases[i].method, sig.ptr,
						     sig.len - 1, octets, sizeof(octets), &reason),
				 SIGN_ERR_BAD_SIGNATURE);
		sig.ptr[3] ^= 0x10;
		ck_assert_int_eq(sign_verify_classic(pub, classic_cases[i].method, sig.ptr, sig.len,
						     octets, sizeof(octets), &reason),
				 SIGN_ERR_BAD_SIGNATURE);
		chunk_free(&sig);
		pubkey_free(pub);
		pubkey_free(k);
	}
}
END_TEST

/* r||s from sign_classic must be the DER signature's integers, checked by
 * OpenSSL's own verify after converting back by hand. */
START_TEST(classic_ecdsa_is_fixed_width_r_s)
{
	EVP_PKEY *k = load_priv(FIX "leaf.key");
	struct chunk sig;
	const char *reason = NULL;
	ECDSA_SIG *es = ECDSA_SIG_new();
	unsigned char *der = NULL;
	int dlen;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	ck_assert_int_eq(sign_classic(k, AUTH_ECDSA_521, octets, sizeof(octets), &sig, &reason), SIGN_OK);
	ck_assert(ECDSA_SIG_set0(es, BN_bin2bn(sig.ptr, 66, NULL), BN_bin2bn(sig.ptr + 66, 66, NULL)));
	dlen = i2d_ECDSA_SIG(es, &der);
	ck_assert_int_gt(dlen, 0);
	ck_assert_int_eq(EVP_DigestVerifyInit_ex(ctx, NULL, "SHA512", NULL, NULL, k, NULL), 1);
	ck_assert_int_eq(EVP_DigestVerify(ctx, der, (size_t)dlen, octets, sizeof(octets)), 1);
	/* and an EdDSA key has no classic method */
	pubkey_free(k);
	k = load_priv(FIX "ed25519.key");
	ck_assert_uint_eq(sign_classic_method(k), 0);
	chunk_free(&sig);
	ck_assert_int_eq(sign_classic(k, AUTH_ECDSA_256, octets, sizeof(octets), &sig, &reason),
			 SIGN_ERR_KEY_MISMATCH);
	ck_assert_int_eq(sign_classic(k, AUTH_SHARED_KEY_MIC, octets, sizeof(octets), &sig, &reason),
			 SIGN_ERR_UNKNOWN_ALG);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	pubkey_free(k);
}
END_TEST

START_TEST(hash_negotiation_table)
{
	static const struct {
		const char *key;
		const char *peer;	/* notify data, hex */
		uint16_t want;
	} t[] = {
		{ FIX "gw.key", "0002 0003 0004", HASH_SHA2_256 },
		{ FIX "gw.key", "0004 0003", HASH_SHA2_384 },
		{ FIX "gw.key", "0001 0005", 0 },	/* never SHA-1 */
		{ FIX "rw.key", "0004 0003 0002 0005", HASH_SHA2_256 },
		{ FIX "rw.key", "0004", HASH_SHA2_512 },
		{ FIX "p384.key", "0002 0003 0004", HASH_SHA2_384 },
		{ FIX "p384.key", "0002 0004", HASH_SHA2_512 },
		{ FIX "p384.key", "0002", HASH_SHA2_256 },
		{ FIX "leaf.key", "0002 0003 0004", HASH_SHA2_512 },
		{ FIX "leaf.key", "0002 0003", HASH_SHA2_384 },
		{ FIX "ed25519.key", "0002 0003 0004 0005", HASH_IDENTITY },
		{ FIX "ed25519.key", "0002 0003 0004", 0 },
		{ FIX "ed448.key", "0005", HASH_IDENTITY },
		{ FIX "gw.key", "", 0 },
		{ FIX "gw.key", "0007 fffe 0002", HASH_SHA2_256 },	/* unknown ids skipped */
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		EVP_PKEY *k = load_priv(t[i].key);
		uint8_t data[32];
		uint16_t ids[8];
		size_t n = unhex(t[i].peer, data, sizeof(data)), nids;
		const char *reason = NULL;

		ck_assert(sigalg_parse_hash_notify(data, n, ids, 8, &nids, &reason));
		ck_assert_msg(sigalg_pick_hash(k, ids, nids) == t[i].want, "case %zu", i);
		pubkey_free(k);
	}
}
END_TEST

START_TEST(hash_notify_build_and_parse)
{
	static const uint8_t want[] = { 0, 2, 0, 3, 0, 4, 0, 5 };
	static const uint8_t odd[] = { 0, 2, 0 };
	static const uint8_t dup[] = { 0, 2, 0, 2, 0, 3 };
	struct chunk c;
	uint16_t ids[8];
	size_t n;
	const char *reason = NULL;

	ck_assert(sigalg_build_hash_notify(&c));
	ck_assert_uint_eq(c.len, sizeof(want));
	ck_assert(!memcmp(c.ptr, want, sizeof(want)));
	ck_assert(sigalg_parse_hash_notify(c.ptr, c.len, ids, 8, &n, &reason));
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(ids[3], HASH_IDENTITY);
	ck_assert(!sigalg_parse_hash_notify(odd, sizeof(odd), ids, 8, &n, &reason));
	ck_assert(sigalg_parse_hash_notify(dup, sizeof(dup), ids, 8, &n, &reason));
	ck_assert_uint_eq(n, 2);
	ck_assert(sigalg_parse_hash_notify(dup, sizeof(dup), ids, 1, &n, &reason));
	ck_assert_uint_eq(n, 1);
	chunk_free(&c);
}
END_TEST

static bool read_file(const char *path, struct chunk *out)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[16384];
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return chunk_dup(out, buf, n);
}

START_TEST(key_loading_formats)
{
	static const char *same_rsa[] = { FIX "gw.key", FIX "gw-trad.key", FIX "gw-key.der" };
	static const char *same_ec[] = { FIX "rw.key", FIX "rw-trad.key", FIX "rw-key.der" };
	EVP_PKEY *ref = load_priv(FIX "gw.key"), *ref_ec = load_priv(FIX "rw.key"), *k;
	struct chunk c;
	const char *reason = NULL;
	static const uint8_t junk[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";

	for (size_t i = 0; i < 3; i++) {
		k = load_priv(same_rsa[i]);
		ck_assert(pubkey_equal(k, ref));
		ck_assert(pubkey_has_private(k));
		pubkey_free(k);
		ck_assert(read_file(same_ec[i], &c));
		k = pubkey_load_private_mem(c.ptr, c.len, &reason);
		ck_assert_msg(k != NULL, "%s: %s", same_ec[i], reason);
		ck_assert(pubkey_equal(k, ref_ec));
		ck_assert(!pubkey_equal(k, ref));
		pubkey_free(k);
		chunk_free(&c);
	}
	/* a public key is not a private key, and the reverse loader takes it */
	ck_assert(read_file(FIX "gw-pub.pem", &c));
	ck_assert_ptr_null(pubkey_load_private_mem(c.ptr, c.len, &reason));
	k = pubkey_load_public_mem(c.ptr, c.len, &reason);
	ck_assert(k && pubkey_equal(k, ref) && !pubkey_has_private(k));
	pubkey_free(k);
	chunk_free(&c);
	ck_assert_ptr_null(pubkey_load_private_mem(junk, sizeof(junk) - 1, &reason));
	ck_assert_ptr_null(pubkey_load_private_mem(junk, 0, &reason));
	ck_assert_ptr_null(pubkey_load_private_file(FIX "does-not-exist.key", &reason));
	ck_assert_ptr_null(pubkey_load_private_file(FIX "gw.crt", &reason));
	/* encrypted keys are refused, never prompted for */
	ck_assert_ptr_null(pubkey_load_private_file(FIX "rw-enc.key", &reason));
	ck_assert_str_eq(pubkey_type_name(pubkey_type(ref)), "RSA");
	pubkey_free(ref);
	pubkey_free(ref_ec);
}
END_TEST

/* The key id equals `openssl x509 -pubkey | openssl pkey -pubin -outform
 * DER | sha1` (computed by gen.sh into *.keyid), from the private key too. */
START_TEST(keyid_matches_openssl_cli)
{
	static const char *names[] = { "ca-rsa", "ca-ecdsa", "int-ca" };

	for (size_t i = 0; i < 3; i++) {
		char path[128], hex[64] = { 0 };
		uint8_t want[20], got[20];
		EVP_PKEY *k;
		FILE *f;

		snprintf(path, sizeof(path), FIX "%s.keyid", names[i]);
		f = fopen(path, "r");
		ck_assert(f && fgets(hex, sizeof(hex), f));
		fclose(f);
		ck_assert_uint_eq(unhex(hex, want, sizeof(want)), 20);
		snprintf(path, sizeof(path), FIX "%s.key", names[i]);
		k = load_priv(path);
		ck_assert(pubkey_keyid(k, got));
		ck_assert(!memcmp(got, want, 20));
		pubkey_free(k);
	}
}
END_TEST

static Suite *sign_suite(void)
{
	Suite *s = suite_create("sign");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, algid_matches_rfc7427_bytes);
	tcase_add_test(tc, algid_pss_sha384_sha512_round_trip);
	tcase_add_test(tc, algid_rejects_bad_encodings);
	tcase_add_test(tc, auth_data_round_trip_all_schemes);
	tcase_add_test(tc, auth_data_rejects_wrong_key);
	tcase_add_test(tc, verifies_independent_openssl_signatures);
	tcase_add_test(tc, rejects_wrong_algorithm_identifier);
	tcase_add_test(tc, classic_methods_round_trip);
	tcase_add_test(tc, classic_ecdsa_is_fixed_width_r_s);
	tcase_add_test(tc, hash_negotiation_table);
	tcase_add_test(tc, hash_notify_build_and_parse);
	tcase_add_test(tc, key_loading_formats);
	tcase_add_test(tc, keyid_matches_openssl_cli);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sign_suite)
