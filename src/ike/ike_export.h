/* The complete state of an established IKE SA as bytes, for HA: one node
 * exports, another imports a passive copy and activates it on takeover.
 *
 * Format (version 1): a sequence of TLVs, type u16 | length u16 | value,
 * all numbers in network order; unknown types are skipped, so newer
 * senders can add fields. CHILD SAs are nested TLV blocks (type
 * EXP_CHILD) with their own fields. Keys travel in the clear: the HA
 * channel seals every message (design.md). */
#ifndef CYGNET_IKE_IKE_EXPORT_H
#define CYGNET_IKE_IKE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/wbuf.h"

struct ike_core;
struct ike_sa;

#define IKE_EXPORT_VERSION 1
/* AEAD IVs the importer skips: messages the old node sent after the last
 * export must never share an IV with ours. */
#define IKE_EXPORT_IV_JUMP (1u << 20)

/* Appends the SA's state; false if the SA is not established. */
bool ike_sa_export(const struct ike_sa *sa, struct wbuf *w);

/* Creates a passive SA from an export: in the tables, answering requests
 * and retransmits, but with no timers of its own until activated. Returns
 * its unique id (on this core), 0 with the reason in why. */
uint32_t ike_core_import(struct ike_core *c, const uint8_t *p, size_t len,
			 char *why, size_t whylen);
/* Takeover: arm DPD and rekey timers, announce the SA (IKE_EV_SA_UPDATED). */
bool ike_core_activate(struct ike_core *c, uint32_t unique_id);

#endif
