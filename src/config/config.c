/* Loading, building, freeing and looking up a whole config. */
#include "config/build.h"

#include <stdlib.h>
#include <string.h>

static bool top_sub(const char *name)
{
	return strcmp(name, "connections") == 0 || strcmp(name, "secrets") == 0 ||
	       strcmp(name, "pools") == 0 || strcmp(name, "cluster") == 0 ||
	       strcmp(name, "daemon") == 0;
}

/* Every pool a connection names must exist. */
static bool check_pool_refs(struct config_err *err, const struct settings_node *conns,
			    const struct config *cfg)
{
	const struct settings_node *sec = conns ? conns->children : NULL;

	for (size_t i = 0; i < cfg->n_conns && sec; i++, sec = sec->next) {
		const struct settings_node *k = build_key(sec, "pools");
		char item[CONFIG_ITEM_MAX];
		size_t pos = 0, off;
		bool too_long;

		while (k && value_list_next(k->value, &pos, item, &off, &too_long))
			if (!config_find_pool(cfg, item))
				return build_fail(err, k, off,
						  "connection '%s' uses unknown pool '%s'",
						  sec->name, item);
	}
	return true;
}

bool config_build(const struct settings_tree *tree, struct config **out,
		  struct config_err *err)
{
	const struct settings_node *root = &tree->root, *s;
	struct config *cfg = calloc(1, sizeof(*cfg));
	bool ok = false;

	if (!cfg) {
		config_err_set(err, NULL, "out of memory");
		return false;
	}
	config_cluster_defaults(&cfg->cluster);
	config_daemon_defaults(&cfg->daemon);
	for (s = root->children; s; s = s->next) {
		if (s->type == SETTINGS_SECTION && strcmp(s->name, "authorities") == 0) {
			build_fail(err, s, SIZE_MAX, "unsupported section 'authorities'");
			goto out;
		}
	}
	if (!build_check_keys(err, root, NULL, top_sub))
		goto out;
	if ((s = settings_find(root, "pools", SETTINGS_SECTION)) && !build_pools(err, s, cfg))
		goto out;
	if ((s = settings_find(root, "secrets", SETTINGS_SECTION)) && !build_secrets(err, s, cfg))
		goto out;
	if ((s = settings_find(root, "connections", SETTINGS_SECTION)) &&
	    (!build_connections(err, s, cfg) || !check_pool_refs(err, s, cfg)))
		goto out;
	if ((s = settings_find(root, "cluster", SETTINGS_SECTION)) &&
	    !build_cluster(err, s, &cfg->cluster))
		goto out;
	if ((s = settings_find(root, "daemon", SETTINGS_SECTION)) &&
	    !build_daemon(err, s, &cfg->daemon))
		goto out;
	ok = true;
out:
	if (!ok) {
		config_free(cfg);
		return false;
	}
	*out = cfg;
	return true;
}

bool config_load_file(const char *path, struct config **out,
		      struct config_err *err)
{
	struct settings_tree tree;
	bool ok;

	if (!settings_parse_file(path, NULL, &tree, err))
		return false;
	ok = config_build(&tree, out, err);
	settings_free(&tree);
	return ok;
}

bool config_load_buffer(const char *name, const void *buf, size_t len,
			const char *include_dir, struct config **out,
			struct config_err *err)
{
	struct settings_opts opts = { .include_dir = include_dir };
	struct settings_tree tree;
	bool ok;

	if (!settings_parse_buffer(name, buf, len, &opts, &tree, err))
		return false;
	ok = config_build(&tree, out, err);
	settings_free(&tree);
	return ok;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; cfg->conns && i < cfg->n_conns; i++)
		config_conn_free(&cfg->conns[i]);
	free(cfg->conns);
	for (size_t i = 0; cfg->secrets && i < cfg->n_secrets; i++)
		config_secret_free(&cfg->secrets[i]);
	free(cfg->secrets);
	for (size_t i = 0; cfg->pools && i < cfg->n_pools; i++)
		config_pool_free(&cfg->pools[i]);
	free(cfg->pools);
	config_cluster_free(&cfg->cluster);
	config_daemon_free(&cfg->daemon);
	mem_wipe(cfg, sizeof(*cfg));
	free(cfg);
}

const struct config_conn *config_find_conn(const struct config *cfg,
					   const char *name)
{
	for (size_t i = 0; cfg && i < cfg->n_conns; i++)
		if (strcmp(cfg->conns[i].name, name) == 0)
			return &cfg->conns[i];
	return NULL;
}

const struct config_secret *config_find_secret(const struct config *cfg,
					       const char *id)
{
	const struct config_secret *any = NULL;

	for (size_t i = 0; cfg && i < cfg->n_secrets; i++) {
		const struct config_secret *s = &cfg->secrets[i];

		if (s->type != CONFIG_SECRET_IKE)
			continue;
		if (!s->ids.n && !any)
			any = s;
		for (size_t j = 0; id && j < s->ids.n; j++)
			if (strcmp(s->ids.v[j], id) == 0)
				return s;
	}
	return any;
}

const struct config_pool *config_find_pool(const struct config *cfg,
					   const char *name)
{
	for (size_t i = 0; cfg && i < cfg->n_pools; i++)
		if (strcmp(cfg->pools[i].name, name) == 0)
			return &cfg->pools[i];
	return NULL;
}
