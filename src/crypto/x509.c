/* X.509 certificate loading and queries (see x509.h). */
#include "crypto/x509.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ike/iana.h"

#define X509_FILE_MAX (4 * 1024 * 1024)	/* a bundle of many CAs at most */

static bool x509_read_file(const char *path, struct chunk *out, const char **reason)
{
	FILE *f = fopen(path, "rb");
	long size;
	bool ok = false;

	out->ptr = NULL;
	out->len = 0;
	if (!f) {
		*reason = "cannot open certificate file";
		return false;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		*reason = "cannot read certificate file";
	} else if (size == 0 || size > X509_FILE_MAX) {
		*reason = size ? "certificate file too large" : "empty certificate file";
	} else if (!chunk_alloc(out, (size_t)size)) {
		*reason = "out of memory";
	} else if (fread(out->ptr, 1, (size_t)size, f) != (size_t)size) {
		*reason = "cannot read certificate file";
		chunk_free(out);
	} else {
		ok = true;
	}
	fclose(f);
	return ok;
}

/* PEM if the text has a PEM header, else one DER certificate that must
 * use all the bytes. */
static bool x509_looks_pem(const uint8_t *p, size_t len)
{
	static const char tag[] = "-----BEGIN";

	return len >= sizeof(tag) - 1 && memmem(p, len, tag, sizeof(tag) - 1);
}

static X509 *x509_from_der(const uint8_t *p, size_t len, const char **reason)
{
	const unsigned char *in = p;
	X509 *c;

	if (len > LONG_MAX) {
		*reason = "certificate too large";
		return NULL;
	}
	c = d2i_X509(NULL, &in, (long)len);
	if (!c) {
		*reason = "not a DER certificate";
		return NULL;
	}
	if ((size_t)(in - p) != len) {
		X509_free(c);
		*reason = "trailing bytes after DER certificate";
		return NULL;
	}
	return c;
}

/* Certificates are never encrypted; without this OpenSSL's default
 * callback would prompt on a terminal for a "Proc-Type: ENCRYPTED" block. */
static int x509_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

STACK_OF(X509) *x509_load_bundle_mem(const uint8_t *p, size_t len,
				     const char **reason)
{
	STACK_OF(X509) *sk;
	BIO *bio;
	X509 *c;

	if (!p || !len || len > INT_MAX) {
		*reason = "empty certificate data";
		return NULL;
	}
	sk = sk_X509_new_null();
	if (!sk) {
		*reason = "out of memory";
		return NULL;
	}
	if (!x509_looks_pem(p, len)) {
		c = x509_from_der(p, len, reason);
		if (!c || !sk_X509_push(sk, c)) {
			X509_free(c);
			sk_X509_free(sk);
			return NULL;
		}
		return sk;
	}
	bio = BIO_new_mem_buf(p, (int)len);
	if (!bio) {
		sk_X509_free(sk);
		*reason = "out of memory";
		return NULL;
	}
	/* every CERTIFICATE block; other blocks (keys, params) are skipped */
	while ((c = PEM_read_bio_X509(bio, NULL, x509_no_passphrase, NULL))) {
		if (!sk_X509_push(sk, c)) {
			X509_free(c);
			break;
		}
	}
	BIO_free(bio);
	ERR_clear_error();	/* the loop ends on "no start line" */
	if (sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		*reason = "no PEM certificate found";
		return NULL;
	}
	return sk;
}

X509 *x509_load_mem(const uint8_t *p, size_t len, const char **reason)
{
	STACK_OF(X509) *sk = x509_load_bundle_mem(p, len, reason);
	X509 *c;

	if (!sk)
		return NULL;
	c = sk_X509_shift(sk);	/* the first one */
	x509_bundle_free(sk);
	return c;
}

STACK_OF(X509) *x509_load_bundle_file(const char *path, const char **reason)
{
	struct chunk data;
	STACK_OF(X509) *sk;

	if (!x509_read_file(path, &data, reason))
		return NULL;
	sk = x509_load_bundle_mem(data.ptr, data.len, reason);
	chunk_free(&data);
	return sk;
}

X509 *x509_load_file(const char *path, const char **reason)
{
	struct chunk data;
	X509 *c;

	if (!x509_read_file(path, &data, reason))
		return NULL;
	c = x509_load_mem(data.ptr, data.len, reason);
	chunk_free(&data);
	return c;
}

void x509_bundle_free(STACK_OF(X509) *sk)
{
	sk_X509_pop_free(sk, X509_free);
}

void x509_free(X509 *c)
{
	X509_free(c);
}

static bool x509_take_der(unsigned char *der, int len, struct chunk *out)
{
	bool ok = len > 0 && chunk_dup(out, der, (size_t)len);

	OPENSSL_free(der);
	return ok;
}

bool x509_der(const X509 *c, struct chunk *out)
{
	unsigned char *der = NULL;

	out->ptr = NULL;
	out->len = 0;
	return x509_take_der(der, i2d_X509(c, &der), out);
}

static bool x509_name_der(const X509_NAME *n, struct chunk *out)
{
	unsigned char *der = NULL;

	out->ptr = NULL;
	out->len = 0;
	return n && x509_take_der(der, i2d_X509_NAME(n, &der), out);
}

bool x509_subject_der(const X509 *c, struct chunk *out)
{
	return x509_name_der(X509_get_subject_name(c), out);
}

bool x509_issuer_der(const X509 *c, struct chunk *out)
{
	return x509_name_der(X509_get_issuer_name(c), out);
}

bool x509_name_str(const X509_NAME *n, char *buf, size_t len)
{
	/* "C=CH, O=strongSwan, CN=gw": RFC 2253 escaping, short names, RDNs
	 * in DER order as strongSwan prints them, UTF-8 kept as is */
	const unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
		(ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	BIO *bio;
	char *mem;
	long n_out;
	bool ok;

	if (!len)
		return false;
	buf[0] = '\0';
	if (!n || !(bio = BIO_new(BIO_s_mem())))
		return false;
	if (X509_NAME_print_ex(bio, n, 0, flags) < 0) {
		BIO_free(bio);
		return false;
	}
	n_out = BIO_get_mem_data(bio, &mem);
	ok = n_out >= 0 && (size_t)n_out < len;
	if (n_out > 0) {
		size_t cp = ok ? (size_t)n_out : len - 1;

		memcpy(buf, mem, cp);
		buf[cp] = '\0';
	}
	BIO_free(bio);
	return ok;
}

bool x509_subject_str(const X509 *c, char *buf, size_t len)
{
	return x509_name_str(X509_get_subject_name(c), buf, len);
}

bool x509_issuer_str(const X509 *c, char *buf, size_t len)
{
	return x509_name_str(X509_get_issuer_name(c), buf, len);
}

size_t x509_get_sans(const X509 *c, struct x509_san *out, size_t max)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(c, NID_subject_alt_name, NULL, NULL);
	size_t count = 0;

	if (!gens)
		return 0;
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *s;
		uint8_t type;

		switch (g->type) {
		case GEN_DNS:
			type = ID_FQDN;
			s = g->d.dNSName;
			break;
		case GEN_EMAIL:
			type = ID_RFC822_ADDR;
			s = g->d.rfc822Name;
			break;
		case GEN_IPADD:
			s = g->d.iPAddress;
			if (ASN1_STRING_length(s) == 4)
				type = ID_IPV4_ADDR;
			else if (ASN1_STRING_length(s) == 16)
				type = ID_IPV6_ADDR;
			else
				continue;	/* name constraint style, not an address */
			break;
		default:
			continue;
		}
		if (ASN1_STRING_length(s) <= 0 || ASN1_STRING_length(s) > X509_SAN_MAX_LEN)
			continue;
		if (count < max) {
			out[count].type = type;
			out[count].len = (uint16_t)ASN1_STRING_length(s);
			memcpy(out[count].data, ASN1_STRING_get0_data(s), out[count].len);
		}
		count++;
	}
	GENERAL_NAMES_free(gens);
	return count;
}

static bool x509_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return false;
	*out = timegm(&tm);
	return true;
}

bool x509_validity(const X509 *c, time_t *not_before, time_t *not_after)
{
	return x509_time(X509_get0_notBefore(c), not_before) &&
	       x509_time(X509_get0_notAfter(c), not_after);
}

bool x509_is_ca(const X509 *c)
{
	return X509_check_ca((X509 *)c) == 1;
}

bool x509_is_self_signed(const X509 *c)
{
	return X509_self_signed((X509 *)c, 0) == 1;
}

EVP_PKEY *x509_get_pubkey(const X509 *c)
{
	return X509_get_pubkey((X509 *)c);
}

bool x509_keyid(const X509 *c, uint8_t out[PUBKEY_KEYID_LEN])
{
	const EVP_PKEY *k = X509_get0_pubkey(c);

	return k && pubkey_keyid(k, out);
}
