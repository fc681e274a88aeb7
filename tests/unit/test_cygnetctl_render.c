/* cygnetctl's renderers: JSON (escaping, UTF-8 validation, structure) and
 * the text table/tree. The renderers live in tools/, outside the library;
 * the Makefile links their objects into this runner. */
#include "check_main.h"

#include "tools/cygnetctl/render_json.h"
#include "tools/cygnetctl/render_table.h"

/* Render with fn into a string (caller frees). */
#define CAPTURE(out, stmt)                                               \
	do {                                                             \
		size_t cap_len_;                                         \
		FILE *f = open_memstream(&(out), &cap_len_);             \
		ck_assert(f);                                            \
		stmt;                                                    \
		fclose(f);                                               \
	} while (0)

static const struct {
	const char *hex;	/* value bytes */
	const char *json;	/* expected JSON string */
} str_cases[] = {
	{ "", "\"\"" },
	{ "616263", "\"abc\"" },
	/* quote, backslash, slash (not escaped) */
	{ "22 5c 2f", "\"\\\"\\\\/\"" },
	/* the named control escapes */
	{ "08 0c 0a 0d 09", "\"\\b\\f\\n\\r\\t\"" },
	/* other control bytes, NUL and DEL as \u00XX */
	{ "00 01 1f 7f", "\"\\u0000\\u0001\\u001f\\u007f\"" },
	/* valid UTF-8 passes through: é, €, U+10FFFF, 😀 */
	{ "c3a9 e282ac f48fbfbf f09f9880",
	  "\"\xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80\"" },
	/* bytes that are no UTF-8 become lone surrogates \udcXX */
	{ "ff", "\"\\udcff\"" },
	{ "80", "\"\\udc80\"" },
	{ "61 fe 62", "\"a\\udcfeb\"" },
	/* overlong encodings */
	{ "c0 80", "\"\\udcc0\\udc80\"" },
	{ "c1 bf", "\"\\udcc1\\udcbf\"" },
	{ "e0 80 af", "\"\\udce0\\udc80\\udcaf\"" },
	{ "f0 8f bf bf", "\"\\udcf0\\udc8f\\udcbf\\udcbf\"" },
	/* UTF-16 surrogates encoded in UTF-8 (CESU) */
	{ "ed a0 80", "\"\\udced\\udca0\\udc80\"" },
	/* above U+10FFFF and bytes that never start a sequence */
	{ "f4 90 80 80", "\"\\udcf4\\udc90\\udc80\\udc80\"" },
	{ "f5 80 80 80", "\"\\udcf5\\udc80\\udc80\\udc80\"" },
	/* truncated sequences at the end and before ASCII */
	{ "e2 82", "\"\\udce2\\udc82\"" },
	{ "e2 82 41", "\"\\udce2\\udc82A\"" },
	{ "f0 9f 98", "\"\\udcf0\\udc9f\\udc98\"" },
	/* a good sequence right after a bad byte */
	{ "ff c3 a9", "\"\\udcff\xc3\xa9\"" },
};

START_TEST(json_strings)
{
	for (size_t i = 0; i < sizeof(str_cases) / sizeof(str_cases[0]); i++) {
		uint8_t b[64];
		size_t n = test_unhex(str_cases[i].hex, b, sizeof(b));
		char *out = NULL;

		CAPTURE(out, json_write_string(f, b, n));
		ck_assert_msg(!strcmp(out, str_cases[i].json), "case %zu: got %s want %s", i,
			      out, str_cases[i].json);
		free(out);
	}
}
END_TEST

/* A message with every element kind and awkward names. */
static struct vici_msg *sample(void)
{
	struct wbuf w;
	struct vici_builder b;
	struct vici_msg *m;
	struct rd r;
	const char *why = NULL;

	wbuf_init(&w);
	vici_builder_init(&b, &w);
	vici_builder_add_kv_str(&b, "up", "yes");
	vici_builder_begin_section(&b, "gw \"1\"");
	vici_builder_add_kv_str(&b, "uniqueid", "7");
	vici_builder_begin_list(&b, "remote-vips");
	vici_builder_add_list_item_str(&b, "10.3.0.1");
	vici_builder_add_list_item(&b, "\x01\xff", 2);
	vici_builder_end_list(&b);
	vici_builder_begin_list(&b, "empty");
	vici_builder_end_list(&b);
	vici_builder_begin_section(&b, "child-sas");
	vici_builder_begin_section(&b, "net-1");
	vici_builder_add_kv(&b, "bin", "a\0b", 3);
	vici_builder_end_section(&b);
	vici_builder_begin_section(&b, "none");
	vici_builder_end_section(&b);
	vici_builder_end_section(&b);
	vici_builder_end_section(&b);
	ck_assert(vici_builder_finish(&b, NULL));
	r = rd_init(w.p, w.len);
	m = vici_msg_parse(&r, &why);
	ck_assert_msg(m, "%s", why);
	wbuf_free(&w);
	return m;
}

START_TEST(json_structure_compact)
{
	struct vici_msg *m = sample();
	char *out = NULL;

	CAPTURE(out, json_write_msg(f, m, -1, 0));
	ck_assert_str_eq(out,
		"{\"up\":\"yes\",\"gw \\\"1\\\"\":{\"uniqueid\":\"7\","
		"\"remote-vips\":[\"10.3.0.1\",\"\\u0001\\udcff\"],\"empty\":[],"
		"\"child-sas\":{\"net-1\":{\"bin\":\"a\\u0000b\"},\"none\":{}}}}");
	free(out);
	vici_msg_free(m);
}
END_TEST

START_TEST(json_structure_indented)
{
	struct vici_msg *m = sample();
	char *out = NULL;

	CAPTURE(out, json_write_msg(f, m, 2, 0));
	ck_assert_str_eq(out,
		"{\n"
		"  \"up\": \"yes\",\n"
		"  \"gw \\\"1\\\"\": {\n"
		"    \"uniqueid\": \"7\",\n"
		"    \"remote-vips\": [\n"
		"      \"10.3.0.1\",\n"
		"      \"\\u0001\\udcff\"\n"
		"    ],\n"
		"    \"empty\": [],\n"
		"    \"child-sas\": {\n"
		"      \"net-1\": {\n"
		"        \"bin\": \"a\\u0000b\"\n"
		"      },\n"
		"      \"none\": {}\n"
		"    }\n"
		"  }\n"
		"}");
	free(out);
	/* an empty message is an empty object; a nested start level indents */
	vici_msg_free(m);
	{
		struct rd r = rd_init(NULL, 0);
		const char *why;

		m = vici_msg_parse(&r, &why);
		ck_assert(m);
		CAPTURE(out, json_write_msg(f, m, 2, 3));
		ck_assert_str_eq(out, "{}");
		free(out);
		vici_msg_free(m);
	}
}
END_TEST

START_TEST(table_alignment)
{
	static const char *const hdr[] = { "NAME", "ID", "STATE" };
	struct table t;
	char *out = NULL;
	char *r1[3], *r2[3];

	table_init(&t, 3, hdr);
	r1[0] = text_fmt("%s", "gateway-long");
	r1[1] = text_fmt("%d", 1);
	r1[2] = text_fmt("%s", "ESTABLISHED");
	table_add_row(&t, r1);
	r2[0] = text_fmt("%s", "\xc3\xa9t\xc3\xa9");	/* 3 columns wide */
	r2[1] = NULL;
	r2[2] = text_fmt("%s", "X");
	table_add_row(&t, r2);
	CAPTURE(out, table_print(&t, f));
	ck_assert_str_eq(out,
		"NAME          ID  STATE\n"
		"gateway-long  1   ESTABLISHED\n"
		"\xc3\xa9t\xc3\xa9               X\n");
	free(out);
	table_free(&t);

	/* many rows grow the table; no rows prints the header only */
	table_init(&t, 1, hdr);
	for (int i = 0; i < 40; i++) {
		char *c[1] = { text_fmt("%d", i) };

		table_add_row(&t, c);
	}
	ck_assert_uint_eq(t.nrows, 40);
	table_free(&t);
	table_init(&t, 2, hdr);
	CAPTURE(out, table_print(&t, f));
	ck_assert_str_eq(out, "NAME  ID\n");
	free(out);
	table_free(&t);
}
END_TEST

START_TEST(text_helpers_and_tree)
{
	struct vici_msg *m = sample();
	const struct vici_node *gw = vici_node_child(vici_msg_root(m), "gw \"1\"");
	char *s, *out = NULL;

	ck_assert(gw);
	s = text_get(gw, "uniqueid");
	ck_assert_str_eq(s, "7");
	free(s);
	s = text_get(gw, "child-sas.net-1.bin");	/* NUL and others made printable */
	ck_assert_str_eq(s, "a?b");
	free(s);
	s = text_get(gw, "missing");
	ck_assert_str_eq(s, "");
	free(s);
	s = text_get(gw, "remote-vips");		/* a list is not a value */
	ck_assert_str_eq(s, "");
	free(s);
	s = text_join(vici_node_child(gw, "remote-vips"), ",");
	ck_assert_str_eq(s, "10.3.0.1,?\xff");
	free(s);
	s = text_join(vici_node_child(gw, "empty"), ",");
	ck_assert_str_eq(s, "");
	free(s);
	s = text_join(NULL, ",");
	ck_assert_str_eq(s, "");
	free(s);
	s = text_name(gw);
	ck_assert_str_eq(s, "gw \"1\"");
	free(s);

	CAPTURE(out, tree_print(f, m));
	ck_assert_str_eq(out,
		"up: yes\n"
		"gw \"1\":\n"
		"  uniqueid: 7\n"
		"  remote-vips: 10.3.0.1, ?\xff\n"
		"  empty:\n"
		"  child-sas:\n"
		"    net-1:\n"
		"      bin: a?b\n"
		"    none:\n");
	free(out);
	vici_msg_free(m);
}
END_TEST

static Suite *cygnetctl_render_suite(void)
{
	Suite *s = suite_create("cygnetctl_render");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, json_strings);
	tcase_add_test(tc, json_structure_compact);
	tcase_add_test(tc, json_structure_indented);
	tcase_add_test(tc, table_alignment);
	tcase_add_test(tc, text_helpers_and_tree);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(cygnetctl_render_suite)
