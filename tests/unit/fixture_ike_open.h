/* Helpers for tests/unit/test_ike_fixtures*.c: the captured strongSwan
 * scenarios (tests/fixtures/ike) loaded into memory and opened with
 * cygnet's own codec, SK layer and AEADs. Header-only (static inline), on
 * top of fixture_ike.h; every check is a Check assertion, so a helper that
 * returns has succeeded.
 *
 *   fxs_load(name)                 index, SPIs, keys and every .bin
 *   fxs_key(s, sa, "sk_ei", &c)    a key of IKE SA 1 or 2 ("sa2_" prefix)
 *   fxs_aead(s, sa, from_init)     decrypting AEAD for one direction
 *   fxs_parse(s, i)                ike_msg_parse of message i (heap)
 *   fxs_open(s, i)                 message i parsed and decrypted: sk_open
 *                                  for SK, RFC 7383 reassembly for SKF
 *   fx_summary_of(m, buf)          our summary from the first '['
 *   fx_expected_summary(x, buf, r) strongSwan's summary ([ ... ] or, with
 *                                  r, the reassembled=[ ... ] list) */
#ifndef CYGNET_TESTS_FIXTURE_IKE_OPEN_H
#define CYGNET_TESTS_FIXTURE_IKE_OPEN_H

#include <inttypes.h>

#include "check_main.h"
#include "crypto/aead.h"
#include "fixture_ike.h"
#include "ike/iana.h"
#include "ike/msg.h"
#include "ike/names.h"
#include "ike/sk.h"

#define FX_SUMMARY 512

struct fxs {
	const char *name;
	struct fx_keys keys;
	struct fx_msg idx[FX_MAX_MSGS];
	uint64_t spi_i[FX_MAX_MSGS], spi_r[FX_MAX_MSGS];
	struct chunk bin[FX_MAX_MSGS];
	size_t n;
};

/* A decrypted message: for fragments m points into the datagram of
 * fragment 1, which the message keeps alive here. */
struct fx_open {
	struct ike_msg *m;
	struct chunk plain;	/* SKF only: the reassembled inner chain (owned
				 * by m, do not free) */
};

static inline void fxs_read_spis(struct fxs *s)
{
	char path[512], line[1024];
	size_t n = 0;
	FILE *f;

	ck_assert(fx_path(path, sizeof(path), s->name, "messages.txt"));
	f = fopen(path, "r");
	ck_assert_msg(f, "%s", path);
	while (n < s->n && fgets(line, sizeof(line), f)) {
		char file[96], si[17], sr[17];
		unsigned sa;

		if (line[0] == '#')
			continue;
		ck_assert_int_eq(sscanf(line, "%95s sa=%u spi_i=%16s spi_r=%16s",
					file, &sa, si, sr), 4);
		ck_assert_str_eq(file, s->idx[n].file);
		s->spi_i[n] = strtoull(si, NULL, 16);
		s->spi_r[n] = strtoull(sr, NULL, 16);
		n++;
	}
	fclose(f);
	ck_assert_uint_eq(n, s->n);
}

static inline struct fxs *fxs_load(const char *name)
{
	struct fxs *s = calloc(1, sizeof(*s));

	ck_assert_ptr_nonnull(s);
	s->name = name;
	ck_assert_msg(fx_keys_load(name, &s->keys), "%s: keys.txt", name);
	s->n = fx_msgs_load(name, s->idx, FX_MAX_MSGS);
	ck_assert_msg(s->n >= 6, "%s: %zu messages", name, s->n);
	fxs_read_spis(s);
	for (size_t i = 0; i < s->n; i++)
		ck_assert_msg(fx_file_load(name, s->idx[i].file, &s->bin[i]),
			      "%s/%s", name, s->idx[i].file);
	return s;
}

static inline void fxs_free(struct fxs *s)
{
	for (size_t i = 0; i < s->n; i++)
		chunk_free(&s->bin[i]);
	free(s);
}

/* keys.txt names of IKE SA 2 carry a "sa2_" prefix. */
static inline bool fxs_key_opt(const struct fxs *s, unsigned sa,
			       const char *name, struct chunk *c)
{
	char full[40];

	snprintf(full, sizeof(full), "%s%s", sa == 2 ? "sa2_" : "", name);
	memset(c, 0, sizeof(*c));
	return fx_key_hex(&s->keys, full, c);
}

static inline struct chunk fxs_key(const struct fxs *s, unsigned sa,
				   const char *name)
{
	struct chunk c;

	ck_assert_msg(fxs_key_opt(s, sa, name, &c), "%s: keys.txt lacks %s%s",
		      s->name, sa == 2 ? "sa2_" : "", name);
	return c;
}

static inline void fx_spi_bytes(uint64_t spi, uint8_t out[8])
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(spi >> (56 - 8 * i));
}

/* The negotiated SK algorithm set. ChaCha20-Poly1305 has no Key Length
 * attribute (keys.txt says 0); aead_alg wants its fixed 256 bits. */
static inline struct aead_alg fxs_alg(const struct fxs *s)
{
	struct aead_alg alg = {
		.encr = (uint16_t)fx_key_int(&s->keys, "encr"),
		.key_bits = (uint16_t)fx_key_int(&s->keys, "encr_key_bits"),
		.integ = (uint16_t)fx_key_int(&s->keys, "integ"),
	};

	if (alg.encr == ENCR_CHACHA20_POLY1305 && alg.key_bits == 0)
		alg.key_bits = 256;
	ck_assert_msg(aead_supported(&alg), "%s: encr %u/%u integ %u", s->name,
		      alg.encr, alg.key_bits, alg.integ);
	return alg;
}

/* Decrypts what the original initiator (from_init) or responder sent:
 * SK_ei/SK_ai or SK_er/SK_ar of IKE SA sa. */
static inline struct aead *fxs_aead(const struct fxs *s, unsigned sa,
				    bool from_init)
{
	struct aead_alg alg = fxs_alg(s);
	struct chunk e = fxs_key(s, sa, from_init ? "sk_ei" : "sk_er"), a = { 0 };
	struct aead *x;

	if (!aead_is_combined(alg.encr))
		a = fxs_key(s, sa, from_init ? "sk_ai" : "sk_ar");
	x = aead_create(&alg, false, e.ptr, e.len, a.len ? a.ptr : NULL, a.len);
	ck_assert_msg(x, "%s: aead_create", s->name);
	chunk_free(&e);
	chunk_free(&a);
	return x;
}

static inline struct ike_msg *fx_msg_new(void)
{
	struct ike_msg *m = calloc(1, sizeof(*m));

	ck_assert_ptr_nonnull(m);
	ike_msg_init(m);
	return m;
}

static inline void fx_msg_del(struct ike_msg *m)
{
	if (m) {
		ike_msg_free(m);
		free(m);
	}
}

static inline struct ike_msg *fxs_parse(const struct fxs *s, size_t i)
{
	struct ike_msg *m = fx_msg_new();
	struct ike_err err;
	enum ike_err_code rc = ike_msg_parse(m, s->bin[i].ptr, s->bin[i].len, &err);

	ck_assert_msg(rc == IKE_OK, "%s/%s: %s: %s", s->name, s->idx[i].file,
		      ike_err_code_name(rc), err.reason);
	return m;
}

static inline size_t fx_inner_count(const struct ike_msg *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->npl; i++)
		n += m->pl[i].inner;
	return n;
}

/* Decrypts one SKF datagram (parsed in m) with the AEAD directly: IV |
 * ciphertext | ICV, AAD = IKE header + SKF header (RFC 7383 2.5). *out is
 * malloc'd and stripped of padding. False on an integrity failure. */
static inline bool fx_skf_decrypt(struct aead *a, const struct ike_msg *m,
				  struct chunk *out)
{
	const struct ike_payload *p = ike_msg_find_encrypted(m);
	const struct aead_alg *alg = aead_get_alg(a);
	size_t iv = aead_iv_len(alg), icv = aead_icv_len(alg), len;
	uint8_t *buf;

	ck_assert(p && p->type == PL_SKF);
	ck_assert_uint_eq(p->skf.aad_len, p->offset + IKE_SKF_HDR_LEN);
	ck_assert_uint_ge(p->skf.body.len, iv + icv + 1);
	len = p->skf.body.len - iv - icv;
	buf = malloc(len);
	ck_assert_ptr_nonnull(buf);
	if (!aead_decrypt(a, p->skf.body.ptr, m->raw.ptr, p->skf.aad_len,
			  p->skf.body.ptr + iv, len, buf, p->skf.body.ptr + iv + len)) {
		free(buf);
		return false;
	}
	ck_assert_uint_lt(buf[len - 1], len);
	out->ptr = buf;
	out->len = len - buf[len - 1] - 1;
	return true;
}

/* Fragment k (1-based) of the message fragment i belongs to (same SA,
 * message ID and flags), or -1. */
static inline long fxs_fragment(const struct fxs *s, size_t i, unsigned k)
{
	for (size_t j = 0; j < s->n; j++)
		if (s->idx[j].frag == k && s->idx[j].sa == s->idx[i].sa &&
		    s->idx[j].mid == s->idx[i].mid &&
		    s->idx[j].flags == s->idx[i].flags &&
		    s->idx[j].exch == s->idx[i].exch)
			return (long)j;
	return -1;
}

/* Reassembles the fragmented message i belongs to. Fragments are decrypted
 * in the given order (order[k] = fragment number to take k-th, NULL: file
 * order) and placed by their own Fragment Number. */
static inline struct ike_msg *fxs_reassemble(const struct fxs *s, size_t i,
					     const unsigned *order,
					     struct chunk *plain_out)
{
	unsigned total = s->idx[i].frag_total;
	struct chunk part[IKE_MAX_FRAGMENTS + 1];
	struct aead *a = fxs_aead(s, s->idx[i].sa,
				  s->idx[i].flags & IKE_FLAG_INITIATOR);
	struct ike_msg *first = NULL;
	uint8_t first_type = PL_NONE, *buf;
	size_t len = 0, off = 0;
	struct ike_err err;
	enum ike_err_code rc;

	ck_assert_uint_ge(total, 1);
	memset(part, 0, sizeof(part));
	for (unsigned k = 0; k < total; k++) {
		unsigned want = order ? order[k] : k + 1;
		long j = fxs_fragment(s, i, want);
		struct ike_msg *m;
		const struct ike_payload *p;

		ck_assert_msg(j >= 0, "%s: fragment %u missing", s->name, want);
		m = fxs_parse(s, (size_t)j);
		p = ike_msg_find_encrypted(m);
		ck_assert(p && p->type == PL_SKF);
		ck_assert_uint_eq(p->skf.frag_num, want);
		ck_assert_uint_eq(p->skf.total, total);
		ck_assert_ptr_null(part[want].ptr);
		ck_assert_msg(fx_skf_decrypt(a, m, &part[want]),
			      "%s/%s: SKF integrity", s->name, s->idx[j].file);
		len += part[want].len;
		if (want == 1) {
			first_type = p->skf.inner_next;
			first = m;
		} else {
			/* RFC 7383 2.5: Next Payload is 0 in all but the first */
			ck_assert_uint_eq(p->skf.inner_next, PL_NONE);
			fx_msg_del(m);
		}
	}
	aead_free(a);
	ck_assert_ptr_nonnull(first);
	buf = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(buf);
	for (unsigned k = 1; k <= total; k++) {
		memcpy(buf + off, part[k].ptr, part[k].len);
		off += part[k].len;
		chunk_free(&part[k]);
	}
	ck_assert(ike_msg_adopt(first, buf, len));
	rc = ike_msg_parse_inner(first, first_type, buf, len, &err);
	ck_assert_msg(rc == IKE_OK, "%s: reassembled chain: %s", s->name, err.reason);
	if (plain_out) {
		plain_out->ptr = buf;
		plain_out->len = len;
	}
	return first;
}

/* Message i parsed and, if encrypted, decrypted. */
static inline struct ike_msg *fxs_open(const struct fxs *s, size_t i,
				       struct chunk *plain_out)
{
	struct ike_msg *m;
	const struct ike_payload *p;
	struct aead *a;
	struct ike_err err;
	enum ike_err_code rc;

	if (plain_out)
		memset(plain_out, 0, sizeof(*plain_out));
	if (s->idx[i].frag)
		return fxs_reassemble(s, i, NULL, plain_out);
	m = fxs_parse(s, i);
	p = ike_msg_find_encrypted(m);
	if (!p)
		return m;
	a = fxs_aead(s, s->idx[i].sa, s->idx[i].flags & IKE_FLAG_INITIATOR);
	rc = sk_open(a, m, &err);
	ck_assert_msg(rc == IKE_OK, "%s/%s: sk_open: %s: %s", s->name,
		      s->idx[i].file, ike_err_code_name(rc), err.reason);
	aead_free(a);
	if (plain_out) {
		/* The inner chain as decrypted: from the first inner payload's
		 * generic header (offset 0 of the plaintext) to the last one's end. */
		const struct ike_payload *f = NULL, *l = NULL;

		for (size_t k = 0; k < m->npl; k++)
			if (m->pl[k].inner) {
				f = f ? f : &m->pl[k];
				l = &m->pl[k];
			}
		if (f) {
			ck_assert_uint_eq(f->offset, 0);
			plain_out->ptr = (uint8_t *)(f->body.ptr - IKE_GENERIC_HDR_LEN);
			plain_out->len = l->offset + IKE_GENERIC_HDR_LEN + l->body.len;
		}
	}
	return m;
}

/* Our summary from its '[' ("[ IDi N(INIT_CONTACT) ... ]"). */
static inline void fx_summary_of(const struct ike_msg *m, char *out)
{
	char buf[FX_SUMMARY];
	const char *b;

	ike_msg_summary(m, buf, sizeof(buf));
	b = strchr(buf, '[');
	ck_assert_ptr_nonnull(b);
	snprintf(out, FX_SUMMARY, "%s", b);
}

/* strongSwan's list: the first "[ ... ]" or the reassembled one. */
static inline void fx_expected_summary(const struct fx_msg *x, char *out,
				       bool reassembled)
{
	const char *b = x->summary, *e;

	if (reassembled) {
		b = strstr(x->summary, "reassembled=");
		ck_assert_msg(b, "%s: no reassembled summary", x->file);
		b += strlen("reassembled=");
	}
	e = strchr(b, ']');
	ck_assert_msg(b[0] == '[' && e, "%s: summary '%s'", x->file, x->summary);
	snprintf(out, FX_SUMMARY, "%.*s", (int)(e - b + 1), b);
	ck_assert_msg(strcmp(out, "[ ? ]") != 0, "%s: no strongSwan summary",
		      x->file);
}

#endif
