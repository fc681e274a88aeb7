/* Loader for the captured IKEv2 fixtures in tests/fixtures/ike/ (format in
 * tests/fixtures/ike/README.md), for unit tests of the codec, SK and keymat
 * layers. Header-only (static inline) because every tests/unit/test_*.c is
 * its own program; paths are relative to the repository root, where
 * `make unit` runs the binaries (FIXTURE_IKE_DIR overrides the root).
 *
 *   fx_file_load(scenario, file, &chunk)       one .bin (or any file)
 *   fx_keys_load(scenario, &keys)              keys.txt
 *   fx_key_hex(&keys, "sk_ei", &chunk)         a hex value as bytes
 *   fx_key_int(&keys, "prf")                   a decimal value, -1 if absent
 *   fx_msgs_load(scenario, msgs, max)          messages.txt lines
 * Chunks come from chunk_alloc: free them with chunk_free. */
#ifndef CYGNET_TESTS_FIXTURE_IKE_H
#define CYGNET_TESTS_FIXTURE_IKE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

#define FX_MAX_KEYS 64
#define FX_MAX_MSGS 32

struct fx_keys {
	size_t n;
	char name[FX_MAX_KEYS][32];
	char value[FX_MAX_KEYS][1100];
};

struct fx_msg {
	char file[96];
	unsigned sa;		/* 1 = first IKE SA, 2 = after an IKE rekey */
	unsigned exch, flags, mid, port, len;
	unsigned frag, frag_total;	/* 0 when not an SKF fragment */
	char summary[512];	/* strongSwan's "[ ... ]" payload list */
};

static inline bool fx_path(char *out, size_t max, const char *scenario,
			   const char *file)
{
	const char *root = getenv("FIXTURE_IKE_DIR");
	int n = snprintf(out, max, "%s/%s/%s",
			 root ? root : "tests/fixtures/ike", scenario, file);

	return n > 0 && (size_t)n < max;
}

/* Whole file into c; false if missing or unreadable. */
static inline bool fx_file_load(const char *scenario, const char *file,
				struct chunk *c)
{
	char path[512];
	FILE *f;
	long sz;
	bool ok;

	if (!fx_path(path, sizeof(path), scenario, file))
		return false;
	f = fopen(path, "rb");
	if (!f)
		return false;
	ok = fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) > 0 &&
	     fseek(f, 0, SEEK_SET) == 0 && chunk_alloc(c, (size_t)sz) &&
	     fread(c->ptr, 1, c->len, f) == c->len;
	fclose(f);
	return ok;
}

static inline bool fx_keys_load(const char *scenario, struct fx_keys *k)
{
	char path[512], line[1200];
	FILE *f;

	memset(k, 0, sizeof(*k));
	if (!fx_path(path, sizeof(path), scenario, "keys.txt"))
		return false;
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f) && k->n < FX_MAX_KEYS) {
		char *eq = strstr(line, " = ");
		size_t nl, vl;

		if (line[0] == '#' || !eq)
			continue;
		nl = (size_t)(eq - line);
		vl = strcspn(eq + 3, "\r\n");
		if (nl >= sizeof(k->name[0]) || vl >= sizeof(k->value[0]))
			continue;	/* too long for this loader: skip */
		memcpy(k->name[k->n], line, nl);
		memcpy(k->value[k->n], eq + 3, vl);
		k->n++;
	}
	fclose(f);
	return k->n > 0;
}

static inline const char *fx_key(const struct fx_keys *k, const char *name)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->name[i], name) == 0)
			return k->value[i];
	return NULL;
}

static inline long fx_key_int(const struct fx_keys *k, const char *name)
{
	const char *v = fx_key(k, name);

	return v ? strtol(v, NULL, 10) : -1;
}

/* Hex value into c; false if absent or not clean hex. */
static inline bool fx_key_hex(const struct fx_keys *k, const char *name,
			      struct chunk *c)
{
	const char *v = fx_key(k, name);
	size_t n;

	if (!v || (n = strlen(v)) == 0 || n % 2 || !chunk_alloc(c, n / 2))
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned b;

		if (sscanf(v + 2 * i, "%2x", &b) != 1) {
			chunk_free(c);
			return false;
		}
		c->ptr[i] = (uint8_t)b;
	}
	return true;
}

/* Up to max lines of messages.txt; returns the count (0 on error). */
static inline size_t fx_msgs_load(const char *scenario, struct fx_msg *m,
				  size_t max)
{
	char path[512], line[1024];
	size_t n = 0;
	FILE *f;

	if (!fx_path(path, sizeof(path), scenario, "messages.txt"))
		return 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		struct fx_msg *x = &m[n];
		const char *fr, *br;

		if (line[0] == '#')
			continue;
		memset(x, 0, sizeof(*x));
		if (sscanf(line, "%95s sa=%u spi_i=%*s spi_r=%*s exch=%u mid=%u "
			   "flags=0x%x port=%u len=%u", x->file, &x->sa,
			   &x->exch, &x->mid, &x->flags, &x->port, &x->len) != 7)
			continue;
		fr = strstr(line, " frag=");
		if (fr)
			sscanf(fr, " frag=%u/%u", &x->frag, &x->frag_total);
		br = strchr(line, '[');
		if (br) {
			snprintf(x->summary, sizeof(x->summary), "%s", br);
			x->summary[strcspn(x->summary, "\r\n")] = '\0';
		}
		n++;
	}
	fclose(f);
	return n;
}

#endif
