/* IKEv2 codec against hostile input: one table of malformed payload chains
 * (each with the error code, offending payload, notify and reason it must
 * produce), header cases, and generated inputs that exceed the limits. */
#include "check_main.h"
#include "ike/msg.h"
#include "ike/names.h"

#define SPIS "0102030405060708 0000000000000000"

/* A datagram: header (SPIs, first payload, version 2.0, IKE_AUTH, flags,
 * msgid 1, correct length) + chain bytes. */
static size_t mkdgram(uint8_t *out, size_t max, uint8_t first, uint8_t flags,
		      const uint8_t *chain, size_t clen)
{
	size_t len = IKE_HDR_LEN + clen;

	ck_assert_uint_le(len, max);
	test_unhex(SPIS, out, 16);
	out[16] = first;
	out[17] = 0x20;
	out[18] = IKE_AUTH;
	out[19] = flags;
	memcpy(out + 20, "\0\0\0\1", 4);
	out[24] = (uint8_t)(len >> 24);
	out[25] = (uint8_t)(len >> 16);
	out[26] = (uint8_t)(len >> 8);
	out[27] = (uint8_t)len;
	if (clen)
		memcpy(out + IKE_HDR_LEN, chain, clen);
	return len;
}

#define REQ IKE_FLAG_INITIATOR
#define RSP IKE_FLAG_RESPONSE
#define N16 "000102030405060708090a0b0c0d0e0f"
/* a valid transform (last) and proposal prefix */
#define T_LAST "00 00 0008 01 00 0014"

static const struct bad {
	const char *name;
	uint8_t first, flags;
	const char *chain;
	enum ike_err_code code;
	uint8_t payload;
	const char *reason;	/* must appear in err.reason */
} bad[] = {
	/* generic payload header */
	{ "generic header truncated", PL_NOTIFY, REQ, "00 00", IKE_ERR_SYNTAX,
	  PL_NOTIFY, "N: payload header at offset 28 truncated (2 bytes left)" },
	{ "payload length < 4", PL_NOTIFY, REQ, "00 00 0003 00", IKE_ERR_SYNTAX,
	  PL_NOTIFY, "N: payload length 3 < 4" },
	{ "payload length 0", PL_VENDOR, REQ, "00 00 0000", IKE_ERR_SYNTAX,
	  PL_VENDOR, "V: payload length 0 < 4" },
	{ "payload length past end", PL_NOTIFY, REQ, "00 00 0010 00 00 4000",
	  IKE_ERR_SYNTAX, PL_NOTIFY, "N: payload length 16 exceeds remaining 8 bytes" },
	{ "bytes after the chain", PL_NOTIFY, REQ, "00 00 0008 00 00 4000 00000000",
	  IKE_ERR_SYNTAX, 0, "4 bytes left over" },
	{ "next payload but no bytes", PL_NOTIFY, REQ, "2b 00 0008 00 00 4000",
	  IKE_ERR_SYNTAX, PL_VENDOR, "V: payload header at offset 36 truncated (0 bytes left)" },
	{ "unknown critical payload", 99, REQ, "00 80 0008 aabbccdd",
	  IKE_ERR_CRITICAL, 99, "unsupported critical payload type 99" },
	{ "IKEv1 payload type critical", 1, REQ, "00 80 0004", IKE_ERR_CRITICAL,
	  1, "type 1" },
	{ "unknown critical after known", PL_VENDOR, REQ, "32 00 0004 00 ff 0004",
	  IKE_ERR_CRITICAL, 50, "type 50" },
	{ "unknown non-critical with bad length", 99, REQ, "00 00 0009 aabbccdd",
	  IKE_ERR_SYNTAX, 99, "payload length 9 exceeds remaining 8 bytes" },
	/* SA */
	{ "SA empty", PL_SA, REQ, "00 00 0004", IKE_ERR_SYNTAX, PL_SA, "SA: no proposals" },
	{ "SA proposal truncated", PL_SA, REQ, "00 00 0008 00 00 0008", IKE_ERR_SYNTAX,
	  PL_SA, "SA: proposal 1 truncated (4 bytes left)" },
	{ "SA proposal length < 8", PL_SA, REQ, "00 00 000c 00 00 0004 01 01 00 01",
	  IKE_ERR_SYNTAX, PL_SA, "SA: proposal 1 length 4 < 8" },
	{ "SA proposal length past end", PL_SA, REQ,
	  "00 00 0014 00 00 0020 01 01 00 01" T_LAST, IKE_ERR_SYNTAX, PL_SA,
	  "SA: proposal 1 length 32 exceeds remaining 16 bytes" },
	{ "SA proposal last=1", PL_SA, REQ, "00 00 0014 01 00 0010 01 01 00 01" T_LAST,
	  IKE_ERR_SYNTAX, PL_SA, "last-substructure 1 (must be 0 or 2)" },
	{ "SA proposal last=3", PL_SA, REQ, "00 00 0014 03 00 0010 01 01 00 01" T_LAST,
	  IKE_ERR_SYNTAX, PL_SA, "last-substructure 3" },
	{ "SA proposal more but none", PL_SA, REQ, "00 00 0014 02 00 0010 01 01 00 01" T_LAST,
	  IKE_ERR_SYNTAX, PL_SA, "proposal 1 says more follow but the payload ends" },
	{ "SA proposal last but more", PL_SA, REQ,
	  "00 00 0024 00 00 0010 01 01 00 01" T_LAST "00 00 0010 02 01 00 01" T_LAST,
	  IKE_ERR_SYNTAX, PL_SA, "proposal 1 says last but more bytes follow" },
	{ "SA request starts at 2", PL_SA, REQ, "00 00 0014 00 00 0010 02 01 00 01" T_LAST,
	  IKE_ERR_SYNTAX, PL_SA, "proposal 1 has number 2, expected 1" },
	{ "SA request skips a number", PL_SA, REQ,
	  "00 00 0024 02 00 0010 01 01 00 01" T_LAST "00 00 0010 03 01 00 01" T_LAST,
	  IKE_ERR_SYNTAX, PL_SA, "proposal 2 has number 3, expected 2" },
	{ "SA request repeats a number", PL_SA, REQ,
	  "00 00 0024 02 00 0010 01 01 00 01" T_LAST "00 00 0010 01 01 00 01" T_LAST,
	  IKE_ERR_SYNTAX, PL_SA, "proposal 2 has number 1, expected 2" },
	{ "SA response number 0", PL_SA, RSP, "00 00 0014 00 00 0010 00 01 00 01" T_LAST,
	  IKE_ERR_SYNTAX, PL_SA, "has number 0" },
	{ "SA SPI size 3", PL_SA, REQ, "00 00 0017 00 00 0013 01 03 03 01 aabbcc" T_LAST,
	  IKE_ERR_SYNTAX, PL_SA, "SPI size 3 (must be 0, 4 or 8)" },
	{ "SA SPI past proposal", PL_SA, REQ, "00 00 0010 00 00 000c 01 03 08 01 aabbccdd",
	  IKE_ERR_SYNTAX, PL_SA, "SPI size 8 exceeds remaining 4 bytes" },
	{ "SA no transforms", PL_SA, REQ, "00 00 000c 00 00 0008 01 01 00 00",
	  IKE_ERR_SYNTAX, PL_SA, "proposal 1 has no transforms" },
	{ "SA 65 transforms declared", PL_SA, REQ, "00 00 0014 00 00 0010 01 01 00 41" T_LAST,
	  IKE_ERR_LIMIT, PL_SA, "65 transforms (limit 64)" },
	{ "SA transforms past bytes", PL_SA, REQ, "00 00 0014 00 00 0010 01 01 00 02" T_LAST,
	  IKE_ERR_SYNTAX, PL_SA, "declares 2 transforms, only 8 bytes left" },
	{ "SA transform last but more", PL_SA, REQ,
	  "00 00 001c 00 00 0018 01 01 00 02 00 00 0008 01 00 0014 00 00 0008 01 00 0014",
	  IKE_ERR_SYNTAX, PL_SA, "transform 1 says last but more bytes follow" },
	{ "SA more transforms than declared", PL_SA, REQ,
	  "00 00 001c 00 00 0018 01 01 00 01 03 00 0008 01 00 0014" T_LAST,
	  IKE_ERR_SYNTAX, PL_SA, "declares 1 transforms but 8 bytes follow them" },
	{ "SA fewer transforms than declared", PL_SA, REQ,
	  "00 00 001c 00 00 0018 01 01 00 02 00 00 0010 01 00 0014 800e 0080 8001 0001",
	  IKE_ERR_SYNTAX, PL_SA, "declares 2 transforms, found 1" },
	{ "SA transform length < 8", PL_SA, REQ, "00 00 0014 00 00 0010 01 01 00 01 00 00 0004 01 00 0014",
	  IKE_ERR_SYNTAX, PL_SA, "transform 1 length 4 < 8" },
	{ "SA transform length past end", PL_SA, REQ, "00 00 0014 00 00 0010 01 01 00 01 00 00 000c 01 00 0014",
	  IKE_ERR_SYNTAX, PL_SA, "transform 1 length 12 exceeds remaining 8 bytes" },
	{ "SA transform last=2", PL_SA, REQ, "00 00 0014 00 00 0010 01 01 00 01 02 00 0008 01 00 0014",
	  IKE_ERR_SYNTAX, PL_SA, "last-substructure 2 (must be 0 or 3)" },
	{ "SA transform more but none", PL_SA, REQ, "00 00 0014 00 00 0010 01 01 00 01 03 00 0008 01 00 0014",
	  IKE_ERR_SYNTAX, PL_SA, "transform 1 says more follow but the proposal ends" },
	{ "SA attribute truncated", PL_SA, REQ, "00 00 0016 00 00 0012 01 01 00 01 00 00 000a 01 00 0014 800e",
	  IKE_ERR_SYNTAX, PL_SA, "attribute 1 truncated (2 bytes left)" },
	{ "SA TLV attribute past end", PL_SA, REQ, "00 00 0018 00 00 0014 01 01 00 01 00 00 000c 01 00 0014 0063 0009",
	  IKE_ERR_SYNTAX, PL_SA, "attribute 1 length 9 exceeds remaining 0 bytes" },
	{ "SA TLV key length", PL_SA, REQ, "00 00 001a 00 00 0016 01 01 00 01 00 00 000e 01 00 000c 000e 0002 0100",
	  IKE_ERR_SYNTAX, PL_SA, "TLV-encoded Key Length" },
	{ "SA duplicate key length", PL_SA, REQ, "00 00 001c 00 00 0018 01 01 00 01 00 00 0010 01 00 000c 800e 0080 800e 0100",
	  IKE_ERR_SYNTAX, PL_SA, "duplicate Key Length" },
	/* KE, nonce */
	{ "KE header truncated", PL_KE, REQ, "00 00 0006 001f", IKE_ERR_SYNTAX, PL_KE,
	  "KE: header needs 4 bytes, 2 left" },
	{ "KE empty data", PL_KE, REQ, "00 00 0008 001f 0000", IKE_ERR_SYNTAX, PL_KE,
	  "KE: empty key exchange data" },
	{ "nonce 15 bytes", PL_NONCE, REQ, "00 00 0013 000102030405060708090a0b0c0d0e",
	  IKE_ERR_SYNTAX, PL_NONCE, "No: nonce length 15 (must be 16..256)" },
	{ "nonce 0 bytes", PL_NONCE, REQ, "00 00 0004", IKE_ERR_SYNTAX, PL_NONCE,
	  "nonce length 0" },
	/* ID, AUTH, CERT */
	{ "IDi header truncated", PL_IDI, REQ, "00 00 0006 0200", IKE_ERR_SYNTAX, PL_IDI,
	  "IDi: header needs 4 bytes, 2 left" },
	{ "AUTH header truncated", PL_AUTH, REQ, "00 00 0005 02", IKE_ERR_SYNTAX, PL_AUTH,
	  "AUTH: header needs 4 bytes, 1 left" },
	{ "CERT without encoding", PL_CERT, REQ, "00 00 0004", IKE_ERR_SYNTAX, PL_CERT,
	  "CERT: encoding needs 1 bytes, 0 left" },
	/* Notify */
	{ "N header truncated", PL_NOTIFY, REQ, "00 00 0007 000040", IKE_ERR_SYNTAX,
	  PL_NOTIFY, "N: header needs 4 bytes, 3 left" },
	{ "N SPI size 9", PL_NOTIFY, REQ, "00 00 0011 03 09 4009 010203040506070809",
	  IKE_ERR_SYNTAX, PL_NOTIFY, "N(REKEY_SA): SPI size 9 > 8" },
	{ "N SPI past end", PL_NOTIFY, REQ, "00 00 000a 03 04 4009 0102",
	  IKE_ERR_SYNTAX, PL_NOTIFY, "N(REKEY_SA): SPI size 4 exceeds remaining 2 bytes" },
	/* Delete */
	{ "D IKE with SPIs", PL_DELETE, REQ, "00 00 0010 01 08 0001 0102030405060708",
	  IKE_ERR_SYNTAX, PL_DELETE, "IKE SA delete with SPI size 8 and 1 SPIs" },
	{ "D ESP SPI size 8", PL_DELETE, REQ, "00 00 0010 03 08 0001 0102030405060708",
	  IKE_ERR_SYNTAX, PL_DELETE, "D: ESP SPI size 8 (must be 4)" },
	{ "D count past bytes", PL_DELETE, REQ, "00 00 000c 03 04 0002 01020304",
	  IKE_ERR_SYNTAX, PL_DELETE, "2 SPIs of 4 bytes need 8 bytes, payload has 4" },
	{ "D bytes past count", PL_DELETE, REQ, "00 00 0010 03 04 0001 01020304 05060708",
	  IKE_ERR_SYNTAX, PL_DELETE, "1 SPIs of 4 bytes need 4 bytes, payload has 8" },
	{ "D 257 SPIs", PL_DELETE, REQ, "00 00 0008 03 04 0101", IKE_ERR_LIMIT,
	  PL_DELETE, "D: 257 SPIs (limit 256)" },
	{ "D other protocol SPI size 9", PL_DELETE, REQ, "00 00 0008 07 09 0000",
	  IKE_ERR_SYNTAX, PL_DELETE, "D: SPI size 9 > 8" },
	/* Traffic selectors */
	{ "TSi selector past end", PL_TSI, REQ,
	  "00 00 0038 03 000000"
	  "07 00 0010 0000 ffff 0a000000 0affffff"
	  "07 00 0010 0000 ffff 0a000000 0affffff"
	  "07 00 0018 0000 ffff 0a000000 0affffff",
	  IKE_ERR_SYNTAX, PL_TSI, "TSi: traffic selector 3 length 24 exceeds remaining 16 bytes" },
	{ "TSr count cannot fit", PL_TSR, REQ,
	  "00 00 0018 03 000000 07 00 0010 0000 ffff 0a000000 0affffff",
	  IKE_ERR_SYNTAX, PL_TSR, "TSr: 3 traffic selectors cannot fit in 16 bytes" },
	{ "TS 65 selectors", PL_TSI, REQ, "00 00 0008 41 000000", IKE_ERR_LIMIT, PL_TSI,
	  "TSi: 65 traffic selectors (limit 64)" },
	{ "TS IPv4 selector of IPv6 length", PL_TSI, REQ,
	  "00 00 0030 01 000000 07 00 0028 0000 ffff"
	  "00000000000000000000000000000000 ffffffffffffffffffffffffffffffff",
	  IKE_ERR_SYNTAX, PL_TSI, "(TS_IPV4_ADDR_RANGE) length 40, must be 16" },
	{ "TS IPv6 selector too short", PL_TSI, REQ,
	  "00 00 0018 01 000000 08 00 0010 0000 ffff 0a000000 0affffff",
	  IKE_ERR_SYNTAX, PL_TSI, "(TS_IPV6_ADDR_RANGE) length 16, must be 40" },
	{ "TS selector length < 8", PL_TSI, REQ, "00 00 0010 01 000000 07 00 0004 00000000",
	  IKE_ERR_SYNTAX, PL_TSI, "traffic selector 1 length 4 < 8" },
	{ "TS bytes after selectors", PL_TSI, REQ,
	  "00 00 001c 01 000000 07 00 0010 0000 ffff 0a000000 0affffff 00000000",
	  IKE_ERR_SYNTAX, PL_TSI, "TSi: 4 bytes left after 1 traffic selectors" },
	{ "TS header truncated", PL_TSI, REQ, "00 00 0006 0100", IKE_ERR_SYNTAX, PL_TSI,
	  "TSi: header needs 4 bytes, 2 left" },
	/* CP */
	{ "CP attribute past end", PL_CP, REQ, "00 00 000c 01 000000 0001 0004",
	  IKE_ERR_SYNTAX, PL_CP, "CP: attribute 1 length 4 exceeds remaining 0 bytes" },
	{ "CP attribute truncated", PL_CP, REQ, "00 00 000a 01 000000 0001",
	  IKE_ERR_SYNTAX, PL_CP, "CP: attribute 1 truncated (2 bytes left)" },
	{ "CP header truncated", PL_CP, REQ, "00 00 0005 01", IKE_ERR_SYNTAX, PL_CP,
	  "CP: header needs 4 bytes, 1 left" },
	/* EAP */
	{ "EAP length mismatch", PL_EAP, REQ, "00 00 000a 02 07 0005 01 63",
	  IKE_ERR_SYNTAX, PL_EAP, "EAP: message length 5, payload carries 6 bytes" },
	{ "EAP too short", PL_EAP, REQ, "00 00 0006 0307", IKE_ERR_SYNTAX, PL_EAP,
	  "EAP: header needs 4 bytes, 2 left" },
	/* SK, SKF */
	{ "SK empty", PL_SK, REQ, "23 00 0004", IKE_ERR_SYNTAX, PL_SK,
	  "SK: empty encrypted body" },
	{ "SK not last", PL_SK, REQ, "23 00 0008 aabbccdd 2b 00 0004", IKE_ERR_SYNTAX,
	  PL_SK, "SK is not the last payload: 4 bytes follow" },
	{ "SKF fragment 0", PL_SKF, REQ, "23 00 000c 0000 0002 aabbccdd", IKE_ERR_SYNTAX,
	  PL_SKF, "SKF: fragment number 0 of 2" },
	{ "SKF fragment > total", PL_SKF, REQ, "00 00 000c 0003 0002 aabbccdd",
	  IKE_ERR_SYNTAX, PL_SKF, "SKF: fragment number 3 of 2" },
	{ "SKF total 0", PL_SKF, REQ, "00 00 000c 0000 0000 aabbccdd", IKE_ERR_SYNTAX,
	  PL_SKF, "SKF: total fragments 0" },
	{ "SKF total 256", PL_SKF, REQ, "00 00 000c 0001 0100 aabbccdd", IKE_ERR_LIMIT,
	  PL_SKF, "SKF: total fragments 256 (must be 1..255)" },
	{ "SKF next payload in fragment 2", PL_SKF, REQ, "23 00 000c 0002 0002 aabbccdd",
	  IKE_ERR_SYNTAX, PL_SKF, "SKF: fragment 2 has next payload 35 (must be 0)" },
	{ "SKF empty", PL_SKF, REQ, "23 00 0008 0001 0001", IKE_ERR_SYNTAX, PL_SKF,
	  "SKF: empty encrypted body" },
	{ "SKF header truncated", PL_SKF, REQ, "23 00 0006 0001", IKE_ERR_SYNTAX, PL_SKF,
	  "SKF: fragment header needs 4 bytes, 2 left" },
};

START_TEST(malformed_chain)
{
	const struct bad *c = &bad[_i];
	uint8_t chain[512], dgram[600];
	size_t clen = test_unhex(c->chain, chain, sizeof(chain));
	size_t len = mkdgram(dgram, sizeof(dgram), c->first, c->flags, chain, clen);
	struct ike_msg *m = malloc(sizeof(*m));
	struct ike_err err;
	enum ike_err_code rc;

	ck_assert_ptr_nonnull(m);
	rc = ike_msg_parse(m, dgram, len, &err);
	ck_assert_msg(rc == c->code, "%s: code %s, want %s (%s)", c->name,
		      ike_err_code_name(rc), ike_err_code_name(c->code), err.reason);
	ck_assert_msg(err.payload == c->payload, "%s: payload %u, want %u",
		      c->name, err.payload, c->payload);
	ck_assert_msg(strstr(err.reason, c->reason), "%s: reason \"%s\" lacks \"%s\"",
		      c->name, err.reason, c->reason);
	ck_assert_uint_eq(err.notify, c->code == IKE_ERR_CRITICAL
			  ? N_UNSUPPORTED_CRITICAL_PAYLOAD : N_INVALID_SYNTAX);
	/* the header stays usable for addressing an error notify */
	ck_assert_uint_eq(m->hdr.exchange, IKE_AUTH);
	ck_assert_uint_eq(m->hdr.msg_id, 1);
	ck_assert(m->hdr.spi_i == 0x0102030405060708ULL);
	ike_msg_free(m);

	/* the same bytes as a decrypted inner chain fail the same way, except
	 * that SK/SKF are refused there outright */
	if (c->first != PL_SK && c->first != PL_SKF && c->code != IKE_ERR_CRITICAL) {
		ike_msg_init(m);
		m->hdr.flags = c->flags;
		rc = ike_msg_parse_inner(m, c->first, chain, clen, &err);
		ck_assert_msg(rc == c->code, "%s (inner): %s", c->name, err.reason);
		ck_assert_uint_eq(m->npl, 0);
		ike_msg_free(m);
	}
	free(m);
}
END_TEST

/* ---- header ------------------------------------------------------------- */

static const struct bad_hdr {
	const char *name;
	const char *hex;
	enum ike_err_code code;
	uint16_t notify;
	const char *reason;
} bad_hdr[] = {
	{ "empty", "", IKE_ERR_HEADER, 0, "datagram of 0 bytes, need 28" },
	{ "27 bytes", SPIS "00 20 22 08 00000000 000000", IKE_ERR_HEADER, 0,
	  "datagram of 27 bytes" },
	{ "length field larger", SPIS "00 20 22 08 00000000 0000001d", IKE_ERR_HEADER, 0,
	  "length field 29, datagram 28 bytes" },
	{ "length field smaller", SPIS "29 20 22 08 00000000 0000001c 00 00 0008 00 00 4000",
	  IKE_ERR_HEADER, 0, "length field 28, datagram 36 bytes" },
	{ "length field huge", SPIS "00 20 22 08 00000000 ffffffff", IKE_ERR_HEADER, 0,
	  "length field 4294967295" },
	{ "version 1.0", SPIS "00 10 22 08 00000000 0000001c", IKE_ERR_VERSION,
	  N_INVALID_MAJOR_VERSION, "IKE version 1.0, need 2.x" },
	{ "version 3.0", SPIS "00 30 22 08 00000000 0000001c", IKE_ERR_VERSION,
	  N_INVALID_MAJOR_VERSION, "IKE version 3.0" },
	{ "version 0.0", SPIS "00 00 22 08 00000000 0000001c", IKE_ERR_VERSION,
	  N_INVALID_MAJOR_VERSION, "IKE version 0.0" },
};

START_TEST(malformed_header)
{
	const struct bad_hdr *c = &bad_hdr[_i];
	uint8_t buf[64];
	size_t len = test_unhex(c->hex, buf, sizeof(buf));
	struct ike_msg *m = malloc(sizeof(*m));
	struct ike_header h;
	struct ike_err err;

	ck_assert_ptr_nonnull(m);
	ck_assert_msg(ike_msg_parse(m, buf, len, &err) == c->code, "%s: %s",
		      c->name, err.reason);
	ck_assert_uint_eq(err.notify, c->notify);
	ck_assert_uint_eq(err.payload, 0);
	ck_assert_msg(strstr(err.reason, c->reason), "%s: \"%s\"", c->name, err.reason);
	ck_assert_uint_eq(m->npl, 0);
	ck_assert_int_eq(ike_header_parse(buf, len, &h, &err), c->code);
	ike_msg_free(m);
	free(m);
}
END_TEST

START_TEST(minor_version_ignored_and_header_only)
{
	uint8_t buf[64];
	size_t len = test_unhex(SPIS "00 27 25 20 0000002a 0000001c", buf, sizeof(buf));
	struct ike_header h;
	struct ike_err err;

	ck_assert_int_eq(ike_header_parse(buf, len, &h, &err), IKE_OK);
	ck_assert_uint_eq(h.version, 0x27);
	ck_assert_uint_eq(h.exchange, INFORMATIONAL);
	ck_assert_uint_eq(h.flags, IKE_FLAG_RESPONSE);
	ck_assert_uint_eq(h.msg_id, 42);
	ck_assert(h.spi_i == 0x0102030405060708ULL);
}
END_TEST

/* ---- accepted oddities ------------------------------------------------ */

START_TEST(unknown_noncritical_payloads_skipped)
{
	/* V, unknown 99 (non-critical, with body), N, unknown 200 (empty) */
	uint8_t chain[64], dgram[128];
	size_t clen = test_unhex("63 00 0004  29 00 0008 aabbccdd  c8 00 0008 00 00 4000"
				 " 00 00 0004", chain, sizeof(chain));
	size_t len = mkdgram(dgram, sizeof(dgram), PL_VENDOR, REQ, chain, clen);
	struct ike_msg *m = malloc(sizeof(*m));
	struct ike_err err;
	char sum[128];

	ck_assert_int_eq(ike_msg_parse(m, dgram, len, &err), IKE_OK);
	ck_assert_uint_eq(m->npl, 2);
	ck_assert_uint_eq(m->skipped, 2);
	ck_assert_uint_eq(m->pl[0].type, PL_VENDOR);
	ck_assert_uint_eq(m->pl[1].notify.type, N_INITIAL_CONTACT);
	ck_assert_uint_eq(m->pl[1].offset, IKE_HDR_LEN + 4 + 8);
	ike_msg_summary(m, sum, sizeof(sum));
	ck_assert_str_eq(sum, "IKE_AUTH request 1 [ V N(INIT_CONTACT) ]");
	ike_msg_free(m);
	free(m);
}
END_TEST

START_TEST(payloads_before_an_error_stay_listed)
{
	uint8_t chain[32], dgram[64];
	size_t clen = test_unhex("32 00 0004 00 ff 0004", chain, sizeof(chain));
	size_t len = mkdgram(dgram, sizeof(dgram), PL_VENDOR, REQ, chain, clen);
	struct ike_msg *m = malloc(sizeof(*m));
	struct ike_err err;

	ck_assert_int_eq(ike_msg_parse(m, dgram, len, &err), IKE_ERR_CRITICAL);
	ck_assert_uint_eq(m->npl, 1);
	ck_assert_uint_eq(m->pl[0].type, PL_VENDOR);
	ike_msg_free(m);
	free(m);
}
END_TEST

START_TEST(critical_bit_on_known_payload_is_fine)
{
	uint8_t chain[16], dgram[64];
	size_t clen = test_unhex("00 ff 0008 00 00 4000", chain, sizeof(chain));
	size_t len = mkdgram(dgram, sizeof(dgram), PL_NOTIFY, REQ, chain, clen);
	struct ike_msg *m = malloc(sizeof(*m));
	struct ike_err err;

	ck_assert_int_eq(ike_msg_parse(m, dgram, len, &err), IKE_OK);
	ck_assert(m->pl[0].critical);
	ike_msg_free(m);
	free(m);
}
END_TEST

START_TEST(empty_selector_range_parses_and_is_reported)
{
	/* 10.0.0.9 - 10.0.0.1, ports 80-79 */
	uint8_t chain[64], dgram[128];
	size_t clen = test_unhex("00 00 0018 01 000000 07 06 0010 0050 004f 0a000009 0a000001",
				 chain, sizeof(chain));
	size_t len = mkdgram(dgram, sizeof(dgram), PL_TSI, REQ, chain, clen);
	struct ike_msg *m = malloc(sizeof(*m));
	struct ike_err err;

	ck_assert_int_eq(ike_msg_parse(m, dgram, len, &err), IKE_OK);
	ck_assert_uint_eq(m->pl[0].ts.nts, 1);
	ck_assert(ike_ts_is_empty(&m->pl[0].ts.ts[0]));
	ike_msg_free(m);
	free(m);
}
END_TEST

START_TEST(response_sa_keeps_chosen_number)
{
	uint8_t chain[64], dgram[128];
	size_t clen = test_unhex("00 00 0014 00 00 0010 05 01 00 01" T_LAST, chain, sizeof(chain));
	size_t len = mkdgram(dgram, sizeof(dgram), PL_SA, RSP, chain, clen);
	struct ike_msg *m = malloc(sizeof(*m));
	struct ike_err err;

	ck_assert_int_eq(ike_msg_parse(m, dgram, len, &err), IKE_OK);
	ck_assert_uint_eq(m->pl[0].sa.proposals[0].num, 5);
	ike_msg_free(m);
	/* the same as a request is refused */
	len = mkdgram(dgram, sizeof(dgram), PL_SA, REQ, chain, clen);
	ck_assert_int_eq(ike_msg_parse(m, dgram, len, &err), IKE_ERR_SYNTAX);
	ike_msg_free(m);
	free(m);
}
END_TEST

START_TEST(encrypted_payload_inside_inner_chain_refused)
{
	uint8_t chain[32];
	size_t clen = test_unhex("2e 00 0008 00 00 4000  00 00 0008 aabbccdd", chain, sizeof(chain));
	struct ike_msg *m = malloc(sizeof(*m));
	struct ike_err err;

	ike_msg_init(m);
	ck_assert_int_eq(ike_msg_parse_inner(m, PL_NOTIFY, chain, clen, &err),
			 IKE_ERR_SYNTAX);
	ck_assert_uint_eq(err.payload, PL_SK);
	ck_assert(strstr(err.reason, "SK inside an encrypted payload"));
	ck_assert_uint_eq(m->npl, 0);
	chain[0] = PL_SKF;
	ck_assert_int_eq(ike_msg_parse_inner(m, PL_NOTIFY, chain, clen, &err),
			 IKE_ERR_SYNTAX);
	ck_assert_uint_eq(err.payload, PL_SKF);
	ike_msg_free(m);
	free(m);
}
END_TEST

/* ---- limits, with generated inputs -------------------------------------- */

struct gen {
	uint8_t first;
	uint8_t *p;
	size_t len;
};

static struct ike_err parse_gen(struct wbuf *w, uint8_t first, enum ike_err_code want)
{
	uint8_t *dgram = malloc(IKE_HDR_LEN + w->len);
	struct ike_msg *m = malloc(sizeof(*m));
	struct ike_err err;
	size_t len;

	ck_assert(wbuf_ok(w) && dgram && m);
	len = mkdgram(dgram, IKE_HDR_LEN + w->len, first, REQ, w->p, w->len);
	ck_assert_msg(ike_msg_parse(m, dgram, len, &err) == want, "%s", err.reason);
	ike_msg_free(m);
	free(m);
	free(dgram);
	return err;
}

/* n proposals of one transform each */
static void gen_sa(struct wbuf *w, unsigned nprop, unsigned ntrans, unsigned nattrs)
{
	size_t off = wbuf_reserve(w, 4), poff, toff;
	unsigned i, j, k;

	for (i = 0; i < nprop; i++) {
		poff = w->len;
		wbuf_u8(w, i + 1 < nprop ? 2 : 0);
		wbuf_u8(w, 0);
		wbuf_u16(w, 0);
		wbuf_u8(w, (uint8_t)(i + 1));
		wbuf_u8(w, PROTO_IKE);
		wbuf_u8(w, 0);
		wbuf_u8(w, (uint8_t)ntrans);
		for (j = 0; j < ntrans; j++) {
			toff = w->len;
			wbuf_u8(w, j + 1 < ntrans ? 3 : 0);
			wbuf_u8(w, 0);
			wbuf_u16(w, 0);
			wbuf_u8(w, TRANS_ENCR);
			wbuf_u8(w, 0);
			wbuf_u16(w, ENCR_AES_CBC);
			for (k = 0; k < nattrs; k++) {
				wbuf_u16(w, (uint16_t)(0x8000 | (100 + k)));
				wbuf_u16(w, 1);
			}
			wbuf_put_u16_at(w, toff + 2, (uint16_t)(w->len - toff));
		}
		wbuf_put_u16_at(w, poff + 2, (uint16_t)(w->len - poff));
	}
	wbuf_put_u16_at(w, off + 2, (uint16_t)(w->len - off));
}

START_TEST(limits_at_and_above)
{
	struct wbuf w;
	struct ike_err err;
	unsigned i;

	wbuf_init(&w);
	gen_sa(&w, IKE_MAX_PROPOSALS, 1, 0);
	parse_gen(&w, PL_SA, IKE_OK);
	wbuf_reset(&w);
	gen_sa(&w, IKE_MAX_PROPOSALS + 1, 1, 0);
	err = parse_gen(&w, PL_SA, IKE_ERR_LIMIT);
	ck_assert(strstr(err.reason, "more than 64 proposals"));
	ck_assert_uint_eq(err.notify, N_INVALID_SYNTAX);

	wbuf_reset(&w);
	gen_sa(&w, 1, IKE_MAX_TRANSFORMS, IKE_MAX_ATTRS);
	parse_gen(&w, PL_SA, IKE_OK);
	wbuf_reset(&w);
	gen_sa(&w, 1, 1, IKE_MAX_ATTRS + 1);
	err = parse_gen(&w, PL_SA, IKE_ERR_LIMIT);
	ck_assert(strstr(err.reason, "more than 16 attributes"));

	/* 64 / 65 selectors */
	for (i = IKE_MAX_TS; i <= IKE_MAX_TS + 1; i++) {
		size_t off, k;

		wbuf_reset(&w);
		off = wbuf_reserve(&w, 4);
		wbuf_u8(&w, (uint8_t)i);
		wbuf_zero(&w, 3);
		for (k = 0; k < i; k++) {
			wbuf_u8(&w, TS_IPV4_ADDR_RANGE);
			wbuf_u8(&w, 0);
			wbuf_u16(&w, 16);
			wbuf_u16(&w, 0);
			wbuf_u16(&w, 65535);
			wbuf_u32(&w, 0x0a000000 + (uint32_t)k);
			wbuf_u32(&w, 0x0a0000ff + (uint32_t)k);
		}
		wbuf_put_u16_at(&w, off + 2, (uint16_t)(w.len - off));
		parse_gen(&w, PL_TSI, i <= IKE_MAX_TS ? IKE_OK : IKE_ERR_LIMIT);
	}

	/* 64 / 65 CP attributes */
	for (i = IKE_MAX_CP_ATTRS; i <= IKE_MAX_CP_ATTRS + 1; i++) {
		size_t off, k;

		wbuf_reset(&w);
		off = wbuf_reserve(&w, 4);
		wbuf_u8(&w, CFG_REQUEST);
		wbuf_zero(&w, 3);
		for (k = 0; k < i; k++) {
			wbuf_u16(&w, INTERNAL_IP4_DNS);
			wbuf_u16(&w, 0);
		}
		wbuf_put_u16_at(&w, off + 2, (uint16_t)(w.len - off));
		err = parse_gen(&w, PL_CP, i <= IKE_MAX_CP_ATTRS ? IKE_OK : IKE_ERR_LIMIT);
	}
	ck_assert(strstr(err.reason, "CP: more than 64 attributes"));

	/* 256 SPIs in a Delete */
	wbuf_reset(&w);
	wbuf_u8(&w, 0);
	wbuf_u8(&w, 0);
	wbuf_u16(&w, 8 + 4 * IKE_MAX_DELETE_SPIS);
	wbuf_u8(&w, PROTO_ESP);
	wbuf_u8(&w, 4);
	wbuf_u16(&w, IKE_MAX_DELETE_SPIS);
	for (i = 0; i < IKE_MAX_DELETE_SPIS; i++)
		wbuf_u32(&w, 0xc0000000 + i);
	parse_gen(&w, PL_DELETE, IKE_OK);

	/* 128 / 129 payloads: a long next-payload chain of Vendor IDs */
	for (i = IKE_MAX_PAYLOADS; i <= IKE_MAX_PAYLOADS + 1; i++) {
		unsigned k;

		wbuf_reset(&w);
		for (k = 0; k < i; k++) {
			wbuf_u8(&w, k + 1 < i ? PL_VENDOR : PL_NONE);
			wbuf_u8(&w, 0);
			wbuf_u16(&w, 4);
		}
		err = parse_gen(&w, PL_VENDOR, i <= IKE_MAX_PAYLOADS ? IKE_OK : IKE_ERR_LIMIT);
	}
	ck_assert(strstr(err.reason, "more than 128 payloads"));
	ck_assert_uint_eq(err.payload, PL_VENDOR);
	wbuf_free(&w);
}
END_TEST

/* Every prefix of a valid message is refused (the length field no longer
 * matches) and every prefix of a valid chain parses or fails cleanly. */
START_TEST(every_truncation_fails_cleanly)
{
	uint8_t chain[256], dgram[300];
	size_t clen = test_unhex(
		"22 00 0014 00 00 0010 01 01 00 01" T_LAST
		"28 00 000c 0013 0000 01020304"
		"29 00 0014" N16
		"2c 00 000c 01 02 4009 01020304"
		"2d 00 0018 01 000000 07 00 0010 0000 ffff 0a000000 0affffff"
		"2f 00 0018 01 000000 07 00 0010 0000 ffff 0a000000 0affffff"
		"00 00 000c 01 000000 0001 0000", chain, sizeof(chain));
	size_t len = mkdgram(dgram, sizeof(dgram), PL_SA, REQ, chain, clen), cut;
	struct ike_msg *m = malloc(sizeof(*m));
	struct ike_err err;

	ck_assert_int_eq(ike_msg_parse(m, dgram, len, &err), IKE_OK);
	ck_assert_uint_eq(m->npl, 7);
	ike_msg_free(m);
	for (cut = 0; cut < len; cut++) {
		ck_assert_int_ne(ike_msg_parse(m, dgram, cut, &err), IKE_OK);
		ck_assert(err.reason[0]);
		ike_msg_free(m);
	}
	for (cut = 0; cut < clen; cut++) {
		ike_msg_init(m);
		ck_assert_int_ne(ike_msg_parse_inner(m, PL_SA, chain, cut, &err), IKE_OK);
		ck_assert_uint_eq(m->npl, 0);
		ike_msg_free(m);
	}
	free(m);
}
END_TEST

static Suite *ike_malformed_suite(void)
{
	Suite *s = suite_create("ike_malformed");
	TCase *tc = tcase_create("malformed");

	tcase_add_loop_test(tc, malformed_chain, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_loop_test(tc, malformed_header, 0, sizeof(bad_hdr) / sizeof(bad_hdr[0]));
	tcase_add_test(tc, minor_version_ignored_and_header_only);
	tcase_add_test(tc, unknown_noncritical_payloads_skipped);
	tcase_add_test(tc, payloads_before_an_error_stay_listed);
	tcase_add_test(tc, critical_bit_on_known_payload_is_fine);
	tcase_add_test(tc, empty_selector_range_parses_and_is_reported);
	tcase_add_test(tc, response_sa_keeps_chosen_number);
	tcase_add_test(tc, encrypted_payload_inside_inner_chain_refused);
	tcase_add_test(tc, limits_at_and_above);
	tcase_add_test(tc, every_truncation_fails_cleanly);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ike_malformed_suite)
