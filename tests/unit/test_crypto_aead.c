/* Encryption with integrity: AES-GCM (McGrew & Viega test cases 3, 4, 15,
 * 16 in the RFC 4106 salt | IV split), ChaCha20-Poly1305 (RFC 8439 2.8.2,
 * also through raw EVP, and the RFC 7634 appendix ESP and IKEv2 examples),
 * AES-CBC (RFC 3602 cases 1-4, NIST SP 800-38A F.2.5) with HMAC integrity,
 * tampering and length checks. */
#include "check_main.h"
#include "crypto/aead.h"
#include "crypto/integ.h"
#include "crypto/rng.h"
#include "ike/iana.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#define GCM_KEY "feffe9928665731c6d6a8f9467308308"
#define GCM_PLAIN60 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
		    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define GCM_AAD "feedfacedeadbeeffeedfacedeadbeefabaddad2"
#define CHACHA_KEY "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
#define SUNSCREEN "Ladies and Gentlemen of the class of '99: If I could offer you " \
		  "only one tip for the future, sunscreen would be it."

struct aead_vec {
	const char *name;
	struct aead_alg alg;
	const char *key;	/* incl. the 4-byte salt for combined mode */
	const char *iv, *aad;
	const char *plain_hex, *plain_text;
	const char *cipher;
	const char *icv;	/* NULL: CBC, checked against integ_compute */
};

static const struct aead_vec aead_vecs[] = {
	{ "GCM test case 3", { ENCR_AES_GCM_16, 128, AUTH_NONE },
	  GCM_KEY "cafebabe", "facedbaddecaf888", "", GCM_PLAIN60 "1aafd255", NULL,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	  "4d5c2af327cd64a62cf35abd2ba6fab4" },
	{ "GCM test case 4", { ENCR_AES_GCM_16, 128, AUTH_NONE },
	  GCM_KEY "cafebabe", "facedbaddecaf888", GCM_AAD, GCM_PLAIN60, NULL,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	{ "GCM test case 15", { ENCR_AES_GCM_16, 256, AUTH_NONE },
	  GCM_KEY GCM_KEY "cafebabe", "facedbaddecaf888", "", GCM_PLAIN60 "1aafd255", NULL,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	  "b094dac5d93471bdec1a502270e3cc6c" },
	{ "GCM test case 16", { ENCR_AES_GCM_16, 256, AUTH_NONE },
	  GCM_KEY GCM_KEY "cafebabe", "facedbaddecaf888", GCM_AAD, GCM_PLAIN60, NULL,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
	/* RFC 8439 2.8.2: nonce 07000000 | 4041424344454647 = salt | IV */
	{ "RFC 8439 2.8.2", { ENCR_CHACHA20_POLY1305, 256, AUTH_NONE },
	  CHACHA_KEY "07000000", "4041424344454647", "50515253c0c1c2c3c4c5c6c7",
	  NULL, SUNSCREEN,
	  "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	  "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	  "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	  "3ff4def08e4b7a9de576d26586cec64b6116",
	  "1ae10b594f09e26a7e902ecbd0600691" },
	/* RFC 7634 appendix A (ESP) and B (IKEv2) */
	{ "RFC 7634 A", { ENCR_CHACHA20_POLY1305, 256, AUTH_NONE },
	  CHACHA_KEY "a0a1a2a3", "1011121314151617", "0102030400000005",
	  "45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec10"
	  "0007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
	  "2425262728292a2b2c2d2e2f303132333435363701020204", NULL,
	  "24039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c6"
	  "14ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3"
	  "cbec163fac469b502773f6fb94e664da9165b82829f641e0",
	  "76aaa8266b7fb0f7b11b369907e1ad43" },
	{ "RFC 7634 B", { ENCR_CHACHA20_POLY1305, 256, AUTH_NONE },
	  CHACHA_KEY "a0a1a2a3", "1011121314151617",
	  "c0c1c2c3c4c5c6c7d0d1d2d3d4d5d6d72e202500000000090000004529000029",
	  "0000000c000040010000000a00", NULL,
	  "610394701f8d017f7c12924889",
	  "6b71bfe25236efd7cdc67066906315b2" },
	/* RFC 3602 4 cases 1-4 (AES-128), SP 800-38A F.2.5 (AES-256); the
	 * aad stands for an ESP SPI | sequence number. */
	{ "RFC 3602 case 1", { ENCR_AES_CBC, 128, AUTH_HMAC_SHA1_96 },
	  "06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41",
	  "0000100000000001", NULL, "Single block msg",
	  "e353779c1079aeb82708942dbe77181a", NULL },
	{ "RFC 3602 case 2", { ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_256_128 },
	  "c286696d887c9aa0611bbb3e2025a45a", "562e17996d093d28ddb3ba695a2e6f58",
	  "0000100000000002",
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", NULL,
	  "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1", NULL },
	{ "RFC 3602 case 3", { ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_384_192 },
	  "6c3ea0477630ce21a2ce334aa746c2cd", "c782dc4c098c66cbd9cd27d825682c81",
	  "", NULL, "This is a 48-byte message (exactly 3 AES blocks)",
	  "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
	  "021c19216bad525c8579695d83ba2684", NULL },
	{ "RFC 3602 case 4", { ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_512_256 },
	  "56e47a38c5598974bc46903dba290349", "8ce82eefbea0da3c44699ed7db51b7d9",
	  "0000100000000004",
	  "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf", NULL,
	  "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
	  "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55", NULL },
	{ "SP 800-38A F.2.5", { ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128 },
	  "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
	  "000102030405060708090a0b0c0d0e0f", "0000100000000005",
	  "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	  "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710", NULL,
	  "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
	  "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b", NULL },
};

#define MAXB 300

static size_t bytes_of(const char *hex, const char *text, uint8_t *out, size_t max)
{
	if (hex)
		return test_unhex(hex, out, max);
	memcpy(out, text, strlen(text));
	return strlen(text);
}

/* A fixed, non-trivial integrity key for the CBC vectors. */
static void fill_pattern(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + 7 * i);
}

START_TEST(aead_vectors)
{
	const struct aead_vec *v = &aead_vecs[_i];
	uint8_t key[64], ikey[INTEG_MAX_KEY], iv[16], aad[64], plain[MAXB], want[MAXB];
	uint8_t out[MAXB], back[MAXB], icv[AEAD_MAX_ICV], want_icv[AEAD_MAX_ICV];
	size_t klen = test_unhex(v->key, key, sizeof(key));
	size_t ivlen = test_unhex(v->iv, iv, sizeof(iv));
	size_t alen = test_unhex(v->aad, aad, sizeof(aad));
	size_t plen = bytes_of(v->plain_hex, v->plain_text, plain, sizeof(plain));
	size_t clen = test_unhex(v->cipher, want, sizeof(want));
	size_t iklen = aead_integ_key_len(&v->alg), icvlen = aead_icv_len(&v->alg);
	struct aead *enc, *dec;

	ck_assert_msg(aead_supported(&v->alg), "%s", v->name);
	ck_assert_uint_eq(klen, aead_encr_key_len(&v->alg));
	ck_assert_uint_eq(ivlen, aead_iv_len(&v->alg));
	ck_assert_uint_eq(plen, clen);
	fill_pattern(ikey, iklen, (uint8_t)_i);
	if (v->icv) {
		ck_assert_uint_eq(test_unhex(v->icv, want_icv, sizeof(want_icv)), icvlen);
	} else {
		/* Encrypt-then-MAC: ICV = trunc(HMAC(K_a, aad | iv | ciphertext)) */
		struct integ *in = integ_create(v->alg.integ);

		ck_assert(in && integ_set_key(in, ikey, iklen));
		ck_assert(integ_begin(in) && integ_update(in, aad, alen) &&
			  integ_update(in, iv, ivlen) && integ_update(in, want, clen) &&
			  integ_final(in, want_icv));
		integ_free(in);
	}
	enc = aead_create(&v->alg, true, key, klen, iklen ? ikey : NULL, iklen);
	dec = aead_create(&v->alg, false, key, klen, iklen ? ikey : NULL, iklen);
	ck_assert(enc && dec);
	/* twice: the reused context must not carry state between packets */
	for (int round = 0; round < 2; round++) {
		memset(out, 0, sizeof(out));
		memset(icv, 0, sizeof(icv));
		ck_assert(aead_encrypt(enc, iv, aad, alen, plain, plen, out, icv));
		ck_assert_msg(memcmp(out, want, clen) == 0, "%s ciphertext", v->name);
		ck_assert_msg(memcmp(icv, want_icv, icvlen) == 0, "%s icv", v->name);
		ck_assert(aead_decrypt(dec, iv, aad, alen, out, clen, back, icv));
		ck_assert_msg(memcmp(back, plain, plen) == 0, "%s decrypt", v->name);
	}
	/* in place */
	memcpy(out, plain, plen);
	ck_assert(aead_encrypt(enc, iv, aad, alen, out, plen, out, icv));
	ck_assert(memcmp(out, want, clen) == 0);
	ck_assert(aead_decrypt(dec, iv, aad, alen, out, clen, out, icv));
	ck_assert(memcmp(out, plain, plen) == 0);
	aead_free(enc);
	aead_free(dec);
}
END_TEST

/* RFC 8439 2.8.2 straight through EVP, to show the vector is the raw
 * AEAD construction and the API only splits the nonce. */
START_TEST(aead_chacha_raw_evp)
{
	const struct aead_vec *v = &aead_vecs[4];
	uint8_t key[36], nonce[12], aad[12], want[MAXB], out[MAXB], tag[16], want_tag[16];
	size_t alen = test_unhex(v->aad, aad, sizeof(aad));
	size_t clen = test_unhex(v->cipher, want, sizeof(want));
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	OSSL_PARAM p[2] = {
		OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, 16),
		OSSL_PARAM_construct_end(),
	};
	int n = 0, fin = 0;

	test_unhex(v->key, key, sizeof(key));
	test_unhex("070000004041424344454647", nonce, sizeof(nonce));
	test_unhex(v->icv, want_tag, sizeof(want_tag));
	ck_assert(c && ctx);
	ck_assert(EVP_EncryptInit_ex2(ctx, c, key, nonce, NULL) == 1);
	ck_assert(EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)alen) == 1);
	ck_assert(EVP_EncryptUpdate(ctx, out, &n, (const uint8_t *)SUNSCREEN,
				    (int)strlen(SUNSCREEN)) == 1);
	ck_assert(EVP_EncryptFinal_ex(ctx, out + n, &fin) == 1);
	ck_assert_uint_eq((size_t)(n + fin), clen);
	ck_assert(EVP_CIPHER_CTX_get_params(ctx, p) == 1);
	ck_assert(memcmp(out, want, clen) == 0);
	ck_assert(memcmp(tag, want_tag, 16) == 0);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
}
END_TEST

static const struct aead_alg all_algs[] = {
	{ ENCR_AES_GCM_16, 128, AUTH_NONE },
	{ ENCR_AES_GCM_16, 256, AUTH_NONE },
	{ ENCR_CHACHA20_POLY1305, 256, AUTH_NONE },
	{ ENCR_AES_CBC, 128, AUTH_HMAC_SHA1_96 },
	{ ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_256_128 },
	{ ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_384_192 },
	{ ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_512_256 },
};
#define N_ALGS (sizeof(all_algs) / sizeof(all_algs[0]))

struct pair {
	struct aead *enc, *dec;
	uint8_t iv[16], aad[24], plain[64], cipher[64], icv[AEAD_MAX_ICV];
	size_t ivlen, icvlen;
};

static void pair_setup(struct pair *p, const struct aead_alg *alg)
{
	uint8_t key[64], ikey[INTEG_MAX_KEY];
	size_t klen = aead_encr_key_len(alg), iklen = aead_integ_key_len(alg);

	ck_assert(rng_bytes(key, klen) && rng_bytes(ikey, iklen));
	ck_assert(rng_bytes(p->iv, sizeof(p->iv)) && rng_bytes(p->aad, sizeof(p->aad)) &&
		  rng_bytes(p->plain, sizeof(p->plain)));
	p->enc = aead_create(alg, true, key, klen, ikey, iklen);
	p->dec = aead_create(alg, false, key, klen, ikey, iklen);
	ck_assert(p->enc && p->dec);
	p->ivlen = aead_iv_len(alg);
	p->icvlen = aead_icv_len(alg);
	ck_assert(aead_encrypt(p->enc, p->iv, p->aad, sizeof(p->aad), p->plain,
			       sizeof(p->plain), p->cipher, p->icv));
}

static void pair_free(struct pair *p)
{
	aead_free(p->enc);
	aead_free(p->dec);
}

static bool pair_decrypts(struct pair *p)
{
	uint8_t out[64];
	bool ok;

	memset(out, 0xa5, sizeof(out));
	ok = aead_decrypt(p->dec, p->iv, p->aad, sizeof(p->aad), p->cipher,
			  sizeof(p->cipher), out, p->icv);
	if (ok) {
		ck_assert(memcmp(out, p->plain, sizeof(out)) == 0);
	} else {
		for (size_t i = 0; i < sizeof(out); i++)	/* nothing released */
			ck_assert_uint_eq(out[i], 0);
	}
	return ok;
}

/* Any flipped bit in ciphertext, AAD, IV or ICV makes decryption fail. */
START_TEST(aead_detects_tampering)
{
	struct pair p;
	struct { uint8_t *buf; size_t len; const char *what; } f[4];

	pair_setup(&p, &all_algs[_i]);
	f[0].buf = p.cipher; f[0].len = sizeof(p.cipher); f[0].what = "ciphertext";
	f[1].buf = p.aad; f[1].len = sizeof(p.aad); f[1].what = "aad";
	f[2].buf = p.iv; f[2].len = p.ivlen; f[2].what = "iv";
	f[3].buf = p.icv; f[3].len = p.icvlen; f[3].what = "icv";
	ck_assert(pair_decrypts(&p));
	for (size_t k = 0; k < 4; k++) {
		/* first, last and a middle bit of each field */
		size_t bits[3] = { 0, f[k].len * 8 - 1, f[k].len * 4 + 3 };

		for (size_t b = 0; b < 3; b++) {
			f[k].buf[bits[b] / 8] ^= (uint8_t)(1u << (bits[b] % 8));
			ck_assert_msg(!pair_decrypts(&p), "alg %d: %s bit %zu",
				      _i, f[k].what, bits[b]);
			f[k].buf[bits[b] / 8] ^= (uint8_t)(1u << (bits[b] % 8));
		}
	}
	/* a shorter AAD (header cut off) fails too */
	{
		uint8_t out[64];

		ck_assert(!aead_decrypt(p.dec, p.iv, p.aad, sizeof(p.aad) - 1, p.cipher,
					sizeof(p.cipher), out, p.icv));
	}
	ck_assert(pair_decrypts(&p));	/* and the object still works */
	pair_free(&p);
}
END_TEST

START_TEST(aead_rejects_bad_lengths_and_direction)
{
	const struct aead_alg *alg = &all_algs[_i];
	struct pair p;
	uint8_t out[64], icv[AEAD_MAX_ICV], key[80] = { 0 };
	size_t klen = aead_encr_key_len(alg), iklen = aead_integ_key_len(alg);

	pair_setup(&p, alg);
	/* wrong direction */
	ck_assert(!aead_decrypt(p.enc, p.iv, p.aad, sizeof(p.aad), p.cipher, 64, out, p.icv));
	ck_assert(!aead_encrypt(p.dec, p.iv, p.aad, sizeof(p.aad), p.plain, 64, out, icv));
	/* CBC needs whole blocks */
	if (aead_block_size(alg) == 16) {
		ck_assert(!aead_encrypt(p.enc, p.iv, NULL, 0, p.plain, 15, out, icv));
		ck_assert(!aead_decrypt(p.dec, p.iv, NULL, 0, p.cipher, 33, out, p.icv));
	} else {
		/* combined mode: any length, also empty plaintext (AAD only) */
		ck_assert(aead_encrypt(p.enc, p.iv, p.aad, sizeof(p.aad), p.plain, 13, out, icv));
		ck_assert(aead_decrypt(p.dec, p.iv, p.aad, sizeof(p.aad), out, 13, out, icv));
		ck_assert(memcmp(out, p.plain, 13) == 0);
		ck_assert(aead_encrypt(p.enc, p.iv, p.aad, sizeof(p.aad), NULL, 0, out, icv));
		ck_assert(aead_decrypt(p.dec, p.iv, p.aad, sizeof(p.aad), NULL, 0, out, icv));
		icv[0] ^= 1;
		ck_assert(!aead_decrypt(p.dec, p.iv, p.aad, sizeof(p.aad), NULL, 0, out, icv));
	}
	/* wrong key lengths */
	ck_assert_ptr_null(aead_create(alg, true, key, klen - 1, key, iklen));
	ck_assert_ptr_null(aead_create(alg, true, key, klen + 1, key, iklen));
	ck_assert_ptr_null(aead_create(alg, true, key, klen, key, iklen + 1));
	if (iklen) {
		ck_assert_ptr_null(aead_create(alg, true, key, klen, key, iklen - 1));
		ck_assert_ptr_null(aead_create(alg, true, key, klen, NULL, iklen));
	}
	ck_assert_ptr_null(aead_create(alg, true, NULL, klen, key, iklen));
	pair_free(&p);
}
END_TEST

/* RFC 4303 3.3.2.1: with ESN the ICV of cipher + MAC transforms also
 * covers the (unsent) high 32 sequence bits after the ciphertext. */
START_TEST(aead_esn_trailer)
{
	const struct aead_alg *alg = &all_algs[_i];
	struct pair p;
	uint8_t out[64], icv[AEAD_MAX_ICV], want[AEAD_MAX_ICV], ikey[INTEG_MAX_KEY];
	static const uint8_t hi[4] = { 0x01, 0x02, 0x03, 0x04 };

	pair_setup(&p, alg);
	if (aead_is_combined(alg->encr)) {
		ck_assert(!aead_encrypt_esn(p.enc, p.iv, p.aad, 8, p.plain, 64, 1, out, icv));
		ck_assert(!aead_decrypt_esn(p.dec, p.iv, p.aad, 8, p.cipher, 64, 1, out, p.icv));
		pair_free(&p);
		return;
	}
	ck_assert(aead_encrypt_esn(p.enc, p.iv, p.aad, 8, p.plain, 64, 0x01020304, out, icv));
	ck_assert(memcmp(out, p.cipher, 64) == 0);	/* same ciphertext ... */
	ck_assert(memcmp(icv, p.icv, p.icvlen) != 0);	/* ... other ICV */
	{
		/* recompute independently with a fresh integ object */
		uint8_t key[64];
		struct integ *in = integ_create(alg->integ);
		struct aead *e2;

		ck_assert(rng_bytes(key, sizeof(key)) && rng_bytes(ikey, sizeof(ikey)));
		e2 = aead_create(alg, true, key, aead_encr_key_len(alg), ikey,
				 aead_integ_key_len(alg));
		ck_assert(e2 && in && integ_set_key(in, ikey, aead_integ_key_len(alg)));
		ck_assert(aead_encrypt_esn(e2, p.iv, p.aad, 8, p.plain, 64, 0x01020304, out, icv));
		ck_assert(integ_begin(in) && integ_update(in, p.aad, 8) &&
			  integ_update(in, p.iv, p.ivlen) && integ_update(in, out, 64) &&
			  integ_update(in, hi, 4) && integ_final(in, want));
		ck_assert(memcmp(icv, want, p.icvlen) == 0);
		integ_free(in);
		aead_free(e2);
	}
	ck_assert(aead_encrypt_esn(p.enc, p.iv, p.aad, 8, p.plain, 64, 0x01020304, out, icv));
	ck_assert(aead_decrypt_esn(p.dec, p.iv, p.aad, 8, out, 64, 0x01020304, out, icv));
	ck_assert(memcmp(out, p.plain, 64) == 0);
	ck_assert(aead_encrypt_esn(p.enc, p.iv, p.aad, 8, p.plain, 64, 0x01020304, out, icv));
	ck_assert(!aead_decrypt_esn(p.dec, p.iv, p.aad, 8, out, 64, 0x01020305, out, icv));
	ck_assert(aead_encrypt_esn(p.enc, p.iv, p.aad, 8, p.plain, 64, 0, out, icv));
	ck_assert(!aead_decrypt(p.dec, p.iv, p.aad, 8, out, 64, out, icv));	/* no ESN */
	pair_free(&p);
}
END_TEST

START_TEST(aead_size_table)
{
	static const struct {
		struct aead_alg alg;
		size_t ekey, salt, ikey, iv, icv, block;
	} t[] = {
		{ { ENCR_AES_GCM_16, 128, AUTH_NONE }, 20, 4, 0, 8, 16, 1 },
		{ { ENCR_AES_GCM_16, 256, AUTH_NONE }, 36, 4, 0, 8, 16, 1 },
		{ { ENCR_CHACHA20_POLY1305, 256, AUTH_NONE }, 36, 4, 0, 8, 16, 1 },
		{ { ENCR_AES_CBC, 128, AUTH_HMAC_SHA1_96 }, 16, 0, 20, 16, 12, 16 },
		{ { ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128 }, 32, 0, 32, 16, 16, 16 },
		{ { ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_384_192 }, 16, 0, 48, 16, 24, 16 },
		{ { ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_512_256 }, 32, 0, 64, 16, 32, 16 },
		/* unsupported combinations */
		{ { ENCR_AES_GCM_16, 192, AUTH_NONE }, 0, 0, 0, 0, 0, 0 },
		{ { ENCR_AES_GCM_16, 128, AUTH_HMAC_SHA2_256_128 }, 0, 0, 0, 0, 0, 0 },
		{ { ENCR_CHACHA20_POLY1305, 128, AUTH_NONE }, 0, 0, 0, 0, 0, 0 },
		{ { ENCR_AES_CBC, 128, AUTH_NONE }, 0, 0, 0, 0, 0, 0 },
		{ { ENCR_AES_CBC, 192, AUTH_HMAC_SHA1_96 }, 0, 0, 0, 0, 0, 0 },
		{ { ENCR_AES_CBC, 128, AUTH_HMAC_MD5_96 }, 0, 0, 0, 0, 0, 0 },
		{ { ENCR_3DES, 192, AUTH_HMAC_SHA1_96 }, 0, 0, 0, 0, 0, 0 },
		{ { ENCR_AES_GCM_8, 128, AUTH_NONE }, 0, 0, 0, 0, 0, 0 },
		{ { ENCR_NULL, 0, AUTH_HMAC_SHA1_96 }, 0, 0, 0, 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct aead_alg *a = &t[i].alg;

		ck_assert_int_eq(aead_supported(a), t[i].ekey != 0);
		ck_assert_uint_eq(aead_encr_key_len(a), t[i].ekey);
		ck_assert_uint_eq(aead_salt_len(a), t[i].salt);
		ck_assert_uint_eq(aead_integ_key_len(a), t[i].ikey);
		ck_assert_uint_eq(aead_iv_len(a), t[i].iv);
		ck_assert_uint_eq(aead_icv_len(a), t[i].icv);
		ck_assert_uint_eq(aead_block_size(a), t[i].block);
		ck_assert(t[i].iv <= AEAD_MAX_IV && t[i].icv <= AEAD_MAX_ICV);
	}
	ck_assert(aead_is_combined(ENCR_AES_GCM_16));
	ck_assert(aead_is_combined(ENCR_CHACHA20_POLY1305));
	ck_assert(!aead_is_combined(ENCR_AES_CBC));
	aead_free(NULL);
}
END_TEST

START_TEST(rng_gives_fresh_bytes)
{
	struct chunk a, b;
	uint8_t z[1];

	ck_assert(rng_nonce(&a, 32) && rng_nonce(&b, 32));
	ck_assert_uint_eq(a.len, 32);
	ck_assert(!chunk_equal(&a, &b));
	ck_assert(rng_bytes(z, 0));
	chunk_free(&a);
	chunk_free(&b);
}
END_TEST

static Suite *aead_suite(void)
{
	Suite *s = suite_create("crypto_aead");
	TCase *tc = tcase_create("aead");

	tcase_add_loop_test(tc, aead_vectors, 0, sizeof(aead_vecs) / sizeof(aead_vecs[0]));
	tcase_add_test(tc, aead_chacha_raw_evp);
	tcase_add_loop_test(tc, aead_detects_tampering, 0, N_ALGS);
	tcase_add_loop_test(tc, aead_rejects_bad_lengths_and_direction, 0, N_ALGS);
	tcase_add_loop_test(tc, aead_esn_trailer, 0, N_ALGS);
	tcase_add_test(tc, aead_size_table);
	tcase_add_test(tc, rng_gives_fresh_bytes);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(aead_suite)
