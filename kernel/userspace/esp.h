/* ESP encapsulation and decapsulation for one SA (RFC 4303), tunnel and
 * transport mode, on caller buffers with headroom so nothing is copied.
 *
 * Tunnel mode carries a whole inner IPv4/IPv6 packet (next header 4 / 41,
 * chosen from the IP version). Transport mode carries the payload of an IP
 * packet whose outer header the caller builds; next header is the original
 * protocol. Every drop has a reason (enum esp_result) that is counted on the
 * SA; the SAD adds the counts up for the whole datapath. */
#ifndef CYGNET_KERNEL_USERSPACE_ESP_H
#define CYGNET_KERNEL_USERSPACE_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "kernel/kernel_ipsec.h"
#include "kernel/userspace/esp_crypto.h"
#include "kernel/userspace/replay.h"
#include "lib/htable.h"

enum esp_result {
	ESP_OK = 0,
	ESP_DROP_TRUNCATED,	/* too short for header + IV + trailer + ICV, or misaligned */
	ESP_DROP_UNKNOWN_SPI,	/* no SA, or SPI reserved but not yet installed */
	ESP_DROP_REPLAY,	/* duplicate inside the window */
	ESP_DROP_TOO_OLD,	/* left of the window, or invalid sequence number */
	ESP_DROP_ICV,		/* integrity check failed */
	ESP_DROP_BAD_PAD,	/* pad length past the payload or pad bytes not 1,2,3.. */
	ESP_DROP_BAD_NEXT_HEADER,	/* tunnel mode: not 4 or 41 */
	ESP_DROP_BAD_INNER,	/* tunnel mode: inner IP header inconsistent */
	ESP_DROP_DUMMY,		/* next header 59: TFC dummy packet (dropped on purpose) */
	ESP_DROP_EXPIRED,	/* hard lifetime reached */
	ESP_DROP_SEQ_EXHAUSTED,	/* outbound sequence number would cycle */
	ESP_DROP_NO_ROOM,	/* caller buffer lacks head- or tailroom */
	ESP_DROP_CRYPTO,	/* library failure */
	ESP_RESULT_MAX
};

const char *esp_result_name(enum esp_result r);

/* A packet in a caller buffer: data at base + off, len bytes, cap total.
 * Encapsulation needs esp_headroom() bytes before and esp_tailroom() after.
 * Decapsulation may read the ESP packet from src instead (len bytes, left
 * unchanged) and decrypt it straight to base + off, saving a copy; src is
 * NULL again once the payload is there. */
struct esp_buf {
	uint8_t *base;
	size_t cap;
	size_t off;
	size_t len;
	const uint8_t *src;
};

/* Where the packet's bytes are now. */
static inline const uint8_t *esp_buf_data(const struct esp_buf *b)
{
	return b->src ? b->src : b->base + b->off;
}

struct esp_sa_stats {
	uint64_t bytes;		/* clear-text payload bytes */
	uint64_t packets;
	uint64_t last_use;	/* CLOCK_MONOTONIC seconds, 0 = never */
	uint64_t drops[ESP_RESULT_MAX];
};

struct esp_sa;
/* Raised once per SA for soft and once for hard. */
typedef void (*esp_expire_fn)(void *ctx, struct esp_sa *sa, bool hard);

struct esp_sa {
	struct htable_node node_spi;	/* SAD: inbound by SPI, outbound by SPI+dst */
	struct htable_node node_reqid;	/* SAD: outbound by reqid */
	uint32_t spi;
	enum kernel_dir dir;
	enum kernel_mode mode;
	bool esn;
	bool larval;			/* SPI reserved, no keys yet */
	bool soft_fired, hard_fired;
	uint16_t tfc_pad;
	uint32_t reqid, child_id;
	struct sockaddr_storage src, dst;
	struct kernel_encap encap;
	struct kernel_lifetime soft, hard;
	uint64_t seq_out;		/* outbound: last number used */
	struct replay replay;		/* inbound */
	struct esp_crypto crypto;
	struct esp_sa_stats stats;
	esp_expire_fn on_expire;
	void *expire_ctx;
};

/* An SA from the backend-neutral description (keys are copied into the
 * cipher contexts). NULL with *reason and *err (-errno) on failure. */
struct esp_sa *esp_sa_new(const struct kernel_sa *ksa, int *err, const char **reason);
/* A reserved inbound SPI without keys (see sad_alloc_spi). */
struct esp_sa *esp_sa_new_larval(uint32_t spi, uint32_t reqid);
void esp_sa_free(struct esp_sa *sa);

size_t esp_headroom(const struct esp_sa *sa);
/* For a payload of len bytes. */
size_t esp_tailroom(const struct esp_sa *sa, size_t len);

/* Outbound. proto: transport mode's original protocol; ignored in tunnel
 * mode. On ESP_OK *b is the ESP packet (SPI .. ICV). */
enum esp_result esp_encap(struct esp_sa *sa, struct esp_buf *b, uint8_t proto);

/* Inbound. *b holds the ESP packet from the SPI on. On ESP_OK *b is the
 * payload (tunnel: the inner packet without TFC padding) and *next_header
 * its protocol. The buffer content is undefined after a drop. */
enum esp_result esp_decap(struct esp_sa *sa, struct esp_buf *b, uint8_t *next_header);

#endif
