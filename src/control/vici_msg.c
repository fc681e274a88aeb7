/* VICI message codec: two-pass parser (validate and count, then build the
 * tree without reallocation so node pointers stay stable) and a builder. */
#include "control/vici_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vici_node {
	enum vici_node_type type;
	const uint8_t *name;
	size_t name_len;
	const uint8_t *value;
	size_t value_len;
	struct vici_node *parent, *first, *last, *next;
	size_t count;
};

struct vici_msg {
	uint8_t *data;		/* copy of the body; names/values point here */
	struct vici_node *nodes;	/* nodes[0] is the root */
	size_t n;
};

/* ---- parsing ---------------------------------------------------------- */

static const char *parse_name(struct rd *r, const uint8_t **name, size_t *len)
{
	uint8_t l;

	if (!rd_u8(r, &l))
		return "truncated name length";
	if (l == 0)
		return "empty name";
	if (!rd_ptr(r, l, name))
		return "truncated name";
	if (memchr(*name, 0, l))
		return "NUL byte in name";
	*len = l;
	return NULL;
}

static const char *parse_value(struct rd *r, const uint8_t **value, size_t *len)
{
	uint16_t l;

	if (!rd_u16(r, &l))
		return "truncated value length";
	if (!rd_ptr(r, l, value))
		return "truncated value";
	*len = l;
	return NULL;
}

/* Pass 1: check the grammar and count the nodes. */
static const char *parse_check(struct rd r, size_t *nodes)
{
	unsigned depth = 0;
	bool in_list = false;
	const uint8_t *p;
	size_t len;
	const char *err;
	uint8_t t;

	*nodes = 1;
	while (r.left) {
		rd_u8(&r, &t);
		switch (t) {
		case VICI_SECTION_START:
			if (in_list)
				return "section inside a list";
			if ((err = parse_name(&r, &p, &len)))
				return err;
			if (++depth > VICI_MAX_DEPTH)
				return "sections nested too deep";
			break;
		case VICI_SECTION_END:
			if (in_list)
				return "section end inside a list";
			if (depth == 0)
				return "unbalanced section end";
			depth--;
			continue;
		case VICI_KEY_VALUE:
			if (in_list)
				return "key/value inside a list";
			if ((err = parse_name(&r, &p, &len)) ||
			    (err = parse_value(&r, &p, &len)))
				return err;
			break;
		case VICI_LIST_START:
			if (in_list)
				return "nested list";
			if ((err = parse_name(&r, &p, &len)))
				return err;
			in_list = true;
			break;
		case VICI_LIST_ITEM:
			if (!in_list)
				return "list item outside a list";
			if ((err = parse_value(&r, &p, &len)))
				return err;
			break;
		case VICI_LIST_END:
			if (!in_list)
				return "list end outside a list";
			in_list = false;
			continue;
		default:
			return "unknown element type";
		}
		if (++*nodes > VICI_MAX_ELEMENTS)
			return "too many elements";
	}
	if (in_list)
		return "unterminated list";
	if (depth)
		return "unterminated section";
	return NULL;
}

/* Duplicate-key detection: one open-addressing table over (parent, name)
 * for the whole message keeps it linear even for hostile input. */
struct dup_table {
	uint32_t *slot;		/* node index + 1, 0 = empty */
	size_t mask;
};

static size_t dup_hash(const struct vici_node *n)
{
	size_t h = (size_t)(uintptr_t)n->parent * 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < n->name_len; i++)
		h = (h ^ n->name[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

static bool dup_insert(struct dup_table *t, struct vici_node *nodes, size_t idx)
{
	const struct vici_node *n = &nodes[idx];
	size_t i = dup_hash(n) & t->mask;

	while (t->slot[i]) {
		const struct vici_node *o = &nodes[t->slot[i] - 1];
		if (o->parent == n->parent && o->name_len == n->name_len &&
		    memcmp(o->name, n->name, n->name_len) == 0)
			return false;
		i = (i + 1) & t->mask;
	}
	t->slot[i] = (uint32_t)(idx + 1);
	return true;
}

static void node_append(struct vici_node *parent, struct vici_node *n)
{
	n->parent = parent;
	if (parent->last)
		parent->last->next = n;
	else
		parent->first = n;
	parent->last = n;
	parent->count++;
}

/* Pass 2: the grammar is known to be valid; build and check keys. */
static const char *parse_build(struct vici_msg *m, struct rd r)
{
	struct dup_table t;
	struct vici_node *cur = &m->nodes[0];
	size_t size = 4, idx = 1;
	const char *err = NULL;
	uint8_t type;

	while (size < m->n * 2)
		size <<= 1;
	t.slot = calloc(size, sizeof(*t.slot));
	if (!t.slot)
		return "out of memory";
	t.mask = size - 1;

	while (r.left) {
		struct vici_node *n;

		rd_u8(&r, &type);
		if (type == VICI_SECTION_END || type == VICI_LIST_END) {
			cur = cur->parent;
			continue;
		}
		n = &m->nodes[idx];
		switch (type) {
		case VICI_SECTION_START:
			n->type = VICI_NODE_SECTION;
			parse_name(&r, &n->name, &n->name_len);
			break;
		case VICI_KEY_VALUE:
			n->type = VICI_NODE_KV;
			parse_name(&r, &n->name, &n->name_len);
			parse_value(&r, &n->value, &n->value_len);
			break;
		case VICI_LIST_START:
			n->type = VICI_NODE_LIST;
			parse_name(&r, &n->name, &n->name_len);
			break;
		default:	/* VICI_LIST_ITEM */
			n->type = VICI_NODE_ITEM;
			parse_value(&r, &n->value, &n->value_len);
			break;
		}
		node_append(cur, n);
		if (n->type != VICI_NODE_ITEM && !dup_insert(&t, m->nodes, idx)) {
			err = "duplicate key in section";
			break;
		}
		if (n->type == VICI_NODE_SECTION || n->type == VICI_NODE_LIST)
			cur = n;
		idx++;
	}
	free(t.slot);
	return err;
}

struct vici_msg *vici_msg_parse(struct rd *r, const char **reason)
{
	struct vici_msg *m;
	struct rd body = *r;
	const char *err;
	size_t n;

	/* Not rd_rest(): it offsets a NULL pointer for rd_init(NULL, 0). */
	if (r->left)
		rd_skip(r, r->left);

	if ((err = parse_check(body, &n))) {
		*reason = err;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->nodes = calloc(n, sizeof(*m->nodes))) ||
	    !(m->data = malloc(body.left ? body.left : 1))) {
		vici_msg_free(m);
		*reason = "out of memory";
		return NULL;
	}
	m->n = n;
	m->nodes[0].type = VICI_NODE_SECTION;
	if (body.left)
		memcpy(m->data, body.p, body.left);
	if ((err = parse_build(m, rd_init(m->data, body.left)))) {
		vici_msg_free(m);
		*reason = err;
		return NULL;
	}
	return m;
}

void vici_msg_free(struct vici_msg *m)
{
	if (!m)
		return;
	free(m->nodes);
	free(m->data);
	free(m);
}

/* ---- access ----------------------------------------------------------- */

const struct vici_node *vici_msg_root(const struct vici_msg *m)
{
	return &m->nodes[0];
}

enum vici_node_type vici_node_type(const struct vici_node *n)
{
	return n->type;
}

const struct vici_node *vici_node_first(const struct vici_node *n)
{
	return n->first;
}

const struct vici_node *vici_node_next(const struct vici_node *n)
{
	return n->next;
}

size_t vici_node_count(const struct vici_node *n)
{
	return n->count;
}

static const struct vici_node *child_n(const struct vici_node *sec,
				       const char *name, size_t len)
{
	if (!sec || sec->type != VICI_NODE_SECTION)
		return NULL;
	for (const struct vici_node *c = sec->first; c; c = c->next)
		if (c->name_len == len && memcmp(c->name, name, len) == 0)
			return c;
	return NULL;
}

const struct vici_node *vici_node_child(const struct vici_node *sec,
					const char *name)
{
	return child_n(sec, name, strlen(name));
}

const uint8_t *vici_node_name(const struct vici_node *n, size_t *len)
{
	*len = n->name_len;
	return n->name ? n->name : (const uint8_t *)"";
}

bool vici_node_name_is(const struct vici_node *n, const char *s)
{
	size_t l = strlen(s);

	return n->name_len == l && (!l || memcmp(n->name, s, l) == 0);
}

const uint8_t *vici_node_value(const struct vici_node *n, size_t *len)
{
	*len = n->value_len;
	return n->value;
}

bool vici_node_str_buf(const struct vici_node *n, char *buf, size_t size)
{
	if (!n || (n->type != VICI_NODE_KV && n->type != VICI_NODE_ITEM) ||
	    n->value_len >= size || memchr(n->value, 0, n->value_len))
		return false;
	if (n->value_len)
		memcpy(buf, n->value, n->value_len);
	buf[n->value_len] = '\0';
	return true;
}

char *vici_node_str(const struct vici_node *n)
{
	char *s;

	if (!n)
		return NULL;
	s = malloc(n->value_len + 1);
	if (s && !vici_node_str_buf(n, s, n->value_len + 1)) {
		free(s);
		s = NULL;
	}
	return s;
}

const struct vici_node *vici_msg_find(const struct vici_msg *m, const char *path)
{
	const struct vici_node *n = vici_msg_root(m);

	for (;;) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);

		if (!len || !(n = child_n(n, path, len)))
			return NULL;
		if (!dot)
			return n;
		path = dot + 1;
	}
}

char *vici_msg_get_str(const struct vici_msg *m, const char *path)
{
	const struct vici_node *n = vici_msg_find(m, path);

	return n && n->type == VICI_NODE_KV ? vici_node_str(n) : NULL;
}

bool vici_msg_get_str_buf(const struct vici_msg *m, const char *path,
			  char *buf, size_t size)
{
	const struct vici_node *n = vici_msg_find(m, path);

	return n && n->type == VICI_NODE_KV && vici_node_str_buf(n, buf, size);
}

const struct vici_node *vici_msg_get_list(const struct vici_msg *m, const char *path)
{
	const struct vici_node *n = vici_msg_find(m, path);

	return n && n->type == VICI_NODE_LIST ? n : NULL;
}

static bool bytes_eq(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	return al == bl && (!al || memcmp(a, b, al) == 0);
}

static bool node_equal(const struct vici_node *a, const struct vici_node *b)
{
	if (a->type != b->type || a->count != b->count ||
	    !bytes_eq(a->name, a->name_len, b->name, b->name_len) ||
	    !bytes_eq(a->value, a->value_len, b->value, b->value_len))
		return false;
	for (a = a->first, b = b->first; a && b; a = a->next, b = b->next)
		if (!node_equal(a, b))	/* recursion bounded by VICI_MAX_DEPTH */
			return false;
	return !a && !b;
}

bool vici_msg_equal(const struct vici_msg *a, const struct vici_msg *b)
{
	return node_equal(vici_msg_root(a), vici_msg_root(b));
}

/* ---- builder ---------------------------------------------------------- */

static bool fail(struct vici_builder *b, const char *why)
{
	if (!b->error)
		b->error = why;
	return false;
}

void vici_builder_init(struct vici_builder *b, struct wbuf *w)
{
	memset(b, 0, sizeof(*b));
	b->w = w;
}

static bool put_name(struct vici_builder *b, const uint8_t *name, size_t len)
{
	if (!name || len == 0 || len > VICI_MAX_NAME)
		return fail(b, "name length out of range");
	if (memchr(name, 0, len))
		return fail(b, "NUL byte in name");
	wbuf_u8(b->w, (uint8_t)len);
	wbuf_bytes(b->w, name, len);
	return true;
}

static bool put_value(struct vici_builder *b, const void *value, size_t len)
{
	if (len > VICI_MAX_VALUE)
		return fail(b, "value too long");
	if (len && !value)
		return fail(b, "NULL value");
	wbuf_u16(b->w, (uint16_t)len);
	wbuf_bytes(b->w, value, len);
	return true;
}

/* Check state before writing an element that adds a node. */
static bool begin_elem(struct vici_builder *b, bool want_list)
{
	if (b->error)
		return false;
	if (b->in_list != want_list)
		return fail(b, want_list ? "list item outside a list"
				 : "element inside a list");
	if (++b->elements >= VICI_MAX_ELEMENTS)
		return fail(b, "too many elements");
	return true;
}

/* Element types are written only after validation, so a failed call
 * leaves no half element behind. */
bool vici_builder_begin_section_n(struct vici_builder *b, const uint8_t *name,
				  size_t len)
{
	size_t mark = b->w->len;

	if (!begin_elem(b, false))
		return false;
	if (b->depth >= VICI_MAX_DEPTH)
		return fail(b, "sections nested too deep");
	wbuf_u8(b->w, VICI_SECTION_START);
	if (!put_name(b, name, len)) {
		b->w->len = mark;
		return false;
	}
	b->depth++;
	return true;
}

bool vici_builder_begin_section(struct vici_builder *b, const char *name)
{
	return vici_builder_begin_section_n(b, (const uint8_t *)name,
					    name ? strlen(name) : 0);
}

bool vici_builder_end_section(struct vici_builder *b)
{
	if (b->error)
		return false;
	if (b->in_list)
		return fail(b, "section end inside a list");
	if (b->depth == 0)
		return fail(b, "unbalanced section end");
	b->depth--;
	wbuf_u8(b->w, VICI_SECTION_END);
	return true;
}

bool vici_builder_add_kv_n(struct vici_builder *b, const uint8_t *name,
			   size_t name_len, const void *value, size_t len)
{
	size_t mark = b->w->len;

	if (!begin_elem(b, false))
		return false;
	wbuf_u8(b->w, VICI_KEY_VALUE);
	if (!put_name(b, name, name_len) || !put_value(b, value, len)) {
		b->w->len = mark;
		return false;
	}
	return true;
}

bool vici_builder_add_kv(struct vici_builder *b, const char *name,
			 const void *value, size_t len)
{
	return vici_builder_add_kv_n(b, (const uint8_t *)name,
				     name ? strlen(name) : 0, value, len);
}

bool vici_builder_add_kv_str(struct vici_builder *b, const char *name,
			     const char *value)
{
	if (!value)
		return fail(b, "NULL value");
	return vici_builder_add_kv(b, name, value, strlen(value));
}

bool vici_builder_add_kv_fmt(struct vici_builder *b, const char *name,
			     const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;
	bool ok;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return fail(b, "out of memory");
	ok = vici_builder_add_kv(b, name, s, (size_t)n);
	free(s);
	return ok;
}

bool vici_builder_begin_list_n(struct vici_builder *b, const uint8_t *name,
			       size_t len)
{
	size_t mark = b->w->len;

	if (!begin_elem(b, false))
		return false;
	wbuf_u8(b->w, VICI_LIST_START);
	if (!put_name(b, name, len)) {
		b->w->len = mark;
		return false;
	}
	b->in_list = true;
	return true;
}

bool vici_builder_begin_list(struct vici_builder *b, const char *name)
{
	return vici_builder_begin_list_n(b, (const uint8_t *)name,
					 name ? strlen(name) : 0);
}

bool vici_builder_add_list_item(struct vici_builder *b, const void *value,
				size_t len)
{
	size_t mark = b->w->len;

	if (!begin_elem(b, true))
		return false;
	wbuf_u8(b->w, VICI_LIST_ITEM);
	if (!put_value(b, value, len)) {
		b->w->len = mark;
		return false;
	}
	return true;
}

bool vici_builder_add_list_item_str(struct vici_builder *b, const char *value)
{
	if (!value)
		return fail(b, "NULL value");
	return vici_builder_add_list_item(b, value, strlen(value));
}

bool vici_builder_add_list_item_fmt(struct vici_builder *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;
	bool ok;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return fail(b, "out of memory");
	ok = vici_builder_add_list_item(b, s, (size_t)n);
	free(s);
	return ok;
}

bool vici_builder_end_list(struct vici_builder *b)
{
	if (b->error)
		return false;
	if (!b->in_list)
		return fail(b, "list end outside a list");
	b->in_list = false;
	wbuf_u8(b->w, VICI_LIST_END);
	return true;
}

bool vici_builder_finish(struct vici_builder *b, const char **reason)
{
	if (!b->error && b->in_list)
		b->error = "unterminated list";
	if (!b->error && b->depth)
		b->error = "unterminated section";
	if (!b->error && !wbuf_ok(b->w))
		b->error = "out of memory";
	if (reason)
		*reason = b->error;
	return !b->error;
}

static bool build_children(const struct vici_node *sec, struct vici_builder *b)
{
	for (const struct vici_node *c = sec->first; c; c = c->next) {
		switch (c->type) {
		case VICI_NODE_SECTION:
			if (!vici_builder_begin_section_n(b, c->name, c->name_len) ||
			    !build_children(c, b) || !vici_builder_end_section(b))
				return false;
			break;
		case VICI_NODE_KV:
			if (!vici_builder_add_kv_n(b, c->name, c->name_len,
						   c->value, c->value_len))
				return false;
			break;
		case VICI_NODE_LIST:
			if (!vici_builder_begin_list_n(b, c->name, c->name_len))
				return false;
			for (const struct vici_node *i = c->first; i; i = i->next)
				if (!vici_builder_add_list_item(b, i->value, i->value_len))
					return false;
			if (!vici_builder_end_list(b))
				return false;
			break;
		case VICI_NODE_ITEM:
			return fail(b, "item outside a list");
		}
	}
	return true;
}

bool vici_msg_build(const struct vici_msg *m, struct vici_builder *b)
{
	return build_children(vici_msg_root(m), b);
}
