/* cygnetd's datapath: backend choice, CHILD SAs as ESP SAs and policies,
 * reqids shared by traps and rekeys, acquires. See datapath.h. */
#include "daemon/datapath_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <event2/event.h>

#include "control/ctl.h"
#include "crypto/rng.h"
#include "ike/ike_core.h"
#include "ike/ike_sa.h"
#include "ike/ike_ts.h"
#include "kernel/kernel_ipsec.h"
#include "kernel/route.h"
#include "kernel/socket.h"
#include "kernel/userspace/us_ipsec.h"
#include "kernel/userspace/userspace.h"
#include "kernel/xfrm/xfrm.h"
#include "lib/log.h"

uint64_t dp_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

static bool conn_forces_encap(const struct datapath *dp, const char *conn)
{
	for (size_t i = 0; i < dp->n_encap_conns; i++)
		if (strcmp(dp->encap_conns[i], conn) == 0)
			return true;
	return false;
}

/* --- policies ---------------------------------------------------------- */

static void ts_to_sel(const struct ike_ts *src, const struct ike_ts *dst,
		      struct kernel_selector *s)
{
	size_t alen = ike_ts_addr_len(src->type);

	memset(s, 0, sizeof(*s));
	s->family = alen == 4 ? AF_INET : AF_INET6;
	memcpy(s->src_from, src->start, alen);
	memcpy(s->src_to, src->end, alen);
	memcpy(s->dst_from, dst->start, alen);
	memcpy(s->dst_to, dst->end, alen);
	/* a selector pair with two different protocols cannot match: the
	 * narrower one wins (the IKE core narrows both to the same anyway) */
	s->proto = src->ip_proto ? src->ip_proto : dst->ip_proto;
	s->sport_from = src->start_port;
	s->sport_to = src->end_port;
	s->dport_from = dst->start_port;
	s->dport_to = dst->end_port;
}

static void rq_del_policies(struct datapath *dp, struct dp_reqid *rq)
{
	for (size_t i = rq->n_pol; i-- > 0;) {
		int err = dp->ki->ops->del_policy(dp->ki->be, &rq->pol[i]);

		if (err && err != -ENOENT)
			log_warn("datapath: removing a policy of reqid %u: %s", rq->reqid,
				 strerror(-err));
	}
	rq->n_pol = 0;
}

static bool rq_add_one(struct datapath *dp, struct dp_reqid *rq, const struct ike_ts *src,
		       const struct ike_ts *dst, enum kernel_dir dir,
		       const struct sockaddr_storage *tsrc, const struct sockaddr_storage *tdst,
		       uint32_t prio)
{
	struct kernel_policy *p = &rq->pol[rq->n_pol];
	int err;

	memset(p, 0, sizeof(*p));
	ts_to_sel(src, dst, &p->sel);
	p->dir = dir;
	p->action = KERNEL_POLICY_PROTECT;
	p->reqid = rq->reqid;
	p->priority = prio;
	p->mode = rq->mode == IKE_MODE_TRANSPORT ? KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL;
	if (tsrc)
		p->tun_src = *tsrc;
	if (tdst)
		p->tun_dst = *tdst;
	err = dp->ki->ops->add_policy(dp->ki->be, p);
	if (err == -EEXIST) {
		char a[64], b[64];

		log_warn("datapath: %s === %s (%s) is already protected by another SA; "
			 "not installed for reqid %u", ts_str(src, a, sizeof(a)),
			 ts_str(dst, b, sizeof(b)), dir == KERNEL_DIR_OUT ? "out" :
			 dir == KERNEL_DIR_IN ? "in" : "fwd", rq->reqid);
		return true;
	}
	if (err) {
		log_error("datapath: policy for reqid %u refused: %s", rq->reqid, strerror(-err));
		return false;
	}
	rq->n_pol++;
	return true;
}

/* OUT local->remote, IN and (tunnel mode, for kernels that forward) FWD
 * remote->local, for every pair of selectors of one family. */
bool dp_rq_add_policies(struct datapath *dp, struct dp_reqid *rq,
			    const struct sockaddr_storage *local,
			    const struct sockaddr_storage *remote, uint32_t prio)
{
	for (size_t i = 0; i < rq->n_local; i++) {
		for (size_t k = 0; k < rq->n_remote; k++) {
			const struct ike_ts *l = &rq->local[i], *r = &rq->remote[k];

			if (l->type != r->type)
				continue;
			if (!rq_add_one(dp, rq, l, r, KERNEL_DIR_OUT, local, remote, prio) ||
			    !rq_add_one(dp, rq, r, l, KERNEL_DIR_IN, remote, local, prio) ||
			    (rq->mode == IKE_MODE_TUNNEL &&
			     !rq_add_one(dp, rq, r, l, KERNEL_DIR_FWD, remote, local, prio))) {
				rq_del_policies(dp, rq);
				return false;
			}
		}
	}
	return true;
}

static bool ts_list_equal(const struct ike_ts *a, size_t na, const struct ike_ts *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].type != b[i].type || a[i].ip_proto != b[i].ip_proto ||
		    a[i].start_port != b[i].start_port || a[i].end_port != b[i].end_port ||
		    memcmp(a[i].start, b[i].start, 16) != 0 || memcmp(a[i].end, b[i].end, 16) != 0)
			return false;
	return true;
}

/* What identifies a reqid: connection, child, mode and selectors. */
struct rq_key {
	const char *conn, *child;
	enum ike_mode mode;
	const struct ike_ts *l, *r;
	size_t nl, nr;
};

static uint32_t ts_list_hash(const struct ike_ts *t, size_t n, uint32_t h)
{
	for (size_t i = 0; i < n; i++) {
		h = jhash_3words(t[i].type, t[i].ip_proto,
				 (uint32_t)t[i].start_port << 16 | t[i].end_port, h);
		h = jhash(t[i].start, 16, h);
		h = jhash(t[i].end, 16, h);
	}
	return h;
}

static uint32_t hash_rq_key(const void *key, uint32_t seed)
{
	const struct rq_key *k = key;
	uint32_t h = jhash(k->conn, strlen(k->conn), seed);

	h = jhash(k->child, strlen(k->child), h ^ (uint32_t)k->mode);
	h = ts_list_hash(k->l, k->nl, h);
	return ts_list_hash(k->r, k->nr, h);
}

static bool match_rq_key(const struct htable_node *n, const void *key)
{
	const struct dp_reqid *rq = htable_entry(n, struct dp_reqid, by_key);
	const struct rq_key *k = key;

	return rq->mode == k->mode && strcmp(rq->conn, k->conn) == 0 &&
	       strcmp(rq->child, k->child) == 0 &&
	       ts_list_equal(rq->local, rq->n_local, k->l, k->nl) &&
	       ts_list_equal(rq->remote, rq->n_remote, k->r, k->nr);
}

static bool match_rq_id(const struct htable_node *n, const void *key)
{
	return htable_entry(n, struct dp_reqid, by_id)->reqid == *(const uint32_t *)key;
}

struct dp_reqid *dp_rq_find(struct datapath *dp, const char *conn, const char *child,
				enum ike_mode mode, const struct ike_ts *l, size_t nl,
				const struct ike_ts *r, size_t nr)
{
	struct rq_key k = { conn, child, mode, l, r, nl, nr };
	struct htable_node *n = htable_find(&dp->reqids_by_key, &k);

	return n ? htable_entry(n, struct dp_reqid, by_key) : NULL;
}

struct dp_reqid *dp_rq_by_id(struct datapath *dp, uint32_t reqid)
{
	struct htable_node *n = htable_find(&dp->reqids_by_id, &reqid);

	return n ? htable_entry(n, struct dp_reqid, by_id) : NULL;
}

struct dp_reqid *dp_rq_new(struct datapath *dp, const char *conn, const char *child,
			       enum ike_mode mode, const struct ike_ts *l, size_t nl,
			       const struct ike_ts *r, size_t nr)
{
	struct dp_reqid *rq = calloc(1, sizeof(*rq));

	if (!rq)
		return NULL;
	rq->pol = calloc(nl * nr * 3 + 1, sizeof(*rq->pol));
	if (!rq->pol) {
		free(rq);
		return NULL;
	}
	rq->reqid = dp->next_reqid++;
	snprintf(rq->conn, sizeof(rq->conn), "%s", conn);
	snprintf(rq->child, sizeof(rq->child), "%s", child);
	rq->mode = mode;
	memcpy(rq->local, l, nl * sizeof(*l));
	memcpy(rq->remote, r, nr * sizeof(*r));
	rq->n_local = nl;
	rq->n_remote = nr;
	return rq;
}

void dp_rq_free(struct dp_reqid *rq)
{
	free(rq->pol);
	free(rq);
}

void dp_rq_link(struct datapath *dp, struct dp_reqid *rq)
{
	struct rq_key k = { rq->conn, rq->child, rq->mode, rq->local, rq->remote,
			    rq->n_local, rq->n_remote };

	htable_insert(&dp->reqids_by_key, &rq->by_key, &k);
	htable_insert(&dp->reqids_by_id, &rq->by_id, &rq->reqid);
}

static void rq_unlink(struct datapath *dp, struct dp_reqid *rq)
{
	htable_remove(&dp->reqids_by_key, &rq->by_key);
	htable_remove(&dp->reqids_by_id, &rq->by_id);
}

void dp_rq_release(struct datapath *dp, struct dp_reqid *rq)
{
	if (--rq->refs)
		return;
	rq_del_policies(dp, rq);
	rq_unlink(dp, rq);
	dp_rq_free(rq);
}

/* --- CHILD SAs --------------------------------------------------------- */

static void spi_reservations(struct datapath *dp, uint32_t spi);

static bool match_spi(const struct htable_node *n, const void *key)
{
	return htable_entry(n, struct dp_child, by_spi)->spi_in == *(const uint32_t *)key;
}

static bool match_id(const struct htable_node *n, const void *key)
{
	return htable_entry(n, struct dp_child, by_id)->child_id == *(const uint32_t *)key;
}

struct dp_child *dp_child_by_spi(struct datapath *dp, uint32_t spi_in)
{
	struct htable_node *n = htable_find(&dp->children_by_spi, &spi_in);

	return n ? htable_entry(n, struct dp_child, by_spi) : NULL;
}

struct dp_child *dp_child_by_id(struct datapath *dp, uint32_t child_id)
{
	struct htable_node *n = htable_find(&dp->children_by_id, &child_id);

	return n ? htable_entry(n, struct dp_child, by_id) : NULL;
}

static void sa_id(struct kernel_sa_id *id, uint32_t spi, enum kernel_dir dir,
		  const struct sockaddr_storage *dst)
{
	memset(id, 0, sizeof(*id));
	id->spi = spi;
	id->dir = dir;
	id->dst = *dst;
}

/* Outbound UDP encapsulation: NAT-T as negotiated, or forced by the
 * connection's encap = yes (then from our NAT-T port to the peer's 4500
 * unless IKE already floated there). Inbound SAs accept both anyway. */
static void child_encap(const struct datapath *dp, const struct ike_sa *sa,
			const struct child_sa *c, struct kernel_encap *e)
{
	uint16_t natt = dp->net ? net_bound_port(dp->net, true, sa->ep.local.ss_family) : 4500;

	memset(e, 0, sizeof(*e));
	e->enabled = c->encap || (sa->conf && conn_forces_encap(dp, sa->conf->name));
	if (!e->enabled)
		return;
	e->sport = sockaddr_port(&sa->ep.local);
	e->dport = sockaddr_port(&sa->ep.remote);
	if (e->sport != natt) {	/* IKE still on 500: ESP goes to the NAT-T ports */
		e->sport = natt;
		e->dport = 4500;
	}
}

/* limit less a random part of jitter (never below half the limit), as
 * strongSwan does for rekey_bytes/rand_bytes; 0 stays 0 (no limit) */
static uint64_t soft_limit(uint64_t limit, uint64_t jitter)
{
	uint64_t r = 0;

	if (!limit || !jitter || !rng_bytes(&r, sizeof(r)))
		return limit;
	r %= jitter + 1;
	return limit - (r > limit / 2 ? limit / 2 : r);
}

/* The child's byte/packet lifetimes (hard: life_*, soft: rekey_* less
 * rand_*); the same for both ESP SAs of a CHILD SA. */
static void child_lifetimes(const struct ike_sa *sa, const struct child_sa *c,
			    struct kernel_lifetime *soft, struct kernel_lifetime *hard)
{
	const struct ike_child_conf *cc = sa->conf ? ike_conf_child(sa->conf, c->name) : NULL;

	memset(soft, 0, sizeof(*soft));
	memset(hard, 0, sizeof(*hard));
	if (!cc)
		return;
	soft->bytes = soft_limit(cc->rekey_bytes, cc->rand_bytes);
	soft->packets = soft_limit(cc->rekey_packets, cc->rand_packets);
	hard->bytes = cc->life_bytes;
	hard->packets = cc->life_packets;
}

static int add_one_sa(struct datapath *dp, const struct child_sa *c, enum kernel_dir dir,
		      uint32_t spi, const struct sockaddr_storage *src,
		      const struct sockaddr_storage *dst, const struct kernel_encap *encap,
		      uint32_t reqid, const struct kernel_lifetime *soft,
		      const struct kernel_lifetime *hard)
{
	bool ir = (dir == KERNEL_DIR_OUT) == c->initiator;	/* keys _ir protect i->r */
	const struct chunk *ek = ir ? &c->keys.encr_ir : &c->keys.encr_ri;
	const struct chunk *ik = ir ? &c->keys.integ_ir : &c->keys.integ_ri;
	struct kernel_sa k = {
		.spi = spi, .dir = dir, .protocol = PROTO_ESP, .src = *src, .dst = *dst,
		.encap = *encap, .encr_alg = c->alg.encr, .encr_key = ek->ptr,
		.encr_key_len = ek->len, .integ_alg = c->alg.integ, .integ_key = ik->ptr,
		.integ_key_len = ik->len, .esn = c->alg.esn == ESN_YES, .reqid = reqid,
		.child_id = c->unique_id, .soft = *soft, .hard = *hard,
	};

	k.mode = c->mode == IKE_MODE_TRANSPORT ? KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL;
	return dp->ki->ops->add_sa(dp->ki->be, &k);
}

static uint8_t host_prefix(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET ? 32 : 128;
}

/* The virtual IP the peer assigned us goes on the TUN, so the host stack
 * uses it as the source of what the tunnel routes carry (the routes have
 * no preferred source; the TUN's own address is chosen). */
static struct dp_vip *vip_get(struct datapath *dp, const struct ike_sa *sa)
{
	struct dp_vip *v;
	char a[64];

	if (!dp->userspace || !dp->route || !sa->has_vip || sa->vip_leased)
		return NULL;
	for (v = dp->vips; v; v = v->next)
		if (sockaddr_equal(&v->addr, &sa->vip.addr, false))
			break;
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return NULL;
		v->addr = sa->vip.addr;
		sockaddr_set_port(&v->addr, 0);
		if (!route_addr_add(dp->route, userspace_ifindex(dp->ki), &v->addr,
				    host_prefix(&v->addr))) {
			free(v);
			return NULL;
		}
		v->next = dp->vips;
		dp->vips = v;
		sockaddr_str(&v->addr, a, sizeof(a));
		a[strcspn(a, "[")] = '\0';	/* no port */
		sa_info(sa, "virtual IP %s on %s", a, dp->tun_name);
	}
	v->refs++;
	return v;
}

static void vip_put(struct datapath *dp, struct dp_vip *v)
{
	struct dp_vip **pp;

	if (!v || --v->refs)
		return;
	route_addr_del(dp->route, userspace_ifindex(dp->ki), &v->addr, host_prefix(&v->addr));
	for (pp = &dp->vips; *pp && *pp != v; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = v->next;
	free(v);
}

bool datapath_child_install(struct datapath *dp, const struct ike_sa *sa,
			    const struct child_sa *c)
{
	const char *conn = sa->conf ? sa->conf->name : "";
	struct dp_reqid *rq;
	struct dp_child *ch;
	struct kernel_sa_id id;
	struct kernel_lifetime soft, hard;
	bool fresh = false;
	int err;

	if (!dp->ki) {
		sa_warn(sa, "CHILD SA '%s' negotiated without an ESP datapath", c->name);
		return true;
	}
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return false;
	rq = dp_rq_find(dp, conn, c->name, c->mode, c->local_ts, c->n_local_ts, c->remote_ts,
		     c->n_remote_ts);
	if (!rq) {
		rq = dp_rq_new(dp, conn, c->name, c->mode, c->local_ts, c->n_local_ts,
			    c->remote_ts, c->n_remote_ts);
		if (!rq) {
			free(ch);
			return false;
		}
		fresh = true;
	}
	ch->child_id = c->unique_id;
	ch->spi_in = c->spi_in;
	ch->spi_out = c->spi_out;
	ch->local = sa->ep.local;
	ch->remote = sa->ep.remote;
	child_encap(dp, sa, c, &ch->encap);
	ch->rq = rq;
	ch->vip = vip_get(dp, sa);
	child_lifetimes(sa, c, &soft, &hard);
	/* inbound first: the peer may use its outbound SA as soon as it has
	 * our response; the outbound SA releases packets held for an acquire */
	err = add_one_sa(dp, c, KERNEL_DIR_IN, c->spi_in, &ch->remote, &ch->local, &ch->encap,
			 rq->reqid, &soft, &hard);
	if (err) {
		sa_error(sa, "CHILD SA '%s': inbound ESP SA %08x refused: %s", c->name, c->spi_in,
			 strerror(-err));
		goto fail;
	}
	if (fresh && !dp_rq_add_policies(dp, rq, &ch->local, &ch->remote, DP_PRIO_CHILD)) {
		sa_id(&id, c->spi_in, KERNEL_DIR_IN, &ch->local);
		dp->ki->ops->del_sa(dp->ki->be, &id);
		goto fail;
	}
	err = add_one_sa(dp, c, KERNEL_DIR_OUT, c->spi_out, &ch->local, &ch->remote, &ch->encap,
			 rq->reqid, &soft, &hard);
	if (err) {
		sa_error(sa, "CHILD SA '%s': outbound ESP SA %08x refused: %s", c->name,
			 c->spi_out, strerror(-err));
		sa_id(&id, c->spi_in, KERNEL_DIR_IN, &ch->local);
		dp->ki->ops->del_sa(dp->ki->be, &id);
		if (fresh)
			rq_del_policies(dp, rq);
		goto fail;
	}
	if (fresh)
		dp_rq_link(dp, rq);
	spi_reservations(dp, c->spi_in);
	rq->refs++;
	rq->acquire_until = 0;
	htable_insert(&dp->children_by_spi, &ch->by_spi, &ch->spi_in);
	htable_insert(&dp->children_by_id, &ch->by_id, &ch->child_id);
	sa_info(sa, "CHILD SA '%s' in the %s datapath: reqid %u, %s mode, ESP %08x in, %08x out%s",
		c->name, dp->ki->ops->name, rq->reqid,
		c->mode == IKE_MODE_TRANSPORT ? "transport" : "tunnel", c->spi_in, c->spi_out,
		ch->encap.enabled ? " (UDP encapsulated out)" : "");
	if (soft.bytes || soft.packets || hard.bytes || hard.packets)
		sa_info(sa, "CHILD SA '%s' limits: rekey at %llu bytes / %llu packets, "
			"expire at %llu bytes / %llu packets (0: none)", c->name,
			(unsigned long long)soft.bytes, (unsigned long long)soft.packets,
			(unsigned long long)hard.bytes, (unsigned long long)hard.packets);
	return true;
fail:
	vip_put(dp, ch->vip);
	if (fresh)
		dp_rq_free(rq);
	free(ch);
	return false;
}

static void child_stats_log(struct datapath *dp, const struct ike_sa *sa, const char *name,
			    const struct kernel_sa_id *id)
{
	struct kernel_sa_stats st;

	if (dp->ki->ops->query_sa(dp->ki->be, id, &st) == 0)
		sa_info(sa, "CHILD SA '%s' ESP %08x %s: %llu packets, %llu bytes", name, id->spi,
			id->dir == KERNEL_DIR_IN ? "in" : "out", (unsigned long long)st.packets,
			(unsigned long long)st.bytes);
}

void datapath_child_uninstall(struct datapath *dp, const struct ike_sa *sa,
			      const struct child_sa *c)
{
	struct dp_child *ch;
	struct kernel_sa_id in, out;

	if (!dp->ki || !(ch = dp_child_by_spi(dp, c->spi_in)))
		return;
	htable_remove(&dp->children_by_spi, &ch->by_spi);
	htable_remove(&dp->children_by_id, &ch->by_id);
	sa_id(&in, ch->spi_in, KERNEL_DIR_IN, &ch->local);
	sa_id(&out, ch->spi_out, KERNEL_DIR_OUT, &ch->remote);
	child_stats_log(dp, sa, c->name, &in);
	child_stats_log(dp, sa, c->name, &out);
	/* outbound first: nothing leaves on an SA whose replies we would drop */
	dp->ki->ops->del_sa(dp->ki->be, &out);
	dp->ki->ops->del_sa(dp->ki->be, &in);
	dp_rq_release(dp, ch->rq);
	vip_put(dp, ch->vip);
	free(ch);
}

bool datapath_child_stats(struct datapath *dp, const struct child_sa *c,
			  struct ctl_child_stats *out)
{
	struct dp_child *ch = dp && dp->ki ? dp_child_by_spi(dp, c->spi_in) : NULL;
	struct kernel_sa_stats in = { 0 }, o = { 0 };
	struct kernel_sa_id id;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (!ch)
		return false;
	sa_id(&id, ch->spi_in, KERNEL_DIR_IN, &ch->local);
	ok = dp->ki->ops->query_sa(dp->ki->be, &id, &in) == 0;
	sa_id(&id, ch->spi_out, KERNEL_DIR_OUT, &ch->remote);
	ok = (dp->ki->ops->query_sa(dp->ki->be, &id, &o) == 0) || ok;
	out->bytes_in = in.bytes;
	out->packets_in = in.packets;
	out->use_in = in.last_use;
	out->bytes_out = o.bytes;
	out->packets_out = o.packets;
	out->use_out = o.last_use;
	return ok;
}

void datapath_sa_updated(struct datapath *dp, const struct ike_sa *sa)
{
	if (!dp || !dp->ki)
		return;
	/* the core's list of this IKE SA's CHILD SAs (it follows IKE rekeys) */
	for (const struct child_sa *c = sa->children; c; c = c->next) {
		struct dp_child *ch = dp_child_by_spi(dp, c->spi_in);
		struct kernel_sa_id id;
		struct kernel_encap e;
		int err;

		if (!ch)
			continue;
		child_encap(dp, sa, c, &e);
		if (sockaddr_equal(&ch->local, &sa->ep.local, false) &&
		    sockaddr_equal(&ch->remote, &sa->ep.remote, false) &&
		    e.enabled == ch->encap.enabled && e.sport == ch->encap.sport &&
		    e.dport == ch->encap.dport)
			continue;
		sa_id(&id, ch->spi_out, KERNEL_DIR_OUT, &ch->remote);
		err = dp->ki->ops->update_sa(dp->ki->be, &id, (const struct sockaddr *)&sa->ep.local,
					     (const struct sockaddr *)&sa->ep.remote, &e);
		sa_id(&id, ch->spi_in, KERNEL_DIR_IN, &ch->local);
		if (!err)
			err = dp->ki->ops->update_sa(dp->ki->be, &id,
						     (const struct sockaddr *)&sa->ep.remote,
						     (const struct sockaddr *)&sa->ep.local, &e);
		if (err) {
			sa_warn(sa, "CHILD SA '%s': cannot move its ESP SAs: %s", c->name,
				strerror(-err));
			continue;
		}
		ch->local = sa->ep.local;
		ch->remote = sa->ep.remote;
		ch->encap = e;
		sa_info(sa, "CHILD SA '%s' ESP moved%s", c->name,
			e.enabled ? " (UDP encapsulated)" : "");
	}
}

static bool match_reserved(const struct htable_node *n, const void *key)
{
	return htable_entry(n, struct dp_spi, node)->spi == *(const uint32_t *)key;
}

static void spi_unreserve(struct datapath *dp, struct dp_spi *r)
{
	htable_remove(&dp->reserved, &r->node);
	TAILQ_REMOVE(&dp->reserved_fifo, r, fifo);
	free(r);
}

/* Forget the reservation of spi (installed), or release every reservation
 * older than DP_SPI_RESERVE_S (spi 0): the IKE core does not say when a
 * negotiation that allocated one fails. O(1) per reservation: by SPI in a
 * hash table, oldest first in a FIFO. */
static void spi_reservations(struct datapath *dp, uint32_t spi)
{
	uint64_t now = dp_now_s();
	struct dp_spi *r;

	if (spi) {
		struct htable_node *n = htable_find(&dp->reserved, &spi);

		if (n)
			spi_unreserve(dp, htable_entry(n, struct dp_spi, node));
		return;
	}
	while ((r = TAILQ_FIRST(&dp->reserved_fifo)) && now - r->since > DP_SPI_RESERVE_S) {
		struct kernel_sa_id id = { .spi = r->spi, .dir = KERNEL_DIR_IN };

		dp->ki->ops->del_sa(dp->ki->be, &id);
		spi_unreserve(dp, r);
	}
}

bool datapath_spi_alloc(struct datapath *dp, uint32_t *spi)
{
	struct sockaddr_storage any = { .ss_family = AF_INET };

	if (dp && dp->ki && dp->userspace) {
		struct dp_spi *r = calloc(1, sizeof(*r));

		spi_reservations(dp, 0);
		if (!r || dp->ki->ops->get_spi(dp->ki->be, &any, &any, 0, spi) != 0) {
			free(r);
			return false;
		}
		r->spi = *spi;
		r->since = dp_now_s();
		htable_insert(&dp->reserved, &r->node, &r->spi);
		TAILQ_INSERT_TAIL(&dp->reserved_fifo, r, fifo);
		return true;
	}
	/* XFRM's allocspi needs the SA's addresses, which the IKE core does
	 * not pass: a random SPI in the kernel's range, add_sa catches a clash */
	if (!rng_bytes(spi, sizeof(*spi)))
		return false;
	*spi = 0xc0000000u | (*spi & 0x0fffffffu);
	return true;
}

void datapath_input_udp(struct datapath *dp, const uint8_t *pkt, size_t len,
			const struct net_endpoints *ep)
{
	if (dp && dp->ki && dp->userspace)
		userspace_input_udp(dp->ki, pkt, len, ep);
}

/* --- backend ----------------------------------------------------------- */

static bool backend_open(struct datapath *dp, const struct config_daemon *s)
{
	struct kernel_ipsec_events ev = { .acquire = dp_on_acquire, .expire = dp_on_expire,
					  .unknown_spi = dp_on_unknown_spi, .ctx = dp };
	struct xfrm_caps caps;
	bool use_xfrm = s->datapath == CONFIG_DATAPATH_XFRM;

	snprintf(dp->tun_name, sizeof(dp->tun_name), "%s", s->tun_name ? s->tun_name : "cygnet0");
	dp->settings = *s;
	dp->settings.tun_name = NULL;
	if (s->datapath == CONFIG_DATAPATH_XFRM) {
		xfrm_probe(&caps);
		if (!caps.esp)
			log_warn("datapath = xfrm, but ESP traffic will not pass: %s", caps.reason);
	} else if (s->datapath == CONFIG_DATAPATH_AUTO) {
		xfrm_probe(&caps);
		use_xfrm = caps.esp;
		if (use_xfrm)
			log_info("datapath auto: the kernel has ESP (XFRM), using it");
		else
			log_info("datapath auto: userspace, XFRM unusable: %s", caps.reason);
	}
	if (use_xfrm) {
		dp->ki = xfrm_backend_create(dp->base, &ev);
		/* the kernel decapsulates ESP in UDP itself */
		if (dp->ki && dp->net && !net_set_udp_encap(dp->net)) {
			dp->ki->ops->destroy(dp->ki->be);
			dp->ki = NULL;
		}
	} else {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		struct userspace_config uc = { .tun_name = dp->tun_name, .mtu = (int)s->tun_mtu,
					       .raw_esp = true, .route_table = DP_ROUTE_TABLE,
					       .fwmark = DP_FWMARK, .rule_prio = DP_RULE_PRIO };

		/* threads pay off only with a second CPU to run them */
		int threads = s->datapath_threads != CONFIG_THREADS_AUTO ? s->datapath_threads :
			      cpus >= 2 ? 2 : 0;

		uc.tx_thread = threads >= 1;
		uc.rx_thread = threads >= 2;
		dp->threads = threads;

		dp->ki = userspace_backend_create(dp->base, dp->net, &uc, &ev);
		dp->userspace = true;
		dp->route = route_open();
	}
	if (!dp->ki) {
		log_error("datapath: cannot open the %s backend", use_xfrm ? "XFRM" : "userspace");
		return false;
	}
	log_info("datapath: %s backend%s", dp->ki->ops->name,
		 s->datapath == CONFIG_DATAPATH_AUTO ? " (auto)" : " (configured)");
	return true;
}

static bool encap_conns_apply(struct datapath *dp, const struct config *cfg)
{
	char (*v)[IKE_NAME_MAX] = calloc(cfg->n_conns ? cfg->n_conns : 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return false;
	for (size_t i = 0; i < cfg->n_conns; i++)
		if (cfg->conns[i].encap)
			snprintf(v[n++], IKE_NAME_MAX, "%s", cfg->conns[i].name);
	free(dp->encap_conns);
	dp->encap_conns = v;
	dp->n_encap_conns = n;
	return true;
}

bool datapath_apply(struct datapath *dp, const struct config *cfg)
{
	const struct config_daemon *s = &cfg->daemon;

	if (!dp->ki) {
		/* without a backend (no TUN, no privileges) CHILD SAs are still
		 * negotiated, carrying no traffic; the next reload tries again */
		if (!backend_open(dp, s))
			log_warn("no ESP datapath: CHILD SAs are negotiated but carry no traffic");
	} else if (s->datapath != dp->settings.datapath || s->tun_mtu != dp->settings.tun_mtu ||
		   s->datapath_threads != dp->settings.datapath_threads ||
		   strcmp(s->tun_name ? s->tun_name : "cygnet0", dp->tun_name) != 0) {
		log_warn("daemon { } datapath settings changed: they apply after a restart");
	}
	if (!encap_conns_apply(dp, cfg))
		return false;
	if (dp->ki)
		dp_traps_apply(dp, cfg);
	return true;
}

struct datapath *datapath_new(struct event_base *base, struct net *net)
{
	struct datapath *dp = calloc(1, sizeof(*dp));

	if (!dp)
		return NULL;
	dp->base = base;
	dp->net = net;
	dp->next_reqid = 1;
	TAILQ_INIT(&dp->reserved_fifo);
	if (!htable_init(&dp->children_by_spi, htable_hash_u32, match_spi, htable_random_seed(), 64) ||
	    !htable_init(&dp->children_by_id, htable_hash_u32, match_id, htable_random_seed(), 64) ||
	    !htable_init(&dp->reqids_by_key, hash_rq_key, match_rq_key, htable_random_seed(), 64) ||
	    !htable_init(&dp->reqids_by_id, htable_hash_u32, match_rq_id, htable_random_seed(), 64) ||
	    !htable_init(&dp->reserved, htable_hash_u32, match_reserved, htable_random_seed(), 64)) {
		datapath_free(dp);	/* frees what was made */
		return NULL;
	}
	if (base)
		dp->expire_ev = event_new(base, -1, 0, dp_expires_run, dp);
	return dp;
}

void datapath_set_core(struct datapath *dp, struct ike_core *core)
{
	dp->core = core;
}

void datapath_free(struct datapath *dp)
{
	if (!dp)
		return;
	while (!TAILQ_EMPTY(&dp->reserved_fifo))
		spi_unreserve(dp, TAILQ_FIRST(&dp->reserved_fifo));
	if (dp->ki) {
		dp_counters_log(dp);
		struct htable_iter it;
		struct htable_node *n;

		htable_iter_init(&it, &dp->children_by_spi);
		while ((n = htable_iter_next(&it))) {
			htable_remove(&dp->children_by_spi, n);
			free(htable_entry(n, struct dp_child, by_spi));
		}
		while (dp->vips) {
			struct dp_vip *v = dp->vips;

			dp->vips = v->next;
			free(v);
		}
		htable_iter_init(&it, &dp->reqids_by_id);
		while ((n = htable_iter_next(&it))) {
			struct dp_reqid *rq = htable_entry(n, struct dp_reqid, by_id);

			rq_del_policies(dp, rq);
			htable_remove(&dp->reqids_by_id, n);
			htable_remove(&dp->reqids_by_key, &rq->by_key);
			dp_rq_free(rq);
		}
		dp->ki->ops->destroy(dp->ki->be);
	}
	route_close(dp->route);
	htable_free(&dp->children_by_spi);
	htable_free(&dp->children_by_id);
	htable_free(&dp->reqids_by_key);
	htable_free(&dp->reqids_by_id);
	htable_free(&dp->reserved);
	if (dp->expire_ev)
		event_free(dp->expire_ev);
	free(dp->expires);
	free(dp->encap_conns);
	free(dp);
}
