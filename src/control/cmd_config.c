/* load-conn / unload-conn: a VICI connection becomes a settings subtree
 * and goes through the same config builder and translation as the file
 * (ops.apply); a rejected one leaves the running configuration as it was. */
#include <stdio.h>
#include <string.h>

#include "control/ctl.h"
#include "lib/log.h"

/* swanctl sends the contents of these files, not names; the core
 * authenticates with PSKs only, so they are not used (load-cert keeps
 * certificates) */
static const char *const skip_lists[] = { "certs", "cacerts", "pubkeys", NULL };

/* Re-apply after a change; on failure put `old` back (NULL: remove). */
static bool apply_or_restore(struct ctl *ctl, struct ctl_named **v, size_t *n,
			     const char *name, struct settings_node *old, char *why,
			     size_t len)
{
	struct settings_node *cur;
	char again[256];

	if (ctl->ops.apply(ctl->ops.ctx, why, len)) {
		ctl_settings_node_free(old);
		return true;
	}
	if (old) {
		ctl_store_put(v, n, name, old, &cur);
		ctl_settings_node_free(cur);
	} else {
		ctl_settings_node_free(ctl_store_take(v, n, name));
	}
	if (!ctl->ops.apply(ctl->ops.ctx, again, sizeof(again)))
		log_error("control: restoring the configuration failed: %s", again);
	return false;
}

/* Each top-level section of req is one connection (or pool). */
bool cmd_config_load_named(struct ctl *ctl, bool pool, const struct vici_msg *req,
			   char *why, size_t len)
{
	const struct vici_node *root = vici_msg_root(req);
	struct ctl_named **v = pool ? &ctl->store.pools : &ctl->store.conns;
	size_t *n = pool ? &ctl->store.n_pools : &ctl->store.n_conns;
	unsigned count = 0;

	for (const struct vici_node *c = vici_node_first(root); c; c = vici_node_next(c)) {
		char name[VICI_MAX_NAME + 1];
		size_t nl;
		const uint8_t *nm = vici_node_name(c, &nl);
		struct settings_node *sec, *old;
		const char *err = NULL;

		if (vici_node_type(c) != VICI_NODE_SECTION)
			continue;
		memcpy(name, nm, nl);
		name[nl] = '\0';
		sec = ctl_settings_from_vici(name, c, pool ? NULL : skip_lists, &err);
		if (!sec) {
			snprintf(why, len, "%s '%s': %s", pool ? "pool" : "connection", name, err);
			return false;
		}
		if (!ctl_store_put(v, n, name, sec, &old)) {
			ctl_settings_node_free(sec);
			snprintf(why, len, "out of memory");
			return false;
		}
		if (!apply_or_restore(ctl, v, n, name, old, why, len))
			return false;
		log_info("control: %s '%s' loaded", pool ? "pool" : "connection", name);
		count++;
	}
	if (!count) {
		snprintf(why, len, "no %s section in the request", pool ? "pool" : "connection");
		return false;
	}
	return true;
}

bool cmd_config_unload_named(struct ctl *ctl, bool pool, const char *name, char *why,
			     size_t len)
{
	struct ctl_named **v = pool ? &ctl->store.pools : &ctl->store.conns;
	size_t *n = pool ? &ctl->store.n_pools : &ctl->store.n_conns;
	struct settings_node *old = ctl_store_take(v, n, name);
	struct settings_node *cur;

	if (!old) {
		snprintf(why, len, "%s '%s' not found", pool ? "pool" : "connection", name);
		return false;
	}
	if (ctl->ops.apply(ctl->ops.ctx, why, len)) {
		ctl_settings_node_free(old);
		log_info("control: %s '%s' unloaded", pool ? "pool" : "connection", name);
		return true;
	}
	/* e.g. a connection still names the pool */
	ctl_store_put(v, n, name, old, &cur);
	ctl_settings_node_free(cur);
	{
		char again[256];

		if (!ctl->ops.apply(ctl->ops.ctx, again, sizeof(again)))
			log_error("control: restoring the configuration failed: %s", again);
	}
	return false;
}

static enum vici_cmd_result cmd_load_conn(struct vici_cmd *cmd, const struct vici_msg *req,
					  struct vici_builder *resp, void *ctx)
{
	char why[512];

	if (!cmd_config_load_named(ctx, false, req, why, sizeof(why))) {
		vici_cmd_set_error(cmd, "%s", why);
		return VICI_CMD_FAILED;
	}
	vici_builder_add_kv_str(resp, "success", "yes");
	return VICI_CMD_DONE;
}

static enum vici_cmd_result cmd_unload_conn(struct vici_cmd *cmd, const struct vici_msg *req,
					    struct vici_builder *resp, void *ctx)
{
	char name[VICI_MAX_NAME + 1], why[512];

	if (!vici_msg_get_str_buf(req, "name", name, sizeof(name))) {
		vici_cmd_set_error(cmd, "missing connection name to unload");
		return VICI_CMD_FAILED;
	}
	if (!cmd_config_unload_named(ctx, false, name, why, sizeof(why))) {
		vici_cmd_set_error(cmd, "%s", why);
		return VICI_CMD_FAILED;
	}
	vici_builder_add_kv_str(resp, "success", "yes");
	return VICI_CMD_DONE;
}

int cmd_config_register(struct ctl *ctl)
{
	return vici_server_register_cmd(ctl->srv, "load-conn", cmd_load_conn, ctl) ||
	       vici_server_register_cmd(ctl->srv, "unload-conn", cmd_unload_conn, ctl);
}
