/* ikeload's pure parts: percentiles, reason counting, the report, and the
 * command line. The tool's sources are not in libcygnet; the Makefile
 * links their objects into this runner. */
#include "check_main.h"

#include <stdarg.h>
#include <string.h>

#include "ike/iana.h"
#include "tools/ikeload/opts.h"
#include "tools/ikeload/stats.h"

START_TEST(percentile_nearest_rank_table)
{
	/* nearest rank: value at rank ceil(p/100 * n), 1-based */
	static const struct {
		uint32_t v[10];
		size_t n;
		double p;
		uint32_t want;
	} t[] = {
		{ { 0 }, 0, 50, 0 },
		{ { 7 }, 1, 0, 7 },
		{ { 7 }, 1, 50, 7 },
		{ { 7 }, 1, 99, 7 },
		{ { 15, 20, 35, 40, 50 }, 5, 5, 15 },	/* Wikipedia example */
		{ { 15, 20, 35, 40, 50 }, 5, 30, 20 },
		{ { 15, 20, 35, 40, 50 }, 5, 40, 20 },
		{ { 15, 20, 35, 40, 50 }, 5, 50, 35 },
		{ { 15, 20, 35, 40, 50 }, 5, 100, 50 },
		{ { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 10, 50, 5 },
		{ { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 10, 51, 6 },
		{ { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 10, 99, 10 },
		{ { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 10, 90, 9 },
		{ { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 10, 0, 1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(ikeload_percentile(t[i].v, t[i].n, t[i].p) == t[i].want,
			      "case %zu: p%.0f of %zu values", i, t[i].p, t[i].n);
}
END_TEST

START_TEST(percentile_of_1000_after_sort)
{
	uint32_t v[1000];

	/* 1000..1 descending: sorted it is 1..1000 */
	for (uint32_t i = 0; i < 1000; i++)
		v[i] = 1000 - i;
	ikeload_sort_u32(v, 1000);
	for (uint32_t i = 1; i < 1000; i++)
		ck_assert_uint_le(v[i - 1], v[i]);
	ck_assert_uint_eq(ikeload_percentile(v, 1000, 50), 500);
	ck_assert_uint_eq(ikeload_percentile(v, 1000, 99), 990);
	ck_assert_uint_eq(ikeload_percentile(v, 1000, 99.9), 999);
	ck_assert_uint_eq(ikeload_percentile(v, 1000, 100), 1000);
}
END_TEST

START_TEST(reasons_count_merge_and_overflow)
{
	struct ikeload_reasons a = { 0 }, b = { 0 };
	char why[32];

	ikeload_reasons_add(&a, "timeout", 1);
	ikeload_reasons_add(&a, "timeout", 2);
	ikeload_reasons_add(&a, NULL, 1);
	ck_assert_uint_eq(a.n, 2);
	ck_assert_str_eq(a.text[0], "timeout");
	ck_assert_uint_eq(a.count[0], 3);
	ck_assert_str_eq(a.text[1], "unknown");
	ikeload_reasons_add(&b, "timeout", 4);
	ikeload_reasons_add(&b, "IKE_AUTH failed: peer sent AUTHENTICATION_FAILED", 1);
	ikeload_reasons_merge(&a, &b);
	ck_assert_uint_eq(a.count[0], 7);
	ck_assert_uint_eq(a.n, 3);
	for (int i = 0; i < 20; i++) {
		snprintf(why, sizeof(why), "reason %d", i);
		ikeload_reasons_add(&a, why, 1);
	}
	ck_assert_uint_eq(a.n, IKELOAD_REASONS);
	ck_assert_uint_eq(a.other, 20 - (IKELOAD_REASONS - 3));
}
END_TEST

START_TEST(report_json_is_escaped_and_complete)
{
	struct ikeload_result r = { .label = "cyg\"net\\d", .n = 10, .c = 2, .threads = 1,
				    .ok = 9, .failed = 1, .setup_s = 0.5, .p50_us = 1500,
				    .p99_us = 2500, .max_us = 3000, .deleted = 9,
				    .delete_s = 0.25, .cpu_s = 0.125 };
	char buf[2048], small[16];
	int n;

	ikeload_reasons_add(&r.fail, "line\nbreak", 1);
	n = ikeload_format_json(&r, buf, sizeof(buf));
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\"label\":\"cyg\\\"net\\\\d\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"ok\":9,\"failed\":1"));
	ck_assert_ptr_nonnull(strstr(buf, "\"setups_per_s\":18.00"));
	ck_assert_ptr_nonnull(strstr(buf, "\"p50_ms\":1.500,\"p99_ms\":2.500,\"max_ms\":3.000"));
	ck_assert_ptr_nonnull(strstr(buf, "\"deletes_per_s\":36.00"));
	ck_assert_ptr_nonnull(strstr(buf, "\"fail_reasons\":{\"line\\u000abreak\":1}"));
	ck_assert_ptr_nonnull(strstr(buf, "\"delete_fail_reasons\":{}}"));
	/* truncation: terminated, and the full length is reported */
	ck_assert_int_eq(ikeload_format_json(&r, small, sizeof(small)), n);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	n = ikeload_format_text(&r, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "9 ok, 1 failed in 0.500 s = 18.0 setups/s"));
	ck_assert_ptr_nonnull(strstr(buf, "p50 1.50 ms, p99 2.50 ms, max 3.00 ms"));
}
END_TEST

static enum ikeload_parse parse(struct ikeload_opts *o, char *err, size_t len, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)"ikeload";
	va_start(ap, len);
	for (char *a; argc < 31 && (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return ikeload_opts_parse(argc, argv, o, err, len);
}

#define BASE "--remote", "192.0.2.1", "--psk", "s", "--id-local", "a.example", \
	"--id-remote", "b.example"

START_TEST(opts_defaults_and_full)
{
	struct ikeload_opts o;
	char err[256];

	ck_assert_int_eq(parse(&o, err, sizeof(err), BASE, NULL), IKELOAD_PARSE_OK);
	ck_assert_uint_eq(o.n, 100);
	ck_assert_uint_eq(o.c, 8);
	ck_assert_uint_eq(o.threads, 1);
	ck_assert_uint_eq(o.port, 500);
	ck_assert_uint_eq(o.timeout_ms, 10000);
	ck_assert_uint_eq(o.prop.n_encr, 1);
	ck_assert_uint_eq(o.prop.encr[0].id, ENCR_AES_GCM_16);
	ck_assert_uint_eq(o.prop.encr[0].key_bits, 256);
	ck_assert_uint_eq(o.prop.ke[0], KE_CURVE25519);
	ck_assert_uint_eq(o.n_local_ts + o.n_remote_ts, 0);
	ck_assert(!o.vip && !o.json && !o.no_child);

	ck_assert_int_eq(parse(&o, err, sizeof(err), BASE, "-n", "1000", "-c", "32",
			       "--threads", "2", "--port", "4501", "--proposal",
			       "aes128-sha256-modp2048", "--esp", "aes128gcm16",
			       "--remote-ts", "10.1.0.0/16,10.2.0.0/16", "--local-ts",
			       "dynamic", "--vip", "--json", "--timeout", "2000",
			       "--label", "x", NULL),
			 IKELOAD_PARSE_OK);
	ck_assert_uint_eq(o.n, 1000);
	ck_assert_uint_eq(o.c, 32);
	ck_assert_uint_eq(o.threads, 2);
	ck_assert_uint_eq(o.port, 4501);
	ck_assert_uint_eq(o.prop.ke[0], KE_MODP_2048);
	ck_assert_uint_eq(o.esp.encr[0].key_bits, 128);
	ck_assert_uint_eq(o.n_remote_ts, 2);
	ck_assert_uint_eq(o.remote_ts[1].from[1], 2);
	ck_assert_uint_eq(o.n_local_ts, 1);
	ck_assert(o.local_ts[0].dynamic);
	ck_assert(o.vip && o.json);
	ck_assert_uint_eq(o.timeout_ms, 2000);
	ck_assert_str_eq(o.label, "x");
	ck_assert_str_eq((const char *)o.id_local.data, "a.example");

	/* threads never exceed n; c is at least one per thread */
	ck_assert_int_eq(parse(&o, err, sizeof(err), BASE, "-n", "3", "-c", "1",
			       "--threads", "8", NULL), IKELOAD_PARSE_OK);
	ck_assert_uint_eq(o.threads, 3);
	ck_assert_uint_eq(o.c, 3);
	ck_assert_int_eq(parse(&o, err, sizeof(err), "--help", NULL), IKELOAD_PARSE_HELP);
}
END_TEST

START_TEST(opts_errors_name_the_option)
{
	static const struct {
		const char *a, *b, *want;
	} t[] = {
		{ "-n", "0", "-n:" },
		{ "-n", "12x", "-n:" },
		{ "-c", "-1", "-c:" },
		{ "--threads", "99", "--threads:" },
		{ "--port", "70000", "--port:" },
		{ "--timeout", "5", "--timeout:" },
		{ "--proposal", "rot13-md4", "--proposal:" },
		{ "--esp", "nonsense", "--esp:" },
		{ "--remote-ts", "10.1.0.0/99", "--remote-ts:" },
		{ "--local", "not-an-ip", "--local:" },
		{ "--log-level", "loud", "--log-level:" },
		{ "--bogus", "x", "unknown option" },
	};
	struct ikeload_opts o;
	char err[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(parse(&o, err, sizeof(err), BASE, t[i].a, t[i].b, NULL),
				 IKELOAD_PARSE_ERROR);
		ck_assert_msg(strstr(err, t[i].want), "case %zu: '%s'", i, err);
	}
	ck_assert_int_eq(parse(&o, err, sizeof(err), "--psk", "s", "--id-local", "a",
			       "--id-remote", "b", NULL), IKELOAD_PARSE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "--remote"));
	ck_assert_int_eq(parse(&o, err, sizeof(err), "--remote", "192.0.2.1", "--psk", "s",
			       NULL), IKELOAD_PARSE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "required"));
	ck_assert_int_eq(parse(&o, err, sizeof(err), BASE, "extra", NULL),
			 IKELOAD_PARSE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "unexpected"));
}
END_TEST

static Suite *ikeload_suite(void)
{
	Suite *s = suite_create("ikeload");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, percentile_nearest_rank_table);
	tcase_add_test(tc, percentile_of_1000_after_sort);
	tcase_add_test(tc, reasons_count_merge_and_overflow);
	tcase_add_test(tc, report_json_is_escaped_and_complete);
	tcase_add_test(tc, opts_defaults_and_full);
	tcase_add_test(tc, opts_errors_name_the_option);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ikeload_suite)
