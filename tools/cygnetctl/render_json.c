#include "tools/cygnetctl/render_json.h"

#include <stdbool.h>
#include <string.h>

/* RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF. */
size_t json_utf8_seq_len(const uint8_t *p, size_t left)
{
	uint8_t b = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		n = 2;
	else if (b >= 0xe0 && b <= 0xef)
		n = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		n = 4;
	else
		return 0;
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

void json_write_string(FILE *f, const uint8_t *p, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len;) {
		uint8_t b = p[i];
		size_t n = json_utf8_seq_len(p + i, len - i);

		if (n == 0) {
			fprintf(f, "\\udc%02x", b);	/* not UTF-8: keep the byte */
			i++;
			continue;
		}
		if (n > 1) {
			fwrite(p + i, 1, n, f);
			i += n;
			continue;
		}
		switch (b) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (b < 0x20 || b == 0x7f)
				fprintf(f, "\\u%04x", b);
			else
				fputc(b, f);
		}
		i++;
	}
	fputc('"', f);
}

void json_write_cstr(FILE *f, const char *s)
{
	json_write_string(f, (const uint8_t *)s, strlen(s));
}

void json_newline(FILE *f, int indent, int level)
{
	if (indent < 0)
		return;
	fputc('\n', f);
	for (int i = 0; i < indent * level; i++)
		fputc(' ', f);
}

static void write_value(FILE *f, const struct vici_node *n)
{
	size_t len;
	const uint8_t *v = vici_node_value(n, &len);

	json_write_string(f, v ? v : (const uint8_t *)"", len);
}

void json_write_node(FILE *f, const struct vici_node *n, int indent, int level)
{
	enum vici_node_type t = vici_node_type(n);
	bool first = true;
	const char *sep = indent < 0 ? ":" : ": ";

	if (t == VICI_NODE_KV || t == VICI_NODE_ITEM) {
		write_value(f, n);
		return;
	}
	fputc(t == VICI_NODE_SECTION ? '{' : '[', f);
	for (const struct vici_node *c = vici_node_first(n); c; c = vici_node_next(c)) {
		size_t nlen;
		const uint8_t *name;

		if (!first)
			fputc(',', f);
		first = false;
		json_newline(f, indent, level + 1);
		if (t == VICI_NODE_SECTION) {
			name = vici_node_name(c, &nlen);
			json_write_string(f, name, nlen);
			fputs(sep, f);
		}
		json_write_node(f, c, indent, level + 1);
	}
	if (!first)
		json_newline(f, indent, level);
	fputc(t == VICI_NODE_SECTION ? '}' : ']', f);
}

void json_write_msg(FILE *f, const struct vici_msg *m, int indent, int level)
{
	json_write_node(f, vici_msg_root(m), indent, level);
}
