#include "ike/ike_conf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/pubkey.h"
#include "crypto/x509.h"
#include "crypto/x509_id.h"
#include "crypto/x509_trust.h"
#include "ike/iana.h"

struct ike_conf *ike_conf_new(const char *name)
{
	struct ike_conf *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->refs = 1;
	c->local_auth = c->remote_auth = IKE_AUTH_PSK;
	c->local_id.any = c->remote_id.any = true;
	c->send_initial_contact = true;
	return c;
}

struct ike_conf *ike_conf_ref(struct ike_conf *c)
{
	if (c)
		c->refs++;
	return c;
}

void ike_conf_unref(struct ike_conf *c)
{
	if (c && --c->refs == 0) {
		x509_free(c->local_cert);
		pubkey_free(c->local_key);
		x509_trust_free(c->trust);
		free(c);
	}
}

struct ike_child_conf *ike_conf_child(struct ike_conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_children; i++)
		if (!name || strcmp(c->children[i].name, name) == 0)
			return &c->children[i];
	return NULL;
}

bool ike_id_from_string(const char *s, struct ike_id *out)
{
	struct x509_id xid = { 0 };
	const char *why;

	memset(out, 0, sizeof(*out));
	if (!*s || strcmp(s, "%any") == 0 || strcmp(s, "%any6") == 0) {
		out->any = true;
		return true;
	}
	/* strongSwan's rules: addresses, FQDNs, user@fqdn, DNs, @#keyid */
	if (!x509_id_parse(s, &xid, &why))
		return false;
	if (xid.type == X509_ID_ANY) {
		out->any = true;
	} else if (xid.data.len > sizeof(out->data)) {
		x509_id_free(&xid);
		return false;
	} else {
		out->type = xid.type;
		out->len = (uint16_t)xid.data.len;
		memcpy(out->data, xid.data.ptr, xid.data.len);
	}
	x509_id_free(&xid);
	return true;
}

const char *ike_id_str(const struct ike_id *id, char *buf, size_t len)
{
	size_t o = 0;

	if (id->any) {
		snprintf(buf, len, "%%any");
		return buf;
	}
	switch (id->type) {
	case ID_IPV4_ADDR:
	case ID_IPV6_ADDR:
		if (!inet_ntop(id->type == ID_IPV4_ADDR ? AF_INET : AF_INET6,
			       id->data, buf, (socklen_t)len))
			snprintf(buf, len, "?");
		return buf;
	case ID_FQDN:
	case ID_RFC822_ADDR:
		for (size_t i = 0; i < id->len && o + 1 < len; i++)
			buf[o++] = (id->data[i] >= 0x20 && id->data[i] < 0x7f) ?
				   (char)id->data[i] : '?';
		buf[o] = 0;
		return buf;
	default: {
		struct x509_id xid = { 0 };
		const char *why;

		if (x509_id_from_wire(id->type, id->data, id->len, &xid, &why) &&
		    x509_id_to_str(&xid, buf, len)) {
			x509_id_free(&xid);
			return buf;
		}
		x509_id_free(&xid);
		snprintf(buf, len, "ID type %u (%u bytes)", id->type, id->len);
		return buf;
	}
	}
}

bool ike_id_equal(const struct ike_id *a, const struct ike_id *b)
{
	return a->any == b->any && a->type == b->type && a->len == b->len &&
	       memcmp(a->data, b->data, a->len) == 0;
}

bool ike_id_matches(const struct ike_id *conf, const struct ike_id *got)
{
	return conf->any || ike_id_equal(conf, got);
}

/* --- proposals -------------------------------------------------------- */

struct kw {
	const char *name;
	uint8_t type;
	uint16_t id, key_bits;
};

static const struct kw kws[] = {
	{ "aes128", TRANS_ENCR, ENCR_AES_CBC, 128 },
	{ "aes192", TRANS_ENCR, ENCR_AES_CBC, 192 },
	{ "aes256", TRANS_ENCR, ENCR_AES_CBC, 256 },
	{ "aes128gcm16", TRANS_ENCR, ENCR_AES_GCM_16, 128 },
	{ "aes128gcm", TRANS_ENCR, ENCR_AES_GCM_16, 128 },
	{ "aes192gcm16", TRANS_ENCR, ENCR_AES_GCM_16, 192 },
	{ "aes256gcm16", TRANS_ENCR, ENCR_AES_GCM_16, 256 },
	{ "aes256gcm", TRANS_ENCR, ENCR_AES_GCM_16, 256 },
	{ "chacha20poly1305", TRANS_ENCR, ENCR_CHACHA20_POLY1305, 256 },
	{ "sha1", TRANS_INTEG, AUTH_HMAC_SHA1_96, 0 },
	{ "sha256", TRANS_INTEG, AUTH_HMAC_SHA2_256_128, 0 },
	{ "sha384", TRANS_INTEG, AUTH_HMAC_SHA2_384_192, 0 },
	{ "sha512", TRANS_INTEG, AUTH_HMAC_SHA2_512_256, 0 },
	{ "prfsha1", TRANS_PRF, PRF_HMAC_SHA1, 0 },
	{ "prfsha256", TRANS_PRF, PRF_HMAC_SHA2_256, 0 },
	{ "prfsha384", TRANS_PRF, PRF_HMAC_SHA2_384, 0 },
	{ "prfsha512", TRANS_PRF, PRF_HMAC_SHA2_512, 0 },
	{ "modp2048", TRANS_KE, KE_MODP_2048, 0 },
	{ "modp3072", TRANS_KE, KE_MODP_3072, 0 },
	{ "modp4096", TRANS_KE, KE_MODP_4096, 0 },
	{ "ecp256", TRANS_KE, KE_ECP_256, 0 },
	{ "ecp384", TRANS_KE, KE_ECP_384, 0 },
	{ "ecp521", TRANS_KE, KE_ECP_521, 0 },
	{ "x25519", TRANS_KE, KE_CURVE25519, 0 },
	{ "curve25519", TRANS_KE, KE_CURVE25519, 0 },
	{ "x448", TRANS_KE, KE_CURVE448, 0 },
	{ "esn", TRANS_ESN, ESN_YES, 0 },
	{ "noesn", TRANS_ESN, ESN_NO, 0 },
};

static uint16_t integ_to_prf(uint16_t integ)
{
	switch (integ) {
	case AUTH_HMAC_SHA1_96: return PRF_HMAC_SHA1;
	case AUTH_HMAC_SHA2_256_128: return PRF_HMAC_SHA2_256;
	case AUTH_HMAC_SHA2_384_192: return PRF_HMAC_SHA2_384;
	case AUTH_HMAC_SHA2_512_256: return PRF_HMAC_SHA2_512;
	default: return 0;
	}
}

bool ike_prop_parse(uint8_t protocol, const char *s, struct ike_prop *out)
{
	char buf[256], *save = NULL, *tok;

	memset(out, 0, sizeof(*out));
	out->protocol = protocol;
	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	for (tok = strtok_r(buf, "-", &save); tok; tok = strtok_r(NULL, "-", &save)) {
		const struct kw *k = NULL;

		for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
			if (strcmp(kws[i].name, tok) == 0)
				k = &kws[i];
		if (!k)
			return false;
		switch (k->type) {
		case TRANS_ENCR:
			if (out->n_encr == IKE_PROP_MAX_ALGS)
				return false;
			out->encr[out->n_encr].id = k->id;
			out->encr[out->n_encr++].key_bits = k->key_bits;
			break;
		case TRANS_INTEG:
			if (out->n_integ == IKE_PROP_MAX_ALGS)
				return false;
			out->integ[out->n_integ++] = k->id;
			break;
		case TRANS_PRF:
			if (out->n_prf == IKE_PROP_MAX_ALGS)
				return false;
			out->prf[out->n_prf++] = k->id;
			break;
		case TRANS_KE:
			if (out->n_ke == IKE_PROP_MAX_ALGS)
				return false;
			out->ke[out->n_ke++] = k->id;
			break;
		case TRANS_ESN:
			if (out->n_esn == 2)
				return false;
			out->esn[out->n_esn++] = k->id;
			break;
		}
	}
	if (!out->n_encr)
		return false;
	if (protocol == PROTO_IKE) {
		/* as strongSwan: PRFs follow the integrity algorithms if none given */
		bool derived = !out->n_prf;

		for (size_t i = 0; derived && i < out->n_integ; i++)
			if (integ_to_prf(out->integ[i]))
				out->prf[out->n_prf++] = integ_to_prf(out->integ[i]);
		if (!out->n_prf || !out->n_ke)
			return false;
	} else if (!out->n_esn) {
		out->esn[out->n_esn++] = ESN_NO;
	}
	return true;
}

/* --- addresses and selectors ------------------------------------------ */

static bool parse_ip(const char *s, int *family, uint8_t *out)
{
	if (inet_pton(AF_INET, s, out) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

static bool parse_range(const char *s, int *family, uint8_t *from, uint8_t *to)
{
	char buf[128], *sep;
	int f2;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	if ((sep = strchr(buf, '/'))) {
		char *end;
		long prefix;
		size_t alen;

		*sep++ = 0;
		if (!parse_ip(buf, family, from))
			return false;
		alen = *family == AF_INET ? 4 : 16;
		prefix = strtol(sep, &end, 10);
		if (*end || prefix < 0 || (size_t)prefix > alen * 8)
			return false;
		for (size_t i = 0; i < alen; i++) {
			long bits = prefix - (long)i * 8;
			uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 :
				       (uint8_t)(0xff << (8 - bits));

			from[i] &= mask;
			to[i] = from[i] | (uint8_t)~mask;
		}
		return true;
	}
	if ((sep = strchr(buf, '-'))) {
		*sep++ = 0;
		return parse_ip(buf, family, from) && parse_ip(sep, &f2, to) &&
		       f2 == *family;
	}
	if (!parse_ip(buf, family, from))
		return false;
	memcpy(to, from, 16);
	return true;
}

bool ike_ts_conf_parse(const char *s, struct ike_ts_conf *out)
{
	memset(out, 0, sizeof(*out));
	out->port_to = 0xffff;
	if (strcmp(s, "dynamic") == 0) {
		out->dynamic = true;
		return true;
	}
	return parse_range(s, &out->family, out->from, out->to);
}

bool ike_addr_range_parse(const char *s, struct ike_addr_range *out)
{
	memset(out, 0, sizeof(*out));
	if (strcmp(s, "%any") == 0)
		return true;
	return parse_range(s, &out->family, out->from, out->to);
}

bool ike_addr_range_contains(const struct ike_addr_range *r,
			     const struct sockaddr_storage *a)
{
	const uint8_t *p;
	size_t alen;

	if (!r->family)
		return true;
	if (a->ss_family != r->family)
		return false;
	if (a->ss_family == AF_INET) {
		p = (const uint8_t *)&((const struct sockaddr_in *)a)->sin_addr;
		alen = 4;
	} else {
		p = (const uint8_t *)&((const struct sockaddr_in6 *)a)->sin6_addr;
		alen = 16;
	}
	return memcmp(p, r->from, alen) >= 0 && memcmp(p, r->to, alen) <= 0;
}
