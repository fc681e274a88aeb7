/* Internal to src/daemon/datapath*.c: the datapath's state and the helpers
 * its files share (datapath.c: backend, CHILD SAs, reqids; datapath_trap.c:
 * traps, acquires and the backend's other events). */
#ifndef CYGNET_DAEMON_DATAPATH_INT_H
#define CYGNET_DAEMON_DATAPATH_INT_H

#include <sys/queue.h>

#include "daemon/datapath.h"
#include "ike/ike_sa.h"
#include "kernel/kernel_ipsec.h"
#include "lib/htable.h"

/* userspace policy routing (userspace.h): tunnel routes in their own table,
 * our IKE/ESP sockets marked so they always take the main table */
#define DP_ROUTE_TABLE 201
#define DP_FWMARK 0x6379
#define DP_RULE_PRIO 201
#define DP_ACQUIRE_HOLDOFF_S 30	/* one initiate per trap while it negotiates */
/* an SPI reserved for a negotiation that never installed it is released
 * after this (longer than any CHILD SA exchange with its retransmits) */
#define DP_SPI_RESERVE_S 180
#define DP_PRIO_CHILD 1000
#define DP_PRIO_TRAP 2000	/* installed CHILD SAs win over traps */

/* Everything one reqid protects: the selectors, the policies installed for
 * them, and who holds it (CHILD SAs and at most one trap). */
struct dp_reqid {
	struct htable_node by_key;	/* conn, child, mode, selectors */
	struct htable_node by_id;	/* reqid */
	uint32_t reqid;
	unsigned refs;
	bool trap;			/* a trap holds one of the refs */
	char conn[IKE_NAME_MAX], child[IKE_NAME_MAX];
	enum ike_mode mode;
	struct ike_ts local[CHILD_MAX_TS], remote[CHILD_MAX_TS];
	size_t n_local, n_remote;
	struct kernel_policy *pol;	/* n_local x n_remote x (OUT, IN, FWD) */
	size_t n_pol;
	uint64_t acquire_until;		/* monotonic seconds */
	bool seen;			/* apply: still a trap in the new config */
};

/* A virtual IP a peer gave us, on the TUN while a CHILD SA using it is
 * installed (by address: an IKE rekey moves it to the new IKE SA). */
struct dp_vip {
	struct dp_vip *next;
	struct sockaddr_storage addr;
	unsigned refs;
};

/* One installed CHILD SA, in two hash tables: by its inbound SPI (unique
 * on this node) and by the IKE core's CHILD SA unique id (the backend's
 * events name an outbound SA by it). The CHILD SAs of one IKE SA are found
 * through the core's own per-IKE-SA list (ike_sa.children), each in O(1). */
struct dp_child {
	struct htable_node by_spi, by_id;
	uint32_t child_id;		/* child_sa.unique_id */
	uint32_t spi_in, spi_out;
	bool soft_seen, hard_seen;	/* expire events passed on (either direction) */
	struct sockaddr_storage local, remote;	/* outer addresses now */
	struct kernel_encap encap;
	struct dp_reqid *rq;
	struct dp_vip *vip;		/* ours from the peer, or NULL */
};

/* An expire event waiting to reach the IKE core (from the event loop, never
 * from inside the backend's packet path or the core's own calls). */
struct dp_expire {
	uint32_t spi_in;		/* names the CHILD SA in the core */
	bool hard;
};

/* An inbound SPI reserved by spi_alloc and not yet installed. */
struct dp_spi {
	struct htable_node node;	/* datapath.reserved, by spi */
	TAILQ_ENTRY(dp_spi) fifo;	/* oldest first */
	uint32_t spi;
	uint64_t since;			/* monotonic seconds */
};

struct datapath {
	struct event_base *base;
	struct net *net;
	struct ike_core *core;
	struct kernel_ipsec *ki;
	bool userspace;
	int threads;			/* userspace: datapath threads besides the loop */
	struct config_daemon settings;	/* what the backend was opened with */
	char tun_name[16];
	struct htable reqids_by_key, reqids_by_id;	/* struct dp_reqid */
	struct htable children_by_spi, children_by_id;	/* struct dp_child */
	struct htable reserved;		/* struct dp_spi by SPI */
	TAILQ_HEAD(, dp_spi) reserved_fifo;
	struct dp_vip *vips;
	struct route_ctx *route;	/* userspace: virtual IPs on the TUN */
	uint32_t next_reqid;
	char (*encap_conns)[IKE_NAME_MAX];	/* connections with encap = yes */
	size_t n_encap_conns;
	uint64_t unknown_spi;
	uint64_t unknown_spi_logged_at;
	uint64_t expires_soft, expires_hard, acquires;
	uint64_t expires_stale;		/* for an ESP SA no CHILD SA owns any more */
	uint64_t invalid_spi_sent, invalid_spi_limited, invalid_spi_no_sa;
	struct event *expire_ev;	/* delivers pending expires */
	struct dp_expire *expires;
	size_t n_expires, cap_expires;
};

uint64_t dp_now_s(void);
struct dp_reqid *dp_rq_find(struct datapath *dp, const char *conn, const char *child,
			    enum ike_mode mode, const struct ike_ts *l, size_t nl,
			    const struct ike_ts *r, size_t nr);
struct dp_reqid *dp_rq_new(struct datapath *dp, const char *conn, const char *child,
			   enum ike_mode mode, const struct ike_ts *l, size_t nl,
			   const struct ike_ts *r, size_t nr);
struct dp_reqid *dp_rq_by_id(struct datapath *dp, uint32_t reqid);
void dp_rq_free(struct dp_reqid *rq);
void dp_rq_link(struct datapath *dp, struct dp_reqid *rq);
/* Drops one holder; the last one removes the policies and frees rq. */
void dp_rq_release(struct datapath *dp, struct dp_reqid *rq);
/* OUT/IN(/FWD) PROTECT policies for every selector pair; all or nothing. */
bool dp_rq_add_policies(struct datapath *dp, struct dp_reqid *rq,
			const struct sockaddr_storage *local,
			const struct sockaddr_storage *remote, uint32_t prio);

/* Installed CHILD SAs, O(1); NULL if none. */
struct dp_child *dp_child_by_spi(struct datapath *dp, uint32_t spi_in);
struct dp_child *dp_child_by_id(struct datapath *dp, uint32_t child_id);

/* datapath_trap.c */
void dp_traps_apply(struct datapath *dp, const struct config *cfg);
void dp_on_acquire(void *ctx, uint32_t reqid, const struct kernel_selector *pkt);
void dp_on_expire(void *ctx, const struct kernel_sa_id *id, uint32_t child_id, bool hard);
void dp_on_unknown_spi(void *ctx, uint32_t spi, const struct sockaddr *peer);
/* Hand pending expires to the IKE core (expire_ev's callback). */
void dp_expires_run(int fd, short what, void *arg);

/* datapath_stats.c: every counter in the log (at shutdown). */
void dp_counters_log(const struct datapath *dp);

#endif
