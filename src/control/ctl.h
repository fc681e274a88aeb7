/* The control socket's commands and events on top of the VICI server.
 *
 * struct ctl ties the server to the IKE core and to what only the daemon
 * has (the effective configuration, pools, local ports, re-applying the
 * configuration), which the daemon provides through struct ctl_ops: this
 * folder never includes src/daemon. Objects loaded over VICI (load-conn,
 * load-shared, load-pool, load-cert, load-key) live in the ctl_store; the
 * daemon merges them with its configuration file (ctl_store_merge) and
 * applies the result when ops.apply is called. */
#ifndef CYGNET_CONTROL_CTL_H
#define CYGNET_CONTROL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "control/ctl_store.h"
#include "control/vici_server.h"
#include "ike/ike_env.h"

struct config;
struct event_base;
struct ike_core;
struct ike_sa;
struct child_sa;
struct pool;
struct ctl_pending;

/* What the datapath counted for one CHILD SA: clear-text bytes and
 * packets per direction, and when each direction was last used
 * (CLOCK_MONOTONIC seconds, 0: never). */
struct ctl_child_stats {
	uint64_t bytes_in, packets_in, use_in;
	uint64_t bytes_out, packets_out, use_out;
};

/* The datapath as a whole, for the stats reply: its backend and what it
 * counted, by name (names: docs/control.md, `stats`). */
#define CTL_DP_COUNTERS 48
struct ctl_datapath_stats {
	const char *backend;	/* "userspace", "xfrm"; NULL: no datapath */
	unsigned threads;	/* userspace: datapath threads besides the event loop */
	size_t n;		/* counters in c */
	struct ctl_counter {
		char name[40];
		uint64_t value;
	} c[CTL_DP_COUNTERS];
};

struct ctl_ops {
	void *ctx;
	/* The configuration in force (file + VICI objects); may be NULL. */
	const struct config *(*config)(void *ctx);
	/* The live pool object of that name (leases), NULL if none. */
	struct pool *(*pool)(void *ctx, const char *name);
	/* Completes ep->local for initiating: our IKE port, and the source
	 * address toward ep->remote when ep->local has none; false: no route. */
	bool (*local_endpoint)(void *ctx, struct net_endpoints *ep);
	/* Rebuild the configuration from the file and the store and hand it
	 * to the core; false (why set) keeps the running one. */
	bool (*apply)(void *ctx, char *why, size_t whylen);
	/* Re-read the configuration file (reload-settings, SIGHUP). */
	bool (*reload)(void *ctx, char *why, size_t whylen);
	/* The datapath's counters of an installed CHILD SA; false (or NULL)
	 * when there are none (not installed, no datapath): reported as 0. */
	bool (*child_stats)(void *ctx, const struct child_sa *c, struct ctl_child_stats *out);
	/* The datapath's backend and counters (NULL op: none reported). */
	void (*datapath_stats)(void *ctx, struct ctl_datapath_stats *out);
};

/* Per-SA times the core does not keep: when it was established (wall
 * clock), per CHILD SA when it was installed. Keyed by unique id. */
struct ctl_times {
	struct ctl_time { uint32_t id; bool child; bool rekeyed; time_t t; } *v;
	size_t n, cap;
};

struct ctl {
	struct event_base *base;
	struct vici_server *srv;
	struct ike_core *core;
	struct ctl_ops ops;
	struct ctl_store store;
	struct ctl_times times;
	struct ctl_pending *pending;	/* initiate/terminate waiting for IKE */
	struct ctl_pending *capture;	/* gets every log line while set */
	time_t started;			/* wall clock, for stats */
	bool in_log;			/* the log sink must not recurse */
};

/* Registers every command and event on srv. The ctl must outlive srv's
 * use of it; ctl_free() detaches the log sink and finishes pending
 * commands. */
struct ctl *ctl_new(struct event_base *base, struct vici_server *srv,
		    struct ike_core *core, const struct ctl_ops *ops);
void ctl_free(struct ctl *ctl);

/* The IKE core's event callback (the daemon forwards its env events). */
void ctl_ike_event(struct ctl *ctl, enum ike_event ev, const struct ike_sa *sa,
		   const struct child_sa *c);

/* ---- shared by the cmd_*.c files -------------------------------------- */

int cmd_query_register(struct ctl *ctl);
int cmd_control_register(struct ctl *ctl);
int cmd_config_register(struct ctl *ctl);
int cmd_creds_register(struct ctl *ctl);
int cmd_pools_register(struct ctl *ctl);
int cmd_settings_register(struct ctl *ctl);
int events_register(struct ctl *ctl);

/* cmd_config.c, shared with cmd_pools.c: load every top-level section of
 * req as a connection (pool = false) or a pool, or unload one by name. */
bool cmd_config_load_named(struct ctl *ctl, bool pool, const struct vici_msg *req,
			   char *why, size_t len);
bool cmd_config_unload_named(struct ctl *ctl, bool pool, const char *name, char *why,
			     size_t len);

/* events.c: log sink and control-log routing */
void events_log_attach(struct ctl *ctl);
void events_log_detach(struct ctl *ctl);
/* The keys of a log / control-log event for one log line. */
void events_build_log(struct ctl *ctl, struct vici_builder *b, int level,
		      const char *line, bool thread);
/* cmd_control.c: SA events that may finish pending initiate/terminate */
void control_pending_event(struct ctl *ctl, enum ike_event ev,
			   const struct ike_sa *sa, const struct child_sa *c);
/* A log line for the clients of pending commands (control-log). */
void control_pending_log(struct ctl *ctl, int level, const char *line);
void control_pending_free_all(struct ctl *ctl);

time_t ctl_time_get(const struct ctl *ctl, uint32_t id, bool child);
void ctl_time_set(struct ctl *ctl, uint32_t id, bool child, time_t t);
void ctl_time_del(struct ctl *ctl, uint32_t id, bool child);
/* A CHILD SA replaced by a rekey: its deletion is no child-updown. */
void ctl_time_mark_rekeyed(struct ctl *ctl, uint32_t child_id);
bool ctl_time_is_rekeyed(const struct ctl *ctl, uint32_t child_id);

/* Parse a decimal value of key in req; false if absent or bad. */
bool ctl_req_u32(const struct vici_msg *req, const char *key, uint32_t *out);
/* "yes"/"true"/"1" */
bool ctl_req_bool(const struct vici_msg *req, const char *key);

#endif
