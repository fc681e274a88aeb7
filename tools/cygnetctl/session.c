/* Talking to the daemon: connect, map errors to exit codes, check
 * replies, build request bodies, JSON documents and the follow loop. */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/cygnetctl/cygnetctl.h"
#include "tools/cygnetctl/render_json.h"
#include "tools/cygnetctl/render_table.h"

int ctl_open(struct ctl *ctl)
{
	char err[512];

	ctl->c = vici_client_connect(ctl->socket, VICI_CLIENT_TIMEOUT_DEFAULT,
				     err, sizeof(err));
	if (!ctl->c) {
		fprintf(stderr, "cygnetctl: %s\n", err);
		return CTL_EXIT_CONNECT;
	}
	return CTL_EXIT_OK;
}

int ctl_fail(struct ctl *ctl, int rc)
{
	fprintf(stderr, "cygnetctl: %s\n", vici_client_error(ctl->c));
	return rc == VICI_CLIENT_UNKNOWN ? CTL_EXIT_UNKNOWN : CTL_EXIT_CONNECT;
}

int ctl_check_reply(const struct vici_msg *resp)
{
	char *ok = vici_msg_get_str(resp, "success"), *err;
	int rc = CTL_EXIT_OK;

	/* Replies without "success" (version, stats, lists) are answers. */
	if (ok && strcmp(ok, "yes")) {
		/* the daemon's text may hold anything: no raw control bytes */
		err = text_get(vici_msg_root(resp), "errmsg");
		fprintf(stderr, "cygnetctl: %s\n", *err ? err :
			"the daemon reported a failure (no errmsg)");
		free(err);
		rc = CTL_EXIT_FAILED;
	}
	free(ok);
	return rc;
}

void ctl_body(struct wbuf *w, ...)
{
	struct vici_builder b;
	va_list ap;
	const char *k, *v;

	wbuf_init(w);
	vici_builder_init(&b, w);
	va_start(ap, w);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		if (v)
			vici_builder_add_kv_str(&b, k, v);
	}
	va_end(ap);
}

void ctl_events_init(struct ctl_events *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->f = open_memstream(&ev->json, &ev->len);
	if (!ev->f) {
		fputs("cygnetctl: out of memory\n", stderr);
		exit(CTL_EXIT_CONNECT);
	}
}

void ctl_events_add(struct ctl_events *ev, const struct vici_msg *m)
{
	if (ev->count++)
		fputc(',', ev->f);
	json_newline(ev->f, 2, 2);
	json_write_msg(ev->f, m, 2, 2);
}

void ctl_events_print(struct ctl_events *ev, const char *event,
		      const struct vici_msg *resp)
{
	fflush(ev->f);
	fputs("{\n  ", stdout);
	json_write_cstr(stdout, event);
	fputs(": [", stdout);
	fwrite(ev->json, 1, ev->len, stdout);
	if (ev->count)
		json_newline(stdout, 2, 1);
	fputs("],\n  \"response\": ", stdout);
	if (resp)
		json_write_msg(stdout, resp, 2, 1);
	else
		fputs("null", stdout);
	fputs("\n}\n", stdout);
	fflush(stdout);
}

void ctl_events_free(struct ctl_events *ev)
{
	if (ev->f)
		fclose(ev->f);
	free(ev->json);
	memset(ev, 0, sizeof(*ev));
}

void ctl_print_json(const struct vici_msg *m)
{
	json_write_msg(stdout, m, 2, 0);
	fputc('\n', stdout);
	fflush(stdout);
}

void ctl_print_json_event(const char *event, const struct vici_msg *m)
{
	fputs("{\"event\":", stdout);
	json_write_cstr(stdout, event);
	fputs(",\"message\":", stdout);
	json_write_msg(stdout, m, -1, 0);
	fputs("}\n", stdout);
	fflush(stdout);
}

void ctl_print_time(FILE *f)
{
	time_t now = time(NULL);
	struct tm tm;
	char buf[16];

	localtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S ", &tm);
	fputs(buf, f);
}

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int ctl_follow(struct ctl *ctl, const char *const *events, size_t nevents,
	       long count, unsigned *seen)
{
	struct sigaction sa = { .sa_handler = on_stop };	/* no SA_RESTART */
	int rc;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	for (size_t i = 0; i < nevents; i++)
		if ((rc = vici_client_register(ctl->c, events[i])))
			return ctl_fail(ctl, rc);
	/* Short waits: a signal that lands between the flag check and
	 * poll() is noticed within half a second. */
	while (!stop_requested && (count <= 0 || *seen < (unsigned long)count)) {
		rc = vici_client_wait_event(ctl->c, 500);
		if (rc == VICI_CLIENT_TIMEOUT || rc == VICI_CLIENT_INTR)
			continue;
		if (rc)
			return ctl_fail(ctl, rc);
	}
	/* Polite, but the connection closing does the same. Events that
	 * arrive before the confirmation are not shown: the count is done. */
	vici_client_on_event(ctl->c, NULL, NULL);
	vici_client_set_timeout(ctl->c, 1000);
	for (size_t i = 0; i < nevents; i++)
		if (vici_client_unregister(ctl->c, events[i]))
			break;
	return CTL_EXIT_OK;
}

int ctl_stream_list(struct ctl *ctl, const char *cmd, const char *event, struct wbuf *body,
		    struct table *t, struct ctl_events *ev)
{
	struct vici_msg *resp = NULL;
	int rc = vici_client_stream(ctl->c, cmd, body->p, body->len, event, &resp);

	wbuf_free(body);
	if (rc) {
		rc = ctl_fail(ctl, rc);
	} else {
		if (ctl->json)
			ctl_events_print(ev, event, resp);
		else
			table_print(t, stdout);
		rc = ctl_check_reply(resp);
	}
	vici_msg_free(resp);
	table_free(t);
	ctl_events_free(ev);
	return rc;
}
