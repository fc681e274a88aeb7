/* Building blocks of the IKE core: proposal parsing and selection, traffic
 * selector narrowing, identities, and the SA tables. */
#include "check_main.h"

#include "ike/ike_prop.h"
#include "ike/ike_ts.h"
#include "ike_harness.h"

/* Proposal selection: our proposals vs. an offer, table-driven. */
static const struct {
	const char *ours[2];
	const char *offer[2];
	uint8_t proto;
	uint16_t hint;
	bool ok;
	uint16_t encr, key_bits, integ, prf, ke;
	uint8_t num;
} sel[] = {
	{ { "aes256gcm16-prfsha256-x25519" }, { "aes256gcm16-prfsha256-x25519" },
	  PROTO_IKE, 0, true, ENCR_AES_GCM_16, 256, 0, PRF_HMAC_SHA2_256, KE_CURVE25519, 1 },
	/* the first offered proposal that fits is number 2 */
	{ { "aes128-sha256-modp2048" }, { "aes256gcm16-prfsha256-x25519", "aes128-sha1-sha256-modp2048" },
	  PROTO_IKE, 0, true, ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_256_128, PRF_HMAC_SHA2_256, KE_MODP_2048, 2 },
	/* key length must match */
	{ { "aes128gcm16-prfsha256-x25519" }, { "aes256gcm16-prfsha256-x25519" },
	  PROTO_IKE, 0, false, 0, 0, 0, 0, 0, 0 },
	/* several groups: the one the peer sent a KE for wins */
	{ { "aes256gcm16-prfsha256-x25519-ecp256" }, { "aes256gcm16-prfsha256-x25519-ecp256" },
	  PROTO_IKE, KE_ECP_256, true, ENCR_AES_GCM_16, 256, 0, PRF_HMAC_SHA2_256, KE_ECP_256, 1 },
	/* our order first */
	{ { "aes256gcm16-prfsha256-ecp256", "aes256gcm16-prfsha256-x25519" },
	  { "aes256gcm16-prfsha256-x25519", "aes256gcm16-prfsha256-ecp256" },
	  PROTO_IKE, 0, true, ENCR_AES_GCM_16, 256, 0, PRF_HMAC_SHA2_256, KE_ECP_256, 2 },
	/* ESP without PFS against an offer with PFS: refused */
	{ { "aes256gcm16" }, { "aes256gcm16-x25519" }, PROTO_ESP, 0, false, 0, 0, 0, 0, 0, 0 },
	{ { "aes256gcm16" }, { "aes128gcm16-aes256gcm16" }, PROTO_ESP, 0, true,
	  ENCR_AES_GCM_16, 256, 0, 0, 0, 1 },
	{ { "aes128-sha256" }, { "aes128-sha1" }, PROTO_ESP, 0, false, 0, 0, 0, 0, 0, 0 },
	{ { "aes256gcm16-esn" }, { "aes256gcm16" }, PROTO_ESP, 0, false, 0, 0, 0, 0, 0, 0 },
};

START_TEST(proposal_selection_table)
{
	struct ike_prop ours[2];
	struct ike_chosen c;
	struct ike_bytes spi;
	struct ike_msg *m = malloc(sizeof(*m));
	size_t n = 0;
	uint8_t num;

	ike_msg_init(m);
	for (size_t k = 0; k < 2 && sel[_i].ours[k]; k++)
		ck_assert(ike_prop_parse(sel[_i].proto, sel[_i].ours[k], &ours[n++]));
	{
		struct ike_prop offer[2];
		size_t no = 0;

		for (size_t k = 0; k < 2 && sel[_i].offer[k]; k++)
			ck_assert(ike_prop_parse(sel[_i].proto, sel[_i].offer[k], &offer[no++]));
		ck_assert(prop_add_offer(m, offer, no, 0, NULL, 0));
	}
	ck_assert_int_eq(prop_select(ours, n, &ike_msg_find(m, PL_SA)->sa, sel[_i].proto,
				     sel[_i].hint, &c, &num, &spi), sel[_i].ok);
	if (sel[_i].ok) {
		ck_assert_uint_eq(c.encr, sel[_i].encr);
		ck_assert_uint_eq(c.key_bits, sel[_i].key_bits);
		ck_assert_uint_eq(c.integ, sel[_i].integ);
		ck_assert_uint_eq(c.prf, sel[_i].prf);
		ck_assert_uint_eq(c.ke, sel[_i].ke);
		ck_assert_uint_eq(num, sel[_i].num);
	}
	ike_msg_free(m);
	free(m);
}
END_TEST

START_TEST(proposal_parse_rejects_unknown_and_incomplete)
{
	struct ike_prop p;

	ck_assert(!ike_prop_parse(PROTO_IKE, "aes256gcm16-prfsha256", &p));	/* no KE */
	ck_assert(!ike_prop_parse(PROTO_IKE, "aes999-sha256-x25519", &p));
	ck_assert(!ike_prop_parse(PROTO_ESP, "sha256", &p));
	ck_assert(ike_prop_parse(PROTO_IKE, "aes128-sha256-ecp256", &p));
	ck_assert_uint_eq(p.n_prf, 1);	/* PRF follows the integrity algorithm */
	ck_assert_uint_eq(p.prf[0], PRF_HMAC_SHA2_256);
	ck_assert(ike_prop_parse(PROTO_ESP, "aes256gcm16", &p));
	ck_assert_uint_eq(p.n_esn, 1);
	ck_assert_uint_eq(p.esn[0], ESN_NO);
}
END_TEST

/* Narrowing: allowed (responder policy) x proposed -> result. */
static const struct {
	const char *allowed, *proposed, *result;
} nar[] = {
	{ "10.1.0.0/24", "0.0.0.0/0", "10.1.0.0/24" },
	{ "10.1.0.0/24", "10.1.0.128/25", "10.1.0.128/25" },
	{ "10.1.0.0/24", "10.2.0.0/24", NULL },
	{ "10.3.0.1", "0.0.0.0-255.255.255.255", "10.3.0.1/32" },
	{ "10.0.0.0/8", "10.1.2.3-10.1.2.9", "10.1.2.3-10.1.2.9" },
	{ "2001:db8::/64", "::/0", "2001:db8::/64" },
	{ "2001:db8::/64", "10.0.0.0/8", NULL },
};

START_TEST(ts_narrowing_table)
{
	struct ike_ts_conf ca, cp;
	struct ike_ts a, p, out[4];
	char buf[96];
	size_t n;

	ck_assert(ike_ts_conf_parse(nar[_i].allowed, &ca));
	ck_assert(ike_ts_conf_parse(nar[_i].proposed, &cp));
	ck_assert(ts_from_conf(&ca, NULL, &a));
	ck_assert(ts_from_conf(&cp, NULL, &p));
	n = ts_narrow(&a, 1, &p, 1, out, 4);
	if (!nar[_i].result) {
		ck_assert_uint_eq(n, 0);
		return;
	}
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ts_str(&out[0], buf, sizeof(buf)), nar[_i].result);
	ck_assert(ts_all_within(out, 1, &a, 1));
}
END_TEST

START_TEST(ts_dynamic_uses_address)
{
	struct ike_ts_conf c;
	struct ike_ts t;
	struct sockaddr_storage a;
	char buf[64];

	ck_assert(ike_ts_conf_parse("dynamic", &c));
	ck_assert(sockaddr_parse("192.0.2.100", 500, &a));
	ck_assert(ts_from_conf(&c, &a, &t));
	ck_assert_str_eq(ts_str(&t, buf, sizeof(buf)), "192.0.2.100/32");
	ck_assert(ts_from_conf(&c, NULL, &t));
	ck_assert_str_eq(ts_str(&t, buf, sizeof(buf)), "0.0.0.0/0");
}
END_TEST

START_TEST(identities_parse_and_match)
{
	struct ike_id fq, mail, ip, any, fq2;
	char buf[64];

	ck_assert(ike_id_from_string("gw.example", &fq));
	ck_assert_uint_eq(fq.type, ID_FQDN);
	ck_assert(ike_id_from_string("user@example.org", &mail));
	ck_assert_uint_eq(mail.type, ID_RFC822_ADDR);
	ck_assert(ike_id_from_string("192.0.2.1", &ip));
	ck_assert_uint_eq(ip.type, ID_IPV4_ADDR);
	ck_assert_uint_eq(ip.len, 4);
	ck_assert_str_eq(ike_id_str(&ip, buf, sizeof(buf)), "192.0.2.1");
	ck_assert(ike_id_from_string("%any", &any));
	ck_assert(ike_id_matches(&any, &fq));
	ck_assert(!ike_id_matches(&fq, &mail));
	ck_assert(ike_id_from_string("@gw.example", &fq2));
	ck_assert(ike_id_equal(&fq, &fq2));
}
END_TEST

START_TEST(sa_tables_find_by_spi_and_id)
{
	struct hn h;
	struct ike_sa *sa;
	uint32_t id;

	hn_init(&h);
	hn_set_conf(&h.i, hn_conf("home", true, "aes256gcm16-prfsha256-x25519", "aes256gcm16"));
	hn_set_conf(&h.r, hn_conf("rw", false, "aes256gcm16-prfsha256-x25519", "aes256gcm16"));
	h.i.psk = h.r.psk = "k";
	id = hn_initiate(&h);
	sa = ike_core_find(h.i.core, id);
	ck_assert_ptr_nonnull(sa);
	ck_assert_uint_eq(sa->unique_id, id);
	ck_assert_ptr_null(ike_core_find(h.i.core, id + 1));
	ck_assert_str_eq(sa->log_prefix, "[ike#1 192.0.2.1]");
	hn_pump(&h);
	/* the responder's SA by its SPI; unique ids differ per core */
	{
		struct ike_sa *r = hn_sa(&h.r);
		uint64_t spi = r->spi_r;
		struct htable_node *n = htable_find(&h.r.core->by_spi, &spi);

		ck_assert_ptr_eq(htable_entry(n, struct ike_sa, by_spi), r);
		ck_assert_uint_eq(htable_count(&h.r.core->child_by_spi), 1);
		ck_assert_str_eq(r->log_prefix, "[ike#1 192.0.2.100]");
	}
	ck_assert_uint_eq(ike_core_get_stats(h.r.core)->sas, 1);
	hn_free(&h);
}
END_TEST

static Suite *ike_sa_suite(void)
{
	Suite *s = suite_create("ike_sa");
	TCase *tc = tcase_create("blocks");

	log_set_level(LOG_LVL_ERROR);
	tcase_add_loop_test(tc, proposal_selection_table, 0, sizeof(sel) / sizeof(sel[0]));
	tcase_add_test(tc, proposal_parse_rejects_unknown_and_incomplete);
	tcase_add_loop_test(tc, ts_narrowing_table, 0, sizeof(nar) / sizeof(nar[0]));
	tcase_add_test(tc, ts_dynamic_uses_address);
	tcase_add_test(tc, identities_parse_and_match);
	tcase_add_test(tc, sa_tables_find_by_spi_and_id);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ike_sa_suite)
