#include <arpa/inet.h>
#include <netinet/in.h>

#include "check_main.h"
#include "pool/pool.h"

static const char *ip(const struct sockaddr_storage *ss, char *buf)
{
	if (ss->ss_family == AF_INET)
		return inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf, 64);
	return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, buf, 64);
}

static struct sockaddr_storage ss_of(const char *s)
{
	struct sockaddr_storage ss = { 0 };

	if (strchr(s, ':')) {
		ss.ss_family = AF_INET6;
		inet_pton(AF_INET6, s, &((struct sockaddr_in6 *)&ss)->sin6_addr);
	} else {
		ss.ss_family = AF_INET;
		inet_pton(AF_INET, s, &((struct sockaddr_in *)&ss)->sin_addr);
	}
	return ss;
}

static const struct {
	const char *addrs;
	uint32_t size;
	const char *first;
	const char *base;	/* get-pools, as charon: a CIDR's network address */
} good[] = {
	{ "10.3.0.0/24", 254, "10.3.0.1", "10.3.0.0" },
	{ "10.3.0.77/24", 254, "10.3.0.1", "10.3.0.0" },
	{ "10.3.0.0/30", 2, "10.3.0.1", "10.3.0.0" },
	{ "10.3.0.8/31", 2, "10.3.0.8", "10.3.0.8" },
	{ "10.3.0.9/32", 1, "10.3.0.9", "10.3.0.9" },
	{ "10.3.0.10-10.3.0.20", 11, "10.3.0.10", "10.3.0.10" },
	{ "10.3.255.250-10.4.0.5", 12, "10.3.255.250", "10.3.255.250" },
	{ "192.0.2.7", 1, "192.0.2.7", "192.0.2.7" },
	{ "2001:db8::/120", 254, "2001:db8::1", "2001:db8::" },
	{ "2001:db8::1:0-2001:db8::1:ff", 256, "2001:db8::1:0", "2001:db8::1:0" },
	{ "2001:db8::/64", POOL_MAX_SIZE, "2001:db8::1", "2001:db8::" },
	{ "10.0.0.0/0", POOL_MAX_SIZE, "0.0.0.1", "0.0.0.0" },
};

START_TEST(pool_parses_ranges)
{
	char err[128], buf[64];
	struct pool *p = pool_create("p", good[_i].addrs, err, sizeof(err));
	struct sockaddr_storage a;

	ck_assert_msg(p != NULL, "%s: %s", good[_i].addrs, err);
	ck_assert_uint_eq(pool_size(p), good[_i].size);
	ck_assert_str_eq(ip(pool_base(p), buf), good[_i].base);
	ck_assert(pool_acquire(p, "alice", NULL, &a));
	ck_assert_str_eq(ip(&a, buf), good[_i].first);
	pool_free(p);
}
END_TEST

static const char *const bad[] = {
	"10.3.0.0/33", "10.3.0.0/", "10.3.0.0/x", "10.3.0.20-10.3.0.10", "10.3.0.1-2001:db8::1",
	"not-an-address", "", "10.3.0.256", "2001:db8::/129",
};

START_TEST(pool_rejects_bad_ranges)
{
	char err[128] = "";

	ck_assert_ptr_null(pool_create("p", bad[_i], err, sizeof(err)));
	ck_assert_msg(err[0] != '\0', "no reason for '%s'", bad[_i]);
}
END_TEST

START_TEST(pool_same_identity_gets_same_address_back)
{
	char err[128], b1[64], b2[64];
	struct pool *p = pool_create("rw", "10.3.0.0/29", err, sizeof(err));
	struct sockaddr_storage a, b, again;

	ck_assert_ptr_nonnull(p);
	ck_assert(pool_acquire(p, "alice", NULL, &a));
	ck_assert(pool_acquire(p, "bob", NULL, &b));
	ck_assert_str_ne(ip(&a, b1), ip(&b, b2));
	/* still online: the same address (overlapping reauth) */
	ck_assert(pool_acquire(p, "alice", NULL, &again));
	ck_assert_str_eq(ip(&again, b1), ip(&a, b2));
	ck_assert_uint_eq(pool_online(p), 2);
	ck_assert(pool_release(p, &a));
	ck_assert(!pool_release(p, &a));	/* twice is an error */
	ck_assert_uint_eq(pool_online(p), 1);
	ck_assert_uint_eq(pool_offline(p), 1);
	/* fresh addresses go out before alice's old one is reused */
	for (int i = 0; i < 4; i++) {
		char who[16];
		struct sockaddr_storage x;

		snprintf(who, sizeof(who), "u%d", i);
		ck_assert(pool_acquire(p, who, NULL, &x));
		ck_assert_str_ne(ip(&x, b1), ip(&a, b2));
	}
	ck_assert(pool_acquire(p, "alice", NULL, &again));
	ck_assert_str_eq(ip(&again, b1), ip(&a, b2));
	pool_free(p);
}
END_TEST

START_TEST(pool_exhaustion_and_reuse_of_oldest)
{
	char err[128], b1[64];
	struct pool *p = pool_create("small", "10.3.0.1-10.3.0.2", err, sizeof(err));
	struct sockaddr_storage a, b, c;

	ck_assert(pool_acquire(p, "a", NULL, &a));
	ck_assert(pool_acquire(p, "b", NULL, &b));
	ck_assert(!pool_acquire(p, "c", NULL, &c));
	ck_assert(pool_release(p, &b));
	ck_assert(pool_release(p, &a));
	/* b was released first: c gets b's address, b's claim is gone */
	ck_assert(pool_acquire(p, "c", NULL, &c));
	ck_assert_str_eq(ip(&c, b1), "10.3.0.2");
	ck_assert(pool_acquire(p, "b", NULL, &b));
	ck_assert_str_eq(ip(&b, b1), "10.3.0.1");
	ck_assert_uint_eq(pool_online(p), 2);
	ck_assert_uint_eq(pool_offline(p), 0);
	/* a lost its claim */
	ck_assert(!pool_acquire(p, "a", NULL, &a));
	pool_free(p);
}
END_TEST

START_TEST(pool_honours_requested_released_address)
{
	char err[128], b1[64];
	struct pool *p = pool_create("r", "10.3.0.0/28", err, sizeof(err));
	struct sockaddr_storage a, b, req = ss_of("10.3.0.1"), out;

	ck_assert(pool_acquire(p, "a", NULL, &a));		/* .1 */
	ck_assert(pool_acquire(p, "a2", NULL, &b));		/* .2 */
	ck_assert(pool_acquire(p, "b", &req, &out));		/* .1 is online: no */
	ck_assert_str_eq(ip(&out, b1), "10.3.0.3");
	ck_assert(pool_release(p, &b));
	ck_assert(pool_acquire(p, "a2", NULL, &b));
	ck_assert_str_eq(ip(&b, b1), "10.3.0.2");
	req = ss_of("198.51.100.1");
	ck_assert(pool_acquire(p, "c", &req, &out));		/* outside: ignored */
	ck_assert(pool_contains(p, &out));
	ck_assert(!pool_contains(p, &req));
	pool_free(p);
}
END_TEST

struct count { int online, offline; };

static void count_lease(void *ctx, const struct pool_lease_info *l)
{
	struct count *c = ctx;

	ck_assert_ptr_nonnull(l->identity);
	if (l->state == LEASE_ONLINE)
		c->online++;
	else
		c->offline++;
}

START_TEST(pool_lists_leases_and_dns)
{
	char err[128];
	struct pool *p = pool_create("l", "2001:db8::/124", err, sizeof(err));
	struct sockaddr_storage a, b;
	const struct sockaddr_storage *dns;
	struct count c = { 0 };

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(pool_family(p), AF_INET6);
	ck_assert(pool_add_dns(p, "2001:db8::53", err, sizeof(err)));
	ck_assert(pool_add_dns(p, "192.0.2.53", err, sizeof(err)));
	ck_assert(!pool_add_dns(p, "dns.example", err, sizeof(err)));
	ck_assert_uint_eq(pool_dns(p, &dns), 2);
	ck_assert_int_eq(dns[1].ss_family, AF_INET);
	ck_assert(pool_acquire(p, "x", NULL, &a));
	ck_assert(pool_acquire(p, "y", NULL, &b));
	ck_assert(pool_release(p, &a));
	pool_foreach_lease(p, count_lease, &c);
	ck_assert_int_eq(c.online, 1);
	ck_assert_int_eq(c.offline, 1);
	pool_free(p);
}
END_TEST

START_TEST(pool_many_identities_rehash)
{
	char err[128], who[32];
	struct pool *p = pool_create("big", "10.8.0.0/16", err, sizeof(err));
	struct sockaddr_storage a, again;

	for (int i = 0; i < 5000; i++) {
		snprintf(who, sizeof(who), "user%d@example", i);
		ck_assert(pool_acquire(p, who, NULL, &a));
	}
	ck_assert_uint_eq(pool_online(p), 5000);
	snprintf(who, sizeof(who), "user%d@example", 1234);
	ck_assert(pool_acquire(p, who, NULL, &again));
	ck_assert_uint_eq(ntohl(((struct sockaddr_in *)&again)->sin_addr.s_addr) & 0xffff, 1235);
	pool_free(p);
}
END_TEST

static Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("memory");

	tcase_add_loop_test(tc, pool_parses_ranges, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, pool_rejects_bad_ranges, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, pool_same_identity_gets_same_address_back);
	tcase_add_test(tc, pool_exhaustion_and_reuse_of_oldest);
	tcase_add_test(tc, pool_honours_requested_released_address);
	tcase_add_test(tc, pool_lists_leases_and_dns);
	tcase_add_test(tc, pool_many_identities_rehash);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(pool_suite)
