/* What the IKE core asks of its surroundings. The daemon backs these with
 * the sockets, pools, kernel_ipsec and libevent; unit tests back them with
 * memory (a send that delivers to another core, a manual clock).
 *
 * Every callback gets env->ctx first. Callbacks may be NULL where noted. */
#ifndef CYGNET_IKE_IKE_ENV_H
#define CYGNET_IKE_IKE_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/addr.h"
#include "lib/mem.h"

struct ike_sa;
struct child_sa;
struct ike_id;

/* A one-shot timer owned by one object for one reason. The env arms it;
 * when it expires the env calls fire(t). impl belongs to the env (e.g. a
 * libevent event), created on first arm, released by timer_release. */
struct ike_timer {
	void (*fire)(struct ike_timer *t);
	void *impl;
	bool armed;
};

enum ike_event {
	IKE_EV_SA_UP,		/* established (IKE_AUTH done) */
	IKE_EV_SA_UPDATED,	/* endpoints, virtual IP or state changed */
	IKE_EV_SA_REKEYED,	/* child = NULL; sa is the new SA */
	IKE_EV_SA_DOWN,		/* about to be freed */
	IKE_EV_MID,		/* message IDs moved (before a response leaves) */
	IKE_EV_CHILD_UP,
	IKE_EV_CHILD_REKEYED,
	IKE_EV_CHILD_DOWN,
};

#define IKE_MAX_DNS 4

/* A virtual IP lease and the attributes that go with it. */
struct ike_vip {
	struct sockaddr_storage addr;
	struct sockaddr_storage dns[IKE_MAX_DNS];
	size_t ndns;
	char pool[64];
};

struct ike_env {
	void *ctx;
	/* Our NAT-T port: an initiator that detects a NAT moves there
	 * (RFC 3948); 0 means 4500. */
	uint16_t natt_port;
	/* Send one IKE datagram (without the non-ESP marker). */
	bool (*send)(void *ctx, const struct net_endpoints *ep,
		     const uint8_t *msg, size_t len);
	/* A NAT-T keepalive (RFC 3948 2.3) to the peer; NULL: none sent. */
	void (*keepalive)(void *ctx, const struct net_endpoints *ep);
	/* The PSK shared between two identities (either may be matched).
	 * *out allocated; the core wipes it. */
	bool (*psk_lookup)(void *ctx, const struct ike_id *local,
			   const struct ike_id *remote, struct chunk *out);
	/* Lease a virtual IP of family from one of the named pools for the
	 * identity; requested may be the unspecified address. */
	bool (*vip_acquire)(void *ctx, const char pools[][64], size_t npools,
			    int family, const char *identity,
			    const struct sockaddr_storage *requested,
			    struct ike_vip *out);
	void (*vip_release)(void *ctx, const struct ike_vip *vip);
	/* A fresh inbound ESP SPI (unique on this node, never 0). */
	bool (*spi_alloc)(void *ctx, uint32_t *spi);
	/* Hand a negotiated CHILD SA to the datapath; NULL: just logged. */
	bool (*child_install)(void *ctx, const struct ike_sa *sa,
			      const struct child_sa *c);
	void (*child_uninstall)(void *ctx, const struct ike_sa *sa,
				const struct child_sa *c);
	/* Timers: arm (re-arm) for ms milliseconds; cancel; release frees
	 * impl. */
	void (*timer_arm)(void *ctx, struct ike_timer *t, uint32_t ms);
	void (*timer_cancel)(void *ctx, struct ike_timer *t);
	void (*timer_release)(void *ctx, struct ike_timer *t);
	/* Monotonic milliseconds (for statistics and idle times). */
	uint64_t (*now_ms)(void *ctx);
	/* Events for HA and the control socket; NULL: none. */
	void (*event)(void *ctx, enum ike_event ev, const struct ike_sa *sa,
		      const struct child_sa *c);
};

#endif
