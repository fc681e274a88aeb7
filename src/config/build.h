/* Internal to src/config: helpers the model builders (config_*.c) share to
 * read typed keys from a settings section and report errors at the exact
 * key or list item. Not for other modules. */
#ifndef CYGNET_CONFIG_BUILD_H
#define CYGNET_CONFIG_BUILD_H

#include "config/config.h"

/* name "~x" accepts x as an alias without listing it in errors */
struct build_enum {
	const char *name;
	int value;
};

/* Error at node n: its value plus off bytes when the value maps onto
 * source columns, else the value start; off == SIZE_MAX: the name. */
bool build_fail(struct config_err *err, const struct settings_node *n,
		size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Every key and subsection of sec must be in keys (NULL-terminated) or be
 * accepted by sub (may be NULL: no subsections). */
bool build_check_keys(struct config_err *err, const struct settings_node *sec,
		      const char *const *keys,
		      bool (*sub)(const char *name));

const struct settings_node *build_key(const struct settings_node *sec,
				      const char *key);
/* Each reads key from sec when present; otherwise *out keeps its default. */
bool build_bool(struct config_err *err, const struct settings_node *sec,
		const char *key, bool *out);
bool build_uint(struct config_err *err, const struct settings_node *sec,
		const char *key, uint64_t min, uint64_t max, uint64_t *out);
bool build_secs(struct config_err *err, const struct settings_node *sec,
		const char *key, uint64_t *out);
bool build_ms(struct config_err *err, const struct settings_node *sec,
	      const char *key, uint64_t *out);
bool build_size(struct config_err *err, const struct settings_node *sec,
		const char *key, uint64_t *out);
bool build_enum(struct config_err *err, const struct settings_node *sec,
		const char *key, const struct build_enum *map, int *out);
bool build_str(struct config_err *err, const struct settings_node *sec,
	       const char *key, char **out);
bool build_strs(struct config_err *err, const struct settings_node *sec,
		const char *key, struct config_strs *out);

enum build_host_kind { BUILD_HOST_ANY, BUILD_HOST_NET, BUILD_HOST_IP };
/* List of hosts: ANY = value_parse_host, NET = value_parse_net, IP = one
 * address each. */
bool build_hosts(struct config_err *err, const struct settings_node *sec,
		 const char *key, enum build_host_kind kind,
		 struct config_host **out, size_t *n);
/* A proposal list with 'default' expanded; absent or empty: defaults. */
bool build_proposals(struct config_err *err, const struct settings_node *sec,
		     const char *key, enum proposal_proto proto,
		     struct proposal **out, size_t *n);

/* Sections directly below sec, counted and in order. */
size_t build_count_sections(const struct settings_node *sec);

void config_strs_free(struct config_strs *s);
void config_hosts_free(struct config_host *h, size_t n);
bool config_strs_add(struct config_strs *s, const char *v);

/* Builders for each top-level section (config_conn.c, config_misc.c). */
bool build_connections(struct config_err *err, const struct settings_node *sec,
		       struct config *cfg);
bool build_secrets(struct config_err *err, const struct settings_node *sec,
		   struct config *cfg);
bool build_pools(struct config_err *err, const struct settings_node *sec,
		 struct config *cfg);
bool build_cluster(struct config_err *err, const struct settings_node *sec,
		   struct config_cluster *cl);
void config_cluster_defaults(struct config_cluster *cl);
bool build_daemon(struct config_err *err, const struct settings_node *sec,
		  struct config_daemon *d);
void config_daemon_defaults(struct config_daemon *d);
void config_daemon_free(struct config_daemon *d);
void config_conn_free(struct config_conn *c);
void config_secret_free(struct config_secret *s);
void config_pool_free(struct config_pool *p);
void config_cluster_free(struct config_cluster *cl);

#endif
