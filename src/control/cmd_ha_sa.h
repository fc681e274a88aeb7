/* cygnet-specific VICI commands for HA state transfer (docs/ha-protocol.md):
 *   sa-export   {ike-id}  -> {success, ike-id, data=<hex SA state blob>}
 *   sa-import   {data}    -> {success, ike-id=<local id of the PASSIVE SA>}
 *   sa-activate {ike-id}  -> {success}   PASSIVE -> ESTABLISHED
 *   sa-drop     {ike-id}  -> {success}   forget a PASSIVE SA
 * Failures reply {success=no, errmsg=<reason>}. The blob carries keys: the
 * socket is root-only (mode 0600) and nothing of it is logged. */
#ifndef CYGNET_CONTROL_CMD_HA_SA_H
#define CYGNET_CONTROL_CMD_HA_SA_H

#include "control/vici_server.h"

struct ike_core;

/* Hex of the blob must fit one VICI value (u16 length). */
#define CMD_HA_SA_MAX_BLOB 32767u

int cmd_ha_sa_register(struct vici_server *srv, struct ike_core *core);

#endif
