/* libFuzzer target: the TUN offload parsers.
 *
 * Byte 0 even: bytes 1..10 are a struct virtio_net_hdr, the rest a packet
 * read from the TUN: gso_csum_complete on a copy and gso_split in chunks of
 * 8 segments, as engine.c calls them. Byte 0 odd: the rest is a sequence of
 * packets, each with a 2-byte length in front (decrypted inner packets, as
 * a peer chooses them after authentication): gro_add, gro_finish, gro_iov;
 * every item must add up to its length and fit a 64 KiB write. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/userspace/gro.h"
#include "kernel/userspace/gso.h"

#define FZ_SEGS 8
#define FZ_CAP 1600

static void fuzz_gso(const uint8_t *d, size_t n)
{
	static uint8_t pkt[70000], segs[FZ_SEGS][FZ_CAP];
	uint8_t *out[FZ_SEGS];
	size_t lens[FZ_SEGS], total = 0, first = 0;
	struct virtio_net_hdr vh;
	const char *why;
	int got;

	if (n < sizeof(vh) || n - sizeof(vh) > sizeof(pkt))
		return;
	memcpy(&vh, d, sizeof(vh));
	memcpy(pkt, d + sizeof(vh), n - sizeof(vh));
	n -= sizeof(vh);
	for (int i = 0; i < FZ_SEGS; i++)
		out[i] = segs[i];
	if (vh.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		gso_csum_complete(pkt, n, &vh, &why);
		return;
	}
	do {
		got = gso_split(pkt, n, &vh, first, out, FZ_CAP, lens, FZ_SEGS, &total, &why);
		if (got < 0)
			return;
		for (int i = 0; i < got; i++)
			if (lens[i] > FZ_CAP)
				abort();
		first += (size_t)got;
	} while (got > 0 && first < total);
}

static void fuzz_gro(const uint8_t *d, size_t n)
{
	static struct gro g;
	static uint8_t bufs[GRO_MAX_PKTS][2048];
	struct iovec iov[1 + GRO_MAX_SEGS];
	int k = 0;

	gro_reset(&g);
	while (n >= 2 && k < GRO_MAX_PKTS) {
		size_t len = (size_t)(d[0] << 8 | d[1]) % sizeof(bufs[0]);

		d += 2;
		n -= 2;
		if (len > n)
			len = n;
		memcpy(bufs[k], d, len);
		if (!gro_add(&g, bufs[k], len))
			abort();
		k++;
		d += len;
		n -= len;
	}
	gro_finish(&g);
	for (int i = 0; i < g.nitems; i++) {
		int cnt = gro_iov(&g, i, iov);
		size_t sum = 0;

		if (cnt < 2 || cnt > 1 + GRO_MAX_SEGS)
			abort();
		for (int j = 1; j < cnt; j++)
			sum += iov[j].iov_len;
		if (sum != g.item[i].total || (g.item[i].nseg > 1 && sum > 0xffff))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	if (!n)
		return 0;
	if (d[0] & 1)
		fuzz_gro(d + 1, n - 1);
	else
		fuzz_gso(d + 1, n - 1);
	return 0;
}
