/* HA SA state: export an established SA, import it as PASSIVE into another
 * core, activate it there and keep talking to the peer (ike/sa_export.h).
 * A = initiator (H.i), B = responder (H.r), C = B's replacement core. */
#include "check_main.h"
#include "ike_harness.h"

#include "ike/sa_export.h"
#include "lib/rd.h"
#include "lib/wbuf.h"

#define IKE_GCM "aes256gcm16-prfsha256-x25519"
#define ESP_GCM "aes256gcm16"

static struct hn H;

static void setup(const char *ike, const char *esp)
{
	hn_init(&H);
	hn_set_conf(&H.i, hn_conf("home", true, ike, esp));
	hn_set_conf(&H.r, hn_conf("rw", false, ike, esp));
	H.i.psk = H.r.psk = "k";
	ck_assert_uint_ne(hn_initiate(&H), 0);
	hn_pump(&H);
	ck_assert_int_eq(hn_sa(&H.i)->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(hn_sa(&H.r)->state, IKE_SA_ESTABLISHED);
}

static void export_ok(struct hn_peer *p, struct chunk *out)
{
	struct sa_err err = { "" };

	ck_assert_msg(sa_export(p->core, hn_sa(p)->unique_id, out, &err), "%s", err.reason);
	ck_assert_uint_gt(out->len, 100);
}

/* B dies without a word (kill -9); C takes its place with the same conf. */
static void replace_responder(const char *ike, const char *esp)
{
	struct hn_peer *r = &H.r;

	ike_core_free(r->core);
	r->installed = r->uninstalled = r->vip_leases = r->vip_releases = 0;
	r->sent = 0;
	memset(r->events, 0, sizeof(r->events));
	hn_peer_init(&H, r, "c", "192.0.2.1", 0xe0000001);
	hn_set_conf(r, hn_conf("rw", false, ike, esp));
	r->psk = "k";
}

static unsigned events_total(const struct hn_peer *p)
{
	unsigned n = 0;

	for (size_t i = 0; i < 8; i++)
		n += p->events[i];
	return n;
}

static uint32_t import_ok(struct hn_peer *p, const struct chunk *blob)
{
	struct sa_err err = { "" };
	uint32_t id = sa_import(p->core, blob->ptr, blob->len, &err);

	ck_assert_msg(id != 0, "import: %s", err.reason);
	return id;
}

START_TEST(takeover_answers_dpd_rekeys_and_initiates)
{
	struct chunk blob = { 0 };
	struct ike_sa *a, *c;
	struct sa_err err = { "" };
	uint64_t iv_seq;
	uint32_t id, mid_in, a_mid_in;

	setup(IKE_GCM, ESP_GCM);
	export_ok(&H.r, &blob);
	iv_seq = hn_sa(&H.r)->iv_seq;
	mid_in = hn_sa(&H.r)->mid_in;
	replace_responder(IKE_GCM, ESP_GCM);
	id = import_ok(&H.r, &blob);
	c = ike_core_find(H.r.core, id);
	ck_assert_int_eq(c->state, IKE_SA_PASSIVE);
	ck_assert_str_eq(ike_sa_state_name(c->state), "PASSIVE");
	/* passive: nothing installed, no event, the lease reserved here */
	ck_assert_uint_eq(H.r.installed, 0);
	ck_assert_uint_eq(events_total(&H.r), 0);
	ck_assert_uint_eq(H.r.vip_leases, 1);
	ck_assert(!ike_core_dpd(H.r.core, id));
	ck_assert(sa_activate(H.r.core, id, &err));
	ck_assert_int_eq(c->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(c->iv_seq, iv_seq + (1ull << 32));
	ck_assert_uint_eq(H.r.installed, 1);
	ck_assert_uint_ne(H.r.last_child.reqid, 0);	/* a local reqid */
	ck_assert_uint_eq(H.r.events[IKE_EV_SA_UP], 1);
	ck_assert_uint_eq(H.r.events[IKE_EV_CHILD_UP], 1);
	ck_assert(!sa_activate(H.r.core, id, &err));
	ck_assert_ptr_nonnull(strstr(err.reason, "not PASSIVE"));
	/* the CHILD SA handed to the datapath has the keys A uses */
	ck_assert(chunk_equal(&H.i.last_encr_ir, &H.r.last_encr_ir));

	/* A's DPD is answered by C */
	a = hn_sa(&H.i);
	ck_assert(ike_core_dpd(H.i.core, a->unique_id));
	hn_pump(&H);
	ck_assert(!a->req_in_flight);
	ck_assert_uint_eq(c->mid_in, mid_in + 1);
	ck_assert_uint_eq(H.r.sent, 1);
	/* C initiates: DPD towards A */
	a_mid_in = a->mid_in;
	ck_assert(ike_core_dpd(H.r.core, id));
	hn_pump(&H);
	ck_assert(!c->req_in_flight);
	ck_assert_uint_eq(a->mid_in, a_mid_in + 1);
	/* a CHILD rekey by C: KEYMAT from the imported SK_d matches A's */
	core_enter(H.r.core);
	ike_sa_queue_task(c, task_child_rekey_new(c, c->children->spi_in));
	core_leave(H.r.core);
	hn_pump(&H);
	ck_assert_uint_eq(H.r.installed, 2);
	ck_assert_uint_eq(H.i.installed, 2);
	ck_assert(chunk_equal(&H.i.last_encr_ir, &H.r.last_encr_ir));
	ck_assert_ptr_null(c->children->next);
	/* an IKE rekey by A: SKEYSEED from the imported SK_d */
	core_enter(H.i.core);
	ike_sa_queue_task(a, task_ike_rekey_new(a, true));
	core_leave(H.i.core);
	hn_pump(&H);
	ck_assert_uint_eq(ike_core_get_stats(H.i.core)->sas, 1);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->sas, 1);
	a = hn_sa(&H.i);
	c = hn_sa(&H.r);
	ck_assert_int_eq(a->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(c->state, IKE_SA_ESTABLISHED);
	ck_assert(a->spi_i == c->spi_i && a->spi_r == c->spi_r);
	/* a long quiet time later everything is still up, then A deletes */
	hn_advance(&H, 300000);
	ck_assert_ptr_eq(hn_sa(&H.i), a);
	ck_assert(ike_core_dpd(H.i.core, a->unique_id));
	hn_pump(&H);
	ck_assert(!a->req_in_flight);
	ck_assert(ike_core_terminate(H.i.core, a->unique_id));
	hn_pump(&H);
	ck_assert_ptr_null(hn_sa(&H.i));
	ck_assert_ptr_null(hn_sa(&H.r));
	ck_assert_uint_eq(H.r.vip_releases, 1);
	chunk_free(&blob);
	hn_free(&H);
}
END_TEST

static bool drop_to_initiator(struct hn *h, struct hn_pkt *p)
{
	return p->to != &h->i;
}

START_TEST(passive_is_silent_until_activated)
{
	struct chunk blob = { 0 };
	struct sa_err err = { "" };
	struct ike_sa *a;
	uint32_t id;

	setup(IKE_GCM, ESP_GCM);
	export_ok(&H.r, &blob);
	replace_responder(IKE_GCM, ESP_GCM);
	id = import_ok(&H.r, &blob);
	/* A's DPD reaches the passive copy: no answer, no state change */
	a = hn_sa(&H.i);
	ck_assert(ike_core_dpd(H.i.core, a->unique_id));
	hn_pump(&H);
	ck_assert(a->req_in_flight);
	ck_assert_uint_eq(H.r.sent, 0);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->drop_unexpected, 1);
	ck_assert_uint_eq(ike_core_find(H.r.core, id)->mid_in, 2);
	ck_assert_uint_eq(events_total(&H.r), 0);
	/* after activation, A's retransmission is answered */
	ck_assert(sa_activate(H.r.core, id, &err));
	hn_advance(&H, 4000);
	ck_assert(!a->req_in_flight);
	ck_assert_uint_eq(ike_core_find(H.r.core, id)->mid_in, 3);
	/* the answer to A's retransmit is cached: A's re-retransmission of the
	 * same request gets it again */
	ck_assert(ike_core_find(H.r.core, id)->has_last_resp);
	chunk_free(&blob);
	hn_free(&H);
}
END_TEST

START_TEST(activated_copy_answers_retransmit_of_last_request)
{
	struct chunk blob = { 0 };
	struct sa_err err = { "" };
	struct ike_sa *a;
	uint32_t id;

	setup(IKE_GCM, ESP_GCM);
	a = hn_sa(&H.i);
	/* B answers A's DPD, but the response is lost; then B dies */
	H.filter = drop_to_initiator;
	ck_assert(ike_core_dpd(H.i.core, a->unique_id));
	hn_pump(&H);
	H.filter = NULL;
	ck_assert(a->req_in_flight);
	ck_assert_uint_eq(hn_sa(&H.r)->mid_in, 3);
	export_ok(&H.r, &blob);	/* B's mid_in moved, its last response cached */
	replace_responder(IKE_GCM, ESP_GCM);
	id = import_ok(&H.r, &blob);
	ck_assert(sa_activate(H.r.core, id, &err));
	hn_advance(&H, 4000);	/* A retransmits; C resends B's response */
	ck_assert(!a->req_in_flight);
	ck_assert_uint_eq(ike_core_get_stats(H.r.core)->retransmit_answered, 1);
	ck_assert_uint_eq(ike_core_find(H.r.core, id)->mid_in, 3);
	chunk_free(&blob);
	hn_free(&H);
}
END_TEST

/* HA_SA_SEED_DIR=tests/fuzz/corpus/sa_import writes the fuzz seeds. */
static void write_seed(const struct chunk *b, const char *alg, const char *role)
{
	const char *dir = getenv("HA_SA_SEED_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s_%s", dir, role, alg);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b->ptr, 1, b->len, f), b->len);
	fclose(f);
}

/* export -> import -> export gives the same bytes, for both roles and both
 * kinds of SK transforms. */
START_TEST(round_trip_is_identical)
{
	static const struct { const char *ike, *esp; } algs[] = {
		{ IKE_GCM, ESP_GCM },
		{ "aes128-sha256-modp2048", "aes128-sha256" },
	};

	for (size_t k = 0; k < sizeof(algs) / sizeof(algs[0]); k++) {
		for (int role = 0; role < 2; role++) {
			struct hn_peer *src;
			struct hn_peer dst;
			struct chunk b1 = { 0 }, b2 = { 0 };
			struct sa_err err = { "" };
			uint32_t id;

			setup(algs[k].ike, algs[k].esp);
			src = role ? &H.i : &H.r;
			export_ok(src, &b1);
			write_seed(&b1, k ? "cbc" : "gcm", role ? "initiator" : "responder");
			memset(&dst, 0, sizeof(dst));
			hn_peer_init(&H, &dst, "d", "192.0.2.2", 0xf0000001);
			hn_set_conf(&dst, hn_conf(role ? "home" : "rw", role, algs[k].ike,
						  algs[k].esp));
			id = import_ok(&dst, &b1);
			ck_assert_int_eq(ike_core_find(dst.core, id)->initiator, role);
			ck_assert(sa_export(dst.core, id, &b2, &err));
			ck_assert_uint_eq(b1.len, b2.len);
			ck_assert(memcmp(b1.ptr, b2.ptr, b1.len) == 0);
			/* the same SA twice: refused, nothing added */
			ck_assert_uint_eq(sa_import(dst.core, b1.ptr, b1.len, &err), 0);
			ck_assert_ptr_nonnull(strstr(err.reason, "in use"));
			ck_assert_uint_eq(ike_core_get_stats(dst.core)->sas, 1);
			/* dropping the passive copy: SA_DOWN only, lease back */
			ck_assert(sa_passive_drop(dst.core, id, &err));
			ck_assert_uint_eq(ike_core_get_stats(dst.core)->sas, 0);
			ck_assert_uint_eq(dst.events[IKE_EV_SA_DOWN], 1);
			ck_assert_uint_eq(dst.events[IKE_EV_SA_UP], 0);
			ck_assert_uint_eq(dst.vip_releases, dst.vip_leases);
			ike_core_free(dst.core);
			chunk_free(&dst.last_encr_ir);
			chunk_free(&b1);
			chunk_free(&b2);
			hn_free(&H);
		}
	}
}
END_TEST

START_TEST(export_refuses_unknown_and_unestablished)
{
	struct chunk b = { 0 };
	struct sa_err err = { "" };
	struct ike_sa *i;

	hn_init(&H);
	hn_set_conf(&H.i, hn_conf("home", true, IKE_GCM, ESP_GCM));
	hn_set_conf(&H.r, hn_conf("rw", false, IKE_GCM, ESP_GCM));
	H.i.psk = H.r.psk = "k";
	ck_assert(!sa_export(H.i.core, 42, &b, &err));
	ck_assert_ptr_nonnull(strstr(err.reason, "no IKE SA"));
	hn_initiate(&H);	/* IKE_SA_INIT in flight */
	i = hn_sa(&H.i);
	ck_assert(!sa_export(H.i.core, i->unique_id, &b, &err));
	ck_assert_ptr_nonnull(strstr(err.reason, "CONNECTING"));
	ck_assert_ptr_null(b.ptr);
	ck_assert(!sa_activate(H.i.core, i->unique_id, &err));
	ck_assert(!sa_passive_drop(H.i.core, i->unique_id, &err));
	hn_free(&H);
}
END_TEST

/* --- malformed blobs ----------------------------------------------------- */

/* Rebuild a blob TLV by TLV: drop type 'drop', replace the value of type
 * 'repl' (first occurrence), append (add_type, add) at the end. */
struct edit {
	const char *name;
	uint16_t drop, repl;
	const char *repl_hex;
	uint16_t add_type;
	const char *add_hex;
	uint32_t add_len_lie;	/* > 0: declare this length, write add_hex */
	uint16_t version;	/* != 0: header version */
	uint32_t magic;		/* != 0: header magic */
	const char *want;	/* substring of the reason; NULL: accepted */
};

static void rebuild(const struct chunk *in, const struct edit *e, struct chunk *out)
{
	struct rd r = rd_init(in->ptr, in->len);
	struct wbuf w;
	uint32_t magic;
	uint16_t ver, flags;
	bool replaced = false;
	uint8_t val[512];
	size_t n;

	wbuf_init(&w);
	ck_assert(rd_u32(&r, &magic) && rd_u16(&r, &ver) && rd_u16(&r, &flags));
	wbuf_u32(&w, e->magic ? e->magic : magic);
	wbuf_u16(&w, e->version ? e->version : ver);
	wbuf_u16(&w, flags);
	while (r.left) {
		uint16_t t;
		uint32_t len;
		const uint8_t *p;

		ck_assert(rd_u16(&r, &t) && rd_u32(&r, &len) && rd_ptr(&r, len, &p));
		if (t == e->drop)
			continue;
		if (t == e->repl && !replaced) {
			n = test_unhex(e->repl_hex, val, sizeof(val));
			wbuf_u16(&w, t);
			wbuf_u32(&w, (uint32_t)n);
			wbuf_bytes(&w, val, n);
			replaced = true;
			continue;
		}
		wbuf_u16(&w, t);
		wbuf_u32(&w, len);
		wbuf_bytes(&w, p, len);
	}
	if (e->add_type) {
		n = test_unhex(e->add_hex, val, sizeof(val));
		wbuf_u16(&w, e->add_type);
		wbuf_u32(&w, e->add_len_lie ? e->add_len_lie : (uint32_t)n);
		wbuf_bytes(&w, val, n);
	}
	ck_assert(wbuf_ok(&w));
	out->ptr = wbuf_steal(&w, &out->len);
}

static const struct edit edits[] = {
	{ .name = "as exported", .want = NULL },
	{ .name = "unknown TLV skipped", .add_type = 999, .add_hex = "010203", .want = NULL },
	{ .name = "version 2", .version = 2, .want = "version 2 not supported" },
	{ .name = "bad magic", .magic = 0x12345678, .want = "not an SA state blob" },
	{ .name = "length beyond the end", .add_type = 999, .add_hex = "01",
	  .add_len_lie = 1000, .want = "exceeds" },
	{ .name = "duplicate SPI", .add_type = SA_T_SPI_I, .add_hex = "0102030405060708",
	  .want = "duplicate" },
	{ .name = "missing SK_d", .drop = SA_T_SK_D, .want = "TLV 12 missing" },
	{ .name = "missing message IDs", .drop = SA_T_MID_IN, .want = "TLV 25 missing" },
	{ .name = "SK_ei too short", .repl = SA_T_SK_EI, .repl_hex = "0102030405",
	  .want = "do not fit" },
	{ .name = "state REKEYED", .repl = SA_T_STATE, .repl_hex = "02",
	  .want = "only ESTABLISHED" },
	{ .name = "role 7", .repl = SA_T_ROLE, .repl_hex = "07", .want = "role 7" },
	{ .name = "SPI 0", .repl = SA_T_SPI_R, .repl_hex = "0000000000000000",
	  .want = "SPI is 0" },
	{ .name = "address family 9", .repl = SA_T_LOCAL, .repl_hex = "09c00002010101",
	  .want = "family 9" },
	{ .name = "endpoint with trailing bytes", .repl = SA_T_REMOTE,
	  .repl_hex = "04c0000264f401f4ff", .want = "expected" },
	{ .name = "short nonce", .repl = SA_T_NI, .repl_hex = "01020304",
	  .want = "Ni: length 4" },
	{ .name = "unknown connection", .repl = SA_T_CONF, .repl_hex = "7878",
	  .want = "no connection 'xx'" },
	{ .name = "connection name not printable", .repl = SA_T_CONF, .repl_hex = "0a",
	  .want = "not printable" },
	{ .name = "unsupported PRF", .repl = SA_T_KEYS_ALG, .repl_hex = "00ff0014010000 00",
	  .want = "PRF 255" },
	{ .name = "4-byte IV counter", .repl = SA_T_IV_SEQ, .repl_hex = "00000001",
	  .want = "IV counter" },
	{ .name = "CHILD garbage", .repl = SA_T_CHILD, .repl_hex = "0001ffffffff",
	  .want = "exceeds" },
	{ .name = "CHILD without keys", .repl = SA_T_CHILD,
	  .repl_hex = "000100000004 00000001", .want = "CHILD SA: TLV 2 missing" },
	{ .name = "CHILD with SPI 0", .repl = SA_T_CHILD,
	  .repl_hex = "000600000004 00000000", .want = "CHILD SPI is 0" },
	{ .name = "CHILD unknown child name", .repl = SA_T_CHILD, .want = NULL },
};

/* A valid CHILD TLV with another name: built from the exported one. */
static void patch_child_name(struct chunk *blob, const char *from, const char *to)
{
	for (size_t i = 0; i + strlen(from) <= blob->len; i++)
		if (memcmp(blob->ptr + i, from, strlen(from)) == 0 && i >= 6 &&
		    blob->ptr[i - 6] == 0 && blob->ptr[i - 5] == SA_C_NAME) {
			memcpy(blob->ptr + i, to, strlen(to));
			return;
		}
	ck_abort_msg("child name not found");
}

START_TEST(malformed_blobs_refused_core_unchanged)
{
	struct chunk blob = { 0 };
	struct hn_peer dst;

	setup(IKE_GCM, ESP_GCM);
	export_ok(&H.r, &blob);
	memset(&dst, 0, sizeof(dst));
	hn_peer_init(&H, &dst, "d", "192.0.2.2", 0xf0000001);
	hn_set_conf(&dst, hn_conf("rw", false, IKE_GCM, ESP_GCM));
	for (size_t k = 0; k < sizeof(edits) / sizeof(edits[0]); k++) {
		const struct edit *e = &edits[k];
		struct chunk b = { 0 };
		struct sa_err err = { "" };
		uint32_t id;

		if (e->repl == SA_T_CHILD && !e->repl_hex) {
			chunk_dup(&b, blob.ptr, blob.len);
			patch_child_name(&b, "home", "away");
		} else {
			rebuild(&blob, e, &b);
		}
		id = sa_import(dst.core, b.ptr, b.len, &err);
		if (e->want || (e->repl == SA_T_CHILD && !e->repl_hex)) {
			const char *want = e->want ? e->want : "has no child 'away'";

			ck_assert_msg(id == 0, "%s: accepted", e->name);
			ck_assert_msg(strstr(err.reason, want), "%s: reason '%s', want '%s'",
				      e->name, err.reason, want);
			ck_assert_uint_eq(ike_core_get_stats(dst.core)->sas, 0);
			ck_assert_ptr_null(hn_sa(&dst));
			ck_assert_uint_eq(events_total(&dst), 0);
			ck_assert_uint_eq(dst.vip_leases, 0);
		} else {
			ck_assert_msg(id != 0, "%s: %s", e->name, err.reason);
			ck_assert(sa_passive_drop(dst.core, id, &err));
			memset(dst.events, 0, sizeof(dst.events));
			dst.vip_leases = dst.vip_releases = 0;
		}
		chunk_free(&b);
	}
	ike_core_free(dst.core);
	chunk_free(&dst.last_encr_ir);
	chunk_free(&blob);
	hn_free(&H);
}
END_TEST

/* Every prefix is refused, except the one that ends where the CHILD SAs
 * start (a valid SA without CHILD SAs). */
START_TEST(truncated_blobs_refused)
{
	struct chunk blob = { 0 };
	struct hn_peer dst;
	struct rd r;
	size_t child_off = 0;

	setup(IKE_GCM, ESP_GCM);
	export_ok(&H.r, &blob);
	r = rd_init(blob.ptr + 8, blob.len - 8);
	while (r.left && !child_off) {
		uint16_t t;
		uint32_t len;

		ck_assert(rd_u16(&r, &t) && rd_u32(&r, &len));
		if (t == SA_T_CHILD)
			child_off = blob.len - r.left - 6;
		ck_assert(rd_skip(&r, len));
	}
	ck_assert_uint_gt(child_off, 0);
	memset(&dst, 0, sizeof(dst));
	hn_peer_init(&H, &dst, "d", "192.0.2.2", 0xf0000001);
	hn_set_conf(&dst, hn_conf("rw", false, IKE_GCM, ESP_GCM));
	for (size_t n = 0; n < blob.len; n++) {
		struct sa_err err = { "" };
		uint32_t id = sa_import(dst.core, blob.ptr, n, &err);

		if (n == child_off) {
			ck_assert_msg(id != 0, "%s", err.reason);
			ck_assert_ptr_null(ike_core_find(dst.core, id)->children);
			ck_assert(sa_passive_drop(dst.core, id, &err));
			continue;
		}
		ck_assert_msg(id == 0, "prefix %zu accepted", n);
		ck_assert_msg(err.reason[0], "prefix %zu: no reason", n);
	}
	ck_assert_uint_eq(ike_core_get_stats(dst.core)->sas, 0);
	ike_core_free(dst.core);
	chunk_free(&dst.last_encr_ir);
	chunk_free(&blob);
	hn_free(&H);
}
END_TEST

static Suite *ha_sa_suite(void)
{
	Suite *s = suite_create("ha_sa");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, takeover_answers_dpd_rekeys_and_initiates);
	tcase_add_test(tc, passive_is_silent_until_activated);
	tcase_add_test(tc, activated_copy_answers_retransmit_of_last_request);
	tcase_add_test(tc, round_trip_is_identical);
	tcase_add_test(tc, export_refuses_unknown_and_unestablished);
	tcase_add_test(tc, malformed_blobs_refused_core_unchanged);
	tcase_add_test(tc, truncated_blobs_refused);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ha_sa_suite)
