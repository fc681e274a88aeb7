/* The control socket as FRR nhrpd uses it, against real SAs: two IKE cores
 * back to back (ike_harness.h: "i" is the spoke, "r" the hub with the
 * control socket) and a client that sends exactly nhrpd's frames
 * (vici.md section 3): pipelined EVENT_REGISTER for child-state-installed /
 * -rekeyed / -destroying and list-sa, then list-sas {}; initiate with
 * child, timeout=-1, async, init-limits, my-host and other-host; terminate
 * by ike-id. Checks the fields nhrpd parses, that IKE keys come before
 * child-sas, the CHILD delete event when the peer's last CHILD SA goes,
 * the certificates (DER) with certificate authentication, and that a
 * malformed frame changes nothing. */
#include "check_main.h"
#include "ike_harness.h"
#include "vici_harness.h"

#include "config/config.h"
#include "control/ctl.h"
#include "crypto/pubkey.h"
#include "crypto/x509.h"
#include "crypto/x509_trust.h"
#include "ike/ike_ctl.h"

#define PKI "tests/fixtures/pki/"

static struct ctl *g_ctl;
static struct config *g_cfg;

static void hub_event(void *ctx, enum ike_event ev, const struct ike_sa *sa,
		      const struct child_sa *c)
{
	hn_event(ctx, ev, sa, c);
	if (g_ctl)
		ctl_ike_event(g_ctl, ev, sa, c);
}

static const struct config *op_config(void *ctx)
{
	(void)ctx;
	return g_cfg;
}

static bool op_local_endpoint(void *ctx, struct net_endpoints *ep)
{
	(void)ctx;
	sockaddr_set_port(&ep->local, 500);
	return true;
}

static bool op_apply(void *ctx, char *why, size_t len)
{
	(void)ctx;
	(void)why;
	(void)len;
	return true;
}

/* The datapath's counters as the daemon reports them (ctl_ops.child_stats). */
static bool op_stats(void *ctx, const struct child_sa *c, struct ctl_child_stats *out)
{
	struct timespec ts;

	(void)ctx;
	(void)c;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	memset(out, 0, sizeof(*out));
	out->bytes_in = 1400;
	out->packets_in = 14;
	out->use_in = (uint64_t)ts.tv_sec - 3;
	out->bytes_out = 2800;
	out->packets_out = 28;	/* use_out 0: never used, no key */
	return true;
}

/* The hub's core again, with its events going to the control socket too. */
static void hub_core(struct hn *h)
{
	struct ike_env env = {
		.ctx = &h->r, .natt_port = 4500, .send = hn_send, .psk_lookup = hn_psk,
		.vip_acquire = hn_vip, .vip_release = hn_vip_release,
		.spi_alloc = hn_spi, .child_install = hn_install,
		.child_uninstall = hn_uninstall, .timer_arm = hn_timer_arm,
		.timer_cancel = hn_timer_cancel, .now_ms = hn_now, .event = hub_event,
	};

	ike_core_free(h->r.core);
	h->r.core = ike_core_new(&env);
	ck_assert_ptr_nonnull(h->r.core);
}

static const char hub_conf[] =
	"connections { home { proposals = aes256gcm16-prfsha256-x25519\n"
	"  local { auth = psk\n id = gw.example }\n remote { auth = psk }\n"
	"  children { home { local_ts = 10.1.0.0/24\n esp_proposals = aes256gcm16 } } } }\n";

static void setup(struct hn *h, struct harness *hh)
{
	struct ctl_ops ops = { .config = op_config, .local_endpoint = op_local_endpoint,
			       .apply = op_apply, .child_stats = op_stats };
	struct config_err err;

	hn_init(h);
	hub_core(h);
	h->i.psk = h->r.psk = "nhrp-test-psk";
	hn_set_conf(&h->i, hn_conf("home", true, "aes256gcm16-prfsha256-x25519", "aes256gcm16"));
	hn_set_conf(&h->r, hn_conf("home", false, "aes256gcm16-prfsha256-x25519", "aes256gcm16"));
	ck_assert_msg(config_load_buffer("hub", hub_conf, sizeof(hub_conf) - 1, NULL, &g_cfg,
					 &err), "%s", err.msg);
	h_start(hh, 0);
	g_ctl = ctl_new(hh->base, hh->srv, h->r.core, &ops);
	ck_assert_ptr_nonnull(g_ctl);
}

static void teardown(struct hn *h, struct harness *hh)
{
	ctl_free(g_ctl);
	g_ctl = NULL;
	h_stop(hh);
	hn_free(h);
	config_free(g_cfg);
	g_cfg = NULL;
}

static void send_cmd(struct tclient *c, const char *name, const char *const *kv)
{
	struct wbuf w;
	struct vici_builder b;
	const char *why;

	wbuf_init(&w);
	vici_builder_init(&b, &w);
	for (; kv && kv[0]; kv += 2)
		vici_builder_add_kv_str(&b, kv[0], kv[1]);
	ck_assert_msg(vici_builder_finish(&b, &why), "%s", why);
	tc_send(c, VICI_CMD_REQUEST, name, &w);
	wbuf_free(&w);
}

/* nhrpd's connect: four registrations and list-sas, pipelined. */
static void nhrp_connect(struct tclient *c)
{
	static const char *const events[] = { "child-state-installed", "child-state-rekeyed",
					      "child-state-destroying", "list-sa" };

	for (size_t i = 0; i < 4; i++)
		tc_send(c, VICI_EVENT_REGISTER, events[i], NULL);
	send_cmd(c, "list-sas", NULL);
}

/* The position of key name among sec's children, -1 if absent. */
static int key_pos(const struct vici_node *sec, const char *name)
{
	int i = 0;

	for (const struct vici_node *n = vici_node_first(sec); n; n = vici_node_next(n), i++)
		if (vici_node_name_is(n, name))
			return i;
	return -1;
}

static void expect_kv(const struct vici_node *sec, const char *key, const char *want)
{
	const struct vici_node *n = vici_node_child(sec, key);
	char buf[128];

	ck_assert_msg(n && vici_node_type(n) == VICI_NODE_KV, "no key %s", key);
	ck_assert(vici_node_str_buf(n, buf, sizeof(buf)));
	ck_assert_msg(strcmp(buf, want) == 0, "%s = %s, want %s", key, buf, want);
}

/* Checks the layout nhrpd parses: {home={IKE keys..., child-sas={<c>={uniqueid,
 * state}}}}; returns the child's section. */
static const struct vici_node *check_sa(const struct vici_msg *m, const char *child_state,
					uint32_t ike_id)
{
	const struct vici_node *ike = vici_node_child(vici_msg_root(m), "home");
	const struct vici_node *cs, *child;
	int cpos;
	char id[16];

	ck_assert_msg(ike && vici_node_type(ike) == VICI_NODE_SECTION, "no IKE section");
	cpos = key_pos(ike, "child-sas");
	ck_assert_int_ge(cpos, 0);
	/* the keys nhrpd reads at depth 1, all before child-sas */
	ck_assert_int_lt(key_pos(ike, "uniqueid"), cpos);
	ck_assert_int_ge(key_pos(ike, "uniqueid"), 0);
	ck_assert_int_lt(key_pos(ike, "local-host"), cpos);
	ck_assert_int_ge(key_pos(ike, "local-host"), 0);
	ck_assert_int_lt(key_pos(ike, "remote-host"), cpos);
	ck_assert_int_ge(key_pos(ike, "remote-host"), 0);
	ck_assert_int_lt(key_pos(ike, "local-id"), cpos);
	ck_assert_int_lt(key_pos(ike, "remote-id"), cpos);
	snprintf(id, sizeof(id), "%u", ike_id);
	expect_kv(ike, "uniqueid", id);
	/* plain addresses (str2sockunion), no port */
	expect_kv(ike, "local-host", "192.0.2.1");
	expect_kv(ike, "remote-host", "192.0.2.100");
	expect_kv(ike, "local-id", "gw.example");
	expect_kv(ike, "remote-id", "rw1.example");
	expect_kv(ike, "version", "2");
	/* PSK authentication: no certificates to report */
	ck_assert_ptr_null(vici_node_child(ike, "remote-cert-data"));
	ck_assert_ptr_null(vici_node_child(ike, "local-cert-data"));
	cs = vici_node_child(ike, "child-sas");
	ck_assert_int_eq(vici_node_count(cs), 1);
	child = vici_node_first(cs);
	ck_assert(vici_node_type(child) == VICI_NODE_SECTION);
	ck_assert_int_ge(key_pos(child, "uniqueid"), 0);
	expect_kv(child, "state", child_state);
	expect_kv(child, "name", "home");
	expect_kv(child, "mode", "TUNNEL");
	expect_kv(child, "protocol", "ESP");
	return child;
}

static uint32_t child_uid(const struct vici_node *child)
{
	char buf[16];

	ck_assert(vici_node_str_buf(vici_node_child(child, "uniqueid"), buf, sizeof(buf)));
	return (uint32_t)strtoul(buf, NULL, 10);
}

START_TEST(nhrp_list_sas_and_child_delete)
{
	struct hn h;
	struct harness hh;
	struct tclient *c;
	struct tpacket tp;
	struct ike_sa *sa;
	const struct vici_node *ch;
	uint32_t uid;

	setup(&h, &hh);
	ck_assert_uint_ne(hn_initiate(&h), 0);
	hn_pump(&h);
	sa = hn_sa(&h.r);
	ck_assert_ptr_nonnull(sa);
	ck_assert_int_eq(sa->state, IKE_SA_ESTABLISHED);

	c = tc_connect(&hh);
	nhrp_connect(c);
	for (int i = 0; i < 4; i++)
		tc_expect(&hh, c, VICI_EVENT_CONFIRM, NULL, NULL);
	tc_expect(&hh, c, VICI_EVENT, "list-sa", &tp);
	ch = check_sa(tp.msg, "INSTALLED", sa->unique_id);
	uid = child_uid(ch);
	ck_assert_uint_eq(uid, sa->children->unique_id);
	/* the datapath's counters */
	expect_kv(ch, "bytes-in", "1400");
	expect_kv(ch, "packets-in", "14");
	expect_kv(ch, "bytes-out", "2800");
	expect_kv(ch, "packets-out", "28");
	ck_assert_ptr_nonnull(vici_node_child(ch, "use-in"));
	ck_assert_ptr_null(vici_node_child(ch, "use-out"));
	{
		char key[80];

		snprintf(key, sizeof(key), "home-%u", uid);
		ck_assert(vici_node_name_is(ch, key));
	}
	tp_free(&tp);
	tc_expect(&hh, c, VICI_CMD_RESPONSE, NULL, NULL);

	/* the spoke deletes its only CHILD SA: nhrpd hears child-state-destroying */
	{
		struct ike_sa *isa = hn_sa(&h.i);

		ck_assert(ike_ctl_delete_child(h.i.core, isa->unique_id,
					       isa->children->unique_id));
	}
	hn_pump(&h);
	ck_assert_ptr_null(hn_sa(&h.r)->children);
	tc_expect(&hh, c, VICI_EVENT, "child-state-destroying", &tp);
	ch = check_sa(tp.msg, "DELETING", sa->unique_id);
	ck_assert_uint_eq(child_uid(ch), uid);
	tp_free(&tp);
	tc_expect_quiet(&hh, c, 50);

	tc_close(c);
	teardown(&h, &hh);
}
END_TEST

START_TEST(nhrp_terminate_by_ike_id)
{
	struct hn h;
	struct harness hh;
	struct tclient *c;
	struct tpacket tp;
	uint32_t id;
	char ids[16];

	setup(&h, &hh);
	ck_assert_uint_ne(hn_initiate(&h), 0);
	hn_pump(&h);
	id = hn_sa(&h.r)->unique_id;
	c = tc_connect(&hh);
	nhrp_connect(c);
	for (int i = 0; i < 4; i++)
		tc_expect(&hh, c, VICI_EVENT_CONFIRM, NULL, NULL);
	tc_expect(&hh, c, VICI_EVENT, "list-sa", NULL);
	tc_expect(&hh, c, VICI_CMD_RESPONSE, NULL, NULL);

	snprintf(ids, sizeof(ids), "%u", id);
	send_cmd(c, "terminate", (const char *const[]){ "ike-id", ids, NULL });
	h_pump(&hh);		/* the hub sends its Delete ... */
	hn_pump(&h);		/* ... the spoke answers */
	ck_assert_ptr_null(hn_sa(&h.r));
	tc_expect(&hh, c, VICI_EVENT, "child-state-destroying", &tp);
	check_sa(tp.msg, "DELETING", id);
	tp_free(&tp);
	tc_expect(&hh, c, VICI_CMD_RESPONSE, NULL, &tp);
	ck_assert_str_eq(vici_msg_get_str_buf(tp.msg, "success", ids, sizeof(ids)) ? ids : "",
			 "yes");
	ck_assert(vici_msg_get_str_buf(tp.msg, "matches", ids, sizeof(ids)));
	ck_assert_str_eq(ids, "1");
	ck_assert(vici_msg_get_str_buf(tp.msg, "terminated", ids, sizeof(ids)));
	ck_assert_str_eq(ids, "1");
	tp_free(&tp);

	/* nothing left: an error reply, nothing else */
	send_cmd(c, "terminate", (const char *const[]){ "ike-id", "4242", NULL });
	tc_expect(&hh, c, VICI_CMD_RESPONSE, NULL, &tp);
	ck_assert(vici_msg_get_str_buf(tp.msg, "success", ids, sizeof(ids)));
	ck_assert_str_eq(ids, "no");
	tp_free(&tp);
	tc_close(c);
	teardown(&h, &hh);
}
END_TEST

START_TEST(nhrp_initiate_my_host_other_host)
{
	struct hn h;
	struct harness hh;
	struct tclient *c;
	struct tpacket tp;
	char buf[64];
	struct ike_sa *sa;

	setup(&h, &hh);
	c = tc_connect(&hh);
	nhrp_connect(c);
	for (int i = 0; i < 4; i++)
		tc_expect(&hh, c, VICI_EVENT_CONFIRM, NULL, NULL);
	tc_expect(&hh, c, VICI_CMD_RESPONSE, NULL, NULL);	/* no SAs yet */

	/* the hub's conf has no remote address: other-host says where */
	send_cmd(c, "initiate", (const char *const[]){
		"child", "home", "timeout", "-1", "async", "1", "init-limits", "1",
		"my-host", "192.0.2.1", "other-host", "192.0.2.100", NULL });
	tc_expect(&hh, c, VICI_CMD_RESPONSE, NULL, &tp);
	ck_assert(vici_msg_get_str_buf(tp.msg, "success", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "yes");
	tp_free(&tp);
	hn_pump(&h);
	sa = hn_sa(&h.r);
	ck_assert_ptr_nonnull(sa);
	ck_assert(sa->initiator);
	ck_assert_int_eq(sa->state, IKE_SA_ESTABLISHED);
	tc_expect(&hh, c, VICI_EVENT, "child-state-installed", &tp);
	check_sa(tp.msg, "INSTALLED", sa->unique_id);
	ck_assert(vici_msg_get_str_buf(tp.msg, "home.initiator", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "yes");
	tp_free(&tp);

	/* without other-host the connection has nowhere to go */
	send_cmd(c, "initiate", (const char *const[]){ "child", "home", "timeout", "-1", NULL });
	tc_expect(&hh, c, VICI_CMD_RESPONSE, NULL, &tp);
	ck_assert(vici_msg_get_str_buf(tp.msg, "success", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "no");
	tp_free(&tp);
	tc_close(c);
	teardown(&h, &hh);
}
END_TEST

START_TEST(nhrp_malformed_frame_changes_nothing)
{
	static const uint8_t garbage[] = { 0, 0, 0, 6, 0, 8, 'l', 'i', 's', 't' };
	struct hn h;
	struct harness hh;
	struct tclient *bad, *good;
	struct tpacket tp;

	setup(&h, &hh);
	ck_assert_uint_ne(hn_initiate(&h), 0);
	hn_pump(&h);
	good = tc_connect(&hh);
	tc_send(good, VICI_EVENT_REGISTER, "child-state-destroying", NULL);
	tc_expect(&hh, good, VICI_EVENT_CONFIRM, NULL, NULL);

	/* a truncated op name: the sender is dropped, nothing else moves */
	bad = tc_connect(&hh);
	tc_send_raw(bad, garbage, sizeof(garbage));
	tc_expect_eof(&hh, bad);
	tc_close(bad);
	ck_assert_ptr_nonnull(hn_sa(&h.r));
	ck_assert_int_eq(hn_sa(&h.r)->state, IKE_SA_ESTABLISHED);
	ck_assert_ptr_nonnull(hn_sa(&h.r)->children);
	ck_assert_uint_eq(ike_core_get_stats(h.r.core)->sas, 1);
	tc_expect_quiet(&hh, good, 30);

	/* and the other client still gets its events */
	{
		struct ike_sa *isa = hn_sa(&h.i);

		ck_assert(ike_ctl_delete_child(h.i.core, isa->unique_id,
					       isa->children->unique_id));
	}
	hn_pump(&h);
	tc_expect(&hh, good, VICI_EVENT, "child-state-destroying", &tp);
	tp_free(&tp);
	tc_close(good);
	teardown(&h, &hh);
}
END_TEST

/* Certificates: the RW (ECDSA) and the hub (RSA) as in test_ike_e2e. */
static void use_cert(struct ike_conf *c, const char *cert, const char *key, const char *ca)
{
	const char *why = NULL;
	X509 *cac = x509_load_file(ca, &why);

	c->local_auth = c->remote_auth = IKE_AUTH_PUBKEY;
	c->local_cert = x509_load_file(cert, &why);
	c->local_key = pubkey_load_private_file(key, &why);
	c->trust = x509_trust_new();
	ck_assert_ptr_nonnull(c->local_cert);
	ck_assert_ptr_nonnull(c->local_key);
	ck_assert_ptr_nonnull(cac);
	ck_assert(x509_trust_add(c->trust, cac, &why));
	x509_free(cac);
}

static void expect_cert(const struct vici_node *ike, const char *key, const char *file)
{
	const char *why = NULL;
	X509 *x = x509_load_file(file, &why);
	struct chunk der = { 0 };
	const struct vici_node *n = vici_node_child(ike, key);
	const uint8_t *v;
	size_t len;

	ck_assert_ptr_nonnull(x);
	ck_assert(x509_der(x, &der));
	ck_assert_msg(n, "no %s", key);
	v = vici_node_value(n, &len);
	/* nhrpd keeps at most 2047 bytes */
	ck_assert_uint_lt(len, 2048);
	ck_assert_uint_eq(len, der.len);
	ck_assert(memcmp(v, der.ptr, len) == 0);
	ck_assert_int_lt(key_pos(ike, key), key_pos(ike, "child-sas"));
	chunk_free(&der);
	x509_free(x);
}

START_TEST(nhrp_cert_data)
{
	struct hn h;
	struct harness hh;
	struct tclient *c;
	struct tpacket tp;
	struct ike_conf *ci, *cr;
	const struct vici_node *ike;

	setup(&h, &hh);
	ci = hn_conf("home", true, "aes256gcm16-prfsha256-x25519", "aes256gcm16");
	cr = hn_conf("home", false, "aes256gcm16-prfsha256-x25519", "aes256gcm16");
	use_cert(ci, PKI "rw.crt", PKI "rw.key", PKI "ca-rsa.crt");
	use_cert(cr, PKI "gw.crt", PKI "gw.key", PKI "ca-ecdsa.crt");
	ck_assert(ike_id_from_string("rw.example", &ci->local_id));
	hn_set_conf(&h.i, ci);
	hn_set_conf(&h.r, cr);
	c = tc_connect(&hh);
	nhrp_connect(c);
	for (int i = 0; i < 4; i++)
		tc_expect(&hh, c, VICI_EVENT_CONFIRM, NULL, NULL);
	tc_expect(&hh, c, VICI_CMD_RESPONSE, NULL, NULL);
	ck_assert_uint_ne(hn_initiate(&h), 0);
	hn_pump(&h);
	ck_assert_int_eq(hn_sa(&h.r)->state, IKE_SA_ESTABLISHED);
	tc_expect(&hh, c, VICI_EVENT, "child-state-installed", &tp);
	ike = vici_node_child(vici_msg_root(tp.msg), "home");
	ck_assert_ptr_nonnull(ike);
	expect_kv(ike, "remote-id", "rw.example");
	expect_cert(ike, "remote-cert-data", PKI "rw.crt");
	expect_cert(ike, "local-cert-data", PKI "gw.crt");
	tp_free(&tp);
	tc_close(c);
	teardown(&h, &hh);
}
END_TEST

/* Rekeys over VICI (the hub rekeys): child-rekey / child-state-rekeyed for
 * the old CHILD SA, child-state-installed for the new one, the old one's
 * deletion is child-state-destroying but no child-updown; ike-rekey. */
START_TEST(nhrp_rekey_events)
{
	static const char *const events[] = { "child-state-installed", "child-state-rekeyed",
					      "child-state-destroying", "child-updown",
					      "child-rekey", "ike-rekey", "ike-updown" };
	struct hn h;
	struct harness hh;
	struct tclient *c;
	struct tpacket tp;
	char buf[64];
	uint32_t old_child, ike_id, new_child;
	const struct vici_node *n;

	setup(&h, &hh);
	ck_assert_uint_ne(hn_initiate(&h), 0);
	hn_pump(&h);
	ike_id = hn_sa(&h.r)->unique_id;
	old_child = hn_sa(&h.r)->children->unique_id;
	c = tc_connect(&hh);
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		tc_send(c, VICI_EVENT_REGISTER, events[i], NULL);
		tc_expect(&hh, c, VICI_EVENT_CONFIRM, NULL, NULL);
	}
	snprintf(buf, sizeof(buf), "%u", old_child);
	send_cmd(c, "rekey", (const char *const[]){ "child-id", buf, NULL });
	tc_expect(&hh, c, VICI_CMD_RESPONSE, NULL, &tp);
	ck_assert(vici_msg_get_str_buf(tp.msg, "matches", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "1");
	tp_free(&tp);
	hn_pump(&h);
	new_child = hn_sa(&h.r)->children->unique_id;
	ck_assert_uint_ne(new_child, old_child);
	ck_assert_ptr_null(hn_sa(&h.r)->children->next);

	/* no child-updown for either: a rekey is child-rekey */
	tc_expect(&hh, c, VICI_EVENT, "child-state-installed", &tp);
	ck_assert_uint_eq(child_uid(check_sa(tp.msg, "INSTALLED", ike_id)), new_child);
	tp_free(&tp);
	tc_expect(&hh, c, VICI_EVENT, "child-rekey", &tp);
	snprintf(buf, sizeof(buf), "home.child-sas.home-%u.old", old_child);
	n = vici_msg_find(tp.msg, buf);
	ck_assert_ptr_nonnull(n);
	expect_kv(n, "state", "REKEYED");
	snprintf(buf, sizeof(buf), "home.child-sas.home-%u.new", old_child);
	ck_assert_ptr_nonnull(vici_msg_find(tp.msg, buf));
	tp_free(&tp);
	tc_expect(&hh, c, VICI_EVENT, "child-state-rekeyed", &tp);
	ck_assert_uint_eq(child_uid(check_sa(tp.msg, "REKEYED", ike_id)), old_child);
	tp_free(&tp);
	tc_expect(&hh, c, VICI_EVENT, "child-state-destroying", &tp);
	ck_assert_uint_eq(child_uid(check_sa(tp.msg, "DELETING", ike_id)), old_child);
	tp_free(&tp);
	tc_expect_quiet(&hh, c, 30);	/* no child-updown for the rekeyed one */

	/* the spoke rekeys (the hub is the responder): the same events */
	old_child = new_child;
	{
		struct ike_sa *isa = hn_sa(&h.i);

		ck_assert(ike_ctl_rekey_child(h.i.core, isa->unique_id,
					      isa->children->unique_id));
	}
	hn_pump(&h);
	new_child = hn_sa(&h.r)->children->unique_id;
	ck_assert_uint_ne(new_child, old_child);
	tc_expect(&hh, c, VICI_EVENT, "child-state-installed", &tp);
	ck_assert_uint_eq(child_uid(check_sa(tp.msg, "INSTALLED", ike_id)), new_child);
	tp_free(&tp);
	tc_expect(&hh, c, VICI_EVENT, "child-rekey", &tp);
	{
		char path[96];

		snprintf(path, sizeof(path), "home.child-sas.home-%u.new.uniqueid", old_child);
		ck_assert(vici_msg_get_str_buf(tp.msg, path, buf, sizeof(buf)));
		ck_assert_uint_eq(strtoul(buf, NULL, 10), new_child);
	}
	tp_free(&tp);
	tc_expect(&hh, c, VICI_EVENT, "child-state-rekeyed", &tp);
	ck_assert_uint_eq(child_uid(check_sa(tp.msg, "REKEYED", ike_id)), old_child);
	tp_free(&tp);
	tc_expect(&hh, c, VICI_EVENT, "child-state-destroying", &tp);
	ck_assert_uint_eq(child_uid(check_sa(tp.msg, "DELETING", ike_id)), old_child);
	tp_free(&tp);
	tc_expect_quiet(&hh, c, 30);

	snprintf(buf, sizeof(buf), "%u", ike_id);
	send_cmd(c, "rekey", (const char *const[]){ "ike-id", buf, NULL });
	tc_expect(&hh, c, VICI_CMD_RESPONSE, NULL, NULL);
	hn_pump(&h);
	tc_expect(&hh, c, VICI_EVENT, "ike-rekey", &tp);
	ck_assert_ptr_nonnull(vici_msg_find(tp.msg, "home.new.uniqueid"));
	ck_assert(vici_msg_get_str_buf(tp.msg, "home.old.uniqueid", buf, sizeof(buf)));
	ck_assert_uint_eq(strtoul(buf, NULL, 10), ike_id);
	tp_free(&tp);
	/* the old IKE SA goes after its Delete */
	tc_expect(&hh, c, VICI_EVENT, "ike-updown", &tp);
	ck_assert(!vici_msg_get_str_buf(tp.msg, "up", buf, sizeof(buf)));
	ck_assert(vici_msg_get_str_buf(tp.msg, "home.uniqueid", buf, sizeof(buf)));
	ck_assert_uint_eq(strtoul(buf, NULL, 10), ike_id);
	tp_free(&tp);
	tc_close(c);
	teardown(&h, &hh);
}
END_TEST

/* A waiting initiate (swanctl's way) streams control-log to its client
 * only, and log events reach the clients registered for log. */
START_TEST(initiate_waits_with_control_log)
{
	struct hn h;
	struct harness hh;
	struct tclient *c, *logger;
	struct tpacket tp;
	char buf[256];
	unsigned clog = 0, logs = 0;
	bool initiating = false;

	setup(&h, &hh);
	c = tc_connect(&hh);
	logger = tc_connect(&hh);
	tc_send(c, VICI_EVENT_REGISTER, "control-log", NULL);
	tc_expect(&hh, c, VICI_EVENT_CONFIRM, NULL, NULL);
	tc_send(logger, VICI_EVENT_REGISTER, "log", NULL);
	tc_expect(&hh, logger, VICI_EVENT_CONFIRM, NULL, NULL);
	send_cmd(c, "initiate", (const char *const[]){
		"child", "home", "timeout", "5000", "my-host", "192.0.2.1",
		"other-host", "192.0.2.100", NULL });
	h_pump(&hh);		/* the handler runs and goes pending */
	hn_pump(&h);		/* IKE_SA_INIT + IKE_AUTH */
	for (;;) {
		ck_assert(tc_recv(&hh, c, &tp));
		if (tp.pkt.op == VICI_CMD_RESPONSE)
			break;
		ck_assert_int_eq(tp.pkt.op, VICI_EVENT);
		ck_assert_str_eq(tp.pkt.name, "control-log");
		ck_assert(vici_msg_get_str_buf(tp.msg, "msg", buf, sizeof(buf)));
		initiating |= strstr(buf, "initiating 'home'") != NULL;
		ck_assert(vici_msg_get_str_buf(tp.msg, "group", buf, sizeof(buf)));
		ck_assert_str_eq(buf, "IKE");
		clog++;
		tp_free(&tp);
	}
	ck_assert(vici_msg_get_str_buf(tp.msg, "success", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "yes");
	tp_free(&tp);
	ck_assert(initiating);
	ck_assert_uint_ge(clog, 3);
	ck_assert_ptr_nonnull(hn_sa(&h.r)->children);
	while (tc_recv(&hh, logger, &tp)) {
		ck_assert_str_eq(tp.pkt.name, "log");
		ck_assert(vici_msg_get_str_buf(tp.msg, "level", buf, sizeof(buf)));
		ck_assert(strcmp(buf, "0") == 0 || strcmp(buf, "1") == 0);
		ck_assert(vici_msg_get_str_buf(tp.msg, "msg", buf, sizeof(buf)));
		/* the PSK never shows up */
		ck_assert_ptr_null(strstr(buf, "nhrp-test-psk"));
		logs++;
		tp_free(&tp);
		if (logs >= clog)
			break;
	}
	ck_assert_uint_ge(logs, clog);
	tc_close(logger);
	tc_close(c);
	teardown(&h, &hh);
}
END_TEST

static Suite *vici_nhrp_suite(void)
{
	Suite *s = suite_create("vici_nhrp");
	TCase *tc = tcase_create("nhrpd");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, nhrp_list_sas_and_child_delete);
	tcase_add_test(tc, nhrp_terminate_by_ike_id);
	tcase_add_test(tc, nhrp_initiate_my_host_other_host);
	tcase_add_test(tc, nhrp_malformed_frame_changes_nothing);
	tcase_add_test(tc, nhrp_cert_data);
	tcase_add_test(tc, nhrp_rekey_events);
	tcase_add_test(tc, initiate_waits_with_control_log);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(vici_nhrp_suite)
