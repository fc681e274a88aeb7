/* The IKE core: SA tables, datagram dispatch and the operator actions.
 * Single-threaded: every entry point runs on the caller's thread, callbacks
 * of struct ike_env included. The core owns no socket and no clock: the
 * env sends, arms timers and tells the time. */
#ifndef CYGNET_IKE_IKE_CORE_H
#define CYGNET_IKE_IKE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_conf.h"
#include "ike/ike_env.h"
#include "lib/addr.h"

struct ike_core;
struct ike_sa;

/* Counters for every drop reason (readable from the control socket). */
struct ike_core_stats {
	uint64_t rx, tx;
	uint64_t drop_parse;		/* header or payload syntax */
	uint64_t drop_no_sa;		/* unknown SPI */
	uint64_t drop_decrypt;		/* SK integrity/decryption failed */
	uint64_t drop_mid;		/* message ID out of window */
	uint64_t drop_unexpected;	/* wrong exchange for the state */
	uint64_t drop_half_open_limit;
	uint64_t drop_peer_half_open_limit;
	uint64_t cookies_sent;		/* IKE_SA_INIT answered with COOKIE */
	uint64_t retransmit_answered;	/* peer retransmits: cached reply */
	uint64_t retransmit_sent;	/* our retransmits */
	uint64_t sa_established, sa_failed, auth_failed;
	uint64_t child_installed;
	uint64_t half_open;		/* current */
	uint64_t half_open_peak;	/* highest half_open so far */
	uint64_t sas;			/* current */
	/* CHILD SA lifetimes (ike_core_child_expired, life_time timers) */
	uint64_t child_soft_expired;	/* datapath soft limit: rekeys started */
	uint64_t child_hard_expired;	/* datapath or life_time: Deletes queued */
	uint64_t child_expire_ignored;	/* already rekeying/deleting, or gone */
	/* ESP with unknown SPIs (ike_core_invalid_spi) */
	uint64_t invalid_spi_sent;	/* INVALID_SPI notifies queued */
	uint64_t invalid_spi_limited;	/* within a second of the last one */
	uint64_t invalid_spi_no_sa;	/* no established IKE SA with the peer */
	uint64_t rekey_collisions;	/* RFC 7296 2.8.1/2.8.2, resolved by nonces */
	uint64_t sa_duplicates;		/* simultaneous initiation, one deleted */
};

struct ike_core *ike_core_new(const struct ike_env *env);
/* Frees every SA without sending anything (see ike_core_shutdown). */
void ike_core_free(struct ike_core *c);

/* Replaces the connection list; the core takes a reference to each conf.
 * Existing SAs keep the conf they were set up with. */
void ike_core_set_confs(struct ike_core *c, struct ike_conf *const *confs,
			size_t n);
struct ike_conf *ike_core_conf(struct ike_core *c, const char *name);
void ike_core_set_half_open_limit(struct ike_core *c, unsigned limit);
/* Half-open SAs one peer address may hold (default 32). */
void ike_core_set_peer_half_open_limit(struct ike_core *c, unsigned limit);
/* Ask for cookies (RFC 7296 2.6) while at least this many responder SAs
 * are half-open (default 30; 0: always). */
void ike_core_set_cookie_threshold(struct ike_core *c, unsigned threshold);

/* One received IKE datagram (the non-ESP marker already removed). */
void ike_core_input(struct ike_core *c, const uint8_t *dgram, size_t len,
		    const struct net_endpoints *ep);

/* Initiates conf (by name) towards ep->remote from ep->local, setting up
 * child (NULL: the conf's first child, if any). Returns the new SA's unique
 * id, 0 on failure. */
uint32_t ike_core_initiate(struct ike_core *c, const char *conf,
			   const char *child, const struct net_endpoints *ep);
/* Sends a Delete for the IKE SA (and its children). */
bool ike_core_terminate(struct ike_core *c, uint32_t unique_id);
/* Starts a liveness check now. */
bool ike_core_dpd(struct ike_core *c, uint32_t unique_id);
/* Sends a Delete for every established SA (best effort), then frees. */
void ike_core_shutdown(struct ike_core *c);

/* The datapath reached a lifetime of the CHILD SA with inbound SPI spi_in
 * (either of its two ESP SAs): soft starts a rekey (CREATE_CHILD_SA with
 * REKEY_SA), hard queues its Delete (INFORMATIONAL; uninstalled when
 * answered). Safe on a CHILD SA that is already being rekeyed or deleted
 * (nothing happens, counted) and on one that is gone (false). */
bool ike_core_child_expired(struct ike_core *c, uint32_t spi_in, bool hard);

enum ike_invalid_spi_result {
	IKE_INVALID_SPI_SENT,		/* INVALID_SPI queued in an IKE SA with peer */
	IKE_INVALID_SPI_LIMITED,	/* one was sent to that peer less than 1 s ago */
	IKE_INVALID_SPI_NO_SA,		/* no established IKE SA with the peer */
};
/* ESP for an SPI we do not have arrived from peer (its port: the UDP
 * source port for ESP in UDP, 0 for raw ESP). Sends INVALID_SPI (RFC 7296
 * 3.10.1, the SPI as notification data) in an established IKE SA with
 * that address (the one whose port matches, else the newest), at most one
 * a second per IKE SA and never more than one queued. */
enum ike_invalid_spi_result ike_core_invalid_spi(struct ike_core *c, uint32_t spi,
						 const struct sockaddr_storage *peer);

struct ike_sa *ike_core_find(struct ike_core *c, uint32_t unique_id);
void ike_core_foreach(struct ike_core *c,
		      void (*fn)(void *ctx, const struct ike_sa *sa), void *ctx);
const struct ike_core_stats *ike_core_get_stats(const struct ike_core *c);

#endif
