/* IKEv2 message codec (RFC 7296, RFC 7383 fragments).
 *
 * What it does
 *   - parses a datagram into a header and a list of typed payloads, up to and
 *     including an SK (Encrypted) or SKF (Encrypted Fragment) payload, whose
 *     body stays opaque;
 *   - parses a decrypted inner payload chain into the same message, so the SK
 *     layer does: ike_msg_parse() -> decrypt -> ike_msg_parse_inner();
 *   - serializes payload structs: a whole plain message (IKE_SA_INIT), an
 *     inner chain to be encrypted, and the header + SK/SKF generic header in
 *     front of an encrypted body.
 *   It does no crypto and no exchange semantics (which payloads an exchange
 *   needs, proposal selection): only syntax, bounds and limits.
 *
 * Transport: the socket layer strips the 4-byte non-ESP marker of port 4500
 * before calling ike_msg_parse(), and prepends it when sending; the codec
 * only ever sees the IKE header at offset 0.
 *
 * Ownership (zero copy)
 *   - ike_msg_parse() keeps pointers into the datagram: the caller keeps the
 *     datagram alive and unchanged until ike_msg_free().
 *   - ike_msg_parse_inner() keeps pointers into the decrypted buffer: the
 *     caller keeps it alive, or hands a malloc'd buffer over with
 *     ike_msg_adopt() so ike_msg_free() wipes and frees it.
 *   - Arrays the parser creates (proposals, transforms, selectors, CP
 *     attributes) live in the message's own arena, freed by ike_msg_free().
 *   - A builder fills payload structs with pointers to its own memory, or to
 *     memory from ike_msg_alloc()/ike_msg_dup() (freed with the message); all
 *     of it must stay valid until the message is written.
 *   struct ike_msg is large (it holds IKE_MAX_PAYLOADS payload slots inline):
 *   put it on the heap or in a long-lived object, not in a deep stack.
 *
 * Errors: every parse/write function returns enum ike_err_code (IKE_OK = 0)
 * and fills struct ike_err with a reason a log line can show, the notify
 * type a responder should send (0: drop silently) and the offending payload.
 */
#ifndef CYGNET_IKE_MSG_H
#define CYGNET_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/iana.h"
#include "lib/wbuf.h"

#define IKE_HDR_LEN		28	/* fixed IKE header */
#define IKE_GENERIC_HDR_LEN	4	/* next, critical|reserved, length */
#define IKE_SKF_HDR_LEN		8	/* generic header + fragment no + total */
#define IKE_PAYLOAD_CRITICAL	0x80
#define IKE_VERSION_2_0		0x20	/* major 2, minor 0 */

/* Limits: anything above is refused with IKE_ERR_LIMIT (notify
 * INVALID_SYNTAX). Each is far above what any real peer sends. */
#define IKE_MAX_PAYLOADS	128	/* per message, outer + inner together */
#define IKE_MAX_PROPOSALS	64	/* per SA payload */
#define IKE_MAX_TRANSFORMS	64	/* per proposal */
#define IKE_MAX_ATTRS		16	/* per transform */
#define IKE_MAX_TS		64	/* per TSi/TSr payload */
#define IKE_MAX_CP_ATTRS	64	/* per CP payload */
#define IKE_MAX_DELETE_SPIS	256	/* per Delete payload */
#define IKE_MAX_SPI_LEN		8	/* proposal/notify/delete SPI size */
#define IKE_NONCE_MIN		16	/* RFC 7296 2.10: 16..256 octets */
#define IKE_NONCE_MAX		256
#define IKE_MAX_FRAGMENTS	255	/* SKF total fragments we accept */

/* A view of bytes owned by someone else (see Ownership above). */
struct ike_bytes {
	const uint8_t *ptr;
	size_t len;
};

enum ike_err_code {
	IKE_OK = 0,
	IKE_ERR_HEADER,		/* < 28 bytes or length != datagram: drop */
	IKE_ERR_VERSION,	/* major version != 2: INVALID_MAJOR_VERSION */
	IKE_ERR_SYNTAX,		/* malformed payload: INVALID_SYNTAX */
	IKE_ERR_CRITICAL,	/* unknown critical payload:
				 * UNSUPPORTED_CRITICAL_PAYLOAD, data = type */
	IKE_ERR_LIMIT,		/* a count above IKE_MAX_*: INVALID_SYNTAX */
	IKE_ERR_NOMEM,		/* allocation failed: drop */
	IKE_ERR_BUILD,		/* writer: the payload structs are invalid */
};

struct ike_err {
	enum ike_err_code code;
	uint16_t notify;	/* enum ike_notify_type to answer with, 0: none */
	uint8_t payload;	/* offending payload type (0: header/none) */
	char reason[160];	/* e.g. "TSi: selector 3 length 24 exceeds
				 * remaining 16 bytes" */
};

/* The fixed header. SPIs as 64-bit numbers (network order on the wire), so
 * "%016" PRIx64 prints them as on the wire. */
struct ike_header {
	uint64_t spi_i;
	uint64_t spi_r;
	uint8_t next;		/* parse: first payload; write: computed */
	uint8_t version;	/* parse: as received (major 2, any minor);
				 * write: always 0x20 */
	uint8_t exchange;	/* enum ike_exchange */
	uint8_t flags;		/* IKE_FLAG_INITIATOR | _RESPONSE | _VERSION */
	uint32_t msg_id;
	uint32_t length;	/* parse: == datagram length; write: computed */
};

/* --- SA payload --------------------------------------------------------- */

/* Transform attribute. TV (AF bit set): 'value' holds the 16-bit value.
 * TLV: 'data' holds the value bytes. */
struct ike_attr {
	uint16_t type;		/* without the AF bit */
	bool tv;
	uint16_t value;
	struct ike_bytes data;
};

struct ike_transform {
	uint8_t type;		/* enum ike_transform_type */
	uint16_t id;		/* enum ike_encr_id / prf / integ / ke / esn */
	/* Parse: the Key Length attribute (TRANS_ATTR_KEY_LENGTH) or 0.
	 * Write: written as a TV attribute when nattrs == 0 and != 0. */
	uint16_t key_length;
	/* Parse: every attribute in wire order, Key Length included.
	 * Write: when nattrs > 0 they are written verbatim, key_length is not
	 * added. */
	const struct ike_attr *attrs;
	size_t nattrs;
	/* Parse: an attribute other than Key Length was present. RFC 7296
	 * 3.3.6: the selector must then reject this transform. */
	bool unknown_attrs;
};

struct ike_proposal {
	uint8_t num;		/* requests: 1, 2, 3 ... (checked on parse) */
	uint8_t protocol;	/* enum ike_protocol_id */
	struct ike_bytes spi;	/* 0, 4 or 8 bytes */
	const struct ike_transform *transforms;
	size_t ntransforms;
};

struct ike_pl_sa {
	const struct ike_proposal *proposals;
	size_t nproposals;
};

/* --- simple payloads ---------------------------------------------------- */

struct ike_pl_ke {
	uint16_t group;		/* enum ike_ke_id */
	struct ike_bytes data;	/* never empty */
};

struct ike_pl_id {		/* IDi, IDr */
	uint8_t type;		/* enum ike_id_type */
	struct ike_bytes data;
};

struct ike_pl_cert {		/* CERT, CERTREQ */
	uint8_t encoding;	/* enum ike_cert_encoding */
	struct ike_bytes data;
};

struct ike_pl_auth {
	uint8_t method;		/* enum ike_auth_method */
	struct ike_bytes data;
};

struct ike_pl_notify {
	uint8_t protocol;	/* 0 for IKE SA notifies, else ESP/AH */
	uint16_t type;		/* enum ike_notify_type */
	struct ike_bytes spi;	/* 0..IKE_MAX_SPI_LEN bytes */
	struct ike_bytes data;
};

struct ike_pl_delete {
	uint8_t protocol;	/* PROTO_IKE (spi_size 0, no SPIs) or ESP/AH */
	uint8_t spi_size;	/* 0 or 4 for ESP/AH (0..8 accepted) */
	uint16_t nspis;
	struct ike_bytes spis;	/* nspis * spi_size bytes, wire order */
};

/* --- traffic selectors -------------------------------------------------- */

struct ike_ts {
	uint8_t type;		/* TS_IPV4_ADDR_RANGE / TS_IPV6_ADDR_RANGE /
				 * other (kept opaque in 'raw') */
	uint8_t ip_proto;	/* 0 = any */
	uint16_t start_port;
	uint16_t end_port;
	uint8_t start[16];	/* 4 bytes used for IPv4 */
	uint8_t end[16];
	/* Unknown types only: the selector body after the 4-byte selector
	 * header (type, proto, length), written back verbatim. */
	struct ike_bytes raw;
};

struct ike_pl_ts {		/* TSi, TSr */
	const struct ike_ts *ts;
	size_t nts;
};

/* --- configuration ------------------------------------------------------ */

struct ike_cp_attr {
	uint16_t type;		/* enum ike_cfg_attr, 15 bits */
	struct ike_bytes value;	/* may be empty (a request) */
};

struct ike_pl_cp {
	uint8_t cfg_type;	/* enum ike_cfg_type */
	const struct ike_cp_attr *attrs;
	size_t nattrs;
};

/* --- encrypted ---------------------------------------------------------- */

/* SK: 'body' is IV | ciphertext | padding | ICV, opaque to the codec. The
 * associated data for AEAD / the ICV input starts at the datagram's first
 * byte and ends with the SK generic header: aad_len = offset + 4. */
struct ike_pl_sk {
	uint8_t inner_next;	/* first payload type inside */
	struct ike_bytes body;
	size_t aad_len;		/* parse only */
};

/* SKF (RFC 7383): AAD is the IKE header up to Total Fragments:
 * aad_len = offset + 8. inner_next is only meaningful in fragment 1 and is 0
 * in the others (checked). */
struct ike_pl_skf {
	uint8_t inner_next;
	uint16_t frag_num;	/* 1..total */
	uint16_t total;		/* 1..IKE_MAX_FRAGMENTS */
	struct ike_bytes body;
	size_t aad_len;		/* parse only */
};

/* Nonce, Vendor ID, EAP (whole EAP message, its length field checked), and
 * known-but-unstructured payloads (GSPM): just the body. */
struct ike_pl_data {
	struct ike_bytes data;
};

/* One payload. 'type' selects the union member:
 *   PL_SA sa | PL_KE ke | PL_IDI, PL_IDR id | PL_CERT, PL_CERTREQ cert |
 *   PL_AUTH auth | PL_NONCE, PL_VENDOR, PL_EAP, PL_GSPM data |
 *   PL_NOTIFY notify | PL_DELETE del | PL_TSI, PL_TSR ts | PL_CP cp |
 *   PL_SK sk | PL_SKF skf */
struct ike_payload {
	uint8_t type;		/* enum ike_payload_type */
	bool critical;		/* the critical bit as received / to send */
	bool inner;		/* parsed from a decrypted SK/SKF body */
	size_t offset;		/* parse: generic header's offset in its
				 * buffer (datagram, or inner buffer) */
	struct ike_bytes body;	/* parse: bytes after the generic header */
	union {
		struct ike_pl_sa sa;
		struct ike_pl_ke ke;
		struct ike_pl_id id;
		struct ike_pl_cert cert;
		struct ike_pl_auth auth;
		struct ike_pl_notify notify;
		struct ike_pl_delete del;
		struct ike_pl_ts ts;
		struct ike_pl_cp cp;
		struct ike_pl_sk sk;
		struct ike_pl_skf skf;
		struct ike_pl_data data;
	};
};

struct ike_arena;

struct ike_msg {
	struct ike_header hdr;
	struct ike_bytes raw;		/* the parsed datagram */
	size_t npl;
	struct ike_payload pl[IKE_MAX_PAYLOADS];
	unsigned skipped;		/* unknown non-critical payloads */
	/* ike_msg_parse_inner() succeeded, even on an empty chain: the
	 * summary then lists "[ ]" for an empty INFORMATIONAL, not "SK". */
	bool decrypted;
	struct ike_arena *arena;	/* private */
};

/* --- life cycle --------------------------------------------------------- */

void ike_msg_init(struct ike_msg *m);
/* Frees the arena and adopted buffers (wiped); the message is re-initialised
 * and may be reused. Never frees the datagram passed to ike_msg_parse(). */
void ike_msg_free(struct ike_msg *m);
/* Zeroed memory that lives as long as the message (for builders). */
void *ike_msg_alloc(struct ike_msg *m, size_t len);
const uint8_t *ike_msg_dup(struct ike_msg *m, const void *p, size_t len);
/* Take ownership of a malloc'd buffer (e.g. decrypted plaintext): wiped and
 * freed by ike_msg_free(). On failure the buffer is wiped and freed now. */
bool ike_msg_adopt(struct ike_msg *m, uint8_t *buf, size_t len);

/* --- parsing ------------------------------------------------------------ */

/* Only the fixed header, for dispatch (SPI lookup, request/response) before
 * a full parse. Checks length == len and major version 2. */
enum ike_err_code ike_header_parse(const uint8_t *dgram, size_t len,
				   struct ike_header *h, struct ike_err *err);

/* Initialises m (pass a fresh or freed message), then parses header and
 * the plain payload chain. Stops at SK/SKF, which must be the last payload.
 * The caller calls ike_msg_free() whatever the result. After a payload
 * error (IKE_ERR_SYNTAX, _CRITICAL, _LIMIT) m->hdr is valid, so an error
 * notify can be addressed, and m->pl holds the payloads before the bad one. */
enum ike_err_code ike_msg_parse(struct ike_msg *m, const uint8_t *dgram,
				size_t len, struct ike_err *err);

/* Appends the payloads of a decrypted chain (first payload type 'first',
 * as recorded in the SK/SKF payload) to m, marked inner. SK/SKF inside are
 * refused. Proposal numbering follows m->hdr.flags (request or response).
 * On error, the payloads appended by this call are removed again. */
enum ike_err_code ike_msg_parse_inner(struct ike_msg *m, uint8_t first,
				      const uint8_t *buf, size_t len,
				      struct ike_err *err);

/* --- building ----------------------------------------------------------- */

/* A zeroed payload slot of 'type' appended to m, or NULL when m is full. */
struct ike_payload *ike_msg_add(struct ike_msg *m, uint8_t type);
/* Common one-liners; NULL when full. Bytes are referenced, not copied. */
struct ike_payload *ike_msg_add_notify(struct ike_msg *m, uint8_t protocol,
				       uint16_t type, const void *spi,
				       size_t spi_len, const void *data,
				       size_t data_len);
/* For PL_NONCE, PL_VENDOR, PL_EAP, PL_GSPM. */
struct ike_payload *ike_msg_add_data(struct ike_msg *m, uint8_t type,
				     const void *data, size_t len);

/* (a) A whole message: m->hdr (next and length computed, version 0x20) and
 * every payload not marked inner, in order. An SK/SKF payload must be the
 * last one; its body is written as is. Appends to w. */
enum ike_err_code ike_msg_write(const struct ike_msg *m, struct wbuf *w,
				struct ike_err *err);

/* (b) Just a payload chain, for the SK layer to encrypt: every payload of m
 * (inner or not) except SK/SKF, in order. *first gets the first payload's
 * type (PL_NONE for an empty chain), to put into the SK header. */
enum ike_err_code ike_msg_write_chain(const struct ike_msg *m, struct wbuf *w,
				      uint8_t *first, struct ike_err *err);

/* (c) Header + SK generic header for an encrypted body of body_len bytes
 * (IV | ciphertext | padding | ICV), SK being the only outer payload.
 * Lengths are final; afterwards w holds exactly the associated data
 * (IKE_HDR_LEN + 4 bytes from where w was), and the SK layer appends the
 * body_len bytes itself. */
enum ike_err_code ike_msg_write_sk_header(const struct ike_header *h,
					  uint8_t inner_first, size_t body_len,
					  struct wbuf *w, struct ike_err *err);
/* The same for one RFC 7383 fragment: header + SKF header (8 bytes, the
 * AAD ends after Total Fragments). inner_first is written in fragment 1
 * only. */
enum ike_err_code ike_msg_write_skf_header(const struct ike_header *h,
					   uint8_t inner_first,
					   uint16_t frag_num, uint16_t total,
					   size_t body_len, struct wbuf *w,
					   struct ike_err *err);

/* --- accessors ---------------------------------------------------------- */

static inline bool ike_msg_is_response(const struct ike_msg *m)
{
	return m->hdr.flags & IKE_FLAG_RESPONSE;
}

static inline bool ike_msg_is_initiator(const struct ike_msg *m)
{
	return m->hdr.flags & IKE_FLAG_INITIATOR;
}

/* Iterate payloads of a type (PL_NONE: any): pass NULL first, then the last
 * result; NULL at the end.
 *   for (p = ike_msg_next(m, NULL, PL_NOTIFY); p; p = ike_msg_next(m, p, PL_NOTIFY)) */
const struct ike_payload *ike_msg_next(const struct ike_msg *m,
				       const struct ike_payload *prev,
				       uint8_t type);
static inline const struct ike_payload *ike_msg_find(const struct ike_msg *m,
						     uint8_t type)
{
	return ike_msg_next(m, NULL, type);
}
size_t ike_msg_count(const struct ike_msg *m, uint8_t type);
/* First Notify payload of notify type 'type', or NULL. */
const struct ike_payload *ike_msg_find_notify(const struct ike_msg *m,
					      uint16_t type);
/* The SK or SKF payload, or NULL. */
const struct ike_payload *ike_msg_find_encrypted(const struct ike_msg *m);

/* Delete payload SPI i (< nspis) as a number (spi_size 4 or 8). */
uint64_t ike_delete_spi(const struct ike_pl_delete *d, size_t i);
/* Address length of a selector type: 4, 16, or 0 for unknown types. */
size_t ike_ts_addr_len(uint8_t ts_type);
/* A selector that matches nothing (start > end in ports or addresses) is
 * syntactically valid; the TS logic asks here and should ignore it. */
bool ike_ts_is_empty(const struct ike_ts *ts);

/* Same type, critical bit and typed content (what would go on the wire);
 * offsets, 'inner' and parse-only fields are ignored. A transform written
 * from key_length equals one parsed with that Key Length attribute. */
bool ike_payload_equal(const struct ike_payload *a,
		       const struct ike_payload *b);

/* Fills err (always returns err->code); used by the codec, handy for tests. */
enum ike_err_code ike_err_set(struct ike_err *err, enum ike_err_code code,
			      uint8_t payload, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const char *ike_err_code_name(enum ike_err_code code);

#endif
