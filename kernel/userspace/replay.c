#include "kernel/userspace/replay.h"

#include <string.h>

static inline size_t ring_words(const struct replay *r)
{
	return r->window < 64 ? 1 : r->window / 64;
}

static inline bool bit_get(const struct replay *r, uint64_t seq)
{
	uint32_t i = (uint32_t)seq & (r->window - 1);

	return (r->ring[i >> 6] >> (i & 63)) & 1;
}

static inline void bit_set(struct replay *r, uint64_t seq)
{
	uint32_t i = (uint32_t)seq & (r->window - 1);

	r->ring[i >> 6] |= (uint64_t)1 << (i & 63);
}

static inline void bit_clear(struct replay *r, uint64_t seq)
{
	uint32_t i = (uint32_t)seq & (r->window - 1);

	r->ring[i >> 6] &= ~((uint64_t)1 << (i & 63));
}

bool replay_init(struct replay *r, uint32_t window, bool esn)
{
	memset(r, 0, sizeof(*r));
	if (!window)
		window = REPLAY_WINDOW_DEFAULT;
	if (window < REPLAY_WINDOW_MIN || window > REPLAY_WINDOW_MAX ||
	    (window & (window - 1)))
		return false;
	r->window = window;
	r->esn = esn;
	return true;
}

/* RFC 4303 A2.2: Tl/Th are the halves of top, W the window. */
static enum replay_verdict infer_esn(const struct replay *r, uint32_t seq_lo, uint64_t *seq)
{
	uint32_t tl = (uint32_t)r->top, th = (uint32_t)(r->top >> 32);
	uint32_t w = r->window;
	uint32_t bottom = tl - w + 1;	/* mod 2^32 on purpose */
	uint32_t sh;

	if (tl >= w - 1) {
		/* window lies within one subspace */
		if (seq_lo >= bottom) {
			sh = th;
		} else {
			if (th == UINT32_MAX)
				return REPLAY_INVALID;
			sh = th + 1;
		}
	} else {
		/* window spans two subspaces: big seq_lo belongs to the older one */
		if (seq_lo >= bottom) {
			if (th == 0)
				return REPLAY_TOO_OLD;	/* before the first packet ever */
			sh = th - 1;
		} else {
			sh = th;
		}
	}
	*seq = (uint64_t)sh << 32 | seq_lo;
	return REPLAY_OK;
}

static enum replay_verdict check64(const struct replay *r, uint64_t s)
{
	if (s == 0)
		return REPLAY_INVALID;
	if (s > r->top)
		return REPLAY_OK;
	if (r->top - s >= r->window)
		return REPLAY_TOO_OLD;
	return bit_get(r, s) ? REPLAY_DUPLICATE : REPLAY_OK;
}

enum replay_verdict replay_check(const struct replay *r, uint32_t seq_lo, uint64_t *seq)
{
	uint64_t s = seq_lo;

	if (r->esn) {
		enum replay_verdict v = infer_esn(r, seq_lo, &s);

		if (v != REPLAY_OK)
			return v;
	}
	*seq = s;
	return check64(r, s);
}

enum replay_verdict replay_update(struct replay *r, uint64_t s)
{
	enum replay_verdict v = check64(r, s);

	if (v != REPLAY_OK)
		return v;
	if (s > r->top) {
		uint64_t diff = s - r->top;

		if (diff >= r->window) {
			memset(r->ring, 0, ring_words(r) * sizeof(r->ring[0]));
		} else {
			/* clear the slots the window slides over; diff < window */
			for (uint64_t q = r->top + 1; q < s; q++)
				bit_clear(r, q);
			bit_clear(r, s);
		}
		r->top = s;
	}
	bit_set(r, s);
	return REPLAY_OK;
}

void replay_export(const struct replay *r, uint64_t *top, uint64_t *bitmap)
{
	memset(bitmap, 0, ring_words(r) * sizeof(*bitmap));
	*top = r->top;
	for (uint32_t i = 0; i < r->window && i < r->top; i++)
		if (bit_get(r, r->top - i))
			bitmap[i >> 6] |= (uint64_t)1 << (i & 63);
}

void replay_import(struct replay *r, uint64_t top, const uint64_t *bitmap)
{
	memset(r->ring, 0, sizeof(r->ring));
	r->top = top;
	for (uint32_t i = 0; i < r->window && i < top; i++)
		if ((bitmap[i >> 6] >> (i & 63)) & 1)
			bit_set(r, top - i);
}

const char *replay_verdict_name(enum replay_verdict v)
{
	switch (v) {
	case REPLAY_OK: return "ok";
	case REPLAY_DUPLICATE: return "duplicate";
	case REPLAY_TOO_OLD: return "too old";
	case REPLAY_INVALID: return "invalid sequence number";
	}
	return "?";
}
