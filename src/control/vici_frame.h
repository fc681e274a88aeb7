/* VICI framing: u32 big-endian payload length, then the payload
 * (u8 operation, for named operations a u8 name length and the name, then
 * the message body). An incremental reader takes bytes as they arrive. */
#ifndef CYGNET_CONTROL_VICI_FRAME_H
#define CYGNET_CONTROL_VICI_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/wbuf.h"

/* strongSwan's VICI_MESSAGE_SIZE_MAX: larger headers are a read error. */
#define VICI_FRAME_MAX (512 * 1024)

enum vici_op {
	VICI_CMD_REQUEST = 0,
	VICI_CMD_RESPONSE = 1,
	VICI_CMD_UNKNOWN = 2,
	VICI_EVENT_REGISTER = 3,
	VICI_EVENT_UNREGISTER = 4,
	VICI_EVENT_CONFIRM = 5,
	VICI_EVENT_UNKNOWN = 6,
	VICI_EVENT = 7,
};

bool vici_op_is_named(enum vici_op op);
const char *vici_op_name(enum vici_op op);	/* "CMD_REQUEST", ... */

/* One decoded payload; name and body point into the payload bytes. */
struct vici_packet {
	enum vici_op op;
	char name[256];		/* NUL-terminated; "" for unnamed ops */
	size_t name_len;
	const uint8_t *body;
	size_t body_len;
};

/* Split a payload into op, name and body. Names must be 1..255 printable
 * ASCII bytes (0x21-0x7e); ops without a body must have none. */
bool vici_packet_parse(const uint8_t *payload, size_t len,
		       struct vici_packet *out, const char **reason);

enum vici_frame_status {
	VICI_FRAME_MORE,	/* all input consumed, no frame complete yet */
	VICI_FRAME_READY,	/* a payload is complete; see _payload() */
	VICI_FRAME_ERROR,	/* stream is broken: close the connection */
};

struct vici_frame_reader {
	uint8_t hdr[4];
	size_t hdr_got;
	uint8_t *buf;		/* payload being assembled */
	size_t need, got;
	bool ready;
	const char *error;
};

void vici_frame_reader_init(struct vici_frame_reader *r);
void vici_frame_reader_free(struct vici_frame_reader *r);
/* Feed bytes; stops right after a complete frame, so *consumed may be less
 * than len. A READY payload stays valid until the next call. Errors are
 * sticky and reason is in r->error. */
enum vici_frame_status vici_frame_reader_feed(struct vici_frame_reader *r,
					      const uint8_t *p, size_t len,
					      size_t *consumed);
const uint8_t *vici_frame_reader_payload(const struct vici_frame_reader *r,
					 size_t *len);

/* Writing a frame: begin writes header + op (+ name) and returns the
 * offset of the length field; the caller appends the body (e.g. through a
 * vici_builder on the same wbuf) and end patches the length. end fails if
 * the payload exceeds VICI_FRAME_MAX or the wbuf failed. */
size_t vici_frame_begin(struct wbuf *w, enum vici_op op, const char *name);
bool vici_frame_end(struct wbuf *w, size_t start);
/* Whole frame in one call. */
bool vici_frame_write(struct wbuf *w, enum vici_op op, const char *name,
		      const uint8_t *body, size_t body_len);

#endif
