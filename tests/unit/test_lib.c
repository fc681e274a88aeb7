#include <event2/event.h>
#include <pthread.h>
#include <unistd.h>

#include "check_main.h"
#include "lib/mailbox.h"
#include "lib/mem.h"
#include "lib/rd.h"
#include "lib/wbuf.h"

START_TEST(rd_reads_network_order_and_stops_at_end)
{
	const uint8_t in[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	struct rd r = rd_init(in, sizeof(in));
	uint8_t u8;
	uint16_t u16;
	uint32_t u24, u32;
	uint8_t out[2];

	ck_assert(rd_u8(&r, &u8) && u8 == 1);
	ck_assert(rd_u16(&r, &u16) && u16 == 0x0203);
	ck_assert(rd_u24(&r, &u24) && u24 == 0x040506);
	ck_assert(rd_u32(&r, &u32) && u32 == 0x0708090a);
	ck_assert_uint_eq(r.left, 1);
	ck_assert(!rd_u16(&r, &u16));
	ck_assert_uint_eq(r.left, 1);	/* a failed read consumes nothing */
	ck_assert(!rd_copy(&r, out, 2));
	ck_assert(rd_u8(&r, &u8) && u8 == 11);
	ck_assert(!rd_u8(&r, &u8));
	ck_assert_uint_eq(u8, 0);	/* a failed number read yields 0 */
}
END_TEST

START_TEST(rd_u64_failure_consumes_nothing)
{
	const uint8_t in[] = { 1, 2, 3, 4, 5, 6, 7 };
	struct rd r = rd_init(in, sizeof(in));
	uint64_t v;

	ck_assert(!rd_u64(&r, &v));
	ck_assert_uint_eq(r.left, 7);
}
END_TEST

START_TEST(rd_sub_is_bounded)
{
	const uint8_t in[] = { 0xaa, 0xbb, 0xcc };
	struct rd r = rd_init(in, sizeof(in)), sub;
	uint16_t v;
	uint8_t b;

	ck_assert(!rd_sub(&r, 4, &sub));
	ck_assert(rd_sub(&r, 1, &sub));
	ck_assert(!rd_u16(&sub, &v));
	ck_assert(rd_u8(&sub, &b) && b == 0xaa);
	ck_assert_uint_eq(r.left, 2);
	ck_assert(!rd_skip(&r, 3));
	ck_assert(rd_skip(&r, 2));
	ck_assert_uint_eq(rd_rest(&r).left, 0);
}
END_TEST

START_TEST(wbuf_builds_and_patches)
{
	struct wbuf w;
	uint8_t *p;
	size_t len, off;
	const uint8_t want[] = { 0x01, 0x00, 0x09, 0xde, 0xad, 0xbe, 0xef,
				 0, 0, 0, 0, 0, 0, 0, 7, 0xab, 0xcd, 0xef };

	wbuf_init(&w);
	wbuf_u8(&w, 1);
	off = wbuf_reserve(&w, 2);
	wbuf_u32(&w, 0xdeadbeef);
	wbuf_u64(&w, 7);
	wbuf_u24(&w, 0xabcdef);
	wbuf_put_u16_at(&w, off, 9);
	wbuf_put_u16_at(&w, w.len - 1, 0xffff);	/* out of range: ignored */
	ck_assert(wbuf_ok(&w));
	p = wbuf_steal(&w, &len);
	ck_assert_uint_eq(len, sizeof(want));
	ck_assert_mem_eq(p, want, len);
	free(p);
	ck_assert_uint_eq(w.len, 0);
}
END_TEST

START_TEST(wbuf_grows_past_initial_capacity)
{
	struct wbuf w;

	wbuf_init(&w);
	for (int i = 0; i < 10000; i++)
		wbuf_u8(&w, (uint8_t)i);
	ck_assert(wbuf_ok(&w));
	ck_assert_uint_eq(w.len, 10000);
	ck_assert_uint_eq(w.p[9999], (uint8_t)9999);
	wbuf_free(&w);
}
END_TEST

START_TEST(chunk_helpers)
{
	struct chunk a, b, c;

	ck_assert(chunk_dup(&a, "ab", 2));
	ck_assert(chunk_dup(&b, "cde", 3));
	ck_assert(chunk_cat(&c, &a, &b));
	ck_assert_uint_eq(c.len, 5);
	ck_assert_mem_eq(c.ptr, "abcde", 5);
	ck_assert(!chunk_equal(&a, &b));
	ck_assert(mem_equal_ct("xyz", "xyz", 3));
	ck_assert(!mem_equal_ct("xyz", "xyw", 3));
	chunk_free(&a);
	chunk_free(&b);
	chunk_free(&c);
	ck_assert_ptr_null(c.ptr);
	ck_assert_uint_eq(c.len, 0);
}
END_TEST

/* mailbox: items posted by another thread reach the loop in order; bounded
 * posts are refused (the poster keeps the item) while max wait, unbounded
 * ones never; what is never delivered goes to free_item. */
struct mb_item {
	struct mailbox_item item;
	int n;
};

struct mb_seen {
	int got[64], count;
};

static void mb_deliver(void *ctx, struct mailbox_item *it)
{
	struct mb_seen *seen = ctx;

	seen->got[seen->count++] = ((struct mb_item *)it)->n;
	free(it);
}

static int mb_freed;

static void mb_free(struct mailbox_item *it)
{
	mb_freed++;
	free(it);
}

static struct mailbox mb;
static int mb_refused;

static void *mb_poster(void *arg)
{
	(void)arg;
	for (int i = 0; i < 12; i++) {
		struct mb_item *x = calloc(1, sizeof(*x));

		x->n = i;
		/* 0..7 bounded (max 5: 5, 6, 7 refused), 8..11 unbounded */
		if (!mailbox_post(&mb, &x->item, i < 8)) {
			mb_refused++;
			free(x);
		}
	}
	return NULL;
}

START_TEST(mailbox_hands_items_to_the_loop)
{
	struct event_base *base = event_base_new();
	struct mb_seen seen = { .count = 0 };
	struct mb_item *late;
	pthread_t t;

	ck_assert_int_eq(mailbox_init(&mb, base, 5, "test items", mb_deliver, &seen), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, mb_poster, NULL), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(seen.count, 0);	/* nothing before the loop runs */
	ck_assert_int_eq(mb_refused, 3);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(seen.count, 9);
	for (int i = 0; i < 9; i++)
		ck_assert_int_eq(seen.got[i], i < 5 ? i : i + 3);
	/* room again once delivered */
	late = calloc(1, sizeof(*late));
	late->n = 99;
	ck_assert(mailbox_post(&mb, &late->item, true));
	mb_freed = 0;
	mailbox_free(&mb, mb_free);
	ck_assert_int_eq(mb_freed, 1);
	ck_assert_int_eq(seen.count, 9);
	mailbox_free(&mb, mb_free);	/* again: nothing */
	event_base_free(base);
}
END_TEST

static Suite *lib_suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rd_reads_network_order_and_stops_at_end);
	tcase_add_test(tc, rd_u64_failure_consumes_nothing);
	tcase_add_test(tc, rd_sub_is_bounded);
	tcase_add_test(tc, wbuf_builds_and_patches);
	tcase_add_test(tc, wbuf_grows_past_initial_capacity);
	tcase_add_test(tc, chunk_helpers);
	tcase_add_test(tc, mailbox_hands_items_to_the_loop);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(lib_suite)
