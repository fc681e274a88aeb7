/* Internet checksum (RFC 1071) helpers for the offload code: 32-bit
 * big-endian words summed into 64 bits and folded once at the end (a one's
 * complement sum of 32-bit words folds to the same 16-bit sum). Chained
 * chunks must have even lengths except the last. */
#ifndef CYGNET_KERNEL_USERSPACE_CSUM_H
#define CYGNET_KERNEL_USERSPACE_CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	while (len >= 16) {
		uint32_t w[4];

		memcpy(w, p, 16);
		sum += (uint64_t)__builtin_bswap32(w[0]) + __builtin_bswap32(w[1]) +
		       __builtin_bswap32(w[2]) + __builtin_bswap32(w[3]);
		p += 16;
		len -= 16;
	}
	while (len >= 4) {
		sum += (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* Folds to 16 bits (not inverted). */
static inline uint16_t csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Pseudo header of TCP/UDP: addresses from the IP header (v4: 4-byte
 * addresses at 12, v6: 16-byte at 8), protocol and the L4 length. */
static inline uint64_t csum_pseudo(const uint8_t *ip, int version, uint8_t proto, size_t l4len)
{
	uint64_t s = version == 4 ? csum_add(0, ip + 12, 8) : csum_add(0, ip + 8, 32);

	return s + proto + (uint64_t)l4len;
}

static inline void csum_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
