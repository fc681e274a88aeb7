/* Collisions, back to back (tests/unit/ike_harness.h): simultaneous CHILD
 * and IKE rekeys (RFC 7296 2.8.1, 2.8.2), rekey against delete and CHILD
 * against IKE rekey (2.25), and simultaneous initiation of one connection
 * by two gateways. Both ends start their exchange before the queue moves;
 * a nonce hook decides which exchange holds the lowest nonce, and every
 * case runs in both orders. */
#include "check_main.h"
#include "ike_harness.h"

#define IKE_GCM "aes256gcm16-prfsha256-x25519"
#define ESP_GCM "aes256gcm16"

static struct hn H;

/* Nonce hook: the first nonce the "low" side makes after arming starts
 * with 0x00, every other nonce on both sides with 0xff, so the exchange
 * the low side initiates first holds the lowest of the four nonces. */
struct nonce_ctl {
	bool low, used;
};
static struct nonce_ctl NI, NR;

static void nonce_hook(void *ctx, struct chunk *n)
{
	struct nonce_ctl *c = ctx;

	n->ptr[0] = c->low && !c->used ? 0x00 : 0xff;
	c->used = true;
}

static void nonces_arm(bool i_low)
{
	NI = (struct nonce_ctl){ .low = i_low };
	NR = (struct nonce_ctl){ .low = !i_low };
	H.i.core->nonce_hook = nonce_hook;
	H.i.core->nonce_hook_ctx = &NI;
	H.r.core->nonce_hook = nonce_hook;
	H.r.core->nonce_hook_ctx = &NR;
}

static void setup_rw(void)
{
	hn_init(&H);
	hn_set_conf(&H.i, hn_conf("home", true, IKE_GCM, ESP_GCM));
	hn_set_conf(&H.r, hn_conf("rw", false, IKE_GCM, ESP_GCM));
	H.i.psk = H.r.psk = "k";
	hn_initiate(&H);
	hn_pump(&H);
	hn_assert_established(&H);
}

/* The rekey timers, fired by hand: both exchanges leave before any packet
 * moves. */
static void start_child_rekey(struct hn_peer *p)
{
	struct child_sa *ch = hn_sa(p)->children;

	ch->rekey_timer.fire(&ch->rekey_timer);
}

static void start_ike_rekey(struct hn_peer *p)
{
	struct ike_sa *sa = hn_sa(p);

	sa->rekey_timer.fire(&sa->rekey_timer);
}

static void start_ike_delete(struct hn_peer *p)
{
	ck_assert(ike_core_terminate(p->core, hn_sa(p)->unique_id));
}

static void start_child_delete(struct hn_peer *p)
{
	struct ike_sa *sa = hn_sa(p);

	core_enter(p->core);
	ike_sa_queue_task(sa, task_child_delete_new(sa, true, sa->children->spi_in));
	core_leave(p->core);
}

/* Deliver the first packet in the queue (and queue what it causes). */
static void deliver_first(void)
{
	struct hn_pkt p = H.q[0];

	memmove(&H.q[0], &H.q[1], (H.nq - 1) * sizeof(H.q[0]));
	H.nq--;
	ike_core_input(p.to->core, p.data, p.len, &p.ep);
	free(p.data);
}

static void swap_first_two(void)
{
	struct hn_pkt p = H.q[0];

	ck_assert_uint_ge(H.nq, 2);
	H.q[0] = H.q[1];
	H.q[1] = p;
}

/* Both ends started a rekey; r answers i's request and that answer
 * overtakes r's own request, so i completes before it sees r's request
 * (answered with TEMPORARY_FAILURE). Then i's Delete of the old SA and that
 * TEMPORARY_FAILURE reach r in the order _i picks. */
static void one_completes_first(int order)
{
	ck_assert_uint_eq(H.nq, 2);
	ck_assert(H.q[0].to == &H.r);
	deliver_first();		/* i's request at r */
	swap_first_two();		/* r's response before r's request */
	deliver_first();		/* i completes and sends its Delete */
	deliver_first();		/* r's request at i: TEMPORARY_FAILURE */
	ck_assert_uint_eq(H.nq, 2);
	if (order)
		swap_first_two();
	hn_pump(&H);
}

/* Nothing in flight or waiting on either side. */
static void assert_idle(struct ike_sa *sa)
{
	ck_assert_ptr_null(sa->active);
	ck_assert_ptr_null(sa->queued);
	ck_assert(!sa->req_in_flight);
	ck_assert_uint_eq(sa->collide_id, 0);
	ck_assert_uint_eq(sa->collide_of, 0);
	for (struct child_sa *ch = sa->children; ch; ch = ch->next) {
		ck_assert(!ch->rekeying);
		ck_assert(!ch->replaced);
		ck_assert_uint_eq(ch->collide_spi, 0);
	}
}

/* One established IKE SA on each side, the same one, with exactly one
 * CHILD SA (SPIs crossed), every install matched by an uninstall but that
 * one, nothing in flight. */
static void assert_settled(void)
{
	struct ike_sa *i = hn_sa(&H.i), *r = hn_sa(&H.r);

	ck_assert_uint_eq(H.nq, 0);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->sas, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->sas, 1);
	ck_assert_int_eq(i->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(r->state, IKE_SA_ESTABLISHED);
	ck_assert(i->spi_i == r->spi_i && i->spi_r == r->spi_r);
	ck_assert_ptr_nonnull(i->children);
	ck_assert_ptr_nonnull(r->children);
	ck_assert_ptr_null(i->children->next);
	ck_assert_ptr_null(r->children->next);
	ck_assert_uint_eq(i->children->spi_out, r->children->spi_in);
	ck_assert_uint_eq(i->children->spi_in, r->children->spi_out);
	ck_assert_uint_eq(H.i.installed - H.i.uninstalled, 1);
	ck_assert_uint_eq(H.r.installed - H.r.uninstalled, 1);
	assert_idle(i);
	assert_idle(r);
}

/* DPD both ways and a plain CHILD rekey still work. */
static void assert_still_works(void)
{
	struct ike_sa *i = hn_sa(&H.i), *r = hn_sa(&H.r);
	uint32_t mid_i = i->mid_out, mid_r = r->mid_out, in = i->children->spi_in;
	unsigned inst = H.i.installed;

	H.i.core->nonce_hook = H.r.core->nonce_hook = NULL;
	ck_assert(ike_core_dpd(H.i.core, i->unique_id));
	ck_assert(ike_core_dpd(H.r.core, r->unique_id));
	hn_pump(&H);
	ck_assert_uint_eq(i->mid_out, mid_i + 1);
	ck_assert_uint_eq(r->mid_out, mid_r + 1);
	start_child_rekey(&H.i);
	hn_pump(&H);
	ck_assert_uint_eq(H.i.installed, inst + 1);
	ck_assert_uint_ne(i->children->spi_in, in);
	assert_settled();
}

/* --- RFC 7296 2.8.1: both ends rekey the same CHILD SA ---------------- */

START_TEST(child_rekey_collision)
{
	bool i_low = _i == 0;
	struct hn_peer *loser = i_low ? &H.i : &H.r, *winner = i_low ? &H.r : &H.i;
	uint32_t old_in;
	char b[64];

	setup_rw();
	old_in = hn_sa(&H.i)->children->spi_in;
	nonces_arm(i_low);
	start_child_rekey(&H.i);
	start_child_rekey(&H.r);
	ck_assert_uint_eq(H.nq, 2);
	hn_pump(&H);
	assert_settled();
	/* both new SAs were made; the redundant one and the old one are gone */
	ck_assert_uint_eq(H.i.installed, 3);
	ck_assert_uint_eq(H.r.installed, 3);
	ck_assert_uint_ne(hn_sa(&H.i)->children->spi_in, old_in);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->rekey_collisions, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->rekey_collisions, 1);
	/* the survivor is the one the winner initiated; one rekey event */
	ck_assert(hn_sa(winner)->children->initiator);
	ck_assert(!hn_sa(loser)->children->initiator);
	ck_assert_uint_eq(winner->events[IKE_EV_CHILD_REKEYED], 1);
	ck_assert_uint_eq(loser->events[IKE_EV_CHILD_REKEYED], 0);
	/* the selectors stay those of the old SA (narrowed to the virtual IP),
	 * whichever end initiated the surviving rekey */
	ck_assert_str_eq(ts_str(&hn_sa(&H.r)->children->remote_ts[0], b, sizeof(b)), "10.3.0.1/32");
	ck_assert_str_eq(ts_str(&hn_sa(&H.i)->children->local_ts[0], b, sizeof(b)), "10.3.0.1/32");
	assert_still_works();
	hn_free(&H);
}
END_TEST

/* The peer's rekey request arrives after our own rekey completed: answered
 * with TEMPORARY_FAILURE, and the peer lets ours stand. */
START_TEST(child_rekey_collision_one_completes_first)
{
	uint32_t old_in;

	setup_rw();
	old_in = hn_sa(&H.i)->children->spi_in;
	start_child_rekey(&H.i);
	start_child_rekey(&H.r);
	one_completes_first(_i);
	assert_settled();
	/* i's rekey made the only new SA */
	ck_assert_uint_eq(H.i.installed, 2);
	ck_assert_uint_eq(H.r.installed, 2);
	ck_assert(hn_sa(&H.i)->children->initiator);
	ck_assert_uint_ne(hn_sa(&H.i)->children->spi_in, old_in);
	ck_assert_uint_eq(H.i.events[IKE_EV_CHILD_REKEYED] + H.r.events[IKE_EV_CHILD_REKEYED], 1);
	assert_still_works();
	hn_free(&H);
}
END_TEST

/* Our rekey is only queued (a DPD is in flight) when the peer's arrives:
 * the peer's is answered as usual and ours is dropped. */
START_TEST(child_rekey_queued_when_peer_rekeys)
{
	setup_rw();
	ck_assert(ike_core_dpd(H.i.core, hn_sa(&H.i)->unique_id));
	start_child_rekey(&H.i);
	ck_assert_ptr_nonnull(hn_sa(&H.i)->queued);
	start_child_rekey(&H.r);
	hn_pump(&H);
	assert_settled();
	ck_assert_uint_eq(H.i.installed, 2);
	ck_assert_uint_eq(H.r.installed, 2);
	ck_assert_uint_eq(H.r.events[IKE_EV_CHILD_REKEYED], 1);
	ck_assert_uint_eq(H.i.events[IKE_EV_CHILD_REKEYED], 0);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->rekey_collisions, 0);
	hn_free(&H);
}
END_TEST

/* --- RFC 7296 2.8.2: both ends rekey the IKE SA ------------------------ */

START_TEST(ike_rekey_collision)
{
	bool i_low = _i == 0;
	struct hn_peer *loser = i_low ? &H.i : &H.r;
	uint64_t old_spi;
	uint32_t child_in;
	struct ike_sa *i, *r;

	setup_rw();
	old_spi = hn_sa(&H.i)->spi_i;
	child_in = hn_sa(&H.i)->children->spi_in;
	nonces_arm(i_low);
	start_ike_rekey(&H.i);
	start_ike_rekey(&H.r);
	ck_assert_uint_eq(H.nq, 2);
	hn_pump(&H);
	assert_settled();
	i = hn_sa(&H.i);
	r = hn_sa(&H.r);
	ck_assert(i->spi_i != old_spi);
	/* the survivor was made by the winner's exchange */
	ck_assert(hn_sa(loser)->initiator == false);
	ck_assert(hn_sa(loser == &H.i ? &H.r : &H.i)->initiator == true);
	/* the CHILD SA and the virtual IP moved, nothing was uninstalled */
	ck_assert_uint_eq(i->children->spi_in, child_in);
	ck_assert_uint_eq(H.i.uninstalled + H.r.uninstalled, 0);
	ck_assert(r->has_vip && i->has_vip);
	ck_assert_uint_eq(H.r.vip_releases, 0);
	ck_assert_uint_eq(H.i.events[IKE_EV_SA_REKEYED], 1);
	ck_assert_uint_eq(H.r.events[IKE_EV_SA_REKEYED], 1);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->rekey_collisions, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->rekey_collisions, 1);
	/* the new SA has not been used yet: message IDs start at 0 */
	ck_assert_uint_eq(i->mid_out + i->mid_in + r->mid_out + r->mid_in, 0);
	assert_still_works();
	/* nothing waits for a timer to be cleaned up */
	hn_advance(&H, 31000);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->sas, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->sas, 1);
	ck_assert(ike_core_terminate(H.i.core, hn_sa(&H.i)->unique_id));
	hn_pump(&H);
	ck_assert_ptr_null(hn_sa(&H.i));
	ck_assert_ptr_null(hn_sa(&H.r));
	ck_assert_uint_eq(H.r.vip_releases, 1);
	ck_assert_uint_eq(H.i.installed, H.i.uninstalled);
	ck_assert_uint_eq(H.r.installed, H.r.uninstalled);
	hn_free(&H);
}
END_TEST

/* Both IKE rekeys cross, but i's message after its decision (the Delete
 * of its losing new SA, or of the old SA when it won) overtakes i's answer
 * to r's request. _i == 0: i's new SA loses; r sees its Delete while that
 * SA still waits and then settles by itself. _i == 1: i wins; r sees the
 * Delete of the old SA while its own rekey is in flight, hands the CHILD SA
 * to i's new SA and forgets its rekey; its new SA on i goes after 30 s. */
START_TEST(ike_rekey_collision_reordered)
{
	bool i_low = _i == 0;

	setup_rw();
	nonces_arm(i_low);
	start_ike_rekey(&H.i);
	start_ike_rekey(&H.r);
	deliver_first();	/* i's request at r: waits there */
	deliver_first();	/* r's request at i: waits here */
	deliver_first();	/* r's answer at i: i decides and sends a Delete */
	ck_assert_uint_eq(H.nq, 2);
	swap_first_two();	/* the Delete before i's answer to r */
	hn_pump(&H);
	if (!i_low) {
		ck_assert_uint_eq(ike_core_get_stats(H.i.core)->sas, 2);
		hn_advance(&H, 31000);
	}
	assert_settled();
	ck_assert(hn_sa(&H.i)->initiator == !i_low);
	ck_assert_uint_eq(H.i.uninstalled + H.r.uninstalled, 0);
	ck_assert(hn_sa(&H.i)->has_vip && hn_sa(&H.r)->has_vip);
	assert_still_works();
	hn_free(&H);
}
END_TEST

START_TEST(ike_rekey_collision_one_completes_first)
{
	uint64_t old_spi;

	setup_rw();
	old_spi = hn_sa(&H.i)->spi_i;
	start_ike_rekey(&H.i);
	start_ike_rekey(&H.r);
	one_completes_first(_i);
	assert_settled();
	ck_assert(hn_sa(&H.i)->spi_i != old_spi);
	ck_assert(hn_sa(&H.i)->initiator);	/* i's rekey made it */
	ck_assert_uint_eq(H.i.uninstalled + H.r.uninstalled, 0);
	ck_assert_uint_eq(H.i.events[IKE_EV_SA_REKEYED] + H.r.events[IKE_EV_SA_REKEYED], 2);
	assert_still_works();
	hn_free(&H);
}
END_TEST

/* --- RFC 7296 2.25 ----------------------------------------------------- */

/* i rekeys the CHILD SA r deletes: TEMPORARY_FAILURE, the SA is gone on
 * both ends and the rekey is not retried. */
START_TEST(child_rekey_vs_child_delete)
{
	struct ike_sa *i, *r;

	setup_rw();
	if (_i == 0) {
		start_child_rekey(&H.i);
		start_child_delete(&H.r);
	} else {
		start_child_delete(&H.r);
		start_child_rekey(&H.i);
	}
	hn_pump(&H);
	i = hn_sa(&H.i);
	r = hn_sa(&H.r);
	ck_assert_ptr_null(i->children);
	ck_assert_ptr_null(r->children);
	ck_assert_uint_eq(H.i.installed, H.i.uninstalled);
	ck_assert_uint_eq(H.r.installed, H.r.uninstalled);
	assert_idle(i);
	assert_idle(r);
	hn_advance(&H, 60000);
	ck_assert_ptr_null(hn_sa(&H.i)->children);
	ck_assert_uint_eq(H.i.installed, 1);
	hn_free(&H);
}
END_TEST

/* The peer does not know the CHILD SA we rekey: CHILD_SA_NOT_FOUND, we
 * drop it silently and create it from scratch. */
START_TEST(child_rekey_not_found)
{
	struct ike_sa *r;

	setup_rw();
	r = hn_sa(&H.r);
	core_enter(H.r.core);
	ike_sa_child_delete(r, r->children);	/* lost without a Delete */
	core_leave(H.r.core);
	start_child_rekey(&H.i);
	hn_pump(&H);
	assert_settled();
	ck_assert_uint_eq(H.i.installed, 2);
	ck_assert_uint_eq(H.r.installed, 2);
	ck_assert_uint_eq(H.i.events[IKE_EV_CHILD_REKEYED], 0);
	hn_free(&H);
}
END_TEST

/* A CHILD rekey against an IKE rekey: each refuses the other with
 * TEMPORARY_FAILURE, both retry after 10-30 s and settle. */
START_TEST(child_rekey_vs_ike_rekey)
{
	struct ike_sa *i, *r;
	uint64_t old_spi;

	setup_rw();
	old_spi = hn_sa(&H.i)->spi_i;
	if (_i == 0) {
		start_ike_rekey(&H.i);
		start_child_rekey(&H.r);
	} else {
		start_child_rekey(&H.i);
		start_ike_rekey(&H.r);
	}
	hn_pump(&H);
	i = hn_sa(&H.i);
	r = hn_sa(&H.r);
	/* both refused, nothing changed, nothing stuck */
	ck_assert_uint_eq(i->spi_i, old_spi);
	ck_assert_uint_eq(H.i.installed + H.r.installed, 2);
	assert_idle(i);
	assert_idle(r);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->sas, 1);
	hn_advance(&H, 31000);
	assert_settled();
	ck_assert(hn_sa(&H.i)->spi_i != old_spi);
	ck_assert_uint_eq(H.i.installed, 2);
	ck_assert_uint_eq(H.r.installed, 2);
	hn_free(&H);
}
END_TEST

/* i rekeys the IKE SA r deletes: TEMPORARY_FAILURE, everything is gone on
 * both ends, no new SA left over. */
START_TEST(ike_rekey_vs_ike_delete)
{
	setup_rw();
	if (_i == 0) {
		start_ike_rekey(&H.i);
		start_ike_delete(&H.r);
	} else {
		start_ike_delete(&H.r);
		start_ike_rekey(&H.i);
	}
	hn_pump(&H);
	ck_assert_ptr_null(hn_sa(&H.i));
	ck_assert_ptr_null(hn_sa(&H.r));
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->sas, 0);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->sas, 0);
	ck_assert_uint_eq(H.i.installed, H.i.uninstalled);
	ck_assert_uint_eq(H.r.installed, H.r.uninstalled);
	ck_assert_uint_eq(H.r.vip_releases, 1);
	hn_advance(&H, 60000);
	ck_assert_uint_eq(H.nq, 0);
	hn_free(&H);
}
END_TEST

/* One end deletes its CHILD SA while the other rekeys the IKE SA: the
 * rekey is refused (TEMPORARY_FAILURE, the CHILD SA would move under the
 * Delete), the CHILD SA goes on both ends, and the retried IKE rekey works.
 * _i: 0/1 i deletes (both orders), 2 r deletes and i's rekey response
 * would overtake r's Delete. */
START_TEST(child_delete_vs_ike_rekey)
{
	uint64_t old_spi;

	setup_rw();
	old_spi = hn_sa(&H.i)->spi_i;
	if (_i == 0) {
		start_child_delete(&H.i);
		start_ike_rekey(&H.r);
	} else if (_i == 1) {
		start_ike_rekey(&H.r);
		start_child_delete(&H.i);
	} else {
		start_ike_rekey(&H.i);
		start_child_delete(&H.r);
		deliver_first();	/* i's rekey at r */
		swap_first_two();	/* the answer before r's Delete */
	}
	hn_pump(&H);
	ck_assert_uint_eq(hn_sa(&H.i)->spi_i, old_spi);
	ck_assert_ptr_null(hn_sa(&H.i)->children);
	ck_assert_ptr_null(hn_sa(&H.r)->children);
	ck_assert_uint_eq(H.i.installed, H.i.uninstalled);
	ck_assert_uint_eq(H.r.installed, H.r.uninstalled);
	assert_idle(hn_sa(&H.i));
	assert_idle(hn_sa(&H.r));
	/* the refused rekey is tried again in 10-30 s */
	hn_advance(&H, 31000);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->sas, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->sas, 1);
	ck_assert(hn_sa(&H.i)->spi_i != old_spi);
	ck_assert(hn_sa(&H.i)->spi_i == hn_sa(&H.r)->spi_i);
	ck_assert_ptr_null(hn_sa(&H.i)->children);
	assert_idle(hn_sa(&H.i));
	assert_idle(hn_sa(&H.r));
	hn_free(&H);
}
END_TEST

/* A replaced CHILD SA the peer should delete but does not (its Delete is
 * lost and the peer forgets it, as a peer that lost a collision and never
 * deletes) is deleted by each end itself after 30 s. */
START_TEST(replaced_child_sa_deleted_after_30s)
{
	struct ike_sa *i;

	setup_rw();
	i = hn_sa(&H.i);
	start_child_rekey(&H.i);
	deliver_first();	/* request to r */
	deliver_first();	/* response to i */
	/* i's Delete of the old CHILD SA: lost, and i forgets it */
	ck_assert_uint_eq(H.nq, 1);
	free(H.q[0].data);
	H.nq = 0;
	ck_assert_ptr_nonnull(i->active);
	task_destroy(i->active);
	i->active = NULL;
	i->req_in_flight = false;
	ike_sa_timer_cancel(i, &i->rt_timer);
	ck_assert_ptr_nonnull(i->children->next);	/* old and new */
	i->children->next->state = CHILD_SA_INSTALLED;
	hn_advance(&H, 29000);
	ck_assert_ptr_nonnull(hn_sa(&H.r)->children->next);
	hn_advance(&H, 2000);
	assert_settled();
	ck_assert_uint_eq(H.i.installed, 2);
	ck_assert_uint_eq(H.r.installed, 2);
	hn_free(&H);
}
END_TEST

/* --- simultaneous initiation between two gateways ---------------------- */

static struct ike_conf *gw_conf(const char *name, const char *me, const char *peer,
				const char *lnet, const char *rnet)
{
	struct ike_conf *c = ike_conf_new(name);
	struct ike_child_conf *ch = &c->children[0];

	ck_assert(ike_prop_parse(PROTO_IKE, IKE_GCM, &c->props[0]));
	c->n_props = 1;
	ck_assert(ike_id_from_string(me, &c->local_id));
	ck_assert(ike_id_from_string(peer, &c->remote_id));
	c->n_children = 1;
	snprintf(ch->name, sizeof(ch->name), "net");
	ck_assert(ike_prop_parse(PROTO_ESP, ESP_GCM, &ch->props[0]));
	ch->n_props = 1;
	ck_assert(ike_ts_conf_parse(lnet, &ch->local_ts[0]));
	ck_assert(ike_ts_conf_parse(rnet, &ch->remote_ts[0]));
	ch->n_local_ts = ch->n_remote_ts = 1;
	return c;
}

START_TEST(simultaneous_initiation)
{
	bool i_low = _i == 0;
	struct hn_peer *low = i_low ? &H.i : &H.r;
	struct net_endpoints ei, er;

	hn_init(&H);
	hn_set_conf(&H.i, gw_conf("a-b", "gw-a.example", "gw-b.example", "10.1.0.0/24",
				  "10.2.0.0/24"));
	hn_set_conf(&H.r, gw_conf("b-a", "gw-b.example", "gw-a.example", "10.2.0.0/24",
				  "10.1.0.0/24"));
	H.i.psk = H.r.psk = "k";
	nonces_arm(i_low);
	ei = (struct net_endpoints){ .local = H.i.addr, .remote = H.r.addr };
	er = (struct net_endpoints){ .local = H.r.addr, .remote = H.i.addr };
	ck_assert_uint_ne(ike_core_initiate(H.i.core, "a-b", "net", &ei), 0);
	ck_assert_uint_ne(ike_core_initiate(H.r.core, "b-a", "net", &er), 0);
	ck_assert_uint_eq(H.nq, 2);
	hn_pump(&H);
	assert_settled();
	/* two were made, the one the low side initiated is gone */
	ck_assert_uint_eq(H.i.installed, 2);
	ck_assert_uint_eq(H.r.installed, 2);
	ck_assert_uint_eq(H.i.events[IKE_EV_SA_UP], 2);
	ck_assert_uint_eq(H.i.events[IKE_EV_SA_DOWN], 1);
	ck_assert_uint_eq(H.r.events[IKE_EV_SA_DOWN], 1);
	ck_assert(!hn_sa(low)->initiator);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->sa_duplicates, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->sa_duplicates, 1);
	assert_still_works();
	/* a later connection from the same peer is not a duplicate of ours
	 * when both are the peer's: nothing is deleted (covered by the role
	 * check); and the SA goes away cleanly */
	ck_assert(ike_core_terminate(H.i.core, hn_sa(&H.i)->unique_id));
	hn_pump(&H);
	ck_assert_ptr_null(hn_sa(&H.i));
	ck_assert_ptr_null(hn_sa(&H.r));
	ck_assert_uint_eq(H.i.installed, H.i.uninstalled);
	ck_assert_uint_eq(H.r.installed, H.r.uninstalled);
	hn_free(&H);
}
END_TEST

/* One side is established before the other initiates: still resolved. */
START_TEST(initiation_after_peer_established)
{
	struct net_endpoints ei, er;

	hn_init(&H);
	hn_set_conf(&H.i, gw_conf("a-b", "gw-a.example", "gw-b.example", "10.1.0.0/24",
				  "10.2.0.0/24"));
	hn_set_conf(&H.r, gw_conf("b-a", "gw-b.example", "gw-a.example", "10.2.0.0/24",
				  "10.1.0.0/24"));
	H.i.psk = H.r.psk = "k";
	nonces_arm(_i == 0);
	ei = (struct net_endpoints){ .local = H.i.addr, .remote = H.r.addr };
	er = (struct net_endpoints){ .local = H.r.addr, .remote = H.i.addr };
	ike_core_initiate(H.i.core, "a-b", "net", &ei);
	hn_pump(&H);
	ike_core_initiate(H.r.core, "b-a", "net", &er);
	hn_pump(&H);
	assert_settled();
	ck_assert_uint_eq(H.i.installed, 2);
	assert_still_works();
	hn_free(&H);
}
END_TEST

static Suite *ike_collide_suite(void)
{
	Suite *s = suite_create("ike_e2e_collide");
	TCase *tc = tcase_create("collisions");

	log_set_level(getenv("IKE_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	tcase_add_loop_test(tc, child_rekey_collision, 0, 2);
	tcase_add_loop_test(tc, child_rekey_collision_one_completes_first, 0, 2);
	tcase_add_test(tc, child_rekey_queued_when_peer_rekeys);
	tcase_add_loop_test(tc, ike_rekey_collision, 0, 2);
	tcase_add_loop_test(tc, ike_rekey_collision_reordered, 0, 2);
	tcase_add_loop_test(tc, ike_rekey_collision_one_completes_first, 0, 2);
	tcase_add_loop_test(tc, child_rekey_vs_child_delete, 0, 2);
	tcase_add_test(tc, child_rekey_not_found);
	tcase_add_loop_test(tc, child_rekey_vs_ike_rekey, 0, 2);
	tcase_add_loop_test(tc, ike_rekey_vs_ike_delete, 0, 2);
	tcase_add_loop_test(tc, child_delete_vs_ike_rekey, 0, 3);
	tcase_add_test(tc, replaced_child_sa_deleted_after_30s);
	tcase_add_loop_test(tc, simultaneous_initiation, 0, 2);
	tcase_add_loop_test(tc, initiation_after_peer_established, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ike_collide_suite)
