#include "kernel/userspace/gro.h"

#include <endian.h>
#include <string.h>

#include "kernel/userspace/csum.h"
#include "lib/rd.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

void gro_reset(struct gro *g)
{
	g->npkts = 0;
	g->nitems = 0;
}

bool gro_full(const struct gro *g)
{
	return g->npkts >= GRO_MAX_PKTS;
}

/* A TCP segment: its parsed fields. */
struct gro_seg {
	uint8_t version;
	size_t iphl, hl, plen;
	uint16_t ip_id;
	uint32_t seq;
	uint8_t flags;
};

enum gro_kind {
	GRO_OTHER,	/* not TCP, or not parseable: on its own */
	GRO_TCP_ALONE,	/* a TCP packet (flow known) that may not coalesce */
	GRO_TCP,	/* may coalesce */
};

/* Bounded parse. */
static enum gro_kind gro_parse(const uint8_t *p, size_t len, struct gro_seg *s)
{
	struct rd r = rd_init(p, len);
	uint8_t vihl, proto, doff;
	uint16_t tot, frag, urg;
	bool alone = false;
	uint64_t sum;

	s->ip_id = 0;	/* IPv6 has none */
	if (!rd_u8(&r, &vihl))
		return GRO_OTHER;
	s->version = vihl >> 4;
	if (s->version == 4) {
		s->iphl = (size_t)(vihl & 15) * 4;
		if (s->iphl < 20 || !rd_skip(&r, 1) || !rd_u16(&r, &tot) || tot != len ||
		    !rd_u16(&r, &s->ip_id) || !rd_u16(&r, &frag) || (frag & 0x3fff) ||
		    !rd_skip(&r, 1) || !rd_u8(&r, &proto) || proto != 6)
			return GRO_OTHER;
		/* IP options, or a header checksum that does not verify */
		alone = s->iphl != 20 || csum_fold(csum_add(0, p, 20)) != 0xffff;
	} else if (s->version == 6) {
		s->iphl = 40;
		if (!rd_skip(&r, 3) || !rd_u16(&r, &tot) || 40u + tot != len ||
		    !rd_u8(&r, &proto) || proto != 6)
			return GRO_OTHER;	/* extension headers: flow unknown here */
	} else {
		return GRO_OTHER;
	}
	r = rd_init(p, len);
	if (!rd_skip(&r, s->iphl) || !rd_skip(&r, 4) || !rd_u32(&r, &s->seq) ||
	    !rd_skip(&r, 4) || !rd_u8(&r, &doff) || !rd_u8(&r, &s->flags) ||
	    !rd_skip(&r, 4) || !rd_u16(&r, &urg))
		return GRO_OTHER;
	s->hl = s->iphl + (size_t)(doff >> 4) * 4;
	if ((doff >> 4) < 5 || s->hl > len)
		return GRO_OTHER;
	s->plen = len - s->hl;
	if (alone || !s->plen || urg || s->plen > 0xffff ||
	    (s->flags != TCP_ACK && s->flags != (TCP_ACK | TCP_PSH)))
		return GRO_TCP_ALONE;
	/* coalescing hides a bad checksum (the kernel computes the chain's):
	 * only segments that are correct on their own may join */
	sum = csum_pseudo(p, s->version, 6, len - s->iphl);
	if (csum_fold(csum_add(sum, p + s->iphl, len - s->iphl)) != 0xffff)
		return GRO_TCP_ALONE;
	return GRO_TCP;
}

/* Same flow and headers that allow s (at p) to follow the chain's head h. */
static bool gro_can_join(const struct gro_item *it, const uint8_t *h, const uint8_t *p,
			 const struct gro_seg *s)
{
	if (!it->open || !it->tcp || s->version != it->version || s->hl != it->hl ||
	    s->seq != it->next_seq || s->plen > it->gso_size ||
	    it->last_plen != it->gso_size || it->total + s->plen > 0xffff ||
	    it->nseg >= GRO_MAX_SEGS)
		return false;
	if (it->version == 4) {
		/* tos, ttl, DF and protocol; addresses */
		if (h[1] != p[1] || h[6] != p[6] || h[8] != p[8] || h[9] != p[9] ||
		    memcmp(h + 12, p + 12, 8) || s->ip_id != it->next_id)
			return false;
	} else if (memcmp(h, p, 4) || h[7] != p[7] || memcmp(h + 8, p + 8, 32)) {
		return false;	/* class, flow label, hop limit, addresses */
	}
	h += it->iphl;
	p += it->iphl;
	/* ports; ACK number; data offset, window; options */
	return !memcmp(h, p, 4) && !memcmp(h + 8, p + 8, 4) && h[12] == p[12] &&
	       !memcmp(h + 14, p + 14, 2) && !memcmp(h + 20, p + 20, it->hl - it->iphl - 20);
}

/* Same flow (addresses and ports) regardless of whether it could join. */
static bool gro_same_flow(const struct gro_item *it, const uint8_t *h, const uint8_t *p,
			  const struct gro_seg *s)
{
	if (!it->tcp || s->version != it->version)
		return false;
	if (it->version == 4 ? memcmp(h + 12, p + 12, 8) : memcmp(h + 8, p + 8, 32))
		return false;
	return !memcmp(h + it->iphl, p + s->iphl, 4);
}

bool gro_add(struct gro *g, uint8_t *pkt, size_t len)
{
	struct gro_seg s;
	struct gro_item *it;
	enum gro_kind kind;
	int idx;
	bool tcp;

	if (gro_full(g))
		return false;
	idx = g->npkts++;
	g->pkt[idx] = pkt;
	g->len[idx] = len;
	g->next[idx] = -1;
	kind = gro_parse(pkt, len, &s);
	tcp = kind == GRO_TCP;
	if (kind != GRO_OTHER) {
		for (int i = g->nitems - 1; i >= 0; i--) {
			it = &g->item[i];
			if (!it->open || !gro_same_flow(it, g->pkt[it->head], pkt, &s))
				continue;
			if (tcp && gro_can_join(it, g->pkt[it->head], pkt, &s)) {
				g->next[it->tail] = idx;
				it->tail = idx;
				it->nseg++;
				it->total += s.plen;
				it->last_plen = (uint16_t)s.plen;
				it->next_seq += (uint32_t)s.plen;
				it->next_id++;
				it->psh = s.flags & TCP_PSH;
				it->open = !it->psh && s.plen == it->gso_size;
				g->merged++;
				return true;
			}
			it->open = false;	/* keep the flow's order */
			break;
		}
	}
	it = &g->item[g->nitems++];
	memset(it, 0, sizeof(*it));
	it->head = it->tail = idx;
	it->nseg = 1;
	it->total = len;
	it->tcp = tcp;
	if (tcp) {
		it->version = s.version;
		it->iphl = (uint16_t)s.iphl;
		it->hl = (uint16_t)s.hl;
		it->gso_size = it->last_plen = (uint16_t)s.plen;
		it->next_id = (uint16_t)(s.ip_id + 1);
		it->next_seq = s.seq + (uint32_t)s.plen;
		it->psh = s.flags & TCP_PSH;
		it->open = !it->psh;
	}
	return true;
}

static void gro_finish_item(struct gro *g, struct gro_item *it)
{
	uint8_t *h = g->pkt[it->head], *th = h + it->iphl;

	memset(&it->vh, 0, sizeof(it->vh));
	if (it->nseg < 2)
		return;
	if (it->version == 4) {
		csum_put(h + 2, (uint16_t)it->total);
		csum_put(h + 10, 0);
		csum_put(h + 10, (uint16_t)~csum_fold(csum_add(0, h, 20)));
		it->vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	} else {
		csum_put(h + 4, (uint16_t)(it->total - 40));
		it->vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	}
	if (it->psh)
		th[13] |= TCP_PSH;
	/* partial checksum: the pseudo header, the kernel adds the rest */
	csum_put(th + 16, csum_fold(csum_pseudo(h, it->version, 6, it->total - it->iphl)));
	it->vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	it->vh.hdr_len = htole16(it->hl);
	it->vh.gso_size = htole16(it->gso_size);
	it->vh.csum_start = htole16(it->iphl);
	it->vh.csum_offset = htole16(16);
}

void gro_finish(struct gro *g)
{
	for (int i = 0; i < g->nitems; i++)
		gro_finish_item(g, &g->item[i]);
}

int gro_iov(struct gro *g, int item, struct iovec *iov)
{
	struct gro_item *it = &g->item[item];
	int n = 0;

	iov[n++] = (struct iovec){ .iov_base = &it->vh, .iov_len = sizeof(it->vh) };
	iov[n++] = (struct iovec){ .iov_base = g->pkt[it->head], .iov_len = g->len[it->head] };
	for (int i = g->next[it->head]; i >= 0; i = g->next[i])
		iov[n++] = (struct iovec){ .iov_base = g->pkt[i] + it->hl,
					   .iov_len = g->len[i] - it->hl };
	return n;
}
