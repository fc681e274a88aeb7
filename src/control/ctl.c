/* struct ctl: registration, per-SA times, IKE event entry. */
#include "control/ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control/cmd_version.h"
#include "ike/ike_sa.h"
#include "lib/log.h"

struct ctl *ctl_new(struct event_base *base, struct vici_server *srv,
		    struct ike_core *core, const struct ctl_ops *ops)
{
	struct ctl *ctl = calloc(1, sizeof(*ctl));

	if (!ctl)
		return NULL;
	ctl->base = base;
	ctl->srv = srv;
	ctl->core = core;
	ctl->ops = *ops;
	ctl->started = time(NULL);
	if (cmd_version_register(srv) || cmd_query_register(ctl) ||
	    cmd_control_register(ctl) || cmd_config_register(ctl) ||
	    cmd_creds_register(ctl) || cmd_pools_register(ctl) ||
	    cmd_settings_register(ctl) || events_register(ctl)) {
		log_error("control: cannot register the commands");
		free(ctl);
		return NULL;
	}
	events_log_attach(ctl);
	return ctl;
}

void ctl_free(struct ctl *ctl)
{
	if (!ctl)
		return;
	events_log_detach(ctl);
	control_pending_free_all(ctl);
	ctl_store_free(&ctl->store);
	free(ctl->times.v);
	free(ctl);
}

time_t ctl_time_get(const struct ctl *ctl, uint32_t id, bool child)
{
	for (size_t i = 0; i < ctl->times.n; i++)
		if (ctl->times.v[i].id == id && ctl->times.v[i].child == child)
			return ctl->times.v[i].t;
	return 0;
}

void ctl_time_set(struct ctl *ctl, uint32_t id, bool child, time_t t)
{
	struct ctl_times *tm = &ctl->times;

	for (size_t i = 0; i < tm->n; i++) {
		if (tm->v[i].id == id && tm->v[i].child == child) {
			tm->v[i].t = t;
			return;
		}
	}
	if (tm->n == tm->cap) {
		size_t cap = tm->cap ? tm->cap * 2 : 16;
		struct ctl_time *v = realloc(tm->v, cap * sizeof(*v));

		if (!v)
			return;
		tm->v = v;
		tm->cap = cap;
	}
	tm->v[tm->n++] = (struct ctl_time){ id, child, false, t };
}

void ctl_time_del(struct ctl *ctl, uint32_t id, bool child)
{
	struct ctl_times *tm = &ctl->times;

	for (size_t i = 0; i < tm->n; i++) {
		if (tm->v[i].id == id && tm->v[i].child == child) {
			tm->v[i] = tm->v[--tm->n];
			return;
		}
	}
}

bool ctl_req_u32(const struct vici_msg *req, const char *key, uint32_t *out)
{
	char buf[16], *end;
	unsigned long v;

	if (!vici_msg_get_str_buf(req, key, buf, sizeof(buf)) || !buf[0])
		return false;
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno || *end || buf[0] == '-' || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool ctl_req_bool(const struct vici_msg *req, const char *key)
{
	char buf[8];

	if (!vici_msg_get_str_buf(req, key, buf, sizeof(buf)))
		return false;
	return strcmp(buf, "yes") == 0 || strcmp(buf, "true") == 0 ||
	       strcmp(buf, "1") == 0;
}

void ctl_time_mark_rekeyed(struct ctl *ctl, uint32_t child_id)
{
	/* a CHILD SA from before the control socket has no entry yet */
	if (!ctl_time_get(ctl, child_id, true))
		ctl_time_set(ctl, child_id, true, time(NULL));
	for (size_t i = 0; i < ctl->times.n; i++)
		if (ctl->times.v[i].id == child_id && ctl->times.v[i].child)
			ctl->times.v[i].rekeyed = true;
}

bool ctl_time_is_rekeyed(const struct ctl *ctl, uint32_t child_id)
{
	for (size_t i = 0; i < ctl->times.n; i++)
		if (ctl->times.v[i].id == child_id && ctl->times.v[i].child)
			return ctl->times.v[i].rekeyed;
	return false;
}
