/* IKE SA and CHILD SA life cycle, timers and the task queue. */
#include "ike/core_priv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/ke.h"
#include "crypto/rng.h"
#include "ike/task.h"

const char *ike_sa_state_name(enum ike_sa_state s)
{
	switch (s) {
	case IKE_SA_CONNECTING: return "CONNECTING";
	case IKE_SA_ESTABLISHED: return "ESTABLISHED";
	case IKE_SA_REKEYED: return "REKEYED";
	case IKE_SA_DELETING: return "DELETING";
	case IKE_SA_DEAD: return "DEAD";
	case IKE_SA_PASSIVE: return "PASSIVE";
	}
	return "?";
}

const char *child_sa_state_name(enum child_sa_state s)
{
	switch (s) {
	case CHILD_SA_CREATING: return "CREATING";
	case CHILD_SA_INSTALLED: return "INSTALLED";
	case CHILD_SA_DELETING: return "DELETING";
	}
	return "?";
}

void ike_sa_update_prefix(struct ike_sa *sa)
{
	char peer[64];
	size_t n;

	sockaddr_str(&sa->ep.remote, peer, sizeof(peer));
	/* "[ike#12 192.0.2.100]": the address without the port */
	n = strcspn(peer, "[");
	if (n < sizeof(peer))
		peer[n] = 0;
	snprintf(sa->log_prefix, sizeof(sa->log_prefix), "[ike#%u %s]",
		 sa->unique_id, peer);
}

/* --- timers ------------------------------------------------------------ */

void ike_sa_timer_arm(struct ike_sa *sa, struct ike_timer *t, uint32_t ms)
{
	t->armed = true;
	sa->core->env.timer_arm(sa->core->env.ctx, t, ms);
}

void ike_sa_timer_cancel(struct ike_sa *sa, struct ike_timer *t)
{
	if (t->armed)
		sa->core->env.timer_cancel(sa->core->env.ctx, t);
	t->armed = false;
}

static void on_rt_timer(struct ike_timer *t)
{
	struct ike_sa *sa = (struct ike_sa *)(void *)((char *)t -
					offsetof(struct ike_sa, rt_timer));
	struct ike_core *c = sa->core;

	t->armed = false;
	core_enter(c);
	exchange_retransmit(sa);
	core_leave(c);
}

static void on_dpd_timer(struct ike_timer *t)
{
	struct ike_sa *sa = (struct ike_sa *)(void *)((char *)t -
					offsetof(struct ike_sa, dpd_timer));
	struct ike_core *c = sa->core;
	uint64_t now = c->env.now_ms ? c->env.now_ms(c->env.ctx) : 0;
	uint64_t delay = (uint64_t)(sa->conf ? sa->conf->dpd_delay_s : 0) * 1000;

	t->armed = false;
	if (sa->state != IKE_SA_ESTABLISHED || !delay)
		return;
	core_enter(c);
	if (now && now - sa->last_in_ms < delay) {
		ike_sa_timer_arm(sa, t, (uint32_t)(delay - (now - sa->last_in_ms)));
	} else {
		ike_sa_queue_task(sa, task_dpd_new(sa, true));
		ike_sa_timer_arm(sa, t, (uint32_t)delay);
	}
	core_leave(c);
}

static void on_setup_timer(struct ike_timer *t)
{
	struct ike_sa *sa = (struct ike_sa *)(void *)((char *)t -
					offsetof(struct ike_sa, setup_timer));
	struct ike_core *c = sa->core;

	t->armed = false;
	if (sa->state != IKE_SA_CONNECTING && sa->state != IKE_SA_REKEYED)
		return;
	core_enter(c);
	ike_sa_kill(sa, sa->state == IKE_SA_REKEYED ? "rekeyed SA not deleted by the peer" :
			"not established in time");
	core_leave(c);
}

static void on_rekey_timer(struct ike_timer *t)
{
	struct ike_sa *sa = (struct ike_sa *)(void *)((char *)t -
					offsetof(struct ike_sa, rekey_timer));
	struct ike_core *c = sa->core;

	t->armed = false;
	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	core_enter(c);
	ike_sa_queue_task(sa, task_ike_rekey_new(sa, true));
	core_leave(c);
}

uint32_t ike_sa_retry_delay(void)
{
	uint32_t r = 0;

	if (!rng_bytes(&r, sizeof(r)))
		r = 0;
	return 10000 + r % 20000;
}

/* rekey_time minus a random part of rand_time (never below half the
 * rekey time), so that both ends and many SAs do not rekey in step. */
static uint32_t rekey_delay_ms(uint32_t rekey_s, uint32_t rand_s)
{
	uint64_t ms = (uint64_t)rekey_s * 1000, jitter = 0;
	uint32_t r = 0;

	if (rand_s && rng_bytes(&r, sizeof(r)))
		jitter = (uint64_t)r % ((uint64_t)rand_s * 1000 + 1);
	if (jitter > ms / 2)
		jitter = ms / 2;
	ms -= jitter;
	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

void ike_sa_schedule_rekey(struct ike_sa *sa)
{
	if (sa->conf && sa->conf->rekey_time_s)
		ike_sa_timer_arm(sa, &sa->rekey_timer,
				 rekey_delay_ms(sa->conf->rekey_time_s, sa->conf->rand_time_s));
}

static void on_child_rekey_timer(struct ike_timer *t)
{
	struct child_sa *ch = (struct child_sa *)(void *)((char *)t -
					offsetof(struct child_sa, rekey_timer));
	struct ike_sa *sa = ch->sa;
	struct ike_core *c = sa->core;

	t->armed = false;
	core_enter(c);
	if (ch->replaced && ch->state == CHILD_SA_INSTALLED && !ch->expired &&
	    sa->state == IKE_SA_ESTABLISHED) {
		/* its successor is up, but the peer that should have deleted it
		 * did not (lost rekey collision or plain rekey): we do */
		sa_info(sa, "CHILD SA '%s' %08x_i was replaced %u s ago and not deleted by the "
			"peer, deleting it", ch->name, ch->spi_in, IKE_SETUP_TIMEOUT_MS / 1000);
		ike_sa_queue_task(sa, task_child_delete_new(sa, true, ch->spi_in));
	} else {
		core_child_rekey(sa, ch, "rekey_time reached");
	}
	core_leave(c);
}

void child_sa_replaced(struct ike_sa *sa, struct child_sa *ch)
{
	ch->replaced = true;
	ike_sa_timer_arm(sa, &ch->rekey_timer, IKE_SETUP_TIMEOUT_MS);
}

void child_sa_schedule_rekey(struct ike_sa *sa, struct child_sa *ch)
{
	struct ike_child_conf *cc = sa->conf ? ike_conf_child(sa->conf, ch->name) : NULL;

	ch->sa = sa;
	ch->rekey_timer.fire = on_child_rekey_timer;
	if (cc && cc->rekey_time_s)
		ike_sa_timer_arm(sa, &ch->rekey_timer,
				 rekey_delay_ms(cc->rekey_time_s, cc->rand_time_s));
	child_sa_schedule_life(sa, ch);
}

static void on_keepalive_timer(struct ike_timer *t)
{
	struct ike_sa *sa = (struct ike_sa *)(void *)((char *)t -
					offsetof(struct ike_sa, keepalive_timer));
	struct ike_core *c = sa->core;

	t->armed = false;
	if (sa->state != IKE_SA_ESTABLISHED || !sa->nat_here || !c->env.keepalive)
		return;
	c->env.keepalive(c->env.ctx, &sa->ep);
	ike_sa_timer_arm(sa, t, IKE_KEEPALIVE_MS);
}

void ike_sa_schedule_dpd(struct ike_sa *sa)
{
	if (sa->conf && sa->conf->dpd_delay_s)
		ike_sa_timer_arm(sa, &sa->dpd_timer, sa->conf->dpd_delay_s * 1000);
}

/* --- life cycle -------------------------------------------------------- */

struct ike_sa *ike_sa_new(struct ike_core *c, bool initiator,
			  const struct net_endpoints *ep)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->core = c;
	sa->initiator = initiator;
	sa->state = IKE_SA_CONNECTING;
	sa->ep = *ep;
	sa->rt_timer.fire = on_rt_timer;
	sa->dpd_timer.fire = on_dpd_timer;
	sa->setup_timer.fire = on_setup_timer;
	sa->rekey_timer.fire = on_rekey_timer;
	sa->keepalive_timer.fire = on_keepalive_timer;
	sa->last_in_ms = c->env.now_ms ? c->env.now_ms(c->env.ctx) : 0;
	/* an initiator gives up by retransmission; a responder's half-open
	 * SA may never hear from the peer again */
	if (!initiator)
		ike_sa_timer_arm(sa, &sa->setup_timer, IKE_SETUP_TIMEOUT_MS);
	return sa;
}

static void child_free(struct ike_core *c, struct child_sa *ch)
{
	if (ch->rekey_timer.armed)
		c->env.timer_cancel(c->env.ctx, &ch->rekey_timer);
	if (ch->life_timer.armed)
		c->env.timer_cancel(c->env.ctx, &ch->life_timer);
	if (c->env.timer_release) {
		c->env.timer_release(c->env.ctx, &ch->rekey_timer);
		c->env.timer_release(c->env.ctx, &ch->life_timer);
	}
	child_keys_free(&ch->keys);
	chunk_free(&ch->collide_ni);
	chunk_free(&ch->collide_nr);
	free(ch);
}

static void tasks_free(struct task *t)
{
	while (t) {
		struct task *next = t->next;

		task_destroy(t);
		t = next;
	}
}

void ike_sa_free(struct ike_sa *sa)
{
	struct ike_core *c = sa->core;

	while (sa->children) {
		struct child_sa *ch = sa->children;

		sa->children = ch->next;
		core_child_unregister(c, ch);
		child_free(c, ch);
	}
	tasks_free(sa->queued);
	tasks_free(sa->active);
	ike_sa_timer_cancel(sa, &sa->rt_timer);
	ike_sa_timer_cancel(sa, &sa->dpd_timer);
	ike_sa_timer_cancel(sa, &sa->setup_timer);
	ike_sa_timer_cancel(sa, &sa->rekey_timer);
	ike_sa_timer_cancel(sa, &sa->keepalive_timer);
	if (c->env.timer_release) {
		c->env.timer_release(c->env.ctx, &sa->keepalive_timer);
		c->env.timer_release(c->env.ctx, &sa->rekey_timer);
		c->env.timer_release(c->env.ctx, &sa->rt_timer);
		c->env.timer_release(c->env.ctx, &sa->dpd_timer);
		c->env.timer_release(c->env.ctx, &sa->setup_timer);
	}
	ke_free(sa->ke);
	aead_free(sa->aead_in);
	aead_free(sa->aead_out);
	ike_keys_free(&sa->keys);
	chunk_free(&sa->ni);
	chunk_free(&sa->nr);
	chunk_free(&sa->init_req);
	chunk_free(&sa->init_resp);
	chunk_free(&sa->cookie);
	chunk_free(&sa->peer_cert);
	ike_dgrams_free(&sa->last_req);
	ike_dgrams_free(&sa->last_resp);
	for (size_t i = 0; i < IKE_FRAG_MAX_IN; i++)
		chunk_free(&sa->frag_in.parts[i]);
	ike_conf_unref(sa->conf);
	mem_wipe_free(sa, sizeof(*sa));
}

void ike_sa_set_state(struct ike_sa *sa, enum ike_sa_state s)
{
	struct ike_core *c = sa->core;

	if (sa->state == s)
		return;
	sa_debug(sa, "state %s -> %s", ike_sa_state_name(sa->state),
		 ike_sa_state_name(s));
	if (s != IKE_SA_CONNECTING)
		core_half_open_del(c, sa);
	if (s != IKE_SA_CONNECTING)
		ike_sa_timer_cancel(sa, &sa->setup_timer);
	sa->state = s;
}

void ike_sa_established(struct ike_sa *sa)
{
	char me[IKE_ID_MAX + 8], peer[IKE_ID_MAX + 8];

	ike_sa_set_state(sa, IKE_SA_ESTABLISHED);
	sa->core->stats.sa_established++;
	sa_info(sa, "IKE SA '%s' established between %s and %s (SPIs %016llx_i %016llx_r)",
		sa->conf ? sa->conf->name : "?",
		ike_id_str(&sa->my_id, me, sizeof(me)),
		ike_id_str(&sa->peer_id, peer, sizeof(peer)),
		(unsigned long long)sa->spi_i, (unsigned long long)sa->spi_r);
	core_event(sa, IKE_EV_SA_UP, NULL);
	ike_sa_schedule_dpd(sa);
	ike_sa_schedule_rekey(sa);
	ike_sa_schedule_keepalive(sa);
	for (struct child_sa *ch = sa->children; ch; ch = ch->next)
		child_sa_schedule_rekey(sa, ch);
	collide_peer_link(sa);
}

void ike_sa_kill(struct ike_sa *sa, const char *why)
{
	struct ike_core *c = sa->core;

	if (sa->state == IKE_SA_DEAD)
		return;
	if (sa->state == IKE_SA_CONNECTING)
		c->stats.sa_failed++;
	sa_info(sa, "IKE SA deleted: %s", why);
	if (sa->collide_id) {
		/* the new SA the peer made in a rekey collision never got our
		 * CHILD SAs: it only waits for the peer's Delete now, 30 s at
		 * most (not killed here: callers may be iterating the tables) */
		struct ike_sa *n = ike_core_find(c, sa->collide_id);

		sa->collide_id = 0;
		if (n && n->collide_of == sa->unique_id)
			collide_release(sa, n);
	}
	while (sa->children)
		ike_sa_child_delete(sa, sa->children);
	if (sa->has_vip && sa->vip_leased && c->env.vip_release) {
		c->env.vip_release(c->env.ctx, &sa->vip);
		sa->has_vip = false;
	}
	core_event(sa, IKE_EV_SA_DOWN, NULL);
	ike_sa_timer_cancel(sa, &sa->rt_timer);
	ike_sa_timer_cancel(sa, &sa->dpd_timer);
	ike_sa_timer_cancel(sa, &sa->rekey_timer);
	ike_sa_timer_cancel(sa, &sa->setup_timer);
	ike_sa_timer_cancel(sa, &sa->keepalive_timer);
	ike_sa_set_state(sa, IKE_SA_DEAD);
	core_sa_unregister(c, sa);
}

/* --- children ---------------------------------------------------------- */

struct child_sa *child_sa_new(struct ike_sa *sa, const char *name)
{
	struct child_sa *ch = calloc(1, sizeof(*ch));

	if (!ch)
		return NULL;
	/* the id is known before the datapath installs it (its logs and
	 * expire events name the CHILD SA by it) */
	ch->unique_id = core_child_next_id(sa->core);
	snprintf(ch->name, sizeof(ch->name), "%s", name);
	ch->protocol = PROTO_ESP;
	ch->state = CHILD_SA_CREATING;
	return ch;
}

struct child_sa *ike_sa_child_by_spi_out(struct ike_sa *sa, uint32_t spi)
{
	for (struct child_sa *ch = sa->children; ch; ch = ch->next)
		if (ch->spi_out == spi)
			return ch;
	return NULL;
}

struct child_sa *ike_sa_child_by_spi_in(struct ike_sa *sa, uint32_t spi)
{
	for (struct child_sa *ch = sa->children; ch; ch = ch->next)
		if (ch->spi_in == spi)
			return ch;
	return NULL;
}

void ike_sa_child_delete(struct ike_sa *sa, struct child_sa *ch)
{
	struct ike_core *c = sa->core;
	struct child_sa **pp;

	for (pp = &sa->children; *pp && *pp != ch; pp = &(*pp)->next)
		;
	if (!*pp)
		return;
	*pp = ch->next;
	if (ch->state == CHILD_SA_INSTALLED) {
		if (c->env.child_uninstall)
			c->env.child_uninstall(c->env.ctx, sa, ch);
		sa_info(sa, "CHILD SA '%s' deleted (SPIs %08x_i %08x_o)", ch->name,
			ch->spi_in, ch->spi_out);
		core_event(sa, IKE_EV_CHILD_DOWN, ch);
	}
	core_child_unregister(c, ch);
	child_free(c, ch);
}

/* --- tasks ------------------------------------------------------------- */

bool ike_sa_enqueue(struct ike_sa *sa, struct task *t)
{
	struct task **pp;

	if (!t) {
		sa_error(sa, "out of memory queuing a task");
		return false;
	}
	for (pp = &sa->queued; *pp; pp = &(*pp)->next)
		;
	*pp = t;
	return true;
}

void ike_sa_queue_task(struct ike_sa *sa, struct task *t)
{
	if (ike_sa_enqueue(sa, t))
		ike_sa_initiate_next(sa);
}

/* IKE_SA_INIT and IKE_AUTH tasks travel together; later exchanges carry
 * one task each. */
void ike_sa_initiate_next(struct ike_sa *sa)
{
	struct task **tail, *t;
	uint8_t ex;

	if (sa->active || sa->req_in_flight || !sa->queued ||
	    sa->state == IKE_SA_DEAD)
		return;
	if (sa->state == IKE_SA_DELETING)
		return;
	ex = sa->queued->exchange;
	/* a rekeyed SA only sends its Delete */
	if (ex == CREATE_CHILD_SA && sa->state != IKE_SA_ESTABLISHED)
		return;
	if (ex == INFORMATIONAL && sa->state != IKE_SA_ESTABLISHED &&
	    sa->state != IKE_SA_REKEYED)
		return;
	tail = &sa->active;
	do {
		t = sa->queued;
		sa->queued = t->next;
		t->next = NULL;
		*tail = t;
		tail = &t->next;
	} while (sa->queued && sa->queued->exchange == ex &&
		 (ex == IKE_SA_INIT || ex == IKE_AUTH));
	sa->req_exchange = ex;
	exchange_send_request(sa);
}

void ike_dgrams_free(struct ike_dgrams *d)
{
	for (size_t i = 0; i < d->n; i++)
		chunk_free(&d->v[i]);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

void ike_sa_schedule_keepalive(struct ike_sa *sa)
{
	if (sa->nat_here && sa->core->env.keepalive)
		ike_sa_timer_arm(sa, &sa->keepalive_timer, IKE_KEEPALIVE_MS);
}
