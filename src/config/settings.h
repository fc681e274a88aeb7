/* Generic tree for strongSwan's settings / swanctl.conf syntax:
 *
 *   name { ... }            a section (same-named sections merge)
 *   key = value             value to end of line (or '#', '}'), trimmed
 *   key = "quoted\n value"  with \" \\ \n \t \r escapes; may span lines
 *   include conf.d/NAME.conf (globs allowed), relative to the including file, bounded depth
 *   # comment
 *
 * Every node remembers file:line:col of its name (and of its value) so the
 * config model can point at the exact place of a semantic error. Values may
 * hold secrets: freeing the tree wipes them. */
#ifndef CYGNET_CONFIG_SETTINGS_H
#define CYGNET_CONFIG_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#define SETTINGS_MAX_INCLUDE_DEPTH 8
#define SETTINGS_MAX_NESTING 32
#define SETTINGS_MAX_FILE_SIZE (4u << 20)
#define SETTINGS_MAX_FILES 256

/* Where something is: file is owned by the tree (or the error), line and
 * col are 1-based, col counts bytes (a tab is one column). */
struct settings_loc {
	const char *file;
	unsigned line;
	unsigned col;
};

/* One error: msg is "file:line:col: what". */
struct config_err {
	char file[256];
	unsigned line;
	unsigned col;
	char what[384];
	char msg[704];
};

void config_err_set(struct config_err *err, const struct settings_loc *loc,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

enum settings_node_type {
	SETTINGS_SECTION,
	SETTINGS_KEY,
};

struct settings_node {
	enum settings_node_type type;
	char *name;
	char *value;		/* keys only, NUL-terminated, wiped on free */
	size_t value_len;
	struct settings_loc loc;	/* of the name */
	struct settings_loc vloc;	/* of the value's first byte */
	/* true when value bytes map 1:1 onto source columns from vloc on
	 * (unquoted, or quoted without escapes on one line) */
	bool value_exact;
	struct settings_node *children;	/* sections only, in file order */
	struct settings_node *next;
	struct settings_node *parent;
};

struct settings_tree {
	struct settings_node root;	/* an unnamed section */
	char **files;		/* file names that locs point into */
	size_t nfiles;
};

struct settings_opts {
	/* Directory that relative includes in a memory buffer resolve against;
	 * NULL disables include in buffers (fuzzing, untrusted input). Files
	 * always resolve relative to their own directory. */
	const char *include_dir;
	bool no_include;	/* refuse every include */
};

/* Parse a file into *tree. On error nothing is allocated, err says where. */
bool settings_parse_file(const char *path, const struct settings_opts *opts,
			 struct settings_tree *tree, struct config_err *err);
/* Parse len bytes; name is what errors call the buffer ("<buffer>"). */
bool settings_parse_buffer(const char *name, const void *buf, size_t len,
			   const struct settings_opts *opts,
			   struct settings_tree *tree, struct config_err *err);
void settings_free(struct settings_tree *tree);

/* First child named name of the given type, or NULL. */
const struct settings_node *settings_find(const struct settings_node *sec,
					  const char *name,
					  enum settings_node_type type);
/* "connections.rw.local" for error messages */
void settings_path(const struct settings_node *n, char *buf, size_t len);

#endif
