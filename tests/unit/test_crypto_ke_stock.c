/* crypto/ke_stock: key pairs made ahead on a second thread serve
 * ke_create() once each, work like inline ones, and the stock stops
 * cleanly. Waits are bounded (the thread fills the stock in milliseconds;
 * the bound only stops a broken thread from hanging the test). */
#include <time.h>

#include "check_main.h"
#include "crypto/ke.h"
#include "crypto/ke_stock.h"
#include "ike/iana.h"

#define WAIT_STEPS 500	/* x 10 ms */

static void sleep_10ms(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* Polls until `ready` key pairs are in the stock; false after the bound. */
static bool wait_ready(uint32_t ready)
{
	struct ke_stock_stats st;

	for (int i = 0; i < WAIT_STEPS; i++) {
		ke_stock_get_stats(&st);
		if (st.ready >= ready)
			return true;
		sleep_10ms();
	}
	return false;
}

static void public_of(struct ke *ke, struct chunk *out)
{
	ck_assert(ke_public(ke, out));
	ck_assert_uint_eq(out->len, ke_public_len(ke_group(ke)));
}

START_TEST(stock_off_generates_inline)
{
	struct ke_stock_stats st;
	struct ke *ke = ke_create(KE_CURVE25519);

	ck_assert_ptr_nonnull(ke);
	ke_stock_get_stats(&st);
	ck_assert_uint_eq(st.taken, 0);
	ck_assert_uint_eq(st.inline_made, 1);
	ck_assert_uint_eq(st.generated, 0);
	ke_free(ke);
}
END_TEST

static const uint16_t groups[] = { KE_CURVE25519, KE_ECP_256, KE_MODP_2048 };

START_TEST(stock_serves_each_key_once)
{
	uint16_t g = groups[_i];
	struct ke *first, *keys[4], *peer;
	struct chunk pubs[4], peer_pub, s1, s2;
	struct ke_stock_stats st;
	char why[128];

	ck_assert(ke_stock_start(4, why, sizeof(why)));
	/* the first use of a group is made inline and makes it wanted */
	first = ke_create(g);
	ck_assert_ptr_nonnull(first);
	ck_assert_msg(wait_ready(4), "the stock did not fill");
	ke_stock_get_stats(&st);
	ck_assert_uint_eq(st.inline_made, 1);
	ck_assert_uint_eq(st.ready, 4);
	for (int i = 0; i < 4; i++) {
		keys[i] = ke_create(g);
		ck_assert_ptr_nonnull(keys[i]);
		ck_assert_uint_eq(ke_group(keys[i]), g);
		public_of(keys[i], &pubs[i]);
	}
	ke_stock_get_stats(&st);
	ck_assert_uint_eq(st.taken, 4);
	ck_assert_uint_eq(st.inline_made, 1);
	/* four different key pairs: none handed out twice */
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			ck_assert(memcmp(pubs[i].ptr, pubs[j].ptr, pubs[i].len) != 0);
	/* a stocked key agrees with an inline peer like any key */
	ke_stock_stop();
	peer = ke_create(g);
	public_of(peer, &peer_pub);
	ck_assert(ke_compute(keys[0], peer_pub.ptr, peer_pub.len, &s1));
	ck_assert(ke_compute(peer, pubs[0].ptr, pubs[0].len, &s2));
	ck_assert_uint_eq(s1.len, s2.len);
	ck_assert(memcmp(s1.ptr, s2.ptr, s1.len) == 0);
	chunk_free(&s1);
	chunk_free(&s2);
	chunk_free(&peer_pub);
	for (int i = 0; i < 4; i++) {
		chunk_free(&pubs[i]);
		ke_free(keys[i]);
	}
	ke_free(first);
	ke_free(peer);
}
END_TEST

START_TEST(stock_refills_and_stops)
{
	struct ke_stock_stats st;
	char why[128];
	struct ke *ke;

	ck_assert(ke_stock_start(2, why, sizeof(why)));
	ck_assert(ke_stock_start(8, why, sizeof(why)));	/* a second start: no-op */
	ke_free(ke_create(KE_CURVE25519));
	ck_assert(wait_ready(2));
	for (int round = 0; round < 3; round++) {
		ke_free(ke_create(KE_CURVE25519));
		ke_free(ke_create(KE_CURVE25519));
		ck_assert_msg(wait_ready(2), "no refill in round %d", round);
	}
	ke_stock_get_stats(&st);
	ck_assert_uint_eq(st.taken, 6);
	ck_assert_uint_eq(st.generated, 8);
	ck_assert_uint_eq(st.ready, 2);	/* never more than the depth */
	ke_stock_stop();
	ke_stock_get_stats(&st);
	ck_assert_uint_eq(st.ready, 0);
	ke = ke_create(KE_CURVE25519);	/* inline again */
	ck_assert_ptr_nonnull(ke);
	ke_free(ke);
	ke_stock_get_stats(&st);
	ck_assert_uint_eq(st.taken, 6);
	ke_stock_stop();	/* a second stop: no-op */
}
END_TEST

START_TEST(stock_depth_zero_is_off)
{
	struct ke_stock_stats st;
	char why[128];

	ck_assert(ke_stock_start(0, why, sizeof(why)));
	ke_free(ke_create(KE_CURVE25519));
	ke_free(ke_create(KE_CURVE25519));
	ke_stock_get_stats(&st);
	ck_assert_uint_eq(st.taken, 0);
	ck_assert_uint_eq(st.generated, 0);
	ck_assert_uint_eq(st.inline_made, 2);
	ke_stock_stop();
}
END_TEST

static Suite *ke_stock_suite(void)
{
	Suite *s = suite_create("crypto_ke_stock");
	TCase *tc = tcase_create("ke_stock");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, stock_off_generates_inline);
	tcase_add_loop_test(tc, stock_serves_each_key_once, 0,
			    sizeof(groups) / sizeof(groups[0]));
	tcase_add_test(tc, stock_refills_and_stops);
	tcase_add_test(tc, stock_depth_zero_is_off);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ke_stock_suite)
