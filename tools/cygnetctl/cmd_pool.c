/* pool list, pool leases. */
#include <stdlib.h>
#include <string.h>

#include "tools/cygnetctl/cygnetctl.h"
#include "tools/cygnetctl/render_table.h"

static int get_pools(struct ctl *ctl, const char *name, bool leases,
		     struct vici_msg **resp)
{
	struct wbuf body;
	int rc;

	if ((rc = ctl_open(ctl)))
		return rc;
	ctl_body(&body, "leases", leases ? "yes" : NULL, "name", name, (char *)NULL);
	rc = vici_client_command(ctl->c, "get-pools", body.p, body.len, resp);
	wbuf_free(&body);
	return rc ? ctl_fail(ctl, rc) : CTL_EXIT_OK;
}

static int run_list(struct ctl *ctl, int argc, char **argv)
{
	static const char *const hdr[] = { "NAME", "BASE", "SIZE", "ONLINE", "OFFLINE" };
	const char *name = NULL;
	struct vici_msg *resp = NULL;
	struct table t;
	int rc;

	if (!ctl_parse(ctl, argc, argv, NULL, &name, 0, 1))
		return CTL_EXIT_USAGE;
	if ((rc = get_pools(ctl, name, false, &resp)))
		return rc;
	if (ctl->json) {
		ctl_print_json(resp);
	} else {
		table_init(&t, 5, hdr);
		for (const struct vici_node *p = vici_node_first(vici_msg_root(resp)); p;
		     p = vici_node_next(p)) {
			char *cells[5];

			if (vici_node_type(p) != VICI_NODE_SECTION)
				continue;
			cells[0] = text_name(p);
			cells[1] = text_get(p, "base");
			cells[2] = text_get(p, "size");
			cells[3] = text_get(p, "online");
			cells[4] = text_get(p, "offline");
			table_add_row(&t, cells);
		}
		table_print(&t, stdout);
		table_free(&t);
	}
	rc = ctl_check_reply(resp);
	vici_msg_free(resp);
	return rc;
}

static int run_leases(struct ctl *ctl, int argc, char **argv)
{
	static const char *const hdr[] = { "POOL", "ADDRESS", "STATUS", "IDENTITY" };
	const char *name = NULL;
	struct vici_msg *resp = NULL;
	struct table t;
	int rc;

	if (!ctl_parse(ctl, argc, argv, NULL, &name, 0, 1))
		return CTL_EXIT_USAGE;
	if ((rc = get_pools(ctl, name, true, &resp)))
		return rc;
	if (ctl->json) {
		ctl_print_json(resp);
	} else {
		table_init(&t, 4, hdr);
		for (const struct vici_node *p = vici_node_first(vici_msg_root(resp)); p;
		     p = vici_node_next(p)) {
			const struct vici_node *ls = vici_node_child(p, "leases");

			if (vici_node_type(p) != VICI_NODE_SECTION || !ls ||
			    vici_node_type(ls) != VICI_NODE_SECTION)
				continue;
			for (const struct vici_node *l = vici_node_first(ls); l;
			     l = vici_node_next(l)) {
				char *cells[4] = {
					text_name(p), text_get(l, "address"),
					text_get(l, "status"), text_get(l, "identity"),
				};

				table_add_row(&t, cells);
			}
		}
		table_print(&t, stdout);
		table_free(&t);
	}
	rc = ctl_check_reply(resp);
	vici_msg_free(resp);
	return rc;
}

const struct ctl_cmd ctl_cmds_pool[] = {
	{ "pool", "list", "[NAME]",
	  "Virtual IP pools (command `get-pools`): NAME BASE SIZE ONLINE OFFLINE.\n",
	  run_list },
	{ "pool", "leases", "[NAME]",
	  "Leases of all pools or of pool NAME (command `get-pools` with leases=yes):\n"
	  "POOL ADDRESS STATUS(online/offline) IDENTITY.\n", run_leases },
	{ NULL, NULL, NULL, NULL, NULL },
};
