/* ESP round trips per algorithm and mode, and known-answer tests against an
 * independent EVP computation of the packet. */
#include "esp_test_util.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

static void round_trip(const struct esp_test_alg *a, enum kernel_mode mode, bool esn,
		       int version)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 13, 14, 15, 16, 17, 100, 1400 };
	struct esp_sa *out, *in;
	uint8_t buf[ESP_TEST_BUFSZ], ref[ESP_TEST_BUFSZ];
	static uint8_t wire[ESP_TEST_BUFSZ], wire2[ESP_TEST_BUFSZ];
	struct esp_buf b;
	uint8_t sent = 0;

	esp_test_pair(a, mode, esn, &out, &in);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i], inlen, ct_len;
		uint8_t nh = 0;
		enum esp_result r;

		if (version == 0 && len == 0)
			continue;
		esp_test_inner(&b, buf, version, len);
		memcpy(ref, buf, sizeof(buf));
		inlen = b.len;
		r = esp_encap(out, &b, 6);
		ck_assert_msg(r == ESP_OK, "%s encap: %s", a->name, esp_result_name(r));
		/* on the wire: SPI, sequence number, IV, aligned ciphertext, ICV */
		ck_assert_uint_eq(b.off, ESP_TEST_HEADROOM - esp_headroom(out));
		ck_assert_uint_eq(buf[b.off] << 24 | buf[b.off + 1] << 16 |
				  buf[b.off + 2] << 8 | buf[b.off + 3], 0x12345678);
		ck_assert_uint_eq(buf[b.off + 7], ++sent);
		ct_len = b.len - 8 - out->crypto.iv_len - out->crypto.icv_len;
		ck_assert_uint_eq(ct_len % out->crypto.align, 0);
		ck_assert_uint_ge(ct_len, inlen + 2);
		ck_assert_uint_lt(ct_len, inlen + 2 + out->crypto.align);
		/* the clear text is not on the wire */
		if (inlen >= 16)
			ck_assert(memcmp(buf + b.off + 8 + out->crypto.iv_len,
					 ref + ESP_TEST_HEADROOM, 16) != 0);
		if (i % 2) {
			/* every other packet decrypted from elsewhere into buf
			 * (as ESP in UDP is): the source stays as it was */
			memcpy(wire, buf + b.off, b.len);
			memcpy(wire2, wire, b.len);
			memset(buf + b.off, 0xcc, b.len);
			b.src = wire;
		}
		r = esp_decap(in, &b, &nh);
		ck_assert_msg(r == ESP_OK, "%s decap: %s", a->name, esp_result_name(r));
		ck_assert_ptr_null(b.src);
		if (i % 2)
			ck_assert_mem_eq(wire, wire2, 8 + out->crypto.iv_len + ct_len +
				       out->crypto.icv_len);
		ck_assert_uint_eq(b.len, inlen);
		ck_assert_uint_eq(b.off, ESP_TEST_HEADROOM);
		ck_assert_mem_eq(buf + b.off, ref + ESP_TEST_HEADROOM, inlen);
		ck_assert_uint_eq(nh, version == 4 ? 4 : version == 6 ? 41 : 6);
	}
	ck_assert_uint_eq(out->stats.packets, in->stats.packets);
	ck_assert_uint_eq(out->stats.bytes, in->stats.bytes);
	ck_assert_uint_gt(in->stats.last_use, 0);
	ck_assert_uint_eq(out->seq_out, in->replay.top);
	esp_sa_free(out);
	esp_sa_free(in);
}

START_TEST(esp_round_trip_tunnel_ipv4)
{
	round_trip(&esp_test_algs[_i], KERNEL_MODE_TUNNEL, false, 4);
	round_trip(&esp_test_algs[_i], KERNEL_MODE_TUNNEL, true, 4);
}
END_TEST

START_TEST(esp_round_trip_tunnel_ipv6)
{
	round_trip(&esp_test_algs[_i], KERNEL_MODE_TUNNEL, false, 6);
	round_trip(&esp_test_algs[_i], KERNEL_MODE_TUNNEL, true, 6);
}
END_TEST

START_TEST(esp_round_trip_transport)
{
	round_trip(&esp_test_algs[_i], KERNEL_MODE_TRANSPORT, false, 0);
	round_trip(&esp_test_algs[_i], KERNEL_MODE_TRANSPORT, true, 0);
}
END_TEST

/* ESN: the sender crosses 2^32 and the receiver infers the high bits; the
 * authenticated-but-not-sent seq_hi must agree on both sides. */
START_TEST(esp_esn_crosses_2_32)
{
	const struct esp_test_alg *a = &esp_test_algs[_i];
	struct esp_sa *out, *in;
	uint8_t buf[ESP_TEST_BUFSZ];
	struct esp_buf b;
	uint8_t nh;

	esp_test_pair(a, KERNEL_MODE_TUNNEL, true, &out, &in);
	out->seq_out = 0xfffffff0u;
	ck_assert_int_eq(replay_update(&in->replay, 0xfffffff0u), REPLAY_OK);
	for (int i = 0; i < 40; i++) {
		esp_test_inner(&b, buf, 4, 50);
		ck_assert_int_eq(esp_encap(out, &b, 0), ESP_OK);
		ck_assert_int_eq(esp_decap(in, &b, &nh), ESP_OK);
	}
	ck_assert_uint_eq(in->replay.top, 0xfffffff0ull + 40);
	/* without ESN the sender refuses to cycle */
	esp_sa_free(out);
	esp_sa_free(in);
	esp_test_pair(a, KERNEL_MODE_TUNNEL, false, &out, &in);
	out->seq_out = 0xfffffffeu;
	esp_test_inner(&b, buf, 4, 50);
	ck_assert_int_eq(esp_encap(out, &b, 0), ESP_OK);
	esp_test_inner(&b, buf, 4, 50);
	ck_assert_int_eq(esp_encap(out, &b, 0), ESP_DROP_SEQ_EXHAUSTED);
	ck_assert_uint_eq(out->stats.drops[ESP_DROP_SEQ_EXHAUSTED], 1);
	ck_assert(out->hard_fired);
	esp_sa_free(out);
	esp_sa_free(in);
}
END_TEST

/* Known answer: build the expected packet with one-shot EVP calls from the
 * RFCs' definitions (nonce = salt || IV, IV = seq, AAD per RFC 4106 section 5)
 * and compare with what esp_encap produced. */
static void aead_kat(const struct esp_test_alg *a, struct esp_sa *out, struct esp_sa *in,
		     bool esn, uint64_t seq, size_t payload)
{
	uint8_t buf[ESP_TEST_BUFSZ], want[ESP_TEST_BUFSZ], pt[ESP_TEST_BUFSZ];
	uint8_t nonce[12], aad[12], tag[16];
	const char *cname = a->encr == ENCR_CHACHA20_POLY1305 ? "ChaCha20-Poly1305" :
			    a->ekey_len == 20 ? "AES-128-GCM" :
			    a->ekey_len == 28 ? "AES-192-GCM" : "AES-256-GCM";
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cname, NULL);
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	struct esp_buf b;
	size_t n = 0, aadn, ptn, pad = 0;
	uint8_t nh;
	int l;

	out->seq_out = seq - 1;
	esp_test_inner(&b, buf, 4, payload);
	memcpy(pt, buf + b.off, b.len);
	ptn = b.len;
	while ((ptn + pad + 2) % 4)
		pad++;
	for (size_t i = 0; i < pad; i++)
		pt[ptn++] = (uint8_t)(i + 1);
	pt[ptn++] = (uint8_t)pad;
	pt[ptn++] = 4;
	ck_assert_int_eq(esp_encap(out, &b, 0), ESP_OK);

	/* header */
	want[n++] = 0x12; want[n++] = 0x34; want[n++] = 0x56; want[n++] = 0x78;
	for (int i = 3; i >= 0; i--)
		want[n++] = (uint8_t)(seq >> (8 * i));
	memcpy(nonce, esp_test_ekey + a->ekey_len - 4, 4);
	for (int i = 0; i < 8; i++)
		want[n++] = nonce[4 + i] = (uint8_t)(seq >> (56 - 8 * i));
	memcpy(aad, want, 4);
	if (esn) {
		for (int i = 0; i < 8; i++)
			aad[4 + i] = (uint8_t)(seq >> (56 - 8 * i));
		aadn = 12;
	} else {
		memcpy(aad + 4, want + 4, 4);
		aadn = 8;
	}
	ck_assert(EVP_EncryptInit_ex2(x, c, esp_test_ekey, nonce, NULL));
	ck_assert(EVP_EncryptUpdate(x, NULL, &l, aad, (int)aadn));
	ck_assert(EVP_EncryptUpdate(x, want + n, &l, pt, (int)ptn));
	n += (size_t)l;
	ck_assert(EVP_EncryptFinal_ex(x, want + n, &l));
	ck_assert(EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, tag));
	memcpy(want + n, tag, 16);
	n += 16;
	ck_assert_uint_eq(b.len, n);
	ck_assert_mem_eq(buf + b.off, want, n);
	ck_assert_msg(esp_decap(in, &b, &nh) == ESP_OK, "%s seq %llx", a->name,
		      (unsigned long long)seq);
	ck_assert_uint_eq(b.len, payload + 20);
	EVP_CIPHER_CTX_free(x);
	EVP_CIPHER_free(c);
}

/* Packets of one SA in a row: the nonce must follow the sequence number
 * through consecutive packets, jumps (an HA node setting the number) and
 * the ESN carry. */
START_TEST(esp_aead_known_answer)
{
	static const uint64_t plain[] = { 1, 2, 3, 0x01020304, 0x01020305, 0xfffffffe };
	static const uint64_t esn[] = { 0x00000005fffffffeull, 0x00000005ffffffffull,
					0x0000000600000000ull, 0x0000000600000040ull };
	struct esp_sa *out, *in;

	for (int i = 0; i < 4; i++) {	/* the AEAD rows of the table */
		const struct esp_test_alg *a = &esp_test_algs[i];

		esp_test_pair(a, KERNEL_MODE_TUNNEL, false, &out, &in);
		for (size_t k = 0; k < sizeof(plain) / sizeof(plain[0]); k++)
			aead_kat(a, out, in, false, plain[k], 17 + 16 * k);
		esp_sa_free(out);
		esp_sa_free(in);
		esp_test_pair(a, KERNEL_MODE_TUNNEL, true, &out, &in);
		ck_assert_int_eq(replay_update(&in->replay, esn[0] - 1), REPLAY_OK);
		for (size_t k = 0; k < sizeof(esn) / sizeof(esn[0]); k++)
			aead_kat(a, out, in, true, esn[k], 17 + 16 * k);
		esp_sa_free(out);
		esp_sa_free(in);
	}
}
END_TEST

/* CBC: the IV is random, so take it from the packet and recompute the rest:
 * ciphertext = AES-CBC(IV, payload || pad || padlen || nh), ICV =
 * HMAC(SPI | seq | IV | ct [| seq_hi]) truncated (RFC 4303 2.2.1, RFC 4868). */
static void cbc_kat(const struct esp_test_alg *a, bool esn, uint64_t seq)
{
	struct esp_sa *out, *in;
	uint8_t buf[ESP_TEST_BUFSZ], pt[ESP_TEST_BUFSZ], want[ESP_TEST_BUFSZ];
	uint8_t mac[64], hi[4];
	const char *cname = a->ekey_len == 16 ? "AES-128-CBC" :
			    a->ekey_len == 24 ? "AES-192-CBC" : "AES-256-CBC";
	const char *md = a->integ == AUTH_HMAC_SHA2_256_128 ? "SHA256" :
			 a->integ == AUTH_HMAC_SHA2_384_192 ? "SHA384" : "SHA512";
	size_t icv = a->ikey_len / 2, ptn, pad = 0, n, macn;
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cname, NULL);
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *mc = EVP_MAC_CTX_new(m);
	OSSL_PARAM p[2] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md, 0),
			    OSSL_PARAM_construct_end() };
	struct esp_buf b;
	int l;

	esp_test_pair(a, KERNEL_MODE_TUNNEL, esn, &out, &in);
	out->seq_out = seq - 1;
	esp_test_inner(&b, buf, 6, 21);
	memcpy(pt, buf + b.off, b.len);
	ptn = b.len;
	while ((ptn + pad + 2) % 16)
		pad++;
	for (size_t i = 0; i < pad; i++)
		pt[ptn++] = (uint8_t)(i + 1);
	pt[ptn++] = (uint8_t)pad;
	pt[ptn++] = 41;
	ck_assert_int_eq(esp_encap(out, &b, 0), ESP_OK);
	ck_assert_uint_eq(b.len, 8 + 16 + ptn + icv);

	memcpy(want, buf + b.off, 24);	/* SPI, seq, IV as sent */
	ck_assert_uint_eq(want[7], (uint8_t)seq);
	ck_assert(EVP_EncryptInit_ex2(x, c, esp_test_ekey, want + 8, NULL));
	EVP_CIPHER_CTX_set_padding(x, 0);
	ck_assert(EVP_EncryptUpdate(x, want + 24, &l, pt, (int)ptn));
	ck_assert_uint_eq((size_t)l, ptn);
	n = 24 + ptn;
	ck_assert(EVP_MAC_init(mc, esp_test_ikey, a->ikey_len, p));
	ck_assert(EVP_MAC_update(mc, want, n));
	hi[0] = (uint8_t)(seq >> 56); hi[1] = (uint8_t)(seq >> 48);
	hi[2] = (uint8_t)(seq >> 40); hi[3] = (uint8_t)(seq >> 32);
	if (esn)
		ck_assert(EVP_MAC_update(mc, hi, 4));
	ck_assert(EVP_MAC_final(mc, mac, &macn, sizeof(mac)));
	memcpy(want + n, mac, icv);
	n += icv;
	ck_assert_mem_eq(buf + b.off, want, n);
	EVP_MAC_CTX_free(mc);
	EVP_MAC_free(m);
	EVP_CIPHER_CTX_free(x);
	EVP_CIPHER_free(c);
	esp_sa_free(out);
	esp_sa_free(in);
}

START_TEST(esp_cbc_known_answer)
{
	for (int i = 4; i < ESP_TEST_NALGS; i++) {
		cbc_kat(&esp_test_algs[i], false, 77);
		cbc_kat(&esp_test_algs[i], true, 0x0000000300000001ull);
	}
}
END_TEST

START_TEST(esp_cbc_ivs_differ)
{
	struct esp_sa *out, *in;
	uint8_t buf[ESP_TEST_BUFSZ], iv[100][16];
	struct esp_buf b;

	esp_test_pair(&esp_test_algs[4], KERNEL_MODE_TUNNEL, false, &out, &in);
	for (int i = 0; i < 100; i++) {	/* crosses an IV pool refill */
		esp_test_inner(&b, buf, 4, 10);
		ck_assert_int_eq(esp_encap(out, &b, 0), ESP_OK);
		memcpy(iv[i], buf + b.off + 8, 16);
		for (int j = 0; j < i; j++)
			ck_assert(memcmp(iv[i], iv[j], 16) != 0);
	}
	esp_sa_free(out);
	esp_sa_free(in);
}
END_TEST

START_TEST(esp_sa_rejects_bad_parameters)
{
	struct kernel_sa k;
	const char *why;
	int err;

	esp_test_ksa(&k, &esp_test_algs[0], KERNEL_DIR_IN, KERNEL_MODE_TUNNEL, false);
	k.encr_key_len = 17;
	ck_assert_ptr_null(esp_sa_new(&k, &err, &why));
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_ptr_nonnull(why);
	esp_test_ksa(&k, &esp_test_algs[0], KERNEL_DIR_IN, KERNEL_MODE_TUNNEL, false);
	k.integ_alg = AUTH_HMAC_SHA2_256_128;
	ck_assert_ptr_null(esp_sa_new(&k, &err, &why));
	esp_test_ksa(&k, &esp_test_algs[4], KERNEL_DIR_IN, KERNEL_MODE_TUNNEL, false);
	k.integ_alg = AUTH_HMAC_SHA1_96;
	ck_assert_ptr_null(esp_sa_new(&k, &err, &why));
	ck_assert_int_eq(err, -ENOTSUP);
	esp_test_ksa(&k, &esp_test_algs[4], KERNEL_DIR_IN, KERNEL_MODE_TUNNEL, false);
	k.integ_key_len = 20;
	ck_assert_ptr_null(esp_sa_new(&k, &err, &why));
	esp_test_ksa(&k, &esp_test_algs[0], KERNEL_DIR_IN, KERNEL_MODE_TUNNEL, false);
	k.encr_alg = ENCR_3DES;
	ck_assert_ptr_null(esp_sa_new(&k, &err, &why));
	ck_assert_int_eq(err, -ENOTSUP);
	esp_test_ksa(&k, &esp_test_algs[0], KERNEL_DIR_IN, KERNEL_MODE_TUNNEL, false);
	k.spi = 255;
	ck_assert_ptr_null(esp_sa_new(&k, &err, &why));
	esp_test_ksa(&k, &esp_test_algs[0], KERNEL_DIR_IN, KERNEL_MODE_TUNNEL, false);
	k.replay_window = 100;
	ck_assert_ptr_null(esp_sa_new(&k, &err, &why));
}
END_TEST

static Suite *esp_suite(void)
{
	Suite *s = suite_create("esp");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, esp_round_trip_tunnel_ipv4, 0, ESP_TEST_NALGS);
	tcase_add_loop_test(tc, esp_round_trip_tunnel_ipv6, 0, ESP_TEST_NALGS);
	tcase_add_loop_test(tc, esp_round_trip_transport, 0, ESP_TEST_NALGS);
	tcase_add_loop_test(tc, esp_esn_crosses_2_32, 0, ESP_TEST_NALGS);
	tcase_add_test(tc, esp_aead_known_answer);
	tcase_add_test(tc, esp_cbc_known_answer);
	tcase_add_test(tc, esp_cbc_ivs_differ);
	tcase_add_test(tc, esp_sa_rejects_bad_parameters);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(esp_suite)
