/* A minimal control socket for the daemon until the full one
 * (src/daemon/control.c of the control-socket work) is merged: `version`
 * and the HA SA commands (control/cmd_ha_sa.h) on --vici-socket PATH. */
#ifndef CYGNET_DAEMON_VICI_BOOT_H
#define CYGNET_DAEMON_VICI_BOOT_H

struct event_base;
struct ike_core;
struct vici_server;

/* NULL (logged) on error. */
struct vici_server *vici_boot_start(struct event_base *base, struct ike_core *core,
				    const char *path);

#endif
