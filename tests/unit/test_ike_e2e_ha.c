/* Back-to-back tests (tests/unit/ike_harness.h): export of an established SA, import
 * on a second core, takeover. */
#include "check_main.h"
#include "ike_harness.h"

#include "crypto/pubkey.h"
#include "crypto/x509.h"
#include "crypto/x509_trust.h"
#include "ike/ike_export.h"

#define PKI "tests/fixtures/pki/"

#define IKE_GCM "aes256gcm16-prfsha256-x25519"
#define ESP_GCM "aes256gcm16"

static struct hn H;

static void setup_pair(const char *ike_i, const char *ike_r, const char *psk_i,
		       const char *psk_r)
{
	hn_init(&H);
	hn_set_conf(&H.i, hn_conf("home", true, ike_i, ESP_GCM));
	hn_set_conf(&H.r, hn_conf("rw", false, ike_r, ESP_GCM));
	H.i.psk = psk_i;
	H.r.psk = psk_r;
}

START_TEST(export_import_takeover)
{
	struct ike_sa *r, *r2, *i;
	struct wbuf w;
	struct ike_conf *c2;
	uint32_t id;
	char why[64];
	struct ike_env env;

	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	hn_initiate(&H);
	hn_pump(&H);
	r = hn_sa(&H.r);
	wbuf_init(&w);
	ck_assert(ike_sa_export(r, &w));
	/* a second node with the same connections imports it ... */
	env = H.r.core->env;
	ike_core_free(H.r.core);	/* ... and the first node dies */
	H.r.core = ike_core_new(&env);
	c2 = hn_conf("rw", false, IKE_GCM, ESP_GCM);
	hn_set_conf(&H.r, c2);
	/* garbage is refused */
	ck_assert_uint_eq(ike_core_import(H.r.core, w.p, w.len / 2, why, sizeof(why)), 0);
	id = ike_core_import(H.r.core, w.p, w.len, why, sizeof(why));
	ck_assert_msg(id != 0, "import failed: %s", why);
	/* the same SA twice is refused */
	ck_assert_uint_eq(ike_core_import(H.r.core, w.p, w.len, why, sizeof(why)), 0);
	wbuf_free(&w);
	r2 = ike_core_find(H.r.core, id);
	ck_assert(r2->passive);
	ck_assert_ptr_nonnull(r2->children);
	ck_assert_uint_eq(htable_count(&H.r.core->child_by_spi), 1);
	ck_assert(ike_core_activate(H.r.core, id));
	/* the road warrior's next request (DPD) is answered by the new node */
	i = hn_sa(&H.i);
	ck_assert(ike_core_dpd(H.i.core, i->unique_id));
	hn_pump(&H);
	ck_assert_int_eq(i->req_in_flight, false);
	ck_assert_uint_eq(i->mid_out, 3);
	ck_assert_uint_eq(r2->mid_in, 3);
	/* a CHILD SA created after the takeover gets the same keys on both */
	ike_sa_queue_task(i, task_child_create_new(i, true, "home", CREATE_CHILD_SA));
	hn_pump(&H);
	ck_assert(chunk_equal(&H.i.last_encr_ir, &H.r.last_encr_ir));
	/* and the delete goes through */
	ck_assert(ike_core_terminate(H.i.core, i->unique_id));
	hn_pump(&H);
	ck_assert_ptr_null(hn_sa(&H.i));
	ck_assert_ptr_null(hn_sa(&H.r));
	hn_free(&H);
}
END_TEST

static Suite *ike_e2e_ha_suite(void)
{
	Suite *s = suite_create("ike_e2e_ha");
	TCase *tc = tcase_create("back_to_back");

	log_set_level(getenv("IKE_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	tcase_add_test(tc, export_import_takeover);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ike_e2e_ha_suite)
