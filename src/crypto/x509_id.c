/* IKE identities: parse, print, compare, match against certificates (see
 * x509_id.h). */
#include "crypto/x509_id.h"

#include <arpa/inet.h>
#include <limits.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "crypto/pubkey.h"
#include "crypto/x509.h"
#include "ike/iana.h"

#define X509_ID_DN_MAX 1024	/* a config DN string */

void x509_id_free(struct x509_id *id)
{
	chunk_free(&id->data);
	id->type = X509_ID_ANY;
}

bool x509_id_copy(struct x509_id *dst, const struct x509_id *src)
{
	dst->type = src->type;
	return chunk_dup(&dst->data, src->data.ptr, src->data.len);
}

static bool x509_id_set(struct x509_id *out, uint8_t type, const void *p, size_t len)
{
	out->type = type;
	return chunk_dup(&out->data, p, len);
}

static int x509_id_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex with optional ':' or ' ' separators, e.g. "0a:1b" or "0a1b". */
static bool x509_id_parse_hex(const char *s, struct x509_id *out, const char **reason)
{
	size_t n = 0, cap = strlen(s) / 2 + 1;
	uint8_t *buf = malloc(cap);
	int hi = -1;

	if (!buf) {
		*reason = "out of memory";
		return false;
	}
	for (; *s; s++) {
		int v = x509_id_hexval(*s);

		if (*s == ':' || *s == ' ')
			continue;
		if (v < 0) {
			free(buf);
			*reason = "key id is not hex";
			return false;
		}
		if (hi < 0) {
			hi = v;
		} else {
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0 || n == 0) {
		free(buf);
		*reason = "key id needs an even, non-zero number of hex digits";
		return false;
	}
	out->type = ID_KEY_ID;
	out->data.ptr = buf;
	out->data.len = n;
	return true;
}

/* strongSwan's short attribute names that differ from OpenSSL's. */
static const char *x509_id_attr_name(const char *k)
{
	static const struct { const char *ss, *ossl; } map[] = {
		{ "E", "emailAddress" }, { "Email", "emailAddress" },
		{ "SN", "serialNumber" }, { "S", "SN" }, { "T", "title" },
		{ "D", "description" }, { "N", "name" }, { "G", "GN" },
		{ "I", "initials" }, { "UN", "unstructuredName" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcasecmp(k, map[i].ss))
			return map[i].ossl;
	return k;
}

static char *x509_id_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* One "key=value" RDN; value may contain escaped separators. */
static bool x509_id_add_rdn(X509_NAME *name, char *rdn, const char **reason)
{
	char *eq = strchr(rdn, '='), *key, *val;

	if (!eq) {
		*reason = "DN component without '='";
		return false;
	}
	*eq = '\0';
	key = x509_id_trim(rdn);
	val = x509_id_trim(eq + 1);
	if (!*key || !*val) {
		*reason = "DN component with an empty name or value";
		return false;
	}
	if (!X509_NAME_add_entry_by_txt(name, x509_id_attr_name(key), MBSTRING_UTF8,
					(const unsigned char *)val, -1, -1, 0)) {
		ERR_clear_error();
		*reason = "unknown DN attribute or invalid value";
		return false;
	}
	return true;
}

/* "C=CH, O=strongSwan, CN=gw" (',' separated, '\' escapes) or OpenSSL's
 * "/C=CH/O=strongSwan/CN=gw". RDNs keep the order written. */
static bool x509_id_parse_dn(const char *s, struct x509_id *out, const char **reason)
{
	char buf[X509_ID_DN_MAX], rdn[X509_ID_DN_MAX];
	char sep = ',';
	size_t n = 0;
	X509_NAME *name;
	unsigned char *der = NULL;
	int len;
	bool ok = false;

	if (strlen(s) >= sizeof(buf)) {
		*reason = "DN too long";
		return false;
	}
	strcpy(buf, s);
	s = x509_id_trim(buf);
	if (*s == '/') {
		sep = '/';
		s++;
	}
	if (!(name = X509_NAME_new())) {
		*reason = "out of memory";
		return false;
	}
	for (;; s++) {
		if (*s == '\\' && s[1]) {
			rdn[n++] = *++s;
			continue;
		}
		if (*s == sep || *s == '\0') {
			rdn[n] = '\0';
			if (!x509_id_add_rdn(name, rdn, reason))
				goto out;
			n = 0;
			if (*s == '\0')
				break;
			continue;
		}
		rdn[n++] = *s;
	}
	len = i2d_X509_NAME(name, &der);
	if (len <= 0) {
		*reason = "cannot encode DN";
		goto out;
	}
	ok = x509_id_set(out, ID_DER_ASN1_DN, der, (size_t)len);
	OPENSSL_free(der);
	if (!ok)
		*reason = "out of memory";
out:
	X509_NAME_free(name);
	return ok;
}

static bool x509_id_parse_addr(const char *s, int family, struct x509_id *out,
			       const char **reason)
{
	uint8_t a[16];

	if (inet_pton(family, s, a) != 1) {
		*reason = family == AF_INET ? "not an IPv4 address" : "not an IPv6 address";
		return false;
	}
	return x509_id_set(out, family == AF_INET ? ID_IPV4_ADDR : ID_IPV6_ADDR, a,
			   family == AF_INET ? 4 : 16);
}

static bool x509_id_parse_name(uint8_t type, const char *s, struct x509_id *out,
			       const char **reason)
{
	if (!*s) {
		*reason = "empty name";
		return false;
	}
	return x509_id_set(out, type, s, strlen(s));
}

bool x509_id_parse(const char *s, struct x509_id *out, const char **reason)
{
	static const struct { const char *prefix; uint8_t type; } prefixes[] = {
		{ "fqdn:", ID_FQDN }, { "dns:", ID_FQDN },
		{ "email:", ID_RFC822_ADDR }, { "rfc822:", ID_RFC822_ADDR },
		{ "userfqdn:", ID_RFC822_ADDR },
		{ "ipv4:", ID_IPV4_ADDR }, { "ipv6:", ID_IPV6_ADDR },
		{ "asn1dn:", ID_DER_ASN1_DN }, { "keyid:", ID_KEY_ID },
	};
	uint8_t a[16];

	out->type = X509_ID_ANY;
	out->data.ptr = NULL;
	out->data.len = 0;
	if (!s || !*s) {
		*reason = "empty identity";
		return false;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = strlen(prefixes[i].prefix);
		const char *v = s + pl;

		if (strncasecmp(s, prefixes[i].prefix, pl))
			continue;
		switch (prefixes[i].type) {
		case ID_IPV4_ADDR: return x509_id_parse_addr(v, AF_INET, out, reason);
		case ID_IPV6_ADDR: return x509_id_parse_addr(v, AF_INET6, out, reason);
		case ID_DER_ASN1_DN: return x509_id_parse_dn(v, out, reason);
		case ID_KEY_ID: return x509_id_parse_hex(v + (*v == '#'), out, reason);
		default: return x509_id_parse_name(prefixes[i].type, v, out, reason);
		}
	}
	if (!strcmp(s, "%any") || !strcmp(s, "%any6"))
		return true;
	if (s[0] == '@' && s[1] == '#')
		return x509_id_parse_hex(s + 2, out, reason);
	if (s[0] == '@')
		return x509_id_parse_name(ID_FQDN, s + 1, out, reason);
	if (strchr(s, '='))
		return x509_id_parse_dn(s, out, reason);
	if (inet_pton(AF_INET, s, a) == 1)
		return x509_id_set(out, ID_IPV4_ADDR, a, 4);
	if (inet_pton(AF_INET6, s, a) == 1)
		return x509_id_set(out, ID_IPV6_ADDR, a, 16);
	if (strchr(s, '@'))
		return x509_id_parse_name(ID_RFC822_ADDR, s, out, reason);
	return x509_id_parse_name(ID_FQDN, s, out, reason);
}

/* The DN in the data, parsed; NULL unless it is exactly one DER Name. */
static X509_NAME *x509_id_dn(const struct chunk *der)
{
	const unsigned char *p = der->ptr;
	X509_NAME *n;

	if (!der->len || der->len > LONG_MAX)
		return NULL;
	n = d2i_X509_NAME(NULL, &p, (long)der->len);
	if (n && (size_t)(p - der->ptr) != der->len) {
		X509_NAME_free(n);
		n = NULL;
	}
	ERR_clear_error();
	return n;
}

bool x509_id_from_wire(uint8_t type, const uint8_t *p, size_t len,
		       struct x509_id *out, const char **reason)
{
	X509_NAME *n;
	struct chunk c = { (uint8_t *)p, len };

	out->type = X509_ID_ANY;
	out->data.ptr = NULL;
	out->data.len = 0;
	switch (type) {
	case ID_IPV4_ADDR:
		if (len != 4) {
			*reason = "ID_IPV4_ADDR is not 4 bytes";
			return false;
		}
		break;
	case ID_IPV6_ADDR:
		if (len != 16) {
			*reason = "ID_IPV6_ADDR is not 16 bytes";
			return false;
		}
		break;
	case ID_FQDN:
	case ID_RFC822_ADDR:
	case ID_KEY_ID:
	case ID_DER_ASN1_GN:
		if (!len) {
			*reason = "empty identity";
			return false;
		}
		break;
	case ID_DER_ASN1_DN:
		n = x509_id_dn(&c);
		if (!n) {
			*reason = "ID_DER_ASN1_DN is not one DER Name";
			return false;
		}
		X509_NAME_free(n);
		break;
	default:
		*reason = "unknown ID type";
		return false;
	}
	if (!x509_id_set(out, type, p, len)) {
		*reason = "out of memory";
		return false;
	}
	return true;
}

bool x509_id_from_subject(const X509 *c, struct x509_id *out)
{
	out->type = ID_DER_ASN1_DN;
	return x509_subject_der(c, &out->data);
}

/* Append printable text, escaping what a log line should not carry. */
static bool x509_id_put(char *buf, size_t len, size_t *pos, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char tmp[5];
		size_t tl;

		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			tmp[0] = (char)p[i];
			tl = 1;
		} else {
			snprintf(tmp, sizeof(tmp), "\\x%02x", p[i]);
			tl = 4;
		}
		if (*pos + tl >= len)
			return false;
		memcpy(buf + *pos, tmp, tl);
		*pos += tl;
	}
	buf[*pos] = '\0';
	return true;
}

static bool x509_id_put_hex(char *buf, size_t len, size_t *pos, const char *prefix,
			    const struct chunk *c)
{
	size_t pl = strlen(prefix);

	if (*pos + pl >= len)
		return false;
	memcpy(buf + *pos, prefix, pl + 1);
	*pos += pl;
	for (size_t i = 0; i < c->len; i++) {
		if (*pos + 2 >= len)
			return false;
		snprintf(buf + *pos, 3, "%02x", c->ptr[i]);
		*pos += 2;
	}
	return true;
}

bool x509_id_to_str(const struct x509_id *id, char *buf, size_t len)
{
	size_t pos = 0;
	char addr[INET6_ADDRSTRLEN];
	X509_NAME *n;
	bool ok;

	if (!len)
		return false;
	buf[0] = '\0';
	switch (id->type) {
	case X509_ID_ANY:
		return x509_id_put(buf, len, &pos, (const uint8_t *)"%any", 4);
	case ID_IPV4_ADDR:
	case ID_IPV6_ADDR:
		if (id->data.len != (id->type == ID_IPV4_ADDR ? 4u : 16u) ||
		    !inet_ntop(id->type == ID_IPV4_ADDR ? AF_INET : AF_INET6,
			       id->data.ptr, addr, sizeof(addr)))
			return x509_id_put_hex(buf, len, &pos, "(bad address) ", &id->data);
		return x509_id_put(buf, len, &pos, (const uint8_t *)addr, strlen(addr));
	case ID_FQDN:
	case ID_RFC822_ADDR:
		return x509_id_put(buf, len, &pos, id->data.ptr, id->data.len);
	case ID_DER_ASN1_DN:
		n = x509_id_dn(&id->data);
		if (!n)
			return x509_id_put_hex(buf, len, &pos, "(bad DN) ", &id->data);
		ok = x509_name_str(n, buf, len);
		X509_NAME_free(n);
		return ok;
	case ID_KEY_ID:
		return x509_id_put_hex(buf, len, &pos, "@#", &id->data);
	default:
		return x509_id_put_hex(buf, len, &pos, "(other ID) ", &id->data);
	}
}

static bool x509_id_dn_equal(const struct chunk *a, const struct chunk *b)
{
	X509_NAME *na = x509_id_dn(a), *nb = x509_id_dn(b);
	bool eq = na && nb && X509_NAME_cmp(na, nb) == 0;

	X509_NAME_free(na);
	X509_NAME_free(nb);
	ERR_clear_error();
	return eq;
}

static bool x509_id_casecmp(const struct chunk *a, const uint8_t *p, size_t len)
{
	if (a->len != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (tolower(a->ptr[i]) != tolower(p[i]))
			return false;
	return true;
}

bool x509_id_equal(const struct x509_id *a, const struct x509_id *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case X509_ID_ANY:
		return true;
	case ID_FQDN:
	case ID_RFC822_ADDR:
		return x509_id_casecmp(&a->data, b->data.ptr, b->data.len);
	case ID_DER_ASN1_DN:
		return chunk_equal(&a->data, &b->data) ||
		       x509_id_dn_equal(&a->data, &b->data);
	default:
		return chunk_equal(&a->data, &b->data);
	}
}

/* ID_KEY_ID: the SHA-1 key id we use for CERTREQ, or the certificate's
 * subjectKeyIdentifier (what a peer configured from the cert would send). */
static bool x509_id_match_keyid(const struct x509_id *id, const X509 *c)
{
	uint8_t kid[PUBKEY_KEYID_LEN];
	const ASN1_OCTET_STRING *ski;

	if (id->data.len == PUBKEY_KEYID_LEN && x509_keyid(c, kid) &&
	    !memcmp(kid, id->data.ptr, PUBKEY_KEYID_LEN))
		return true;
	ski = X509_get0_subject_key_id((X509 *)c);
	return ski && (size_t)ASN1_STRING_length(ski) == id->data.len &&
	       !memcmp(ASN1_STRING_get0_data(ski), id->data.ptr, id->data.len);
}

bool x509_id_matches_cert(const struct x509_id *id, const X509 *c)
{
	struct x509_san sans[32];
	struct chunk subject;
	size_t n;
	bool eq;

	switch (id->type) {
	case X509_ID_ANY:
		return true;
	case ID_DER_ASN1_DN:
		if (!x509_subject_der(c, &subject))
			return false;
		eq = x509_id_dn_equal(&id->data, &subject);
		chunk_free(&subject);
		return eq;
	case ID_KEY_ID:
		return x509_id_match_keyid(id, c);
	case ID_FQDN:
	case ID_RFC822_ADDR:
	case ID_IPV4_ADDR:
	case ID_IPV6_ADDR:
		break;
	default:
		return false;
	}
	n = x509_get_sans(c, sans, sizeof(sans) / sizeof(sans[0]));
	if (n > sizeof(sans) / sizeof(sans[0]))
		n = sizeof(sans) / sizeof(sans[0]);
	for (size_t i = 0; i < n; i++) {
		if (sans[i].type != id->type)
			continue;
		if (id->type == ID_FQDN || id->type == ID_RFC822_ADDR ?
		    x509_id_casecmp(&id->data, sans[i].data, sans[i].len) :
		    (id->data.len == sans[i].len &&
		     !memcmp(id->data.ptr, sans[i].data, sans[i].len)))
			return true;
	}
	return false;
}
