/* IKE SA rekeying with CREATE_CHILD_SA (RFC 7296 1.3.2, 2.18): a new IKE
 * SA with new SPIs, nonces and KE; SKEYSEED from the old SK_d. The CHILD
 * SAs and the virtual IP move to the new SA; the rekey initiator then
 * deletes the old SA.
 *
 * Collisions (RFC 7296 2.8.2, 2.25.2), as responder:
 *   our own IKE rekey in flight    -> answered as usual, but the new SA
 *     only waits (collide_of, no timers, no CHILD SAs) until our exchange
 *     completes; then the new SA with the lowest of the four nonces is
 *     deleted by its initiator and the other one gets the CHILD SAs; the
 *     initiator of the surviving SA deletes the old one
 *   the SA is being deleted or already rekeyed, or a CHILD SA exchange of
 *   ours (create, rekey, delete) is in flight -> TEMPORARY_FAILURE
 * As initiator: a refused rekey while the peer's new SA waits means the
 * peer's rekey got through first: that SA wins (so does a Delete of the
 * old SA from the peer, delete.c); otherwise we try again in 10-30 s. */
#include "ike/tasks/common.h"

#include "crypto/aead.h"
#include "crypto/ke.h"
#include "crypto/rng.h"
#include "ike/ike_prop.h"

#define NONCE_LEN 32

struct ike_rekey {
	struct task t;
	struct ike_sa *new_sa;		/* until it is registered */
	uint8_t spi[8];			/* our SPI of the new SA, wire order */
	struct chunk ke_pub;
	uint16_t notify, notify_data;
	uint8_t prop_num;
	bool collide;			/* responder: our own rekey is in flight */
};

static void spi_bytes(uint64_t spi, uint8_t out[8])
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(spi >> (56 - 8 * i));
}

static bool new_spi(struct ike_core *c, uint64_t *spi)
{
	do {
		if (!rng_bytes(spi, sizeof(*spi)))
			return false;
	} while (!*spi || htable_find(&c->by_spi, spi));
	return true;
}

static bool derive(struct ike_sa *old, struct ike_sa *n, const struct ike_pl_ke *peer)
{
	struct aead_alg alg = { n->alg.encr, n->alg.key_bits, n->alg.integ };
	struct chunk shared = { 0 };
	uint8_t si[8], sr[8];
	bool ok;

	if (!ke_compute(n->ke, peer->data.ptr, peer->data.len, &shared)) {
		sa_info(old, "rekey KE rejected: %s", ke_error(n->ke));
		return false;
	}
	spi_bytes(n->spi_i, si);
	spi_bytes(n->spi_r, sr);
	ok = keymat_ike_rekey(&old->keys, n->alg.prf, &alg, &shared, &n->ni, &n->nr,
			      si, sr, &n->keys) &&
	     keymat_ike_aeads(&n->keys, n->initiator, &n->aead_out, &n->aead_in);
	chunk_free(&shared);
	ke_free(n->ke);
	n->ke = NULL;
	return ok;
}

/* The new SA gets identities and conf and goes into the tables. */
static void link_new(struct ike_sa *old, struct ike_sa *n)
{
	if (!n->conf)
		n->conf = ike_conf_ref(old->conf);
	n->my_id = old->my_id;
	n->peer_id = old->peer_id;
	n->authenticated = true;
	n->nat_here = old->nat_here;
	n->nat_there = old->nat_there;
	core_sa_register(old->core, n);
	ike_sa_update_prefix(n);
}

/* The new SA (linked) takes over the virtual IP and the CHILD SAs. */
static void take_over(struct ike_sa *old, struct ike_sa *n)
{
	n->vip = old->vip;
	n->has_vip = old->has_vip;
	n->vip_leased = old->vip_leased;
	old->has_vip = old->vip_leased = false;
	n->children = old->children;
	old->children = NULL;
	for (struct child_sa *ch = n->children; ch; ch = ch->next)
		ch->sa = n;
	n->collide_of = 0;
	old->collide_id = 0;
	ike_sa_set_state(n, IKE_SA_ESTABLISHED);
	collide_peer_link(n);
	sa_info(n, "IKE SA rekeyed from ike#%u (SPIs %016llx_i %016llx_r)", old->unique_id,
		(unsigned long long)n->spi_i, (unsigned long long)n->spi_r);
	/* the old SA only waits for its Delete now */
	ike_sa_timer_cancel(old, &old->dpd_timer);
	ike_sa_timer_cancel(old, &old->rekey_timer);
	ike_sa_set_state(old, IKE_SA_REKEYED);
	ike_sa_timer_arm(old, &old->setup_timer, IKE_SETUP_TIMEOUT_MS);
	core_event(n, IKE_EV_SA_REKEYED, NULL);
	ike_sa_schedule_dpd(n);
	ike_sa_schedule_rekey(n);
	ike_sa_schedule_keepalive(n);
	ike_sa_timer_cancel(old, &old->keepalive_timer);
}

/* The new SA the peer made in a collision, while it waits; else NULL. */
static struct ike_sa *collide_peer_sa(struct ike_sa *old)
{
	struct ike_sa *np = old->collide_id ? ike_core_find(old->core, old->collide_id) : NULL;

	if (!np || np->collide_of != old->unique_id || np->state != IKE_SA_ESTABLISHED) {
		old->collide_id = 0;
		return NULL;
	}
	return np;
}

bool ike_rekey_peer_wins(struct ike_sa *old)
{
	struct ike_sa *np = collide_peer_sa(old);

	if (!np)
		return false;
	sa_info(old, "IKE rekey collision: the peer's rekey completed first, ike#%u replaces "
		"this SA", np->unique_id);
	take_over(old, np);
	return true;
}

static bool add_payloads(struct ike_rekey *r, struct ike_msg *m, struct ike_sa *n,
			 bool offer)
{
	struct ike_payload *ke;
	const struct chunk *nonce = n->initiator ? &n->ni : &n->nr;

	if (offer) {
		if (!prop_add_offer(m, n->conf->props, n->conf->n_props, n->ke_group,
				    r->spi, 8))
			return false;
	} else if (!prop_add_chosen(m, &n->alg, PROTO_IKE, r->prop_num, r->spi, 8)) {
		return false;
	}
	if (!ike_msg_add_data(m, PL_NONCE, nonce->ptr, nonce->len))
		return false;
	ke = ike_msg_add(m, PL_KE);
	if (!ke)
		return false;
	ke->ke.group = n->ke_group;
	ke->ke.data.ptr = r->ke_pub.ptr;
	ke->ke.data.len = r->ke_pub.len;
	return true;
}

/* --- initiator --------------------------------------------------------- */

static enum task_status build_i(struct task *t, struct ike_msg *m)
{
	struct ike_rekey *r = (struct ike_rekey *)t;
	struct ike_sa *sa = t->sa, *n = r->new_sa;

	if (!n) {
		n = r->new_sa = ike_sa_new(sa->core, true, &sa->ep);
		if (!n)
			return TASK_FAILED;
		n->conf = ike_conf_ref(sa->conf);
		n->ke_group = sa->alg.ke;
		if (!new_spi(sa->core, &n->spi_i) || !core_nonce(sa->core, &n->ni, NONCE_LEN))
			return TASK_FAILED;
		spi_bytes(n->spi_i, r->spi);
	}
	chunk_free(&r->ke_pub);
	ke_free(n->ke);
	n->ke = ke_create(n->ke_group);
	if (!n->ke || !ke_public(n->ke, &r->ke_pub))
		return TASK_FAILED;
	sa_info(sa, "rekeying the IKE SA");
	return add_payloads(r, m, n, true) ? TASK_MORE : TASK_FAILED;
}

/* Our rekey made n (linked) while the peer's new SA waits: RFC 7296 2.8.2.
 * True when n lost and is being deleted. */
static bool collide(struct ike_sa *old, struct ike_sa *n)
{
	struct ike_sa *np = collide_peer_sa(old);

	if (!np)
		return false;
	if (collide_loses(&n->ni, &n->nr, &np->ni, &np->nr)) {
		sa_info(old, "IKE rekey collision: our new ike#%u holds the lowest nonce and is "
			"deleted, the peer's ike#%u replaces this SA", n->unique_id, np->unique_id);
		ike_sa_set_state(n, IKE_SA_ESTABLISHED);
		take_over(old, np);
		ike_sa_queue_task(n, task_delete_new(n, true));
		return true;
	}
	sa_info(old, "IKE rekey collision: the peer's new ike#%u holds the lowest nonce and is "
		"deleted by the peer, our ike#%u replaces this SA", np->unique_id, n->unique_id);
	collide_release(old, np);
	return false;
}

static enum task_status process_i(struct task *t, const struct ike_msg *m)
{
	struct ike_rekey *r = (struct ike_rekey *)t;
	struct ike_sa *sa = t->sa, *n = r->new_sa;
	const struct ike_payload *p, *sap, *ke, *nonce;
	struct ike_bytes spi;

	if (msg_error_notify(m) && ike_rekey_peer_wins(sa))
		return TASK_DONE;
	if ((p = ike_msg_find_notify(m, N_INVALID_KE_PAYLOAD)) && p->notify.data.len == 2) {
		n->ke_group = (uint16_t)(p->notify.data.ptr[0] << 8 | p->notify.data.ptr[1]);
		sa_info(sa, "peer wants %s for the rekey", ke_group_name(n->ke_group));
		/* a new exchange with a new message ID */
		ike_sa_queue_task(sa, task_ike_rekey_new(sa, true));
		return TASK_DONE;
	}
	if ((p = msg_error_notify(m))) {
		sa_info(sa, "IKE rekey refused: %s, trying again later",
			notify_name(p->notify.type));
		ike_sa_timer_arm(sa, &sa->rekey_timer, ike_sa_retry_delay());
		return TASK_DONE;
	}
	sap = ike_msg_find(m, PL_SA);
	ke = ike_msg_find(m, PL_KE);
	nonce = ike_msg_find(m, PL_NONCE);
	if (!sap || !ke || !nonce ||
	    !prop_accept_reply(sa->conf->props, sa->conf->n_props, &sap->sa, PROTO_IKE, 0,
			       &n->alg, &spi) || spi.len != 8 || n->alg.ke != ke->ke.group ||
	    ke->ke.group != n->ke_group ||
	    !chunk_dup(&n->nr, nonce->data.data.ptr, nonce->data.data.len)) {
		sa_error(sa, "unacceptable IKE rekey response");
		return TASK_DONE;
	}
	for (int i = 0; i < 8; i++)
		n->spi_r = n->spi_r << 8 | spi.ptr[i];
	if (!derive(sa, n, &ke->ke)) {
		sa_error(sa, "IKE rekey key derivation failed");
		return TASK_DONE;
	}
	r->new_sa = NULL;
	link_new(sa, n);
	if (collide(sa, n))
		return TASK_DONE;
	take_over(sa, n);
	ike_sa_queue_task(sa, task_delete_new(sa, true));
	return TASK_DONE;
}

/* --- responder --------------------------------------------------------- */

static enum task_status process_r(struct task *t, const struct ike_msg *m)
{
	struct ike_rekey *r = (struct ike_rekey *)t;
	struct ike_sa *sa = t->sa, *n;
	const struct ike_payload *sap = ike_msg_find(m, PL_SA);
	const struct ike_payload *ke = ike_msg_find(m, PL_KE);
	const struct ike_payload *nonce = ike_msg_find(m, PL_NONCE);
	struct ike_chosen alg;
	struct ike_bytes spi;

	if (!sap || !ke || !nonce) {
		r->notify = N_INVALID_SYNTAX;
		return TASK_DONE;
	}
	if (sa->state != IKE_SA_ESTABLISHED || sa->collide_id ||
	    (sa->active && (sa->active->ops->type == TASK_CHILD_CREATE ||
			    sa->active->ops->type == TASK_CHILD_DELETE))) {
		/* RFC 7296 2.25.2: we are closing it or it is already rekeyed;
		 * or a CHILD SA exchange of ours (create, rekey, delete) is in
		 * flight: its CHILD SA would move under it */
		sa_info(sa, "IKE rekey request while %s: TEMPORARY_FAILURE",
			sa->state != IKE_SA_ESTABLISHED ? "the SA is going away" :
			sa->collide_id ? "a rekey collision waits" : "a CHILD SA exchange runs");
		r->notify = N_TEMPORARY_FAILURE;
		return TASK_DONE;
	}
	r->collide = sa->active && sa->active->ops->type == TASK_IKE_REKEY;
	if (!prop_select(sa->conf->props, sa->conf->n_props, &sap->sa, PROTO_IKE,
			 ke->ke.group, &alg, &r->prop_num, &spi) || spi.len != 8) {
		r->notify = N_NO_PROPOSAL_CHOSEN;
		return TASK_DONE;
	}
	if (alg.ke != ke->ke.group) {
		r->notify = N_INVALID_KE_PAYLOAD;
		r->notify_data = alg.ke;
		return TASK_DONE;
	}
	n = r->new_sa = ike_sa_new(sa->core, false, &sa->ep);
	if (!n) {
		r->notify = N_TEMPORARY_FAILURE;
		return TASK_DONE;
	}
	n->alg = alg;
	n->ke_group = alg.ke;
	for (int i = 0; i < 8; i++)
		n->spi_i = n->spi_i << 8 | spi.ptr[i];
	n->ke = ke_create(n->ke_group);
	if (!new_spi(sa->core, &n->spi_r) || !n->ke || !ke_public(n->ke, &r->ke_pub) ||
	    !chunk_dup(&n->ni, nonce->data.data.ptr, nonce->data.data.len) ||
	    !core_nonce(sa->core, &n->nr, NONCE_LEN) || !derive(sa, n, &ke->ke)) {
		r->notify = N_NO_PROPOSAL_CHOSEN;
		return TASK_DONE;
	}
	spi_bytes(n->spi_r, r->spi);
	return TASK_DONE;
}

static enum task_status build_r(struct task *t, struct ike_msg *m)
{
	struct ike_rekey *r = (struct ike_rekey *)t;
	struct ike_sa *n = r->new_sa;

	if (r->notify) {
		uint8_t d[2] = { (uint8_t)(r->notify_data >> 8), (uint8_t)r->notify_data };

		ike_msg_add_notify(m, 0, r->notify, NULL, 0,
				   r->notify_data ? ike_msg_dup(m, d, 2) : NULL,
				   r->notify_data ? 2 : 0);
		return TASK_DONE;
	}
	if (!add_payloads(r, m, n, false))
		return TASK_FAILED;
	r->new_sa = NULL;
	link_new(t->sa, n);
	if (r->collide) {
		/* RFC 7296 2.8.2: both rekeyed; the nonces decide when ours is done */
		ike_sa_set_state(n, IKE_SA_ESTABLISHED);
		n->collide_of = t->sa->unique_id;
		t->sa->collide_id = n->unique_id;
		t->sa->core->stats.rekey_collisions++;
		sa_info(t->sa, "IKE rekey collision: the peer rekeys this SA too, its ike#%u waits "
			"for our rekey", n->unique_id);
		return TASK_DONE;
	}
	take_over(t->sa, n);
	return TASK_DONE;
}

static void destroy(struct task *t)
{
	struct ike_rekey *r = (struct ike_rekey *)t;

	if (r->new_sa) {
		/* never registered: free directly */
		ike_sa_free(r->new_sa);
	}
	chunk_free(&r->ke_pub);
	free(r);
}

static const struct task_ops ops_i = { TASK_IKE_REKEY, "ike_rekey", build_i, process_i, destroy };
static const struct task_ops ops_r = { TASK_IKE_REKEY, "ike_rekey", build_r, process_r, destroy };

struct task *task_ike_rekey_new(struct ike_sa *sa, bool initiator)
{
	return task_alloc(sizeof(struct ike_rekey), sa, initiator,
			  initiator ? &ops_i : &ops_r, CREATE_CHILD_SA);
}
