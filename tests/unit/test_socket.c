#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <unistd.h>

#include "check_main.h"
#include "kernel/socket.h"

struct seen {
	int ike, esp;
	uint8_t last[64];
	size_t last_len;
	struct net_endpoints ep;
};

static void on_ike(void *ctx, const uint8_t *msg, size_t len, const struct net_endpoints *ep)
{
	struct seen *s = ctx;

	s->ike++;
	s->last_len = len < sizeof(s->last) ? len : sizeof(s->last);
	memcpy(s->last, msg, s->last_len);
	s->ep = *ep;
}

static void on_esp(void *ctx, const uint8_t *pkt, size_t len, const struct net_endpoints *ep)
{
	struct seen *s = ctx;

	(void)ep;
	s->esp++;
	s->last_len = len < sizeof(s->last) ? len : sizeof(s->last);
	memcpy(s->last, pkt, s->last_len);
}

static void send_to(uint16_t port, const void *p, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	ck_assert_int_eq(sendto(fd, p, len, 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)len);
	close(fd);
}

static void pump(struct event_base *base)
{
	for (int i = 0; i < 20; i++) {
		usleep(2000);
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
}

START_TEST(natt_socket_demultiplexes_by_marker)
{
	struct event_base *base = event_base_new();
	struct seen seen = { 0 };
	struct net_config cfg = { .on_ike = on_ike, .on_esp = on_esp, .ctx = &seen };
	struct net *n = net_open(base, &cfg);
	uint16_t ike_port, natt_port;
	const uint8_t ike_on_500[] = { 0xaa, 0xbb, 0xcc };
	const uint8_t ike_on_4500[] = { 0, 0, 0, 0, 0x11, 0x22 };
	const uint8_t keepalive[] = { 0xff };
	const uint8_t esp[] = { 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 0xee };
	const uint8_t runt[] = { 0, 0 };
	struct net_counters cs, *c = &cs;

	ck_assert_ptr_nonnull(n);
	ike_port = net_bound_port(n, false, AF_INET);
	natt_port = net_bound_port(n, true, AF_INET);
	ck_assert_uint_ne(ike_port, 0);
	ck_assert_uint_ne(natt_port, 0);

	send_to(ike_port, ike_on_500, sizeof(ike_on_500));
	pump(base);
	ck_assert_int_eq(seen.ike, 1);
	ck_assert_uint_eq(seen.last_len, 3);
	ck_assert_mem_eq(seen.last, ike_on_500, 3);
	ck_assert_uint_eq(sockaddr_port(&seen.ep.local), ike_port);
	ck_assert_uint_eq(((struct sockaddr_in *)&seen.ep.local)->sin_addr.s_addr,
			  htonl(INADDR_LOOPBACK));

	send_to(natt_port, ike_on_4500, sizeof(ike_on_4500));
	pump(base);
	ck_assert_int_eq(seen.ike, 2);
	ck_assert_uint_eq(seen.last_len, 2);	/* marker stripped */
	ck_assert_mem_eq(seen.last, ike_on_4500 + 4, 2);

	send_to(natt_port, keepalive, sizeof(keepalive));
	send_to(natt_port, runt, sizeof(runt));
	send_to(natt_port, esp, sizeof(esp));
	pump(base);
	ck_assert_int_eq(seen.ike, 2);
	ck_assert_int_eq(seen.esp, 1);
	ck_assert_mem_eq(seen.last, esp, sizeof(esp));
	net_get_counters(n, c);
	ck_assert_uint_eq(c->keepalive_in, 1);
	ck_assert_uint_eq(c->short_in, 1);
	ck_assert_uint_eq(c->esp_in, 1);
	ck_assert_uint_eq(c->ike_in, 2);
	net_close(n);
	event_base_free(base);
}
END_TEST

/* net_natt_move: the NAT-T socket is read on another loop (the datapath's
 * RX thread in cygnetd; here a second base run by hand), ESP reaches on_esp
 * there, IKE is queued and reaches on_ike only when the owner's loop runs;
 * the IKE port stays on the owner's loop; moving back restores it all. */
START_TEST(natt_socket_moves_to_another_loop)
{
	struct event_base *base = event_base_new(), *other = event_base_new();
	struct seen seen = { 0 };
	struct net_config cfg = { .on_ike = on_ike, .on_esp = on_esp, .ctx = &seen };
	struct net *n = net_open(base, &cfg);
	const uint8_t ike_on_4500[] = { 0, 0, 0, 0, 0x31, 0x32, 0x33 };
	const uint8_t esp[] = { 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 0xee };
	struct net_counters c;
	uint16_t natt;

	ck_assert_ptr_nonnull(n);
	natt = net_bound_port(n, true, AF_INET);
	ck_assert(net_natt_move(n, other));
	send_to(natt, esp, sizeof(esp));
	send_to(natt, ike_on_4500, sizeof(ike_on_4500));
	pump(base);	/* the owner's loop alone reads nothing on 4500 */
	ck_assert_int_eq(seen.esp, 0);
	ck_assert_int_eq(seen.ike, 0);
	pump(other);	/* ESP there; the IKE message is queued */
	ck_assert_int_eq(seen.esp, 1);
	ck_assert_int_eq(seen.ike, 0);
	pump(base);	/* and delivered on the owner's loop, marker stripped */
	ck_assert_int_eq(seen.ike, 1);
	ck_assert_uint_eq(seen.last_len, 3);
	ck_assert_mem_eq(seen.last, ike_on_4500 + 4, 3);
	ck_assert_uint_eq(sockaddr_port(&seen.ep.local), natt);
	send_to(net_bound_port(n, false, AF_INET), "\xaa", 1);
	pump(base);	/* port 500 never moved */
	ck_assert_int_eq(seen.ike, 2);
	net_get_counters(n, &c);
	ck_assert_uint_eq(c.esp_in, 1);
	ck_assert_uint_eq(c.ike_in, 2);

	ck_assert(net_natt_move(n, base));	/* back */
	send_to(natt, ike_on_4500, sizeof(ike_on_4500));
	pump(base);
	ck_assert_int_eq(seen.ike, 3);
	net_close(n);
	event_base_free(other);
	event_base_free(base);
}
END_TEST

START_TEST(send_ike_on_natt_adds_marker)
{
	struct event_base *base = event_base_new();
	struct seen a = { 0 }, b = { 0 };
	struct net_config ca = { .on_ike = on_ike, .on_esp = on_esp, .ctx = &a };
	struct net_config cb = { .on_ike = on_ike, .on_esp = on_esp, .ctx = &b };
	struct net *na = net_open(base, &ca), *nb = net_open(base, &cb);
	struct net_endpoints ep;
	const uint8_t msg[] = { 1, 2, 3, 4, 5 };

	ck_assert_ptr_nonnull(na);
	ck_assert_ptr_nonnull(nb);
	ck_assert(sockaddr_parse("127.0.0.1", net_bound_port(na, true, AF_INET), &ep.local));
	ck_assert(sockaddr_parse("127.0.0.1", net_bound_port(nb, true, AF_INET), &ep.remote));
	ck_assert(net_send_ike(na, &ep, msg, sizeof(msg)));
	pump(base);
	ck_assert_int_eq(b.ike, 1);
	ck_assert_int_eq(b.esp, 0);
	ck_assert_uint_eq(b.last_len, sizeof(msg));
	ck_assert_mem_eq(b.last, msg, sizeof(msg));
	ck_assert_uint_eq(sockaddr_port(&b.ep.remote), net_bound_port(na, true, AF_INET));
	net_close(na);
	net_close(nb);
	event_base_free(base);
}
END_TEST

/* Every datagram in arrival order: 'e' ESP, 'i' IKE, with its first bytes. */
struct order {
	char kind[32];
	size_t len[32];
	uint8_t tag[32];
	int n;
};

static void rec_esp(void *ctx, const uint8_t *p, size_t len, const struct net_endpoints *ep)
{
	struct order *o = ctx;

	(void)ep;
	if (o->n < 32) {
		o->kind[o->n] = 'e';
		o->len[o->n] = len;
		o->tag[o->n++] = p[4];
	}
}

static void rec_ike(void *ctx, const uint8_t *p, size_t len, const struct net_endpoints *ep)
{
	struct order *o = ctx;

	(void)ep;
	if (o->n < 32) {
		o->kind[o->n] = 'i';
		o->len[o->n] = len;
		o->tag[o->n++] = p[0];
	}
}

/* A run of ESP packets leaves in one UDP GSO send and arrives one by one,
 * in order, whether the kernel coalesced them (UDP_GRO) or not; a
 * coalesced receive that holds an IKE message between ESP packets is split
 * and each datagram demultiplexed on its own. */
START_TEST(esp_udp_gso_and_gro)
{
	struct event_base *base = event_base_new();
	struct order got = { 0 }, none = { 0 };
	struct net_config cb = { .on_ike = rec_ike, .on_esp = rec_esp, .ctx = &got };
	struct net_config ca = { .on_ike = rec_ike, .on_esp = rec_esp, .ctx = &none };
	struct net *a = net_open(base, &ca), *b = net_open(base, &cb);
	struct net_endpoints ep = { 0 };
	uint8_t pkts[6][100];
	struct iovec iov[6];
	uint16_t seg = 20;
	uint8_t three[60] = { 0 };
	struct sockaddr_in to = { .sin_family = AF_INET };
	union { struct cmsghdr align; uint8_t buf[CMSG_SPACE(sizeof(uint16_t))]; } ctl;
	struct iovec tiov = { three, sizeof(three) };
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &tiov,
			     .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	int fd;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ep.local.ss_family = AF_INET;
	ep.remote = ep.local;
	inet_pton(AF_INET, "127.0.0.1", &((struct sockaddr_in *)&ep.remote)->sin_addr);
	sockaddr_set_port(&ep.remote, net_bound_port(b, true, AF_INET));
	for (int i = 0; i < 6; i++) {
		memset(pkts[i], 0x40 + i, sizeof(pkts[i]));
		pkts[i][4] = (uint8_t)i;
		iov[i] = (struct iovec){ pkts[i], i < 5 ? 100 : 60 };
	}
	ck_assert(net_send_esp_udp_gso(a, &ep, iov, 6, 100));
	pump(base);
	ck_assert_int_eq(got.n, 6);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(got.kind[i], 'e');
		ck_assert_uint_eq(got.len[i], i < 5 ? 100 : 60);
		ck_assert_uint_eq(got.tag[i], i);
	}
	{
		struct net_counters counters_a;

		net_get_counters(a, &counters_a);
		ck_assert_uint_le(counters_a.esp_gso_out, 1);
	}
	ck_assert_int_eq(none.n, 0);

	/* ESP, IKE (non-ESP marker), ESP of one flow in one GSO send */
	memset(&got, 0, sizeof(got));
	for (int i = 0; i < 3; i++) {
		three[i * 20] = i == 1 ? 0 : 0x77;
		three[i * 20 + 4] = (uint8_t)(0x90 + i);
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	to.sin_port = htons(net_bound_port(b, true, AF_INET));
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	memset(&ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	ck_assert_int_eq(sendmsg(fd, &mh, 0), (ssize_t)sizeof(three));
	close(fd);
	pump(base);
	ck_assert_int_eq(got.n, 3);
	ck_assert_int_eq(got.kind[0], 'e');
	ck_assert_int_eq(got.kind[1], 'i');
	ck_assert_int_eq(got.kind[2], 'e');
	ck_assert_uint_eq(got.len[1], 16);	/* without the marker */
	ck_assert_uint_eq(got.tag[1], 0x91);
	ck_assert_uint_eq(got.tag[2], 0x92);
	net_close(a);
	net_close(b);
	event_base_free(base);
}
END_TEST

START_TEST(sockaddr_helpers)
{
	struct sockaddr_storage a, b;
	char buf[64];

	ck_assert(sockaddr_parse("192.0.2.1", 500, &a));
	ck_assert_str_eq(sockaddr_str(&a, buf, sizeof(buf)), "192.0.2.1[500]");
	ck_assert(sockaddr_parse("2001:db8::1", 4500, &b));
	ck_assert_str_eq(sockaddr_str(&b, buf, sizeof(buf)), "2001:db8::1[4500]");
	ck_assert(!sockaddr_equal(&a, &b, false));
	ck_assert(sockaddr_parse("192.0.2.1", 4500, &b));
	ck_assert(sockaddr_equal(&a, &b, false));
	ck_assert(!sockaddr_equal(&a, &b, true));
	ck_assert(!sockaddr_parse("192.0.2.300", 1, &a));
	ck_assert(!sockaddr_parse("gw.example", 1, &a));
}
END_TEST

static Suite *socket_suite(void)
{
	Suite *s = suite_create("socket");
	TCase *tc = tcase_create("udp");

	tcase_add_test(tc, natt_socket_demultiplexes_by_marker);
	tcase_add_test(tc, natt_socket_moves_to_another_loop);
	tcase_add_test(tc, send_ike_on_natt_adds_marker);
	tcase_add_test(tc, esp_udp_gso_and_gro);
	tcase_add_test(tc, sockaddr_helpers);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(socket_suite)
