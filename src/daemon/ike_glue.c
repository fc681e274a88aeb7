#include "daemon/ike_glue.h"

#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/ke_stock.h"
#include "crypto/rng.h"
#include "daemon/conf_translate.h"
#include "daemon/datapath.h"
#include "ike/ike_sa.h"
#include "kernel/socket.h"
#include "lib/log.h"
#include "pool/pool.h"

struct ike_glue {
	struct event_base *base;
	struct net *net;
	struct datapath *dp;
	struct ike_core *core;
	struct config *cfg;
	struct pool **pools;
	size_t npools;
	void (*hook)(void *ctx, enum ike_event ev, const struct ike_sa *sa,
		     const struct child_sa *c);
	void *hook_ctx;
};

static bool g_send(void *ctx, const struct net_endpoints *ep, const uint8_t *msg,
		   size_t len)
{
	struct ike_glue *g = ctx;

	return net_send_ike(g->net, ep, msg, len);
}

static void g_keepalive(void *ctx, const struct net_endpoints *ep)
{
	struct ike_glue *g = ctx;

	net_send_keepalive(g->net, ep);
}

static const struct config_secret *find_secret(const struct config *cfg,
					       const struct ike_id *id)
{
	char buf[IKE_ID_MAX + 8];

	if (id->any)
		return NULL;
	return config_find_secret(cfg, ike_id_str(id, buf, sizeof(buf)));
}

static bool g_psk(void *ctx, const struct ike_id *local, const struct ike_id *remote,
		  struct chunk *out)
{
	struct ike_glue *g = ctx;
	const struct config_secret *s = find_secret(g->cfg, remote);

	if (!s)
		s = find_secret(g->cfg, local);
	return s && s->type == CONFIG_SECRET_IKE &&
	       chunk_dup(out, s->secret.ptr, s->secret.len);
}

static struct pool *pool_by_name(struct ike_glue *g, const char *name)
{
	for (size_t i = 0; i < g->npools; i++)
		if (strcmp(pool_name(g->pools[i]), name) == 0)
			return g->pools[i];
	return NULL;
}

static bool g_vip(void *ctx, const char pools[][64], size_t npools, int family,
		  const char *identity, const struct sockaddr_storage *req,
		  struct ike_vip *out)
{
	struct ike_glue *g = ctx;

	for (size_t i = 0; i < npools; i++) {
		struct pool *p = pool_by_name(g, pools[i]);
		const struct sockaddr_storage *dns;
		size_t ndns;

		if (!p || pool_family(p) != family)
			continue;
		memset(out, 0, sizeof(*out));
		if (!pool_acquire(p, identity, req, &out->addr))
			continue;
		ndns = pool_dns(p, &dns);
		for (size_t k = 0; k < ndns && out->ndns < IKE_MAX_DNS; k++)
			out->dns[out->ndns++] = dns[k];
		snprintf(out->pool, sizeof(out->pool), "%s", pools[i]);
		return true;
	}
	return false;
}

static void g_vip_release(void *ctx, const struct ike_vip *vip)
{
	struct pool *p = pool_by_name(ctx, vip->pool);

	if (p)
		pool_release(p, &vip->addr);
}

static bool g_spi(void *ctx, uint32_t *spi)
{
	struct ike_glue *g = ctx;

	if (g->dp)
		return datapath_spi_alloc(g->dp, spi);
	/* the datapath allocates SPIs once kernel_ipsec is wired; until then
	 * random ones above the reserved range */
	do {
		if (!rng_bytes(spi, sizeof(*spi)))
			return false;
	} while (*spi < 256);
	return true;
}

static bool g_install(void *ctx, const struct ike_sa *sa, const struct child_sa *c)
{
	struct ike_glue *g = ctx;

	if (g->dp)
		return datapath_child_install(g->dp, sa, c);
	sa_info(sa, "CHILD SA '%s' handed to the datapath (SPIs %08x_i %08x_o, %s)",
		c->name, c->spi_in, c->spi_out, c->encap ? "UDP encapsulated" : "ESP");
	return true;
}

static void g_uninstall(void *ctx, const struct ike_sa *sa, const struct child_sa *c)
{
	struct ike_glue *g = ctx;

	if (g->dp)
		datapath_child_uninstall(g->dp, sa, c);
	sa_debug(sa, "CHILD SA '%s' removed from the datapath", c->name);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct ike_timer *t = arg;

	(void)fd;
	(void)what;
	t->fire(t);
}

static void g_timer_arm(void *ctx, struct ike_timer *t, uint32_t ms)
{
	struct ike_glue *g = ctx;
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	if (!t->impl)
		t->impl = evtimer_new(g->base, on_timer, t);
	if (!t->impl || evtimer_add((struct event *)t->impl, &tv) < 0)
		log_error("ike: cannot arm a timer");
}

static void g_timer_cancel(void *ctx, struct ike_timer *t)
{
	(void)ctx;
	if (t->impl)
		evtimer_del((struct event *)t->impl);
}

static void g_timer_release(void *ctx, struct ike_timer *t)
{
	(void)ctx;
	if (t->impl)
		event_free((struct event *)t->impl);
	t->impl = NULL;
}

static uint64_t g_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void g_event(void *ctx, enum ike_event ev, const struct ike_sa *sa,
		    const struct child_sa *c)
{
	static const char *names[] = { "ike-up", "ike-updated", "ike-rekeyed",
				       "ike-down", "mid", "child-up", "child-rekeyed",
				       "child-down" };

	struct ike_glue *g = ctx;

	if (ev == IKE_EV_SA_UPDATED && g->dp)
		datapath_sa_updated(g->dp, sa);
	if (ev != IKE_EV_MID)
		sa_debug(sa, "event %s%s%s", names[ev], c ? " " : "", c ? c->name : "");
	if (g->hook)
		g->hook(g->hook_ctx, ev, sa, c);
}

struct ike_glue *ike_glue_new(struct event_base *base, struct net *net,
			      struct datapath *dp, uint16_t natt_port)
{
	struct ike_glue *g = calloc(1, sizeof(*g));
	struct ike_env env = {
		.natt_port = natt_port, .send = g_send, .keepalive = g_keepalive,
		.psk_lookup = g_psk,
		.vip_acquire = g_vip, .vip_release = g_vip_release, .spi_alloc = g_spi,
		.child_install = g_install, .child_uninstall = g_uninstall,
		.timer_arm = g_timer_arm, .timer_cancel = g_timer_cancel,
		.timer_release = g_timer_release, .now_ms = g_now, .event = g_event,
	};

	if (!g)
		return NULL;
	g->base = base;
	g->net = net;
	g->dp = dp;
	env.ctx = g;
	g->core = ike_core_new(&env);
	if (!g->core) {
		free(g);
		return NULL;
	}
	if (dp)
		datapath_set_core(dp, g->core);	/* acquires initiate here */
	return g;
}

static bool add_pools(struct ike_glue *g, const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_pools; i++) {
		const struct config_pool *cp = &cfg->pools[i];
		char addrs[128], err[160];
		struct pool *p, **v;

		if (pool_by_name(g, cp->name))
			continue;
		config_host_format(&cp->addrs, addrs, sizeof(addrs));
		p = pool_create(cp->name, addrs, err, sizeof(err));
		if (!p) {
			log_error("pool '%s': %s", cp->name, err);
			return false;
		}
		for (size_t k = 0; k < cp->n_dns; k++) {
			char dns[64];

			config_host_format(&cp->dns[k], dns, sizeof(dns));
			if (!pool_add_dns(p, dns, err, sizeof(err)))
				log_warn("pool '%s': DNS %s: %s", cp->name, dns, err);
		}
		v = realloc(g->pools, (g->npools + 1) * sizeof(*v));
		if (!v) {
			pool_free(p);
			return false;
		}
		g->pools = v;
		g->pools[g->npools++] = p;
		log_info("pool '%s': %s, %u addresses", cp->name, addrs, pool_size(p));
	}
	return true;
}

/* Key pairs made ahead on another thread (crypto/ke_stock.h); a new depth
 * restarts the stock. A stock that cannot start leaves key generation
 * inline, as without one. */
static void key_stock_apply(unsigned depth)
{
	char why[128] = "";

	ke_stock_stop();
	if (!ke_stock_start(depth, why, sizeof(why)))
		log_warn("key stock: %s; key pairs are generated inline", why);
	else if (depth)
		log_info("key stock: %u key pairs per group made ahead on a second thread", depth);
}

bool ike_glue_apply(struct ike_glue *g, struct config *cfg, const char *confdir)
{
	struct ike_conf **confs;
	size_t n;
	char why[256];

	if (!conf_translate(cfg, confdir, &confs, &n, why, sizeof(why))) {
		log_error("configuration: %s", why);
		config_free(cfg);
		return false;
	}
	if (!add_pools(g, cfg)) {
		conf_translate_free(confs, n);
		config_free(cfg);
		return false;
	}
	ike_core_set_confs(g->core, confs, n);
	conf_translate_free(confs, n);
	/* responder limits: cheap to change, so a reload applies them */
	ike_core_set_cookie_threshold(g->core, cfg->daemon.cookie_threshold);
	ike_core_set_half_open_limit(g->core, cfg->daemon.half_open_limit);
	ike_core_set_peer_half_open_limit(g->core, cfg->daemon.peer_half_open_limit);
	if (g->dp && !datapath_apply(g->dp, cfg)) {
		config_free(cfg);
		return false;
	}
	if (!g->cfg || g->cfg->daemon.key_stock != cfg->daemon.key_stock)
		key_stock_apply(cfg->daemon.key_stock);
	config_free(g->cfg);
	g->cfg = cfg;
	log_info("loaded %zu connections, %zu secrets, %zu pools", cfg->n_conns,
		 cfg->n_secrets, cfg->n_pools);
	log_info("cookies from %u half-open SAs, half-open limit %u, %u per peer",
		 cfg->daemon.cookie_threshold, cfg->daemon.half_open_limit,
		 cfg->daemon.peer_half_open_limit);
	return true;
}

void ike_glue_start(struct ike_glue *g)
{
	for (size_t i = 0; g->cfg && i < g->cfg->n_conns; i++) {
		const struct config_conn *cc = &g->cfg->conns[i];

		for (size_t k = 0; k < cc->n_children; k++) {
			struct net_endpoints ep = { 0 };
			const struct config_host *r = cc->n_remote_addrs ? &cc->remote_addrs[0] : NULL;
			char addr[64];

			if (cc->children[k].start_action != CONFIG_ACTION_START)
				continue;
			if (!r || r->kind != HOST_ADDR) {
				log_warn("connection '%s': start_action needs one remote address",
					 cc->name);
				continue;
			}
			config_host_format(r, addr, sizeof(addr));
			if (!sockaddr_parse(addr, cc->remote_port ? cc->remote_port : 500,
					    &ep.remote))
				continue;
			ep.local.ss_family = ep.remote.ss_family;
			if (cc->n_local_addrs && cc->local_addrs[0].kind == HOST_ADDR) {
				config_host_format(&cc->local_addrs[0], addr, sizeof(addr));
				sockaddr_parse(addr, 0, &ep.local);
			}
			if (!net_pick_source(g->net, &ep))
				continue;
			ike_core_initiate(g->core, cc->name, cc->children[k].name, &ep);
		}
	}
}

struct ike_core *ike_glue_core(struct ike_glue *g)
{
	return g->core;
}

struct datapath *ike_glue_datapath(struct ike_glue *g)
{
	return g->dp;
}

const struct config *ike_glue_config(struct ike_glue *g)
{
	return g->cfg;
}

struct pool *ike_glue_pool(struct ike_glue *g, const char *name)
{
	return pool_by_name(g, name);
}

void ike_glue_set_event_hook(struct ike_glue *g,
			     void (*fn)(void *ctx, enum ike_event ev, const struct ike_sa *sa,
					const struct child_sa *c),
			     void *ctx)
{
	g->hook = fn;
	g->hook_ctx = ctx;
}

void ike_glue_free(struct ike_glue *g, bool send_deletes)
{
	if (!g)
		return;
	if (send_deletes)
		ike_core_shutdown(g->core);
	else
		ike_core_free(g->core);
	if (g->dp)
		datapath_set_core(g->dp, NULL);	/* no expire or unknown SPI reaches it now */
	for (size_t i = 0; i < g->npools; i++)
		pool_free(g->pools[i]);
	free(g->pools);
	config_free(g->cfg);
	ke_stock_stop();
	free(g);
}
