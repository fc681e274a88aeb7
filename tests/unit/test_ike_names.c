/* Names of IKEv2 numbers for logs, and the message summary. */
#include <pthread.h>

#include "check_main.h"
#include "ike/msg.h"
#include "ike/names.h"

/* ---- names -------------------------------------------------------------- */

START_TEST(names_known_and_unknown)
{
	static const struct { uint16_t v; const char *name, *abbr; } notes[] = {
		{ 1, "UNSUPPORTED_CRITICAL_PAYLOAD", "CRIT" },
		{ 7, "INVALID_SYNTAX", "INVAL_SYN" },
		{ 14, "NO_PROPOSAL_CHOSEN", "NO_PROP" },
		{ 17, "INVALID_KE_PAYLOAD", "INVAL_KE" },
		{ 16388, "NAT_DETECTION_SOURCE_IP", "NATD_S_IP" },
		{ 16390, "COOKIE", "COOKIE" },
		{ 16442, "USE_AGGFRAG", "USE_AGGFRAG" },
	};
	size_t i;

	for (i = 0; i < sizeof(notes) / sizeof(notes[0]); i++) {
		ck_assert_str_eq(ike_notify_name(notes[i].v), notes[i].name);
		ck_assert_str_eq(ike_notify_short_name(notes[i].v), notes[i].abbr);
	}
	ck_assert(ike_notify_is_error(N_AUTHENTICATION_FAILED));
	ck_assert(!ike_notify_is_error(N_INITIAL_CONTACT));
	ck_assert_str_eq(ike_notify_name(12345), "UNKNOWN(12345)");
	ck_assert_str_eq(ike_exchange_name(IKE_SA_INIT), "IKE_SA_INIT");
	ck_assert_str_eq(ike_exchange_name(IKE_INTERMEDIATE), "IKE_INTERMEDIATE");
	ck_assert_str_eq(ike_exchange_name(0), "UNKNOWN(0)");
	ck_assert_str_eq(ike_payload_short_name(PL_NONCE), "No");
	ck_assert_str_eq(ike_payload_short_name(PL_TSR), "TSr");
	ck_assert_str_eq(ike_payload_name(PL_SKF), "Encrypted and Authenticated Fragment");
	ck_assert_str_eq(ike_transform_type_name(TRANS_KE), "KE");
	ck_assert_str_eq(ike_transform_id_name(TRANS_ENCR, ENCR_AES_GCM_16), "AES_GCM_16");
	ck_assert_str_eq(ike_transform_id_name(TRANS_PRF, PRF_HMAC_SHA2_256), "PRF_HMAC_SHA2_256");
	ck_assert_str_eq(ike_transform_id_name(TRANS_INTEG, AUTH_HMAC_SHA1_96), "HMAC_SHA1_96");
	ck_assert_str_eq(ike_transform_id_name(TRANS_KE, KE_CURVE25519), "CURVE_25519");
	ck_assert_str_eq(ike_transform_id_name(TRANS_ESN, ESN_YES), "ESN");
	ck_assert_str_eq(ike_transform_id_name(77, 1), "UNKNOWN(1)");
	ck_assert_str_eq(ike_id_type_name(ID_FQDN), "ID_FQDN");
	ck_assert_str_eq(ike_auth_method_name(AUTH_SHARED_KEY_MIC), "SHARED_KEY_MIC");
	ck_assert_str_eq(ike_cert_encoding_name(CERT_X509_SIGNATURE), "X509_SIGNATURE");
	ck_assert_str_eq(ike_ts_type_name(TS_IPV6_ADDR_RANGE), "TS_IPV6_ADDR_RANGE");
	ck_assert_str_eq(ike_cfg_type_name(CFG_REPLY), "CFG_REPLY");
	ck_assert_str_eq(ike_cfg_attr_name(INTERNAL_IP4_DNS), "INTERNAL_IP4_DNS");
	ck_assert_str_eq(ike_protocol_name(PROTO_ESP), "ESP");
	ck_assert_str_eq(ike_hash_name(HASH_SHA2_384), "SHA2_384");
}
END_TEST

/* Every notify the shared registry declares has a real name. */
START_TEST(every_declared_notify_has_a_name)
{
	uint32_t v;
	int named = 0;

	for (v = 0; v < 65536; v++)
		if (strncmp(ike_notify_name((uint16_t)v), "UNKNOWN(", 8) != 0)
			named++;
	/* iana.h: 23 error types (1..47) and 59 status types (16384..16442) */
	ck_assert_int_eq(named, 23 + 59);
}
END_TEST

/* Several unknown names in one expression stay distinct. */
START_TEST(unknown_names_use_distinct_buffers)
{
	const char *a = ike_notify_name(60000), *b = ike_payload_name(200),
		   *c = ike_exchange_name(250);

	ck_assert_str_eq(a, "UNKNOWN(60000)");
	ck_assert_str_eq(b, "UNKNOWN(200)");
	ck_assert_str_eq(c, "UNKNOWN(250)");
}
END_TEST

/* Unknown names are formatted into thread-local buffers: two threads
 * formatting different unknown values never see each other's text. */
static void *format_unknowns(void *arg)
{
	const unsigned base = *(const unsigned *)arg;
	char want[32];
	unsigned i;

	for (i = 0; i < 20000; i++) {
		uint16_t v = (uint16_t)(base + i % 1000);
		const char *got = ike_notify_name(v);

		snprintf(want, sizeof(want), "UNKNOWN(%u)", v);
		if (strcmp(got, want) != 0)
			return (void *)1;
	}
	return NULL;
}

START_TEST(unknown_names_are_thread_safe)
{
	unsigned b1 = 20000, b2 = 40000;
	pthread_t t1, t2;
	void *r1, *r2;

	ck_assert_int_eq(pthread_create(&t1, NULL, format_unknowns, &b1), 0);
	ck_assert_int_eq(pthread_create(&t2, NULL, format_unknowns, &b2), 0);
	pthread_join(t1, &r1);
	pthread_join(t2, &r2);
	ck_assert_ptr_null(r1);
	ck_assert_ptr_null(r2);
}
END_TEST

START_TEST(short_names)
{
	ck_assert_str_eq(ike_cfg_type_short_name(CFG_REQUEST), "CPRQ");
	ck_assert_str_eq(ike_cfg_type_short_name(CFG_ACK), "CPA");
	ck_assert_str_eq(ike_cfg_attr_short_name(INTERNAL_IP6_ADDRESS), "ADDR6");
	ck_assert_str_eq(ike_cfg_attr_short_name(INTERNAL_DNS_DOMAIN), "DOMAIN");
	ck_assert_str_eq(ike_cfg_attr_short_name(900), "UNKNOWN(900)");
	ck_assert_str_eq(ike_payload_short_name(PL_SKF), "SKF");
	ck_assert_str_eq(ike_payload_short_name(PL_IDI), "IDi");
	ck_assert_str_eq(ike_notify_short_name(N_AUTHENTICATION_FAILED), "AUTH_FAILED");
	ck_assert_str_eq(ike_notify_short_name(N_MOBIKE_SUPPORTED), "MOBIKE_SUP");
	ck_assert_str_eq(ike_notify_short_name(3), "UNKNOWN(3)");
}
END_TEST

/* Summary lines for built messages, one per row. */
START_TEST(summary_lines)
{
	static const uint8_t eap_req[] = { 1, 3, 0, 5, 1 };
	static const uint8_t eap_ok[] = { 3, 3, 0, 4 };
	static const struct ike_cp_attr attrs[] = {
		{ .type = INTERNAL_IP4_ADDRESS }, { .type = INTERNAL_IP4_NETMASK } };
	struct ike_msg *m = malloc(sizeof(*m));
	struct ike_payload *p;
	char sum[160];

	ike_msg_init(m);
	m->hdr = (struct ike_header){ .exchange = IKE_AUTH, .flags = IKE_FLAG_RESPONSE,
		.msg_id = 3 };
	p = ike_msg_add(m, PL_CP);
	p->cp = (struct ike_pl_cp){ CFG_REPLY, attrs, 2 };
	ike_msg_add_data(m, PL_EAP, eap_req, sizeof(eap_req));
	ike_msg_add_data(m, PL_EAP, eap_ok, sizeof(eap_ok));
	ike_msg_add_notify(m, 0, 40000, NULL, 0, NULL, 0);
	ike_msg_add(m, PL_DELETE);
	ike_msg_add(m, 77);
	ike_msg_summary(m, sum, sizeof(sum));
	ck_assert_str_eq(sum, "IKE_AUTH response 3 [ CPRP(ADDR MASK) EAP/REQ/1 "
		"EAP/SUCC N(UNKNOWN(40000)) D UNKNOWN(77) ]");
	ike_msg_free(m);
	m->hdr = (struct ike_header){ .exchange = 200 };
	ike_msg_summary(m, sum, sizeof(sum));
	ck_assert_str_eq(sum, "UNKNOWN(200) request 0 [ ]");
	free(m);
}
END_TEST

static Suite *ike_names_suite(void)
{
	Suite *s = suite_create("ike_names");
	TCase *tc = tcase_create("names");

	tcase_add_test(tc, names_known_and_unknown);
	tcase_add_test(tc, every_declared_notify_has_a_name);
	tcase_add_test(tc, unknown_names_use_distinct_buffers);
	tcase_add_test(tc, unknown_names_are_thread_safe);
	tcase_add_test(tc, short_names);
	tcase_add_test(tc, summary_lines);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ike_names_suite)
