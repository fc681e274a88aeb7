/* libFuzzer target for the IKEv2 codec.
 * 1. The input as a datagram: if it parses, write it back, parse that
 *    again: both parses must agree payload by payload, and writing the
 *    second must give the same bytes. An SK body is then treated as if it
 *    were decrypted plaintext and parsed as an inner chain.
 * 2. The input as a decrypted inner chain, once for every first-payload
 *    type: same round-trip check with the chain writer.
 * Any disagreement aborts: the writer and parser must be exact mirrors. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/msg.h"
#include "ike/names.h"

static struct ike_msg m1, m2;	/* large: keep them off the stack */

static void fail(const char *what, const struct ike_err *err)
{
	fprintf(stderr, "fuzz_ike_msg: %s: %s\n", what, err ? err->reason : "");
	abort();
}

static void same_payloads(const struct ike_msg *a, const struct ike_msg *b)
{
	size_t i;

	if (a->npl != b->npl)
		fail("payload count differs after round trip", NULL);
	for (i = 0; i < a->npl; i++)
		if (!ike_payload_equal(&a->pl[i], &b->pl[i]))
			fail("payload differs after round trip", NULL);
}

/* Chain in m1 (inner payloads from 'from' on) -> bytes -> m2 -> bytes. */
static void inner_round_trip(size_t from)
{
	struct wbuf w1, w2;
	struct ike_err err;
	uint8_t first, first2;
	size_t i;

	/* the chain writer writes every payload of m: copy the inner ones to
	 * a message of their own */
	ike_msg_init(&m2);
	m2.hdr = m1.hdr;
	for (i = from; i < m1.npl; i++)
		m2.pl[m2.npl++] = m1.pl[i];
	wbuf_init(&w1);
	if (ike_msg_write_chain(&m2, &w1, &first, &err))
		fail("inner chain does not write", &err);
	ike_msg_init(&m2);
	m2.hdr = m1.hdr;
	if (ike_msg_parse_inner(&m2, first, w1.p, w1.len, &err))
		fail("written inner chain does not parse", &err);
	if (m2.npl != m1.npl - from)
		fail("inner payload count differs", NULL);
	for (i = 0; i < m2.npl; i++)
		if (!ike_payload_equal(&m1.pl[from + i], &m2.pl[i]))
			fail("inner payload differs after round trip", NULL);
	wbuf_init(&w2);
	if (ike_msg_write_chain(&m2, &w2, &first2, &err) || first2 != first ||
	    w2.len != w1.len || (w1.len && memcmp(w1.p, w2.p, w1.len)))
		fail("inner chain bytes differ on second write", &err);
	ike_msg_free(&m2);
	wbuf_free(&w1);
	wbuf_free(&w2);
}

static void datagram(const uint8_t *data, size_t size)
{
	struct wbuf w1, w2, w3;
	struct ike_err err;
	const struct ike_payload *sk;
	char sum[512];

	if (ike_msg_parse(&m1, data, size, &err)) {
		if (!err.reason[0])
			fail("error without reason", &err);
		ike_msg_free(&m1);
		return;
	}
	ike_msg_summary(&m1, sum, sizeof(sum));
	wbuf_init(&w1);
	if (ike_msg_write(&m1, &w1, &err))
		fail("parsed message does not write", &err);
	if (ike_msg_parse(&m2, w1.p, w1.len, &err))
		fail("written message does not parse", &err);
	if (m2.hdr.spi_i != m1.hdr.spi_i || m2.hdr.spi_r != m1.hdr.spi_r ||
	    m2.hdr.exchange != m1.hdr.exchange || m2.hdr.flags != m1.hdr.flags ||
	    m2.hdr.msg_id != m1.hdr.msg_id)
		fail("header differs after round trip", NULL);
	same_payloads(&m1, &m2);
	wbuf_init(&w2);
	if (ike_msg_write(&m2, &w2, &err) || w2.len != w1.len ||
	    memcmp(w1.p, w2.p, w1.len))
		fail("message bytes differ on second write", &err);
	/* SPIs, exchange, flags and message ID are written as received */
	if (memcmp(w1.p, data, 16) || memcmp(w1.p + 18, data + 18, 6))
		fail("header bytes differ", NULL);
	/* an SK/SKF-only message (no unknown payload skipped before it): the
	 * SK layer's header helper + the body must give the same bytes as the
	 * message writer (the helper never sets the critical bit) */
	if (m1.npl == 1 && !m1.skipped && !m1.pl[0].critical &&
	    (m1.pl[0].type == PL_SK || m1.pl[0].type == PL_SKF)) {
		const struct ike_payload *e = &m1.pl[0];
		const struct ike_bytes *body = e->type == PL_SK ? &e->sk.body
							       : &e->skf.body;
		enum ike_err_code rc;

		wbuf_init(&w3);
		rc = e->type == PL_SK
		     ? ike_msg_write_sk_header(&m1.hdr, e->sk.inner_next,
					       body->len, &w3, &err)
		     : ike_msg_write_skf_header(&m1.hdr, e->skf.inner_next,
						e->skf.frag_num, e->skf.total,
						body->len, &w3, &err);
		if (rc || w3.len != (e->type == PL_SK ? e->sk.aad_len
						      : e->skf.aad_len))
			fail("SK header helper disagrees", &err);
		wbuf_bytes(&w3, body->ptr, body->len);
		if (w3.len != w1.len || memcmp(w1.p, w3.p, w1.len))
			fail("SK header helper bytes differ", NULL);
		wbuf_free(&w3);
	}
	ike_msg_free(&m2);
	wbuf_free(&w1);
	wbuf_free(&w2);

	sk = ike_msg_find_encrypted(&m1);
	if (sk && sk->type == PL_SK) {
		size_t from = m1.npl;

		if (sk->sk.aad_len != sk->offset + 4 || sk->offset + 4 +
		    sk->sk.body.len != size)
			fail("SK offsets inconsistent", NULL);
		if (!ike_msg_parse_inner(&m1, sk->sk.inner_next, sk->sk.body.ptr,
					 sk->sk.body.len, &err)) {
			ike_msg_summary(&m1, sum, sizeof(sum));
			inner_round_trip(from);
		} else if (m1.npl != from) {
			fail("failed inner parse left payloads", &err);
		}
	}
	ike_msg_free(&m1);
}

static const uint8_t firsts[] = { PL_NONE, PL_SA, PL_KE, PL_IDI, PL_IDR,
	PL_CERT, PL_CERTREQ, PL_AUTH, PL_NONCE, PL_NOTIFY, PL_DELETE, PL_VENDOR,
	PL_TSI, PL_TSR, PL_SK, PL_CP, PL_EAP, PL_GSPM, PL_SKF, 99 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_err err;
	size_t i;

	datagram(data, size);
	for (i = 0; i < sizeof(firsts); i++) {
		ike_msg_init(&m1);
		/* the first byte picks request or response numbering */
		m1.hdr.flags = size && (data[0] & 1) ? IKE_FLAG_RESPONSE : 0;
		if (!ike_msg_parse_inner(&m1, firsts[i], data, size, &err))
			inner_round_trip(0);
		else if (m1.npl || !err.reason[0])
			fail("failed inner parse left payloads", &err);
		ike_msg_free(&m1);
	}
	return 0;
}
