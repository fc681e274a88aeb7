/* Internet checksum (RFC 1071) helpers for the offload code. Sums are
 * carried in network-order semantics (a 16-bit word is p[0] << 8 | p[1]) in
 * 64 bits and folded at the end. Chained chunks must have even lengths
 * except the last. */
#ifndef CYGNET_KERNEL_USERSPACE_CSUM_H
#define CYGNET_KERNEL_USERSPACE_CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Two 64-bit lanes (SSE2 on x86-64, NEON on arm64, plain code elsewhere). */
typedef uint64_t csum_v2 __attribute__((vector_size(16)));

/* The one's complement sum does not depend on byte order (RFC 1071 1.2.B):
 * native 32-bit halves summed into 64-bit lanes (a 64 KiB packet adds up to
 * less than 2^46, so no carry is lost), folded to 16 bits and swapped to
 * network order once per call. Vectorised: it runs over every byte of every
 * TCP segment the datapath splits or coalesces. */
static inline uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	const csum_v2 lo32 = { 0xffffffffu, 0xffffffffu };
	csum_v2 va = { 0, 0 }, vb = { 0, 0 }, w, w2;
	uint64_t s, w8;
	uint16_t h;

	while (len >= 32) {
		memcpy(&w, p, 16);
		memcpy(&w2, p + 16, 16);
		va += w & lo32;
		vb += w >> 32;
		va += w2 & lo32;
		vb += w2 >> 32;
		p += 32;
		len -= 32;
	}
	va += vb;
	s = va[0] + va[1];
	while (len >= 8) {
		memcpy(&w8, p, 8);
		s += (w8 & 0xffffffffu) + (w8 >> 32);
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		memcpy(&h, p, 2);
		s += h;
		s += s < h;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { p[0], 0 };

		memcpy(&h, last, 2);
		s += h;
		s += s < h;
	}
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = __builtin_bswap16((uint16_t)s);
#endif
	return sum + s;
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
