/* kernel_ipsec ops of the userspace datapath: SAs into the SAD, policies
 * into the SPD, and routes for protected destinations through the TUN. */
#include "kernel/userspace/userspace.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/userspace/us_int.h"
#include "lib/log.h"
#include "lib/prefix.h"

#define US_MAX_ROUTE_PREFIXES 16

static void us_on_expire(void *ctx, struct esp_sa *sa, bool hard)
{
	struct us_be *u = ctx;

	if (u->ki.ev.expire)
		u->ki.ev.expire(u->ki.ev.ctx, sa->spi, sa->dir, hard);
}

static int us_get_spi(void *be, const struct sockaddr_storage *src,
		      const struct sockaddr_storage *dst, uint32_t reqid, uint32_t *spi)
{
	struct us_be *u = be;

	(void)src;
	(void)dst;
	return sad_alloc_spi(&u->sad, reqid, spi);
}

static int us_add_sa(void *be, const struct kernel_sa *k)
{
	struct us_be *u = be;
	const char *reason = NULL;
	struct esp_sa *sa;
	int err;

	sa = esp_sa_new(k, &err, &reason);
	if (!sa) {
		log_error("userspace: SA 0x%08x rejected: %s", k->spi, reason ? reason : "?");
		return err;
	}
	sa->on_expire = us_on_expire;
	sa->expire_ctx = u;
	err = sad_add(&u->sad, sa);
	if (err) {
		log_error("userspace: SA 0x%08x (%s) already installed", k->spi,
			  k->dir == KERNEL_DIR_IN ? "in" : "out");
		esp_sa_free(sa);
		return err;
	}
	if (k->dir == KERNEL_DIR_OUT)
		us_engine_flush_held(u, k->reqid);
	return 0;
}

static struct esp_sa *us_find(struct us_be *u, const struct kernel_sa_id *id)
{
	struct esp_sa *sa;

	if (id->dir == KERNEL_DIR_IN) {
		sa = sad_find_in(&u->sad, id->spi);
		return sa && !sa->larval ? sa : NULL;
	}
	return sad_find_out(&u->sad, id->spi, (const struct sockaddr *)&id->dst);
}

static int us_update_sa(void *be, const struct kernel_sa_id *id, const struct sockaddr *src,
			const struct sockaddr *dst, const struct kernel_encap *encap)
{
	struct us_be *u = be;
	struct esp_sa *sa = us_find(u, id);

	if (!sa)
		return -ENOENT;
	if (id->dir == KERNEL_DIR_OUT) {
		/* the outbound table is keyed by destination: re-key the entry */
		htable_remove(&u->sad.out_spi, &sa->node_spi);
		htable_remove(&u->sad.out_reqid, &sa->node_reqid);
		memcpy(&sa->src, src, src->sa_family == AF_INET ? sizeof(struct sockaddr_in)
								: sizeof(struct sockaddr_in6));
		memcpy(&sa->dst, dst, dst->sa_family == AF_INET ? sizeof(struct sockaddr_in)
								: sizeof(struct sockaddr_in6));
		sa->encap = *encap;
		return sad_add(&u->sad, sa);
	}
	memcpy(&sa->src, src, src->sa_family == AF_INET ? sizeof(struct sockaddr_in)
							: sizeof(struct sockaddr_in6));
	memcpy(&sa->dst, dst, dst->sa_family == AF_INET ? sizeof(struct sockaddr_in)
							: sizeof(struct sockaddr_in6));
	sa->encap = *encap;
	return 0;
}

static int us_del_sa(void *be, const struct kernel_sa_id *id)
{
	struct us_be *u = be;
	struct esp_sa *sa = id->dir == KERNEL_DIR_IN ? sad_find_in(&u->sad, id->spi)
						      : us_find(u, id);

	if (!sa)
		return -ENOENT;
	sad_del(&u->sad, sa);	/* also releases a larval reservation */
	return 0;
}

static int us_query_sa(void *be, const struct kernel_sa_id *id, struct kernel_sa_stats *out)
{
	struct esp_sa *sa = us_find(be, id);

	if (!sa)
		return -ENOENT;
	out->bytes = sa->stats.bytes;
	out->packets = sa->stats.packets;
	out->last_use = sa->stats.last_use;
	return 0;
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
		if (add && !route_add(u->route, &dst, (uint8_t)p[i].len, u->tun.ifindex, NULL)) {
			while (i-- > 0)
				us_routes(u, pol, false);
			return -EINVAL;
		}
		if (!add)
			route_del(u->route, &dst, (uint8_t)p[i].len, u->tun.ifindex);
	}
	return 0;
}

static int us_add_policy(void *be, const struct kernel_policy *pol)
{
	struct us_be *u = be;
	int err = spd_add(&u->spd, pol);

	if (err)
		return err;
	err = us_routes(u, pol, true);
	if (err)
		spd_del(&u->spd, pol);
	return err;
}

static int us_del_policy(void *be, const struct kernel_policy *pol)
{
	struct us_be *u = be;
	int err = spd_del(&u->spd, pol);

	if (!err)
		us_routes(u, pol, false);
	return err;
}

static int us_get_seq_out(void *be, const struct kernel_sa_id *id, uint64_t *seq)
{
	struct esp_sa *sa = us_find(be, id);

	if (!sa || sa->dir != KERNEL_DIR_OUT)
		return -ENOENT;
	*seq = sa->seq_out;
	return 0;
}

static int us_set_seq_out(void *be, const struct kernel_sa_id *id, uint64_t seq)
{
	struct esp_sa *sa = us_find(be, id);

	if (!sa || sa->dir != KERNEL_DIR_OUT)
		return -ENOENT;
	if (seq < sa->seq_out)
		return -EINVAL;	/* never backwards: the peer would drop the replays */
	sa->seq_out = seq;
	return 0;
}

static int us_get_replay(void *be, uint32_t spi, struct kernel_replay_state *st)
{
	struct us_be *u = be;
	struct esp_sa *sa = sad_find_in(&u->sad, spi);

	if (!sa || sa->larval)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->window = sa->replay.window;
	replay_export(&sa->replay, &st->top, st->bitmap);
	return 0;
}

static int us_set_replay(void *be, uint32_t spi, const struct kernel_replay_state *st)
{
	struct us_be *u = be;
	struct esp_sa *sa = sad_find_in(&u->sad, spi);

	if (!sa || sa->larval)
		return -ENOENT;
	if (st->window != sa->replay.window)
		return -EINVAL;
	replay_import(&sa->replay, st->top, st->bitmap);
	return 0;
}

static int us_set_segment_filter(void *be, kernel_segment_fn fn, void *ctx)
{
	struct us_be *u = be;

	u->filter = fn;
	u->filter_ctx = ctx;
	return 0;
}

static void us_destroy(void *be)
{
	struct us_be *u = be;

	if (!u)
		return;
	us_engine_close(u);
	us_engine_drop_held(u);
	sad_free(&u->sad);
	spd_free(&u->spd);
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
	u->net = net;
	u->raw4 = u->raw6 = -1;
	if (!sad_init(&u->sad) || !spd_init(&u->spd)) {
		free(u);
		return NULL;
	}
	if (!tun_open(&u->tun, u->cfg.tun_name, 1, u->cfg.mtu) ||
	    !(u->route = route_open()) || us_engine_open(u, base) < 0) {
		us_destroy(u);
		return NULL;
	}
	log_info("userspace datapath on %s (mtu %d)%s", u->tun.name, u->cfg.mtu,
		 u->raw4 >= 0 ? ", raw ESP accepted" : "");
	return &u->ki;
}

void userspace_input_udp(struct kernel_ipsec *ki, const uint8_t *pkt, size_t len,
			 const struct net_endpoints *ep)
{
	us_engine_input(ki->be, pkt, len, &ep->remote, &ep->local);
}

const struct userspace_counters *userspace_get_counters(const struct kernel_ipsec *ki)
{
	return &((const struct us_be *)ki->be)->counters;
}

int userspace_ifindex(const struct kernel_ipsec *ki)
{
	return ((const struct us_be *)ki->be)->tun.ifindex;
}
