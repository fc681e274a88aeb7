/* Inbound ESP that must be dropped, each for its own counted reason; forged
 * packets must not move the replay window. Lifetimes, TFC and buffer room. */
#include "esp_test_util.h"

/* One valid tunnel-mode ESP packet in buf; returns its esp_buf. */
static struct esp_buf make_packet(struct esp_sa *out, uint8_t *buf, size_t payload)
{
	struct esp_buf b;

	esp_test_inner(&b, buf, 4, payload);
	ck_assert_int_eq(esp_encap(out, &b, 0), ESP_OK);
	return b;
}

static enum esp_result decap_copy(struct esp_sa *in, const struct esp_buf *pkt,
				  size_t flip_at, uint8_t mask, size_t len)
{
	static uint8_t wire[ESP_TEST_BUFSZ];
	uint8_t buf[ESP_TEST_BUFSZ], nh;
	struct esp_buf b = { buf, sizeof(buf), 16, len, NULL };

	memcpy(buf + 16, pkt->base + pkt->off, len);
	if (flip_at < len)
		buf[16 + flip_at] ^= mask;
	if (flip_at & 1) {	/* half of them decrypted from another buffer */
		memcpy(wire, buf + 16, len);
		memset(buf + 16, 0, len);
		b.src = wire;
	}
	return esp_decap(in, &b, &nh);
}

START_TEST(esp_tampered_fields_dropped_and_counted)
{
	const struct esp_test_alg *a = &esp_test_algs[_i];
	struct esp_sa *out, *in;
	uint8_t buf[ESP_TEST_BUFSZ];
	struct esp_buf pkt;
	uint64_t icv_drops = 0;
	size_t iv, icv, ct_start;

	esp_test_pair(a, KERNEL_MODE_TUNNEL, _i % 2 == 0, &out, &in);
	pkt = make_packet(out, buf, 100);
	iv = out->crypto.iv_len;
	icv = out->crypto.icv_len;
	ct_start = 8 + iv;

	/* SPI */
	ck_assert_int_eq(decap_copy(in, &pkt, 2, 0x01, pkt.len), ESP_DROP_UNKNOWN_SPI);
	ck_assert_uint_eq(in->stats.drops[ESP_DROP_UNKNOWN_SPI], 1);
	/* every bit of seq, IV, ciphertext and ICV */
	for (size_t pos = 4; pos < pkt.len; pos++) {
		for (int bit = 0; bit < 8; bit++) {
			enum esp_result r = decap_copy(in, &pkt, pos, (uint8_t)(1 << bit), pkt.len);

			/* a seq whose high bit flips may fall outside the window;
			 * everything else is an ICV failure */
			if (pos < 8 && r == ESP_DROP_TOO_OLD)
				continue;
			ck_assert_msg(r == ESP_DROP_ICV, "%s: byte %zu bit %d: %s", a->name, pos,
				      bit, esp_result_name(r));
			icv_drops++;
		}
		if (pos > ct_start + 16 && pos < pkt.len - icv - 16)
			pos += 13;	/* sample the middle of the ciphertext */
	}
	ck_assert_uint_eq(in->stats.drops[ESP_DROP_ICV], icv_drops);
	/* forgeries did not touch the window: the genuine packet still passes */
	ck_assert_uint_eq(in->replay.top, 0);
	ck_assert_int_eq(decap_copy(in, &pkt, SIZE_MAX, 0, pkt.len), ESP_OK);
	/* and a second time it is a replay */
	ck_assert_int_eq(decap_copy(in, &pkt, SIZE_MAX, 0, pkt.len), ESP_DROP_REPLAY);
	ck_assert_uint_eq(in->stats.drops[ESP_DROP_REPLAY], 1);
	ck_assert_uint_eq(in->stats.packets, 1);
	esp_sa_free(out);
	esp_sa_free(in);
}
END_TEST

START_TEST(esp_truncated_packets_dropped)
{
	const struct esp_test_alg *a = &esp_test_algs[_i];
	struct esp_sa *out, *in;
	uint8_t buf[ESP_TEST_BUFSZ];
	struct esp_buf pkt;
	size_t min;

	esp_test_pair(a, KERNEL_MODE_TUNNEL, false, &out, &in);
	pkt = make_packet(out, buf, 40);
	min = 8 + out->crypto.iv_len + out->crypto.icv_len + 2;
	for (size_t len = 0; len < pkt.len; len++) {
		enum esp_result r = decap_copy(in, &pkt, SIZE_MAX, 0, len);

		if (len < min)
			ck_assert_int_eq(r, ESP_DROP_TRUNCATED);
		else
			ck_assert(r == ESP_DROP_TRUNCATED || r == ESP_DROP_ICV);
	}
	ck_assert_uint_eq(in->stats.packets, 0);
	ck_assert_uint_ge(in->stats.drops[ESP_DROP_TRUNCATED], min);
	ck_assert_int_eq(decap_copy(in, &pkt, SIZE_MAX, 0, pkt.len), ESP_OK);
	esp_sa_free(out);
	esp_sa_free(in);
}
END_TEST

/* Seal a hand-made trailer with the SA's own keys, so the ICV is valid and
 * only the content is wrong. */
static enum esp_result decap_crafted(struct esp_sa *out, struct esp_sa *in, uint64_t seq,
				     const uint8_t *pt, size_t ptlen)
{
	uint8_t buf[ESP_TEST_BUFSZ], nh;
	size_t iv = out->crypto.iv_len;
	struct esp_buf b = { buf, sizeof(buf), 0, 8 + iv + ptlen + out->crypto.icv_len, NULL };

	buf[0] = 0x12; buf[1] = 0x34; buf[2] = 0x56; buf[3] = 0x78;
	buf[4] = (uint8_t)(seq >> 24); buf[5] = (uint8_t)(seq >> 16);
	buf[6] = (uint8_t)(seq >> 8); buf[7] = (uint8_t)seq;
	memcpy(buf + 8 + iv, pt, ptlen);
	ck_assert_int_eq(esp_crypto_seal(&out->crypto, buf, ptlen, seq, out->esn), 0);
	return esp_decap(in, &b, &nh);
}

START_TEST(esp_bad_trailer_dropped)
{
	const struct esp_test_alg *a = &esp_test_algs[_i];
	struct esp_sa *out, *in;
	uint8_t pt[64];
	size_t al;
	uint64_t seq = 1;

	esp_test_pair(a, KERNEL_MODE_TUNNEL, false, &out, &in);
	al = out->crypto.align;
	/* a minimal inner IPv4 header (20 bytes) padded to the block size */
	memset(pt, 0, sizeof(pt));
	pt[0] = 0x45;
	pt[3] = 20;
#define TRAILER(padlen, nexthdr) do { \
		size_t n_ = 20 + (padlen) + 2; \
		n_ = (n_ + al - 1) / al * al; \
		for (size_t i_ = 20; i_ < n_ - 2; i_++) pt[i_] = (uint8_t)(i_ - 19); \
		pt[n_ - 2] = (uint8_t)(n_ - 22); pt[n_ - 1] = (nexthdr); \
		len = n_; } while (0)
	size_t len;

	TRAILER(2, 4);
	ck_assert_int_eq(decap_crafted(out, in, seq++, pt, len), ESP_OK);
	TRAILER(2, 4);
	pt[21] ^= 0x40;	/* pad bytes not 1,2,3... */
	ck_assert_int_eq(decap_crafted(out, in, seq++, pt, len), ESP_DROP_BAD_PAD);
	TRAILER(2, 4);
	pt[len - 2] = (uint8_t)(len - 1);	/* pad length beyond the payload */
	ck_assert_int_eq(decap_crafted(out, in, seq++, pt, len), ESP_DROP_BAD_PAD);
	TRAILER(2, 17);	/* tunnel mode only carries IP */
	ck_assert_int_eq(decap_crafted(out, in, seq++, pt, len), ESP_DROP_BAD_NEXT_HEADER);
	TRAILER(2, 41);	/* says IPv6, carries IPv4 */
	ck_assert_int_eq(decap_crafted(out, in, seq++, pt, len), ESP_DROP_BAD_INNER);
	TRAILER(2, 4);
	pt[3] = 200;	/* inner length beyond the payload */
	ck_assert_int_eq(decap_crafted(out, in, seq++, pt, len), ESP_DROP_BAD_INNER);
	pt[3] = 20;
	TRAILER(2, 59);	/* dummy packet */
	ck_assert_int_eq(decap_crafted(out, in, seq++, pt, len), ESP_DROP_DUMMY);
#undef TRAILER
	ck_assert_uint_eq(in->stats.drops[ESP_DROP_BAD_PAD], 2);
	ck_assert_uint_eq(in->stats.drops[ESP_DROP_BAD_NEXT_HEADER], 1);
	ck_assert_uint_eq(in->stats.drops[ESP_DROP_BAD_INNER], 2);
	ck_assert_uint_eq(in->stats.drops[ESP_DROP_DUMMY], 1);
	ck_assert_uint_eq(in->stats.packets, 1);
	/* authentic packets used their numbers even though dropped */
	ck_assert_uint_eq(in->replay.top, seq - 1);
	esp_sa_free(out);
	esp_sa_free(in);
}
END_TEST

static int soft_events, hard_events;

static void on_expire(void *ctx, struct esp_sa *sa, bool hard)
{
	(void)ctx;
	(void)sa;
	if (hard)
		hard_events++;
	else
		soft_events++;
}

START_TEST(esp_lifetimes_raise_events_and_stop_traffic)
{
	struct esp_sa *out, *in;
	uint8_t buf[ESP_TEST_BUFSZ], nh;
	struct esp_buf b;

	esp_test_pair(&esp_test_algs[2], KERNEL_MODE_TUNNEL, false, &out, &in);
	out->soft.packets = 3;
	out->hard.packets = 5;
	in->soft.bytes = 2 * 120;
	in->hard.bytes = 4 * 120;
	out->on_expire = in->on_expire = on_expire;
	soft_events = hard_events = 0;
	for (int i = 1; i <= 5; i++) {
		esp_test_inner(&b, buf, 4, 100);	/* 120 bytes inner */
		ck_assert_int_eq(esp_encap(out, &b, 0), ESP_OK);
		ck_assert_int_eq(esp_decap(in, &b, &nh), i <= 4 ? ESP_OK : ESP_DROP_EXPIRED);
		/* inbound soft after 2 packets' bytes, outbound after 3 packets */
		ck_assert_int_eq(soft_events, (i >= 2) + (i >= 3));
		ck_assert_int_eq(hard_events, (i >= 4) + (i >= 5));
	}
	ck_assert_int_eq(soft_events, 2);
	ck_assert_int_eq(hard_events, 2);
	esp_test_inner(&b, buf, 4, 100);
	ck_assert_int_eq(esp_encap(out, &b, 0), ESP_DROP_EXPIRED);
	ck_assert_uint_eq(out->stats.drops[ESP_DROP_EXPIRED], 1);
	ck_assert_uint_eq(in->stats.drops[ESP_DROP_EXPIRED], 1);
	ck_assert_uint_eq(in->stats.bytes, 4 * 120);
	ck_assert_int_eq(hard_events, 2);	/* once per SA */
	esp_sa_free(out);
	esp_sa_free(in);
}
END_TEST

START_TEST(esp_tfc_padding_is_removed_by_receiver)
{
	struct esp_sa *out, *in;
	uint8_t buf[ESP_TEST_BUFSZ], nh;
	struct esp_buf b;

	esp_test_pair(&esp_test_algs[_i], KERNEL_MODE_TUNNEL, false, &out, &in);
	out->tfc_pad = 500;
	esp_test_inner(&b, buf, _i % 2 ? 6 : 4, 60);
	ck_assert_uint_eq(esp_tailroom(out, b.len), 500 - b.len +
			  (out->crypto.align - 502 % out->crypto.align) % out->crypto.align + 2 +
			  out->crypto.icv_len);
	ck_assert_int_eq(esp_encap(out, &b, 0), ESP_OK);
	ck_assert_uint_ge(b.len, 500 + 8);	/* hides the real size */
	ck_assert_int_eq(esp_decap(in, &b, &nh), ESP_OK);
	ck_assert_uint_eq(b.len, (_i % 2 ? 40 : 20) + 60);
	esp_sa_free(out);
	esp_sa_free(in);
}
END_TEST

START_TEST(esp_no_room_is_refused)
{
	struct esp_sa *out, *in;
	uint8_t buf[ESP_TEST_BUFSZ];
	struct esp_buf b;

	esp_test_pair(&esp_test_algs[_i], KERNEL_MODE_TUNNEL, false, &out, &in);
	esp_test_inner(&b, buf, 4, 60);
	b.off = esp_headroom(out) - 1;	/* one byte short in front */
	memmove(buf + b.off, buf + ESP_TEST_HEADROOM, b.len);
	ck_assert_int_eq(esp_encap(out, &b, 0), ESP_DROP_NO_ROOM);
	esp_test_inner(&b, buf, 4, 60);
	b.cap = b.off + b.len + esp_tailroom(out, b.len) - 1;	/* one short behind */
	ck_assert_int_eq(esp_encap(out, &b, 0), ESP_DROP_NO_ROOM);
	b.cap++;
	ck_assert_int_eq(esp_encap(out, &b, 0), ESP_OK);
	ck_assert_uint_eq(b.off + b.len, b.cap);
	ck_assert_uint_eq(out->stats.drops[ESP_DROP_NO_ROOM], 2);
	ck_assert_uint_eq(out->seq_out, 1);	/* refused packets use no number */
	esp_sa_free(out);
	esp_sa_free(in);
}
END_TEST

static Suite *esp_tamper_suite(void)
{
	Suite *s = suite_create("esp_tamper");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, esp_tampered_fields_dropped_and_counted, 0, ESP_TEST_NALGS);
	tcase_add_loop_test(tc, esp_truncated_packets_dropped, 0, ESP_TEST_NALGS);
	tcase_add_loop_test(tc, esp_bad_trailer_dropped, 0, ESP_TEST_NALGS);
	tcase_add_test(tc, esp_lifetimes_raise_events_and_stop_traffic);
	tcase_add_loop_test(tc, esp_tfc_padding_is_removed_by_receiver, 0, ESP_TEST_NALGS);
	tcase_add_loop_test(tc, esp_no_room_is_refused, 0, ESP_TEST_NALGS);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(esp_tamper_suite)
