/* secrets { ike-NAME { } }, pools { NAME { } } and cluster { } */
#include "config/build.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define DEF_HEARTBEAT_MS 200
#define DEF_HEARTBEAT_TIMEOUT_MS 1000
#define DEF_SYNC_PORT 4510
#define CLUSTER_MIN_SECRET 16

static const char *const pool_keys[] = {
	"addrs", "dns", "nbns", "split_include", "split_exclude", NULL,
};

static const char *const cluster_keys[] = {
	"node_id", "cluster_addr", "segments", "secret", "heartbeat_interval",
	"heartbeat_timeout", "sync_port", NULL,
};

static const char *const node_keys[] = { "addr", "id", NULL };

/* The secret itself never goes into a message. */
static bool read_secret(struct config_err *err, const struct settings_node *sec,
			const char *key, struct chunk *out)
{
	const struct settings_node *n = build_key(sec, key);
	const char *why = NULL;

	if (!n)
		return build_fail(err, sec, SIZE_MAX, "'%s' needs a '%s' key",
				  sec->name, key);
	if (!value_parse_secret(n->value, out, &why))
		return build_fail(err, n, 0, "invalid '%s': %s", key, why);
	return true;
}

static bool is_id_key(const char *name)
{
	return strncmp(name, "id", 2) == 0 &&
	       (name[2] == '\0' || name[2] == '-' || name[2] == '_');
}

static bool secret_type(const char *name, enum config_secret_type *t)
{
	static const struct { const char *prefix; enum config_secret_type t; } types[] = {
		{ "ike", CONFIG_SECRET_IKE }, { "eap", CONFIG_SECRET_EAP },
		{ "xauth", CONFIG_SECRET_XAUTH },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strncmp(name, types[i].prefix, strlen(types[i].prefix)) == 0) {
			*t = types[i].t;
			return true;
		}
	}
	return false;
}

static bool build_secret(struct config_err *err, const struct settings_node *sec,
			 struct config_secret *s)
{
	static const char *const file_types[] = {
		"private", "rsa", "ecdsa", "pkcs8", "pkcs12", "token", "ppk", "ntlm",
	};

	s->name = strdup(sec->name);
	if (!s->name)
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	if (!secret_type(sec->name, &s->type)) {
		for (size_t i = 0; i < sizeof(file_types) / sizeof(file_types[0]); i++)
			if (strncmp(sec->name, file_types[i], strlen(file_types[i])) == 0)
				return build_fail(err, sec, SIZE_MAX,
						  "unsupported secret type '%s' (ike, eap and xauth are supported)",
						  sec->name);
		return build_fail(err, sec, SIZE_MAX,
				  "unknown secret section '%s': expected ike<suffix>, eap<suffix> or xauth<suffix>",
				  sec->name);
	}
	for (const struct settings_node *n = sec->children; n; n = n->next) {
		if (n->type == SETTINGS_SECTION)
			return build_fail(err, n, SIZE_MAX, "unknown section '%s' in secrets.%s",
					  n->name, sec->name);
		if (strcmp(n->name, "secret") == 0)
			continue;
		if (!is_id_key(n->name))
			return build_fail(err, n, SIZE_MAX, "unknown key '%s' in secrets.%s",
					  n->name, sec->name);
		if (!n->value_len)
			return build_fail(err, n, 0, "empty identity in '%s'", n->name);
		if (!config_strs_add(&s->ids, n->value))
			return build_fail(err, n, SIZE_MAX, "out of memory");
	}
	return read_secret(err, sec, "secret", &s->secret);
}

bool build_secrets(struct config_err *err, const struct settings_node *sec,
		   struct config *cfg)
{
	size_t count = build_count_sections(sec);

	for (const struct settings_node *n = sec->children; n; n = n->next)
		if (n->type == SETTINGS_KEY)
			return build_fail(err, n, SIZE_MAX,
					  "unknown key '%s' in secrets (expected a secret section)",
					  n->name);
	if (!count)
		return true;
	cfg->secrets = calloc(count, sizeof(*cfg->secrets));
	if (!cfg->secrets)
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	for (const struct settings_node *n = sec->children; n; n = n->next) {
		cfg->n_secrets++;
		if (!build_secret(err, n, &cfg->secrets[cfg->n_secrets - 1]))
			return false;
	}
	return true;
}

static bool hosts_overlap(const struct config_host *a, const struct config_host *b)
{
	size_t len = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && memcmp(a->from, b->to, len) <= 0 &&
	       memcmp(b->from, a->to, len) <= 0;
}

static bool build_pool(struct config_err *err, const struct settings_node *sec,
		       struct config_pool *p)
{
	const struct settings_node *an;
	struct config_host *addrs = NULL;
	size_t n_addrs = 0;

	p->name = strdup(sec->name);
	if (!p->name)
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	if (!build_check_keys(err, sec, pool_keys, NULL))
		return false;
	an = build_key(sec, "addrs");
	if (!an)
		return build_fail(err, sec, SIZE_MAX, "pool '%s' needs 'addrs'", sec->name);
	if (!build_hosts(err, sec, "addrs", BUILD_HOST_NET, &addrs, &n_addrs))
		goto fail;
	if (n_addrs != 1) {
		build_fail(err, an, 0,
			   "'addrs' takes exactly one subnet or range (found %zu)", n_addrs);
		goto fail;
	}
	p->addrs = addrs[0];
	free(addrs);
	return build_hosts(err, sec, "dns", BUILD_HOST_IP, &p->dns, &p->n_dns) &&
	       build_hosts(err, sec, "nbns", BUILD_HOST_IP, &p->nbns, &p->n_nbns) &&
	       build_hosts(err, sec, "split_include", BUILD_HOST_NET,
			   &p->split_include, &p->n_split_include) &&
	       build_hosts(err, sec, "split_exclude", BUILD_HOST_NET,
			   &p->split_exclude, &p->n_split_exclude);
fail:
	config_hosts_free(addrs, n_addrs);
	return false;
}

bool build_pools(struct config_err *err, const struct settings_node *sec,
		 struct config *cfg)
{
	size_t count = build_count_sections(sec);

	for (const struct settings_node *n = sec->children; n; n = n->next)
		if (n->type == SETTINGS_KEY)
			return build_fail(err, n, SIZE_MAX,
					  "unknown key '%s' in pools (expected a pool section)",
					  n->name);
	if (!count)
		return true;
	cfg->pools = calloc(count, sizeof(*cfg->pools));
	if (!cfg->pools)
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	for (const struct settings_node *n = sec->children; n; n = n->next) {
		struct config_pool *p = &cfg->pools[cfg->n_pools++];

		if (!build_pool(err, n, p))
			return false;
		for (size_t i = 0; i + 1 < cfg->n_pools; i++)
			if (hosts_overlap(&cfg->pools[i].addrs, &p->addrs))
				return build_fail(err, build_key(n, "addrs"), 0,
						  "pool '%s' overlaps pool '%s'",
						  p->name, cfg->pools[i].name);
	}
	return true;
}

void config_cluster_defaults(struct config_cluster *cl)
{
	memset(cl, 0, sizeof(*cl));
	cl->heartbeat_interval_ms = DEF_HEARTBEAT_MS;
	cl->heartbeat_timeout_ms = DEF_HEARTBEAT_TIMEOUT_MS;
	cl->sync_port = DEF_SYNC_PORT;
}

static bool build_node(struct config_err *err, const struct settings_node *sec,
		       struct config_cluster_node *nd, unsigned pos)
{
	const struct settings_node *an = build_key(sec, "addr");
	uint64_t id = pos;

	nd->name = strdup(sec->name);
	if (!nd->name)
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	if (!build_check_keys(err, sec, node_keys, NULL) ||
	    !build_uint(err, sec, "id", 1, 255, &id))
		return false;
	nd->id = (unsigned)id;
	if (!an)
		return build_fail(err, sec, SIZE_MAX, "cluster node '%s' needs 'addr'",
				  sec->name);
	if (!value_parse_ip(an->value, &nd->addr))
		return build_fail(err, an, 0, "invalid IP address '%.64s' in 'addr'",
				  an->value);
	return true;
}

static bool build_nodes(struct config_err *err, const struct settings_node *sec,
			struct config_cluster *cl)
{
	size_t count = build_count_sections(sec);

	for (const struct settings_node *n = sec->children; n; n = n->next)
		if (n->type == SETTINGS_KEY)
			return build_fail(err, n, SIZE_MAX,
					  "unknown key '%s' in cluster.nodes (expected a node section)",
					  n->name);
	if (count > CONFIG_CLUSTER_MAX_NODES)
		return build_fail(err, sec, SIZE_MAX, "more than %d cluster nodes",
				  CONFIG_CLUSTER_MAX_NODES);
	if (!count)
		return true;
	cl->nodes = calloc(count, sizeof(*cl->nodes));
	if (!cl->nodes)
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	for (const struct settings_node *n = sec->children; n; n = n->next) {
		struct config_cluster_node *nd = &cl->nodes[cl->n_nodes++];

		if (!build_node(err, n, nd, (unsigned)cl->n_nodes))
			return false;
		for (size_t i = 0; i + 1 < cl->n_nodes; i++) {
			if (cl->nodes[i].id == nd->id)
				return build_fail(err, n, SIZE_MAX,
						  "cluster node '%s' has the same id (%u) as '%s'",
						  nd->name, nd->id, cl->nodes[i].name);
			if (hosts_overlap(&cl->nodes[i].addr, &nd->addr))
				return build_fail(err, build_key(n, "addr"), 0,
						  "cluster node '%s' has the same addr as '%s'",
						  nd->name, cl->nodes[i].name);
		}
	}
	return true;
}

static bool resolve_node_id(struct config_err *err, const struct settings_node *sec,
			    struct config_cluster *cl)
{
	const struct settings_node *n = build_key(sec, "node_id");
	uint64_t v;

	if (!n)
		return build_fail(err, sec, SIZE_MAX, "cluster needs 'node_id'");
	for (size_t i = 0; i < cl->n_nodes; i++) {
		if (strcmp(cl->nodes[i].name, n->value) == 0 ||
		    (value_parse_uint(n->value, 255, &v) && v == cl->nodes[i].id)) {
			cl->node_id = cl->nodes[i].id;
			return true;
		}
	}
	return build_fail(err, n, 0, "node_id '%.64s' names no node in cluster.nodes",
			  n->value);
}

static bool cluster_sub(const char *name)
{
	return strcmp(name, "nodes") == 0;
}

bool build_cluster(struct config_err *err, const struct settings_node *sec,
		   struct config_cluster *cl)
{
	const struct settings_node *nodes = settings_find(sec, "nodes", SETTINGS_SECTION);
	uint64_t seg = 0, port = cl->sync_port;
	const struct settings_node *sn;

	cl->enabled = true;
	if (!build_check_keys(err, sec, cluster_keys, cluster_sub))
		return false;
	if (!nodes || !build_count_sections(nodes))
		return build_fail(err, sec, SIZE_MAX,
				  "cluster needs 'nodes { NAME { addr = ... } }'");
	if (!build_nodes(err, nodes, cl) || !resolve_node_id(err, sec, cl))
		return false;
	if (!build_key(sec, "cluster_addr"))
		return build_fail(err, sec, SIZE_MAX, "cluster needs 'cluster_addr'");
	if (!build_hosts(err, sec, "cluster_addr", BUILD_HOST_IP, &cl->cluster_addrs,
			 &cl->n_cluster_addrs))
		return false;
	if (!cl->n_cluster_addrs)
		return build_fail(err, build_key(sec, "cluster_addr"), 0,
				  "'cluster_addr' is empty");
	if (!read_secret(err, sec, "secret", &cl->secret))
		return false;
	if (cl->secret.len < CLUSTER_MIN_SECRET)
		return build_fail(err, build_key(sec, "secret"), 0,
				  "cluster 'secret' must be at least %d bytes",
				  CLUSTER_MIN_SECRET);
	if (!build_uint(err, sec, "segments", 1, CONFIG_CLUSTER_MAX_SEGMENTS, &seg) ||
	    !build_ms(err, sec, "heartbeat_interval", &cl->heartbeat_interval_ms) ||
	    !build_ms(err, sec, "heartbeat_timeout", &cl->heartbeat_timeout_ms) ||
	    !build_uint(err, sec, "sync_port", 1, 65535, &port))
		return false;
	cl->segments = seg ? (unsigned)seg :
		(unsigned)(2 * cl->n_nodes > CONFIG_CLUSTER_MAX_SEGMENTS ?
			   CONFIG_CLUSTER_MAX_SEGMENTS : 2 * cl->n_nodes);
	cl->sync_port = (uint16_t)port;
	sn = build_key(sec, "heartbeat_interval");
	if (!cl->heartbeat_interval_ms)
		return build_fail(err, sn, 0, "'heartbeat_interval' must not be 0");
	if (cl->heartbeat_timeout_ms <= cl->heartbeat_interval_ms) {
		sn = build_key(sec, "heartbeat_timeout");
		return build_fail(err, sn ? sn : sec, sn ? 0 : SIZE_MAX,
				  "'heartbeat_timeout' must be longer than 'heartbeat_interval'");
	}
	return true;
}

void config_secret_free(struct config_secret *s)
{
	free(s->name);
	config_strs_free(&s->ids);
	chunk_free(&s->secret);
	memset(s, 0, sizeof(*s));
}

void config_pool_free(struct config_pool *p)
{
	free(p->name);
	config_host_clear(&p->addrs);
	config_hosts_free(p->dns, p->n_dns);
	config_hosts_free(p->nbns, p->n_nbns);
	config_hosts_free(p->split_include, p->n_split_include);
	config_hosts_free(p->split_exclude, p->n_split_exclude);
	memset(p, 0, sizeof(*p));
}

void config_cluster_free(struct config_cluster *cl)
{
	for (size_t i = 0; cl->nodes && i < cl->n_nodes; i++)
		free(cl->nodes[i].name);
	free(cl->nodes);
	config_hosts_free(cl->cluster_addrs, cl->n_cluster_addrs);
	chunk_free(&cl->secret);
	memset(cl, 0, sizeof(*cl));
}
