/* The configuration model: connections, secrets, pools and the cluster,
 * built from a settings tree (swanctl.conf syntax) with every key checked.
 * A loaded config is immutable; reload builds a whole new one and the
 * daemon swaps pointers, so a failed reload changes nothing.
 * Times are in seconds unless named _ms; byte/packet limits are counts
 * (0 = none). Secrets live only in memory and are wiped by config_free(). */
#ifndef CYGNET_CONFIG_CONFIG_H
#define CYGNET_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/proposal.h"
#include "config/settings.h"
#include "config/value.h"
#include "lib/mem.h"

struct config_strs {
	char **v;
	size_t n;
};

enum config_auth_method {
	CONFIG_AUTH_PUBKEY,	/* any public key signature */
	CONFIG_AUTH_RSA,
	CONFIG_AUTH_ECDSA,
	CONFIG_AUTH_PSK,
};

struct config_auth {
	char *name;			/* "local", "local-2", ... */
	enum config_auth_method method;
	bool rsa_pss;			/* rsa/pss */
	uint8_t hashes[4];		/* enum ike_hash_id from -sha256 etc. */
	size_t n_hashes;		/* 0: any */
	char *id;			/* NULL: default (address / %any) */
	struct config_strs certs;
	struct config_strs cacerts;
	struct config_strs pubkeys;
};

enum config_mode { CONFIG_MODE_TUNNEL, CONFIG_MODE_TRANSPORT };
enum config_action { CONFIG_ACTION_NONE, CONFIG_ACTION_TRAP, CONFIG_ACTION_START };
enum config_fragmentation {
	CONFIG_FRAG_YES, CONFIG_FRAG_ACCEPT, CONFIG_FRAG_FORCE, CONFIG_FRAG_NO,
};
enum config_unique {
	CONFIG_UNIQUE_NO, CONFIG_UNIQUE_NEVER, CONFIG_UNIQUE_KEEP,
	CONFIG_UNIQUE_REPLACE,
};
enum config_send_cert {
	CONFIG_SEND_CERT_IFASKED, CONFIG_SEND_CERT_ALWAYS, CONFIG_SEND_CERT_NEVER,
};

struct config_child {
	char *name;
	struct config_ts *local_ts;	/* default: one "dynamic" */
	size_t n_local_ts;
	struct config_ts *remote_ts;
	size_t n_remote_ts;
	struct proposal *esp;		/* default: proposal_defaults(ESP) */
	size_t n_esp;
	enum config_mode mode;
	enum config_action start_action;
	enum config_action close_action;
	enum config_action dpd_action;	/* NONE = clear, START = restart */
	uint64_t rekey_time, life_time, rand_time;
	uint64_t rekey_bytes, life_bytes, rand_bytes;
	uint64_t rekey_packets, life_packets, rand_packets;
	uint32_t replay_window;
	bool hostaccess;
	char *updown;
};

struct config_conn {
	char *name;
	unsigned version;		/* always 2 */
	struct config_host *local_addrs;
	size_t n_local_addrs;
	struct config_host *remote_addrs;
	size_t n_remote_addrs;
	uint16_t local_port, remote_port;
	struct proposal *proposals;
	size_t n_proposals;
	struct config_strs pools;
	struct config_host *vips;
	size_t n_vips;
	bool encap;
	bool mobike;
	enum config_fragmentation fragmentation;
	uint64_t dpd_delay, dpd_timeout;
	uint64_t rekey_time, reauth_time, over_time, rand_time;
	enum config_unique unique;
	bool send_certreq;
	enum config_send_cert send_cert;
	uint32_t keyingtries;		/* 0 = forever */
	struct config_auth *local;	/* rounds, sorted by section name */
	size_t n_local;
	struct config_auth *remote;
	size_t n_remote;
	struct config_child *children;
	size_t n_children;
};

enum config_secret_type { CONFIG_SECRET_IKE, CONFIG_SECRET_EAP, CONFIG_SECRET_XAUTH };

struct config_secret {
	char *name;			/* "ike-rw" */
	enum config_secret_type type;
	struct config_strs ids;		/* id, id-*: may be empty (any) */
	struct chunk secret;		/* wiped on free */
};

struct config_pool {
	char *name;
	struct config_host addrs;	/* SUBNET, RANGE or ADDR */
	struct config_host *dns;
	size_t n_dns;
	struct config_host *nbns;
	size_t n_nbns;
	struct config_host *split_include;
	size_t n_split_include;
	struct config_host *split_exclude;
	size_t n_split_exclude;
};

#define CONFIG_CLUSTER_MAX_SEGMENTS 32
#define CONFIG_CLUSTER_MAX_NODES 16

struct config_cluster_node {
	char *name;
	unsigned id;			/* 1..; default: position in nodes */
	struct config_host addr;	/* sync/heartbeat address */
};

struct config_cluster {
	bool enabled;			/* a cluster { } section exists */
	unsigned node_id;		/* this node */
	struct config_cluster_node *nodes;
	size_t n_nodes;
	struct config_host *cluster_addrs;	/* the shared address(es) */
	size_t n_cluster_addrs;
	unsigned segments;		/* default 2 x nodes, at most 32 */
	struct chunk secret;		/* wiped on free */
	uint64_t heartbeat_interval_ms;	/* default 200 ms */
	uint64_t heartbeat_timeout_ms;	/* default 1000 ms */
	uint16_t sync_port;		/* default 4510 */
};

/* daemon { }: how cygnetd moves packets and guards its responder
 * (docs/config.md). */
enum config_datapath {
	CONFIG_DATAPATH_AUTO,		/* XFRM if the kernel has ESP, else userspace */
	CONFIG_DATAPATH_USERSPACE,
	CONFIG_DATAPATH_XFRM,
};

#define CONFIG_THREADS_AUTO (-1)

struct config_daemon {
	enum config_datapath datapath;	/* default auto */
	char *tun_name;			/* NULL: "cygnet0" */
	unsigned tun_mtu;		/* default 1400 */
	/* userspace datapath threads besides the event loop: 0 (all ESP on the
	 * loop), 1 (outbound ESP on a thread), 2 (outbound and inbound ESP each
	 * on a thread); CONFIG_THREADS_AUTO (default): 2 with two or more CPUs */
	int datapath_threads;
	/* IKE responder under load (RFC 7296 2.6; docs/ike.md) */
	unsigned cookie_threshold;	/* cookies from this many half-open SAs, default 30; 0: always */
	unsigned half_open_limit;	/* half-open SAs in all, default 10000 */
	unsigned peer_half_open_limit;	/* half-open SAs per peer address, default 32 */
	unsigned key_stock;		/* key pairs made ahead per group, default 32; 0: off */
};

struct config {
	struct config_conn *conns;
	size_t n_conns;
	struct config_secret *secrets;
	size_t n_secrets;
	struct config_pool *pools;
	size_t n_pools;
	struct config_cluster cluster;
	struct config_daemon daemon;
};

/* Parse, validate and build. On failure *out is untouched and err says
 * "file:line:col: what". */
bool config_load_file(const char *path, struct config **out,
		      struct config_err *err);
/* The same from memory; include_dir as in settings_opts (NULL: include
 * refused). name is what errors call the buffer. */
bool config_load_buffer(const char *name, const void *buf, size_t len,
			const char *include_dir, struct config **out,
			struct config_err *err);
/* Build from an already parsed tree (the tree stays the caller's). */
bool config_build(const struct settings_tree *tree, struct config **out,
		  struct config_err *err);
/* Frees everything, wiping secrets. NULL is fine. */
void config_free(struct config *cfg);

const struct config_conn *config_find_conn(const struct config *cfg,
					   const char *name);
/* The IKE secret whose ids contain id (exact string match); an IKE secret
 * without ids matches any identity but only when no specific one does. */
const struct config_secret *config_find_secret(const struct config *cfg,
					       const char *id);
const struct config_pool *config_find_pool(const struct config *cfg,
					   const char *name);

/* Human-readable dump for --check-config -v; secrets print as
 * "<N bytes hidden>", never their value. */
void config_dump(const struct config *cfg, FILE *out);

#endif
