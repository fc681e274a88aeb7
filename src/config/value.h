/* Typed values of the config: booleans, numbers, durations, sizes, lists,
 * addresses, ranges, traffic selectors and secrets. Each parser takes one
 * NUL-terminated item and returns false with a short reason in *why. */
#ifndef CYGNET_CONFIG_VALUE_H
#define CYGNET_CONFIG_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/mem.h"

#define CONFIG_ITEM_MAX 256	/* longest list item */

enum config_host_kind {
	HOST_ANY,	/* %any: either family */
	HOST_ANY4,	/* %any4 */
	HOST_ANY6,	/* %any6 */
	HOST_ADDR,	/* one address (from == to) */
	HOST_SUBNET,	/* CIDR, host bits cleared; from/to its first/last */
	HOST_RANGE,	/* from-to, inclusive */
	HOST_DNS,	/* a name resolved later; dns holds it */
};

/* An address, subnet or range; addresses in network order, 4 or 16 bytes
 * used according to family (AF_INET / AF_INET6, 0 for any and DNS). */
struct config_host {
	enum config_host_kind kind;
	int family;
	uint8_t from[16];
	uint8_t to[16];
	uint8_t prefix;		/* HOST_SUBNET; 32/128 for HOST_ADDR */
	char *dns;		/* HOST_DNS only */
};

/* A traffic selector: dynamic (the peer's or our address / virtual IP) or
 * a subnet/range, with optional protocol and port range. */
struct config_ts {
	bool dynamic;
	struct config_host net;	/* unless dynamic: SUBNET, RANGE or ADDR */
	uint8_t proto;		/* 0 = any */
	uint16_t port_from;	/* 0..65535 = any */
	uint16_t port_to;
};

bool value_parse_bool(const char *s, bool *out);
/* Decimal, no sign, fits in max. */
bool value_parse_uint(const char *s, uint64_t max, uint64_t *out);
/* Number with s/m/h/d (or ms) suffix; a bare number is seconds. */
bool value_parse_duration_ms(const char *s, uint64_t *ms);
/* Number with K/M/G suffix (binary: 1K = 1024). */
bool value_parse_size(const char *s, uint64_t *out);

/* Lists: items separated by commas and/or blanks. Returns false at the end;
 * *pos advances, *off is the item's byte offset in s. Items longer than
 * CONFIG_ITEM_MAX - 1 set *too_long. */
bool value_list_next(const char *s, size_t *pos, char item[CONFIG_ITEM_MAX],
		     size_t *off, bool *too_long);

/* One IP address (v4 or v6) into h as HOST_ADDR. */
bool value_parse_ip(const char *s, struct config_host *h);
/* Host spec for local_addrs/remote_addrs: %any, %any4, %any6, IP, CIDR,
 * range, or a DNS name (kept as a string). */
bool value_parse_host(const char *s, struct config_host *h, const char **why);
/* Subnet, range or single address only (pools, split_include). */
bool value_parse_net(const char *s, struct config_host *h, const char **why);
/* Traffic selector: dynamic | CIDR | range | IP, optional [proto/port]. */
bool value_parse_ts(const char *s, struct config_ts *ts, const char **why);
void config_host_clear(struct config_host *h);
/* "192.0.2.0/24", "10.0.0.1-10.0.0.9", "%any", "dynamic[tcp/80]" */
void config_host_format(const struct config_host *h, char *buf, size_t len);
void config_ts_format(const struct config_ts *ts, char *buf, size_t len);

/* swanctl secret forms: 0x<hex>, 0s<base64>, otherwise the literal bytes. */
bool value_parse_secret(const char *s, struct chunk *out, const char **why);

#endif
