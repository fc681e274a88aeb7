/* VICI message elements: a parsed tree for requests, a builder for replies.
 *
 * A message is a flat run of elements (section start/end, key/value, list
 * start/item/end). The parser turns untrusted bytes into a read-only tree
 * and rejects everything strongSwan's grammar forbids; the builder writes
 * the same bytes back (the encoding is canonical, so parse + build of a
 * valid message reproduces it byte for byte). Values are raw bytes. */
#ifndef CYGNET_CONTROL_VICI_MSG_H
#define CYGNET_CONTROL_VICI_MSG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/rd.h"
#include "lib/wbuf.h"

/* Wire element types. */
enum vici_elem {
	VICI_SECTION_START = 1,
	VICI_SECTION_END = 2,
	VICI_KEY_VALUE = 3,
	VICI_LIST_START = 4,
	VICI_LIST_ITEM = 5,
	VICI_LIST_END = 6,
};

/* Limits enforced by the parser and the builder. */
#define VICI_MAX_DEPTH 16		/* nested sections below the root */
#define VICI_MAX_ELEMENTS 65536		/* nodes (kv, list, item, section) per message */
#define VICI_MAX_NAME 255		/* u8 length on the wire; 0 is rejected */
#define VICI_MAX_VALUE 65535		/* u16 length on the wire */

enum vici_node_type {
	VICI_NODE_SECTION,	/* named children in wire order */
	VICI_NODE_KV,		/* name + value */
	VICI_NODE_LIST,		/* name + items */
	VICI_NODE_ITEM,		/* value only, child of a list */
};

struct vici_msg;
struct vici_node;

/* Parse a whole message body. On error returns NULL and sets *reason (a
 * static string for log lines). The tree copies what it needs: the input
 * may be freed afterwards. */
struct vici_msg *vici_msg_parse(struct rd *r, const char **reason);
void vici_msg_free(struct vici_msg *m);

/* The unnamed top-level section. */
const struct vici_node *vici_msg_root(const struct vici_msg *m);

/* Look up by dotted path ("conn.local.auth"): every component but the last
 * names a section; the last names any child. Names containing '.' can only
 * be reached with vici_node_child(). NULL if absent. */
const struct vici_node *vici_msg_find(const struct vici_msg *m, const char *path);

/* String value of the key/value at path: a malloc'd NUL-terminated copy,
 * NULL if absent, not a key/value, or the value holds a NUL byte. */
char *vici_msg_get_str(const struct vici_msg *m, const char *path);
/* Same into a caller buffer; false also if it does not fit. */
bool vici_msg_get_str_buf(const struct vici_msg *m, const char *path,
			  char *buf, size_t size);
/* The list at path, or NULL if absent or not a list. */
const struct vici_node *vici_msg_get_list(const struct vici_msg *m, const char *path);

/* Navigation: children in wire order. */
enum vici_node_type vici_node_type(const struct vici_node *n);
const struct vici_node *vici_node_first(const struct vici_node *n);
const struct vici_node *vici_node_next(const struct vici_node *n);
size_t vici_node_count(const struct vici_node *n);	/* children */
/* Direct child by exact name (sections only). */
const struct vici_node *vici_node_child(const struct vici_node *sec,
					const char *name);
/* Name bytes (not NUL-terminated; empty for the root and list items). */
const uint8_t *vici_node_name(const struct vici_node *n, size_t *len);
/* True if the node's name equals the C string s. */
bool vici_node_name_is(const struct vici_node *n, const char *s);
/* Value bytes of a key/value or list item (NULL and 0 otherwise). */
const uint8_t *vici_node_value(const struct vici_node *n, size_t *len);
/* Value as a malloc'd C string; NULL if no value or an embedded NUL. */
char *vici_node_str(const struct vici_node *n);
bool vici_node_str_buf(const struct vici_node *n, char *buf, size_t size);

/* Structural equality (names, values, order). */
bool vici_msg_equal(const struct vici_msg *a, const struct vici_msg *b);

/* ---- builder ---------------------------------------------------------- */

/* Writes elements into w. Misuse (unbalanced end, kv in a list, item
 * outside a list, nested list, bad name, oversized value, too deep) sets a
 * sticky error; vici_builder_finish() reports it and checks balance. */
struct vici_builder {
	struct wbuf *w;
	unsigned depth;		/* open sections */
	bool in_list;
	size_t elements;
	const char *error;	/* first error, NULL if none */
};

void vici_builder_init(struct vici_builder *b, struct wbuf *w);
bool vici_builder_begin_section(struct vici_builder *b, const char *name);
bool vici_builder_end_section(struct vici_builder *b);
bool vici_builder_add_kv(struct vici_builder *b, const char *name,
			 const void *value, size_t len);
bool vici_builder_add_kv_str(struct vici_builder *b, const char *name,
			     const char *value);
bool vici_builder_add_kv_fmt(struct vici_builder *b, const char *name,
			     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool vici_builder_begin_list(struct vici_builder *b, const char *name);
bool vici_builder_add_list_item(struct vici_builder *b, const void *value,
				size_t len);
bool vici_builder_add_list_item_str(struct vici_builder *b, const char *value);
bool vici_builder_add_list_item_fmt(struct vici_builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool vici_builder_end_list(struct vici_builder *b);
/* Same with a name given as bytes (for copying parsed trees). */
bool vici_builder_begin_section_n(struct vici_builder *b, const uint8_t *name,
				  size_t len);
bool vici_builder_add_kv_n(struct vici_builder *b, const uint8_t *name,
			   size_t name_len, const void *value, size_t len);
bool vici_builder_begin_list_n(struct vici_builder *b, const uint8_t *name,
			       size_t len);
/* True if balanced and error-free; otherwise *reason says why. */
bool vici_builder_finish(struct vici_builder *b, const char **reason);

/* Write a parsed tree's elements through a builder (root section's
 * children, i.e. the message body). */
bool vici_msg_build(const struct vici_msg *m, struct vici_builder *b);

#endif
