/* Public key authentication for IKE_AUTH (RFC 7296 2.15, RFC 7427): our
 * AUTH data signed with the connection's private key, and the peer's
 * certificate chain, identity and signature checked against the
 * connection's CAs. */
#include "ike/tasks/common.h"

#include "crypto/pubkey.h"
#include "crypto/sigalg.h"
#include "crypto/sign.h"
#include "crypto/x509.h"
#include "crypto/x509_id.h"
#include "crypto/x509_trust.h"

bool auth_pubkey_sign(struct ike_sa *sa, const struct chunk *octets, uint8_t *method,
		      struct chunk *out)
{
	EVP_PKEY *key = sa->conf->local_key;
	const char *why = "";
	enum sign_status st;
	uint16_t h;

	if (!key) {
		sa_error(sa, "no private key for '%s'", sa->conf->name);
		return false;
	}
	h = sa->n_peer_hashes ? sigalg_pick_hash(key, sa->peer_hashes, sa->n_peer_hashes) : 0;
	if (h) {
		*method = AUTH_DIGITAL_SIGNATURE;
		st = sign_auth_data(key, h, sa->conf->rsa_pss, octets->ptr, octets->len, out, &why);
	} else {
		*method = sign_classic_method(key);
		if (!*method) {
			sa_error(sa, "the peer accepts no RFC 7427 hash for our key");
			return false;
		}
		st = sign_classic(key, *method, octets->ptr, octets->len, out, &why);
	}
	if (st != SIGN_OK)
		sa_error(sa, "signing AUTH failed: %s (%s)", sign_status_name(st), why);
	return st == SIGN_OK;
}

bool auth_pubkey_verify(struct ike_sa *sa, const struct ike_msg *m,
			const struct ike_payload *id, const struct ike_payload *auth,
			const struct chunk *octets)
{
	const struct ike_payload *p;
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509 *leaf = NULL;
	EVP_PKEY *pub = NULL;
	struct x509_id xid = { 0 };
	const char *why = "";
	char subj[256] = "";
	enum sign_status st;
	bool ok = false;
	int rc;

	if (!untrusted)
		return false;
	for (p = ike_msg_find(m, PL_CERT); p; p = ike_msg_next(m, p, PL_CERT)) {
		X509 *c;

		if (p->cert.encoding != CERT_X509_SIGNATURE)
			continue;
		c = x509_load_mem(p->cert.data.ptr, p->cert.data.len, &why);
		if (!c) {
			sa_info(sa, "peer certificate does not parse: %s", why);
			goto out;
		}
		if (!leaf)
			leaf = c;
		else if (!sk_X509_push(untrusted, c)) {
			x509_free(c);
			goto out;
		}
	}
	if (!leaf) {
		sa_info(sa, "peer sent no certificate");
		goto out;
	}
	x509_subject_str(leaf, subj, sizeof(subj));
	if (!sa->conf->trust) {
		sa_info(sa, "no CA configured to verify '%s'", subj);
		goto out;
	}
	rc = x509_trust_verify(sa->conf->trust, leaf, untrusted, 0, &why);
	if (rc != 0) {
		sa_info(sa, "certificate '%s' not trusted: %s", subj, why);
		goto out;
	}
	if (!x509_id_from_wire(id->id.type, id->id.data.ptr, id->id.data.len, &xid, &why) ||
	    !x509_id_matches_cert(&xid, leaf)) {
		sa_info(sa, "peer identity is not in certificate '%s'", subj);
		goto out;
	}
	pub = x509_get_pubkey(leaf);
	if (!pub)
		goto out;
	if (auth->auth.method == AUTH_DIGITAL_SIGNATURE)
		st = sign_verify_auth_data(pub, auth->auth.data.ptr, auth->auth.data.len,
					   octets->ptr, octets->len, &why);
	else
		st = sign_verify_classic(pub, auth->auth.method, auth->auth.data.ptr,
					 auth->auth.data.len, octets->ptr, octets->len, &why);
	if (st != SIGN_OK) {
		sa_info(sa, "signature of '%s' does not verify: %s (%s)", subj,
			sign_status_name(st), why);
		goto out;
	}
	chunk_free(&sa->peer_cert);
	if (!x509_der(leaf, &sa->peer_cert))
		goto out;
	sa_info(sa, "certificate '%s' verified", subj);
	ok = true;
out:
	x509_id_free(&xid);
	pubkey_free(pub);
	x509_free(leaf);
	sk_X509_pop_free(untrusted, X509_free);
	return ok;
}
