/* load-conn / load-pool / load-shared bodies from hostile clients: the
 * VICI message becomes settings subtrees in the control store, is merged
 * and goes through the config builder, as cygnetd does on every load. The
 * first top-level section is loaded as a connection, the others as pools;
 * a top-level "data" key is loaded as a shared key for "owners". Nothing
 * may crash or leak; a built config must have the loaded connection. */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "control/ctl_store.h"
#include "lib/log.h"

static const char *const skip[] = { "certs", "cacerts", "pubkeys", NULL };
static const char *const drop[] = { "control", NULL };

static void load(struct ctl_store *s, const struct vici_msg *m, char *conn, size_t len)
{
	const struct vici_node *root = vici_msg_root(m), *data, *owners;
	bool first = true;

	for (const struct vici_node *c = vici_node_first(root); c; c = vici_node_next(c)) {
		char name[VICI_MAX_NAME + 1];
		size_t nl;
		const uint8_t *nm = vici_node_name(c, &nl);
		struct settings_node *sec, *old = NULL;
		const char *why;

		if (vici_node_type(c) != VICI_NODE_SECTION)
			continue;
		memcpy(name, nm, nl);
		name[nl] = '\0';
		sec = ctl_settings_from_vici(name, c, first ? skip : NULL, &why);
		if (!sec)
			continue;
		if (first ? ctl_store_put(&s->conns, &s->n_conns, name, sec, &old) :
			    ctl_store_put(&s->pools, &s->n_pools, name, sec, &old)) {
			if (first)
				snprintf(conn, len, "%s", name);
		} else {
			ctl_settings_node_free(sec);
		}
		ctl_settings_node_free(old);
		first = false;
	}
	data = vici_node_child(root, "data");
	owners = vici_node_child(root, "owners");
	if (data && vici_node_type(data) == VICI_NODE_KV) {
		size_t dl, n = 0;
		const uint8_t *d = vici_node_value(data, &dl);
		size_t max = owners && vici_node_type(owners) == VICI_NODE_LIST ?
			     vici_node_count(owners) : 0;
		char **v = max ? calloc(max, sizeof(*v)) : NULL;

		for (const struct vici_node *it = max ? vici_node_first(owners) : NULL; it;
		     it = vici_node_next(it)) {
			char *o = vici_node_str(it);

			if (o && *o && !strchr(o, ',') && !strchr(o, '\n'))
				v[n++] = o;
			else
				free(o);
		}
		if (!dl || !ctl_store_shared_add(s, "fuzz", "ike", d, dl, v, n)) {
			for (size_t i = 0; i < n; i++)
				free(v[i]);
			free(v);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = rd_init(data, size);
	struct ctl_store s = { 0 };
	struct settings_tree merged;
	struct config_err err;
	struct config *cfg = NULL;
	struct vici_msg *m;
	const char *why;
	char conn[VICI_MAX_NAME + 1] = "";

	log_set_level(LOG_LVL_ERROR);
	m = vici_msg_parse(&r, &why);
	if (!m)
		return 0;
	load(&s, m, conn, sizeof(conn));
	if (ctl_store_merge(&s, NULL, drop, &merged)) {
		if (config_build(&merged, &cfg, &err)) {
			if (conn[0] && !config_find_conn(cfg, conn))
				abort();
			config_free(cfg);
		}
		settings_free(&merged);
	}
	ctl_store_free(&s);
	vici_msg_free(m);
	return 0;
}
