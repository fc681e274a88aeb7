/* VICI: frame reader + packet split + message parser. Every message that
 * parses is rebuilt with the builder: the bytes must come back unchanged
 * (the encoding is canonical) and the re-parsed tree must be equal. */
#include <stdlib.h>
#include <string.h>

#include "control/vici_frame.h"
#include "control/vici_msg.h"

static void walk(const struct vici_node *n, unsigned depth)
{
	char buf[64], *s;

	for (const struct vici_node *c = vici_node_first(n); c; c = vici_node_next(c)) {
		switch (vici_node_type(c)) {
		case VICI_NODE_SECTION:
			if (depth > VICI_MAX_DEPTH)
				abort();
			walk(c, depth + 1);
			break;
		case VICI_NODE_LIST:
			walk(c, depth);
			break;
		default:
			s = vici_node_str(c);
			if (s && !vici_node_str_buf(c, buf, sizeof(buf)) && strlen(s) < sizeof(buf))
				abort();
			free(s);
			break;
		}
	}
}

static void check_msg(const uint8_t *p, size_t len)
{
	struct rd r = rd_init(p, len);
	struct vici_builder b;
	struct vici_msg *m, *m2;
	struct wbuf w;
	const char *why;

	m = vici_msg_parse(&r, &why);
	if (!m)
		return;
	walk(vici_msg_root(m), 0);
	(void)vici_msg_find(m, "a.b");
	wbuf_init(&w);
	vici_builder_init(&b, &w);
	if (!vici_msg_build(m, &b) || !vici_builder_finish(&b, &why))
		abort();
	if (w.len != len || (len && memcmp(w.p, p, len) != 0))
		abort();
	r = rd_init(w.p, w.len);
	m2 = vici_msg_parse(&r, &why);
	if (!m2 || !vici_msg_equal(m, m2))
		abort();
	vici_msg_free(m2);
	vici_msg_free(m);
	wbuf_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vici_frame_reader fr;
	size_t pos = 0, chunk = size ? (size_t)(data[size - 1] % 61) + 1 : 1;

	check_msg(data, size);

	/* The same bytes as a stream arriving in chunks. */
	vici_frame_reader_init(&fr);
	while (pos < size) {
		size_t n = size - pos < chunk ? size - pos : chunk, used, plen;
		enum vici_frame_status st = vici_frame_reader_feed(&fr, data + pos, n, &used);
		struct vici_packet pkt;
		const uint8_t *payload;
		const char *why;

		if (used > n)
			abort();
		pos += used;
		if (st == VICI_FRAME_ERROR)
			break;
		if (st != VICI_FRAME_READY)
			continue;
		payload = vici_frame_reader_payload(&fr, &plen);
		if (vici_packet_parse(payload, plen, &pkt, &why)) {
			struct wbuf w;

			check_msg(pkt.body, pkt.body_len);
			/* re-frame: same payload bytes */
			wbuf_init(&w);
			if (!vici_frame_write(&w, pkt.op, vici_op_is_named(pkt.op) ? pkt.name : NULL,
					      pkt.body, pkt.body_len) ||
			    w.len != plen + 4 || memcmp(w.p + 4, payload, plen) != 0)
				abort();
			wbuf_free(&w);
		}
	}
	vici_frame_reader_free(&fr);
	return 0;
}
