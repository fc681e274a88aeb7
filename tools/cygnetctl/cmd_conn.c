/* conn list, conn up, conn down. */
#include <stdlib.h>
#include <string.h>

#include "tools/cygnetctl/cygnetctl.h"
#include "tools/cygnetctl/render_table.h"

static const char *const conn_headers[] = {
	"NAME", "VERSION", "LOCAL", "REMOTE", "AUTH", "CHILDREN",
};

/* The first round of a side's auth config: "local-1" (charon), or a
 * plain "local"/"remote" section. */
static const struct vici_node *auth_round(const struct vici_node *conn, const char *side)
{
	char key[32];
	const struct vici_node *n;

	snprintf(key, sizeof(key), "%s-1", side);
	if ((n = vici_node_child(conn, key)) && vici_node_type(n) == VICI_NODE_SECTION)
		return n;
	n = vici_node_child(conn, side);
	return n && vici_node_type(n) == VICI_NODE_SECTION ? n : NULL;
}

/* "192.0.2.1[gw.example]"; no addresses means any. */
static char *side_text(const struct vici_node *conn, const char *side)
{
	char key[32], *addrs, *id, *out;
	const struct vici_node *auth = auth_round(conn, side);

	snprintf(key, sizeof(key), "%s_addrs", side);
	addrs = text_join(vici_node_child(conn, key), ",");
	id = auth ? text_get(auth, "id") : text_fmt("%s", "");
	out = text_fmt("%s%s%s%s", *addrs ? addrs : "%any", *id ? "[" : "", id,
		       *id ? "]" : "");
	free(addrs);
	free(id);
	return out;
}

static char *auth_text(const struct vici_node *conn)
{
	const struct vici_node *l = auth_round(conn, "local");
	const struct vici_node *r = auth_round(conn, "remote");
	char *a = l ? text_get(l, "class") : text_fmt("%s", "");
	char *b = r ? text_get(r, "class") : text_fmt("%s", "");
	char *out = text_fmt("%s/%s", *a ? a : "-", *b ? b : "-");

	free(a);
	free(b);
	return out;
}

/* "net: TUNNEL dynamic === 10.1.0.0/24; ..." */
static char *children_text(const struct vici_node *conn)
{
	const struct vici_node *ch = vici_node_child(conn, "children");
	char *out = text_fmt("%s", "");

	if (!ch || vici_node_type(ch) != VICI_NODE_SECTION)
		return out;
	for (const struct vici_node *c = vici_node_first(ch); c; c = vici_node_next(c)) {
		char *name = text_name(c), *mode = text_get(c, "mode");
		char *l = text_join(vici_node_child(c, "local-ts"), ",");
		char *r = text_join(vici_node_child(c, "remote-ts"), ",");
		char *next = text_fmt("%s%s%s: %s%s%s === %s", out, *out ? "; " : "", name,
				      mode, *mode ? " " : "", *l ? l : "dynamic",
				      *r ? r : "dynamic");

		free(out);
		out = next;
		free(name);
		free(mode);
		free(l);
		free(r);
	}
	return out;
}

struct conn_list {
	struct ctl *ctl;
	struct table t;
	struct ctl_events ev;
};

static void on_list_conn(void *ctx, const char *event, const struct vici_msg *m)
{
	struct conn_list *l = ctx;

	if (strcmp(event, "list-conn"))
		return;
	if (l->ctl->json) {
		ctl_events_add(&l->ev, m);
		return;
	}
	for (const struct vici_node *n = vici_node_first(vici_msg_root(m)); n;
	     n = vici_node_next(n)) {
		char *cells[6];

		if (vici_node_type(n) != VICI_NODE_SECTION)
			continue;
		cells[0] = text_name(n);
		cells[1] = text_get(n, "version");
		cells[2] = side_text(n, "local");
		cells[3] = side_text(n, "remote");
		cells[4] = auth_text(n);
		cells[5] = children_text(n);
		table_add_row(&l->t, cells);
	}
}

static int run_list(struct ctl *ctl, int argc, char **argv)
{
	const char *name = NULL;
	struct conn_list l = { .ctl = ctl };
	struct wbuf body;
	int rc;

	if (!ctl_parse(ctl, argc, argv, NULL, &name, 0, 1))
		return CTL_EXIT_USAGE;
	if ((rc = ctl_open(ctl)))
		return rc;
	table_init(&l.t, 6, conn_headers);
	if (ctl->json)
		ctl_events_init(&l.ev);
	vici_client_on_event(ctl->c, on_list_conn, &l);
	ctl_body(&body, "ike", name, (char *)NULL);
	return ctl_stream_list(ctl, "list-conns", "list-conn", &body, &l.t, &l.ev);
}

/* ---- up / down: commands that stream control-log --------------------- */

struct ctl_log {
	struct ctl *ctl;
	struct ctl_events ev;
};

static void on_control_log(void *ctx, const char *event, const struct vici_msg *m)
{
	struct ctl_log *cl = ctx;
	const struct vici_node *root = vici_msg_root(m);
	char *group, *msg;

	if (strcmp(event, "control-log"))
		return;
	if (cl->ctl->json) {
		ctl_events_add(&cl->ev, m);
		return;
	}
	group = text_get(root, "group");
	msg = text_get(root, "msg");
	printf("[%s] %s\n", group, msg);
	fflush(stdout);
	free(group);
	free(msg);
}

/* Send cmd with body on the open connection, printing (or collecting)
 * control-log while it runs. timeout_s is the daemon's; the client waits
 * a little longer, or forever for 0. Returns an exit code; *resp is the
 * reply if one came. */
static int run_logged(struct ctl_log *cl, const char *cmd, const struct wbuf *body,
		      long timeout_s, struct vici_msg **resp)
{
	struct ctl *ctl = cl->ctl;
	int rc;

	vici_client_on_event(ctl->c, on_control_log, cl);
	vici_client_set_timeout(ctl->c, timeout_s ? (int)(timeout_s * 1000 + 5000) : -1);
	rc = vici_client_stream(ctl->c, cmd, body->p, body->len, "control-log", resp);
	vici_client_set_timeout(ctl->c, VICI_CLIENT_TIMEOUT_DEFAULT);
	return rc ? ctl_fail(ctl, rc) : ctl_check_reply(*resp);
}

static void print_summary(const char *cmd, const struct vici_msg *resp)
{
	char *m = vici_msg_get_str(resp, "matches");
	char *t = vici_msg_get_str(resp, "terminated");

	if (m || t)
		printf("%s: %s matched, %s terminated\n", cmd, m ? m : "?", t ? t : "?");
	else
		printf("%s: ok\n", cmd);
	free(m);
	free(t);
}

/* ---- conn up: the children of a connection, from list-conns ---------- */

struct child_names {
	const char *conn;
	char **names;
	size_t n;
};

static void on_conn_children(void *ctx, const char *event, const struct vici_msg *m)
{
	struct child_names *cn = ctx;
	const struct vici_node *conn = vici_node_child(vici_msg_root(m), cn->conn);
	const struct vici_node *ch = conn ? vici_node_child(conn, "children") : NULL;

	if (strcmp(event, "list-conn") || !ch || vici_node_type(ch) != VICI_NODE_SECTION)
		return;
	for (const struct vici_node *c = vici_node_first(ch); c; c = vici_node_next(c)) {
		char **nn = realloc(cn->names, (cn->n + 2) * sizeof(char *));
		size_t len;
		const uint8_t *p = vici_node_name(c, &len);

		if (!nn)
			return;
		cn->names = nn;
		/* names hold no NUL (the parser checks): keep them exact */
		if (!(cn->names[cn->n] = strndup((const char *)p, len)))
			return;
		cn->names[++cn->n] = NULL;
	}
}

/* The CHILD configs of conn into *names (NULL-ended, caller frees; NULL
 * when there are none). UNKNOWN when the daemon cannot list connections:
 * then it picks the child itself. */
static int conn_children(struct ctl *ctl, const char *conn, char ***names)
{
	struct child_names cn = { .conn = conn };
	struct vici_msg *resp = NULL;
	struct wbuf body;
	int rc;

	vici_client_on_event(ctl->c, on_conn_children, &cn);
	ctl_body(&body, "ike", conn, (char *)NULL);
	rc = vici_client_stream(ctl->c, "list-conns", body.p, body.len, "list-conn", &resp);
	vici_client_on_event(ctl->c, NULL, NULL);
	wbuf_free(&body);
	vici_msg_free(resp);
	*names = cn.names;
	return rc;
}

static void free_names(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

static int run_up(struct ctl *ctl, int argc, char **argv)
{
	const char *name = NULL, *child = NULL, *tmo = "30", *lvl = "1";
	bool ike_only = false;
	struct ctl_opt opts[] = {
		{ "child", &child, NULL }, { "ike-only", NULL, &ike_only },
		{ "timeout", &tmo, NULL }, { "loglevel", &lvl, NULL },
		{ NULL, NULL, NULL },
	};
	struct ctl_log cl = { .ctl = ctl };
	struct vici_msg *resp = NULL;
	char **children = NULL, ms[32];
	const char *one[2] = { NULL, NULL };
	const char *const *todo;
	long t, l;
	int rc;

	if (!ctl_parse(ctl, argc, argv, opts, &name, 1, 1) ||
	    !ctl_number("--timeout", tmo, 0, 86400, &t) ||
	    !ctl_number("--loglevel", lvl, -1, 4, &l))
		return CTL_EXIT_USAGE;
	if (child && ike_only) {
		fputs("cygnetctl conn up: --child and --ike-only exclude each other\n", stderr);
		return CTL_EXIT_USAGE;
	}
	if ((rc = ctl_open(ctl)))
		return rc;
	/* Bring up every CHILD config, as an operator means by "up"; an
	 * initiate with only the IKE name would set up a childless IKE SA. */
	if (!child && !ike_only &&
	    (rc = conn_children(ctl, name, &children)) && rc != VICI_CLIENT_UNKNOWN) {
		free_names(children);
		return ctl_fail(ctl, rc);
	}
	one[0] = child;
	todo = children && children[0] ? (const char *const *)children : one;
	snprintf(ms, sizeof(ms), "%ld", t * 1000);
	if (ctl->json)
		ctl_events_init(&cl.ev);
	do {
		struct wbuf body;

		vici_msg_free(resp);
		resp = NULL;
		ctl_body(&body, "ike", name, "child", *todo, "timeout", ms,
			 "loglevel", lvl, (char *)NULL);
		rc = run_logged(&cl, "initiate", &body, t, &resp);
		wbuf_free(&body);
		if (!rc && !ctl->json)
			print_summary(*todo ? *todo : name, resp);
	} while (!rc && *todo && *++todo);
	if (ctl->json && resp)
		ctl_events_print(&cl.ev, "control-log", resp);
	vici_msg_free(resp);
	ctl_events_free(&cl.ev);
	free_names(children);
	return rc;
}

static int run_down(struct ctl *ctl, int argc, char **argv)
{
	const char *name = NULL, *ike_id = NULL, *child = NULL, *child_id = NULL;
	const char *tmo = "30", *lvl = "1";
	bool force = false;
	struct ctl_log cl = { .ctl = ctl };
	struct vici_msg *resp = NULL;
	struct ctl_opt opts[] = {
		{ "ike-id", &ike_id, NULL }, { "child", &child, NULL },
		{ "child-id", &child_id, NULL }, { "force", NULL, &force },
		{ "timeout", &tmo, NULL }, { "loglevel", &lvl, NULL },
		{ NULL, NULL, NULL },
	};
	struct wbuf body;
	long t, l, id;
	char ms[32];
	int rc;

	if (!ctl_parse(ctl, argc, argv, opts, &name, 0, 1) ||
	    !ctl_number("--timeout", tmo, 0, 86400, &t) ||
	    !ctl_number("--loglevel", lvl, -1, 4, &l) ||
	    (ike_id && !ctl_number("--ike-id", ike_id, 1, 0xffffffffL, &id)) ||
	    (child_id && !ctl_number("--child-id", child_id, 1, 0xffffffffL, &id)))
		return CTL_EXIT_USAGE;
	if (!name && !ike_id && !child && !child_id) {
		fputs("cygnetctl conn down: give NAME, --ike-id, --child or --child-id\n", stderr);
		ctl_usage(stderr, ctl->cmd);
		return CTL_EXIT_USAGE;
	}
	if ((rc = ctl_open(ctl)))
		return rc;
	snprintf(ms, sizeof(ms), "%ld", t * 1000);
	ctl_body(&body, "ike", name, "ike-id", ike_id, "child", child, "child-id", child_id,
		 "force", force ? "yes" : NULL, "timeout", ms, "loglevel", lvl, (char *)NULL);
	if (ctl->json)
		ctl_events_init(&cl.ev);
	rc = run_logged(&cl, "terminate", &body, t, &resp);
	wbuf_free(&body);
	if (ctl->json && resp)
		ctl_events_print(&cl.ev, "control-log", resp);
	else if (!rc)
		print_summary("terminate", resp);
	vici_msg_free(resp);
	ctl_events_free(&cl.ev);
	return rc;
}

const struct ctl_cmd ctl_cmds_conn[] = {
	{ "conn", "list", "[NAME]",
	  "List loaded connections (command `list-conns`, streamed `list-conn`).\n"
	  "Columns: NAME VERSION LOCAL(addrs[id]) REMOTE(addrs[id]) AUTH(local/remote)\n"
	  "CHILDREN(name: mode local-ts === remote-ts).\n", run_list },
	{ "conn", "up", "NAME [--child NAME | --ike-only] [--timeout S] [--loglevel N]",
	  "Initiate connection NAME (command `initiate`), printing the daemon's\n"
	  "control-log while it runs. Without --child, every CHILD config of NAME\n"
	  "(from `list-conns`) is initiated in turn, stopping at the first failure.\n"
	  "  --child NAME   initiate only this CHILD config\n"
	  "  --ike-only     initiate the IKE SA alone (childless, if the daemon can)\n"
	  "  --timeout S    give up after S seconds (default 30; 0 waits forever)\n"
	  "  --loglevel N   control-log verbosity -1..4 (default 1)\n", run_up },
	{ "conn", "down",
	  "NAME | --ike-id N | --child NAME | --child-id N [--force] [--timeout S] [--loglevel N]",
	  "Terminate SAs (command `terminate`), printing control-log while it runs.\n"
	  "  NAME           the IKE SAs of connection NAME\n"
	  "  --ike-id N     the IKE SA with unique id N\n"
	  "  --child NAME   CHILD SAs named NAME; --child-id N: that CHILD SA\n"
	  "  --force        delete without waiting for the peer\n"
	  "  --timeout S    give up after S seconds (default 30; 0 waits forever)\n"
	  "  --loglevel N   control-log verbosity -1..4 (default 1)\n", run_down },
	{ NULL, NULL, NULL, NULL, NULL },
};
