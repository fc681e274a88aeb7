/* Control-socket entry points: each queues one task on an established SA. */
#include "ike/ike_ctl.h"

#include "ike/core_priv.h"
#include "ike/iana.h"
#include "ike/task.h"

static struct ike_sa *established(struct ike_core *c, uint32_t id)
{
	struct ike_sa *sa = ike_core_find(c, id);

	return sa && sa->state == IKE_SA_ESTABLISHED ? sa : NULL;
}

static struct child_sa *child_of(struct ike_sa *sa, uint32_t child_id)
{
	for (struct child_sa *ch = sa->children; ch; ch = ch->next)
		if (ch->unique_id == child_id)
			return ch;
	return NULL;
}

const struct child_sa *ike_ctl_child(const struct ike_sa *sa, uint32_t child_id)
{
	return child_of((struct ike_sa *)sa, child_id);
}

bool ike_ctl_rekey_ike(struct ike_core *c, uint32_t ike_id)
{
	struct ike_sa *sa = established(c, ike_id);

	if (!sa)
		return false;
	core_enter(c);
	ike_sa_queue_task(sa, task_ike_rekey_new(sa, true));
	core_leave(c);
	return true;
}

bool ike_ctl_rekey_child(struct ike_core *c, uint32_t ike_id, uint32_t child_id)
{
	struct ike_sa *sa = established(c, ike_id);
	struct child_sa *ch = sa ? child_of(sa, child_id) : NULL;

	/* a replaced CHILD SA only waits for its Delete */
	if (!ch || ch->state != CHILD_SA_INSTALLED || ch->rekeying || ch->replaced)
		return false;
	core_enter(c);
	ch->rekeying = true;
	ike_sa_queue_task(sa, task_child_rekey_new(sa, ch->spi_in));
	core_leave(c);
	return true;
}

bool ike_ctl_delete_child(struct ike_core *c, uint32_t ike_id, uint32_t child_id)
{
	struct ike_sa *sa = established(c, ike_id);
	struct child_sa *ch = sa ? child_of(sa, child_id) : NULL;

	if (!ch || ch->state != CHILD_SA_INSTALLED)
		return false;
	core_enter(c);
	ike_sa_queue_task(sa, task_child_delete_new(sa, true, ch->spi_in));
	core_leave(c);
	return true;
}

bool ike_ctl_create_child(struct ike_core *c, uint32_t ike_id, const char *child)
{
	struct ike_sa *sa = established(c, ike_id);

	if (!sa || !sa->conf || !ike_conf_child(sa->conf, child))
		return false;
	core_enter(c);
	ike_sa_queue_task(sa, task_child_create_new(sa, true, child, CREATE_CHILD_SA));
	core_leave(c);
	return true;
}

bool ike_ctl_kill(struct ike_core *c, uint32_t ike_id)
{
	struct ike_sa *sa = ike_core_find(c, ike_id);

	if (!sa)
		return false;
	core_enter(c);
	ike_sa_kill(sa, "terminated by the operator (forced)");
	core_leave(c);
	return true;
}
