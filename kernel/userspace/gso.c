#include "kernel/userspace/gso.h"

#include <endian.h>
#include <string.h>

#include "kernel/userspace/csum.h"
#include "lib/rd.h"

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

bool gso_csum_complete(uint8_t *pkt, size_t len, const struct virtio_net_hdr *vh,
		       const char **why)
{
	size_t start = le16toh(vh->csum_start), off = le16toh(vh->csum_offset);
	uint16_t c;

	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return true;
	if (start > len || off > len - start || len - start - off < 2) {
		*why = "checksum offsets outside the packet";
		return false;
	}
	/* the field holds the pseudo-header sum: sum it with the rest */
	c = (uint16_t)~csum_fold(csum_add(0, pkt + start, len - start));
	csum_put(pkt + start + off, c ? c : 0xffff);
	return true;
}

/* What the split needs from the headers, read with bounds checks. */
struct gso_hdrs {
	int version;
	size_t iphl;		/* IP header (with IPv6 extension headers) = csum_start */
	size_t hl;		/* IP + TCP header */
	uint16_t ip_id;
	uint32_t seq;
	uint8_t flags;
};

static bool gso_parse(const uint8_t *pkt, size_t len, const struct virtio_net_hdr *vh,
		      struct gso_hdrs *h, const char **why)
{
	struct rd r = rd_init(pkt, len), t;
	uint8_t vihl, doff;
	uint8_t gt = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	h->ip_id = 0;	/* IPv6 has none */
	if (!rd_u8(&r, &vihl)) {
		*why = "empty packet";
		return false;
	}
	h->version = vihl >> 4;
	if ((gt == VIRTIO_NET_HDR_GSO_TCPV4 && h->version != 4) ||
	    (gt == VIRTIO_NET_HDR_GSO_TCPV6 && h->version != 6) ||
	    (gt != VIRTIO_NET_HDR_GSO_TCPV4 && gt != VIRTIO_NET_HDR_GSO_TCPV6)) {
		*why = "GSO type is not TCP of the packet's IP version";
		return false;
	}
	h->iphl = le16toh(vh->csum_start);
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || le16toh(vh->csum_offset) != 16 ||
	    h->iphl < (h->version == 4 ? 20u : 40u)) {
		*why = "GSO packet without a TCP checksum offset";
		return false;
	}
	if (h->version == 4) {
		uint8_t proto;

		r = rd_init(pkt, len);
		if ((size_t)(vihl & 15) * 4 != h->iphl || !rd_skip(&r, 4) ||
		    !rd_u16(&r, &h->ip_id) || !rd_skip(&r, 3) || !rd_u8(&r, &proto) ||
		    proto != 6) {
			*why = "IPv4 header does not end at csum_start or is not TCP";
			return false;
		}
	}
	r = rd_init(pkt, len);
	if (!rd_skip(&r, h->iphl) || !rd_sub(&r, r.left, &t) || !rd_skip(&t, 4) ||
	    !rd_u32(&t, &h->seq) || !rd_skip(&t, 4) || !rd_u8(&t, &doff) ||
	    !rd_u8(&t, &h->flags) || (doff >> 4) < 5) {
		*why = "truncated TCP header";
		return false;
	}
	h->hl = h->iphl + (size_t)(doff >> 4) * 4;
	if (h->hl > len) {
		*why = "TCP header longer than the packet";
		return false;
	}
	return true;
}

int gso_split(const uint8_t *pkt, size_t len, const struct virtio_net_hdr *vh, size_t first,
	      uint8_t *const *out, size_t cap, size_t *out_len, int max, size_t *total,
	      const char **why)
{
	struct gso_hdrs h;
	size_t mss = le16toh(vh->gso_size), payload, nseg, end;

	*why = NULL;
	if (!gso_parse(pkt, len, vh, &h, why))
		return -1;
	payload = len - h.hl;
	if (!mss || !payload) {
		*why = "GSO packet without segment size or payload";
		return -1;
	}
	nseg = (payload + mss - 1) / mss;
	*total = nseg;
	if (h.hl + (nseg > 1 ? mss : payload) > cap || max < 0) {
		*why = "a segment larger than the buffer";
		return -1;
	}
	end = first + (size_t)max < nseg ? first + (size_t)max : nseg;
	for (size_t i = first, off = h.hl + first * mss; i < end; i++, off += mss) {
		size_t plen = payload - i * mss < mss ? payload - i * mss : mss;
		size_t seglen = h.hl + plen;
		uint8_t *s = out[i - first], *th = s + h.iphl, fl = h.flags;
		uint32_t seq = h.seq + (uint32_t)(i * mss);
		uint64_t sum;

		memcpy(s, pkt, h.hl);
		memcpy(s + h.hl, pkt + off, plen);
		if (h.version == 4) {
			csum_put(s + 2, (uint16_t)seglen);
			csum_put(s + 4, (uint16_t)(h.ip_id + i));
			csum_put(s + 10, 0);
			csum_put(s + 10, (uint16_t)~csum_fold(csum_add(0, s, h.iphl)));
		} else {
			csum_put(s + 4, (uint16_t)(seglen - 40));
		}
		th[4] = (uint8_t)(seq >> 24);
		th[5] = (uint8_t)(seq >> 16);
		th[6] = (uint8_t)(seq >> 8);
		th[7] = (uint8_t)seq;
		if (i + 1 < nseg)
			fl &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (i > 0)
			fl &= (uint8_t)~TCP_CWR;
		th[13] = fl;
		csum_put(th + 16, 0);
		sum = csum_pseudo(s, h.version, 6, seglen - h.iphl);
		sum = csum_add(sum, th, seglen - h.iphl);
		csum_put(th + 16, (uint16_t)~csum_fold(sum));
		out_len[i - first] = seglen;
	}
	return first < end ? (int)(end - first) : 0;
}
