/* The userspace datapath end to end in a private network namespace: a
 * fake peer (a UDP socket plus its own ESP SAs with the same keys) talks to
 * the backend through the TUN device and the NAT-T socket. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include "check_main.h"
#include "kernel/route.h"
#include "kernel/socket.h"
#include "kernel/userspace/esp.h"
#include "kernel/userspace/us_ipsec.h"
#include "kernel/userspace/userspace.h"

static const uint8_t KEY[36] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
				 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x01, 0x02, 0x03, 0x04,
				 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
				 0x0f, 0x10, 0xde, 0xad, 0xbe, 0xef };

struct fixture {
	struct event_base *base;
	struct net *net;
	struct kernel_ipsec *ki;
	int peer;			/* the peer's UDP "4500" socket */
	uint16_t peer_port, natt_port;
	struct sockaddr_storage lo;
	struct esp_sa *peer_out, *peer_in;	/* the peer's view of both SAs */
	int acquires, unknown_spis, expires, expire_queries;
	uint32_t acquired_reqid, unknown_spi;
};

static struct fixture fx;

static void on_esp(void *ctx, const uint8_t *pkt, size_t len, const struct net_endpoints *ep)
{
	(void)ctx;
	userspace_input_udp(fx.ki, pkt, len, ep);
}

static void on_ike(void *ctx, const uint8_t *m, size_t len, const struct net_endpoints *ep)
{
	(void)ctx; (void)m; (void)len; (void)ep;
}

static void on_acquire(void *ctx, uint32_t reqid, const struct kernel_selector *sel)
{
	(void)ctx; (void)sel;
	fx.acquires++;	/* the core raises one per packet; the IKE core dedupes */
	fx.acquired_reqid = reqid;
}

/* Like the daemon, the handler calls an op: it must not be called while an
 * op holds the backend's lock (that would deadlock with the TX thread). */
static void on_expire(void *ctx, const struct kernel_sa_id *id, uint32_t child_id, bool hard)
{
	struct kernel_sa_stats st;

	(void)ctx; (void)child_id; (void)hard;
	fx.expires++;
	if (fx.ki->ops->query_sa(fx.ki->be, id, &st) == 0)
		fx.expire_queries++;
}

static void on_unknown_spi(void *ctx, uint32_t spi, const struct sockaddr *peer)
{
	(void)ctx; (void)peer;
	fx.unknown_spis++;
	fx.unknown_spi = spi;
}

static struct sockaddr_storage v4(const char *s, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };

	ss.ss_family = AF_INET;
	((struct sockaddr_in *)&ss)->sin_port = htons(port);
	inet_pton(AF_INET, s, &((struct sockaddr_in *)&ss)->sin_addr);
	return ss;
}

static struct kernel_sa sa_desc(uint32_t spi, enum kernel_dir dir, uint32_t reqid,
				uint16_t sport, uint16_t dport)
{
	struct kernel_sa k = {
		.spi = spi, .dir = dir, .protocol = PROTO_ESP, .mode = KERNEL_MODE_TUNNEL,
		.encap = { .enabled = true, .sport = sport, .dport = dport },
		.encr_alg = ENCR_AES_GCM_16, .encr_key = KEY, .encr_key_len = sizeof(KEY),
		.integ_alg = AUTH_NONE, .reqid = reqid,
	};

	k.src = fx.lo;
	k.dst = fx.lo;
	return k;
}

static struct kernel_policy pol(const char *sf, const char *st, const char *df, const char *dt,
				enum kernel_dir dir, uint32_t reqid)
{
	struct kernel_policy p = { .dir = dir, .action = KERNEL_POLICY_PROTECT, .reqid = reqid,
				   .mode = KERNEL_MODE_TUNNEL };

	p.sel.family = AF_INET;
	inet_pton(AF_INET, sf, p.sel.src_from);
	inet_pton(AF_INET, st, p.sel.src_to);
	inet_pton(AF_INET, df, p.sel.dst_from);
	inet_pton(AF_INET, dt, p.sel.dst_to);
	p.sel.sport_to = p.sel.dport_to = 0xffff;
	return p;
}

static void pump(int rounds)
{
	for (int i = 0; i < rounds; i++) {
		usleep(2000);
		event_base_loop(fx.base, EVLOOP_NONBLOCK);
	}
}

static bool no_offload;	/* the next setup_for() opens a plain TUN */

/* Every test runs three times (loop index i): everything on the test's
 * loop, the outbound path on the TX thread, and both paths on threads (the
 * NAT-T socket then read on the RX thread). */
static bool setup_for(int i)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t sl = sizeof(a);
	struct net_config nc = { .on_ike = on_ike, .on_esp = on_esp };
	struct kernel_ipsec_events ev = { .acquire = on_acquire, .expire = on_expire,
					  .unknown_spi = on_unknown_spi };
	struct userspace_config uc = { .tun_name = "cygus0", .mtu = 1400, .raw_esp = true,
				       .no_offload = no_offload, .tx_thread = i >= 1,
				       .rx_thread = i >= 2 };
	struct sockaddr_storage tun_addr = v4("10.1.0.1", 0);
	struct route_ctx *r;
	struct kernel_sa k;
	const char *why;
	int err;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "skipped: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return false;
	}
	/* no IPv6 router solicitations on the TUN: counters stay exact */
	ck_assert_int_eq(system("ip link set lo up && sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
				"net.ipv6.conf.default.disable_ipv6=1"), 0);
	memset(&fx, 0, sizeof(fx));
	fx.lo = v4("127.0.0.1", 0);
	fx.base = event_base_new();
	fx.net = net_open(fx.base, &nc);
	ck_assert_ptr_nonnull(fx.net);
	fx.natt_port = net_bound_port(fx.net, true, AF_INET);
	fx.ki = userspace_backend_create(fx.base, fx.net, &uc, &ev);
	ck_assert_ptr_nonnull(fx.ki);

	fx.peer = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fx.peer, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fx.peer, (struct sockaddr *)&a, &sl);
	fx.peer_port = ntohs(a.sin_port);

	/* ours: in 0x1000 (peer -> us), out 0x2000 (us -> peer) */
	k = sa_desc(0x1000, KERNEL_DIR_IN, 1, fx.peer_port, fx.natt_port);
	ck_assert_int_eq(fx.ki->ops->add_sa(fx.ki->be, &k), 0);
	k = sa_desc(0x2000, KERNEL_DIR_OUT, 1, fx.natt_port, fx.peer_port);
	ck_assert_int_eq(fx.ki->ops->add_sa(fx.ki->be, &k), 0);
	k = sa_desc(0x1000, KERNEL_DIR_OUT, 1, fx.peer_port, fx.natt_port);
	fx.peer_out = esp_sa_new(&k, &err, &why);
	k = sa_desc(0x2000, KERNEL_DIR_IN, 1, fx.natt_port, fx.peer_port);
	fx.peer_in = esp_sa_new(&k, &err, &why);
	ck_assert_ptr_nonnull(fx.peer_out);
	ck_assert_ptr_nonnull(fx.peer_in);

	struct kernel_policy out = pol("10.1.0.1", "10.1.0.1", "10.2.0.0", "10.2.0.255",
				       KERNEL_DIR_OUT, 1);
	struct kernel_policy in = pol("10.2.0.0", "10.2.0.255", "10.1.0.1", "10.1.0.1",
				      KERNEL_DIR_IN, 1);
	ck_assert_int_eq(fx.ki->ops->add_policy(fx.ki->be, &out), 0);
	ck_assert_int_eq(fx.ki->ops->add_policy(fx.ki->be, &in), 0);
	r = route_open();
	ck_assert(route_addr_add(r, userspace_ifindex(fx.ki), &tun_addr, 32));
	route_close(r);
	return true;
}

static struct userspace_counters cnt(void)
{
	struct userspace_counters c;

	userspace_get_counters(fx.ki, &c);
	return c;
}

static void teardown(void)
{
	esp_sa_free(fx.peer_out);
	esp_sa_free(fx.peer_in);
	close(fx.peer);
	fx.ki->ops->destroy(fx.ki->be);
	net_close(fx.net);
	event_base_free(fx.base);
}

static int udp_bound(const char *addr, uint16_t port)
{
	struct sockaddr_storage ss = v4(addr, port);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	ck_assert_int_eq(bind(s, (struct sockaddr *)&ss, sizeof(struct sockaddr_in)), 0);
	return s;
}

/* The peer reads one ESP datagram and decapsulates it. */
static bool peer_receive(uint8_t *inner, size_t *len)
{
	static uint8_t buf[4096];
	struct esp_buf b = { .base = buf, .cap = sizeof(buf), .off = 64 };
	ssize_t n = -1;
	uint8_t nh;

	for (int i = 0; i < 200 && n < 0; i++) {
		pump(1);
		n = recv(fx.peer, buf + 64, sizeof(buf) - 64, 0);
	}
	if (n < 0)
		return false;
	b.len = (size_t)n;
	if (esp_decap(fx.peer_in, &b, &nh) != ESP_OK || nh != 4)
		return false;
	memcpy(inner, b.base + b.off, b.len);
	*len = b.len;
	return true;
}

/* The peer sends an inner IPv4/UDP packet src -> 10.1.0.1:dport through ESP. */
static void peer_send(const char *src, uint16_t dport, const char *payload, bool raw)
{
	uint8_t buf[2048];
	size_t plen = strlen(payload), ilen = 28 + plen;
	uint8_t *ip = buf + 64;
	struct esp_buf b = { .base = buf, .cap = sizeof(buf), .off = 64, .len = ilen };
	struct sockaddr_storage to = v4("127.0.0.1", fx.natt_port);
	uint32_t sum = 0;

	memset(ip, 0, 28);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ilen >> 8);
	ip[3] = (uint8_t)ilen;
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, "10.1.0.1", ip + 16);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	ip[20] = 0x1e;	/* source port 7777 */
	ip[21] = 0x61;
	ip[22] = (uint8_t)(dport >> 8);
	ip[23] = (uint8_t)dport;
	ip[24] = (uint8_t)((8 + plen) >> 8);
	ip[25] = (uint8_t)(8 + plen);
	memcpy(ip + 28, payload, plen);
	ck_assert_int_eq(esp_encap(fx.peer_out, &b, 0), ESP_OK);
	if (raw) {
		int s = socket(AF_INET, SOCK_RAW, IPPROTO_ESP);

		ck_assert_int_ge(s, 0);
		sockaddr_set_port(&to, 0);
		ck_assert_int_eq(sendto(s, b.base + b.off, b.len, 0, (struct sockaddr *)&to,
					sizeof(struct sockaddr_in)), (ssize_t)b.len);
		close(s);
	} else {
		ck_assert_int_eq(sendto(fx.peer, b.base + b.off, b.len, 0, (struct sockaddr *)&to,
					sizeof(struct sockaddr_in)), (ssize_t)b.len);
	}
}

static ssize_t local_receive(int s, char *buf, size_t len)
{
	ssize_t n = -1;

	for (int i = 0; i < 200 && n < 0; i++) {
		pump(1);
		n = recv(s, buf, len, 0);
	}
	return n;
}

START_TEST(outbound_packet_is_encapsulated_to_the_peer)
{
	struct sockaddr_storage dst = v4("10.2.0.5", 7777);
	uint8_t inner[2048];
	size_t len;
	int s;

	if (!setup_for(_i))
		return;
	s = udp_bound("10.1.0.1", 6666);
	ck_assert_int_eq(sendto(s, "ping", 4, 0, (struct sockaddr *)&dst,
				sizeof(struct sockaddr_in)), 4);
	ck_assert(peer_receive(inner, &len));
	ck_assert_uint_eq(len, 32);
	ck_assert_uint_eq(inner[9], IPPROTO_UDP);
	ck_assert_mem_eq(inner + 28, "ping", 4);
	ck_assert_uint_ge(cnt().esp_out, 1);
	close(s);
	teardown();
}
END_TEST

START_TEST(inbound_udp_and_raw_esp_reach_the_host)
{
	char buf[64];
	int s;

	if (!setup_for(_i))
		return;
	s = udp_bound("10.1.0.1", 6666);
	peer_send("10.2.0.5", 6666, "pong-udp", false);
	ck_assert_int_eq(local_receive(s, buf, sizeof(buf)), 8);
	ck_assert_mem_eq(buf, "pong-udp", 8);
	/* the same SA over raw IP protocol 50 */
	peer_send("10.2.0.5", 6666, "pong-raw", true);
	ck_assert_int_eq(local_receive(s, buf, sizeof(buf)), 8);
	ck_assert_mem_eq(buf, "pong-raw", 8);
	close(s);
	teardown();
}
END_TEST

/* Without offloads (a kernel that refuses IFF_VNET_HDR or TSO) the same
 * paths work one packet per read and write. */
START_TEST(plain_tun_without_offloads)
{
	struct sockaddr_storage dst = v4("10.2.0.5", 7777);
	uint8_t inner[2048];
	char buf[64];
	size_t len;
	int s;

	no_offload = true;
	if (!setup_for(_i)) {
		no_offload = false;
		return;
	}
	no_offload = false;
	s = udp_bound("10.1.0.1", 6666);
	ck_assert_int_eq(sendto(s, "ping", 4, 0, (struct sockaddr *)&dst,
				sizeof(struct sockaddr_in)), 4);
	ck_assert(peer_receive(inner, &len));
	ck_assert_uint_eq(len, 32);
	ck_assert_mem_eq(inner + 28, "ping", 4);
	peer_send("10.2.0.5", 6666, "pong-udp", false);
	ck_assert_int_eq(local_receive(s, buf, sizeof(buf)), 8);
	ck_assert_mem_eq(buf, "pong-udp", 8);
	peer_send("10.2.0.5", 6666, "pong-raw", true);
	ck_assert_int_eq(local_receive(s, buf, sizeof(buf)), 8);
	ck_assert_mem_eq(buf, "pong-raw", 8);
	ck_assert_uint_eq(cnt().tun_out_segs, 0);	/* no GRO */
	close(s);
	teardown();
}
END_TEST

/* An ESP datagram larger than a receive slot is counted as malformed; on
 * the RX thread its batch still ends (the next op does not wait for it). */
START_TEST(oversized_esp_in_udp_is_counted)
{
	static uint8_t big[65500];
	struct sockaddr_storage to;
	uint64_t bad0;

	if (!setup_for(_i))
		return;
	bad0 = cnt().malformed;
	memset(big, 0x5a, sizeof(big));	/* no non-ESP marker: ESP */
	to = v4("127.0.0.1", fx.natt_port);
	ck_assert_int_eq(sendto(fx.peer, big, sizeof(big), 0, (struct sockaddr *)&to,
				sizeof(struct sockaddr_in)), (ssize_t)sizeof(big));
	for (int i = 0; i < 200 && cnt().malformed == bad0; i++)
		pump(1);
	ck_assert_uint_eq(cnt().malformed - bad0, 1);
	teardown();
}
END_TEST

START_TEST(inbound_outside_selectors_is_dropped)
{
	char buf[64];
	int s;

	if (!setup_for(_i))
		return;
	s = udp_bound("10.1.0.1", 6666);
	peer_send("10.3.0.5", 6666, "spoofed", false);
	ck_assert_int_lt(local_receive(s, buf, sizeof(buf)), 0);
	{
		struct userspace_verdicts vc;

		userspace_get_verdicts(fx.ki, &vc);
		ck_assert_uint_eq(vc.verdicts[US_DROP_POLICY], 1);
	}
	close(s);
	teardown();
}
END_TEST

START_TEST(unknown_spi_is_reported)
{
	struct sockaddr_storage to;
	const uint8_t esp[] = { 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8,
				9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 };

	if (!setup_for(_i))
		return;
	to = v4("127.0.0.1", fx.natt_port);
	sendto(fx.peer, esp, sizeof(esp), 0, (struct sockaddr *)&to, sizeof(struct sockaddr_in));
	for (int i = 0; i < 200 && !fx.unknown_spis; i++)
		pump(1);
	ck_assert_int_eq(fx.unknown_spis, 1);
	ck_assert_uint_eq(fx.unknown_spi, 0xdeadbeef);
	teardown();
}
END_TEST

/* A trap policy (reqid) for 10.N.0.0/24 and count datagrams of text sent
 * into it from 10.1.0.1:sport; returns the sending socket. */
static int trap_and_send(uint32_t reqid, int net, uint16_t sport, const char *text, int count)
{
	char lo[16], hi[16], to[16];
	struct kernel_policy trap;
	struct sockaddr_storage dst;
	int s;

	snprintf(lo, sizeof(lo), "10.%d.0.0", net);
	snprintf(hi, sizeof(hi), "10.%d.0.255", net);
	snprintf(to, sizeof(to), "10.%d.0.9", net);
	trap = pol("10.1.0.1", "10.1.0.1", lo, hi, KERNEL_DIR_OUT, reqid);
	dst = v4(to, 7777);
	ck_assert_int_eq(fx.ki->ops->add_policy(fx.ki->be, &trap), 0);
	s = udp_bound("10.1.0.1", sport);
	for (int i = 0; i < count; i++)
		ck_assert_int_eq(sendto(s, text, strlen(text), 0, (struct sockaddr *)&dst,
					sizeof(struct sockaddr_in)), (ssize_t)strlen(text));
	return s;
}

/* The peer decrypts with our new outbound SA spi from now on. */
static void peer_in_sa(uint32_t spi, uint32_t reqid)
{
	struct kernel_sa k = sa_desc(spi, KERNEL_DIR_IN, reqid, fx.natt_port, fx.peer_port);
	const char *why;
	int err;

	esp_sa_free(fx.peer_in);
	fx.peer_in = esp_sa_new(&k, &err, &why);
	ck_assert_ptr_nonnull(fx.peer_in);
}

START_TEST(trap_holds_first_packet_until_the_sa_is_up)
{
	struct kernel_sa k;
	uint8_t inner[2048];
	size_t len;
	int s;

	if (!setup_for(_i))
		return;
	s = trap_and_send(2, 4, 6667, "first", 1);
	for (int i = 0; i < 200 && !fx.acquires; i++)
		pump(1);
	ck_assert_int_eq(fx.acquires, 1);
	ck_assert_uint_eq(fx.acquired_reqid, 2);
	ck_assert_uint_eq(cnt().held, 1);
	/* the IKE core negotiated: the SA arrives and the held packet leaves */
	k = sa_desc(0x3000, KERNEL_DIR_OUT, 2, fx.natt_port, fx.peer_port);
	ck_assert_int_eq(fx.ki->ops->add_sa(fx.ki->be, &k), 0);
	peer_in_sa(0x3000, 2);
	ck_assert(peer_receive(inner, &len));
	ck_assert_mem_eq(inner + 28, "first", 5);
	close(s);
	teardown();
}
END_TEST

/* Packets held for an acquire leave inside add_sa; if they use up the new
 * SA's lifetimes, the expiries reach the handler after the op (with a TX
 * thread: on the test's loop), where it may call an op itself. */
START_TEST(lifetime_reached_by_held_packets)
{
	struct kernel_sa k;
	uint8_t inner[2048];
	size_t len;
	int s;

	if (!setup_for(_i))
		return;
	s = trap_and_send(3, 5, 6668, "held", 2);
	for (int i = 0; i < 200 && cnt().held < 2; i++)
		pump(1);
	ck_assert_uint_eq(cnt().held, 2);
	k = sa_desc(0x4000, KERNEL_DIR_OUT, 3, fx.natt_port, fx.peer_port);
	k.soft.packets = 1;
	k.hard.packets = 2;
	ck_assert_int_eq(fx.ki->ops->add_sa(fx.ki->be, &k), 0);
	if (_i >= 1)
		ck_assert_int_eq(fx.expires, 0);	/* not inside the op */
	for (int i = 0; i < 200 && fx.expires < 2; i++)
		pump(1);
	ck_assert_int_eq(fx.expires, 2);		/* soft, then hard */
	ck_assert_int_eq(fx.expire_queries, 2);
	peer_in_sa(0x4000, 3);
	for (int i = 0; i < 2; i++) {
		ck_assert(peer_receive(inner, &len));
		ck_assert_mem_eq(inner + 28, "held", 4);
	}
	close(s);
	teardown();
}
END_TEST

START_TEST(ha_hooks_move_sequence_and_replay_state)
{
	struct kernel_sa_id out = { .spi = 0x2000, .dir = KERNEL_DIR_OUT };
	struct kernel_sa_id in = { .spi = 0x1000, .dir = KERNEL_DIR_IN };
	struct kernel_replay_state st;
	uint64_t seq = 0;
	char buf[64];
	int s;

	if (!setup_for(_i))
		return;
	out.dst = fx.lo;
	in.dst = fx.lo;
	ck_assert_int_eq(fx.ki->ops->get_seq_out(fx.ki->be, &out, &seq), 0);
	ck_assert_uint_eq(seq, 0);
	ck_assert_int_eq(fx.ki->ops->set_seq_out(fx.ki->be, &out, 1000), 0);
	ck_assert_int_eq(fx.ki->ops->set_seq_out(fx.ki->be, &out, 999), -EINVAL);
	ck_assert_int_eq(fx.ki->ops->get_seq_out(fx.ki->be, &out, &seq), 0);
	ck_assert_uint_eq(seq, 1000);
	s = udp_bound("10.1.0.1", 6666);
	peer_send("10.2.0.5", 6666, "one", false);
	ck_assert_int_eq(local_receive(s, buf, sizeof(buf)), 3);
	ck_assert_int_eq(fx.ki->ops->get_replay(fx.ki->be, &in, &st), 0);
	ck_assert_uint_eq(st.top, 1);
	st.top = 50;	/* another node saw up to 50 */
	memset(st.bitmap, 0xff, sizeof(st.bitmap));
	ck_assert_int_eq(fx.ki->ops->set_replay(fx.ki->be, &in, &st), 0);
	peer_send("10.2.0.5", 6666, "old", false);	/* seq 2 is now a replay */
	ck_assert_int_lt(local_receive(s, buf, sizeof(buf)), 0);
	close(s);
	teardown();
}
END_TEST

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		s += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* IPv4 + TCP (20 + 20) with plen payload bytes; checksums valid when
 * full, else the TCP field holds the pseudo-header sum (NEEDS_CSUM). */
static size_t tcp_pkt(uint8_t *ip, const char *src, const char *dst, uint32_t seq,
		      uint16_t id, size_t plen, bool full)
{
	size_t len = 40 + plen;
	uint32_t ps;

	memset(ip, 0, 40);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(len >> 8);
	ip[3] = (uint8_t)len;
	ip[4] = (uint8_t)(id >> 8);
	ip[5] = (uint8_t)id;
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	ps = ~sum16(0, ip, 20);
	ip[10] = (uint8_t)(ps >> 8);
	ip[11] = (uint8_t)ps;
	ip[20] = 0x9c; ip[21] = 0x40;	/* 40000 */
	ip[22] = 0x14; ip[23] = 0x51;	/* 5201 */
	for (int i = 0; i < 4; i++)
		ip[24 + i] = (uint8_t)(seq >> (24 - 8 * i));
	ip[31] = 1;	/* ack 1 */
	ip[32] = 0x50;
	ip[33] = 0x10;	/* ACK */
	ip[34] = 0x10;	/* window */
	for (size_t i = 0; i < plen; i++)
		ip[40 + i] = (uint8_t)(seq + i);
	ps = sum16(sum16(0, ip + 12, 8) + IPPROTO_TCP + (uint32_t)(len - 20), NULL, 0);
	if (full)
		ps = ~sum16(ps, ip + 20, len - 20) & 0xffff;
	ip[36] = (uint8_t)(ps >> 8);
	ip[37] = (uint8_t)ps;
	return len;
}

/* The batch paths end to end: a 5-segment TCP GSO packet injected into the
 * TUN (packet socket with virtio header) is split, encrypted and sent to the
 * peer, which gets 5 valid segments; 6 consecutive segments from the peer
 * reach the host as one coalesced write. */
START_TEST(gso_out_and_gro_in_batches)
{
	static uint8_t buf[16384];
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .hdr_len = 40,
				     .gso_size = 1000, .csum_start = 20, .csum_offset = 16 };
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	struct sockaddr_storage to;
	uint64_t out0, segs0, err0;
	int ps, one = 1;
	size_t len;

	if (!setup_for(_i))
		return;
	ps = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IP));	/* VNET_HDR needs RAW */
	ck_assert_int_ge(ps, 0);
	ck_assert_int_eq(setsockopt(ps, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)), 0);
	ll.sll_ifindex = userspace_ifindex(fx.ki);
	memcpy(buf, &vh, sizeof(vh));
	len = tcp_pkt(buf + sizeof(vh), "10.1.0.1", "10.2.0.5", 1000, 77, 5000, false);
	ck_assert_int_eq(sendto(ps, buf, sizeof(vh) + len, 0, (struct sockaddr *)&ll, sizeof(ll)),
			 (ssize_t)(sizeof(vh) + len));
	close(ps);
	for (int i = 0; i < 5; i++) {
		uint8_t inner[2048];
		size_t ilen;

		ck_assert(peer_receive(inner, &ilen));
		ck_assert_uint_eq(ilen, 1040);
		ck_assert_uint_eq((uint32_t)(inner[4] << 8 | inner[5]), 77 + i);
		ck_assert_uint_eq(sum16(0, inner, 20), 0xffff);
		ck_assert_uint_eq((uint32_t)inner[24] << 24 | (uint32_t)inner[25] << 16 |
				  (uint32_t)inner[26] << 8 | inner[27], 1000 + 1000 * i);
		ck_assert_uint_eq(sum16(sum16(0, inner + 12, 8) + IPPROTO_TCP + 1020, inner + 20,
					1020), 0xffff);
		ck_assert_uint_eq(inner[40], (uint8_t)(1000 + 1000 * i));
	}
	ck_assert_uint_eq(cnt().tun_in_segs - cnt().tun_in, 4);	/* one read, five segments */

	/* inbound: 6 segments queued on the NAT-T socket before the loop runs */
	out0 = cnt().tun_out;
	segs0 = cnt().tun_out_segs;
	err0 = cnt().send_errors;
	to = v4("127.0.0.1", fx.natt_port);
	for (int i = 0; i < 6; i++) {
		struct esp_buf b = { .base = buf, .cap = sizeof(buf), .off = 64 };

		b.len = tcp_pkt(buf + 64, "10.2.0.5", "10.1.0.1", 5000 + 1000 * (uint32_t)i,
				(uint16_t)(9 + i), 1000, true);
		ck_assert_int_eq(esp_encap(fx.peer_out, &b, 0), ESP_OK);
		ck_assert_int_eq(sendto(fx.peer, b.base + b.off, b.len, 0, (struct sockaddr *)&to,
					sizeof(struct sockaddr_in)), (ssize_t)b.len);
	}
	for (int i = 0; i < 50 && cnt().tun_out_segs - segs0 < 6; i++)
		pump(1);
	ck_assert_uint_eq(cnt().tun_out_segs - segs0, 6);
	/* with an RX thread the segments are read as they arrive: fewer per write */
	if (_i < 2)
		ck_assert_uint_eq(cnt().tun_out - out0, 1);
	ck_assert_uint_eq(cnt().send_errors, err0);	/* the kernel took the GSO write */
	teardown();
}
END_TEST

static Suite *userspace_suite(void)
{
	Suite *s = suite_create("userspace");
	TCase *tc = tcase_create("netns");

	tcase_set_timeout(tc, 20);
	tcase_add_loop_test(tc, outbound_packet_is_encapsulated_to_the_peer, 0, 3);
	tcase_add_loop_test(tc, inbound_udp_and_raw_esp_reach_the_host, 0, 3);
	tcase_add_loop_test(tc, plain_tun_without_offloads, 0, 3);
	tcase_add_loop_test(tc, inbound_outside_selectors_is_dropped, 0, 3);
	tcase_add_loop_test(tc, oversized_esp_in_udp_is_counted, 0, 3);
	tcase_add_loop_test(tc, unknown_spi_is_reported, 0, 3);
	tcase_add_loop_test(tc, trap_holds_first_packet_until_the_sa_is_up, 0, 3);
	tcase_add_loop_test(tc, lifetime_reached_by_held_packets, 0, 3);
	tcase_add_loop_test(tc, ha_hooks_move_sequence_and_replay_state, 0, 3);
	tcase_add_loop_test(tc, gso_out_and_gro_in_batches, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(userspace_suite)
