/* Inside the IKE core: what ike_core.c, ike_sa.c, exchange.c and the tasks
 * share. Not for other folders. */
#ifndef CYGNET_IKE_CORE_PRIV_H
#define CYGNET_IKE_CORE_PRIV_H

#include "ike/ike_core.h"
#include "ike/ike_sa.h"
#include "ike/msg.h"
#include "lib/htable.h"
#include "lib/log.h"

struct ike_core {
	struct ike_env env;
	struct ike_conf **confs;
	size_t nconfs;
	struct htable by_spi;		/* ike_sa.by_spi: our SPI */
	struct htable by_init;		/* ike_sa.by_init: (spi_i, peer) */
	struct htable by_id;		/* unique ids: ike_sa via id_node */
	struct htable child_by_spi;	/* child_sa.by_spi: spi_in */
	struct htable by_peer;		/* ike_sa.by_peer: ep.remote without port */
	struct htable by_conn_peer;	/* ike_sa.by_conn_peer: (conf name, peer id), established */
	uint32_t next_unique, next_child_unique, next_reqid;
	unsigned half_open_limit;
	unsigned cookie_threshold;
	unsigned peer_half_open_limit;
	struct htable half_open_peers;	/* struct peer_count by address */
	uint8_t cookie_secret[32];
	struct ike_core_stats stats;
	struct ike_sa *dead;		/* freed after the current event */
	unsigned depth;			/* nesting of entry points */
	struct ike_msg *msg_in, *msg_out;	/* scratch, reused */
	/* tests only: may change every nonce we make (IKE_SA_INIT and
	 * CREATE_CHILD_SA) to force the outcome of a collision */
	void (*nonce_hook)(void *ctx, struct chunk *nonce);
	void *nonce_hook_ctx;
};

/* --- ike_core.c --- */
void core_sa_register(struct ike_core *c, struct ike_sa *sa);
/* Half-open accounting (global and per peer address) of responder SAs. */
bool core_half_open_allowed(struct ike_core *c, const struct sockaddr_storage *peer);
void core_half_open_add(struct ike_core *c, struct ike_sa *sa);
void core_half_open_del(struct ike_core *c, struct ike_sa *sa);
/* The responder learns its SPI later than the SA exists. */
void core_sa_set_spi(struct ike_core *c, struct ike_sa *sa);
void core_sa_unregister(struct ike_core *c, struct ike_sa *sa);
/* The SA's peer address is about to change to ep->remote (re-keys by_peer). */
void core_sa_peer_moved(struct ike_core *c, struct ike_sa *sa,
			const struct net_endpoints *ep);
/* A new CHILD SA unique id (never 0). */
uint32_t core_child_next_id(struct ike_core *c);
/* Registers ch by its inbound SPI; gives it an id if it has none. */
void core_child_register(struct ike_core *c, struct child_sa *ch);
/* A CHILD SA of any IKE SA of this core by its inbound SPI, or NULL. */
struct child_sa *core_child_find(struct ike_core *c, uint32_t spi_in);
void core_child_unregister(struct ike_core *c, struct child_sa *ch);
/* Entry/exit of a public call: dead SAs are freed at the outermost exit. */
void core_enter(struct ike_core *c);
void core_leave(struct ike_core *c);
void core_send(struct ike_core *c, const struct net_endpoints *ep,
	       const uint8_t *p, size_t len);
void core_event(struct ike_sa *sa, enum ike_event ev, const struct child_sa *ch);
/* Confs whose addresses fit ep, in list order, after 'prev' (NULL first). */
struct ike_conf *core_conf_by_addr(struct ike_core *c,
				   const struct net_endpoints *ep,
				   struct ike_conf *prev);

/* --- ike_child_life.c --- */
/* Arm the child's life_time timer (child_sa_schedule_rekey calls it). */
void child_sa_schedule_life(struct ike_sa *sa, struct child_sa *ch);
/* Start a CHILD rekey (its rekey_time or a soft lifetime); false when
 * nothing was started (not installed, already rekeying, replaced, SA not
 * established). */
bool core_child_rekey(struct ike_sa *sa, struct child_sa *ch, const char *why);
/* A hard lifetime: queue its Delete; false when there is nothing to do. */
bool core_child_hard_expire(struct ike_sa *sa, struct child_sa *ch, const char *why);
/* --- collide.c: collisions (RFC 7296 2.8.1, 2.8.2, 2.25) and duplicate
 * IKE SAs from simultaneous initiation --- */
/* A fresh nonce of len bytes (through the test hook). */
bool core_nonce(struct ike_core *c, struct chunk *out, size_t len);
bool collide_table_init(struct ike_core *c, uint32_t seed);
/* RFC 7296 2.8.1: of two colliding exchanges with nonces (ai, ar) and
 * (bi, br), true when the one with a holds the lowest of the four nonces
 * (octet by octet, a prefix is lower): its SA is the redundant one. */
bool collide_loses(const struct chunk *ai, const struct chunk *ar,
		   const struct chunk *bi, const struct chunk *br);
/* The SA is (or stops being) ESTABLISHED: the (conf, peer id) table. */
void collide_peer_link(struct ike_sa *sa);
void collide_peer_unlink(struct ike_sa *sa);
/* sa just completed IKE_AUTH (called when the exchange is over, as it may
 * send a request): if an IKE SA for the same connection and
 * peer exists that the other side initiated (simultaneous initiation),
 * the one with the lowest nonces is deleted by its initiator. */
void collide_check_duplicate(struct ike_sa *sa);
/* The peer's new SA np of an IKE rekey collision on old lost, or old went
 * away first: unlinked from old, np only waits for the peer's Delete now
 * (30 s at most). */
void collide_release(struct ike_sa *old, struct ike_sa *np);

/* --- tasks/ike_rekey.c --- */
/* An IKE rekey collision waits on old and the peer closes the old SA or
 * refused our rekey: the peer's new SA takes the CHILD SAs. */
bool ike_rekey_peer_wins(struct ike_sa *old);

/* --- ike_sa.c --- */
struct ike_sa *ike_sa_new(struct ike_core *c, bool initiator,
			  const struct net_endpoints *ep);
void ike_sa_free(struct ike_sa *sa);
void ike_sa_update_prefix(struct ike_sa *sa);
/* Timer plumbing */
void ike_sa_timer_arm(struct ike_sa *sa, struct ike_timer *t, uint32_t ms);
void ike_sa_timer_cancel(struct ike_sa *sa, struct ike_timer *t);
void ike_sa_schedule_dpd(struct ike_sa *sa);
void ike_sa_schedule_rekey(struct ike_sa *sa);
void ike_sa_schedule_keepalive(struct ike_sa *sa);
/* 10..30 s, random: when to try a refused rekey again (collisions). */
uint32_t ike_sa_retry_delay(void);
void child_sa_schedule_rekey(struct ike_sa *sa, struct child_sa *ch);
/* A new CHILD SA replaces ch (rekey) or ch is the redundant SA of a rekey
 * collision: no more rekeys; if it is still there after 30 s (the peer did
 * not delete it), we delete it. */
void child_sa_replaced(struct ike_sa *sa, struct child_sa *ch);
/* Wrap up a successful IKE_AUTH: state, counters, event, DPD. */
void ike_sa_established(struct ike_sa *sa);

/* --- exchange.c --- */
/* Handle one parsed datagram for an SA (request or response). */
void exchange_input(struct ike_sa *sa, struct ike_msg *m,
		    const struct net_endpoints *ep);
/* Build and send the request for the active tasks. */
void exchange_send_request(struct ike_sa *sa);
void exchange_retransmit(struct ike_sa *sa);

#endif
