/* TCP segmentation of what a TUN device with IFF_VNET_HDR and TSO offloads
 * hands us (one read = one 64 KiB GSO "super packet" plus its
 * virtio_net_hdr), the way a NIC would do it: each segment gets a copy of
 * the IP and TCP headers with its own IPv4 id / total length (IPv6 payload
 * length), IPv4 header checksum, TCP sequence number, flags (PSH and FIN
 * only on the last, CWR only on the first) and a full TCP checksum. A
 * packet that is not GSO but carries VIRTIO_NET_HDR_F_NEEDS_CSUM gets its
 * partial checksum completed in place. Every byte of the packet is read
 * through bounded readers (lib/rd.h). */
#ifndef CYGNET_KERNEL_USERSPACE_GSO_H
#define CYGNET_KERNEL_USERSPACE_GSO_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GSO_VNET_HDR_LEN sizeof(struct virtio_net_hdr)

/* Completes a VIRTIO_NET_HDR_F_NEEDS_CSUM checksum (csum_start/offset) in
 * place; true without doing anything if the flag is not set. false with
 * *why if the offsets do not fit the packet. */
bool gso_csum_complete(uint8_t *pkt, size_t len, const struct virtio_net_hdr *vh,
		       const char **why);

/* Splits a TCPV4/TCPV6 GSO packet: segments first, first + 1, ... (at most
 * max) are written to out[0..] (each with room for cap bytes), their
 * lengths to out_len; *total is the packet's number of segments, so a
 * caller with fewer buffers calls again with first += the result. Returns
 * the number written, or -1 with *why (not TCP GSO, inconsistent header,
 * a segment larger than cap). */
int gso_split(const uint8_t *pkt, size_t len, const struct virtio_net_hdr *vh, size_t first,
	      uint8_t *const *out, size_t cap, size_t *out_len, int max, size_t *total,
	      const char **why);

#endif
