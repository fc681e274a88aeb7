#include "check_main.h"
#include "control/vici_frame.h"
#include "control/vici_msg.h"

/* Three frames back to back as a client pipelines them: register list-sa,
 * a list-sas request with a body, and an unnamed op (illegal from a client,
 * but the frame layer does not care). */
static void build_stream(struct wbuf *w)
{
	struct vici_builder b;
	size_t start;

	ck_assert(vici_frame_write(w, VICI_EVENT_REGISTER, "list-sa", NULL, 0));
	start = vici_frame_begin(w, VICI_CMD_REQUEST, "list-sas");
	vici_builder_init(&b, w);
	vici_builder_add_kv_str(&b, "noblock", "yes");
	vici_builder_add_kv_str(&b, "ike", "gw");
	ck_assert(vici_builder_finish(&b, NULL));
	ck_assert(vici_frame_end(w, start));
	ck_assert(vici_frame_write(w, VICI_CMD_UNKNOWN, NULL, NULL, 0));
}

static void check_packet(int idx, const uint8_t *p, size_t len)
{
	struct vici_packet pkt;
	const char *why;

	ck_assert_msg(vici_packet_parse(p, len, &pkt, &why), "%s", why);
	switch (idx) {
	case 0:
		ck_assert_int_eq(pkt.op, VICI_EVENT_REGISTER);
		ck_assert_str_eq(pkt.name, "list-sa");
		ck_assert_uint_eq(pkt.body_len, 0);
		break;
	case 1: {
		struct rd r = rd_init(pkt.body, pkt.body_len);
		struct vici_msg *m;
		char v[8];

		ck_assert_int_eq(pkt.op, VICI_CMD_REQUEST);
		ck_assert_str_eq(pkt.name, "list-sas");
		m = vici_msg_parse(&r, &why);
		ck_assert(m);
		ck_assert(vici_msg_get_str_buf(m, "ike", v, sizeof(v)));
		ck_assert_str_eq(v, "gw");
		vici_msg_free(m);
		break;
	}
	case 2:
		ck_assert_int_eq(pkt.op, VICI_CMD_UNKNOWN);
		ck_assert_str_eq(pkt.name, "");
		break;
	default:
		ck_abort_msg("too many packets");
	}
}

/* Deliver the stream in two pieces split at every byte position, and also
 * one byte at a time: the same three packets come out each time. */
START_TEST(frame_reader_split_everywhere)
{
	struct wbuf w;

	wbuf_init(&w);
	build_stream(&w);
	for (size_t split = 0; split <= w.len + 1; split++) {
		struct vici_frame_reader r;
		int got = 0;
		bool bytewise = split == w.len + 1;
		size_t pos = 0;

		vici_frame_reader_init(&r);
		while (pos < w.len) {
			size_t end = bytewise ? pos + 1 : (pos < split ? split : w.len);
			size_t used;
			enum vici_frame_status st;

			st = vici_frame_reader_feed(&r, w.p + pos, end - pos, &used);
			ck_assert(st != VICI_FRAME_ERROR);
			ck_assert_uint_le(used, end - pos);
			pos += used;
			if (st == VICI_FRAME_READY) {
				const uint8_t *p;
				size_t len;

				p = vici_frame_reader_payload(&r, &len);
				check_packet(got++, p, len);
			} else {
				ck_assert_uint_eq(used, end - pos + used);	/* MORE eats all */
			}
		}
		ck_assert_msg(got == 3, "split %zu: %d packets", split, got);
		vici_frame_reader_free(&r);
	}
	wbuf_free(&w);
}
END_TEST

START_TEST(frame_reader_rejects_bad_lengths)
{
	static const struct {
		const char *hex;
		const char *reason;
	} cases[] = {
		{ "00000000", "empty frame" },
		{ "00080001", "frame too large" },		/* 512 KiB + 1 */
		{ "ffffffff", "frame too large" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vici_frame_reader r;
		uint8_t in[8];
		size_t len = test_unhex(cases[i].hex, in, sizeof(in)), used;

		vici_frame_reader_init(&r);
		ck_assert_int_eq(vici_frame_reader_feed(&r, in, len, &used), VICI_FRAME_ERROR);
		ck_assert_str_eq(r.error, cases[i].reason);
		/* sticky */
		ck_assert_int_eq(vici_frame_reader_feed(&r, in, len, &used), VICI_FRAME_ERROR);
		ck_assert_uint_eq(used, 0);
		vici_frame_reader_free(&r);
	}
}
END_TEST

START_TEST(frame_reader_accepts_max_size)
{
	struct vici_frame_reader r;
	uint8_t hdr[4] = { 0x00, 0x08, 0x00, 0x00 };	/* exactly 512 KiB */
	uint8_t *body = calloc(1, VICI_FRAME_MAX);
	const uint8_t *p;
	size_t used, len;

	ck_assert(body);
	vici_frame_reader_init(&r);
	ck_assert_int_eq(vici_frame_reader_feed(&r, hdr, 4, &used), VICI_FRAME_MORE);
	ck_assert_int_eq(vici_frame_reader_feed(&r, body, VICI_FRAME_MAX, &used),
			 VICI_FRAME_READY);
	ck_assert_uint_eq(used, VICI_FRAME_MAX);
	p = vici_frame_reader_payload(&r, &len);
	ck_assert(p && len == VICI_FRAME_MAX);
	vici_frame_reader_free(&r);
	free(body);
}
END_TEST

START_TEST(packet_parse_cases)
{
	static const struct {
		const char *hex;
		const char *reason;	/* NULL = valid */
	} cases[] = {
		{ "00 07 76657273696f6e", NULL },		/* CMD_REQUEST version */
		{ "00 07 76657273696f6e 030161000162", NULL },
		{ "01 030161000162", NULL },			/* CMD_RESPONSE */
		{ "05", NULL },					/* EVENT_CONFIRM */
		{ "07 03 6c6f67 030161000162", NULL },		/* EVENT log */
		{ "", "empty frame" },
		{ "08", "unknown operation type" },
		{ "ff", "unknown operation type" },
		{ "00", "truncated operation name" },
		{ "00 07 7665", "truncated operation name" },
		{ "03 05 6c6f67", "truncated operation name" },
		{ "00 00", "invalid operation name" },
		{ "00 02 6100", "invalid operation name" },
		{ "00 02 6120", "invalid operation name" },
		{ "03 03 6c6f67 00", "unexpected body" },	/* register has no body */
		{ "02 00", "unexpected body" },
		{ "05 01", "unexpected body" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t in[64];
		size_t len = test_unhex(cases[i].hex, in, sizeof(in));
		struct vici_packet pkt;
		const char *why = NULL;
		bool ok = vici_packet_parse(in, len, &pkt, &why);

		if (!cases[i].reason)
			ck_assert_msg(ok, "case %zu: %s", i, why);
		else
			ck_assert_msg(!ok && strcmp(why, cases[i].reason) == 0,
				      "case %zu: got %s", i, ok ? "ok" : why);
	}
}
END_TEST

START_TEST(frame_writer_checks)
{
	struct wbuf w;
	uint8_t *big = calloc(1, VICI_FRAME_MAX);
	const uint8_t want[] = { 0, 0, 0, 9, 3, 7, 'l', 'i', 's', 't', '-', 's', 'a' };

	ck_assert(big);
	wbuf_init(&w);
	ck_assert(vici_frame_write(&w, VICI_EVENT_REGISTER, "list-sa", NULL, 0));
	ck_assert_uint_eq(w.len, sizeof(want));
	ck_assert(memcmp(w.p, want, sizeof(want)) == 0);
	wbuf_reset(&w);
	ck_assert(!vici_frame_write(&w, VICI_CMD_REQUEST, NULL, NULL, 0));	/* needs a name */
	ck_assert(!vici_frame_write(&w, VICI_CMD_RESPONSE, "x", NULL, 0));	/* takes none */
	ck_assert(!vici_frame_write(&w, (enum vici_op)8, NULL, NULL, 0));
	ck_assert(!vici_frame_write(&w, VICI_CMD_REQUEST, "bad name", NULL, 0));
	ck_assert_uint_eq(w.len, 0);
	/* op byte + body must fit in 512 KiB */
	ck_assert(vici_frame_write(&w, VICI_CMD_RESPONSE, NULL, big, VICI_FRAME_MAX - 1));
	ck_assert_uint_eq(w.len, 4 + VICI_FRAME_MAX);
	wbuf_reset(&w);
	ck_assert(!vici_frame_write(&w, VICI_CMD_RESPONSE, NULL, big, VICI_FRAME_MAX));
	ck_assert_uint_eq(w.len, 0);
	wbuf_free(&w);
	free(big);
}
END_TEST

static Suite *vici_frame_suite(void)
{
	Suite *s = suite_create("vici_frame");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, frame_reader_split_everywhere);
	tcase_add_test(tc, frame_reader_rejects_bad_lengths);
	tcase_add_test(tc, frame_reader_accepts_max_size);
	tcase_add_test(tc, packet_parse_cases);
	tcase_add_test(tc, frame_writer_checks);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(vici_frame_suite)
