#include "kernel/userspace/spd.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rd.h"

#define MAX_EXT_HEADERS 8

struct exact_key {
	uint8_t family;
	uint8_t a[16];
};

static size_t alen(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

/* The remote side of a selector for a direction. */
static const uint8_t *sel_remote_from(const struct kernel_policy *p)
{
	return p->dir == KERNEL_DIR_OUT ? p->sel.dst_from : p->sel.src_from;
}

static const uint8_t *sel_remote_to(const struct kernel_policy *p)
{
	return p->dir == KERNEL_DIR_OUT ? p->sel.dst_to : p->sel.src_to;
}

static uint32_t hash_exact(const void *key, uint32_t seed)
{
	const struct exact_key *k = key;

	return jhash(k->a, alen(k->family), seed ^ k->family);
}

static bool match_exact(const struct htable_node *n, const void *key)
{
	const struct spd_policy *sp = htable_entry(n, struct spd_policy, node);
	const struct exact_key *k = key;

	return sp->pol.sel.family == k->family &&
	       memcmp(sel_remote_from(&sp->pol), k->a, alen(k->family)) == 0;
}

bool spd_init(struct spd *s)
{
	memset(s, 0, sizeof(*s));
	for (int d = 0; d < 3; d++) {
		if (!htable_init(&s->dir[d].exact, hash_exact, match_exact,
				 htable_random_seed(), 64)) {
			spd_free(s);
			return false;
		}
	}
	return true;
}

void spd_free(struct spd *s)
{
	for (int d = 0; d < 3; d++) {
		struct htable_iter it;
		struct htable_node *n;
		struct spd_policy *p, *next;

		if (s->dir[d].exact.buckets) {
			htable_iter_init(&it, &s->dir[d].exact);
			while ((n = htable_iter_next(&it))) {
				htable_remove(&s->dir[d].exact, n);
				free(htable_entry(n, struct spd_policy, node));
			}
		}
		htable_free(&s->dir[d].exact);
		for (p = s->dir[d].ranges; p; p = next) {
			next = p->next;
			free(p);
		}
		s->dir[d].ranges = NULL;
	}
}

static bool in_range(const uint8_t *v, const uint8_t *from, const uint8_t *to, size_t n)
{
	return memcmp(v, from, n) >= 0 && memcmp(v, to, n) <= 0;
}

static bool sel_matches(const struct kernel_selector *s, const struct spd_key *k)
{
	size_t n = alen(k->family);

	if (s->family != k->family || !in_range(k->src, s->src_from, s->src_to, n) ||
	    !in_range(k->dst, s->dst_from, s->dst_to, n))
		return false;
	if (s->proto && s->proto != k->proto)
		return false;
	if (!k->ports_known)	/* OPAQUE: only "any port" selectors match */
		return s->sport_from == 0 && s->sport_to == 0xffff &&
		       s->dport_from == 0 && s->dport_to == 0xffff;
	return k->sport >= s->sport_from && k->sport <= s->sport_to &&
	       k->dport >= s->dport_from && k->dport <= s->dport_to;
}

static bool same_selector(const struct kernel_selector *a, const struct kernel_selector *b)
{
	size_t n = alen(a->family);

	return a->family == b->family && a->proto == b->proto &&
	       !memcmp(a->src_from, b->src_from, n) && !memcmp(a->src_to, b->src_to, n) &&
	       !memcmp(a->dst_from, b->dst_from, n) && !memcmp(a->dst_to, b->dst_to, n) &&
	       a->sport_from == b->sport_from && a->sport_to == b->sport_to &&
	       a->dport_from == b->dport_from && a->dport_to == b->dport_to;
}

static bool better(const struct spd_policy *a, const struct spd_policy *b)
{
	return !b || a->pol.priority < b->pol.priority ||
	       (a->pol.priority == b->pol.priority && a->order < b->order);
}

static struct spd_policy *find_same(struct spd *s, const struct kernel_policy *p,
				    bool check_reqid, struct spd_policy ***link)
{
	struct spd_dir *d = &s->dir[p->dir];
	struct spd_policy **pp;

	if (!memcmp(sel_remote_from(p), sel_remote_to(p), alen(p->sel.family))) {
		struct exact_key k = { .family = p->sel.family };
		struct htable_node *n;

		memcpy(k.a, sel_remote_from(p), alen(k.family));
		for (n = htable_find(&d->exact, &k); n; n = htable_find_next(&d->exact, n, &k)) {
			struct spd_policy *sp = htable_entry(n, struct spd_policy, node);

			if (same_selector(&sp->pol.sel, &p->sel) &&
			    (!check_reqid || sp->pol.reqid == p->reqid)) {
				*link = NULL;
				return sp;
			}
		}
		return NULL;
	}
	for (pp = &d->ranges; *pp; pp = &(*pp)->next) {
		if (same_selector(&(*pp)->pol.sel, &p->sel) &&
		    (!check_reqid || (*pp)->pol.reqid == p->reqid)) {
			*link = pp;
			return *pp;
		}
	}
	return NULL;
}

int spd_add(struct spd *s, const struct kernel_policy *p)
{
	struct spd_policy *sp, **pp, **link;
	struct spd_dir *d;
	size_t n;

	if ((unsigned)p->dir > KERNEL_DIR_FWD ||
	    (p->sel.family != AF_INET && p->sel.family != AF_INET6))
		return -EINVAL;
	n = alen(p->sel.family);
	if (memcmp(p->sel.src_from, p->sel.src_to, n) > 0 ||
	    memcmp(p->sel.dst_from, p->sel.dst_to, n) > 0 ||
	    p->sel.sport_from > p->sel.sport_to || p->sel.dport_from > p->sel.dport_to)
		return -EINVAL;
	if (find_same(s, p, false, &link))
		return -EEXIST;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	sp->pol = *p;
	sp->order = s->next_order++;
	d = &s->dir[p->dir];
	if (!memcmp(sel_remote_from(p), sel_remote_to(p), n)) {
		struct exact_key k = { .family = p->sel.family };

		memcpy(k.a, sel_remote_from(p), n);
		sp->exact = true;
		htable_insert(&d->exact, &sp->node, &k);
		return 0;
	}
	for (pp = &d->ranges; *pp && !better(sp, *pp); pp = &(*pp)->next)
		;
	sp->next = *pp;
	*pp = sp;
	return 0;
}

int spd_del(struct spd *s, const struct kernel_policy *p)
{
	struct spd_policy *sp, **link;

	if ((unsigned)p->dir > KERNEL_DIR_FWD)
		return -EINVAL;
	sp = find_same(s, p, true, &link);
	if (!sp)
		return -ENOENT;
	if (sp->exact)
		htable_remove(&s->dir[p->dir].exact, &sp->node);
	else
		*link = sp->next;
	free(sp);
	return 0;
}

const struct kernel_policy *spd_lookup(struct spd *s, enum kernel_dir dir,
				       const struct spd_key *k)
{
	struct spd_dir *d;
	struct spd_policy *best = NULL, *sp;
	struct exact_key ek = { .family = k->family };
	struct htable_node *n;

	if ((unsigned)dir > KERNEL_DIR_FWD)
		return NULL;
	d = &s->dir[dir];
	memcpy(ek.a, dir == KERNEL_DIR_OUT ? k->dst : k->src, alen(k->family));
	for (n = htable_find(&d->exact, &ek); n; n = htable_find_next(&d->exact, n, &ek)) {
		sp = htable_entry(n, struct spd_policy, node);
		if (better(sp, best) && sel_matches(&sp->pol.sel, k))
			best = sp;
	}
	/* sorted: the first match is the best of the list */
	for (sp = d->ranges; sp && better(sp, best); sp = sp->next) {
		if (sel_matches(&sp->pol.sel, k)) {
			best = sp;
			break;
		}
	}
	if (!best)
		return NULL;
	best->hits++;
	return &best->pol;
}

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_UDPLITE;
}

static void l4_ports(struct rd *r, struct spd_key *k, bool first_fragment)
{
	uint16_t a, b;
	uint8_t t, c;

	k->ports_known = false;
	k->sport = k->dport = 0;
	if (!first_fragment)
		return;
	if (has_ports(k->proto)) {
		if (rd_u16(r, &a) && rd_u16(r, &b)) {
			k->sport = a;
			k->dport = b;
			k->ports_known = true;
		}
	} else if (k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6) {
		if (rd_u8(r, &t) && rd_u8(r, &c)) {
			k->sport = t;
			k->dport = c;
			k->ports_known = true;
		}
	}
}

static bool key_v4(struct rd *r, uint8_t vihl, struct spd_key *k, const char **reason)
{
	uint8_t tos, ttl;
	uint16_t tot, frag, id;
	struct rd rest;
	size_t hl = (size_t)(vihl & 15) * 4;

	if (hl < 20 || !rd_u8(r, &tos) || !rd_u16(r, &tot) || !rd_u16(r, &id) ||
	    !rd_u16(r, &frag) || !rd_u8(r, &ttl) || !rd_u8(r, &k->proto) || !rd_skip(r, 2) ||
	    !rd_copy(r, k->src, 4) || !rd_copy(r, k->dst, 4) || !rd_skip(r, hl - 20) ||
	    tot < hl || tot - hl > r->left) {
		*reason = "truncated IPv4 header";
		return false;
	}
	k->family = AF_INET;
	rest = rd_init(r->p, tot - hl);
	l4_ports(&rest, k, (frag & 0x1fff) == 0);
	return true;
}

static bool key_v6(struct rd *r, struct spd_key *k, const char **reason)
{
	uint16_t plen;
	uint8_t nh, hop;
	struct rd pl;
	bool first = true;

	if (!rd_skip(r, 3) || !rd_u16(r, &plen) || !rd_u8(r, &nh) || !rd_u8(r, &hop) ||
	    !rd_copy(r, k->src, 16) || !rd_copy(r, k->dst, 16) || !rd_sub(r, plen, &pl)) {
		*reason = "truncated IPv6 header";
		return false;
	}
	k->family = AF_INET6;
	for (int i = 0; i < MAX_EXT_HEADERS; i++) {
		uint8_t next, hlen;
		uint16_t off;

		if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
			if (!rd_u8(&pl, &next) || !rd_u8(&pl, &hlen) ||
			    !rd_skip(&pl, (size_t)hlen * 8 + 6))
				goto bad;
		} else if (nh == IPPROTO_FRAGMENT) {
			if (!rd_u8(&pl, &next) || !rd_skip(&pl, 1) || !rd_u16(&pl, &off) ||
			    !rd_skip(&pl, 4))
				goto bad;
			if (off & 0xfff8)
				first = false;
		} else if (nh == IPPROTO_AH) {
			if (!rd_u8(&pl, &next) || !rd_u8(&pl, &hlen) ||
			    !rd_skip(&pl, ((size_t)hlen + 2) * 4 - 2))
				goto bad;
		} else {
			k->proto = nh;
			l4_ports(&pl, k, first);
			return true;
		}
		nh = next;
	}
	*reason = "too many IPv6 extension headers";
	return false;
bad:
	*reason = "truncated IPv6 extension header";
	return false;
}

bool spd_key_from_packet(const uint8_t *pkt, size_t len, struct spd_key *k,
			 const char **reason)
{
	struct rd r = rd_init(pkt, len);
	uint8_t vihl;

	memset(k, 0, sizeof(*k));
	*reason = NULL;
	if (!rd_u8(&r, &vihl)) {
		*reason = "empty packet";
		return false;
	}
	if (vihl >> 4 == 4)
		return key_v4(&r, vihl, k, reason);
	if (vihl >> 4 == 6)
		return key_v6(&r, k, reason);
	*reason = "not IPv4 or IPv6";
	return false;
}
