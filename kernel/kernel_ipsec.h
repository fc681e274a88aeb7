/* The interface between the IKE core and whatever moves ESP packets.
 *
 * The IKE core installs SAs and policies through struct kernel_ipsec_ops and
 * never learns whether the backend is the userspace datapath
 * (kernel/userspace) or Linux XFRM (kernel/xfrm). Backends report back
 * through struct kernel_ipsec_events (acquire, expire, unknown SPI).
 *
 * Conventions: every op returns 0 on success or a negative errno value
 * (-ENOENT unknown SA/policy, -EEXIST duplicate, -EINVAL bad argument,
 * -ENOTSUP algorithm or feature not offered by the backend, -ENOMEM).
 * SPIs are host order. Key material passed in is copied by the backend;
 * the caller keeps ownership of its buffers and wipes them. */
#ifndef CYGNET_KERNEL_KERNEL_IPSEC_H
#define CYGNET_KERNEL_KERNEL_IPSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ike/iana.h"

enum kernel_dir {
	KERNEL_DIR_IN = 0,
	KERNEL_DIR_OUT = 1,
	KERNEL_DIR_FWD = 2,	/* policies only: forwarded traffic (tunnel mode) */
};

enum kernel_mode {
	KERNEL_MODE_TUNNEL = 0,
	KERNEL_MODE_TRANSPORT = 1,
};

/* An IP address without port; family AF_INET (4 bytes used) or AF_INET6. */
struct kernel_ip {
	uint8_t family;
	uint8_t a[16];
};

/* UDP encapsulation (RFC 3948); enabled = false means raw ESP (proto 50). */
struct kernel_encap {
	bool enabled;
	uint16_t sport, dport;	/* host order */
};

/* 0 means "no limit". The soft limit raises expire(soft), the hard limit
 * expire(hard) and the SA stops passing traffic. */
struct kernel_lifetime {
	uint64_t bytes;
	uint64_t packets;
};

struct kernel_sa {
	uint32_t spi;
	enum kernel_dir dir;		/* IN or OUT */
	uint8_t protocol;		/* PROTO_ESP (AH is not offered) */
	enum kernel_mode mode;
	struct sockaddr_storage src, dst;	/* outer addresses; ports ignored */
	struct kernel_encap encap;
	uint16_t encr_alg;		/* enum ike_encr_id */
	const uint8_t *encr_key;	/* key || salt for AEAD (RFC 4106/7634) */
	size_t encr_key_len;
	uint16_t integ_alg;		/* enum ike_integ_id; AUTH_NONE for AEAD */
	const uint8_t *integ_key;
	size_t integ_key_len;
	bool esn;
	uint32_t replay_window;		/* packets; 0 = backend default (128) */
	struct kernel_lifetime soft, hard;
	uint32_t reqid;			/* ties SAs to policies */
	uint32_t child_id;		/* the CHILD SA's unique id, for logs and events */
	uint16_t tfc_pad;		/* pad tunnel-mode inner packets to this size; 0 = off */
};

/* Traffic selector: inclusive ranges, as IKEv2 TS payloads carry them.
 * proto 0 = any. Ports are host order; for ICMP/ICMPv6 the source port
 * range holds the type and the destination port range the code, as XFRM
 * does. A selector with full port ranges matches packets whose ports are
 * unknown (non-first fragments). */
struct kernel_selector {
	uint8_t family;
	uint8_t src_from[16], src_to[16];
	uint8_t dst_from[16], dst_to[16];
	uint8_t proto;
	uint16_t sport_from, sport_to;
	uint16_t dport_from, dport_to;
};

enum kernel_policy_action {
	KERNEL_POLICY_PROTECT = 0,	/* IPsec with the SA of reqid */
	KERNEL_POLICY_BYPASS = 1,
	KERNEL_POLICY_DROP = 2,
};

struct kernel_policy {
	struct kernel_selector sel;
	enum kernel_dir dir;
	enum kernel_policy_action action;
	uint32_t reqid;
	uint32_t priority;		/* lower wins; ties: first installed */
	/* PROTECT only: the SA's mode and, in tunnel mode, its outer
	 * addresses (XFRM templates need them; userspace may ignore them). */
	enum kernel_mode mode;
	struct sockaddr_storage tun_src, tun_dst;
};

/* What the backend knows about an SA's use. last_use is CLOCK_MONOTONIC
 * seconds, 0 if never used. */
struct kernel_sa_stats {
	uint64_t bytes;
	uint64_t packets;
	uint64_t last_use;
};

/* Inbound replay state for HA (see replay.h): bit i of bitmap means
 * top - i was received. */
#define KERNEL_REPLAY_MAX 4096
struct kernel_replay_state {
	uint64_t top;
	uint32_t window;
	uint64_t bitmap[KERNEL_REPLAY_MAX / 64];
};

/* HA segment filter: should this node process the packet? seq is the ESP
 * sequence number (inbound) or 0 (outbound). */
typedef bool (*kernel_segment_fn)(void *ctx, uint32_t spi, const struct sockaddr *peer,
				  uint64_t seq, enum kernel_dir dir);

struct kernel_sa_id;

/* Backend to IKE core. Called from the backend's event context. */
struct kernel_ipsec_events {
	/* Traffic hit a PROTECT policy with no SA: start a CHILD SA. */
	void (*acquire)(void *ctx, uint32_t reqid, const struct kernel_selector *pkt);
	/* A lifetime was reached; after hard the SA passes no traffic. */
	void (*expire)(void *ctx, const struct kernel_sa_id *id, uint32_t child_id, bool hard);
	/* ESP arrived for an SPI we do not have (candidate for INVALID_SPI). */
	void (*unknown_spi)(void *ctx, uint32_t spi, const struct sockaddr *peer);
	void *ctx;
};

/* Names one installed SA: XFRM needs (dst, spi, proto); the userspace
 * backend finds inbound SAs by SPI alone and outbound ones by SPI + dst. */
struct kernel_sa_id {
	uint32_t spi;
	enum kernel_dir dir;
	struct sockaddr_storage dst;
};

struct kernel_ipsec_ops {
	const char *name;
	/* Allocate a unique inbound SPI (never 0 or 1..255) for an SA from src
	 * (the peer) to dst (us) and reserve it until add_sa(IN) uses it or
	 * del_sa releases it. XFRM needs the addresses; userspace ignores them. */
	int (*get_spi)(void *be, const struct sockaddr_storage *src,
		       const struct sockaddr_storage *dst, uint32_t reqid, uint32_t *spi);
	int (*add_sa)(void *be, const struct kernel_sa *sa);
	/* Move an SA to new outer addresses / encapsulation (MOBIKE, NAT change).
	 * For outbound SAs the id's dst is the old address. */
	int (*update_sa)(void *be, const struct kernel_sa_id *id,
			 const struct sockaddr *src, const struct sockaddr *dst,
			 const struct kernel_encap *encap);
	int (*del_sa)(void *be, const struct kernel_sa_id *id);
	int (*query_sa)(void *be, const struct kernel_sa_id *id, struct kernel_sa_stats *out);
	int (*add_policy)(void *be, const struct kernel_policy *pol);
	/* Removes the policy with the same selector, direction and reqid. */
	int (*del_policy)(void *be, const struct kernel_policy *pol);
	/* HA: the outbound sequence number last used, and jumping it ahead
	 * (set never moves it backwards: -EINVAL). */
	int (*get_seq_out)(void *be, const struct kernel_sa_id *id, uint64_t *seq);
	int (*set_seq_out)(void *be, const struct kernel_sa_id *id, uint64_t seq);
	/* HA: inbound replay window state. set needs the same window size. */
	int (*get_replay)(void *be, const struct kernel_sa_id *id,
			  struct kernel_replay_state *st);
	int (*set_replay)(void *be, const struct kernel_sa_id *id,
			  const struct kernel_replay_state *st);
	/* HA: install (fn != NULL) or remove the segment filter. */
	int (*set_segment_filter)(void *be, kernel_segment_fn fn, void *ctx);
	void (*destroy)(void *be);
};

/* One backend instance as the IKE core holds it. */
struct kernel_ipsec {
	const struct kernel_ipsec_ops *ops;
	void *be;
	struct kernel_ipsec_events ev;
};

#endif
