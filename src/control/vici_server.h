/* The VICI control socket server: a unix stream socket driven by libevent.
 *
 * Clients send CMD_REQUESTs (answered strictly in order, one in flight per
 * connection) and EVENT_REGISTER/UNREGISTER; the daemon pushes events with
 * vici_server_emit(). Output is queued per client without blocking; a
 * client whose queue passes the high-water mark is dropped. A client that
 * breaks the protocol is dropped with the reason logged. */
#ifndef CYGNET_CONTROL_VICI_SERVER_H
#define CYGNET_CONTROL_VICI_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/vici_frame.h"
#include "control/vici_msg.h"

struct event_base;
struct vici_server;
struct vici_cmd;

#define VICI_SERVER_OUT_HWM_DEFAULT (4u * 1024 * 1024)
#define VICI_SERVER_MAX_CLIENTS_DEFAULT 64
#define VICI_SERVER_MAX_EVENTS 64	/* distinct registrable event names */

struct vici_server_config {
	const char *path;	/* socket path (< 108 bytes) */
	const char *group;	/* NULL: mode 0600 owner only; else this group, mode 0660 */
	size_t out_hwm;		/* per-client output queue limit; 0 = default */
	unsigned max_clients;	/* 0 = default */
};

/* Create the socket and start accepting on base. Replaces a stale socket
 * file; refuses if the path is not a socket or a live server answers on it.
 * NULL on error with *reason set (details are logged). */
struct vici_server *vici_server_new(struct event_base *base,
				    const struct vici_server_config *cfg,
				    const char **reason);
/* Disconnect everyone, close and unlink the socket (if still ours). */
void vici_server_free(struct vici_server *srv);

/* Handler results. */
enum vici_cmd_result {
	VICI_CMD_DONE = 0,	/* resp holds the reply body: send it */
	VICI_CMD_FAILED = -1,	/* reply {success=no, errmsg=<set_error text>} */
	VICI_CMD_PENDING = 1,	/* reply later with vici_cmd_finish() */
};

/* A handler writes its reply into resp. req is valid only during the call
 * (a PENDING handler copies what it needs). Streamed events go out before
 * the reply because they are queued first. */
typedef enum vici_cmd_result (*vici_cmd_fn)(struct vici_cmd *cmd,
					    const struct vici_msg *req,
					    struct vici_builder *resp,
					    void *ctx);

/* Registries; names are 1..255 printable ASCII. Re-registering a command
 * replaces its handler. 0 on success, -1 on error. */
int vici_server_register_cmd(struct vici_server *srv, const char *name,
			     vici_cmd_fn fn, void *ctx);
int vici_server_register_event(struct vici_server *srv, const char *name);

/* Push an event (message body bytes) to every client registered for it.
 * Never blocks. Returns the number of clients it was queued for, -1 if the
 * event name is not registered or the frame would be too large. */
int vici_server_emit(struct vici_server *srv, const char *event,
		     const uint8_t *body, size_t len);

size_t vici_server_client_count(const struct vici_server *srv);
const char *vici_server_path(const struct vici_server *srv);

/* ---- inside a command ------------------------------------------------- */

/* Send an event to the requesting client only (list-sa, control-log), if
 * it registered for it. False if not sent. */
bool vici_cmd_stream(struct vici_cmd *cmd, const char *event,
		     const uint8_t *body, size_t len);
/* errmsg for a VICI_CMD_FAILED reply. */
void vici_cmd_set_error(struct vici_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *vici_cmd_name(const struct vici_cmd *cmd);
unsigned vici_cmd_client_id(const struct vici_cmd *cmd);
/* False once the requesting client has gone away (a pending command may
 * then stop early; it must still be finished to be freed). */
bool vici_cmd_client_alive(const struct vici_cmd *cmd);
struct vici_builder *vici_cmd_response(struct vici_cmd *cmd);
/* Complete a PENDING command with DONE or FAILED; frees cmd. The client's
 * next queued request is processed afterwards. */
void vici_cmd_finish(struct vici_cmd *cmd, enum vici_cmd_result rc);

#endif
