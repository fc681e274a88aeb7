/* Trust anchors, chain verification and CERTREQ key ids (see
 * x509_trust.h). */
#include "crypto/x509_trust.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "crypto/x509.h"

struct x509_trust_ca {
	X509 *cert;
	uint8_t keyid[PUBKEY_KEYID_LEN];
};

struct x509_trust {
	X509_STORE *store;
	struct x509_trust_ca *cas;
	size_t n, cap;
};

struct x509_trust *x509_trust_new(void)
{
	struct x509_trust *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->store = X509_STORE_new();
	if (!t->store) {
		free(t);
		return NULL;
	}
	return t;
}

void x509_trust_free(struct x509_trust *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		X509_free(t->cas[i].cert);
	free(t->cas);
	X509_STORE_free(t->store);
	free(t);
}

bool x509_trust_add(struct x509_trust *t, X509 *ca, const char **reason)
{
	struct x509_trust_ca e;

	if (!x509_is_ca(ca)) {
		*reason = "not a CA certificate";
		return false;
	}
	if (!x509_keyid(ca, e.keyid)) {
		*reason = "CA has no usable public key";
		return false;
	}
	for (size_t i = 0; i < t->n; i++)
		if (X509_cmp(t->cas[i].cert, ca) == 0)
			return true;	/* loaded twice: fine */
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		struct x509_trust_ca *n = realloc(t->cas, cap * sizeof(*n));

		if (!n) {
			*reason = "out of memory";
			return false;
		}
		t->cas = n;
		t->cap = cap;
	}
	if (!X509_STORE_add_cert(t->store, ca) || !X509_up_ref(ca)) {
		ERR_clear_error();
		*reason = "cannot add CA to the store";
		return false;
	}
	e.cert = ca;
	t->cas[t->n++] = e;
	return true;
}

size_t x509_trust_count(const struct x509_trust *t)
{
	return t->n;
}

int x509_trust_verify(const struct x509_trust *t, X509 *leaf,
		      STACK_OF(X509) *untrusted, time_t at, const char **reason)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int err;

	if (!ctx || !X509_STORE_CTX_init(ctx, t->store, leaf, untrusted)) {
		X509_STORE_CTX_free(ctx);
		*reason = "cannot set up certificate verification";
		return X509_V_ERR_OUT_OF_MEM;
	}
	if (at)
		X509_STORE_CTX_set_time(ctx, 0, at);
	/* a trust anchor is only a CA we loaded, never a self-signed
	 * certificate that came with the peer's CERT payloads */
	if (X509_verify_cert(ctx) == 1) {
		err = X509_V_OK;
	} else {
		err = X509_STORE_CTX_get_error(ctx);
		if (err == X509_V_OK)
			err = X509_V_ERR_UNSPECIFIED;
	}
	*reason = X509_verify_cert_error_string(err);
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return err;
}

X509 *x509_trust_find_keyid(const struct x509_trust *t,
			    const uint8_t keyid[PUBKEY_KEYID_LEN])
{
	for (size_t i = 0; i < t->n; i++)
		if (!memcmp(t->cas[i].keyid, keyid, PUBKEY_KEYID_LEN))
			return t->cas[i].cert;
	return NULL;
}

bool x509_trust_certreq_data(const struct x509_trust *t, struct chunk *out)
{
	if (!chunk_alloc(out, t->n * PUBKEY_KEYID_LEN))
		return false;
	for (size_t i = 0; i < t->n; i++)
		memcpy(out->ptr + i * PUBKEY_KEYID_LEN, t->cas[i].keyid, PUBKEY_KEYID_LEN);
	return true;
}
