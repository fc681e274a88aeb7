/* In-memory virtual IP pools (RFC 7296 section 3.15 CP payload addresses).
 *
 * A pool is a range of IPv4 or IPv6 addresses. An identity that reconnects
 * gets its previous address back while that address is not leased to
 * someone else; released leases stay "offline" and remember their identity,
 * and fresh addresses are handed out before offline ones are reused. Every
 * operation is O(1) (identity lookup by hash, addresses by offset). */
#ifndef CYGNET_POOL_POOL_H
#define CYGNET_POOL_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define POOL_MAX_SIZE (1u << 24)	/* larger ranges are clipped, with a warning */
#define POOL_MAX_ATTRS 8

struct pool;

enum pool_lease_state { LEASE_FREE, LEASE_ONLINE, LEASE_OFFLINE };

struct pool_lease_info {
	struct sockaddr_storage addr;
	const char *identity;
	enum pool_lease_state state;
};

/* "10.3.0.0/24" (network and broadcast excluded for IPv4 prefixes < /31),
 * "10.3.0.10-10.3.0.50" or "2001:db8::/120". On error returns NULL and
 * writes the reason into err. */
struct pool *pool_create(const char *name, const char *addrs, char *err, size_t errlen);
void pool_free(struct pool *p);
const char *pool_name(const struct pool *p);
int pool_family(const struct pool *p);

/* DNS servers (and other address attributes) handed out with the lease. */
bool pool_add_dns(struct pool *p, const char *addr, char *err, size_t errlen);
size_t pool_dns(const struct pool *p, const struct sockaddr_storage **out);

/* Leases an address to identity. The identity's previous address wins;
 * otherwise `requested` (may be NULL or the unspecified address) is honoured
 * when it is a released address nobody claims; otherwise a never-used
 * address, and last the longest-released one. Returns false when the pool
 * is exhausted. */
bool pool_acquire(struct pool *p, const char *identity,
		  const struct sockaddr_storage *requested, struct sockaddr_storage *out);
/* Marks the lease offline; the identity keeps a claim until reuse. */
bool pool_release(struct pool *p, const struct sockaddr_storage *addr);
/* Whether addr lies in the pool. */
bool pool_contains(const struct pool *p, const struct sockaddr_storage *addr);

uint32_t pool_size(const struct pool *p);
uint32_t pool_online(const struct pool *p);
uint32_t pool_offline(const struct pool *p);
/* The base address for get-pools, as charon reports it: the network
 * address of a CIDR pool (not handed out), the first address of a range. */
const struct sockaddr_storage *pool_base(const struct pool *p);
/* Calls fn for every lease that is online or offline, in address order. */
void pool_foreach_lease(const struct pool *p,
			void (*fn)(void *ctx, const struct pool_lease_info *l), void *ctx);

#endif
