/* Proposal keyword strings to IANA transforms: good and bad tables,
 * defaults, canonical formatting. */
#include "check_main.h"
#include "config/proposal.h"
#include "ike/iana.h"

#define IKE PROPOSAL_IKE
#define ESP PROPOSAL_ESP

/* Expected transforms; lists end at the first 0 (ESN: -1 ends). */
struct want {
	enum proposal_proto proto;
	const char *in;
	bool aead;
	uint16_t encr[4], bits[4];
	uint16_t integ[4];
	uint16_t prf[4];
	uint16_t ke[8];
	int esn[3];
};

static const struct want good[] = {
	{ IKE, "aes256gcm16-prfsha256-x25519", true,
	  { ENCR_AES_GCM_16 }, { 256 }, { 0 }, { PRF_HMAC_SHA2_256 }, { KE_CURVE25519 }, { -1 } },
	{ IKE, "aes128-sha256-modp2048", false,
	  { ENCR_AES_CBC }, { 128 }, { AUTH_HMAC_SHA2_256_128 }, { PRF_HMAC_SHA2_256 },
	  { KE_MODP_2048 }, { -1 } },
	{ IKE, "chacha20poly1305-prfsha384-ecp384", true,
	  { ENCR_CHACHA20_POLY1305 }, { 0 }, { 0 }, { PRF_HMAC_SHA2_384 }, { KE_ECP_384 }, { -1 } },
	{ IKE, "aes192-sha1-modp3072", false,
	  { ENCR_AES_CBC }, { 192 }, { AUTH_HMAC_SHA1_96 }, { PRF_HMAC_SHA1 }, { KE_MODP_3072 }, { -1 } },
	/* explicit prf wins over the one implied by integ */
	{ IKE, "aes256-sha512-prfsha384-ecp521", false,
	  { ENCR_AES_CBC }, { 256 }, { AUTH_HMAC_SHA2_512_256 }, { PRF_HMAC_SHA2_384 },
	  { KE_ECP_521 }, { -1 } },
	/* several algorithms per type, in order; duplicates once */
	{ IKE, "aes128-aes256-sha256-sha384-x25519-curve25519-x448-modp4096", false,
	  { ENCR_AES_CBC, ENCR_AES_CBC }, { 128, 256 },
	  { AUTH_HMAC_SHA2_256_128, AUTH_HMAC_SHA2_384_192 },
	  { PRF_HMAC_SHA2_256, PRF_HMAC_SHA2_384 },
	  { KE_CURVE25519, KE_CURVE448, KE_MODP_4096 }, { -1 } },
	{ IKE, "aes128gcm16-aes256gcm128-prfsha1-prfsha512-ecp256-curve448", true,
	  { ENCR_AES_GCM_16, ENCR_AES_GCM_16 }, { 128, 256 }, { 0 },
	  { PRF_HMAC_SHA1, PRF_HMAC_SHA2_512 }, { KE_ECP_256, KE_CURVE448 }, { -1 } },
	{ ESP, "aes256gcm16", true,
	  { ENCR_AES_GCM_16 }, { 256 }, { 0 }, { 0 }, { 0 }, { ESN_NO, -1 } },
	{ ESP, "aes256gcm16-modp2048", true,
	  { ENCR_AES_GCM_16 }, { 256 }, { 0 }, { 0 }, { KE_MODP_2048 }, { ESN_NO, -1 } },
	{ ESP, "chacha20poly1305", true,
	  { ENCR_CHACHA20_POLY1305 }, { 0 }, { 0 }, { 0 }, { 0 }, { ESN_NO, -1 } },
	{ ESP, "aes128-sha256", false,
	  { ENCR_AES_CBC }, { 128 }, { AUTH_HMAC_SHA2_256_128 }, { 0 }, { 0 }, { ESN_NO, -1 } },
	{ ESP, "aes128-sha256-esn", false,
	  { ENCR_AES_CBC }, { 128 }, { AUTH_HMAC_SHA2_256_128 }, { 0 }, { 0 }, { ESN_YES, -1 } },
	{ ESP, "aes256gcm16-x25519-esn-noesn", true,
	  { ENCR_AES_GCM_16 }, { 256 }, { 0 }, { 0 }, { KE_CURVE25519 }, { ESN_YES, ESN_NO, -1 } },
	/* every group at once (8, the per-type bound); curve448 = x448 */
	{ ESP, "aes128-sha256-modp2048-modp3072-modp4096-ecp256-ecp384-ecp521-x25519-x448-curve448",
	  false, { ENCR_AES_CBC }, { 128 }, { AUTH_HMAC_SHA2_256_128 }, { 0 },
	  { KE_MODP_2048, KE_MODP_3072, KE_MODP_4096, KE_ECP_256, KE_ECP_384, KE_ECP_521,
	    KE_CURVE25519, KE_CURVE448 }, { ESN_NO, -1 } },
	{ ESP, "aes-sha1-noesn", false,
	  { ENCR_AES_CBC }, { 128 }, { AUTH_HMAC_SHA1_96 }, { 0 }, { 0 }, { ESN_NO, -1 } },
};

static size_t count16(const uint16_t *a, size_t max)
{
	size_t n = 0;

	while (n < max && a[n])
		n++;
	return n;
}

START_TEST(proposal_good_table)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct want *w = &good[i];
		struct proposal p;
		struct proposal_err err;
		size_t n;

		ck_assert_msg(proposal_parse(w->proto, w->in, &p, &err),
			      "%s: %s", w->in, err.what);
		ck_assert_int_eq(p.proto, w->proto);
		ck_assert_msg(p.aead == w->aead, "%s aead", w->in);
		n = count16(w->encr, 4);
		ck_assert_msg(p.n_encr == n, "%s n_encr %zu", w->in, p.n_encr);
		for (size_t j = 0; j < n; j++) {
			ck_assert_uint_eq(p.encr[j].id, w->encr[j]);
			ck_assert_uint_eq(p.encr[j].key_bits, w->bits[j]);
		}
		n = count16(w->integ, 4);
		ck_assert_msg(p.n_integ == n, "%s n_integ", w->in);
		for (size_t j = 0; j < n; j++)
			ck_assert_uint_eq(p.integ[j], w->integ[j]);
		n = count16(w->prf, 4);
		ck_assert_msg(p.n_prf == n, "%s n_prf %zu", w->in, p.n_prf);
		for (size_t j = 0; j < n; j++)
			ck_assert_uint_eq(p.prf[j], w->prf[j]);
		n = count16(w->ke, 8);
		ck_assert_msg(p.n_ke == n, "%s n_ke", w->in);
		for (size_t j = 0; j < n; j++)
			ck_assert_uint_eq(p.ke[j], w->ke[j]);
		for (n = 0; w->esn[n] >= 0; n++)
			ck_assert_uint_eq(p.esn[n], (unsigned)w->esn[n]);
		ck_assert_uint_eq(p.n_esn, n);
	}
}
END_TEST

static const struct {
	enum proposal_proto proto;
	const char *in;
	const char *what;
	const char *keyword;
	unsigned position;
	size_t offset;
} bad[] = {
	{ IKE, "aes256-foo-modp2048", "unknown algorithm 'foo' at position 2", "foo", 2, 7 },
	{ IKE, "aes256gcm16-sha256-x25519",
	  "AEAD algorithm 'aes256gcm16' cannot be combined with integrity algorithm 'sha256' (use prf<hash>, e.g. prfsha256)",
	  "sha256", 2, 12 },
	{ ESP, "aes128gcm16-sha1",
	  "AEAD algorithm 'aes128gcm16' cannot be combined with integrity algorithm 'sha1'",
	  "sha1", 2, 12 },
	{ IKE, "aes256-prfsha256-x25519",
	  "'aes256' needs an integrity algorithm (e.g. sha256)", "", 0, 0 },
	{ ESP, "aes256", "'aes256' needs an integrity algorithm (e.g. sha256)", "", 0, 0 },
	{ IKE, "aes256-sha256", "IKE proposal needs a key exchange group (e.g. x25519)", "", 0, 0 },
	{ IKE, "aes256gcm16-x25519", "IKE proposal needs a PRF (e.g. prfsha256)", "", 0, 0 },
	{ IKE, "sha256-prfsha256-x25519", "no encryption algorithm", "", 0, 0 },
	{ ESP, "aes256gcm16-prfsha256", "'prfsha256': ESP proposals take no PRF", "prfsha256", 2, 12 },
	{ IKE, "aes256gcm16-prfsha256-x25519-esn", "'esn' applies to ESP proposals only", "esn", 4, 29 },
	{ IKE, "aes256gcm8-prfsha256-x25519", "unsupported algorithm 'aes256gcm8' at position 1",
	  "aes256gcm8", 1, 0 },
	{ IKE, "aes128gcm12-prfsha256-x25519", "unsupported algorithm 'aes128gcm12' at position 1",
	  "aes128gcm12", 1, 0 },
	{ IKE, "3des-sha1-modp1024", "unsupported algorithm '3des' at position 1", "3des", 1, 0 },
	{ IKE, "aes128-md5-modp2048", "unsupported algorithm 'md5' at position 2", "md5", 2, 7 },
	{ IKE, "aes128-sha256-modp1024", "unsupported algorithm 'modp1024' at position 3",
	  "modp1024", 3, 14 },
	{ ESP, "aes128ccm16", "unsupported algorithm 'aes128ccm16' at position 1", "aes128ccm16", 1, 0 },
	{ IKE, "aes128--sha256", "empty algorithm at position 2", "", 2, 7 },
	{ IKE, "aes128-sha256-x25519-", "empty algorithm at position 4", "", 4, 21 },
	{ IKE, "", "empty proposal", "", 0, 0 },
	{ IKE, "aes128-aes128gcm16-sha256-x25519",
	  "cannot mix AEAD and non-AEAD encryption ('aes128' and 'aes128gcm16') in one proposal",
	  "aes128gcm16", 2, 7 },
	{ IKE, "default-x25519", "'default' must stand alone as a list item", "default", 1, 0 },
	{ IKE, "AES128-sha256-x25519", "unknown algorithm 'AES128' at position 1", "AES128", 1, 0 },
};

START_TEST(proposal_bad_table)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct proposal p;
		struct proposal_err err;

		ck_assert_msg(!proposal_parse(bad[i].proto, bad[i].in, &p, &err),
			      "'%s' parsed", bad[i].in);
		ck_assert_msg(strcmp(err.what, bad[i].what) == 0, "'%s': got '%s'",
			      bad[i].in, err.what);
		ck_assert_str_eq(err.keyword, bad[i].keyword);
		ck_assert_msg(err.position == bad[i].position, "'%s' pos %u", bad[i].in,
			      err.position);
		ck_assert_msg(err.offset == bad[i].offset, "'%s' off %zu", bad[i].in,
			      err.offset);
	}
}
END_TEST

START_TEST(proposal_defaults_are_valid_and_documented)
{
	struct proposal p[4];
	char buf[256];
	size_t n;

	n = proposal_defaults(IKE, p, 4);
	ck_assert_uint_eq(n, 2);
	proposal_format(&p[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "aes256gcm16-aes128gcm16-chacha20poly1305-prfsha256-prfsha384-prfsha512-x25519-ecp256-ecp384-modp3072");
	ck_assert(p[0].aead && p[0].n_integ == 0 && p[0].n_ke == 4);
	proposal_format(&p[1], buf, sizeof(buf));
	ck_assert_str_eq(buf, "aes256-aes128-sha256-sha384-sha512-prfsha256-prfsha384-prfsha512-x25519-ecp256-ecp384-modp3072");
	n = proposal_defaults(ESP, p, 4);
	ck_assert_uint_eq(n, 2);
	proposal_format(&p[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "aes256gcm16-aes128gcm16-chacha20poly1305-noesn");
	proposal_format(&p[1], buf, sizeof(buf));
	ck_assert_str_eq(buf, "aes256-aes128-sha256-sha384-sha512-noesn");
	ck_assert_uint_eq(p[1].n_prf, 0);
	ck_assert_uint_eq(proposal_defaults(ESP, p, 1), 1);
}
END_TEST

/* format(parse(x)) parses back to the same transforms */
START_TEST(proposal_format_round_trips)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct proposal a, b;
		struct proposal_err err;
		char buf[256];

		ck_assert(proposal_parse(good[i].proto, good[i].in, &a, &err));
		proposal_format(&a, buf, sizeof(buf));
		ck_assert_msg(proposal_parse(good[i].proto, buf, &b, &err), "%s: %s",
			      buf, err.what);
		ck_assert_msg(memcmp(&a, &b, sizeof(a)) == 0, "%s vs %s", good[i].in, buf);
	}
}
END_TEST

static Suite *config_proposal_suite(void)
{
	Suite *s = suite_create("config_proposal");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, proposal_good_table);
	tcase_add_test(tc, proposal_bad_table);
	tcase_add_test(tc, proposal_defaults_are_valid_and_documented);
	tcase_add_test(tc, proposal_format_round_trips);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(config_proposal_suite)
