/* Fuzzes the IKE exchange layer behind the SK payload: an initiator core
 * and a responder core are set up once (PSK, virtual IP, CHILD SA) in
 * memory; each input is a decrypted payload chain that the initiator's
 * keys encrypt into an INFORMATIONAL or CREATE_CHILD_SA request for the
 * responder, so the tasks see hostile payloads that passed integrity.
 * Input: byte 0 mode (even: encrypted chain, odd: raw datagram to the
 * responder), byte 1 exchange (even INFORMATIONAL, odd CREATE_CHILD_SA),
 * byte 2 first inner payload type, then the chain. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "ike/core_priv.h"
#include "ike/ike_conf.h"
#include "ike/ike_core.h"
#include "lib/log.h"

struct pkt {
	int to;
	struct net_endpoints ep;
	uint8_t buf[2048];
	size_t len;
};

static struct ike_core *cores[2];
static struct sockaddr_storage addrs[2];
static struct pkt q[16];
static size_t nq;

static bool f_send(void *ctx, const struct net_endpoints *ep, const uint8_t *m, size_t len)
{
	int from = (int)(intptr_t)ctx;

	if (nq == 16 || len > sizeof(q[0].buf))
		return false;
	q[nq].to = !from;
	q[nq].ep.local = ep->remote;
	q[nq].ep.remote = ep->local;
	memcpy(q[nq].buf, m, len);
	q[nq].len = len;
	nq++;
	return true;
}

static bool f_psk(void *ctx, const struct ike_id *l, const struct ike_id *r, struct chunk *out)
{
	(void)ctx;
	(void)l;
	(void)r;
	return chunk_dup(out, "fuzz", 4);
}

static bool f_vip(void *ctx, const char pools[][64], size_t npools, int family,
		  const char *identity, const struct sockaddr_storage *req, struct ike_vip *out)
{
	(void)ctx;
	(void)pools;
	(void)npools;
	(void)identity;
	(void)req;
	memset(out, 0, sizeof(*out));
	return family == AF_INET && sockaddr_parse("10.3.0.1", 0, &out->addr);
}

static void f_arm(void *ctx, struct ike_timer *t, uint32_t ms)
{
	(void)ctx;
	(void)t;
	(void)ms;	/* time never passes here */
}

static void f_cancel(void *ctx, struct ike_timer *t)
{
	(void)ctx;
	(void)t;
}

static void pump(void)
{
	for (unsigned rounds = 0; nq && rounds < 64; rounds++) {
		struct pkt p = q[0];

		memmove(&q[0], &q[1], (nq - 1) * sizeof(q[0]));
		nq--;
		ike_core_input(cores[p.to], p.buf, p.len, &p.ep);
	}
	nq = 0;
}

static struct ike_conf *mk_conf(bool initiator)
{
	struct ike_conf *c = ike_conf_new(initiator ? "home" : "rw");
	struct ike_child_conf *ch = &c->children[0];

	ike_prop_parse(PROTO_IKE, "aes256gcm16-prfsha256-x25519", &c->props[0]);
	c->n_props = 1;
	ike_id_from_string(initiator ? "rw" : "gw", &c->local_id);
	c->n_children = 1;
	strcpy(ch->name, "home");
	ike_prop_parse(PROTO_ESP, "aes256gcm16", &ch->props[0]);
	ch->n_props = 1;
	ike_ts_conf_parse(initiator ? "dynamic" : "10.1.0.0/24", &ch->local_ts[0]);
	ike_ts_conf_parse(initiator ? "10.1.0.0/24" : "dynamic", &ch->remote_ts[0]);
	ch->n_local_ts = ch->n_remote_ts = 1;
	if (initiator) {
		c->want_vip4 = true;
	} else {
		strcpy(c->pools[0], "p");
		c->n_pools = 1;
	}
	return c;
}

static void first_cb(void *ctx, const struct ike_sa *sa)
{
	*(const struct ike_sa **)ctx = sa;
}

static struct ike_sa *only_sa(int i)
{
	const struct ike_sa *sa = NULL;

	if (cores[i])
		ike_core_foreach(cores[i], first_cb, &sa);
	return (struct ike_sa *)sa;
}

/* (Re-)establish the pair when the last input tore it down. */
static bool ensure_established(void)
{
	struct ike_sa *i = only_sa(0), *r = only_sa(1);
	struct net_endpoints ep = { .local = addrs[0], .remote = addrs[1] };

	if (i && r && i->state == IKE_SA_ESTABLISHED && r->state == IKE_SA_ESTABLISHED &&
	    !i->req_in_flight && !r->req_in_flight)
		return true;
	for (int k = 0; k < 2; k++) {
		struct ike_conf *c;

		ike_core_free(cores[k]);
		{
			struct ike_env env = {
				.ctx = (void *)(intptr_t)k, .send = f_send, .psk_lookup = f_psk,
				.vip_acquire = f_vip, .timer_arm = f_arm, .timer_cancel = f_cancel,
			};
			cores[k] = ike_core_new(&env);
		}
		c = mk_conf(k == 0);
		ike_core_set_confs(cores[k], &c, 1);
		ike_conf_unref(c);
	}
	nq = 0;
	ike_core_initiate(cores[0], "home", "home", &ep);
	pump();
	i = only_sa(0);
	return i && i->state == IKE_SA_ESTABLISHED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_sa *i, *r;
	struct ike_header h = { 0 };
	struct ike_err err;
	struct wbuf w;
	uint8_t iv[8];
	size_t off, plen, icv;
	uint8_t *plain;
	struct net_endpoints ep;

	if (!addrs[0].ss_family) {
		log_set_level(LOG_LVL_ERROR);
		sockaddr_parse("192.0.2.100", 500, &addrs[0]);
		sockaddr_parse("192.0.2.1", 500, &addrs[1]);
	}
	if (size < 3 || size > 1500 || !ensure_established())
		return 0;
	ep.local = addrs[1];
	ep.remote = addrs[0];
	if (data[0] & 1) {
		ike_core_input(cores[1], data + 1, size - 1, &ep);
		pump();
		return 0;
	}
	i = only_sa(0);
	r = only_sa(1);
	h.spi_i = i->spi_i;
	h.spi_r = i->spi_r;
	h.exchange = (data[1] & 1) ? CREATE_CHILD_SA : INFORMATIONAL;
	h.flags = IKE_FLAG_INITIATOR;
	h.msg_id = r->mid_in;
	/* chain | pad length 0, sealed with the initiator's outbound keys */
	plen = size - 3 + 1;
	icv = aead_icv_len(aead_get_alg(i->aead_out));
	plain = malloc(plen);
	if (!plain)
		return 0;
	memcpy(plain, data + 3, size - 3);
	plain[plen - 1] = 0;
	wbuf_init(&w);
	if (ike_msg_write_sk_header(&h, data[2], 8 + plen + icv, &w, &err) == IKE_OK) {
		uint64_t seq = ++i->iv_seq;

		off = w.len;
		for (int k = 0; k < 8; k++)
			iv[k] = (uint8_t)(seq >> (56 - 8 * k));
		wbuf_reserve(&w, 8 + plen + icv);
		if (wbuf_ok(&w)) {
			memcpy(w.p + off, iv, 8);
			if (aead_encrypt(i->aead_out, iv, w.p, off, plain, plen,
					 w.p + off + 8, w.p + off + 8 + plen)) {
				ike_core_input(cores[1], w.p, w.len, &ep);
				pump();
			}
		}
	}
	wbuf_free(&w);
	free(plain);
	/* the initiator never sees a response to a request it did not send:
	 * keep its message IDs in step with the responder */
	i = only_sa(0);
	r = only_sa(1);
	if (i && r)
		i->mid_out = r->mid_in;
	return 0;
}
