/* Address ranges as prefixes: IKEv2 selectors are ranges, routes and XFRM
 * selectors are prefixes. */
#ifndef CYGNET_LIB_PREFIX_H
#define CYGNET_LIB_PREFIX_H

#include <stdint.h>

struct prefix {
	uint8_t a[16];		/* network order; IPv4 uses the first 4 bytes */
	unsigned len;
};

/* Exact cover of the inclusive range [from, to] (family AF_INET or
 * AF_INET6) by prefixes, largest first. Returns the count, or -1 when the
 * range is inverted or more than max prefixes are needed. */
int prefix_cover_range(int family, const uint8_t *from, const uint8_t *to,
		       struct prefix *out, int max);

#endif
