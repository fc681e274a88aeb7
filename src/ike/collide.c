/* Collisions: the nonce rule of RFC 7296 2.8.1 / 2.8.2 in one place, and
 * duplicate IKE SAs from simultaneous initiation.
 *
 * The rule: of two exchanges that made redundant SAs, the one whose four
 * nonces (both exchanges, both directions) hold the lowest made the
 * redundant SA, and the endpoint that initiated that exchange deletes it.
 * "Lowest" compares octet by octet; a nonce that is a prefix of the other
 * is the lower one. Both ends see the same four nonces, so both come to the
 * same answer without talking about it.
 *
 * CHILD rekey collisions are resolved in tasks/child_create.c, IKE rekey
 * collisions in tasks/ike_rekey.c; both ask collide_loses(). Simultaneous
 * initiation (both gateways initiate the same connection to each other)
 * ends with two IKE SAs for one (connection, peer identity): the one whose
 * IKE_SA_INIT nonces hold the lowest is deleted by its initiator, CHILD SAs
 * and all (collide_check_duplicate). */
#include "ike/core_priv.h"

#include <string.h>

#include "crypto/rng.h"
#include "ike/task.h"

bool core_nonce(struct ike_core *c, struct chunk *out, size_t len)
{
	if (!rng_nonce(out, len))
		return false;
	if (c->nonce_hook)
		c->nonce_hook(c->nonce_hook_ctx, out);
	return true;
}

static int nonce_cmp(const struct chunk *a, const struct chunk *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int r = n ? memcmp(a->ptr, b->ptr, n) : 0;

	if (r)
		return r;
	return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

static const struct chunk *nonce_min(const struct chunk *x, const struct chunk *y)
{
	return nonce_cmp(x, y) <= 0 ? x : y;
}

static const struct chunk *nonce_max(const struct chunk *x, const struct chunk *y)
{
	return nonce_cmp(x, y) <= 0 ? y : x;
}

bool collide_loses(const struct chunk *ai, const struct chunk *ar,
		   const struct chunk *bi, const struct chunk *br)
{
	int r = nonce_cmp(nonce_min(ai, ar), nonce_min(bi, br));

	/* equal lowest nonces (only a broken RNG): the higher ones decide */
	if (!r)
		r = nonce_cmp(nonce_max(ai, ar), nonce_max(bi, br));
	return r < 0;
}

/* --- established IKE SAs by (connection, peer identity) --------------- */

struct peer_key {
	const char *conf;
	const struct ike_id *id;
};

static uint32_t hash_peer_key(const void *key, uint32_t seed)
{
	const struct peer_key *k = key;

	return jhash(k->id->data, k->id->len,
		     jhash(k->conf, strlen(k->conf), seed ^ k->id->type));
}

static bool match_peer_key(const struct htable_node *n, const void *key)
{
	const struct ike_sa *sa = htable_entry(n, struct ike_sa, by_conn_peer);
	const struct peer_key *k = key;

	return sa->conf && strcmp(sa->conf->name, k->conf) == 0 &&
	       ike_id_equal(&sa->peer_id, k->id);
}

bool collide_table_init(struct ike_core *c, uint32_t seed)
{
	return htable_init(&c->by_conn_peer, hash_peer_key, match_peer_key, seed ^ 0x51ed270b, 64);
}

void collide_peer_link(struct ike_sa *sa)
{
	struct peer_key k;

	if (!sa->conf || sa->by_conn_peer.pprev || !sa->core->by_conn_peer.buckets)
		return;
	k.conf = sa->conf->name;
	k.id = &sa->peer_id;
	htable_insert(&sa->core->by_conn_peer, &sa->by_conn_peer, &k);
}

void collide_peer_unlink(struct ike_sa *sa)
{
	if (sa->by_conn_peer.pprev)
		htable_remove(&sa->core->by_conn_peer, &sa->by_conn_peer);
	sa->by_conn_peer.pprev = NULL;
}

void collide_check_duplicate(struct ike_sa *sa)
{
	struct ike_core *c = sa->core;
	struct htable_node *n;
	struct peer_key k;

	if (!sa->conf || sa->collide_of || !sa->by_conn_peer.pprev)
		return;
	k.conf = sa->conf->name;
	k.id = &sa->peer_id;
	for (n = htable_find(&c->by_conn_peer, &k); n; n = htable_find_next(&c->by_conn_peer, n, &k)) {
		struct ike_sa *o = htable_entry(n, struct ike_sa, by_conn_peer), *loser;

		/* only the pair "one we initiated, one the peer initiated" is a
		 * simultaneous initiation; a peer that reconnects is not */
		if (o == sa || o->state != IKE_SA_ESTABLISHED || o->collide_of ||
		    o->initiator == sa->initiator ||
		    !sockaddr_equal(&o->ep.remote, &sa->ep.remote, false))
			continue;
		loser = collide_loses(&sa->ni, &sa->nr, &o->ni, &o->nr) ? sa : o;
		c->stats.sa_duplicates++;
		sa_info(sa, "simultaneous initiation: ike#%u is the same connection '%s' with the "
			"same peer; ike#%u holds the lowest nonce and is deleted by %s",
			o->unique_id, sa->conf->name, loser->unique_id,
			loser->initiator ? "us" : "the peer");
		if (loser->initiator)
			ike_sa_queue_task(loser, task_delete_new(loser, true));
		return;
	}
}

void collide_release(struct ike_sa *old, struct ike_sa *np)
{
	old->collide_id = 0;
	np->collide_of = 0;
	ike_sa_set_state(np, IKE_SA_REKEYED);
	ike_sa_timer_arm(np, &np->setup_timer, IKE_SETUP_TIMEOUT_MS);
}
