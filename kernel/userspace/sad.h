/* Security Association Database of the userspace datapath.
 *
 * Three hash tables (lib/htable, seeded randomly so peers cannot aim SPIs at
 * one bucket): inbound SAs by SPI (we choose those, so they are unique, and
 * reserved SPIs live there as larval entries), outbound SAs by SPI + peer
 * address (the peer chooses those; two peers may pick the same), and
 * outbound SAs by reqid (what a PROTECT policy points to; the newest SA of a
 * reqid wins, which is what a rekey wants). */
#ifndef CYGNET_KERNEL_USERSPACE_SAD_H
#define CYGNET_KERNEL_USERSPACE_SAD_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/userspace/esp.h"
#include "lib/htable.h"

struct sad {
	struct htable in;
	struct htable out_spi;
	struct htable out_reqid;
	uint64_t drops[ESP_RESULT_MAX];	/* all SAs plus unknown SPIs */
};

bool sad_init(struct sad *s);
/* Frees every SA still in the tables. */
void sad_free(struct sad *s);

/* Reserve a random inbound SPI in 256..2^32-1 not in use. 0 or -errno. */
int sad_alloc_spi(struct sad *s, uint32_t reqid, uint32_t *spi);
/* Take ownership of sa. An inbound SA may replace its own larval
 * reservation; any other duplicate is -EEXIST (and sa stays the caller's). */
int sad_add(struct sad *s, struct esp_sa *sa);
/* Unlink and free (also for larval reservations). */
void sad_del(struct sad *s, struct esp_sa *sa);

/* Inbound SA by SPI, larval reservations included (check sa->larval). */
struct esp_sa *sad_find_in(const struct sad *s, uint32_t spi);
struct esp_sa *sad_find_out(const struct sad *s, uint32_t spi, const struct sockaddr *dst);
/* The newest outbound SA of reqid. */
struct esp_sa *sad_find_out_reqid(const struct sad *s, uint32_t reqid);

/* Inbound ESP: look the SPI up and decapsulate; counts every drop in
 * s->drops. *sa_out is the SA when one was found (even on a later drop). */
enum esp_result sad_decap(struct sad *s, struct esp_buf *b, uint8_t *next_header,
			  struct esp_sa **sa_out);

/* Address bytes of a sockaddr (4 for IPv4, 16 for IPv6); false otherwise. */
bool sad_addr_of(const struct sockaddr *sa, struct kernel_ip *out);

#endif
