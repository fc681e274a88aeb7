#include "daemon/vici_boot.h"

#include "control/cmd_ha_sa.h"
#include "control/cmd_version.h"
#include "control/vici_server.h"
#include "lib/log.h"

struct vici_server *vici_boot_start(struct event_base *base, struct ike_core *core,
				    const char *path)
{
	struct vici_server_config cfg = { .path = path };
	const char *why = "?";
	struct vici_server *srv = vici_server_new(base, &cfg, &why);

	if (!srv) {
		log_error("control socket %s: %s", path, why);
		return NULL;
	}
	if (cmd_version_register(srv) || cmd_ha_sa_register(srv, core)) {
		log_error("control socket %s: cannot register commands", path);
		vici_server_free(srv);
		return NULL;
	}
	log_info("control socket on %s", path);
	return srv;
}
