/* SAD: SPI allocation, insert/lookup/delete, decap through the SAD. */
#include "esp_test_util.h"
#include "kernel/userspace/sad.h"

START_TEST(sad_spis_unique_and_not_reserved)
{
	enum { N = 5000 };
	struct sad s;
	uint32_t *spis = calloc(N, sizeof(*spis));

	ck_assert(sad_init(&s));
	for (int i = 0; i < N; i++) {
		struct esp_sa *sa;

		ck_assert_int_eq(sad_alloc_spi(&s, (uint32_t)i, &spis[i]), 0);
		ck_assert_uint_ge(spis[i], 256);
		sa = sad_find_in(&s, spis[i]);
		ck_assert_ptr_nonnull(sa);
		ck_assert(sa->larval);
		ck_assert_uint_eq(sa->reqid, (uint32_t)i);
	}
	ck_assert_uint_eq(htable_count(&s.in), N);	/* no SPI handed out twice */
	free(spis);
	sad_free(&s);
}
END_TEST

START_TEST(sad_add_find_delete)
{
	struct sad s;
	struct kernel_sa k;
	struct esp_sa *in, *in2, *out, *out2, *out3;
	struct sockaddr_storage other;
	const char *why;
	int err;
	uint32_t spi;

	ck_assert(sad_init(&s));
	ck_assert_int_eq(sad_alloc_spi(&s, 7, &spi), 0);
	/* the reserved SPI becomes a real inbound SA */
	esp_test_ksa(&k, &esp_test_algs[0], KERNEL_DIR_IN, KERNEL_MODE_TUNNEL, false);
	k.spi = spi;
	in = esp_sa_new(&k, &err, &why);
	ck_assert_int_eq(sad_add(&s, in), 0);
	ck_assert_ptr_eq(sad_find_in(&s, spi), in);
	ck_assert_uint_eq(htable_count(&s.in), 1);
	/* a second SA with the same inbound SPI is refused */
	in2 = esp_sa_new(&k, &err, &why);
	ck_assert_int_eq(sad_add(&s, in2), -EEXIST);
	esp_sa_free(in2);

	/* outbound: same SPI toward two peers is fine; reqid finds the newest */
	esp_test_ksa(&k, &esp_test_algs[0], KERNEL_DIR_OUT, KERNEL_MODE_TUNNEL, false);
	k.spi = 0xc0ffee00;
	out = esp_sa_new(&k, &err, &why);
	ck_assert_int_eq(sad_add(&s, out), 0);
	out2 = esp_sa_new(&k, &err, &why);
	ck_assert_int_eq(sad_add(&s, out2), -EEXIST);
	esp_test_sockaddr4(&out2->dst, "203.0.113.9");
	ck_assert_int_eq(sad_add(&s, out2), 0);
	ck_assert_ptr_eq(sad_find_out(&s, 0xc0ffee00, (struct sockaddr *)&k.dst), out);
	esp_test_sockaddr4(&other, "203.0.113.9");
	ck_assert_ptr_eq(sad_find_out(&s, 0xc0ffee00, (struct sockaddr *)&other), out2);
	esp_test_sockaddr4(&other, "203.0.113.10");
	ck_assert_ptr_null(sad_find_out(&s, 0xc0ffee00, (struct sockaddr *)&other));
	ck_assert_ptr_eq(sad_find_out_reqid(&s, 7), out2);
	k.spi = 0xc0ffee01;	/* rekeyed SA of the same reqid */
	out3 = esp_sa_new(&k, &err, &why);
	ck_assert_int_eq(sad_add(&s, out3), 0);
	ck_assert_ptr_eq(sad_find_out_reqid(&s, 7), out3);
	sad_del(&s, out3);
	ck_assert_ptr_eq(sad_find_out_reqid(&s, 7), out2);
	sad_del(&s, out2);
	ck_assert_ptr_eq(sad_find_out_reqid(&s, 7), out);
	ck_assert_ptr_null(sad_find_out_reqid(&s, 8));
	sad_del(&s, in);
	ck_assert_ptr_null(sad_find_in(&s, spi));
	sad_free(&s);	/* frees out */
}
END_TEST

START_TEST(sad_decap_counts_unknown_spi)
{
	struct sad s;
	struct esp_sa *out, *in, *found;
	uint8_t buf[ESP_TEST_BUFSZ], nh;
	struct esp_buf b;
	uint32_t spi;

	ck_assert(sad_init(&s));
	esp_test_pair(&esp_test_algs[2], KERNEL_MODE_TUNNEL, false, &out, &in);
	ck_assert_int_eq(sad_add(&s, in), 0);
	esp_test_inner(&b, buf, 4, 30);
	ck_assert_int_eq(esp_encap(out, &b, 0), ESP_OK);
	ck_assert_int_eq(sad_decap(&s, &b, &nh, &found), ESP_OK);
	ck_assert_ptr_eq(found, in);

	esp_test_inner(&b, buf, 4, 30);
	ck_assert_int_eq(esp_encap(out, &b, 0), ESP_OK);
	buf[b.off] ^= 0x80;	/* SPI nobody has */
	ck_assert_int_eq(sad_decap(&s, &b, &nh, &found), ESP_DROP_UNKNOWN_SPI);
	ck_assert_ptr_null(found);
	b.len = 3;
	ck_assert_int_eq(sad_decap(&s, &b, &nh, &found), ESP_DROP_TRUNCATED);
	/* a reserved SPI without keys is unknown too */
	ck_assert_int_eq(sad_alloc_spi(&s, 1, &spi), 0);
	buf[0] = (uint8_t)(spi >> 24); buf[1] = (uint8_t)(spi >> 16);
	buf[2] = (uint8_t)(spi >> 8); buf[3] = (uint8_t)spi;
	memset(buf + 4, 0, 60);
	b = (struct esp_buf){ buf, sizeof(buf), 0, 64, NULL };
	ck_assert_int_eq(sad_decap(&s, &b, &nh, &found), ESP_DROP_UNKNOWN_SPI);
	ck_assert_uint_eq(s.drops[ESP_DROP_UNKNOWN_SPI], 2);
	ck_assert_uint_eq(s.drops[ESP_DROP_TRUNCATED], 1);
	esp_sa_free(out);
	sad_free(&s);
}
END_TEST

static Suite *sad_suite(void)
{
	Suite *s = suite_create("esp_sad");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, sad_spis_unique_and_not_reserved);
	tcase_add_test(tc, sad_add_find_delete);
	tcase_add_test(tc, sad_decap_counts_unknown_spi);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sad_suite)
