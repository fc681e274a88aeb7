/* Requests and responses: message IDs (window of one), encryption,
 * retransmission and running the tasks of an exchange. */
#include "ike/core_priv.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ike/sk.h"
#include "ike/task.h"

static const char *exchange_name(uint8_t ex)
{
	switch (ex) {
	case IKE_SA_INIT: return "IKE_SA_INIT";
	case IKE_AUTH: return "IKE_AUTH";
	case CREATE_CHILD_SA: return "CREATE_CHILD_SA";
	case INFORMATIONAL: return "INFORMATIONAL";
	default: return "UNKNOWN";
	}
}

static void msg_prepare(struct ike_sa *sa, struct ike_msg *m, uint8_t ex,
			bool response, uint32_t mid)
{
	ike_msg_free(m);
	m->hdr.spi_i = sa->spi_i;
	m->hdr.spi_r = sa->spi_r;
	m->hdr.exchange = ex;
	m->hdr.flags = (sa->initiator ? IKE_FLAG_INITIATOR : 0) |
		       (response ? IKE_FLAG_RESPONSE : 0);
	m->hdr.msg_id = mid;
}

/* Serializes m, plain for IKE_SA_INIT, inside SK otherwise, and as RFC
 * 7383 fragments when it is too big and the peer takes fragments. */
static bool msg_encode(struct ike_sa *sa, struct ike_msg *m, struct ike_dgrams *out)
{
	struct ike_err err = { 0 };
	struct wbuf w;
	enum ike_err_code rc;

	wbuf_init(&w);
	if (m->hdr.exchange == IKE_SA_INIT) {
		rc = ike_msg_write(m, &w, &err);
	} else if (!sa->aead_out) {
		rc = ike_err_set(&err, IKE_ERR_BUILD, PL_SK, "no keys yet");
	} else {
		rc = sk_seal(sa->aead_out, &sa->iv_seq, m, &w, &err);
		if (rc == IKE_OK && w.len > IKE_FRAG_SIZE && sa->frag_ok) {
			wbuf_free(&w);
			rc = sk_seal_fragments(sa->aead_out, &sa->iv_seq, m, IKE_FRAG_SIZE,
					       &out->v, &out->n, &err);
			if (rc == IKE_OK) {
				sa_debug(sa, "%s split into %zu fragments",
					 exchange_name(m->hdr.exchange), out->n);
				return true;
			}
		}
	}
	if (rc != IKE_OK || !wbuf_ok(&w)) {
		sa_error(sa, "cannot build %s: %s", exchange_name(m->hdr.exchange),
			 err.reason);
		wbuf_free(&w);
		return false;
	}
	out->v = calloc(1, sizeof(*out->v));
	if (!out->v) {
		wbuf_free(&w);
		return false;
	}
	out->v[0].ptr = wbuf_steal(&w, &out->v[0].len);
	out->n = 1;
	return out->v[0].ptr != NULL;
}

/* A retransmitted request is byte for byte the one we answered. */
static void request_hash(const struct ike_msg *m, uint8_t out[32])
{
	unsigned int len = 32;

	if (EVP_Digest(m->raw.ptr, m->raw.len, out, &len, EVP_sha256(), NULL) != 1)
		memset(out, 0, 32);
}

static void send_dgrams(struct ike_sa *sa, const struct ike_dgrams *d)
{
	for (size_t i = 0; i < d->n; i++)
		core_send(sa->core, &sa->ep, d->v[i].ptr, d->v[i].len);
}

static size_t dgrams_len(const struct ike_dgrams *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += d->v[i].len;
	return n;
}

static uint64_t now_ms(struct ike_sa *sa)
{
	struct ike_core *c = sa->core;

	return c->env.now_ms ? c->env.now_ms(c->env.ctx) : 0;
}

static void tasks_destroy(struct task **list)
{
	while (*list) {
		struct task *t = *list;

		*list = t->next;
		task_destroy(t);
	}
}

/* --- our requests ------------------------------------------------------ */

void exchange_send_request(struct ike_sa *sa)
{
	struct ike_core *c = sa->core;
	struct ike_msg *m = c->msg_out;
	struct ike_dgrams bytes = { 0 };

	msg_prepare(sa, m, sa->req_exchange, false, sa->mid_out);
	for (struct task *t = sa->active; t; t = t->next) {
		t->status = t->ops->build(t, m);
		if (t->status == TASK_FAILED) {
			ike_msg_free(m);
			ike_sa_kill(sa, "building a request failed");
			return;
		}
	}
	/* SPIs may have been set by a task (none yet for a new initiator) */
	m->hdr.spi_i = sa->spi_i;
	m->hdr.spi_r = sa->spi_r;
	if (!msg_encode(sa, m, &bytes)) {
		ike_msg_free(m);
		ike_sa_kill(sa, "cannot encode a request");
		return;
	}
	ike_msg_free(m);
	if (sa->req_exchange == IKE_SA_INIT) {
		chunk_free(&sa->init_req);
		if (!chunk_dup(&sa->init_req, bytes.v[0].ptr, bytes.v[0].len)) {
			ike_dgrams_free(&bytes);
			ike_sa_kill(sa, "out of memory");
			return;
		}
	}
	ike_dgrams_free(&sa->last_req);
	sa->last_req = bytes;
	sa->req_in_flight = true;
	sa->rt_count = 0;
	ike_sa_timer_arm(sa, &sa->rt_timer, IKE_RT_BASE_MS);
	sa_debug(sa, "sending %s request %u (%zu bytes)",
		 exchange_name(sa->req_exchange), sa->mid_out, dgrams_len(&bytes));
	send_dgrams(sa, &sa->last_req);
}

void exchange_retransmit(struct ike_sa *sa)
{
	uint32_t ms = IKE_RT_BASE_MS;

	if (!sa->req_in_flight || sa->state == IKE_SA_DEAD)
		return;
	if (++sa->rt_count > IKE_RT_TRIES) {
		ike_sa_kill(sa, "giving up after 5 retransmits, peer not responding");
		return;
	}
	/* 4 s x 1.8^n, as strongSwan's defaults */
	for (unsigned i = 0; i < sa->rt_count; i++)
		ms = ms * 9 / 5;
	sa->core->stats.retransmit_sent++;
	sa_info(sa, "retransmit %u of %s request %u", sa->rt_count,
		exchange_name(sa->req_exchange), sa->mid_out);
	ike_sa_timer_arm(sa, &sa->rt_timer, ms);
	send_dgrams(sa, &sa->last_req);
}

static bool decrypt(struct ike_sa *sa, struct ike_msg *m)
{
	struct ike_err err = { 0 };
	enum ike_err_code rc;

	if (!sa->aead_in) {
		sa->core->stats.drop_unexpected++;
		sa_info(sa, "dropped encrypted %s before keys exist",
			exchange_name(m->hdr.exchange));
		return false;
	}
	rc = sk_open(sa->aead_in, m, &err);
	if (rc == IKE_OK)
		return true;
	if (rc == IKE_ERR_HEADER)
		sa->core->stats.drop_decrypt++;
	else
		sa->core->stats.drop_parse++;
	sa_info(sa, "dropped %s %s %u: %s", exchange_name(m->hdr.exchange),
		ike_msg_is_response(m) ? "response" : "request", m->hdr.msg_id,
		err.reason);
	return false;
}

static void handle_response(struct ike_sa *sa, struct ike_msg *m, bool decrypted)
{
	struct ike_core *c = sa->core;
	bool retry = false;

	if (!sa->req_in_flight || m->hdr.msg_id != sa->mid_out) {
		c->stats.drop_mid++;
		sa_debug(sa, "dropped response %u (expecting %u)", m->hdr.msg_id,
			 sa->req_in_flight ? sa->mid_out : 0);
		return;
	}
	if (m->hdr.exchange != sa->req_exchange) {
		c->stats.drop_unexpected++;
		sa_info(sa, "dropped %s response to a %s request",
			exchange_name(m->hdr.exchange), exchange_name(sa->req_exchange));
		return;
	}
	if (m->hdr.exchange != IKE_SA_INIT && !decrypted && !decrypt(sa, m))
		return;
	sa->last_in_ms = now_ms(sa);
	ike_sa_timer_cancel(sa, &sa->rt_timer);
	sa->req_in_flight = false;
	ike_dgrams_free(&sa->last_req);
	if (m->hdr.exchange == IKE_SA_INIT) {
		chunk_free(&sa->init_resp);
		if (!chunk_dup(&sa->init_resp, m->raw.ptr, m->raw.len)) {
			ike_sa_kill(sa, "out of memory");
			return;
		}
	}
	sa_debug(sa, "received %s response %u", exchange_name(m->hdr.exchange),
		 m->hdr.msg_id);
	for (struct task *t = sa->active; t; t = t->next) {
		t->status = t->ops->process(t, m);
		if (t->status == TASK_FAILED) {
			ike_sa_kill(sa, "exchange failed");
			return;
		}
		if (t->status == TASK_RETRY)
			retry = true;
		if (sa->state == IKE_SA_DEAD)
			return;
	}
	if (retry) {
		/* the responder kept no state: same message ID again */
		exchange_send_request(sa);
		return;
	}
	sa->mid_out++;
	core_event(sa, IKE_EV_MID, NULL);
	tasks_destroy(&sa->active);
	if (sa->state == IKE_SA_DELETING) {
		ike_sa_kill(sa, "deleted");
		return;
	}
	if (m->hdr.exchange == IKE_AUTH && sa->state == IKE_SA_ESTABLISHED)
		collide_check_duplicate(sa);
	ike_sa_initiate_next(sa);
}

/* --- the peer's requests ----------------------------------------------- */

static bool exchange_allowed(struct ike_sa *sa, uint8_t ex)
{
	switch (ex) {
	case IKE_SA_INIT:
		return sa->state == IKE_SA_CONNECTING && !sa->aead_in;
	case IKE_AUTH:
		return sa->state == IKE_SA_CONNECTING && sa->aead_in &&
		       !sa->authenticated;
	case CREATE_CHILD_SA:
		/* a rekeyed or closing SA answers TEMPORARY_FAILURE (2.25) */
		return sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING ||
		       sa->state == IKE_SA_REKEYED;
	case INFORMATIONAL:
		return sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING ||
		       sa->state == IKE_SA_REKEYED;
	default:
		return false;
	}
}

static size_t responder_tasks(struct ike_sa *sa, const struct ike_msg *m,
			      struct task **ts)
{
	const struct ike_payload *sap = ike_msg_find(m, PL_SA);
	uint8_t ex = m->hdr.exchange;
	size_t n = 0;

	switch (ex) {
	case IKE_SA_INIT:
		ts[n++] = task_ike_init_new(sa, false);
		ts[n++] = task_natd_new(sa, false);
		break;
	case IKE_AUTH:
		ts[n++] = task_ike_auth_new(sa, false);
		ts[n++] = task_config_new(sa, false);
		ts[n++] = task_child_create_new(sa, false, NULL, IKE_AUTH);
		break;
	case CREATE_CHILD_SA:
		if (sap && sap->sa.nproposals && sap->sa.proposals[0].protocol == PROTO_IKE)
			ts[n++] = task_ike_rekey_new(sa, false);
		else
			ts[n++] = task_child_create_new(sa, false, NULL, CREATE_CHILD_SA);
		break;
	case INFORMATIONAL:
		ts[n++] = task_delete_new(sa, false);
		break;
	}
	for (size_t i = 0; i < n; i++)
		if (!ts[i]) {
			for (size_t j = 0; j < n; j++)
				task_destroy(ts[j]);
			return 0;
		}
	return n;
}

static void handle_request(struct ike_sa *sa, struct ike_msg *m,
			   const struct net_endpoints *ep, bool decrypted)
{
	struct ike_core *c = sa->core;
	uint8_t ex = m->hdr.exchange;
	struct task *ts[4];
	struct task *failed = NULL;
	struct ike_msg *out = c->msg_out;
	struct ike_dgrams bytes = { 0 };
	size_t n;

	if (sa->has_last_resp && m->hdr.msg_id + 1 == sa->mid_in) {
		uint8_t h[32];

		request_hash(m, h);
		if (!mem_equal_ct(h, sa->last_req_hash, sizeof(h))) {
			c->stats.drop_mid++;
			sa_info(sa, "dropped %s request %u: not a retransmit of the one answered",
				exchange_name(ex), m->hdr.msg_id);
			return;
		}
		c->stats.retransmit_answered++;
		sa_info(sa, "%s request %u retransmitted, sending the response again",
			exchange_name(ex), m->hdr.msg_id);
		send_dgrams(sa, &sa->last_resp);
		return;
	}
	if (m->hdr.msg_id != sa->mid_in) {
		c->stats.drop_mid++;
		sa_info(sa, "dropped %s request %u (expecting %u)", exchange_name(ex),
			m->hdr.msg_id, sa->mid_in);
		return;
	}
	if (!exchange_allowed(sa, ex)) {
		c->stats.drop_unexpected++;
		sa_info(sa, "dropped %s request %u in state %s", exchange_name(ex),
			m->hdr.msg_id, ike_sa_state_name(sa->state));
		return;
	}
	if (ex != IKE_SA_INIT && !decrypted && !decrypt(sa, m))
		return;
	sa->last_in_ms = now_ms(sa);
	/* authenticated request from a new address: the peer floated (NAT-T)
	 * or moved; answer where it came from */
	if (ex != IKE_SA_INIT && (!sockaddr_equal(&ep->remote, &sa->ep.remote, true) ||
				  !sockaddr_equal(&ep->local, &sa->ep.local, true))) {
		char a[64];

		sa_info(sa, "peer now at %s", sockaddr_str(&ep->remote, a, sizeof(a)));
		core_sa_peer_moved(sa->core, sa, ep);
		sa->ep = *ep;
		ike_sa_update_prefix(sa);
		for (struct child_sa *ch = sa->children; ch; ch = ch->next)
			ch->encap = true;
		if (sa->state == IKE_SA_ESTABLISHED)
			core_event(sa, IKE_EV_SA_UPDATED, NULL);
	}
	if (ex == IKE_SA_INIT) {
		chunk_free(&sa->init_req);
		if (!chunk_dup(&sa->init_req, m->raw.ptr, m->raw.len)) {
			ike_sa_kill(sa, "out of memory");
			return;
		}
	}
	sa_debug(sa, "received %s request %u", exchange_name(ex), m->hdr.msg_id);
	/* fragmented: the hash of fragment 1 was taken when it arrived */
	if (!decrypted || ike_msg_find_encrypted(m)->type != PL_SKF)
		request_hash(m, sa->last_req_hash);
	n = responder_tasks(sa, m, ts);
	if (!n) {
		ike_sa_kill(sa, "out of memory");
		return;
	}
	for (size_t i = 0; i < n && !failed; i++) {
		ts[i]->status = ts[i]->ops->process(ts[i], m);
		if (ts[i]->status == TASK_FAILED)
			failed = ts[i];
	}
	msg_prepare(sa, out, ex, true, m->hdr.msg_id);
	if (failed) {
		failed->ops->build(failed, out);
	} else {
		for (size_t i = 0; i < n; i++)
			if (ts[i]->ops->build(ts[i], out) == TASK_FAILED && !failed)
				failed = ts[i];
	}
	out->hdr.spi_r = sa->spi_r;
	/* payloads may point into task memory: encode before destroying */
	if (!msg_encode(sa, out, &bytes)) {
		for (size_t i = 0; i < n; i++)
			task_destroy(ts[i]);
		ike_msg_free(out);
		ike_sa_kill(sa, "cannot encode a response");
		return;
	}
	for (size_t i = 0; i < n; i++)
		task_destroy(ts[i]);
	ike_msg_free(out);
	if (ex == IKE_SA_INIT && !failed) {
		chunk_free(&sa->init_resp);
		if (!chunk_dup(&sa->init_resp, bytes.v[0].ptr, bytes.v[0].len)) {
			ike_dgrams_free(&bytes);
			ike_sa_kill(sa, "out of memory");
			return;
		}
	}
	ike_dgrams_free(&sa->last_resp);
	sa->last_resp = bytes;
	sa->has_last_resp = true;
	sa->mid_in++;
	/* HA mirrors message IDs before the response leaves */
	core_event(sa, IKE_EV_MID, NULL);
	send_dgrams(sa, &sa->last_resp);
	if (failed)
		ike_sa_kill(sa, ex == IKE_SA_INIT ? "IKE_SA_INIT failed" :
				ex == IKE_AUTH ? "IKE_AUTH failed" : "exchange failed");
	else if (sa->state == IKE_SA_DELETING && ex == INFORMATIONAL)
		ike_sa_kill(sa, "deleted by peer");
	else if (ex == IKE_AUTH && sa->state == IKE_SA_ESTABLISHED)
		collide_check_duplicate(sa);	/* after the response: it may send */
}

static void frag_reset(struct ike_frag_in *f)
{
	for (size_t i = 0; i < IKE_FRAG_MAX_IN; i++)
		chunk_free(&f->parts[i]);
	memset(f, 0, sizeof(*f));
}

/* Collect one RFC 7383 fragment; true when m now holds the whole
 * reassembled inner chain. Fragments are authenticated one by one, so a
 * forged fragment never displaces a genuine one. */
static bool frag_collect(struct ike_sa *sa, struct ike_msg *m)
{
	struct ike_frag_in *f = &sa->frag_in;
	const struct ike_payload *p = ike_msg_find_encrypted(m);
	struct ike_err err = { 0 };
	struct chunk part;
	enum ike_err_code rc;
	uint8_t *buf;
	size_t len = 0, off = 0;
	uint16_t num = p->skf.frag_num, total = p->skf.total;

	if (!sa->aead_in || total > IKE_FRAG_MAX_IN || !num || num > total) {
		sa->core->stats.drop_parse++;
		sa_info(sa, "dropped fragment %u of %u", num, total);
		return false;
	}
	rc = sk_open_fragment(sa->aead_in, m, &part, &err);
	if (rc != IKE_OK) {
		if (rc == IKE_ERR_HEADER)
			sa->core->stats.drop_decrypt++;
		else
			sa->core->stats.drop_parse++;
		sa_info(sa, "dropped fragment %u of %u: %s", num, total, err.reason);
		return false;
	}
	if (!f->active || f->mid != m->hdr.msg_id || f->response != ike_msg_is_response(m) ||
	    f->total != total) {
		frag_reset(f);
		f->active = true;
		f->mid = m->hdr.msg_id;
		f->response = ike_msg_is_response(m);
		f->total = total;
	}
	if (f->parts[num - 1].ptr) {
		chunk_free(&part);
		return false;
	}
	f->parts[num - 1] = part;
	f->have++;
	if (num == 1) {
		f->first = p->skf.inner_next;
		if (!f->response)
			request_hash(m, sa->last_req_hash);
	}
	if (f->have < f->total)
		return false;
	for (size_t i = 0; i < f->total; i++)
		len += f->parts[i].len;
	buf = malloc(len ? len : 1);
	if (!buf) {
		frag_reset(f);
		return false;
	}
	for (size_t i = 0; i < f->total; i++) {
		memcpy(buf + off, f->parts[i].ptr, f->parts[i].len);
		off += f->parts[i].len;
	}
	rc = IKE_OK;
	if (!ike_msg_adopt(m, buf, len))
		rc = IKE_ERR_NOMEM;
	else
		rc = ike_msg_parse_inner(m, f->first, buf, len, &err);
	sa_debug(sa, "reassembled %u fragments (%zu bytes)", f->total, len);
	frag_reset(f);
	if (rc != IKE_OK) {
		sa->core->stats.drop_parse++;
		sa_info(sa, "dropped reassembled message: %s", err.reason);
		return false;
	}
	return true;
}

void exchange_input(struct ike_sa *sa, struct ike_msg *m,
		    const struct net_endpoints *ep)
{
	const struct ike_payload *enc = ike_msg_find_encrypted(m);

	if (sa->state == IKE_SA_DEAD)
		return;
	if (enc && enc->type == PL_SKF) {
		bool resp = ike_msg_is_response(m);

		/* window checks first: only fragments of the message we wait for
		 * are collected; a retransmitted request's first fragment gets the
		 * cached response */
		if (!resp && sa->has_last_resp && m->hdr.msg_id + 1 == sa->mid_in) {
			if (enc->skf.frag_num == 1)
				handle_request(sa, m, ep, false);
			return;
		}
		if ((!resp && m->hdr.msg_id != sa->mid_in) ||
		    (resp && (!sa->req_in_flight || m->hdr.msg_id != sa->mid_out))) {
			sa->core->stats.drop_mid++;
			return;
		}
		if (!frag_collect(sa, m))
			return;
		if (resp)
			handle_response(sa, m, true);
		else
			handle_request(sa, m, ep, true);
		return;
	}
	if (ike_msg_is_response(m)) {
		/* an initiator that sent from the wildcard address learns its
		 * address from the first response (before NAT detection) */
		if (m->hdr.exchange == IKE_SA_INIT && sa->req_in_flight &&
		    m->hdr.msg_id == sa->mid_out &&
		    sockaddr_equal(&ep->remote, &sa->ep.remote, true) &&
		    !sockaddr_equal(&ep->local, &sa->ep.local, true))
			sa->ep.local = ep->local;
		handle_response(sa, m, false);
	}
	else
		handle_request(sa, m, ep, false);
}
