/* sa-export / sa-import / sa-activate / sa-drop over VICI (cmd_ha_sa.h). */
#include "control/cmd_ha_sa.h"

#include <stdlib.h>
#include <string.h>

#include "ike/ike_core.h"
#include "ike/sa_export.h"
#include "lib/mem.h"

static bool req_id(struct vici_cmd *cmd, const struct vici_msg *req, uint32_t *id)
{
	char buf[16], *end;
	unsigned long v;

	if (!vici_msg_get_str_buf(req, "ike-id", buf, sizeof(buf)) || !buf[0]) {
		vici_cmd_set_error(cmd, "ike-id missing");
		return false;
	}
	v = strtoul(buf, &end, 10);
	if (*end || v == 0 || v > UINT32_MAX) {
		vici_cmd_set_error(cmd, "bad ike-id '%s'", buf);
		return false;
	}
	*id = (uint32_t)v;
	return true;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static enum vici_cmd_result cmd_export(struct vici_cmd *cmd, const struct vici_msg *req,
				       struct vici_builder *resp, void *ctx)
{
	static const char digits[] = "0123456789abcdef";
	struct sa_err err = { "" };
	struct chunk blob = { 0 }, hex = { 0 };
	enum vici_cmd_result rc = VICI_CMD_FAILED;
	uint32_t id;

	if (!req_id(cmd, req, &id))
		return VICI_CMD_FAILED;
	if (!sa_export(ctx, id, &blob, &err)) {
		vici_cmd_set_error(cmd, "%s", err.reason);
		return VICI_CMD_FAILED;
	}
	if (blob.len > CMD_HA_SA_MAX_BLOB) {
		vici_cmd_set_error(cmd, "SA state of %zu bytes is too large for VICI", blob.len);
		goto out;
	}
	if (!chunk_alloc(&hex, blob.len * 2)) {
		vici_cmd_set_error(cmd, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < blob.len; i++) {
		hex.ptr[2 * i] = (uint8_t)digits[blob.ptr[i] >> 4];
		hex.ptr[2 * i + 1] = (uint8_t)digits[blob.ptr[i] & 15];
	}
	vici_builder_add_kv_str(resp, "success", "yes");
	vici_builder_add_kv_fmt(resp, "ike-id", "%u", id);
	vici_builder_add_kv(resp, "data", hex.ptr, hex.len);
	rc = VICI_CMD_DONE;
out:
	chunk_free(&blob);
	chunk_free(&hex);
	return rc;
}

static enum vici_cmd_result cmd_import(struct vici_cmd *cmd, const struct vici_msg *req,
				       struct vici_builder *resp, void *ctx)
{
	const struct vici_node *n = vici_msg_find(req, "data");
	struct sa_err err = { "" };
	struct chunk blob = { 0 };
	const uint8_t *hex;
	size_t len = 0;
	uint32_t id;

	hex = n ? vici_node_value(n, &len) : NULL;
	if (!hex || !len || len % 2) {
		vici_cmd_set_error(cmd, "data missing or not hex");
		return VICI_CMD_FAILED;
	}
	if (!chunk_alloc(&blob, len / 2)) {
		vici_cmd_set_error(cmd, "out of memory");
		return VICI_CMD_FAILED;
	}
	for (size_t i = 0; i < blob.len; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			chunk_free(&blob);
			vici_cmd_set_error(cmd, "data is not hex");
			return VICI_CMD_FAILED;
		}
		blob.ptr[i] = (uint8_t)(hi << 4 | lo);
	}
	id = sa_import(ctx, blob.ptr, blob.len, &err);
	chunk_free(&blob);
	if (!id) {
		vici_cmd_set_error(cmd, "import refused: %s", err.reason);
		return VICI_CMD_FAILED;
	}
	vici_builder_add_kv_str(resp, "success", "yes");
	vici_builder_add_kv_fmt(resp, "ike-id", "%u", id);
	return VICI_CMD_DONE;
}

static enum vici_cmd_result cmd_activate(struct vici_cmd *cmd, const struct vici_msg *req,
					 struct vici_builder *resp, void *ctx)
{
	struct sa_err err = { "" };
	uint32_t id;

	if (!req_id(cmd, req, &id))
		return VICI_CMD_FAILED;
	if (!sa_activate(ctx, id, &err)) {
		vici_cmd_set_error(cmd, "%s", err.reason);
		return VICI_CMD_FAILED;
	}
	vici_builder_add_kv_str(resp, "success", "yes");
	return VICI_CMD_DONE;
}

static enum vici_cmd_result cmd_drop(struct vici_cmd *cmd, const struct vici_msg *req,
				     struct vici_builder *resp, void *ctx)
{
	struct sa_err err = { "" };
	uint32_t id;

	if (!req_id(cmd, req, &id))
		return VICI_CMD_FAILED;
	if (!sa_passive_drop(ctx, id, &err)) {
		vici_cmd_set_error(cmd, "%s", err.reason);
		return VICI_CMD_FAILED;
	}
	vici_builder_add_kv_str(resp, "success", "yes");
	return VICI_CMD_DONE;
}

int cmd_ha_sa_register(struct vici_server *srv, struct ike_core *core)
{
	if (vici_server_register_cmd(srv, "sa-export", cmd_export, core) ||
	    vici_server_register_cmd(srv, "sa-import", cmd_import, core) ||
	    vici_server_register_cmd(srv, "sa-activate", cmd_activate, core) ||
	    vici_server_register_cmd(srv, "sa-drop", cmd_drop, core))
		return -1;
	return 0;
}
