/* The settings lexer/parser: good and bad inputs with exact file:line:col
 * messages, the generic tree, includes. */
#include "check_main.h"
#include "config/settings.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static bool parse(const char *text, size_t len, struct settings_tree *t,
		  struct config_err *err)
{
	return settings_parse_buffer("t.conf", text, len, NULL, t, err);
}

/* Bad inputs and the exact message each must produce. */
static const struct {
	const char *in;
	size_t len;		/* 0: strlen */
	const char *msg;
} bad[] = {
	{ "a {\n  b = c\n", 0,
	  "t.conf:3:1: expected '}' to close section 'a' opened at line 1" },
	{ "}\n", 0, "t.conf:1:1: unexpected '}'" },
	{ "connections {\n    local_addrs 192.0.2.1\n}\n", 0,
	  "t.conf:2:5: expected '=' or '{' after 'local_addrs'" },
	{ "a = \"abc\n", 0, "t.conf:1:5: unterminated quoted string" },
	{ "x {\n\ta = \"abc\\\"\n}\n", 0, "t.conf:2:6: unterminated quoted string" },
	{ "a = \"x\" y\n", 0,
	  "t.conf:1:9: expected end of line after quoted string, found 'y'" },
	{ "a = b {\n", 0, "t.conf:1:7: unexpected '{' in value (quote the value)" },
	{ "=b\n", 0, "t.conf:1:1: expected a key or section name, found '='" },
	{ "a b = c\n", 0, "t.conf:1:1: expected '=' or '{' after 'a'" },
	{ "a : b {\n}\n", 0, "t.conf:1:1: expected '=' or '{' after 'a'" },
	{ "a = x\0y\n", 8, "t.conf:1:6: NUL byte in value" },
	{ "include foo.conf\n", 0, "t.conf:1:1: include is disabled here" },
	{ "a {\n} }\n", 0, "t.conf:2:3: unexpected '}'" },
	{ "\xff = 1\n", 0, "t.conf:1:1: expected a key or section name, found byte 0xff" },
	{ "a = b}\n", 0, "t.conf:1:6: unexpected '}'" },
	{ "s {\n  t {\n    k = v\n  }\n", 0,
	  "t.conf:5:1: expected '}' to close section 's' opened at line 1" },
	{ "a\n", 0, "t.conf:1:1: expected '=' or '{' after 'a'" },
	{ "a.b-c_d = 1\n  $x = 2\n", 0,
	  "t.conf:2:3: expected a key or section name, found '$'" },
	{ "include\n", 0, "t.conf:1:1: expected '=' or '{' after 'include'" },
	{ "conn {\n\tlocal_addrs == 1\n}\n", 0, NULL },	/* value "= 1" is fine here */
};

START_TEST(parse_bad_inputs_exact_messages)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct settings_tree t;
		struct config_err err = { 0 };
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].in);
		bool ok = parse(bad[i].in, len, &t, &err);

		if (!bad[i].msg) {
			ck_assert_msg(ok, "case %zu: %s", i, err.msg);
			settings_free(&t);
			continue;
		}
		ck_assert_msg(!ok, "case %zu parsed", i);
		ck_assert_msg(strcmp(err.msg, bad[i].msg) == 0,
			      "case %zu: got '%s' want '%s'", i, err.msg, bad[i].msg);
		ck_assert_ptr_null(t.root.children);
	}
}
END_TEST

START_TEST(parse_error_fields_match_message)
{
	struct settings_tree t;
	struct config_err err;

	ck_assert(!parse("a {\n  b c\n}", 11, &t, &err));
	ck_assert_str_eq(err.file, "t.conf");
	ck_assert_uint_eq(err.line, 2);
	ck_assert_uint_eq(err.col, 3);
	ck_assert_str_eq(err.what, "expected '=' or '{' after 'b'");
}
END_TEST

START_TEST(parse_nesting_is_bounded)
{
	char in[2 * (SETTINGS_MAX_NESTING + 1) + 1], want[80];
	struct settings_tree t;
	struct config_err err;

	for (int i = 0; i <= SETTINGS_MAX_NESTING; i++)
		memcpy(in + 2 * i, "a{", 2);
	in[sizeof(in) - 1] = '\0';
	ck_assert(!parse(in, strlen(in), &t, &err));
	snprintf(want, sizeof(want), "t.conf:1:%d: sections nested deeper than %d",
		 2 * SETTINGS_MAX_NESTING + 1, SETTINGS_MAX_NESTING);
	ck_assert_str_eq(err.msg, want);
}
END_TEST

START_TEST(parse_name_length_is_bounded)
{
	char in[300];
	struct settings_tree t;
	struct config_err err;

	memset(in, 'k', 280);
	strcpy(in + 280, " = 1\n");
	ck_assert(!parse(in, strlen(in), &t, &err));
	ck_assert_str_eq(err.msg, "t.conf:1:1: name longer than 255 bytes");
}
END_TEST

static const struct settings_node *key(const struct settings_node *sec,
				       const char *name)
{
	const struct settings_node *n = settings_find(sec, name, SETTINGS_KEY);

	ck_assert_msg(n != NULL, "no key %s", name);
	return n;
}

/* Values: trimmed, comments cut, quotes with escapes, multi-line quotes. */
static const struct {
	const char *in;
	const char *value;
} values[] = {
	{ "k = b\n", "b" },
	{ "k =   spaced   value   \n", "spaced   value" },
	{ "k = 1 # comment\n", "1" },
	{ "k = b\r\n", "b" },
	{ "k=\n", "" },
	{ "k =", "" },
	{ "k = \"q\\\"x\\\\y\\n\\tz\"\n", "q\"x\\y\n\tz" },
	{ "k = \"multi\nline\"\n", "multi\nline" },
	{ "k = \"cont\\\ninued\"", "continued" },
	{ "k = \"has # and { }\"  # c\n", "has # and { }" },
	{ "k = a, b,c  d\n", "a, b,c  d" },
	{ "k = \"\"\n", "" },
	{ "k = 1\nk = 2\n", "2" },	/* later key overrides */
	{ "k = %any\n", "%any" },
	{ "k = a=b\n", "a=b" },
};

START_TEST(parse_values)
{
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct settings_tree t;
		struct config_err err;
		const struct settings_node *n;

		ck_assert_msg(parse(values[i].in, strlen(values[i].in), &t, &err),
			      "case %zu: %s", i, err.msg);
		n = key(&t.root, "k");
		ck_assert_msg(strcmp(n->value, values[i].value) == 0,
			      "case %zu: got '%s'", i, n->value);
		ck_assert_uint_eq(n->value_len, strlen(values[i].value));
		ck_assert_ptr_null(n->next);
		settings_free(&t);
	}
}
END_TEST

START_TEST(parse_tree_order_locations_and_merge)
{
	const char *in =
		"# top\n"
		"s1 {\n"
		"\ta = 1\n"
		"\tsub\n"
		"\t{\n"
		"\t\tb = \"two\"\n"
		"\t}\n"
		"}\n"
		"s2 { c = 3 }\n"
		"s1 {\n"
		"  d = 4\n"
		"}\n";
	struct settings_tree t;
	struct config_err err;
	const struct settings_node *s1, *s2, *sub, *n;
	char path[64];

	ck_assert_msg(parse(in, strlen(in), &t, &err), "%s", err.msg);
	s1 = t.root.children;
	ck_assert_str_eq(s1->name, "s1");
	ck_assert_int_eq(s1->type, SETTINGS_SECTION);
	ck_assert_uint_eq(s1->loc.line, 2);
	ck_assert_uint_eq(s1->loc.col, 1);
	s2 = s1->next;
	ck_assert_str_eq(s2->name, "s2");
	ck_assert_ptr_null(s2->next);	/* the second s1 merged into the first */
	n = s1->children;
	ck_assert_str_eq(n->name, "a");
	ck_assert_uint_eq(n->loc.line, 3);
	ck_assert_uint_eq(n->loc.col, 2);
	ck_assert_uint_eq(n->vloc.col, 6);
	sub = n->next;
	ck_assert_str_eq(sub->name, "sub");
	ck_assert_int_eq(sub->type, SETTINGS_SECTION);
	n = key(sub, "b");
	ck_assert_str_eq(n->value, "two");
	ck_assert_uint_eq(n->vloc.line, 6);
	ck_assert_uint_eq(n->vloc.col, 8);	/* after the quote */
	ck_assert(n->value_exact);
	settings_path(n, path, sizeof(path));
	ck_assert_str_eq(path, "s1.sub.b");
	n = sub->next;
	ck_assert_str_eq(n->name, "d");
	ck_assert_uint_eq(n->loc.line, 11);
	ck_assert_str_eq(key(s2, "c")->value, "3");
	ck_assert_str_eq(s1->loc.file, "t.conf");
	settings_free(&t);
}
END_TEST

/* Include files in a private temp dir. */
static char dir[128];

static void write_file(const char *rel, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup_dir(void)
{
	char tmpl[] = "/tmp/cygnet-config-test-XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(dir, sizeof(dir), "%s", tmpl);
}

static void remove_dir(void)
{
	char cmd[192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(include_glob_relative_in_section)
{
	char main_path[160], want[512];
	struct settings_tree t;
	struct config_err err;
	const struct settings_node *conns, *n;

	setup_dir();
	snprintf(main_path, sizeof(main_path), "%s/main.conf", dir);
	ck_assert_int_eq(mkdir((snprintf(want, sizeof(want), "%s/conf.d", dir), want), 0700), 0);
	write_file("main.conf",
		   "connections {\n"
		   "  include conf.d/*.conf\n"
		   "  include conf.d/none-*.x\n"	/* no match: fine */
		   "}\n"
		   "top = \"1\"\n");
	write_file("conf.d/b.conf", "second { k = 2 }\n");
	write_file("conf.d/a.conf", "# first\nfirst {\n  k = 1\n}\n");
	ck_assert_msg(settings_parse_file(main_path, NULL, &t, &err), "%s", err.msg);
	conns = settings_find(&t.root, "connections", SETTINGS_SECTION);
	ck_assert_ptr_nonnull(conns);
	n = conns->children;
	ck_assert_str_eq(n->name, "first");	/* glob results sorted */
	ck_assert_uint_eq(n->loc.line, 2);
	snprintf(want, sizeof(want), "%s/conf.d/a.conf", dir);
	ck_assert_str_eq(n->loc.file, want);
	ck_assert_str_eq(n->next->name, "second");
	ck_assert_str_eq(key(&t.root, "top")->value, "1");
	ck_assert_uint_eq(t.nfiles, 3);
	settings_free(&t);

	/* an error inside an included file names that file */
	write_file("conf.d/c.conf", "third {\n  x y\n}\n");
	ck_assert(!settings_parse_file(main_path, NULL, &t, &err));
	snprintf(want, sizeof(want), "%s/conf.d/c.conf:2:3: expected '=' or '{' after 'x'", dir);
	ck_assert_str_eq(err.msg, want);

	/* a missing file without wildcard is an error at the path */
	write_file("main.conf", "a = 1\n  include \"missing.conf\"\n");
	ck_assert(!settings_parse_file(main_path, NULL, &t, &err));
	snprintf(want, sizeof(want), "%s:2:12: cannot read '%s/missing.conf': No such file or directory",
		 main_path, dir);
	ck_assert_str_eq(err.msg, want);

	/* a file including itself stops at the depth bound */
	write_file("main.conf", "include main.conf\n");
	ck_assert(!settings_parse_file(main_path, NULL, &t, &err));
	ck_assert_msg(strstr(err.msg, "include nested deeper than 8 files") != NULL,
		      "%s", err.msg);
	ck_assert_uint_eq(err.line, 1);

	/* opts.no_include refuses includes in files too */
	{
		struct settings_opts o = { .no_include = true };

		write_file("main.conf", "include conf.d/a.conf\n");
		ck_assert(!settings_parse_file(main_path, &o, &t, &err));
		snprintf(want, sizeof(want), "%s:1:1: include is disabled here", main_path);
		ck_assert_str_eq(err.msg, want);
	}

	/* a buffer with include_dir resolves relative to it */
	{
		struct settings_opts o = { .include_dir = dir };
		const char *in = "include conf.d/a.conf\n";

		ck_assert_msg(settings_parse_buffer("buf", in, strlen(in), &o, &t, &err),
			      "%s", err.msg);
		ck_assert_str_eq(t.root.children->name, "first");
		settings_free(&t);
	}
	remove_dir();
}
END_TEST

START_TEST(file_errors)
{
	struct settings_tree t;
	struct config_err err;

	ck_assert(!settings_parse_file("/nonexistent/cygnet.conf", NULL, &t, &err));
	ck_assert_str_eq(err.msg,
			 "/nonexistent/cygnet.conf: cannot read file: No such file or directory");
	ck_assert(!settings_parse_file("/tmp", NULL, &t, &err));
	ck_assert_str_eq(err.msg, "/tmp: cannot read file: is a directory");
	ck_assert_uint_eq(err.line, 0);
}
END_TEST

static Suite *config_parse_suite(void)
{
	Suite *s = suite_create("config_parse");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_bad_inputs_exact_messages);
	tcase_add_test(tc, parse_error_fields_match_message);
	tcase_add_test(tc, parse_nesting_is_bounded);
	tcase_add_test(tc, parse_name_length_is_bounded);
	tcase_add_test(tc, parse_values);
	tcase_add_test(tc, parse_tree_order_locations_and_merge);
	tcase_add_test(tc, include_glob_relative_in_section);
	tcase_add_test(tc, file_errors);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(config_parse_suite)
