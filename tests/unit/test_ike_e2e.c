/* Back-to-back tests: an initiator core and a responder core talk through
 * an in-memory packet queue (tests/unit/ike_harness.h). */
#include "check_main.h"
#include "ike_harness.h"

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

START_TEST(psk_rw_gets_vip_and_child)
{
	setup_pair(IKE_GCM, IKE_GCM, "s3cr3t-psk", "s3cr3t-psk");
	ck_assert_uint_ne(hn_initiate(&H), 0);
	hn_pump(&H);
	hn_assert_established(&H);
	ck_assert_uint_eq(H.i.events[IKE_EV_SA_UP], 1);
	ck_assert_uint_eq(H.r.events[IKE_EV_SA_UP], 1);
	ck_assert_uint_eq(H.r.events[IKE_EV_CHILD_UP], 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->half_open, 0);
	ck_assert_uint_eq(H.delivered, 4);
	hn_free(&H);
}
END_TEST

START_TEST(cbc_hmac_proposal_works)
{
	hn_init(&H);
	hn_set_conf(&H.i, hn_conf("home", true, "aes128-sha256-modp2048", "aes128-sha256"));
	hn_set_conf(&H.r, hn_conf("rw", false, "aes256-aes128-sha256-ecp256-modp2048",
				  "aes128-sha256"));
	H.i.psk = H.r.psk = "another secret";
	hn_initiate(&H);
	hn_pump(&H);
	ck_assert_int_eq(hn_sa(&H.r)->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(hn_sa(&H.i)->alg.encr, ENCR_AES_CBC);
	ck_assert_int_eq(hn_sa(&H.i)->alg.ke, KE_MODP_2048);
	ck_assert_uint_eq(H.i.installed, 1);
	ck_assert_int_eq(hn_sa(&H.r)->children->alg.integ, AUTH_HMAC_SHA2_256_128);
	ck_assert(chunk_equal(&H.i.last_encr_ir, &H.r.last_encr_ir));
	hn_free(&H);
}
END_TEST

START_TEST(invalid_ke_retry)
{
	/* initiator guesses x25519, the responder only takes ecp256 */
	setup_pair("aes256gcm16-prfsha256-x25519-ecp256", "aes256gcm16-prfsha256-ecp256",
		   "k", "k");
	hn_initiate(&H);
	hn_pump(&H);
	hn_assert_established(&H);
	ck_assert_int_eq(hn_sa(&H.i)->alg.ke, KE_ECP_256);
	/* two IKE_SA_INIT round trips, one IKE_AUTH */
	ck_assert_uint_eq(H.delivered, 6);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->sa_established, 1);
	hn_free(&H);
}
END_TEST

START_TEST(no_proposal_chosen_leaves_nothing)
{
	setup_pair(IKE_GCM, "aes128-sha256-modp2048", "k", "k");
	hn_initiate(&H);
	hn_pump(&H);
	ck_assert_ptr_null(hn_sa(&H.i));
	ck_assert_ptr_null(hn_sa(&H.r));
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->half_open, 0);
	hn_free(&H);
}
END_TEST

START_TEST(wrong_psk_fails_and_leaves_no_sa)
{
	setup_pair(IKE_GCM, IKE_GCM, "right", "wrong");
	hn_initiate(&H);
	hn_pump(&H);
	ck_assert_ptr_null(hn_sa(&H.i));
	ck_assert_ptr_null(hn_sa(&H.r));
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->auth_failed, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->auth_failed, 1);
	ck_assert_uint_eq(H.r.installed, 0);
	/* a leased address went back */
	ck_assert_uint_eq(H.r.vip_leases, H.r.vip_releases);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->half_open, 0);
	hn_free(&H);
}
END_TEST

/* Drop the first response the responder sends in IKE_AUTH. */
static bool drop_first_auth_response(struct hn *h, struct hn_pkt *p)
{
	static unsigned seen;

	(void)h;
	if (p->to == &H.i && p->len > 18 && p->data[18] == IKE_AUTH && !seen++)
		return false;
	return true;
}

START_TEST(retransmitted_request_gets_cached_response)
{
	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	H.filter = drop_first_auth_response;
	hn_initiate(&H);
	hn_pump(&H);
	/* the responder is done, the initiator waits */
	ck_assert_int_eq(hn_sa(&H.r)->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(hn_sa(&H.i)->state, IKE_SA_CONNECTING);
	hn_advance(&H, 3999);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->retransmit_sent, 0);
	hn_advance(&H, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->retransmit_sent, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->retransmit_answered, 1);
	hn_assert_established(&H);
	/* answered from the cache: nothing installed twice */
	ck_assert_uint_eq(H.r.installed, 1);
	hn_free(&H);
}
END_TEST

static bool drop_all(struct hn *h, struct hn_pkt *p)
{
	(void)h;
	(void)p;
	return false;
}

START_TEST(unanswered_requests_give_up_after_backoff)
{
	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	H.filter = drop_all;
	hn_initiate(&H);
	hn_pump(&H);
	/* 4 + 7.2 + 12.96 + 23.3 + 42 + 75.6 s (4 s x 1.8^n, 5 retransmits) */
	hn_advance(&H, 164000);
	ck_assert_ptr_nonnull(hn_sa(&H.i));
	hn_advance(&H, 2000);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->retransmit_sent, 5);
	ck_assert_ptr_null(hn_sa(&H.i));
	hn_free(&H);
}
END_TEST

/* Flip one byte inside the SK payload of requests to the responder. */
static bool corrupt_requests(struct hn *h, struct hn_pkt *p)
{
	(void)h;
	if (p->to == &H.r && p->len > 40 && !(p->data[19] & IKE_FLAG_RESPONSE))
		p->data[p->len - 5] ^= 0x40;
	return true;
}

START_TEST(malformed_encrypted_request_dropped_without_state_change)
{
	struct ike_sa *r;
	uint32_t mid;

	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	hn_initiate(&H);
	hn_pump(&H);
	r = hn_sa(&H.r);
	mid = r->mid_in;
	H.filter = corrupt_requests;
	ck_assert(ike_core_dpd(H.i.core, hn_sa(&H.i)->unique_id));
	hn_pump(&H);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->drop_decrypt, 1);
	ck_assert_ptr_eq(hn_sa(&H.r), r);
	ck_assert_int_eq(r->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(r->mid_in, mid);
	/* the retransmission gets through and is answered */
	H.filter = NULL;
	hn_advance(&H, 4000);
	ck_assert_uint_eq(r->mid_in, mid + 1);
	ck_assert_uint_eq(hn_sa(&H.i)->mid_out, mid + 1);
	ck_assert_int_eq(hn_sa(&H.i)->req_in_flight, false);
	hn_free(&H);
}
END_TEST

START_TEST(garbage_and_unknown_spi_counted)
{
	static const uint8_t junk[40] = { 1, 2, 3 };
	struct net_endpoints ep = { .local = H.r.addr };
	uint8_t msg[28] = { 0 };

	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	ep.remote = H.i.addr;
	ike_core_input(H.r.core, junk, sizeof(junk), &ep);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->drop_parse, 1);
	/* an INFORMATIONAL for SPIs nobody has */
	msg[7] = 1;
	msg[15] = 2;
	msg[17] = 0x20;
	msg[18] = INFORMATIONAL;
	msg[19] = IKE_FLAG_INITIATOR;
	msg[27] = 28;
	ike_core_input(H.r.core, msg, sizeof(msg), &ep);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->drop_no_sa, 1);
	ck_assert_ptr_null(hn_sa(&H.r));
	hn_free(&H);
}
END_TEST

START_TEST(delete_from_initiator_cleans_both_sides)
{
	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	hn_initiate(&H);
	hn_pump(&H);
	hn_assert_established(&H);
	ck_assert(ike_core_terminate(H.i.core, hn_sa(&H.i)->unique_id));
	hn_pump(&H);
	ck_assert_ptr_null(hn_sa(&H.i));
	ck_assert_ptr_null(hn_sa(&H.r));
	ck_assert_uint_eq(H.i.uninstalled, 1);
	ck_assert_uint_eq(H.r.uninstalled, 1);
	ck_assert_uint_eq(H.r.vip_releases, 1);
	ck_assert_uint_eq(H.r.events[IKE_EV_SA_DOWN], 1);
	ck_assert_uint_eq(H.r.events[IKE_EV_CHILD_DOWN], 1);
	hn_free(&H);
}
END_TEST

START_TEST(delete_from_responder_cleans_both_sides)
{
	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	hn_initiate(&H);
	hn_pump(&H);
	ck_assert(ike_core_terminate(H.r.core, hn_sa(&H.r)->unique_id));
	hn_pump(&H);
	ck_assert_ptr_null(hn_sa(&H.i));
	ck_assert_ptr_null(hn_sa(&H.r));
	ck_assert_uint_eq(H.r.vip_releases, 1);
	hn_free(&H);
}
END_TEST

START_TEST(child_delete_keeps_ike_sa)
{
	struct ike_sa *i;

	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	hn_initiate(&H);
	hn_pump(&H);
	i = hn_sa(&H.i);
	ike_sa_queue_task(i, task_child_delete_new(i, true, i->children->spi_in));
	hn_pump(&H);
	ck_assert_ptr_null(i->children);
	ck_assert_ptr_null(hn_sa(&H.r)->children);
	ck_assert_int_eq(hn_sa(&H.r)->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(H.r.uninstalled, 1);
	ck_assert_uint_eq(H.i.uninstalled, 1);
	hn_free(&H);
}
END_TEST

START_TEST(create_child_sa_adds_second_child)
{
	struct ike_sa *i;

	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	hn_initiate(&H);
	hn_pump(&H);
	i = hn_sa(&H.i);
	ike_sa_queue_task(i, task_child_create_new(i, true, "home", CREATE_CHILD_SA));
	hn_pump(&H);
	ck_assert_uint_eq(H.i.installed, 2);
	ck_assert_uint_eq(H.r.installed, 2);
	ck_assert_uint_eq(i->children->spi_out, hn_sa(&H.r)->children->spi_in);
	/* new nonces, new keys */
	ck_assert(chunk_equal(&H.i.last_encr_ir, &H.r.last_encr_ir));
	hn_free(&H);
}
END_TEST

START_TEST(dpd_detects_dead_peer)
{
	struct ike_conf *c;

	hn_init(&H);
	c = hn_conf("home", true, IKE_GCM, ESP_GCM);
	c->dpd_delay_s = 30;
	hn_set_conf(&H.i, c);
	hn_set_conf(&H.r, hn_conf("rw", false, IKE_GCM, ESP_GCM));
	H.i.psk = H.r.psk = "k";
	hn_initiate(&H);
	hn_pump(&H);
	hn_advance(&H, 30000);	/* one DPD answered */
	ck_assert_uint_eq(hn_sa(&H.r)->mid_in, 3);
	H.filter = drop_all;
	hn_advance(&H, 30000 + 170000);
	ck_assert_ptr_null(hn_sa(&H.i));
	ck_assert_uint_eq(H.i.uninstalled, 1);
	hn_free(&H);
}
END_TEST

START_TEST(nat_detected_and_floated)
{
	struct ike_sa *i, *r;

	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	/* the initiator is behind a NAT: 198.51.100.7, ports moved */
	hn_addr(&H.i.seen_as, "198.51.100.7", 0);
	H.i.nat_port_offset = 10000;
	hn_initiate(&H);
	hn_pump(&H);
	i = hn_sa(&H.i);
	r = hn_sa(&H.r);
	ck_assert_int_eq(r->state, IKE_SA_ESTABLISHED);
	ck_assert(i->nat_here && !i->nat_there);
	ck_assert(r->nat_there && !r->nat_here);
	ck_assert_uint_eq(sockaddr_port(&i->ep.remote), 4500);
	ck_assert_uint_eq(sockaddr_port(&r->ep.remote), 14500);
	ck_assert_uint_eq(sockaddr_port(&r->ep.local), 4500);
	ck_assert(r->children->encap && i->children->encap);
	/* the side behind the NAT keeps the mapping alive */
	hn_advance(&H, 60000);
	ck_assert_uint_eq(H.i.keepalives, 3);
	ck_assert_uint_eq(H.r.keepalives, 0);
	hn_free(&H);
}
END_TEST

START_TEST(retransmitted_ike_sa_init_answered_once)
{
	struct net_endpoints ep;

	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	hn_initiate(&H);
	/* duplicate the IKE_SA_INIT request in the queue */
	ck_assert_uint_eq(H.nq, 1);
	ep = H.q[0].ep;
	H.q[1] = H.q[0];
	H.q[1].data = malloc(H.q[0].len);
	memcpy(H.q[1].data, H.q[0].data, H.q[0].len);
	H.nq = 2;
	(void)ep;
	hn_pump(&H);
	hn_assert_established(&H);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->retransmit_answered, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->sas, 1);
	hn_free(&H);
}
END_TEST

static void rekey_ike(bool by_initiator)
{
	struct ike_conf *ci = hn_conf("home", true, IKE_GCM, ESP_GCM);
	struct ike_conf *cr = hn_conf("rw", false, IKE_GCM, ESP_GCM);
	struct ike_sa *i, *r;
	uint64_t old_spi_i;
	uint32_t child_spi;

	hn_init(&H);
	if (by_initiator)
		ci->rekey_time_s = 100;
	else
		cr->rekey_time_s = 100;
	hn_set_conf(&H.i, ci);
	hn_set_conf(&H.r, cr);
	H.i.psk = H.r.psk = "k";
	hn_initiate(&H);
	hn_pump(&H);
	old_spi_i = hn_sa(&H.i)->spi_i;
	child_spi = hn_sa(&H.i)->children->spi_in;
	hn_advance(&H, 100000);
	/* one SA left on each side: the new one, with the CHILD SA and vip */
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->sas, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->sas, 1);
	i = hn_sa(&H.i);
	r = hn_sa(&H.r);
	ck_assert_int_eq(i->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(r->state, IKE_SA_ESTABLISHED);
	ck_assert(i->spi_i == r->spi_i && i->spi_r == r->spi_r);
	ck_assert(i->spi_i != old_spi_i && r->spi_i != old_spi_i);
	ck_assert_uint_eq(i->initiator, by_initiator);
	ck_assert_ptr_nonnull(i->children);
	ck_assert_uint_eq(i->children->spi_in, child_spi);
	ck_assert(r->has_vip);
	ck_assert_uint_eq(H.r.vip_releases, 0);
	ck_assert_uint_eq(H.i.uninstalled + H.r.uninstalled, 0);
	ck_assert_uint_eq(H.r.events[IKE_EV_SA_REKEYED] + H.i.events[IKE_EV_SA_REKEYED], 2);
	ck_assert_uint_eq(i->mid_out + i->mid_in, 0);
	/* the new SA works: DPD and delete */
	ck_assert(ike_core_dpd(H.i.core, i->unique_id));
	hn_pump(&H);
	ck_assert_uint_eq(r->mid_in + r->mid_out, 1);
	ck_assert(ike_core_terminate(H.i.core, i->unique_id));
	hn_pump(&H);
	ck_assert_ptr_null(hn_sa(&H.i));
	ck_assert_ptr_null(hn_sa(&H.r));
	ck_assert_uint_eq(H.r.vip_releases, 1);
	hn_free(&H);
}

START_TEST(ike_rekey_by_initiator)
{
	rekey_ike(true);
}
END_TEST

START_TEST(ike_rekey_by_responder)
{
	rekey_ike(false);
}
END_TEST

START_TEST(child_rekey_with_pfs)
{
	struct ike_conf *ci = hn_conf("home", true, IKE_GCM, "aes256gcm16-x25519");
	struct ike_conf *cr = hn_conf("rw", false, IKE_GCM, "aes256gcm16-ecp256-x25519");
	struct ike_sa *i, *r;
	uint32_t old_in;

	hn_init(&H);
	ci->children[0].rekey_time_s = 50;
	hn_set_conf(&H.i, ci);
	hn_set_conf(&H.r, cr);
	H.i.psk = H.r.psk = "k";
	hn_initiate(&H);
	hn_pump(&H);
	i = hn_sa(&H.i);
	r = hn_sa(&H.r);
	old_in = i->children->spi_in;
	hn_advance(&H, 50000);
	ck_assert_uint_eq(H.i.installed, 2);
	ck_assert_uint_eq(H.r.installed, 2);
	ck_assert_uint_eq(H.i.uninstalled, 1);
	ck_assert_uint_eq(H.r.uninstalled, 1);
	ck_assert_ptr_nonnull(i->children);
	ck_assert_ptr_null(i->children->next);
	ck_assert_ptr_null(r->children->next);
	ck_assert_uint_ne(i->children->spi_in, old_in);
	ck_assert_uint_eq(i->children->spi_out, r->children->spi_in);
	ck_assert_uint_eq(r->children->alg.ke, KE_CURVE25519);
	ck_assert(chunk_equal(&H.i.last_encr_ir, &H.r.last_encr_ir));
	ck_assert_uint_eq(H.i.events[IKE_EV_CHILD_REKEYED], 1);
	/* and again after another period */
	hn_advance(&H, 50000);
	ck_assert_uint_eq(H.r.installed, 3);
	ck_assert_ptr_null(r->children->next);
	hn_free(&H);
}
END_TEST

START_TEST(cookie_round_trip)
{
	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	ike_core_set_cookie_threshold(H.r.core, 0);
	hn_initiate(&H);
	hn_pump(&H);
	hn_assert_established(&H);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->cookies_sent, 1);
	/* cookie round trip, then IKE_SA_INIT and IKE_AUTH */
	ck_assert_uint_eq(H.delivered, 6);
	hn_free(&H);
}
END_TEST

START_TEST(cookies_hold_off_a_flood)
{
	struct hn flood;
	char ip[32];

	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	ike_core_set_cookie_threshold(H.r.core, 3);
	/* 20 initiators from other addresses that never answer cookies:
	 * their IKE_SA_INIT requests go to the responder, replies are lost */
	hn_init(&flood);
	hn_set_conf(&flood.i, hn_conf("home", true, IKE_GCM, ESP_GCM));
	for (int k = 0; k < 20; k++) {
		struct net_endpoints ep = { .remote = H.r.addr };

		snprintf(ip, sizeof(ip), "203.0.113.%d", k + 1);
		hn_addr(&ep.local, ip, 500);
		hn_addr(&flood.i.seen_as, ip, 0);
		ike_core_initiate(flood.i.core, "home", "home", &ep);
		ck_assert_uint_eq(flood.nq, 1);
		ike_core_input(H.r.core, flood.q[0].data, flood.q[0].len, &flood.q[0].ep);
		free(flood.q[0].data);
		flood.nq = 0;
		/* the responder's answers go nowhere */
		for (size_t k2 = 0; k2 < H.nq; k2++)
			free(H.q[k2].data);
		H.nq = 0;
	}
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->half_open, 3);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->cookies_sent, 17);
	/* the legitimate client still gets through, with a cookie */
	hn_initiate(&H);
	hn_pump(&H);
	ck_assert_int_eq(hn_sa(&H.i)->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->sa_established, 1);
	/* the half-open ones time out */
	hn_advance(&H, 31000);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->half_open, 0);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->sas, 1);
	ike_core_free(flood.i.core);
	ike_core_free(flood.r.core);
	hn_free(&H);
}
END_TEST

static struct hn_pkt saved_auth;
static bool save_auth_request(struct hn *h, struct hn_pkt *p)
{
	(void)h;
	if (p->to == &H.r && p->data[18] == IKE_AUTH && !saved_auth.data) {
		saved_auth = *p;
		saved_auth.data = malloc(p->len);
		memcpy(saved_auth.data, p->data, p->len);
	}
	return true;
}

START_TEST(changed_request_with_old_message_id_not_answered)
{
	uint64_t tx;

	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	H.filter = save_auth_request;
	hn_initiate(&H);
	hn_pump(&H);
	hn_assert_established(&H);
	ck_assert_ptr_nonnull(saved_auth.data);
	tx = ike_core_get_stats(H.r.core)->tx;
	/* the genuine retransmit is answered from the cache */
	ike_core_input(H.r.core, saved_auth.data, saved_auth.len, &saved_auth.ep);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->retransmit_answered, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->tx, tx + 1);
	/* one changed byte: not the request we answered, nothing is sent */
	saved_auth.data[saved_auth.len - 1] ^= 1;
	ike_core_input(H.r.core, saved_auth.data, saved_auth.len, &saved_auth.ep);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->retransmit_answered, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->tx, tx + 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->drop_mid, 1);
	free(saved_auth.data);
	hn_pump(&H);
	hn_free(&H);
}
END_TEST

START_TEST(child_rekey_collision_resolved)
{
	struct ike_conf *ci = hn_conf("home", true, IKE_GCM, ESP_GCM);
	struct ike_conf *cr = hn_conf("rw", false, IKE_GCM, ESP_GCM);
	struct ike_sa *i, *r;

	hn_init(&H);
	/* both ends rekey the same CHILD SA at the same moment */
	ci->children[0].rekey_time_s = 50;
	cr->children[0].rekey_time_s = 50;
	hn_set_conf(&H.i, ci);
	hn_set_conf(&H.r, cr);
	H.i.psk = H.r.psk = "k";
	hn_initiate(&H);
	hn_pump(&H);
	hn_advance(&H, 50000);
	/* both exchanges completed (RFC 7296 2.8.1): the redundant new SA
	 * and the old one are gone at once */
	i = hn_sa(&H.i);
	r = hn_sa(&H.r);
	ck_assert_uint_eq(H.i.installed, 3);
	ck_assert_uint_eq(H.r.installed, 3);
	ck_assert_uint_eq(H.i.uninstalled, 2);
	ck_assert_uint_eq(H.r.uninstalled, 2);
	ck_assert_ptr_null(i->children->next);
	ck_assert_ptr_null(r->children->next);
	ck_assert_uint_eq(i->children->spi_out, r->children->spi_in);
	ck_assert_uint_eq(i->children->spi_in, r->children->spi_out);
	ck_assert_uint_eq(H.i.events[IKE_EV_CHILD_REKEYED] + H.r.events[IKE_EV_CHILD_REKEYED], 1);
	hn_free(&H);
}
END_TEST

START_TEST(ike_rekey_collision_resolved)
{
	struct ike_conf *ci = hn_conf("home", true, IKE_GCM, ESP_GCM);
	struct ike_conf *cr = hn_conf("rw", false, IKE_GCM, ESP_GCM);
	uint64_t spi;

	hn_init(&H);
	ci->rekey_time_s = cr->rekey_time_s = 100;
	hn_set_conf(&H.i, ci);
	hn_set_conf(&H.r, cr);
	H.i.psk = H.r.psk = "k";
	hn_initiate(&H);
	hn_pump(&H);
	spi = hn_sa(&H.i)->spi_i;
	/* both rekey at once (RFC 7296 2.8.2): settled without a retry */
	hn_advance(&H, 100000);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->sas, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->sas, 1);
	ck_assert_uint_ne(hn_sa(&H.i)->spi_i, spi);
	ck_assert_int_eq(hn_sa(&H.i)->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(hn_sa(&H.r)->state, IKE_SA_ESTABLISHED);
	ck_assert_ptr_nonnull(hn_sa(&H.i)->children);
	ck_assert_ptr_nonnull(hn_sa(&H.r)->children);
	hn_free(&H);
}
END_TEST

START_TEST(ipv6_peers_and_selectors)
{
	struct ike_conf *ci = hn_conf("home", true, IKE_GCM, ESP_GCM);
	struct ike_conf *cr = hn_conf("rw", false, IKE_GCM, ESP_GCM);
	struct ike_sa *i, *r;
	char b[96];

	hn_init(&H);
	hn_addr(&H.i.addr, "2001:db8::100", 500);
	hn_addr(&H.i.seen_as, "2001:db8::100", 0);
	hn_addr(&H.r.addr, "2001:db8::1", 500);
	hn_addr(&H.r.seen_as, "2001:db8::1", 0);
	/* no virtual IP: the initiator's own address is its selector */
	ci->want_vip4 = false;
	cr->n_pools = 0;
	ck_assert(ike_ts_conf_parse("2001:db8:1::/64", &ci->children[0].remote_ts[0]));
	ck_assert(ike_ts_conf_parse("2001:db8:1::/64", &cr->children[0].local_ts[0]));
	hn_set_conf(&H.i, ci);
	hn_set_conf(&H.r, cr);
	H.i.psk = H.r.psk = "k";
	hn_initiate(&H);
	hn_pump(&H);
	i = hn_sa(&H.i);
	r = hn_sa(&H.r);
	ck_assert_int_eq(r->state, IKE_SA_ESTABLISHED);
	ck_assert(!i->nat_here && !i->nat_there && !r->nat_there);
	ck_assert_str_eq(ts_str(&r->children->remote_ts[0], b, sizeof(b)), "2001:db8::100/128");
	ck_assert_str_eq(ts_str(&r->children->local_ts[0], b, sizeof(b)), "2001:db8:1::/64");
	ck_assert_str_eq(r->log_prefix, "[ike#1 2001:db8::100]");
	hn_free(&H);
}
END_TEST

START_TEST(per_peer_half_open_limit)
{
	setup_pair(IKE_GCM, IKE_GCM, "k", "k");
	ike_core_set_peer_half_open_limit(H.r.core, 2);
	ike_core_set_cookie_threshold(H.r.core, 1000);
	H.filter = drop_all;	/* (responses to the first attempts are lost) */
	/* one host opens five IKE_SA_INITs */
	for (int k = 0; k < 5; k++) {
		struct net_endpoints ep = { .local = H.i.addr, .remote = H.r.addr };

		ike_core_initiate(H.i.core, "home", "home", &ep);
		ck_assert_uint_eq(H.nq, 1);
		ike_core_input(H.r.core, H.q[0].data, H.q[0].len, &H.q[0].ep);
		for (size_t j = 0; j < H.nq; j++)
			free(H.q[j].data);
		H.nq = 0;
	}
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->half_open, 2);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->drop_peer_half_open_limit, 3);
	/* they time out and the host may try again */
	hn_advance(&H, 31000);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->half_open, 0);
	ck_assert_uint_eq(htable_count(&H.r.core->half_open_peers), 0);
	H.filter = NULL;
	ike_core_free(H.i.core);
	{
		struct ike_env env = H.r.core->env;

		env.ctx = &H.i;
		H.i.core = ike_core_new(&env);
	}
	hn_set_conf(&H.i, hn_conf("home", true, IKE_GCM, ESP_GCM));
	hn_initiate(&H);
	hn_pump(&H);
	ck_assert_int_eq(hn_sa(&H.r)->state, IKE_SA_ESTABLISHED);
	hn_free(&H);
}
END_TEST

static Suite *ike_e2e_suite(void)
{
	Suite *s = suite_create("ike_e2e");
	TCase *tc = tcase_create("back_to_back");

	log_set_level(getenv("IKE_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	tcase_add_test(tc, psk_rw_gets_vip_and_child);
	tcase_add_test(tc, cbc_hmac_proposal_works);
	tcase_add_test(tc, invalid_ke_retry);
	tcase_add_test(tc, no_proposal_chosen_leaves_nothing);
	tcase_add_test(tc, wrong_psk_fails_and_leaves_no_sa);
	tcase_add_test(tc, retransmitted_request_gets_cached_response);
	tcase_add_test(tc, unanswered_requests_give_up_after_backoff);
	tcase_add_test(tc, malformed_encrypted_request_dropped_without_state_change);
	tcase_add_test(tc, garbage_and_unknown_spi_counted);
	tcase_add_test(tc, delete_from_initiator_cleans_both_sides);
	tcase_add_test(tc, delete_from_responder_cleans_both_sides);
	tcase_add_test(tc, child_delete_keeps_ike_sa);
	tcase_add_test(tc, create_child_sa_adds_second_child);
	tcase_add_test(tc, dpd_detects_dead_peer);
	tcase_add_test(tc, nat_detected_and_floated);
	tcase_add_test(tc, retransmitted_ike_sa_init_answered_once);
	tcase_add_test(tc, ike_rekey_by_initiator);
	tcase_add_test(tc, ike_rekey_by_responder);
	tcase_add_test(tc, child_rekey_with_pfs);
	tcase_add_test(tc, cookie_round_trip);
	tcase_add_test(tc, cookies_hold_off_a_flood);
	tcase_add_test(tc, changed_request_with_old_message_id_not_answered);
	tcase_add_test(tc, child_rekey_collision_resolved);
	tcase_add_test(tc, ike_rekey_collision_resolved);
	tcase_add_test(tc, ipv6_peers_and_selectors);
	tcase_add_test(tc, per_peer_half_open_limit);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ike_e2e_suite)
