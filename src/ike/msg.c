/* Message life cycle, arena, accessors and the error helper. */
#include "ike/msg.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

/* A chain of blocks: bump allocations for parsed arrays and builder data,
 * or one adopted external buffer. Everything is wiped on free: inner
 * payloads came out of decryption. */
struct ike_arena {
	struct ike_arena *next;
	uint8_t *ext;		/* adopted buffer, or NULL */
	size_t size;		/* usable bytes in data[] (or of ext) */
	size_t used;
	max_align_t data[];
};

#define ARENA_BLOCK 4096

void ike_msg_init(struct ike_msg *m)
{
	/* Only the fields that matter: the payload slots are zeroed when
	 * used, which keeps init cheap on the per-packet path. */
	m->hdr = (struct ike_header){ 0 };
	m->raw = (struct ike_bytes){ 0 };
	m->npl = 0;
	m->skipped = 0;
	m->decrypted = false;
	m->arena = NULL;
}

void ike_msg_free(struct ike_msg *m)
{
	struct ike_arena *a = m->arena, *next;

	for (; a; a = next) {
		next = a->next;
		if (a->ext)
			mem_wipe_free(a->ext, a->size);
		mem_wipe_free(a, sizeof(*a) + (a->ext ? 0 : a->size));
	}
	ike_msg_init(m);
}

void *ike_msg_alloc(struct ike_msg *m, size_t len)
{
	const size_t al = alignof(max_align_t);
	struct ike_arena *a = m->arena;
	size_t need, size;
	uint8_t *p;

	if (len > SIZE_MAX / 2)
		return NULL;
	need = (len + al - 1) & ~(al - 1);
	if (!need)
		need = al;
	if (!a || a->ext || a->size - a->used < need) {
		size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		a = calloc(1, sizeof(*a) + size);
		if (!a)
			return NULL;
		a->size = size;
		a->next = m->arena;
		m->arena = a;
	}
	p = (uint8_t *)a->data + a->used;
	a->used += need;
	return p;	/* calloc'd and never reused: already zero */
}

const uint8_t *ike_msg_dup(struct ike_msg *m, const void *p, size_t len)
{
	uint8_t *d = ike_msg_alloc(m, len);

	if (d && len)
		memcpy(d, p, len);
	return d;
}

bool ike_msg_adopt(struct ike_msg *m, uint8_t *buf, size_t len)
{
	struct ike_arena *a = calloc(1, sizeof(*a));

	if (!a) {
		mem_wipe_free(buf, len);
		return false;
	}
	a->ext = buf;
	a->size = len;
	a->next = m->arena;
	m->arena = a;
	return true;
}

struct ike_payload *ike_msg_add(struct ike_msg *m, uint8_t type)
{
	struct ike_payload *p;

	if (m->npl >= IKE_MAX_PAYLOADS)
		return NULL;
	p = &m->pl[m->npl++];
	memset(p, 0, sizeof(*p));
	p->type = type;
	return p;
}

struct ike_payload *ike_msg_add_notify(struct ike_msg *m, uint8_t protocol,
				       uint16_t type, const void *spi,
				       size_t spi_len, const void *data,
				       size_t data_len)
{
	struct ike_payload *p = ike_msg_add(m, PL_NOTIFY);

	if (!p)
		return NULL;
	p->notify.protocol = protocol;
	p->notify.type = type;
	p->notify.spi = (struct ike_bytes){ spi, spi_len };
	p->notify.data = (struct ike_bytes){ data, data_len };
	return p;
}

struct ike_payload *ike_msg_add_data(struct ike_msg *m, uint8_t type,
				     const void *data, size_t len)
{
	struct ike_payload *p = ike_msg_add(m, type);

	if (!p)
		return NULL;
	p->data.data = (struct ike_bytes){ data, len };
	return p;
}

const struct ike_payload *ike_msg_next(const struct ike_msg *m,
				       const struct ike_payload *prev,
				       uint8_t type)
{
	size_t i = prev ? (size_t)(prev - m->pl) + 1 : 0;

	for (; i < m->npl; i++)
		if (type == PL_NONE || m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

size_t ike_msg_count(const struct ike_msg *m, uint8_t type)
{
	size_t i, n = 0;

	for (i = 0; i < m->npl; i++)
		n += type == PL_NONE || m->pl[i].type == type;
	return n;
}

const struct ike_payload *ike_msg_find_notify(const struct ike_msg *m,
					      uint16_t type)
{
	const struct ike_payload *p = NULL;

	while ((p = ike_msg_next(m, p, PL_NOTIFY)))
		if (p->notify.type == type)
			return p;
	return NULL;
}

const struct ike_payload *ike_msg_find_encrypted(const struct ike_msg *m)
{
	size_t i;

	for (i = 0; i < m->npl; i++)
		if (m->pl[i].type == PL_SK || m->pl[i].type == PL_SKF)
			return &m->pl[i];
	return NULL;
}

uint64_t ike_delete_spi(const struct ike_pl_delete *d, size_t i)
{
	uint64_t v = 0;
	size_t k;

	if (i >= d->nspis || d->spi_size > 8 ||
	    (i + 1) * d->spi_size > d->spis.len)
		return 0;
	for (k = 0; k < d->spi_size; k++)
		v = v << 8 | d->spis.ptr[i * d->spi_size + k];
	return v;
}

size_t ike_ts_addr_len(uint8_t ts_type)
{
	switch (ts_type) {
	case TS_IPV4_ADDR_RANGE: return 4;
	case TS_IPV6_ADDR_RANGE: return 16;
	default: return 0;
	}
}

bool ike_ts_is_empty(const struct ike_ts *ts)
{
	size_t alen = ike_ts_addr_len(ts->type);

	if (!alen)
		return false;	/* unknown types: not ours to judge */
	return ts->start_port > ts->end_port ||
	       memcmp(ts->start, ts->end, alen) > 0;
}

enum ike_err_code ike_err_set(struct ike_err *err, enum ike_err_code code,
			      uint8_t payload, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	err->payload = payload;
	switch (code) {
	case IKE_ERR_VERSION:
		err->notify = N_INVALID_MAJOR_VERSION;
		break;
	case IKE_ERR_SYNTAX:
	case IKE_ERR_LIMIT:
		err->notify = N_INVALID_SYNTAX;
		break;
	case IKE_ERR_CRITICAL:
		err->notify = N_UNSUPPORTED_CRITICAL_PAYLOAD;
		break;
	default:
		err->notify = 0;
		break;
	}
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return code;
}

const char *ike_err_code_name(enum ike_err_code code)
{
	switch (code) {
	case IKE_OK: return "ok";
	case IKE_ERR_HEADER: return "bad header";
	case IKE_ERR_VERSION: return "bad version";
	case IKE_ERR_SYNTAX: return "invalid syntax";
	case IKE_ERR_CRITICAL: return "unsupported critical payload";
	case IKE_ERR_LIMIT: return "limit exceeded";
	case IKE_ERR_NOMEM: return "out of memory";
	case IKE_ERR_BUILD: return "invalid payload for writing";
	}
	return "unknown error";
}
