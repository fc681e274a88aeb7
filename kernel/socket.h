/* UDP sockets for IKE (port 500) and NAT-T (port 4500, RFC 3948).
 *
 * On 4500 the first four bytes tell what arrived: a zero "non-ESP marker"
 * precedes IKE, a single 0xff byte is a NAT keepalive, anything else is ESP
 * (its SPI is never zero). IKE reaches the ike callback without the marker,
 * ESP reaches the esp callback as it came (SPI first). Sending IKE on 4500
 * adds the marker. The local address of every datagram is learned with
 * IP_PKTINFO / IPV6_RECVPKTINFO so replies leave from the address the peer
 * used, which a cluster address needs. */
#ifndef CYGNET_KERNEL_SOCKET_H
#define CYGNET_KERNEL_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/addr.h"

struct event_base;

struct net_counters {
	uint64_t ike_in, ike_out, esp_in, keepalive_in;
	uint64_t short_in;	/* under the 4-byte minimum on 4500 */
	uint64_t send_errors;
	uint64_t esp_gso_out;	/* sends of several ESP packets at once (UDP_SEGMENT) */
	uint64_t esp_gro_in;	/* receives that carried several datagrams (UDP_GRO) */
};

typedef void (*net_ike_fn)(void *ctx, const uint8_t *msg, size_t len,
			   const struct net_endpoints *ep);
typedef void (*net_esp_fn)(void *ctx, const uint8_t *pkt, size_t len,
			   const struct net_endpoints *ep);

struct net_config {
	uint16_t ike_port;	/* normally 500; 0 lets the kernel pick (tests) */
	uint16_t natt_port;	/* normally 4500; 0 lets the kernel pick (tests) */
	bool ipv6;		/* also listen on IPv6 (dual sockets) */
	net_ike_fn on_ike;
	net_esp_fn on_esp;	/* NULL: ESP-in-UDP is dropped and counted */
	void *ctx;
};

struct net;

/* Opens and binds the sockets; errors are logged with the reason. */
struct net *net_open(struct event_base *base, const struct net_config *cfg);
void net_close(struct net *n);
/* Sends an IKE message; adds the non-ESP marker when the source port is the
 * NAT-T port. */
bool net_send_ike(struct net *n, const struct net_endpoints *ep,
		  const uint8_t *msg, size_t len);
/* Sends an ESP packet in UDP (no marker) from the NAT-T socket. */
bool net_send_esp_udp(struct net *n, const struct net_endpoints *ep,
		      const uint8_t *pkt, size_t len);
/* Sends cnt ESP packets to one peer with one sendmsg (UDP GSO,
 * UDP_SEGMENT): all seg_size bytes long except the last, which may be
 * shorter. Falls back to one send per packet (logged once) if the kernel
 * refuses. false if a send failed. */
bool net_send_esp_udp_gso(struct net *n, const struct net_endpoints *ep,
			  struct iovec *pkts, int cnt, uint16_t seg_size);
/* Sends a one-byte NAT keepalive (RFC 3948 section 2.3). */
bool net_send_keepalive(struct net *n, const struct net_endpoints *ep);
/* All sockets' counters summed (safe while a moved socket is being read). */
void net_get_counters(const struct net *n, struct net_counters *out);
/* Reads the NAT-T sockets on base's loop from now on (the userspace
 * datapath's RX thread; base = the loop given to net_open moves them back).
 * ESP goes to on_esp on that loop; IKE found there is copied to a bounded
 * queue (256) and handed to on_ike on the owner's loop. Call it while
 * neither loop runs those sockets (before that thread starts, after it
 * ends). false (logged) if it could not. */
bool net_natt_move(struct net *n, struct event_base *base);
/* SO_MARK on every socket, so policy routing can keep IKE and ESP out of a
 * tunnel whose selectors cover the peer. false (logged) on failure. */
bool net_set_mark(struct net *n, uint32_t mark);
/* UDP_ENCAP_ESPINUDP on the NAT-T sockets: the kernel (XFRM) takes the
 * ESP in UDP, IKE with its non-ESP marker still reaches on_ike. */
bool net_set_udp_encap(struct net *n);
/* Completes an initiator's endpoints: when ep->local has no address (no
 * local_addrs configured), the routing table picks the source address the
 * kernel would use toward ep->remote (a connected UDP socket with the same
 * SO_MARK, nothing is sent), so that NAT detection hashes the real address;
 * the local port becomes the bound IKE port. false (logged) when there is
 * no route. */
bool net_pick_source(struct net *n, struct net_endpoints *ep);
/* The port actually bound (useful with port 0 in tests). */
uint16_t net_bound_port(const struct net *n, bool natt, int family);

#endif
