/* Liveness check (RFC 7296 1.4, 2.4): an empty INFORMATIONAL request. No
 * answer after the retransmissions means the peer is dead; the exchange
 * code then deletes the SA. The responder side is the informational task
 * in delete.c. */
#include "ike/tasks/common.h"

static enum task_status build(struct task *t, struct ike_msg *m)
{
	(void)m;
	sa_debug(t->sa, "sending DPD");
	return TASK_MORE;
}

static const struct task_ops ops = { TASK_DPD, "dpd", build, task_process_done, task_free };

struct task *task_dpd_new(struct ike_sa *sa, bool initiator)
{
	return task_alloc(sizeof(struct task), sa, initiator, &ops, INFORMATIONAL);
}
