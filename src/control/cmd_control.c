/* initiate, terminate and rekey. initiate and terminate wait for the IKE
 * core (VICI_CMD_PENDING) unless timeout is -1, and meanwhile stream the
 * log lines of their SA to the requesting client as control-log. */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "control/ctl.h"
#include "ike/ike_core.h"
#include "ike/ike_ctl.h"
#include "ike/ike_sa.h"
#include "lib/log.h"

/* timeout = 0 means "wait forever" in charon; a CHILD SA that fails
 * without an event must not hang a client that long */
#define PENDING_MAX_MS (120 * 1000)
#define PENDING_MAX_IDS 256

enum pending_kind { PENDING_INITIATE, PENDING_TERMINATE };

struct ctl_pending {
	struct ctl_pending *next;
	struct ctl *ctl;
	struct vici_cmd *cmd;
	enum pending_kind kind;
	int loglevel;
	struct event *timer;		/* timeout */
	struct event *check;		/* initiate: CHILD SA missing after IKE up? */
	/* initiate */
	uint32_t ike_id;
	char child[IKE_NAME_MAX];
	/* terminate: what is still there */
	struct { uint32_t ike, child; } ids[PENDING_MAX_IDS];
	size_t n_ids;
	unsigned matches;
};

static void pending_unlink(struct ctl_pending *p)
{
	struct ctl_pending **pp;

	for (pp = &p->ctl->pending; *pp && *pp != p; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = p->next;
}

static void pending_free(struct ctl_pending *p)
{
	if (p->timer)
		event_free(p->timer);
	if (p->check)
		event_free(p->check);
	free(p);
}

/* Answer and forget. errmsg NULL: success. */
static void pending_finish(struct ctl_pending *p, const char *errmsg)
{
	struct vici_builder *b = vici_cmd_response(p->cmd);

	pending_unlink(p);
	if (p->kind == PENDING_TERMINATE) {
		vici_builder_add_kv_str(b, "success", errmsg ? "no" : "yes");
		vici_builder_add_kv_fmt(b, "matches", "%u", p->matches);
		vici_builder_add_kv_fmt(b, "terminated", "%zu",
					p->matches >= p->n_ids ? p->matches - p->n_ids : 0);
	} else {
		vici_builder_add_kv_str(b, "success", errmsg ? "no" : "yes");
	}
	if (errmsg)
		vici_builder_add_kv_str(b, "errmsg", errmsg);
	vici_cmd_finish(p->cmd, VICI_CMD_DONE);
	pending_free(p);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_pending *p = arg;

	(void)fd;
	(void)what;
	pending_finish(p, p->kind == PENDING_INITIATE ? "initiation timed out" :
			  "termination timed out");
}

static void on_check(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_pending *p = arg;
	struct ike_sa *sa = ike_core_find(p->ctl->core, p->ike_id);

	(void)fd;
	(void)what;
	if (!sa) {
		pending_finish(p, "establishing IKE_SA failed");
		return;
	}
	for (const struct child_sa *c = sa->children; c; c = c->next)
		if (strcmp(c->name, p->child) == 0 && c->state == CHILD_SA_INSTALLED) {
			pending_finish(p, NULL);
			return;
		}
	{
		char msg[128];

		snprintf(msg, sizeof(msg), "establishing CHILD_SA '%s' failed", p->child);
		pending_finish(p, msg);
	}
}

static bool pending_arm(struct ctl_pending *p, long long timeout_ms)
{
	struct timeval tv;

	if (timeout_ms <= 0 || timeout_ms > PENDING_MAX_MS)
		timeout_ms = PENDING_MAX_MS;
	tv.tv_sec = (time_t)(timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
	p->timer = evtimer_new(p->ctl->base, on_timeout, p);
	if (!p->timer || evtimer_add(p->timer, &tv) < 0)
		return false;
	p->next = p->ctl->pending;
	p->ctl->pending = p;
	return true;
}

static bool terminate_done_id(struct ctl_pending *p, uint32_t ike, uint32_t child)
{
	for (size_t i = 0; i < p->n_ids; i++) {
		if (p->ids[i].ike == ike && (!child || p->ids[i].child == child)) {
			p->ids[i] = p->ids[--p->n_ids];
			return true;
		}
	}
	return false;
}

void control_pending_event(struct ctl *ctl, enum ike_event ev, const struct ike_sa *sa,
			   const struct child_sa *c)
{
	struct ctl_pending *p, *next;

	for (p = ctl->pending; p; p = next) {
		next = p->next;
		if (p->kind == PENDING_INITIATE && p->ike_id == sa->unique_id) {
			if (ev == IKE_EV_SA_DOWN) {
				pending_finish(p, "establishing IKE_SA failed");
			} else if (ev == IKE_EV_CHILD_UP && (!p->child[0] ||
							   strcmp(p->child, c->name) == 0)) {
				pending_finish(p, NULL);
			} else if (ev == IKE_EV_SA_UP && !p->child[0]) {
				pending_finish(p, NULL);
			} else if (ev == IKE_EV_SA_UP && !p->check) {
				/* IKE_AUTH's CHILD SA is handled right after: look
				 * once the current event is over */
				p->check = evtimer_new(ctl->base, on_check, p);
				if (p->check)
					event_active(p->check, EV_TIMEOUT, 0);
			}
		} else if (p->kind == PENDING_TERMINATE) {
			bool hit = false;

			if (ev == IKE_EV_SA_DOWN)
				while (terminate_done_id(p, sa->unique_id, 0))
					hit = true;
			else if (ev == IKE_EV_CHILD_DOWN)
				hit = terminate_done_id(p, sa->unique_id, c->unique_id);
			if (hit && !p->n_ids)
				pending_finish(p, NULL);
		}
	}
}

static void stream_log(struct ctl *ctl, struct ctl_pending *p, int level, const char *line)
{
	struct wbuf w;
	struct vici_builder b;
	const char *why;

	if (level > p->loglevel || !vici_cmd_client_alive(p->cmd))
		return;
	wbuf_init(&w);
	vici_builder_init(&b, &w);
	events_build_log(ctl, &b, level, line, false);
	if (vici_builder_finish(&b, &why))
		vici_cmd_stream(p->cmd, "control-log", w.p, w.len);
	wbuf_free(&w);
}

static bool line_about(const char *line, uint32_t id)
{
	char pfx[24];
	int n = snprintf(pfx, sizeof(pfx), "[ike#%u ", id);

	return strncmp(line, pfx, (size_t)n) == 0;
}

void control_pending_log(struct ctl *ctl, int level, const char *line)
{
	if (ctl->capture)
		stream_log(ctl, ctl->capture, level, line);
	for (struct ctl_pending *p = ctl->pending; p; p = p->next) {
		bool mine = false;

		if (p->kind == PENDING_INITIATE)
			mine = line_about(line, p->ike_id);
		for (size_t i = 0; !mine && i < p->n_ids; i++)
			mine = line_about(line, p->ids[i].ike);
		if (mine)
			stream_log(ctl, p, level, line);
	}
}

void control_pending_free_all(struct ctl *ctl)
{
	while (ctl->pending)
		pending_finish(ctl->pending, "daemon shutting down");
}

/* ---- initiate ------------------------------------------------------------ */

static long long req_int(const struct vici_msg *req, const char *key, long long dflt)
{
	char buf[24], *end;
	long long v;

	if (!vici_msg_get_str_buf(req, key, buf, sizeof(buf)) || !buf[0])
		return dflt;
	v = strtoll(buf, &end, 10);
	return *end ? dflt : v;
}

static const struct config_conn *conn_for_child(const struct config *cfg, const char *child)
{
	for (size_t i = 0; cfg && i < cfg->n_conns; i++)
		for (size_t k = 0; k < cfg->conns[i].n_children; k++)
			if (strcmp(cfg->conns[i].children[k].name, child) == 0)
				return &cfg->conns[i];
	return NULL;
}

static bool conn_has_child(const struct config_conn *cc, const char *child)
{
	for (size_t k = 0; k < cc->n_children; k++)
		if (strcmp(cc->children[k].name, child) == 0)
			return true;
	return false;
}

/* The endpoints: other-host/my-host (nhrpd) or the connection's single
 * remote address and first local address. */
static bool conn_endpoints(struct ctl *ctl, const struct config_conn *cc, const char *my,
			   const char *other, struct net_endpoints *ep, char *why, size_t len)
{
	char addr[128];
	uint16_t rport = cc->remote_port ? cc->remote_port : 500;

	memset(ep, 0, sizeof(*ep));
	if (other[0]) {
		if (!sockaddr_parse(other, rport, &ep->remote)) {
			snprintf(why, len, "invalid other-host '%s'", other);
			return false;
		}
	} else {
		if (cc->n_remote_addrs != 1 || cc->remote_addrs[0].kind != HOST_ADDR) {
			snprintf(why, len, "connection '%s' has no single remote address to "
				 "initiate to", cc->name);
			return false;
		}
		config_host_format(&cc->remote_addrs[0], addr, sizeof(addr));
		if (!sockaddr_parse(addr, rport, &ep->remote)) {
			snprintf(why, len, "bad remote address '%s'", addr);
			return false;
		}
	}
	if (my[0]) {
		if (!sockaddr_parse(my, 0, &ep->local) ||
		    ep->local.ss_family != ep->remote.ss_family) {
			snprintf(why, len, "invalid my-host '%s'", my);
			return false;
		}
	} else if (cc->n_local_addrs && cc->local_addrs[0].kind == HOST_ADDR &&
		   cc->local_addrs[0].family == ep->remote.ss_family) {
		config_host_format(&cc->local_addrs[0], addr, sizeof(addr));
		sockaddr_parse(addr, 0, &ep->local);
	} else {
		ep->local.ss_family = ep->remote.ss_family;
	}
	if (ctl->ops.local_endpoint && !ctl->ops.local_endpoint(ctl->ops.ctx, ep)) {
		snprintf(why, len, "no source address toward %s",
			 sockaddr_str(&ep->remote, addr, sizeof(addr)));
		return false;
	}
	if (!ctl->ops.local_endpoint)
		sockaddr_set_port(&ep->local, 500);
	return true;
}

struct find_sa {
	const char *name;
	const struct sockaddr_storage *remote;
	const struct ike_sa *found;
};

static void find_sa_cb(void *ctx, const struct ike_sa *sa)
{
	struct find_sa *f = ctx;

	if (!f->found && sa->state == IKE_SA_ESTABLISHED && sa->conf &&
	    strcmp(sa->conf->name, f->name) == 0 &&
	    sockaddr_equal(&sa->ep.remote, f->remote, false))
		f->found = sa;
}

static bool sa_has_child(const struct ike_sa *sa, const char *child)
{
	for (const struct child_sa *c = sa->children; c; c = c->next)
		if (strcmp(c->name, child) == 0 && c->state == CHILD_SA_INSTALLED)
			return true;
	return false;
}

static enum vici_cmd_result cmd_initiate(struct vici_cmd *cmd, const struct vici_msg *req,
					 struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;
	const struct config *cfg = ctl->ops.config ? ctl->ops.config(ctl->ops.ctx) : NULL;
	char child[IKE_NAME_MAX] = "", ike[IKE_NAME_MAX] = "", my[64] = "", other[64] = "";
	char why[256];
	const struct config_conn *cc;
	long long timeout = req_int(req, "timeout", 0);
	struct net_endpoints ep;
	struct find_sa f = { 0 };
	struct ctl_pending *p;
	uint32_t id = 0;

	vici_msg_get_str_buf(req, "child", child, sizeof(child));
	vici_msg_get_str_buf(req, "ike", ike, sizeof(ike));
	vici_msg_get_str_buf(req, "my-host", my, sizeof(my));
	vici_msg_get_str_buf(req, "other-host", other, sizeof(other));
	if (!child[0] && !ike[0]) {
		vici_cmd_set_error(cmd, "missing configuration name");
		return VICI_CMD_FAILED;
	}
	cc = ike[0] ? (cfg ? config_find_conn(cfg, ike) : NULL) : conn_for_child(cfg, child);
	if (!cc) {
		vici_cmd_set_error(cmd, "no config named '%s'", ike[0] ? ike : child);
		return VICI_CMD_FAILED;
	}
	if (child[0] && !conn_has_child(cc, child)) {
		vici_cmd_set_error(cmd, "no CHILD_SA config named '%s' in '%s'", child, cc->name);
		return VICI_CMD_FAILED;
	}
	if (!conn_endpoints(ctl, cc, my, other, &ep, why, sizeof(why))) {
		vici_cmd_set_error(cmd, "%s", why);
		return VICI_CMD_FAILED;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		vici_cmd_set_error(cmd, "out of memory");
		return VICI_CMD_FAILED;
	}
	p->ctl = ctl;
	p->cmd = cmd;
	p->kind = PENDING_INITIATE;
	p->loglevel = (int)req_int(req, "loglevel", 1);
	snprintf(p->child, sizeof(p->child), "%s", child[0] ? child :
		 cc->n_children ? cc->children[0].name : "");
	f.name = cc->name;
	f.remote = &ep.remote;
	ike_core_foreach(ctl->core, find_sa_cb, &f);
	ctl->capture = p;
	if (f.found && p->child[0] && sa_has_child(f.found, p->child)) {
		ctl->capture = NULL;
		free(p);
		vici_builder_add_kv_str(resp, "success", "yes");
		return VICI_CMD_DONE;
	}
	if (f.found && p->child[0]) {
		id = f.found->unique_id;
		if (!ike_ctl_create_child(ctl->core, id, p->child))
			id = 0;
	} else if (!f.found) {
		id = ike_core_initiate(ctl->core, cc->name, p->child[0] ? p->child : NULL, &ep);
	} else {
		id = f.found->unique_id;	/* IKE SA only, and it is up */
		ctl->capture = NULL;
		free(p);
		vici_builder_add_kv_str(resp, "success", "yes");
		return VICI_CMD_DONE;
	}
	ctl->capture = NULL;
	if (!id || !ike_core_find(ctl->core, id)) {
		free(p);
		vici_cmd_set_error(cmd, "initiating '%s' failed", cc->name);
		return VICI_CMD_FAILED;
	}
	if (timeout < 0) {
		free(p);
		vici_builder_add_kv_str(resp, "success", "yes");
		return VICI_CMD_DONE;
	}
	p->ike_id = id;
	if (!pending_arm(p, timeout)) {
		pending_free(p);
		vici_cmd_set_error(cmd, "cannot arm a timer");
		return VICI_CMD_FAILED;
	}
	return VICI_CMD_PENDING;
}

/* ---- terminate / rekey: selecting SAs -------------------------------- */

struct select {
	char ike[IKE_NAME_MAX], child[IKE_NAME_MAX];
	uint32_t ike_id, child_id;
	bool has_ike_id, has_child_id;
	bool children;			/* select CHILD SAs, not IKE SAs */
	struct { uint32_t ike, child; } ids[PENDING_MAX_IDS];
	size_t n;
};

static void select_cb(void *ctx, const struct ike_sa *sa)
{
	struct select *s = ctx;

	if (sa->state == IKE_SA_DEAD || s->n == PENDING_MAX_IDS)
		return;
	if ((s->ike[0] && (!sa->conf || strcmp(s->ike, sa->conf->name) != 0)) ||
	    (s->has_ike_id && s->ike_id != sa->unique_id))
		return;
	if (!s->children) {
		s->ids[s->n].ike = sa->unique_id;
		s->ids[s->n++].child = 0;
		return;
	}
	for (const struct child_sa *c = sa->children; c && s->n < PENDING_MAX_IDS; c = c->next) {
		if ((s->child[0] && strcmp(s->child, c->name) != 0) ||
		    (s->has_child_id && s->child_id != c->unique_id) ||
		    c->state != CHILD_SA_INSTALLED)
			continue;
		s->ids[s->n].ike = sa->unique_id;
		s->ids[s->n++].child = c->unique_id;
	}
}

static bool select_parse(struct ctl *ctl, const struct vici_msg *req, struct select *s)
{
	memset(s, 0, sizeof(*s));
	vici_msg_get_str_buf(req, "ike", s->ike, sizeof(s->ike));
	vici_msg_get_str_buf(req, "child", s->child, sizeof(s->child));
	s->has_ike_id = ctl_req_u32(req, "ike-id", &s->ike_id);
	s->has_child_id = ctl_req_u32(req, "child-id", &s->child_id);
	if (!s->ike[0] && !s->child[0] && !s->has_ike_id && !s->has_child_id)
		return false;
	s->children = s->child[0] || s->has_child_id;
	ike_core_foreach(ctl->core, select_cb, s);
	return true;
}

static bool still_there(struct ctl *ctl, uint32_t ike, uint32_t child)
{
	struct ike_sa *sa = ike_core_find(ctl->core, ike);

	if (!sa || sa->state == IKE_SA_DEAD)
		return false;
	return !child || ike_ctl_child(sa, child);
}

static enum vici_cmd_result cmd_terminate(struct vici_cmd *cmd, const struct vici_msg *req,
					  struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;
	struct select s;
	struct ctl_pending *p;
	bool force = ctl_req_bool(req, "force");
	long long timeout = req_int(req, "timeout", 0);

	if (!select_parse(ctl, req, &s)) {
		vici_cmd_set_error(cmd, "missing terminate selector");
		return VICI_CMD_FAILED;
	}
	if (!s.n) {
		vici_builder_add_kv_str(resp, "success", "no");
		vici_builder_add_kv_str(resp, "matches", "0");
		vici_builder_add_kv_str(resp, "terminated", "0");
		vici_builder_add_kv_str(resp, "errmsg", "no matching SAs to terminate found");
		return VICI_CMD_DONE;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		vici_cmd_set_error(cmd, "out of memory");
		return VICI_CMD_FAILED;
	}
	p->ctl = ctl;
	p->cmd = cmd;
	p->kind = PENDING_TERMINATE;
	p->loglevel = (int)req_int(req, "loglevel", 1);
	p->matches = (unsigned)s.n;
	ctl->capture = p;
	for (size_t i = 0; i < s.n; i++) {
		if (s.ids[i].child)
			ike_ctl_delete_child(ctl->core, s.ids[i].ike, s.ids[i].child);
		else if (force)
			ike_ctl_kill(ctl->core, s.ids[i].ike);
		else
			ike_core_terminate(ctl->core, s.ids[i].ike);
	}
	ctl->capture = NULL;
	for (size_t i = 0; i < s.n; i++)
		if (still_there(ctl, s.ids[i].ike, s.ids[i].child)) {
			p->ids[p->n_ids].ike = s.ids[i].ike;
			p->ids[p->n_ids++].child = s.ids[i].child;
		}
	if (timeout < 0 || !p->n_ids) {
		vici_builder_add_kv_str(resp, "success", "yes");
		vici_builder_add_kv_fmt(resp, "matches", "%u", p->matches);
		vici_builder_add_kv_fmt(resp, "terminated", "%u", p->matches);
		free(p);
		return VICI_CMD_DONE;
	}
	if (!pending_arm(p, timeout)) {
		pending_free(p);
		vici_cmd_set_error(cmd, "cannot arm a timer");
		return VICI_CMD_FAILED;
	}
	return VICI_CMD_PENDING;
}

static enum vici_cmd_result cmd_rekey(struct vici_cmd *cmd, const struct vici_msg *req,
				      struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;
	struct select s;
	unsigned ok = 0;

	if (!select_parse(ctl, req, &s)) {
		vici_cmd_set_error(cmd, "missing rekey selector");
		return VICI_CMD_FAILED;
	}
	for (size_t i = 0; i < s.n; i++)
		if (s.ids[i].child ? ike_ctl_rekey_child(ctl->core, s.ids[i].ike, s.ids[i].child) :
				     ike_ctl_rekey_ike(ctl->core, s.ids[i].ike))
			ok++;
	vici_builder_add_kv_str(resp, "success", s.n ? "yes" : "no");
	vici_builder_add_kv_fmt(resp, "matches", "%u", ok);
	if (!s.n)
		vici_builder_add_kv_str(resp, "errmsg", "no matching SAs to rekey found");
	return VICI_CMD_DONE;
}

int cmd_control_register(struct ctl *ctl)
{
	return vici_server_register_cmd(ctl->srv, "initiate", cmd_initiate, ctl) ||
	       vici_server_register_cmd(ctl->srv, "terminate", cmd_terminate, ctl) ||
	       vici_server_register_cmd(ctl->srv, "rekey", cmd_rekey, ctl);
}
