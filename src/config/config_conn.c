/* connections { NAME { ... local* { } remote* { } children { NAME { } } } } */
#include "config/build.h"

#include "ike/iana.h"

#include <stdlib.h>
#include <string.h>

#define DEF_IKE_REKEY (4 * 3600)
#define DEF_CHILD_REKEY 3600
#define DEF_PORT 500

static const char *const conn_keys[] = {
	"version", "local_addrs", "remote_addrs", "local_port", "remote_port",
	"proposals", "pools", "vips", "encap", "mobike", "fragmentation",
	"dpd_delay", "dpd_timeout", "rekey_time", "reauth_time", "over_time",
	"rand_time", "unique", "send_certreq", "send_cert", "keyingtries", NULL,
};

static const char *const auth_keys[] = {
	"auth", "id", "certs", "cacerts", "pubkeys", NULL,
};

static const char *const child_keys[] = {
	"local_ts", "remote_ts", "esp_proposals", "mode", "start_action",
	"close_action", "dpd_action", "rekey_time", "life_time", "rand_time",
	"rekey_bytes", "life_bytes", "rand_bytes", "rekey_packets",
	"life_packets", "rand_packets", "replay_window", "hostaccess", "updown",
	NULL,
};

static const struct build_enum frag_map[] = {
	{ "yes", CONFIG_FRAG_YES }, { "accept", CONFIG_FRAG_ACCEPT },
	{ "force", CONFIG_FRAG_FORCE }, { "no", CONFIG_FRAG_NO }, { NULL, 0 },
};
static const struct build_enum unique_map[] = {
	{ "no", CONFIG_UNIQUE_NO }, { "never", CONFIG_UNIQUE_NEVER },
	{ "keep", CONFIG_UNIQUE_KEEP }, { "replace", CONFIG_UNIQUE_REPLACE },
	{ NULL, 0 },
};
static const struct build_enum send_cert_map[] = {
	{ "ifasked", CONFIG_SEND_CERT_IFASKED },
	{ "always", CONFIG_SEND_CERT_ALWAYS },
	{ "never", CONFIG_SEND_CERT_NEVER }, { NULL, 0 },
};
static const struct build_enum mode_map[] = {
	{ "tunnel", CONFIG_MODE_TUNNEL }, { "transport", CONFIG_MODE_TRANSPORT },
	{ NULL, 0 },
};
/* strongSwan renamed clear/hold/restart to none/trap/start (5.9.6): both */
static const struct build_enum start_map[] = {
	{ "none", CONFIG_ACTION_NONE }, { "trap", CONFIG_ACTION_TRAP },
	{ "start", CONFIG_ACTION_START }, { "~route", CONFIG_ACTION_TRAP },
	{ NULL, 0 },
};
static const struct build_enum close_map[] = {
	{ "none", CONFIG_ACTION_NONE }, { "trap", CONFIG_ACTION_TRAP },
	{ "start", CONFIG_ACTION_START }, { "~clear", CONFIG_ACTION_NONE },
	{ "~hold", CONFIG_ACTION_TRAP }, { "~restart", CONFIG_ACTION_START },
	{ NULL, 0 },
};
static const struct build_enum dpd_map[] = {
	{ "clear", CONFIG_ACTION_NONE }, { "trap", CONFIG_ACTION_TRAP },
	{ "restart", CONFIG_ACTION_START }, { "~none", CONFIG_ACTION_NONE },
	{ "~hold", CONFIG_ACTION_TRAP }, { "~start", CONFIG_ACTION_START },
	{ NULL, 0 },
};

static bool is_round(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(name, prefix, n) == 0 &&
	       (name[n] == '\0' || (name[n] == '-' && name[n + 1] != '\0'));
}

static bool conn_sub(const char *name)
{
	return is_round(name, "local") || is_round(name, "remote") ||
	       strcmp(name, "children") == 0;
}

static bool enum_key(struct config_err *err, const struct settings_node *sec,
		     const char *key, const struct build_enum *map, void *out)
{
	int v = -1;

	if (!build_enum(err, sec, key, map, &v))
		return false;
	if (v >= 0)
		*(int *)out = v;	/* the model's enums are int-sized */
	return true;
}

/* "pubkey", "rsa/pss", "ecdsa-sha256", "pubkey-sha256-sha384", "psk" */
static bool parse_auth(struct config_err *err, const struct settings_node *n,
		       struct config_auth *a)
{
	static const struct { const char *name; uint8_t id; } hashes[] = {
		{ "sha1", HASH_SHA1 }, { "sha256", HASH_SHA2_256 },
		{ "sha384", HASH_SHA2_384 }, { "sha512", HASH_SHA2_512 },
	};
	char buf[CONFIG_ITEM_MAX], *tok, *save = NULL;
	size_t off = 0;

	if (n->value_len >= sizeof(buf))
		return build_fail(err, n, 0, "'auth' value too long");
	memcpy(buf, n->value, n->value_len + 1);
	tok = strtok_r(buf, "-", &save);
	if (!tok)
		return build_fail(err, n, 0, "expected an auth method (psk, pubkey, rsa, ecdsa)");
	if (strcmp(tok, "psk") == 0)
		a->method = CONFIG_AUTH_PSK;
	else if (strcmp(tok, "pubkey") == 0)
		a->method = CONFIG_AUTH_PUBKEY;
	else if (strcmp(tok, "rsa") == 0)
		a->method = CONFIG_AUTH_RSA;
	else if (strcmp(tok, "rsa/pss") == 0) {
		a->method = CONFIG_AUTH_RSA;
		a->rsa_pss = true;
	} else if (strcmp(tok, "ecdsa") == 0)
		a->method = CONFIG_AUTH_ECDSA;
	else if (strncmp(tok, "eap", 3) == 0 || strncmp(tok, "xauth", 5) == 0 ||
		 strcmp(tok, "null") == 0 || strcmp(tok, "bliss") == 0 ||
		 strcmp(tok, "ed25519") == 0 || strcmp(tok, "ed448") == 0)
		return build_fail(err, n, 0, "unsupported auth method '%s'", tok);
	else
		return build_fail(err, n, 0,
				  "unknown auth method '%s': expected psk, pubkey, rsa, rsa/pss or ecdsa",
				  tok);
	while ((tok = strtok_r(NULL, "-", &save))) {
		size_t i;

		off = (size_t)(tok - buf);
		if (a->method == CONFIG_AUTH_PSK)
			return build_fail(err, n, off, "'psk' takes no hash ('%s')", tok);
		for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
			if (strcmp(tok, hashes[i].name) == 0)
				break;
		if (i == sizeof(hashes) / sizeof(hashes[0]))
			return build_fail(err, n, off,
					  "unknown signature hash '%s' in 'auth' (sha1, sha256, sha384, sha512)",
					  tok);
		if (a->n_hashes < sizeof(a->hashes))
			a->hashes[a->n_hashes++] = hashes[i].id;
	}
	return true;
}

static bool build_auth(struct config_err *err, const struct settings_node *sec,
		       struct config_auth *a)
{
	const struct settings_node *n;

	a->method = CONFIG_AUTH_PUBKEY;
	a->name = strdup(sec->name);
	if (!a->name)
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	if (!build_check_keys(err, sec, auth_keys, NULL))
		return false;
	n = build_key(sec, "auth");
	if (n && !parse_auth(err, n, a))
		return false;
	return build_str(err, sec, "id", &a->id) &&
	       build_strs(err, sec, "certs", &a->certs) &&
	       build_strs(err, sec, "cacerts", &a->cacerts) &&
	       build_strs(err, sec, "pubkeys", &a->pubkeys);
}

static int auth_cmp(const void *a, const void *b)
{
	return strcmp(((const struct config_auth *)a)->name,
		      ((const struct config_auth *)b)->name);
}

static bool build_rounds(struct config_err *err, const struct settings_node *sec,
			 const char *prefix, struct config_auth **out, size_t *n)
{
	size_t count = 0;

	for (const struct settings_node *c = sec->children; c; c = c->next)
		count += c->type == SETTINGS_SECTION && is_round(c->name, prefix);
	if (!count)
		return true;
	*out = calloc(count, sizeof(**out));
	if (!*out)
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	for (const struct settings_node *c = sec->children; c; c = c->next) {
		if (c->type != SETTINGS_SECTION || !is_round(c->name, prefix))
			continue;
		(*n)++;
		if (!build_auth(err, c, &(*out)[*n - 1]))
			return false;
	}
	qsort(*out, *n, sizeof(**out), auth_cmp);
	return true;
}

static bool build_ts_list(struct config_err *err, const struct settings_node *sec,
			  const char *key, struct config_ts **out, size_t *n)
{
	const struct settings_node *k = build_key(sec, key);
	char item[CONFIG_ITEM_MAX];
	size_t pos = 0, off, count = 0;
	bool too_long;

	if (k)
		while (value_list_next(k->value, &pos, item, &off, &too_long))
			count++;
	*out = calloc(count ? count : 1, sizeof(**out));
	if (!*out)
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	if (!count) {	/* default: dynamic */
		(*out)[0].dynamic = true;
		(*out)[0].port_to = 65535;
		*n = 1;
		return true;
	}
	pos = 0;
	while (*n < count && value_list_next(k->value, &pos, item, &off, &too_long)) {
		const char *why = "selector too long";

		if (too_long || !value_parse_ts(item, &(*out)[*n], &why))
			return build_fail(err, k, off,
					  "invalid traffic selector '%s' in '%s': %s",
					  item, key, why);
		(*n)++;
	}
	return true;
}

/* life defaults to rekey + 10%, rand to life - rekey (swanctl.conf(5)). */
static bool lifetimes(struct config_err *err, const struct settings_node *sec,
		      const char *rk, const char *lk, const char *dk,
		      uint64_t *rekey, uint64_t *life, uint64_t *rand_)
{
	const struct settings_node *ln = build_key(sec, lk);
	const struct settings_node *dn = build_key(sec, dk);

	/* rekey + 10%, at least a second more: in whole seconds, a short
	 * rekey_time (under 10 s) would otherwise expire when it rekeys */
	if (!ln)
		*life = *rekey + (*rekey >= 10 ? *rekey / 10 : *rekey ? 1 : 0);
	else if (*life && *rekey && *life <= *rekey)
		return build_fail(err, ln, 0, "'%s' must be greater than '%s'", lk, rk);
	if (!dn)
		*rand_ = *life > *rekey && *rekey ? *life - *rekey : 0;
	return true;
}

static bool build_child(struct config_err *err, const struct settings_node *sec,
			struct config_child *c)
{
	uint64_t rw = 32;

	c->name = strdup(sec->name);
	if (!c->name)
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	c->mode = CONFIG_MODE_TUNNEL;
	c->start_action = c->close_action = c->dpd_action = CONFIG_ACTION_NONE;
	c->rekey_time = DEF_CHILD_REKEY;
	if (!build_check_keys(err, sec, child_keys, NULL) ||
	    !build_ts_list(err, sec, "local_ts", &c->local_ts, &c->n_local_ts) ||
	    !build_ts_list(err, sec, "remote_ts", &c->remote_ts, &c->n_remote_ts) ||
	    !build_proposals(err, sec, "esp_proposals", PROPOSAL_ESP, &c->esp, &c->n_esp) ||
	    !enum_key(err, sec, "mode", mode_map, &c->mode) ||
	    !enum_key(err, sec, "start_action", start_map, &c->start_action) ||
	    !enum_key(err, sec, "close_action", close_map, &c->close_action) ||
	    !enum_key(err, sec, "dpd_action", dpd_map, &c->dpd_action) ||
	    !build_secs(err, sec, "rekey_time", &c->rekey_time) ||
	    !build_secs(err, sec, "life_time", &c->life_time) ||
	    !build_secs(err, sec, "rand_time", &c->rand_time) ||
	    !build_size(err, sec, "rekey_bytes", &c->rekey_bytes) ||
	    !build_size(err, sec, "life_bytes", &c->life_bytes) ||
	    !build_size(err, sec, "rand_bytes", &c->rand_bytes) ||
	    !build_size(err, sec, "rekey_packets", &c->rekey_packets) ||
	    !build_size(err, sec, "life_packets", &c->life_packets) ||
	    !build_size(err, sec, "rand_packets", &c->rand_packets) ||
	    !build_uint(err, sec, "replay_window", 0, UINT32_MAX, &rw) ||
	    !build_bool(err, sec, "hostaccess", &c->hostaccess) ||
	    !build_str(err, sec, "updown", &c->updown))
		return false;
	c->replay_window = (uint32_t)rw;
	return lifetimes(err, sec, "rekey_time", "life_time", "rand_time",
			 &c->rekey_time, &c->life_time, &c->rand_time) &&
	       lifetimes(err, sec, "rekey_bytes", "life_bytes", "rand_bytes",
			 &c->rekey_bytes, &c->life_bytes, &c->rand_bytes) &&
	       lifetimes(err, sec, "rekey_packets", "life_packets", "rand_packets",
			 &c->rekey_packets, &c->life_packets, &c->rand_packets);
}

static bool build_children(struct config_err *err, const struct settings_node *sec,
			   struct config_conn *c)
{
	const struct settings_node *ch = settings_find(sec, "children", SETTINGS_SECTION);
	size_t count;

	if (!ch)
		return true;
	for (const struct settings_node *n = ch->children; n; n = n->next)
		if (n->type == SETTINGS_KEY)
			return build_fail(err, n, SIZE_MAX,
					  "unknown key '%s' in %s.children (expected a child section)",
					  n->name, sec->name);
	count = build_count_sections(ch);
	if (!count)
		return true;
	c->children = calloc(count, sizeof(*c->children));
	if (!c->children)
		return build_fail(err, ch, SIZE_MAX, "out of memory");
	for (const struct settings_node *n = ch->children; n; n = n->next) {
		if (n->type != SETTINGS_SECTION)
			continue;
		c->n_children++;
		if (!build_child(err, n, &c->children[c->n_children - 1]))
			return false;
	}
	return true;
}

static bool build_version(struct config_err *err, const struct settings_node *sec,
			  struct config_conn *c)
{
	const struct settings_node *n = build_key(sec, "version");

	c->version = 2;
	if (n && strcmp(n->value, "2") != 0)
		return build_fail(err, n, 0,
				  "unsupported IKE version '%.32s': only version 2 is supported",
				  n->value);
	return true;
}

/* An absent or empty address list means %any. */
static bool default_any(struct config_host **h, size_t *n)
{
	if (*n)
		return true;
	*h = calloc(1, sizeof(**h));	/* kind HOST_ANY */
	if (!*h)
		return false;
	*n = 1;
	return true;
}

static bool build_conn(struct config_err *err, const struct settings_node *sec,
		       struct config_conn *c)
{
	uint64_t lport = DEF_PORT, rport = DEF_PORT, tries = 1, v;
	const struct settings_node *kt;
	bool over_set, rand_set;

	c->name = strdup(sec->name);
	if (!c->name)
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	c->mobike = true;
	c->send_certreq = true;
	c->fragmentation = CONFIG_FRAG_YES;
	c->unique = CONFIG_UNIQUE_NO;
	c->send_cert = CONFIG_SEND_CERT_IFASKED;
	c->rekey_time = DEF_IKE_REKEY;
	if (!build_check_keys(err, sec, conn_keys, conn_sub) ||
	    !build_version(err, sec, c) ||
	    !build_hosts(err, sec, "local_addrs", BUILD_HOST_ANY, &c->local_addrs, &c->n_local_addrs) ||
	    !build_hosts(err, sec, "remote_addrs", BUILD_HOST_ANY, &c->remote_addrs, &c->n_remote_addrs) ||
	    !build_uint(err, sec, "local_port", 1, 65535, &lport) ||
	    !build_uint(err, sec, "remote_port", 1, 65535, &rport) ||
	    !build_proposals(err, sec, "proposals", PROPOSAL_IKE, &c->proposals, &c->n_proposals) ||
	    !build_strs(err, sec, "pools", &c->pools) ||
	    !build_hosts(err, sec, "vips", BUILD_HOST_IP, &c->vips, &c->n_vips) ||
	    !build_bool(err, sec, "encap", &c->encap) ||
	    !build_bool(err, sec, "mobike", &c->mobike) ||
	    !enum_key(err, sec, "fragmentation", frag_map, &c->fragmentation) ||
	    !build_secs(err, sec, "dpd_delay", &c->dpd_delay) ||
	    !build_secs(err, sec, "dpd_timeout", &c->dpd_timeout) ||
	    !build_secs(err, sec, "rekey_time", &c->rekey_time) ||
	    !build_secs(err, sec, "reauth_time", &c->reauth_time) ||
	    !build_secs(err, sec, "over_time", &c->over_time) ||
	    !build_secs(err, sec, "rand_time", &c->rand_time) ||
	    !enum_key(err, sec, "unique", unique_map, &c->unique) ||
	    !build_bool(err, sec, "send_certreq", &c->send_certreq) ||
	    !enum_key(err, sec, "send_cert", send_cert_map, &c->send_cert))
		return false;
	kt = build_key(sec, "keyingtries");
	if (kt && strcmp(kt->value, "%forever") == 0)
		tries = 0;
	else if (!build_uint(err, sec, "keyingtries", 0, UINT32_MAX, &tries))
		return false;
	c->local_port = (uint16_t)lport;
	c->remote_port = (uint16_t)rport;
	c->keyingtries = (uint32_t)tries;
	/* over_time: 10% of the longer of rekey/reauth; rand_time: over_time */
	over_set = build_key(sec, "over_time") != NULL;
	rand_set = build_key(sec, "rand_time") != NULL;
	v = c->rekey_time > c->reauth_time ? c->rekey_time : c->reauth_time;
	if (!over_set)
		c->over_time = v / 10;
	if (!rand_set)
		c->rand_time = c->over_time;
	if (!default_any(&c->local_addrs, &c->n_local_addrs) ||
	    !default_any(&c->remote_addrs, &c->n_remote_addrs))
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	return build_rounds(err, sec, "local", &c->local, &c->n_local) &&
	       build_rounds(err, sec, "remote", &c->remote, &c->n_remote) &&
	       build_children(err, sec, c);
}

bool build_connections(struct config_err *err, const struct settings_node *sec,
		       struct config *cfg)
{
	size_t count = build_count_sections(sec);

	for (const struct settings_node *n = sec->children; n; n = n->next)
		if (n->type == SETTINGS_KEY)
			return build_fail(err, n, SIZE_MAX,
					  "unknown key '%s' in connections (expected a connection section)",
					  n->name);
	if (!count)
		return true;
	cfg->conns = calloc(count, sizeof(*cfg->conns));
	if (!cfg->conns)
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	for (const struct settings_node *n = sec->children; n; n = n->next) {
		cfg->n_conns++;
		if (!build_conn(err, n, &cfg->conns[cfg->n_conns - 1]))
			return false;
	}
	return true;
}

static void auths_free(struct config_auth *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		free(a[i].name);
		free(a[i].id);
		config_strs_free(&a[i].certs);
		config_strs_free(&a[i].cacerts);
		config_strs_free(&a[i].pubkeys);
	}
	free(a);
}

void config_conn_free(struct config_conn *c)
{
	free(c->name);
	config_hosts_free(c->local_addrs, c->n_local_addrs);
	config_hosts_free(c->remote_addrs, c->n_remote_addrs);
	free(c->proposals);
	config_strs_free(&c->pools);
	config_hosts_free(c->vips, c->n_vips);
	auths_free(c->local, c->n_local);
	auths_free(c->remote, c->n_remote);
	for (size_t i = 0; c->children && i < c->n_children; i++) {
		struct config_child *ch = &c->children[i];

		free(ch->name);
		for (size_t j = 0; j < ch->n_local_ts; j++)
			config_host_clear(&ch->local_ts[j].net);
		for (size_t j = 0; j < ch->n_remote_ts; j++)
			config_host_clear(&ch->remote_ts[j].net);
		free(ch->local_ts);
		free(ch->remote_ts);
		free(ch->esp);
		free(ch->updown);
	}
	free(c->children);
	memset(c, 0, sizeof(*c));
}
