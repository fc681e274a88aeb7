/* The IKE core's environment in the daemon: sockets, pools, PSKs from the
 * configuration, libevent timers, and the start actions. */
#ifndef CYGNET_DAEMON_IKE_GLUE_H
#define CYGNET_DAEMON_IKE_GLUE_H

#include <stdbool.h>

#include "config/config.h"
#include "ike/ike_core.h"

struct event_base;
struct net;
struct ike_glue;
struct pool;

struct datapath;

/* dp may be NULL: CHILD SAs are then only logged. */
struct ike_glue *ike_glue_new(struct event_base *base, struct net *net,
			      struct datapath *dp, uint16_t natt_port);
/* Takes ownership of cfg (freed on the next apply or on free): pools are
 * created for new pool names (existing pools and their leases stay),
 * connections are replaced for new SAs. */
bool ike_glue_apply(struct ike_glue *g, struct config *cfg, const char *confdir);
/* Initiates every child with start_action = start. */
void ike_glue_start(struct ike_glue *g);
struct ike_core *ike_glue_core(struct ike_glue *g);
/* The datapath the glue installs CHILD SAs in (NULL: none). */
struct datapath *ike_glue_datapath(struct ike_glue *g);
/* The configuration in force and a live pool by name (control socket). */
const struct config *ike_glue_config(struct ike_glue *g);
struct pool *ike_glue_pool(struct ike_glue *g, const char *name);
/* Also forward the core's events to fn (NULL: stop). */
void ike_glue_set_event_hook(struct ike_glue *g,
			     void (*fn)(void *ctx, enum ike_event ev, const struct ike_sa *sa,
					const struct child_sa *c),
			     void *ctx);
/* Sends Deletes for established SAs, frees everything. */
void ike_glue_free(struct ike_glue *g, bool send_deletes);

#endif
