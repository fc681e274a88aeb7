/* Back-to-back tests (tests/unit/ike_harness.h): certificate authentication and
 * IKE fragmentation. */
#include "check_main.h"
#include "ike_harness.h"

#include "crypto/pubkey.h"
#include "crypto/x509.h"
#include "crypto/x509_trust.h"

#define PKI "tests/fixtures/pki/"

#define IKE_GCM "aes256gcm16-prfsha256-x25519"
#define ESP_GCM "aes256gcm16"

static struct hn H;

/* Certificates: the RW (ECDSA, CA "ECDSA Root") and the gateway (RSA, CA
 * "RSA Root") each trust the other's CA. */
static void use_cert(struct ike_conf *c, const char *cert, const char *key, const char *ca)
{
	const char *why = NULL;
	X509 *cac = x509_load_file(ca, &why);

	c->local_auth = c->remote_auth = IKE_AUTH_PUBKEY;
	c->local_cert = x509_load_file(cert, &why);
	c->local_key = pubkey_load_private_file(key, &why);
	c->trust = x509_trust_new();
	ck_assert_ptr_nonnull(c->local_cert);
	ck_assert_ptr_nonnull(c->local_key);
	ck_assert_ptr_nonnull(cac);
	ck_assert(x509_trust_add(c->trust, cac, &why));
	x509_free(cac);
}

static void setup_certs(const char *rw_ca_for_gw, const char *rw_id)
{
	struct ike_conf *ci = hn_conf("home", true, IKE_GCM, ESP_GCM);
	struct ike_conf *cr = hn_conf("rw", false, IKE_GCM, ESP_GCM);

	hn_init(&H);
	use_cert(ci, PKI "rw.crt", PKI "rw.key", PKI "ca-rsa.crt");
	use_cert(cr, PKI "gw.crt", PKI "gw.key", rw_ca_for_gw);
	ck_assert(ike_id_from_string(rw_id, &ci->local_id));
	hn_set_conf(&H.i, ci);
	hn_set_conf(&H.r, cr);
}

START_TEST(certificates_ecdsa_and_rsa)
{
	struct ike_sa *r;
	char b[128];

	setup_certs(PKI "ca-ecdsa.crt", "rw.example");
	hn_initiate(&H);
	hn_pump(&H);
	hn_assert_established(&H);
	r = hn_sa(&H.r);
	ck_assert_str_eq(ike_id_str(&r->peer_id, b, sizeof(b)), "rw.example");
	ck_assert_str_eq(ike_id_str(&hn_sa(&H.i)->peer_id, b, sizeof(b)), "gw.example");
	ck_assert_uint_gt(r->peer_cert.len, 100);
	ck_assert_uint_gt(hn_sa(&H.i)->peer_cert.len, 100);
	hn_free(&H);
}
END_TEST

START_TEST(certificate_subject_dn_as_identity)
{
	char b[128];

	setup_certs(PKI "ca-ecdsa.crt", "%any");
	hn_initiate(&H);
	hn_pump(&H);
	hn_assert_established(&H);
	ck_assert_str_eq(ike_id_str(&hn_sa(&H.r)->peer_id, b, sizeof(b)),
			 "C=CH, O=Cygnet Test, CN=rw@example");
	hn_free(&H);
}
END_TEST

START_TEST(certificate_from_untrusted_ca_refused)
{
	/* the gateway trusts only the RSA root: the RW's ECDSA chain fails */
	setup_certs(PKI "ca-rsa.crt", "rw.example");
	hn_initiate(&H);
	hn_pump(&H);
	ck_assert_ptr_null(hn_sa(&H.i));
	ck_assert_ptr_null(hn_sa(&H.r));
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->auth_failed, 1);
	hn_free(&H);
}
END_TEST

START_TEST(certificate_identity_mismatch_refused)
{
	/* claims an identity its certificate does not carry */
	setup_certs(PKI "ca-ecdsa.crt", "gw.example");
	hn_initiate(&H);
	hn_pump(&H);
	ck_assert_ptr_null(hn_sa(&H.r));
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->auth_failed, 1);
	hn_free(&H);
}
END_TEST

/* Count SKF datagrams, drop the second fragment of the first fragmented
 * response once. */
static unsigned skf_seen;
static bool drop_one_fragment(struct hn *h, struct hn_pkt *p)
{
	static bool dropped;

	(void)h;
	if (p->len > 28 && p->data[16] == PL_SKF) {
		skf_seen++;
		if (!dropped && p->to == &H.i && p->data[28 + 5] == 2) {
			dropped = true;
			return false;
		}
	}
	return true;
}

START_TEST(fragmented_ike_auth_with_lost_fragment)
{
	/* the RSA certificate and signature push IKE_AUTH past 1200 bytes */
	setup_certs(PKI "ca-ecdsa.crt", "rw.example");
	H.filter = drop_one_fragment;
	hn_initiate(&H);
	hn_pump(&H);
	ck_assert(hn_sa(&H.i)->frag_ok && hn_sa(&H.r)->frag_ok);
	ck_assert_uint_gt(skf_seen, 1);
	ck_assert_int_eq(hn_sa(&H.r)->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(hn_sa(&H.i)->state, IKE_SA_CONNECTING);
	/* the retransmitted request's first fragment brings every fragment of
	 * the cached response again */
	hn_advance(&H, 4000);
	hn_assert_established(&H);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->retransmit_answered, 1);
	hn_free(&H);
}
END_TEST

static Suite *ike_e2e_auth_suite(void)
{
	Suite *s = suite_create("ike_e2e_auth");
	TCase *tc = tcase_create("back_to_back");

	log_set_level(getenv("IKE_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	tcase_add_test(tc, certificates_ecdsa_and_rsa);
	tcase_add_test(tc, certificate_subject_dn_as_identity);
	tcase_add_test(tc, certificate_from_untrusted_ca_refused);
	tcase_add_test(tc, certificate_identity_mismatch_refused);
	tcase_add_test(tc, fragmented_ike_auth_with_lost_fragment);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ike_e2e_auth_suite)
