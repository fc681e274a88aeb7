/* The userspace kernel_ipsec backend end to end: two instances (gateway and
 * client) with mirrored SAs and policies pass packets both ways; acquire,
 * unknown SPI, expire and segment-filter hooks; HA state transfer. */
#include "esp_test_util.h"
#include "kernel/userspace/us_ipsec.h"

static int acquires, unknowns, expires;
static uint32_t last_reqid, last_unknown;

static void ev_acquire(void *ctx, uint32_t reqid, const struct kernel_selector *s)
{
	(void)ctx;
	(void)s;
	acquires++;
	last_reqid = reqid;
}

static void ev_expire(void *ctx, const struct kernel_sa_id *id, uint32_t child_id, bool hard)
{
	(void)ctx;
	(void)id;
	(void)hard;
	ck_assert_uint_eq(child_id, 42);
	expires++;
}

static void ev_unknown(void *ctx, uint32_t spi, const struct sockaddr *peer)
{
	(void)ctx;
	(void)peer;
	unknowns++;
	last_unknown = spi;
}

static const struct kernel_ipsec_events events = {
	.acquire = ev_acquire, .expire = ev_expire, .unknown_spi = ev_unknown,
};

static void pol(struct kernel_ipsec *ki, const char *sf, const char *st, const char *df,
		const char *dt, enum kernel_dir dir, uint32_t reqid)
{
	struct kernel_policy p;

	memset(&p, 0, sizeof(p));
	p.sel.family = AF_INET;
	inet_pton(AF_INET, sf, p.sel.src_from);
	inet_pton(AF_INET, st, p.sel.src_to);
	inet_pton(AF_INET, df, p.sel.dst_from);
	inet_pton(AF_INET, dt, p.sel.dst_to);
	p.sel.sport_to = p.sel.dport_to = 0xffff;
	p.dir = dir;
	p.reqid = reqid;
	p.priority = 100;
	ck_assert_int_eq(ki->ops->add_policy(ki->be, &p), 0);
}

static void sa(struct kernel_ipsec *ki, uint32_t spi, enum kernel_dir dir, const char *dst)
{
	struct kernel_sa k;

	esp_test_ksa(&k, &esp_test_algs[2], dir, KERNEL_MODE_TUNNEL, true);
	k.spi = spi;
	k.reqid = 1;
	k.child_id = 42;
	k.soft.packets = 1000;
	esp_test_sockaddr4(&k.dst, dst);
	ck_assert_int_eq(ki->ops->add_sa(ki->be, &k), 0);
}

static struct kernel_sa_id id_of(uint32_t spi, enum kernel_dir dir, const char *dst)
{
	struct kernel_sa_id id;

	memset(&id, 0, sizeof(id));
	id.spi = spi;
	id.dir = dir;
	esp_test_sockaddr4(&id.dst, dst);
	return id;
}

/* IPv4/UDP from src to dst at buf + headroom. */
static void ip_packet(struct esp_buf *b, uint8_t *buf, const char *src, const char *dst)
{
	esp_test_inner(b, buf, 4, 32);
	inet_pton(AF_INET, src, buf + ESP_TEST_HEADROOM + 12);
	inet_pton(AF_INET, dst, buf + ESP_TEST_HEADROOM + 16);
}

struct pair {
	struct kernel_ipsec gw, cl;
	uint32_t spi_gw, spi_cl;	/* inbound SPIs of each side */
};

/* gateway 192.0.2.1 <-> client 198.51.100.2 with virtual IP 10.1.0.5 */
static void setup(struct pair *p)
{
	ck_assert_int_eq(us_ipsec_create(&p->gw, &events), 0);
	ck_assert_int_eq(us_ipsec_create(&p->cl, NULL), 0);
	ck_assert_str_eq(p->gw.ops->name, "userspace");
	ck_assert_int_eq(p->gw.ops->get_spi(p->gw.be, NULL, NULL, 1, &p->spi_gw), 0);
	ck_assert_int_eq(p->cl.ops->get_spi(p->cl.be, NULL, NULL, 1, &p->spi_cl), 0);
	sa(&p->gw, p->spi_gw, KERNEL_DIR_IN, "192.0.2.1");
	sa(&p->gw, p->spi_cl, KERNEL_DIR_OUT, "198.51.100.2");
	sa(&p->cl, p->spi_cl, KERNEL_DIR_IN, "198.51.100.2");
	sa(&p->cl, p->spi_gw, KERNEL_DIR_OUT, "192.0.2.1");
	pol(&p->gw, "0.0.0.0", "255.255.255.255", "10.1.0.5", "10.1.0.5", KERNEL_DIR_OUT, 1);
	pol(&p->gw, "10.1.0.5", "10.1.0.5", "0.0.0.0", "255.255.255.255", KERNEL_DIR_IN, 1);
	pol(&p->cl, "10.1.0.5", "10.1.0.5", "0.0.0.0", "255.255.255.255", KERNEL_DIR_OUT, 1);
	pol(&p->cl, "0.0.0.0", "255.255.255.255", "10.1.0.5", "10.1.0.5", KERNEL_DIR_IN, 1);
}

static void teardown(struct pair *p)
{
	p->gw.ops->destroy(p->gw.be);
	p->cl.ops->destroy(p->cl.be);
}

static enum us_verdict xfer(struct kernel_ipsec *from, struct kernel_ipsec *to,
			    struct esp_buf *b, enum us_verdict *out_v)
{
	struct esp_sa *s;
	enum esp_result r;
	struct sockaddr_storage peer;

	*out_v = us_ipsec_output(from->be, b, &s, &r);
	if (*out_v != US_ESP)
		return *out_v;
	esp_test_sockaddr4(&peer, "198.51.100.2");
	return us_ipsec_input(to->be, b, (struct sockaddr *)&peer, &s, &r, NULL);
}

START_TEST(backend_passes_traffic_both_ways)
{
	struct pair p;
	uint8_t buf[ESP_TEST_BUFSZ];
	struct esp_buf b;
	enum us_verdict ov;
	struct kernel_sa_stats st;
	struct kernel_sa_id id;

	setup(&p);
	for (int i = 0; i < 10; i++) {
		ip_packet(&b, buf, "203.0.113.7", "10.1.0.5");
		ck_assert_int_eq(xfer(&p.gw, &p.cl, &b, &ov), US_CLEAR);
		ck_assert_uint_eq(buf[b.off + 19], 5);	/* the inner packet came out */
		ip_packet(&b, buf, "10.1.0.5", "203.0.113.7");
		ck_assert_int_eq(xfer(&p.cl, &p.gw, &b, &ov), US_CLEAR);
	}
	id = id_of(p.spi_gw, KERNEL_DIR_IN, "192.0.2.1");
	ck_assert_int_eq(p.gw.ops->query_sa(p.gw.be, &id, &st), 0);
	ck_assert_uint_eq(st.packets, 10);
	ck_assert_uint_eq(st.bytes, 10 * 52);
	ck_assert_uint_gt(st.last_use, 0);
	id = id_of(p.spi_cl, KERNEL_DIR_OUT, "198.51.100.2");
	ck_assert_int_eq(p.gw.ops->query_sa(p.gw.be, &id, &st), 0);
	ck_assert_uint_eq(st.packets, 10);
	id = id_of(p.spi_cl, KERNEL_DIR_OUT, "198.51.100.99");
	ck_assert_int_eq(p.gw.ops->query_sa(p.gw.be, &id, &st), -ENOENT);
	/* the client's inbound policy only admits traffic for its VIP, even with
	 * a valid SA: a gateway policy sending 10.9.9.9 over the same reqid */
	pol(&p.gw, "0.0.0.0", "255.255.255.255", "10.9.9.9", "10.9.9.9", KERNEL_DIR_OUT, 1);
	ip_packet(&b, buf, "203.0.113.7", "10.9.9.9");
	ck_assert_int_eq(xfer(&p.gw, &p.cl, &b, &ov), US_DROP_POLICY);
	ck_assert_int_eq(ov, US_ESP);
	/* no policy: discarded */
	ip_packet(&b, buf, "203.0.113.7", "10.1.0.6");
	ck_assert_int_eq(xfer(&p.gw, &p.cl, &b, &ov), US_DROP_POLICY);
	ck_assert_uint_eq(us_ipsec_verdicts(p.gw.be, US_DROP_POLICY), 1);
	teardown(&p);
}
END_TEST

START_TEST(backend_events)
{
	struct pair p;
	uint8_t buf[ESP_TEST_BUFSZ];
	struct esp_buf b;
	enum us_verdict ov;
	struct kernel_sa_id id;
	struct esp_sa *s;
	enum esp_result r;
	struct sockaddr_storage peer;

	acquires = unknowns = expires = 0;
	setup(&p);
	/* unknown SPI: the client's packet after the gateway dropped its SA */
	id = id_of(p.spi_gw, KERNEL_DIR_IN, "192.0.2.1");
	ck_assert_int_eq(p.gw.ops->del_sa(p.gw.be, &id), 0);
	ck_assert_int_eq(p.gw.ops->del_sa(p.gw.be, &id), -ENOENT);
	ip_packet(&b, buf, "10.1.0.5", "203.0.113.7");
	ck_assert_int_eq(xfer(&p.cl, &p.gw, &b, &ov), US_DROP_ESP);
	ck_assert_int_eq(unknowns, 1);
	ck_assert_uint_eq(last_unknown, p.spi_gw);
	/* acquire: PROTECT policy without an outbound SA */
	id = id_of(p.spi_cl, KERNEL_DIR_OUT, "198.51.100.2");
	ck_assert_int_eq(p.gw.ops->del_sa(p.gw.be, &id), 0);
	ip_packet(&b, buf, "203.0.113.7", "10.1.0.5");
	ck_assert_int_eq(us_ipsec_output(p.gw.be, &b, &s, &r), US_DROP_NO_SA);
	ck_assert_int_eq(acquires, 1);
	ck_assert_uint_eq(last_reqid, 1);
	/* soft expire after 1000 packets, reported with the CHILD SA id */
	sa(&p.gw, p.spi_cl, KERNEL_DIR_OUT, "198.51.100.2");
	for (int i = 0; i < 1000; i++) {
		ip_packet(&b, buf, "203.0.113.7", "10.1.0.5");
		ck_assert_int_eq(us_ipsec_output(p.gw.be, &b, &s, &r), US_ESP);
	}
	ck_assert_int_eq(expires, 1);
	/* MOBIKE: the client moved */
	esp_test_sockaddr4(&peer, "203.0.113.50");
	{
		struct kernel_encap enc = { true, 4500, 4500 };
		struct sockaddr_storage src;

		esp_test_sockaddr4(&src, "192.0.2.1");
		ck_assert_int_eq(p.gw.ops->update_sa(p.gw.be, &id, (struct sockaddr *)&src,
						     (struct sockaddr *)&peer, &enc), 0);
		ck_assert_int_eq(p.gw.ops->update_sa(p.gw.be, &id, (struct sockaddr *)&src,
						     (struct sockaddr *)&peer, &enc), -ENOENT);
	}
	id = id_of(p.spi_cl, KERNEL_DIR_OUT, "203.0.113.50");
	ck_assert_int_eq(p.gw.ops->get_seq_out(p.gw.be, &id, &(uint64_t){ 0 }), 0);
	ip_packet(&b, buf, "203.0.113.7", "10.1.0.5");
	ck_assert_int_eq(us_ipsec_output(p.gw.be, &b, &s, &r), US_ESP);
	ck_assert(s->encap.enabled);
	teardown(&p);
}
END_TEST

static bool seg_none(void *ctx, uint32_t spi, const struct sockaddr *peer, uint64_t seq,
		     enum kernel_dir dir)
{
	(void)ctx; (void)spi; (void)peer; (void)seq; (void)dir;
	return false;
}

START_TEST(backend_ha_state_and_segments)
{
	struct pair p;
	struct kernel_ipsec standby;
	uint8_t buf[ESP_TEST_BUFSZ], saved[ESP_TEST_BUFSZ];
	struct esp_buf b, sb;
	enum us_verdict ov;
	struct kernel_sa_id in_id, out_id;
	struct kernel_replay_state st;
	uint64_t seq;
	struct esp_sa *s;
	enum esp_result r;

	setup(&p);
	for (int i = 0; i < 5; i++) {
		ip_packet(&b, buf, "10.1.0.5", "203.0.113.7");
		ck_assert_int_eq(xfer(&p.cl, &p.gw, &b, &ov), US_CLEAR);
	}
	/* capture one more ESP packet, delivered to the gateway too */
	ip_packet(&b, buf, "10.1.0.5", "203.0.113.7");
	ck_assert_int_eq(us_ipsec_output(p.cl.be, &b, &s, &r), US_ESP);
	memcpy(saved, buf, sizeof(buf));
	sb = b;
	sb.base = saved;
	ck_assert_int_eq(us_ipsec_input(p.gw.be, &b, NULL, &s, &r, NULL), US_CLEAR);

	/* a standby node gets the SA and the replay window */
	ck_assert_int_eq(us_ipsec_create(&standby, NULL), 0);
	sa(&standby, p.spi_gw, KERNEL_DIR_IN, "192.0.2.1");
	pol(&standby, "10.1.0.5", "10.1.0.5", "0.0.0.0", "255.255.255.255", KERNEL_DIR_IN, 1);
	in_id = id_of(p.spi_gw, KERNEL_DIR_IN, "192.0.2.1");
	ck_assert_int_eq(p.gw.ops->get_replay(p.gw.be, &in_id, &st), 0);
	ck_assert_uint_eq(st.top, 6);
	ck_assert_uint_eq(st.bitmap[0] & 0x3f, 0x3f);
	ck_assert_int_eq(standby.ops->set_replay(standby.be, &in_id, &st), 0);
	/* the packet seen by the old node is a replay on the new one */
	ck_assert_int_eq(us_ipsec_input(standby.be, &sb, NULL, &s, &r, NULL), US_DROP_ESP);
	ck_assert_int_eq(r, ESP_DROP_REPLAY);
	st.window = 64;
	ck_assert_int_eq(standby.ops->set_replay(standby.be, &in_id, &st), -EINVAL);

	/* outbound sequence numbers only move forward */
	out_id = id_of(p.spi_gw, KERNEL_DIR_OUT, "192.0.2.1");
	ck_assert_int_eq(p.cl.ops->get_seq_out(p.cl.be, &out_id, &seq), 0);
	ck_assert_uint_eq(seq, 6);
	ck_assert_int_eq(p.cl.ops->set_seq_out(p.cl.be, &out_id, 5), -EINVAL);
	ck_assert_int_eq(p.cl.ops->set_seq_out(p.cl.be, &out_id, 1006), 0);
	ip_packet(&b, buf, "10.1.0.5", "203.0.113.7");
	ck_assert_int_eq(xfer(&p.cl, &p.gw, &b, &ov), US_CLEAR);
	ck_assert_uint_eq(sad_find_in(&((struct us_ipsec *)p.gw.be)->sad, p.spi_gw)->replay.top, 1007);

	/* a segment served elsewhere is not processed */
	ck_assert_int_eq(p.gw.ops->set_segment_filter(p.gw.be, seg_none, NULL), 0);
	ip_packet(&b, buf, "10.1.0.5", "203.0.113.7");
	ck_assert_int_eq(xfer(&p.cl, &p.gw, &b, &ov), US_DROP_SEGMENT);
	ip_packet(&b, buf, "203.0.113.7", "10.1.0.5");
	ck_assert_int_eq(us_ipsec_output(p.gw.be, &b, &s, &r), US_DROP_SEGMENT);
	ck_assert_int_eq(p.gw.ops->set_segment_filter(p.gw.be, NULL, NULL), 0);
	ck_assert_int_eq(us_ipsec_output(p.gw.be, &b, &s, &r), US_ESP);
	standby.ops->destroy(standby.be);
	teardown(&p);
}
END_TEST

START_TEST(backend_get_spi_reservation_released)
{
	struct kernel_ipsec ki;
	uint32_t spi;
	struct kernel_sa_id id;
	struct kernel_sa_stats st;

	ck_assert_int_eq(us_ipsec_create(&ki, NULL), 0);
	ck_assert_int_eq(ki.ops->get_spi(ki.be, NULL, NULL, 3, &spi), 0);
	id = id_of(spi, KERNEL_DIR_IN, "192.0.2.1");
	ck_assert_int_eq(ki.ops->query_sa(ki.be, &id, &st), -ENOENT);	/* no keys yet */
	ck_assert_int_eq(ki.ops->del_sa(ki.be, &id), 0);
	ck_assert_ptr_null(sad_find_in(&((struct us_ipsec *)ki.be)->sad, spi));
	ki.ops->destroy(ki.be);
}
END_TEST

static Suite *backend_suite(void)
{
	Suite *s = suite_create("esp_backend");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, backend_passes_traffic_both_ways);
	tcase_add_test(tc, backend_events);
	tcase_add_test(tc, backend_ha_state_and_segments);
	tcase_add_test(tc, backend_get_spi_reservation_released);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(backend_suite)
