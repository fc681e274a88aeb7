/* version {} -> {daemon, version, sysname, release, machine}, the reply
 * swanctl --version prints. */
#include "control/cmd_version.h"

#include <sys/utsname.h>

static enum vici_cmd_result cmd_version(struct vici_cmd *cmd,
					const struct vici_msg *req,
					struct vici_builder *resp, void *ctx)
{
	struct utsname u;

	(void)req;
	(void)ctx;
	if (uname(&u) != 0) {
		vici_cmd_set_error(cmd, "uname failed");
		return VICI_CMD_FAILED;
	}
	vici_builder_add_kv_str(resp, "daemon", CYGNET_DAEMON_NAME);
	vici_builder_add_kv_str(resp, "version", CYGNET_VERSION);
	vici_builder_add_kv_str(resp, "sysname", u.sysname);
	vici_builder_add_kv_str(resp, "release", u.release);
	vici_builder_add_kv_str(resp, "machine", u.machine);
	return VICI_CMD_DONE;
}

int cmd_version_register(struct vici_server *srv)
{
	return vici_server_register_cmd(srv, "version", cmd_version, NULL);
}
