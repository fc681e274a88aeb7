/* daemon { datapath datapath_threads tun_name tun_mtu cookie_threshold
 * half_open_limit peer_half_open_limit key_stock }: defaults, every value, and errors that name the
 * line and what was expected. */
#include "check_main.h"
#include "config/config.h"

static bool try_load(const char *text, struct config **cfg, struct config_err *err)
{
	*cfg = NULL;
	return config_load_buffer("d.conf", text, strlen(text), NULL, cfg, err);
}

/* config_dump shows the effective value: want is one whole line. */
static void assert_dumped(const struct config *cfg, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	config_dump(cfg, f);
	fclose(f);
	ck_assert_msg(strstr(buf, want), "'%s' not in:\n%s", want, buf);
	free(buf);
}

START_TEST(defaults_without_section)
{
	struct config *cfg;
	struct config_err err;

	ck_assert_msg(try_load("pools { p { addrs = 10.3.0.0/28 } }\n", &cfg, &err), "%s",
		      err.msg);
	ck_assert_int_eq(cfg->daemon.datapath, CONFIG_DATAPATH_AUTO);
	ck_assert_ptr_null(cfg->daemon.tun_name);
	ck_assert_uint_eq(cfg->daemon.tun_mtu, 1400);
	ck_assert_uint_eq(cfg->daemon.cookie_threshold, 30);
	ck_assert_uint_eq(cfg->daemon.half_open_limit, 10000);
	ck_assert_uint_eq(cfg->daemon.peer_half_open_limit, 32);
	ck_assert_uint_eq(cfg->daemon.key_stock, 32);
	ck_assert_int_eq(cfg->daemon.datapath_threads, CONFIG_THREADS_AUTO);
	config_free(cfg);
}
END_TEST

/* the responder limits, alone or with the datapath keys; 0 cookies = always */
static const struct {
	const char *text;
	unsigned cookie, half_open, peer;
} limits[] = {
	{ "daemon {\n  cookie_threshold = 5\n}\n", 5, 10000, 32 },
	{ "daemon {\n  cookie_threshold = 0\n}\n", 0, 10000, 32 },
	{ "daemon {\n  half_open_limit = 1\n  peer_half_open_limit = 1\n}\n", 30, 1, 1 },
	{ "daemon {\n  datapath = userspace\n  cookie_threshold = 8\n"
	  "  half_open_limit = 200\n  peer_half_open_limit = 4\n}\n", 8, 200, 4 },
	{ "daemon {\n  cookie_threshold = 4294967295\n  half_open_limit = 4294967295\n"
	  "  peer_half_open_limit = 4294967295\n}\n", 4294967295u, 4294967295u, 4294967295u },
};

START_TEST(responder_limits)
{
	struct config *cfg;
	struct config_err err;

	ck_assert_msg(try_load(limits[_i].text, &cfg, &err), "%s", err.msg);
	ck_assert_uint_eq(cfg->daemon.cookie_threshold, limits[_i].cookie);
	ck_assert_uint_eq(cfg->daemon.half_open_limit, limits[_i].half_open);
	ck_assert_uint_eq(cfg->daemon.peer_half_open_limit, limits[_i].peer);
	/* the dump shows the effective values */
	{
		char want[64];

		snprintf(want, sizeof(want), "  cookie_threshold = %u\n", limits[_i].cookie);
		assert_dumped(cfg, want);
		snprintf(want, sizeof(want), "  half_open_limit = %u\n", limits[_i].half_open);
		assert_dumped(cfg, want);
		snprintf(want, sizeof(want), "  peer_half_open_limit = %u\n", limits[_i].peer);
		assert_dumped(cfg, want);
	}
	config_free(cfg);
}
END_TEST

static const struct {
	const char *value;
	enum config_datapath want;
} datapaths[] = {
	{ "auto", CONFIG_DATAPATH_AUTO },
	{ "userspace", CONFIG_DATAPATH_USERSPACE },
	{ "xfrm", CONFIG_DATAPATH_XFRM },
};

/* with each datapath one of the thread settings, dumped back */
static const char *const thread_values[] = { "0", "1", "2", "auto" };

START_TEST(every_value)
{
	char text[256], want[64];
	struct config *cfg;
	struct config_err err;

	snprintf(text, sizeof(text),
		 "daemon {\n  datapath = %s\n  datapath_threads = %s\n  tun_name = vpn7\n"
		 "  tun_mtu = 1380\n}\n", datapaths[_i % 3].value, thread_values[_i]);
	ck_assert_msg(try_load(text, &cfg, &err), "%s", err.msg);
	ck_assert_int_eq(cfg->daemon.datapath, datapaths[_i % 3].want);
	ck_assert_int_eq(cfg->daemon.datapath_threads, _i < 3 ? _i : CONFIG_THREADS_AUTO);
	ck_assert_str_eq(cfg->daemon.tun_name, "vpn7");
	ck_assert_uint_eq(cfg->daemon.tun_mtu, 1380);
	snprintf(want, sizeof(want), "  datapath_threads = %s\n", thread_values[_i]);
	assert_dumped(cfg, want);
	config_free(cfg);
}
END_TEST

static const struct {
	const char *text;
	unsigned line;
	const char *what;	/* substring of the message */
} bad[] = {
	{ "daemon {\n  datapath = kernel\n}\n", 2, "auto, userspace, xfrm" },
	{ "daemon {\n  tun_mtu = 100\n}\n", 2, "tun_mtu" },
	{ "daemon {\n  tun_mtu = 70000\n}\n", 2, "tun_mtu" },
	{ "daemon {\n  tun_name = a-very-long-interface-name\n}\n", 2, "tun_name" },
	{ "daemon {\n  tun_name = \"a/b\"\n}\n", 2, "tun_name" },
	{ "daemon {\n\n  threads = 4\n}\n", 3, "threads" },
	{ "daemon {\n  datapath_threads = 3\n}\n", 2, "auto, 0, 1, 2" },
	{ "daemon {\n  datapath_threads = many\n}\n", 2, "datapath_threads" },
	{ "daemon {\n  cookie_threshold = -1\n}\n", 2, "'cookie_threshold': expected a number from 0 to 4294967295" },
	{ "daemon {\n  cookie_threshold = 4294967296\n}\n", 2, "cookie_threshold" },
	{ "daemon {\n  cookie_threshold = many\n}\n", 2, "cookie_threshold" },
	{ "daemon {\n  tun_mtu = 1400\n  half_open_limit = 0\n}\n", 3,
	  "'half_open_limit': expected a number from 1 to 4294967295" },
	{ "daemon {\n  peer_half_open_limit = 0\n}\n", 2, "peer_half_open_limit" },
	{ "daemon {\n  peer_half_open_limit = 3x\n}\n", 2, "peer_half_open_limit" },
	{ "daemon {\n  key_stock = 1025\n}\n", 2, "'key_stock': expected a number from 0 to 1024" },
	{ "daemon {\n  key_stock = -3\n}\n", 2, "key_stock" },
};

/* key pairs made ahead: 0 switches the stock off, 1024 at most */
static const unsigned stocks[] = { 0, 1, 64, 1024 };

START_TEST(key_stock_values)
{
	char text[64], want[64];
	struct config *cfg;
	struct config_err err;

	snprintf(text, sizeof(text), "daemon {\n  key_stock = %u\n}\n", stocks[_i]);
	ck_assert_msg(try_load(text, &cfg, &err), "%s", err.msg);
	ck_assert_uint_eq(cfg->daemon.key_stock, stocks[_i]);
	snprintf(want, sizeof(want), "  key_stock = %u\n", stocks[_i]);
	assert_dumped(cfg, want);
	config_free(cfg);
}
END_TEST

START_TEST(errors_name_the_line)
{
	struct config *cfg;
	struct config_err err;

	ck_assert(!try_load(bad[_i].text, &cfg, &err));
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(err.line, bad[_i].line);
	ck_assert_msg(strstr(err.msg, bad[_i].what), "'%s' lacks '%s'", err.msg, bad[_i].what);
}
END_TEST

static Suite *config_daemon_suite(void)
{
	Suite *s = suite_create("config_daemon");
	TCase *tc = tcase_create("daemon");

	tcase_add_test(tc, defaults_without_section);
	tcase_add_loop_test(tc, every_value, 0, sizeof(thread_values) / sizeof(thread_values[0]));
	tcase_add_loop_test(tc, responder_limits, 0, sizeof(limits) / sizeof(limits[0]));
	tcase_add_loop_test(tc, key_stock_values, 0, sizeof(stocks) / sizeof(stocks[0]));
	tcase_add_loop_test(tc, errors_name_the_line, 0, sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(config_daemon_suite)
