/* IKEv2 codec: a hand-assembled IKE_SA_INIT request (RFC 7296 layout),
 * round trips of every payload type, the SK/SKF helpers, accessors and
 * names. */
#include "check_main.h"
#include "ike/msg.h"
#include "ike/names.h"

/* IKE_SA_INIT request as a strongSwan initiator sends it, assembled by hand
 * from the RFC 7296 section 3 layouts: 2 IKE proposals, KE (Curve25519),
 * Ni, NAT-D source/destination, FRAGMENTATION_SUPPORTED,
 * SIGNATURE_HASH_ALGORITHMS and a Vendor ID. 288 bytes. */
static const char sa_init_hex[] =
	/* header: SPIi, SPIr, next SA, 2.0, IKE_SA_INIT, I, msgid 0, len */
	"5f36a88b1c0e7d92 0000000000000000 21 20 22 08 00000000 00000120"
	/* SA: next KE, len 84 */
	"22 00 0054"
	/* proposal 1 (more), len 44, #1 IKE, no SPI, 4 transforms */
	"02 00 002c 01 01 00 04"
	"03 00 000c 01 00 000c 800e 0100"	/* ENCR AES_CBC 256 */
	"03 00 0008 03 00 000c"			/* INTEG SHA2_256_128 */
	"03 00 0008 02 00 0005"			/* PRF SHA2_256 */
	"00 00 0008 04 00 001f"			/* KE Curve25519 */
	/* proposal 2 (last), len 36, #2 IKE, 3 transforms */
	"00 00 0024 02 01 00 03"
	"03 00 000c 01 00 0014 800e 0100"	/* ENCR AES_GCM_16 256 */
	"03 00 0008 02 00 0005"
	"00 00 0008 04 00 001f"
	/* KE: next Ni, len 40, group 31 */
	"28 00 0028 001f 0000"
	"a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0"
	/* Ni: next N, len 36 */
	"29 00 0024"
	"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
	/* N(NAT_DETECTION_SOURCE_IP), len 28 */
	"29 00 001c 00 00 4004 c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3"
	/* N(NAT_DETECTION_DESTINATION_IP) */
	"29 00 001c 00 00 4005 e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3"
	/* N(IKEV2_FRAGMENTATION_SUPPORTED), len 8 */
	"29 00 0008 00 00 402e"
	/* N(SIGNATURE_HASH_ALGORITHMS) SHA2-256/384/512, identity; next V */
	"2b 00 0010 00 00 402f 0002 0003 0004 0005"
	/* V: strongSwan's vendor ID, last */
	"00 00 0014 882fe56d6fd20dbc2251613b2ebe5beb";

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	return test_unhex(hex, out, max);
}

static struct ike_msg *msg_new(void)
{
	struct ike_msg *m = malloc(sizeof(*m));

	ck_assert_ptr_nonnull(m);
	ike_msg_init(m);
	return m;
}

static void msg_del(struct ike_msg *m)
{
	ike_msg_free(m);
	free(m);
}

START_TEST(sa_init_vector_parses)
{
	uint8_t buf[512];
	size_t len = unhex(sa_init_hex, buf, sizeof(buf));
	struct ike_msg *m = msg_new();
	struct ike_err err;
	const struct ike_payload *p;
	const struct ike_proposal *pr;
	char sum[256];

	ck_assert_uint_eq(len, 288);
	ck_assert_int_eq(ike_msg_parse(m, buf, len, &err), IKE_OK);
	ck_assert(m->hdr.spi_i == 0x5f36a88b1c0e7d92ULL);
	ck_assert(m->hdr.spi_r == 0);
	ck_assert_uint_eq(m->hdr.exchange, IKE_SA_INIT);
	ck_assert(ike_msg_is_initiator(m) && !ike_msg_is_response(m));
	ck_assert_uint_eq(m->hdr.msg_id, 0);
	ck_assert_uint_eq(m->hdr.length, 288);
	ck_assert_uint_eq(m->npl, 8);

	p = ike_msg_find(m, PL_SA);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->offset, IKE_HDR_LEN);
	ck_assert_uint_eq(p->sa.nproposals, 2);
	pr = &p->sa.proposals[0];
	ck_assert_uint_eq(pr->num, 1);
	ck_assert_uint_eq(pr->protocol, PROTO_IKE);
	ck_assert_uint_eq(pr->spi.len, 0);
	ck_assert_uint_eq(pr->ntransforms, 4);
	ck_assert_uint_eq(pr->transforms[0].type, TRANS_ENCR);
	ck_assert_uint_eq(pr->transforms[0].id, ENCR_AES_CBC);
	ck_assert_uint_eq(pr->transforms[0].key_length, 256);
	ck_assert(!pr->transforms[0].unknown_attrs);
	ck_assert_uint_eq(pr->transforms[1].id, AUTH_HMAC_SHA2_256_128);
	ck_assert_uint_eq(pr->transforms[2].type, TRANS_PRF);
	ck_assert_uint_eq(pr->transforms[3].id, KE_CURVE25519);
	ck_assert_uint_eq(pr->transforms[3].key_length, 0);
	pr = &p->sa.proposals[1];
	ck_assert_uint_eq(pr->num, 2);
	ck_assert_uint_eq(pr->transforms[0].id, ENCR_AES_GCM_16);

	p = ike_msg_find(m, PL_KE);
	ck_assert_uint_eq(p->ke.group, KE_CURVE25519);
	ck_assert_uint_eq(p->ke.data.len, 32);
	ck_assert_uint_eq(p->ke.data.ptr[0], 0xa1);
	ck_assert(p->ke.data.ptr == buf + 112 + 8);	/* zero copy */
	p = ike_msg_find(m, PL_NONCE);
	ck_assert_uint_eq(p->data.data.len, 32);
	p = ike_msg_find_notify(m, N_NAT_DETECTION_DESTINATION_IP);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->notify.data.len, 20);
	ck_assert_uint_eq(p->notify.data.ptr[0], 0xe0);
	ck_assert_ptr_nonnull(ike_msg_find_notify(m, N_IKEV2_FRAGMENTATION_SUPPORTED));
	ck_assert_ptr_null(ike_msg_find_notify(m, N_COOKIE));
	ck_assert_uint_eq(ike_msg_count(m, PL_NOTIFY), 4);
	ck_assert_uint_eq(ike_msg_count(m, PL_NONE), 8);
	p = ike_msg_find(m, PL_VENDOR);
	ck_assert_uint_eq(p->data.data.len, 16);
	ck_assert_ptr_null(ike_msg_find_encrypted(m));

	ike_msg_summary(m, sum, sizeof(sum));
	ck_assert_str_eq(sum, "IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) "
		"N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) V ]");
	msg_del(m);
}
END_TEST

/* Build the same message from structs: the writer must produce the bytes
 * of the hand-assembled vector, and the parsed vector must write back
 * unchanged. */
START_TEST(sa_init_vector_built_and_rewritten)
{
	uint8_t vec[512], ke[32], ni[32], nats[20], natd[20];
	static const uint8_t hashes[] = { 0, 2, 0, 3, 0, 4, 0, 5 };
	static const uint8_t vid[] = { 0x88, 0x2f, 0xe5, 0x6d, 0x6f, 0xd2, 0x0d,
		0xbc, 0x22, 0x51, 0x61, 0x3b, 0x2e, 0xbe, 0x5b, 0xeb };
	const struct ike_transform t1[] = {
		{ .type = TRANS_ENCR, .id = ENCR_AES_CBC, .key_length = 256 },
		{ .type = TRANS_INTEG, .id = AUTH_HMAC_SHA2_256_128 },
		{ .type = TRANS_PRF, .id = PRF_HMAC_SHA2_256 },
		{ .type = TRANS_KE, .id = KE_CURVE25519 },
	};
	const struct ike_transform t2[] = {
		{ .type = TRANS_ENCR, .id = ENCR_AES_GCM_16, .key_length = 256 },
		{ .type = TRANS_PRF, .id = PRF_HMAC_SHA2_256 },
		{ .type = TRANS_KE, .id = KE_CURVE25519 },
	};
	const struct ike_proposal props[] = {
		{ .num = 1, .protocol = PROTO_IKE, .transforms = t1, .ntransforms = 4 },
		{ .num = 2, .protocol = PROTO_IKE, .transforms = t2, .ntransforms = 3 },
	};
	struct ike_msg *m = msg_new(), *m2 = msg_new();
	struct ike_payload *p;
	struct ike_err err;
	struct wbuf w, w2;
	size_t len = unhex(sa_init_hex, vec, sizeof(vec)), i;

	for (i = 0; i < 32; i++) {
		ke[i] = (uint8_t)(0xa1 + i);
		ni[i] = (uint8_t)(1 + i);
	}
	for (i = 0; i < 20; i++) {
		nats[i] = (uint8_t)(0xc0 + i);
		natd[i] = (uint8_t)(0xe0 + i);
	}
	m->hdr = (struct ike_header){ .spi_i = 0x5f36a88b1c0e7d92ULL,
		.exchange = IKE_SA_INIT, .flags = IKE_FLAG_INITIATOR };
	p = ike_msg_add(m, PL_SA);
	p->sa.proposals = props;
	p->sa.nproposals = 2;
	p = ike_msg_add(m, PL_KE);
	p->ke.group = KE_CURVE25519;
	p->ke.data = (struct ike_bytes){ ke, sizeof(ke) };
	ck_assert_ptr_nonnull(ike_msg_add_data(m, PL_NONCE, ni, sizeof(ni)));
	ike_msg_add_notify(m, 0, N_NAT_DETECTION_SOURCE_IP, NULL, 0, nats, 20);
	ike_msg_add_notify(m, 0, N_NAT_DETECTION_DESTINATION_IP, NULL, 0, natd, 20);
	ike_msg_add_notify(m, 0, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0, NULL, 0);
	ike_msg_add_notify(m, 0, N_SIGNATURE_HASH_ALGORITHMS, NULL, 0, hashes,
			   sizeof(hashes));
	ck_assert_ptr_nonnull(ike_msg_add_data(m, PL_VENDOR, vid, sizeof(vid)));

	wbuf_init(&w);
	ck_assert_int_eq(ike_msg_write(m, &w, &err), IKE_OK);
	ck_assert_uint_eq(w.len, len);
	ck_assert_mem_eq(w.p, vec, len);

	ck_assert_int_eq(ike_msg_parse(m2, vec, len, &err), IKE_OK);
	wbuf_init(&w2);
	ck_assert_int_eq(ike_msg_write(m2, &w2, &err), IKE_OK);
	ck_assert_uint_eq(w2.len, len);
	ck_assert_mem_eq(w2.p, vec, len);
	for (i = 0; i < m->npl; i++)
		ck_assert_msg(ike_payload_equal(&m->pl[i], &m2->pl[i]),
			      "payload %zu differs", i);
	wbuf_free(&w);
	wbuf_free(&w2);
	msg_del(m);
	msg_del(m2);
}
END_TEST

/* ---- round trip of every payload type ----------------------------------- */

static const uint8_t blob[300] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	13, 14, 15, 16, 17, 18, 19, 20, 0xfe, 0xff };
static const uint8_t eap_id[] = { 2, 7, 0, 10, 1, 'c', 'a', 'r', 'o', 'l' };
static const uint8_t spis8[] = { 0xc1, 0x00, 0x00, 0x01, 0xc2, 0x00, 0x00, 0x02,
	0xde, 0xad, 0xbe, 0xef };
static const uint8_t ikespi8[] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static const struct ike_attr attrs_kl_unknown[] = {
	{ .type = TRANS_ATTR_KEY_LENGTH, .tv = true, .value = 128 },
	{ .type = 99, .tv = false, .data = { blob, 5 } },
	{ .type = 100, .tv = true, .value = 7 },
	{ .type = 101, .tv = false, .data = { NULL, 0 } },
};
static const struct ike_transform esp_t[] = {
	{ .type = TRANS_ENCR, .id = ENCR_AES_CBC, .attrs = attrs_kl_unknown,
	  .nattrs = 4 },
	{ .type = TRANS_INTEG, .id = AUTH_HMAC_SHA2_256_128 },
	{ .type = TRANS_ESN, .id = ESN_NO },
	{ .type = TRANS_ESN, .id = ESN_YES },
};
static const struct ike_transform ike_t[] = {
	{ .type = TRANS_ENCR, .id = ENCR_CHACHA20_POLY1305 },
	{ .type = TRANS_PRF, .id = PRF_HMAC_SHA2_512 },
	{ .type = TRANS_KE, .id = KE_MODP_3072 },
};
static const struct ike_proposal sa_props[] = {
	{ .num = 1, .protocol = PROTO_ESP, .spi = { blob, 4 }, .transforms = esp_t,
	  .ntransforms = 4 },
	{ .num = 2, .protocol = PROTO_IKE, .spi = { ikespi8, 8 }, .transforms = ike_t,
	  .ntransforms = 3 },
	{ .num = 3, .protocol = PROTO_AH, .spi = { blob + 4, 4 },
	  .transforms = esp_t + 1, .ntransforms = 1 },
};
static const struct ike_ts ts_list[] = {
	{ .type = TS_IPV4_ADDR_RANGE, .ip_proto = 0, .start_port = 0,
	  .end_port = 65535, .start = { 10, 1, 0, 0 }, .end = { 10, 1, 255, 255 } },
	{ .type = TS_IPV6_ADDR_RANGE, .ip_proto = 6, .start_port = 443,
	  .end_port = 443, .start = { 0x20, 0x01, 0x0d, 0xb8 },
	  .end = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0xff } },
	{ .type = 10, .ip_proto = 0, .raw = { blob, 12 } },	/* TS_SECLABEL */
	{ .type = TS_IPV4_ADDR_RANGE, .ip_proto = 17, .start_port = 500,
	  .end_port = 4500, .start = { 192, 0, 2, 1 }, .end = { 192, 0, 2, 1 } },
};
static const struct ike_cp_attr cp_attrs[] = {
	{ .type = INTERNAL_IP4_ADDRESS },
	{ .type = INTERNAL_IP4_DNS },
	{ .type = INTERNAL_IP6_ADDRESS, .value = { blob, 17 } },
	{ .type = APPLICATION_VERSION, .value = { (const uint8_t *)"cygnet", 6 } },
	{ .type = 0x7fff, .value = { blob, 3 } },
};

static void fill(struct ike_payload *p, uint8_t type, int variant)
{
	switch (type) {
	case PL_SA:
		p->sa.proposals = sa_props;
		p->sa.nproposals = variant ? 1 : 3;
		break;
	case PL_KE:
		p->ke.group = variant ? KE_ECP_384 : KE_MODP_2048;
		p->ke.data = (struct ike_bytes){ blob, variant ? 96 : 256 };
		break;
	case PL_IDI:
	case PL_IDR:
		p->id.type = variant ? ID_IPV4_ADDR : ID_FQDN;
		p->id.data = variant ? (struct ike_bytes){ blob, 4 }
				     : (struct ike_bytes){ (const uint8_t *)"vpn.example.org", 15 };
		break;
	case PL_CERT:
	case PL_CERTREQ:
		p->cert.encoding = CERT_X509_SIGNATURE;
		p->cert.data = (struct ike_bytes){ blob, variant ? 0 : 200 };
		break;
	case PL_AUTH:
		p->auth.method = variant ? AUTH_DIGITAL_SIGNATURE : AUTH_SHARED_KEY_MIC;
		p->auth.data = (struct ike_bytes){ blob, 32 };
		break;
	case PL_NONCE:
		p->data.data = (struct ike_bytes){ blob, variant ? 256 : 16 };
		break;
	case PL_NOTIFY:
		p->notify.protocol = variant ? PROTO_ESP : 0;
		p->notify.type = variant ? N_REKEY_SA : N_COOKIE;
		p->notify.spi = (struct ike_bytes){ blob, variant ? 4 : 0 };
		p->notify.data = (struct ike_bytes){ blob, variant ? 0 : 64 };
		break;
	case PL_DELETE:
		p->del.protocol = variant ? PROTO_IKE : PROTO_ESP;
		p->del.spi_size = variant ? 0 : 4;
		p->del.nspis = variant ? 0 : 3;
		p->del.spis = (struct ike_bytes){ spis8, variant ? 0 : 12 };
		break;
	case PL_VENDOR:
	case PL_GSPM:
		p->data.data = (struct ike_bytes){ blob, variant ? 0 : 20 };
		break;
	case PL_TSI:
	case PL_TSR:
		p->ts.ts = ts_list;
		p->ts.nts = variant ? 0 : 4;
		break;
	case PL_CP:
		p->cp.cfg_type = variant ? CFG_REPLY : CFG_REQUEST;
		p->cp.attrs = cp_attrs;
		p->cp.nattrs = variant ? 0 : 5;
		break;
	case PL_EAP:
		p->data.data = (struct ike_bytes){ eap_id, sizeof(eap_id) };
		break;
	case PL_SK:
		p->sk.inner_next = variant ? PL_NONE : PL_IDI;
		p->sk.body = (struct ike_bytes){ blob, 48 };
		break;
	case PL_SKF:
		p->skf.frag_num = variant ? 2 : 1;
		p->skf.total = 3;
		p->skf.inner_next = variant ? PL_NONE : PL_IDI;
		p->skf.body = (struct ike_bytes){ blob, 40 };
		break;
	}
}

static const uint8_t all_types[] = { PL_SA, PL_KE, PL_IDI, PL_IDR, PL_CERT,
	PL_CERTREQ, PL_AUTH, PL_NONCE, PL_NOTIFY, PL_DELETE, PL_VENDOR, PL_TSI,
	PL_TSR, PL_SK, PL_CP, PL_EAP, PL_GSPM, PL_SKF };

/* For each type and variant: struct -> bytes -> struct compares equal,
 * and bytes -> struct -> bytes is identical. */
START_TEST(every_payload_round_trips)
{
	int variant;
	size_t i;

	for (variant = 0; variant < 2; variant++)
	for (i = 0; i < sizeof(all_types); i++) {
		const uint8_t type = all_types[i];
		struct ike_msg *m = msg_new(), *m2 = msg_new();
		struct ike_payload *p;
		struct ike_err err;
		struct wbuf w, w2;

		/* a request: proposal numbers 1, 2, 3 */
		m->hdr = (struct ike_header){ .spi_i = 1, .spi_r = 2,
			.exchange = INFORMATIONAL, .flags = IKE_FLAG_INITIATOR,
			.msg_id = 7 };
		if (type != PL_SK && type != PL_SKF)
			ike_msg_add_notify(m, 0, N_INITIAL_CONTACT, NULL, 0, NULL, 0);
		p = ike_msg_add(m, type);
		p->critical = variant;
		fill(p, type, variant);
		wbuf_init(&w);
		ck_assert_msg(ike_msg_write(m, &w, &err) == IKE_OK, "%s v%d: %s",
			      ike_payload_short_name(type), variant, err.reason);
		ck_assert_msg(ike_msg_parse(m2, w.p, w.len, &err) == IKE_OK,
			      "%s v%d: %s", ike_payload_short_name(type), variant,
			      err.reason);
		ck_assert_uint_eq(m2->npl, m->npl);
		ck_assert(m2->hdr.msg_id == 7 && m2->hdr.spi_r == 2);
		ck_assert_msg(ike_payload_equal(&m->pl[m->npl - 1], &m2->pl[m2->npl - 1]),
			      "%s v%d differs after round trip",
			      ike_payload_short_name(type), variant);
		wbuf_init(&w2);
		ck_assert_int_eq(ike_msg_write(m2, &w2, &err), IKE_OK);
		ck_assert_uint_eq(w2.len, w.len);
		ck_assert_mem_eq(w2.p, w.p, w.len);
		wbuf_free(&w);
		wbuf_free(&w2);
		msg_del(m);
		msg_del(m2);
	}
}
END_TEST

/* The comparison the round trip relies on must see differences. */
START_TEST(payload_equal_sees_differences)
{
	struct ike_payload a, b;
	struct ike_ts ts2[4];
	struct ike_transform t2[4];
	struct ike_proposal p2[3];
	size_t i;

	for (i = 0; i < sizeof(all_types); i++) {
		memset(&a, 0, sizeof(a));
		a.type = all_types[i];
		fill(&a, a.type, 0);
		b = a;
		ck_assert(ike_payload_equal(&a, &b));
		b.critical = true;
		ck_assert(!ike_payload_equal(&a, &b));
		b = a;
		b.type = (uint8_t)(a.type == PL_SA ? PL_KE : PL_SA);
		ck_assert(!ike_payload_equal(&a, &b));
	}
	memset(&a, 0, sizeof(a));
	a.type = PL_TSI;
	fill(&a, PL_TSI, 0);
	b = a;
	memcpy(ts2, ts_list, sizeof(ts2));
	ts2[1].end[15] = 0xfe;
	b.ts.ts = ts2;
	ck_assert(!ike_payload_equal(&a, &b));

	memset(&a, 0, sizeof(a));
	a.type = PL_SA;
	fill(&a, PL_SA, 0);
	b = a;
	memcpy(p2, sa_props, sizeof(p2));
	memcpy(t2, ike_t, sizeof(ike_t));
	t2[2].id = KE_MODP_4096;
	p2[1].transforms = t2;
	b.sa.proposals = p2;
	ck_assert(!ike_payload_equal(&a, &b));
	/* key_length written as an attribute equals the attribute itself */
	t2[2].id = KE_MODP_3072;
	ck_assert(ike_payload_equal(&a, &b));
	t2[0].key_length = 256;
	ck_assert(!ike_payload_equal(&a, &b));
}
END_TEST

START_TEST(parsed_fields_match_what_was_built)
{
	struct ike_msg *m = msg_new(), *m2 = msg_new();
	const struct ike_payload *p;
	const struct ike_transform *t;
	struct ike_payload *b;
	struct ike_err err;
	struct wbuf w;
	uint8_t t_ipv6_end[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0xff };

	m->hdr = (struct ike_header){ .exchange = CREATE_CHILD_SA };
	fill(ike_msg_add(m, PL_SA), PL_SA, 0);
	fill(ike_msg_add(m, PL_TSR), PL_TSR, 0);
	fill(ike_msg_add(m, PL_CP), PL_CP, 0);
	fill(ike_msg_add(m, PL_DELETE), PL_DELETE, 0);
	b = ike_msg_add(m, PL_EAP);
	fill(b, PL_EAP, 0);
	wbuf_init(&w);
	ck_assert_int_eq(ike_msg_write(m, &w, &err), IKE_OK);
	ck_assert_int_eq(ike_msg_parse(m2, w.p, w.len, &err), IKE_OK);

	p = ike_msg_find(m2, PL_SA);
	ck_assert_uint_eq(p->sa.nproposals, 3);
	ck_assert_uint_eq(p->sa.proposals[0].protocol, PROTO_ESP);
	ck_assert_uint_eq(p->sa.proposals[0].spi.len, 4);
	ck_assert_uint_eq(p->sa.proposals[1].spi.len, 8);
	ck_assert_mem_eq(p->sa.proposals[1].spi.ptr, ikespi8, 8);
	t = &p->sa.proposals[0].transforms[0];
	ck_assert_uint_eq(t->key_length, 128);
	ck_assert_uint_eq(t->nattrs, 4);
	ck_assert(t->unknown_attrs);
	ck_assert_uint_eq(t->attrs[1].type, 99);
	ck_assert(!t->attrs[1].tv);
	ck_assert_uint_eq(t->attrs[1].data.len, 5);
	ck_assert_uint_eq(t->attrs[2].value, 7);
	ck_assert_uint_eq(p->sa.proposals[0].transforms[3].id, ESN_YES);
	ck_assert(!p->sa.proposals[1].transforms[0].unknown_attrs);

	p = ike_msg_find(m2, PL_TSR);
	ck_assert_uint_eq(p->ts.nts, 4);
	ck_assert_uint_eq(p->ts.ts[1].ip_proto, 6);
	ck_assert_uint_eq(p->ts.ts[1].start_port, 443);
	ck_assert_mem_eq(p->ts.ts[1].end, t_ipv6_end, 16);
	ck_assert_uint_eq(p->ts.ts[2].type, 10);
	ck_assert_uint_eq(p->ts.ts[2].raw.len, 12);
	ck_assert_uint_eq(p->ts.ts[3].end_port, 4500);
	ck_assert(!ike_ts_is_empty(&p->ts.ts[0]));

	p = ike_msg_find(m2, PL_CP);
	ck_assert_uint_eq(p->cp.cfg_type, CFG_REQUEST);
	ck_assert_uint_eq(p->cp.nattrs, 5);
	ck_assert_uint_eq(p->cp.attrs[0].value.len, 0);
	ck_assert_uint_eq(p->cp.attrs[2].value.len, 17);
	ck_assert_uint_eq(p->cp.attrs[4].type, 0x7fff);

	p = ike_msg_find(m2, PL_DELETE);
	ck_assert_uint_eq(p->del.nspis, 3);
	ck_assert(ike_delete_spi(&p->del, 0) == 0xc1000001);
	ck_assert(ike_delete_spi(&p->del, 2) == 0xdeadbeef);
	ck_assert(ike_delete_spi(&p->del, 3) == 0);	/* out of range */

	p = ike_msg_find(m2, PL_EAP);
	ck_assert_uint_eq(p->data.data.len, sizeof(eap_id));
	wbuf_free(&w);
	msg_del(m);
	msg_del(m2);
}
END_TEST

/* ---- the SK layer's path ---------------------------------------------- */

/* Build IKE_AUTH payloads -> chain -> (identity "cipher") -> SK header ->
 * parse outer -> parse inner: the AAD offset and the payloads come back. */
START_TEST(sk_chain_header_and_inner_parse)
{
	struct ike_msg *m = msg_new(), *rx = msg_new();
	struct ike_header h = { .spi_i = 0x1111, .spi_r = 0x2222,
		.exchange = IKE_AUTH, .flags = IKE_FLAG_INITIATOR, .msg_id = 1 };
	struct ike_payload *p;
	const struct ike_payload *sk, *q;
	struct ike_err err;
	struct wbuf chain, out;
	uint8_t first, iv[16] = { 0 }, icv[16] = { 0 };
	char sum[256];

	m->hdr = h;
	fill(ike_msg_add(m, PL_IDI), PL_IDI, 0);
	ike_msg_add_notify(m, 0, N_INITIAL_CONTACT, NULL, 0, NULL, 0);
	fill(ike_msg_add(m, PL_AUTH), PL_AUTH, 0);
	p = ike_msg_add(m, PL_CP);
	fill(p, PL_CP, 0);
	fill(ike_msg_add(m, PL_SA), PL_SA, 1);
	fill(ike_msg_add(m, PL_TSI), PL_TSI, 0);
	fill(ike_msg_add(m, PL_TSR), PL_TSR, 0);
	wbuf_init(&chain);
	ck_assert_int_eq(ike_msg_write_chain(m, &chain, &first, &err), IKE_OK);
	ck_assert_uint_eq(first, PL_IDI);

	wbuf_init(&out);
	ck_assert_int_eq(ike_msg_write_sk_header(&h, first, 16 + chain.len + 16,
						 &out, &err), IKE_OK);
	ck_assert_uint_eq(out.len, IKE_HDR_LEN + 4);	/* = the AAD */
	wbuf_bytes(&out, iv, sizeof(iv));
	wbuf_bytes(&out, chain.p, chain.len);
	wbuf_bytes(&out, icv, sizeof(icv));

	ck_assert_int_eq(ike_msg_parse(rx, out.p, out.len, &err), IKE_OK);
	ck_assert_uint_eq(rx->npl, 1);
	sk = ike_msg_find_encrypted(rx);
	ck_assert_ptr_nonnull(sk);
	ck_assert_uint_eq(sk->type, PL_SK);
	ck_assert_uint_eq(sk->sk.inner_next, PL_IDI);
	ck_assert_uint_eq(sk->sk.aad_len, IKE_HDR_LEN + 4);
	ck_assert_uint_eq(sk->sk.body.len, 32 + chain.len);
	ike_msg_summary(rx, sum, sizeof(sum));
	ck_assert_str_eq(sum, "IKE_AUTH request 1 [ SK ]");

	/* "decrypt": strip IV and ICV */
	ck_assert_int_eq(ike_msg_parse_inner(rx, sk->sk.inner_next,
					     sk->sk.body.ptr + 16,
					     sk->sk.body.len - 32, &err), IKE_OK);
	ck_assert_uint_eq(rx->npl, 8);
	q = ike_msg_find(rx, PL_IDI);
	ck_assert(q->inner);
	ck_assert_uint_eq(q->offset, 0);
	ck_assert(ike_payload_equal(q, &m->pl[0]));
	ck_assert(ike_payload_equal(ike_msg_find(rx, PL_TSR), &m->pl[6]));
	ike_msg_summary(rx, sum, sizeof(sum));
	ck_assert_str_eq(sum, "IKE_AUTH request 1 [ IDi N(INIT_CONTACT) AUTH "
		"CPRQ(ADDR DNS ADDR6 VER UNKNOWN(32767)) SA TSi TSr ]");

	/* the outer message writes back as SK only */
	wbuf_reset(&chain);
	ck_assert_int_eq(ike_msg_write(rx, &chain, &err), IKE_OK);
	ck_assert_uint_eq(chain.len, out.len);
	ck_assert_mem_eq(chain.p, out.p, out.len);

	wbuf_free(&chain);
	wbuf_free(&out);
	msg_del(m);
	msg_del(rx);
}
END_TEST

START_TEST(inner_parse_error_rolls_back)
{
	struct ike_msg *m = msg_new();
	struct ike_err err;
	/* N(INITIAL_CONTACT) then a Nonce of 4 bytes */
	uint8_t in[32];
	size_t len = unhex("28 00 0008 00 00 4000  00 00 0008 01020304", in, sizeof(in));

	ike_msg_add_notify(m, 0, N_COOKIE, NULL, 0, NULL, 0);
	ck_assert_int_eq(ike_msg_parse_inner(m, PL_NOTIFY, in, len, &err),
			 IKE_ERR_SYNTAX);
	ck_assert_uint_eq(err.payload, PL_NONCE);
	ck_assert_uint_eq(err.notify, N_INVALID_SYNTAX);
	ck_assert_uint_eq(m->npl, 1);
	/* the first 8 bytes alone are a fine chain */
	in[0] = 0;
	ck_assert_int_eq(ike_msg_parse_inner(m, PL_NOTIFY, in, 8, &err), IKE_OK);
	ck_assert_uint_eq(m->npl, 2);
	ck_assert(m->pl[1].inner && !m->pl[0].inner);
	/* an empty inner chain is fine too (e.g. an empty INFORMATIONAL) */
	ck_assert_int_eq(ike_msg_parse_inner(m, PL_NONE, NULL, 0, &err), IKE_OK);
	ck_assert_uint_eq(m->npl, 2);
	msg_del(m);
}
END_TEST

START_TEST(adopted_inner_buffer_is_freed_with_message)
{
	struct ike_msg *m = msg_new();
	struct ike_err err;
	uint8_t *buf = malloc(8);
	static const uint8_t n[] = { 0, 0, 0, 8, 0, 0, 0x40, 0x00 };

	memcpy(buf, n, sizeof(n));
	ck_assert(ike_msg_adopt(m, buf, 8));
	ck_assert_int_eq(ike_msg_parse_inner(m, PL_NOTIFY, buf, 8, &err), IKE_OK);
	ck_assert_uint_eq(m->pl[0].notify.type, N_INITIAL_CONTACT);
	msg_del(m);	/* ASan/LeakSanitizer catch a leak or double free */
}
END_TEST

START_TEST(skf_header_and_fragments)
{
	struct ike_header h = { .spi_i = 9, .spi_r = 10, .exchange = IKE_AUTH,
		.flags = IKE_FLAG_RESPONSE, .msg_id = 1 };
	struct ike_msg *m = msg_new();
	struct ike_err err;
	struct wbuf w;
	char sum[64];
	uint16_t k;

	for (k = 1; k <= 3; k++) {
		wbuf_init(&w);
		ck_assert_int_eq(ike_msg_write_skf_header(&h, PL_IDR, k, 3, 40,
							  &w, &err), IKE_OK);
		ck_assert_uint_eq(w.len, IKE_HDR_LEN + IKE_SKF_HDR_LEN);
		wbuf_bytes(&w, blob, 40);
		ck_assert_int_eq(ike_msg_parse(m, w.p, w.len, &err), IKE_OK);
		ck_assert_uint_eq(m->npl, 1);
		ck_assert_uint_eq(m->pl[0].skf.frag_num, k);
		ck_assert_uint_eq(m->pl[0].skf.total, 3);
		ck_assert_uint_eq(m->pl[0].skf.inner_next, k == 1 ? PL_IDR : PL_NONE);
		ck_assert_uint_eq(m->pl[0].skf.aad_len, IKE_HDR_LEN + IKE_SKF_HDR_LEN);
		ck_assert_uint_eq(m->pl[0].skf.body.len, 40);
		ike_msg_summary(m, sum, sizeof(sum));
		if (k == 2)
			ck_assert_str_eq(sum, "IKE_AUTH response 1 [ EF(2/3) ]");
		ike_msg_free(m);
		wbuf_free(&w);
	}
	wbuf_init(&w);
	ck_assert_int_eq(ike_msg_write_skf_header(&h, PL_IDR, 0, 3, 40, &w, &err),
			 IKE_ERR_BUILD);
	ck_assert_int_eq(ike_msg_write_skf_header(&h, PL_IDR, 4, 3, 40, &w, &err),
			 IKE_ERR_BUILD);
	ck_assert_int_eq(ike_msg_write_sk_header(&h, PL_IDR, 0, &w, &err),
			 IKE_ERR_BUILD);
	ck_assert_int_eq(ike_msg_write_sk_header(&h, PL_IDR, 65532, &w, &err),
			 IKE_ERR_BUILD);
	wbuf_free(&w);
	msg_del(m);
}
END_TEST

/* ---- builder refusals --------------------------------------------------- */

START_TEST(writer_refuses_what_parser_would)
{
	static const struct ike_proposal bad_spi[] = {
		{ .num = 1, .protocol = PROTO_ESP, .spi = { blob, 3 },
		  .transforms = ike_t, .ntransforms = 1 } };
	static const struct ike_proposal no_trans[] = {
		{ .num = 1, .protocol = PROTO_ESP, .spi = { blob, 4 } } };
	static const uint8_t bad_eap[] = { 1, 1, 0, 9, 1 };
	struct ike_msg *m = msg_new();
	struct ike_payload *p;
	struct ike_err err;
	struct wbuf w;
	int i;

	wbuf_init(&w);
	for (i = 0; i < 9; i++) {
		ike_msg_free(m);
		p = ike_msg_add(m, PL_SA);
		switch (i) {
		case 0: p->sa.proposals = bad_spi; p->sa.nproposals = 1; break;
		case 1: p->sa.proposals = no_trans; p->sa.nproposals = 1; break;
		case 2: p->sa.nproposals = 0; break;
		case 3: p->type = PL_NONCE; p->data.data = (struct ike_bytes){ blob, 15 }; break;
		case 4: p->type = PL_KE; break;
		case 5: p->type = PL_EAP; p->data.data = (struct ike_bytes){ bad_eap, 5 }; break;
		case 6: p->type = PL_DELETE; p->del = (struct ike_pl_delete){
				PROTO_ESP, 4, 2, { spis8, 4 } }; break;
		case 7: p->type = 99; break;
		case 8: p->type = PL_SK; p->sk.body = (struct ike_bytes){ blob, 4 };
			ike_msg_add_data(m, PL_VENDOR, blob, 4); break;
		}
		wbuf_reset(&w);
		ck_assert_msg(ike_msg_write(m, &w, &err) == IKE_ERR_BUILD,
			      "case %d not refused", i);
		ck_assert(err.reason[0]);
	}
	wbuf_free(&w);
	msg_del(m);
}
END_TEST

START_TEST(message_full_at_limit)
{
	struct ike_msg *m = msg_new();
	int i;

	for (i = 0; i < IKE_MAX_PAYLOADS; i++)
		ck_assert_ptr_nonnull(ike_msg_add_data(m, PL_VENDOR, NULL, 0));
	ck_assert_ptr_null(ike_msg_add(m, PL_VENDOR));
	ck_assert_ptr_null(ike_msg_add_notify(m, 0, 1, NULL, 0, NULL, 0));
	msg_del(m);
}
END_TEST

START_TEST(iteration_and_ts_helpers)
{
	struct ike_msg *m = msg_new();
	const struct ike_payload *p;
	struct ike_ts ts = { .type = TS_IPV4_ADDR_RANGE, .start_port = 0,
		.end_port = 65535, .start = { 10, 0, 0, 2 }, .end = { 10, 0, 0, 1 } };
	int n = 0;

	ike_msg_add_notify(m, 0, N_COOKIE, NULL, 0, NULL, 0);
	ike_msg_add_data(m, PL_VENDOR, NULL, 0);
	ike_msg_add_notify(m, 0, N_REKEY_SA, NULL, 0, NULL, 0);
	for (p = ike_msg_next(m, NULL, PL_NOTIFY); p; p = ike_msg_next(m, p, PL_NOTIFY))
		n++;
	ck_assert_int_eq(n, 2);
	ck_assert_ptr_eq(ike_msg_find_notify(m, N_REKEY_SA), &m->pl[2]);
	ck_assert_ptr_eq(ike_msg_next(m, &m->pl[0], PL_NONE), &m->pl[1]);
	ck_assert(ike_ts_is_empty(&ts));	/* start address > end */
	ts.end[3] = 2;
	ck_assert(!ike_ts_is_empty(&ts));
	ts.start_port = 80;
	ts.end_port = 79;
	ck_assert(ike_ts_is_empty(&ts));
	ck_assert_uint_eq(ike_ts_addr_len(TS_IPV6_ADDR_RANGE), 16);
	ck_assert_uint_eq(ike_ts_addr_len(9), 0);
	msg_del(m);
}
END_TEST

START_TEST(summary_truncates_safely)
{
	uint8_t buf[512];
	size_t len = unhex(sa_init_hex, buf, sizeof(buf));
	struct ike_msg *m = msg_new();
	struct ike_err err;
	char sum[24];

	ck_assert_int_eq(ike_msg_parse(m, buf, len, &err), IKE_OK);
	ck_assert_uint_eq(ike_msg_summary(m, sum, sizeof(sum)), sizeof(sum) - 1);
	ck_assert_str_eq(sum + sizeof(sum) - 4, "...");
	ck_assert_uint_eq(ike_msg_summary(m, sum, 1), 0);
	msg_del(m);
}
END_TEST

static Suite *ike_codec_suite(void)
{
	Suite *s = suite_create("ike_codec");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, sa_init_vector_parses);
	tcase_add_test(tc, sa_init_vector_built_and_rewritten);
	tcase_add_test(tc, every_payload_round_trips);
	tcase_add_test(tc, payload_equal_sees_differences);
	tcase_add_test(tc, parsed_fields_match_what_was_built);
	tcase_add_test(tc, sk_chain_header_and_inner_parse);
	tcase_add_test(tc, inner_parse_error_rolls_back);
	tcase_add_test(tc, adopted_inner_buffer_is_freed_with_message);
	tcase_add_test(tc, skf_header_and_fragments);
	tcase_add_test(tc, writer_refuses_what_parser_would);
	tcase_add_test(tc, message_full_at_limit);
	tcase_add_test(tc, iteration_and_ts_helpers);
	tcase_add_test(tc, summary_truncates_safely);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ike_codec_suite)
