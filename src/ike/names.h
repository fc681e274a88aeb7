/* Names of IKEv2 numbers for logs, and a one-line message summary.
 *
 * Every function returns a static string for known values and
 * "UNKNOWN(n)" for others. The unknown text lives in a thread-local ring of
 * IKE_NAME_RING buffers: thread-safe, and valid until that many more unknown
 * names were formatted on the same thread (enough for one log line). */
#ifndef CYGNET_IKE_NAMES_H
#define CYGNET_IKE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ike_msg;

#define IKE_NAME_RING 8

const char *ike_exchange_name(uint8_t exchange);	/* "IKE_SA_INIT" */
const char *ike_payload_name(uint8_t type);		/* "Security Association" */
const char *ike_payload_short_name(uint8_t type);	/* "SA", "No", "TSi" */
const char *ike_notify_name(uint16_t type);	/* "NAT_DETECTION_SOURCE_IP" */
const char *ike_notify_short_name(uint16_t type);	/* "NATD_S_IP" */
static inline bool ike_notify_is_error(uint16_t type)
{
	return type < 16384;	/* RFC 7296 3.10.1: 0..16383 are errors */
}
const char *ike_protocol_name(uint8_t protocol);	/* "ESP" */
const char *ike_transform_type_name(uint8_t type);	/* "ENCR" */
/* The id's name within its transform type: "AES_GCM_16", "MODP_2048" */
const char *ike_transform_id_name(uint8_t type, uint16_t id);
const char *ike_id_type_name(uint8_t type);		/* "ID_FQDN" */
const char *ike_auth_method_name(uint8_t method);	/* "SHARED_KEY_MIC" */
const char *ike_cert_encoding_name(uint8_t enc);	/* "X509_SIGNATURE" */
const char *ike_ts_type_name(uint8_t type);	/* "TS_IPV4_ADDR_RANGE" */
const char *ike_cfg_type_name(uint8_t type);		/* "CFG_REQUEST" */
const char *ike_cfg_type_short_name(uint8_t type);	/* "CPRQ" */
const char *ike_cfg_attr_name(uint16_t type);	/* "INTERNAL_IP4_ADDRESS" */
const char *ike_cfg_attr_short_name(uint16_t type);	/* "ADDR" */
const char *ike_hash_name(uint16_t id);			/* "SHA2_256" */

/* strongSwan-style one-liner into buf (always NUL-terminated, truncated
 * with "..." if short); returns strlen(buf):
 *   "IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]"
 * Decrypted inner payloads are listed instead of SK (an empty decrypted
 * chain gives "[ ]", m->decrypted); undecrypted ones show
 * as SK or EF(i/n). */
size_t ike_msg_summary(const struct ike_msg *m, char *buf, size_t len);

#endif
