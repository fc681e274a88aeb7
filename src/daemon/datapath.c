#include "daemon/datapath.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_sa.h"
#include "kernel/kernel_ipsec.h"
#include "kernel/userspace/userspace.h"
#include "lib/log.h"

struct datapath {
	struct kernel_ipsec *ki;
};

static void ev_acquire(void *ctx, uint32_t reqid, const struct kernel_selector *pkt)
{
	(void)ctx;
	(void)pkt;
	log_debug("datapath: acquire for reqid %u (no trap policies yet)", reqid);
}

static void ev_expire(void *ctx, const struct kernel_sa_id *id, uint32_t child_id, bool hard)
{
	(void)ctx;
	log_info("datapath: %s expire of SPI %08x (CHILD SA %u)", hard ? "hard" : "soft",
		 id->spi, child_id);
}

static void ev_unknown_spi(void *ctx, uint32_t spi, const struct sockaddr *peer)
{
	(void)ctx;
	(void)peer;
	log_debug("datapath: ESP for unknown SPI %08x", spi);
}

struct datapath *datapath_new(struct event_base *base, struct net *net)
{
	struct kernel_ipsec_events ev = { .acquire = ev_acquire, .expire = ev_expire,
					  .unknown_spi = ev_unknown_spi };
	struct userspace_config cfg = { 0 };
	struct datapath *dp = calloc(1, sizeof(*dp));

	if (!dp)
		return NULL;
	ev.ctx = dp;
	dp->ki = userspace_backend_create(base, net, &cfg, &ev);
	if (!dp->ki) {
		free(dp);
		return NULL;
	}
	log_info("datapath: userspace ESP backend ready");
	return dp;
}

void datapath_free(struct datapath *dp)
{
	if (!dp)
		return;
	dp->ki->ops->destroy(dp->ki->be);
	free(dp);
}

bool datapath_get_spi(struct datapath *dp, uint32_t *spi)
{
	return dp->ki->ops->get_spi(dp->ki->be, NULL, NULL, 0, spi) == 0;
}

void datapath_input_udp(struct datapath *dp, const uint8_t *pkt, size_t len,
			const struct net_endpoints *ep)
{
	userspace_input_udp(dp->ki, pkt, len, ep);
}

static void fill_sa(const struct ike_sa *sa, const struct child_sa *c, bool in,
		    struct kernel_sa *k)
{
	/* _ir keys protect traffic from the exchange initiator */
	bool ir = in ? !c->initiator : c->initiator;

	memset(k, 0, sizeof(*k));
	k->spi = in ? c->spi_in : c->spi_out;
	k->dir = in ? KERNEL_DIR_IN : KERNEL_DIR_OUT;
	k->protocol = PROTO_ESP;
	k->mode = c->mode == IKE_MODE_TRANSPORT ? KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL;
	k->src = in ? sa->ep.remote : sa->ep.local;
	k->dst = in ? sa->ep.local : sa->ep.remote;
	k->encap.enabled = c->encap;
	k->encap.sport = sockaddr_port(in ? &sa->ep.remote : &sa->ep.local);
	k->encap.dport = sockaddr_port(in ? &sa->ep.local : &sa->ep.remote);
	k->encr_alg = c->alg.encr;
	k->encr_key = ir ? c->keys.encr_ir.ptr : c->keys.encr_ri.ptr;
	k->encr_key_len = ir ? c->keys.encr_ir.len : c->keys.encr_ri.len;
	k->integ_alg = c->alg.integ;
	k->integ_key = ir ? c->keys.integ_ir.ptr : c->keys.integ_ri.ptr;
	k->integ_key_len = ir ? c->keys.integ_ir.len : c->keys.integ_ri.len;
	k->esn = c->alg.esn == ESN_YES;
	k->reqid = c->reqid;
	k->child_id = c->unique_id;
}

static void fill_sel(const struct ike_ts *src, const struct ike_ts *dst,
		     struct kernel_selector *s)
{
	size_t n = src->type == TS_IPV4_ADDR_RANGE ? 4 : 16;

	memset(s, 0, sizeof(*s));
	s->family = n == 4 ? AF_INET : AF_INET6;
	memcpy(s->src_from, src->start, n);
	memcpy(s->src_to, src->end, n);
	memcpy(s->dst_from, dst->start, n);
	memcpy(s->dst_to, dst->end, n);
	s->proto = src->ip_proto ? src->ip_proto : dst->ip_proto;
	s->sport_from = src->start_port;
	s->sport_to = src->end_port;
	s->dport_from = dst->start_port;
	s->dport_to = dst->end_port;
}

/* every (local, remote) pair of one family: OUT, IN and FWD policies */
static int policies(struct datapath *dp, const struct ike_sa *sa, const struct child_sa *c,
		    bool add)
{
	int err = 0;

	for (size_t i = 0; i < c->n_local_ts; i++)
		for (size_t j = 0; j < c->n_remote_ts; j++) {
			const struct ike_ts *l = &c->local_ts[i], *r = &c->remote_ts[j];

			if (l->type != r->type)
				continue;
			for (int d = 0; d < 3; d++) {
				struct kernel_policy p = { 0 };
				int e;

				p.dir = d == 0 ? KERNEL_DIR_OUT : d == 1 ? KERNEL_DIR_IN :
					KERNEL_DIR_FWD;
				if (d == 0)
					fill_sel(l, r, &p.sel);
				else
					fill_sel(r, l, &p.sel);
				p.action = KERNEL_POLICY_PROTECT;
				p.reqid = c->reqid;
				p.mode = c->mode == IKE_MODE_TRANSPORT ? KERNEL_MODE_TRANSPORT :
					 KERNEL_MODE_TUNNEL;
				p.tun_src = d == 0 ? sa->ep.local : sa->ep.remote;
				p.tun_dst = d == 0 ? sa->ep.remote : sa->ep.local;
				e = add ? dp->ki->ops->add_policy(dp->ki->be, &p) :
					  dp->ki->ops->del_policy(dp->ki->be, &p);
				/* a rekeyed CHILD SA's policies are already there */
				if (e && !(add && e == -EEXIST) && !err)
					err = e;
			}
		}
	return err;
}

bool datapath_install(struct datapath *dp, const struct ike_sa *sa, const struct child_sa *c)
{
	struct kernel_sa in, out;
	int err;

	fill_sa(sa, c, true, &in);
	fill_sa(sa, c, false, &out);
	err = dp->ki->ops->add_sa(dp->ki->be, &in);
	if (!err)
		err = dp->ki->ops->add_sa(dp->ki->be, &out);
	if (!err)
		err = policies(dp, sa, c, true);
	if (err) {
		sa_error(sa, "datapath refused CHILD SA '%s': %s", c->name, strerror(-err));
		datapath_uninstall(dp, sa, c);
		return false;
	}
	sa_info(sa, "CHILD SA '%s' in the datapath (reqid %u)", c->name, c->reqid);
	return true;
}

void datapath_uninstall(struct datapath *dp, const struct ike_sa *sa, const struct child_sa *c)
{
	struct kernel_sa_id in = { .spi = c->spi_in, .dir = KERNEL_DIR_IN, .dst = sa->ep.local };
	struct kernel_sa_id out = { .spi = c->spi_out, .dir = KERNEL_DIR_OUT,
				    .dst = sa->ep.remote };

	dp->ki->ops->del_sa(dp->ki->be, &in);
	dp->ki->ops->del_sa(dp->ki->be, &out);
	if (!c->replaced)
		policies(dp, sa, c, false);
}
