/* X.509 loading and queries (x509), chain verification and CERTREQ key ids
 * (x509_trust), identities (x509_id), against tests/fixtures/pki. */
#include "check_main.h"

#include <openssl/x509_vfy.h>

#include "crypto/pubkey.h"
#include "crypto/x509.h"
#include "crypto/x509_id.h"
#include "crypto/x509_trust.h"
#include "ike/iana.h"

#define FIX "tests/fixtures/pki/"

static X509 *load(const char *name)
{
	char path[128];
	const char *reason = NULL;
	X509 *c;

	snprintf(path, sizeof(path), FIX "%s", name);
	c = x509_load_file(path, &reason);
	ck_assert_msg(c != NULL, "%s: %s", path, reason);
	return c;
}

static bool read_file(const char *path, struct chunk *out)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[16384];
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return chunk_dup(out, buf, n);
}

START_TEST(load_pem_der_and_export)
{
	X509 *pem = load("gw.crt"), *der = load("gw.der"), *c;
	struct chunk file, out;
	const char *reason = NULL;

	ck_assert_int_eq(X509_cmp(pem, der), 0);
	ck_assert(read_file(FIX "gw.der", &file));
	ck_assert(x509_der(pem, &out));
	ck_assert(chunk_equal(&file, &out));	/* CERT payload data */
	c = x509_load_mem(file.ptr, file.len, &reason);
	ck_assert(c && X509_cmp(c, pem) == 0);
	x509_free(c);
	/* DER must be exactly one certificate */
	file.ptr[file.len - 1] ^= 0;
	ck_assert_ptr_null(x509_load_mem(file.ptr, file.len - 1, &reason));
	chunk_free(&out);
	ck_assert(chunk_alloc(&out, file.len + 1));
	memcpy(out.ptr, file.ptr, file.len);
	ck_assert_ptr_null(x509_load_mem(out.ptr, out.len, &reason));
	ck_assert_str_eq(reason, "trailing bytes after DER certificate");
	ck_assert_ptr_null(x509_load_mem((const uint8_t *)"junk", 4, &reason));
	ck_assert_ptr_null(x509_load_mem(NULL, 0, &reason));
	ck_assert_ptr_null(x509_load_file(FIX "nope.crt", &reason));
	ck_assert_ptr_null(x509_load_file(FIX "gw.key", &reason));	/* PEM, no cert */
	chunk_free(&out);
	chunk_free(&file);
	x509_free(pem);
	x509_free(der);
}
END_TEST

START_TEST(load_bundle_in_order)
{
	static const char *want[] = { "leaf.crt", "int-ca.crt", "ca-rsa.crt" };
	const char *reason = NULL;
	STACK_OF(X509) *sk = x509_load_bundle_file(FIX "chain-bundle.pem", &reason);
	X509 *first;

	ck_assert_msg(sk != NULL, "%s", reason);
	ck_assert_int_eq(sk_X509_num(sk), 3);
	for (int i = 0; i < 3; i++) {
		X509 *c = load(want[i]);

		ck_assert_int_eq(X509_cmp(sk_X509_value(sk, i), c), 0);
		x509_free(c);
	}
	first = load("chain-bundle.pem");	/* single loader: the first one */
	ck_assert_int_eq(X509_cmp(first, sk_X509_value(sk, 0)), 0);
	x509_free(first);
	x509_bundle_free(sk);
}
END_TEST

START_TEST(names_as_string_and_der)
{
	X509 *gw = load("gw.crt"), *leaf = load("leaf.crt"), *ica = load("int-ca.crt");
	char buf[256], small[8];
	struct chunk der;
	const unsigned char *p;
	X509_NAME *n;

	ck_assert(x509_subject_str(gw, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "C=CH, O=Cygnet Test, CN=gw.example");
	ck_assert(x509_issuer_str(gw, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "C=CH, O=Cygnet Test, CN=Cygnet RSA Root CA");
	ck_assert(x509_subject_str(leaf, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "C=CH, O=Cygnet Test, OU=Branch, CN=leaf.example");
	ck_assert(!x509_subject_str(gw, small, sizeof(small)));
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);	/* cut, terminated */
	ck_assert(x509_issuer_der(leaf, &der));
	p = der.ptr;
	n = d2i_X509_NAME(NULL, &p, (long)der.len);
	ck_assert(n && X509_NAME_cmp(n, X509_get_subject_name(ica)) == 0);
	ck_assert((size_t)(p - der.ptr) == der.len);
	X509_NAME_free(n);
	chunk_free(&der);
	x509_free(ica);
	x509_free(gw);
	x509_free(leaf);
}
END_TEST

START_TEST(subject_alt_names)
{
	static const struct {
		const char *cert;
		size_t n;
		struct { uint8_t type; const char *hex; } san[3];
	} t[] = {
		{ "gw.crt", 2, { { ID_FQDN, "67772e6578616d706c65" }, { ID_IPV4_ADDR, "c0000201" } } },
		{ "rw.crt", 2, { { ID_RFC822_ADDR, "7277406578616d706c65" },
				 { ID_FQDN, "72772e6578616d706c65" } } },
		{ "leaf.crt", 3, { { ID_FQDN, "6c6561662e6578616d706c65" },
				   { ID_IPV6_ADDR, "20010db8000000000000000000000001" },
				   { ID_IPV4_ADDR, "c6336407" } } },
		{ "ed25519.crt", 1, { { ID_FQDN, "65642e6578616d706c65" } } },
		{ "ca-rsa.crt", 0, { { 0, "" } } },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		X509 *c = load(t[i].cert);
		struct x509_san sans[4];
		size_t n = x509_get_sans(c, sans, 4);

		ck_assert_uint_eq(n, t[i].n);
		for (size_t j = 0; j < n; j++) {
			uint8_t want[32];
			size_t wl = test_unhex(t[i].san[j].hex, want, sizeof(want));

			ck_assert_uint_eq(sans[j].type, t[i].san[j].type);
			ck_assert_uint_eq(sans[j].len, wl);
			ck_assert(!memcmp(sans[j].data, want, wl));
		}
		/* a short array still reports the count */
		ck_assert_uint_eq(x509_get_sans(c, sans, 1), t[i].n);
		x509_free(c);
	}
}
END_TEST

START_TEST(validity_and_flags)
{
	X509 *old = load("expired.crt"), *gw = load("gw.crt"), *ca = load("ca-rsa.crt");
	X509 *ica = load("int-ca.crt");
	time_t nb, na;

	ck_assert(x509_validity(old, &nb, &na));
	ck_assert_int_eq(nb, 946684800);	/* 2000-01-01 00:00:00Z */
	ck_assert_int_eq(na, 978307200);	/* 2001-01-01 00:00:00Z */
	ck_assert(x509_validity(gw, &nb, &na));
	ck_assert_int_eq(na - nb, 36500L * 86400);
	ck_assert(x509_is_ca(ca) && x509_is_ca(ica) && !x509_is_ca(gw));
	ck_assert(x509_is_self_signed(ca) && !x509_is_self_signed(ica) && !x509_is_self_signed(gw));
	x509_free(old); x509_free(gw); x509_free(ca); x509_free(ica);
}
END_TEST

START_TEST(public_key_of_cert)
{
	static const char *pairs[][2] = {
		{ "gw.crt", FIX "gw.key" }, { "rw.crt", FIX "rw.key" },
		{ "ed25519.crt", FIX "ed25519.key" }, { "leaf.crt", FIX "leaf.key" },
	};

	for (size_t i = 0; i < 4; i++) {
		X509 *c = load(pairs[i][0]);
		const char *reason = NULL;
		EVP_PKEY *priv = pubkey_load_private_file(pairs[i][1], &reason);
		EVP_PKEY *pub = x509_get_pubkey(c);

		ck_assert(priv && pub);
		ck_assert(pubkey_equal(priv, pub));
		ck_assert(!pubkey_has_private(pub));
		ck_assert_int_eq(pubkey_type(pub), pubkey_type(priv));
		pubkey_free(pub);
		pubkey_free(priv);
		x509_free(c);
	}
}
END_TEST

static struct x509_trust *trust_roots(void)
{
	struct x509_trust *t = x509_trust_new();
	X509 *rsa = load("ca-rsa.crt"), *ec = load("ca-ecdsa.crt"), *gw = load("gw.crt");
	const char *reason = NULL;

	ck_assert(t != NULL);
	ck_assert(x509_trust_add(t, rsa, &reason));
	ck_assert(x509_trust_add(t, ec, &reason));
	ck_assert(x509_trust_add(t, rsa, &reason));	/* twice is harmless */
	ck_assert(!x509_trust_add(t, gw, &reason));	/* not a CA */
	ck_assert_str_eq(reason, "not a CA certificate");
	ck_assert_uint_eq(x509_trust_count(t), 2);
	x509_free(rsa); x509_free(ec); x509_free(gw);	/* the store holds its own */
	return t;
}

START_TEST(chain_verification)
{
	struct x509_trust *t = trust_roots();
	static const struct {
		const char *leaf;
		const char *untrusted[2];
		time_t at;
		int want;
	} cases[] = {
		{ "gw.crt", { NULL }, 0, X509_V_OK },
		{ "rw.crt", { NULL }, 0, X509_V_OK },
		{ "ed25519.crt", { NULL }, 0, X509_V_OK },
		{ "leaf.crt", { "int-ca.crt" }, 0, X509_V_OK },
		{ "leaf.crt", { "int-ca.crt", "rogue-ca.crt" }, 0, X509_V_OK },
		{ "leaf.crt", { NULL }, 0, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY },
		{ "expired.crt", { NULL }, 0, X509_V_ERR_CERT_HAS_EXPIRED },
		{ "rogue.crt", { NULL }, 0, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY },
		{ "rogue.crt", { "rogue-ca.crt" }, 0, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN },
		{ "rogue-ca.crt", { NULL }, 0, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT },
		/* validity at a given time: 2200 is past the 100 years */
		{ "gw.crt", { NULL }, 7258118400, X509_V_ERR_CERT_HAS_EXPIRED },
		{ "gw.crt", { NULL }, 86400, X509_V_ERR_CERT_NOT_YET_VALID },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		X509 *leaf = load(cases[i].leaf);
		STACK_OF(X509) *sk = sk_X509_new_null();
		const char *reason = NULL;
		int err;

		for (size_t j = 0; j < 2 && cases[i].untrusted[j]; j++)
			ck_assert(sk_X509_push(sk, load(cases[i].untrusted[j])));
		err = x509_trust_verify(t, leaf, sk, cases[i].at, &reason);
		ck_assert_msg(err == cases[i].want, "case %zu (%s): %d %s", i,
			      cases[i].leaf, err, reason);
		ck_assert(reason && *reason);
		x509_bundle_free(sk);
		x509_free(leaf);
	}
	x509_trust_free(t);
}
END_TEST

START_TEST(chain_reasons_are_readable)
{
	struct x509_trust *t = trust_roots();
	X509 *old = load("expired.crt"), *bad;
	struct chunk der;
	const char *reason = NULL;

	ck_assert_int_eq(x509_trust_verify(t, old, NULL, 0, &reason), X509_V_ERR_CERT_HAS_EXPIRED);
	ck_assert_str_eq(reason, "certificate has expired");
	/* a flipped bit in the CA's signature over gw */
	bad = load("gw.crt");
	ck_assert(x509_der(bad, &der));
	x509_free(bad);
	der.ptr[der.len - 5] ^= 0x01;
	bad = x509_load_mem(der.ptr, der.len, &reason);
	ck_assert(bad != NULL);
	ck_assert_int_eq(x509_trust_verify(t, bad, NULL, 0, &reason),
			 X509_V_ERR_CERT_SIGNATURE_FAILURE);
	ck_assert_str_eq(reason, "certificate signature failure");
	chunk_free(&der);
	x509_free(bad);
	x509_free(old);
	x509_trust_free(t);
}
END_TEST

/* CERTREQ: key ids equal `openssl x509 -pubkey | openssl pkey -pubin
 * -outform DER | sha1` (gen.sh writes them to *.keyid). */
START_TEST(certreq_keyids)
{
	static const char *names[] = { "ca-rsa", "ca-ecdsa", "int-ca" };
	struct x509_trust *t = trust_roots();
	uint8_t ids[3][20], got[20];
	struct chunk req;

	for (size_t i = 0; i < 3; i++) {
		char path[128], hex[64] = { 0 };
		X509 *c;
		FILE *f;

		snprintf(path, sizeof(path), FIX "%s.keyid", names[i]);
		f = fopen(path, "r");
		ck_assert(f && fgets(hex, sizeof(hex), f));
		fclose(f);
		ck_assert_uint_eq(test_unhex(hex, ids[i], 20), 20);
		snprintf(path, sizeof(path), "%s.crt", names[i]);
		c = load(path);
		ck_assert(x509_keyid(c, got));
		ck_assert(!memcmp(got, ids[i], 20));
		if (i < 2)
			ck_assert_int_eq(X509_cmp(x509_trust_find_keyid(t, ids[i]), c), 0);
		else
			ck_assert_ptr_null(x509_trust_find_keyid(t, ids[i]));
		x509_free(c);
	}
	ck_assert(x509_trust_certreq_data(t, &req));
	ck_assert_uint_eq(req.len, 40);
	ck_assert(!memcmp(req.ptr, ids[0], 20) && !memcmp(req.ptr + 20, ids[1], 20));
	chunk_free(&req);
	x509_trust_free(t);
}
END_TEST

static const struct {
	const char *in;
	uint8_t type;
	const char *hex;	/* ID payload data */
} parse_ok[] = {
	{ "192.0.2.1", ID_IPV4_ADDR, "c0000201" },
	{ "2001:db8::1", ID_IPV6_ADDR, "20010db8000000000000000000000001" },
	{ "user@example.com", ID_RFC822_ADDR, "75736572406578616d706c652e636f6d" },
	{ "gw.example.com", ID_FQDN, "67772e6578616d706c652e636f6d" },
	{ "@fqdn", ID_FQDN, "6671646e" },
	{ "@192.0.2.1", ID_FQDN, "3139322e302e322e31" },
	{ "@#0a1B2c", ID_KEY_ID, "0a1b2c" },
	{ "@#0a:1b:2c", ID_KEY_ID, "0a1b2c" },
	{ "%any", X509_ID_ANY, "" },
	{ "C=CH, O=strongSwan, CN=gw", ID_DER_ASN1_DN,
	  "30 2f 31 0b 30 09 06 03 55 04 06 13 02 43 48 31 13 30 11 06 03 55 04 0a"
	  "0c 0a 73 74 72 6f 6e 67 53 77 61 6e 31 0b 30 09 06 03 55 04 03 0c 02 67 77" },
	{ "C=CH,O=strongSwan,CN=gw", ID_DER_ASN1_DN,
	  "30 2f 31 0b 30 09 06 03 55 04 06 13 02 43 48 31 13 30 11 06 03 55 04 0a"
	  "0c 0a 73 74 72 6f 6e 67 53 77 61 6e 31 0b 30 09 06 03 55 04 03 0c 02 67 77" },
	{ "/C=CH/O=strongSwan/CN=gw", ID_DER_ASN1_DN,
	  "30 2f 31 0b 30 09 06 03 55 04 06 13 02 43 48 31 13 30 11 06 03 55 04 0a"
	  "0c 0a 73 74 72 6f 6e 67 53 77 61 6e 31 0b 30 09 06 03 55 04 03 0c 02 67 77" },
	{ "CN=a\\,b", ID_DER_ASN1_DN, "30 0e 31 0c 30 0a 06 03 55 04 03 0c 03 61 2c 62" },
	{ "email:gw.example", ID_RFC822_ADDR, "67772e6578616d706c65" },
	{ "fqdn:user@x", ID_FQDN, "7573657240" "78" },
	{ "keyid:#0102", ID_KEY_ID, "0102" },
	{ "ipv4:198.51.100.1", ID_IPV4_ADDR, "c6336401" },
	{ "ipv6:2001:db8::2", ID_IPV6_ADDR, "20010db8000000000000000000000002" },
};

START_TEST(identity_string_parsing)
{
	for (size_t i = 0; i < sizeof(parse_ok) / sizeof(parse_ok[0]); i++) {
		struct x509_id id;
		uint8_t want[128];
		size_t n = test_unhex(parse_ok[i].hex, want, sizeof(want));
		const char *reason = NULL;

		ck_assert_msg(x509_id_parse(parse_ok[i].in, &id, &reason), "%s: %s",
			      parse_ok[i].in, reason);
		ck_assert_msg(id.type == parse_ok[i].type, "%s: type %u", parse_ok[i].in, id.type);
		ck_assert_msg(id.data.len == n && (!n || !memcmp(id.data.ptr, want, n)),
			      "%s: bytes differ", parse_ok[i].in);
		x509_id_free(&id);
	}
}
END_TEST

START_TEST(identity_string_rejects)
{
	static const char *bad[] = {
		"", "@", "@#", "@#abc", "@#zz", "ipv4:300.1.1.1", "ipv6:1.2.3.4",
		"C=CH, XX=foo", "C=CH,,CN=x", "C=CH, CN=", "email:", "keyid:",
		"CN=\xc3\xff",	/* not UTF-8 */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct x509_id id;
		const char *reason = NULL;

		ck_assert_msg(!x509_id_parse(bad[i], &id, &reason), "accepted '%s'", bad[i]);
		ck_assert(reason != NULL);
		ck_assert_ptr_null(id.data.ptr);
	}
	ck_assert(!x509_id_parse(NULL, &(struct x509_id){ 0 }, &(const char *){ NULL }));
}
END_TEST

START_TEST(identity_to_string)
{
	static const struct { const char *in, *out; } t[] = {
		{ "192.0.2.1", "192.0.2.1" },
		{ "2001:db8:0::1", "2001:db8::1" },
		{ "gw.example.com", "gw.example.com" },
		{ "@gw", "gw" },
		{ "user@example.com", "user@example.com" },
		{ "/C=CH/O=strongSwan/CN=gw", "C=CH, O=strongSwan, CN=gw" },
		{ "CN=a\\,b", "CN=a\\,b" },
		{ "@#0a1b2c", "@#0a1b2c" },
		{ "%any", "%any" },
	};
	char buf[128], small[6];
	struct x509_id id;
	const char *reason = NULL;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert(x509_id_parse(t[i].in, &id, &reason));
		ck_assert(x509_id_to_str(&id, buf, sizeof(buf)));
		ck_assert_str_eq(buf, t[i].out);
		x509_id_free(&id);
	}
	/* control bytes from the wire are escaped, long ones cut */
	ck_assert(x509_id_from_wire(ID_FQDN, (const uint8_t *)"a\nb\\", 4, &id, &reason));
	ck_assert(x509_id_to_str(&id, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "a\\x0ab\\x5c");
	ck_assert(!x509_id_to_str(&id, small, sizeof(small)));
	ck_assert_uint_lt(strlen(small), sizeof(small));
	x509_id_free(&id);
}
END_TEST

START_TEST(identity_from_wire)
{
	static const uint8_t dn[] = { 0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03,
				      0x55, 0x04, 0x03, 0x0c, 0x02, 0x67, 0x77, 0x00 };
	static const uint8_t v4[] = { 192, 0, 2, 1 };
	struct x509_id id;
	const char *reason = NULL;

	ck_assert(x509_id_from_wire(ID_IPV4_ADDR, v4, 4, &id, &reason));
	x509_id_free(&id);
	ck_assert(!x509_id_from_wire(ID_IPV4_ADDR, v4, 3, &id, &reason));
	ck_assert(!x509_id_from_wire(ID_IPV6_ADDR, v4, 4, &id, &reason));
	ck_assert(!x509_id_from_wire(ID_FQDN, v4, 0, &id, &reason));
	ck_assert(!x509_id_from_wire(4, v4, 4, &id, &reason));
	ck_assert(x509_id_from_wire(ID_DER_ASN1_DN, dn, sizeof(dn) - 1, &id, &reason));
	x509_id_free(&id);
	ck_assert(!x509_id_from_wire(ID_DER_ASN1_DN, dn, sizeof(dn), &id, &reason));
	ck_assert(!x509_id_from_wire(ID_DER_ASN1_DN, dn, sizeof(dn) - 2, &id, &reason));
	ck_assert(!x509_id_from_wire(ID_DER_ASN1_DN, v4, 4, &id, &reason));
}
END_TEST

START_TEST(identity_equality)
{
	static const struct { const char *a, *b; bool eq; } t[] = {
		{ "gw.example", "GW.Example", true },
		{ "gw.example", "gw.example.", false },
		{ "rw@example", "RW@EXAMPLE", true },
		{ "rw@example", "fqdn:rw@example", false },
		{ "C=CH, O=Cygnet Test, CN=gw", "C=CH, O=cygnet   test, CN=GW", true },
		{ "C=CH, O=Cygnet Test, CN=gw", "C=CH, CN=gw, O=Cygnet Test", false },
		{ "192.0.2.1", "ipv4:192.0.2.1", true },
		{ "192.0.2.1", "192.0.2.2", false },
		{ "@#0102", "keyid:0102", true },
		{ "%any", "%any", true },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct x509_id a, b, c;
		const char *reason = NULL;

		ck_assert(x509_id_parse(t[i].a, &a, &reason));
		ck_assert(x509_id_parse(t[i].b, &b, &reason));
		ck_assert_msg(x509_id_equal(&a, &b) == t[i].eq, "%s vs %s", t[i].a, t[i].b);
		ck_assert(x509_id_copy(&c, &a) && x509_id_equal(&a, &c));
		x509_id_free(&a);
		x509_id_free(&b);
		x509_id_free(&c);
	}
}
END_TEST

static const struct {
	const char *id;
	const char *cert;
	bool match;
} match_table[] = {
	{ "gw.example", "gw.crt", true },
	{ "GW.Example", "gw.crt", true },
	{ "@gw.example", "gw.crt", true },
	{ "rw.example", "gw.crt", false },
	{ "email:gw.example", "gw.crt", false },	/* dNSName is not rfc822Name */
	{ "192.0.2.1", "gw.crt", true },
	{ "192.0.2.2", "gw.crt", false },
	{ "C=CH, O=Cygnet Test, CN=gw.example", "gw.crt", true },
	{ "/C=CH/O=Cygnet Test/CN=gw.example", "gw.crt", true },
	{ "C=CH, O=cygnet  test, CN=GW.example", "gw.crt", true },	/* canonical */
	{ "C=CH, O=Cygnet Test, CN=rw@example", "gw.crt", false },
	{ "O=Cygnet Test, CN=gw.example", "gw.crt", false },
	{ "rw@example", "rw.crt", true },
	{ "RW@Example", "rw.crt", true },
	{ "rw@example", "gw.crt", false },
	{ "rw.example", "rw.crt", true },
	{ "rw@example.org", "rw.crt", false },
	{ "2001:db8::1", "leaf.crt", true },
	{ "2001:db8::2", "leaf.crt", false },
	{ "198.51.100.7", "leaf.crt", true },
	{ "leaf.example", "leaf.crt", true },
	{ "C=CH, O=Cygnet Test, OU=Branch, CN=leaf.example", "leaf.crt", true },
	{ "C=CH, O=Cygnet Test, CN=leaf.example", "leaf.crt", false },
	{ "ed.example", "ed25519.crt", true },
	{ "%any", "rogue.crt", true },
	{ "@#0102030405060708090a0b0c0d0e0f1011121314", "gw.crt", false },
};

START_TEST(identity_matches_certificates)
{
	for (size_t i = 0; i < sizeof(match_table) / sizeof(match_table[0]); i++) {
		X509 *c = load(match_table[i].cert);
		struct x509_id id;
		const char *reason = NULL;

		ck_assert_msg(x509_id_parse(match_table[i].id, &id, &reason), "%s", reason);
		ck_assert_msg(x509_id_matches_cert(&id, c) == match_table[i].match,
			      "%s vs %s", match_table[i].id, match_table[i].cert);
		x509_id_free(&id);
		x509_free(c);
	}
}
END_TEST

/* The subject DN as an identity equals, byte for byte, the DER that the
 * config string parses to; key ids match the CA's key. */
START_TEST(identity_subject_der_and_keyid)
{
	X509 *gw = load("gw.crt"), *ca = load("ca-rsa.crt");
	struct x509_id subj, parsed, kid;
	uint8_t id[20];
	char hex[64] = "@#";
	const char *reason = NULL;

	ck_assert(x509_id_from_subject(gw, &subj));
	ck_assert(x509_id_parse("C=CH, O=Cygnet Test, CN=gw.example", &parsed, &reason));
	ck_assert(chunk_equal(&subj.data, &parsed.data));
	ck_assert(x509_id_matches_cert(&subj, gw));
	ck_assert(!x509_id_matches_cert(&subj, ca));
	ck_assert(x509_keyid(ca, id));
	for (size_t i = 0; i < 20; i++)
		snprintf(hex + 2 + 2 * i, 3, "%02x", id[i]);
	ck_assert(x509_id_parse(hex, &kid, &reason));
	ck_assert(x509_id_matches_cert(&kid, ca));
	ck_assert(!x509_id_matches_cert(&kid, gw));
	x509_id_free(&subj);
	x509_id_free(&parsed);
	x509_id_free(&kid);
	x509_free(gw);
	x509_free(ca);
}
END_TEST

static Suite *x509_suite(void)
{
	Suite *s = suite_create("x509");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, load_pem_der_and_export);
	tcase_add_test(tc, load_bundle_in_order);
	tcase_add_test(tc, names_as_string_and_der);
	tcase_add_test(tc, subject_alt_names);
	tcase_add_test(tc, validity_and_flags);
	tcase_add_test(tc, public_key_of_cert);
	tcase_add_test(tc, chain_verification);
	tcase_add_test(tc, chain_reasons_are_readable);
	tcase_add_test(tc, certreq_keyids);
	tcase_add_test(tc, identity_string_parsing);
	tcase_add_test(tc, identity_string_rejects);
	tcase_add_test(tc, identity_to_string);
	tcase_add_test(tc, identity_from_wire);
	tcase_add_test(tc, identity_equality);
	tcase_add_test(tc, identity_matches_certificates);
	tcase_add_test(tc, identity_subject_der_and_keyid);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(x509_suite)
