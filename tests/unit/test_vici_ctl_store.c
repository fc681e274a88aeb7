/* The VICI object store: VICI sections as settings subtrees, and the merge
 * over a configuration file that goes through the real config builder. */
#include "check_main.h"

#include "config/config.h"
#include "control/ctl_store.h"

static struct vici_msg *msg_from(void (*fill)(struct vici_builder *b))
{
	struct wbuf w;
	struct vici_builder b;
	struct vici_msg *m;
	const char *why;
	struct rd r;

	wbuf_init(&w);
	vici_builder_init(&b, &w);
	fill(&b);
	ck_assert_msg(vici_builder_finish(&b, &why), "%s", why);
	r = rd_init(w.p, w.len);
	m = vici_msg_parse(&r, &why);
	ck_assert_msg(m, "%s", why);
	wbuf_free(&w);
	return m;
}

/* what swanctl sends for one connection */
static void fill_conn(struct vici_builder *b)
{
	vici_builder_begin_section(b, "site");
	vici_builder_begin_list(b, "remote_addrs");
	vici_builder_add_list_item_str(b, "198.51.100.7");
	vici_builder_add_list_item_str(b, "198.51.100.8");
	vici_builder_end_list(b);
	vici_builder_add_kv_str(b, "rekey_time", "2h");
	vici_builder_begin_section(b, "local");
	vici_builder_add_kv_str(b, "auth", "psk");
	vici_builder_add_kv_str(b, "id", "gw.example");
	vici_builder_begin_list(b, "certs");
	vici_builder_add_list_item_str(b, "-----BEGIN CERTIFICATE-----\nMIIB\n");
	vici_builder_end_list(b);
	vici_builder_end_section(b);
	vici_builder_begin_section(b, "children");
	vici_builder_begin_section(b, "net");
	vici_builder_begin_list(b, "local_ts");
	vici_builder_add_list_item_str(b, "10.5.0.0/16");
	vici_builder_add_list_item_str(b, "10.6.0.0/16");
	vici_builder_end_list(b);
	vici_builder_end_section(b);
	vici_builder_end_section(b);
	vici_builder_end_section(b);
}

static const char file_conf[] =
	"control {\n socket = /tmp/x.vici\n}\n"
	"connections {\n"
	" site {\n  remote_addrs = 192.0.2.9\n }\n"
	" keep {\n  remote_addrs = 192.0.2.10\n }\n"
	"}\n"
	"secrets {\n ike-file {\n  id = file.example\n  secret = filesecret\n }\n}\n";

static const char *const skip[] = { "certs", "cacerts", "pubkeys", NULL };
static const char *const drop[] = { "control", NULL };

START_TEST(store_conn_replaces_file_conn)
{
	struct vici_msg *m = msg_from(fill_conn);
	struct ctl_store s = { 0 };
	struct settings_tree file, merged;
	struct settings_node *sec, *old;
	struct config_err err;
	struct config *cfg;
	const struct config_conn *cc;
	const char *why = NULL;
	static const uint8_t psk[] = { 's', 0, 0xff, 'k' };
	char **owners = calloc(1, sizeof(char *));
	const struct config_secret *sh;

	sec = ctl_settings_from_vici("site", vici_node_child(vici_msg_root(m), "site"), skip,
				     &why);
	ck_assert_msg(sec, "%s", why);
	ck_assert(ctl_store_put(&s.conns, &s.n_conns, "site", sec, &old));
	ck_assert_ptr_null(old);
	owners[0] = strdup("peer.example");
	ck_assert(ctl_store_shared_add(&s, "my-psk", "ike", psk, sizeof(psk), owners, 1));
	ck_assert(settings_parse_buffer("file", file_conf, sizeof(file_conf) - 1, NULL, &file,
					&err));
	ck_assert(ctl_store_merge(&s, &file, drop, &merged));
	ck_assert_msg(config_build(&merged, &cfg, &err), "%s", err.msg);

	ck_assert_uint_eq(cfg->n_conns, 2);
	ck_assert_ptr_nonnull(config_find_conn(cfg, "keep"));
	cc = config_find_conn(cfg, "site");
	ck_assert_ptr_nonnull(cc);
	/* the VICI version, lists joined back */
	ck_assert_uint_eq(cc->n_remote_addrs, 2);
	ck_assert_uint_eq(cc->rekey_time, 7200);
	ck_assert_uint_eq(cc->n_children, 1);
	ck_assert_uint_eq(cc->children[0].n_local_ts, 2);
	ck_assert_str_eq(cc->local[0].id, "gw.example");
	/* certificate contents are not file names: dropped */
	ck_assert_uint_eq(cc->local[0].certs.n, 0);
	/* the file's secret and the binary VICI one */
	ck_assert_ptr_nonnull(config_find_secret(cfg, "file.example"));
	sh = config_find_secret(cfg, "peer.example");
	ck_assert_ptr_nonnull(sh);
	ck_assert_uint_eq(sh->secret.len, sizeof(psk));
	ck_assert(memcmp(sh->secret.ptr, psk, sizeof(psk)) == 0);
	config_free(cfg);
	settings_free(&merged);

	/* removed again: the file's site comes back */
	ctl_settings_node_free(ctl_store_take(&s.conns, &s.n_conns, "site"));
	ck_assert(ctl_store_shared_del(&s, "my-psk"));
	ck_assert(!ctl_store_shared_del(&s, "my-psk"));
	ck_assert(ctl_store_merge(&s, &file, drop, &merged));
	ck_assert_msg(config_build(&merged, &cfg, &err), "%s", err.msg);
	ck_assert_uint_eq(config_find_conn(cfg, "site")->n_remote_addrs, 1);
	ck_assert_ptr_null(config_find_secret(cfg, "peer.example"));
	config_free(cfg);
	settings_free(&merged);

	/* without dropping control the strict builder refuses the file */
	ck_assert(ctl_store_merge(&s, &file, NULL, &merged));
	ck_assert(!config_build(&merged, &cfg, &err));
	settings_free(&merged);
	settings_free(&file);
	ctl_store_free(&s);
	vici_msg_free(m);
}
END_TEST

static void fill_bad_item(struct vici_builder *b)
{
	vici_builder_begin_section(b, "x");
	vici_builder_begin_list(b, "remote_addrs");
	vici_builder_add_list_item_str(b, "192.0.2.1, 192.0.2.2");
	vici_builder_end_list(b);
	vici_builder_end_section(b);
}

static void fill_nul_value(struct vici_builder *b)
{
	vici_builder_begin_section(b, "x");
	vici_builder_add_kv(b, "id", "a\0b", 3);
	vici_builder_end_section(b);
}

static void fill_unknown_key(struct vici_builder *b)
{
	vici_builder_begin_section(b, "x");
	vici_builder_add_kv_str(b, "no_such_key", "1");
	vici_builder_end_section(b);
}

START_TEST(store_rejects_what_the_file_syntax_cannot_say)
{
	struct vici_msg *m;
	const char *why = NULL;
	struct ctl_store s = { 0 };
	struct settings_tree merged;
	struct settings_node *sec, *old;
	struct config_err err;
	struct config *cfg;

	m = msg_from(fill_bad_item);
	ck_assert_ptr_null(ctl_settings_from_vici("x", vici_node_first(vici_msg_root(m)), NULL,
						  &why));
	ck_assert_str_eq(why, "list item with a NUL byte or a comma");
	vici_msg_free(m);
	m = msg_from(fill_nul_value);
	ck_assert_ptr_null(ctl_settings_from_vici("x", vici_node_first(vici_msg_root(m)), NULL,
						  &why));
	ck_assert_str_eq(why, "value with a NUL byte");
	vici_msg_free(m);

	/* an unknown key converts, and the config builder names it */
	m = msg_from(fill_unknown_key);
	sec = ctl_settings_from_vici("x", vici_node_first(vici_msg_root(m)), NULL, &why);
	ck_assert_ptr_nonnull(sec);
	ck_assert(ctl_store_put(&s.conns, &s.n_conns, "x", sec, &old));
	ck_assert(ctl_store_merge(&s, NULL, NULL, &merged));
	ck_assert(!config_build(&merged, &cfg, &err));
	ck_assert_msg(strstr(err.msg, "no_such_key"), "%s", err.msg);
	settings_free(&merged);
	ctl_store_free(&s);
	vici_msg_free(m);
}
END_TEST

static Suite *vici_ctl_store_suite(void)
{
	Suite *s = suite_create("vici_ctl_store");
	TCase *tc = tcase_create("store");

	tcase_add_test(tc, store_conn_replaces_file_conn);
	tcase_add_test(tc, store_rejects_what_the_file_syntax_cannot_say);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(vici_ctl_store_suite)
