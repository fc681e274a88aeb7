/* The synchronous VICI client against the real in-process server (run on
 * its own thread, so the client can block), and against scripted bytes
 * on a socketpair for what a correct server never sends. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include "vici_harness.h"
#include "control/vici_client.h"

/* ---- a server on a thread ------------------------------------------------ */

struct tserver {
	struct harness h;
	pthread_t thread;
	int stop[2];		/* a byte on stop[1] ends the loop */
	struct event *stop_ev;
};

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static void *server_main(void *arg)
{
	struct tserver *ts = arg;

	event_base_dispatch(ts->h.base);
	return NULL;
}

static void ev_body(struct wbuf *w, const char *key, int i)
{
	struct vici_builder b;

	wbuf_init(w);
	vici_builder_init(&b, w);
	vici_builder_begin_section(&b, "gw");
	vici_builder_add_kv_fmt(&b, key, "%d", i);
	vici_builder_end_section(&b);
	ck_assert(vici_builder_finish(&b, NULL));
}

static int req_int(const struct vici_msg *req, const char *key)
{
	char v[16];

	return vici_msg_get_str_buf(req, key, v, sizeof(v)) ? atoi(v) : 0;
}

/* stream {n}: n list-sa events to the caller, then {count=<sent>}. */
static enum vici_cmd_result cmd_stream(struct vici_cmd *cmd, const struct vici_msg *req,
				       struct vici_builder *resp, void *ctx)
{
	int sent = 0, n = req_int(req, "n");

	(void)ctx;
	for (int i = 1; i <= n; i++) {
		struct wbuf w;

		ev_body(&w, "uniqueid", i);
		sent += vici_cmd_stream(cmd, "list-sa", w.p, w.len);
		wbuf_free(&w);
	}
	vici_builder_add_kv_fmt(resp, "count", "%d", sent);
	return VICI_CMD_DONE;
}

/* fire {n}: n ike-updown events to every registered client, {queued=}. */
static enum vici_cmd_result cmd_fire(struct vici_cmd *cmd, const struct vici_msg *req,
				     struct vici_builder *resp, void *ctx)
{
	struct tserver *ts = ctx;
	int queued = 0, n = req_int(req, "n");

	(void)cmd;
	for (int i = 1; i <= n; i++) {
		struct wbuf w;

		ev_body(&w, "seq", i);
		queued += vici_server_emit(ts->h.srv, "ike-updown", w.p, w.len);
		wbuf_free(&w);
	}
	vici_builder_add_kv_fmt(resp, "queued", "%d", queued);
	return VICI_CMD_DONE;
}

static enum vici_cmd_result cmd_fail(struct vici_cmd *cmd, const struct vici_msg *req,
				     struct vici_builder *resp, void *ctx)
{
	(void)req;
	(void)resp;
	(void)ctx;
	vici_cmd_set_error(cmd, "no such thing \"x\"");
	return VICI_CMD_FAILED;
}

static void slow_done(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	vici_builder_add_kv_str(vici_cmd_response(arg), "late", "yes");
	vici_cmd_finish(arg, VICI_CMD_DONE);
}

/* slow {ms}: answers after ms milliseconds. */
static enum vici_cmd_result cmd_slow(struct vici_cmd *cmd, const struct vici_msg *req,
				     struct vici_builder *resp, void *ctx)
{
	struct tserver *ts = ctx;
	int ms = req_int(req, "ms");
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	(void)resp;
	ck_assert(event_base_once(ts->h.base, -1, EV_TIMEOUT, slow_done, cmd, &tv) == 0);
	return VICI_CMD_PENDING;
}

static void ts_start(struct tserver *ts)
{
	h_start(&ts->h, 0);
	ck_assert_int_eq(vici_server_register_event(ts->h.srv, "list-sa"), 0);
	ck_assert_int_eq(vici_server_register_event(ts->h.srv, "ike-updown"), 0);
	ck_assert_int_eq(vici_server_register_cmd(ts->h.srv, "list-sas", cmd_stream, ts), 0);
	ck_assert_int_eq(vici_server_register_cmd(ts->h.srv, "fire", cmd_fire, ts), 0);
	ck_assert_int_eq(vici_server_register_cmd(ts->h.srv, "fail", cmd_fail, ts), 0);
	ck_assert_int_eq(vici_server_register_cmd(ts->h.srv, "slow", cmd_slow, ts), 0);
	ck_assert(pipe(ts->stop) == 0);
	ts->stop_ev = event_new(ts->h.base, ts->stop[0], EV_READ, on_stop, ts->h.base);
	ck_assert(ts->stop_ev && event_add(ts->stop_ev, NULL) == 0);
	ck_assert(pthread_create(&ts->thread, NULL, server_main, ts) == 0);
}

static void ts_stop(struct tserver *ts)
{
	ck_assert(write(ts->stop[1], "x", 1) == 1);
	ck_assert(pthread_join(ts->thread, NULL) == 0);
	event_free(ts->stop_ev);
	close(ts->stop[0]);
	close(ts->stop[1]);
	h_stop(&ts->h);
}

static struct vici_client *ts_connect(struct tserver *ts)
{
	char err[256];
	struct vici_client *c = vici_client_connect(ts->h.path, 2000, err, sizeof(err));

	ck_assert_msg(c, "%s", err);
	vici_client_set_timeout(c, 3000);
	return c;
}

/* Builds {key=value}. */
static void kv(struct wbuf *w, const char *key, const char *value)
{
	struct vici_builder b;

	wbuf_init(w);
	vici_builder_init(&b, w);
	vici_builder_add_kv_str(&b, key, value);
	ck_assert(vici_builder_finish(&b, NULL));
}

static void expect_str(const struct vici_msg *m, const char *path, const char *want)
{
	char *s = vici_msg_get_str(m, path);

	ck_assert_msg(s, "missing %s", path);
	ck_assert_str_eq(s, want);
	free(s);
}

/* Records events: "name:<gw.uniqueid or gw.seq>" joined by spaces. */
struct seen {
	char log[512];
	int n;
};

static void on_event(void *ctx, const char *event, const struct vici_msg *m)
{
	struct seen *s = ctx;
	char *v = vici_msg_get_str(m, "gw.uniqueid");

	if (!v)
		v = vici_msg_get_str(m, "gw.seq");
	snprintf(s->log + strlen(s->log), sizeof(s->log) - strlen(s->log), "%s%s:%s",
		 s->n++ ? " " : "", event, v ? v : "?");
	free(v);
}

START_TEST(client_connect_errors)
{
	char err[300], path[200];

	ck_assert(!vici_client_connect("/nonexistent/cygnet.vici", 500, err, sizeof(err)));
	ck_assert_str_eq(err, "cannot connect to /nonexistent/cygnet.vici: "
			 "No such file or directory");
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	ck_assert(!vici_client_connect(path, 500, err, sizeof(err)));
	ck_assert(strstr(err, ": path too long"));
	/* a regular file is no socket */
	ck_assert(!vici_client_connect("/dev/null", 500, err, sizeof(err)));
	ck_assert(strstr(err, "cannot connect to /dev/null: Connection refused"));
	ck_assert(!vici_client_connect("/nonexistent", 500, NULL, 0));
}
END_TEST

/* A listener whose backlog is full: connect waits for room until its
 * deadline instead of handing back an unconnected socket. */
START_TEST(client_connect_backlog)
{
	char dir[] = "/tmp/vici-client-XXXXXX", path[64], err[300];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct vici_client *c;
	int lfd, fds[16], n = 0, acc;

	ck_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s", dir);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert(lfd >= 0);
	ck_assert(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	ck_assert(listen(lfd, 0) == 0);
	/* fill the backlog with raw non-blocking connects */
	for (; n < 16; n++) {
		fds[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(fds[n], (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			ck_assert_int_eq(errno, EAGAIN);
			close(fds[n]);
			break;
		}
	}
	ck_assert(n > 0 && n < 16);
	ck_assert(!vici_client_connect(path, 50, err, sizeof(err)));
	ck_assert_msg(strstr(err, ": timed out (backlog full)"), "%s", err);
	/* room again: the same call connects */
	acc = accept(lfd, NULL, NULL);
	ck_assert(acc >= 0);
	c = vici_client_connect(path, 500, err, sizeof(err));
	ck_assert_msg(c, "%s", err);
	vici_client_close(c);
	close(acc);
	while (n--)
		close(fds[n]);
	close(lfd);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(client_command_and_unknown)
{
	struct tserver ts;
	struct vici_client *c;
	struct vici_msg *resp;

	ts_start(&ts);
	c = ts_connect(&ts);
	ck_assert_int_eq(vici_client_command(c, "version", NULL, 0, &resp), VICI_CLIENT_OK);
	expect_str(resp, "daemon", "cygnetd");
	expect_str(resp, "version", CYGNET_VERSION);
	ck_assert_str_eq(vici_client_error(c), "");
	vici_msg_free(resp);

	ck_assert_int_eq(vici_client_command(c, "no-such-cmd", NULL, 0, &resp),
			 VICI_CLIENT_UNKNOWN);
	ck_assert_ptr_null(resp);
	ck_assert_str_eq(vici_client_error(c), "no-such-cmd: command unknown to the daemon");
	/* failures are answers: success=no comes back as a message */
	ck_assert_int_eq(vici_client_command(c, "fail", NULL, 0, &resp), VICI_CLIENT_OK);
	expect_str(resp, "success", "no");
	expect_str(resp, "errmsg", "no such thing \"x\"");
	vici_msg_free(resp);
	/* bad names never reach the wire; the connection stays usable */
	ck_assert_int_eq(vici_client_command(c, "bad name", NULL, 0, &resp), VICI_CLIENT_ARG);
	ck_assert_int_eq(vici_client_command(c, "", NULL, 0, &resp), VICI_CLIENT_ARG);
	ck_assert_int_eq(vici_client_command(c, "version", NULL, 0, &resp), VICI_CLIENT_OK);
	vici_msg_free(resp);
	vici_client_close(c);
	ts_stop(&ts);
}
END_TEST

START_TEST(client_register_unregister)
{
	struct tserver ts;
	struct vici_client *c;

	ts_start(&ts);
	c = ts_connect(&ts);
	ck_assert_int_eq(vici_client_register(c, "ike-updown"), VICI_CLIENT_OK);
	ck_assert_int_eq(vici_client_register(c, "child-state-installed"), VICI_CLIENT_UNKNOWN);
	ck_assert_str_eq(vici_client_error(c),
			 "event 'child-state-installed' unknown to the daemon");
	ck_assert_int_eq(vici_client_unregister(c, "ike-updown"), VICI_CLIENT_OK);
	ck_assert_int_eq(vici_client_unregister(c, "nope"), VICI_CLIENT_UNKNOWN);
	ck_assert_int_eq(vici_client_register(c, "list-sa"), VICI_CLIENT_OK);
	vici_client_close(c);
	ts_stop(&ts);
}
END_TEST

/* Streamed events all reach the handler, in order, before the call
 * returns; afterwards the client is unregistered again. */
START_TEST(client_stream)
{
	struct tserver ts;
	struct vici_client *c;
	struct vici_msg *resp;
	struct seen s = { .n = 0 };
	struct wbuf n;

	ts_start(&ts);
	c = ts_connect(&ts);
	vici_client_on_event(c, on_event, &s);
	kv(&n, "n", "3");
	ck_assert_int_eq(vici_client_stream(c, "list-sas", n.p, n.len, "list-sa", &resp),
			 VICI_CLIENT_OK);
	expect_str(resp, "count", "3");
	vici_msg_free(resp);
	ck_assert_str_eq(s.log, "list-sa:1 list-sa:2 list-sa:3");

	/* unregistered now: the plain command streams nothing */
	ck_assert_int_eq(vici_client_command(c, "list-sas", n.p, n.len, &resp), VICI_CLIENT_OK);
	expect_str(resp, "count", "0");
	vici_msg_free(resp);
	ck_assert_int_eq(s.n, 3);

	/* an event the server does not know: the command is not sent */
	ck_assert_int_eq(vici_client_stream(c, "list-sas", n.p, n.len, "list-x", &resp),
			 VICI_CLIENT_UNKNOWN);
	ck_assert_ptr_null(resp);
	/* an unknown command still unregisters, and keeps its own error */
	ck_assert_int_eq(vici_client_stream(c, "list-nothing", NULL, 0, "list-sa", &resp),
			 VICI_CLIENT_UNKNOWN);
	ck_assert_str_eq(vici_client_error(c), "list-nothing: command unknown to the daemon");
	ck_assert_int_eq(vici_client_command(c, "list-sas", n.p, n.len, &resp), VICI_CLIENT_OK);
	expect_str(resp, "count", "0");
	vici_msg_free(resp);

	wbuf_free(&n);
	vici_client_close(c);
	ts_stop(&ts);
}
END_TEST

/* Following events pushed by other clients' actions; events that come in
 * while a command of our own runs go to the handler too. */
START_TEST(client_follow_events)
{
	struct tserver ts;
	struct vici_client *a, *b;
	struct vici_msg *resp;
	struct seen s = { .n = 0 };
	struct wbuf n;

	ts_start(&ts);
	a = ts_connect(&ts);
	b = ts_connect(&ts);
	vici_client_on_event(a, on_event, &s);
	ck_assert_int_eq(vici_client_register(a, "ike-updown"), VICI_CLIENT_OK);
	kv(&n, "n", "2");
	ck_assert_int_eq(vici_client_command(b, "fire", n.p, n.len, &resp), VICI_CLIENT_OK);
	expect_str(resp, "queued", "2");
	vici_msg_free(resp);
	ck_assert_int_eq(vici_client_wait_event(a, 2000), VICI_CLIENT_OK);
	ck_assert_str_eq(s.log, "ike-updown:1");
	ck_assert_int_eq(vici_client_wait_event(a, 2000), VICI_CLIENT_OK);
	ck_assert_str_eq(s.log, "ike-updown:1 ike-updown:2");
	/* nothing more: a timeout, and the connection stays usable */
	ck_assert_int_eq(vici_client_wait_event(a, 50), VICI_CLIENT_TIMEOUT);
	ck_assert_int_eq(vici_client_command(a, "version", NULL, 0, &resp), VICI_CLIENT_OK);
	vici_msg_free(resp);

	/* our own fire: the events precede the response */
	ck_assert_int_eq(vici_client_command(a, "fire", n.p, n.len, &resp), VICI_CLIENT_OK);
	vici_msg_free(resp);
	ck_assert_int_eq(s.n, 4);
	/* without a handler events are dropped, the reply still arrives */
	vici_client_on_event(a, NULL, NULL);
	ck_assert_int_eq(vici_client_command(a, "fire", n.p, n.len, &resp), VICI_CLIENT_OK);
	expect_str(resp, "queued", "2");
	vici_msg_free(resp);
	ck_assert_int_eq(s.n, 4);

	wbuf_free(&n);
	vici_client_close(a);
	vici_client_close(b);
	ts_stop(&ts);
}
END_TEST

/* A reply that is late: TIMEOUT, and the client refuses to go on because
 * the late reply would be taken for the next one. */
START_TEST(client_timeout)
{
	struct tserver ts;
	struct vici_client *c;
	struct vici_msg *resp;
	struct wbuf ms;
	long t0;

	ts_start(&ts);
	c = ts_connect(&ts);
	kv(&ms, "ms", "300");
	vici_client_set_timeout(c, 100);
	t0 = h_now_ms();
	ck_assert_int_eq(vici_client_command(c, "slow", ms.p, ms.len, &resp),
			 VICI_CLIENT_TIMEOUT);
	ck_assert(h_now_ms() - t0 >= 90 && h_now_ms() - t0 < 1000);
	ck_assert_str_eq(vici_client_error(c), "no answer from the daemon (timeout)");
	ck_assert_int_eq(vici_client_command(c, "version", NULL, 0, &resp), VICI_CLIENT_CLOSED);
	vici_client_close(c);

	/* with enough time the same command succeeds */
	c = ts_connect(&ts);
	ck_assert_int_eq(vici_client_command(c, "slow", ms.p, ms.len, &resp), VICI_CLIENT_OK);
	expect_str(resp, "late", "yes");
	vici_msg_free(resp);
	vici_client_close(c);
	poll(NULL, 0, 350);	/* the first slow reply goes out before the stop */
	wbuf_free(&ms);
	ts_stop(&ts);
}
END_TEST

/* ---- scripted bytes on a socketpair ------------------------------------ */

static struct vici_client *pair_client(int *peer)
{
	int sv[2];
	struct vici_client *c;

	ck_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	c = vici_client_from_fd(sv[0]);
	ck_assert(c);
	vici_client_set_timeout(c, 2000);
	*peer = sv[1];
	return c;
}

static void put_frame(int fd, enum vici_op op, const char *name, const void *body,
		      size_t len)
{
	struct wbuf w;

	wbuf_init(&w);
	ck_assert(vici_frame_write(&w, op, name, body, len));
	ck_assert(write(fd, w.p, w.len) == (ssize_t)w.len);
	wbuf_free(&w);
}

static void put_raw(int fd, const char *hex)
{
	uint8_t b[256];
	size_t n = test_unhex(hex, b, sizeof(b));

	ck_assert(write(fd, b, n) == (ssize_t)n);
}

/* Each row: bytes the "server" sends in reply to a command, and the
 * result the client must report. */
START_TEST(client_bad_replies)
{
	static const struct {
		const char *hex;	/* NULL: the server just hangs up */
		int rc;
		const char *err;
	} cases[] = {
		{ NULL, VICI_CLIENT_CLOSED, "the daemon closed the connection" },
		{ "00000000", VICI_CLIENT_PROTO, "bad frame from the daemon: empty frame" },
		{ "00080001", VICI_CLIENT_PROTO, "bad frame from the daemon: frame too large" },
		{ "0000000109", VICI_CLIENT_PROTO, "bad packet from the daemon: unknown operation type" },
		{ "0000000105", VICI_CLIENT_PROTO, "command version answered with EVENT_CONFIRM" },
		{ "000000020500", VICI_CLIENT_PROTO, "bad packet from the daemon: unexpected body" },
		/* CMD_RESPONSE { SECTION_END } */
		{ "000000020102", VICI_CLIENT_PROTO,
		  "bad response message from the daemon: unbalanced section end" },
		/* EVENT "x" with a truncated key/value */
		{ "000000060701780301 61", VICI_CLIENT_PROTO,
		  "bad x message from the daemon: truncated value length" },
		/* half a frame, then EOF */
		{ "0000000a0103", VICI_CLIENT_CLOSED, "the daemon closed the connection" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int peer;
		struct vici_client *c = pair_client(&peer);
		struct vici_msg *resp = NULL;

		if (cases[i].hex)
			put_raw(peer, cases[i].hex);
		shutdown(peer, SHUT_WR);
		ck_assert_int_eq(vici_client_command(c, "version", NULL, 0, &resp), cases[i].rc);
		ck_assert_ptr_null(resp);
		ck_assert_msg(!strcmp(vici_client_error(c), cases[i].err), "case %zu: %s", i,
			      vici_client_error(c));
		/* what the client sent is a well-formed version request */
		{
			uint8_t b[64];
			ssize_t n = read(peer, b, sizeof(b));

			ck_assert_int_eq(n, 4 + 1 + 1 + 7);
			ck_assert(!memcmp(b, "\x00\x00\x00\x09\x00\x07version", 13));
		}
		vici_client_close(c);
		close(peer);
	}
}
END_TEST

/* Several frames in one read, then a reply far larger than the client's
 * read buffer, written in small pieces by a thread. */
struct dribble {
	int fd;
	uint8_t *p;
	size_t len, chunk;
	int delay_ms;		/* before each chunk */
};

static void *dribble_main(void *arg)
{
	struct dribble *d = arg;

	for (size_t off = 0; off < d->len; off += d->chunk) {
		size_t n = d->len - off < d->chunk ? d->len - off : d->chunk;

		if (d->delay_ms)
			poll(NULL, 0, d->delay_ms);
		if (write(d->fd, d->p + off, n) != (ssize_t)n)
			break;
	}
	return NULL;
}

START_TEST(client_pipelined_and_large)
{
	int peer;
	struct vici_client *c = pair_client(&peer);
	struct vici_msg *resp;
	struct seen s = { .n = 0 };
	struct wbuf ev1, ev2, big, frames;
	struct vici_builder b;
	struct dribble d;
	pthread_t th;
	char item[600];

	vici_client_on_event(c, on_event, &s);
	ev_body(&ev1, "uniqueid", 7);
	ev_body(&ev2, "uniqueid", 8);
	wbuf_init(&frames);
	/* confirm, two events, response, unregister-confirm: one write */
	ck_assert(vici_frame_write(&frames, VICI_EVENT_CONFIRM, NULL, NULL, 0));
	ck_assert(vici_frame_write(&frames, VICI_EVENT, "list-sa", ev1.p, ev1.len));
	ck_assert(vici_frame_write(&frames, VICI_EVENT, "list-sa", ev2.p, ev2.len));
	ck_assert(vici_frame_write(&frames, VICI_CMD_RESPONSE, NULL, NULL, 0));
	ck_assert(vici_frame_write(&frames, VICI_EVENT_CONFIRM, NULL, NULL, 0));
	ck_assert(write(peer, frames.p, frames.len) == (ssize_t)frames.len);
	ck_assert_int_eq(vici_client_stream(c, "list-sas", NULL, 0, "list-sa", &resp),
			 VICI_CLIENT_OK);
	ck_assert_uint_eq(vici_node_count(vici_msg_root(resp)), 0);
	vici_msg_free(resp);
	ck_assert_str_eq(s.log, "list-sa:7 list-sa:8");

	/* a 300 KB response in 7000-byte writes */
	wbuf_init(&big);
	vici_builder_init(&b, &big);
	vici_builder_begin_list(&b, "items");
	memset(item, 'v', sizeof(item) - 1);
	item[sizeof(item) - 1] = '\0';
	for (int i = 0; i < 500; i++)
		vici_builder_add_list_item_str(&b, item);
	vici_builder_end_list(&b);
	ck_assert(vici_builder_finish(&b, NULL));
	wbuf_reset(&frames);
	ck_assert(vici_frame_write(&frames, VICI_CMD_RESPONSE, NULL, big.p, big.len));
	d = (struct dribble){ .fd = peer, .p = frames.p, .len = frames.len, .chunk = 7000,
			      .delay_ms = 0 };
	ck_assert(pthread_create(&th, NULL, dribble_main, &d) == 0);
	ck_assert_int_eq(vici_client_command(c, "big", NULL, 0, &resp), VICI_CLIENT_OK);
	ck_assert(pthread_join(th, NULL) == 0);
	ck_assert_uint_eq(vici_node_count(vici_msg_get_list(resp, "items")), 500);
	vici_msg_free(resp);

	wbuf_free(&ev1);
	wbuf_free(&ev2);
	wbuf_free(&big);
	wbuf_free(&frames);
	vici_client_close(c);
	close(peer);
}
END_TEST

/* The timeout bounds the daemon's silence, not the whole call: a stream
 * that keeps coming may take longer than the timeout in total. */
START_TEST(client_timeout_is_silence)
{
	int peer;
	struct vici_client *c = pair_client(&peer);
	struct vici_msg *resp;
	struct seen s = { .n = 0 };
	struct wbuf ev, frames;
	struct dribble d;
	pthread_t th;
	long t0;

	vici_client_on_event(c, on_event, &s);
	vici_client_set_timeout(c, 400);
	ev_body(&ev, "uniqueid", 1);
	wbuf_init(&frames);
	ck_assert(vici_frame_write(&frames, VICI_EVENT_CONFIRM, NULL, NULL, 0));
	for (int i = 0; i < 6; i++)
		ck_assert(vici_frame_write(&frames, VICI_EVENT, "list-sa", ev.p, ev.len));
	ck_assert(vici_frame_write(&frames, VICI_CMD_RESPONSE, NULL, NULL, 0));
	ck_assert(vici_frame_write(&frames, VICI_EVENT_CONFIRM, NULL, NULL, 0));
	/* 8 frames of equal-ish size: one chunk per ~frame every 60 ms */
	d = (struct dribble){ .fd = peer, .p = frames.p, .len = frames.len,
			      .chunk = frames.len / 8 + 1, .delay_ms = 60 };
	t0 = h_now_ms();
	ck_assert(pthread_create(&th, NULL, dribble_main, &d) == 0);
	ck_assert_int_eq(vici_client_stream(c, "list-sas", NULL, 0, "list-sa", &resp),
			 VICI_CLIENT_OK);
	ck_assert(pthread_join(th, NULL) == 0);
	ck_assert(h_now_ms() - t0 > 400);	/* 8 x 60 ms */
	ck_assert_int_eq(s.n, 6);
	vici_msg_free(resp);
	wbuf_free(&ev);
	wbuf_free(&frames);
	vici_client_close(c);
	close(peer);
}
END_TEST

static void on_alarm(int sig)
{
	(void)sig;
}

/* wait_event: a partial frame survives a timeout and a signal; the rest
 * completes it. Anything but an event is a protocol error there. */
START_TEST(client_wait_event_partial)
{
	int peer;
	struct vici_client *c = pair_client(&peer);
	struct seen s = { .n = 0 };
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { .it_value = { .tv_usec = 30000 } };
	struct wbuf ev, fr;

	vici_client_on_event(c, on_event, &s);
	ev_body(&ev, "seq", 5);
	wbuf_init(&fr);
	ck_assert(vici_frame_write(&fr, VICI_EVENT, "ike-updown", ev.p, ev.len));
	ck_assert(write(peer, fr.p, 6) == 6);
	ck_assert_int_eq(vici_client_wait_event(c, 50), VICI_CLIENT_TIMEOUT);
	sigemptyset(&sa.sa_mask);
	ck_assert(sigaction(SIGALRM, &sa, NULL) == 0);
	ck_assert(setitimer(ITIMER_REAL, &it, NULL) == 0);
	ck_assert_int_eq(vici_client_wait_event(c, 5000), VICI_CLIENT_INTR);
	ck_assert_int_eq(s.n, 0);
	ck_assert(write(peer, fr.p + 6, fr.len - 6) == (ssize_t)(fr.len - 6));
	ck_assert_int_eq(vici_client_wait_event(c, 1000), VICI_CLIENT_OK);
	ck_assert_str_eq(s.log, "ike-updown:5");

	put_frame(peer, VICI_CMD_RESPONSE, NULL, NULL, 0);
	ck_assert_int_eq(vici_client_wait_event(c, 1000), VICI_CLIENT_PROTO);
	ck_assert_str_eq(vici_client_error(c),
			 "unexpected CMD_RESPONSE while waiting for events");
	ck_assert_int_eq(vici_client_wait_event(c, 10), VICI_CLIENT_CLOSED);

	wbuf_free(&ev);
	wbuf_free(&fr);
	vici_client_close(c);
	close(peer);
}
END_TEST

START_TEST(client_rc_names)
{
	ck_assert_str_eq(vici_client_rc_name(VICI_CLIENT_OK), "OK");
	ck_assert_str_eq(vici_client_rc_name(VICI_CLIENT_UNKNOWN), "unknown to the daemon");
	ck_assert_str_eq(vici_client_rc_name(VICI_CLIENT_TIMEOUT), "timeout");
	ck_assert_str_eq(vici_client_rc_name(VICI_CLIENT_CLOSED), "connection closed");
	ck_assert_str_eq(vici_client_rc_name(VICI_CLIENT_IO), "I/O error");
	ck_assert_str_eq(vici_client_rc_name(VICI_CLIENT_PROTO), "protocol error");
	ck_assert_str_eq(vici_client_rc_name(VICI_CLIENT_INTR), "interrupted");
	ck_assert_str_eq(vici_client_rc_name(VICI_CLIENT_ARG), "bad argument");
	ck_assert_str_eq(vici_client_rc_name(42), "?");
}
END_TEST

static Suite *vici_client_suite(void)
{
	Suite *s = suite_create("vici_client");
	TCase *tc = tcase_create("client");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, client_connect_errors);
	tcase_add_test(tc, client_connect_backlog);
	tcase_add_test(tc, client_command_and_unknown);
	tcase_add_test(tc, client_register_unregister);
	tcase_add_test(tc, client_stream);
	tcase_add_test(tc, client_follow_events);
	tcase_add_test(tc, client_timeout);
	tcase_add_test(tc, client_bad_replies);
	tcase_add_test(tc, client_pipelined_and_large);
	tcase_add_test(tc, client_timeout_is_silence);
	tcase_add_test(tc, client_wait_event_partial);
	tcase_add_test(tc, client_rc_names);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(vici_client_suite)
