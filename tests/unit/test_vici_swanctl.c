/* Interop: the real strongSwan swanctl talks to our server. Skipped with a
 * message when swanctl is not installed. */
#include <signal.h>
#include <sys/wait.h>

#include "vici_harness.h"

static const char *find_swanctl(void)
{
	static const char *const where[] = {
		"/usr/sbin/swanctl", "/usr/bin/swanctl", "/usr/local/sbin/swanctl",
	};

	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (access(where[i], X_OK) == 0)
			return where[i];
	return NULL;
}

/* Run swanctl with args against the harness, pumping the server loop
 * until it exits (10 s limit). Returns its exit status, output in out. */
static int run_swanctl(struct harness *h, const char *const *args, char *out,
		       size_t outsz)
{
	char uri[160];
	const char *argv[16];
	size_t n = 0, got = 0;
	int pfd[2], status = -1;
	long end = h_now_ms() + 10000;
	pid_t pid;

	snprintf(uri, sizeof(uri), "unix://%s", h->path);
	argv[n++] = find_swanctl();
	for (; *args; args++)
		argv[n++] = *args;
	argv[n++] = "--uri";
	argv[n++] = uri;
	argv[n] = NULL;
	ck_assert(pipe(pfd) == 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };

		h_pump(h);
		if (poll(&p, 1, 2) == 1) {
			ssize_t r = read(pfd[0], out + got, outsz - 1 - got);
			if (r > 0)
				got += (size_t)r;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (h_now_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			ck_abort_msg("swanctl timed out");
		}
	}
	for (ssize_t r; got < outsz - 1 && (r = read(pfd[0], out + got, outsz - 1 - got)) > 0;)
		got += (size_t)r;
	out[got] = '\0';
	/* swanctl has exited; give the server up to 2 s to see the hang-up */
	for (int i = 0; i < 1000 && vici_server_client_count(h->srv) > 0; i++) {
		h_pump(h);
		usleep(2000);
	}
	close(pfd[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(swanctl_version)
{
	static const char *const args[] = { "--version", "--daemon", NULL };
	struct harness h;
	char out[4096];
	int rc;

	if (!find_swanctl()) {
		fprintf(stderr, "SKIP swanctl_version: swanctl not installed\n");
		return;
	}
	h_start(&h, 0);
	rc = run_swanctl(&h, args, out, sizeof(out));
	ck_assert_msg(rc == 0, "swanctl exit %d: %s", rc, out);
	/* swanctl prints "strongSwan <version> <daemon> (<sysname>, ...)" */
	ck_assert_msg(strstr(out, "cygnetd"), "output: %s", out);
	ck_assert_msg(strstr(out, CYGNET_VERSION), "output: %s", out);
	h_stop(&h);
}
END_TEST

/* list-sas as charon does it: one list-sa event per IKE_SA, then an
 * empty response. */
static enum vici_cmd_result cmd_list_sas(struct vici_cmd *cmd, const struct vici_msg *req,
					 struct vici_builder *resp, void *ctx)
{
	struct vici_builder b;
	struct wbuf w;

	(void)req;
	(void)resp;
	(void)ctx;
	wbuf_init(&w);
	vici_builder_init(&b, &w);
	vici_builder_begin_section(&b, "gw");
	vici_builder_add_kv_str(&b, "uniqueid", "7");
	vici_builder_add_kv_str(&b, "version", "2");
	vici_builder_add_kv_str(&b, "state", "ESTABLISHED");
	vici_builder_add_kv_str(&b, "local-host", "192.0.2.1");
	vici_builder_add_kv_str(&b, "local-port", "4500");
	vici_builder_add_kv_str(&b, "local-id", "gw.example.org");
	vici_builder_add_kv_str(&b, "remote-host", "198.51.100.9");
	vici_builder_add_kv_str(&b, "remote-port", "4500");
	vici_builder_add_kv_str(&b, "remote-id", "rw.example.org");
	vici_builder_add_kv_str(&b, "initiator-spi", "0123456789abcdef");
	vici_builder_add_kv_str(&b, "responder-spi", "fedcba9876543210");
	vici_builder_begin_section(&b, "child-sas");
	vici_builder_end_section(&b);
	vici_builder_end_section(&b);
	ck_assert(vici_builder_finish(&b, NULL));
	vici_cmd_stream(cmd, "list-sa", w.p, w.len);
	wbuf_free(&w);
	return VICI_CMD_DONE;
}

START_TEST(swanctl_list_sas_stream)
{
	static const char *const args[] = { "--list-sas", NULL };
	struct harness h;
	char out[4096];
	int rc;

	if (!find_swanctl()) {
		fprintf(stderr, "SKIP swanctl_list_sas_stream: swanctl not installed\n");
		return;
	}
	h_start(&h, 0);
	ck_assert_int_eq(vici_server_register_event(h.srv, "list-sa"), 0);
	ck_assert_int_eq(vici_server_register_cmd(h.srv, "list-sas", cmd_list_sas, NULL), 0);
	rc = run_swanctl(&h, args, out, sizeof(out));
	ck_assert_msg(rc == 0, "swanctl exit %d: %s", rc, out);
	ck_assert_msg(strstr(out, "gw: #7, ESTABLISHED, IKEv2, 0123456789abcdef_i fedcba9876543210_r"),
		      "output: %s", out);
	ck_assert_msg(strstr(out, "remote 'rw.example.org' @ 198.51.100.9[4500]"), "output: %s", out);
	h_stop(&h);
}
END_TEST

/* --raw dumps the reply message as swanctl decoded it: every key is there. */
START_TEST(swanctl_version_raw)
{
	static const char *const args[] = { "--version", "--daemon", "--raw", NULL };
	static const char *const keys[] = {
		"daemon=cygnetd", ("version=" CYGNET_VERSION), "sysname=", "release=", "machine=",
	};
	struct harness h;
	char out[4096];
	int rc;

	if (!find_swanctl()) {
		fprintf(stderr, "SKIP swanctl_version_raw: swanctl not installed\n");
		return;
	}
	h_start(&h, 0);
	rc = run_swanctl(&h, args, out, sizeof(out));
	ck_assert_msg(rc == 0, "swanctl exit %d: %s", rc, out);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(strstr(out, keys[i]), "no %s in: %s", keys[i], out);
	h_stop(&h);
}
END_TEST

/* swanctl --list-sas registers list-sa, streams, then unregisters; an
 * unknown command must give a clean error, not a hang. */
START_TEST(swanctl_list_sas_unknown)
{
	static const char *const args[] = { "--list-sas", NULL };
	struct harness h;
	char out[4096];
	int rc;

	if (!find_swanctl()) {
		fprintf(stderr, "SKIP swanctl_list_sas_unknown: swanctl not installed\n");
		return;
	}
	h_start(&h, 0);
	/* list-sa is not registered: swanctl aborts on EVENT_UNKNOWN */
	rc = run_swanctl(&h, args, out, sizeof(out));
	ck_assert_msg(rc != 0, "swanctl accepted: %s", out);
	ck_assert_uint_eq(vici_server_client_count(h.srv), 0);
	h_stop(&h);
}
END_TEST

static Suite *vici_swanctl_suite(void)
{
	Suite *s = suite_create("vici_swanctl");
	TCase *tc = tcase_create("interop");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, swanctl_version);
	tcase_add_test(tc, swanctl_version_raw);
	tcase_add_test(tc, swanctl_list_sas_unknown);
	tcase_add_test(tc, swanctl_list_sas_stream);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(vici_swanctl_suite)
