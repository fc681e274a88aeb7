/* SA tables and datagram dispatch. */
#include "ike/core_priv.h"

#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <openssl/evp.h>

#include "crypto/rng.h"
#include "ike/task.h"

/* --- tables ------------------------------------------------------------ */

static bool match_spi(const struct htable_node *n, const void *key)
{
	const struct ike_sa *sa = htable_entry(n, struct ike_sa, by_spi);

	return ike_sa_my_spi(sa) == *(const uint64_t *)key;
}

struct init_key {
	uint64_t spi_i;
	const struct sockaddr_storage *peer;
};

static uint32_t hash_addr(const struct sockaddr_storage *a, uint32_t h)
{
	if (a->ss_family == AF_INET)
		return jhash(&((const struct sockaddr_in *)a)->sin_addr, 4, h);
	if (a->ss_family == AF_INET6)
		return jhash(&((const struct sockaddr_in6 *)a)->sin6_addr, 16, h);
	return h;
}

static uint32_t hash_init(const void *key, uint32_t seed)
{
	const struct init_key *k = key;

	return hash_addr(k->peer, htable_hash_u64(&k->spi_i, seed));
}

static bool match_init(const struct htable_node *n, const void *key)
{
	const struct ike_sa *sa = htable_entry(n, struct ike_sa, by_init);
	const struct init_key *k = key;

	return sa->spi_i == k->spi_i && sockaddr_equal(&sa->ep.remote, k->peer, false);
}

struct peer_count {
	struct htable_node node;
	struct sockaddr_storage addr;
	unsigned count;
};

static uint32_t hash_peer(const void *key, uint32_t seed)
{
	return hash_addr(key, seed);
}

static bool match_peer(const struct htable_node *n, const void *key)
{
	return sockaddr_equal(&htable_entry(n, struct peer_count, node)->addr, key, false);
}

static struct peer_count *peer_find(struct ike_core *c, const struct sockaddr_storage *a)
{
	struct htable_node *n = htable_find(&c->half_open_peers, a);

	return n ? htable_entry(n, struct peer_count, node) : NULL;
}

bool core_half_open_allowed(struct ike_core *c, const struct sockaddr_storage *peer)
{
	struct peer_count *p = peer_find(c, peer);

	return !p || p->count < c->peer_half_open_limit;
}

void core_half_open_add(struct ike_core *c, struct ike_sa *sa)
{
	struct peer_count *p = peer_find(c, &sa->ep.remote);

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return;		/* counted globally only */
		p->addr = sa->ep.remote;
		htable_insert(&c->half_open_peers, &p->node, &p->addr);
	}
	p->count++;
	sa->counted_half_open = true;
	sa->half_open_peer = sa->ep.remote;
	c->stats.half_open++;
	if (c->stats.half_open > c->stats.half_open_peak)
		c->stats.half_open_peak = c->stats.half_open;
}

void core_half_open_del(struct ike_core *c, struct ike_sa *sa)
{
	struct peer_count *p;

	if (!sa->counted_half_open)
		return;
	sa->counted_half_open = false;
	c->stats.half_open--;
	p = peer_find(c, &sa->half_open_peer);
	if (p && --p->count == 0) {
		htable_remove(&c->half_open_peers, &p->node);
		free(p);
	}
}

static bool match_id(const struct htable_node *n, const void *key)
{
	return htable_entry(n, struct ike_sa, by_id)->unique_id ==
	       *(const uint32_t *)key;
}

static bool match_peer_sa(const struct htable_node *n, const void *key)
{
	return sockaddr_equal(&htable_entry(n, struct ike_sa, by_peer)->ep.remote, key, false);
}

static bool match_child(const struct htable_node *n, const void *key)
{
	return htable_entry(n, struct child_sa, by_spi)->spi_in ==
	       *(const uint32_t *)key;
}

struct ike_core *ike_core_new(const struct ike_env *env)
{
	struct ike_core *c = calloc(1, sizeof(*c));
	uint32_t seed = htable_random_seed();

	if (!c)
		return NULL;
	c->env = *env;
	c->half_open_limit = 10000;
	c->cookie_threshold = 30;
	c->peer_half_open_limit = 32;
	if (!rng_bytes(c->cookie_secret, sizeof(c->cookie_secret))) {
		free(c);
		return NULL;
	}
	c->next_unique = 1;
	c->next_child_unique = 1;
	c->next_reqid = 1;
	c->msg_in = malloc(sizeof(*c->msg_in));
	c->msg_out = malloc(sizeof(*c->msg_out));
	if (!c->msg_in || !c->msg_out ||
	    !htable_init(&c->by_spi, htable_hash_u64, match_spi, seed, 64) ||
	    !htable_init(&c->by_init, hash_init, match_init, seed ^ 0x9e3779b9, 64) ||
	    !htable_init(&c->by_id, htable_hash_u32, match_id, seed, 64) ||
	    !htable_init(&c->child_by_spi, htable_hash_u32, match_child, seed, 64) ||
	    !htable_init(&c->by_peer, hash_peer, match_peer_sa, seed ^ 0x2545f491, 64) ||
	    !collide_table_init(c, seed) ||
	    !htable_init(&c->half_open_peers, hash_peer, match_peer, seed ^ 0x7f4a7c15, 64)) {
		ike_core_free(c);
		return NULL;
	}
	ike_msg_init(c->msg_in);
	ike_msg_init(c->msg_out);
	return c;
}

static void free_dead(struct ike_core *c)
{
	while (c->dead) {
		struct ike_sa *sa = c->dead;

		c->dead = sa->dead_next;
		ike_sa_free(sa);
	}
}

void ike_core_free(struct ike_core *c)
{
	struct htable_iter it;
	struct htable_node *n;

	if (!c)
		return;
	c->depth++;
	if (c->by_id.buckets) {
		htable_iter_init(&it, &c->by_id);
		while ((n = htable_iter_next(&it)))
			ike_sa_kill(htable_entry(n, struct ike_sa, by_id), "shutdown");
	}
	free_dead(c);
	for (size_t i = 0; i < c->nconfs; i++)
		ike_conf_unref(c->confs[i]);
	free(c->confs);
	htable_free(&c->by_spi);
	htable_free(&c->by_init);
	htable_free(&c->by_id);
	htable_free(&c->child_by_spi);
	htable_free(&c->by_peer);
	htable_free(&c->by_conn_peer);
	if (c->half_open_peers.buckets) {
		struct htable_iter pi;

		htable_iter_init(&pi, &c->half_open_peers);
		while ((n = htable_iter_next(&pi))) {
			htable_remove(&c->half_open_peers, n);
			free(htable_entry(n, struct peer_count, node));
		}
	}
	htable_free(&c->half_open_peers);
	free(c->msg_in);
	free(c->msg_out);
	free(c);
}

void core_enter(struct ike_core *c)
{
	c->depth++;
}

void core_leave(struct ike_core *c)
{
	if (--c->depth == 0)
		free_dead(c);
}

void core_sa_register(struct ike_core *c, struct ike_sa *sa)
{
	uint64_t spi = ike_sa_my_spi(sa);

	sa->unique_id = c->next_unique++;
	if (!c->next_unique)
		c->next_unique = 1;
	htable_insert(&c->by_id, &sa->by_id, &sa->unique_id);
	htable_insert(&c->by_peer, &sa->by_peer, &sa->ep.remote);
	if (spi)
		htable_insert(&c->by_spi, &sa->by_spi, &spi);
	if (!sa->initiator) {
		struct init_key k = { sa->spi_i, &sa->ep.remote };

		htable_insert(&c->by_init, &sa->by_init, &k);
		sa->in_init_table = true;
	}
	c->stats.sas++;
}

void core_sa_set_spi(struct ike_core *c, struct ike_sa *sa)
{
	uint64_t spi = ike_sa_my_spi(sa);

	htable_insert(&c->by_spi, &sa->by_spi, &spi);
}

void core_sa_unregister(struct ike_core *c, struct ike_sa *sa)
{
	htable_remove(&c->by_id, &sa->by_id);
	htable_remove(&c->by_peer, &sa->by_peer);
	collide_peer_unlink(sa);
	if (sa->by_spi.pprev)
		htable_remove(&c->by_spi, &sa->by_spi);
	if (sa->in_init_table)
		htable_remove(&c->by_init, &sa->by_init);
	sa->in_init_table = false;
	c->stats.sas--;
	sa->dead_next = c->dead;
	c->dead = sa;
}

void core_sa_peer_moved(struct ike_core *c, struct ike_sa *sa,
			const struct net_endpoints *ep)
{
	if (sockaddr_equal(&sa->ep.remote, &ep->remote, false) || !sa->by_peer.pprev)
		return;
	htable_remove(&c->by_peer, &sa->by_peer);
	htable_insert(&c->by_peer, &sa->by_peer, &ep->remote);
}

uint32_t core_child_next_id(struct ike_core *c)
{
	uint32_t id = c->next_child_unique++;

	if (!c->next_child_unique)
		c->next_child_unique = 1;	/* 0 means "none" */
	return id;
}

void core_child_register(struct ike_core *c, struct child_sa *ch)
{
	if (!ch->unique_id)
		ch->unique_id = core_child_next_id(c);
	htable_insert(&c->child_by_spi, &ch->by_spi, &ch->spi_in);
}

struct child_sa *core_child_find(struct ike_core *c, uint32_t spi_in)
{
	struct htable_node *n = htable_find(&c->child_by_spi, &spi_in);

	return n ? htable_entry(n, struct child_sa, by_spi) : NULL;
}

void core_child_unregister(struct ike_core *c, struct child_sa *ch)
{
	if (ch->by_spi.pprev)
		htable_remove(&c->child_by_spi, &ch->by_spi);
}

void core_send(struct ike_core *c, const struct net_endpoints *ep,
	       const uint8_t *p, size_t len)
{
	c->stats.tx++;
	c->env.send(c->env.ctx, ep, p, len);
}

void core_event(struct ike_sa *sa, enum ike_event ev, const struct child_sa *ch)
{
	if (sa->core->env.event)
		sa->core->env.event(sa->core->env.ctx, ev, sa, ch);
}

/* --- confs ------------------------------------------------------------- */

void ike_core_set_confs(struct ike_core *c, struct ike_conf *const *confs,
			size_t n)
{
	struct ike_conf **copy = calloc(n ? n : 1, sizeof(*copy));

	if (!copy) {
		log_error("ike: out of memory loading %zu connections", n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		copy[i] = ike_conf_ref(confs[i]);
	for (size_t i = 0; i < c->nconfs; i++)
		ike_conf_unref(c->confs[i]);
	free(c->confs);
	c->confs = copy;
	c->nconfs = n;
}

struct ike_conf *ike_core_conf(struct ike_core *c, const char *name)
{
	for (size_t i = 0; i < c->nconfs; i++)
		if (strcmp(c->confs[i]->name, name) == 0)
			return c->confs[i];
	return NULL;
}

static bool addrs_match(const struct ike_addr_range *r, size_t n,
			const struct sockaddr_storage *a)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (ike_addr_range_contains(&r[i], a))
			return true;
	return false;
}

struct ike_conf *core_conf_by_addr(struct ike_core *c,
				   const struct net_endpoints *ep,
				   struct ike_conf *prev)
{
	size_t i = 0;

	if (prev) {
		while (i < c->nconfs && c->confs[i] != prev)
			i++;
		i++;
	}
	for (; i < c->nconfs; i++)
		if (addrs_match(c->confs[i]->local_addrs, c->confs[i]->n_local_addrs,
				&ep->local) &&
		    addrs_match(c->confs[i]->remote_addrs, c->confs[i]->n_remote_addrs,
				&ep->remote))
			return c->confs[i];
	return NULL;
}

void ike_core_set_half_open_limit(struct ike_core *c, unsigned limit)
{
	c->half_open_limit = limit;
}

void ike_core_set_peer_half_open_limit(struct ike_core *c, unsigned limit)
{
	c->peer_half_open_limit = limit;
}

void ike_core_set_cookie_threshold(struct ike_core *c, unsigned threshold)
{
	c->cookie_threshold = threshold;
}

/* Cookie = SHA-256(Ni | IPi | SPIi | secret) (RFC 7296 2.6), stateless. */
static bool cookie_compute(struct ike_core *c, const struct ike_msg *m,
			   const struct sockaddr_storage *peer, uint8_t out[32])
{
	const struct ike_payload *n = ike_msg_find(m, PL_NONCE);
	EVP_MD_CTX *ctx;
	uint8_t spi[8];
	unsigned int len = 32;
	bool ok;

	if (!n)
		return false;
	for (int i = 0; i < 8; i++)
		spi[i] = (uint8_t)(m->hdr.spi_i >> (56 - 8 * i));
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, n->data.data.ptr, n->data.data.len) == 1 &&
	     (peer->ss_family == AF_INET ?
	      EVP_DigestUpdate(ctx, &((const struct sockaddr_in *)peer)->sin_addr, 4) :
	      EVP_DigestUpdate(ctx, &((const struct sockaddr_in6 *)peer)->sin6_addr, 16)) == 1 &&
	     EVP_DigestUpdate(ctx, spi, 8) == 1 &&
	     EVP_DigestUpdate(ctx, c->cookie_secret, sizeof(c->cookie_secret)) == 1 &&
	     EVP_DigestFinal_ex(ctx, out, &len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* Under load an IKE_SA_INIT must carry our cookie first; without one we
 * answer with a fresh cookie and keep no state. True: go on. */
static bool cookie_check(struct ike_core *c, const struct ike_msg *m,
			 const struct net_endpoints *ep)
{
	uint8_t want[32];
	const struct ike_payload *first = m->npl ? &m->pl[0] : NULL;
	struct ike_msg *out = c->msg_out;
	struct ike_err err = { 0 };
	struct wbuf w;

	if (c->stats.half_open < c->cookie_threshold)
		return true;
	if (!cookie_compute(c, m, &ep->remote, want))
		return false;
	if (first && first->type == PL_NOTIFY && first->notify.type == N_COOKIE &&
	    first->notify.data.len == sizeof(want) &&
	    mem_equal_ct(first->notify.data.ptr, want, sizeof(want)))
		return true;
	ike_msg_free(out);
	out->hdr.spi_i = m->hdr.spi_i;
	out->hdr.exchange = IKE_SA_INIT;
	out->hdr.flags = IKE_FLAG_RESPONSE;
	wbuf_init(&w);
	if (ike_msg_add_notify(out, 0, N_COOKIE, NULL, 0, want, sizeof(want)) &&
	    ike_msg_write(out, &w, &err) == IKE_OK && wbuf_ok(&w)) {
		c->stats.cookies_sent++;
		core_send(c, ep, w.p, w.len);
	}
	wbuf_free(&w);
	ike_msg_free(out);
	return false;
}

/* --- input ------------------------------------------------------------- */

static struct ike_sa *find_spi(struct ike_core *c, uint64_t spi)
{
	struct htable_node *n = htable_find(&c->by_spi, &spi);

	return n ? htable_entry(n, struct ike_sa, by_spi) : NULL;
}

void ike_core_input(struct ike_core *c, const uint8_t *dgram, size_t len,
		    const struct net_endpoints *ep)
{
	struct ike_msg *m = c->msg_in;
	struct ike_err err = { 0 };
	struct ike_sa *sa = NULL;
	char peer[64];
	bool response;

	core_enter(c);
	c->stats.rx++;
	if (ike_msg_parse(m, dgram, len, &err) != IKE_OK) {
		c->stats.drop_parse++;
		log_info("ike: dropped %zu bytes from %s: %s", len,
			 sockaddr_str(&ep->remote, peer, sizeof(peer)), err.reason);
		goto out;
	}
	response = ike_msg_is_response(m);
	if (m->hdr.exchange == IKE_SA_INIT && !response && m->hdr.spi_r == 0) {
		struct init_key k = { m->hdr.spi_i, &ep->remote };
		struct htable_node *n = htable_find(&c->by_init, &k);

		if (n) {
			sa = htable_entry(n, struct ike_sa, by_init);
		} else if (m->hdr.msg_id != 0 || !ike_msg_is_initiator(m)) {
			c->stats.drop_parse++;
			goto out;
		} else if (!cookie_check(c, m, ep)) {
			goto out;
		} else if (!core_half_open_allowed(c, &ep->remote)) {
			c->stats.drop_peer_half_open_limit++;
			log_info("ike: %s has %u half-open SAs, dropped its IKE_SA_INIT",
				 sockaddr_str(&ep->remote, peer, sizeof(peer)),
				 c->peer_half_open_limit);
			goto out;
		} else if (c->stats.half_open >= c->half_open_limit) {
			c->stats.drop_half_open_limit++;
			log_warn("ike: half-open limit %u reached, dropped IKE_SA_INIT from %s",
				 c->half_open_limit,
				 sockaddr_str(&ep->remote, peer, sizeof(peer)));
			goto out;
		} else {
			sa = ike_sa_new(c, false, ep);
			if (!sa)
				goto out;
			sa->spi_i = m->hdr.spi_i;
			core_sa_register(c, sa);
			core_half_open_add(c, sa);
			ike_sa_update_prefix(sa);
			sa_info(sa, "IKE_SA_INIT request from %s",
				sockaddr_str(&ep->remote, peer, sizeof(peer)));
		}
	} else {
		/* a message from the original initiator names our SPI in spi_r */
		bool from_init = ike_msg_is_initiator(m);
		uint64_t spi = from_init ? m->hdr.spi_r : m->hdr.spi_i;

		sa = spi ? find_spi(c, spi) : NULL;
		if (sa && (sa->initiator == from_init ||
			   (from_init && sa->spi_i != m->hdr.spi_i) ||
			   (!from_init && sa->spi_r && m->hdr.spi_r &&
			    sa->spi_r != m->hdr.spi_r)))
			sa = NULL;
	}
	if (!sa) {
		c->stats.drop_no_sa++;
		log_debug("ike: no IKE SA for %s %s from %s (SPIs %016llx/%016llx)",
			  response ? "response" : "request",
			  m->hdr.exchange == IKE_SA_INIT ? "IKE_SA_INIT" : "message",
			  sockaddr_str(&ep->remote, peer, sizeof(peer)),
			  (unsigned long long)m->hdr.spi_i,
			  (unsigned long long)m->hdr.spi_r);
		goto out;
	}
	exchange_input(sa, m, ep);
out:
	ike_msg_free(m);
	core_leave(c);
}

/* --- operator actions -------------------------------------------------- */

uint32_t ike_core_initiate(struct ike_core *c, const char *name,
			   const char *child, const struct net_endpoints *ep)
{
	struct ike_conf *conf = ike_core_conf(c, name);
	struct ike_child_conf *cc;
	struct ike_sa *sa;
	uint32_t id = 0;

	if (!conf) {
		log_error("ike: no connection named '%s'", name);
		return 0;
	}
	cc = ike_conf_child(conf, child);
	if (child && !cc) {
		log_error("ike: connection '%s' has no child '%s'", name, child);
		return 0;
	}
	core_enter(c);
	sa = ike_sa_new(c, true, ep);
	if (!sa)
		goto out;
	do {
		if (!rng_bytes(&sa->spi_i, sizeof(sa->spi_i)))
			goto out_free;
	} while (!sa->spi_i || find_spi(c, sa->spi_i));
	sa->conf = ike_conf_ref(conf);
	core_sa_register(c, sa);
	ike_sa_update_prefix(sa);
	sa_info(sa, "initiating '%s'%s%s", conf->name, cc ? " child " : "",
		cc ? cc->name : "");
	ike_sa_enqueue(sa, task_ike_init_new(sa, true));
	ike_sa_enqueue(sa, task_natd_new(sa, true));
	ike_sa_enqueue(sa, task_ike_auth_new(sa, true));
	ike_sa_enqueue(sa, task_config_new(sa, true));
	if (cc)
		ike_sa_enqueue(sa, task_child_create_new(sa, true, cc->name, IKE_AUTH));
	id = sa->unique_id;
	ike_sa_initiate_next(sa);
	goto out;
out_free:
	ike_sa_free(sa);
out:
	core_leave(c);
	return id;
}

struct ike_sa *ike_core_find(struct ike_core *c, uint32_t unique_id)
{
	struct htable_node *n = htable_find(&c->by_id, &unique_id);

	return n ? htable_entry(n, struct ike_sa, by_id) : NULL;
}

bool ike_core_terminate(struct ike_core *c, uint32_t unique_id)
{
	struct ike_sa *sa = ike_core_find(c, unique_id);

	if (!sa)
		return false;
	core_enter(c);
	if (sa->state == IKE_SA_ESTABLISHED)
		ike_sa_queue_task(sa, task_delete_new(sa, true));
	else
		ike_sa_kill(sa, "terminated before it was established");
	core_leave(c);
	return true;
}

bool ike_core_dpd(struct ike_core *c, uint32_t unique_id)
{
	struct ike_sa *sa = ike_core_find(c, unique_id);

	if (!sa || sa->state != IKE_SA_ESTABLISHED)
		return false;
	core_enter(c);
	ike_sa_queue_task(sa, task_dpd_new(sa, true));
	core_leave(c);
	return true;
}

void ike_core_shutdown(struct ike_core *c)
{
	struct htable_iter it;
	struct htable_node *n;

	core_enter(c);
	htable_iter_init(&it, &c->by_id);
	while ((n = htable_iter_next(&it))) {
		struct ike_sa *sa = htable_entry(n, struct ike_sa, by_id);

		if (sa->state == IKE_SA_ESTABLISHED && !sa->req_in_flight) {
			ike_sa_queue_task(sa, task_delete_new(sa, true));
		}
	}
	core_leave(c);
	ike_core_free(c);
}

void ike_core_foreach(struct ike_core *c,
		      void (*fn)(void *ctx, const struct ike_sa *sa), void *ctx)
{
	struct htable_iter it;
	struct htable_node *n;

	htable_iter_init(&it, &c->by_id);
	while ((n = htable_iter_next(&it)))
		fn(ctx, htable_entry(n, struct ike_sa, by_id));
}

const struct ike_core_stats *ike_core_get_stats(const struct ike_core *c)
{
	return &c->stats;
}
