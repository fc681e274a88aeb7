/* Security Policy Database of the userspace datapath (RFC 4301 4.4.1).
 *
 * Per direction, policies whose remote side is a single address (the common
 * road-warrior case: one virtual IP per client) sit in a hash table keyed by
 * that address; all others sit in one list sorted by priority that lookup
 * walks linearly, stopping as soon as no better priority can follow. That
 * list is meant for a handful of site-to-site and catch-all policies; a
 * gateway with thousands of range policies would want a trie here.
 * "Remote" is the destination for OUT and the source for IN/FWD.
 * The best match is the lowest priority value, ties going to the policy
 * installed first. */
#ifndef CYGNET_KERNEL_USERSPACE_SPD_H
#define CYGNET_KERNEL_USERSPACE_SPD_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kernel_ipsec.h"
#include "lib/htable.h"

struct spd_policy {
	struct htable_node node;	/* exact table */
	struct spd_policy *next;	/* range list */
	bool exact;
	uint64_t order;
	uint64_t hits;
	struct kernel_policy pol;
};

struct spd_dir {
	struct htable exact;
	struct spd_policy *ranges;
};

struct spd {
	struct spd_dir dir[3];		/* enum kernel_dir */
	uint64_t next_order;
};

/* What a packet offers to the selectors (addresses in network order). */
struct spd_key {
	uint8_t family;
	uint8_t src[16], dst[16];
	uint8_t proto;
	uint16_t sport, dport;	/* ICMP: type, code */
	bool ports_known;	/* false for non-first fragments and port-less protocols */
};

bool spd_init(struct spd *s);
void spd_free(struct spd *s);
/* 0, -EEXIST (same selector and direction installed), -EINVAL, -ENOMEM. */
int spd_add(struct spd *s, const struct kernel_policy *p);
/* Removes the policy with the same selector, direction and reqid; -ENOENT. */
int spd_del(struct spd *s, const struct kernel_policy *p);
/* Best matching policy or NULL. Counts a hit on it. */
const struct kernel_policy *spd_lookup(struct spd *s, enum kernel_dir dir,
				       const struct spd_key *k);

/* Fill k from an IPv4/IPv6 packet (bounded parse; walks IPv6 extension
 * headers). false with *reason if the packet is malformed. */
bool spd_key_from_packet(const uint8_t *pkt, size_t len, struct spd_key *k,
			 const char **reason);

#endif
