/* JSON rendering of VICI messages: sections become objects, lists arrays,
 * values strings. Bytes that are not valid UTF-8 are written as lone
 * surrogate escapes \udc80..\udcff (Python's "surrogateescape"), so every
 * value survives a round trip and the output is always plain ASCII-safe
 * JSON text. */
#ifndef CYGNET_TOOLS_CYGNETCTL_RENDER_JSON_H
#define CYGNET_TOOLS_CYGNETCTL_RENDER_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "control/vici_msg.h"

/* Length of the valid UTF-8 sequence at p (RFC 3629), 0 if none starts
 * there; left > 0. */
size_t json_utf8_seq_len(const uint8_t *p, size_t left);

/* indent < 0: everything on one line; otherwise spaces per level, and
 * level is the nesting level the value starts at. */
void json_write_string(FILE *f, const uint8_t *p, size_t len);
void json_write_cstr(FILE *f, const char *s);
void json_write_node(FILE *f, const struct vici_node *n, int indent, int level);
void json_write_msg(FILE *f, const struct vici_msg *m, int indent, int level);
/* Newline plus indentation for level (nothing when indent < 0). */
void json_newline(FILE *f, int indent, int level);

#endif
