/* Text output: aligned tables, an indented key/value tree, and helpers
 * that turn VICI values into safe terminal text. */
#ifndef CYGNET_TOOLS_CYGNETCTL_RENDER_TABLE_H
#define CYGNET_TOOLS_CYGNETCTL_RENDER_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "control/vici_msg.h"

#define TABLE_MAX_COLS 12

struct table {
	size_t ncols, nrows, cap;
	const char *headers[TABLE_MAX_COLS];
	char **cells;		/* nrows * ncols, owned */
};

/* headers: ncols static strings (ncols <= TABLE_MAX_COLS). */
void table_init(struct table *t, size_t ncols, const char *const *headers);
/* Adds a row; takes ownership of the ncols malloc'd cells (NULL = ""). */
void table_add_row(struct table *t, char **cells);
/* Columns separated by two spaces; the last one is not padded. A table
 * without rows prints only the header. */
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);

/* Indented "key: value" tree of a message; lists on one line,
 * comma-separated. */
void tree_print(FILE *f, const struct vici_msg *m);

/* Value of a key/value node as printable text: control bytes become '?',
 * a missing node gives "". Always malloc'd (aborts when out of memory). */
char *text_value(const struct vici_node *n);
/* The value at path below section sec (dotted like vici_msg_find). */
char *text_get(const struct vici_node *sec, const char *key);
/* A list's items joined with sep ("" for a missing list). */
char *text_join(const struct vici_node *list, const char *sep);
/* Name of a node as printable text. */
char *text_name(const struct vici_node *n);
/* printf into a malloc'd string (aborts when out of memory). */
char *text_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
