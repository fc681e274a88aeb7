#include "control/vici_frame.h"

#include <stdlib.h>
#include <string.h>

#include "lib/rd.h"

static const char *const op_names[] = {
	"CMD_REQUEST", "CMD_RESPONSE", "CMD_UNKNOWN", "EVENT_REGISTER",
	"EVENT_UNREGISTER", "EVENT_CONFIRM", "EVENT_UNKNOWN", "EVENT",
};

bool vici_op_is_named(enum vici_op op)
{
	return op == VICI_CMD_REQUEST || op == VICI_EVENT_REGISTER ||
	       op == VICI_EVENT_UNREGISTER || op == VICI_EVENT;
}

static bool op_has_body(enum vici_op op)
{
	return op == VICI_CMD_REQUEST || op == VICI_CMD_RESPONSE ||
	       op == VICI_EVENT;
}

const char *vici_op_name(enum vici_op op)
{
	return (unsigned)op < sizeof(op_names) / sizeof(op_names[0]) ?
	       op_names[op] : "UNKNOWN_OP";
}

static bool name_ok(const uint8_t *p, size_t len)
{
	if (len == 0 || len > 255)
		return false;
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return false;
	return true;
}

bool vici_packet_parse(const uint8_t *payload, size_t len,
		       struct vici_packet *out, const char **reason)
{
	struct rd r = rd_init(payload, len);
	const uint8_t *name;
	uint8_t op, nlen;

	memset(out, 0, sizeof(*out));
	if (!rd_u8(&r, &op)) {
		*reason = "empty frame";
		return false;
	}
	if (op > VICI_EVENT) {
		*reason = "unknown operation type";
		return false;
	}
	out->op = op;
	if (vici_op_is_named(op)) {
		if (!rd_u8(&r, &nlen) || !rd_ptr(&r, nlen, &name)) {
			*reason = "truncated operation name";
			return false;
		}
		if (!name_ok(name, nlen)) {
			*reason = "invalid operation name";
			return false;
		}
		memcpy(out->name, name, nlen);
		out->name[nlen] = '\0';
		out->name_len = nlen;
	}
	if (r.left && !op_has_body(op)) {
		*reason = "unexpected body";
		return false;
	}
	out->body = r.p;
	out->body_len = r.left;
	return true;
}

void vici_frame_reader_init(struct vici_frame_reader *r)
{
	memset(r, 0, sizeof(*r));
}

void vici_frame_reader_free(struct vici_frame_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

enum vici_frame_status vici_frame_reader_feed(struct vici_frame_reader *r,
					      const uint8_t *p, size_t len,
					      size_t *consumed)
{
	size_t used = 0, n;

	*consumed = 0;
	if (r->error)
		return VICI_FRAME_ERROR;
	if (r->ready) {		/* the previous payload has been handled */
		free(r->buf);
		r->buf = NULL;
		r->ready = false;
		r->hdr_got = r->need = r->got = 0;
	}
	while (r->hdr_got < 4) {
		if (used == len)
			goto more;
		r->hdr[r->hdr_got++] = p[used++];
		if (r->hdr_got == 4) {
			struct rd h = rd_init(r->hdr, 4);
			uint32_t flen;

			rd_u32(&h, &flen);
			if (flen == 0 || flen > VICI_FRAME_MAX) {
				r->error = flen ? "frame too large" : "empty frame";
				*consumed = used;
				return VICI_FRAME_ERROR;
			}
			r->need = flen;
			r->buf = malloc(flen);
			if (!r->buf) {
				r->error = "out of memory";
				*consumed = used;
				return VICI_FRAME_ERROR;
			}
		}
	}
	n = len - used;
	if (n > r->need - r->got)
		n = r->need - r->got;
	if (n)
		memcpy(r->buf + r->got, p + used, n);
	r->got += n;
	used += n;
	*consumed = used;
	if (r->got < r->need)
		return VICI_FRAME_MORE;
	r->ready = true;
	return VICI_FRAME_READY;
more:
	*consumed = used;
	return VICI_FRAME_MORE;
}

const uint8_t *vici_frame_reader_payload(const struct vici_frame_reader *r,
					 size_t *len)
{
	*len = r->ready ? r->need : 0;
	return r->ready ? r->buf : NULL;
}

size_t vici_frame_begin(struct wbuf *w, enum vici_op op, const char *name)
{
	size_t start, nlen = name ? strlen(name) : 0;

	if ((unsigned)op > VICI_EVENT)
		return SIZE_MAX;
	if (vici_op_is_named(op) ? !name_ok((const uint8_t *)name, nlen) : nlen)
		return SIZE_MAX;
	start = wbuf_reserve(w, 4);
	wbuf_u8(w, (uint8_t)op);
	if (vici_op_is_named(op)) {
		wbuf_u8(w, (uint8_t)nlen);
		wbuf_bytes(w, name, nlen);
	}
	return start;
}

bool vici_frame_end(struct wbuf *w, size_t start)
{
	size_t plen;

	if (start == SIZE_MAX || !wbuf_ok(w) || start + 4 > w->len)
		return false;
	plen = w->len - start - 4;
	if (plen > VICI_FRAME_MAX) {
		w->len = start;		/* drop the oversized frame */
		return false;
	}
	wbuf_put_u32_at(w, start, (uint32_t)plen);
	return true;
}

bool vici_frame_write(struct wbuf *w, enum vici_op op, const char *name,
		      const uint8_t *body, size_t body_len)
{
	size_t start = vici_frame_begin(w, op, name);

	if (start == SIZE_MAX)
		return false;
	wbuf_bytes(w, body, body_len);
	return vici_frame_end(w, start);
}
