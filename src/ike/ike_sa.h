/* IKE SAs and CHILD SAs: the state the core keeps per peer.
 *
 * States (one place changes them: ike_sa_set_state):
 *   CONNECTING   IKE_SA_INIT / IKE_AUTH in progress (half-open as responder)
 *   ESTABLISHED  authenticated; CHILD SAs, rekeys, INFORMATIONAL may run
 *   REKEYED      replaced by its successor, waiting for the Delete
 *   DELETING     a Delete for the IKE SA is in flight
 *   DEAD         done; freed when the current packet/timer is finished
 *
 * Message IDs follow the window of one (RFC 7296 2.3): one request of ours
 * in flight (mid_out), the peer's next request expected at mid_in, and the
 * last response cached for the peer's retransmits.
 *
 * Timers, each with one reason: rt_timer retransmits our request
 * (4 s x 1.8^n, 5 tries, as strongSwan), dpd_timer starts a liveness check
 * after dpd_delay of silence, setup_timer kills an SA that is not
 * established in time (half-open or stuck). */
#ifndef CYGNET_IKE_IKE_SA_H
#define CYGNET_IKE_IKE_SA_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/ike_conf.h"
#include "ike/ike_env.h"
#include "ike/keymat.h"
#include "ike/msg.h"
#include "lib/addr.h"
#include "lib/htable.h"
#include "lib/mem.h"

struct ike_core;
struct task;
struct ke;
struct aead;

enum ike_sa_state {
	IKE_SA_CONNECTING,
	IKE_SA_ESTABLISHED,
	IKE_SA_REKEYED,		/* replaced by a new SA, waits for its Delete */
	IKE_SA_DELETING,
	IKE_SA_DEAD,
	IKE_SA_PASSIVE,		/* HA standby copy: silent until activated (ike/sa_export.h) */
};

enum child_sa_state {
	CHILD_SA_CREATING,
	CHILD_SA_INSTALLED,
	CHILD_SA_DELETING,
};

#define CHILD_MAX_TS 8

/* One IKE message as sent: one datagram, or its RFC 7383 fragments. */
struct ike_dgrams {
	struct chunk *v;
	size_t n;
};
void ike_dgrams_free(struct ike_dgrams *d);

/* IKE fragmentation (RFC 7383): messages above this many bytes go out as
 * fragments when the peer supports them (fits a 1280-byte IPv6 packet). */
#define IKE_FRAG_SIZE 1200
#define IKE_FRAG_MAX_IN 32	/* fragments we reassemble per message */

struct ike_frag_in {
	uint32_t mid;
	bool response, active;
	uint8_t first;		/* inner payload type from fragment 1 */
	uint16_t total, have;
	struct chunk parts[IKE_FRAG_MAX_IN];
};

struct child_sa {
	uint32_t unique_id;
	struct child_sa *next;
	char name[IKE_NAME_MAX];
	enum child_sa_state state;
	uint8_t protocol;		/* PROTO_ESP */
	enum ike_mode mode;
	bool encap;			/* ESP in UDP (NAT) */
	uint32_t spi_in, spi_out;	/* host order */
	struct ike_chosen alg;
	struct child_keys keys;		/* _ir / _ri as in RFC 7296 2.17 */
	struct ike_ts local_ts[CHILD_MAX_TS];
	size_t n_local_ts;
	struct ike_ts remote_ts[CHILD_MAX_TS];
	size_t n_remote_ts;
	struct htable_node by_spi;	/* core table, keyed by spi_in */
	struct ike_sa *sa;		/* owner */
	struct ike_timer rekey_timer;
	/* life_time of the child: reached without a rekey, it is deleted */
	struct ike_timer life_timer;
	bool rekeying;
	/* a hard lifetime (life_time or the datapath's) was reached: its
	 * Delete is queued */
	bool expired;
	/* we initiated the exchange that made it: keys._ir are then ours out */
	bool initiator;
	/* ties SAs to policies; a rekeyed CHILD SA keeps its predecessor's */
	uint32_t reqid;
	/* replaced by a rekey: its successor keeps the policies */
	bool replaced;
	/* rekey collision (RFC 7296 2.8.1): the peer rekeyed this SA while our
	 * own rekey of it was in flight; its new SA (our inbound SPI) and the
	 * nonces of its exchange decide which new SA is redundant */
	uint32_t collide_spi;
	struct chunk collide_ni, collide_nr;
};

#define IKE_RT_TRIES 5
#define IKE_RT_BASE_MS 4000
#define IKE_SETUP_TIMEOUT_MS 30000
#define IKE_KEEPALIVE_MS 20000	/* behind a NAT: keep its mapping alive */

struct ike_sa {
	uint32_t unique_id;
	struct ike_core *core;
	bool initiator;			/* original initiator of this SA */
	enum ike_sa_state state;
	uint64_t spi_i, spi_r;		/* as ike_header (host numbers) */
	struct net_endpoints ep;	/* where we talk to the peer */
	struct ike_conf *conf;		/* a reference; NULL until chosen */

	/* IKE_SA_INIT material */
	struct ike_chosen alg;
	uint16_t ke_group;		/* group we send / were asked for */
	struct ke *ke;
	struct chunk ni, nr;
	struct chunk init_req, init_resp;	/* for the AUTH octets */
	struct chunk cookie;		/* initiator: echo this */
	struct ike_keys keys;
	struct aead *aead_out, *aead_in;
	uint64_t iv_seq;		/* AEAD IVs: a counter, never reused */

	/* identities */
	struct ike_id my_id, peer_id;
	bool authenticated;

	/* NAT (RFC 7296 2.23) */
	bool nat_here, nat_there;	/* we / the peer are behind a NAT */

	/* RFC 7427: hashes the peer accepts (SIGNATURE_HASH_ALGORITHMS) */
	uint16_t peer_hashes[8];
	size_t n_peer_hashes;
	struct chunk peer_cert;		/* DER of the peer's end-entity cert */

	/* virtual IP: the one we leased to the peer, or the one we got */
	struct ike_vip vip;
	bool has_vip;
	bool vip_leased;		/* from our pool: released with the SA */

	/* message IDs and retransmission */
	uint32_t mid_out;		/* ID of our next (or in-flight) request */
	uint32_t mid_in;		/* ID of the peer's next request */
	struct ike_dgrams last_req;	/* our request in flight */
	bool req_in_flight;
	uint8_t req_exchange;
	unsigned rt_count;
	struct ike_dgrams last_resp;	/* our last response */
	uint8_t last_req_hash[32];	/* SHA-256 of the request it answers
					 * (its first fragment when fragmented) */
	bool frag_ok;			/* both sides do RFC 7383 */
	struct ike_frag_in frag_in;	/* a fragmented message coming in */
	bool has_last_resp;

	/* tasks: queued ones wait for their exchange; active ones run in the
	 * exchange in flight (initiator side of an exchange). */
	struct task *queued, *active;

	struct child_sa *children;

	/* IKE rekey collision (RFC 7296 2.8.2). On the old SA: collide_id is
	 * the new SA the peer made while our rekey was in flight. On that new
	 * SA: collide_of is the old one until the nonces decide; it has no
	 * timers and no CHILD SAs until it wins. */
	uint32_t collide_id, collide_of;

	struct ike_timer rt_timer, dpd_timer, setup_timer, rekey_timer, keepalive_timer;
	uint64_t last_in_ms;

	/* table links (core) */
	struct htable_node by_spi;	/* our SPI */
	struct htable_node by_init;	/* half-open: (spi_i, peer address) */
	struct htable_node by_id;	/* unique_id */
	struct htable_node by_peer;	/* ep.remote's address (INVALID_SPI) */
	uint64_t invalid_spi_ms;	/* when we last sent INVALID_SPI (now_ms) */
	struct htable_node by_conn_peer;	/* (conf name, peer id) while established */
	bool in_init_table;
	bool counted_half_open;
	struct sockaddr_storage half_open_peer;	/* as counted */
	struct ike_sa *dead_next;	/* core's free list */

	char log_prefix[80];		/* "[ike#12 192.0.2.100]" */
};

/* Log with the SA prefix. */
#define SA_LOG(lvl, sa, fmt, ...) \
	log_msg(lvl, "%s " fmt, (sa)->log_prefix, ##__VA_ARGS__)
#define sa_error(sa, ...) SA_LOG(LOG_LVL_ERROR, sa, __VA_ARGS__)
#define sa_warn(sa, ...)  SA_LOG(LOG_LVL_WARN, sa, __VA_ARGS__)
#define sa_info(sa, ...)  SA_LOG(LOG_LVL_INFO, sa, __VA_ARGS__)
#define sa_debug(sa, ...) SA_LOG(LOG_LVL_DEBUG, sa, __VA_ARGS__)

const char *ike_sa_state_name(enum ike_sa_state s);
const char *child_sa_state_name(enum child_sa_state s);

/* Our SPI and the peer's. */
static inline uint64_t ike_sa_my_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

void ike_sa_set_state(struct ike_sa *sa, enum ike_sa_state s);
/* The SA is done: its children are uninstalled, the vip released and the
 * core frees it when the current event is over. */
void ike_sa_kill(struct ike_sa *sa, const char *why);

struct child_sa *child_sa_new(struct ike_sa *sa, const char *name);
struct child_sa *ike_sa_child_by_spi_out(struct ike_sa *sa, uint32_t spi);
struct child_sa *ike_sa_child_by_spi_in(struct ike_sa *sa, uint32_t spi);
/* Uninstall (when installed), unlink and free one child. */
void ike_sa_child_delete(struct ike_sa *sa, struct child_sa *c);

/* Queue a task without starting anything (several tasks for one
 * exchange); false (and logged) if t is NULL. */
bool ike_sa_enqueue(struct ike_sa *sa, struct task *t);
/* Queue a task for the exchange it belongs to; initiates when idle. */
void ike_sa_queue_task(struct ike_sa *sa, struct task *t);
/* Start the next queued exchange if none is in flight. */
void ike_sa_initiate_next(struct ike_sa *sa);

#endif
