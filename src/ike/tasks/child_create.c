/* CHILD SA creation in IKE_AUTH and CREATE_CHILD_SA (RFC 7296 1.3.1, 2.9,
 * 2.17): ESP proposal with our inbound SPI, traffic selector narrowing,
 * CHILD keys, hand-over to the datapath (env child_install). A CHILD SA
 * that fails does not take the IKE SA down. A CREATE_CHILD_SA with
 * REKEY_SA creates the new CHILD SA; the initiator deletes the old one.
 *
 * Collisions (RFC 7296 2.8.1, 2.25.1), as responder to a REKEY_SA:
 *   old SA unknown                      -> CHILD_SA_NOT_FOUND
 *   old SA being deleted or already replaced, IKE SA rekeying or
 *   going away                          -> TEMPORARY_FAILURE
 *   our own rekey of it in flight       -> answered as usual; the peer's
 *     new SA and its nonces are kept on the old SA (collide_*), and when
 *     our exchange completes the one with the lowest of the four nonces
 *     is deleted by us if it is ours (collide_loses); the initiator of the
 *     surviving one deletes the old SA
 *   our own rekey of it only queued     -> answered as usual, ours dropped
 * As initiator: TEMPORARY_FAILURE after the peer took our rekey into a
 * collision means its own rekey got through first (its SA stays);
 * otherwise the rekey is tried again in 10-30 s. CHILD_SA_NOT_FOUND drops
 * the old SA silently and creates the CHILD SA anew. An old SA the peer
 * deleted while our rekey was in flight takes the new one with it. */
#include "ike/tasks/common.h"

#include <netinet/in.h>
#include <stdio.h>

#include "crypto/aead.h"
#include "crypto/ke.h"
#include "crypto/rng.h"
#include "ike/ike_prop.h"
#include "ike/ike_ts.h"

#define NONCE_LEN 32

struct child_create {
	struct task t;
	char name[IKE_NAME_MAX];
	struct child_sa *child;		/* until installed */
	uint8_t spi[4];			/* our inbound SPI, wire order */
	uint16_t notify;		/* responder: error to send */
	bool transport;
	struct chunk ni, nr;		/* CREATE_CHILD_SA nonces */
	uint8_t prop_num;
	struct ike_ts tsi[CHILD_MAX_TS], tsr[CHILD_MAX_TS];
	size_t ntsi, ntsr;
	bool has_sa;			/* responder: the request carried an SA */
	struct ike_chosen alg;		/* responder: the selected proposal */
	uint32_t rekey_spi;		/* initiator: inbound SPI of the old child */
	uint32_t rekey_of;		/* responder: outbound SPI of the old child */
	uint8_t rekey_spi_b[4];
	bool collide;			/* responder: our rekey of the same SA is in flight */
	struct ke *ke;			/* PFS */
	struct chunk ke_pub, shared;
	uint16_t ke_group;
};

static bool alloc_spi(struct child_create *cc)
{
	const struct ike_env *env = task_env(&cc->t);
	uint32_t spi = 0;

	if (env->spi_alloc) {
		if (!env->spi_alloc(env->ctx, &spi))
			return false;
	} else {
		do {
			if (!rng_bytes(&spi, sizeof(spi)))
				return false;
		} while (spi < 256);
	}
	cc->child->spi_in = spi;
	for (int i = 0; i < 4; i++)
		cc->spi[i] = (uint8_t)(spi >> (24 - 8 * i));
	return true;
}

static size_t ts_list(const struct ike_ts_conf *c, size_t n,
		      const struct sockaddr_storage *dyn, struct ike_ts *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < CHILD_MAX_TS; i++)
		if (ts_from_conf(&c[i], dyn, &out[k]))
			k++;
	return k;
}

static size_t ts_copy(const struct ike_payload *p, struct ike_ts *out)
{
	size_t k = 0;

	for (size_t i = 0; p && i < p->ts.nts && k < CHILD_MAX_TS; i++)
		if (!ike_ts_is_empty(&p->ts.ts[i]) && ike_ts_addr_len(p->ts.ts[i].type))
			out[k++] = p->ts.ts[i];
	return k;
}

/* Derive keys, hand to the datapath, link into the SA. old: the CHILD SA
 * this one rekeys, or NULL. */
static bool install(struct child_create *cc, struct child_sa *old)
{
	struct ike_sa *sa = cc->t.sa;
	struct child_sa *ch = cc->child;
	const struct ike_env *env = task_env(&cc->t);
	struct aead_alg alg = { ch->alg.encr, ch->alg.key_bits, ch->alg.integ };
	const struct chunk *ni = cc->ni.len ? &cc->ni : &sa->ni;
	const struct chunk *nr = cc->nr.len ? &cc->nr : &sa->nr;
	char a[64], b[64];

	/* ChaCha20-Poly1305 has no Key Length attribute (RFC 7634 2): 256 */
	if (alg.encr == ENCR_CHACHA20_POLY1305 && !alg.key_bits)
		alg.key_bits = 256;
	if (!keymat_child_derive(&sa->keys, &alg, cc->shared.len ? &cc->shared : NULL,
				 ni, nr, &ch->keys)) {
		sa_error(sa, "CHILD SA '%s': key derivation failed", ch->name);
		return false;
	}
	ch->encap = sa->nat_here || sa->nat_there;
	ch->initiator = cc->t.initiator;
	ch->reqid = old ? old->reqid : sa->core->next_reqid++;
	if (env->child_install && !env->child_install(env->ctx, sa, ch)) {
		sa_error(sa, "CHILD SA '%s': the datapath refused it", ch->name);
		return false;
	}
	ch->state = CHILD_SA_INSTALLED;
	ch->next = sa->children;
	sa->children = ch;
	core_child_register(sa->core, ch);
	child_sa_schedule_rekey(sa, ch);
	if (old)
		child_sa_replaced(sa, old);
	cc->child = NULL;
	sa->core->stats.child_installed++;
	sa_info(sa, "CHILD SA '%s' installed, SPIs %08x_i %08x_o, %s === %s%s", ch->name,
		ch->spi_in, ch->spi_out, ts_str(&ch->local_ts[0], a, sizeof(a)),
		ts_str(&ch->remote_ts[0], b, sizeof(b)), ch->encap ? " (UDP encap)" : "");
	core_event(sa, IKE_EV_CHILD_UP, ch);
	return true;
}

static bool peer_spi(const struct ike_bytes *spi, uint32_t *out)
{
	if (spi->len != 4)
		return false;
	*out = (uint32_t)spi->ptr[0] << 24 | (uint32_t)spi->ptr[1] << 16 |
	       (uint32_t)spi->ptr[2] << 8 | spi->ptr[3];
	return *out != 0;
}

static const struct task_ops ops_i;

/* What "dynamic" selectors stand for: the virtual IP where there is one
 * (ours when the peer gave us one, the peer's when we leased it one),
 * else the IKE SA's addresses. */
static void dynamic_hosts(const struct ike_sa *sa, const struct sockaddr_storage **me,
			  const struct sockaddr_storage **peer)
{
	*me = sa->has_vip && !sa->vip_leased ? &sa->vip.addr : &sa->ep.local;
	*peer = sa->has_vip && sa->vip_leased ? &sa->vip.addr : &sa->ep.remote;
}

/* Our rekey of the CHILD SA with inbound SPI spi_in: in flight (active)
 * or waiting in the queue. */
static struct task **rekey_task(struct task **list, uint32_t spi_in)
{
	for (; *list; list = &(*list)->next)
		if ((*list)->ops == &ops_i && ((struct child_create *)*list)->rekey_spi == spi_in)
			return list;
	return NULL;
}

static void collide_clear(struct child_sa *old)
{
	old->collide_spi = 0;
	chunk_free(&old->collide_ni);
	chunk_free(&old->collide_nr);
}

/* --- initiator --------------------------------------------------------- */

static enum task_status build_i(struct task *t, struct ike_msg *m)
{
	struct child_create *cc = (struct child_create *)t;
	struct ike_sa *sa = t->sa;
	struct ike_child_conf *conf = ike_conf_child(sa->conf, cc->name);
	const struct sockaddr_storage *me, *peer;
	struct child_sa *old = cc->rekey_spi ? ike_sa_child_by_spi_in(sa, cc->rekey_spi) : NULL;

	if (!conf)
		return TASK_DONE;
	dynamic_hosts(sa, &me, &peer);
	if (sa->conf->want_vip4 && me != &sa->vip.addr)
		me = NULL;	/* the virtual IP we ask for is not ours yet */
	if (!cc->child) {
		cc->child = child_sa_new(sa, conf->name);
		if (!cc->child || !alloc_spi(cc))
			return TASK_FAILED;
	}
	cc->child->mode = conf->mode;
	if (old && old->n_local_ts && old->n_remote_ts) {
		/* a rekey proposes the selectors the old CHILD SA has */
		memcpy(cc->tsi, old->local_ts, old->n_local_ts * sizeof(cc->tsi[0]));
		memcpy(cc->tsr, old->remote_ts, old->n_remote_ts * sizeof(cc->tsr[0]));
		cc->ntsi = old->n_local_ts;
		cc->ntsr = old->n_remote_ts;
	} else {
		cc->ntsi = ts_list(conf->local_ts, conf->n_local_ts, me, cc->tsi);
		cc->ntsr = ts_list(conf->remote_ts, conf->n_remote_ts, peer, cc->tsr);
	}
	if (!cc->ntsi || !cc->ntsr)
		return TASK_FAILED;
	if (t->exchange == CREATE_CHILD_SA) {
		if (!cc->ni.len && !core_nonce(sa->core, &cc->ni, NONCE_LEN))
			return TASK_FAILED;
		if (!ike_msg_add_data(m, PL_NONCE, cc->ni.ptr, cc->ni.len))
			return TASK_FAILED;
		/* PFS: a KE of the first group of our first proposal */
		if (conf->n_props && conf->props[0].n_ke) {
			struct ike_payload *ke;

			if (!cc->ke_group)
				cc->ke_group = conf->props[0].ke[0];
			chunk_free(&cc->ke_pub);
			ke_free(cc->ke);
			cc->ke = ke_create(cc->ke_group);
			if (!cc->ke || !ke_public(cc->ke, &cc->ke_pub) ||
			    !(ke = ike_msg_add(m, PL_KE)))
				return TASK_FAILED;
			ke->ke.group = cc->ke_group;
			ke->ke.data.ptr = cc->ke_pub.ptr;
			ke->ke.data.len = cc->ke_pub.len;
		}
		if (cc->rekey_spi) {
			for (int i = 0; i < 4; i++)
				cc->rekey_spi_b[i] = (uint8_t)(cc->rekey_spi >> (24 - 8 * i));
			if (!ike_msg_add_notify(m, PROTO_ESP, N_REKEY_SA, cc->rekey_spi_b, 4,
						NULL, 0))
				return TASK_FAILED;
		}
	}
	if (conf->mode == IKE_MODE_TRANSPORT &&
	    !ike_msg_add_notify(m, 0, N_USE_TRANSPORT_MODE, NULL, 0, NULL, 0))
		return TASK_FAILED;
	if (!prop_add_offer(m, conf->props, conf->n_props,
			    t->exchange == IKE_AUTH ? PROP_NO_KE : cc->ke_group, cc->spi, 4) ||
	    !ts_add_payload(m, PL_TSI, cc->tsi, cc->ntsi) ||
	    !ts_add_payload(m, PL_TSR, cc->tsr, cc->ntsr))
		return TASK_FAILED;
	return TASK_MORE;
}

/* Our rekey of old was refused with notify type. */
static void rekey_refused(struct child_create *cc, struct child_sa *old, uint16_t type)
{
	struct ike_sa *sa = cc->t.sa;
	char name[IKE_NAME_MAX];

	old->rekeying = false;
	if (old->collide_spi) {
		/* the peer had rekeyed it before our request arrived: its new
		 * SA stays and the peer deletes the old one */
		sa_info(sa, "CHILD SA '%s' %08x_i: rekey collision, the peer's rekey (%08x_i) "
			"completed first, ours was refused", old->name, old->spi_in, old->collide_spi);
		collide_clear(old);
		return;
	}
	if (type == N_CHILD_SA_NOT_FOUND) {
		/* RFC 7296 2.25: the peer does not know it; drop it silently
		 * and create the CHILD SA from scratch */
		snprintf(name, sizeof(name), "%s", old->name);
		sa_info(sa, "CHILD SA '%s' %08x_i unknown to the peer, creating it anew", name,
			old->spi_in);
		ike_sa_child_delete(sa, old);
		for (struct child_sa *ch = sa->children; ch; ch = ch->next)
			if (strcmp(ch->name, name) == 0)
				return;
		ike_sa_queue_task(sa, task_child_create_new(sa, true, name, CREATE_CHILD_SA));
		return;
	}
	if (old->replaced || old->state != CHILD_SA_INSTALLED)
		return;		/* replaced or deleted by the peer meanwhile */
	/* a refused rekey is tried again in a while (RFC 7296 2.25) */
	ike_sa_timer_arm(sa, &old->rekey_timer, ike_sa_retry_delay());
}

/* Our rekey of the CHILD SA with inbound SPI cc->rekey_spi got its new SA
 * (cc->child, complete): install it and settle who deletes what. */
static void rekey_done(struct child_create *cc)
{
	struct ike_sa *sa = cc->t.sa;
	struct child_sa *old = ike_sa_child_by_spi_in(sa, cc->rekey_spi), *ch = cc->child, *red;

	if (!old) {
		/* RFC 7296 2.25.1: the peer deleted it while we were rekeying
		 * it (or deleted it as the winner of a collision): the new SA
		 * goes too */
		if (!install(cc, NULL))
			return;
		sa_info(sa, "CHILD SA '%s' %08x_i was deleted during its rekey, deleting the new "
			"%08x_i", ch->name, cc->rekey_spi, ch->spi_in);
		child_sa_replaced(sa, ch);
		ike_sa_queue_task(sa, task_child_delete_new(sa, true, ch->spi_in));
		return;
	}
	old->rekeying = false;
	if (old->collide_spi) {
		bool lost = collide_loses(&cc->ni, &cc->nr, &old->collide_ni, &old->collide_nr);
		uint32_t theirs = old->collide_spi;

		collide_clear(old);
		if (!install(cc, old))
			return;
		if (lost) {
			/* RFC 7296 2.8.1: ours is redundant; the peer deletes the old */
			sa_info(sa, "CHILD SA '%s' %08x_i: rekey collision, our new %08x_i holds the "
				"lowest nonce and is deleted, the peer's %08x_i stays", ch->name,
				old->spi_in, ch->spi_in, theirs);
			child_sa_replaced(sa, ch);
			ike_sa_queue_task(sa, task_child_delete_new(sa, true, ch->spi_in));
			return;
		}
		sa_info(sa, "CHILD SA '%s' %08x_i: rekey collision, the peer's new %08x_i holds the "
			"lowest nonce and is deleted by the peer, our %08x_i stays", ch->name,
			old->spi_in, theirs, ch->spi_in);
		/* the peer deletes it; if it does not, we do after 30 s */
		if ((red = ike_sa_child_by_spi_in(sa, theirs)))
			child_sa_replaced(sa, red);
	} else if (!install(cc, old)) {
		return;
	}
	sa_info(sa, "CHILD SA '%s' rekeyed, deleting the old one", ch->name);
	core_event(sa, IKE_EV_CHILD_REKEYED, old);
	ike_sa_queue_task(sa, task_child_delete_new(sa, true, cc->rekey_spi));
}

static enum task_status process_i(struct task *t, const struct ike_msg *m)
{
	struct child_create *cc = (struct child_create *)t;
	struct ike_sa *sa = t->sa;
	struct ike_child_conf *conf = ike_conf_child(sa->conf, cc->name);
	const struct ike_payload *p = msg_error_notify(m), *sap, *nonce;
	struct child_sa *ch = cc->child;
	struct child_sa *old = cc->rekey_spi ? ike_sa_child_by_spi_in(sa, cc->rekey_spi) : NULL;
	struct ike_bytes spi;

	if (!conf || !ch || sa->state != IKE_SA_ESTABLISHED) {
		if (old)
			old->rekeying = false;
		return TASK_DONE;
	}
	if (p) {
		sa_error(sa, "CHILD SA '%s' failed: peer sent %s", ch->name,
			 notify_name(p->notify.type));
		if (old)
			rekey_refused(cc, old, p->notify.type);
		return TASK_DONE;
	}
	sap = ike_msg_find(m, PL_SA);
	if (!sap || !prop_accept_reply(conf->props, conf->n_props, &sap->sa, PROTO_ESP,
				       t->exchange == IKE_AUTH ? PROP_NO_KE : cc->ke_group,
				       &ch->alg, &spi) || !peer_spi(&spi, &ch->spi_out)) {
		sa_error(sa, "CHILD SA '%s': unacceptable proposal in the response", ch->name);
		goto fail;
	}
	ch->n_local_ts = ts_copy(ike_msg_find(m, PL_TSI), ch->local_ts);
	ch->n_remote_ts = ts_copy(ike_msg_find(m, PL_TSR), ch->remote_ts);
	if (!ch->n_local_ts || !ch->n_remote_ts) {
		sa_error(sa, "CHILD SA '%s': no traffic selectors in the response", ch->name);
		goto fail;
	}
	if (conf->mode == IKE_MODE_TRANSPORT && !ike_msg_find_notify(m, N_USE_TRANSPORT_MODE))
		ch->mode = IKE_MODE_TUNNEL;
	if (t->exchange == CREATE_CHILD_SA) {
		const struct ike_payload *ke = ike_msg_find(m, PL_KE);

		nonce = ike_msg_find(m, PL_NONCE);
		if (!nonce || !chunk_dup(&cc->nr, nonce->data.data.ptr, nonce->data.data.len))
			goto fail;
		if (cc->ke && (!ke || ke->ke.group != cc->ke_group || ch->alg.ke != cc->ke_group ||
			       !ke_compute(cc->ke, ke->ke.data.ptr, ke->ke.data.len, &cc->shared))) {
			sa_error(sa, "CHILD SA '%s': PFS key exchange failed", ch->name);
			goto fail;
		}
	}
	if (cc->rekey_spi)
		rekey_done(cc);
	else
		install(cc, NULL);
	return TASK_DONE;
fail:
	if (old)
		old->rekeying = false;
	return TASK_DONE;
}

/* --- responder --------------------------------------------------------- */

static enum task_status process_r(struct task *t, const struct ike_msg *m)
{
	struct child_create *cc = (struct child_create *)t;
	struct ike_sa *sa = t->sa;
	const struct ike_payload *sap = ike_msg_find(m, PL_SA), *p;
	struct ike_ts pi[CHILD_MAX_TS], pr[CHILD_MAX_TS], al[CHILD_MAX_TS], ar[CHILD_MAX_TS];
	size_t npi, npr;
	struct ike_child_conf *conf = NULL;
	struct ike_chosen alg;
	struct ike_bytes spi;
	uint32_t spi_out;
	const struct sockaddr_storage *me, *peer;
	const char *old_name = NULL;
	struct child_sa *rekey_o = NULL;

	if (!sap)
		return TASK_DONE;	/* childless IKE_AUTH */
	cc->has_sa = true;
	dynamic_hosts(sa, &me, &peer);
	if (t->exchange == CREATE_CHILD_SA &&
	    (sa->state != IKE_SA_ESTABLISHED ||
	     (sa->active && sa->active->ops->type == TASK_IKE_REKEY))) {
		/* RFC 7296 2.25: a rekey or delete of the IKE SA is under way */
		sa_info(sa, "CREATE_CHILD_SA while the IKE SA is %s: TEMPORARY_FAILURE",
			sa->state == IKE_SA_ESTABLISHED ? "being rekeyed" : "going away");
		cc->notify = N_TEMPORARY_FAILURE;
		return TASK_DONE;
	}
	if ((p = ike_msg_find_notify(m, N_REKEY_SA)) && p->notify.spi.len == 4) {
		uint32_t old = (uint32_t)p->notify.spi.ptr[0] << 24 |
			       (uint32_t)p->notify.spi.ptr[1] << 16 |
			       (uint32_t)p->notify.spi.ptr[2] << 8 | p->notify.spi.ptr[3];
		/* the peer names its inbound SPI: our outbound one */
		struct child_sa *o = ike_sa_child_by_spi_out(sa, old);

		memcpy(cc->rekey_spi_b, p->notify.spi.ptr, 4);
		if (!o) {
			sa_info(sa, "rekey of unknown CHILD SA %08x: CHILD_SA_NOT_FOUND", old);
			cc->notify = N_CHILD_SA_NOT_FOUND;
			return TASK_DONE;
		}
		if (o->state != CHILD_SA_INSTALLED || o->replaced) {
			/* RFC 7296 2.25.1: we are closing it (or our rekey of it
			 * completed and the old one is on its way out) */
			sa_info(sa, "CHILD SA '%s' %08x_i is %s: TEMPORARY_FAILURE to its rekey",
				o->name, o->spi_in, o->replaced ? "already rekeyed" : "being deleted");
			cc->notify = N_TEMPORARY_FAILURE;
			return TASK_DONE;
		}
		if (o->rekeying && rekey_task(&sa->active, o->spi_in)) {
			/* RFC 7296 2.8.1: answered as usual, decided by nonces */
			sa_info(sa, "CHILD SA '%s' %08x_i: rekey collision, the peer rekeys it too",
				o->name, o->spi_in);
			cc->collide = true;
		}
		old_name = o->name;
		rekey_o = o;
		cc->rekey_of = old;
	}
	if (t->exchange == CREATE_CHILD_SA) {
		const struct ike_payload *nonce = ike_msg_find(m, PL_NONCE);

		if (!nonce || !chunk_dup(&cc->ni, nonce->data.data.ptr, nonce->data.data.len) ||
		    !core_nonce(sa->core, &cc->nr, NONCE_LEN)) {
			cc->notify = N_INVALID_SYNTAX;
			return TASK_DONE;
		}
	}
	npi = ts_copy(ike_msg_find(m, PL_TSI), pi);
	npr = ts_copy(ike_msg_find(m, PL_TSR), pr);
	cc->notify = N_TS_UNACCEPTABLE;
	for (size_t i = 0; i < sa->conf->n_children; i++) {
		struct ike_child_conf *c = &sa->conf->children[i];
		size_t nal, nar, ni, nr;
		struct ike_ts ti[CHILD_MAX_TS], tr[CHILD_MAX_TS];

		if (old_name && strcmp(old_name, c->name) != 0)
			continue;
		if (rekey_o) {
			/* a rekey keeps the old selectors (RFC 7296 2.8) */
			nal = rekey_o->n_local_ts;
			memcpy(al, rekey_o->local_ts, sizeof(al));
			nar = rekey_o->n_remote_ts;
			memcpy(ar, rekey_o->remote_ts, sizeof(ar));
		} else {
			nal = ts_list(c->local_ts, c->n_local_ts, me, al);
			nar = ts_list(c->remote_ts, c->n_remote_ts, peer, ar);
		}
		ni = ts_narrow(ar, nar, pi, npi, ti, CHILD_MAX_TS);
		nr = ts_narrow(al, nal, pr, npr, tr, CHILD_MAX_TS);
		if (!ni || !nr)
			continue;
		cc->notify = N_NO_PROPOSAL_CHOSEN;
		uint16_t hint = PROP_NO_KE;

		if (t->exchange == CREATE_CHILD_SA) {
			const struct ike_payload *kp = ike_msg_find(m, PL_KE);

			hint = kp ? kp->ke.group : 0;
		}
		if (!prop_select(c->props, c->n_props, &sap->sa, PROTO_ESP, hint, &alg,
				 &cc->prop_num, &spi) || !peer_spi(&spi, &spi_out))
			continue;
		conf = c;
		memcpy(cc->tsi, ti, sizeof(ti));
		memcpy(cc->tsr, tr, sizeof(tr));
		cc->ntsi = ni;
		cc->ntsr = nr;
		break;
	}
	if (!conf) {
		char offer[256];

		sa_info(sa, "no CHILD SA config matches: %s (offered %s)", notify_name(cc->notify),
			prop_offer_str(&sap->sa, offer, sizeof(offer)));
		return TASK_DONE;
	}
	if (alg.ke) {
		const struct ike_payload *ke = ike_msg_find(m, PL_KE);

		if (!ke || ke->ke.group != alg.ke) {
			cc->notify = N_INVALID_KE_PAYLOAD;
			cc->ke_group = alg.ke;
			return TASK_DONE;
		}
		cc->ke = ke_create(alg.ke);
		if (!cc->ke || !ke_public(cc->ke, &cc->ke_pub) ||
		    !ke_compute(cc->ke, ke->ke.data.ptr, ke->ke.data.len, &cc->shared)) {
			cc->notify = N_NO_PROPOSAL_CHOSEN;
			return TASK_DONE;
		}
		cc->ke_group = alg.ke;
	}
	cc->child = child_sa_new(sa, conf->name);
	if (!cc->child || !alloc_spi(cc)) {
		cc->notify = N_TEMPORARY_FAILURE;
		return TASK_DONE;
	}
	cc->child->alg = alg;
	cc->alg = alg;
	cc->child->spi_out = spi_out;
	cc->child->mode = IKE_MODE_TUNNEL;
	if (ike_msg_find_notify(m, N_USE_TRANSPORT_MODE) && conf->mode == IKE_MODE_TRANSPORT) {
		cc->child->mode = IKE_MODE_TRANSPORT;
		cc->transport = true;
	}
	/* ours are the responder's selectors: TSr local, TSi remote */
	memcpy(cc->child->local_ts, cc->tsr, sizeof(cc->tsr));
	cc->child->n_local_ts = cc->ntsr;
	memcpy(cc->child->remote_ts, cc->tsi, sizeof(cc->tsi));
	cc->child->n_remote_ts = cc->ntsi;
	cc->notify = 0;
	return TASK_DONE;
}

static enum task_status build_r(struct task *t, struct ike_msg *m)
{
	struct child_create *cc = (struct child_create *)t;

	if (!cc->has_sa)
		return TASK_DONE;
	if (!cc->notify && cc->child) {
		struct child_sa *old = cc->rekey_of ?
				       ike_sa_child_by_spi_out(t->sa, cc->rekey_of) : NULL;
		uint32_t spi_in = cc->child->spi_in;
		struct task **q;

		if (!install(cc, old)) {
			cc->notify = N_TEMPORARY_FAILURE;
		} else if (old && !cc->collide && old->rekeying &&
			   (q = rekey_task(&t->sa->queued, old->spi_in))) {
			struct task *mine = *q;

			/* ours had not left yet: the peer's rekey did the job */
			*q = mine->next;
			task_destroy(mine);
			old->rekeying = false;
		} else if (old && cc->collide &&
			 chunk_dup(&old->collide_ni, cc->ni.ptr, cc->ni.len) &&
			 chunk_dup(&old->collide_nr, cc->nr.ptr, cc->nr.len)) {
			old->collide_spi = spi_in;
			t->sa->core->stats.rekey_collisions++;
		}
	}
	if (cc->notify) {
		uint8_t d[2] = { (uint8_t)(cc->ke_group >> 8), (uint8_t)cc->ke_group };
		bool ke = cc->notify == N_INVALID_KE_PAYLOAD;
		bool nf = cc->notify == N_CHILD_SA_NOT_FOUND;

		/* CHILD_SA_NOT_FOUND names the SPI of the REKEY_SA (RFC 7296 2.25) */
		ike_msg_add_notify(m, nf ? PROTO_ESP : 0, cc->notify, nf ? cc->rekey_spi_b : NULL,
				   nf ? 4 : 0, ke ? ike_msg_dup(m, d, 2) : NULL, ke ? 2 : 0);
		return TASK_DONE;
	}
	if (cc->transport &&
	    !ike_msg_add_notify(m, 0, N_USE_TRANSPORT_MODE, NULL, 0, NULL, 0))
		return TASK_FAILED;
	if (!prop_add_chosen(m, &cc->alg, PROTO_ESP, cc->prop_num, cc->spi, 4) ||
	    !ts_add_payload(m, PL_TSI, cc->tsi, cc->ntsi) ||
	    !ts_add_payload(m, PL_TSR, cc->tsr, cc->ntsr))
		return TASK_FAILED;
	if (t->exchange == CREATE_CHILD_SA &&
	    !ike_msg_add_data(m, PL_NONCE, cc->nr.ptr, cc->nr.len))
		return TASK_FAILED;
	if (cc->ke_pub.len) {
		struct ike_payload *ke = ike_msg_add(m, PL_KE);

		if (!ke)
			return TASK_FAILED;
		ke->ke.group = cc->ke_group;
		ke->ke.data.ptr = cc->ke_pub.ptr;
		ke->ke.data.len = cc->ke_pub.len;
	}
	return TASK_DONE;
}

static void destroy(struct task *t)
{
	struct child_create *cc = (struct child_create *)t;

	if (cc->child) {
		child_keys_free(&cc->child->keys);
		free(cc->child);
	}
	chunk_free(&cc->ni);
	chunk_free(&cc->nr);
	chunk_free(&cc->ke_pub);
	chunk_free(&cc->shared);
	ke_free(cc->ke);
	free(cc);
}

static const struct task_ops ops_i = {
	TASK_CHILD_CREATE, "child_create", build_i, process_i, destroy,
};
static const struct task_ops ops_r = {
	TASK_CHILD_CREATE, "child_create", build_r, process_r, destroy,
};

struct task *task_child_create_new(struct ike_sa *sa, bool initiator,
				   const char *child_name, uint8_t exchange)
{
	struct child_create *cc = task_alloc(sizeof(*cc), sa, initiator,
					     initiator ? &ops_i : &ops_r, exchange);

	if (cc && child_name)
		snprintf(cc->name, sizeof(cc->name), "%s", child_name);
	return cc ? &cc->t : NULL;
}

struct task *task_child_rekey_new(struct ike_sa *sa, uint32_t spi_in)
{
	struct child_sa *old = ike_sa_child_by_spi_in(sa, spi_in);
	struct child_create *cc;

	if (!old)
		return NULL;
	cc = (struct child_create *)task_child_create_new(sa, true, old->name,
							  CREATE_CHILD_SA);
	if (cc)
		cc->rekey_spi = spi_in;
	return cc ? &cc->t : NULL;
}
