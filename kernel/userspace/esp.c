#include "kernel/userspace/esp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/mem.h"
#include "lib/rd.h"

#define NH_IPV4 4
#define NH_IPV6 41
#define NH_NONE 59	/* IPv6 "no next header": TFC dummy packet (RFC 4303 2.6) */

const char *esp_result_name(enum esp_result r)
{
	static const char *const names[ESP_RESULT_MAX] = {
		[ESP_OK] = "ok",
		[ESP_DROP_TRUNCATED] = "truncated",
		[ESP_DROP_UNKNOWN_SPI] = "unknown SPI",
		[ESP_DROP_REPLAY] = "replayed",
		[ESP_DROP_TOO_OLD] = "outside replay window",
		[ESP_DROP_ICV] = "ICV mismatch",
		[ESP_DROP_BAD_PAD] = "bad padding",
		[ESP_DROP_BAD_NEXT_HEADER] = "bad next header",
		[ESP_DROP_BAD_INNER] = "bad inner packet",
		[ESP_DROP_DUMMY] = "dummy packet",
		[ESP_DROP_EXPIRED] = "SA expired",
		[ESP_DROP_SEQ_EXHAUSTED] = "sequence numbers exhausted",
		[ESP_DROP_NO_ROOM] = "no buffer room",
		[ESP_DROP_CRYPTO] = "crypto failure",
	};
	return (unsigned)r < ESP_RESULT_MAX ? names[r] : "?";
}

static uint64_t now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec + 1;	/* never 0: 0 means "never used" */
}

struct esp_sa *esp_sa_new(const struct kernel_sa *k, int *err, const char **reason)
{
	struct esp_sa *sa;

	*reason = NULL;
	if (k->protocol != PROTO_ESP || (k->dir != KERNEL_DIR_IN && k->dir != KERNEL_DIR_OUT) ||
	    k->spi < 256) {
		*err = -EINVAL;
		*reason = "not an ESP SA, bad direction or reserved SPI";
		return NULL;
	}
	sa = calloc(1, sizeof(*sa));
	if (!sa) {
		*err = -ENOMEM;
		*reason = "out of memory";
		return NULL;
	}
	if (!replay_init(&sa->replay, k->replay_window, k->esn)) {
		free(sa);
		*err = -EINVAL;
		*reason = "replay window must be a power of two in 32..4096";
		return NULL;
	}
	*err = esp_crypto_init(&sa->crypto, k->encr_alg, k->encr_key, k->encr_key_len,
			       k->integ_alg, k->integ_key, k->integ_key_len,
			       k->dir == KERNEL_DIR_OUT, reason);
	if (*err) {
		free(sa);
		return NULL;
	}
	sa->spi = k->spi;
	sa->dir = k->dir;
	sa->mode = k->mode;
	sa->esn = k->esn;
	sa->tfc_pad = k->tfc_pad;
	sa->reqid = k->reqid;
	sa->child_id = k->child_id;
	sa->src = k->src;
	sa->dst = k->dst;
	sa->encap = k->encap;
	sa->soft = k->soft;
	sa->hard = k->hard;
	return sa;
}

struct esp_sa *esp_sa_new_larval(uint32_t spi, uint32_t reqid)
{
	struct esp_sa *sa = calloc(1, sizeof(*sa));

	if (sa) {
		sa->spi = spi;
		sa->reqid = reqid;
		sa->dir = KERNEL_DIR_IN;
		sa->larval = true;
	}
	return sa;
}

void esp_sa_free(struct esp_sa *sa)
{
	if (!sa)
		return;
	if (!sa->larval)
		esp_crypto_clear(&sa->crypto);
	mem_wipe_free(sa, sizeof(*sa));
}

size_t esp_headroom(const struct esp_sa *sa)
{
	return ESP_HDR_LEN + sa->crypto.iv_len;
}

static size_t tfc_len(const struct esp_sa *sa, size_t len)
{
	return sa->mode == KERNEL_MODE_TUNNEL && sa->tfc_pad > len ? sa->tfc_pad - len : 0;
}

static size_t pad_len(const struct esp_sa *sa, size_t len)
{
	size_t a = sa->crypto.align ? sa->crypto.align : 4;

	return (a - (len + 2) % a) % a;
}

size_t esp_tailroom(const struct esp_sa *sa, size_t len)
{
	size_t tfc = tfc_len(sa, len);

	return tfc + pad_len(sa, len + tfc) + 2 + sa->crypto.icv_len;
}

static void fire(struct esp_sa *sa, bool hard)
{
	if (sa->on_expire)
		sa->on_expire(sa->expire_ctx, sa, hard);
}

static bool over(const struct kernel_lifetime *l, const struct esp_sa_stats *s)
{
	return (l->bytes && s->bytes >= l->bytes) || (l->packets && s->packets >= l->packets);
}

/* Count a packet that passed and raise lifetime events on the way. */
static void account(struct esp_sa *sa, size_t len)
{
	sa->stats.packets++;
	sa->stats.bytes += len;
	sa->stats.last_use = now_sec();
	if (!sa->soft_fired && over(&sa->soft, &sa->stats)) {
		sa->soft_fired = true;
		fire(sa, false);
	}
	if (!sa->hard_fired && over(&sa->hard, &sa->stats)) {
		sa->hard_fired = true;
		fire(sa, true);
	}
}

static enum esp_result drop(struct esp_sa *sa, enum esp_result r)
{
	sa->stats.drops[r]++;
	return r;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

enum esp_result esp_encap(struct esp_sa *sa, struct esp_buf *b, uint8_t proto)
{
	size_t head, tfc, pad, ct_len;
	uint8_t nh = proto, *pkt, *t;
	uint64_t seq;

	if (sa->larval || sa->dir != KERNEL_DIR_OUT)
		return drop(sa, ESP_DROP_UNKNOWN_SPI);
	if (sa->hard_fired)
		return drop(sa, ESP_DROP_EXPIRED);
	if (b->off > b->cap || b->len > b->cap - b->off)
		return drop(sa, ESP_DROP_NO_ROOM);
	if (sa->mode == KERNEL_MODE_TUNNEL) {
		uint8_t v = b->len ? b->base[b->off] >> 4 : 0;

		if (v == 4)
			nh = NH_IPV4;
		else if (v == 6)
			nh = NH_IPV6;
		else
			return drop(sa, ESP_DROP_BAD_INNER);
	}
	seq = sa->seq_out + 1;
	if ((!sa->esn && seq > UINT32_MAX) || seq == 0) {
		if (!sa->hard_fired) {
			sa->hard_fired = true;
			fire(sa, true);	/* RFC 4303 3.3.3: must rekey, never cycle */
		}
		return drop(sa, ESP_DROP_SEQ_EXHAUSTED);
	}
	head = esp_headroom(sa);
	tfc = tfc_len(sa, b->len);
	pad = pad_len(sa, b->len + tfc);
	ct_len = b->len + tfc + pad + 2;
	if (b->off < head || b->cap - b->off - b->len < tfc + pad + 2 + sa->crypto.icv_len)
		return drop(sa, ESP_DROP_NO_ROOM);

	pkt = b->base + b->off - head;
	put_be32(pkt, sa->spi);
	put_be32(pkt + 4, (uint32_t)seq);
	t = b->base + b->off + b->len;
	memset(t, 0, tfc);
	t += tfc;
	for (size_t i = 0; i < pad; i++)
		t[i] = (uint8_t)(i + 1);	/* RFC 4303 2.4 default pad content */
	t[pad] = (uint8_t)pad;
	t[pad + 1] = nh;
	if (esp_crypto_seal(&sa->crypto, pkt, ct_len, seq, sa->esn))
		return drop(sa, ESP_DROP_CRYPTO);
	sa->seq_out = seq;
	account(sa, b->len);
	b->off -= head;
	b->len = head + ct_len + sa->crypto.icv_len;
	return ESP_OK;
}

/* Tunnel mode: the inner header must be what next header says, and its
 * length tells where TFC padding starts. */
static enum esp_result inner_len(uint8_t nh, const uint8_t *p, size_t len, size_t *out)
{
	struct rd r = rd_init(p, len);
	uint8_t vihl;
	uint16_t l;

	if (!rd_u8(&r, &vihl))
		return ESP_DROP_BAD_INNER;
	if (nh == NH_IPV4) {
		if (vihl >> 4 != 4 || (vihl & 15) < 5 || !rd_skip(&r, 1) || !rd_u16(&r, &l) ||
		    l < (vihl & 15) * 4u || l > len)
			return ESP_DROP_BAD_INNER;
		*out = l;
		return ESP_OK;
	}
	if (nh == NH_IPV6) {
		if (vihl >> 4 != 6 || !rd_skip(&r, 3) || !rd_u16(&r, &l) || 40u + l > len)
			return ESP_DROP_BAD_INNER;
		*out = 40u + l;
		return ESP_OK;
	}
	return ESP_DROP_BAD_NEXT_HEADER;
}

enum esp_result esp_decap(struct esp_sa *sa, struct esp_buf *b, uint8_t *next_header)
{
	struct rd r;
	uint32_t spi, seq_lo;
	uint64_t seq;
	size_t fixed, ct_len, plen;
	const uint8_t *pkt;
	uint8_t *out, *ct, padlen, nh;
	enum esp_result res;
	int rc;

	if (b->off > b->cap || b->len > b->cap - b->off)
		return drop(sa, ESP_DROP_TRUNCATED);
	pkt = esp_buf_data(b);
	out = b->base + b->off;
	r = rd_init(pkt, b->len);
	if (!rd_u32(&r, &spi) || !rd_u32(&r, &seq_lo))
		return drop(sa, ESP_DROP_TRUNCATED);
	if (sa->larval || sa->dir != KERNEL_DIR_IN || spi != sa->spi)
		return drop(sa, ESP_DROP_UNKNOWN_SPI);
	if (sa->hard_fired)
		return drop(sa, ESP_DROP_EXPIRED);
	fixed = (size_t)sa->crypto.iv_len + sa->crypto.icv_len;
	if (r.left < fixed + 2)
		return drop(sa, ESP_DROP_TRUNCATED);
	ct_len = r.left - fixed;
	if (!sa->crypto.aead && ct_len % sa->crypto.align)
		return drop(sa, ESP_DROP_TRUNCATED);

	switch (replay_check(&sa->replay, seq_lo, &seq)) {
	case REPLAY_OK: break;
	case REPLAY_DUPLICATE: return drop(sa, ESP_DROP_REPLAY);
	default: return drop(sa, ESP_DROP_TOO_OLD);
	}
	rc = esp_crypto_open(&sa->crypto, pkt, out, ct_len, seq, sa->esn);
	if (rc)
		return drop(sa, rc > 0 ? ESP_DROP_ICV : ESP_DROP_CRYPTO);
	/* authentic: the number is used up even if the content is bad */
	if (replay_update(&sa->replay, seq) != REPLAY_OK)
		return drop(sa, ESP_DROP_REPLAY);

	b->src = NULL;	/* the plaintext is at out now */
	ct = out + ESP_HDR_LEN + sa->crypto.iv_len;
	padlen = ct[ct_len - 2];
	nh = ct[ct_len - 1];
	if ((size_t)padlen + 2 > ct_len)
		return drop(sa, ESP_DROP_BAD_PAD);
	plen = ct_len - 2 - padlen;
	for (size_t i = 0; i < padlen; i++)
		if (ct[plen + i] != (uint8_t)(i + 1))
			return drop(sa, ESP_DROP_BAD_PAD);
	if (nh == NH_NONE) {
		sa->stats.last_use = now_sec();
		return drop(sa, ESP_DROP_DUMMY);
	}
	if (sa->mode == KERNEL_MODE_TUNNEL) {
		res = inner_len(nh, ct, plen, &plen);
		if (res != ESP_OK)
			return drop(sa, res);
	}
	account(sa, plen);
	b->off += ESP_HDR_LEN + sa->crypto.iv_len;
	b->len = plen;
	*next_header = nh;
	return ESP_OK;
}
