/* The `version` command: daemon name, version and the host's uname. */
#ifndef CYGNET_CONTROL_CMD_VERSION_H
#define CYGNET_CONTROL_CMD_VERSION_H

#include "control/vici_server.h"

#ifndef CYGNET_VERSION
#define CYGNET_VERSION "0.1.0"
#endif
#define CYGNET_DAEMON_NAME "cygnetd"

int cmd_version_register(struct vici_server *srv);

#endif
