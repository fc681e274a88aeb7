/* HA: an IKE SA's complete state as bytes, and passive copies of it.
 *
 * sa_export() writes an ESTABLISHED (or PASSIVE) IKE SA with its CHILD SAs
 * as a versioned TLV blob (format: docs/ha-protocol.md, "SA state"). It
 * holds keys: the caller wipes it (chunk_free does).
 *
 * sa_import() parses a blob (bounded, every length checked, unknown TLV
 * types skipped, another version refused) and adds the SA to the core's
 * tables as PASSIVE: it answers nothing (not even retransmits), starts
 * nothing, arms no timer, installs no CHILD SA and emits no event. The
 * virtual IP it holds is reserved in the local pool (env vip_acquire with
 * the address as the requested one), so it is not leased twice.
 *
 * sa_activate() turns a PASSIVE SA into a normal ESTABLISHED one: CHILD
 * SAs go to env child_install, the last response is answered again on a
 * retransmit, the DPD/rekey timers are armed, and the events are
 * IKE_EV_SA_UP then IKE_EV_CHILD_UP per CHILD SA: on this node the SA is
 * new, so the control socket sees it come up once here. (ha/, which called
 * sa_activate, knows not to mirror it back.) A passive SA that is dropped
 * (sa_passive_drop, shutdown) emits only IKE_EV_SA_DOWN.
 *
 * Unique ids are per node: the importer gives the SA (and its CHILD SAs)
 * new local ids; the exporter's ids travel in the blob for reference. */
#ifndef CYGNET_IKE_SA_EXPORT_H
#define CYGNET_IKE_SA_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/mem.h"

struct ike_core;
struct ike_sa;

#define SA_EXPORT_MAGIC 0x43594741u	/* "CYGA" */
#define SA_EXPORT_VERSION 1
#define SA_EXPORT_MAX_CHILDREN 32

/* IKE SA TLV types (docs/ha-protocol.md has each value's layout). */
enum sa_tlv {
	SA_T_UNIQUE_ID = 1, SA_T_ROLE, SA_T_CONF, SA_T_SPI_I, SA_T_SPI_R, SA_T_STATE,
	SA_T_LOCAL, SA_T_REMOTE, SA_T_NAT, SA_T_ALG, SA_T_KEYS_ALG,
	SA_T_SK_D, SA_T_SK_AI, SA_T_SK_AR, SA_T_SK_EI, SA_T_SK_ER, SA_T_SK_PI, SA_T_SK_PR,
	SA_T_NI, SA_T_NR, SA_T_MY_ID, SA_T_PEER_ID, SA_T_VIP, SA_T_MID_OUT, SA_T_MID_IN,
	SA_T_LAST_RESP, SA_T_IV_SEQ, SA_T_PEER_CERT, SA_T_CHILD, SA_T_LAST_REQ_HASH,
	SA_T_FRAG_OK,
	SA_T_MAX_IKE
};

/* CHILD SA TLV types (inside SA_T_CHILD). */
enum sa_child_tlv {
	SA_C_UNIQUE_ID = 1, SA_C_NAME, SA_C_PROTO, SA_C_MODE, SA_C_ENCAP, SA_C_SPI_IN,
	SA_C_SPI_OUT, SA_C_ALG, SA_C_KEYS_ALG, SA_C_ENCR_IR, SA_C_INTEG_IR, SA_C_ENCR_RI,
	SA_C_INTEG_RI, SA_C_LOCAL_TS, SA_C_REMOTE_TS, SA_C_LIFETIMES, SA_C_REQID,
	SA_C_MAX
};

struct sa_err {
	char reason[160];
};

/* Serialize the SA with this unique id into *out (allocated). False with
 * a reason if unknown or not ESTABLISHED/PASSIVE. */
bool sa_export(struct ike_core *c, uint32_t unique_id, struct chunk *out,
	       struct sa_err *err);
/* The same for an SA pointer (the core's own, e.g. from an event). */
bool sa_export_sa(const struct ike_sa *sa, struct chunk *out, struct sa_err *err);

/* Parse a blob and add a PASSIVE SA. Returns its local unique id, or 0 with
 * a reason; the core is then unchanged. Refused: another version, a
 * truncated or malformed blob, an unknown connection name, an SPI already
 * in use on this node. */
uint32_t sa_import(struct ike_core *c, const uint8_t *blob, size_t len,
		   struct sa_err *err);
/* PASSIVE -> ESTABLISHED (see above). */
bool sa_activate(struct ike_core *c, uint32_t unique_id, struct sa_err *err);
/* Forget a PASSIVE SA without a word to the peer. */
bool sa_passive_drop(struct ike_core *c, uint32_t unique_id, struct sa_err *err);

/* ---- between sa_export.c and ike_passive.c ------------------------------ */

/* Fill sa (fresh from ike_sa_new, not registered) from the blob: every
 * field, the CHILD SAs (linked, not registered) and the conf name in
 * conf_name. */
bool sa_decode(const uint8_t *blob, size_t len, struct ike_sa *sa,
	       char conf_name[64], struct sa_err *err);

#endif
