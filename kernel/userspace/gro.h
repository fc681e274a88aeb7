/* TCP receive coalescing for writes to a TUN device with IFF_VNET_HDR (the
 * inverse of gso.h, as Linux's tcp_gro_receive and wireguard-go's tcpGRO):
 * the decrypted packets of one receive batch are added in order; a TCP
 * segment that continues an earlier one of the same flow (same addresses,
 * ports, IP TOS/TTL/DF or IPv6 class/flow/hop limit, consecutive IPv4 id,
 * next sequence number, same ACK, window and TCP options, flags ACK or
 * ACK|PSH, not longer than the first segment, valid checksum) is chained to
 * it, and one write then carries the whole chain as a GSO packet. PSH, a
 * shorter segment, 64 KiB or GRO_MAX_SEGS end a chain; a packet of the
 * flow that does not fit starts a new chain and later ones never join the
 * older chain, so the flow's order is kept. Anything else (other
 * protocols, IP options, IPv6 extension headers, fragments, SYN/FIN/RST/
 * URG/ECE/CWR, no payload, a bad checksum) is written on its own,
 * unchanged; if it is TCP of a flow with an open chain, that chain takes no
 * more segments (a pure ACK or a FIN never overtakes data of its flow).
 * The packets stay where they are (the caller's buffers, writable: the
 * head's headers are rewritten); gro_iov() gathers an item for writev. */
#ifndef CYGNET_KERNEL_USERSPACE_GRO_H
#define CYGNET_KERNEL_USERSPACE_GRO_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define GRO_MAX_PKTS 128
#define GRO_MAX_SEGS 64

struct gro_item {
	int head, tail;		/* packet indices; chain through gro.next */
	int nseg;
	bool open;		/* may take more segments */
	bool tcp;		/* a coalescing candidate */
	uint8_t version;
	uint16_t iphl, hl;	/* IP header, IP + TCP header */
	uint16_t gso_size;	/* payload of the first segment */
	uint16_t last_plen;
	uint16_t next_id;	/* IPv4 id the next segment must carry */
	uint32_t next_seq;
	size_t total;		/* bytes of the coalesced packet */
	bool psh;
	struct virtio_net_hdr vh;	/* filled by gro_finish */
};

struct gro {
	int npkts, nitems;
	uint8_t *pkt[GRO_MAX_PKTS];
	size_t len[GRO_MAX_PKTS];
	int next[GRO_MAX_PKTS];
	struct gro_item item[GRO_MAX_PKTS];
	uint64_t merged;	/* segments that joined a chain (statistics) */
};

void gro_reset(struct gro *g);
bool gro_full(const struct gro *g);
/* Adds a complete IPv4/IPv6 packet (len = its IP length). false if full. */
bool gro_add(struct gro *g, uint8_t *pkt, size_t len);
/* Rewrites the heads of chains (lengths, IPv4 header checksum, PSH, TCP
 * checksum field to the pseudo-header sum) and fills each item's
 * virtio_net_hdr: NEEDS_CSUM + TCPV4/TCPV6 for chains, all zero for
 * single packets. */
void gro_finish(struct gro *g);
/* iov[0] = the item's virtio_net_hdr, then the head packet, then the
 * payload of every further segment; returns the count (<= 1 + GRO_MAX_SEGS). */
int gro_iov(struct gro *g, int item, struct iovec *iov);

#endif
