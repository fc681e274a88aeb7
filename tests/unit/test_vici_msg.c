#include "check_main.h"
#include "control/vici_msg.h"

static struct vici_msg *parse_bytes(const uint8_t *p, size_t len, const char **why)
{
	struct rd r = rd_init(p, len);

	*why = NULL;
	return vici_msg_parse(&r, why);
}

/* A load-conn-like message with every element kind, plus a value holding
 * a NUL byte and an empty list. */
static void build_sample(struct vici_builder *b)
{
	static const uint8_t bin[] = { 'a', 0, 'b' };

	vici_builder_add_kv_str(b, "success", "yes");
	vici_builder_begin_section(b, "gw");
	vici_builder_begin_list(b, "local_addrs");
	vici_builder_add_list_item_str(b, "192.0.2.1");
	vici_builder_add_list_item_fmt(b, "%s.%d", "198.51.100", 7);
	vici_builder_end_list(b);
	vici_builder_add_kv_fmt(b, "rekey_time", "%u", 3600u);
	vici_builder_begin_section(b, "local");
	vici_builder_add_kv_str(b, "auth", "pubkey");
	vici_builder_end_section(b);
	vici_builder_begin_list(b, "empty");
	vici_builder_end_list(b);
	vici_builder_add_kv(b, "blob", bin, sizeof(bin));
	vici_builder_add_kv(b, "nothing", NULL, 0);
	vici_builder_end_section(b);
	vici_builder_begin_section(b, "other");
	vici_builder_begin_section(b, "local");	/* same key, other section: fine */
	vici_builder_add_kv_str(b, "auth", "psk");
	vici_builder_end_section(b);
	vici_builder_end_section(b);
}

START_TEST(msg_round_trip_and_accessors)
{
	struct vici_builder b, b2;
	struct wbuf w, w2;
	struct vici_msg *m, *m2;
	const struct vici_node *n, *l, *root;
	const uint8_t *v;
	const char *why;
	char buf[16], *s;
	size_t len;

	wbuf_init(&w);
	vici_builder_init(&b, &w);
	build_sample(&b);
	ck_assert(vici_builder_finish(&b, &why));

	m = parse_bytes(w.p, w.len, &why);
	ck_assert_msg(m, "parse: %s", why);
	root = vici_msg_root(m);
	ck_assert_uint_eq(vici_node_count(root), 3);

	s = vici_msg_get_str(m, "success");
	ck_assert_str_eq(s, "yes");
	free(s);
	ck_assert(vici_msg_get_str_buf(m, "gw.local.auth", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "pubkey");
	ck_assert(vici_msg_get_str_buf(m, "other.local.auth", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "psk");
	ck_assert(vici_msg_get_str_buf(m, "gw.rekey_time", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "3600");
	ck_assert(!vici_msg_get_str_buf(m, "gw.rekey_time", buf, 4));	/* no room for NUL */
	ck_assert(!vici_msg_get_str(m, "gw.local"));		/* a section */
	ck_assert(!vici_msg_get_str(m, "gw.missing"));
	ck_assert(!vici_msg_find(m, "gw..local"));
	ck_assert(!vici_msg_find(m, ""));
	ck_assert(!vici_msg_find(m, "success.x"));		/* kv is no section */

	/* bytes with an embedded NUL: raw access yes, C string no */
	n = vici_msg_find(m, "gw.blob");
	ck_assert(n && vici_node_type(n) == VICI_NODE_KV);
	v = vici_node_value(n, &len);
	ck_assert_uint_eq(len, 3);
	ck_assert(v[0] == 'a' && v[1] == 0 && v[2] == 'b');
	ck_assert(!vici_msg_get_str(m, "gw.blob"));
	s = vici_msg_get_str(m, "gw.nothing");
	ck_assert_str_eq(s, "");
	free(s);

	l = vici_msg_get_list(m, "gw.local_addrs");
	ck_assert(l && vici_node_count(l) == 2);
	n = vici_node_first(l);
	ck_assert(vici_node_str_buf(n, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "192.0.2.1");
	n = vici_node_next(n);
	s = vici_node_str(n);
	ck_assert_str_eq(s, "198.51.100.7");
	free(s);
	ck_assert(!vici_node_next(n));
	l = vici_msg_get_list(m, "gw.empty");
	ck_assert(l && vici_node_count(l) == 0 && !vici_node_first(l));
	ck_assert(!vici_msg_get_list(m, "gw.local"));

	/* children in wire order */
	n = vici_node_first(vici_msg_find(m, "gw"));
	ck_assert(vici_node_name_is(n, "local_addrs"));
	ck_assert(vici_node_name_is(n = vici_node_next(n), "rekey_time"));
	ck_assert(vici_node_name_is(n = vici_node_next(n), "local"));
	ck_assert(vici_node_type(n) == VICI_NODE_SECTION);
	ck_assert(vici_node_child(vici_msg_find(m, "gw"), "empty") == vici_node_next(n));

	/* rebuild: canonical encoding gives the same bytes and an equal tree */
	wbuf_init(&w2);
	vici_builder_init(&b2, &w2);
	ck_assert(vici_msg_build(m, &b2));
	ck_assert(vici_builder_finish(&b2, &why));
	ck_assert_uint_eq(w2.len, w.len);
	ck_assert(memcmp(w.p, w2.p, w.len) == 0);
	m2 = parse_bytes(w2.p, w2.len, &why);
	ck_assert(m2 && vici_msg_equal(m, m2));
	vici_msg_free(m2);

	/* a changed value makes the trees differ */
	w2.p[w2.len - 3] ^= 1;
	m2 = parse_bytes(w2.p, w2.len, &why);
	ck_assert(m2 && !vici_msg_equal(m, m2));
	vici_msg_free(m2);

	vici_msg_free(m);
	wbuf_free(&w);
	wbuf_free(&w2);
}
END_TEST

START_TEST(msg_empty_body_is_empty_section)
{
	const char *why;
	struct vici_msg *m = parse_bytes((const uint8_t *)"", 0, &why);

	ck_assert(m);
	ck_assert_uint_eq(vici_node_count(vici_msg_root(m)), 0);
	vici_msg_free(m);
}
END_TEST

/* Hand-encoded wire bytes. s=01 01 73, end=02, kv a=b: 03 01 61 00 01 62,
 * list l: 04 01 6c, item x: 05 00 01 78, list end: 06. */
static const struct {
	const char *hex;
	const char *reason;	/* NULL = valid */
} wire_cases[] = {
	{ "03016100016201017303016100016202", NULL },
	{ "04016c0500017805000006", NULL },
	{ "04016c06", NULL },
	{ "02", "unbalanced section end" },
	{ "010173", "unterminated section" },
	{ "01017301017402", "unterminated section" },
	{ "04016c04016d0606", "nested list" },
	{ "04016c030161000162 06", "key/value inside a list" },
	{ "04016c01017302 06", "section inside a list" },
	{ "010173 04016c 02 06 02", "section end inside a list" },
	{ "05000178", "list item outside a list" },
	{ "010173 05000178 02", "list item outside a list" },
	{ "06", "list end outside a list" },
	{ "04016c05000178", "unterminated list" },
	{ "0301610000 0301610000", "duplicate key in section" },
	{ "0301610000 01016102", "duplicate key in section" },
	{ "04016106 0301610000", "duplicate key in section" },
	{ "010173 0301610000 0301610000 02", "duplicate key in section" },
	{ "030561 62", "truncated name" },
	{ "03", "truncated name length" },
	{ "01", "truncated name length" },
	{ "0300 0000", "empty name" },
	{ "0100 02", "empty name" },
	{ "0400 06", "empty name" },
	{ "0302610000 00", "NUL byte in name" },
	{ "030161 0005 6263", "truncated value" },
	{ "030161 00", "truncated value length" },
	{ "04016c 05", "truncated value length" },
	{ "07", "unknown element type" },
	{ "00", "unknown element type" },
	{ "ff", "unknown element type" },
};

START_TEST(msg_wire_cases)
{
	for (size_t i = 0; i < sizeof(wire_cases) / sizeof(wire_cases[0]); i++) {
		uint8_t in[64];
		size_t len = test_unhex(wire_cases[i].hex, in, sizeof(in));
		const char *why;
		struct vici_msg *m = parse_bytes(in, len, &why);

		if (!wire_cases[i].reason) {
			ck_assert_msg(m, "case %zu: %s", i, why);
			vici_msg_free(m);
		} else {
			ck_assert_msg(!m, "case %zu accepted", i);
			ck_assert_msg(strcmp(why, wire_cases[i].reason) == 0,
				      "case %zu: got '%s' want '%s'", i, why,
				      wire_cases[i].reason);
		}
	}
}
END_TEST

START_TEST(msg_depth_limit)
{
	struct wbuf w;
	const char *why;
	struct vici_msg *m;

	for (int depth = VICI_MAX_DEPTH; depth <= VICI_MAX_DEPTH + 1; depth++) {
		wbuf_init(&w);
		for (int i = 0; i < depth; i++)
			wbuf_bytes(&w, "\x01\x01s", 3);
		for (int i = 0; i < depth; i++)
			wbuf_u8(&w, VICI_SECTION_END);
		m = parse_bytes(w.p, w.len, &why);
		if (depth == VICI_MAX_DEPTH) {
			ck_assert_msg(m, "%s", why);
			ck_assert(vici_msg_find(m, "s.s.s.s.s.s.s.s.s.s.s.s.s.s.s.s"));
			vici_msg_free(m);
		} else {
			ck_assert(!m);
			ck_assert_str_eq(why, "sections nested too deep");
		}
		wbuf_free(&w);
	}
}
END_TEST

START_TEST(msg_element_limit)
{
	struct wbuf w;
	const char *why;
	struct vici_msg *m;

	/* root + list + items: VICI_MAX_ELEMENTS nodes pass, one more fails */
	for (size_t items = VICI_MAX_ELEMENTS - 2; items <= VICI_MAX_ELEMENTS - 1; items++) {
		wbuf_init(&w);
		wbuf_bytes(&w, "\x04\x01l", 3);
		for (size_t i = 0; i < items; i++)
			wbuf_bytes(&w, "\x05\x00\x00", 3);
		wbuf_u8(&w, VICI_LIST_END);
		m = parse_bytes(w.p, w.len, &why);
		if (items == VICI_MAX_ELEMENTS - 2) {
			ck_assert_msg(m, "%s", why);
			ck_assert_uint_eq(vici_node_count(vici_msg_get_list(m, "l")), items);
			vici_msg_free(m);
		} else {
			ck_assert(!m);
			ck_assert_str_eq(why, "too many elements");
		}
		wbuf_free(&w);
	}
}
END_TEST

/* Many distinct keys in one section: the duplicate check stays correct
 * (and linear) across table collisions. */
START_TEST(msg_many_unique_keys)
{
	struct vici_builder b;
	struct wbuf w;
	const char *why;
	struct vici_msg *m;

	wbuf_init(&w);
	vici_builder_init(&b, &w);
	for (int i = 0; i < 20000; i++) {
		char name[16];

		snprintf(name, sizeof(name), "k%d", i);
		vici_builder_add_kv_fmt(&b, name, "%d", i);
	}
	ck_assert(vici_builder_finish(&b, &why));
	m = parse_bytes(w.p, w.len, &why);
	ck_assert_msg(m, "%s", why);
	ck_assert_uint_eq(vici_node_count(vici_msg_root(m)), 20000);
	ck_assert(vici_msg_find(m, "k19999"));
	vici_msg_free(m);
	/* append a duplicate of the first key */
	wbuf_bytes(&w, "\x03\x02k0\x00\x00", 6);
	ck_assert(!parse_bytes(w.p, w.len, &why));
	ck_assert_str_eq(why, "duplicate key in section");
	wbuf_free(&w);
}
END_TEST

/* Builder scripts: S begin section, E end section, K kv, L begin list,
 * I list item, J end list. */
static const struct {
	const char *ops;
	const char *reason;	/* NULL = balanced and valid */
} builder_cases[] = {
	{ "", NULL },
	{ "SKLIIJSEEK", NULL },
	{ "LJ", NULL },
	{ "E", "unbalanced section end" },
	{ "SEE", "unbalanced section end" },
	{ "S", "unterminated section" },
	{ "SSE", "unterminated section" },
	{ "L", "unterminated list" },
	{ "LL", "element inside a list" },
	{ "LK", "element inside a list" },
	{ "LS", "element inside a list" },
	{ "LE", "section end inside a list" },
	{ "I", "list item outside a list" },
	{ "SIE", "list item outside a list" },
	{ "J", "list end outside a list" },
	{ "LJJ", "list end outside a list" },
	{ "EK", "unbalanced section end" },	/* sticky: first error wins */
};

START_TEST(builder_balance_cases)
{
	for (size_t i = 0; i < sizeof(builder_cases) / sizeof(builder_cases[0]); i++) {
		struct vici_builder b;
		struct wbuf w;
		const char *why = NULL;
		char name[16];
		int k = 0;

		wbuf_init(&w);
		vici_builder_init(&b, &w);
		for (const char *op = builder_cases[i].ops; *op; op++) {
			snprintf(name, sizeof(name), "n%d", k++);
			switch (*op) {
			case 'S': vici_builder_begin_section(&b, name); break;
			case 'E': vici_builder_end_section(&b); break;
			case 'K': vici_builder_add_kv_str(&b, name, "v"); break;
			case 'L': vici_builder_begin_list(&b, name); break;
			case 'I': vici_builder_add_list_item_str(&b, "v"); break;
			case 'J': vici_builder_end_list(&b); break;
			}
		}
		if (!builder_cases[i].reason) {
			struct vici_msg *m;

			ck_assert_msg(vici_builder_finish(&b, &why), "case %zu: %s", i, why);
			m = parse_bytes(w.p, w.len, &why);
			ck_assert_msg(m, "case %zu reparse: %s", i, why);
			vici_msg_free(m);
		} else {
			ck_assert_msg(!vici_builder_finish(&b, &why), "case %zu ok", i);
			ck_assert_msg(strcmp(why, builder_cases[i].reason) == 0,
				      "case %zu: got '%s' want '%s'", i, why,
				      builder_cases[i].reason);
		}
		wbuf_free(&w);
	}
}
END_TEST

START_TEST(builder_rejects_bad_names_and_values)
{
	struct vici_builder b;
	struct wbuf w;
	char longname[257];
	uint8_t *big;
	const char *why;
	size_t len;

	memset(longname, 'x', 256);
	longname[256] = '\0';
	big = calloc(1, VICI_MAX_VALUE + 1);
	ck_assert(big);

	struct { int which; const char *reason; } cases[] = {
		{ 0, "name length out of range" },	/* empty */
		{ 1, "name length out of range" },	/* 256 bytes */
		{ 2, "name length out of range" },	/* NULL */
		{ 3, "value too long" },
		{ 4, "NULL value" },
		{ 5, "NUL byte in name" },
		{ 6, "sections nested too deep" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wbuf_init(&w);
		vici_builder_init(&b, &w);
		vici_builder_add_kv_str(&b, "ok", "1");
		len = w.len;
		switch (cases[i].which) {
		case 0: ck_assert(!vici_builder_add_kv_str(&b, "", "v")); break;
		case 1: ck_assert(!vici_builder_begin_section(&b, longname)); break;
		case 2: ck_assert(!vici_builder_begin_list(&b, NULL)); break;
		case 3: ck_assert(!vici_builder_add_kv(&b, "big", big, VICI_MAX_VALUE + 1)); break;
		case 4: ck_assert(!vici_builder_add_kv_str(&b, "k", NULL)); break;
		case 5: ck_assert(!vici_builder_add_kv_n(&b, (const uint8_t *)"a\0b", 3, "v", 1)); break;
		case 6:
			for (int d = 0; d < VICI_MAX_DEPTH; d++)
				ck_assert(vici_builder_begin_section(&b, "s"));
			len = w.len;
			ck_assert(!vici_builder_begin_section(&b, "s"));
			break;
		}
		ck_assert_uint_eq(w.len, len);	/* no half element written */
		ck_assert(!vici_builder_add_kv_str(&b, "after", "x"));	/* sticky */
		ck_assert(!vici_builder_finish(&b, &why));
		ck_assert_msg(strcmp(why, cases[i].reason) == 0, "case %zu: %s", i, why);
		wbuf_free(&w);
	}
	/* the largest value is fine */
	wbuf_init(&w);
	vici_builder_init(&b, &w);
	ck_assert(vici_builder_add_kv(&b, "big", big, VICI_MAX_VALUE));
	ck_assert(vici_builder_finish(&b, &why));
	wbuf_free(&w);
	free(big);
}
END_TEST

static Suite *vici_msg_suite(void)
{
	Suite *s = suite_create("vici_msg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, msg_round_trip_and_accessors);
	tcase_add_test(tc, msg_empty_body_is_empty_section);
	tcase_add_test(tc, msg_wire_cases);
	tcase_add_test(tc, msg_depth_limit);
	tcase_add_test(tc, msg_element_limit);
	tcase_add_test(tc, msg_many_unique_keys);
	tcase_add_test(tc, builder_balance_cases);
	tcase_add_test(tc, builder_rejects_bad_names_and_values);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(vici_msg_suite)
