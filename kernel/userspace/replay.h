/* ESP anti-replay window (RFC 4303 section 3.4.3 and Appendix A2).
 *
 * The window is a ring of `window` bits indexed by seq mod window, next to
 * the highest authenticated sequence number (top). The receive path calls
 * replay_check before decryption (it changes nothing, so a forged packet
 * cannot move the window) and replay_update only after the ICV verified.
 * With ESN the high 32 bits are inferred from the low 32 bits on the wire
 * and the window position, as in RFC 4303 Appendix A2.2. */
#ifndef CYGNET_KERNEL_USERSPACE_REPLAY_H
#define CYGNET_KERNEL_USERSPACE_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_WINDOW_DEFAULT 128
#define REPLAY_WINDOW_MIN 32
#define REPLAY_WINDOW_MAX 4096

enum replay_verdict {
	REPLAY_OK = 0,
	REPLAY_DUPLICATE,	/* inside the window and already seen */
	REPLAY_TOO_OLD,		/* left of the window (or before the first subspace) */
	REPLAY_INVALID,		/* sequence number 0, or ESN space exhausted */
};

struct replay {
	uint64_t top;		/* highest authenticated seq; 0 = none yet */
	uint32_t window;	/* bits, power of two in [MIN, MAX] */
	bool esn;
	uint64_t ring[REPLAY_WINDOW_MAX / 64];
};

/* window 0 selects the default; false if not a power of two in range. */
bool replay_init(struct replay *r, uint32_t window, bool esn);

/* May a packet with this on-the-wire sequence number be accepted? Infers the
 * full 64-bit number into *seq (the low 32 bits unchanged without ESN). Does
 * not change r. */
enum replay_verdict replay_check(const struct replay *r, uint32_t seq_lo, uint64_t *seq);

/* Record an authenticated packet. Re-checks, so two packets with the same
 * number that both passed replay_check cannot both be accepted. */
enum replay_verdict replay_update(struct replay *r, uint64_t seq);

/* HA state transfer: bit i of bitmap (word i / 64, bit i % 64) means
 * top - i was received. bitmap holds window / 64 words (at least 1). */
void replay_export(const struct replay *r, uint64_t *top, uint64_t *bitmap);
/* Window size and ESN flag stay as initialised. */
void replay_import(struct replay *r, uint64_t top, const uint64_t *bitmap);

const char *replay_verdict_name(enum replay_verdict v);

#endif
