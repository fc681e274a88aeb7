/* IKE and ESP proposals from strongSwan's keyword strings
 * ("aes256gcm16-prfsha256-x25519", "aes128-sha256-modp2048-esn") into
 * IANA transform ids (ike/iana.h). One string is one proposal; a type may
 * list several algorithms ("aes128-aes256-sha256-ecp256-x25519"). */
#ifndef CYGNET_CONFIG_PROPOSAL_H
#define CYGNET_CONFIG_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROPOSAL_MAX_ALGS 8	/* per transform type */
#define PROPOSAL_MAX 16		/* proposals per connection/child */
#define PROPOSAL_N_DEFAULTS 2	/* proposals 'default' stands for */

enum proposal_proto {
	PROPOSAL_IKE = 1,	/* = PROTO_IKE */
	PROPOSAL_ESP = 3,	/* = PROTO_ESP */
};

struct proposal_encr {
	uint16_t id;		/* enum ike_encr_id */
	uint16_t key_bits;	/* Key Length attribute */
};

struct proposal {
	enum proposal_proto proto;
	bool aead;
	struct proposal_encr encr[PROPOSAL_MAX_ALGS];
	size_t n_encr;
	uint16_t integ[PROPOSAL_MAX_ALGS];	/* enum ike_integ_id */
	size_t n_integ;
	uint16_t prf[PROPOSAL_MAX_ALGS];	/* enum ike_prf_id; IKE only */
	size_t n_prf;
	uint16_t ke[PROPOSAL_MAX_ALGS];		/* enum ike_ke_id; ESP: PFS */
	size_t n_ke;
	uint16_t esn[2];			/* enum ike_esn_id; ESP only */
	size_t n_esn;
};

/* Why a string failed: the keyword, its 1-based position among the
 * '-'-separated keywords and its byte offset in the string (0 when the
 * error is about the whole proposal). */
struct proposal_err {
	char keyword[64];
	unsigned position;
	size_t offset;
	char what[160];
};

/* One proposal string ("default" is not accepted here; see below). */
bool proposal_parse(enum proposal_proto proto, const char *s,
		    struct proposal *out, struct proposal_err *err);
/* The proposals that 'default' stands for; returns how many (<= max). */
size_t proposal_defaults(enum proposal_proto proto, struct proposal *out,
			 size_t max);
/* Back to the canonical keyword string ("aes256gcm16-prfsha256-x25519"). */
void proposal_format(const struct proposal *p, char *buf, size_t len);

#endif
