/* The userspace backend as callers see it: the us_ipsec core's ops, plus
 * routes through the TUN for what outbound tunnel policies protect, and the
 * release of packets held for an acquire once their SA is installed. */
#include "kernel/userspace/userspace.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/userspace/us_int.h"
#include "lib/log.h"
#include "lib/prefix.h"

#define US_MAX_ROUTE_PREFIXES 16

#define INNER(be) (((struct us_be *)(be))->inner)

/* Every op that reads or changes the tables or an SA runs under the lock:
 * the datapath's threads read the tables and own their side's state between
 * their batches (threads.c). */
static int us_get_spi(void *be, const struct sockaddr_storage *src,
		      const struct sockaddr_storage *dst, uint32_t reqid, uint32_t *spi)
{
	int err;

	us_lock(be);
	err = INNER(be).ops->get_spi(INNER(be).be, src, dst, reqid, spi);
	us_unlock(be);
	return err;
}

static int us_add_sa(void *be, const struct kernel_sa *k)
{
	int err;

	us_lock(be);
	err = INNER(be).ops->add_sa(INNER(be).be, k);
	if (!err && k->dir == KERNEL_DIR_OUT)
		us_engine_flush_held(be, k->reqid);
	us_unlock(be);
	return err;
}

static int us_update_sa(void *be, const struct kernel_sa_id *id, const struct sockaddr *src,
			const struct sockaddr *dst, const struct kernel_encap *encap)
{
	int err;

	us_lock(be);
	err = INNER(be).ops->update_sa(INNER(be).be, id, src, dst, encap);
	us_unlock(be);
	return err;
}

static int us_del_sa(void *be, const struct kernel_sa_id *id)
{
	int err;

	us_lock(be);
	err = INNER(be).ops->del_sa(INNER(be).be, id);
	us_unlock(be);
	return err;
}

static int us_query_sa(void *be, const struct kernel_sa_id *id, struct kernel_sa_stats *out)
{
	int err;

	us_lock(be);
	err = INNER(be).ops->query_sa(INNER(be).be, id, out);
	us_unlock(be);
	return err;
}

static int us_get_seq_out(void *be, const struct kernel_sa_id *id, uint64_t *seq)
{
	int err;

	us_lock(be);
	err = INNER(be).ops->get_seq_out(INNER(be).be, id, seq);
	us_unlock(be);
	return err;
}

static int us_set_seq_out(void *be, const struct kernel_sa_id *id, uint64_t seq)
{
	int err;

	us_lock(be);
	err = INNER(be).ops->set_seq_out(INNER(be).be, id, seq);
	us_unlock(be);
	return err;
}

static int us_get_replay(void *be, const struct kernel_sa_id *id,
			 struct kernel_replay_state *st)
{
	int err;

	us_lock(be);
	err = INNER(be).ops->get_replay(INNER(be).be, id, st);
	us_unlock(be);
	return err;
}

static int us_set_replay(void *be, const struct kernel_sa_id *id,
			 const struct kernel_replay_state *st)
{
	int err;

	us_lock(be);
	err = INNER(be).ops->set_replay(INNER(be).be, id, st);
	us_unlock(be);
	return err;
}

/* fn runs per packet on the datapath's threads (TX and RX): it must be
 * safe to call from there. */
static int us_set_segment_filter(void *be, kernel_segment_fn fn, void *ctx)
{
	int err;

	us_lock(be);
	err = INNER(be).ops->set_segment_filter(INNER(be).be, fn, ctx);
	us_unlock(be);
	return err;
}

/* Routes for what an outbound tunnel policy protects, through the TUN. */
static int us_routes(struct us_be *u, const struct kernel_policy *pol, bool add)
{
	struct prefix p[US_MAX_ROUTE_PREFIXES];
	int n;

	if (pol->dir != KERNEL_DIR_OUT || pol->action != KERNEL_POLICY_PROTECT || !u->route)
		return 0;
	n = prefix_cover_range(pol->sel.family, pol->sel.dst_from, pol->sel.dst_to, p,
			       US_MAX_ROUTE_PREFIXES);
	if (n < 0) {
		log_error("userspace: destination range of reqid %u needs more than %d routes",
			  pol->reqid, US_MAX_ROUTE_PREFIXES);
		return -ENOTSUP;
	}
	for (int i = 0; i < n; i++) {
		struct sockaddr_storage dst = { .ss_family = pol->sel.family };

		if (pol->sel.family == AF_INET)
			memcpy(&((struct sockaddr_in *)&dst)->sin_addr, p[i].a, 4);
		else
			memcpy(&((struct sockaddr_in6 *)&dst)->sin6_addr, p[i].a, 16);
		if (!add) {
			route_del(u->route, &dst, (uint8_t)p[i].len, u->tun.ifindex);
		} else if (!route_add(u->route, &dst, (uint8_t)p[i].len, u->tun.ifindex, NULL)) {
			us_routes(u, pol, false);	/* all or nothing */
			return -EINVAL;
		}
	}
	return 0;
}

static int locked_policy(void *be, const struct kernel_policy *pol, bool add)
{
	int err;

	us_lock(be);
	err = add ? INNER(be).ops->add_policy(INNER(be).be, pol) :
		    INNER(be).ops->del_policy(INNER(be).be, pol);
	us_unlock(be);
	return err;
}

/* The routes (netlink) outside the lock: the datapath's threads need not
 * wait for them. */
static int us_add_policy(void *be, const struct kernel_policy *pol)
{
	int err = locked_policy(be, pol, true);

	if (err)
		return err;
	err = us_routes(be, pol, true);
	if (err)
		locked_policy(be, pol, false);
	return err;
}

static int us_del_policy(void *be, const struct kernel_policy *pol)
{
	int err = locked_policy(be, pol, false);

	if (!err)
		us_routes(be, pol, false);
	return err;
}

static bool us_rules(struct us_be *u, bool add)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	const struct userspace_config *c = &u->cfg;
	bool ok = true;

	if (!c->route_table || !c->fwmark || !u->route)
		return true;
	for (size_t i = 0; i < 2; i++) {
		if (add) {
			ok = ok && route_rule_add(u->route, fams[i], c->fwmark, RT_TABLE_MAIN,
						  c->rule_prio) &&
			     route_rule_add(u->route, fams[i], 0, c->route_table, c->rule_prio + 1);
		} else {
			route_rule_del(u->route, fams[i], c->fwmark, RT_TABLE_MAIN, c->rule_prio);
			route_rule_del(u->route, fams[i], 0, c->route_table, c->rule_prio + 1);
		}
	}
	return ok;
}

static void us_destroy(void *be)
{
	struct us_be *u = be;

	if (!u)
		return;
	if (u->rules)
		us_rules(u, false);
	us_threads_stop(u);
	if (u->natt_moved) {	/* back to the caller's loop, before rx.base goes */
		net_natt_move(u->net, u->base);
		u->natt_moved = false;
	}
	if (u->tun.nqueues)
		log_info("userspace: TUN reads %llu (%llu segments), writes %llu (%llu segments); "
			 "sendmmsg %llu, recvmmsg %llu (protocol 50)",
			 (unsigned long long)u->txc.tun_in,
			 (unsigned long long)u->txc.tun_in_segs,
			 (unsigned long long)u->counters.tun_out,
			 (unsigned long long)u->counters.tun_out_segs,
			 (unsigned long long)u->txc.tx_batches,
			 (unsigned long long)u->counters.rx_batches);
	us_engine_close(u);
	us_threads_free(u);
	us_engine_drop_held(u);
	if (u->inner.ops)
		u->inner.ops->destroy(u->inner.be);
	route_close(u->route);
	tun_close(&u->tun);
	free(u);
}

static const struct kernel_ipsec_ops us_ops = {
	.name = "userspace",
	.get_spi = us_get_spi,
	.add_sa = us_add_sa,
	.update_sa = us_update_sa,
	.del_sa = us_del_sa,
	.query_sa = us_query_sa,
	.add_policy = us_add_policy,
	.del_policy = us_del_policy,
	.get_seq_out = us_get_seq_out,
	.set_seq_out = us_set_seq_out,
	.get_replay = us_get_replay,
	.set_replay = us_set_replay,
	.set_segment_filter = us_set_segment_filter,
	.destroy = us_destroy,
};

struct kernel_ipsec *userspace_backend_create(struct event_base *base, struct net *net,
					      const struct userspace_config *cfg,
					      const struct kernel_ipsec_events *ev)
{
	struct kernel_ipsec_events none = { 0 };
	struct us_be *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->ki.ops = &us_ops;
	u->ki.be = u;
	if (ev)
		u->ki.ev = *ev;
	u->cfg.tun_name = cfg && cfg->tun_name ? cfg->tun_name : "cygnet0";
	u->cfg.mtu = cfg && cfg->mtu ? cfg->mtu : 1400;
	u->cfg.raw_esp = cfg ? cfg->raw_esp : true;
	u->cfg.no_offload = cfg && cfg->no_offload;
	u->cfg.tx_thread = cfg && cfg->tx_thread;
	u->cfg.rx_thread = cfg && cfg->rx_thread;
	if (cfg && cfg->route_table && cfg->fwmark) {
		u->cfg.route_table = cfg->route_table;
		u->cfg.fwmark = cfg->fwmark;
		u->cfg.rule_prio = cfg->rule_prio ? cfg->rule_prio : 201;
	}
	u->net = net;
	u->base = base;
	u->raw4 = u->raw6 = -1;
	u->txw.stop_fd = u->rxw.stop_fd = -1;
	u->user_ev = ev ? *ev : none;
	/* the core raises events through wrappers that move those of the
	 * datapath's threads to the caller's loop */
	u->core_ev = us_wrapped_events;
	u->core_ev.ctx = u;
	if (us_ipsec_create(&u->inner, &u->core_ev) < 0) {
		u->inner.ops = NULL;
		us_destroy(u);
		return NULL;
	}
	u->us = u->inner.be;
	if (!(u->cfg.no_offload ? tun_open(&u->tun, u->cfg.tun_name, 1, u->cfg.mtu) :
	      tun_open_offload(&u->tun, u->cfg.tun_name, 1, u->cfg.mtu)) ||
	    !(u->route = route_open()) ||
	    us_threads_init(u, base, u->cfg.tx_thread, u->cfg.rx_thread) < 0 ||
	    us_engine_open(u, base) < 0) {
		us_destroy(u);
		return NULL;
	}
	if (u->cfg.route_table) {
		route_set_table(u->route, u->cfg.route_table);
		u->rules = true;
		if (!us_rules(u, true) || (net && !net_set_mark(net, u->cfg.fwmark))) {
			us_destroy(u);
			return NULL;
		}
		log_info("userspace: tunnel routes in table %u, IKE/ESP marked 0x%x (rules %u, %u)",
			 u->cfg.route_table, u->cfg.fwmark, u->cfg.rule_prio, u->cfg.rule_prio + 1);
	}
	if (u->cfg.rx_thread && net) {
		/* ESP in UDP is read on the RX thread too; IKE on the NAT-T
		 * port comes back to this loop through net's queue */
		u->natt_moved = true;	/* all or nothing: destroy moves back */
		if (!net_natt_move(net, u->rxw.base)) {
			us_destroy(u);
			return NULL;
		}
	}
	if (us_threads_run(u) < 0) {
		us_destroy(u);
		return NULL;
	}
	log_info("userspace datapath on %s (mtu %d)%s%s%s", u->tun.name, u->cfg.mtu,
		 u->raw4 >= 0 ? ", raw ESP accepted" : "",
		 u->tun.offload ? ", TSO/GRO offloads" : "",
		 u->txw.base && u->rxw.base ? ", outbound and inbound ESP on threads of their own" :
		 u->txw.base ? ", outbound ESP on a thread of its own" :
		 u->rxw.base ? ", inbound ESP on a thread of its own" : "");
	return &u->ki;
}

void userspace_input_udp(struct kernel_ipsec *ki, const uint8_t *pkt, size_t len,
			 const struct net_endpoints *ep)
{
	us_engine_input(ki->be, pkt, len, &ep->remote, &ep->local);
}

void userspace_get_counters(const struct kernel_ipsec *ki, struct userspace_counters *out)
{
	struct us_be *u = ki->be;
	const struct userspace_counters *in = &u->counters, *tx = &u->txc;

	us_lock(u);
	*out = (struct userspace_counters){
		.tun_in = tx->tun_in, .tun_out = in->tun_out,
		.tun_in_segs = tx->tun_in_segs, .tun_out_segs = in->tun_out_segs,
		.tx_batches = tx->tx_batches, .rx_batches = in->rx_batches,
		.esp_in = in->esp_in, .esp_out = tx->esp_out,
		.held = tx->held, .held_dropped = tx->held_dropped,
		.send_errors = in->send_errors + tx->send_errors,
		.malformed = in->malformed + tx->malformed,
	};
	us_unlock(u);
}

void userspace_get_verdicts(const struct kernel_ipsec *ki, struct userspace_verdicts *out)
{
	struct us_be *u = ki->be;

	us_lock(u);
	for (int v = 0; v < US_VERDICT_MAX; v++)
		out->verdicts[v] = us_ipsec_verdicts(u->us, (enum us_verdict)v);
	for (int r = 0; r < ESP_RESULT_MAX; r++)
		out->drops[r] = us_ipsec_drops(u->us, (enum esp_result)r);
	us_unlock(u);
}

int userspace_ifindex(const struct kernel_ipsec *ki)
{
	return ((const struct us_be *)ki->be)->tun.ifindex;
}
