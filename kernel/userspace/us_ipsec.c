#include "kernel/userspace/us_ipsec.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/rd.h"

const char *us_verdict_name(enum us_verdict v)
{
	static const char *const n[US_VERDICT_MAX] = {
		[US_ESP] = "esp", [US_CLEAR] = "clear", [US_BYPASS] = "bypass",
		[US_DROP_POLICY] = "policy", [US_DROP_NO_SA] = "no SA",
		[US_DROP_ESP] = "esp drop", [US_DROP_SEGMENT] = "other segment",
		[US_DROP_MALFORMED] = "malformed",
	};
	return (unsigned)v < US_VERDICT_MAX ? n[v] : "?";
}

static void sa_id_of(const struct esp_sa *sa, struct kernel_sa_id *id)
{
	memset(id, 0, sizeof(*id));
	id->spi = sa->spi;
	id->dir = sa->dir;
	id->dst = sa->dst;
}

static void on_expire(void *ctx, struct esp_sa *sa, bool hard)
{
	struct us_ipsec *us = ctx;
	struct kernel_sa_id id;

	log_info("[child#%u] ESP SA %08x %s lifetime %s", sa->child_id, sa->spi,
		 sa->dir == KERNEL_DIR_IN ? "in" : "out", hard ? "hard" : "soft");
	sa_id_of(sa, &id);
	if (us->ev.expire)
		us->ev.expire(us->ev.ctx, &id, sa->child_id, hard);
}

static struct esp_sa *find(struct us_ipsec *us, const struct kernel_sa_id *id)
{
	struct esp_sa *sa;

	if (id->dir == KERNEL_DIR_IN) {
		sa = sad_find_in(&us->sad, id->spi);
		return sa && !sa->larval ? sa : NULL;
	}
	if (id->dir == KERNEL_DIR_OUT)
		return sad_find_out(&us->sad, id->spi, (const struct sockaddr *)&id->dst);
	return NULL;
}

static int op_get_spi(void *be, const struct sockaddr_storage *src,
		      const struct sockaddr_storage *dst, uint32_t reqid, uint32_t *spi)
{
	(void)src;
	(void)dst;
	return sad_alloc_spi(&((struct us_ipsec *)be)->sad, reqid, spi);
}

static int op_add_sa(void *be, const struct kernel_sa *k)
{
	struct us_ipsec *us = be;
	const char *why;
	int err, rc;
	struct esp_sa *sa = esp_sa_new(k, &err, &why);

	if (!sa) {
		log_warn("[child#%u] ESP SA %08x not installed: %s", k->child_id, k->spi, why);
		return err;
	}
	sa->on_expire = on_expire;
	sa->expire_ctx = us;
	rc = sad_add(&us->sad, sa);
	if (rc)
		esp_sa_free(sa);
	return rc;
}

static void copy_addr(struct sockaddr_storage *to, const struct sockaddr *from)
{
	memset(to, 0, sizeof(*to));
	memcpy(to, from, from->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
		sizeof(struct sockaddr_in6));
}

static int op_update_sa(void *be, const struct kernel_sa_id *id, const struct sockaddr *src,
			const struct sockaddr *dst, const struct kernel_encap *encap)
{
	struct us_ipsec *us = be;
	struct esp_sa *sa = find(us, id);
	struct kernel_ip a;
	int rc;

	if (!sa)
		return -ENOENT;
	if (!sad_addr_of(src, &a) || !sad_addr_of(dst, &a))
		return -EINVAL;
	if (sa->dir == KERNEL_DIR_OUT) {
		/* the outbound key includes dst: unlink, change, relink */
		struct sockaddr_storage old = sa->dst;

		htable_remove(&us->sad.out_spi, &sa->node_spi);
		htable_remove(&us->sad.out_reqid, &sa->node_reqid);
		copy_addr(&sa->dst, dst);
		rc = sad_add(&us->sad, sa);
		if (rc) {
			sa->dst = old;
			if (sad_add(&us->sad, sa))
				abort();	/* it was there a moment ago */
			return rc;
		}
	} else {
		copy_addr(&sa->dst, dst);
	}
	copy_addr(&sa->src, src);
	sa->encap = *encap;
	return 0;
}

static int op_del_sa(void *be, const struct kernel_sa_id *id)
{
	struct us_ipsec *us = be;
	struct esp_sa *sa = id->dir == KERNEL_DIR_IN ? sad_find_in(&us->sad, id->spi) :
			    find(us, id);	/* inbound: releases reservations too */

	if (!sa)
		return -ENOENT;
	sad_del(&us->sad, sa);
	return 0;
}

static int op_query_sa(void *be, const struct kernel_sa_id *id, struct kernel_sa_stats *out)
{
	struct esp_sa *sa = find(be, id);

	if (!sa)
		return -ENOENT;
	out->bytes = sa->stats.bytes;
	out->packets = sa->stats.packets;
	out->last_use = sa->stats.last_use;
	return 0;
}

static int op_add_policy(void *be, const struct kernel_policy *p)
{
	return spd_add(&((struct us_ipsec *)be)->spd, p);
}

static int op_del_policy(void *be, const struct kernel_policy *p)
{
	return spd_del(&((struct us_ipsec *)be)->spd, p);
}

static int op_get_seq_out(void *be, const struct kernel_sa_id *id, uint64_t *seq)
{
	struct esp_sa *sa = find(be, id);

	if (!sa || sa->dir != KERNEL_DIR_OUT)
		return -ENOENT;
	*seq = sa->seq_out;
	return 0;
}

static int op_set_seq_out(void *be, const struct kernel_sa_id *id, uint64_t seq)
{
	struct esp_sa *sa = find(be, id);

	if (!sa || sa->dir != KERNEL_DIR_OUT)
		return -ENOENT;
	if (seq < sa->seq_out || (!sa->esn && seq > UINT32_MAX))
		return -EINVAL;	/* reusing numbers would be replayed away */
	sa->seq_out = seq;
	return 0;
}

static int op_get_replay(void *be, const struct kernel_sa_id *id,
			 struct kernel_replay_state *st)
{
	struct esp_sa *sa = find(be, id);

	if (!sa || sa->dir != KERNEL_DIR_IN)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->window = sa->replay.window;
	replay_export(&sa->replay, &st->top, st->bitmap);
	return 0;
}

static int op_set_replay(void *be, const struct kernel_sa_id *id,
			 const struct kernel_replay_state *st)
{
	struct esp_sa *sa = find(be, id);

	if (!sa || sa->dir != KERNEL_DIR_IN)
		return -ENOENT;
	if (st->window != sa->replay.window)
		return -EINVAL;
	replay_import(&sa->replay, st->top, st->bitmap);
	return 0;
}

static int op_set_segment_filter(void *be, kernel_segment_fn fn, void *ctx)
{
	struct us_ipsec *us = be;

	us->segment = fn;
	us->segment_ctx = ctx;
	return 0;
}

static void op_destroy(void *be)
{
	struct us_ipsec *us = be;

	if (!us)
		return;
	sad_free(&us->sad);
	spd_free(&us->spd);
	free(us);
}

static const struct kernel_ipsec_ops us_ops = {
	.name = "userspace",
	.get_spi = op_get_spi,
	.add_sa = op_add_sa,
	.update_sa = op_update_sa,
	.del_sa = op_del_sa,
	.query_sa = op_query_sa,
	.add_policy = op_add_policy,
	.del_policy = op_del_policy,
	.get_seq_out = op_get_seq_out,
	.set_seq_out = op_set_seq_out,
	.get_replay = op_get_replay,
	.set_replay = op_set_replay,
	.set_segment_filter = op_set_segment_filter,
	.destroy = op_destroy,
};

int us_ipsec_create(struct kernel_ipsec *ki, const struct kernel_ipsec_events *ev)
{
	struct us_ipsec *us = calloc(1, sizeof(*us));

	if (!us)
		return -ENOMEM;
	if (!sad_init(&us->sad)) {
		free(us);
		return -ENOMEM;
	}
	if (!spd_init(&us->spd)) {
		sad_free(&us->sad);
		free(us);
		return -ENOMEM;
	}
	if (ev)
		us->ev = *ev;
	ki->ops = &us_ops;
	ki->be = us;
	ki->ev = us->ev;
	return 0;
}

static enum us_verdict verdict(struct us_ipsec *us, enum us_verdict v)
{
	us->verdicts[v]++;
	return v;
}

static enum us_verdict verdict_out(struct us_ipsec *us, enum us_verdict v)
{
	us->verdicts_out[v]++;
	return v;
}

uint64_t us_ipsec_verdicts(const struct us_ipsec *us, enum us_verdict v)
{
	return (unsigned)v < US_VERDICT_MAX ? us->verdicts[v] + us->verdicts_out[v] : 0;
}

uint64_t us_ipsec_drops(const struct us_ipsec *us, enum esp_result r)
{
	return (unsigned)r < ESP_RESULT_MAX ? us->sad.drops[r] + us->drops_out[r] : 0;
}

static void sel_of_key(const struct spd_key *k, struct kernel_selector *s)
{
	memset(s, 0, sizeof(*s));
	s->family = k->family;
	memcpy(s->src_from, k->src, 16);
	memcpy(s->src_to, k->src, 16);
	memcpy(s->dst_from, k->dst, 16);
	memcpy(s->dst_to, k->dst, 16);
	s->proto = k->proto;
	s->sport_from = s->sport_to = k->sport;
	s->dport_from = s->dport_to = k->dport;
}

enum us_verdict us_ipsec_output(struct us_ipsec *us, struct esp_buf *b,
				struct esp_sa **sa_out, enum esp_result *esp_res)
{
	struct spd_key k;
	const struct kernel_policy *p;
	const char *why;
	struct esp_sa *sa;

	*sa_out = NULL;
	*esp_res = ESP_OK;
	if (b->off > b->cap || b->len > b->cap - b->off ||
	    !spd_key_from_packet(b->base + b->off, b->len, &k, &why))
		return verdict_out(us, US_DROP_MALFORMED);
	p = spd_lookup(&us->spd, KERNEL_DIR_OUT, &k);
	if (!p || p->action == KERNEL_POLICY_DROP)
		return verdict_out(us, US_DROP_POLICY);	/* RFC 4301: no match = discard */
	if (p->action == KERNEL_POLICY_BYPASS)
		return verdict_out(us, US_BYPASS);
	sa = sad_find_out_reqid(&us->sad, p->reqid);
	if (!sa) {
		/* the IKE core dedupes acquires per reqid while it negotiates */
		if (us->ev.acquire) {
			struct kernel_selector s;

			sel_of_key(&k, &s);
			us->ev.acquire(us->ev.ctx, p->reqid, &s);
		}
		return verdict_out(us, US_DROP_NO_SA);
	}
	*sa_out = sa;
	return us_ipsec_output_sa(us, b, sa, esp_res);
}

enum us_verdict us_ipsec_output_sa(struct us_ipsec *us, struct esp_buf *b, struct esp_sa *sa,
				   enum esp_result *esp_res)
{
	uint8_t proto = 0;

	*esp_res = ESP_OK;
	if (us->segment && !us->segment(us->segment_ctx, sa->spi,
					 (const struct sockaddr *)&sa->dst, 0, KERNEL_DIR_OUT))
		return verdict_out(us, US_DROP_SEGMENT);
	if (sa->mode == KERNEL_MODE_TRANSPORT) {
		/* ESP protects the payload; the sender writes the outer header */
		struct rd r = rd_init(b->base + b->off, b->len);
		uint8_t vihl;
		size_t hl;

		if (!rd_u8(&r, &vihl))
			return verdict_out(us, US_DROP_MALFORMED);
		hl = vihl >> 4 == 4 ? (size_t)(vihl & 0x0f) * 4 : 40;
		/* IPv4 protocol / IPv6 next header (extension headers: refused) */
		if (!rd_skip(&r, vihl >> 4 == 4 ? 8 : 5) || !rd_u8(&r, &proto) || hl > b->len ||
		    (vihl >> 4 == 6 && (proto == 0 || proto == 43 || proto == 44 ||
					proto == 51 || proto == 60)))
			return verdict_out(us, US_DROP_MALFORMED);
		b->off += hl;
		b->len -= hl;
	}
	*esp_res = esp_encap(sa, b, proto);
	if (*esp_res != ESP_OK) {
		us->drops_out[*esp_res]++;
		return verdict_out(us, US_DROP_ESP);
	}
	return verdict_out(us, US_ESP);
}

enum us_verdict us_ipsec_input(struct us_ipsec *us, struct esp_buf *b,
			       const struct sockaddr *peer, struct esp_sa **sa_out,
			       enum esp_result *esp_res, uint8_t *next_header)
{
	struct rd r;
	uint32_t spi, seq;
	uint8_t nh;
	struct spd_key k;
	const struct kernel_policy *p;
	const char *why;

	*sa_out = NULL;
	*esp_res = ESP_OK;
	if (b->off > b->cap || b->len > b->cap - b->off)
		return verdict(us, US_DROP_MALFORMED);
	r = rd_init(esp_buf_data(b), b->len);
	if (us->segment && rd_u32(&r, &spi) && rd_u32(&r, &seq) &&
	    !us->segment(us->segment_ctx, spi, peer, seq, KERNEL_DIR_IN))
		return verdict(us, US_DROP_SEGMENT);
	r = rd_init(esp_buf_data(b), b->len);
	*esp_res = sad_decap(&us->sad, b, &nh, sa_out);
	if (*esp_res == ESP_DROP_UNKNOWN_SPI && us->ev.unknown_spi && rd_u32(&r, &spi))
		us->ev.unknown_spi(us->ev.ctx, spi, peer);
	if (*esp_res != ESP_OK)
		return verdict(us, US_DROP_ESP);
	if (next_header)
		*next_header = nh;
	if ((*sa_out)->mode == KERNEL_MODE_TRANSPORT)
		return verdict(us, US_CLEAR);	/* the caller rebuilds the IP header */
	/* RFC 4301 5.2: the inner packet must fit the SA's inbound policy */
	if (!spd_key_from_packet(b->base + b->off, b->len, &k, &why))
		return verdict(us, US_DROP_MALFORMED);
	p = spd_lookup(&us->spd, KERNEL_DIR_IN, &k);
	if (!p || p->action != KERNEL_POLICY_PROTECT || p->reqid != (*sa_out)->reqid)
		return verdict(us, US_DROP_POLICY);
	return verdict(us, US_CLEAR);
}
