/* Codec internals shared by msg_parse.c / msg_write.c and the per-payload
 * body parsers and writers. Not for use outside src/ike/msg*.c, payload*.c. */
#ifndef CYGNET_IKE_PAYLOAD_H
#define CYGNET_IKE_PAYLOAD_H

#include "ike/msg.h"
#include "lib/rd.h"

/* A payload type this codec knows (has a parser for). */
bool payload_known(uint8_t type);

/* Parse the body of p (p->type set) from body; 'request' selects the SA
 * proposal numbering rule. Arrays go into m's arena. */
enum ike_err_code payload_parse_body(struct ike_msg *m, struct ike_payload *p,
				     struct rd *body, bool request,
				     struct ike_err *err);

/* Append the body of p (without generic header) to w. */
enum ike_err_code payload_write_body(const struct ike_payload *p,
				     struct wbuf *w, struct ike_err *err);

#endif
