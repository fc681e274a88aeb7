/* sa list, sa monitor. */
#include <stdlib.h>
#include <string.h>

#include "tools/cygnetctl/cygnetctl.h"
#include "tools/cygnetctl/render_table.h"

static const char *const sa_headers[] = {
	"NAME", "ID", "STATE", "LOCAL", "REMOTE", "VIPS", "CHILDREN",
};

/* "host[id]", or just one of them. */
static char *endpoint(const struct vici_node *ike, const char *side)
{
	char key[32], *host, *id, *out;

	snprintf(key, sizeof(key), "%s-host", side);
	host = text_get(ike, key);
	snprintf(key, sizeof(key), "%s-id", side);
	id = text_get(ike, key);
	out = *id ? text_fmt("%s[%s]", host, id) : text_fmt("%s", host);
	free(host);
	free(id);
	return out;
}

/* Virtual IPs: the peer's ("remote 10.3.0.1") and our own ("local ..."). */
static char *vips(const struct vici_node *ike)
{
	char *r = text_join(vici_node_child(ike, "remote-vips"), ",");
	char *l = text_join(vici_node_child(ike, "local-vips"), ",");
	char *out = text_fmt("%s%s%s%s%s", *r ? "remote " : "", r, *r && *l ? " " : "",
			     *l ? "local " : "", l);

	free(r);
	free(l);
	return out;
}

/* A child's display name: its "name" key, else the section name. */
static char *child_name(const struct vici_node *child)
{
	const struct vici_node *n = vici_node_child(child, "name");

	return n && vici_node_type(n) == VICI_NODE_KV ? text_value(n) : text_name(child);
}

/* A byte count for people: "840 B", "12.5 KiB", "3.2 MiB", "1.0 GiB". */
static char *human_bytes(const char *s)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = strtod(s, NULL);
	int u = -1;

	if (v < 10240)
		return text_fmt("%.0f B", v);
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	return text_fmt("%.1f %s", v, unit[u]);
}

/* " (in 840 B, out 1.2 KiB)" from bytes-in/bytes-out, "" without them. */
static char *traffic(const struct vici_node *child)
{
	char *in = text_get(child, "bytes-in"), *out = text_get(child, "bytes-out"), *r;

	if (!*in || !*out) {
		r = text_fmt("%s", "");
	} else {
		char *hi = human_bytes(in), *ho = human_bytes(out);

		r = text_fmt(" (in %s, out %s)", hi, ho);
		free(hi);
		free(ho);
	}
	free(in);
	free(out);
	return r;
}

/* "net#3 INSTALLED (in 840 B, out 840 B), net2#4 INSTALLED (...)" */
static char *children(const struct vici_node *ike)
{
	const struct vici_node *sas = vici_node_child(ike, "child-sas");
	char *out = text_fmt("%s", "");

	if (!sas || vici_node_type(sas) != VICI_NODE_SECTION)
		return out;
	for (const struct vici_node *c = vici_node_first(sas); c; c = vici_node_next(c)) {
		char *name = child_name(c), *id = text_get(c, "uniqueid");
		char *state = text_get(c, "state"), *t = traffic(c), *next;

		next = text_fmt("%s%s%s#%s %s%s", out, *out ? ", " : "", name, id, state, t);
		free(out);
		out = next;
		free(name);
		free(id);
		free(state);
		free(t);
	}
	return out;
}

static void sa_row(struct table *t, const struct vici_node *ike)
{
	char *cells[7] = {
		text_name(ike), text_get(ike, "uniqueid"), text_get(ike, "state"),
		endpoint(ike, "local"), endpoint(ike, "remote"), vips(ike), children(ike),
	};

	table_add_row(t, cells);
}

struct sa_list {
	struct ctl *ctl;
	struct table t;
	struct ctl_events ev;
};

static void on_list_sa(void *ctx, const char *event, const struct vici_msg *m)
{
	struct sa_list *l = ctx;

	if (strcmp(event, "list-sa"))
		return;
	if (l->ctl->json) {
		ctl_events_add(&l->ev, m);
		return;
	}
	for (const struct vici_node *n = vici_node_first(vici_msg_root(m)); n;
	     n = vici_node_next(n))
		if (vici_node_type(n) == VICI_NODE_SECTION)
			sa_row(&l->t, n);
}

static int run_list(struct ctl *ctl, int argc, char **argv)
{
	const char *ike = NULL, *ike_id = NULL, *child = NULL;
	bool noblock = false;
	struct ctl_opt opts[] = {
		{ "ike", &ike, NULL }, { "ike-id", &ike_id, NULL },
		{ "child", &child, NULL }, { "noblock", NULL, &noblock },
		{ NULL, NULL, NULL },
	};
	struct sa_list l = { .ctl = ctl };
	struct wbuf body;
	long id;
	int rc;

	if (!ctl_parse(ctl, argc, argv, opts, NULL, 0, 0) ||
	    (ike_id && !ctl_number("--ike-id", ike_id, 1, 0xffffffffL, &id)))
		return CTL_EXIT_USAGE;
	if ((rc = ctl_open(ctl)))
		return rc;
	table_init(&l.t, 7, sa_headers);
	if (ctl->json)
		ctl_events_init(&l.ev);
	vici_client_on_event(ctl->c, on_list_sa, &l);
	ctl_body(&body, "noblock", noblock ? "yes" : NULL, "ike", ike, "ike-id", ike_id,
		 "child", child, (char *)NULL);
	return ctl_stream_list(ctl, "list-sas", "list-sa", &body, &l.t, &l.ev);
}

/* ---- monitor ----------------------------------------------------------- */

struct monitor {
	struct ctl *ctl;
	unsigned seen;
};

static void print_child(const struct vici_node *c)
{
	const struct vici_node *old = vici_node_child(c, "old");
	const struct vici_node *new = vici_node_child(c, "new");
	char *name = child_name(c);

	if (old && new) {
		char *a = text_get(old, "uniqueid"), *b = text_get(new, "uniqueid");
		char *s = text_get(new, "state");

		printf(", child %s #%s -> #%s %s", name, a, b, s);
		free(a);
		free(b);
		free(s);
	} else {
		char *id = text_get(c, "uniqueid"), *s = text_get(c, "state");
		char *l = text_join(vici_node_child(c, "local-ts"), ",");
		char *r = text_join(vici_node_child(c, "remote-ts"), ",");

		printf(", child %s#%s %s %s === %s", name, id, s, l, r);
		free(id);
		free(s);
		free(l);
		free(r);
	}
	free(name);
}

static void print_ike(const char *event, const struct vici_node *ike)
{
	const struct vici_node *old = vici_node_child(ike, "old");
	const struct vici_node *new = vici_node_child(ike, "new");
	const struct vici_node *sas = vici_node_child(ike, "child-sas");
	char *name = text_name(ike);

	if (!strcmp(event, "ike-rekey") && old && new) {
		char *a = text_get(old, "uniqueid"), *b = text_get(new, "uniqueid");
		char *s = text_get(new, "state");

		printf(" %s #%s -> #%s %s", name, a, b, s);
		free(a);
		free(b);
		free(s);
	} else {
		char *id = text_get(ike, "uniqueid"), *s = text_get(ike, "state");
		char *l = endpoint(ike, "local"), *r = endpoint(ike, "remote");

		printf(" %s#%s %s %s <-> %s", name, id, s, l, r);
		free(id);
		free(s);
		free(l);
		free(r);
	}
	if (sas && vici_node_type(sas) == VICI_NODE_SECTION)
		for (const struct vici_node *c = vici_node_first(sas); c; c = vici_node_next(c))
			print_child(c);
	free(name);
}

static void on_sa_event(void *ctx, const char *event, const struct vici_msg *m)
{
	struct monitor *mon = ctx;
	const struct vici_node *root = vici_msg_root(m);

	mon->seen++;
	if (mon->ctl->json) {
		ctl_print_json_event(event, m);
		return;
	}
	ctl_print_time(stdout);
	printf("%s", event);
	if (strstr(event, "updown")) {
		char *up = text_get(root, "up");

		printf(" %s", !strcmp(up, "yes") ? "up" : "down");
		free(up);
	}
	for (const struct vici_node *n = vici_node_first(root); n; n = vici_node_next(n))
		if (vici_node_type(n) == VICI_NODE_SECTION)
			print_ike(event, n);
	putchar('\n');
	fflush(stdout);
}

static int run_monitor(struct ctl *ctl, int argc, char **argv)
{
	static const char *const events[] = {
		"ike-updown", "child-updown", "ike-rekey", "child-rekey",
	};
	const char *count_s = NULL;
	struct ctl_opt opts[] = { { "count", &count_s, NULL }, { NULL, NULL, NULL } };
	struct monitor mon = { .ctl = ctl };
	long count = 0;
	int rc;

	if (!ctl_parse(ctl, argc, argv, opts, NULL, 0, 0) ||
	    (count_s && !ctl_number("--count", count_s, 1, 1000000000L, &count)))
		return CTL_EXIT_USAGE;
	if ((rc = ctl_open(ctl)))
		return rc;
	vici_client_on_event(ctl->c, on_sa_event, &mon);
	return ctl_follow(ctl, events, 4, count, &mon.seen);
}

const struct ctl_cmd ctl_cmds_sa[] = {
	{ "sa", "list", "[--ike NAME] [--ike-id N] [--child NAME] [--noblock]",
	  "List IKE SAs with their CHILD SAs (command `list-sas`, streamed `list-sa`).\n"
	  "  --ike NAME    only SAs of connection NAME\n"
	  "  --ike-id N    only the IKE SA with unique id N\n"
	  "  --child NAME  only CHILD SAs named NAME\n"
	  "  --noblock     skip SAs that are busy instead of waiting for them\n"
	  "Columns: NAME ID STATE LOCAL(host[id]) REMOTE(host[id]) VIPS CHILDREN(name#id state)\n",
	  run_list },
	{ "sa", "monitor", "[--count N]",
	  "Print SA events (ike-updown, child-updown, ike-rekey, child-rekey) as they\n"
	  "arrive, until interrupted.\n"
	  "  --count N   stop after N events\n"
	  "--json: one {\"event\":NAME,\"message\":{...}} object per line.\n", run_monitor },
	{ NULL, NULL, NULL, NULL, NULL },
};
