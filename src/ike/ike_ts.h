/* Traffic selectors (RFC 7296 2.9): from conf, narrowing, printing. */
#ifndef CYGNET_IKE_IKE_TS_H
#define CYGNET_IKE_IKE_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "ike/ike_conf.h"
#include "ike/msg.h"

/* A conf selector as a wire selector; dynamic ones become the single
 * address dyn (NULL or unspecified: the whole family range of the conf). */
bool ts_from_conf(const struct ike_ts_conf *c, const struct sockaddr_storage *dyn,
		  struct ike_ts *out);
/* A selector covering exactly one address. */
void ts_from_addr(const struct sockaddr_storage *a, struct ike_ts *out);
/* Intersections of every proposed selector with every allowed one, in the
 * proposed order; returns the count written (<= max). */
size_t ts_narrow(const struct ike_ts *allowed, size_t n_allowed,
		 const struct ike_ts *proposed, size_t n_proposed,
		 struct ike_ts *out, size_t max);
/* Is every selector of sub inside one of sup? (initiator's check) */
bool ts_all_within(const struct ike_ts *sub, size_t n_sub,
		   const struct ike_ts *sup, size_t n_sup);
/* "10.1.0.0/24" or "10.0.0.1-10.0.0.9", with [proto/port] when set. */
const char *ts_str(const struct ike_ts *ts, char *buf, size_t len);
/* Adds TSi or TSr (type) with n selectors copied into m. */
bool ts_add_payload(struct ike_msg *m, uint8_t type, const struct ike_ts *ts,
		    size_t n);

#endif
