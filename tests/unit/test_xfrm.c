/* The XFRM backend, each test in a private network namespace (Check forks
 * per test). What this kernel lacks (ESP) is probed, not assumed. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netlink/netlink.h>
#include <netlink/xfrm/sa.h>
#include <sched.h>
#include <unistd.h>

#include "check_main.h"
#include "kernel/xfrm/xfrm.h"
#include "kernel/xfrm/xfrm_int.h"
#include "lib/prefix.h"

static bool enter_netns(void)
{
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "skipped: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return false;
	}
	return system("ip link set lo up") == 0;
}

static struct sockaddr_storage v4(const char *s)
{
	struct sockaddr_storage ss = { 0 };

	ss.ss_family = AF_INET;
	inet_pton(AF_INET, s, &((struct sockaddr_in *)&ss)->sin_addr);
	return ss;
}

/* Counted with iproute2: libnl's policy cache parser leaks addresses. */
static int count_policies(void)
{
	FILE *f = popen("ip xfrm policy | grep -c '^src'", "r");
	int n = -1;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &n), 1);
	pclose(f);
	return n;
}

static const struct {
	const char *from, *to;
	int count;
	const char *first;
	unsigned first_len;
} ranges[] = {
	{ "10.0.0.0", "10.0.0.255", 1, "10.0.0.0", 24 },
	{ "10.0.0.1", "10.0.0.6", 4, "10.0.0.1", 32 },
	{ "0.0.0.0", "255.255.255.255", 1, "0.0.0.0", 0 },
	{ "192.0.2.7", "192.0.2.7", 1, "192.0.2.7", 32 },
	{ "10.0.0.0", "10.0.1.255", 1, "10.0.0.0", 23 },
	{ "10.0.0.0", "10.0.2.0", 2, "10.0.0.0", 23 },
	{ "10.0.0.1", "10.0.255.254", -1, NULL, 0 },	/* 30 prefixes: refused */
	{ "10.0.0.9", "10.0.0.8", -1, NULL, 0 },
};

START_TEST(range_to_prefixes_is_exact)
{
	struct sockaddr_in a, b;
	struct prefix p[8];
	char buf[32];
	int n;

	inet_pton(AF_INET, ranges[_i].from, &a.sin_addr);
	inet_pton(AF_INET, ranges[_i].to, &b.sin_addr);
	n = prefix_cover_range(AF_INET, (uint8_t *)&a.sin_addr, (uint8_t *)&b.sin_addr, p, 8);
	ck_assert_int_eq(n, ranges[_i].count);
	if (n > 0) {
		inet_ntop(AF_INET, p[0].a, buf, sizeof(buf));
		ck_assert_str_eq(buf, ranges[_i].first);
		ck_assert_uint_eq(p[0].len, ranges[_i].first_len);
	}
}
END_TEST

START_TEST(range_to_prefixes_ipv6)
{
	struct in6_addr a, b;
	struct prefix p[8];

	inet_pton(AF_INET6, "2001:db8::", &a);
	inet_pton(AF_INET6, "2001:db8::ffff:ffff:ffff:ffff", &b);
	ck_assert_int_eq(prefix_cover_range(AF_INET6, a.s6_addr, b.s6_addr, p, 8), 1);
	ck_assert_uint_eq(p[0].len, 64);
	inet_pton(AF_INET6, "::", &a);
	inet_pton(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &b);
	ck_assert_int_eq(prefix_cover_range(AF_INET6, a.s6_addr, b.s6_addr, p, 8), 1);
	ck_assert_uint_eq(p[0].len, 0);
}
END_TEST

START_TEST(probe_reports_what_the_kernel_offers)
{
	struct xfrm_caps caps;

	if (!enter_netns())
		return;
	xfrm_probe(&caps);
	ck_assert(caps.netlink);
	if (!caps.esp)
		ck_assert_msg(strstr(caps.reason, "ESP") != NULL, "reason: %s", caps.reason);
	else
		ck_assert_str_eq(caps.reason, "");
	fprintf(stderr, "xfrm probe: esp=%d gcm=%d chacha=%d cbc=%d %s\n", caps.esp,
		caps.aes_gcm, caps.chacha20_poly1305, caps.aes_cbc_sha2, caps.reason);
}
END_TEST

START_TEST(spis_are_unique_and_in_the_kernel)
{
	struct kernel_ipsec *ki;
	struct sockaddr_storage peer = v4("127.0.0.2"), me = v4("127.0.0.1");
	uint32_t s1 = 0, s2 = 0;
	struct xfrm_be *x;
	struct nl_addr *dst;
	struct xfrmnl_sa *sa = NULL;

	if (!enter_netns())
		return;
	ki = xfrm_backend_create(NULL, NULL);
	ck_assert_ptr_nonnull(ki);
	ck_assert_int_eq(ki->ops->get_spi(ki->be, &peer, &me, 5, &s1), 0);
	ck_assert_int_eq(ki->ops->get_spi(ki->be, &peer, &me, 5, &s2), 0);
	ck_assert_uint_ne(s1, s2);
	ck_assert_uint_ge(s1, 0xc0000000);
	ck_assert_uint_le(s1, 0xcfffffff);
	/* the larval SA is found under the same SPI: byte order agrees */
	x = ki->be;
	dst = xfrm_nl_addr(&me, 0);
	ck_assert_int_eq(xfrmnl_sa_get_kernel(x->sk, dst, s1, IPPROTO_ESP, 0, 0, &sa), 0);
	ck_assert_uint_eq((uint32_t)xfrmnl_sa_get_spi(sa), s1);
	xfrmnl_sa_put(sa);
	nl_addr_put(dst);
	/* the reservation can be released, then it is gone */
	struct kernel_sa_id id = { .spi = s1, .dir = KERNEL_DIR_IN, .dst = me };

	ck_assert_int_eq(ki->ops->del_sa(ki->be, &id), 0);
	ck_assert_int_eq(ki->ops->del_sa(ki->be, &id), -ENOENT);
	ki->ops->destroy(ki->be);
}
END_TEST

static struct kernel_policy policy(const char *sf, const char *st, const char *df,
				   const char *dt, enum kernel_dir dir)
{
	struct kernel_policy p = { .dir = dir, .action = KERNEL_POLICY_PROTECT, .reqid = 9,
				   .mode = KERNEL_MODE_TUNNEL };

	p.sel.family = AF_INET;
	inet_pton(AF_INET, sf, p.sel.src_from);
	inet_pton(AF_INET, st, p.sel.src_to);
	inet_pton(AF_INET, df, p.sel.dst_from);
	inet_pton(AF_INET, dt, p.sel.dst_to);
	p.sel.sport_to = p.sel.dport_to = 0xffff;
	p.tun_src = v4("192.0.2.1");
	p.tun_dst = v4("192.0.2.2");
	return p;
}

START_TEST(policies_install_as_prefixes_and_go_away)
{
	struct kernel_ipsec *ki;
	struct kernel_policy a = policy("10.0.0.0", "10.0.0.255", "10.1.0.0", "10.1.0.255",
					KERNEL_DIR_OUT);
	struct kernel_policy b = policy("10.0.0.1", "10.0.0.6", "10.1.0.0", "10.1.0.255",
					KERNEL_DIR_IN);
	struct kernel_policy odd = policy("10.0.0.1", "10.0.255.254", "10.1.0.0",
					  "10.1.0.255", KERNEL_DIR_OUT);
	struct kernel_policy ports = a;

	if (!enter_netns())
		return;
	ki = xfrm_backend_create(NULL, NULL);
	ck_assert_ptr_nonnull(ki);
	ck_assert_int_eq(ki->ops->add_policy(ki->be, &a), 0);
	ck_assert_int_eq(count_policies(), 1);
	ck_assert_int_eq(ki->ops->add_policy(ki->be, &b), 0);
	ck_assert_int_eq(count_policies(), 5);
	ck_assert_int_eq(ki->ops->add_policy(ki->be, &odd), -ENOTSUP);
	ports.sel.proto = IPPROTO_TCP;
	ports.sel.dport_from = 80;
	ports.sel.dport_to = 90;
	ck_assert_int_eq(ki->ops->add_policy(ki->be, &ports), -ENOTSUP);
	ports.sel.dport_to = 80;
	ck_assert_int_eq(ki->ops->add_policy(ki->be, &ports), 0);
	ck_assert_int_eq(count_policies(), 6);
	ck_assert_int_eq(ki->ops->del_policy(ki->be, &b), 0);
	ck_assert_int_eq(ki->ops->del_policy(ki->be, &a), 0);
	ck_assert_int_eq(ki->ops->del_policy(ki->be, &ports), 0);
	ck_assert_int_eq(count_policies(), 0);
	ck_assert_int_ne(ki->ops->del_policy(ki->be, &a), 0);
	ki->ops->destroy(ki->be);
}
END_TEST

struct acquired {
	int count;
	uint32_t reqid;
	struct kernel_selector sel;
};

static void on_acquire(void *ctx, uint32_t reqid, const struct kernel_selector *sel)
{
	struct acquired *a = ctx;

	a->count++;
	a->reqid = reqid;
	a->sel = *sel;
}

START_TEST(acquire_reaches_the_callback)
{
	struct event_base *base;
	struct acquired got = { 0 };
	struct kernel_ipsec_events ev = { .acquire = on_acquire, .ctx = &got };
	struct kernel_ipsec *ki;
	struct kernel_policy p = policy("192.0.2.1", "192.0.2.1", "192.0.2.2", "192.0.2.2",
					KERNEL_DIR_OUT);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9999) };
	int s;

	if (!enter_netns())
		return;
	/* loopback traffic never consults output policies: use a veth */
	ck_assert_int_eq(system("ip link add xv0 type veth peer name xv1 && ip link set xv0 up && "
				"ip link set xv1 up && ip addr add 192.0.2.1/24 dev xv0"), 0);
	base = event_base_new();
	ki = xfrm_backend_create(base, &ev);
	ck_assert_ptr_nonnull(ki);
	p.reqid = 42;

	ck_assert_int_eq(ki->ops->add_policy(ki->be, &p), 0);
	inet_pton(AF_INET, "192.0.2.2", &to.sin_addr);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof(to));	/* held: no SA */
	for (int i = 0; i < 100 && !got.count; i++) {
		usleep(10000);
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	ck_assert_int_ge(got.count, 1);
	ck_assert_uint_eq(got.reqid, 42);
	ck_assert_uint_eq(got.sel.proto, IPPROTO_UDP);
	ck_assert_uint_eq(got.sel.dport_from, 9999);
	close(s);
	ki->ops->destroy(ki->be);
	event_base_free(base);
}
END_TEST

static Suite *xfrm_suite(void)
{
	Suite *s = suite_create("xfrm");
	TCase *pure = tcase_create("prefixes"), *ns = tcase_create("netns");

	tcase_add_loop_test(pure, range_to_prefixes_is_exact, 0, sizeof(ranges) / sizeof(ranges[0]));
	tcase_add_test(pure, range_to_prefixes_ipv6);
	tcase_add_test(ns, probe_reports_what_the_kernel_offers);
	tcase_add_test(ns, spis_are_unique_and_in_the_kernel);
	tcase_add_test(ns, policies_install_as_prefixes_and_go_away);
	tcase_add_test(ns, acquire_reaches_the_callback);
	suite_add_tcase(s, pure);
	suite_add_tcase(s, ns);
	return s;
}

CHECK_MAIN(xfrm_suite)
