#include "control/vici_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control/vici_frame.h"
#include "lib/rd.h"

struct vici_client {
	int fd;
	int timeout_ms;
	long deadline;		/* of the current call; -1: none */
	int window;		/* silence allowed in this call, ms; < 0: forever */
	vici_client_event_fn on_event;
	void *ctx;
	struct vici_frame_reader reader;
	uint8_t in[64 * 1024];	/* bytes read, not yet fed to the reader */
	size_t in_off, in_len;
	bool broken;		/* stream state unknown: refuse further calls */
	char error[320];
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* Milliseconds left for poll(); -1 forever, 0 when expired. */
static int left_ms(long deadline)
{
	long left;

	if (deadline < 0)
		return -1;
	left = deadline - now_ms();
	return left > 0 ? (int)left : 0;
}

/* A call may take as long as it likes while the daemon keeps talking:
 * the deadline moves on with every byte that comes in or goes out. */
static void arm(struct vici_client *c, int window_ms)
{
	c->window = window_ms;
	c->deadline = deadline_of(window_ms);
}

static void progress(struct vici_client *c)
{
	if (c->window >= 0)
		c->deadline = now_ms() + c->window;
}

static int fail(struct vici_client *c, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct vici_client *c, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	/* After a timeout, signal or broken frame the next byte on the
	 * stream may belong to the abandoned exchange: stop using it. */
	if (rc != VICI_CLIENT_UNKNOWN && rc != VICI_CLIENT_ARG)
		c->broken = true;
	return rc;
}

const char *vici_client_rc_name(int rc)
{
	switch (rc) {
	case VICI_CLIENT_OK: return "OK";
	case VICI_CLIENT_UNKNOWN: return "unknown to the daemon";
	case VICI_CLIENT_TIMEOUT: return "timeout";
	case VICI_CLIENT_CLOSED: return "connection closed";
	case VICI_CLIENT_IO: return "I/O error";
	case VICI_CLIENT_PROTO: return "protocol error";
	case VICI_CLIENT_INTR: return "interrupted";
	case VICI_CLIENT_ARG: return "bad argument";
	}
	return "?";
}

static struct vici_client *client_new(int fd)
{
	struct vici_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	c->timeout_ms = VICI_CLIENT_TIMEOUT_DEFAULT;
	vici_frame_reader_init(&c->reader);
	return c;
}

struct vici_client *vici_client_from_fd(int fd)
{
	struct vici_client *c;
	int fl = fcntl(fd, F_GETFL);

	/* Non-blocking, so a write never waits past the deadline. */
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	c = client_new(fd);
	if (!c)
		close(fd);
	return c;
}

static void set_err(char *err, size_t errlen, const char *path, const char *why)
{
	if (errlen)
		snprintf(err, errlen, "cannot connect to %s: %s", path, why);
}

struct vici_client *vici_client_connect(const char *path, int timeout_ms,
					char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct vici_client *c;
	long deadline = deadline_of(timeout_ms);
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		set_err(err, errlen, path, "path too long");
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		set_err(err, errlen, path, strerror(errno));
		return NULL;
	}
	/* A unix stream connect completes at once or fails; EAGAIN means the
	 * listener's backlog is full, so try again until the deadline. */
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || left_ms(deadline) == 0) {
			set_err(err, errlen, path, errno == EAGAIN ? "timed out (backlog full)" :
				strerror(errno));
			close(fd);
			return NULL;
		}
		poll(NULL, 0, 10);
	}
	c = client_new(fd);
	if (!c) {
		set_err(err, errlen, path, "out of memory");
		close(fd);
		return NULL;
	}
	return c;
}

void vici_client_close(struct vici_client *c)
{
	if (!c)
		return;
	close(c->fd);
	vici_frame_reader_free(&c->reader);
	free(c);
}

void vici_client_set_timeout(struct vici_client *c, int timeout_ms)
{
	c->timeout_ms = timeout_ms;
}

void vici_client_on_event(struct vici_client *c, vici_client_event_fn fn,
			  void *ctx)
{
	c->on_event = fn;
	c->ctx = ctx;
}

const char *vici_client_error(const struct vici_client *c)
{
	return c->error;
}

/* Wait for fd readiness; OK, TIMEOUT, INTR or IO. */
static int wait_fd(struct vici_client *c, short events)
{
	struct pollfd pfd = { .fd = c->fd, .events = events };
	int n = poll(&pfd, 1, left_ms(c->deadline));

	if (n > 0)
		return VICI_CLIENT_OK;
	if (n == 0)
		return fail(c, VICI_CLIENT_TIMEOUT, "no answer from the daemon (timeout)");
	if (errno == EINTR)
		return fail(c, VICI_CLIENT_INTR, "interrupted");
	return fail(c, VICI_CLIENT_IO, "poll: %s", strerror(errno));
}

static int send_all(struct vici_client *c, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		int rc;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			progress(c);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return fail(c, errno == EPIPE || errno == ECONNRESET ?
				    VICI_CLIENT_CLOSED : VICI_CLIENT_IO,
				    "write to the daemon: %s", strerror(errno));
		if ((rc = wait_fd(c, POLLOUT)))
			return rc;
	}
	return VICI_CLIENT_OK;
}

static int send_frame(struct vici_client *c, enum vici_op op, const char *name,
		      const uint8_t *body, size_t len)
{
	struct wbuf w;
	int rc;

	if (c->broken)
		return fail(c, VICI_CLIENT_CLOSED, "connection unusable after an earlier error");
	if (name && (!*name || strlen(name) > VICI_MAX_NAME))
		return fail(c, VICI_CLIENT_ARG, "bad name");
	wbuf_init(&w);
	if (!vici_frame_write(&w, op, name, body, len)) {
		wbuf_free(&w);
		return fail(c, VICI_CLIENT_ARG, "%s: cannot frame the request "
			    "(bad name or over %u bytes)", name ? name : "",
			    VICI_FRAME_MAX);
	}
	rc = send_all(c, w.p, w.len);
	wbuf_free(&w);
	return rc;
}

/* Read the next whole frame; its payload stays valid until the next call. */
static int recv_frame(struct vici_client *c, struct vici_packet *pkt)
{
	const char *why;
	int rc;

	for (;;) {
		size_t used = 0, plen;
		const uint8_t *payload;
		enum vici_frame_status st = VICI_FRAME_MORE;

		if (c->in_off < c->in_len || c->reader.ready) {
			/* Feeding zero bytes just finishes a READY state. */
			st = vici_frame_reader_feed(&c->reader, c->in + c->in_off,
						    c->in_len - c->in_off, &used);
			c->in_off += used;
		}
		if (st == VICI_FRAME_ERROR)
			return fail(c, VICI_CLIENT_PROTO, "bad frame from the daemon: %s",
				    c->reader.error);
		if (st == VICI_FRAME_READY) {
			payload = vici_frame_reader_payload(&c->reader, &plen);
			if (!vici_packet_parse(payload, plen, pkt, &why))
				return fail(c, VICI_CLIENT_PROTO,
					    "bad packet from the daemon: %s", why);
			return VICI_CLIENT_OK;
		}
		c->in_off = c->in_len = 0;
		for (;;) {
			ssize_t n = read(c->fd, c->in, sizeof(c->in));

			if (n > 0) {
				c->in_len = (size_t)n;
				progress(c);
				break;
			}
			if (n == 0)
				return fail(c, VICI_CLIENT_CLOSED,
					    "the daemon closed the connection");
			if (errno == EINTR)
				return fail(c, VICI_CLIENT_INTR, "interrupted");
			if (errno != EAGAIN)
				return fail(c, errno == ECONNRESET ? VICI_CLIENT_CLOSED :
					    VICI_CLIENT_IO, "read from the daemon: %s",
					    strerror(errno));
			if ((rc = wait_fd(c, POLLIN)))
				return rc;
		}
	}
}

static int parse_body(struct vici_client *c, const struct vici_packet *pkt,
		      struct vici_msg **out)
{
	struct rd r = rd_init(pkt->body, pkt->body_len);
	const char *why = NULL;

	*out = vici_msg_parse(&r, &why);
	if (!*out)
		return fail(c, VICI_CLIENT_PROTO, "bad %s message from the daemon: %s",
			    pkt->op == VICI_EVENT ? pkt->name : "response", why);
	return VICI_CLIENT_OK;
}

static int deliver_event(struct vici_client *c, const struct vici_packet *pkt)
{
	struct vici_msg *m;
	int rc = parse_body(c, pkt, &m);

	if (rc)
		return rc;
	if (c->on_event)
		c->on_event(c->ctx, pkt->name, m);
	vici_msg_free(m);
	return VICI_CLIENT_OK;
}

/* Read frames, delivering events, until a non-event frame arrives. */
static int recv_reply(struct vici_client *c, struct vici_packet *pkt)
{
	int rc;

	for (;;) {
		if ((rc = recv_frame(c, pkt)))
			return rc;
		if (pkt->op != VICI_EVENT)
			return VICI_CLIENT_OK;
		if ((rc = deliver_event(c, pkt)))
			return rc;
	}
}

static int event_op(struct vici_client *c, enum vici_op op, const char *event)
{
	struct vici_packet pkt;
	int rc;

	c->error[0] = '\0';
	arm(c, c->timeout_ms);
	if ((rc = send_frame(c, op, event, NULL, 0)) || (rc = recv_reply(c, &pkt)))
		return rc;
	if (pkt.op == VICI_EVENT_CONFIRM)
		return VICI_CLIENT_OK;
	if (pkt.op == VICI_EVENT_UNKNOWN)
		return fail(c, VICI_CLIENT_UNKNOWN, "event '%s' unknown to the daemon",
			    event);
	return fail(c, VICI_CLIENT_PROTO, "%s answered with %s", vici_op_name(op),
		    vici_op_name(pkt.op));
}

int vici_client_register(struct vici_client *c, const char *event)
{
	return event_op(c, VICI_EVENT_REGISTER, event);
}

int vici_client_unregister(struct vici_client *c, const char *event)
{
	return event_op(c, VICI_EVENT_UNREGISTER, event);
}

int vici_client_command(struct vici_client *c, const char *cmd,
			const uint8_t *body, size_t len, struct vici_msg **resp)
{
	struct vici_packet pkt;
	int rc;

	*resp = NULL;
	c->error[0] = '\0';
	arm(c, c->timeout_ms);
	if ((rc = send_frame(c, VICI_CMD_REQUEST, cmd, body, len)) ||
	    (rc = recv_reply(c, &pkt)))
		return rc;
	if (pkt.op == VICI_CMD_RESPONSE)
		return parse_body(c, &pkt, resp);
	if (pkt.op == VICI_CMD_UNKNOWN)
		return fail(c, VICI_CLIENT_UNKNOWN, "%s: command unknown to the daemon",
			    cmd);
	return fail(c, VICI_CLIENT_PROTO, "command %s answered with %s", cmd,
		    vici_op_name(pkt.op));
}

int vici_client_stream(struct vici_client *c, const char *cmd,
		       const uint8_t *body, size_t len, const char *event,
		       struct vici_msg **resp)
{
	int rc, urc;
	char saved[sizeof(c->error)];

	*resp = NULL;
	if ((rc = vici_client_register(c, event)))
		return rc;
	rc = vici_client_command(c, cmd, body, len, resp);
	if (rc != VICI_CLIENT_OK && rc != VICI_CLIENT_UNKNOWN)
		return rc;	/* the stream is unusable: no unregister */
	memcpy(saved, c->error, sizeof(saved));
	urc = vici_client_unregister(c, event);
	if (rc == VICI_CLIENT_OK && urc != VICI_CLIENT_OK) {
		vici_msg_free(*resp);
		*resp = NULL;
		return urc;
	}
	memcpy(c->error, saved, sizeof(saved));
	return rc;
}

int vici_client_wait_event(struct vici_client *c, int timeout_ms)
{
	struct vici_packet pkt;
	int rc;

	c->error[0] = '\0';
	arm(c, timeout_ms);
	if (c->broken)
		return fail(c, VICI_CLIENT_CLOSED, "connection unusable after an earlier error");
	/* A timeout or signal leaves the stream intact here: a partial
	 * frame stays in the reader and the next call completes it. */
	if ((rc = recv_frame(c, &pkt))) {
		if (rc == VICI_CLIENT_TIMEOUT || rc == VICI_CLIENT_INTR)
			c->broken = false;
		return rc;
	}
	if (pkt.op != VICI_EVENT)
		return fail(c, VICI_CLIENT_PROTO, "unexpected %s while waiting for events",
			    vici_op_name(pkt.op));
	return deliver_event(c, &pkt);
}
