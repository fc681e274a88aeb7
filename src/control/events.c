/* IKE core events as VICI events, and log lines as log / control-log.
 *
 *   IKE_EV_SA_UP        ike-updown {up=yes, <ike>={IKE keys}}
 *   IKE_EV_SA_DOWN      ike-updown {<ike>={IKE keys}} (if it was up)
 *   IKE_EV_SA_REKEYED   ike-rekey {<ike>={old={...}, new={...}}}
 *   IKE_EV_CHILD_UP     child-updown {up=yes, <ike>={..., child-sas={c}}}
 *                       child-state-installed {<ike>={..., child-sas={c}}}
 *                       for a rekey's new CHILD SA (either side; the old one
 *                       is `replaced` with the same reqid) instead:
 *                       child-state-installed, child-rekey
 *                       {<ike>={..., child-sas={old={...}, new={...}}}} and
 *                       child-state-rekeyed (the old CHILD SA, REKEYED)
 *   IKE_EV_CHILD_DOWN   child-state-destroying, and child-updown {...}
 *                       unless a rekey replaced the CHILD SA */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl.h"
#include "control/sa_render.h"
#include "ike/ike_core.h"
#include "ike/ike_sa.h"
#include "lib/log.h"

static const char *const event_names[] = {
	"ike-updown", "child-updown", "ike-rekey", "child-rekey", "log",
	"control-log", "child-state-installed", "child-state-rekeyed",
	"child-state-destroying", "list-sa", "list-conn", "ike-update",
};

int events_register(struct ctl *ctl)
{
	for (size_t i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
		if (vici_server_register_event(ctl->srv, event_names[i]))
			return -1;
	return 0;
}

static void emit(struct ctl *ctl, const char *event, struct wbuf *w,
		 struct vici_builder *b)
{
	const char *why;
	bool was = ctl->in_log, ok = vici_builder_finish(b, &why);

	/* a client dropped while we send logs a line: that line must not
	 * become a nested emit */
	ctl->in_log = true;
	if (ok)
		vici_server_emit(ctl->srv, event, w->p, w->len);
	ctl->in_log = was;
	if (!ok)
		log_warn("control: %s event not sent: %s", event, why);
	wbuf_reset(w);
}

static void emit_sa(struct ctl *ctl, const char *event, bool up, const struct ike_sa *sa,
		    enum sa_render_children which, const struct child_sa *c,
		    const char *state)
{
	struct wbuf w;
	struct vici_builder b;

	wbuf_init(&w);
	vici_builder_init(&b, &w);
	if (up)
		vici_builder_add_kv_str(&b, "up", "yes");
	sa_render_sa(&b, ctl, sa, which, c, state);
	emit(ctl, event, &w, &b);
	wbuf_free(&w);
}

struct find_old {
	const struct ike_sa *n, *old;
};

static void find_old_cb(void *ctx, const struct ike_sa *sa)
{
	struct find_old *f = ctx;

	if (sa != f->n && sa->state == IKE_SA_REKEYED && sa->conf == f->n->conf &&
	    sockaddr_equal(&sa->ep.remote, &f->n->ep.remote, false))
		f->old = sa;
}

static void emit_ike_rekey(struct ctl *ctl, const struct ike_sa *n)
{
	struct find_old f = { .n = n };
	struct wbuf w;
	struct vici_builder b;
	const char *name = sa_render_ike_name(n);

	ike_core_foreach(ctl->core, find_old_cb, &f);
	wbuf_init(&w);
	vici_builder_init(&b, &w);
	vici_builder_begin_section(&b, *name ? name : "%any");
	if (f.old) {
		vici_builder_begin_section(&b, "old");
		sa_render_ike(&b, ctl, f.old);
		vici_builder_end_section(&b);
	}
	vici_builder_begin_section(&b, "new");
	sa_render_ike(&b, ctl, n);
	vici_builder_end_section(&b);
	vici_builder_end_section(&b);
	emit(ctl, "ike-rekey", &w, &b);
	wbuf_free(&w);
}

/* The CHILD SA that replaced old: the newest of the same name. */
static const struct child_sa *successor(const struct ike_sa *sa, const struct child_sa *old)
{
	for (const struct child_sa *c = sa->children; c; c = c->next)
		if (c != old && c->unique_id > old->unique_id && strcmp(c->name, old->name) == 0)
			return c;
	return NULL;
}

static void emit_child_rekey(struct ctl *ctl, const struct ike_sa *sa,
			     const struct child_sa *old)
{
	const struct child_sa *n = successor(sa, old);
	struct wbuf w;
	struct vici_builder b;
	const char *name = sa_render_ike_name(sa);
	char key[IKE_NAME_MAX + 16];

	wbuf_init(&w);
	vici_builder_init(&b, &w);
	vici_builder_begin_section(&b, *name ? name : "%any");
	sa_render_ike(&b, ctl, sa);
	vici_builder_begin_section(&b, "child-sas");
	sa_render_child_key(old, key, sizeof(key));
	vici_builder_begin_section(&b, key);
	vici_builder_begin_section(&b, "old");
	sa_render_child(&b, ctl, old, "REKEYED");
	vici_builder_end_section(&b);
	if (n) {
		vici_builder_begin_section(&b, "new");
		sa_render_child(&b, ctl, n, NULL);
		vici_builder_end_section(&b);
	}
	vici_builder_end_section(&b);
	vici_builder_end_section(&b);
	vici_builder_end_section(&b);
	emit(ctl, "child-rekey", &w, &b);
	wbuf_free(&w);
}

/* The CHILD SA a rekey replaced with c: same reqid, marked replaced. */
static const struct child_sa *predecessor(const struct ike_sa *sa, const struct child_sa *c)
{
	for (const struct child_sa *o = sa->children; o; o = o->next)
		if (o != c && o->replaced && o->reqid == c->reqid &&
		    strcmp(o->name, c->name) == 0)
			return o;
	return NULL;
}

static void child_rekeyed(struct ctl *ctl, const struct ike_sa *sa, const struct child_sa *old)
{
	if (ctl_time_is_rekeyed(ctl, old->unique_id))
		return;
	ctl_time_mark_rekeyed(ctl, old->unique_id);
	emit_child_rekey(ctl, sa, old);
	emit_sa(ctl, "child-state-rekeyed", false, sa, SA_RENDER_ONE_CHILD, old, "REKEYED");
}

void ctl_ike_event(struct ctl *ctl, enum ike_event ev, const struct ike_sa *sa,
		   const struct child_sa *c)
{
	time_t now = time(NULL);
	const struct child_sa *old;

	switch (ev) {
	case IKE_EV_SA_UP:
		ctl_time_set(ctl, sa->unique_id, false, now);
		emit_sa(ctl, "ike-updown", true, sa, SA_RENDER_NO_CHILDREN, NULL, NULL);
		break;
	case IKE_EV_SA_REKEYED:
		ctl_time_set(ctl, sa->unique_id, false, now);
		emit_ike_rekey(ctl, sa);
		break;
	case IKE_EV_SA_DOWN:
		/* as charon: only an SA that was up goes down */
		if (ctl_time_get(ctl, sa->unique_id, false))
			emit_sa(ctl, "ike-updown", false, sa, SA_RENDER_NO_CHILDREN, NULL,
				NULL);
		ctl_time_del(ctl, sa->unique_id, false);
		break;
	case IKE_EV_CHILD_UP:
		ctl_time_set(ctl, c->unique_id, true, now);
		old = predecessor(sa, c);
		/* a rekey's new CHILD SA is no child-updown (as charon) */
		if (!old)
			emit_sa(ctl, "child-updown", true, sa, SA_RENDER_ONE_CHILD, c, NULL);
		emit_sa(ctl, "child-state-installed", false, sa, SA_RENDER_ONE_CHILD, c, NULL);
		if (old)
			child_rekeyed(ctl, sa, old);
		break;
	case IKE_EV_CHILD_REKEYED:
		/* the initiator's report; both sides were handled at CHILD_UP */
		child_rekeyed(ctl, sa, c);
		break;
	case IKE_EV_CHILD_DOWN:
		emit_sa(ctl, "child-state-destroying", false, sa, SA_RENDER_ONE_CHILD, c,
			"DELETING");
		if (!ctl_time_is_rekeyed(ctl, c->unique_id) && !c->replaced)
			emit_sa(ctl, "child-updown", false, sa, SA_RENDER_ONE_CHILD, c,
				"DELETING");
		ctl_time_del(ctl, c->unique_id, true);
		break;
	case IKE_EV_SA_UPDATED:
	case IKE_EV_MID:
		break;
	}
	control_pending_event(ctl, ev, sa, c);
}

/* ---- log and control-log --------------------------------------------- */

/* "[ike#12 192.0.2.100] ..." -> 12, else 0 */
static uint32_t line_ike_id(const char *line)
{
	unsigned long v;
	char *end;

	if (strncmp(line, "[ike#", 5) != 0)
		return 0;
	v = strtoul(line + 5, &end, 10);
	return (*end == ' ' || *end == ']') && v <= UINT32_MAX ? (uint32_t)v : 0;
}

/* charon's levels: 0 basic, 1 audit; errors and warnings are basic */
static int vici_level(enum log_level lvl)
{
	return lvl <= LOG_LVL_WARN ? 0 : 1;
}

void events_build_log(struct ctl *ctl, struct vici_builder *b, int level,
		      const char *line, bool thread)
{
	uint32_t id = line_ike_id(line);
	struct ike_sa *sa = id ? ike_core_find(ctl->core, id) : NULL;

	vici_builder_add_kv_str(b, "group", id ? "IKE" : "DMN");
	vici_builder_add_kv_fmt(b, "level", "%d", level);
	if (thread)
		vici_builder_add_kv_str(b, "thread", "0");
	if (sa)	/* charon names an SA without a config "(unnamed)" */
		vici_builder_add_kv_str(b, "ikesa-name", sa->conf ? sa->conf->name : "(unnamed)");
	if (id)
		vici_builder_add_kv_fmt(b, "ikesa-uniqueid", "%u", id);
	vici_builder_add_kv_str(b, "msg", line);
}

static void on_log(void *ctx, enum log_level lvl, const char *line)
{
	struct ctl *ctl = ctx;
	struct wbuf w;
	struct vici_builder b;

	/* emitting may log (a dropped client): no recursion */
	if (lvl > LOG_LVL_INFO || ctl->in_log)
		return;
	ctl->in_log = true;
	wbuf_init(&w);
	vici_builder_init(&b, &w);
	events_build_log(ctl, &b, vici_level(lvl), line, true);
	emit(ctl, "log", &w, &b);
	wbuf_free(&w);
	control_pending_log(ctl, vici_level(lvl), line);
	ctl->in_log = false;
}

void events_log_attach(struct ctl *ctl)
{
	log_set_sink(on_log, ctl);
}

void events_log_detach(struct ctl *ctl)
{
	(void)ctl;
	log_set_sink(NULL, NULL);
}
