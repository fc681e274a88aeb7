/* CHILD SA lifetimes and what the datapath reports about ESP:
 *
 * - rekey_time (less a random part of rand_time, ike_sa.c) starts a CHILD
 *   rekey; life_time (hard) deletes a CHILD SA that was not rekeyed in
 *   time: its life_timer, armed here when it is installed.
 * - ike_core_child_expired: the datapath's byte/packet limits. Soft starts
 *   the same rekey, hard queues the Delete.
 * - ike_core_invalid_spi: ESP for an SPI we do not have; INVALID_SPI in the
 *   IKE SA with that peer (RFC 7296 3.10.1), rate-limited.
 *
 * Each path checks the CHILD SA's state first, so an SA that is already
 * being rekeyed or deleted, or is gone, is left alone (and counted). */
#include "ike/core_priv.h"

#include <stdint.h>

#include "ike/task.h"

#define INVALID_SPI_INTERVAL_MS 1000

static uint64_t now_ms(struct ike_core *c)
{
	return c->env.now_ms ? c->env.now_ms(c->env.ctx) : 0;
}

bool core_child_rekey(struct ike_sa *sa, struct child_sa *ch, const char *why)
{
	if (sa->state != IKE_SA_ESTABLISHED || ch->state != CHILD_SA_INSTALLED ||
	    ch->rekeying || ch->replaced || ch->expired) {
		sa_debug(sa, "CHILD SA '%s' %08x_i: %s, but it is %s", ch->name, ch->spi_in, why,
			 ch->rekeying ? "being rekeyed" : ch->replaced ? "already rekeyed" :
			 ch->expired || ch->state == CHILD_SA_DELETING ? "being deleted" :
			 "not ready");
		return false;
	}
	sa_info(sa, "CHILD SA '%s' %08x_i: %s, rekeying", ch->name, ch->spi_in, why);
	ike_sa_timer_cancel(sa, &ch->rekey_timer);
	ch->rekeying = true;
	ike_sa_queue_task(sa, task_child_rekey_new(sa, ch->spi_in));
	return true;
}

bool core_child_hard_expire(struct ike_sa *sa, struct child_sa *ch, const char *why)
{
	if (ch->state != CHILD_SA_INSTALLED || ch->expired) {
		sa_debug(sa, "CHILD SA '%s' %08x_i: %s, already being deleted", ch->name,
			 ch->spi_in, why);
		return false;
	}
	ch->expired = true;
	ike_sa_timer_cancel(sa, &ch->rekey_timer);
	ike_sa_timer_cancel(sa, &ch->life_timer);
	if (sa->state != IKE_SA_ESTABLISHED) {
		/* deleting or replaced: the CHILD SA goes with its IKE SA */
		sa_info(sa, "CHILD SA '%s' %08x_i: %s (IKE SA %s)", ch->name, ch->spi_in, why,
			ike_sa_state_name(sa->state));
		return false;
	}
	sa_info(sa, "CHILD SA '%s' %08x_i: %s, deleting it", ch->name, ch->spi_in, why);
	ike_sa_queue_task(sa, task_child_delete_new(sa, true, ch->spi_in));
	return true;
}

static void on_child_life_timer(struct ike_timer *t)
{
	struct child_sa *ch = (struct child_sa *)(void *)((char *)t -
					offsetof(struct child_sa, life_timer));
	struct ike_sa *sa = ch->sa;
	struct ike_core *c = sa->core;

	t->armed = false;
	core_enter(c);
	if (core_child_hard_expire(sa, ch, "life_time reached"))
		c->stats.child_hard_expired++;
	core_leave(c);
}

void child_sa_schedule_life(struct ike_sa *sa, struct child_sa *ch)
{
	struct ike_child_conf *cc = sa->conf ? ike_conf_child(sa->conf, ch->name) : NULL;
	uint64_t ms;

	ch->life_timer.fire = on_child_life_timer;
	if (!cc || !cc->life_time_s || ch->expired)
		return;
	ms = (uint64_t)cc->life_time_s * 1000;
	ike_sa_timer_arm(sa, &ch->life_timer, ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms);
}

bool ike_core_child_expired(struct ike_core *c, uint32_t spi_in, bool hard)
{
	struct child_sa *ch = core_child_find(c, spi_in);
	bool acted;

	if (!ch) {
		log_debug("ike: datapath %s expire for CHILD SA %08x_i, which is gone",
			  hard ? "hard" : "soft", spi_in);
		c->stats.child_expire_ignored++;
		return false;
	}
	if (!ch->sa || ch->sa->state == IKE_SA_PASSIVE) {
		c->stats.child_expire_ignored++;
		return true;	/* an HA standby copy: the active node acts */
	}
	core_enter(c);
	acted = hard ? core_child_hard_expire(ch->sa, ch, "hard lifetime of the datapath") :
		       core_child_rekey(ch->sa, ch, "soft lifetime of the datapath");
	if (!acted)
		c->stats.child_expire_ignored++;
	else if (hard)
		c->stats.child_hard_expired++;
	else
		c->stats.child_soft_expired++;
	core_leave(c);
	return true;
}

/* An INVALID_SPI task already waiting or in flight in sa? */
static bool invalid_spi_pending(const struct ike_sa *sa)
{
	for (const struct task *t = sa->active; t; t = t->next)
		if (t->ops->type == TASK_INVALID_SPI)
			return true;
	for (const struct task *t = sa->queued; t; t = t->next)
		if (t->ops->type == TASK_INVALID_SPI)
			return true;
	return false;
}

/* The established IKE SA with peer's address: the one whose port matches
 * (ESP in UDP shares the IKE port's NAT mapping), else the newest. */
static struct ike_sa *sa_by_peer(struct ike_core *c, const struct sockaddr_storage *peer)
{
	struct ike_sa *best = NULL;
	uint16_t port = sockaddr_port(peer);

	for (struct htable_node *n = htable_find(&c->by_peer, peer); n;
	     n = htable_find_next(&c->by_peer, n, peer)) {
		struct ike_sa *sa = htable_entry(n, struct ike_sa, by_peer);

		if (sa->state != IKE_SA_ESTABLISHED)
			continue;
		if (port && sockaddr_port(&sa->ep.remote) == port)
			return sa;
		if (!best || sa->unique_id > best->unique_id)
			best = sa;
	}
	return best;
}

enum ike_invalid_spi_result ike_core_invalid_spi(struct ike_core *c, uint32_t spi,
						 const struct sockaddr_storage *peer)
{
	struct ike_sa *sa = sa_by_peer(c, peer);
	uint64_t now = now_ms(c);

	if (!sa) {
		/* counted; the caller logs (rate-limited) */
		c->stats.invalid_spi_no_sa++;
		return IKE_INVALID_SPI_NO_SA;
	}
	if ((sa->invalid_spi_ms && now - sa->invalid_spi_ms < INVALID_SPI_INTERVAL_MS) ||
	    invalid_spi_pending(sa)) {
		c->stats.invalid_spi_limited++;
		return IKE_INVALID_SPI_LIMITED;
	}
	sa->invalid_spi_ms = now ? now : 1;
	c->stats.invalid_spi_sent++;
	core_enter(c);
	ike_sa_queue_task(sa, task_invalid_spi_new(sa, spi));
	core_leave(c);
	return IKE_INVALID_SPI_SENT;
}
