/* list-sa / SA event bodies. Only public facts: addresses, identities,
 * SPIs, algorithms, times. Never keys. */
#include "control/sa_render.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "control/ctl.h"
#include "crypto/x509.h"
#include "ike/iana.h"
#include "ike/ike_sa.h"
#include "ike/ike_ts.h"
#include "ike/names.h"

const char *sa_render_ike_state(const struct ike_sa *sa)
{
	return sa->state == IKE_SA_DEAD ? "DESTROYING" : ike_sa_state_name(sa->state);
}

const char *sa_render_child_state(const struct child_sa *c)
{
	switch (c->state) {
	case CHILD_SA_CREATING: return "INSTALLING";
	case CHILD_SA_INSTALLED: return c->rekeying ? "REKEYING" : "INSTALLED";
	case CHILD_SA_DELETING: return "DELETING";
	}
	return "?";
}

const char *sa_render_ike_name(const struct ike_sa *sa)
{
	return sa->conf ? sa->conf->name : "";
}

void sa_render_child_key(const struct child_sa *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%u", c->name, c->unique_id);
}

static const char *addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a = ss->ss_family == AF_INET6 ?
			(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr :
			(const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		return "%any";
	if (!inet_ntop(ss->ss_family, a, buf, (socklen_t)len))
		return "?";
	return buf;
}

static void add_alg(struct vici_builder *b, const char *key, uint8_t type, uint16_t id)
{
	if (id)
		vici_builder_add_kv_str(b, key, ike_transform_id_name(type, id));
}

/* Seconds left until t0 + period, nothing when there is no such time. */
static void add_left(struct vici_builder *b, const char *key, time_t t0, uint32_t period)
{
	time_t now = time(NULL);

	if (!t0 || !period)
		return;
	vici_builder_add_kv_fmt(b, key, "%lld",
				t0 + period > now ? (long long)(t0 + period - now) : 0LL);
}

/* DER of our certificate and of the peer's (nhrpd keeps them per VC);
 * only when certificates authenticated this SA */
static void add_certs(struct vici_builder *b, const struct ike_sa *sa)
{
	struct chunk der = { 0 };

	if (sa->conf && sa->conf->local_auth == IKE_AUTH_PUBKEY && sa->conf->local_cert &&
	    x509_der(sa->conf->local_cert, &der)) {
		vici_builder_add_kv(b, "local-cert-data", der.ptr, der.len);
		chunk_free(&der);
	}
	if (sa->peer_cert.len)
		vici_builder_add_kv(b, "remote-cert-data", sa->peer_cert.ptr, sa->peer_cert.len);
}

void sa_render_ike(struct vici_builder *b, const struct ctl *ctl, const struct ike_sa *sa)
{
	char buf[IKE_ID_MAX * 3 + 8];
	time_t est = ctl_time_get(ctl, sa->unique_id, false);

	vici_builder_add_kv_fmt(b, "uniqueid", "%u", sa->unique_id);
	vici_builder_add_kv_str(b, "version", "2");
	vici_builder_add_kv_str(b, "state", sa_render_ike_state(sa));
	vici_builder_add_kv_str(b, "local-host", addr_str(&sa->ep.local, buf, sizeof(buf)));
	vici_builder_add_kv_fmt(b, "local-port", "%u", sockaddr_port(&sa->ep.local));
	/* before IKE_AUTH: the configured identities */
	if (sa->my_id.type || sa->my_id.len)
		vici_builder_add_kv_str(b, "local-id", ike_id_str(&sa->my_id, buf, sizeof(buf)));
	else if (sa->conf)
		vici_builder_add_kv_str(b, "local-id",
					ike_id_str(&sa->conf->local_id, buf, sizeof(buf)));
	vici_builder_add_kv_str(b, "remote-host", addr_str(&sa->ep.remote, buf, sizeof(buf)));
	vici_builder_add_kv_fmt(b, "remote-port", "%u", sockaddr_port(&sa->ep.remote));
	if (sa->peer_id.type || sa->peer_id.len)
		vici_builder_add_kv_str(b, "remote-id",
					ike_id_str(&sa->peer_id, buf, sizeof(buf)));
	else if (sa->conf)
		vici_builder_add_kv_str(b, "remote-id",
					ike_id_str(&sa->conf->remote_id, buf, sizeof(buf)));
	if (sa->initiator)
		vici_builder_add_kv_str(b, "initiator", "yes");
	vici_builder_add_kv_fmt(b, "initiator-spi", "%016llx", (unsigned long long)sa->spi_i);
	vici_builder_add_kv_fmt(b, "responder-spi", "%016llx", (unsigned long long)sa->spi_r);
	if (sa->nat_here)
		vici_builder_add_kv_str(b, "nat-local", "yes");
	if (sa->nat_there)
		vici_builder_add_kv_str(b, "nat-remote", "yes");
	if (sa->nat_here || sa->nat_there)
		vici_builder_add_kv_str(b, "nat-any", "yes");
	add_alg(b, "encr-alg", TRANS_ENCR, sa->alg.encr);
	if (sa->alg.encr && sa->alg.key_bits)
		vici_builder_add_kv_fmt(b, "encr-keysize", "%u", sa->alg.key_bits);
	add_alg(b, "integ-alg", TRANS_INTEG, sa->alg.integ);
	add_alg(b, "prf-alg", TRANS_PRF, sa->alg.prf);
	add_alg(b, "dh-group", TRANS_KE, sa->alg.ke);
	if (sa->state == IKE_SA_ESTABLISHED && est) {
		time_t now = time(NULL);

		vici_builder_add_kv_fmt(b, "established", "%lld",
					now > est ? (long long)(now - est) : 0LL);
		add_left(b, "rekey-time", est, sa->conf ? sa->conf->rekey_time_s : 0);
	}
	/* our virtual IP when we got one, the peer's when we leased it */
	vici_builder_begin_list(b, "local-vips");
	if (sa->has_vip && !sa->vip_leased)
		vici_builder_add_list_item_str(b, addr_str(&sa->vip.addr, buf, sizeof(buf)));
	vici_builder_end_list(b);
	vici_builder_begin_list(b, "remote-vips");
	if (sa->has_vip && sa->vip_leased)
		vici_builder_add_list_item_str(b, addr_str(&sa->vip.addr, buf, sizeof(buf)));
	vici_builder_end_list(b);
	add_certs(b, sa);
}

/* Seconds since the last packet at used (monotonic seconds), only once used. */
static void add_use(struct vici_builder *b, const char *key, uint64_t now, uint64_t used)
{
	if (used)
		vici_builder_add_kv_fmt(b, key, "%llu",
					(unsigned long long)(now > used ? now - used : 0));
}

/* The datapath's counters, as charon names them: bytes-in/out, packets-
 * in/out, use-in/out (seconds since the last packet, only once used). */
static void add_counters(struct vici_builder *b, const struct ctl *ctl, const struct child_sa *c)
{
	struct ctl_child_stats st = { 0 };
	struct timespec ts;

	if (!ctl || !ctl->ops.child_stats || c->state != CHILD_SA_INSTALLED ||
	    !ctl->ops.child_stats(ctl->ops.ctx, c, &st))
		memset(&st, 0, sizeof(st));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	vici_builder_add_kv_fmt(b, "bytes-in", "%llu", (unsigned long long)st.bytes_in);
	vici_builder_add_kv_fmt(b, "packets-in", "%llu", (unsigned long long)st.packets_in);
	add_use(b, "use-in", (uint64_t)ts.tv_sec, st.use_in);
	vici_builder_add_kv_fmt(b, "bytes-out", "%llu", (unsigned long long)st.bytes_out);
	vici_builder_add_kv_fmt(b, "packets-out", "%llu", (unsigned long long)st.packets_out);
	add_use(b, "use-out", (uint64_t)ts.tv_sec, st.use_out);
}

static void add_ts(struct vici_builder *b, const char *key, const struct ike_ts *ts, size_t n)
{
	char buf[128];

	vici_builder_begin_list(b, key);
	for (size_t i = 0; i < n; i++)
		vici_builder_add_list_item_str(b, ts_str(&ts[i], buf, sizeof(buf)));
	vici_builder_end_list(b);
}

void sa_render_child(struct vici_builder *b, const struct ctl *ctl,
		     const struct child_sa *c, const char *state)
{
	const struct ike_child_conf *cc =
		c->sa && c->sa->conf ? ike_conf_child(c->sa->conf, c->name) : NULL;
	time_t inst = ctl_time_get(ctl, c->unique_id, true);

	vici_builder_add_kv_str(b, "name", c->name);
	vici_builder_add_kv_fmt(b, "uniqueid", "%u", c->unique_id);
	/* the datapath's reqid (kept across rekeys); the unique id without one */
	vici_builder_add_kv_fmt(b, "reqid", "%u", c->reqid ? c->reqid : c->unique_id);
	vici_builder_add_kv_str(b, "state", state ? state : sa_render_child_state(c));
	vici_builder_add_kv_str(b, "mode", c->mode == IKE_MODE_TRANSPORT ? "TRANSPORT" : "TUNNEL");
	vici_builder_add_kv_str(b, "protocol", c->protocol == PROTO_AH ? "AH" : "ESP");
	if (c->encap)
		vici_builder_add_kv_str(b, "encap", "yes");
	vici_builder_add_kv_fmt(b, "spi-in", "%08x", c->spi_in);
	vici_builder_add_kv_fmt(b, "spi-out", "%08x", c->spi_out);
	add_alg(b, "encr-alg", TRANS_ENCR, c->alg.encr);
	if (c->alg.encr && c->alg.key_bits)
		vici_builder_add_kv_fmt(b, "encr-keysize", "%u", c->alg.key_bits);
	add_alg(b, "integ-alg", TRANS_INTEG, c->alg.integ);
	add_alg(b, "dh-group", TRANS_KE, c->alg.ke);
	if (c->alg.esn == 1)
		vici_builder_add_kv_str(b, "esn", "1");
	add_counters(b, ctl, c);
	if (inst) {
		time_t now = time(NULL);

		add_left(b, "rekey-time", inst, cc ? cc->rekey_time_s : 0);
		add_left(b, "life-time", inst, cc ? cc->life_time_s : 0);
		vici_builder_add_kv_fmt(b, "install-time", "%lld",
					now > inst ? (long long)(now - inst) : 0LL);
	}
	add_ts(b, "local-ts", c->local_ts, c->n_local_ts);
	add_ts(b, "remote-ts", c->remote_ts, c->n_remote_ts);
}

static void child_section(struct vici_builder *b, const struct ctl *ctl,
			  const struct child_sa *c, const char *state)
{
	char key[IKE_NAME_MAX + 16];

	sa_render_child_key(c, key, sizeof(key));
	vici_builder_begin_section(b, key);
	sa_render_child(b, ctl, c, state);
	vici_builder_end_section(b);
}

void sa_render_sa(struct vici_builder *b, const struct ctl *ctl,
		  const struct ike_sa *sa, enum sa_render_children which,
		  const struct child_sa *one, const char *state)
{
	const char *name = sa_render_ike_name(sa);

	/* a section needs a name: half-open SAs have no connection yet */
	vici_builder_begin_section(b, *name ? name : "%any");
	sa_render_ike(b, ctl, sa);
	if (which != SA_RENDER_NO_CHILDREN) {
		vici_builder_begin_section(b, "child-sas");
		if (which == SA_RENDER_ONE_CHILD && one)
			child_section(b, ctl, one, state);
		else if (which == SA_RENDER_ALL_CHILDREN)
			for (const struct child_sa *c = sa->children; c; c = c->next)
				child_section(b, ctl, c, NULL);
		vici_builder_end_section(b);
	}
	vici_builder_end_section(b);
}
