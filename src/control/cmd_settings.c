/* reload-settings: the SIGHUP path (re-read the configuration file; the
 * objects loaded over VICI stay). */
#include "control/ctl.h"

static enum vici_cmd_result cmd_reload_settings(struct vici_cmd *cmd,
						const struct vici_msg *req,
						struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;
	char why[512];

	(void)req;
	if (!ctl->ops.reload || !ctl->ops.reload(ctl->ops.ctx, why, sizeof(why))) {
		vici_cmd_set_error(cmd, "reloading the configuration failed: %s",
				   ctl->ops.reload ? why : "not supported");
		return VICI_CMD_FAILED;
	}
	vici_builder_add_kv_str(resp, "success", "yes");
	return VICI_CMD_DONE;
}

int cmd_settings_register(struct ctl *ctl)
{
	return vici_server_register_cmd(ctl->srv, "reload-settings", cmd_reload_settings, ctl);
}
