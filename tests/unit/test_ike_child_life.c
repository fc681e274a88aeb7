/* CHILD SA lifetimes and datapath reports (src/ike/ike_child_life.c), two
 * cores back to back (tests/unit/ike_harness.h): soft/hard expires from the
 * datapath, rekey_time and life_time with the manual clock, INVALID_SPI. */
#include "check_main.h"
#include "ike_harness.h"

#define IKE_GCM "aes256gcm16-prfsha256-x25519"
#define ESP_GCM "aes256gcm16"

static struct hn H;

/* An established pair; child lifetimes of initiator and responder. */
static void setup(uint32_t rekey_i, uint32_t life_i, uint32_t rekey_r, uint32_t life_r)
{
	struct ike_conf *ci = hn_conf("home", true, IKE_GCM, ESP_GCM);
	struct ike_conf *cr = hn_conf("rw", false, IKE_GCM, ESP_GCM);

	hn_init(&H);
	ci->children[0].rekey_time_s = rekey_i;
	ci->children[0].life_time_s = life_i;
	cr->children[0].rekey_time_s = rekey_r;
	cr->children[0].life_time_s = life_r;
	hn_set_conf(&H.i, ci);
	hn_set_conf(&H.r, cr);
	H.i.psk = H.r.psk = "k";
	ck_assert_uint_ne(hn_initiate(&H), 0);
	hn_pump(&H);
	hn_assert_established(&H);
}

/* One CHILD SA on each side, SPIs crossed. */
static void assert_one_child(void)
{
	struct ike_sa *i = hn_sa(&H.i), *r = hn_sa(&H.r);

	ck_assert_ptr_nonnull(i->children);
	ck_assert_ptr_nonnull(r->children);
	ck_assert_ptr_null(i->children->next);
	ck_assert_ptr_null(r->children->next);
	ck_assert_int_eq(i->children->state, CHILD_SA_INSTALLED);
	ck_assert_int_eq(r->children->state, CHILD_SA_INSTALLED);
	ck_assert_uint_eq(i->children->spi_out, r->children->spi_in);
	ck_assert_uint_eq(i->children->spi_in, r->children->spi_out);
}

START_TEST(soft_expire_rekeys_the_child)
{
	struct ike_sa *i, *r;
	uint32_t old_r, old_i;

	setup(0, 0, 0, 0);
	i = hn_sa(&H.i);
	r = hn_sa(&H.r);
	old_r = r->children->spi_in;
	old_i = i->children->spi_in;
	/* the responder's datapath reports a soft limit, on both ESP SAs */
	ck_assert(ike_core_child_expired(H.r.core, old_r, false));
	ck_assert(r->children->rekeying);
	ck_assert(ike_core_child_expired(H.r.core, old_r, false));	/* already rekeying */
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->child_soft_expired, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->child_expire_ignored, 1);
	hn_pump(&H);
	/* new SA installed on both sides, the old one removed */
	ck_assert_uint_eq(H.i.installed, 2);
	ck_assert_uint_eq(H.r.installed, 2);
	ck_assert_uint_eq(H.i.uninstalled, 1);
	ck_assert_uint_eq(H.r.uninstalled, 1);
	assert_one_child();
	ck_assert_uint_ne(r->children->spi_in, old_r);
	ck_assert_uint_ne(i->children->spi_in, old_i);
	ck_assert(chunk_equal(&H.i.last_encr_ir, &H.r.last_encr_ir));
	ck_assert_uint_eq(H.r.events[IKE_EV_CHILD_REKEYED], 1);
	ck_assert_int_eq(r->state, IKE_SA_ESTABLISHED);
	/* a late report for the old SA finds nothing */
	ck_assert(!ike_core_child_expired(H.r.core, old_r, false));
	ck_assert(!ike_core_child_expired(H.r.core, old_r, true));
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->child_expire_ignored, 3);
	/* and the new one can be rekeyed by the other side's datapath */
	ck_assert(ike_core_child_expired(H.i.core, i->children->spi_in, false));
	hn_pump(&H);
	ck_assert_uint_eq(H.i.installed, 3);
	assert_one_child();
	hn_free(&H);
}
END_TEST

START_TEST(hard_expire_deletes_the_child)
{
	struct ike_sa *i, *r;
	uint64_t sent;

	setup(0, 0, 0, 0);
	i = hn_sa(&H.i);
	r = hn_sa(&H.r);
	sent = H.i.sent;
	/* inbound and outbound ESP SA both hit the hard limit: one Delete */
	ck_assert(ike_core_child_expired(H.i.core, i->children->spi_in, true));
	ck_assert(ike_core_child_expired(H.i.core, i->children->spi_in, true));
	ck_assert(ike_core_child_expired(H.i.core, i->children->spi_in, false));
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->child_hard_expired, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->child_expire_ignored, 2);
	hn_pump(&H);
	ck_assert_uint_eq(H.i.sent, sent + 1);
	ck_assert_ptr_null(i->children);
	ck_assert_ptr_null(r->children);
	ck_assert_uint_eq(H.i.uninstalled, 1);
	ck_assert_uint_eq(H.r.uninstalled, 1);
	ck_assert_uint_eq(H.i.events[IKE_EV_CHILD_DOWN], 1);
	ck_assert_uint_eq(H.r.events[IKE_EV_CHILD_DOWN], 1);
	ck_assert_int_eq(i->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(r->state, IKE_SA_ESTABLISHED);
	hn_free(&H);
}
END_TEST

START_TEST(hard_expire_while_rekeying_leaves_one_child)
{
	struct ike_sa *i, *r;
	uint32_t old;

	setup(0, 0, 0, 0);
	i = hn_sa(&H.i);
	r = hn_sa(&H.r);
	old = i->children->spi_in;
	ck_assert(ike_core_child_expired(H.i.core, old, false));
	ck_assert(ike_core_child_expired(H.i.core, old, true));	/* rekey in flight */
	hn_pump(&H);
	assert_one_child();
	ck_assert_uint_ne(i->children->spi_in, old);
	ck_assert_uint_eq(H.i.installed, 2);
	ck_assert_uint_eq(H.i.uninstalled, 1);
	ck_assert_uint_eq(H.r.uninstalled, 1);
	ck_assert_int_eq(r->state, IKE_SA_ESTABLISHED);
	hn_free(&H);
}
END_TEST

START_TEST(rekey_time_rekeys_and_life_time_is_not_reached)
{
	struct ike_sa *r;
	uint32_t old;

	/* the responder rekeys at 50 s; both would delete at 80 s */
	setup(0, 80, 50, 80);
	r = hn_sa(&H.r);
	old = r->children->spi_in;
	hn_advance(&H, 49000);
	ck_assert_uint_eq(r->children->spi_in, old);
	hn_advance(&H, 1000);
	ck_assert_uint_ne(r->children->spi_in, old);
	ck_assert_uint_eq(H.r.installed, 2);
	assert_one_child();
	/* 80 s after the first install: the rekeyed SA is 30 s old, stays */
	hn_advance(&H, 31000);
	ck_assert_uint_eq(H.r.installed, 2);
	ck_assert_uint_eq(H.i.uninstalled, 1);
	assert_one_child();
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->child_hard_expired, 0);
	hn_free(&H);
}
END_TEST

START_TEST(life_time_deletes_a_child_not_rekeyed)
{
	struct ike_sa *i, *r;

	/* nobody rekeys; the responder's life_time (60 s) comes first */
	setup(0, 90, 0, 60);
	i = hn_sa(&H.i);
	r = hn_sa(&H.r);
	hn_advance(&H, 59999);
	assert_one_child();
	hn_advance(&H, 1);
	ck_assert_ptr_null(i->children);
	ck_assert_ptr_null(r->children);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->child_hard_expired, 1);
	ck_assert_uint_eq(H.i.events[IKE_EV_CHILD_DOWN], 1);
	ck_assert_int_eq(i->state, IKE_SA_ESTABLISHED);
	/* the initiator's own life timer went with its CHILD SA */
	hn_advance(&H, 60000);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->child_hard_expired, 0);
	hn_free(&H);
}
END_TEST

START_TEST(rand_time_jitter_stays_in_range)
{
	/* rekey at 100 s minus up to 20 s: between 80 and 100 s */
	struct ike_conf *ci = hn_conf("home", true, IKE_GCM, ESP_GCM);
	struct ike_conf *cr = hn_conf("rw", false, IKE_GCM, ESP_GCM);
	struct ike_sa *r;
	uint32_t old;

	hn_init(&H);
	cr->children[0].rekey_time_s = 100;
	cr->children[0].rand_time_s = 20;
	hn_set_conf(&H.i, ci);
	hn_set_conf(&H.r, cr);
	H.i.psk = H.r.psk = "k";
	hn_initiate(&H);
	hn_pump(&H);
	r = hn_sa(&H.r);
	old = r->children->spi_in;
	hn_advance(&H, 79999);
	ck_assert_uint_eq(r->children->spi_in, old);
	hn_advance(&H, 20001);
	ck_assert_uint_ne(r->children->spi_in, old);
	assert_one_child();
	hn_free(&H);
}
END_TEST

START_TEST(invalid_spi_sent_once_per_second_and_ignored)
{
	struct ike_sa *i, *r;
	struct sockaddr_storage peer, other;
	uint32_t mid_r, mid_i;
	const struct ike_core_stats *st;

	setup(0, 0, 0, 0);
	i = hn_sa(&H.i);
	r = hn_sa(&H.r);
	st = ike_core_get_stats(H.r.core);
	peer = r->ep.remote;	/* ESP in UDP from the peer's IKE port */
	mid_r = r->mid_out;
	mid_i = i->mid_in;
	ck_assert_int_eq(ike_core_invalid_spi(H.r.core, 0xdeadbeef, &peer), IKE_INVALID_SPI_SENT);
	ck_assert_int_eq(ike_core_invalid_spi(H.r.core, 0xdeadbeef, &peer),
			 IKE_INVALID_SPI_LIMITED);
	hn_pump(&H);
	/* one INFORMATIONAL, answered; nothing else changed */
	ck_assert_uint_eq(r->mid_out, mid_r + 1);
	ck_assert_uint_eq(i->mid_in, mid_i + 1);
	ck_assert_int_eq(i->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(r->state, IKE_SA_ESTABLISHED);
	assert_one_child();
	ck_assert_uint_eq(H.i.uninstalled, 0);
	/* within the second: limited, also as raw ESP (no port) */
	hn_advance(&H, 500);
	sockaddr_set_port(&peer, 0);
	ck_assert_int_eq(ike_core_invalid_spi(H.r.core, 1234, &peer), IKE_INVALID_SPI_LIMITED);
	hn_advance(&H, 500);
	ck_assert_int_eq(ike_core_invalid_spi(H.r.core, 1234, &peer), IKE_INVALID_SPI_SENT);
	hn_pump(&H);
	ck_assert_uint_eq(r->mid_out, mid_r + 2);
	/* a peer we have no IKE SA with: counted only */
	hn_addr(&other, "198.51.100.9", 4500);
	ck_assert_int_eq(ike_core_invalid_spi(H.r.core, 1234, &other), IKE_INVALID_SPI_NO_SA);
	ck_assert_uint_eq(st->invalid_spi_sent, 2);
	ck_assert_uint_eq(st->invalid_spi_limited, 2);
	ck_assert_uint_eq(st->invalid_spi_no_sa, 1);
	/* the initiator may send one too */
	ck_assert_int_eq(ike_core_invalid_spi(H.i.core, 77, &i->ep.remote), IKE_INVALID_SPI_SENT);
	hn_pump(&H);
	ck_assert_uint_eq(i->mid_out, 3);
	assert_one_child();
	hn_free(&H);
}
END_TEST

START_TEST(invalid_spi_follows_a_floated_peer)
{
	struct ike_sa *r;
	struct sockaddr_storage old;

	setup(0, 0, 0, 0);
	r = hn_sa(&H.r);
	old = r->ep.remote;
	/* the initiator appears behind a new address (NAT rebinding) */
	hn_addr(&H.i.seen_as, "203.0.113.50", 0);
	ck_assert(ike_core_dpd(H.i.core, hn_sa(&H.i)->unique_id));
	hn_pump(&H);
	ck_assert(!sockaddr_equal(&r->ep.remote, &old, false));
	ck_assert_int_eq(ike_core_invalid_spi(H.r.core, 5, &old), IKE_INVALID_SPI_NO_SA);
	ck_assert_int_eq(ike_core_invalid_spi(H.r.core, 5, &r->ep.remote),
			 IKE_INVALID_SPI_SENT);
	hn_pump(&H);
	ck_assert_int_eq(r->state, IKE_SA_ESTABLISHED);
	hn_free(&H);
}
END_TEST

START_TEST(invalid_spi_notify_carries_the_spi)
{
	struct ike_msg m;
	struct task *t;
	const struct ike_payload *p;
	static const uint8_t want[4] = { 0x0b, 0xad, 0xc0, 0xde };

	setup(0, 0, 0, 0);
	t = task_invalid_spi_new(hn_sa(&H.r), 0x0badc0de);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->exchange, INFORMATIONAL);
	ike_msg_init(&m);
	ck_assert_int_eq(t->ops->build(t, &m), TASK_MORE);
	p = ike_msg_find_notify(&m, N_INVALID_SPI);
	ck_assert_ptr_nonnull(p);
	/* RFC 7296 3.10.1: no SPI field, protocol 0, the SPI as data */
	ck_assert_uint_eq(p->notify.protocol, 0);
	ck_assert_uint_eq(p->notify.spi.len, 0);
	ck_assert_uint_eq(p->notify.data.len, 4);
	ck_assert_mem_eq(p->notify.data.ptr, want, 4);
	ike_msg_free(&m);
	task_destroy(t);
	hn_free(&H);
}
END_TEST

static Suite *child_life_suite(void)
{
	Suite *s = suite_create("ike_child_life");
	TCase *tc = tcase_create("e2e");

	log_set_level(getenv("IKE_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	tcase_add_test(tc, soft_expire_rekeys_the_child);
	tcase_add_test(tc, hard_expire_deletes_the_child);
	tcase_add_test(tc, hard_expire_while_rekeying_leaves_one_child);
	tcase_add_test(tc, rekey_time_rekeys_and_life_time_is_not_reached);
	tcase_add_test(tc, life_time_deletes_a_child_not_rekeyed);
	tcase_add_test(tc, rand_time_jitter_stays_in_range);
	tcase_add_test(tc, invalid_spi_sent_once_per_second_and_ignored);
	tcase_add_test(tc, invalid_spi_follows_a_floated_peer);
	tcase_add_test(tc, invalid_spi_notify_carries_the_spi);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(child_life_suite)
