/* The strongSwan captures, continued (see test_ike_fixtures.c):
 *   5 frag: RFC 7383 fragments decrypt one by one (AAD = IKE header + SKF
 *     header), reassemble in any arrival order to strongSwan's reassembled
 *     payload list, and every header/ICV change is caught;
 *   6 rekey: CREATE_CHILD_SA (CHILD and IKE rekey) and INFORMATIONAL
 *     deletes decrypt and carry the SPIs of the SAs they replace/delete;
 *     keymat_ike_rekey reproduces IKE SA 2's keys, which open its delete.
 * Expected values come from the fixture files only. */
#include "fixture_ike_open.h"
#include "ike/keymat.h"

/* --- 5: fragments ------------------------------------------------------ */

/* Copy of fragment j with byte off set to val: it still parses, and the
 * AEAD must refuse it. */
static void frag_tamper_fails(const struct fxs *s, size_t j, size_t off,
			      uint8_t val, struct aead *a)
{
	struct chunk c = { 0 }, plain = { 0 };
	struct ike_msg *m = fx_msg_new();
	struct ike_err err;

	ck_assert(chunk_dup(&c, s->bin[j].ptr, s->bin[j].len));
	ck_assert_uint_ne(c.ptr[off], val);
	c.ptr[off] = val;
	ck_assert_msg(ike_msg_parse(m, c.ptr, c.len, &err) == IKE_OK, "%s: %s",
		      s->idx[j].file, err.reason);
	ck_assert_msg(!fx_skf_decrypt(a, m, &plain), "%s: byte %zu changed, accepted",
		      s->idx[j].file, off);
	fx_msg_del(m);
	chunk_free(&c);
}

/* The same as a bit flip. */
static void frag_flip_fails(const struct fxs *s, size_t j, size_t off,
			    struct aead *a)
{
	frag_tamper_fails(s, j, off, s->bin[j].ptr[off] ^ 0x01, a);
}

START_TEST(fragments_reassemble_in_any_order_to_strongswan_summary)
{
	struct fxs *s = fxs_load("frag");
	char got[FX_SUMMARY], want[FX_SUMMARY];
	unsigned groups = 0, frags = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct fx_msg *x = &s->idx[i];
		unsigned total = x->frag_total, order[IKE_MAX_FRAGMENTS];
		bool from_init = x->flags & IKE_FLAG_INITIATOR;
		struct chunk plain, again;
		struct ike_msg *m, *m2;
		struct aead *a, *wrong;
		struct ike_err err;
		struct wbuf w;
		uint8_t first;

		if (x->frag != total || total == 0)
			continue;	/* once per message, at its last fragment */
		groups++;
		m = fxs_reassemble(s, i, NULL, &plain);
		fx_summary_of(m, got);
		fx_expected_summary(x, want, true);
		ck_assert_msg(strcmp(got, want) == 0, "reassembled: ours %s, strongSwan %s",
			      got, want);
		/* the reassembled chain re-serializes byte for byte */
		wbuf_init(&w);
		ck_assert_int_eq(ike_msg_write_chain(m, &w, &first, &err), IKE_OK);
		ck_assert_uint_eq(first, ike_msg_find_encrypted(m)->skf.inner_next);
		ck_assert(w.len == plain.len && memcmp(w.p, plain.ptr, w.len) == 0);
		wbuf_free(&w);
		/* reverse and interleaved arrival give the same plaintext */
		for (unsigned k = 0; k < total; k++)
			order[k] = total - k;
		m2 = fxs_reassemble(s, i, order, &again);
		ck_assert(again.len == plain.len &&
			  memcmp(again.ptr, plain.ptr, plain.len) == 0);
		fx_msg_del(m2);
		for (unsigned k = 0; k < total; k++)
			order[k] = k % 2 ? (k + 1) / 2 + (total + 1) / 2 : k / 2 + 1;
		m2 = fxs_reassemble(s, i, order, &again);
		ck_assert(again.len == plain.len &&
			  memcmp(again.ptr, plain.ptr, plain.len) == 0);
		fx_msg_del(m2);
		fx_msg_del(m);
		/* every fragment: the SKF header (fragment number, total, next
		 * payload) is in the AAD; the ICV and the ciphertext are checked;
		 * the other direction's keys fail; sk_open refuses SKF */
		a = fxs_aead(s, x->sa, from_init);
		wrong = fxs_aead(s, x->sa, !from_init);
		for (unsigned k = 1; k <= total; k++) {
			long j = fxs_fragment(s, i, k);
			const struct ike_payload *p;
			size_t off;

			ck_assert(j >= 0);
			m = fxs_parse(s, (size_t)j);
			p = ike_msg_find_encrypted(m);
			ck_assert_uint_eq(p->offset, IKE_HDR_LEN);
			ck_assert_uint_eq(p->skf.aad_len, IKE_HDR_LEN + IKE_SKF_HDR_LEN);
			off = p->offset;
			/* changes the codec still accepts: one more fragment in
			 * total, another fragment number (2..total: only fragment
			 * 1 may name a next payload), another next payload */
			ck_assert_uint_lt(total, 255);
			frag_tamper_fails(s, (size_t)j, off + 7, (uint8_t)(total + 1), a);
			if (k > 1)
				frag_tamper_fails(s, (size_t)j, off + 5,
						  (uint8_t)(k == 2 ? 3 : 2), a);
			else
				frag_flip_fails(s, (size_t)j, off, a);
			frag_flip_fails(s, (size_t)j, 20, a);		/* message ID */
			frag_flip_fails(s, (size_t)j, off + IKE_SKF_HDR_LEN, a); /* IV */
			frag_flip_fails(s, (size_t)j, s->bin[j].len / 2 + 20, a);
			frag_flip_fails(s, (size_t)j, s->bin[j].len - 1, a);	/* ICV */
			ck_assert(!fx_skf_decrypt(wrong, m, &plain));
			ck_assert_int_eq(sk_open(a, m, &err), IKE_ERR_SYNTAX);
			ck_assert_uint_eq(fx_inner_count(m), 0);
			fx_msg_del(m);
			frags++;
		}
		aead_free(a);
		aead_free(wrong);
	}
	ck_assert_uint_eq(groups, 2);	/* IKE_AUTH request and response */
	ck_assert_uint_ge(frags, 4);
	fxs_free(s);
}
END_TEST

/* --- 6: rekey ---------------------------------------------------------- */

static long find_nth(const struct fxs *s, unsigned exch, bool response,
		     unsigned nth)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->idx[i].exch == exch &&
		    !!(s->idx[i].flags & IKE_FLAG_RESPONSE) == response && nth-- == 0)
			return (long)i;
	return -1;
}

static struct ike_msg *open_nth(const struct fxs *s, unsigned exch,
				bool response, unsigned nth, unsigned sa)
{
	long i = find_nth(s, exch, response, nth);
	struct ike_msg *m;
	char got[FX_SUMMARY], want[FX_SUMMARY];

	ck_assert_msg(i >= 0, "rekey: no %s %s #%u", ike_exchange_name((uint8_t)exch),
		      response ? "response" : "request", nth);
	ck_assert_uint_eq(s->idx[i].sa, sa);
	m = fxs_open(s, (size_t)i, NULL);
	fx_summary_of(m, got);
	fx_expected_summary(&s->idx[i], want, false);
	ck_assert_str_eq(got, want);
	return m;
}

/* The SPI of the first proposal of m's (inner) SA payload. */
static struct ike_bytes sa_spi(const struct ike_msg *m, uint8_t protocol)
{
	const struct ike_payload *sa = ike_msg_find(m, PL_SA);

	ck_assert(sa && sa->inner && sa->sa.nproposals >= 1);
	ck_assert_uint_eq(sa->sa.proposals[0].protocol, protocol);
	return sa->sa.proposals[0].spi;
}

static bool bytes_eq(struct ike_bytes a, struct ike_bytes b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static void check_delete(const struct ike_msg *m, uint8_t protocol,
			 const struct ike_bytes *spi)
{
	const struct ike_payload *d = ike_msg_find(m, PL_DELETE);

	ck_assert(d && d->inner);
	ck_assert_uint_eq(ike_msg_count(m, PL_DELETE), 1);
	ck_assert_uint_eq(d->del.protocol, protocol);
	if (!spi) {
		ck_assert_uint_eq(d->del.nspis, 0);	/* the IKE SA itself */
		return;
	}
	ck_assert_uint_eq(d->del.nspis, 1);
	ck_assert_uint_eq(d->del.spi_size, spi->len);
	ck_assert(memcmp(d->del.spis.ptr, spi->ptr, spi->len) == 0);
}

static struct chunk nonce_of(const struct ike_msg *m)
{
	const struct ike_payload *no = ike_msg_find(m, PL_NONCE);
	struct chunk c = { 0 };

	ck_assert(no && no->inner);
	ck_assert(chunk_dup(&c, no->data.data.ptr, no->data.data.len));
	return c;
}

START_TEST(rekey_exchanges_carry_the_right_spis_and_keys)
{
	struct fxs *s = fxs_load("rekey");
	struct ike_msg *auth_q = open_nth(s, IKE_AUTH, false, 0, 1);
	struct ike_msg *auth_r = open_nth(s, IKE_AUTH, true, 0, 1);
	struct ike_msg *cq = open_nth(s, CREATE_CHILD_SA, false, 0, 1);
	struct ike_msg *cr = open_nth(s, CREATE_CHILD_SA, true, 0, 1);
	struct ike_msg *dq = open_nth(s, INFORMATIONAL, false, 0, 1);
	struct ike_msg *dr = open_nth(s, INFORMATIONAL, true, 0, 1);
	struct ike_msg *iq = open_nth(s, CREATE_CHILD_SA, false, 1, 1);
	struct ike_msg *ir = open_nth(s, CREATE_CHILD_SA, true, 1, 1);
	struct ike_msg *xq = open_nth(s, INFORMATIONAL, false, 1, 1);
	struct ike_msg *xr = open_nth(s, INFORMATIONAL, true, 1, 1);
	struct ike_msg *yq = open_nth(s, INFORMATIONAL, false, 2, 2);
	struct ike_bytes old_i = sa_spi(auth_q, PROTO_ESP), old_r = sa_spi(auth_r, PROTO_ESP);
	const struct ike_payload *n = ike_msg_find_notify(cq, N_REKEY_SA);
	struct chunk spi2_i = fxs_key(s, 2, "spi_i"), spi2_r = fxs_key(s, 2, "spi_r");
	struct chunk g2 = fxs_key(s, 2, "g_ir"), g1 = fxs_key(s, 1, "g_ir");
	struct chunk ni = fxs_key(s, 1, "ni"), nr = fxs_key(s, 1, "nr");
	struct chunk spi_i = fxs_key(s, 1, "spi_i"), spi_r = fxs_key(s, 1, "spi_r");
	struct chunk ni2, nr2;
	struct aead_alg alg = fxs_alg(s);
	uint16_t prf = (uint16_t)fx_key_int(&s->keys, "prf");
	struct ike_keys k1 = { 0 }, k2 = { 0 };
	static const char *const names[] = { "sk_d", "sk_ai", "sk_ar", "sk_ei",
					     "sk_er", "sk_pi", "sk_pr" };
	long y = find_nth(s, INFORMATIONAL, false, 2);
	struct ike_msg *m;
	struct aead *a1;
	struct ike_err err;

	/* CHILD rekey: N(REKEY_SA) names the initiator's old inbound ESP SPI
	 * (from its IKE_AUTH proposal); new SPIs of 4 bytes, no KE (no PFS) */
	ck_assert_uint_eq(old_i.len, 4);
	ck_assert(n && n->notify.protocol == PROTO_ESP);
	ck_assert(bytes_eq(n->notify.spi, old_i));
	ck_assert_uint_eq(sa_spi(cq, PROTO_ESP).len, 4);
	ck_assert_uint_eq(sa_spi(cr, PROTO_ESP).len, 4);
	ck_assert(!bytes_eq(sa_spi(cq, PROTO_ESP), old_i));
	ck_assert_ptr_null(ike_msg_find(cq, PL_KE));
	/* same selectors as the IKE_AUTH response negotiated */
	ck_assert(ike_payload_equal(ike_msg_find(cr, PL_TSI), ike_msg_find(auth_r, PL_TSI)));
	ck_assert(ike_payload_equal(ike_msg_find(cr, PL_TSR), ike_msg_find(auth_r, PL_TSR)));
	/* each side deletes its own old inbound SA */
	check_delete(dq, PROTO_ESP, &old_i);
	check_delete(dr, PROTO_ESP, &old_r);
	/* IKE rekey: proposals carry the new IKE SPIs (8 bytes) and a KE */
	ck_assert(bytes_eq(sa_spi(iq, PROTO_IKE),
			   (struct ike_bytes){ spi2_i.ptr, spi2_i.len }));
	ck_assert(bytes_eq(sa_spi(ir, PROTO_IKE),
			   (struct ike_bytes){ spi2_r.ptr, spi2_r.len }));
	ck_assert(ike_msg_find(iq, PL_KE) &&
		  ike_msg_find(iq, PL_KE)->ke.group == fx_key_int(&s->keys, "ke"));
	ck_assert(ike_msg_find(ir, PL_KE) &&
		  ike_msg_find(ir, PL_KE)->ke.group == fx_key_int(&s->keys, "ke"));
	check_delete(xq, PROTO_IKE, NULL);	/* IKE SA 1 goes */
	ck_assert_uint_eq(xr->npl - fx_inner_count(xr), 1);
	ck_assert_uint_eq(fx_inner_count(xr), 0);
	check_delete(yq, PROTO_IKE, NULL);	/* and finally IKE SA 2 */
	ck_assert_uint_eq(yq->hdr.msg_id, 0);
	/* SA 2's keys: SKEYSEED = prf(SK_d(SA 1), g^ir(new) | Ni | Nr), prf+
	 * over the rekey nonces and the new SPIs */
	ni2 = nonce_of(iq);
	nr2 = nonce_of(ir);
	ck_assert(keymat_ike_derive(prf, &alg, &g1, &ni, &nr, spi_i.ptr, spi_r.ptr, &k1));
	ck_assert(keymat_ike_rekey(&k1, prf, &alg, &g2, &ni2, &nr2, spi2_i.ptr,
				   spi2_r.ptr, &k2));
	{
		const struct chunk *got[] = { &k2.sk_d, &k2.sk_ai, &k2.sk_ar, &k2.sk_ei,
					      &k2.sk_er, &k2.sk_pi, &k2.sk_pr };

		for (size_t j = 0; j < 7; j++) {
			struct chunk want = fxs_key(s, 2, names[j]);

			ck_assert_msg(want.len == got[j]->len &&
				      memcmp(want.ptr, got[j]->ptr, want.len) == 0,
				      "rekeyed %s differs", names[j]);
			chunk_free(&want);
		}
	}
	/* SA 1's keys do not open SA 2's delete */
	ck_assert(y >= 0);
	m = fxs_parse(s, (size_t)y);
	a1 = fxs_aead(s, 1, true);
	ck_assert_int_eq(sk_open(a1, m, &err), IKE_ERR_HEADER);
	aead_free(a1);
	fx_msg_del(m);

	ike_keys_free(&k1);
	ike_keys_free(&k2);
	chunk_free(&ni2);
	chunk_free(&nr2);
	chunk_free(&spi2_i);
	chunk_free(&spi2_r);
	chunk_free(&g1);
	chunk_free(&g2);
	chunk_free(&ni);
	chunk_free(&nr);
	chunk_free(&spi_i);
	chunk_free(&spi_r);
	fx_msg_del(auth_q);
	fx_msg_del(auth_r);
	fx_msg_del(cq);
	fx_msg_del(cr);
	fx_msg_del(dq);
	fx_msg_del(dr);
	fx_msg_del(iq);
	fx_msg_del(ir);
	fx_msg_del(xq);
	fx_msg_del(xr);
	fx_msg_del(yq);
	fxs_free(s);
}
END_TEST

/* --- fuzz seeds ---------------------------------------------------------- */

static void seed_write(const char *dir, const char *corpus, const char *name,
		       uint8_t mode, bool with_mode, uint8_t first,
		       bool with_first, const uint8_t *p, size_t len)
{
	char path[768];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s/%s", dir, corpus, name);
	f = fopen(path, "wb");
	ck_assert_msg(f, "%s", path);
	if (with_mode)
		ck_assert_int_eq(fputc(mode, f), mode);
	if (with_first)
		ck_assert_int_eq(fputc(first, f), first);
	ck_assert_uint_eq(fwrite(p, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Seeds for tests/fuzz/corpus/ike_msg (datagrams; decrypted inner chains,
 * which the target also parses as chains) and ike_sk (byte 0 = mode: 0/1
 * raw datagram for the GCM/CBC keys, 2/3 sealed: byte 1 = first inner
 * payload, then the inner plaintext, see tests/fuzz/fuzz_ike_sk.c), from
 * every scenario. Always built and checked; written only when
 * IKE_FIXTURES_SEED_DIR names a directory (holding ike_msg/ and ike_sk/):
 *   IKE_FIXTURES_SEED_DIR=tests/fuzz/corpus build/rel/tests/test_ike_fixtures_more */
START_TEST(fuzz_seeds_from_fixtures)
{
	static const char *const names[] = {
		"psk-x25519-aesgcm256", "psk-modp2048-aescbc-sha256",
		"psk-ecp384-chacha",    "cert-ecdsa", "frag", "rekey",
	};
	const char *dir = getenv("IKE_FIXTURES_SEED_DIR");
	unsigned dgrams = 0, chains = 0;

	for (size_t sc = 0; sc < sizeof(names) / sizeof(names[0]); sc++) {
		struct fxs *s = fxs_load(names[sc]);
		bool cbc = !aead_is_combined(fxs_alg(s).encr);

		for (size_t i = 0; i < s->n; i++) {
			const struct fx_msg *x = &s->idx[i];
			char name[256];
			struct chunk plain;
			struct ike_msg *m;
			const struct ike_payload *enc;
			uint8_t first;

			snprintf(name, sizeof(name), "fx-%s-%.*s", s->name,
				 (int)(strlen(x->file) - 4), x->file);
			seed_write(dir, "ike_msg", name, 0, false, 0, false,
				   s->bin[i].ptr, s->bin[i].len);
			dgrams++;
			if (x->exch == IKE_SA_INIT)
				continue;
			seed_write(dir, "ike_sk", name, cbc, true, 0, false,
				   s->bin[i].ptr, s->bin[i].len);
			if (x->frag && x->frag != x->frag_total)
				continue;	/* the whole chain once, at the last */
			m = fxs_open(s, i, &plain);
			enc = ike_msg_find_encrypted(m);
			first = enc->type == PL_SK ? enc->sk.inner_next : enc->skf.inner_next;
			if (plain.len) {
				ck_assert_uint_le(plain.len, 4096);	/* MAX_PLAIN */
				snprintf(name, sizeof(name), "fx-%s-%.*s.inner", s->name,
					 (int)(strlen(x->file) - 4), x->file);
				seed_write(dir, "ike_msg", name, 0, false, 0, false,
					   plain.ptr, plain.len);
				seed_write(dir, "ike_sk", name, 2 | cbc, true, first, true,
					   plain.ptr, plain.len);
				chains++;
			}
			fx_msg_del(m);
		}
		fxs_free(s);
	}
	ck_assert_uint_ge(dgrams, 40);
	ck_assert_uint_ge(chains, 20);
}
END_TEST

static Suite *ike_fixtures_more_suite(void)
{
	Suite *s = suite_create("ike_fixtures_more");
	TCase *tc = tcase_create("strongswan");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, fragments_reassemble_in_any_order_to_strongswan_summary);
	tcase_add_test(tc, rekey_exchanges_carry_the_right_spis_and_keys);
	tcase_add_test(tc, fuzz_seeds_from_fixtures);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ike_fixtures_more_suite)
