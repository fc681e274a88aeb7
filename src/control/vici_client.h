/* A synchronous VICI client: connect to a unix socket, send commands,
 * collect streamed events, register for events and follow them.
 *
 * Every call waits at most the client's timeout (or the one it is given).
 * Events that arrive while a call waits (streamed list-sa, control-log, or
 * anything registered) go to the event handler in arrival order; a call
 * never returns before the frame it waits for, so the handler has seen
 * every event the server sent before that frame. A signal that interrupts
 * a wait makes the call return VICI_CLIENT_INTR, so a CLI can stop a
 * follow loop on SIGINT. After a TIMEOUT, INTR, CLOSED, IO or PROTO
 * result of any call but vici_client_wait_event() the stream position is
 * unknown (a late reply could be taken for the next one), so every later
 * call fails with CLOSED; UNKNOWN and ARG leave the connection usable,
 * and so do TIMEOUT and INTR from vici_client_wait_event() (a partial
 * frame is kept). Framing and message parsing are vici_frame.h and
 * vici_msg.h. */
#ifndef CYGNET_CONTROL_VICI_CLIENT_H
#define CYGNET_CONTROL_VICI_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/vici_msg.h"

enum vici_client_rc {
	VICI_CLIENT_OK = 0,
	VICI_CLIENT_UNKNOWN = -1,	/* CMD_UNKNOWN or EVENT_UNKNOWN */
	VICI_CLIENT_TIMEOUT = -2,	/* no answer within the timeout */
	VICI_CLIENT_CLOSED = -3,	/* the server closed the connection */
	VICI_CLIENT_IO = -4,		/* read/write error */
	VICI_CLIENT_PROTO = -5,		/* malformed frame or message, wrong op */
	VICI_CLIENT_INTR = -6,		/* a signal interrupted the wait */
	VICI_CLIENT_ARG = -7,		/* bad name or oversized request */
};

#define VICI_CLIENT_TIMEOUT_DEFAULT 10000	/* ms */

struct vici_client;

/* An event: its name and parsed body (valid only during the call). */
typedef void (*vici_client_event_fn)(void *ctx, const char *event,
				     const struct vici_msg *msg);

/* Connect to the unix socket at path within timeout_ms (< 0: no limit).
 * On failure returns NULL and writes "cannot connect to PATH: reason" to
 * err (if errlen > 0). Calls then wait VICI_CLIENT_TIMEOUT_DEFAULT each
 * until vici_client_set_timeout() says otherwise. */
struct vici_client *vici_client_connect(const char *path, int timeout_ms,
					char *err, size_t errlen);
/* Wrap a connected stream socket (tests, socket activation); the client
 * owns fd from now on and closes it. NULL only when out of memory. */
struct vici_client *vici_client_from_fd(int fd);
void vici_client_close(struct vici_client *c);

/* Timeout for each call below, in ms: how long the daemon may stay
 * silent (each byte received or sent restarts it, so a long stream that
 * keeps coming is not cut off); < 0 waits forever. */
void vici_client_set_timeout(struct vici_client *c, int timeout_ms);
void vici_client_on_event(struct vici_client *c, vici_client_event_fn fn,
			  void *ctx);
/* Text of the last error ("" after success). */
const char *vici_client_error(const struct vici_client *c);

/* EVENT_REGISTER / EVENT_UNREGISTER; UNKNOWN if the server does not know
 * the event. */
int vici_client_register(struct vici_client *c, const char *event);
int vici_client_unregister(struct vici_client *c, const char *event);

/* Send CMD_REQUEST cmd with the message body (may be NULL/0) and wait for
 * the CMD_RESPONSE, which is parsed into *resp (caller frees). A reply
 * with success=no is still OK here: the caller reads errmsg. */
int vici_client_command(struct vici_client *c, const char *cmd,
			const uint8_t *body, size_t len, struct vici_msg **resp);

/* A streaming command, as swanctl does it: register event, send cmd,
 * deliver each event to the handler, take the response, unregister. */
int vici_client_stream(struct vici_client *c, const char *cmd,
		       const uint8_t *body, size_t len, const char *event,
		       struct vici_msg **resp);

/* Wait for the next event and deliver it to the handler; timeout_ms (the
 * silence allowed, as above) < 0 waits forever. TIMEOUT if none came,
 * INTR on a signal. */
int vici_client_wait_event(struct vici_client *c, int timeout_ms);

/* "OK", "timeout", ...: for messages. */
const char *vici_client_rc_name(int rc);

#endif
