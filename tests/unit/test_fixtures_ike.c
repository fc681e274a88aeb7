/* Checks the captured IKEv2 fixtures (tests/fixtures/ike) against
 * themselves with OpenSSL alone, independent of cygnet's own codec and
 * crypto: every .bin matches messages.txt and has a sound payload chain,
 * keys.txt recomputes (SKEYSEED, prf+ per RFC 7296 2.13/2.14), the
 * IKE_SA_INIT nonces/KE/SA match keys.txt, and every encrypted message
 * decrypts and authenticates. If these fail, fix the fixtures, not the
 * code under test. */
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "check_main.h"
#include "fixture_ike.h"
#include "ike/iana.h"
#include "lib/rd.h"

/* What each scenario must be (from tests/fixtures/ike/README.md). */
static const struct scenario {
	const char *name;
	int encr, encr_bits, prf, integ, ke;
	const char *auth;
	unsigned ike_sas;	/* 2 when the capture has an IKE rekey */
	bool frag;
} scenarios[] = {
	{ "psk-x25519-aesgcm256", 20, 256, 5, 0, 31, "psk", 1, false },
	{ "psk-modp2048-aescbc-sha256", 12, 128, 5, 12, 14, "psk", 1, false },
	{ "psk-ecp384-chacha", 28, 0, 6, 0, 20, "psk", 1, false },
	{ "cert-ecdsa", 20, 256, 6, 0, 19, "ecdsa", 1, false },
	{ "frag", 20, 256, 5, 0, 31, "rsa", 1, true },
	{ "rekey", 12, 128, 5, 12, 31, "psk", 2, false },
};
#define N_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static const char *prf_digest(int prf)
{
	return prf == 5 ? "SHA256" : prf == 6 ? "SHA384" : NULL;
}

/* HMAC with EVP_MAC; out must hold the digest size. */
static size_t hmac(const char *digest, const struct chunk *key,
		   const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
		   uint8_t *out)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)digest, 0),
		OSSL_PARAM_construct_end(),
	};
	size_t n = 0;

	if (!ctx || !EVP_MAC_init(ctx, key->ptr, key->len, p) ||
	    !EVP_MAC_update(ctx, d1, l1) || (l2 && !EVP_MAC_update(ctx, d2, l2)) ||
	    !EVP_MAC_final(ctx, out, &n, 64))
		n = 0;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return n;
}

static struct chunk need_hex(const struct fx_keys *k, const char *name)
{
	struct chunk c = { 0 };

	ck_assert_msg(fx_key_hex(k, name, &c), "keys.txt lacks %s", name);
	return c;
}

START_TEST(messages_match_index_and_payload_chains_are_sound)
{
	const struct scenario *s = &scenarios[_i];
	struct fx_msg m[FX_MAX_MSGS];
	size_t n = fx_msgs_load(s->name, m, FX_MAX_MSGS);
	unsigned frags = 0;

	ck_assert_msg(n >= 6, "%s: only %zu messages", s->name, n);
	for (size_t i = 0; i < n; i++) {
		struct chunk c = { 0 };
		struct rd r;
		uint8_t spis[16], next, ver, exch, flags;
		uint32_t mid, len;

		ck_assert_msg(fx_file_load(s->name, m[i].file, &c), "%s", m[i].file);
		ck_assert_uint_eq(c.len, m[i].len);
		r = rd_init(c.ptr, c.len);
		ck_assert(rd_copy(&r, spis, 16) && rd_u8(&r, &next) &&
			  rd_u8(&r, &ver) && rd_u8(&r, &exch) && rd_u8(&r, &flags) &&
			  rd_u32(&r, &mid) && rd_u32(&r, &len));
		ck_assert_uint_eq(ver, 0x20);
		ck_assert_uint_eq(len, c.len);
		ck_assert_uint_eq(exch, m[i].exch);
		ck_assert_uint_eq(flags, m[i].flags);
		ck_assert_uint_eq(mid, m[i].mid);
		/* Walk the clear chain; SK/SKF must be last and reach the end. */
		while (next != PL_NONE) {
			uint8_t nn, crit;
			uint16_t plen;
			struct rd body;

			ck_assert(rd_u8(&r, &nn) && rd_u8(&r, &crit) && rd_u16(&r, &plen));
			ck_assert_uint_ge(plen, 4);
			ck_assert_msg(rd_sub(&r, plen - 4u, &body), "%s: payload past end",
				      m[i].file);
			if (next == PL_SKF) {
				uint16_t num, tot;

				ck_assert(rd_u16(&body, &num) && rd_u16(&body, &tot));
				ck_assert_uint_eq(num, m[i].frag);
				ck_assert_uint_eq(tot, m[i].frag_total);
				frags++;
			}
			if (next == PL_SK || next == PL_SKF) {
				ck_assert_uint_eq(r.left, 0);
				break;
			}
			next = nn;
		}
		ck_assert_uint_eq(r.left, 0);
		ck_assert(exch == IKE_SA_INIT || next == PL_SK || next == PL_SKF);
		chunk_free(&c);
	}
	ck_assert_msg(s->frag ? frags >= 4 : frags == 0, "%s: %u fragments",
		      s->name, frags);
	ck_assert_uint_eq(m[n - 1].sa, s->ike_sas);
}
END_TEST

/* Payload body of type want in the clear chain of msg, or false. */
static bool find_payload(const struct chunk *msg, uint8_t want, struct rd *out)
{
	struct rd r = rd_init(msg->ptr, msg->len);
	uint8_t next;

	if (!rd_skip(&r, 16) || !rd_u8(&r, &next) || !rd_skip(&r, 11))
		return false;
	while (next != PL_NONE) {
		uint8_t nn, crit;
		uint16_t plen;

		if (!rd_u8(&r, &nn) || !rd_u8(&r, &crit) || !rd_u16(&r, &plen) ||
		    plen < 4 || !rd_sub(&r, plen - 4u, out))
			return false;
		if (next == want)
			return true;
		next = nn;
	}
	return false;
}

START_TEST(ike_sa_init_matches_keys_txt)
{
	const struct scenario *s = &scenarios[_i];
	struct fx_keys k;
	struct chunk req = { 0 }, resp = { 0 }, ni, nr, spi_i, spi_r;
	struct rd nonce, ke, sa;
	uint16_t group;
	uint8_t last, res, ntr, spisize;
	uint16_t plen;

	ck_assert(fx_keys_load(s->name, &k));
	ck_assert_str_eq(fx_key(&k, "auth"), s->auth);
	ck_assert_int_eq(fx_key_int(&k, "encr"), s->encr);
	ck_assert_int_eq(fx_key_int(&k, "encr_key_bits"), s->encr_bits);
	ck_assert_int_eq(fx_key_int(&k, "prf"), s->prf);
	ck_assert_int_eq(fx_key_int(&k, "integ"), s->integ);
	ck_assert_int_eq(fx_key_int(&k, "ke"), s->ke);
	ck_assert(fx_file_load(s->name, "01-ike_sa_init-i-request.bin", &req));
	ck_assert(fx_file_load(s->name, "02-ike_sa_init-r-response.bin", &resp));
	ni = need_hex(&k, "ni");
	nr = need_hex(&k, "nr");
	spi_i = need_hex(&k, "spi_i");
	spi_r = need_hex(&k, "spi_r");
	ck_assert(find_payload(&req, PL_NONCE, &nonce));
	ck_assert(nonce.left == ni.len && memcmp(nonce.p, ni.ptr, ni.len) == 0);
	ck_assert(find_payload(&resp, PL_NONCE, &nonce));
	ck_assert(nonce.left == nr.len && memcmp(nonce.p, nr.ptr, nr.len) == 0);
	ck_assert(spi_i.len == 8 && memcmp(resp.ptr, spi_i.ptr, 8) == 0);
	ck_assert(spi_r.len == 8 && memcmp(resp.ptr + 8, spi_r.ptr, 8) == 0);
	ck_assert(find_payload(&resp, PL_KE, &ke) && rd_u16(&ke, &group));
	ck_assert_int_eq(group, s->ke);
	/* The responder's single proposal names the same transforms. */
	ck_assert(find_payload(&resp, PL_SA, &sa));
	ck_assert(rd_u8(&sa, &last) && rd_u8(&sa, &res) && rd_u16(&sa, &plen) &&
		  rd_skip(&sa, 2) && rd_u8(&sa, &spisize) && rd_u8(&sa, &ntr));
	ck_assert_uint_eq(last, 0);
	ck_assert(rd_skip(&sa, spisize));
	for (unsigned t = 0; t < ntr; t++) {
		uint8_t type;
		uint16_t tlen, id;
		struct rd attrs;

		ck_assert(rd_skip(&sa, 2) && rd_u16(&sa, &tlen) && rd_u8(&sa, &type) &&
			  rd_skip(&sa, 1) && rd_u16(&sa, &id) && tlen >= 8 &&
			  rd_sub(&sa, tlen - 8u, &attrs));
		if (type == TRANS_ENCR)
			ck_assert_int_eq(id, s->encr);
		if (type == TRANS_PRF)
			ck_assert_int_eq(id, s->prf);
		if (type == TRANS_INTEG)
			ck_assert_int_eq(id, s->integ);
		if (type == TRANS_KE)
			ck_assert_int_eq(id, s->ke);
	}
	ck_assert_uint_eq(sa.left, 0);
	chunk_free(&req);
	chunk_free(&resp);
	chunk_free(&ni);
	chunk_free(&nr);
	chunk_free(&spi_i);
	chunk_free(&spi_r);
}
END_TEST

/* Length of SK_e (with AEAD salt) and SK_a for the scenario's transforms. */
static void key_lengths(const struct scenario *s, size_t *ke, size_t *ka)
{
	*ka = s->integ == 12 ? 32 : 0;
	*ke = s->encr == 28 ? 36 : (size_t)s->encr_bits / 8 + (s->encr == 20 ? 4 : 0);
}

START_TEST(keys_recompute_from_g_ir_nonces_and_spis)
{
	const struct scenario *s = &scenarios[_i];
	const char *dg = prf_digest(s->prf);
	const char *names[] = { "sk_d", "sk_ai", "sk_ar", "sk_ei", "sk_er",
				"sk_pi", "sk_pr" };
	struct fx_keys k;
	struct chunk ni, nr, gir, skeyseed, seed, spis = { 0 }, tmp = { 0 };
	uint8_t out[64], stream[512], t[64];
	size_t hlen, need = 0, have = 0, tl = 0, off = 0, le, la;

	ck_assert(dg && fx_keys_load(s->name, &k));
	ni = need_hex(&k, "ni");
	nr = need_hex(&k, "nr");
	gir = need_hex(&k, "g_ir");
	skeyseed = need_hex(&k, "skeyseed");
	hlen = s->prf == 5 ? 32 : 48;
	/* SKEYSEED = prf(Ni | Nr, g^ir) */
	ck_assert(chunk_cat(&tmp, &ni, &nr));
	ck_assert_uint_eq(hmac(dg, &tmp, gir.ptr, gir.len, NULL, 0, out), hlen);
	ck_assert(skeyseed.len == hlen && memcmp(out, skeyseed.ptr, hlen) == 0);
	/* prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr) = SK_d | SK_ai | ... */
	{
		struct chunk si = need_hex(&k, "spi_i"), sr = need_hex(&k, "spi_r");

		ck_assert(chunk_cat(&spis, &si, &sr));
		ck_assert(chunk_cat(&seed, &tmp, &spis));
		chunk_free(&si);
		chunk_free(&sr);
	}
	key_lengths(s, &le, &la);
	need = 3 * hlen + 2 * la + 2 * le;
	ck_assert_uint_le(need, sizeof(stream));
	for (uint8_t i = 1; have < need; i++) {
		uint8_t in[600];

		ck_assert_uint_le(tl + seed.len + 1, sizeof(in));
		memcpy(in, t, tl);
		memcpy(in + tl, seed.ptr, seed.len);
		in[tl + seed.len] = i;
		tl = hmac(dg, &skeyseed, in, tl + seed.len + 1, NULL, 0, t);
		ck_assert_uint_eq(tl, hlen);
		memcpy(stream + have, t, hlen);
		have += hlen;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t len = i == 0 || i >= 5 ? hlen : i <= 2 ? la : le;
		struct chunk c = { 0 };

		if (len == 0) {
			ck_assert_msg(!fx_key_hex(&k, names[i], &c), "%s: AEAD has no %s",
				      s->name, names[i]);
			continue;
		}
		c = need_hex(&k, names[i]);
		ck_assert_msg(c.len == len && memcmp(c.ptr, stream + off, len) == 0,
			      "%s: %s does not recompute", s->name, names[i]);
		off += len;
		chunk_free(&c);
	}
	chunk_free(&ni);
	chunk_free(&nr);
	chunk_free(&gir);
	chunk_free(&skeyseed);
	chunk_free(&seed);
	chunk_free(&spis);
	chunk_free(&tmp);
}
END_TEST

/* Decrypts the SK/SKF payload of msg with the keys of IKE SA `sa`; appends
 * the plaintext (padding removed) to pt. Returns the SK's Next Payload. */
static uint8_t sk_open(const struct scenario *s, const struct fx_keys *k,
		       unsigned sa, const struct chunk *msg, uint8_t *pt, size_t *ptlen)
{
	bool init = msg->ptr[19] & IKE_FLAG_INITIATOR;
	char name[16];
	struct chunk ke, ka = { 0 };
	struct rd r = rd_init(msg->ptr, msg->len), body;
	uint8_t next, first = 0, nn;
	uint16_t plen;
	size_t hdr_end, ivlen = s->encr == 12 ? 16 : 8, icvlen = 16;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	const EVP_CIPHER *ciph;
	int outl = 0, fin = 0;
	const uint8_t *iv, *ct, *icv;
	size_t ctlen;

	snprintf(name, sizeof(name), "%ssk_e%c", sa > 1 ? "sa2_" : "", init ? 'i' : 'r');
	ke = need_hex(k, name);
	ck_assert(rd_skip(&r, 16) && rd_u8(&r, &next) && rd_skip(&r, 11));
	for (;;) {
		ck_assert(rd_u8(&r, &nn) && rd_skip(&r, 1) && rd_u16(&r, &plen));
		if (next == PL_SK || next == PL_SKF) {
			first = nn;
			break;
		}
		ck_assert(rd_skip(&r, plen - 4u));
		next = nn;
	}
	if (next == PL_SKF)
		ck_assert(rd_skip(&r, 4));
	hdr_end = msg->len - r.left;
	body = r;
	ck_assert_uint_gt(body.left, ivlen + icvlen);
	iv = body.p;
	ct = body.p + ivlen;
	ctlen = body.left - ivlen - icvlen;
	icv = body.p + body.left - icvlen;
	if (s->encr == 12) {
		uint8_t mac[64];

		snprintf(name, sizeof(name), "%ssk_a%c", sa > 1 ? "sa2_" : "",
			 init ? 'i' : 'r');
		ka = need_hex(k, name);
		ck_assert(hmac("SHA256", &ka, msg->ptr, msg->len - icvlen, NULL, 0, mac));
		ck_assert_msg(memcmp(mac, icv, icvlen) == 0, "ICV mismatch");
		ciph = EVP_aes_128_cbc();
		ck_assert(EVP_DecryptInit_ex(ctx, ciph, NULL, ke.ptr, iv));
		EVP_CIPHER_CTX_set_padding(ctx, 0);
	} else {
		uint8_t nonce[12];

		ciph = s->encr == 20 ? EVP_aes_256_gcm() : EVP_chacha20_poly1305();
		memcpy(nonce, ke.ptr + ke.len - 4, 4);
		memcpy(nonce + 4, iv, 8);
		ck_assert(EVP_DecryptInit_ex(ctx, ciph, NULL, NULL, NULL));
		ck_assert(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL));
		ck_assert(EVP_DecryptInit_ex(ctx, NULL, NULL, ke.ptr, nonce));
		ck_assert(EVP_DecryptUpdate(ctx, NULL, &outl, msg->ptr, (int)hdr_end));
		ck_assert(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16,
					      (void *)icv));
	}
	ck_assert(EVP_DecryptUpdate(ctx, pt + *ptlen, &outl, ct, (int)ctlen));
	ck_assert_msg(EVP_DecryptFinal_ex(ctx, pt + *ptlen + outl, &fin),
		      "decryption/authentication failed");
	outl += fin;
	ck_assert_uint_ge(outl, 1);
	ck_assert_uint_ge(outl, 1u + pt[*ptlen + outl - 1]);
	*ptlen += (size_t)outl - 1 - pt[*ptlen + outl - 1];
	EVP_CIPHER_CTX_free(ctx);
	chunk_free(&ke);
	chunk_free(&ka);
	return first;
}

/* Inner chain of pt starting with type first: position of payload want. */
static bool inner_find(const uint8_t *pt, size_t len, uint8_t first, uint8_t want,
		       struct rd *out)
{
	struct rd r = rd_init(pt, len);
	uint8_t next = first;

	while (next != PL_NONE) {
		uint8_t nn;
		uint16_t plen;

		if (!rd_u8(&r, &nn) || !rd_skip(&r, 1) || !rd_u16(&r, &plen) ||
		    plen < 4 || !rd_sub(&r, plen - 4u, out))
			return false;
		if (next == want)
			return true;
		next = nn;
	}
	return false;
}

START_TEST(every_encrypted_message_decrypts_and_ike_auth_names_the_peers)
{
	const struct scenario *s = &scenarios[_i];
	static uint8_t pt[2][8192];
	size_t ptlen[2] = { 0, 0 };
	uint8_t first[2] = { 0, 0 };
	struct fx_msg m[FX_MAX_MSGS];
	size_t n = fx_msgs_load(s->name, m, FX_MAX_MSGS);
	struct fx_keys k;
	unsigned opened = 0;
	const char *want_id[2] = { "rw1.example", "gw.example" };

	ck_assert(fx_keys_load(s->name, &k));
	for (size_t i = 0; i < n; i++) {
		struct chunk c = { 0 };
		static uint8_t scratch[8192];
		size_t sl = 0;
		int dir = (m[i].flags & IKE_FLAG_RESPONSE) ? 1 : 0;
		uint8_t f;

		if (m[i].exch == IKE_SA_INIT)
			continue;
		ck_assert(fx_file_load(s->name, m[i].file, &c));
		if (m[i].exch == IKE_AUTH) {
			ck_assert_uint_le(ptlen[dir] + c.len, sizeof(pt[0]));
			f = sk_open(s, &k, m[i].sa, &c, pt[dir], &ptlen[dir]);
			if (m[i].frag <= 1)
				first[dir] = f;
		} else {
			sk_open(s, &k, m[i].sa, &c, scratch, &sl);
		}
		opened++;
		chunk_free(&c);
	}
	ck_assert_uint_ge(opened, 4);
	/* IKE_AUTH (reassembled if fragmented): IDi / IDr, ID_FQDN, the name. */
	for (int dir = 0; dir < 2; dir++) {
		struct rd id, auth;
		uint8_t type, method;
		const char *w = want_id[dir];

		ck_assert(inner_find(pt[dir], ptlen[dir], first[dir],
				     dir ? PL_IDR : PL_IDI, &id));
		ck_assert(rd_u8(&id, &type) && rd_skip(&id, 3));
		ck_assert_uint_eq(type, 2);	/* ID_FQDN */
		ck_assert(id.left == strlen(w) && memcmp(id.p, w, id.left) == 0);
		ck_assert(inner_find(pt[dir], ptlen[dir], first[dir], PL_AUTH, &auth));
		ck_assert(rd_u8(&auth, &method));
		/* 2 = shared key MIC; 14 = RFC 7427 digital signature */
		ck_assert_uint_eq(method, strcmp(s->auth, "psk") == 0 ? 2 : 14);
	}
}
END_TEST

static Suite *fixtures_ike_suite(void)
{
	Suite *s = suite_create("fixtures_ike");
	TCase *tc = tcase_create("fixtures");

	tcase_add_loop_test(tc, messages_match_index_and_payload_chains_are_sound, 0,
			    N_SCENARIOS);
	tcase_add_loop_test(tc, ike_sa_init_matches_keys_txt, 0, N_SCENARIOS);
	tcase_add_loop_test(tc, keys_recompute_from_g_ir_nonces_and_spis, 0,
			    N_SCENARIOS);
	tcase_add_loop_test(tc, every_encrypted_message_decrypts_and_ike_auth_names_the_peers,
			    0, N_SCENARIOS);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fixtures_ike_suite)
