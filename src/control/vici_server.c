/* VICI server: socket setup, client lifecycle, dispatch, event fan-out. */
#include "control/vici_server.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "lib/log.h"

/* Unprocessed input held while a command is pending; reading pauses above. */
#define VICI_SERVER_IN_HWM (2 * (VICI_FRAME_MAX + 4))

struct vici_cmd_entry {
	char *name;
	vici_cmd_fn fn;
	void *ctx;
};

struct vici_client {
	struct vici_server *srv;
	struct vici_client *prev, *next;
	struct bufferevent *bev;
	struct event *resume;	/* deferred restart after a pending command */
	struct vici_frame_reader rd;
	uint64_t events;	/* bit i: registered for srv->events[i] */
	struct vici_cmd *pending;
	unsigned id;
	unsigned busy;		/* >0 while our callbacks are on the stack */
	bool closing;
};

struct vici_cmd {
	struct vici_client *client;	/* NULL once the client is gone */
	char name[256];
	struct wbuf out;
	struct vici_builder resp;
	char *errmsg;
};

struct vici_server {
	struct event_base *base;
	struct evconnlistener *listener;
	char *path;
	dev_t dev;
	ino_t ino;
	size_t out_hwm;
	unsigned max_clients;
	unsigned next_id;
	size_t nclients;
	struct vici_client *clients;
	struct vici_cmd_entry *cmds;
	size_t ncmds;
	char *events[VICI_SERVER_MAX_EVENTS];
	size_t nevents;
};

/* ---- client lifecycle ------------------------------------------------- */

static void client_destroy(struct vici_client *c)
{
	struct vici_server *srv = c->srv;

	if (c->prev)
		c->prev->next = c->next;
	else
		srv->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->nclients--;
	if (c->pending)
		c->pending->client = NULL;
	bufferevent_free(c->bev);	/* closes the fd, drops queued output */
	event_free(c->resume);
	vici_frame_reader_free(&c->rd);
	free(c);
}

/* Mark closed at once (no more input or output); free when no callback of
 * this client is running. */
static void client_close(struct vici_client *c, enum log_level lvl,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void client_close(struct vici_client *c, enum log_level lvl,
			 const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (c->closing)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_msg(lvl, "[vici#%u] disconnected: %s", c->id, why);
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	if (c->pending) {
		c->pending->client = NULL;
		c->pending = NULL;
	}
	if (!c->busy)
		client_destroy(c);
}

static void client_release(struct vici_client *c)
{
	if (--c->busy == 0 && c->closing)
		client_destroy(c);
}

/* Queue one frame. Never blocks; over the high-water mark the client is
 * dropped rather than waited for. */
static bool client_send(struct vici_client *c, enum vici_op op,
			const char *name, const uint8_t *body, size_t len)
{
	uint8_t hdr[4 + 1 + 1 + 255];
	size_t nlen = name ? strlen(name) : 0, hlen = 5;
	size_t plen = 1 + (vici_op_is_named(op) ? 1 + nlen : 0) + len;
	struct evbuffer *out;

	if (c->closing)
		return false;
	if (plen > VICI_FRAME_MAX || nlen > 255) {
		log_error("[vici#%u] %s %s: frame of %zu bytes too large, dropped",
			  c->id, vici_op_name(op), name ? name : "", plen);
		return false;
	}
	hdr[0] = (uint8_t)(plen >> 24);
	hdr[1] = (uint8_t)(plen >> 16);
	hdr[2] = (uint8_t)(plen >> 8);
	hdr[3] = (uint8_t)plen;
	hdr[4] = (uint8_t)op;
	if (vici_op_is_named(op)) {
		hdr[5] = (uint8_t)nlen;
		memcpy(hdr + 6, name, nlen);
		hlen += 1 + nlen;
	}
	out = bufferevent_get_output(c->bev);
	if (evbuffer_add(out, hdr, hlen) || (len && evbuffer_add(out, body, len))) {
		client_close(c, LOG_LVL_ERROR, "out of memory queueing output");
		return false;
	}
	if (evbuffer_get_length(out) > c->srv->out_hwm) {
		client_close(c, LOG_LVL_WARN,
			     "output queue over high-water mark (%zu bytes), client not reading",
			     c->srv->out_hwm);
		return false;
	}
	return true;
}

/* ---- commands --------------------------------------------------------- */

static void cmd_free(struct vici_cmd *cmd)
{
	wbuf_free(&cmd->out);
	free(cmd->errmsg);
	free(cmd);
}

static void cmd_send_reply(struct vici_cmd *cmd, enum vici_cmd_result rc)
{
	struct vici_client *c = cmd->client;
	const char *why = NULL;

	if (!c)
		return;
	if (rc == VICI_CMD_DONE && !vici_builder_finish(&cmd->resp, &why)) {
		log_error("[vici#%u] %s: reply not built: %s", c->id, cmd->name, why);
		rc = VICI_CMD_FAILED;
	}
	if (rc == VICI_CMD_DONE && cmd->out.len + 1 > VICI_FRAME_MAX) {
		why = "reply too large";
		rc = VICI_CMD_FAILED;
	}
	if (rc != VICI_CMD_DONE) {
		wbuf_reset(&cmd->out);
		vici_builder_init(&cmd->resp, &cmd->out);
		vici_builder_add_kv_str(&cmd->resp, "success", "no");
		vici_builder_add_kv_str(&cmd->resp, "errmsg", cmd->errmsg ? cmd->errmsg :
					why ? why : "command failed");
		if (!vici_builder_finish(&cmd->resp, NULL)) {
			client_close(c, LOG_LVL_ERROR, "out of memory building reply");
			return;
		}
	}
	client_send(c, VICI_CMD_RESPONSE, NULL, cmd->out.p, cmd->out.len);
}

static const struct vici_cmd_entry *cmd_lookup(const struct vici_server *srv,
					       const char *name)
{
	for (size_t i = 0; i < srv->ncmds; i++)
		if (strcmp(srv->cmds[i].name, name) == 0)
			return &srv->cmds[i];
	return NULL;
}

static void client_request(struct vici_client *c, const struct vici_packet *pkt)
{
	const struct vici_cmd_entry *e = cmd_lookup(c->srv, pkt->name);
	struct rd r = rd_init(pkt->body, pkt->body_len);
	struct vici_msg *req;
	struct vici_cmd *cmd;
	enum vici_cmd_result rc;
	const char *why;

	if (!(req = vici_msg_parse(&r, &why))) {
		client_close(c, LOG_LVL_WARN, "malformed '%s' request: %s",
			     pkt->name, why);
		return;
	}
	if (!e) {
		log_debug("[vici#%u] unknown command '%s'", c->id, pkt->name);
		client_send(c, VICI_CMD_UNKNOWN, NULL, NULL, 0);
		vici_msg_free(req);
		return;
	}
	if (!(cmd = calloc(1, sizeof(*cmd)))) {
		vici_msg_free(req);
		client_close(c, LOG_LVL_ERROR, "out of memory");
		return;
	}
	cmd->client = c;
	memcpy(cmd->name, pkt->name, pkt->name_len + 1);
	wbuf_init(&cmd->out);
	vici_builder_init(&cmd->resp, &cmd->out);
	log_debug("[vici#%u] command '%s'", c->id, pkt->name);
	rc = e->fn(cmd, req, &cmd->resp, e->ctx);
	vici_msg_free(req);
	if (rc == VICI_CMD_PENDING) {
		if (c->closing) {
			cmd->client = NULL;	/* gone during the handler */
		} else {
			/* Keep reading (to notice a hang-up) but process
			 * nothing until it finishes; the read watermark
			 * bounds what piles up meanwhile. */
			c->pending = cmd;
		}
		return;
	}
	cmd_send_reply(cmd, rc);
	cmd_free(cmd);
}

static int event_index(const struct vici_server *srv, const char *name)
{
	for (size_t i = 0; i < srv->nevents; i++)
		if (strcmp(srv->events[i], name) == 0)
			return (int)i;
	return -1;
}

static void client_packet(struct vici_client *c, const uint8_t *p, size_t len)
{
	struct vici_packet pkt;
	const char *why;
	int idx;

	if (!vici_packet_parse(p, len, &pkt, &why)) {
		client_close(c, LOG_LVL_WARN, "malformed frame: %s", why);
		return;
	}
	switch (pkt.op) {
	case VICI_CMD_REQUEST:
		client_request(c, &pkt);
		break;
	case VICI_EVENT_REGISTER:
	case VICI_EVENT_UNREGISTER:
		idx = event_index(c->srv, pkt.name);
		if (idx < 0) {
			log_debug("[vici#%u] unknown event '%s'", c->id, pkt.name);
			client_send(c, VICI_EVENT_UNKNOWN, NULL, NULL, 0);
			break;
		}
		if (pkt.op == VICI_EVENT_REGISTER)
			c->events |= UINT64_C(1) << idx;
		else
			c->events &= ~(UINT64_C(1) << idx);
		log_debug("[vici#%u] %s '%s'", c->id, vici_op_name(pkt.op), pkt.name);
		client_send(c, VICI_EVENT_CONFIRM, NULL, NULL, 0);
		break;
	default:
		client_close(c, LOG_LVL_WARN, "client sent server-side operation %s",
			     vici_op_name(pkt.op));
		break;
	}
}

/* Handle every complete frame in the input, one after the other, until a
 * command goes pending or the client is closed. */
static void client_process(struct vici_client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	c->busy++;
	while (!c->closing && !c->pending && evbuffer_get_length(in)) {
		struct evbuffer_iovec v;
		enum vici_frame_status st;
		const uint8_t *p;
		size_t used, len;

		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		st = vici_frame_reader_feed(&c->rd, v.iov_base, v.iov_len, &used);
		evbuffer_drain(in, used);
		if (st == VICI_FRAME_ERROR) {
			client_close(c, LOG_LVL_WARN, "malformed frame: %s", c->rd.error);
		} else if (st == VICI_FRAME_READY) {
			p = vici_frame_reader_payload(&c->rd, &len);
			client_packet(c, p, len);
		}
	}
	client_release(c);
}

static void client_read_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	client_process(arg);
}

static void client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct vici_client *c = arg;

	(void)bev;
	if (what & BEV_EVENT_EOF)
		client_close(c, LOG_LVL_INFO, "closed by peer");
	else if (what & BEV_EVENT_ERROR)
		client_close(c, LOG_LVL_INFO, "socket error: %s",
			     strerror(EVUTIL_SOCKET_ERROR()));
}

static void client_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct vici_client *c = arg;

	(void)fd;
	(void)what;
	if (c->closing || c->pending)
		return;
	client_process(c);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd,
		      struct sockaddr *sa, int salen, void *arg)
{
	struct vici_server *srv = arg;
	struct vici_client *c;
	struct ucred cred;
	socklen_t clen = sizeof(cred);

	(void)l;
	(void)sa;
	(void)salen;
	if (srv->nclients >= srv->max_clients) {
		log_warn("vici: refusing connection, %u clients already", srv->max_clients);
		evutil_closesocket(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE)) ||
	    !(c->resume = event_new(srv->base, -1, 0, client_resume_cb, c))) {
		log_error("vici: out of memory accepting a client");
		if (c && c->bev)
			bufferevent_free(c->bev);
		else
			evutil_closesocket(fd);
		free(c);
		return;
	}
	c->srv = srv;
	c->id = ++srv->next_id;
	vici_frame_reader_init(&c->rd);
	c->next = srv->clients;
	if (srv->clients)
		srv->clients->prev = c;
	srv->clients = c;
	srv->nclients++;
	bufferevent_setcb(c->bev, client_read_cb, NULL, client_event_cb, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, VICI_SERVER_IN_HWM);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
		log_info("[vici#%u] connected (pid %d uid %u)", c->id, (int)cred.pid,
			 (unsigned)cred.uid);
	else
		log_info("[vici#%u] connected", c->id);
}

/* ---- public ----------------------------------------------------------- */

bool vici_cmd_stream(struct vici_cmd *cmd, const char *event,
		     const uint8_t *body, size_t len)
{
	struct vici_client *c = cmd->client;
	int idx;

	if (!c || c->closing || (idx = event_index(c->srv, event)) < 0 ||
	    !(c->events & (UINT64_C(1) << idx)))
		return false;
	return client_send(c, VICI_EVENT, event, body, len);
}

void vici_cmd_set_error(struct vici_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(cmd->errmsg);
	cmd->errmsg = s;
}

const char *vici_cmd_name(const struct vici_cmd *cmd)
{
	return cmd->name;
}

unsigned vici_cmd_client_id(const struct vici_cmd *cmd)
{
	return cmd->client ? cmd->client->id : 0;
}

bool vici_cmd_client_alive(const struct vici_cmd *cmd)
{
	return cmd->client && !cmd->client->closing;
}

struct vici_builder *vici_cmd_response(struct vici_cmd *cmd)
{
	return &cmd->resp;
}

void vici_cmd_finish(struct vici_cmd *cmd, enum vici_cmd_result rc)
{
	struct vici_client *c = cmd->client;

	if (rc == VICI_CMD_PENDING)
		rc = VICI_CMD_FAILED;
	if (c && c->pending == cmd) {
		c->busy++;
		c->pending = NULL;
		cmd_send_reply(cmd, rc);
		/* Not inline: the caller may be inside another client's handler. */
		if (!c->closing)
			event_active(c->resume, 0, 0);
		client_release(c);
	}
	cmd_free(cmd);
}

static bool name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > 255)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7e)
			return false;
	return true;
}

int vici_server_register_cmd(struct vici_server *srv, const char *name,
			     vici_cmd_fn fn, void *ctx)
{
	struct vici_cmd_entry *e;

	if (!name_valid(name) || !fn)
		return -1;
	for (size_t i = 0; i < srv->ncmds; i++) {
		if (strcmp(srv->cmds[i].name, name) == 0) {
			srv->cmds[i].fn = fn;
			srv->cmds[i].ctx = ctx;
			return 0;
		}
	}
	e = realloc(srv->cmds, (srv->ncmds + 1) * sizeof(*e));
	if (!e)
		return -1;
	srv->cmds = e;
	e = &srv->cmds[srv->ncmds];
	if (!(e->name = strdup(name)))
		return -1;
	e->fn = fn;
	e->ctx = ctx;
	srv->ncmds++;
	return 0;
}

int vici_server_register_event(struct vici_server *srv, const char *name)
{
	if (!name_valid(name))
		return -1;
	if (event_index(srv, name) >= 0)
		return 0;
	if (srv->nevents == VICI_SERVER_MAX_EVENTS) {
		log_error("vici: cannot register event '%s': limit of %d reached",
			  name, VICI_SERVER_MAX_EVENTS);
		return -1;
	}
	if (!(srv->events[srv->nevents] = strdup(name)))
		return -1;
	srv->nevents++;
	return 0;
}

int vici_server_emit(struct vici_server *srv, const char *event,
		     const uint8_t *body, size_t len)
{
	int idx = event_index(srv, event), sent = 0;
	struct vici_client *c, *next;

	if (idx < 0 || len > VICI_FRAME_MAX - 2 - strlen(event)) {
		log_error("vici: event '%s' not emitted (%s)", event,
			  idx < 0 ? "not registered" : "too large");
		return -1;
	}
	for (c = srv->clients; c; c = next) {
		next = c->next;	/* client_send may free c */
		if (!c->closing && (c->events & (UINT64_C(1) << idx)) &&
		    client_send(c, VICI_EVENT, event, body, len))
			sent++;
	}
	return sent;
}

size_t vici_server_client_count(const struct vici_server *srv)
{
	return srv->nclients;
}

const char *vici_server_path(const struct vici_server *srv)
{
	return srv->path;
}

/* ---- socket setup ----------------------------------------------------- */

/* An existing path: a live server keeps it, a stale socket goes, anything
 * else is not ours to delete. */
static const char *socket_clear_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, rc, err;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? NULL : "cannot stat socket path";
	if (!S_ISSOCK(st.st_mode)) {
		log_error("vici: %s exists and is not a socket", path);
		return "socket path exists and is not a socket";
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return "socket() failed";
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	err = errno;
	close(fd);
	if (rc == 0) {
		log_error("vici: another server is listening on %s", path);
		return "another server is listening on the socket";
	}
	if (err != ECONNREFUSED && err != ENOENT) {
		log_error("vici: probing %s: %s", path, strerror(err));
		return "cannot probe existing socket";
	}
	log_info("vici: replacing stale socket %s", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return "cannot remove stale socket";
	return NULL;
}

static const char *socket_open(struct vici_server *srv,
			       const struct vici_server_config *cfg, int *out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	gid_t gid = (gid_t)-1;
	mode_t mode = cfg->group ? 0660 : 0600, old;
	const char *err;
	struct stat st;
	int fd, rc;

	if (!cfg->path || !cfg->path[0] || strlen(cfg->path) >= sizeof(sun.sun_path))
		return "socket path empty or too long";
	memcpy(sun.sun_path, cfg->path, strlen(cfg->path) + 1);
	if (cfg->group) {
		struct group gr, *res = NULL;
		char buf[4096];

		if (getgrnam_r(cfg->group, &gr, buf, sizeof(buf), &res) != 0 || !res) {
			log_error("vici: unknown group '%s'", cfg->group);
			return "unknown socket group";
		}
		gid = gr.gr_gid;
	}
	if ((err = socket_clear_stale(cfg->path, &sun)))
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return "socket() failed";
	/* The umask closes the window between bind() and chmod(). */
	old = umask(0777 & ~mode);
	rc = bind(fd, (const struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc != 0) {
		log_error("vici: bind %s: %s", cfg->path, strerror(errno));
		close(fd);
		return "bind() failed";
	}
	if ((gid != (gid_t)-1 && chown(cfg->path, (uid_t)-1, gid) != 0) ||
	    chmod(cfg->path, mode) != 0 || stat(cfg->path, &st) != 0 ||
	    listen(fd, 32) != 0) {
		log_error("vici: setting up %s: %s", cfg->path, strerror(errno));
		unlink(cfg->path);
		close(fd);
		return "socket setup failed";
	}
	srv->dev = st.st_dev;
	srv->ino = st.st_ino;
	*out = fd;
	return NULL;
}

struct vici_server *vici_server_new(struct event_base *base,
				    const struct vici_server_config *cfg,
				    const char **reason)
{
	struct vici_server *srv = calloc(1, sizeof(*srv));
	const char *err;
	int fd = -1;

	if (!srv || !(srv->path = strdup(cfg->path ? cfg->path : ""))) {
		free(srv);
		*reason = "out of memory";
		return NULL;
	}
	srv->base = base;
	srv->out_hwm = cfg->out_hwm ? cfg->out_hwm : VICI_SERVER_OUT_HWM_DEFAULT;
	srv->max_clients = cfg->max_clients ? cfg->max_clients :
			   VICI_SERVER_MAX_CLIENTS_DEFAULT;
	/* A client that hangs up while we write must not kill the daemon:
	 * libevent writes with writev(), which raises SIGPIPE. Only the
	 * default action is replaced; a handler someone installed stays. */
	{
		struct sigaction sa;

		if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
			sa.sa_handler = SIG_IGN;
			sigaction(SIGPIPE, &sa, NULL);
		}
	}
	if ((err = socket_open(srv, cfg, &fd))) {
		free(srv->path);
		free(srv);
		*reason = err;
		return NULL;
	}
	srv->listener = evconnlistener_new(base, accept_cb, srv,
					   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
					   -1, fd);
	if (!srv->listener) {
		close(fd);
		unlink(srv->path);
		free(srv->path);
		free(srv);
		*reason = "cannot listen on socket";
		return NULL;
	}
	log_info("vici: listening on %s (mode %s)", srv->path,
		 cfg->group ? "0660" : "0600");
	return srv;
}

void vici_server_free(struct vici_server *srv)
{
	struct stat st;

	if (!srv)
		return;
	while (srv->clients) {
		struct vici_client *c = srv->clients;

		c->closing = true;
		c->busy = 0;
		client_destroy(c);
	}
	evconnlistener_free(srv->listener);
	/* Only unlink the socket we created, not a successor's. */
	if (stat(srv->path, &st) == 0 && st.st_dev == srv->dev && st.st_ino == srv->ino)
		unlink(srv->path);
	for (size_t i = 0; i < srv->ncmds; i++)
		free(srv->cmds[i].name);
	free(srv->cmds);
	for (size_t i = 0; i < srv->nevents; i++)
		free(srv->events[i]);
	free(srv->path);
	free(srv);
}
