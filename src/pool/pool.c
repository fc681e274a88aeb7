#include "pool/pool.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

#define NO_LEASE UINT32_MAX

/* An identity's claim on one offset; chained in the identity hash. */
struct pool_claim {
	char *identity;
	uint32_t offset;
	struct pool_claim *next;
};

struct pool_lease {
	struct pool_claim *claim;		/* NULL while never leased */
	enum pool_lease_state state;
	uint32_t older, newer;			/* offline FIFO links */
};

struct pool {
	char *name;
	int family;
	uint8_t base[16];			/* first address, network order */
	uint32_t size;
	uint32_t next_unused;			/* offsets below were leased once */
	uint32_t online, offline;
	uint32_t oldest_offline, newest_offline;
	struct pool_lease *leases;		/* grows with next_unused */
	uint32_t leases_cap;
	struct pool_claim **buckets;
	uint32_t nbuckets, nclaims;
	struct sockaddr_storage base_ss;	/* as charon reports it: a CIDR's network */
	struct sockaddr_storage dns[POOL_MAX_ATTRS];
	size_t ndns;
};

static void set_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static bool addr_parse(const char *s, int *family, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

/* a += v over n big-endian bytes */
static void addr_add(uint8_t *a, size_t n, uint64_t v)
{
	for (size_t i = n; i-- > 0 && v;) {
		uint64_t sum = a[i] + (v & 0xff);

		a[i] = (uint8_t)sum;
		v = (v >> 8) + (sum >> 8);
	}
}

/* a -= 1 over n big-endian bytes */
static void addr_dec(uint8_t *a, size_t n)
{
	for (size_t i = n; i-- > 0;)
		if (a[i]-- != 0)
			break;
}

/* b - a, saturated at 2^32 - 1; false when b < a */
static bool addr_diff(const uint8_t *a, const uint8_t *b, size_t n, uint64_t *out)
{
	int c = memcmp(a, b, n);
	uint8_t x[16];
	uint64_t d = 0;
	int borrow = 0;

	if (c > 0)
		return false;
	for (size_t i = n; i-- > 0;) {
		int v = b[i] - a[i] - borrow;

		borrow = v < 0;
		x[i] = (uint8_t)(v + (borrow ? 256 : 0));
	}
	for (size_t i = 0; i + 4 < n; i++) {
		if (x[i]) {
			*out = UINT32_MAX;
			return true;
		}
	}
	for (size_t i = n - 4; i < n; i++)
		d = d << 8 | x[i];
	*out = d;
	return true;
}

static void addr_to_ss(int family, const uint8_t *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	if (family == AF_INET)
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, a, 4);
	else
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, a, 16);
}

static const uint8_t *ss_bytes(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
	return (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
}

static bool pool_parse_addrs(struct pool *p, const char *addrs, char *err, size_t errlen)
{
	char buf[128], *sep;
	uint8_t last[16];
	uint64_t span;
	int fam2;

	if (strlen(addrs) >= sizeof(buf)) {
		set_err(err, errlen, "pool address '%s' is too long", addrs);
		return false;
	}
	strcpy(buf, addrs);
	if ((sep = strchr(buf, '/'))) {
		char *end;
		long plen;
		size_t n, bits;

		*sep = '\0';
		plen = strtol(sep + 1, &end, 10);
		if (!addr_parse(buf, &p->family, p->base) || *end || sep[1] == '\0') {
			set_err(err, errlen, "'%s' is not an address/prefix", addrs);
			return false;
		}
		n = addr_len(p->family);
		bits = n * 8;
		if (plen < 0 || (size_t)plen > bits) {
			set_err(err, errlen, "prefix length /%ld out of range in '%s'", plen, addrs);
			return false;
		}
		for (size_t i = 0; i < n; i++) {
			size_t lo = i * 8;
			uint8_t mask = (size_t)plen >= lo + 8 ? 0xff :
				       (size_t)plen <= lo ? 0 : (uint8_t)(0xff << (8 - (plen - lo)));

			p->base[i] &= mask;
			last[i] = p->base[i] | (uint8_t)~mask;
		}
		addr_to_ss(p->family, p->base, &p->base_ss);
		/* network and broadcast are not handed out */
		if ((size_t)plen + 1 < bits) {
			addr_add(p->base, n, 1);
			addr_dec(last, n);
		}
	} else if ((sep = strchr(buf, '-'))) {
		*sep = '\0';
		if (!addr_parse(buf, &p->family, p->base) || !addr_parse(sep + 1, &fam2, last) ||
		    fam2 != p->family) {
			set_err(err, errlen, "'%s' is not a range FROM-TO of one address family",
				addrs);
			return false;
		}
	} else {
		if (!addr_parse(buf, &p->family, p->base)) {
			set_err(err, errlen, "'%s' is not an address, CIDR or range", addrs);
			return false;
		}
		memcpy(last, p->base, 16);
	}
	if (!addr_diff(p->base, last, addr_len(p->family), &span)) {
		set_err(err, errlen, "range '%s' ends before it starts", addrs);
		return false;
	}
	if (span >= POOL_MAX_SIZE) {
		log_warn("pool %s: %s holds more than %u addresses, using the first %u",
			 p->name, addrs, POOL_MAX_SIZE, POOL_MAX_SIZE);
		span = POOL_MAX_SIZE - 1;
	}
	p->size = (uint32_t)span + 1;
	if (!p->base_ss.ss_family)	/* a range or one address: its first */
		addr_to_ss(p->family, p->base, &p->base_ss);
	return true;
}

struct pool *pool_create(const char *name, const char *addrs, char *err, size_t errlen)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (!p || !(p->name = strdup(name))) {
		free(p);
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	p->oldest_offline = p->newest_offline = NO_LEASE;
	if (!pool_parse_addrs(p, addrs, err, errlen)) {
		pool_free(p);
		return NULL;
	}
	p->nbuckets = 64;
	p->buckets = calloc(p->nbuckets, sizeof(*p->buckets));
	if (!p->buckets) {
		set_err(err, errlen, "out of memory");
		pool_free(p);
		return NULL;
	}
	return p;
}

void pool_free(struct pool *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; p->buckets && i < p->nbuckets; i++) {
		for (struct pool_claim *c = p->buckets[i], *n; c; c = n) {
			n = c->next;
			free(c->identity);
			free(c);
		}
	}
	free(p->buckets);
	free(p->leases);
	free(p->name);
	free(p);
}

const char *pool_name(const struct pool *p) { return p->name; }
int pool_family(const struct pool *p) { return p->family; }
uint32_t pool_size(const struct pool *p) { return p->size; }
uint32_t pool_online(const struct pool *p) { return p->online; }
uint32_t pool_offline(const struct pool *p) { return p->offline; }
const struct sockaddr_storage *pool_base(const struct pool *p) { return &p->base_ss; }

bool pool_add_dns(struct pool *p, const char *addr, char *err, size_t errlen)
{
	uint8_t a[16];
	int family;

	if (p->ndns >= POOL_MAX_ATTRS) {
		set_err(err, errlen, "pool %s: more than %d dns servers", p->name, POOL_MAX_ATTRS);
		return false;
	}
	if (!addr_parse(addr, &family, a)) {
		set_err(err, errlen, "pool %s: dns '%s' is not an IP address", p->name, addr);
		return false;
	}
	addr_to_ss(family, a, &p->dns[p->ndns++]);
	return true;
}

size_t pool_dns(const struct pool *p, const struct sockaddr_storage **out)
{
	*out = p->dns;
	return p->ndns;
}

/* FNV-1a: identities are chosen by authenticated peers, and chains are short. */
static uint32_t identity_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static struct pool_claim *claim_find(const struct pool *p, const char *identity)
{
	for (struct pool_claim *c = p->buckets[identity_hash(identity) & (p->nbuckets - 1)]; c;
	     c = c->next)
		if (strcmp(c->identity, identity) == 0)
			return c;
	return NULL;
}

static void claim_unlink(struct pool *p, struct pool_claim *claim)
{
	struct pool_claim **pp = &p->buckets[identity_hash(claim->identity) & (p->nbuckets - 1)];

	while (*pp != claim)
		pp = &(*pp)->next;
	*pp = claim->next;
	p->nclaims--;
}

static bool claim_insert(struct pool *p, struct pool_claim *claim)
{
	if (p->nclaims >= p->nbuckets) {
		uint32_t n = p->nbuckets * 2;
		struct pool_claim **b = calloc(n, sizeof(*b));

		if (!b)
			return false;
		for (uint32_t i = 0; i < p->nbuckets; i++) {
			for (struct pool_claim *c = p->buckets[i], *next; c; c = next) {
				uint32_t h = identity_hash(c->identity) & (n - 1);

				next = c->next;
				c->next = b[h];
				b[h] = c;
			}
		}
		free(p->buckets);
		p->buckets = b;
		p->nbuckets = n;
	}
	uint32_t h = identity_hash(claim->identity) & (p->nbuckets - 1);

	claim->next = p->buckets[h];
	p->buckets[h] = claim;
	p->nclaims++;
	return true;
}

static void offline_unlink(struct pool *p, uint32_t off)
{
	struct pool_lease *l = &p->leases[off];

	if (l->older != NO_LEASE)
		p->leases[l->older].newer = l->newer;
	else
		p->oldest_offline = l->newer;
	if (l->newer != NO_LEASE)
		p->leases[l->newer].older = l->older;
	else
		p->newest_offline = l->older;
	p->offline--;
}

static bool leases_reserve(struct pool *p, uint32_t off)
{
	uint32_t cap = p->leases_cap ? p->leases_cap : 64;
	struct pool_lease *l;

	if (off < p->leases_cap)
		return true;
	while (cap <= off)
		cap *= 2;
	if (cap > p->size)
		cap = p->size;
	l = realloc(p->leases, (size_t)cap * sizeof(*l));
	if (!l)
		return false;
	memset(l + p->leases_cap, 0, (size_t)(cap - p->leases_cap) * sizeof(*l));
	p->leases = l;
	p->leases_cap = cap;
	return true;
}

/* Offset of addr, or NO_LEASE when it is outside the pool. */
static uint32_t pool_offset(const struct pool *p, const struct sockaddr_storage *addr)
{
	uint64_t d;

	if (addr->ss_family != p->family ||
	    !addr_diff(p->base, ss_bytes(addr), addr_len(p->family), &d) || d >= p->size)
		return NO_LEASE;
	return (uint32_t)d;
}

bool pool_contains(const struct pool *p, const struct sockaddr_storage *addr)
{
	return pool_offset(p, addr) != NO_LEASE;
}

static void offset_to_ss(const struct pool *p, uint32_t off, struct sockaddr_storage *out)
{
	uint8_t a[16];

	memcpy(a, p->base, 16);
	addr_add(a, addr_len(p->family), off);
	addr_to_ss(p->family, a, out);
}

static bool is_unspecified(const struct sockaddr_storage *ss)
{
	static const uint8_t zero[16];

	return ss->ss_family != AF_INET && ss->ss_family != AF_INET6 ?
		       true : memcmp(ss_bytes(ss), zero, addr_len(ss->ss_family)) == 0;
}

/* Moves lease off to identity (taking it from a previous owner's claim). */
static bool lease_take(struct pool *p, uint32_t off, const char *identity)
{
	struct pool_lease *l = &p->leases[off];
	struct pool_claim *claim = claim_find(p, identity);

	if (claim && claim->offset != off) {
		/* the identity moves: its old offline lease forgets it */
		struct pool_lease *old = &p->leases[claim->offset];

		if (old->state == LEASE_ONLINE)
			return false;	/* one online lease per identity and pool */
		old->claim = NULL;
		claim->offset = off;
	}
	if (l->claim && l->claim != claim) {
		claim_unlink(p, l->claim);
		free(l->claim->identity);
		free(l->claim);
		l->claim = NULL;
	}
	if (!claim) {
		claim = calloc(1, sizeof(*claim));
		if (!claim || !(claim->identity = strdup(identity)) || !claim_insert(p, claim)) {
			if (claim)
				free(claim->identity);
			free(claim);
			return false;
		}
		claim->offset = off;
	}
	if (l->state == LEASE_OFFLINE)
		offline_unlink(p, off);
	if (l->state != LEASE_ONLINE)
		p->online++;
	l->claim = claim;
	l->state = LEASE_ONLINE;
	return true;
}

bool pool_acquire(struct pool *p, const char *identity,
		  const struct sockaddr_storage *requested, struct sockaddr_storage *out)
{
	struct pool_claim *claim = claim_find(p, identity);
	uint32_t off = NO_LEASE;

	if (claim) {
		/* reconnect: the same address again (also while still online,
		 * e.g. a re-authentication that overlaps the old SA) */
		off = claim->offset;
		if (p->leases[off].state == LEASE_ONLINE) {
			offset_to_ss(p, off, out);
			return true;
		}
	} else if (requested && !is_unspecified(requested)) {
		uint32_t want = pool_offset(p, requested);

		if (want != NO_LEASE && want < p->next_unused &&
		    p->leases[want].state != LEASE_ONLINE && !p->leases[want].claim)
			off = want;
	}
	if (off == NO_LEASE && p->next_unused < p->size) {
		if (!leases_reserve(p, p->next_unused))
			return false;
		off = p->next_unused++;
	}
	if (off == NO_LEASE)
		off = p->oldest_offline;	/* reuse the longest-unused lease */
	if (off == NO_LEASE) {
		log_warn("pool %s: exhausted (%u addresses online)", p->name, p->online);
		return false;
	}
	if (!lease_take(p, off, identity))
		return false;
	offset_to_ss(p, off, out);
	return true;
}

bool pool_release(struct pool *p, const struct sockaddr_storage *addr)
{
	uint32_t off = pool_offset(p, addr);
	struct pool_lease *l;

	if (off == NO_LEASE || off >= p->next_unused)
		return false;
	l = &p->leases[off];
	if (l->state != LEASE_ONLINE)
		return false;
	l->state = LEASE_OFFLINE;
	p->online--;
	p->offline++;
	l->newer = NO_LEASE;
	l->older = p->newest_offline;
	if (p->newest_offline != NO_LEASE)
		p->leases[p->newest_offline].newer = off;
	else
		p->oldest_offline = off;
	p->newest_offline = off;
	return true;
}

void pool_foreach_lease(const struct pool *p,
			void (*fn)(void *ctx, const struct pool_lease_info *l), void *ctx)
{
	for (uint32_t off = 0; off < p->next_unused; off++) {
		const struct pool_lease *l = &p->leases[off];
		struct pool_lease_info info;

		if (l->state == LEASE_FREE || !l->claim)
			continue;
		offset_to_ss(p, off, &info.addr);
		info.identity = l->claim->identity;
		info.state = l->state;
		fn(ctx, &info);
	}
}
