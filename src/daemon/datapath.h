/* cygnetd's datapath: the kernel_ipsec backend chosen by the configuration
 * (daemon { datapath = auto|userspace|xfrm }) and what the IKE core's CHILD
 * SAs become in it: an inbound and an outbound ESP SA, and policies for the
 * negotiated traffic selectors tied together by a reqid.
 *
 * Reqids are shared by everything with the same connection, child, mode and
 * selectors: a trap policy and the CHILD SA it brings up, and a CHILD SA and
 * its rekeyed successor. Policies live as long as one holder of the reqid
 * does, so a rekey installs the new SAs before the old ones go
 * (make-before-break) and the policies never blink. The backend's outbound
 * SA lookup takes the newest SA of a reqid.
 *
 * CHILD SAs get the byte/packet lifetimes of their child config (soft:
 * rekey_* less a random part of rand_*, hard: life_*).
 *
 * Backend events: acquire (a trap policy caught a packet) initiates the
 * trap's connection once per reqid while it negotiates; expire goes to the
 * IKE core (ike_core_child_expired: soft rekeys, hard deletes), once per
 * CHILD SA and kind, from the event loop; an unknown SPI goes to
 * ike_core_invalid_spi (INVALID_SPI to the peer, rate-limited there). */
#ifndef CYGNET_DAEMON_DATAPATH_H
#define CYGNET_DAEMON_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "lib/addr.h"

struct event_base;
struct net;
struct ike_core;
struct ike_sa;
struct child_sa;
struct datapath;

/* Nothing is opened until the first datapath_apply. The reqids here are
 * the datapath's own (traps share them with the CHILD SAs they trigger);
 * child_sa.reqid of the IKE core is not used. */
struct datapath *datapath_new(struct event_base *base, struct net *net);
/* Removes trap policies, logs the counters, destroys the backend. Call
 * after the IKE core is gone (its shutdown uninstalls CHILD SAs). */
void datapath_free(struct datapath *dp);
/* The IKE core that acquires initiate on. */
void datapath_set_core(struct datapath *dp, struct ike_core *core);

/* A (re)loaded configuration: the first call opens the backend from
 * cfg->daemon (later changes there need a restart and say so); trap
 * policies follow the connections with start_action = trap, and `encap`
 * of each connection is remembered. The core must already have cfg's
 * connections. A backend that cannot be opened (no TUN, no privileges) is
 * logged and tried again on the next call; CHILD SAs are then negotiated
 * without traffic. false only when out of memory. */
bool datapath_apply(struct datapath *dp, const struct config *cfg);

/* ike_env callbacks. */
bool datapath_spi_alloc(struct datapath *dp, uint32_t *spi);
bool datapath_child_install(struct datapath *dp, const struct ike_sa *sa,
			    const struct child_sa *c);
void datapath_child_uninstall(struct datapath *dp, const struct ike_sa *sa,
			      const struct child_sa *c);
/* The IKE SA's endpoints or NAT state changed: move its CHILD SAs. */
void datapath_sa_updated(struct datapath *dp, const struct ike_sa *sa);

/* The backend's counters of an installed CHILD SA, as the control socket
 * reports them (use_*: CLOCK_MONOTONIC seconds of the last packet, 0:
 * never); false if it is not installed. */
struct ctl_child_stats;
bool datapath_child_stats(struct datapath *dp, const struct child_sa *c,
			  struct ctl_child_stats *out);

/* The datapath as a whole for the control socket's stats reply
 * (datapath_stats.c): backend, threads and the userspace counters by name. */
struct ctl_datapath_stats;
void datapath_get_stats(struct datapath *dp, struct ctl_datapath_stats *out);

/* ESP that arrived on the NAT-T socket (net's on_esp). */
void datapath_input_udp(struct datapath *dp, const uint8_t *pkt, size_t len,
			const struct net_endpoints *ep);

#endif
