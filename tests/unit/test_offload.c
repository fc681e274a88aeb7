/* TUN offloads: GSO splitting (gso.h) and GRO coalescing (gro.h). Header
 * fields and checksums are verified with this file's own plain RFC 1071
 * sum, not with the code under test. */
#include "check_main.h"
#include "kernel/userspace/csum.h"
#include "kernel/userspace/gro.h"
#include "kernel/userspace/gso.h"

#include <endian.h>

#define ACK 0x10
#define PSH 0x08
#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define URG 0x20

/* RFC 1071, 16 bits at a time, folded at the end. */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		s += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static size_t iphl_of(const uint8_t *p)
{
	return p[0] >> 4 == 4 ? (size_t)(p[0] & 15) * 4 : 40;
}

/* Sum of the L4 pseudo header + segment (len = whole IP packet). */
static uint16_t l4_sum(const uint8_t *p, size_t len, uint8_t proto)
{
	size_t hl = iphl_of(p);
	uint32_t s = p[0] >> 4 == 4 ? sum16(0, p + 12, 8) : sum16(0, p + 8, 32);

	s += proto + (uint32_t)(len - hl);
	return fold(sum16(s, p + hl, len - hl));
}

static bool ip_ok(const uint8_t *p)
{
	return p[0] >> 4 == 6 || fold(sum16(0, p, iphl_of(p))) == 0xffff;
}

static bool tcp_ok(const uint8_t *p, size_t len)
{
	return l4_sum(p, len, 6) == 0xffff;
}

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }
static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t get32(const uint8_t *p) { return get16(p) << 16 | get16(p + 2); }

struct tcp_spec {
	int version;
	size_t optlen;		/* TCP options (multiple of 4) */
	size_t plen;
	uint32_t seq;
	uint8_t flags;
	uint16_t id;
	uint8_t ttl, tos;
	uint16_t sport, dport, win;
	uint32_t ack;
	uint8_t pattern;	/* payload byte i = pattern + seq + i */
};

static struct tcp_spec spec(int version, size_t plen, uint32_t seq)
{
	struct tcp_spec s = { .version = version, .optlen = 12, .plen = plen, .seq = seq,
			      .flags = ACK, .id = 100, .ttl = 64, .sport = 40000, .dport = 5201,
			      .win = 500, .ack = 7777 };
	return s;
}

/* A packet with valid checksums; returns its length. */
static size_t build(uint8_t *p, const struct tcp_spec *s)
{
	size_t hl = s->version == 4 ? 20 : 40, thl = 20 + s->optlen, len = hl + thl + s->plen;
	uint8_t *th = p + hl;

	memset(p, 0, hl + thl);
	if (s->version == 4) {
		p[0] = 0x45;
		p[1] = s->tos;
		put16(p + 2, (uint32_t)len);
		put16(p + 4, s->id);
		p[6] = 0x40;	/* DF */
		p[8] = s->ttl;
		p[9] = 6;
		put32(p + 12, 0x0a010001);
		put32(p + 16, 0x0a020001);
		put16(p + 10, (uint16_t)~fold(sum16(0, p, 20)));
	} else {
		p[0] = 0x60 | (s->tos >> 4);
		p[1] = (uint8_t)(s->tos << 4) | 0x0a;	/* flow label bits */
		put16(p + 4, (uint32_t)(len - 40));
		p[6] = 6;
		p[7] = s->ttl;
		p[8] = 0x20; p[9] = 0x01; p[23] = 1;
		p[24] = 0x20; p[25] = 0x01; p[39] = 2;
	}
	put16(th, s->sport);
	put16(th + 2, s->dport);
	put32(th + 4, s->seq);
	put32(th + 8, s->ack);
	th[12] = (uint8_t)((thl / 4) << 4);
	th[13] = s->flags;
	put16(th + 14, s->win);
	for (size_t i = 0; i < s->optlen; i++)	/* NOP NOP TS */
		th[20 + i] = i < 2 ? 1 : i == 2 ? 8 : i == 3 ? 10 : (uint8_t)(0x30 + i);
	for (size_t i = 0; i < s->plen; i++)
		p[hl + thl + i] = (uint8_t)(s->pattern + s->seq + i);
	put16(th + 16, (uint16_t)~l4_sum(p, len, 6));
	return len;
}

/* A GSO super packet as the TUN hands it over: partial TCP checksum. */
static size_t build_gso(uint8_t *p, const struct tcp_spec *s, uint16_t mss,
			struct virtio_net_hdr *vh)
{
	size_t len = build(p, s), hl = iphl_of(p);
	uint32_t ps = s->version == 4 ? sum16(0, p + 12, 8) : sum16(0, p + 8, 32);

	put16(p + hl + 16, fold(ps + 6 + (uint32_t)(len - hl)));
	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = s->version == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	vh->gso_size = htole16(mss);
	vh->hdr_len = htole16((uint16_t)(hl + 20 + s->optlen));
	vh->csum_start = htole16((uint16_t)hl);
	vh->csum_offset = htole16(16);
	return len;
}

#define SEGS 128
static uint8_t big[80000];
static uint8_t segbuf[SEGS][2048];
static uint8_t *segp[SEGS];
static size_t seglen[SEGS];

static int split(const uint8_t *p, size_t len, const struct virtio_net_hdr *vh, size_t chunk)
{
	size_t total = 0, first = 0;
	const char *why;
	int n;

	for (int i = 0; i < SEGS; i++)
		segp[i] = segbuf[i];
	do {
		n = gso_split(p, len, vh, first, segp + first, sizeof(segbuf[0]), seglen + first,
			      (int)chunk, &total, &why);
		if (n < 0)
			return -1;
		first += (size_t)n;
	} while (first < total && n > 0);
	return (int)first;
}

static void check_split(int version, size_t plen, uint16_t mss, uint8_t flags, uint16_t id,
			size_t chunk)
{
	struct tcp_spec s = spec(version, plen, 0xfffff000u);
	struct virtio_net_hdr vh;
	size_t len, hl = version == 4 ? 20 : 40, thl = 32, nseg = (plen + mss - 1) / mss;
	int n;

	s.flags = flags;
	s.id = id;
	len = build_gso(big, &s, mss, &vh);
	n = split(big, len, &vh, chunk);
	ck_assert_int_eq(n, (int)nseg);
	for (size_t i = 0; i < nseg; i++) {
		const uint8_t *g = segbuf[i], *th = g + hl;
		size_t pl = i + 1 < nseg ? mss : plen - i * mss;
		uint8_t want = flags;

		ck_assert_uint_eq(seglen[i], hl + thl + pl);
		if (version == 4) {
			ck_assert_uint_eq(get16(g + 2), seglen[i]);
			ck_assert_uint_eq(get16(g + 4), (uint16_t)(id + i));
			ck_assert(ip_ok(g));
			ck_assert(!memcmp(g + 12, big + 12, 8) && g[8] == big[8] && g[6] == big[6]);
		} else {
			ck_assert_uint_eq(get16(g + 4), seglen[i] - 40);
			ck_assert(!memcmp(g + 8, big + 8, 32) && !memcmp(g, big, 4));
		}
		ck_assert_uint_eq(get32(th + 4), s.seq + (uint32_t)(i * mss));
		if (i + 1 < nseg)
			want &= (uint8_t)~(PSH | FIN);
		ck_assert_uint_eq(th[13], want);
		ck_assert(!memcmp(th + 20, big + hl + 20, 12));	/* options */
		ck_assert(!memcmp(th, big + hl, 4) && get32(th + 8) == s.ack);
		ck_assert(!memcmp(g + hl + thl, big + hl + thl + i * mss, pl));
		ck_assert(tcp_ok(g, seglen[i]));
	}
}

START_TEST(gso_split_fields)
{
	check_split(4, 10000, 1360, ACK | PSH | FIN, 0xfffe, SEGS);
	check_split(6, 10000, 1340, ACK | PSH, 7, SEGS);
	check_split(4, 65000, 1360, ACK, 1, SEGS);
	check_split(4, 1000, 1360, ACK | PSH, 1, SEGS);		/* one segment */
	check_split(4, 4081, 536, ACK, 9, 3);			/* in chunks of 3 */
	check_split(6, 65000, 520, ACK | PSH, 0, 64);		/* 125 segments, chunks */
	check_split(4, 2720, 1360, ACK, 1, SEGS);		/* exact multiple */
}
END_TEST

START_TEST(gso_split_rejects)
{
	struct tcp_spec s = spec(4, 3000, 1);
	struct virtio_net_hdr vh, bad;
	size_t len = build_gso(big, &s, 1000, &vh), total;
	const char *why;

	for (int i = 0; i < SEGS; i++)
		segp[i] = segbuf[i];
	ck_assert_int_eq(gso_split(big, len, &vh, 0, segp, sizeof(segbuf[0]), seglen, SEGS,
				   &total, &why), 3);
	bad = vh;
	bad.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;	/* version mismatch */
	ck_assert_int_eq(gso_split(big, len, &bad, 0, segp, 2048, seglen, SEGS, &total, &why), -1);
	ck_assert_ptr_nonnull(why);
	bad = vh;
	bad.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	ck_assert_int_eq(gso_split(big, len, &bad, 0, segp, 2048, seglen, SEGS, &total, &why), -1);
	bad = vh;
	bad.csum_start = htole16(24);	/* not the IPv4 header length */
	ck_assert_int_eq(gso_split(big, len, &bad, 0, segp, 2048, seglen, SEGS, &total, &why), -1);
	bad = vh;
	bad.flags = 0;
	ck_assert_int_eq(gso_split(big, len, &bad, 0, segp, 2048, seglen, SEGS, &total, &why), -1);
	bad = vh;
	bad.gso_size = 0;
	ck_assert_int_eq(gso_split(big, len, &bad, 0, segp, 2048, seglen, SEGS, &total, &why), -1);
	/* segment larger than the buffers */
	ck_assert_int_eq(gso_split(big, len, &vh, 0, segp, 1000, seglen, SEGS, &total, &why), -1);
	/* truncated: every length short of the TCP header */
	for (size_t l = 0; l < 52; l++)
		ck_assert_int_eq(gso_split(big, l, &vh, 0, segp, 2048, seglen, SEGS, &total, &why),
				 -1);
	/* headers only: no payload */
	ck_assert_int_eq(gso_split(big, 52, &vh, 0, segp, 2048, seglen, SEGS, &total, &why), -1);
	big[9] = 17;	/* IPv4 protocol UDP */
	ck_assert_int_eq(gso_split(big, len, &vh, 0, segp, 2048, seglen, SEGS, &total, &why), -1);
}
END_TEST

START_TEST(gso_csum_partial)
{
	uint8_t p[200] = { 0x45, 0, 0, 128, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 1, 0, 1, 10, 2, 0, 1 };
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .csum_start = htole16(20), .csum_offset = htole16(6) };
	const char *why;
	uint32_t ps;

	put16(p + 20, 1234);
	put16(p + 22, 53);
	put16(p + 24, 108);
	for (int i = 28; i < 128; i++)
		p[i] = (uint8_t)(i * 7);
	ps = sum16(0, p + 12, 8) + 17 + 108;
	put16(p + 26, fold(ps));	/* what the kernel leaves: the pseudo-header sum */
	ck_assert(gso_csum_complete(p, 128, &vh, &why));
	ck_assert_uint_eq(l4_sum(p, 128, 17), 0xffff);
	vh.csum_offset = htole16(107);
	ck_assert(!gso_csum_complete(p, 128, &vh, &why));
	vh.csum_start = htole16(129);
	ck_assert(!gso_csum_complete(p, 128, &vh, &why));
	vh.flags = 0;	/* nothing to do */
	ck_assert(gso_csum_complete(p, 128, &vh, &why));
}
END_TEST

static struct gro g;

/* Flattens item i (iov[0] is the virtio header) into out. */
static size_t flatten(int i, struct virtio_net_hdr *vh, uint8_t *out)
{
	struct iovec iov[1 + GRO_MAX_SEGS];
	int n = gro_iov(&g, i, iov);
	size_t len = 0;

	ck_assert_uint_eq(iov[0].iov_len, sizeof(*vh));
	memcpy(vh, iov[0].iov_base, sizeof(*vh));
	for (int j = 1; j < n; j++) {
		memcpy(out + len, iov[j].iov_base, iov[j].iov_len);
		len += iov[j].iov_len;
	}
	return len;
}

/* Split a GSO packet, coalesce the segments again: the original comes back
 * (lengths, flags, a partial checksum that completes to a valid one). */
static void check_roundtrip(int version, size_t plen, uint16_t mss, uint8_t flags)
{
	static uint8_t out[70000];
	struct tcp_spec s = spec(version, plen, 12345);
	struct virtio_net_hdr vh, ov;
	size_t len, olen, hl = version == 4 ? 20 : 40;
	int n;
	const char *why;

	s.flags = flags;
	len = build_gso(big, &s, mss, &vh);
	n = split(big, len, &vh, SEGS);
	ck_assert_int_le(n, GRO_MAX_SEGS);
	gro_reset(&g);
	for (int i = 0; i < n; i++)
		ck_assert(gro_add(&g, segbuf[i], seglen[i]));
	gro_finish(&g);
	ck_assert_int_eq(g.nitems, 1);
	olen = flatten(0, &ov, out);
	ck_assert_uint_eq(olen, len);
	if (n == 1) {
		ck_assert_uint_eq(ov.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		ck_assert_uint_eq(ov.flags, 0);
		ck_assert(tcp_ok(out, olen));
		return;
	}
	ck_assert_uint_eq(ov.gso_type, version == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 :
				      VIRTIO_NET_HDR_GSO_TCPV6);
	ck_assert_uint_eq(ov.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(le16toh(ov.gso_size), mss);
	ck_assert_uint_eq(le16toh(ov.hdr_len), hl + 32);
	ck_assert_uint_eq(le16toh(ov.csum_start), hl);
	ck_assert_uint_eq(le16toh(ov.csum_offset), 16);
	ck_assert(ip_ok(out));
	ck_assert_uint_eq(out[hl + 13], flags);
	/* everything but the checksum fields as the original */
	ck_assert(!memcmp(out + hl + 18, big + hl + 18, len - hl - 18));
	ck_assert(!memcmp(out + 12 * (version == 4), big + 12 * (version == 4), 4));
	ck_assert(gso_csum_complete(out, olen, &ov, &why));
	ck_assert(tcp_ok(out, olen));
}

START_TEST(gro_roundtrip)
{
	check_roundtrip(4, 10000, 1360, ACK | PSH);
	check_roundtrip(4, 10000, 1360, ACK);
	check_roundtrip(6, 20000, 1340, ACK | PSH);
	check_roundtrip(4, 2720, 1360, ACK);	/* two full segments */
	check_roundtrip(4, 600, 1360, ACK | PSH);	/* one: passed as it is */
	check_roundtrip(4, 65000, 1400, ACK);	/* 47 segments, just under 64 KiB */
}
END_TEST

static uint8_t pk[8][2048];

/* Adds packets built from specs; returns the number of items. */
static int coalesce(const struct tcp_spec *s, int n)
{
	gro_reset(&g);
	for (int i = 0; i < n; i++)
		ck_assert(gro_add(&g, pk[i], build(pk[i], &s[i])));
	gro_finish(&g);
	return g.nitems;
}

enum change { C_NONE, C_DPORT, C_SRC, C_GAP, C_FIRST_PSH, C_FIN, C_RST, C_SYN, C_URG, C_OPT,
	      C_ID, C_TTL, C_TOS, C_CSUM, C_LONGER, C_ACKNO, C_WIN, C_IPOPT, C_FRAG, C_EMPTY,
	      C_NONTCP, C_V6 };

START_TEST(gro_what_merges)
{
	static const struct { enum change c; int items; } rows[] = {
		{ C_NONE, 1 }, { C_DPORT, 2 }, { C_SRC, 2 }, { C_GAP, 2 }, { C_FIRST_PSH, 2 },
		{ C_FIN, 2 }, { C_RST, 2 }, { C_SYN, 2 }, { C_URG, 2 }, { C_OPT, 2 }, { C_ID, 2 },
		{ C_TTL, 2 }, { C_TOS, 2 }, { C_CSUM, 2 }, { C_LONGER, 2 }, { C_ACKNO, 2 },
		{ C_WIN, 2 }, { C_IPOPT, 2 }, { C_FRAG, 2 }, { C_EMPTY, 2 }, { C_NONTCP, 2 },
		{ C_V6, 2 },
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		for (int v = 4; v <= 6; v += 2) {
			struct tcp_spec s[2] = { spec(v, 1000, 5000), spec(v, 1000, 6000) };
			size_t len1;

			s[1].id = 101;
			switch (rows[r].c) {
			case C_DPORT: s[1].dport++; break;
			case C_GAP: s[1].seq++; break;
			case C_FIRST_PSH: s[0].flags |= PSH; break;
			case C_FIN: s[1].flags |= FIN; break;
			case C_RST: s[1].flags |= RST; break;
			case C_SYN: s[1].flags |= SYN; break;
			case C_URG: s[1].flags |= URG; break;
			case C_OPT: s[1].optlen = 8; break;
			case C_ID: if (v == 4) s[1].id = 103; else s[1].dport++; break;
			case C_TTL: s[1].ttl = 63; break;
			case C_TOS: s[1].tos = 0x20; break;
			case C_LONGER: s[1].plen = 1001; break;
			case C_ACKNO: s[1].ack++; break;
			case C_WIN: s[1].win++; break;
			case C_EMPTY: s[1].plen = 0; break;
			case C_V6: s[1].version = v == 4 ? 6 : 4; break;
			default: break;
			}
			gro_reset(&g);
			ck_assert(gro_add(&g, pk[0], build(pk[0], &s[0])));
			len1 = build(pk[1], &s[1]);
			switch (rows[r].c) {
			case C_SRC: pk[1][v == 4 ? 15 : 23] ^= 1; break;	/* checksum off too */
			case C_CSUM: pk[1][len1 - 1] ^= 0x40; break;
			case C_IPOPT:	/* second packet with an IPv4 option / IPv6 hop-by-hop */
				if (v == 4) {
					memmove(pk[1] + 24, pk[1] + 20, len1 - 20);
					pk[1][0] = 0x46;
					memset(pk[1] + 20, 1, 4);	/* NOPs */
					len1 += 4;
					put16(pk[1] + 2, (uint32_t)len1);
					put16(pk[1] + 10, 0);
					put16(pk[1] + 10, (uint16_t)~fold(sum16(0, pk[1], 24)));
				} else {
					pk[1][6] = 0;	/* claims hop-by-hop */
				}
				break;
			case C_FRAG:
				if (v == 4) {
					pk[1][6] |= 0x20;	/* MF */
					put16(pk[1] + 10, 0);
					put16(pk[1] + 10, (uint16_t)~fold(sum16(0, pk[1], 20)));
				} else {
					pk[1][6] = 44;
				}
				break;
			case C_NONTCP:
				pk[1][v == 4 ? 9 : 6] = 17;
				if (v == 4) {
					put16(pk[1] + 10, 0);
					put16(pk[1] + 10, (uint16_t)~fold(sum16(0, pk[1], 20)));
				}
				break;
			default: break;
			}
			ck_assert(gro_add(&g, pk[1], len1));
			gro_finish(&g);
			ck_assert_msg(g.nitems == rows[r].items, "row %zu v%d: %d items", r, v,
				      g.nitems);
			if (g.nitems == 2) {	/* both pass unchanged */
				struct virtio_net_hdr vh;
				uint8_t out[2100];

				ck_assert_uint_eq(flatten(1, &vh, out), len1);
				ck_assert(!memcmp(out, pk[1], len1));
				ck_assert_uint_eq(vh.gso_type, 0);
			}
		}
	}
}
END_TEST

START_TEST(gro_order_and_limits)
{
	struct tcp_spec s[6];
	static uint8_t many[140][300];

	/* a gap starts a new chain; the filler must not join the old one */
	s[0] = spec(4, 1000, 0);
	s[1] = spec(4, 1000, 2000);
	s[1].id = 101;
	s[2] = spec(4, 1000, 1000);
	s[2].id = 102;
	ck_assert_int_eq(coalesce(s, 3), 3);
	/* a pure ACK or a RST of the flow closes its chain: the next segment
	 * must not be written before it */
	for (int k = 0; k < 2; k++) {
		s[0] = spec(4, 1000, 0);
		s[1] = spec(4, 1000, 1000);
		s[1].id = 101;
		s[2] = spec(4, k ? 10 : 0, 2000);	/* pure ACK / RST with data */
		s[2].id = 102;
		if (k)
			s[2].flags |= RST;
		s[3] = spec(4, 1000, 2000 + (k ? 10 : 0));
		s[3].id = 103;
		ck_assert_int_eq(coalesce(s, 4), 3);
		ck_assert_int_eq(g.item[0].nseg, 2);
		ck_assert_int_eq(g.item[2].head, 3);
	}
	/* another flow's pure ACK does not */
	s[0] = spec(4, 1000, 0);
	s[1] = spec(4, 0, 0);
	s[1].sport = 1;
	s[2] = spec(4, 1000, 1000);
	s[2].id = 101;
	ck_assert_int_eq(coalesce(s, 3), 2);
	ck_assert_int_eq(g.item[0].nseg, 2);
	/* two flows interleaved: two chains of two */
	s[0] = spec(4, 1000, 0);
	s[1] = spec(4, 1000, 0);
	s[1].sport = 1;
	s[2] = spec(4, 1000, 1000);
	s[2].id = 101;
	s[3] = spec(4, 1000, 1000);
	s[3].sport = 1;
	s[3].id = 101;
	ck_assert_int_eq(coalesce(s, 4), 2);
	ck_assert_int_eq(g.item[0].nseg, 2);
	ck_assert_int_eq(g.item[1].nseg, 2);
	/* a shorter segment ends the chain; PSH ends it */
	s[0] = spec(6, 1000, 0);
	s[1] = spec(6, 500, 1000);
	s[2] = spec(6, 1000, 1500);
	s[3] = spec(6, 1000, 2500);
	s[3].flags |= PSH;
	s[4] = spec(6, 1000, 3500);
	ck_assert_int_eq(coalesce(s, 5), 3);
	ck_assert_int_eq(g.item[0].nseg, 2);
	ck_assert_int_eq(g.item[1].nseg, 2);
	ck_assert_uint_eq(pk[2][40 + 13], ACK | PSH);	/* the chain carries the PSH */
	/* 64 KiB and GRO_MAX_SEGS */
	gro_reset(&g);
	for (int i = 0; i < 70; i++) {
		struct tcp_spec t = spec(4, 100, (uint32_t)i * 100);

		t.id = (uint16_t)(100 + i);
		ck_assert(gro_add(&g, many[i], build(many[i], &t)));
	}
	gro_finish(&g);
	ck_assert_int_eq(g.nitems, 2);
	ck_assert_int_eq(g.item[0].nseg, GRO_MAX_SEGS);
	gro_reset(&g);
	for (int i = 0; i < 50; i++) {
		struct tcp_spec t = spec(4, 1400, (uint32_t)i * 1400);

		t.id = (uint16_t)(100 + i);
		ck_assert(gro_add(&g, big + i * 1460, build(big + i * 1460, &t)));
	}
	gro_finish(&g);
	ck_assert_int_eq(g.nitems, 2);
	ck_assert_uint_le(g.item[0].total, 65535);
	ck_assert_uint_gt(g.item[0].total + 1400, 65535);
	/* full */
	gro_reset(&g);
	for (int i = 0; i < GRO_MAX_PKTS; i++)
		ck_assert(gro_add(&g, many[0], 20));
	ck_assert(gro_full(&g));
	ck_assert(!gro_add(&g, many[0], 20));
}
END_TEST

/* csum.h against the plain sum: RFC 1071's example, then every length and
 * alignment the vector loop and its tails can meet, chained in even pieces. */
START_TEST(csum_matches_rfc1071)
{
	static const uint8_t rfc[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t buf[2100];
	uint32_t seed = 1;

	ck_assert_uint_eq(csum_fold(csum_add(0, rfc, 8)), 0xddf2);	/* RFC 1071 1.3 */
	for (size_t i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
	memset(buf + 1000, 0xff, 600);	/* long runs of carries */
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len + off <= sizeof(buf) && len <= 2048; len++) {
			uint16_t want = fold(sum16(0, buf + off, len));
			size_t cut = (len / 3) & ~(size_t)1;

			ck_assert_uint_eq(csum_fold(csum_add(0, buf + off, len)), want);
			ck_assert_uint_eq(csum_fold(csum_add(csum_add(0, buf + off, cut),
							     buf + off + cut, len - cut)), want);
		}
}
END_TEST

static Suite *offload_suite(void)
{
	Suite *s = suite_create("offload");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, csum_matches_rfc1071);
	tcase_add_test(tc, gso_split_fields);
	tcase_add_test(tc, gso_split_rejects);
	tcase_add_test(tc, gso_csum_partial);
	tcase_add_test(tc, gro_roundtrip);
	tcase_add_test(tc, gro_what_merges);
	tcase_add_test(tc, gro_order_and_limits);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(offload_suite)
