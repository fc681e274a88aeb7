/* IKE_AUTH authentication with pre-shared keys (RFC 7296 2.15): identities,
 * AUTH = prf(prf(PSK, "Key Pad for IKEv2"), <signed octets>), and the
 * choice of the connection by identities on the responder. */
#include "ike/tasks/common.h"

#include "crypto/prf.h"
#include "crypto/x509.h"
#include "crypto/x509_id.h"
#include "crypto/x509_trust.h"

struct ike_auth {
	struct task t;
	uint16_t notify;		/* responder: error to send */
	uint8_t idb[4 + IKE_ID_MAX];	/* our ID payload body */
	size_t idb_len;
	struct chunk auth;		/* our AUTH data */
	struct chunk cert, certreq;	/* our CERT and CERTREQ data */
};

/* The octets one side signs or MACs: its first message | the other's
 * nonce | prf(SK_p, ID body). */
static bool auth_octets(struct ike_sa *sa, bool of_initiator, const uint8_t *idb,
			size_t idb_len, struct chunk *octets)
{
	const struct chunk *msg = of_initiator ? &sa->init_req : &sa->init_resp;
	const struct chunk *nonce = of_initiator ? &sa->nr : &sa->ni;
	const struct chunk *skp = of_initiator ? &sa->keys.sk_pi : &sa->keys.sk_pr;

	return keymat_signed_octets(sa->keys.prf, skp, msg->ptr, msg->len, nonce, idb,
				    idb_len, octets);
}

/* PSK AUTH data = prf(prf(PSK, "Key Pad for IKEv2"), octets). */
static bool psk_auth(struct ike_sa *sa, const struct chunk *octets, struct chunk *out)
{
	const struct ike_env *env = &sa->core->env;
	struct chunk psk = { 0 };
	bool ok;

	if (!env->psk_lookup || !env->psk_lookup(env->ctx, &sa->my_id, &sa->peer_id, &psk)) {
		char a[IKE_ID_MAX + 8], b[IKE_ID_MAX + 8];

		sa_error(sa, "no PSK found for '%s' - '%s'",
			 ike_id_str(&sa->my_id, a, sizeof(a)),
			 ike_id_str(&sa->peer_id, b, sizeof(b)));
		return false;
	}
	ok = keymat_psk_auth(sa->keys.prf, psk.ptr, psk.len, octets, out);
	chunk_free(&psk);
	return ok;
}

static bool id_from_payload(const struct ike_payload *p, struct ike_id *out)
{
	memset(out, 0, sizeof(*out));
	if (p->id.data.len > IKE_ID_MAX || !p->id.data.len)
		return false;
	out->type = p->id.type;
	out->len = (uint16_t)p->id.data.len;
	memcpy(out->data, p->id.data.ptr, p->id.data.len);
	return true;
}

/* The peer's AUTH, by the method its connection expects. */
static bool verify(struct ike_sa *sa, const struct ike_msg *m, uint8_t id_type)
{
	const struct ike_payload *id = ike_msg_find(m, id_type);
	const struct ike_payload *auth = ike_msg_find(m, PL_AUTH);
	bool psk = sa->conf->remote_auth == IKE_AUTH_PSK;
	struct chunk octets = { 0 }, expect = { 0 };
	bool ok = false;

	if (!auth || !id || (auth->auth.method == AUTH_SHARED_KEY_MIC) != psk) {
		sa_info(sa, "peer uses AUTH method %u, we expect %s", auth ? auth->auth.method : 0,
			psk ? "a pre-shared key" : "a signature");
		return false;
	}
	if (!auth_octets(sa, !sa->initiator, id->body.ptr, id->body.len, &octets))
		return false;
	if (psk) {
		ok = psk_auth(sa, &octets, &expect) && expect.len == auth->auth.data.len &&
		     mem_equal_ct(expect.ptr, auth->auth.data.ptr, expect.len);
		if (!ok)
			sa_info(sa, "peer's pre-shared key AUTH does not verify");
	} else {
		ok = auth_pubkey_verify(sa, m, id, auth, &octets);
	}
	chunk_free(&expect);
	chunk_free(&octets);
	return ok;
}

static bool add_id_auth(struct ike_auth *a, struct ike_msg *m, uint8_t id_type)
{
	struct ike_sa *sa = a->t.sa;
	struct ike_payload *id, *auth;
	struct chunk octets = { 0 };
	uint8_t method = AUTH_SHARED_KEY_MIC;
	bool ok;

	a->idb_len = id_body(&sa->my_id, a->idb, sizeof(a->idb));
	chunk_free(&a->auth);
	if (!a->idb_len || !auth_octets(sa, sa->initiator, a->idb, a->idb_len, &octets))
		return false;
	if (sa->conf->local_auth == IKE_AUTH_PSK)
		ok = psk_auth(sa, &octets, &a->auth);
	else
		ok = auth_pubkey_sign(sa, &octets, &method, &a->auth);
	chunk_free(&octets);
	if (!ok)
		return false;
	id = ike_msg_add(m, id_type);
	if (!id)
		return false;
	id->id.type = sa->my_id.type;
	id->id.data.ptr = sa->my_id.data;
	id->id.data.len = sa->my_id.len;
	if (sa->conf->local_auth == IKE_AUTH_PUBKEY && sa->conf->local_cert) {
		struct ike_payload *cert;

		if (!a->cert.len && !x509_der(sa->conf->local_cert, &a->cert))
			return false;
		cert = ike_msg_add(m, PL_CERT);
		if (!cert)
			return false;
		cert->cert.encoding = CERT_X509_SIGNATURE;
		cert->cert.data.ptr = a->cert.ptr;
		cert->cert.data.len = a->cert.len;
	}
	auth = ike_msg_add(m, PL_AUTH);
	if (!auth)
		return false;
	auth->auth.method = method;
	auth->auth.data.ptr = a->auth.ptr;
	auth->auth.data.len = a->auth.len;
	return true;
}

/* Our identity: configured, else the certificate subject, else the address. */
static void my_identity(struct ike_sa *sa, struct ike_id *out)
{
	struct x509_id xid = { 0 };

	if (sa->conf->local_id.any && sa->conf->local_auth == IKE_AUTH_PUBKEY &&
	    sa->conf->local_cert && x509_id_from_subject(sa->conf->local_cert, &xid) &&
	    xid.data.len <= IKE_ID_MAX) {
		memset(out, 0, sizeof(*out));
		out->type = xid.type;
		out->len = (uint16_t)xid.data.len;
		memcpy(out->data, xid.data.ptr, xid.data.len);
		x509_id_free(&xid);
		return;
	}
	x509_id_free(&xid);
	task_my_id(sa, &sa->conf->local_id, out);
}

/* Received identity vs. configured one: DNs by their canonical form. */
static bool id_matches(const struct ike_id *conf, const struct ike_id *got)
{
	struct x509_id a = { 0 }, b = { 0 };
	const char *why;
	bool ok;

	if (conf->any || ike_id_equal(conf, got))
		return true;
	if (conf->type != got->type)
		return false;
	ok = x509_id_from_wire(conf->type, conf->data, conf->len, &a, &why) &&
	     x509_id_from_wire(got->type, got->data, got->len, &b, &why) &&
	     x509_id_equal(&a, &b);
	x509_id_free(&a);
	x509_id_free(&b);
	return ok;
}

/* --- initiator --------------------------------------------------------- */

static enum task_status build_i(struct task *t, struct ike_msg *m)
{
	struct ike_auth *a = (struct ike_auth *)t;
	struct ike_sa *sa = t->sa;
	const struct ike_conf *conf = sa->conf;

	my_identity(sa, &sa->my_id);
	sa->peer_id = conf->remote_id;
	if (!add_id_auth(a, m, PL_IDI))
		return TASK_FAILED;
	if (conf->remote_auth == IKE_AUTH_PUBKEY && conf->trust) {
		struct ike_payload *cr;

		if (!a->certreq.len && !x509_trust_certreq_data(conf->trust, &a->certreq))
			return TASK_FAILED;
		cr = ike_msg_add(m, PL_CERTREQ);
		if (!cr)
			return TASK_FAILED;
		cr->cert.encoding = CERT_X509_SIGNATURE;
		cr->cert.data.ptr = a->certreq.ptr;
		cr->cert.data.len = a->certreq.len;
	}
	if (!conf->remote_id.any) {
		struct ike_payload *idr = ike_msg_add(m, PL_IDR);

		if (!idr)
			return TASK_FAILED;
		idr->id.type = conf->remote_id.type;
		idr->id.data.ptr = conf->remote_id.data;
		idr->id.data.len = conf->remote_id.len;
	}
	if (conf->send_initial_contact &&
	    !ike_msg_add_notify(m, 0, N_INITIAL_CONTACT, NULL, 0, NULL, 0))
		return TASK_FAILED;
	return TASK_MORE;
}

static enum task_status process_i(struct task *t, const struct ike_msg *m)
{
	struct ike_sa *sa = t->sa;
	const struct ike_payload *p = msg_error_notify(m);
	struct ike_id got;

	if (p && (p->notify.type == N_AUTHENTICATION_FAILED || !ike_msg_find(m, PL_AUTH))) {
		sa_error(sa, "IKE_AUTH failed: peer sent %s", notify_name(p->notify.type));
		sa->core->stats.auth_failed++;
		return TASK_FAILED;
	}
	p = ike_msg_find(m, PL_IDR);
	if (!p || !id_from_payload(p, &got) || !id_matches(&sa->conf->remote_id, &got)) {
		char b[IKE_ID_MAX + 8];

		sa_error(sa, "peer identity %s is not the one configured",
			 p ? ike_id_str(&got, b, sizeof(b)) : "(none)");
		sa->core->stats.auth_failed++;
		return TASK_FAILED;
	}
	sa->peer_id = got;
	if (!verify(sa, m, PL_IDR)) {
		sa->core->stats.auth_failed++;
		return TASK_FAILED;
	}
	sa->authenticated = true;
	ike_sa_established(sa);
	return TASK_DONE;
}

/* --- responder --------------------------------------------------------- */

/* The connection for these identities: exact remote id before %any. */
static struct ike_conf *choose_conf(struct ike_sa *sa, const struct ike_id *idi,
				    const struct ike_id *idr, bool psk)
{
	struct ike_conf *c = NULL, *any = NULL;

	while ((c = core_conf_by_addr(sa->core, &sa->ep, c))) {
		if ((c->remote_auth == IKE_AUTH_PSK) != psk)
			continue;
		if (idr && !c->local_id.any && !id_matches(&c->local_id, idr))
			continue;
		if (!id_matches(&c->remote_id, idi))
			continue;
		if (!c->remote_id.any)
			return c;
		if (!any)
			any = c;
	}
	return any;
}

static enum task_status process_r(struct task *t, const struct ike_msg *m)
{
	struct ike_auth *a = (struct ike_auth *)t;
	struct ike_sa *sa = t->sa;
	const struct ike_payload *pi = ike_msg_find(m, PL_IDI);
	const struct ike_payload *pr = ike_msg_find(m, PL_IDR);
	struct ike_id idi, idr;
	struct ike_conf *conf;
	char b[IKE_ID_MAX + 8];

	a->notify = N_AUTHENTICATION_FAILED;
	if (!pi || !id_from_payload(pi, &idi) || (pr && !id_from_payload(pr, &idr)) ||
	    !ike_msg_find(m, PL_AUTH)) {
		sa_info(sa, "IKE_AUTH request lacks IDi or AUTH");
		sa->core->stats.auth_failed++;
		return TASK_FAILED;
	}
	conf = choose_conf(sa, &idi, pr ? &idr : NULL,
			   ike_msg_find(m, PL_AUTH)->auth.method == AUTH_SHARED_KEY_MIC);
	if (!conf) {
		sa_info(sa, "no connection for peer identity '%s'",
			ike_id_str(&idi, b, sizeof(b)));
		sa->core->stats.auth_failed++;
		return TASK_FAILED;
	}
	if (conf != sa->conf) {
		ike_conf_unref(sa->conf);
		sa->conf = ike_conf_ref(conf);
	}
	sa->peer_id = idi;
	if (conf->local_id.any && pr && conf->local_auth == IKE_AUTH_PSK)
		sa->my_id = idr;
	else
		my_identity(sa, &sa->my_id);
	if (!verify(sa, m, PL_IDI)) {
		sa_info(sa, "authentication of '%s' with %s failed",
			ike_id_str(&idi, b, sizeof(b)),
			conf->remote_auth == IKE_AUTH_PSK ? "pre-shared key" : "public key");
		sa->core->stats.auth_failed++;
		return TASK_FAILED;
	}
	sa_info(sa, "authentication of '%s' with %s successful",
		ike_id_str(&idi, b, sizeof(b)),
		conf->remote_auth == IKE_AUTH_PSK ? "pre-shared key" : "public key");
	sa->authenticated = true;
	a->notify = 0;
	return TASK_DONE;
}

static enum task_status build_r(struct task *t, struct ike_msg *m)
{
	struct ike_auth *a = (struct ike_auth *)t;
	struct ike_sa *sa = t->sa;

	if (a->notify) {
		ike_msg_add_notify(m, 0, a->notify, NULL, 0, NULL, 0);
		return TASK_FAILED;
	}
	if (!add_id_auth(a, m, PL_IDR))
		return TASK_FAILED;
	ike_sa_established(sa);
	return TASK_DONE;
}

static void destroy(struct task *t)
{
	struct ike_auth *a = (struct ike_auth *)t;

	chunk_free(&a->auth);
	chunk_free(&a->cert);
	chunk_free(&a->certreq);
	free(a);
}

static const struct task_ops ops_i = { TASK_IKE_AUTH, "ike_auth", build_i, process_i, destroy };
static const struct task_ops ops_r = { TASK_IKE_AUTH, "ike_auth", build_r, process_r, destroy };

struct task *task_ike_auth_new(struct ike_sa *sa, bool initiator)
{
	return task_alloc(sizeof(struct ike_auth), sa, initiator,
			  initiator ? &ops_i : &ops_r, IKE_AUTH);
}
