/* Name tables for IANA IKEv2 numbers (logs only; nothing parses these). */
#include "ike/names.h"

#include <stdio.h>

#include "ike/iana.h"

struct name {
	uint16_t v;
	const char *name;
	const char *abbr;	/* strongSwan-style short form, or NULL */
};

#define N_(x) sizeof(x) / sizeof((x)[0])

static const char *unknown(unsigned v)
{
	static _Thread_local char ring[IKE_NAME_RING][20];
	static _Thread_local unsigned next;
	char *b = ring[next++ % IKE_NAME_RING];

	snprintf(b, sizeof(ring[0]), "UNKNOWN(%u)", v);
	return b;
}

static const struct name *lookup(const struct name *t, size_t n, unsigned v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].v == v)
			return &t[i];
	return NULL;
}

static const char *name_of(const struct name *t, size_t n, unsigned v)
{
	const struct name *e = lookup(t, n, v);

	return e ? e->name : unknown(v);
}

static const char *abbr_of(const struct name *t, size_t n, unsigned v)
{
	const struct name *e = lookup(t, n, v);

	if (!e)
		return unknown(v);
	return e->abbr ? e->abbr : e->name;
}

static const struct name exchanges[] = {
	{ IKE_SA_INIT, "IKE_SA_INIT", NULL },
	{ IKE_AUTH, "IKE_AUTH", NULL },
	{ CREATE_CHILD_SA, "CREATE_CHILD_SA", NULL },
	{ INFORMATIONAL, "INFORMATIONAL", NULL },
	{ IKE_SESSION_RESUME, "IKE_SESSION_RESUME", NULL },
	{ 39, "GSA_AUTH", NULL },
	{ 40, "GSA_REGISTRATION", NULL },
	{ 41, "GSA_REKEY", NULL },
	{ IKE_INTERMEDIATE, "IKE_INTERMEDIATE", NULL },
	{ 44, "IKE_FOLLOWUP_KE", NULL },
};

const char *ike_exchange_name(uint8_t exchange)
{
	return name_of(exchanges, N_(exchanges), exchange);
}

static const struct name payloads[] = {
	{ PL_NONE, "No Next Payload", "NONE" },
	{ PL_SA, "Security Association", "SA" },
	{ PL_KE, "Key Exchange", "KE" },
	{ PL_IDI, "Identification - Initiator", "IDi" },
	{ PL_IDR, "Identification - Responder", "IDr" },
	{ PL_CERT, "Certificate", "CERT" },
	{ PL_CERTREQ, "Certificate Request", "CERTREQ" },
	{ PL_AUTH, "Authentication", "AUTH" },
	{ PL_NONCE, "Nonce", "No" },
	{ PL_NOTIFY, "Notify", "N" },
	{ PL_DELETE, "Delete", "D" },
	{ PL_VENDOR, "Vendor ID", "V" },
	{ PL_TSI, "Traffic Selector - Initiator", "TSi" },
	{ PL_TSR, "Traffic Selector - Responder", "TSr" },
	{ PL_SK, "Encrypted and Authenticated", "SK" },
	{ PL_CP, "Configuration", "CP" },
	{ PL_EAP, "Extensible Authentication", "EAP" },
	{ PL_GSPM, "Generic Secure Password Method", "GSPM" },
	{ 50, "Group Identification", "IDg" },
	{ 51, "Group Security Association", "GSA" },
	{ 52, "Key Download", "KD" },
	{ PL_SKF, "Encrypted and Authenticated Fragment", "SKF" },
	{ 54, "Puzzle Solution", "PS" },
};

const char *ike_payload_name(uint8_t type)
{
	return name_of(payloads, N_(payloads), type);
}

const char *ike_payload_short_name(uint8_t type)
{
	return abbr_of(payloads, N_(payloads), type);
}

static const struct name notifies[] = {
	{ N_UNSUPPORTED_CRITICAL_PAYLOAD, "UNSUPPORTED_CRITICAL_PAYLOAD", "CRIT" },
	{ N_INVALID_IKE_SPI, "INVALID_IKE_SPI", "INVAL_IKE_SPI" },
	{ N_INVALID_MAJOR_VERSION, "INVALID_MAJOR_VERSION", "INVAL_MAJOR" },
	{ N_INVALID_SYNTAX, "INVALID_SYNTAX", "INVAL_SYN" },
	{ N_INVALID_MESSAGE_ID, "INVALID_MESSAGE_ID", "INVAL_MID" },
	{ N_INVALID_SPI, "INVALID_SPI", "INVAL_SPI" },
	{ N_NO_PROPOSAL_CHOSEN, "NO_PROPOSAL_CHOSEN", "NO_PROP" },
	{ N_INVALID_KE_PAYLOAD, "INVALID_KE_PAYLOAD", "INVAL_KE" },
	{ N_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED", "AUTH_FAILED" },
	{ N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR_REQUIRED", "SINGLE_PAIR" },
	{ N_NO_ADDITIONAL_SAS, "NO_ADDITIONAL_SAS", "NO_ADD_SAS" },
	{ N_INTERNAL_ADDRESS_FAILURE, "INTERNAL_ADDRESS_FAILURE", "INT_ADDR_FAIL" },
	{ N_FAILED_CP_REQUIRED, "FAILED_CP_REQUIRED", "FAIL_CP_REQ" },
	{ N_TS_UNACCEPTABLE, "TS_UNACCEPTABLE", "TS_UNACCEPT" },
	{ N_INVALID_SELECTORS, "INVALID_SELECTORS", "INVAL_SEL" },
	{ N_UNACCEPTABLE_ADDRESSES, "UNACCEPTABLE_ADDRESSES", "UNACCEPT_ADDR" },
	{ N_UNEXPECTED_NAT_DETECTED, "UNEXPECTED_NAT_DETECTED", "UNEXPECT_NAT" },
	{ N_USE_ASSIGNED_HoA, "USE_ASSIGNED_HoA", "USE_HOA" },
	{ N_TEMPORARY_FAILURE, "TEMPORARY_FAILURE", "TEMP_FAIL" },
	{ N_CHILD_SA_NOT_FOUND, "CHILD_SA_NOT_FOUND", "NO_CHILD_SA" },
	{ N_INVALID_GROUP_ID, "INVALID_GROUP_ID", "INVAL_GROUP" },
	{ N_AUTHORIZATION_FAILED, "AUTHORIZATION_FAILED", "AUTHZ_FAILED" },
	{ N_STATE_NOT_FOUND, "STATE_NOT_FOUND", "STATE_NOT_FOUND" },
	{ N_INITIAL_CONTACT, "INITIAL_CONTACT", "INIT_CONTACT" },
	{ N_SET_WINDOW_SIZE, "SET_WINDOW_SIZE", "SET_WINSIZE" },
	{ N_ADDITIONAL_TS_POSSIBLE, "ADDITIONAL_TS_POSSIBLE", "ADD_TS_POSS" },
	{ N_IPCOMP_SUPPORTED, "IPCOMP_SUPPORTED", "IPCOMP_SUP" },
	{ N_NAT_DETECTION_SOURCE_IP, "NAT_DETECTION_SOURCE_IP", "NATD_S_IP" },
	{ N_NAT_DETECTION_DESTINATION_IP, "NAT_DETECTION_DESTINATION_IP", "NATD_D_IP" },
	{ N_COOKIE, "COOKIE", "COOKIE" },
	{ N_USE_TRANSPORT_MODE, "USE_TRANSPORT_MODE", "USE_TRANSP" },
	{ N_HTTP_CERT_LOOKUP_SUPPORTED, "HTTP_CERT_LOOKUP_SUPPORTED", "HTTP_CERT_LOOK" },
	{ N_REKEY_SA, "REKEY_SA", "REKEY_SA" },
	{ N_ESP_TFC_PADDING_NOT_SUPPORTED, "ESP_TFC_PADDING_NOT_SUPPORTED", "ESP_TFC_PAD_N" },
	{ N_NON_FIRST_FRAGMENTS_ALSO, "NON_FIRST_FRAGMENTS_ALSO", "NON_FIRST_FRAG" },
	{ N_MOBIKE_SUPPORTED, "MOBIKE_SUPPORTED", "MOBIKE_SUP" },
	{ N_ADDITIONAL_IP4_ADDRESS, "ADDITIONAL_IP4_ADDRESS", "ADD_4_ADDR" },
	{ N_ADDITIONAL_IP6_ADDRESS, "ADDITIONAL_IP6_ADDRESS", "ADD_6_ADDR" },
	{ N_NO_ADDITIONAL_ADDRESSES, "NO_ADDITIONAL_ADDRESSES", "NO_ADD_ADDR" },
	{ N_UPDATE_SA_ADDRESSES, "UPDATE_SA_ADDRESSES", "UPD_SA_ADDR" },
	{ N_COOKIE2, "COOKIE2", "COOKIE2" },
	{ N_NO_NATS_ALLOWED, "NO_NATS_ALLOWED", "NO_NATS" },
	{ N_AUTH_LIFETIME, "AUTH_LIFETIME", "AUTH_LFT" },
	{ N_MULTIPLE_AUTH_SUPPORTED, "MULTIPLE_AUTH_SUPPORTED", "MULT_AUTH" },
	{ N_ANOTHER_AUTH_FOLLOWS, "ANOTHER_AUTH_FOLLOWS", "AUTH_FOLLOWS" },
	{ N_REDIRECT_SUPPORTED, "REDIRECT_SUPPORTED", "REDIR_SUP" },
	{ N_REDIRECT, "REDIRECT", "REDIR" },
	{ N_REDIRECTED_FROM, "REDIRECTED_FROM", "REDIR_FROM" },
	{ N_TICKET_LT_OPAQUE, "TICKET_LT_OPAQUE", "TKT_LT_OPAK" },
	{ N_TICKET_REQUEST, "TICKET_REQUEST", "TKT_REQ" },
	{ N_TICKET_ACK, "TICKET_ACK", "TKT_ACK" },
	{ N_TICKET_NACK, "TICKET_NACK", "TKT_NACK" },
	{ N_TICKET_OPAQUE, "TICKET_OPAQUE", "TKT_OPAK" },
	{ N_LINK_ID, "LINK_ID", "LINK_ID" },
	{ N_USE_WESP_MODE, "USE_WESP_MODE", "WESP_MODE" },
	{ N_ROHC_SUPPORTED, "ROHC_SUPPORTED", "ROHC_SUP" },
	{ N_EAP_ONLY_AUTHENTICATION, "EAP_ONLY_AUTHENTICATION", "EAP_ONLY" },
	{ N_CHILDLESS_IKEV2_SUPPORTED, "CHILDLESS_IKEV2_SUPPORTED", "CHDLESS_SUP" },
	{ N_QUICK_CRASH_DETECTION, "QUICK_CRASH_DETECTION", "CRASH_DET" },
	{ N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED, "IKEV2_MESSAGE_ID_SYNC_SUPPORTED", "MSG_ID_SYN_SUP" },
	{ N_IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED, "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED", "RPL_CTR_SYN_SUP" },
	{ N_IKEV2_MESSAGE_ID_SYNC, "IKEV2_MESSAGE_ID_SYNC", "MSG_ID_SYN" },
	{ N_IPSEC_REPLAY_COUNTER_SYNC, "IPSEC_REPLAY_COUNTER_SYNC", "RPL_CTR_SYN" },
	{ N_SECURE_PASSWORD_METHODS, "SECURE_PASSWORD_METHODS", "SEC_PASSWD" },
	{ N_PSK_PERSIST, "PSK_PERSIST", "PSK_PST" },
	{ N_PSK_CONFIRM, "PSK_CONFIRM", "PSK_CFM" },
	{ N_ERX_SUPPORTED, "ERX_SUPPORTED", "ERX_SUP" },
	{ N_IFOM_CAPABILITY, "IFOM_CAPABILITY", "IFOM_CAP" },
	{ N_SENDER_REQUEST_ID, "SENDER_REQUEST_ID", "SENDER_REQ_ID" },
	{ N_IKEV2_FRAGMENTATION_SUPPORTED, "IKEV2_FRAGMENTATION_SUPPORTED", "FRAG_SUP" },
	{ N_SIGNATURE_HASH_ALGORITHMS, "SIGNATURE_HASH_ALGORITHMS", "HASH_ALG" },
	{ N_CLONE_IKE_SA_SUPPORTED, "CLONE_IKE_SA_SUPPORTED", "CLONE_SUP" },
	{ N_CLONE_IKE_SA, "CLONE_IKE_SA", "CLONE" },
	{ N_PUZZLE, "PUZZLE", "PUZZLE" },
	{ N_USE_PPK, "USE_PPK", "USE_PPK" },
	{ N_PPK_IDENTITY, "PPK_IDENTITY", "PPK_ID" },
	{ N_NO_PPK_AUTH, "NO_PPK_AUTH", "NO_PPK" },
	{ N_INTERMEDIATE_EXCHANGE_SUPPORTED, "INTERMEDIATE_EXCHANGE_SUPPORTED", "IKE_INT_SUP" },
	{ N_IP4_ALLOWED, "IP4_ALLOWED", "IP4_ALLOWED" },
	{ N_IP6_ALLOWED, "IP6_ALLOWED", "IP6_ALLOWED" },
	{ N_ADDITIONAL_KEY_EXCHANGE, "ADDITIONAL_KEY_EXCHANGE", "ADD_KE" },
	{ N_USE_AGGFRAG, "USE_AGGFRAG", "USE_AGGFRAG" },
};

const char *ike_notify_name(uint16_t type)
{
	return name_of(notifies, N_(notifies), type);
}

const char *ike_notify_short_name(uint16_t type)
{
	return abbr_of(notifies, N_(notifies), type);
}

static const struct name protocols[] = {
	{ PROTO_NONE, "NONE", NULL },
	{ PROTO_IKE, "IKE", NULL },
	{ PROTO_AH, "AH", NULL },
	{ PROTO_ESP, "ESP", NULL },
	{ 4, "FC_ESP_HEADER", NULL },
	{ 5, "FC_CT_AUTHENTICATION", NULL },
};

const char *ike_protocol_name(uint8_t protocol)
{
	return name_of(protocols, N_(protocols), protocol);
}

static const struct name transform_types[] = {
	{ TRANS_ENCR, "ENCR", NULL },
	{ TRANS_PRF, "PRF", NULL },
	{ TRANS_INTEG, "INTEG", NULL },
	{ TRANS_KE, "KE", NULL },
	{ TRANS_ESN, "ESN", NULL },
	{ 6, "ADDKE1", NULL },
	{ 7, "ADDKE2", NULL },
	{ 8, "ADDKE3", NULL },
	{ 9, "ADDKE4", NULL },
	{ 10, "ADDKE5", NULL },
	{ 11, "ADDKE6", NULL },
	{ 12, "ADDKE7", NULL },
};

const char *ike_transform_type_name(uint8_t type)
{
	return name_of(transform_types, N_(transform_types), type);
}

static const struct name encrs[] = {
	{ 1, "DES_IV64", NULL },
	{ 2, "DES", NULL },
	{ ENCR_3DES, "3DES", NULL },
	{ 4, "RC5", NULL },
	{ 5, "IDEA", NULL },
	{ 6, "CAST", NULL },
	{ 7, "BLOWFISH", NULL },
	{ 8, "3IDEA", NULL },
	{ 9, "DES_IV32", NULL },
	{ ENCR_NULL, "NULL", NULL },
	{ ENCR_AES_CBC, "AES_CBC", NULL },
	{ ENCR_AES_CTR, "AES_CTR", NULL },
	{ ENCR_AES_CCM_8, "AES_CCM_8", NULL },
	{ ENCR_AES_CCM_12, "AES_CCM_12", NULL },
	{ ENCR_AES_CCM_16, "AES_CCM_16", NULL },
	{ ENCR_AES_GCM_8, "AES_GCM_8", NULL },
	{ ENCR_AES_GCM_12, "AES_GCM_12", NULL },
	{ ENCR_AES_GCM_16, "AES_GCM_16", NULL },
	{ ENCR_NULL_AUTH_AES_GMAC, "NULL_AUTH_AES_GMAC", NULL },
	{ 23, "CAMELLIA_CBC", NULL },
	{ 24, "CAMELLIA_CTR", NULL },
	{ 25, "CAMELLIA_CCM_8", NULL },
	{ 26, "CAMELLIA_CCM_12", NULL },
	{ 27, "CAMELLIA_CCM_16", NULL },
	{ ENCR_CHACHA20_POLY1305, "CHACHA20_POLY1305", NULL },
};

static const struct name prfs[] = {
	{ PRF_HMAC_MD5, "PRF_HMAC_MD5", NULL },
	{ PRF_HMAC_SHA1, "PRF_HMAC_SHA1", NULL },
	{ 3, "PRF_HMAC_TIGER", NULL },
	{ PRF_AES128_XCBC, "PRF_AES128_XCBC", NULL },
	{ PRF_HMAC_SHA2_256, "PRF_HMAC_SHA2_256", NULL },
	{ PRF_HMAC_SHA2_384, "PRF_HMAC_SHA2_384", NULL },
	{ PRF_HMAC_SHA2_512, "PRF_HMAC_SHA2_512", NULL },
	{ PRF_AES128_CMAC, "PRF_AES128_CMAC", NULL },
	{ 9, "PRF_HMAC_STREEBOG_512", NULL },
};

static const struct name integs[] = {
	{ AUTH_NONE, "NONE", NULL },
	{ AUTH_HMAC_MD5_96, "HMAC_MD5_96", NULL },
	{ AUTH_HMAC_SHA1_96, "HMAC_SHA1_96", NULL },
	{ 3, "DES_MAC", NULL },
	{ 4, "KPDK_MD5", NULL },
	{ AUTH_AES_XCBC_96, "AES_XCBC_96", NULL },
	{ 6, "HMAC_MD5_128", NULL },
	{ 7, "HMAC_SHA1_160", NULL },
	{ 8, "AES_CMAC_96", NULL },
	{ 9, "AES_128_GMAC", NULL },
	{ 10, "AES_192_GMAC", NULL },
	{ 11, "AES_256_GMAC", NULL },
	{ AUTH_HMAC_SHA2_256_128, "HMAC_SHA2_256_128", NULL },
	{ AUTH_HMAC_SHA2_384_192, "HMAC_SHA2_384_192", NULL },
	{ AUTH_HMAC_SHA2_512_256, "HMAC_SHA2_512_256", NULL },
};

static const struct name kes[] = {
	{ KE_NONE, "NONE", NULL },
	{ 1, "MODP_768", NULL },
	{ KE_MODP_1024, "MODP_1024", NULL },
	{ KE_MODP_1536, "MODP_1536", NULL },
	{ KE_MODP_2048, "MODP_2048", NULL },
	{ KE_MODP_3072, "MODP_3072", NULL },
	{ KE_MODP_4096, "MODP_4096", NULL },
	{ KE_MODP_6144, "MODP_6144", NULL },
	{ KE_MODP_8192, "MODP_8192", NULL },
	{ KE_ECP_256, "ECP_256", NULL },
	{ KE_ECP_384, "ECP_384", NULL },
	{ KE_ECP_521, "ECP_521", NULL },
	{ 22, "MODP_1024_160", NULL },
	{ 23, "MODP_2048_224", NULL },
	{ 24, "MODP_2048_256", NULL },
	{ 25, "ECP_192", NULL },
	{ 26, "ECP_224", NULL },
	{ 27, "ECP_224_BP", NULL },
	{ 28, "ECP_256_BP", NULL },
	{ 29, "ECP_384_BP", NULL },
	{ 30, "ECP_512_BP", NULL },
	{ KE_CURVE25519, "CURVE_25519", NULL },
	{ KE_CURVE448, "CURVE_448", NULL },
	{ 33, "GOST3410_2012_256", NULL },
	{ 34, "GOST3410_2012_512", NULL },
	{ 35, "ML_KEM_512", NULL },
	{ 36, "ML_KEM_768", NULL },
	{ 37, "ML_KEM_1024", NULL },
};

static const struct name esns[] = {
	{ ESN_NO, "NO_ESN", NULL },
	{ ESN_YES, "ESN", NULL },
};

const char *ike_transform_id_name(uint8_t type, uint16_t id)
{
	switch (type) {
	case TRANS_ENCR: return name_of(encrs, N_(encrs), id);
	case TRANS_PRF: return name_of(prfs, N_(prfs), id);
	case TRANS_INTEG: return name_of(integs, N_(integs), id);
	case TRANS_ESN: return name_of(esns, N_(esns), id);
	default:
		/* RFC 9370: ADDKE1..7 share the KE registry */
		if (type == TRANS_KE || (type >= 6 && type <= 12))
			return name_of(kes, N_(kes), id);
		return unknown(id);
	}
}

static const struct name id_types[] = {
	{ ID_IPV4_ADDR, "ID_IPV4_ADDR", NULL },
	{ ID_FQDN, "ID_FQDN", NULL },
	{ ID_RFC822_ADDR, "ID_RFC822_ADDR", NULL },
	{ ID_IPV6_ADDR, "ID_IPV6_ADDR", NULL },
	{ ID_DER_ASN1_DN, "ID_DER_ASN1_DN", NULL },
	{ ID_DER_ASN1_GN, "ID_DER_ASN1_GN", NULL },
	{ ID_KEY_ID, "ID_KEY_ID", NULL },
	{ ID_FC_NAME, "ID_FC_NAME", NULL },
	{ ID_NULL, "ID_NULL", NULL },
};

const char *ike_id_type_name(uint8_t type)
{
	return name_of(id_types, N_(id_types), type);
}

static const struct name auth_methods[] = {
	{ AUTH_RSA_SIG, "RSA_SIG", NULL },
	{ AUTH_SHARED_KEY_MIC, "SHARED_KEY_MIC", NULL },
	{ AUTH_DSS_SIG, "DSS_SIG", NULL },
	{ AUTH_ECDSA_256, "ECDSA_SHA256_P256", NULL },
	{ AUTH_ECDSA_384, "ECDSA_SHA384_P384", NULL },
	{ AUTH_ECDSA_521, "ECDSA_SHA512_P521", NULL },
	{ AUTH_GSPAM, "GSPAM", NULL },
	{ AUTH_NULL, "NULL_AUTH", NULL },
	{ AUTH_DIGITAL_SIGNATURE, "DIGITAL_SIGNATURE", NULL },
};

const char *ike_auth_method_name(uint8_t method)
{
	return name_of(auth_methods, N_(auth_methods), method);
}

static const struct name cert_encodings[] = {
	{ 1, "PKCS7_WRAPPED_X509", NULL },
	{ 2, "PGP", NULL },
	{ 3, "DNS_SIGNED_KEY", NULL },
	{ CERT_X509_SIGNATURE, "X509_SIGNATURE", NULL },
	{ 6, "KERBEROS_TOKEN", NULL },
	{ 7, "CRL", NULL },
	{ 8, "ARL", NULL },
	{ 9, "SPKI", NULL },
	{ 10, "X509_ATTRIBUTE", NULL },
	{ 11, "RAW_RSA_KEY", NULL },
	{ CERT_HASH_URL_X509, "HASH_URL_X509", NULL },
	{ CERT_HASH_URL_BUNDLE, "HASH_URL_X509_BUNDLE", NULL },
	{ 14, "OCSP_CONTENT", NULL },
	{ 15, "RAW_PUBLIC_KEY", NULL },
};

const char *ike_cert_encoding_name(uint8_t enc)
{
	return name_of(cert_encodings, N_(cert_encodings), enc);
}

static const struct name ts_types[] = {
	{ TS_IPV4_ADDR_RANGE, "TS_IPV4_ADDR_RANGE", NULL },
	{ TS_IPV6_ADDR_RANGE, "TS_IPV6_ADDR_RANGE", NULL },
	{ 9, "TS_FC_ADDR_RANGE", NULL },
	{ 10, "TS_SECLABEL", NULL },
};

const char *ike_ts_type_name(uint8_t type)
{
	return name_of(ts_types, N_(ts_types), type);
}

static const struct name cfg_types[] = {
	{ CFG_REQUEST, "CFG_REQUEST", "CPRQ" },
	{ CFG_REPLY, "CFG_REPLY", "CPRP" },
	{ CFG_SET, "CFG_SET", "CPS" },
	{ CFG_ACK, "CFG_ACK", "CPA" },
};

const char *ike_cfg_type_name(uint8_t type)
{
	return name_of(cfg_types, N_(cfg_types), type);
}

static const struct name cfg_attrs[] = {
	{ INTERNAL_IP4_ADDRESS, "INTERNAL_IP4_ADDRESS", "ADDR" },
	{ INTERNAL_IP4_NETMASK, "INTERNAL_IP4_NETMASK", "MASK" },
	{ INTERNAL_IP4_DNS, "INTERNAL_IP4_DNS", "DNS" },
	{ INTERNAL_IP4_NBNS, "INTERNAL_IP4_NBNS", "NBNS" },
	{ 5, "INTERNAL_ADDRESS_EXPIRY", "EXP" },
	{ INTERNAL_IP4_DHCP, "INTERNAL_IP4_DHCP", "DHCP" },
	{ APPLICATION_VERSION, "APPLICATION_VERSION", "VER" },
	{ INTERNAL_IP6_ADDRESS, "INTERNAL_IP6_ADDRESS", "ADDR6" },
	{ 9, "INTERNAL_IP6_NETMASK", "MASK6" },
	{ INTERNAL_IP6_DNS, "INTERNAL_IP6_DNS", "DNS6" },
	{ 11, "INTERNAL_IP6_NBNS", "NBNS6" },
	{ INTERNAL_IP6_DHCP, "INTERNAL_IP6_DHCP", "DHCP6" },
	{ INTERNAL_IP4_SUBNET, "INTERNAL_IP4_SUBNET", "SUBNET" },
	{ SUPPORTED_ATTRIBUTES, "SUPPORTED_ATTRIBUTES", "SUP" },
	{ INTERNAL_IP6_SUBNET, "INTERNAL_IP6_SUBNET", "SUBNET6" },
	{ 16, "MIP6_HOME_PREFIX", "MIP6_PREFIX" },
	{ 17, "INTERNAL_IP6_LINK", "LINK6" },
	{ 18, "INTERNAL_IP6_PREFIX", "PREFIX6" },
	{ 19, "HOME_AGENT_ADDRESS", "HA_ADDR" },
	{ 20, "P_CSCF_IP4_ADDRESS", "PCSCF" },
	{ 21, "P_CSCF_IP6_ADDRESS", "PCSCF6" },
	{ 22, "FTT_KAT", "FTT_KAT" },
	{ 23, "EXTERNAL_SOURCE_IP4_NAT_INFO", "NAT_INFO" },
	{ 24, "TIMEOUT_PERIOD_FOR_LIVENESS_CHECK", "LIVENESS" },
	{ INTERNAL_DNS_DOMAIN, "INTERNAL_DNS_DOMAIN", "DOMAIN" },
	{ 26, "INTERNAL_DNSSEC_TA", "DNSSEC_TA" },
};

const char *ike_cfg_attr_name(uint16_t type)
{
	return name_of(cfg_attrs, N_(cfg_attrs), type);
}

const char *ike_cfg_attr_short_name(uint16_t type)
{
	return abbr_of(cfg_attrs, N_(cfg_attrs), type);
}

const char *ike_cfg_type_short_name(uint8_t type)
{
	return abbr_of(cfg_types, N_(cfg_types), type);
}

static const struct name hashes[] = {
	{ HASH_SHA1, "SHA1", NULL },
	{ HASH_SHA2_256, "SHA2_256", NULL },
	{ HASH_SHA2_384, "SHA2_384", NULL },
	{ HASH_SHA2_512, "SHA2_512", NULL },
	{ HASH_IDENTITY, "IDENTITY", NULL },
};

const char *ike_hash_name(uint16_t id)
{
	return name_of(hashes, N_(hashes), id);
}
