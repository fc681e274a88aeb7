/* Typed values: durations, sizes, booleans, lists, addresses, ranges,
 * traffic selectors with [proto/port], secrets in 0x/0s forms. */
#include "check_main.h"
#include "config/value.h"

#include <arpa/inet.h>

static const struct {
	const char *in;
	bool ok;
	uint64_t ms;
} durations[] = {
	{ "0", true, 0 }, { "90", true, 90000 }, { "90s", true, 90000 },
	{ "30m", true, 1800000 }, { "4h", true, 14400000 }, { "1d", true, 86400000 },
	{ "250ms", true, 250 }, { "", false, 0 }, { "h", false, 0 },
	{ "4x", false, 0 }, { "-1s", false, 0 }, { "1.5h", false, 0 },
	{ "4 h", false, 0 }, { "4H", false, 0 },
	{ "99999999999999999999", false, 0 },		/* overflows u64 */
	{ "999999999999999999d", false, 0 },		/* overflows when scaled */
	{ "18446744073709551s", true, 18446744073709551000ull },
};

START_TEST(value_durations)
{
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		uint64_t ms = 12345;
		bool ok = value_parse_duration_ms(durations[i].in, &ms);

		ck_assert_msg(ok == durations[i].ok, "'%s'", durations[i].in);
		if (ok)
			ck_assert_msg(ms == durations[i].ms, "'%s' = %llu", durations[i].in,
				      (unsigned long long)ms);
	}
}
END_TEST

static const struct {
	const char *in;
	bool ok;
	uint64_t v;
} sizes[] = {
	{ "0", true, 0 }, { "1000", true, 1000 }, { "1K", true, 1024 },
	{ "1k", true, 1024 }, { "500M", true, 500ull << 20 }, { "4G", true, 4ull << 30 },
	{ "4T", false, 0 }, { "K", false, 0 }, { "1KB", false, 0 }, { "", false, 0 },
	{ "17179869184G", false, 0 },
};

START_TEST(value_sizes_and_numbers)
{
	uint64_t v;
	bool b;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		bool ok = value_parse_size(sizes[i].in, &v);

		ck_assert_msg(ok == sizes[i].ok, "'%s'", sizes[i].in);
		if (ok)
			ck_assert_msg(v == sizes[i].v, "'%s'", sizes[i].in);
	}
	ck_assert(value_parse_uint("65535", 65535, &v) && v == 65535);
	ck_assert(!value_parse_uint("65536", 65535, &v));
	ck_assert(!value_parse_uint("+1", 10, &v));
	ck_assert(!value_parse_uint("", 10, &v));
	ck_assert(value_parse_bool("yes", &b) && b);
	ck_assert(value_parse_bool("TRUE", &b) && b);
	ck_assert(value_parse_bool("enabled", &b) && b);
	ck_assert(value_parse_bool("no", &b) && !b);
	ck_assert(value_parse_bool("0", &b) && !b);
	ck_assert(!value_parse_bool("maybe", &b));
	ck_assert(!value_parse_bool("", &b));
}
END_TEST

START_TEST(value_lists)
{
	const char *in = "  a, b,c  d ,,\te, ";
	const char *want[] = { "a", "b", "c", "d", "e" };
	const size_t offs[] = { 2, 5, 7, 10, 15 };
	char item[CONFIG_ITEM_MAX], big[400];
	size_t pos = 0, off, n = 0;
	bool too_long;

	while (value_list_next(in, &pos, item, &off, &too_long)) {
		ck_assert_uint_lt(n, 5);
		ck_assert_str_eq(item, want[n]);
		ck_assert_uint_eq(off, offs[n]);
		ck_assert(!too_long);
		n++;
	}
	ck_assert_uint_eq(n, 5);
	pos = 0;
	ck_assert(!value_list_next("", &pos, item, &off, &too_long));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pos = 0;
	ck_assert(value_list_next(big, &pos, item, &off, &too_long));
	ck_assert(too_long);
	ck_assert_uint_eq(strlen(item), CONFIG_ITEM_MAX - 1);
}
END_TEST

/* Host specs: kind, family, formatted form (canonical) or error. */
static const struct {
	const char *in;
	int kind;		/* -1: error */
	const char *fmt;	/* canonical, or the error reason */
} hosts[] = {
	{ "%any", HOST_ANY, "%any" },
	{ "%any4", HOST_ANY4, "%any4" },
	{ "%any6", HOST_ANY6, "%any6" },
	{ "192.0.2.1", HOST_ADDR, "192.0.2.1" },
	{ "2001:db8::1", HOST_ADDR, "2001:db8::1" },
	{ "192.0.2.0/24", HOST_SUBNET, "192.0.2.0/24" },
	{ "192.0.2.77/24", HOST_SUBNET, "192.0.2.0/24" },	/* host bits cleared */
	{ "10.1.2.3/13", HOST_SUBNET, "10.0.0.0/13" },
	{ "0.0.0.0/0", HOST_SUBNET, "0.0.0.0/0" },
	{ "2001:db8:abcd:12::/56", HOST_SUBNET, "2001:db8:abcd::/56" },
	{ "::/0", HOST_SUBNET, "::/0" },
	{ "10.0.0.1-10.0.0.9", HOST_RANGE, "10.0.0.1-10.0.0.9" },
	{ "2001:db8::1-2001:db8::ff", HOST_RANGE, "2001:db8::1-2001:db8::ff" },
	{ "vpn.example.org", HOST_DNS, "vpn.example.org" },
	{ "vpn-gw1.example.org", HOST_DNS, "vpn-gw1.example.org" },
	{ "192.0.2.0/33", -1, "invalid prefix length" },
	{ "192.0.2.0/", -1, "invalid prefix length" },
	{ "192.0.2/24", -1, "invalid address in subnet" },
	{ "10.0.0.9-10.0.0.1", -1, "range start is above its end" },
	{ "10.0.0.1-2001:db8::1", -1, "range mixes IPv4 and IPv6" },
	{ "192.0.2.256", -1, "invalid IP address" },
	{ "2001:db8::g", -1, "invalid IP address" },
	{ "bad_name!", -1, "expected %any, an address, subnet, range or DNS name" },
	{ "-leading.example", -1, "expected %any, an address, subnet, range or DNS name" },
};

START_TEST(value_hosts)
{
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		struct config_host h;
		const char *why = NULL;
		char buf[128];
		bool ok = value_parse_host(hosts[i].in, &h, &why);

		if (hosts[i].kind < 0) {
			ck_assert_msg(!ok, "'%s' parsed", hosts[i].in);
			ck_assert_msg(why && strcmp(why, hosts[i].fmt) == 0, "'%s': %s",
				      hosts[i].in, why);
			continue;
		}
		ck_assert_msg(ok, "'%s': %s", hosts[i].in, why);
		ck_assert_int_eq(h.kind, hosts[i].kind);
		config_host_format(&h, buf, sizeof(buf));
		ck_assert_str_eq(buf, hosts[i].fmt);
		config_host_clear(&h);
	}
}
END_TEST

START_TEST(value_subnet_and_range_bounds)
{
	struct config_host h;
	const char *why;
	uint8_t lo[4] = { 10, 0, 0, 0 }, hi[4] = { 10, 7, 255, 255 };

	ck_assert(value_parse_net("10.1.2.3/13", &h, &why));
	ck_assert_int_eq(h.family, AF_INET);
	ck_assert_uint_eq(h.prefix, 13);
	ck_assert(memcmp(h.from, lo, 4) == 0);
	ck_assert(memcmp(h.to, hi, 4) == 0);
	ck_assert(value_parse_net("2001:db8::/127", &h, &why));
	ck_assert_uint_eq(h.to[15], 1);
	ck_assert_uint_eq(h.from[15], 0);
	/* pools and split_include take no %any or names */
	ck_assert(!value_parse_net("%any", &h, &why));
	ck_assert_str_eq(why, "expected an address, subnet (a/n) or range (a-b)");
	ck_assert(!value_parse_net("pool.example.org", &h, &why));
	ck_assert(value_parse_net("192.0.2.5", &h, &why));
	ck_assert_int_eq(h.kind, HOST_ADDR);
}
END_TEST

static const struct {
	const char *in;
	const char *fmt;	/* NULL: error */
	const char *why;
} ts[] = {
	{ "dynamic", "dynamic", NULL },
	{ "10.0.0.0/8", "10.0.0.0/8", NULL },
	{ "10.0.0.0/8[tcp/80]", "10.0.0.0/8[6/80]", NULL },
	{ "10.0.0.0/8[udp/1000-2000]", "10.0.0.0/8[17/1000-2000]", NULL },
	{ "dynamic[udp/1701]", "dynamic[17/1701]", NULL },
	{ "0.0.0.0/0[icmp]", "0.0.0.0/0[1]", NULL },
	{ "::/0[ipv6-icmp]", "::/0[58]", NULL },
	{ "192.0.2.1", "192.0.2.1", NULL },
	{ "192.0.2.1-192.0.2.9[sctp/%any]", "192.0.2.1-192.0.2.9[132]", NULL },
	{ "10.0.0.0/8[47]", "10.0.0.0/8[47]", NULL },
	{ "10.0.0.0/8[%any/%any]", "10.0.0.0/8", NULL },
	{ "10.0.0.0/8[tcp/80", NULL, "expected ']' closing [proto/port]" },
	{ "10.0.0.0/8[tcp/80]x", NULL, "expected ']' closing [proto/port]" },
	{ "10.0.0.0/8[foo/80]", NULL, "unknown protocol in [proto/port]" },
	{ "10.0.0.0/8[256]", NULL, "unknown protocol in [proto/port]" },
	{ "10.0.0.0/8[tcp/65536]", NULL, "invalid port or port range in [proto/port]" },
	{ "10.0.0.0/8[tcp/90-80]", NULL, "invalid port or port range in [proto/port]" },
	{ "10.0.0.0/8[/80]", NULL, "a port needs a protocol" },
	{ "%any", NULL, "expected an address, subnet (a/n) or range (a-b)" },
	{ "host.example.org", NULL, "expected an address, subnet (a/n) or range (a-b)" },
};

START_TEST(value_traffic_selectors)
{
	for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		struct config_ts t;
		const char *why = NULL;
		char buf[160];
		bool ok = value_parse_ts(ts[i].in, &t, &why);

		if (!ts[i].fmt) {
			ck_assert_msg(!ok, "'%s' parsed", ts[i].in);
			ck_assert_msg(why && strcmp(why, ts[i].why) == 0, "'%s': %s",
				      ts[i].in, why);
			continue;
		}
		ck_assert_msg(ok, "'%s': %s", ts[i].in, why);
		config_ts_format(&t, buf, sizeof(buf));
		ck_assert_msg(strcmp(buf, ts[i].fmt) == 0, "'%s' -> '%s'", ts[i].in, buf);
	}
}
END_TEST

START_TEST(value_ts_fields)
{
	struct config_ts t;
	const char *why;

	ck_assert(value_parse_ts("10.0.0.0/8[tcp/80]", &t, &why));
	ck_assert(!t.dynamic);
	ck_assert_uint_eq(t.proto, 6);
	ck_assert_uint_eq(t.port_from, 80);
	ck_assert_uint_eq(t.port_to, 80);
	ck_assert_int_eq(t.net.kind, HOST_SUBNET);
	ck_assert(value_parse_ts("dynamic", &t, &why));
	ck_assert(t.dynamic);
	ck_assert_uint_eq(t.proto, 0);
	ck_assert_uint_eq(t.port_from, 0);
	ck_assert_uint_eq(t.port_to, 65535);
}
END_TEST

static const struct {
	const char *in;
	const char *hex;	/* NULL: error */
	const char *why;
} secrets[] = {
	{ "0x00ff10", "00ff10", NULL },
	{ "0xDEADbeef", "deadbeef", NULL },
	{ "0sAAEC", "000102", NULL },
	{ "0sAAE=", "0001", NULL },
	{ "0sAA==", "00", NULL },
	{ "0sc2VjcmV0", "736563726574", NULL },
	{ "secret", "736563726574", NULL },
	{ "0", "30", NULL },
	{ "0x", NULL, "0x secret needs an even, non-zero number of hex digits" },
	{ "0xabc", NULL, "0x secret needs an even, non-zero number of hex digits" },
	{ "0xzz", NULL, "invalid hex digit in 0x secret" },
	{ "0s", NULL, "0s secret: base64 length must be a non-zero multiple of 4" },
	{ "0sAAE", NULL, "0s secret: base64 length must be a non-zero multiple of 4" },
	{ "0sA===", NULL, "invalid base64 in 0s secret" },
	{ "0sA*AA", NULL, "invalid base64 in 0s secret" },
	{ "0sA*A", NULL, "0s secret: base64 length must be a non-zero multiple of 4" },
	{ "0sA*A=", NULL, "invalid base64 in 0s secret" },
	{ "0sA=AA", NULL, "invalid base64 in 0s secret" },
	{ "0s====", NULL, "invalid base64 in 0s secret" },
	{ "", NULL, "empty secret" },
};

START_TEST(value_secrets)
{
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		struct chunk c;
		const char *why = NULL;
		uint8_t want[64];
		size_t n;
		bool ok = value_parse_secret(secrets[i].in, &c, &why);

		if (!secrets[i].hex) {
			ck_assert_msg(!ok, "'%s' parsed", secrets[i].in);
			ck_assert_msg(strcmp(why, secrets[i].why) == 0, "'%s': %s",
				      secrets[i].in, why);
			ck_assert_ptr_null(c.ptr);
			continue;
		}
		ck_assert_msg(ok, "'%s': %s", secrets[i].in, why);
		n = test_unhex(secrets[i].hex, want, sizeof(want));
		ck_assert_uint_eq(c.len, n);
		ck_assert(memcmp(c.ptr, want, n) == 0);
		chunk_free(&c);
	}
}
END_TEST

static Suite *config_value_suite(void)
{
	Suite *s = suite_create("config_value");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, value_durations);
	tcase_add_test(tc, value_sizes_and_numbers);
	tcase_add_test(tc, value_lists);
	tcase_add_test(tc, value_hosts);
	tcase_add_test(tc, value_subnet_and_range_bounds);
	tcase_add_test(tc, value_traffic_selectors);
	tcase_add_test(tc, value_ts_fields);
	tcase_add_test(tc, value_secrets);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(config_value_suite)
