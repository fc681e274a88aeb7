/* conn load: connections from a swanctl.conf-syntax file, each sent as a
 * load-conn command (what `swanctl --load-conns` does). The file is read
 * with cygnet's own parser (src/config/settings), so errors name file, line
 * and column; lists stay comma-separated values, which the daemon accepts. */
#include <stdio.h>
#include <string.h>

#include "config/settings.h"
#include "tools/cygnetctl/cygnetctl.h"

static void add_subtree(struct vici_builder *b, const struct settings_node *sec)
{
	for (const struct settings_node *n = sec->children; n; n = n->next) {
		if (n->type == SETTINGS_SECTION) {
			vici_builder_begin_section(b, n->name);
			add_subtree(b, n);
			vici_builder_end_section(b);
		} else {
			vici_builder_add_kv(b, n->name, n->value, n->value_len);
		}
	}
}

/* Sends one connection; prints the outcome; returns the exit status. */
static int load_one(struct ctl *ctl, const struct settings_node *conn)
{
	struct vici_msg *resp = NULL;
	struct vici_builder b;
	const char *why = NULL;
	struct wbuf body;
	int rc;

	wbuf_init(&body);
	vici_builder_init(&b, &body);
	vici_builder_begin_section(&b, conn->name);
	add_subtree(&b, conn);
	vici_builder_end_section(&b);
	if (!vici_builder_finish(&b, &why)) {
		fprintf(stderr, "cygnetctl: connection '%s': %s\n", conn->name, why);
		wbuf_free(&body);
		return CTL_EXIT_USAGE;
	}
	rc = vici_client_command(ctl->c, "load-conn", body.p, body.len, &resp);
	wbuf_free(&body);
	if (rc)
		return ctl_fail(ctl, rc);
	rc = ctl_check_reply(resp);
	if (ctl->json)
		ctl_print_json(resp);
	else if (rc == CTL_EXIT_OK)
		printf("loaded connection '%s'\n", conn->name);
	vici_msg_free(resp);
	return rc;
}

static int run_load(struct ctl *ctl, int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL };
	const struct settings_node *conns;
	struct settings_opts opts = { 0 };
	struct settings_tree tree;
	struct config_err err;
	int rc = CTL_EXIT_OK, found = 0;

	if (!ctl_parse(ctl, argc, argv, NULL, pos, 1, 2))
		return CTL_EXIT_USAGE;
	if (!settings_parse_file(pos[0], &opts, &tree, &err)) {
		fprintf(stderr, "cygnetctl: %s\n", err.msg);
		return CTL_EXIT_USAGE;
	}
	conns = settings_find(&tree.root, "connections", SETTINGS_SECTION);
	if ((rc = ctl_open(ctl))) {
		settings_free(&tree);
		return rc;
	}
	for (const struct settings_node *c = conns ? conns->children : NULL; c; c = c->next) {
		int one;

		if (c->type != SETTINGS_SECTION || (pos[1] && strcmp(c->name, pos[1])))
			continue;
		found++;
		one = load_one(ctl, c);
		if (one != CTL_EXIT_OK && rc == CTL_EXIT_OK)
			rc = one;
		if (one == CTL_EXIT_CONNECT || one == CTL_EXIT_UNKNOWN)
			break;
	}
	settings_free(&tree);
	if (!found) {
		fprintf(stderr, "cygnetctl: %s: no connection%s%s in connections { }\n", pos[0],
			pos[1] ? " named " : "", pos[1] ? pos[1] : "");
		return CTL_EXIT_USAGE;
	}
	return rc;
}

const struct ctl_cmd ctl_cmds_load[] = {
	{ "conn", "load", "FILE [NAME]",
	  "Load the connections of FILE (swanctl.conf syntax, `include` allowed),\n"
	  "or only NAME, with one `load-conn` command each; a loaded connection\n"
	  "replaces one of the same name. Secrets and pools are not loaded (use\n"
	  "`swanctl --load-all` for those); certificate files stay with the daemon's\n"
	  "own configuration. A file that does not parse exits 2 with\n"
	  "file:line:col, one without that connection exits 2 naming the file;\n"
	  "a connection the daemon refuses exits 1 with its reason (the others\n"
	  "are still loaded).\n", run_load },
	{ NULL, NULL, NULL, NULL, NULL },
};
