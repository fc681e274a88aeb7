/* IKE_SA_INIT: proposal, KE, nonces, INVALID_KE_PAYLOAD retry, key
 * derivation (RFC 7296 1.2, 1.3, 2.14). */
#include "ike/tasks/common.h"

#include "crypto/aead.h"
#include "crypto/ke.h"
#include "crypto/rng.h"
#include "crypto/sigalg.h"
#include "crypto/x509_trust.h"
#include "ike/ike_prop.h"

#define NONCE_LEN 32

struct ike_init {
	struct task t;
	uint16_t notify;	/* responder: error to send */
	uint16_t notify_data;	/* INVALID_KE_PAYLOAD: our group */
	struct chunk ke_pub;
	struct chunk hashes;	/* our SIGNATURE_HASH_ALGORITHMS data */
	struct chunk certreq;	/* responder: the CAs we accept */
	uint8_t prop_num;
};

/* RFC 7427: say which hashes we sign and verify with; remember the peer's. */
static bool add_hashes(struct ike_init *ii, struct ike_msg *m)
{
	if (!ii->hashes.len && !sigalg_build_hash_notify(&ii->hashes))
		return false;
	return ike_msg_add_notify(m, 0, N_SIGNATURE_HASH_ALGORITHMS, NULL, 0,
				  ii->hashes.ptr, ii->hashes.len) != NULL;
}

static void read_hashes(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_payload *p = ike_msg_find_notify(m, N_SIGNATURE_HASH_ALGORITHMS);
	const char *why;

	sa->n_peer_hashes = 0;
	if (p && !sigalg_parse_hash_notify(p->notify.data.ptr, p->notify.data.len,
					   sa->peer_hashes, 8, &sa->n_peer_hashes, &why))
		sa->n_peer_hashes = 0;
}

static bool derive(struct ike_sa *sa, const struct ike_pl_ke *peer)
{
	struct aead_alg alg = { sa->alg.encr, sa->alg.key_bits, sa->alg.integ };
	struct chunk shared = { 0 };
	uint8_t spi_i[8], spi_r[8];
	bool ok;

	if (!ke_compute(sa->ke, peer->data.ptr, peer->data.len, &shared)) {
		sa_info(sa, "KE payload rejected: %s", ke_error(sa->ke));
		return false;
	}
	for (int i = 0; i < 8; i++) {
		spi_i[i] = (uint8_t)(sa->spi_i >> (56 - 8 * i));
		spi_r[i] = (uint8_t)(sa->spi_r >> (56 - 8 * i));
	}
	ok = keymat_ike_derive(sa->alg.prf, &alg, &shared, &sa->ni, &sa->nr,
			       spi_i, spi_r, &sa->keys) &&
	     keymat_ike_aeads(&sa->keys, sa->initiator, &sa->aead_out, &sa->aead_in);
	chunk_free(&shared);
	/* the private key is not needed any more */
	ke_free(sa->ke);
	sa->ke = NULL;
	if (!ok)
		sa_error(sa, "IKE key derivation failed");
	return ok;
}

static bool make_ke(struct ike_init *ii)
{
	struct ike_sa *sa = ii->t.sa;

	chunk_free(&ii->ke_pub);
	ke_free(sa->ke);
	sa->ke = ke_create(sa->ke_group);
	if (!sa->ke || !ke_public(sa->ke, &ii->ke_pub)) {
		sa_error(sa, "cannot create a %s key", ke_group_name(sa->ke_group));
		return false;
	}
	return true;
}

static bool add_ke_nonce(struct ike_init *ii, struct ike_msg *m,
			 const struct chunk *nonce)
{
	struct ike_payload *ke = ike_msg_add(m, PL_KE);

	if (!ke)
		return false;
	ke->ke.group = ii->t.sa->ke_group;
	ke->ke.data.ptr = ii->ke_pub.ptr;
	ke->ke.data.len = ii->ke_pub.len;
	return ike_msg_add_data(m, PL_NONCE, nonce->ptr, nonce->len) != NULL;
}

/* --- initiator --------------------------------------------------------- */

static enum task_status build_i(struct task *t, struct ike_msg *m)
{
	struct ike_init *ii = (struct ike_init *)t;
	struct ike_sa *sa = t->sa;
	const struct ike_conf *conf = sa->conf;

	if (!conf->n_props || !conf->props[0].n_ke)
		return TASK_FAILED;
	if (!sa->ke_group)
		sa->ke_group = conf->props[0].ke[0];
	if (!sa->ke && !make_ke(ii))
		return TASK_FAILED;
	if (!sa->ni.len && !core_nonce(sa->core, &sa->ni, NONCE_LEN))
		return TASK_FAILED;
	/* a cookie must be the first payload (RFC 7296 2.6) */
	if (sa->cookie.len &&
	    !ike_msg_add_notify(m, 0, N_COOKIE, NULL, 0, sa->cookie.ptr, sa->cookie.len))
		return TASK_FAILED;
	if (!prop_add_offer(m, conf->props, conf->n_props, sa->ke_group, NULL, 0) ||
	    !add_ke_nonce(ii, m, &sa->ni) || !add_hashes(ii, m) ||
	    !ike_msg_add_notify(m, 0, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0, NULL, 0))
		return TASK_FAILED;
	return TASK_MORE;
}

static bool conf_has_group(const struct ike_conf *c, uint16_t g)
{
	for (size_t i = 0; i < c->n_props; i++)
		for (size_t j = 0; j < c->props[i].n_ke; j++)
			if (c->props[i].ke[j] == g)
				return true;
	return false;
}

static enum task_status process_i(struct task *t, const struct ike_msg *m)
{
	struct ike_init *ii = (struct ike_init *)t;
	struct ike_sa *sa = t->sa;
	const struct ike_payload *p, *ke, *nonce, *sap;
	struct ike_bytes spi;

	if ((p = ike_msg_find_notify(m, N_COOKIE))) {
		if (p->notify.data.len < 1 || p->notify.data.len > 64 || sa->cookie.len)
			return TASK_FAILED;
		chunk_dup(&sa->cookie, p->notify.data.ptr, p->notify.data.len);
		sa_info(sa, "received a COOKIE, retrying IKE_SA_INIT");
		return TASK_RETRY;
	}
	if ((p = ike_msg_find_notify(m, N_INVALID_KE_PAYLOAD))) {
		uint16_t g;

		if (p->notify.data.len != 2)
			return TASK_FAILED;
		g = (uint16_t)(p->notify.data.ptr[0] << 8 | p->notify.data.ptr[1]);
		if (g == sa->ke_group || !conf_has_group(sa->conf, g) || !ke_supported(g)) {
			sa_error(sa, "peer wants KE group %u which we do not offer", g);
			return TASK_FAILED;
		}
		sa_info(sa, "peer wants %s instead of %s, retrying", ke_group_name(g),
			ke_group_name(sa->ke_group));
		sa->ke_group = g;
		return make_ke(ii) ? TASK_RETRY : TASK_FAILED;
	}
	if ((p = msg_error_notify(m))) {
		sa_error(sa, "IKE_SA_INIT failed: peer sent %s", notify_name(p->notify.type));
		return TASK_FAILED;
	}
	sap = ike_msg_find(m, PL_SA);
	ke = ike_msg_find(m, PL_KE);
	nonce = ike_msg_find(m, PL_NONCE);
	if (!sap || !ke || !nonce || !m->hdr.spi_r) {
		sa_error(sa, "IKE_SA_INIT response lacks SA, KE, Nonce or SPI");
		return TASK_FAILED;
	}
	if (!prop_accept_reply(sa->conf->props, sa->conf->n_props, &sap->sa, PROTO_IKE, 0,
			       &sa->alg, &spi) || sa->alg.ke != ke->ke.group ||
	    ke->ke.group != sa->ke_group) {
		sa_error(sa, "IKE_SA_INIT response has an unacceptable proposal");
		return TASK_FAILED;
	}
	sa->spi_r = m->hdr.spi_r;
	read_hashes(sa, m);
	sa->frag_ok = ike_msg_find_notify(m, N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL;
	if (!chunk_dup(&sa->nr, nonce->data.data.ptr, nonce->data.data.len))
		return TASK_FAILED;
	return derive(sa, &ke->ke) ? TASK_DONE : TASK_FAILED;
}

/* --- responder --------------------------------------------------------- */

static enum task_status process_r(struct task *t, const struct ike_msg *m)
{
	struct ike_init *ii = (struct ike_init *)t;
	struct ike_sa *sa = t->sa;
	struct ike_core *c = sa->core;
	const struct ike_payload *sap = ike_msg_find(m, PL_SA);
	const struct ike_payload *ke = ike_msg_find(m, PL_KE);
	const struct ike_payload *nonce = ike_msg_find(m, PL_NONCE);
	struct ike_conf *conf = NULL;
	struct ike_bytes spi;
	char buf[128];

	if (!sap || !ke || !nonce) {
		sa_info(sa, "IKE_SA_INIT request lacks SA, KE or Nonce");
		ii->notify = N_INVALID_SYNTAX;
		return TASK_FAILED;
	}
	while ((conf = core_conf_by_addr(c, &sa->ep, conf)))
		if (prop_select(conf->props, conf->n_props, &sap->sa, PROTO_IKE,
				ke->ke.group, &sa->alg, &ii->prop_num, &spi))
			break;
	if (!conf) {
		sa_info(sa, "no acceptable IKE proposal");
		ii->notify = N_NO_PROPOSAL_CHOSEN;
		return TASK_FAILED;
	}
	sa->conf = ike_conf_ref(conf);
	sa->ke_group = sa->alg.ke;
	if (ke->ke.group != sa->alg.ke) {
		sa_info(sa, "peer sent a %s KE, asking for %s", ke_group_name(ke->ke.group),
			ke_group_name(sa->alg.ke));
		ii->notify = N_INVALID_KE_PAYLOAD;
		ii->notify_data = sa->alg.ke;
		return TASK_FAILED;
	}
	if (!chunk_dup(&sa->ni, nonce->data.data.ptr, nonce->data.data.len) ||
	    !core_nonce(sa->core, &sa->nr, NONCE_LEN) || !make_ke(ii))
		return TASK_FAILED;
	do {
		if (!rng_bytes(&sa->spi_r, sizeof(sa->spi_r)))
			return TASK_FAILED;
	} while (!sa->spi_r);
	core_sa_set_spi(c, sa);
	read_hashes(sa, m);
	sa->frag_ok = ike_msg_find_notify(m, N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL;
	sa_info(sa, "'%s' selected %s", conf->name,
		prop_chosen_str(&sa->alg, buf, sizeof(buf)));
	return derive(sa, &ke->ke) ? TASK_DONE : TASK_FAILED;
}

static enum task_status build_r(struct task *t, struct ike_msg *m)
{
	struct ike_init *ii = (struct ike_init *)t;
	struct ike_sa *sa = t->sa;

	if (ii->notify) {
		uint8_t data[2] = { (uint8_t)(ii->notify_data >> 8), (uint8_t)ii->notify_data };

		ike_msg_add_notify(m, 0, ii->notify, NULL, 0,
				   ii->notify_data ? ike_msg_dup(m, data, 2) : NULL,
				   ii->notify_data ? 2 : 0);
		return TASK_FAILED;
	}
	if (!prop_add_chosen(m, &sa->alg, PROTO_IKE, ii->prop_num, NULL, 0) ||
	    !add_ke_nonce(ii, m, &sa->nr))
		return TASK_FAILED;
	if (sa->n_peer_hashes && !add_hashes(ii, m))
		return TASK_FAILED;
	if (sa->frag_ok &&
	    !ike_msg_add_notify(m, 0, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0, NULL, 0))
		return TASK_FAILED;
	/* ask for the peer's certificate (peers send it only when asked) */
	if (sa->conf->remote_auth == IKE_AUTH_PUBKEY && sa->conf->trust) {
		struct ike_payload *cr;

		if (!x509_trust_certreq_data(sa->conf->trust, &ii->certreq) ||
		    !(cr = ike_msg_add(m, PL_CERTREQ)))
			return TASK_FAILED;
		cr->cert.encoding = CERT_X509_SIGNATURE;
		cr->cert.data.ptr = ii->certreq.ptr;
		cr->cert.data.len = ii->certreq.len;
	}
	return TASK_DONE;
}

static void destroy(struct task *t)
{
	struct ike_init *ii = (struct ike_init *)t;

	chunk_free(&ii->ke_pub);
	chunk_free(&ii->hashes);
	chunk_free(&ii->certreq);
	free(ii);
}

static const struct task_ops ops_i = {
	TASK_IKE_INIT, "ike_init", build_i, process_i, destroy,
};
static const struct task_ops ops_r = {
	TASK_IKE_INIT, "ike_init", build_r, process_r, destroy,
};

struct task *task_ike_init_new(struct ike_sa *sa, bool initiator)
{
	return task_alloc(sizeof(struct ike_init), sa, initiator,
			  initiator ? &ops_i : &ops_r, IKE_SA_INIT);
}
