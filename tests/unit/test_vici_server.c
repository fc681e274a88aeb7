#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "vici_harness.h"

static void body_kv(struct wbuf *w, const char *k, const char *v)
{
	struct vici_builder b;

	wbuf_init(w);
	vici_builder_init(&b, w);
	vici_builder_add_kv_str(&b, k, v);
	ck_assert(vici_builder_finish(&b, NULL));
}

static void expect_str(const struct tpacket *tp, const char *path, const char *want)
{
	char *s = vici_msg_get_str(tp->msg, path);

	ck_assert_msg(s, "missing %s", path);
	ck_assert_str_eq(s, want);
	free(s);
}

/* echo {seq} -> {seq}: a synchronous handler. */
static enum vici_cmd_result cmd_echo(struct vici_cmd *cmd, const struct vici_msg *req,
				     struct vici_builder *resp, void *ctx)
{
	char seq[32];

	(void)cmd;
	(void)ctx;
	if (!vici_msg_get_str_buf(req, "seq", seq, sizeof(seq))) {
		vici_cmd_set_error(cmd, "no seq");
		return VICI_CMD_FAILED;
	}
	vici_builder_add_kv_str(resp, "seq", seq);
	return VICI_CMD_DONE;
}

/* defer {}: goes pending; the test completes it through *ctx. */
static enum vici_cmd_result cmd_defer(struct vici_cmd *cmd, const struct vici_msg *req,
				      struct vici_builder *resp, void *ctx)
{
	(void)req;
	(void)resp;
	*(struct vici_cmd **)ctx = cmd;
	return VICI_CMD_PENDING;
}

/* stream {n}: n list-sa events to the caller, then {count=n}. */
static enum vici_cmd_result cmd_stream(struct vici_cmd *cmd, const struct vici_msg *req,
				       struct vici_builder *resp, void *ctx)
{
	char n[8];
	int sent = 0;

	(void)ctx;
	ck_assert(vici_msg_get_str_buf(req, "n", n, sizeof(n)));
	for (int i = 0; i < atoi(n); i++) {
		struct vici_builder b;
		struct wbuf w;

		wbuf_init(&w);
		vici_builder_init(&b, &w);
		vici_builder_begin_section(&b, "gw");
		vici_builder_add_kv_fmt(&b, "uniqueid", "%d", i + 1);
		vici_builder_end_section(&b);
		ck_assert(vici_builder_finish(&b, NULL));
		sent += vici_cmd_stream(cmd, "list-sa", w.p, w.len);
		wbuf_free(&w);
	}
	vici_builder_add_kv_fmt(resp, "count", "%d", sent);
	return VICI_CMD_DONE;
}

START_TEST(server_version_reply)
{
	struct harness h;
	struct tclient *c;
	struct tpacket tp;
	struct utsname u;

	h_start(&h, 0);
	c = tc_connect(&h);
	tc_send(c, VICI_CMD_REQUEST, "version", NULL);
	tc_expect(&h, c, VICI_CMD_RESPONSE, NULL, &tp);
	ck_assert(uname(&u) == 0);
	expect_str(&tp, "daemon", "cygnetd");
	expect_str(&tp, "version", CYGNET_VERSION);
	expect_str(&tp, "sysname", u.sysname);
	expect_str(&tp, "release", u.release);
	expect_str(&tp, "machine", u.machine);
	tp_free(&tp);
	tc_close(c);
	h_stop(&h);
}
END_TEST

START_TEST(server_unknown_command_and_events)
{
	struct harness h;
	struct tclient *c;

	h_start(&h, 0);
	ck_assert_int_eq(vici_server_register_event(h.srv, "ike-updown"), 0);
	ck_assert_int_eq(vici_server_register_event(h.srv, "bad name"), -1);
	c = tc_connect(&h);
	tc_send(c, VICI_CMD_REQUEST, "no-such-command", NULL);
	tc_expect(&h, c, VICI_CMD_UNKNOWN, NULL, NULL);
	tc_send(c, VICI_EVENT_REGISTER, "ike-updown", NULL);
	tc_expect(&h, c, VICI_EVENT_CONFIRM, NULL, NULL);
	tc_send(c, VICI_EVENT_REGISTER, "child-state-installed", NULL);
	tc_expect(&h, c, VICI_EVENT_UNKNOWN, NULL, NULL);
	tc_send(c, VICI_EVENT_UNREGISTER, "ike-updown", NULL);
	tc_expect(&h, c, VICI_EVENT_CONFIRM, NULL, NULL);
	tc_send(c, VICI_EVENT_UNREGISTER, "nope", NULL);
	tc_expect(&h, c, VICI_EVENT_UNKNOWN, NULL, NULL);
	/* the connection is still fine */
	tc_send(c, VICI_CMD_REQUEST, "version", NULL);
	tc_expect(&h, c, VICI_CMD_RESPONSE, NULL, NULL);
	tc_close(c);
	h_stop(&h);
}
END_TEST

/* Two pipelined requests in one write: the second is answered only after
 * the first (pending) one, and a failing handler yields success=no. */
START_TEST(server_answers_in_order)
{
	struct harness h;
	struct tclient *c;
	struct tpacket tp;
	struct vici_cmd *pending = NULL;
	struct wbuf frames, b1;

	h_start(&h, 0);
	ck_assert_int_eq(vici_server_register_cmd(h.srv, "echo", cmd_echo, NULL), 0);
	ck_assert_int_eq(vici_server_register_cmd(h.srv, "defer", cmd_defer, &pending), 0);
	c = tc_connect(&h);

	wbuf_init(&frames);
	body_kv(&b1, "seq", "2");
	ck_assert(vici_frame_write(&frames, VICI_CMD_REQUEST, "defer", NULL, 0));
	ck_assert(vici_frame_write(&frames, VICI_CMD_REQUEST, "echo", b1.p, b1.len));
	ck_assert(vici_frame_write(&frames, VICI_CMD_REQUEST, "echo", NULL, 0));
	tc_send_raw(c, frames.p, frames.len);
	tc_expect_quiet(&h, c, 100);
	ck_assert(pending);
	ck_assert(vici_cmd_client_alive(pending));
	ck_assert_str_eq(vici_cmd_name(pending), "defer");
	vici_builder_add_kv_str(vici_cmd_response(pending), "seq", "1");
	vici_cmd_finish(pending, VICI_CMD_DONE);

	tc_expect(&h, c, VICI_CMD_RESPONSE, NULL, &tp);
	expect_str(&tp, "seq", "1");
	tp_free(&tp);
	tc_expect(&h, c, VICI_CMD_RESPONSE, NULL, &tp);
	expect_str(&tp, "seq", "2");
	tp_free(&tp);
	tc_expect(&h, c, VICI_CMD_RESPONSE, NULL, &tp);
	expect_str(&tp, "success", "no");
	expect_str(&tp, "errmsg", "no seq");
	tp_free(&tp);

	/* a pending command whose client vanishes can still be finished */
	pending = NULL;
	tc_send(c, VICI_CMD_REQUEST, "defer", NULL);
	tc_expect_quiet(&h, c, 20);
	ck_assert(pending);
	tc_close(c);
	for (int i = 0; i < 50 && vici_server_client_count(h.srv); i++) {
		h_pump(&h);
		poll(NULL, 0, 2);
	}
	ck_assert_uint_eq(vici_server_client_count(h.srv), 0);
	ck_assert(!vici_cmd_client_alive(pending));
	vici_cmd_finish(pending, VICI_CMD_DONE);

	wbuf_free(&frames);
	wbuf_free(&b1);
	h_stop(&h);
}
END_TEST

/* Streamed events reach only the requester, only if it registered, and
 * all of them before the response. */
START_TEST(server_stream_before_response)
{
	struct harness h;
	struct tclient *a, *other;
	struct tpacket tp;
	struct wbuf n;

	h_start(&h, 0);
	ck_assert_int_eq(vici_server_register_event(h.srv, "list-sa"), 0);
	ck_assert_int_eq(vici_server_register_cmd(h.srv, "list-sas", cmd_stream, NULL), 0);
	a = tc_connect(&h);
	other = tc_connect(&h);
	tc_send(other, VICI_EVENT_REGISTER, "list-sa", NULL);
	tc_expect(&h, other, VICI_EVENT_CONFIRM, NULL, NULL);

	body_kv(&n, "n", "3");
	tc_send(a, VICI_CMD_REQUEST, "list-sas", &n);	/* not registered yet */
	tc_expect(&h, a, VICI_CMD_RESPONSE, NULL, &tp);
	expect_str(&tp, "count", "0");
	tp_free(&tp);

	tc_send(a, VICI_EVENT_REGISTER, "list-sa", NULL);
	tc_send(a, VICI_CMD_REQUEST, "list-sas", &n);
	tc_expect(&h, a, VICI_EVENT_CONFIRM, NULL, NULL);
	for (int i = 1; i <= 3; i++) {
		char want[16];

		snprintf(want, sizeof(want), "%d", i);
		tc_expect(&h, a, VICI_EVENT, "list-sa", &tp);
		expect_str(&tp, "gw.uniqueid", want);
		tp_free(&tp);
	}
	tc_expect(&h, a, VICI_CMD_RESPONSE, NULL, &tp);
	expect_str(&tp, "count", "3");
	tp_free(&tp);
	tc_expect_quiet(&h, other, 50);

	wbuf_free(&n);
	tc_close(a);
	tc_close(other);
	h_stop(&h);
}
END_TEST

START_TEST(server_emit_to_registered_only)
{
	struct harness h;
	struct tclient *reg, *unreg, *gone;
	struct tpacket tp;
	struct wbuf ev;

	h_start(&h, 0);
	ck_assert_int_eq(vici_server_register_event(h.srv, "ike-updown"), 0);
	ck_assert_int_eq(vici_server_register_event(h.srv, "child-updown"), 0);
	reg = tc_connect(&h);
	unreg = tc_connect(&h);
	gone = tc_connect(&h);
	tc_send(reg, VICI_EVENT_REGISTER, "ike-updown", NULL);
	tc_expect(&h, reg, VICI_EVENT_CONFIRM, NULL, NULL);
	tc_send(unreg, VICI_EVENT_REGISTER, "child-updown", NULL);
	tc_expect(&h, unreg, VICI_EVENT_CONFIRM, NULL, NULL);
	tc_send(gone, VICI_EVENT_REGISTER, "ike-updown", NULL);
	tc_expect(&h, gone, VICI_EVENT_CONFIRM, NULL, NULL);
	tc_send(gone, VICI_EVENT_UNREGISTER, "ike-updown", NULL);
	tc_expect(&h, gone, VICI_EVENT_CONFIRM, NULL, NULL);

	body_kv(&ev, "up", "yes");
	ck_assert_int_eq(vici_server_emit(h.srv, "ike-updown", ev.p, ev.len), 1);
	ck_assert_int_eq(vici_server_emit(h.srv, "not-registered", ev.p, ev.len), -1);
	tc_expect(&h, reg, VICI_EVENT, "ike-updown", &tp);
	expect_str(&tp, "up", "yes");
	tp_free(&tp);
	/* the others see their next reply first: no event was queued for them */
	tc_send(unreg, VICI_CMD_REQUEST, "version", NULL);
	tc_expect(&h, unreg, VICI_CMD_RESPONSE, NULL, NULL);
	tc_send(gone, VICI_CMD_REQUEST, "version", NULL);
	tc_expect(&h, gone, VICI_CMD_RESPONSE, NULL, NULL);

	wbuf_free(&ev);
	tc_close(reg);
	tc_close(unreg);
	tc_close(gone);
	h_stop(&h);
}
END_TEST

/* A client that stops reading is dropped once its queue passes the
 * high-water mark; a reading client keeps getting every event. */
START_TEST(server_drops_slow_client)
{
	struct harness h;
	struct tclient *slow, *fast;
	uint8_t *big = calloc(1, 8192);
	struct vici_builder b;
	struct wbuf ev;
	size_t fast_bytes = 0, frame = 0;
	int emitted = 0;

	ck_assert(big);
	h_start(&h, 64 * 1024);
	ck_assert_int_eq(vici_server_register_event(h.srv, "log"), 0);
	slow = tc_connect(&h);
	fast = tc_connect(&h);
	tc_send(slow, VICI_EVENT_REGISTER, "log", NULL);
	tc_expect(&h, slow, VICI_EVENT_CONFIRM, NULL, NULL);
	tc_send(fast, VICI_EVENT_REGISTER, "log", NULL);
	tc_expect(&h, fast, VICI_EVENT_CONFIRM, NULL, NULL);

	wbuf_init(&ev);
	vici_builder_init(&b, &ev);
	vici_builder_add_kv(&b, "msg", big, 8192);
	ck_assert(vici_builder_finish(&b, NULL));
	frame = 4 + 1 + 1 + 3 + ev.len;
	/* unix socket buffers hold a few hundred KiB; 4 MiB is far beyond */
	for (int i = 0; i < 512 && vici_server_client_count(h.srv) == 2; i++) {
		ck_assert_int_ge(vici_server_emit(h.srv, "log", ev.p, ev.len), 1);
		emitted++;
		h_pump(&h);
		tc_read_some(fast);
		fast_bytes += fast->in_len;
		fast->in_len = 0;
	}
	ck_assert_uint_eq(vici_server_client_count(h.srv), 1);
	ck_assert_int_lt(emitted, 512);
	tc_expect_eof(&h, slow);
	/* the fast client got every event */
	for (long end = h_now_ms() + 2000; fast_bytes < frame * (size_t)emitted &&
	     h_now_ms() < end;) {
		h_pump(&h);
		tc_read_some(fast);
		fast_bytes += fast->in_len;
		fast->in_len = 0;
	}
	ck_assert_uint_eq(fast_bytes, frame * (size_t)emitted);
	tc_send(fast, VICI_CMD_REQUEST, "version", NULL);
	tc_expect(&h, fast, VICI_CMD_RESPONSE, NULL, NULL);

	wbuf_free(&ev);
	free(big);
	tc_close(slow);
	tc_close(fast);
	h_stop(&h);
}
END_TEST

/* Each malformed input gets its sender disconnected; a bystander is not
 * affected. */
START_TEST(server_drops_malformed_clients)
{
	static const char *const cases[] = {
		"00000001 09",				/* garbage op */
		"00000000",				/* empty frame */
		"00080001",				/* oversize header */
		"ffffffff",
		"00000003 01 0201",			/* CMD_RESPONSE from a client */
		"00000001 02",				/* CMD_UNKNOWN */
		"00000001 05",				/* EVENT_CONFIRM */
		"00000001 06",				/* EVENT_UNKNOWN */
		"00000005 07 03 6c6f67",		/* EVENT */
		"00000004 00 07 7665",			/* truncated name */
		"0000000a 00 07 76657273696f6e 02",	/* unbalanced section end */
		"0000000c 00 07 76657273696f6e 04016c",	/* unterminated list */
		"00000006 03 03 6c6f67 00",		/* register with a body */
	};
	struct harness h;
	struct tclient *by;

	h_start(&h, 0);
	ck_assert_int_eq(vici_server_register_event(h.srv, "log"), 0);
	by = tc_connect(&h);
	tc_send(by, VICI_EVENT_REGISTER, "log", NULL);
	tc_expect(&h, by, VICI_EVENT_CONFIRM, NULL, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tclient *bad = tc_connect(&h);
		uint8_t in[64];
		size_t len = test_unhex(cases[i], in, sizeof(in));

		ck_assert_uint_eq(vici_server_client_count(h.srv), 2);
		tc_send_raw(bad, in, len);
		tc_expect_eof(&h, bad);
		tc_close(bad);
		ck_assert_msg(vici_server_client_count(h.srv) == 1, "case %zu", i);
		tc_send(by, VICI_CMD_REQUEST, "version", NULL);
		tc_expect(&h, by, VICI_CMD_RESPONSE, NULL, NULL);
	}
	ck_assert_int_eq(vici_server_emit(h.srv, "log", NULL, 0), 1);
	tc_expect(&h, by, VICI_EVENT, "log", NULL);
	tc_close(by);
	h_stop(&h);
}
END_TEST

/* What nhrpd pipelines on connect, in one write and without waiting:
 * four registrations and list-sas. Replies come in the same order. */
START_TEST(server_nhrpd_connect_sequence)
{
	static const char *const events[] = {
		"child-state-installed", "child-state-rekeyed", "child-state-destroying", "list-sa",
	};
	struct harness h;
	struct tclient *c;
	struct tpacket tp;
	struct wbuf frames, n;

	h_start(&h, 0);
	ck_assert_int_eq(vici_server_register_event(h.srv, "list-sa"), 0);
	ck_assert_int_eq(vici_server_register_event(h.srv, "child-state-installed"), 0);
	ck_assert_int_eq(vici_server_register_cmd(h.srv, "list-sas", cmd_stream, NULL), 0);
	c = tc_connect(&h);
	wbuf_init(&frames);
	body_kv(&n, "n", "2");
	for (size_t i = 0; i < 4; i++)
		ck_assert(vici_frame_write(&frames, VICI_EVENT_REGISTER, events[i], NULL, 0));
	ck_assert(vici_frame_write(&frames, VICI_CMD_REQUEST, "list-sas", n.p, n.len));
	tc_send_raw(c, frames.p, frames.len);
	tc_expect(&h, c, VICI_EVENT_CONFIRM, NULL, NULL);
	tc_expect(&h, c, VICI_EVENT_UNKNOWN, NULL, NULL);
	tc_expect(&h, c, VICI_EVENT_UNKNOWN, NULL, NULL);
	tc_expect(&h, c, VICI_EVENT_CONFIRM, NULL, NULL);
	tc_expect(&h, c, VICI_EVENT, "list-sa", NULL);
	tc_expect(&h, c, VICI_EVENT, "list-sa", NULL);
	tc_expect(&h, c, VICI_CMD_RESPONSE, NULL, &tp);
	expect_str(&tp, "count", "2");
	tp_free(&tp);
	wbuf_free(&frames);
	wbuf_free(&n);
	tc_close(c);
	h_stop(&h);
}
END_TEST

/* Clients beyond max_clients are turned away; the others keep working. */
START_TEST(server_limits_clients)
{
	struct vici_server_config cfg = { .max_clients = 2 };
	struct tclient *a, *b, *c;
	struct harness h;

	h_start_cfg(&h, cfg);
	a = tc_connect(&h);
	b = tc_connect(&h);
	c = tc_connect(&h);
	ck_assert_uint_eq(vici_server_client_count(h.srv), 2);
	tc_expect_eof(&h, c);
	tc_close(c);
	tc_send(b, VICI_CMD_REQUEST, "version", NULL);
	tc_expect(&h, b, VICI_CMD_RESPONSE, NULL, NULL);
	tc_close(a);
	tc_close(b);
	h_stop(&h);
}
END_TEST

/* Clients that hang up with replies still queued or being written: the
 * server (this process) survives, i.e. no SIGPIPE, no use after free. */
START_TEST(server_survives_hangups)
{
	struct harness h;
	struct wbuf frames;
	struct tclient *c;

	h_start(&h, 0);
	wbuf_init(&frames);
	for (int i = 0; i < 200; i++)
		ck_assert(vici_frame_write(&frames, VICI_CMD_REQUEST, "version", NULL, 0));
	for (int round = 0; round < 5; round++) {
		c = tc_connect(&h);
		tc_send_raw(c, frames.p, frames.len);
		if (round % 2)
			h_pump(&h);	/* replies queued, then the peer vanishes */
		tc_close(c);
		for (int i = 0; i < 20; i++) {
			h_pump(&h);
			poll(NULL, 0, 1);
		}
	}
	ck_assert_uint_eq(vici_server_client_count(h.srv), 0);
	c = tc_connect(&h);
	tc_send(c, VICI_CMD_REQUEST, "version", NULL);
	tc_expect(&h, c, VICI_CMD_RESPONSE, NULL, NULL);
	tc_close(c);
	wbuf_free(&frames);
	h_stop(&h);
}
END_TEST

START_TEST(server_socket_lifecycle)
{
	struct vici_server_config cfg = { 0 };
	struct vici_server *second;
	struct harness h;
	const char *why;
	struct stat st;
	int fd;

	h_start(&h, 0);
	ck_assert(stat(h.path, &st) == 0 && S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_str_eq(vici_server_path(h.srv), h.path);

	/* a live server answers: refuse, and leave its socket alone */
	cfg.path = h.path;
	second = vici_server_new(h.base, &cfg, &why);
	ck_assert(!second);
	ck_assert_str_eq(why, "another server is listening on the socket");
	ck_assert(stat(h.path, &st) == 0);
	vici_server_free(h.srv);
	ck_assert(stat(h.path, &st) != 0);	/* unlinked on free */

	/* a stale socket (bound, no listener) is replaced */
	{
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		memcpy(sun.sun_path, h.path, strlen(h.path) + 1);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		ck_assert(bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
		close(fd);
	}
	h.srv = vici_server_new(h.base, &cfg, &why);
	ck_assert_msg(h.srv, "%s", why);
	vici_server_free(h.srv);

	/* a regular file is not ours to delete */
	fd = open(h.path, O_CREAT | O_WRONLY, 0600);
	ck_assert(fd >= 0);
	close(fd);
	ck_assert(!vici_server_new(h.base, &cfg, &why));
	ck_assert_str_eq(why, "socket path exists and is not a socket");
	unlink(h.path);

	/* unknown group, overlong path */
	cfg.group = "no-such-group-cygnet";
	ck_assert(!vici_server_new(h.base, &cfg, &why));
	ck_assert_str_eq(why, "unknown socket group");
	cfg.group = NULL;
	cfg.path = "/tmp/0123456789012345678901234567890123456789012345678901234567890123456789"
		   "0123456789012345678901234567890123456789.sock";
	ck_assert(!vici_server_new(h.base, &cfg, &why));
	ck_assert_str_eq(why, "socket path empty or too long");

	/* a group socket is 0660 (root's group exists everywhere) */
	cfg.path = h.path;
	cfg.group = "root";
	h.srv = vici_server_new(h.base, &cfg, &why);
	ck_assert_msg(h.srv, "%s", why);
	ck_assert(stat(h.path, &st) == 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0660);
	ck_assert_uint_eq(st.st_gid, 0);
	h_stop(&h);
}
END_TEST

static Suite *vici_server_suite(void)
{
	Suite *s = suite_create("vici_server");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, server_version_reply);
	tcase_add_test(tc, server_unknown_command_and_events);
	tcase_add_test(tc, server_answers_in_order);
	tcase_add_test(tc, server_stream_before_response);
	tcase_add_test(tc, server_emit_to_registered_only);
	tcase_add_test(tc, server_drops_slow_client);
	tcase_add_test(tc, server_drops_malformed_clients);
	tcase_add_test(tc, server_nhrpd_connect_sequence);
	tcase_add_test(tc, server_limits_clients);
	tcase_add_test(tc, server_survives_hangups);
	tcase_add_test(tc, server_socket_lifecycle);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(vici_server_suite)
