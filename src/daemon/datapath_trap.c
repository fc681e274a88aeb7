/* Trap policies from the configuration, acquires that initiate their
 * connection once per reqid, and the backend's expire and unknown-SPI
 * events. See datapath.h. */
#include "daemon/datapath_int.h"

#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_core.h"
#include "ike/ike_ts.h"
#include "kernel/socket.h"
#include "lib/log.h"

/* The single address of a conf address list, if it is one. */
static bool conf_single_addr(const struct ike_addr_range *r, size_t n,
			     struct sockaddr_storage *out)
{
	size_t alen;

	if (n != 1 || !r->family)
		return false;
	alen = r->family == AF_INET ? 4 : 16;
	if (memcmp(r->from, r->to, alen) != 0)
		return false;
	memset(out, 0, sizeof(*out));
	out->ss_family = (sa_family_t)r->family;
	if (r->family == AF_INET)
		memcpy(&((struct sockaddr_in *)out)->sin_addr, r->from, 4);
	else
		memcpy(&((struct sockaddr_in6 *)out)->sin6_addr, r->from, 16);
	return true;
}

static void trap_install(struct datapath *dp, const struct ike_conf *conf,
			 const struct ike_child_conf *cc)
{
	struct sockaddr_storage me, peer;
	struct ike_ts l[CHILD_MAX_TS], r[CHILD_MAX_TS];
	size_t nl = 0, nr = 0;
	struct dp_reqid *rq;

	if (!conf_single_addr(conf->local_addrs, conf->n_local_addrs, &me) ||
	    !conf_single_addr(conf->remote_addrs, conf->n_remote_addrs, &peer)) {
		log_warn("connection '%s': start_action = trap needs one local_addrs and one "
			 "remote_addrs address; child '%s' not trapped", conf->name, cc->name);
		return;
	}
	for (size_t i = 0; i < cc->n_local_ts && nl < CHILD_MAX_TS; i++)
		if (ts_from_conf(&cc->local_ts[i], &me, &l[nl]))
			nl++;
	for (size_t i = 0; i < cc->n_remote_ts && nr < CHILD_MAX_TS; i++)
		if (ts_from_conf(&cc->remote_ts[i], &peer, &r[nr]))
			nr++;
	rq = dp_rq_find(dp, conf->name, cc->name, cc->mode, l, nl, r, nr);
	if (rq && rq->trap) {
		rq->seen = true;
		return;
	}
	if (!rq) {
		rq = dp_rq_new(dp, conf->name, cc->name, cc->mode, l, nl, r, nr);
		if (!rq)
			return;
		if (!dp_rq_add_policies(dp, rq, &me, &peer, DP_PRIO_TRAP)) {
			dp_rq_free(rq);
			return;
		}
		dp_rq_link(dp, rq);
	}
	rq->trap = rq->seen = true;
	rq->refs++;
	log_info("connection '%s': child '%s' trapped (reqid %u)", conf->name, cc->name,
		 rq->reqid);
}

void dp_traps_apply(struct datapath *dp, const struct config *cfg)
{
	struct htable_iter it;
	struct htable_node *n;

	htable_iter_init(&it, &dp->reqids_by_id);
	while ((n = htable_iter_next(&it)))
		htable_entry(n, struct dp_reqid, by_id)->seen = false;
	for (size_t i = 0; dp->core && i < cfg->n_conns; i++) {
		struct ike_conf *conf = ike_core_conf(dp->core, cfg->conns[i].name);

		for (size_t k = 0; conf && k < conf->n_children; k++)
			if (conf->children[k].start_action == IKE_START_TRAP)
				trap_install(dp, conf, &conf->children[k]);
	}
	htable_iter_init(&it, &dp->reqids_by_id);
	while ((n = htable_iter_next(&it))) {
		struct dp_reqid *rq = htable_entry(n, struct dp_reqid, by_id);

		/* releasing may remove rq, the node just returned: allowed */
		if (rq->trap && !rq->seen) {
			log_info("connection '%s': child '%s' no longer trapped", rq->conn,
				 rq->child);
			rq->trap = false;
			dp_rq_release(dp, rq);
		}
	}
}

void dp_on_acquire(void *ctx, uint32_t reqid, const struct kernel_selector *pkt)
{
	struct datapath *dp = ctx;
	struct dp_reqid *rq;
	struct ike_conf *conf;
	struct net_endpoints ep;
	uint64_t now = dp_now_s();

	(void)pkt;
	rq = dp_rq_by_id(dp, reqid);
	if (!rq || !rq->trap || !dp->core || now < rq->acquire_until)
		return;	/* not a trap, or already negotiating */
	rq->acquire_until = now + DP_ACQUIRE_HOLDOFF_S;
	dp->acquires++;
	conf = ike_core_conf(dp->core, rq->conn);
	memset(&ep, 0, sizeof(ep));
	if (!conf || !conf_single_addr(conf->local_addrs, conf->n_local_addrs, &ep.local) ||
	    !conf_single_addr(conf->remote_addrs, conf->n_remote_addrs, &ep.remote))
		return;
	sockaddr_set_port(&ep.remote, 500);
	if (dp->net && !net_pick_source(dp->net, &ep))
		return;
	log_info("acquire for reqid %u: initiating '%s' child '%s'", reqid, rq->conn, rq->child);
	if (!ike_core_initiate(dp->core, rq->conn, rq->child, &ep))
		log_warn("acquire for reqid %u: initiating '%s' failed", reqid, rq->conn);
}

/* A lifetime of one of a CHILD SA's two ESP SAs: the first soft and the
 * first hard event of the pair go to the IKE core (soft: rekey, hard:
 * delete), from the event loop: the backend raises expires in its packet
 * path, also for packets the core's own install released. */
void dp_on_expire(void *ctx, const struct kernel_sa_id *id, uint32_t child_id, bool hard)
{
	struct datapath *dp = ctx;
	struct dp_child *ch = id->dir == KERNEL_DIR_IN ? dp_child_by_spi(dp, id->spi) :
			      dp_child_by_id(dp, child_id);
	struct dp_expire *v;

	if (hard)
		dp->expires_hard++;
	else
		dp->expires_soft++;
	if (!ch || (id->dir == KERNEL_DIR_OUT && ch->spi_out != id->spi)) {
		dp->expires_stale++;
		log_info("[child#%u] ESP SA %08x reached its %s lifetime; no CHILD SA has it",
			 child_id, id->spi, hard ? "hard" : "soft");
		return;
	}
	if (hard ? ch->hard_seen : ch->soft_seen)
		return;	/* the other direction said so already */
	if (hard)
		ch->hard_seen = true;
	else
		ch->soft_seen = true;
	log_info("[child#%u] ESP SA %08x %s reached its %s lifetime: %s the CHILD SA", child_id,
		 id->spi, id->dir == KERNEL_DIR_IN ? "in" : "out", hard ? "hard" : "soft",
		 hard ? "deleting" : "rekeying");
	if (!dp->core || !dp->expire_ev)
		return;
	if (dp->n_expires == dp->cap_expires) {
		size_t cap = dp->cap_expires ? dp->cap_expires * 2 : 16;

		v = realloc(dp->expires, cap * sizeof(*v));
		if (!v) {
			log_error("datapath: out of memory queuing an expire");
			return;
		}
		dp->expires = v;
		dp->cap_expires = cap;
	}
	dp->expires[dp->n_expires++] = (struct dp_expire){ ch->spi_in, hard };
	event_active(dp->expire_ev, 0, 0);
}

void dp_expires_run(int fd, short what, void *arg)
{
	struct datapath *dp = arg;

	(void)fd;
	(void)what;
	/* the core may cause more expires while we run (installs release
	 * held packets): they are appended and handled in this loop */
	for (size_t i = 0; i < dp->n_expires; i++) {
		struct dp_expire e = dp->expires[i];

		if (dp->core && !ike_core_child_expired(dp->core, e.spi_in, e.hard))
			dp->expires_stale++;
	}
	dp->n_expires = 0;
}

/* ESP for an SPI we do not have: the IKE core sends INVALID_SPI in the IKE
 * SA with that peer (rate-limited there); without one it is only counted.
 * Logged at most once a second. */
void dp_on_unknown_spi(void *ctx, uint32_t spi, const struct sockaddr *peer)
{
	struct datapath *dp = ctx;
	uint64_t now = dp_now_s();
	struct sockaddr_storage ss = { 0 };
	const char *what = "";
	char a[64];

	dp->unknown_spi++;
	memcpy(&ss, peer, peer->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
		sizeof(struct sockaddr_in6));
	if (dp->core) {
		switch (ike_core_invalid_spi(dp->core, spi, &ss)) {
		case IKE_INVALID_SPI_SENT:
			dp->invalid_spi_sent++;
			what = "; INVALID_SPI sent";
			break;
		case IKE_INVALID_SPI_LIMITED:
			dp->invalid_spi_limited++;
			what = "; INVALID_SPI rate-limited";
			break;
		case IKE_INVALID_SPI_NO_SA:
			dp->invalid_spi_no_sa++;
			what = "; no IKE SA with the peer";
			break;
		}
	}
	if (now == dp->unknown_spi_logged_at)
		return;	/* at most one line a second */
	dp->unknown_spi_logged_at = now;
	log_info("ESP with unknown SPI %08x from %s dropped (%llu so far)%s", spi,
		 sockaddr_str(&ss, a, sizeof(a)), (unsigned long long)dp->unknown_spi, what);
}
