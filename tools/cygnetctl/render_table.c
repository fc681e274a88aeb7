#include "tools/cygnetctl/render_table.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("cygnetctl: out of memory\n", stderr);
		exit(3);
	}
	return p;
}

char *text_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s) {
		fputs("cygnetctl: out of memory\n", stderr);
		exit(3);
	}
	return s;
}

/* Copy bytes, replacing what a terminal would interpret. */
static char *printable(const uint8_t *p, size_t len)
{
	char *s = xrealloc(NULL, len + 1);

	for (size_t i = 0; i < len; i++)
		s[i] = (p[i] < 0x20 || p[i] == 0x7f) ? '?' : (char)p[i];
	s[len] = '\0';
	return s;
}

char *text_value(const struct vici_node *n)
{
	size_t len = 0;
	const uint8_t *v = n ? vici_node_value(n, &len) : NULL;

	return printable(v ? v : (const uint8_t *)"", v ? len : 0);
}

char *text_name(const struct vici_node *n)
{
	size_t len;
	const uint8_t *p = vici_node_name(n, &len);

	return printable(p, len);
}

static const struct vici_node *find_in(const struct vici_node *sec, const char *path)
{
	char part[256];
	const char *dot;

	while (sec && (dot = strchr(path, '.'))) {
		size_t n = (size_t)(dot - path);

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		sec = vici_node_child(sec, part);
		if (sec && vici_node_type(sec) != VICI_NODE_SECTION)
			return NULL;
		path = dot + 1;
	}
	return sec ? vici_node_child(sec, path) : NULL;
}

char *text_get(const struct vici_node *sec, const char *key)
{
	const struct vici_node *n = find_in(sec, key);

	return text_value(n && vici_node_type(n) == VICI_NODE_KV ? n : NULL);
}

char *text_join(const struct vici_node *list, const char *sep)
{
	char *out = xrealloc(NULL, 1);
	size_t len = 0, slen = strlen(sep);

	out[0] = '\0';
	if (!list || vici_node_type(list) != VICI_NODE_LIST)
		return out;
	for (const struct vici_node *i = vici_node_first(list); i; i = vici_node_next(i)) {
		char *v = text_value(i);
		size_t vl = strlen(v);

		out = xrealloc(out, len + slen + vl + 1);
		if (len) {
			memcpy(out + len, sep, slen);
			len += slen;
		}
		memcpy(out + len, v, vl + 1);
		len += vl;
		free(v);
	}
	return out;
}

void table_init(struct table *t, size_t ncols, const char *const *headers)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols < TABLE_MAX_COLS ? ncols : TABLE_MAX_COLS;
	for (size_t i = 0; i < t->ncols; i++)
		t->headers[i] = headers[i];
}

void table_add_row(struct table *t, char **cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof(char *));
	}
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = cells[i];
	t->nrows++;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void print_row(FILE *f, const struct table *t, const size_t *w,
		      const char *const *row)
{
	for (size_t i = 0; i < t->ncols; i++) {
		const char *s = row[i] ? row[i] : "";

		fputs(s, f);
		if (i + 1 < t->ncols)
			fprintf(f, "%*s", (int)(w[i] - width(s) + 2), "");
	}
	fputc('\n', f);
}

void table_print(const struct table *t, FILE *f)
{
	size_t w[TABLE_MAX_COLS];

	for (size_t i = 0; i < t->ncols; i++)
		w[i] = width(t->headers[i]);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t i = 0; i < t->ncols; i++) {
			const char *s = t->cells[r * t->ncols + i];
			size_t cw = s ? width(s) : 0;

			if (cw > w[i])
				w[i] = cw;
		}
	print_row(f, t, w, t->headers);
	for (size_t r = 0; r < t->nrows; r++)
		print_row(f, t, w, (const char *const *)&t->cells[r * t->ncols]);
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

static void tree_node(FILE *f, const struct vici_node *sec, int level)
{
	for (const struct vici_node *n = vici_node_first(sec); n; n = vici_node_next(n)) {
		char *name = text_name(n), *v = NULL;

		fprintf(f, "%*s%s:", level * 2, "", name);
		switch (vici_node_type(n)) {
		case VICI_NODE_SECTION:
			fputc('\n', f);
			tree_node(f, n, level + 1);
			break;
		case VICI_NODE_LIST:
			v = text_join(n, ", ");
			fprintf(f, "%s%s\n", *v ? " " : "", v);
			break;
		default:
			v = text_value(n);
			fprintf(f, "%s%s\n", *v ? " " : "", v);
			break;
		}
		free(v);
		free(name);
	}
}

void tree_print(FILE *f, const struct vici_msg *m)
{
	tree_node(f, vici_msg_root(m), 0);
}
