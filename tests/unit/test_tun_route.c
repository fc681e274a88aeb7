/* TUN device and rtnetlink routes, each test in its own network namespace
 * (Check forks per test). Skipped without CAP_NET_ADMIN. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include "check_main.h"
#include "kernel/route.h"
#include "kernel/userspace/tun.h"

static bool enter_netns(void)
{
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "skipped: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return false;
	}
	return true;
}

static struct sockaddr_storage v4(const char *s, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	inet_pton(AF_INET, s, &sin->sin_addr);
	return ss;
}

static uint16_t ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Reads the next IPv4 packet from any queue (the host may also send IPv6
 * router solicitations), waiting at most 2 s per packet, 10 packets. */
static ssize_t tun_read_v4(struct tun *t, uint8_t *buf, size_t len)
{
	struct pollfd pfd[TUN_MAX_QUEUES];

	for (int tries = 0; tries < 10; tries++) {
		for (int i = 0; i < t->nqueues; i++)
			pfd[i] = (struct pollfd){ .fd = t->fds[i], .events = POLLIN };
		if (poll(pfd, (nfds_t)t->nqueues, 2000) <= 0)
			return -1;
		for (int i = 0; i < t->nqueues; i++) {
			ssize_t n;

			if (!(pfd[i].revents & POLLIN))
				continue;
			n = read(t->fds[i], buf, len);
			if (n > 0 && (buf[0] >> 4) == 4)
				return n;
		}
	}
	return -1;
}

START_TEST(routed_traffic_leaves_through_tun_and_returns)
{
	struct tun t;
	struct route_ctx *r;
	struct sockaddr_storage local = v4("10.9.0.1", 0), net = v4("10.10.0.0", 0);
	struct sockaddr_storage peer = v4("10.10.0.5", 7777), bound = v4("10.9.0.1", 6666);
	uint8_t pkt[2048];
	ssize_t n;
	int s;

	if (!enter_netns())
		return;
	ck_assert(tun_open(&t, "cygtest0", 2, 1400));
	ck_assert_int_eq(t.nqueues, 2);
	ck_assert_int_gt(t.ifindex, 0);
	r = route_open();
	ck_assert_ptr_nonnull(r);
	ck_assert(route_addr_add(r, t.ifindex, &local, 32));
	ck_assert(route_add(r, &net, 16, t.ifindex, &local));
	ck_assert(route_add(r, &net, 16, t.ifindex, &local));	/* replace is fine */

	/* out: a datagram to 10.10.0.5 comes out of the TUN device */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&bound, sizeof(struct sockaddr_in)), 0);
	ck_assert_int_eq(sendto(s, "ping", 4, 0, (struct sockaddr *)&peer,
				sizeof(struct sockaddr_in)), 4);
	n = tun_read_v4(&t, pkt, sizeof(pkt));
	ck_assert_int_eq(n, 20 + 8 + 4);
	ck_assert_uint_eq(pkt[0], 0x45);
	ck_assert_uint_eq(pkt[9], IPPROTO_UDP);
	ck_assert_mem_eq(pkt + 12, &((struct sockaddr_in *)&local)->sin_addr, 4);
	ck_assert_mem_eq(pkt + 16, &((struct sockaddr_in *)&peer)->sin_addr, 4);
	ck_assert_mem_eq(pkt + 28, "ping", 4);

	/* in: swap addresses and ports, write it back, the socket gets it */
	uint8_t tmp[4];
	memcpy(tmp, pkt + 12, 4);
	memcpy(pkt + 12, pkt + 16, 4);
	memcpy(pkt + 16, tmp, 4);
	memcpy(tmp, pkt + 20, 2);
	memcpy(pkt + 20, pkt + 22, 2);
	memcpy(pkt + 22, tmp, 2);
	memcpy(pkt + 28, "pong", 4);
	pkt[26] = pkt[27] = 0;	/* UDP checksum optional over IPv4 */
	pkt[10] = pkt[11] = 0;
	uint16_t c = ip_checksum(pkt, 20);
	pkt[10] = (uint8_t)(c >> 8);
	pkt[11] = (uint8_t)c;
	ck_assert_int_eq(write(t.fds[0], pkt, (size_t)n), n);
	struct pollfd pfd = { .fd = s, .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, 2000), 1);
	ck_assert_int_eq(recv(s, pkt, sizeof(pkt), 0), 4);
	ck_assert_mem_eq(pkt, "pong", 4);

	ck_assert(route_del(r, &net, 16, t.ifindex));
	ck_assert(!route_del(r, &net, 16, t.ifindex));	/* gone */
	ck_assert(route_addr_del(r, t.ifindex, &local, 32));
	close(s);
	route_close(r);
	tun_close(&t);
}
END_TEST

START_TEST(tun_rejects_bad_arguments)
{
	struct tun t;

	if (!enter_netns())
		return;
	ck_assert(!tun_open(&t, "a-name-that-is-far-too-long", 1, 1400));
	ck_assert(!tun_open(&t, "cygtest1", 0, 1400));
	ck_assert(!tun_open(&t, "cygtest1", TUN_MAX_QUEUES + 1, 1400));
}
END_TEST

static Suite *tun_suite(void)
{
	Suite *s = suite_create("tun_route");
	TCase *tc = tcase_create("netns");

	tcase_add_test(tc, routed_traffic_leaves_through_tun_and_returns);
	tcase_add_test(tc, tun_rejects_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(tun_suite)
