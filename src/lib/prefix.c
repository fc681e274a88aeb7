#include "lib/prefix.h"

#include <string.h>
#include <sys/socket.h>

typedef unsigned __int128 u128;

static u128 load(const uint8_t *a, unsigned n)
{
	u128 v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | a[i];
	return v;
}

static void store(u128 v, uint8_t *a, unsigned n)
{
	for (unsigned i = n; i-- > 0; v >>= 8)
		a[i] = (uint8_t)v;
}

int prefix_cover_range(int family, const uint8_t *from, const uint8_t *to,
		       struct prefix *out, int max)
{
	unsigned n = family == AF_INET ? 4 : 16, bits = n * 8;
	u128 lo = load(from, n), hi = load(to, n);
	int count = 0;

	if (lo > hi)
		return -1;
	for (;;) {
		unsigned host = 0;

		/* grow the block while lo stays aligned and it stays inside */
		while (host < bits) {
			unsigned h = host + 1;
			u128 mask = h == 128 ? ~(u128)0 : ((u128)1 << h) - 1;

			if ((lo & mask) || lo + mask > hi || lo + mask < lo)
				break;
			host = h;
		}
		if (count == max)
			return -1;
		memset(out[count].a, 0, sizeof(out[count].a));
		store(lo, out[count].a, n);
		out[count].len = bits - host;
		count++;
		if (host == bits)
			return count;	/* the whole space */
		u128 last = lo + (((u128)1 << host) - 1);

		if (last >= hi)
			return count;
		lo = last + 1;
	}
}
