/* In-process VICI server harness for unit tests: a server on a temporary
 * socket whose event loop the test pumps stepwise, and plain blocking
 * socket clients that read with a deadline while pumping the loop. */
#ifndef CYGNET_TESTS_VICI_HARNESS_H
#define CYGNET_TESTS_VICI_HARNESS_H

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "check_main.h"
#include "control/cmd_version.h"
#include "control/vici_frame.h"
#include "control/vici_msg.h"
#include "control/vici_server.h"

struct harness {
	struct event_base *base;
	struct vici_server *srv;
	char dir[64];
	char path[128];
};

struct tclient {
	int fd;
	uint8_t in[1 << 20];	/* received, not yet parsed */
	size_t in_len;
	bool eof;
};

/* A received packet with its own copy of the payload. */
struct tpacket {
	struct vici_packet pkt;
	uint8_t *payload;
	struct vici_msg *msg;	/* parsed body for ops that carry one */
};

static inline long h_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A failed ck_assert exits the test's child process: remove the temp
 * socket and directory then too. */
static struct harness *h_current;

static inline void h_cleanup_at_exit(void)
{
	if (h_current) {
		unlink(h_current->path);
		rmdir(h_current->dir);
	}
}

static inline void h_start_cfg(struct harness *h, struct vici_server_config cfg)
{
	static bool registered;
	const char *why = NULL;

	memset(h, 0, sizeof(*h));
	snprintf(h->dir, sizeof(h->dir), "/tmp/vici-test-XXXXXX");
	ck_assert(mkdtemp(h->dir));
	snprintf(h->path, sizeof(h->path), "%s/vici.sock", h->dir);
	h_current = h;
	if (!registered)
		registered = atexit(h_cleanup_at_exit) == 0;
	h->base = event_base_new();
	ck_assert(h->base);
	cfg.path = h->path;
	h->srv = vici_server_new(h->base, &cfg, &why);
	ck_assert_msg(h->srv, "server: %s", why);
	ck_assert_int_eq(cmd_version_register(h->srv), 0);
}

static inline void h_start(struct harness *h, size_t hwm)
{
	struct vici_server_config cfg = { .out_hwm = hwm };

	h_start_cfg(h, cfg);
}

static inline void h_stop(struct harness *h)
{
	vici_server_free(h->srv);
	event_base_free(h->base);
	unlink(h->path);
	rmdir(h->dir);
	h_current = NULL;
}

static inline void h_pump(struct harness *h)
{
	for (int i = 0; i < 4; i++)
		event_base_loop(h->base, EVLOOP_NONBLOCK);
}

static inline struct tclient *tc_connect(struct harness *h)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct tclient *c = calloc(1, sizeof(*c));

	ck_assert(c);
	memcpy(sun.sun_path, h->path, strlen(h->path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert(c->fd >= 0);
	ck_assert(connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	h_pump(h);	/* let the server accept */
	return c;
}

static inline void tc_close(struct tclient *c)
{
	close(c->fd);
	free(c);
}

static inline void tc_send_raw(struct tclient *c, const void *p, size_t len)
{
	ck_assert(write(c->fd, p, len) == (ssize_t)len);
}

static inline void tc_send(struct tclient *c, enum vici_op op, const char *name,
			   const struct wbuf *body)
{
	struct wbuf w;

	wbuf_init(&w);
	ck_assert(vici_frame_write(&w, op, name, body ? body->p : NULL,
				   body ? body->len : 0));
	tc_send_raw(c, w.p, w.len);
	wbuf_free(&w);
}

/* Read what is there without blocking; false on EOF/reset. */
static inline bool tc_read_some(struct tclient *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	while (!c->eof && c->in_len < sizeof(c->in) && poll(&pfd, 1, 0) == 1) {
		ssize_t n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);

		if (n <= 0) {
			c->eof = true;
			break;
		}
		c->in_len += (size_t)n;
	}
	return !c->eof;
}

/* Take one whole frame from the buffered input. */
static inline bool tc_take(struct tclient *c, struct tpacket *tp)
{
	uint32_t len;
	const char *why;

	if (c->in_len < 4)
		return false;
	len = (uint32_t)c->in[0] << 24 | (uint32_t)c->in[1] << 16 |
	      (uint32_t)c->in[2] << 8 | c->in[3];
	if (c->in_len < 4 + (size_t)len)
		return false;
	tp->payload = malloc(len);
	ck_assert(tp->payload);
	memcpy(tp->payload, c->in + 4, len);
	memmove(c->in, c->in + 4 + len, c->in_len - 4 - len);
	c->in_len -= 4 + len;
	ck_assert_msg(vici_packet_parse(tp->payload, len, &tp->pkt, &why), "%s", why);
	tp->msg = NULL;
	if (tp->pkt.op == VICI_CMD_RESPONSE || tp->pkt.op == VICI_EVENT) {
		struct rd r = rd_init(tp->pkt.body, tp->pkt.body_len);

		tp->msg = vici_msg_parse(&r, &why);
		ck_assert_msg(tp->msg, "server sent a bad message: %s", why);
	}
	return true;
}

static inline void tp_free(struct tpacket *tp)
{
	vici_msg_free(tp->msg);
	free(tp->payload);
}

/* Wait up to 2 s for the next packet while pumping the server loop. */
static inline bool tc_recv(struct harness *h, struct tclient *c, struct tpacket *tp)
{
	long end = h_now_ms() + 2000;

	while (h_now_ms() < end) {
		if (tc_take(c, tp))
			return true;
		h_pump(h);
		if (!tc_read_some(c))
			return tc_take(c, tp);
		poll(NULL, 0, 1);
	}
	return false;
}

/* Expect op (and, if given, an event name) as the next packet. */
static inline void tc_expect(struct harness *h, struct tclient *c, enum vici_op op,
			     const char *name, struct tpacket *keep)
{
	struct tpacket tp;

	ck_assert_msg(tc_recv(h, c, &tp), "no packet, wanted %s", vici_op_name(op));
	ck_assert_msg(tp.pkt.op == op, "got %s, wanted %s", vici_op_name(tp.pkt.op),
		      vici_op_name(op));
	if (name)
		ck_assert_str_eq(tp.pkt.name, name);
	if (keep)
		*keep = tp;
	else
		tp_free(&tp);
}

/* Nothing arrives for ms milliseconds while the loop runs. */
static inline void tc_expect_quiet(struct harness *h, struct tclient *c, long ms)
{
	long end = h_now_ms() + ms;

	while (h_now_ms() < end) {
		h_pump(h);
		tc_read_some(c);
		ck_assert_msg(c->in_len == 0 && !c->eof, "unexpected data or EOF");
		poll(NULL, 0, 1);
	}
}

/* The server closes the connection within 2 s (buffered data is dropped). */
static inline void tc_expect_eof(struct harness *h, struct tclient *c)
{
	long end = h_now_ms() + 2000;

	while (h_now_ms() < end && !c->eof) {
		h_pump(h);
		c->in_len = 0;
		tc_read_some(c);
		poll(NULL, 0, 1);
	}
	ck_assert_msg(c->eof, "server did not close the connection");
}

#endif
