/* INFORMATIONAL with Delete payloads (RFC 7296 1.4.1). The responder side
 * also answers liveness checks: an empty request gets an empty response. */
#include "ike/tasks/common.h"

#define MAX_DEL 64

struct del {
	struct task t;
	uint32_t spi_in;		/* child_delete initiator: which CHILD */
	uint8_t spis[MAX_DEL * 4];	/* responder: our inbound SPIs */
	size_t nspis;
	bool ike;
};

/* --- IKE SA delete, initiator ------------------------------------------ */

static enum task_status build_ike_i(struct task *t, struct ike_msg *m)
{
	struct ike_payload *d = ike_msg_add(m, PL_DELETE);

	if (!d)
		return TASK_FAILED;
	d->del.protocol = PROTO_IKE;
	sa_info(t->sa, "deleting IKE SA");
	ike_sa_set_state(t->sa, IKE_SA_DELETING);
	return TASK_MORE;
}

static enum task_status process_ike_i(struct task *t, const struct ike_msg *m)
{
	(void)t;
	(void)m;
	/* the exchange code frees the SA once the response is in */
	return TASK_DONE;
}

/* --- CHILD SA delete, initiator ---------------------------------------- */

static enum task_status build_child_i(struct task *t, struct ike_msg *m)
{
	struct del *d = (struct del *)t;
	struct child_sa *ch = ike_sa_child_by_spi_in(t->sa, d->spi_in);
	struct ike_payload *p;

	if (!ch)
		return TASK_DONE;
	for (int i = 0; i < 4; i++)
		d->spis[i] = (uint8_t)(d->spi_in >> (24 - 8 * i));
	p = ike_msg_add(m, PL_DELETE);
	if (!p)
		return TASK_FAILED;
	p->del.protocol = ch->protocol;
	p->del.spi_size = 4;
	p->del.nspis = 1;
	p->del.spis.ptr = d->spis;
	p->del.spis.len = 4;
	ch->state = CHILD_SA_DELETING;
	return TASK_MORE;
}

static enum task_status process_child_i(struct task *t, const struct ike_msg *m)
{
	struct del *d = (struct del *)t;
	struct child_sa *ch = core_child_find(t->sa->core, d->spi_in);

	(void)m;
	if (ch) {
		/* the datapath still has it installed: mark and delete; its
		 * owner may be the successor of this SA (an IKE rekey from the
		 * peer while our Delete was in flight) */
		ch->state = CHILD_SA_INSTALLED;
		ike_sa_child_delete(ch->sa, ch);
	}
	return TASK_DONE;
}

/* --- responder --------------------------------------------------------- */

static enum task_status process_r(struct task *t, const struct ike_msg *m)
{
	struct del *d = (struct del *)t;
	struct ike_sa *sa = t->sa;
	const struct ike_payload *p;

	for (p = ike_msg_find(m, PL_DELETE); p; p = ike_msg_next(m, p, PL_DELETE)) {
		if (p->del.protocol == PROTO_IKE) {
			sa_info(sa, "received DELETE for the IKE SA");
			d->ike = true;
			continue;
		}
		if (p->del.spi_size != 4)
			continue;
		for (size_t i = 0; i < p->del.nspis; i++) {
			uint32_t spi = (uint32_t)ike_delete_spi(&p->del, i);
			struct child_sa *ch = ike_sa_child_by_spi_out(sa, spi);

			if (!ch) {
				sa_info(sa, "DELETE for unknown CHILD SA %08x", spi);
				continue;
			}
			if (ch->state != CHILD_SA_DELETING && d->nspis < MAX_DEL) {
				for (int k = 0; k < 4; k++)
					d->spis[d->nspis * 4 + (size_t)k] =
						(uint8_t)(ch->spi_in >> (24 - 8 * k));
				d->nspis++;
			}
			ch->state = CHILD_SA_INSTALLED;
			ike_sa_child_delete(sa, ch);
		}
	}
	if (d->ike) {
		/* RFC 7296 2.25.2: answered as usual; a rekey collision waiting
		 * on this SA is settled for the peer's new SA */
		ike_rekey_peer_wins(sa);
		ike_sa_set_state(sa, IKE_SA_DELETING);
	}
	return TASK_DONE;
}

static enum task_status build_r(struct task *t, struct ike_msg *m)
{
	struct del *d = (struct del *)t;
	struct ike_payload *p;

	if (d->ike || !d->nspis)
		return TASK_DONE;
	p = ike_msg_add(m, PL_DELETE);
	if (!p)
		return TASK_FAILED;
	p->del.protocol = PROTO_ESP;
	p->del.spi_size = 4;
	p->del.nspis = (uint16_t)d->nspis;
	p->del.spis.ptr = d->spis;
	p->del.spis.len = d->nspis * 4;
	return TASK_DONE;
}

static const struct task_ops ops_ike_i = {
	TASK_DELETE, "delete", build_ike_i, process_ike_i, task_free,
};
static const struct task_ops ops_child_i = {
	TASK_CHILD_DELETE, "child_delete", build_child_i, process_child_i, task_free,
};
static const struct task_ops ops_r = {
	TASK_DELETE, "informational", build_r, process_r, task_free,
};

struct task *task_delete_new(struct ike_sa *sa, bool initiator)
{
	return task_alloc(sizeof(struct del), sa, initiator,
			  initiator ? &ops_ike_i : &ops_r, INFORMATIONAL);
}

struct task *task_child_delete_new(struct ike_sa *sa, bool initiator,
				   uint32_t spi_in)
{
	struct del *d = task_alloc(sizeof(struct del), sa, initiator,
				   initiator ? &ops_child_i : &ops_r, INFORMATIONAL);

	if (d)
		d->spi_in = spi_in;
	return d ? &d->t : NULL;
}
