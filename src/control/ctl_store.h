/* Objects loaded over VICI, kept apart from the configuration file:
 * connections and pools (as settings subtrees made from the VICI message,
 * so they go through the same config builder as the file), shared secrets,
 * certificates and private keys. ctl_store_merge() lays them over a parsed
 * configuration file: a VICI connection or pool replaces a file one of the
 * same name, VICI secrets are added after the file's. */
#ifndef CYGNET_CONTROL_CTL_STORE_H
#define CYGNET_CONTROL_CTL_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/settings.h"
#include "control/vici_msg.h"
#include "lib/mem.h"

struct ctl_named {
	char *name;
	struct settings_node *sec;	/* a section named name */
};

struct ctl_shared {
	char *id;			/* the client's unique id */
	char type[8];			/* "ike", "eap", "xauth" */
	struct chunk data;		/* wiped on free */
	char **owners;
	size_t n_owners;
};

enum ctl_cred_kind { CTL_CRED_CERT, CTL_CRED_KEY };

struct ctl_cred {
	enum ctl_cred_kind kind;
	char type[16];			/* X509 / rsa, ecdsa, ... */
	char flag[8];			/* certs: NONE, CA, AA, OCSP */
	char id[41];			/* keys: hex SHA-1 of the key blob */
	struct chunk data;		/* PEM or DER as loaded; wiped on free */
};

struct ctl_store {
	struct ctl_named *conns;
	size_t n_conns;
	struct ctl_named *pools;
	size_t n_pools;
	struct ctl_shared *shared;
	size_t n_shared;
	struct ctl_cred *creds;
	size_t n_creds;
	unsigned next_shared;		/* ids for load-shared without one */
};

void ctl_store_free(struct ctl_store *s);

/* A VICI section as a settings subtree named name: key/values become keys,
 * lists become comma-separated keys (items of the keys in skip_lists are
 * dropped: swanctl sends file contents there), sections recurse. */
struct settings_node *ctl_settings_from_vici(const char *name,
					     const struct vici_node *sec,
					     const char *const *skip_lists,
					     const char **why);
void ctl_settings_node_free(struct settings_node *n);

/* Put replaces an entry of the same name and hands back the old section
 * in *old (NULL if none; the caller restores or frees it). */
bool ctl_store_put(struct ctl_named **v, size_t *n, const char *name,
		   struct settings_node *sec, struct settings_node **old);
/* Removes and returns the section (NULL if absent). */
struct settings_node *ctl_store_take(struct ctl_named **v, size_t *n,
				     const char *name);
bool ctl_store_has(const struct ctl_named *v, size_t n, const char *name);

/* Shared secrets by id. add replaces an entry with the same id. */
bool ctl_store_shared_add(struct ctl_store *s, const char *id, const char *type,
			  const uint8_t *data, size_t len, char **owners,
			  size_t n_owners);
bool ctl_store_shared_del(struct ctl_store *s, const char *id);
bool ctl_store_cred_add(struct ctl_store *s, const struct ctl_cred *c);
bool ctl_store_key_del(struct ctl_store *s, const char *id);
void ctl_store_clear_creds(struct ctl_store *s);

/* out = file's sections (may be NULL) with the store laid over them,
 * minus top-level sections named in drop (NULL-terminated, may be NULL).
 * The result is a fresh tree for config_build(); free with
 * settings_free(). */
bool ctl_store_merge(const struct ctl_store *s, const struct settings_tree *file,
		     const char *const *drop, struct settings_tree *out);

#endif
