/* The connection policy the IKE core works with. The daemon translates the
 * configuration model (src/config) into these structs; the core never sees
 * the config parser, pools or the kernel (design.md folder order).
 *
 * A conf is immutable once handed to the core and reference counted: an SA
 * keeps the conf it was set up with, so a reload replaces the list for new
 * SAs while existing SAs keep theirs. */
#ifndef CYGNET_IKE_IKE_CONF_H
#define CYGNET_IKE_IKE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <openssl/types.h>

struct x509_trust;

#define IKE_PROP_MAX_ALGS 8
#define IKE_CONF_MAX_PROPS 16
#define IKE_CONF_MAX_TS 8
#define IKE_CONF_MAX_CHILDREN 8
#define IKE_CONF_MAX_POOLS 4
#define IKE_CONF_MAX_ADDRS 4
#define IKE_ID_MAX 256
#define IKE_NAME_MAX 64

/* One proposal: algorithms per transform type, in preference order. The
 * layout follows config/proposal.h so the daemon copies field by field. */
struct ike_prop {
	uint8_t protocol;		/* PROTO_IKE or PROTO_ESP */
	struct { uint16_t id, key_bits; } encr[IKE_PROP_MAX_ALGS];
	uint8_t n_encr;
	uint16_t integ[IKE_PROP_MAX_ALGS];
	uint8_t n_integ;
	uint16_t prf[IKE_PROP_MAX_ALGS];
	uint8_t n_prf;
	uint16_t ke[IKE_PROP_MAX_ALGS];	/* ESP: PFS groups, empty = no PFS */
	uint8_t n_ke;
	uint16_t esn[2];
	uint8_t n_esn;
};

/* What a negotiation settled on: one algorithm per type (0: absent). */
struct ike_chosen {
	uint16_t encr, key_bits, integ, prf, ke, esn;
};

/* An identity as in the ID payload. any: matches every peer identity. */
struct ike_id {
	uint8_t type;			/* enum ike_id_type */
	bool any;
	uint16_t len;
	uint8_t data[IKE_ID_MAX];
};

/* An address range with protocol and ports; dynamic stands for the
 * address the SA uses (our address, the peer's, or its virtual IP). */
struct ike_ts_conf {
	bool dynamic;
	int family;			/* AF_INET / AF_INET6 */
	uint8_t from[16], to[16];
	uint8_t proto;
	uint16_t port_from, port_to;
};

enum ike_auth_class { IKE_AUTH_PSK = 1, IKE_AUTH_PUBKEY = 2 };
enum ike_start_action { IKE_START_NONE, IKE_START_TRAP, IKE_START_START };
enum ike_mode { IKE_MODE_TUNNEL, IKE_MODE_TRANSPORT };

struct ike_child_conf {
	char name[IKE_NAME_MAX];
	struct ike_ts_conf local_ts[IKE_CONF_MAX_TS];
	size_t n_local_ts;
	struct ike_ts_conf remote_ts[IKE_CONF_MAX_TS];
	size_t n_remote_ts;
	struct ike_prop props[IKE_CONF_MAX_PROPS];
	size_t n_props;
	enum ike_mode mode;
	enum ike_start_action start_action;
	uint32_t rekey_time_s, life_time_s;	/* 0: never */
	uint32_t rand_time_s;		/* rekey up to this much earlier */
	/* datapath limits per ESP SA (0: none): rekey (soft, less a random
	 * part of rand_*) and life (hard); the datapath reports them with
	 * ike_core_child_expired */
	uint64_t rekey_bytes, life_bytes, rand_bytes;
	uint64_t rekey_packets, life_packets, rand_packets;
};

/* One address match for local_addrs / remote_addrs (none: %any). */
struct ike_addr_range {
	int family;			/* 0: any family */
	uint8_t from[16], to[16];
};

struct ike_conf {
	char name[IKE_NAME_MAX];
	unsigned refs;
	struct ike_addr_range local_addrs[IKE_CONF_MAX_ADDRS];
	size_t n_local_addrs;		/* 0: %any */
	struct ike_addr_range remote_addrs[IKE_CONF_MAX_ADDRS];
	size_t n_remote_addrs;		/* 0: %any */
	struct ike_prop props[IKE_CONF_MAX_PROPS];
	size_t n_props;
	enum ike_auth_class local_auth, remote_auth;
	struct ike_id local_id, remote_id;
	/* Initiator: ask for a virtual IP (vips = 0.0.0.0). */
	bool want_vip4;
	/* Responder: pools handed to the env's vip callback, by name. */
	char pools[IKE_CONF_MAX_POOLS][IKE_NAME_MAX];
	size_t n_pools;
	struct ike_child_conf children[IKE_CONF_MAX_CHILDREN];
	size_t n_children;
	/* Public key authentication (owned by the conf, freed with it):
	 * our certificate and private key, the CAs we accept for the peer. */
	X509 *local_cert;
	EVP_PKEY *local_key;
	struct x509_trust *trust;
	bool rsa_pss;			/* sign with RSASSA-PSS */
	uint32_t dpd_delay_s;		/* 0: no liveness checks */
	uint32_t rekey_time_s, over_time_s;	/* IKE SA; 0: never */
	uint32_t rand_time_s;		/* rekey up to this much earlier */
	bool send_initial_contact;
};

/* A zeroed conf with one reference and sane defaults. */
struct ike_conf *ike_conf_new(const char *name);
struct ike_conf *ike_conf_ref(struct ike_conf *c);
void ike_conf_unref(struct ike_conf *c);

/* "rw1.example" (FQDN), "user@host" (RFC822), an IPv4/IPv6 address, "%any"
 * (matches all). Returns false if too long. */
bool ike_id_from_string(const char *s, struct ike_id *out);
/* Printable form for logs. */
const char *ike_id_str(const struct ike_id *id, char *buf, size_t len);
bool ike_id_equal(const struct ike_id *a, const struct ike_id *b);
/* Does a received identity satisfy the configured one? */
bool ike_id_matches(const struct ike_id *conf, const struct ike_id *got);

/* Parse one strongSwan-style proposal ("aes256gcm16-prfsha256-x25519",
 * "aes128-sha256-modp2048", ESP: "aes256gcm16", "aes128-sha256-esn") for
 * tests and tools; the daemon takes proposals from src/config instead. */
bool ike_prop_parse(uint8_t protocol, const char *s, struct ike_prop *out);
/* Parse "10.1.0.0/24", "10.0.0.1-10.0.0.9", "192.0.2.1" or "dynamic". */
bool ike_ts_conf_parse(const char *s, struct ike_ts_conf *out);
bool ike_addr_range_parse(const char *s, struct ike_addr_range *out);
bool ike_addr_range_contains(const struct ike_addr_range *r,
			     const struct sockaddr_storage *a);

struct ike_child_conf *ike_conf_child(struct ike_conf *c, const char *name);

#endif
