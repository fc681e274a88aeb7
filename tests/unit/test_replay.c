#include "check_main.h"
#include "kernel/userspace/replay.h"

static const uint32_t windows[] = { 32, 64, 128, 256, 512, 1024, 2048, 4096 };
#define NWIN (sizeof(windows) / sizeof(windows[0]))

static enum replay_verdict accept(struct replay *r, uint32_t lo)
{
	uint64_t s;
	enum replay_verdict v = replay_check(r, lo, &s);

	return v == REPLAY_OK ? replay_update(r, s) : v;
}

START_TEST(replay_rejects_bad_window_sizes)
{
	struct replay r;

	ck_assert(replay_init(&r, 0, false));
	ck_assert_uint_eq(r.window, REPLAY_WINDOW_DEFAULT);
	ck_assert(!replay_init(&r, 16, false));
	ck_assert(!replay_init(&r, 8192, false));
	ck_assert(!replay_init(&r, 100, false));
	for (size_t i = 0; i < NWIN; i++)
		ck_assert(replay_init(&r, windows[i], true));
}
END_TEST

START_TEST(replay_first_packet_and_duplicate)
{
	struct replay r;
	uint64_t s;

	ck_assert(replay_init(&r, 0, false));
	ck_assert_int_eq(replay_check(&r, 0, &s), REPLAY_INVALID);
	ck_assert_int_eq(accept(&r, 1), REPLAY_OK);
	ck_assert_int_eq(accept(&r, 1), REPLAY_DUPLICATE);
	ck_assert(replay_init(&r, 0, false));
	ck_assert_int_eq(accept(&r, 1000), REPLAY_OK);	/* first may be anything */
	ck_assert_int_eq(accept(&r, 999), REPLAY_OK);
	ck_assert_int_eq(accept(&r, 999), REPLAY_DUPLICATE);
}
END_TEST

START_TEST(replay_window_edges_for_every_size)
{
	for (size_t i = 0; i < NWIN; i++) {
		uint32_t w = windows[i], top = 100000;
		struct replay r;
		uint64_t s;

		ck_assert(replay_init(&r, w, false));
		ck_assert_int_eq(accept(&r, top), REPLAY_OK);
		/* left edge: top - w + 1 is the oldest acceptable number */
		ck_assert_int_eq(replay_check(&r, top - w, &s), REPLAY_TOO_OLD);
		ck_assert_int_eq(accept(&r, top - w + 1), REPLAY_OK);
		ck_assert_int_eq(accept(&r, top - w + 1), REPLAY_DUPLICATE);
		/* right of the window: moves it by one, the left edge becomes too old */
		ck_assert_int_eq(accept(&r, top + 1), REPLAY_OK);
		ck_assert_int_eq(replay_check(&r, top - w + 1, &s), REPLAY_TOO_OLD);
		ck_assert_int_eq(accept(&r, top - w + 2), REPLAY_OK);
		/* a slot reused by the ring after sliding is clear again */
		ck_assert_int_eq(accept(&r, top + w), REPLAY_OK);
		ck_assert_int_eq(accept(&r, top + 2), REPLAY_OK);
		ck_assert_int_eq(accept(&r, top + 1), REPLAY_DUPLICATE);
		/* far jump clears everything behind */
		ck_assert_int_eq(accept(&r, top + 10 * w), REPLAY_OK);
		ck_assert_int_eq(accept(&r, top + 10 * w - 1), REPLAY_OK);
		ck_assert_int_eq(replay_check(&r, top + w, &s), REPLAY_TOO_OLD);
		ck_assert_int_eq(accept(&r, top + 10 * w - w + 1), REPLAY_OK);
	}
}
END_TEST

START_TEST(replay_check_does_not_change_state)
{
	struct replay r, copy;
	uint64_t s;

	ck_assert(replay_init(&r, 64, true));
	ck_assert_int_eq(accept(&r, 50), REPLAY_OK);
	memcpy(&copy, &r, sizeof(r));
	for (uint32_t lo = 0; lo < 400; lo++)
		(void)replay_check(&r, lo, &s);
	(void)replay_check(&r, 0xfffffff0u, &s);
	ck_assert_mem_eq(&r, &copy, sizeof(r));
	/* two packets that both passed check: only the first update wins */
	ck_assert_int_eq(replay_check(&r, 60, &s), REPLAY_OK);
	ck_assert_int_eq(replay_update(&r, s), REPLAY_OK);
	ck_assert_int_eq(replay_update(&r, s), REPLAY_DUPLICATE);
}
END_TEST

/* Reference model: accept iff nonzero, unseen and within window of the max. */
START_TEST(replay_matches_reference_model)
{
	enum { SPAN = 20000 };
	uint8_t *seen = calloc(SPAN, 1);
	unsigned rnd = 12345;

	for (size_t i = 0; i < NWIN; i++) {
		struct replay r;
		uint64_t top = 0;

		memset(seen, 0, SPAN);
		ck_assert(replay_init(&r, windows[i], false));
		for (int n = 0; n < 20000; n++) {
			uint32_t lo;
			enum replay_verdict want, got;

			rnd = rnd * 1103515245u + 12345u;
			/* mostly near the top, sometimes far behind or ahead */
			lo = (uint32_t)(top + ((rnd >> 8) % (2 * windows[i] + 8)) - windows[i]);
			if ((rnd & 0xff) == 7)
				lo += windows[i] * 3;
			if (lo >= SPAN || (int32_t)lo < 0)
				continue;
			if (lo == 0)
				want = REPLAY_INVALID;
			else if (lo > top)
				want = REPLAY_OK;
			else if (top - lo >= windows[i])
				want = REPLAY_TOO_OLD;
			else
				want = seen[lo] ? REPLAY_DUPLICATE : REPLAY_OK;
			got = accept(&r, lo);
			ck_assert_int_eq(got, want);
			if (got == REPLAY_OK) {
				seen[lo] = 1;
				if (lo > top)
					top = lo;
			}
		}
	}
	free(seen);
}
END_TEST

START_TEST(replay_esn_wraps_across_2_32)
{
	for (size_t i = 0; i < NWIN; i++) {
		uint32_t w = windows[i];
		struct replay r;
		uint64_t s;

		ck_assert(replay_init(&r, w, true));
		ck_assert_int_eq(replay_update(&r, 0xfffffff6u), REPLAY_OK);
		/* low bits wrapped: high bits inferred as Th + 1 */
		ck_assert_int_eq(replay_check(&r, 5, &s), REPLAY_OK);
		ck_assert_uint_eq(s, 0x100000005ull);
		ck_assert_int_eq(replay_update(&r, s), REPLAY_OK);
		/* now the window spans two subspaces (case B) */
		ck_assert_int_eq(replay_check(&r, 0xfffffff8u, &s), REPLAY_OK);
		ck_assert_uint_eq(s, 0xfffffff8ull);
		ck_assert_int_eq(replay_update(&r, s), REPLAY_OK);
		ck_assert_int_eq(accept(&r, 0xfffffff6u), REPLAY_DUPLICATE);
		ck_assert_int_eq(accept(&r, 0xfffffff8u), REPLAY_DUPLICATE);
		ck_assert_int_eq(accept(&r, 5), REPLAY_DUPLICATE);
		/* the oldest slot of the window, in the previous subspace */
		ck_assert_int_eq(replay_check(&r, (uint32_t)(0x100000005ull - w + 1), &s),
				 REPLAY_OK);
		ck_assert_uint_eq(s, 0x100000005ull - w + 1);
		ck_assert_int_eq(replay_check(&r, (uint32_t)(0x100000005ull - w), &s),
				 REPLAY_OK);
		/* one left of the window is taken as next subspace per A2.2 ... */
		ck_assert_uint_eq(s >> 32, 1);
		ck_assert_uint_eq(s, 0x100000000ull | (uint32_t)(0x100000005ull - w));
		/* ... and 0 in subspace 1 is inside the window */
		ck_assert_int_eq(accept(&r, 0), REPLAY_OK);
		ck_assert_int_eq(accept(&r, 6), REPLAY_OK);
		ck_assert_uint_eq(r.top, 0x100000006ull);
	}
}
END_TEST

START_TEST(replay_esn_start_and_exhaustion)
{
	struct replay r;
	uint64_t s;

	ck_assert(replay_init(&r, 128, true));
	/* nothing received: a huge low value would belong to subspace -1 */
	ck_assert_int_eq(replay_check(&r, 0xfffffff0u, &s), REPLAY_TOO_OLD);
	ck_assert_int_eq(replay_check(&r, 0, &s), REPLAY_INVALID);
	ck_assert_int_eq(replay_check(&r, 1, &s), REPLAY_OK);
	ck_assert_uint_eq(s, 1);
	/* window in one subspace, low value below it: next subspace */
	ck_assert_int_eq(replay_update(&r, 0x280000000ull), REPLAY_OK);
	ck_assert_int_eq(replay_check(&r, 7, &s), REPLAY_OK);
	ck_assert_uint_eq(s, 0x300000007ull);
	ck_assert_int_eq(replay_check(&r, 0x7fffff90u, &s), REPLAY_OK);
	ck_assert_uint_eq(s, 0x27fffff90ull);
	/* last subspace: no Th + 1 */
	ck_assert_int_eq(replay_update(&r, 0xffffffff80000000ull), REPLAY_OK);
	ck_assert_int_eq(replay_check(&r, 7, &s), REPLAY_INVALID);
}
END_TEST

START_TEST(replay_export_import_round_trip)
{
	for (size_t i = 0; i < NWIN; i++) {
		struct replay a, b;
		uint64_t top, bm[REPLAY_WINDOW_MAX / 64], s;
		uint32_t w = windows[i];

		ck_assert(replay_init(&a, w, true));
		ck_assert(replay_init(&b, w, true));
		ck_assert_int_eq(replay_update(&a, 0xffffff00u), REPLAY_OK);
		for (uint32_t q = 1; q < 3 * w; q += (q % 3) + 1)
			ck_assert_int_eq(accept(&a, 0xffffff00u + q), REPLAY_OK);
		replay_export(&a, &top, bm);
		ck_assert_uint_eq(top, a.top);
		ck_assert(bm[0] & 1);	/* top itself is always marked */
		replay_import(&b, top, bm);
		for (uint64_t q = a.top - w - 5; q <= a.top + 3; q++) {
			uint64_t s2;
			enum replay_verdict va = replay_check(&a, (uint32_t)q, &s);
			enum replay_verdict vb = replay_check(&b, (uint32_t)q, &s2);

			ck_assert_int_eq(va, vb);
			if (va == REPLAY_OK)
				ck_assert_uint_eq(s, s2);
		}
	}
}
END_TEST

static Suite *replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, replay_rejects_bad_window_sizes);
	tcase_add_test(tc, replay_first_packet_and_duplicate);
	tcase_add_test(tc, replay_window_edges_for_every_size);
	tcase_add_test(tc, replay_check_does_not_change_state);
	tcase_add_test(tc, replay_matches_reference_model);
	tcase_add_test(tc, replay_esn_wraps_across_2_32);
	tcase_add_test(tc, replay_esn_start_and_exhaustion);
	tcase_add_test(tc, replay_export_import_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(replay_suite)
