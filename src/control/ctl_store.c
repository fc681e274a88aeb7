/* The store of VICI-loaded objects and its merge over the config file. */
#include "control/ctl_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char vici_origin[] = "vici";

static struct settings_node *node_new(enum settings_node_type type, const char *name,
				      const char *value, size_t vlen)
{
	struct settings_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->type = type;
	n->name = strdup(name);
	n->loc = (struct settings_loc){ vici_origin, 1, 1 };
	n->vloc = n->loc;
	if (type == SETTINGS_KEY) {
		n->value = malloc(vlen + 1);
		if (n->value) {
			memcpy(n->value, value, vlen);
			n->value[vlen] = '\0';
			n->value_len = vlen;
		}
	}
	if (!n->name || (type == SETTINGS_KEY && !n->value)) {
		ctl_settings_node_free(n);
		return NULL;
	}
	return n;
}

void ctl_settings_node_free(struct settings_node *n)
{
	while (n) {
		struct settings_node *next = n->next;

		ctl_settings_node_free(n->children);
		if (n->value)
			mem_wipe_free(n->value, n->value_len + 1);
		free(n->name);
		free(n);
		n = next;
	}
}

/* Appends child to sec, keeping order. */
static void node_append(struct settings_node *sec, struct settings_node *child)
{
	struct settings_node **pp = &sec->children;

	while (*pp)
		pp = &(*pp)->next;
	*pp = child;
	child->parent = sec;
	child->next = NULL;
}

static bool in_list(const char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

/* Joins the items of a list with ", ". */
static char *list_join(const struct vici_node *list, size_t *len, const char **why)
{
	struct wbuf w;
	bool first = true;

	wbuf_init(&w);
	for (const struct vici_node *it = vici_node_first(list); it; it = vici_node_next(it)) {
		size_t l;
		const uint8_t *v = vici_node_value(it, &l);

		if (memchr(v, '\0', l) || memchr(v, ',', l)) {
			*why = "list item with a NUL byte or a comma";
			wbuf_free(&w);
			return NULL;
		}
		if (!first)
			wbuf_bytes(&w, ", ", 2);
		wbuf_bytes(&w, v, l);
		first = false;
	}
	wbuf_u8(&w, 0);
	if (!wbuf_ok(&w)) {
		*why = "out of memory";
		wbuf_free(&w);
		return NULL;
	}
	{
		size_t total;
		char *out = (char *)wbuf_steal(&w, &total);

		*len = total - 1;
		return out;
	}
}

struct settings_node *ctl_settings_from_vici(const char *name,
					     const struct vici_node *sec,
					     const char *const *skip_lists,
					     const char **why)
{
	struct settings_node *out = node_new(SETTINGS_SECTION, name, NULL, 0);

	if (!out) {
		*why = "out of memory";
		return NULL;
	}
	for (const struct vici_node *c = vici_node_first(sec); c; c = vici_node_next(c)) {
		char cname[VICI_MAX_NAME + 1];
		size_t nlen, vlen;
		const uint8_t *nm = vici_node_name(c, &nlen);
		struct settings_node *child = NULL;

		memcpy(cname, nm, nlen);
		cname[nlen] = '\0';
		switch (vici_node_type(c)) {
		case VICI_NODE_KV: {
			const uint8_t *v = vici_node_value(c, &vlen);

			if (memchr(v, '\0', vlen)) {
				*why = "value with a NUL byte";
				goto fail;
			}
			child = node_new(SETTINGS_KEY, cname, (const char *)v, vlen);
			break;
		}
		case VICI_NODE_LIST: {
			char *joined;

			if (in_list(skip_lists, cname))
				continue;
			joined = list_join(c, &vlen, why);
			if (!joined)
				goto fail;
			child = node_new(SETTINGS_KEY, cname, joined, vlen);
			mem_wipe_free(joined, vlen + 1);
			break;
		}
		case VICI_NODE_SECTION:
			child = ctl_settings_from_vici(cname, c, skip_lists, why);
			if (!child)
				goto fail;
			break;
		case VICI_NODE_ITEM:
			continue;
		}
		if (!child) {
			*why = "out of memory";
			goto fail;
		}
		node_append(out, child);
	}
	return out;
fail:
	ctl_settings_node_free(out);
	return NULL;
}

static struct settings_node *node_copy(const struct settings_node *n)
{
	struct settings_node *c = node_new(n->type, n->name, n->value, n->value_len);

	if (!c)
		return NULL;
	c->loc = n->loc;
	c->vloc = n->vloc;
	c->value_exact = n->value_exact;
	for (const struct settings_node *k = n->children; k; k = k->next) {
		struct settings_node *kc = node_copy(k);

		if (!kc) {
			ctl_settings_node_free(c);
			return NULL;
		}
		node_append(c, kc);
	}
	return c;
}

bool ctl_store_has(const struct ctl_named *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return true;
	return false;
}

bool ctl_store_put(struct ctl_named **v, size_t *n, const char *name,
		   struct settings_node *sec, struct settings_node **old)
{
	struct ctl_named *nv;

	*old = NULL;
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*v)[i].name, name) == 0) {
			*old = (*v)[i].sec;
			(*v)[i].sec = sec;
			return true;
		}
	}
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return false;
	*v = nv;
	nv[*n].name = strdup(name);
	if (!nv[*n].name)
		return false;
	nv[*n].sec = sec;
	(*n)++;
	return true;
}

struct settings_node *ctl_store_take(struct ctl_named **v, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*v)[i].name, name) == 0) {
			struct settings_node *sec = (*v)[i].sec;

			free((*v)[i].name);
			memmove(&(*v)[i], &(*v)[i + 1], (*n - i - 1) * sizeof(**v));
			(*n)--;
			return sec;
		}
	}
	return NULL;
}

static void shared_free(struct ctl_shared *sh)
{
	free(sh->id);
	chunk_free(&sh->data);
	for (size_t i = 0; i < sh->n_owners; i++)
		free(sh->owners[i]);
	free(sh->owners);
}

bool ctl_store_shared_add(struct ctl_store *s, const char *id, const char *type,
			  const uint8_t *data, size_t len, char **owners,
			  size_t n_owners)
{
	struct ctl_shared sh = { 0 }, *nv;

	snprintf(sh.type, sizeof(sh.type), "%s", type);
	sh.id = strdup(id);
	if (!sh.id || !chunk_dup(&sh.data, data, len)) {
		shared_free(&sh);
		return false;
	}
	sh.owners = owners;
	sh.n_owners = n_owners;
	for (size_t i = 0; i < s->n_shared; i++) {
		if (strcmp(s->shared[i].id, id) == 0) {
			shared_free(&s->shared[i]);
			s->shared[i] = sh;
			return true;
		}
	}
	nv = realloc(s->shared, (s->n_shared + 1) * sizeof(*nv));
	if (!nv) {
		sh.owners = NULL;
		sh.n_owners = 0;
		shared_free(&sh);
		return false;
	}
	s->shared = nv;
	s->shared[s->n_shared++] = sh;
	return true;
}

bool ctl_store_shared_del(struct ctl_store *s, const char *id)
{
	for (size_t i = 0; i < s->n_shared; i++) {
		if (strcmp(s->shared[i].id, id) == 0) {
			shared_free(&s->shared[i]);
			memmove(&s->shared[i], &s->shared[i + 1],
				(s->n_shared - i - 1) * sizeof(*s->shared));
			s->n_shared--;
			return true;
		}
	}
	return false;
}

bool ctl_store_cred_add(struct ctl_store *s, const struct ctl_cred *c)
{
	struct ctl_cred *nv;

	if (c->kind == CTL_CRED_KEY)
		ctl_store_key_del(s, c->id);
	nv = realloc(s->creds, (s->n_creds + 1) * sizeof(*nv));
	if (!nv)
		return false;
	s->creds = nv;
	s->creds[s->n_creds] = *c;
	if (!chunk_dup(&s->creds[s->n_creds].data, c->data.ptr, c->data.len))
		return false;
	s->n_creds++;
	return true;
}

bool ctl_store_key_del(struct ctl_store *s, const char *id)
{
	for (size_t i = 0; i < s->n_creds; i++) {
		if (s->creds[i].kind == CTL_CRED_KEY && strcmp(s->creds[i].id, id) == 0) {
			chunk_free(&s->creds[i].data);
			memmove(&s->creds[i], &s->creds[i + 1],
				(s->n_creds - i - 1) * sizeof(*s->creds));
			s->n_creds--;
			return true;
		}
	}
	return false;
}

void ctl_store_clear_creds(struct ctl_store *s)
{
	for (size_t i = 0; i < s->n_creds; i++)
		chunk_free(&s->creds[i].data);
	free(s->creds);
	s->creds = NULL;
	s->n_creds = 0;
	for (size_t i = 0; i < s->n_shared; i++)
		shared_free(&s->shared[i]);
	free(s->shared);
	s->shared = NULL;
	s->n_shared = 0;
}

static void named_free(struct ctl_named *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		ctl_settings_node_free(v[i].sec);
	}
	free(v);
}

void ctl_store_free(struct ctl_store *s)
{
	named_free(s->conns, s->n_conns);
	named_free(s->pools, s->n_pools);
	ctl_store_clear_creds(s);
	memset(s, 0, sizeof(*s));
}

/* The top-level section name of out, created when missing. */
static struct settings_node *top_section(struct settings_tree *out, const char *name)
{
	struct settings_node *sec;

	for (sec = out->root.children; sec; sec = sec->next)
		if (sec->type == SETTINGS_SECTION && strcmp(sec->name, name) == 0)
			return sec;
	sec = node_new(SETTINGS_SECTION, name, NULL, 0);
	if (sec)
		node_append(&out->root, sec);
	return sec;
}

static bool add_named(struct settings_tree *out, const char *top,
		      const struct ctl_named *v, size_t n)
{
	struct settings_node *sec;

	if (!n)
		return true;
	sec = top_section(out, top);
	if (!sec)
		return false;
	for (size_t i = 0; i < n; i++) {
		struct settings_node *c = node_copy(v[i].sec);

		if (!c)
			return false;
		node_append(sec, c);
	}
	return true;
}

static const char hexd[] = "0123456789abcdef";

/* secrets { <type>-vici-<i> { id-<k> = owner  secret = 0x<hex> } } */
static bool add_shared(struct settings_tree *out, const struct ctl_store *s)
{
	struct settings_node *sec;

	if (!s->n_shared)
		return true;
	sec = top_section(out, "secrets");
	if (!sec)
		return false;
	for (size_t i = 0; i < s->n_shared; i++) {
		const struct ctl_shared *sh = &s->shared[i];
		char name[48], key[24];
		struct settings_node *one, *k;
		size_t hl = 2 + 2 * sh->data.len;
		char *hex = malloc(hl + 1);

		snprintf(name, sizeof(name), "%s-vici-%zu", sh->type, i + 1);
		one = node_new(SETTINGS_SECTION, name, NULL, 0);
		if (!one || !hex) {
			free(hex);
			ctl_settings_node_free(one);
			return false;
		}
		node_append(sec, one);
		for (size_t o = 0; o < sh->n_owners; o++) {
			snprintf(key, sizeof(key), "id-%zu", o + 1);
			k = node_new(SETTINGS_KEY, key, sh->owners[o], strlen(sh->owners[o]));
			if (!k) {
				free(hex);
				return false;
			}
			node_append(one, k);
		}
		hex[0] = '0';
		hex[1] = 'x';
		for (size_t b = 0; b < sh->data.len; b++) {
			hex[2 + 2 * b] = hexd[sh->data.ptr[b] >> 4];
			hex[3 + 2 * b] = hexd[sh->data.ptr[b] & 15];
		}
		hex[hl] = '\0';
		k = node_new(SETTINGS_KEY, "secret", hex, hl);
		mem_wipe_free(hex, hl + 1);
		if (!k)
			return false;
		node_append(one, k);
	}
	return true;
}

bool ctl_store_merge(const struct ctl_store *s, const struct settings_tree *file,
		     const char *const *drop, struct settings_tree *out)
{
	memset(out, 0, sizeof(*out));
	for (const struct settings_node *top = file ? file->root.children : NULL; top;
	     top = top->next) {
		struct settings_node *c;

		if (in_list(drop, top->name))
			continue;
		if (top->type == SETTINGS_SECTION && (strcmp(top->name, "connections") == 0 ||
						      strcmp(top->name, "pools") == 0)) {
			bool conns = top->name[0] == 'c';

			/* entries the store replaces are left out */
			c = node_new(SETTINGS_SECTION, top->name, NULL, 0);
			if (!c)
				goto fail;
			c->loc = top->loc;
			node_append(&out->root, c);
			for (const struct settings_node *e = top->children; e; e = e->next) {
				struct settings_node *ec;

				if (conns ? ctl_store_has(s->conns, s->n_conns, e->name) :
					    ctl_store_has(s->pools, s->n_pools, e->name))
					continue;
				ec = node_copy(e);
				if (!ec)
					goto fail;
				node_append(c, ec);
			}
			continue;
		}
		c = node_copy(top);
		if (!c)
			goto fail;
		node_append(&out->root, c);
	}
	if (add_named(out, "pools", s->pools, s->n_pools) &&
	    add_named(out, "connections", s->conns, s->n_conns) && add_shared(out, s))
		return true;
fail:
	settings_free(out);
	return false;
}
