/* The daemon side of the control socket: ctl_ops over ike_glue, the
 * configuration file's settings tree kept for merging with the VICI
 * objects, and the control { } section. */
#include "daemon/control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "control/cmd_ha_sa.h"
#include "control/ctl.h"
#include "control/vici_server.h"
#include "daemon/conf_translate.h"
#include "daemon/datapath.h"
#include "daemon/ike_glue.h"
#include "kernel/socket.h"
#include "lib/log.h"

struct control {
	struct event_base *base;
	struct net *net;
	struct ike_glue *glue;
	struct control_options opts;
	struct settings_tree file;	/* last good parse of the file */
	bool have_file;
	char *cfg_socket, *cfg_group;	/* from control { } */
	struct vici_server *srv;
	struct ctl *ctl;
	struct ctl_store empty;		/* used until the socket exists */
};

static const char *const drop_control[] = { "control", NULL };

/* Certificate and key files are relative to the configuration's directory. */
static const char *conf_dir(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(buf, len, ".");
	else if (slash == path)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(slash - path), path);
	return buf;
}

static const struct ctl_store *store_of(const struct control *c)
{
	return c->ctl ? &c->ctl->store : &c->empty;
}

/* The file tree merged with the VICI store, built into a config. */
static bool build_merged(const struct settings_tree *file, const struct ctl_store *store,
			 const char *confdir, struct config **out, char *why, size_t len)
{
	struct settings_tree merged;
	struct config_err err;
	struct ike_conf **confs;
	size_t n;
	bool ok;

	if (!ctl_store_merge(store, file, drop_control, &merged)) {
		snprintf(why, len, "out of memory");
		return false;
	}
	ok = config_build(&merged, out, &err);
	settings_free(&merged);
	if (!ok) {
		snprintf(why, len, "%s", err.msg);
		return false;
	}
	if (!conf_translate(*out, confdir, &confs, &n, why, len)) {
		config_free(*out);
		*out = NULL;
		return false;
	}
	conf_translate_free(confs, n);
	return true;
}

static bool control_section(const struct settings_tree *t, char **sock, char **group,
			    char *why, size_t len)
{
	const struct settings_node *sec = settings_find(&t->root, "control", SETTINGS_SECTION);

	*sock = *group = NULL;
	if (!sec)
		return true;
	for (const struct settings_node *k = sec->children; k; k = k->next) {
		if (k->type == SETTINGS_KEY && strcmp(k->name, "socket") == 0) {
			*sock = strdup(k->value);
		} else if (k->type == SETTINGS_KEY && strcmp(k->name, "group") == 0) {
			*group = strdup(k->value);
		} else {
			snprintf(why, len, "%s:%u:%u: unknown key '%s' in control", k->loc.file,
				 k->loc.line, k->loc.col, k->name);
			free(*sock);
			free(*group);
			*sock = *group = NULL;
			return false;
		}
	}
	return true;
}

static bool apply(struct control *c, char *why, size_t len)
{
	struct config *cfg = NULL;
	char dir[1024];

	conf_dir(c->opts.config_path, dir, sizeof(dir));
	if (!build_merged(c->have_file ? &c->file : NULL, store_of(c), dir, &cfg, why, len))
		return false;
	if (!ike_glue_apply(c->glue, cfg, dir)) {
		snprintf(why, len, "the IKE daemon refused the configuration (see its log)");
		return false;
	}
	return true;
}

bool control_reload(struct control *c, char *why, size_t len)
{
	struct settings_tree t;
	struct config_err err;
	struct settings_tree old;
	bool had;
	char *sock, *group;

	if (!settings_parse_file(c->opts.config_path, NULL, &t, &err)) {
		snprintf(why, len, "%s", err.msg);
		return false;
	}
	if (!control_section(&t, &sock, &group, why, len)) {
		settings_free(&t);
		return false;
	}
	old = c->file;
	had = c->have_file;
	c->file = t;
	c->have_file = true;
	if (!apply(c, why, len)) {
		c->file = old;
		c->have_file = had;
		settings_free(&t);
		free(sock);
		free(group);
		return false;
	}
	if (had)
		settings_free(&old);
	/* the socket is opened once; a changed path takes a restart */
	free(c->cfg_socket);
	free(c->cfg_group);
	c->cfg_socket = sock;
	c->cfg_group = group;
	return true;
}

bool control_check_config(const char *path, char *why, size_t len, size_t *conns,
			  size_t *secrets, size_t *pools)
{
	struct settings_tree t;
	struct config_err err;
	struct ctl_store none = { 0 };
	struct config *cfg = NULL;
	char *sock, *group, dir[1024];
	bool ok;

	if (!settings_parse_file(path, NULL, &t, &err)) {
		snprintf(why, len, "%s", err.msg);
		return false;
	}
	ok = control_section(&t, &sock, &group, why, len) &&
	     build_merged(&t, &none, conf_dir(path, dir, sizeof(dir)), &cfg, why, len);
	free(sock);
	free(group);
	settings_free(&t);
	if (ok) {
		*conns = cfg->n_conns;
		*secrets = cfg->n_secrets;
		*pools = cfg->n_pools;
	}
	config_free(cfg);
	return ok;
}

/* ---- ctl_ops ------------------------------------------------------------ */

static const struct config *op_config(void *ctx)
{
	return ike_glue_config(((struct control *)ctx)->glue);
}

static struct pool *op_pool(void *ctx, const char *name)
{
	return ike_glue_pool(((struct control *)ctx)->glue, name);
}

static bool op_local_endpoint(void *ctx, struct net_endpoints *ep)
{
	return net_pick_source(((struct control *)ctx)->net, ep);
}

static bool op_apply(void *ctx, char *why, size_t len)
{
	return apply(ctx, why, len);
}

static bool op_reload(void *ctx, char *why, size_t len)
{
	return control_reload(ctx, why, len);
}

static bool op_child_stats(void *ctx, const struct child_sa *ch, struct ctl_child_stats *out)
{
	struct datapath *dp = ike_glue_datapath(((struct control *)ctx)->glue);

	return dp && datapath_child_stats(dp, ch, out);
}

static void op_datapath_stats(void *ctx, struct ctl_datapath_stats *out)
{
	datapath_get_stats(ike_glue_datapath(((struct control *)ctx)->glue), out);
}

static void on_ike_event(void *ctx, enum ike_event ev, const struct ike_sa *sa,
			 const struct child_sa *ch)
{
	struct control *c = ctx;

	if (c->ctl)
		ctl_ike_event(c->ctl, ev, sa, ch);
}

struct control *control_new(struct event_base *base, struct net *net,
			    struct ike_glue *glue, const struct control_options *o)
{
	struct control *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->base = base;
	c->net = net;
	c->glue = glue;
	c->opts = *o;
	return c;
}

bool control_start(struct control *c)
{
	const char *path = c->opts.socket ? c->opts.socket :
			   c->cfg_socket ? c->cfg_socket : CONTROL_DEFAULT_SOCKET;
	bool asked = c->opts.socket || c->cfg_socket;
	struct vici_server_config sc = {
		.path = path,
		.group = c->opts.group ? c->opts.group : c->cfg_group,
	};
	struct ctl_ops ops = {
		.ctx = c, .config = op_config, .pool = op_pool, .local_endpoint = op_local_endpoint,
		.apply = op_apply, .reload = op_reload, .child_stats = op_child_stats,
		.datapath_stats = op_datapath_stats,
	};
	const char *reason;

	if (strcmp(path, "none") == 0) {
		log_info("control socket disabled");
		return true;
	}
	c->srv = vici_server_new(c->base, &sc, &reason);
	if (!c->srv) {
		if (asked) {
			log_error("control socket %s: %s", path, reason);
			return false;
		}
		log_warn("control socket %s: %s; running without one", path, reason);
		return true;
	}
	c->ctl = ctl_new(c->base, c->srv, ike_glue_core(c->glue), &ops);
	if (!c->ctl) {
		vici_server_free(c->srv);
		c->srv = NULL;
		return false;
	}
	/* HA state transfer (docs/ha-protocol.md) */
	if (cmd_ha_sa_register(c->srv, ike_glue_core(c->glue)) < 0)
		log_warn("control socket: HA SA commands not registered");
	ike_glue_set_event_hook(c->glue, on_ike_event, c);
	log_info("control socket on %s%s%s", path, sc.group ? ", group " : "",
		 sc.group ? sc.group : "");
	return true;
}

void control_shutdown(struct control *c)
{
	if (c && c->ctl)
		control_pending_free_all(c->ctl);
}

void control_free(struct control *c)
{
	if (!c)
		return;
	/* the glue is gone by now (its Deletes still reached our clients) */
	ctl_free(c->ctl);
	vici_server_free(c->srv);
	if (c->have_file)
		settings_free(&c->file);
	free(c->cfg_socket);
	free(c->cfg_group);
	free(c);
}
