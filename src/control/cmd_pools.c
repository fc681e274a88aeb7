/* load-pool, unload-pool, get-pools (with leases). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "control/ctl.h"
#include "pool/pool.h"

static enum vici_cmd_result cmd_load_pool(struct vici_cmd *cmd, const struct vici_msg *req,
					  struct vici_builder *resp, void *ctx)
{
	char why[512];

	if (!cmd_config_load_named(ctx, true, req, why, sizeof(why))) {
		vici_cmd_set_error(cmd, "%s", why);
		return VICI_CMD_FAILED;
	}
	vici_builder_add_kv_str(resp, "success", "yes");
	return VICI_CMD_DONE;
}

static enum vici_cmd_result cmd_unload_pool(struct vici_cmd *cmd, const struct vici_msg *req,
					    struct vici_builder *resp, void *ctx)
{
	char name[VICI_MAX_NAME + 1], why[512];

	if (!vici_msg_get_str_buf(req, "name", name, sizeof(name))) {
		vici_cmd_set_error(cmd, "missing pool name to unload");
		return VICI_CMD_FAILED;
	}
	if (!cmd_config_unload_named(ctx, true, name, why, sizeof(why))) {
		vici_cmd_set_error(cmd, "%s", why);
		return VICI_CMD_FAILED;
	}
	vici_builder_add_kv_str(resp, "success", "yes");
	return VICI_CMD_DONE;
}

static const char *addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a = ss->ss_family == AF_INET6 ?
			(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr :
			(const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	return inet_ntop(ss->ss_family, a, buf, (socklen_t)len) ? buf : "?";
}

struct lease_ctx {
	struct vici_builder *b;
	unsigned idx;
};

static void add_lease(void *ctx, const struct pool_lease_info *l)
{
	struct lease_ctx *lc = ctx;
	char buf[64];

	snprintf(buf, sizeof(buf), "%u", lc->idx++);
	vici_builder_begin_section(lc->b, buf);
	vici_builder_add_kv_str(lc->b, "address", addr_str(&l->addr, buf, sizeof(buf)));
	vici_builder_add_kv_str(lc->b, "identity", l->identity ? l->identity : "");
	vici_builder_add_kv_str(lc->b, "status", l->state == LEASE_ONLINE ? "online" : "offline");
	vici_builder_end_section(lc->b);
}

static enum vici_cmd_result cmd_get_pools(struct vici_cmd *cmd, const struct vici_msg *req,
					  struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;
	const struct config *cfg = ctl->ops.config ? ctl->ops.config(ctl->ops.ctx) : NULL;
	bool leases = ctl_req_bool(req, "leases");
	char name[VICI_MAX_NAME + 1] = "", buf[64];

	(void)cmd;
	vici_msg_get_str_buf(req, "name", name, sizeof(name));
	for (size_t i = 0; cfg && i < cfg->n_pools; i++) {
		struct pool *p = ctl->ops.pool ? ctl->ops.pool(ctl->ops.ctx, cfg->pools[i].name) :
				 NULL;

		if (!p || (name[0] && strcmp(name, cfg->pools[i].name) != 0))
			continue;
		vici_builder_begin_section(resp, cfg->pools[i].name);
		vici_builder_add_kv_str(resp, "base", addr_str(pool_base(p), buf, sizeof(buf)));
		vici_builder_add_kv_fmt(resp, "size", "%u", pool_size(p));
		vici_builder_add_kv_fmt(resp, "online", "%u", pool_online(p));
		vici_builder_add_kv_fmt(resp, "offline", "%u", pool_offline(p));
		if (leases) {
			struct lease_ctx lc = { resp, 0 };

			vici_builder_begin_section(resp, "leases");
			pool_foreach_lease(p, add_lease, &lc);
			vici_builder_end_section(resp);
		}
		vici_builder_end_section(resp);
	}
	return VICI_CMD_DONE;
}

int cmd_pools_register(struct ctl *ctl)
{
	return vici_server_register_cmd(ctl->srv, "load-pool", cmd_load_pool, ctl) ||
	       vici_server_register_cmd(ctl->srv, "unload-pool", cmd_unload_pool, ctl) ||
	       vici_server_register_cmd(ctl->srv, "get-pools", cmd_get_pools, ctl);
}
