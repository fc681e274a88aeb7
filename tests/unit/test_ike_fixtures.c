/* cygnet's codec, SK layer, keymat and AUTH against real strongSwan 5.9.8
 * messages (tests/fixtures/ike, format in its README.md). Every expected
 * value comes from the fixture files (messages.txt, keys.txt, the PKI),
 * never from this file: a re-capture changes them all.
 *
 *   1 parse: header = messages.txt, summary = strongSwan's, write = bytes
 *   2 sk_open: every SK message decrypts with keys.txt, inner summary =
 *     strongSwan's, the inner chain re-serializes to the same plaintext,
 *     tampering anywhere in AAD/IV/ciphertext/ICV fails and parses nothing
 *   3 keymat: SKEYSEED, prf+ and keymat_ike_derive reproduce keys.txt
 *   4 AUTH: PSK AUTH recomputed; RFC 7427 signatures verified with the
 *     certificate from the CERT payload, chain to the scenario CA
 * Fragments (RFC 7383) and the rekey exchanges: test_ike_fixtures_more.c. */
#include <time.h>

#include "crypto/prf.h"
#include "crypto/sign.h"
#include "crypto/x509.h"
#include "crypto/x509_trust.h"
#include "fixture_ike_open.h"
#include "ike/keymat.h"

static const char *const scenarios[] = {
	"psk-x25519-aesgcm256", "psk-modp2048-aescbc-sha256",
	"psk-ecp384-chacha",    "cert-ecdsa",
	"frag",                 "rekey",
};
#define N_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static bool chunk_eq(const struct chunk *a, const uint8_t *p, size_t len)
{
	return a->len == len && (len == 0 || memcmp(a->ptr, p, len) == 0);
}

/* KE data length of a group (RFC 7296 / 5903 / 8031). */
static size_t ke_len(long group)
{
	switch (group) {
	case KE_MODP_2048: return 256;
	case KE_ECP_256: return 64;
	case KE_ECP_384: return 96;
	case KE_CURVE25519: return 32;
	default: return 0;
	}
}

/* --- 1: parse, index, summary, write ----------------------------------- */

START_TEST(every_message_parses_matches_index_and_writes_back)
{
	struct fxs *s = fxs_load(scenarios[_i]);
	struct chunk ni = fxs_key(s, 1, "ni"), nr = fxs_key(s, 1, "nr");
	char got[FX_SUMMARY], want[FX_SUMMARY];
	unsigned inits = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct fx_msg *x = &s->idx[i];
		struct ike_msg *m = fxs_parse(s, i);
		const struct ike_payload *enc = ike_msg_find_encrypted(m);
		struct ike_err err;
		struct wbuf w;

		ck_assert_uint_eq(m->hdr.spi_i, s->spi_i[i]);
		ck_assert_uint_eq(m->hdr.spi_r, s->spi_r[i]);
		ck_assert_uint_eq(m->hdr.exchange, x->exch);
		ck_assert_uint_eq(m->hdr.msg_id, x->mid);
		ck_assert_uint_eq(m->hdr.flags, x->flags);
		ck_assert_uint_eq(m->hdr.version, IKE_VERSION_2_0);
		ck_assert_uint_eq(m->hdr.length, x->len);
		ck_assert_uint_eq(s->bin[i].len, x->len);
		ck_assert_uint_eq(m->skipped, 0);
		fx_summary_of(m, got);
		if (x->exch == IKE_SA_INIT) {
			const struct ike_payload *no = ike_msg_find(m, PL_NONCE);
			const struct ike_payload *ke = ike_msg_find(m, PL_KE);
			const struct ike_payload *sa = ike_msg_find(m, PL_SA);
			bool resp = ike_msg_is_response(m);

			inits++;
			ck_assert_ptr_null(enc);
			fx_expected_summary(x, want, false);
			ck_assert_str_eq(got, want);
			/* the typed payloads hold what keys.txt says was negotiated */
			ck_assert(no && chunk_eq(resp ? &nr : &ni, no->data.data.ptr,
						 no->data.data.len));
			ck_assert(ke && ke->ke.group == fx_key_int(&s->keys, "ke"));
			ck_assert_uint_eq(ke->ke.data.len, ke_len(ke->ke.group));
			ck_assert_ptr_nonnull(sa);
			if (resp) {
				const struct ike_proposal *p = &sa->sa.proposals[0];

				ck_assert_uint_eq(sa->sa.nproposals, 1);
				ck_assert_uint_eq(p->protocol, PROTO_IKE);
				for (size_t t = 0; t < p->ntransforms; t++) {
					const struct ike_transform *tr = &p->transforms[t];
					const char *key = tr->type == TRANS_ENCR ? "encr" :
							  tr->type == TRANS_PRF ? "prf" :
							  tr->type == TRANS_INTEG ? "integ" : "ke";

					ck_assert_int_eq(tr->id, fx_key_int(&s->keys, key));
					if (tr->type == TRANS_ENCR)
						ck_assert_int_eq(tr->key_length,
								 fx_key_int(&s->keys, "encr_key_bits"));
				}
			}
		} else if (x->frag) {
			ck_assert(enc && enc->type == PL_SKF);
			ck_assert_uint_eq(enc->skf.frag_num, x->frag);
			ck_assert_uint_eq(enc->skf.total, x->frag_total);
			fx_expected_summary(x, want, false);
			ck_assert_str_eq(got, want);	/* "[ EF(k/t) ]" */
		} else {
			ck_assert(enc && enc->type == PL_SK);
			ck_assert_uint_eq(m->npl, 1);
			ck_assert_uint_eq(enc->sk.aad_len, IKE_HDR_LEN + IKE_GENERIC_HDR_LEN);
			ck_assert_str_eq(got, "[ SK ]");
		}
		/* parse -> write reproduces the datagram byte for byte (the SK
		 * body is opaque and written back as is) */
		wbuf_init(&w);
		ck_assert_msg(ike_msg_write(m, &w, &err) == IKE_OK, "%s: %s",
			      x->file, err.reason);
		ck_assert_msg(w.len == s->bin[i].len &&
			      memcmp(w.p, s->bin[i].ptr, w.len) == 0,
			      "%s/%s: written bytes differ", s->name, x->file);
		wbuf_free(&w);
		fx_msg_del(m);
	}
	ck_assert_uint_eq(inits, 2);
	chunk_free(&ni);
	chunk_free(&nr);
	fxs_free(s);
}
END_TEST

/* --- 2: SK payload ----------------------------------------------------- */

/* Flip one bit at off in a copy of message i; the copy still parses and
 * sk_open must refuse it as an integrity failure, appending nothing. */
static void tamper_fails(const struct fxs *s, size_t i, size_t off,
			 struct aead *a)
{
	struct chunk c = { 0 };
	struct ike_msg *m = fx_msg_new();
	struct ike_err err;
	size_t npl;

	ck_assert(chunk_dup(&c, s->bin[i].ptr, s->bin[i].len));
	ck_assert_uint_lt(off, c.len);
	c.ptr[off] ^= 0x01;
	ck_assert_int_eq(ike_msg_parse(m, c.ptr, c.len, &err), IKE_OK);
	npl = m->npl;
	ck_assert_msg(sk_open(a, m, &err) == IKE_ERR_HEADER,
		      "%s/%s: byte %zu flipped but sk_open accepted it", s->name,
		      s->idx[i].file, off);
	ck_assert_uint_eq(err.notify, 0);	/* drop silently */
	ck_assert_uint_eq(m->npl, npl);
	ck_assert_uint_eq(fx_inner_count(m), 0);
	fx_msg_del(m);
	chunk_free(&c);
}

START_TEST(every_sk_message_opens_and_matches_strongswan)
{
	struct fxs *s = fxs_load(scenarios[_i]);
	char got[FX_SUMMARY], want[FX_SUMMARY];
	unsigned opened = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct fx_msg *x = &s->idx[i];
		bool from_init = x->flags & IKE_FLAG_INITIATOR;
		struct chunk plain;
		struct ike_msg *m;
		const struct ike_payload *sk;
		struct aead *a, *wrong;
		struct ike_err err;
		uint8_t first;
		struct wbuf w;
		size_t body_off;

		if (x->exch == IKE_SA_INIT || x->frag)
			continue;
		m = fxs_open(s, i, &plain);
		fx_summary_of(m, got);
		fx_expected_summary(x, want, false);
		ck_assert_msg(strcmp(got, want) == 0, "%s/%s: ours %s, strongSwan %s",
			      s->name, x->file, got, want);
		/* the decrypted chain re-serializes to the same plaintext */
		sk = ike_msg_find_encrypted(m);
		wbuf_init(&w);
		ck_assert_int_eq(ike_msg_write_chain(m, &w, &first, &err), IKE_OK);
		ck_assert_uint_eq(first, sk->sk.inner_next);
		ck_assert_msg(chunk_eq(&plain, w.p, w.len),
			      "%s/%s: inner chain written back differs", s->name, x->file);
		wbuf_free(&w);
		/* tampering: header (message ID, in the AAD), SK generic header,
		 * IV, first/middle ciphertext byte, last ICV byte */
		a = fxs_aead(s, x->sa, from_init);
		body_off = (size_t)(sk->sk.body.ptr - s->bin[i].ptr);
		tamper_fails(s, i, 23, a);
		tamper_fails(s, i, sk->offset + 1, a);	/* critical/reserved byte */
		tamper_fails(s, i, body_off, a);
		tamper_fails(s, i, body_off + aead_iv_len(aead_get_alg(a)), a);
		tamper_fails(s, i, body_off + sk->sk.body.len / 2, a);
		tamper_fails(s, i, s->bin[i].len - 1, a);
		/* the other direction's keys do not open it either */
		wrong = fxs_aead(s, x->sa, !from_init);
		fx_msg_del(m);
		m = fxs_parse(s, i);
		ck_assert_int_eq(sk_open(wrong, m, &err), IKE_ERR_HEADER);
		ck_assert_uint_eq(fx_inner_count(m), 0);
		fx_msg_del(m);
		aead_free(wrong);
		aead_free(a);
		opened++;
	}
	ck_assert_uint_ge(opened, 2);
	fxs_free(s);
}
END_TEST

/* Encrypting AEAD of one direction (what the sender used). */
static struct aead *seal_aead(const struct fxs *s, unsigned sa, bool from_init)
{
	struct aead_alg alg = fxs_alg(s);
	struct chunk e = fxs_key(s, sa, from_init ? "sk_ei" : "sk_er"), a = { 0 };
	struct aead *x;

	if (!aead_is_combined(alg.encr))
		a = fxs_key(s, sa, from_init ? "sk_ai" : "sk_ar");
	x = aead_create(&alg, true, e.ptr, e.len, a.len ? a.ptr : NULL, a.len);
	ck_assert_ptr_nonnull(x);
	chunk_free(&e);
	chunk_free(&a);
	return x;
}

/* sk_seal of the decrypted message with the sender's keys: for AEAD
 * ciphers (deterministic given the IV; strongSwan pads with just the Pad
 * Length byte, as we do) the datagram is strongSwan's byte for byte when
 * iv_seq is set so that the next IV is the one strongSwan used. CBC IVs
 * and padding bytes are random: there the length must match and the
 * sealed datagram must open to the same chain. */
START_TEST(sk_seal_reproduces_strongswan)
{
	struct fxs *s = fxs_load(scenarios[_i]);
	bool combined = aead_is_combined(fxs_alg(s).encr);
	unsigned sealed = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct fx_msg *x = &s->idx[i];
		bool from_init = x->flags & IKE_FLAG_INITIATOR;
		struct ike_msg *m, *back;
		struct aead *enc, *dec;
		struct chunk plain;
		struct ike_err err;
		uint64_t iv_seq = 0;
		struct wbuf w;
		char got[FX_SUMMARY], want[FX_SUMMARY];

		if (x->exch == IKE_SA_INIT || x->frag)
			continue;
		m = fxs_open(s, i, &plain);
		if (combined) {
			const uint8_t *iv = ike_msg_find_encrypted(m)->sk.body.ptr;

			for (int b = 0; b < 8; b++)
				iv_seq = iv_seq << 8 | iv[b];
			iv_seq--;
		}
		enc = seal_aead(s, x->sa, from_init);
		wbuf_init(&w);
		ck_assert_msg(sk_seal(enc, &iv_seq, m, &w, &err) == IKE_OK, "%s", err.reason);
		ck_assert_uint_eq(w.len, s->bin[i].len);
		if (combined)
			ck_assert_msg(memcmp(w.p, s->bin[i].ptr, w.len) == 0,
				      "%s/%s: sealed datagram differs from strongSwan's",
				      s->name, x->file);
		/* and what we sealed opens again to the same chain */
		back = fx_msg_new();
		dec = fxs_aead(s, x->sa, from_init);
		ck_assert_int_eq(ike_msg_parse(back, w.p, w.len, &err), IKE_OK);
		ck_assert_int_eq(sk_open(dec, back, &err), IKE_OK);
		fx_summary_of(back, got);
		fx_summary_of(m, want);
		ck_assert_str_eq(got, want);
		ck_assert_uint_eq(fx_inner_count(back), fx_inner_count(m));
		{
			struct wbuf w2;
			uint8_t first;

			wbuf_init(&w2);
			ck_assert_int_eq(ike_msg_write_chain(back, &w2, &first, &err), IKE_OK);
			ck_assert(chunk_eq(&plain, w2.p, w2.len));
			wbuf_free(&w2);
		}
		fx_msg_del(back);
		aead_free(dec);
		aead_free(enc);
		wbuf_free(&w);
		fx_msg_del(m);
		sealed++;
	}
	ck_assert_uint_ge(sealed, 2);
	fxs_free(s);
}
END_TEST

/* --- 3: keymat --------------------------------------------------------- */

static void keys_match(const struct fxs *s, unsigned sa,
		       const struct ike_keys *k)
{
	static const char *const names[] = { "sk_d", "sk_ai", "sk_ar", "sk_ei",
					     "sk_er", "sk_pi", "sk_pr" };
	const struct chunk *got[] = { &k->sk_d, &k->sk_ai, &k->sk_ar, &k->sk_ei,
				      &k->sk_er, &k->sk_pi, &k->sk_pr };

	for (size_t j = 0; j < 7; j++) {
		struct chunk want;

		if (!fxs_key_opt(s, sa, names[j], &want)) {
			/* sk_ai/sk_ar only with an integrity transform */
			ck_assert_msg(j == 1 || j == 2, "%s lacks %s", s->name, names[j]);
			ck_assert(aead_is_combined(k->alg.encr));
			ck_assert_uint_eq(got[j]->len, 0);
			continue;
		}
		ck_assert_msg(chunk_eq(&want, got[j]->ptr, got[j]->len),
			      "%s: SA %u %s differs (%zu vs %zu bytes)", s->name, sa,
			      names[j], got[j]->len, want.len);
		chunk_free(&want);
	}
}

START_TEST(keymat_reproduces_keys_txt)
{
	struct fxs *s = fxs_load(scenarios[_i]);
	uint16_t prf_id = (uint16_t)fx_key_int(&s->keys, "prf");
	struct aead_alg alg = fxs_alg(s);
	struct chunk g = fxs_key(s, 1, "g_ir"), ni = fxs_key(s, 1, "ni");
	struct chunk nr = fxs_key(s, 1, "nr"), seed_want = fxs_key(s, 1, "skeyseed");
	struct chunk spi_i = fxs_key(s, 1, "spi_i"), spi_r = fxs_key(s, 1, "spi_r");
	struct chunk nonces = { 0 }, seed = { 0 }, stream = { 0 }, all = { 0 };
	uint8_t skeyseed[PRF_MAX_SIZE];
	struct prf *prf = prf_create(prf_id);
	struct ike_keys k = { 0 };
	static const char *const order[] = { "sk_d", "sk_ai", "sk_ar", "sk_ei",
					     "sk_er", "sk_pi", "sk_pr" };

	ck_assert_ptr_nonnull(prf);
	/* SKEYSEED = prf(Ni | Nr, g^ir) with our prf */
	ck_assert(chunk_cat(&nonces, &ni, &nr));
	ck_assert(prf_set_key(prf, nonces.ptr, nonces.len));
	ck_assert(prf_compute(prf, g.ptr, g.len, skeyseed));
	ck_assert(chunk_eq(&seed_want, skeyseed, prf_size(prf)));
	/* prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) = SK_d | SK_ai | ... | SK_pr */
	for (size_t j = 0; j < 7; j++) {
		struct chunk c, t = { 0 };

		if (!fxs_key_opt(s, 1, order[j], &c))
			continue;
		ck_assert(chunk_cat(&t, &all, &c));
		chunk_free(&all);
		chunk_free(&c);
		all = t;
	}
	ck_assert(chunk_cat(&seed, &nonces, &spi_i));
	{
		struct chunk t = { 0 };

		ck_assert(chunk_cat(&t, &seed, &spi_r));
		chunk_free(&seed);
		seed = t;
	}
	ck_assert(prf_set_key(prf, skeyseed, prf_size(prf)));
	ck_assert(prf_plus(prf, seed.ptr, seed.len, all.len, &stream));
	ck_assert(chunk_eq(&all, stream.ptr, stream.len));
	/* the whole derivation in one call */
	ck_assert(keymat_ike_derive(prf_id, &alg, &g, &ni, &nr, spi_i.ptr, spi_r.ptr, &k));
	ck_assert_uint_eq(k.prf, prf_id);
	keys_match(s, 1, &k);
	/* and one changed bit of g^ir changes every key */
	{
		struct ike_keys bad = { 0 };

		g.ptr[g.len - 1] ^= 1;
		ck_assert(keymat_ike_derive(prf_id, &alg, &g, &ni, &nr, spi_i.ptr,
					    spi_r.ptr, &bad));
		ck_assert(!chunk_eq(&k.sk_d, bad.sk_d.ptr, bad.sk_d.len));
		ck_assert(!chunk_eq(&k.sk_pr, bad.sk_pr.ptr, bad.sk_pr.len));
		ike_keys_free(&bad);
	}
	ike_keys_free(&k);
	prf_free(prf);
	chunk_free(&g);
	chunk_free(&ni);
	chunk_free(&nr);
	chunk_free(&seed_want);
	chunk_free(&spi_i);
	chunk_free(&spi_r);
	chunk_free(&nonces);
	chunk_free(&seed);
	chunk_free(&stream);
	chunk_free(&all);
	fxs_free(s);
}
END_TEST

/* --- 4: AUTH ----------------------------------------------------------- */

static long find_msg(const struct fxs *s, unsigned exch, bool response)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->idx[i].exch == exch && s->idx[i].sa == 1 &&
		    !!(s->idx[i].flags & IKE_FLAG_RESPONSE) == response &&
		    s->idx[i].frag <= 1)
			return (long)i;
	return -1;
}

/* Signed octets of one side (RFC 7296 2.15): its IKE_SA_INIT message |
 * the peer's nonce | prf(SK_p, ID body of its IKE_AUTH message). */
static struct chunk signed_octets(const struct fxs *s, bool initiator,
				  const struct ike_msg *auth_msg,
				  const char *sk_p_name)
{
	long init = find_msg(s, IKE_SA_INIT, !initiator);
	const struct ike_payload *id =
		ike_msg_find(auth_msg, initiator ? PL_IDI : PL_IDR);
	struct chunk sk_p = fxs_key(s, 1, sk_p_name);
	struct chunk nonce = fxs_key(s, 1, initiator ? "nr" : "ni");
	struct chunk out = { 0 };

	ck_assert(init >= 0 && id);
	ck_assert(id->inner);
	ck_assert(keymat_signed_octets((uint16_t)fx_key_int(&s->keys, "prf"), &sk_p,
				       s->bin[init].ptr, s->bin[init].len, &nonce,
				       id->body.ptr, id->body.len, &out));
	chunk_free(&sk_p);
	chunk_free(&nonce);
	return out;
}

static void check_psk_auth(const struct fxs *s, bool initiator,
			   const struct ike_msg *m)
{
	const struct ike_payload *auth = ike_msg_find(m, PL_AUTH);
	struct chunk psk = fxs_key(s, 1, "psk");
	struct chunk oct = signed_octets(s, initiator, m, initiator ? "sk_pi" : "sk_pr");
	struct chunk wrong = signed_octets(s, initiator, m, initiator ? "sk_pr" : "sk_pi");
	uint16_t prf = (uint16_t)fx_key_int(&s->keys, "prf");
	struct chunk mac = { 0 }, bad = { 0 };

	ck_assert_ptr_nonnull(auth);
	ck_assert_uint_eq(auth->auth.method, AUTH_SHARED_KEY_MIC);
	ck_assert(keymat_psk_auth(prf, psk.ptr, psk.len, &oct, &mac));
	ck_assert_msg(chunk_eq(&mac, auth->auth.data.ptr, auth->auth.data.len),
		      "%s: %s PSK AUTH differs from strongSwan's", s->name,
		      initiator ? "initiator" : "responder");
	/* the same with the other side's SK_p, or another secret, differs */
	ck_assert(keymat_psk_auth(prf, psk.ptr, psk.len, &wrong, &bad));
	ck_assert(!chunk_eq(&bad, auth->auth.data.ptr, auth->auth.data.len));
	chunk_free(&bad);
	ck_assert(keymat_psk_auth(prf, psk.ptr, psk.len - 1, &oct, &bad));
	ck_assert(!chunk_eq(&bad, auth->auth.data.ptr, auth->auth.data.len));
	chunk_free(&bad);
	chunk_free(&mac);
	chunk_free(&oct);
	chunk_free(&wrong);
	chunk_free(&psk);
}

static X509 *load_pki(const struct fxs *s, const char *file)
{
	char path[512];
	const char *reason = NULL;
	X509 *c;

	ck_assert(fx_path(path, sizeof(path), s->name, file));
	c = x509_load_file(path, &reason);
	ck_assert_msg(c, "%s: %s", path, reason);
	return c;
}

/* The signer's certificate comes from the CERT payload of m; it must be
 * the scenario's certificate, carry the ID as subjectAltName, chain to the
 * scenario CA at a time inside its validity, and verify AUTH. */
static void check_sig_auth(const struct fxs *s, bool initiator,
			   const struct ike_msg *m, X509 *peer_cert_other)
{
	const struct ike_payload *auth = ike_msg_find(m, PL_AUTH);
	const struct ike_payload *cert = ike_msg_find(m, PL_CERT);
	const struct ike_payload *id = ike_msg_find(m, initiator ? PL_IDI : PL_IDR);
	struct chunk oct = signed_octets(s, initiator, m, initiator ? "sk_pi" : "sk_pr");
	struct chunk wrong = signed_octets(s, initiator, m, initiator ? "sk_pr" : "sk_pi");
	X509 *leaf, *ca = load_pki(s, "pki/ca.crt");
	X509 *file = load_pki(s, initiator ? "pki/rw.crt" : "pki/gw.crt");
	struct chunk der_msg = { 0 }, der_file = { 0 };
	struct x509_san sans[8];
	struct x509_trust *t = x509_trust_new();
	const char *reason = NULL;
	EVP_PKEY *pub, *other;
	time_t nb, na;
	size_t nsans;
	bool san_ok = false;

	ck_assert(auth && cert && id);
	ck_assert_uint_eq(auth->auth.method, AUTH_DIGITAL_SIGNATURE);
	ck_assert_uint_eq(cert->cert.encoding, CERT_X509_SIGNATURE);
	leaf = x509_load_mem(cert->cert.data.ptr, cert->cert.data.len, &reason);
	ck_assert_msg(leaf, "%s: CERT payload: %s", s->name, reason);
	ck_assert(x509_der(leaf, &der_msg) && x509_der(file, &der_file));
	ck_assert(chunk_eq(&der_file, der_msg.ptr, der_msg.len));
	/* the ID is one of the certificate's subjectAltNames */
	nsans = x509_get_sans(leaf, sans, 8);
	for (size_t j = 0; j < nsans && j < 8; j++)
		san_ok |= sans[j].type == id->id.type &&
			  sans[j].len == id->id.data.len &&
			  memcmp(sans[j].data, id->id.data.ptr, sans[j].len) == 0;
	ck_assert_msg(san_ok, "%s: ID not among the subjectAltNames", s->name);
	/* chain to the CA, at a fixed time inside the validity */
	ck_assert_ptr_nonnull(t);
	ck_assert(x509_trust_add(t, ca, &reason));
	ck_assert(x509_validity(leaf, &nb, &na));
	ck_assert_msg(x509_trust_verify(t, leaf, NULL, nb + 86400, &reason) == X509_V_OK,
		      "%s: chain: %s", s->name, reason);
	ck_assert_int_ne(x509_trust_verify(t, leaf, NULL, na + 86400, &reason), X509_V_OK);
	/* RFC 7427 AUTH over the signed octets */
	pub = x509_get_pubkey(leaf);
	ck_assert_ptr_nonnull(pub);
	ck_assert_msg(sign_verify_auth_data(pub, auth->auth.data.ptr, auth->auth.data.len,
					    oct.ptr, oct.len, &reason) == SIGN_OK,
		      "%s: %s AUTH: %s", s->name, initiator ? "initiator" : "responder",
		      reason);
	ck_assert_int_ne(sign_verify_auth_data(pub, auth->auth.data.ptr,
					       auth->auth.data.len, wrong.ptr,
					       wrong.len, &reason), SIGN_OK);
	other = x509_get_pubkey(peer_cert_other);
	ck_assert_int_ne(sign_verify_auth_data(other, auth->auth.data.ptr,
					       auth->auth.data.len, oct.ptr, oct.len,
					       &reason), SIGN_OK);
	pubkey_free(other);
	pubkey_free(pub);
	x509_trust_free(t);
	x509_free(leaf);
	x509_free(file);
	x509_free(ca);
	chunk_free(&der_msg);
	chunk_free(&der_file);
	chunk_free(&oct);
	chunk_free(&wrong);
}

START_TEST(auth_payloads_recompute_or_verify)
{
	struct fxs *s = fxs_load(scenarios[_i]);
	const char *auth = fx_key(&s->keys, "auth");
	long iq = find_msg(s, IKE_AUTH, false), ir = find_msg(s, IKE_AUTH, true);
	struct ike_msg *req, *resp;

	ck_assert(auth && iq >= 0 && ir >= 0);
	req = fxs_open(s, (size_t)iq, NULL);
	resp = fxs_open(s, (size_t)ir, NULL);
	if (strcmp(auth, "psk") == 0) {
		check_psk_auth(s, true, req);
		check_psk_auth(s, false, resp);
	} else {
		X509 *rw = load_pki(s, "pki/rw.crt"), *gw = load_pki(s, "pki/gw.crt");
		X509 *ca = load_pki(s, "pki/ca.crt");
		long sr = find_msg(s, IKE_SA_INIT, true);
		const struct ike_payload *creq;
		struct ike_msg *init;
		uint8_t keyid[PUBKEY_KEYID_LEN];

		check_sig_auth(s, true, req, gw);
		check_sig_auth(s, false, resp, rw);
		/* both CERTREQs name the CA by its SHA-1 key id */
		ck_assert(x509_keyid(ca, keyid));
		init = fxs_parse(s, (size_t)sr);
		creq = ike_msg_find(init, PL_CERTREQ);
		ck_assert(creq && creq->cert.encoding == CERT_X509_SIGNATURE);
		ck_assert(creq->cert.data.len == sizeof(keyid) &&
			  memcmp(creq->cert.data.ptr, keyid, sizeof(keyid)) == 0);
		creq = ike_msg_find(req, PL_CERTREQ);
		ck_assert(creq && creq->cert.data.len == sizeof(keyid) &&
			  memcmp(creq->cert.data.ptr, keyid, sizeof(keyid)) == 0);
		fx_msg_del(init);
		x509_free(rw);
		x509_free(gw);
		x509_free(ca);
	}
	fx_msg_del(req);
	fx_msg_del(resp);
	fxs_free(s);
}
END_TEST

static Suite *ike_fixtures_suite(void)
{
	Suite *s = suite_create("ike_fixtures");
	TCase *tc = tcase_create("strongswan");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, every_message_parses_matches_index_and_writes_back,
			    0, N_SCENARIOS);
	tcase_add_loop_test(tc, every_sk_message_opens_and_matches_strongswan, 0,
			    N_SCENARIOS);
	tcase_add_loop_test(tc, sk_seal_reproduces_strongswan, 0, N_SCENARIOS);
	tcase_add_loop_test(tc, keymat_reproduces_keys_txt, 0, N_SCENARIOS);
	tcase_add_loop_test(tc, auth_payloads_recompute_or_verify, 0, N_SCENARIOS);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ike_fixtures_suite)
