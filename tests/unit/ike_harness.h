/* In-memory test bed for the IKE core: two cores (initiator "i" and
 * responder "r") connected by a packet queue instead of sockets, a manual
 * clock for timers, a PSK table, a tiny pool and a record of installed
 * CHILD SAs. A filter hook can drop or change packets in flight. */
#ifndef CYGNET_TESTS_IKE_HARNESS_H
#define CYGNET_TESTS_IKE_HARNESS_H

#include <arpa/inet.h>
#include <netinet/in.h>

#include "ike/core_priv.h"
#include "ike/ike_core.h"
#include "ike/ike_ts.h"
#include "ike/task.h"
#include "lib/log.h"

#define HN_MAXQ 64
#define HN_MAXT 64

struct hn_peer;

struct hn_pkt {
	struct hn_peer *to;
	struct net_endpoints ep;	/* as the receiver sees it */
	uint8_t *data;
	size_t len;
};

struct hn_peer {
	struct hn *h;
	const char *name;
	struct ike_core *core;
	struct sockaddr_storage addr;	/* own address */
	struct sockaddr_storage seen_as;	/* what the other side sees (NAT) */
	const char *psk;
	unsigned installed, uninstalled, events[8];
	struct child_sa last_child;	/* copy without keys pointers */
	struct chunk last_encr_ir;
	unsigned vip_leases, vip_releases;
	uint32_t next_spi;
	uint64_t sent;
	uint16_t nat_port_offset;	/* NAT: source ports move by this */
	unsigned keepalives;
};

struct hn {
	struct hn_peer i, r;
	struct hn_pkt q[HN_MAXQ];
	size_t nq;
	struct ike_timer *timers[HN_MAXT];
	uint64_t deadline[HN_MAXT];
	uint64_t now;
	/* return false to drop; may modify the packet */
	bool (*filter)(struct hn *h, struct hn_pkt *p);
	void *filter_ctx;
	unsigned delivered;
};

static inline struct hn_peer *hn_other(struct hn_peer *p)
{
	return p == &p->h->i ? &p->h->r : &p->h->i;
}

static inline bool hn_send(void *ctx, const struct net_endpoints *ep, const uint8_t *msg,
		    size_t len)
{
	struct hn_peer *p = ctx;
	struct hn *h = p->h;
	struct hn_pkt *q;

	p->sent++;
	if (h->nq == HN_MAXQ)
		return false;
	q = &h->q[h->nq++];
	q->to = hn_other(p);
	/* the receiver sees our address as translated (NAT), with our port */
	q->ep.local = ep->remote;
	if (q->to->nat_port_offset) {
		/* the NAT translates back to the receiver's own address */
		q->ep.local = q->to->addr;
		sockaddr_set_port(&q->ep.local, (uint16_t)(sockaddr_port(&ep->remote) -
							   q->to->nat_port_offset));
	}
	q->ep.remote = p->seen_as;
	sockaddr_set_port(&q->ep.remote, (uint16_t)(sockaddr_port(&ep->local) +
						    p->nat_port_offset));
	q->data = malloc(len);
	memcpy(q->data, msg, len);
	q->len = len;
	return true;
}

static inline void hn_keepalive(void *ctx, const struct net_endpoints *ep)
{
	(void)ep;
	((struct hn_peer *)ctx)->keepalives++;
}

static inline bool hn_psk(void *ctx, const struct ike_id *local, const struct ike_id *remote,
		   struct chunk *out)
{
	struct hn_peer *p = ctx;

	(void)local;
	(void)remote;
	return p->psk && chunk_dup(out, p->psk, strlen(p->psk));
}

static inline bool hn_vip(void *ctx, const char pools[][64], size_t npools, int family,
		   const char *identity, const struct sockaddr_storage *req,
		   struct ike_vip *out)
{
	struct hn_peer *p = ctx;
	struct sockaddr_in *a = (struct sockaddr_in *)&out->addr;
	struct sockaddr_in *d = (struct sockaddr_in *)&out->dns[0];

	(void)req;
	(void)identity;
	if (family != AF_INET || !npools)
		return false;
	memset(out, 0, sizeof(*out));
	a->sin_family = AF_INET;
	inet_pton(AF_INET, "10.3.0.1", &a->sin_addr);
	a->sin_addr.s_addr = htonl(ntohl(a->sin_addr.s_addr) + p->vip_leases);
	d->sin_family = AF_INET;
	inet_pton(AF_INET, "10.1.0.53", &d->sin_addr);
	out->ndns = 1;
	snprintf(out->pool, sizeof(out->pool), "%s", pools[0]);
	p->vip_leases++;
	return true;
}

static inline void hn_vip_release(void *ctx, const struct ike_vip *vip)
{
	struct hn_peer *p = ctx;

	(void)vip;
	p->vip_releases++;
}

static inline bool hn_spi(void *ctx, uint32_t *spi)
{
	struct hn_peer *p = ctx;

	*spi = p->next_spi++;
	return true;
}

static inline bool hn_install(void *ctx, const struct ike_sa *sa, const struct child_sa *c)
{
	struct hn_peer *p = ctx;

	(void)sa;
	p->installed++;
	p->last_child = *c;
	chunk_free(&p->last_encr_ir);
	chunk_dup(&p->last_encr_ir, c->keys.encr_ir.ptr, c->keys.encr_ir.len);
	return true;
}

static inline void hn_uninstall(void *ctx, const struct ike_sa *sa, const struct child_sa *c)
{
	struct hn_peer *p = ctx;

	(void)sa;
	(void)c;
	p->uninstalled++;
}


static inline void hn_timer_arm(void *ctx, struct ike_timer *t, uint32_t ms)
{
	struct hn *h = ((struct hn_peer *)ctx)->h;
	size_t free_slot = HN_MAXT;

	for (size_t i = 0; i < HN_MAXT; i++) {
		if (h->timers[i] == t) {
			h->deadline[i] = h->now + ms;
			return;
		}
		if (!h->timers[i] && free_slot == HN_MAXT)
			free_slot = i;
	}
	ck_assert(free_slot < HN_MAXT);
	h->timers[free_slot] = t;
	h->deadline[free_slot] = h->now + ms;
}

static inline void hn_timer_cancel(void *ctx, struct ike_timer *t)
{
	struct hn *h = ((struct hn_peer *)ctx)->h;

	for (size_t i = 0; i < HN_MAXT; i++)
		if (h->timers[i] == t)
			h->timers[i] = NULL;
}

static inline uint64_t hn_now(void *ctx)
{
	return ((struct hn_peer *)ctx)->h->now;
}

static inline void hn_event(void *ctx, enum ike_event ev, const struct ike_sa *sa,
		     const struct child_sa *c)
{
	struct hn_peer *p = ctx;

	(void)sa;
	(void)c;
	if ((unsigned)ev < 8)
		p->events[ev]++;
}

static inline void hn_addr(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	ck_assert(sockaddr_parse(ip, port, ss));
}

static inline void hn_peer_init(struct hn *h, struct hn_peer *p, const char *name,
			 const char *ip, uint32_t spi_base)
{
	struct ike_env env = {
		.ctx = p, .natt_port = 4500, .send = hn_send, .psk_lookup = hn_psk,
		.keepalive = hn_keepalive,
		.vip_acquire = hn_vip, .vip_release = hn_vip_release,
		.spi_alloc = hn_spi, .child_install = hn_install,
		.child_uninstall = hn_uninstall, .timer_arm = hn_timer_arm,
		.timer_cancel = hn_timer_cancel, .now_ms = hn_now, .event = hn_event,
	};

	p->h = h;
	p->name = name;
	p->next_spi = spi_base;
	hn_addr(&p->addr, ip, 500);
	hn_addr(&p->seen_as, ip, 0);
	p->core = ike_core_new(&env);
	ck_assert_ptr_nonnull(p->core);
}

static inline void hn_init(struct hn *h)
{
	memset(h, 0, sizeof(*h));
	h->now = 1000;
	hn_peer_init(h, &h->i, "i", "192.0.2.100", 0xc0000001);
	hn_peer_init(h, &h->r, "r", "192.0.2.1", 0xd0000001);
}

static inline void hn_free(struct hn *h)
{
	ike_core_free(h->i.core);
	ike_core_free(h->r.core);
	for (size_t i = 0; i < h->nq; i++)
		free(h->q[i].data);
	chunk_free(&h->i.last_encr_ir);
	chunk_free(&h->r.last_encr_ir);
}

/* Deliver queued packets (and what they cause) until quiet. */
static inline void hn_pump(struct hn *h)
{
	for (unsigned rounds = 0; h->nq && rounds < 1000; rounds++) {
		struct hn_pkt p = h->q[0];

		memmove(&h->q[0], &h->q[1], (h->nq - 1) * sizeof(h->q[0]));
		h->nq--;
		if (!h->filter || h->filter(h, &p)) {
			h->delivered++;
			ike_core_input(p.to->core, p.data, p.len, &p.ep);
		}
		free(p.data);
	}
}

/* Move the clock by ms, firing due timers in deadline order. */
static inline void hn_advance(struct hn *h, uint64_t ms)
{
	uint64_t end = h->now + ms;

	for (;;) {
		size_t best = HN_MAXT;

		for (size_t i = 0; i < HN_MAXT; i++)
			if (h->timers[i] && h->deadline[i] <= end &&
			    (best == HN_MAXT || h->deadline[i] < h->deadline[best]))
				best = i;
		if (best == HN_MAXT)
			break;
		h->now = h->deadline[best];
		/* timers due at the same moment fire together, before any packet
		 * moves: simultaneous events on both ends (collisions) */
		for (size_t i = 0; i < HN_MAXT; i++) {
			struct ike_timer *t = h->timers[i];

			if (!t || h->deadline[i] != h->now)
				continue;
			h->timers[i] = NULL;
			t->fire(t);
		}
		hn_pump(h);
	}
	h->now = end;
}

/* The usual road warrior pair of confs. */
static inline struct ike_conf *hn_conf(const char *name, bool initiator, const char *ike_prop,
				const char *esp_prop)
{
	struct ike_conf *c = ike_conf_new(name);
	struct ike_child_conf *ch = &c->children[0];

	ck_assert(ike_prop_parse(PROTO_IKE, ike_prop, &c->props[0]));
	c->n_props = 1;
	ck_assert(ike_id_from_string(initiator ? "rw1.example" : "gw.example", &c->local_id));
	ck_assert(ike_id_from_string(initiator ? "gw.example" : "%any", &c->remote_id));
	c->n_children = 1;
	snprintf(ch->name, sizeof(ch->name), "home");
	ck_assert(ike_prop_parse(PROTO_ESP, esp_prop, &ch->props[0]));
	ch->n_props = 1;
	if (initiator) {
		c->want_vip4 = true;
		ck_assert(ike_ts_conf_parse("dynamic", &ch->local_ts[0]));
		ck_assert(ike_ts_conf_parse("10.1.0.0/24", &ch->remote_ts[0]));
	} else {
		snprintf(c->pools[0], sizeof(c->pools[0]), "rw");
		c->n_pools = 1;
		ck_assert(ike_ts_conf_parse("10.1.0.0/24", &ch->local_ts[0]));
		ck_assert(ike_ts_conf_parse("dynamic", &ch->remote_ts[0]));
	}
	ch->n_local_ts = ch->n_remote_ts = 1;
	return c;
}

static inline void hn_set_conf(struct hn_peer *p, struct ike_conf *c)
{
	ike_core_set_confs(p->core, &c, 1);
	ike_conf_unref(c);
}

static inline uint32_t hn_initiate(struct hn *h)
{
	struct net_endpoints ep = { .local = h->i.addr, .remote = h->r.addr };

	return ike_core_initiate(h->i.core, "home", "home", &ep);
}

/* The only SA of a core, or NULL. */
static inline void hn_first_cb(void *ctx, const struct ike_sa *sa)
{
	*(const struct ike_sa **)ctx = sa;
}

static inline struct ike_sa *hn_sa(struct hn_peer *p)
{
	const struct ike_sa *sa = NULL;

	ike_core_foreach(p->core, hn_first_cb, &sa);
	return (struct ike_sa *)sa;
}

/* Both cores hold the same ESTABLISHED SA with the pool's virtual IP and
 * DNS, one CHILD SA each (SPIs crossed, same keys, TSi narrowed to the
 * virtual IP) and message IDs at 2: the result of the standard setup. */
static inline void hn_assert_established(struct hn *h)
{
	struct ike_sa *i = hn_sa(&h->i), *r = hn_sa(&h->r);
	char a[64];

	ck_assert_ptr_nonnull(i);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(i->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(r->state, IKE_SA_ESTABLISHED);
	ck_assert(i->spi_i == r->spi_i && i->spi_r == r->spi_r && i->spi_r);
	/* the virtual IP and DNS from the pool reached the initiator */
	ck_assert(i->has_vip && r->has_vip);
	ck_assert_str_eq(sockaddr_str(&i->vip.addr, a, sizeof(a)), "10.3.0.1[0]");
	ck_assert_uint_eq(i->vip.ndns, 1);
	ck_assert_str_eq(sockaddr_str(&i->vip.dns[0], a, sizeof(a)), "10.1.0.53[0]");
	/* one CHILD SA on each side, SPIs crossed, same keys */
	ck_assert_uint_eq(h->i.installed, 1);
	ck_assert_uint_eq(h->r.installed, 1);
	ck_assert_ptr_nonnull(i->children);
	ck_assert_ptr_nonnull(r->children);
	ck_assert_uint_eq(i->children->spi_out, r->children->spi_in);
	ck_assert_uint_eq(i->children->spi_in, r->children->spi_out);
	ck_assert_uint_eq(h->i.last_encr_ir.len, 36);	/* AES-256 key + salt */
	ck_assert(chunk_equal(&h->i.last_encr_ir, &h->r.last_encr_ir));
	ck_assert_int_eq(i->children->alg.encr, ENCR_AES_GCM_16);
	/* the responder narrowed TSi to the virtual IP */
	ck_assert_str_eq(ts_str(&r->children->remote_ts[0], a, sizeof(a)), "10.3.0.1/32");
	ck_assert_str_eq(ts_str(&i->children->local_ts[0], a, sizeof(a)), "10.3.0.1/32");
	ck_assert_str_eq(ts_str(&i->children->remote_ts[0], a, sizeof(a)), "10.1.0.0/24");
	ck_assert_uint_eq(i->mid_out, 2);
	ck_assert_uint_eq(r->mid_in, 2);
}

#endif
