/* The userspace datapath as a kernel_ipsec backend: the SAD/SPD core
 * (us_ipsec) with its I/O: clear packets on a TUN device, ESP in UDP on the NAT-T socket (kernel/socket) and raw ESP (IP
 * protocol 50) on a raw socket, both accepted for every SA at any time
 * (RFC 7296 2.23, RFC 3948). Runs on the caller's libevent loop. */
#ifndef CYGNET_KERNEL_USERSPACE_USERSPACE_H
#define CYGNET_KERNEL_USERSPACE_USERSPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel_ipsec.h"
#include "kernel/socket.h"
#include "kernel/userspace/us_ipsec.h"

struct event_base;

struct userspace_config {
	const char *tun_name;		/* default "cygnet0" */
	int mtu;			/* default 1400 */
	bool raw_esp;			/* open the protocol-50 socket (default on) */
	bool no_offload;		/* plain TUN: no virtio header, TSO or GRO (tests) */
	/* Outbound ESP (TUN reads, encryption, sends) on a thread of its own;
	 * inbound ESP (raw ESP and net's NAT-T sockets, decryption, TUN
	 * writes) on another. Events still reach the caller on its loop, and
	 * IKE on the NAT-T port still reaches net's on_ike there. Default off
	 * here; cygnetd turns them on with daemon { datapath_threads }. */
	bool tx_thread;
	bool rx_thread;
	/* Policy routing (0: off, routes in the main table). With both set,
	 * routes for the tunnels go to route_table, looked up at rule_prio + 1
	 * for every packet, and IKE and ESP sockets carry fwmark, which a rule
	 * at rule_prio sends to the main table: our own packets never enter a
	 * tunnel even when its selectors cover the peer (transport mode, or
	 * remote_ts = 0.0.0.0/0). */
	uint32_t route_table;
	uint32_t fwmark;
	uint32_t rule_prio;
};

/* I/O counters; the policy and ESP verdicts are counted by the core
 * (struct us_ipsec: verdicts[], and per SA). */
struct userspace_counters {
	uint64_t tun_in, tun_out;	/* packets read from / written to the TUN */
	uint64_t tun_in_segs;		/* MTU-sized packets after GSO splitting */
	uint64_t tun_out_segs;		/* packets written, counting each coalesced segment */
	uint64_t tx_batches, rx_batches;	/* sendmmsg / recvmmsg calls on raw ESP */
	uint64_t esp_in, esp_out;
	uint64_t held, held_dropped;	/* packets queued for an acquire / overflow */
	uint64_t send_errors;
	uint64_t malformed;		/* raw ESP or rebuilt headers that did not fit */
};

struct us_ipsec;

/* NULL with the reason logged. net may be NULL (raw ESP only). */
struct kernel_ipsec *userspace_backend_create(struct event_base *base, struct net *net,
					      const struct userspace_config *cfg,
					      const struct kernel_ipsec_events *ev);
/* ESP that arrived on the NAT-T socket (wire this to net's on_esp). */
void userspace_input_udp(struct kernel_ipsec *ki, const uint8_t *pkt, size_t len,
			 const struct net_endpoints *ep);
/* Both paths' counters summed (briefly excludes the datapath's threads). */
void userspace_get_counters(const struct kernel_ipsec *ki, struct userspace_counters *out);
/* The core's verdict and ESP drop counters, both directions summed, read
 * under the lock (the datapath's threads count them). */
struct userspace_verdicts {
	uint64_t verdicts[US_VERDICT_MAX];
	uint64_t drops[ESP_RESULT_MAX];
};
void userspace_get_verdicts(const struct kernel_ipsec *ki, struct userspace_verdicts *out);
/* The TUN's interface index (for virtual IPs the daemon installs). */
int userspace_ifindex(const struct kernel_ipsec *ki);

#endif
