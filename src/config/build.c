/* Typed key readers shared by the model builders; every failure names the
 * key and points at the offending item. */
#include "config/build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool build_fail(struct config_err *err, const struct settings_node *n,
		size_t off, const char *fmt, ...)
{
	struct settings_loc loc = n->loc;
	char what[384];
	va_list ap;

	if (off != SIZE_MAX && n->type == SETTINGS_KEY) {
		loc = n->vloc;
		if (n->value_exact && off < n->value_len)
			loc.col += (unsigned)off;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	config_err_set(err, &loc, "%s", what);
	return false;
}

static bool in_list(const char *const *keys, const char *name)
{
	for (; keys && *keys; keys++)
		if (strcmp(*keys, name) == 0)
			return true;
	return false;
}

bool build_check_keys(struct config_err *err, const struct settings_node *sec,
		      const char *const *keys, bool (*sub)(const char *name))
{
	char path[256];

	settings_path(sec, path, sizeof(path));
	for (const struct settings_node *n = sec->children; n; n = n->next) {
		bool is_key = in_list(keys, n->name);
		bool is_sub = sub && sub(n->name);

		if (n->type == SETTINGS_KEY && is_key)
			continue;
		if (n->type == SETTINGS_SECTION && is_sub)
			continue;
		if (n->type == SETTINGS_KEY && is_sub)
			return build_fail(err, n, SIZE_MAX,
					  "'%s' must be a section ('%s { ... }')",
					  n->name, n->name);
		if (n->type == SETTINGS_SECTION && is_key)
			return build_fail(err, n, SIZE_MAX,
					  "'%s' is a key ('%s = ...'), not a section",
					  n->name, n->name);
		return build_fail(err, n, SIZE_MAX, "unknown %s '%s' %s%s",
				  n->type == SETTINGS_KEY ? "key" : "section",
				  n->name, *path ? "in " : "at top level",
				  path);
	}
	return true;
}

const struct settings_node *build_key(const struct settings_node *sec,
				      const char *key)
{
	return settings_find(sec, key, SETTINGS_KEY);
}

bool build_bool(struct config_err *err, const struct settings_node *sec,
		const char *key, bool *out)
{
	const struct settings_node *n = build_key(sec, key);

	if (!n)
		return true;
	if (!value_parse_bool(n->value, out))
		return build_fail(err, n, 0,
				  "invalid value '%.64s' for '%s': expected yes or no",
				  n->value, key);
	return true;
}

bool build_uint(struct config_err *err, const struct settings_node *sec,
		const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
	const struct settings_node *n = build_key(sec, key);
	uint64_t v;

	if (!n)
		return true;
	if (!value_parse_uint(n->value, max, &v) || v < min)
		return build_fail(err, n, 0,
				  "invalid value '%.64s' for '%s': expected a number from %llu to %llu",
				  n->value, key, (unsigned long long)min,
				  (unsigned long long)max);
	*out = v;
	return true;
}

bool build_ms(struct config_err *err, const struct settings_node *sec,
	      const char *key, uint64_t *out)
{
	const struct settings_node *n = build_key(sec, key);

	if (!n)
		return true;
	if (!value_parse_duration_ms(n->value, out))
		return build_fail(err, n, 0,
				  "invalid value '%.64s' for '%s': expected a duration (e.g. 90s, 30m, 4h, 1d)",
				  n->value, key);
	return true;
}

bool build_secs(struct config_err *err, const struct settings_node *sec,
		const char *key, uint64_t *out)
{
	const struct settings_node *n = build_key(sec, key);
	uint64_t ms = *out * 1000;

	if (!n)
		return true;
	if (!build_ms(err, sec, key, &ms))
		return false;
	if (ms % 1000)
		return build_fail(err, n, 0,
				  "invalid value '%.64s' for '%s': whole seconds only",
				  n->value, key);
	*out = ms / 1000;
	return true;
}

bool build_size(struct config_err *err, const struct settings_node *sec,
		const char *key, uint64_t *out)
{
	const struct settings_node *n = build_key(sec, key);

	if (!n)
		return true;
	if (!value_parse_size(n->value, out))
		return build_fail(err, n, 0,
				  "invalid value '%.64s' for '%s': expected a number with optional K, M or G suffix",
				  n->value, key);
	return true;
}

bool build_enum(struct config_err *err, const struct settings_node *sec,
		const char *key, const struct build_enum *map, int *out)
{
	const struct settings_node *n = build_key(sec, key);
	char choices[160] = "";
	size_t off = 0;

	if (!n)
		return true;
	for (const struct build_enum *m = map; m->name; m++) {
		const char *name = m->name[0] == '~' ? m->name + 1 : m->name;

		if (strcmp(name, n->value) == 0) {
			*out = m->value;
			return true;
		}
	}
	/* Aliases (names starting with '~') are accepted, not advertised. */
	for (const struct build_enum *m = map; m->name && off < sizeof(choices); m++) {
		int w;

		if (m->name[0] == '~')
			continue;
		w = snprintf(choices + off, sizeof(choices) - off, "%s%s",
			     off ? ", " : "", m->name);
		if (w > 0)
			off += (size_t)w;
	}
	return build_fail(err, n, 0, "invalid value '%.64s' for '%s': expected one of %s",
			  n->value, key, choices);
}

bool build_str(struct config_err *err, const struct settings_node *sec,
	       const char *key, char **out)
{
	const struct settings_node *n = build_key(sec, key);
	char *s;

	if (!n)
		return true;
	s = strdup(n->value);
	if (!s)
		return build_fail(err, n, SIZE_MAX, "out of memory");
	free(*out);
	*out = s;
	return true;
}

bool config_strs_add(struct config_strs *s, const char *v)
{
	char **nv = realloc(s->v, (s->n + 1) * sizeof(*nv));

	if (!nv)
		return false;
	s->v = nv;
	s->v[s->n] = strdup(v);
	if (!s->v[s->n])
		return false;
	s->n++;
	return true;
}

void config_strs_free(struct config_strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static bool item_too_long(struct config_err *err, const struct settings_node *n,
			  size_t off)
{
	return build_fail(err, n, off, "list item in '%s' longer than %d bytes",
			  n->name, CONFIG_ITEM_MAX - 1);
}

bool build_strs(struct config_err *err, const struct settings_node *sec,
		const char *key, struct config_strs *out)
{
	const struct settings_node *n = build_key(sec, key);
	char item[CONFIG_ITEM_MAX];
	size_t pos = 0, off;
	bool too_long;

	if (!n)
		return true;
	while (value_list_next(n->value, &pos, item, &off, &too_long)) {
		if (too_long)
			return item_too_long(err, n, off);
		if (!config_strs_add(out, item))
			return build_fail(err, n, SIZE_MAX, "out of memory");
	}
	return true;
}

static size_t list_count(const char *s)
{
	char item[CONFIG_ITEM_MAX];
	size_t pos = 0, off, n = 0;
	bool too_long;

	while (value_list_next(s, &pos, item, &off, &too_long))
		n++;
	return n;
}

void config_hosts_free(struct config_host *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++)
		config_host_clear(&h[i]);
	free(h);
}

bool build_hosts(struct config_err *err, const struct settings_node *sec,
		 const char *key, enum build_host_kind kind,
		 struct config_host **out, size_t *n)
{
	const struct settings_node *k = build_key(sec, key);
	char item[CONFIG_ITEM_MAX];
	size_t pos = 0, off, count;
	bool too_long;

	if (!k)
		return true;
	config_hosts_free(*out, *n);
	*out = NULL;
	*n = 0;
	count = list_count(k->value);
	if (!count)
		return true;
	*out = calloc(count, sizeof(**out));
	if (!*out)
		return build_fail(err, k, SIZE_MAX, "out of memory");
	while (*n < count && value_list_next(k->value, &pos, item, &off, &too_long)) {
		const char *why = NULL;
		bool ok;

		if (too_long)
			return item_too_long(err, k, off);
		if (kind == BUILD_HOST_ANY)
			ok = value_parse_host(item, &(*out)[*n], &why);
		else if (kind == BUILD_HOST_NET)
			ok = value_parse_net(item, &(*out)[*n], &why);
		else
			ok = value_parse_ip(item, &(*out)[*n]);
		if (!ok)
			return build_fail(err, k, off, "invalid %s '%s' in '%s'%s%s",
					  kind == BUILD_HOST_IP ? "IP address" : "address",
					  item, key, why ? ": " : "", why ? why : "");
		(*n)++;
	}
	return true;
}

bool build_proposals(struct config_err *err, const struct settings_node *sec,
		     const char *key, enum proposal_proto proto,
		     struct proposal **out, size_t *n)
{
	const struct settings_node *k = build_key(sec, key);
	char item[CONFIG_ITEM_MAX];
	size_t pos = 0, off;
	bool too_long;

	*out = calloc(PROPOSAL_MAX, sizeof(**out));
	*n = 0;
	if (!*out)
		return build_fail(err, sec, SIZE_MAX, "out of memory");
	while (k && value_list_next(k->value, &pos, item, &off, &too_long)) {
		struct proposal_err perr;

		if (too_long)
			return item_too_long(err, k, off);
		if (*n + (strcmp(item, "default") == 0 ? PROPOSAL_N_DEFAULTS : 1) > PROPOSAL_MAX)
			return build_fail(err, k, off, "more than %d proposals in '%s'",
					  PROPOSAL_MAX, key);
		if (strcmp(item, "default") == 0) {
			*n += proposal_defaults(proto, *out + *n, PROPOSAL_MAX - *n);
			continue;
		}
		if (*n >= PROPOSAL_MAX)
			return build_fail(err, k, off, "more than %d proposals in '%s'",
					  PROPOSAL_MAX, key);
		if (!proposal_parse(proto, item, *out + *n, &perr))
			return build_fail(err, k, off + perr.offset,
					  "invalid %s proposal '%s': %s",
					  proto == PROPOSAL_IKE ? "IKE" : "ESP",
					  item, perr.what);
		(*n)++;
	}
	if (!*n)
		*n = proposal_defaults(proto, *out, PROPOSAL_MAX);
	return true;
}

size_t build_count_sections(const struct settings_node *sec)
{
	size_t n = 0;

	for (const struct settings_node *c = sec->children; c; c = c->next)
		n += c->type == SETTINGS_SECTION;
	return n;
}
