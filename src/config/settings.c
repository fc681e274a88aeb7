/* Lexer and recursive-descent parser for the settings syntax (see
 * settings.h). Input bytes are read only through struct rd. */
#include "config/settings.h"

#include "lib/mem.h"
#include "lib/rd.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_MAX_LEN 255

struct parser {
	struct settings_tree *tree;
	const struct settings_opts *opts;
	struct config_err *err;
};

struct lexer {
	struct rd r;
	const char *file;	/* owned by the tree */
	const char *dir;	/* includes resolve here; NULL: disabled */
	unsigned line, col;
	unsigned depth;		/* include depth */
	struct parser *ps;
};

/* A growable byte buffer that wipes what it drops (values may be secrets). */
struct sbuf {
	char *p;
	size_t len, cap;
};

static bool sbuf_put(struct sbuf *b, char c)
{
	if (b->len + 1 >= b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 64;
		char *n = malloc(ncap);

		if (!n)
			return false;
		if (b->p) {
			memcpy(n, b->p, b->len);
			mem_wipe_free(b->p, b->cap);
		}
		b->p = n;
		b->cap = ncap;
	}
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
	return true;
}

static void sbuf_free(struct sbuf *b)
{
	if (b->p)
		mem_wipe_free(b->p, b->cap);
	b->p = NULL;
	b->len = b->cap = 0;
}

void config_err_set(struct config_err *err, const struct settings_loc *loc,
		    const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->what, sizeof(err->what), fmt, ap);
	va_end(ap);
	snprintf(err->file, sizeof(err->file), "%s",
		 loc && loc->file ? loc->file : "<config>");
	err->line = loc ? loc->line : 0;
	err->col = loc ? loc->col : 0;
	if (loc && loc->line)
		snprintf(err->msg, sizeof(err->msg), "%s:%u:%u: %s", err->file,
			 err->line, err->col, err->what);
	else
		snprintf(err->msg, sizeof(err->msg), "%s: %s", err->file,
			 err->what);
}

static int lx_peek(const struct lexer *lx)
{
	return lx->r.left ? lx->r.p[0] : -1;
}

static int lx_get(struct lexer *lx)
{
	uint8_t c;

	if (!rd_u8(&lx->r, &c))
		return -1;
	if (c == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	return c;
}

static struct settings_loc lx_loc(const struct lexer *lx)
{
	struct settings_loc l = { lx->file, lx->line, lx->col };
	return l;
}

static bool lx_fail(struct lexer *lx, const struct settings_loc *loc,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool lx_fail(struct lexer *lx, const struct settings_loc *loc,
		    const char *fmt, ...)
{
	char what[320];
	va_list ap;
	struct settings_loc here = lx_loc(lx);

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	config_err_set(lx->ps->err, loc ? loc : &here, "%s", what);
	return false;
}

/* How an unexpected byte is named in a message. */
static void describe(int c, char *buf, size_t len)
{
	if (c < 0)
		snprintf(buf, len, "end of file");
	else if (c == '\n')
		snprintf(buf, len, "end of line");
	else if (c > 0x20 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", (unsigned)c);
}

static bool is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void skip_blank(struct lexer *lx)
{
	while (is_blank(lx_peek(lx)))
		lx_get(lx);
}

static void skip_comment(struct lexer *lx)
{
	while (lx_peek(lx) >= 0 && lx_peek(lx) != '\n')
		lx_get(lx);
}

/* Blanks, newlines and comments. */
static void skip_space(struct lexer *lx)
{
	for (;;) {
		int c = lx_peek(lx);

		if (is_blank(c) || c == '\n')
			lx_get(lx);
		else if (c == '#')
			skip_comment(lx);
		else
			return;
	}
}

static struct settings_node *node_find(struct settings_node *sec,
				       const char *name,
				       enum settings_node_type type)
{
	for (struct settings_node *n = sec->children; n; n = n->next)
		if (n->type == type && strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

static struct settings_node *node_add(struct settings_node *sec,
				      const char *name,
				      enum settings_node_type type,
				      const struct settings_loc *loc)
{
	struct settings_node *n = calloc(1, sizeof(*n)), **pp;

	if (!n)
		return NULL;
	n->name = strdup(name);
	if (!n->name) {
		free(n);
		return NULL;
	}
	n->type = type;
	n->loc = *loc;
	n->parent = sec;
	for (pp = &sec->children; *pp; pp = &(*pp)->next)
		;
	*pp = n;
	return n;
}

static void node_free(struct settings_node *n)
{
	while (n) {
		struct settings_node *next = n->next;

		node_free(n->children);
		if (n->value)
			mem_wipe_free(n->value, n->value_len + 1);
		free(n->name);
		free(n);
		n = next;
	}
}

/* Reads a name into buf; the caller checked the first byte. */
static bool read_name(struct lexer *lx, char *buf, size_t len)
{
	struct settings_loc loc = lx_loc(lx);
	size_t n = 0;

	while (is_name_char(lx_peek(lx))) {
		if (n + 1 >= len)
			return lx_fail(lx, &loc, "name longer than %d bytes",
				       NAME_MAX_LEN);
		buf[n++] = (char)lx_get(lx);
	}
	buf[n] = '\0';
	return true;
}

/* After a value or include path only a comment, '}' or the line end may
 * follow. */
static bool expect_line_end(struct lexer *lx, const char *after)
{
	int c;
	char what[24];

	skip_blank(lx);
	c = lx_peek(lx);
	if (c < 0 || c == '\n' || c == '#' || c == '}')
		return true;
	describe(c, what, sizeof(what));
	return lx_fail(lx, NULL, "expected end of line after %s, found %s",
		       after, what);
}

static bool read_quoted(struct lexer *lx, struct sbuf *out, bool *exact)
{
	struct settings_loc open = lx_loc(lx);

	lx_get(lx);	/* '"' */
	for (;;) {
		int c = lx_get(lx);

		if (c < 0)
			return lx_fail(lx, &open, "unterminated quoted string");
		if (c == '"')
			return expect_line_end(lx, "quoted string");
		if (c == '\0')
			return lx_fail(lx, NULL, "NUL byte in quoted string");
		if (c == '\n')
			*exact = false;
		if (c == '\\') {
			*exact = false;
			c = lx_get(lx);
			switch (c) {
			case -1:
				return lx_fail(lx, &open,
					       "unterminated quoted string");
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '\n': continue;	/* line continuation */
			case '\0':
				return lx_fail(lx, NULL,
					       "NUL byte in quoted string");
			default: break;	/* \" \\ and others: the byte itself */
			}
		}
		if (!sbuf_put(out, (char)c))
			return lx_fail(lx, NULL, "out of memory");
	}
}

static bool read_unquoted(struct lexer *lx, struct sbuf *out)
{
	for (;;) {
		int c = lx_peek(lx);

		if (c < 0 || c == '\n' || c == '#' || c == '}')
			break;
		if (c == '\0')
			return lx_fail(lx, NULL, "NUL byte in value");
		if (c == '{')
			return lx_fail(lx, NULL,
				       "unexpected '{' in value (quote the value)");
		if (!sbuf_put(out, (char)lx_get(lx)))
			return lx_fail(lx, NULL, "out of memory");
	}
	while (out->len && is_blank(out->p[out->len - 1]))
		out->p[--out->len] = '\0';
	return true;
}

/* The text after '=' or 'include': quoted or to the end of the line. */
static bool read_value(struct lexer *lx, struct sbuf *out,
		       struct settings_loc *vloc, bool *exact)
{
	skip_blank(lx);
	*vloc = lx_loc(lx);
	*exact = true;
	if (!sbuf_put(out, '\0'))	/* an empty value is a valid value */
		return lx_fail(lx, NULL, "out of memory");
	out->len = 0;
	if (lx_peek(lx) == '"') {
		vloc->col++;
		return read_quoted(lx, out, exact);
	}
	return read_unquoted(lx, out);
}

static bool parse_body(struct lexer *lx, struct settings_node *sec,
		       const struct settings_loc *open, unsigned nesting);

static bool parse_source(struct parser *ps, const char *file, const char *dir,
			 const void *buf, size_t len, unsigned depth,
			 struct settings_node *sec, unsigned nesting)
{
	struct lexer lx = {
		.r = rd_init(buf, len), .file = file, .dir = dir,
		.line = 1, .col = 1, .depth = depth, .ps = ps,
	};

	return parse_body(&lx, sec, NULL, nesting);
}

static const char *tree_add_file(struct parser *ps, const char *path)
{
	struct settings_tree *t = ps->tree;
	char **files, *copy;

	if (t->nfiles >= SETTINGS_MAX_FILES)
		return NULL;
	files = realloc(t->files, (t->nfiles + 1) * sizeof(*files));
	if (!files)
		return NULL;
	t->files = files;
	copy = strdup(path);
	if (!copy)
		return NULL;
	t->files[t->nfiles++] = copy;
	return copy;
}

/* Whole file into memory; errno-style reason in *why on failure. */
static bool read_file(const char *path, uint8_t **buf, size_t *len,
		      const char **why)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	*buf = NULL;
	if (fd < 0) {
		*why = strerror(errno);
		return false;
	}
	if (fstat(fd, &st) < 0) {
		*why = strerror(errno);
		close(fd);
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
		close(fd);
		return false;
	}
	if ((unsigned long long)st.st_size > SETTINGS_MAX_FILE_SIZE) {
		*why = "file too large";
		close(fd);
		return false;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		*why = "out of memory";
		close(fd);
		return false;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return true;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static bool parse_one_file(struct parser *ps, const char *path, unsigned depth,
			   struct settings_node *sec, unsigned nesting,
			   const struct settings_loc *from)
{
	const char *file, *why = NULL;
	uint8_t *buf;
	size_t len = 0;
	char *dir;
	bool ok;

	if (!read_file(path, &buf, &len, &why)) {
		struct settings_loc top = { path, 0, 0 };

		if (from)	/* an include: point at the include line */
			config_err_set(ps->err, from, "cannot read '%s': %s", path, why);
		else
			config_err_set(ps->err, &top, "cannot read file: %s", why);
		return false;
	}
	file = tree_add_file(ps, path);
	dir = dir_of(path);
	if (!file || !dir) {
		config_err_set(ps->err, from, "too many files or out of memory");
		free(dir);
		free(buf);
		return false;
	}
	ok = parse_source(ps, file, dir, buf, len, depth, sec, nesting);
	free(dir);
	mem_wipe_free(buf, len);
	return ok;
}

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static bool do_include(struct lexer *lx, struct settings_node *sec,
		       const struct settings_loc *loc, unsigned nesting)
{
	struct sbuf pat = { 0 }, full = { 0 };
	struct settings_loc vloc;
	bool exact, ok = false;
	glob_t g;
	int rc;

	if (!read_value(lx, &pat, &vloc, &exact))
		goto out;
	if (!pat.len) {
		lx_fail(lx, &vloc, "expected a file name after 'include'");
		goto out;
	}
	if (lx->ps->opts->no_include || !lx->dir) {
		lx_fail(lx, loc, "include is disabled here");
		goto out;
	}
	if (lx->depth + 1 > SETTINGS_MAX_INCLUDE_DEPTH) {
		lx_fail(lx, loc, "include nested deeper than %d files",
			SETTINGS_MAX_INCLUDE_DEPTH);
		goto out;
	}
	if (pat.p[0] != '/') {
		for (const char *s = lx->dir; *s; s++)
			sbuf_put(&full, *s);
		sbuf_put(&full, '/');
	}
	for (size_t i = 0; i < pat.len; i++)
		sbuf_put(&full, pat.p[i]);
	if (!full.p) {
		lx_fail(lx, loc, "out of memory");
		goto out;
	}
	rc = glob(full.p, 0, NULL, &g);
	if (rc == GLOB_NOMATCH) {
		if (has_wildcard(pat.p))
			ok = true;	/* an empty conf.d is fine */
		else
			lx_fail(lx, &vloc, "cannot read '%s': %s", full.p,
				strerror(ENOENT));
		goto out;
	}
	if (rc != 0) {
		lx_fail(lx, &vloc, "cannot expand include '%s'", pat.p);
		goto out;
	}
	ok = true;
	for (size_t i = 0; ok && i < g.gl_pathc; i++)
		ok = parse_one_file(lx->ps, g.gl_pathv[i], lx->depth + 1, sec,
				    nesting, &vloc);
	globfree(&g);
out:
	sbuf_free(&pat);
	sbuf_free(&full);
	return ok;
}

static bool add_key(struct lexer *lx, struct settings_node *sec,
		    const char *name, const struct settings_loc *loc)
{
	struct sbuf val = { 0 };
	struct settings_loc vloc;
	struct settings_node *n;
	bool exact;

	if (!read_value(lx, &val, &vloc, &exact)) {
		sbuf_free(&val);
		return false;
	}
	/* A repeated key overrides the earlier one, as in strongSwan. */
	n = node_find(sec, name, SETTINGS_KEY);
	if (!n)
		n = node_add(sec, name, SETTINGS_KEY, loc);
	if (!n) {
		sbuf_free(&val);
		return lx_fail(lx, loc, "out of memory");
	}
	if (n->value)
		mem_wipe_free(n->value, n->value_len + 1);
	n->value = strndup(val.p, val.len);
	n->value_len = val.len;
	n->loc = *loc;
	n->vloc = vloc;
	n->value_exact = exact;
	sbuf_free(&val);
	if (!n->value) {
		n->value_len = 0;
		return lx_fail(lx, loc, "out of memory");
	}
	return true;
}

static bool open_section(struct lexer *lx, struct settings_node *sec,
			 const char *name, const struct settings_loc *loc,
			 unsigned nesting)
{
	struct settings_node *n;

	lx_get(lx);	/* '{' */
	if (nesting + 1 > SETTINGS_MAX_NESTING)
		return lx_fail(lx, loc, "sections nested deeper than %d",
			       SETTINGS_MAX_NESTING);
	/* Sections of the same name merge, as in strongSwan. */
	n = node_find(sec, name, SETTINGS_SECTION);
	if (!n)
		n = node_add(sec, name, SETTINGS_SECTION, loc);
	if (!n)
		return lx_fail(lx, loc, "out of memory");
	return parse_body(lx, n, loc, nesting + 1);
}

static bool parse_body(struct lexer *lx, struct settings_node *sec,
		       const struct settings_loc *open, unsigned nesting)
{
	char name[NAME_MAX_LEN + 1], what[24];

	for (;;) {
		struct settings_loc loc;
		int c;

		skip_space(lx);
		c = lx_peek(lx);
		if (c < 0) {
			if (!open)
				return true;
			return lx_fail(lx, NULL,
				       "expected '}' to close section '%s' opened at line %u",
				       sec->name, open->line);
		}
		if (c == '}') {
			if (!open)
				return lx_fail(lx, NULL, "unexpected '}'");
			lx_get(lx);
			return true;
		}
		loc = lx_loc(lx);
		if (!is_name_char(c)) {
			describe(c, what, sizeof(what));
			return lx_fail(lx, NULL,
				       "expected a key or section name, found %s",
				       what);
		}
		if (!read_name(lx, name, sizeof(name)))
			return false;
		skip_blank(lx);
		c = lx_peek(lx);
		if (strcmp(name, "include") == 0 && c != '=' && c != '{' &&
		    c != '\n' && c != '#' && c >= 0) {
			if (!do_include(lx, sec, &loc, nesting))
				return false;
			continue;
		}
		if (c == '=') {
			lx_get(lx);
			if (!add_key(lx, sec, name, &loc))
				return false;
			continue;
		}
		if (c == '\n' || c == '#')	/* "name" newline "{" */
			skip_space(lx);
		if (lx_peek(lx) == '{') {
			if (!open_section(lx, sec, name, &loc, nesting))
				return false;
			continue;
		}
		return lx_fail(lx, &loc, "expected '=' or '{' after '%s'", name);
	}
}

static bool parse_start(struct parser *ps, struct settings_tree *tree)
{
	memset(tree, 0, sizeof(*tree));
	tree->root.type = SETTINGS_SECTION;
	tree->root.name = NULL;
	ps->tree = tree;
	return true;
}

static bool parse_finish(bool ok, struct settings_tree *tree)
{
	if (!ok)
		settings_free(tree);
	return ok;
}

bool settings_parse_file(const char *path, const struct settings_opts *opts,
			 struct settings_tree *tree, struct config_err *err)
{
	static const struct settings_opts none = { 0 };
	struct parser ps = { .opts = opts ? opts : &none, .err = err };

	parse_start(&ps, tree);
	return parse_finish(parse_one_file(&ps, path, 0, &tree->root, 0, NULL),
			    tree);
}

bool settings_parse_buffer(const char *name, const void *buf, size_t len,
			   const struct settings_opts *opts,
			   struct settings_tree *tree, struct config_err *err)
{
	static const struct settings_opts none = { 0 };
	struct parser ps = { .opts = opts ? opts : &none, .err = err };
	const char *file;

	parse_start(&ps, tree);
	file = tree_add_file(&ps, name ? name : "<buffer>");
	if (!file) {
		config_err_set(err, NULL, "out of memory");
		return parse_finish(false, tree);
	}
	if (len > SETTINGS_MAX_FILE_SIZE) {
		struct settings_loc loc = { file, 0, 0 };

		config_err_set(err, &loc, "file too large");
		return parse_finish(false, tree);
	}
	return parse_finish(parse_source(&ps, file, ps.opts->include_dir, buf,
					 len, 0, &tree->root, 0),
			    tree);
}

void settings_free(struct settings_tree *tree)
{
	if (!tree)
		return;
	node_free(tree->root.children);
	for (size_t i = 0; i < tree->nfiles; i++)
		free(tree->files[i]);
	free(tree->files);
	memset(tree, 0, sizeof(*tree));
}

const struct settings_node *settings_find(const struct settings_node *sec,
					  const char *name,
					  enum settings_node_type type)
{
	return node_find((struct settings_node *)sec, name, type);
}

void settings_path(const struct settings_node *n, char *buf, size_t len)
{
	const struct settings_node *chain[SETTINGS_MAX_NESTING + 2];
	size_t depth = 0, off = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (; n && n->name && depth < sizeof(chain) / sizeof(chain[0]);
	     n = n->parent)
		chain[depth++] = n;
	while (depth--) {
		int w = snprintf(buf + off, len - off, "%s%s", off ? "." : "",
				 chain[depth]->name);
		if (w < 0 || (size_t)w >= len - off)
			return;
		off += (size_t)w;
	}
}
