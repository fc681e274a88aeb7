/* RFC 7427 AlgorithmIdentifiers and hash negotiation (see sigalg.h). The
 * DER is built and parsed with OpenSSL's ASN.1 code (X509_ALGOR,
 * RSA_PSS_PARAMS), never by hand. */
#include "crypto/sigalg.h"

#include <string.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ike/iana.h"
#include "lib/rd.h"
#include "lib/wbuf.h"

struct sigalg_info {
	const char *name;
	uint16_t hash;		/* enum ike_hash_id */
	enum pubkey_type key;
	int sig_nid;		/* AlgorithmIdentifier OID */
	int md_nid;		/* NID_undef for EdDSA */
	const char *md;
	bool pss;
};

static const struct sigalg_info sigalg_table[SIG_SCHEME_COUNT] = {
	[SIG_RSA_PKCS1_SHA1] = { "rsa-pkcs1-sha1", HASH_SHA1, PUBKEY_RSA,
		NID_sha1WithRSAEncryption, NID_sha1, "SHA1", false },
	[SIG_RSA_PKCS1_SHA256] = { "rsa-pkcs1-sha256", HASH_SHA2_256, PUBKEY_RSA,
		NID_sha256WithRSAEncryption, NID_sha256, "SHA2-256", false },
	[SIG_RSA_PKCS1_SHA384] = { "rsa-pkcs1-sha384", HASH_SHA2_384, PUBKEY_RSA,
		NID_sha384WithRSAEncryption, NID_sha384, "SHA2-384", false },
	[SIG_RSA_PKCS1_SHA512] = { "rsa-pkcs1-sha512", HASH_SHA2_512, PUBKEY_RSA,
		NID_sha512WithRSAEncryption, NID_sha512, "SHA2-512", false },
	[SIG_RSA_PSS_SHA256] = { "rsa-pss-sha256", HASH_SHA2_256, PUBKEY_RSA,
		NID_rsassaPss, NID_sha256, "SHA2-256", true },
	[SIG_RSA_PSS_SHA384] = { "rsa-pss-sha384", HASH_SHA2_384, PUBKEY_RSA,
		NID_rsassaPss, NID_sha384, "SHA2-384", true },
	[SIG_RSA_PSS_SHA512] = { "rsa-pss-sha512", HASH_SHA2_512, PUBKEY_RSA,
		NID_rsassaPss, NID_sha512, "SHA2-512", true },
	[SIG_ECDSA_SHA256] = { "ecdsa-sha256", HASH_SHA2_256, PUBKEY_ECDSA,
		NID_ecdsa_with_SHA256, NID_sha256, "SHA2-256", false },
	[SIG_ECDSA_SHA384] = { "ecdsa-sha384", HASH_SHA2_384, PUBKEY_ECDSA,
		NID_ecdsa_with_SHA384, NID_sha384, "SHA2-384", false },
	[SIG_ECDSA_SHA512] = { "ecdsa-sha512", HASH_SHA2_512, PUBKEY_ECDSA,
		NID_ecdsa_with_SHA512, NID_sha512, "SHA2-512", false },
	[SIG_ED25519] = { "ed25519", HASH_IDENTITY, PUBKEY_ED25519,
		NID_ED25519, NID_undef, NULL, false },
	[SIG_ED448] = { "ed448", HASH_IDENTITY, PUBKEY_ED448,
		NID_ED448, NID_undef, NULL, false },
};

static const struct sigalg_info *sigalg_get(enum sig_scheme s)
{
	if (s <= SIG_NONE || s >= SIG_SCHEME_COUNT)
		return NULL;
	return &sigalg_table[s];
}

const char *sigalg_name(enum sig_scheme s)
{
	const struct sigalg_info *i = sigalg_get(s);
	return i ? i->name : "none";
}

uint16_t sigalg_hash(enum sig_scheme s)
{
	const struct sigalg_info *i = sigalg_get(s);
	return i ? i->hash : 0;
}

enum pubkey_type sigalg_key_type(enum sig_scheme s)
{
	const struct sigalg_info *i = sigalg_get(s);
	return i ? i->key : PUBKEY_NONE;
}

const char *sigalg_md_name(enum sig_scheme s)
{
	const struct sigalg_info *i = sigalg_get(s);
	return i ? i->md : NULL;
}

int sigalg_md_len(enum sig_scheme s)
{
	const struct sigalg_info *i = sigalg_get(s);
	const EVP_MD *md;

	if (!i || i->md_nid == NID_undef)
		return 0;
	md = EVP_get_digestbynid(i->md_nid);
	return md ? EVP_MD_get_size(md) : 0;
}

enum sig_scheme sigalg_for_key(const EVP_PKEY *k, uint16_t hash_id, bool rsa_pss)
{
	enum pubkey_type t = pubkey_type(k);

	switch (t) {
	case PUBKEY_RSA:
		switch (hash_id) {
		case HASH_SHA2_256: return rsa_pss ? SIG_RSA_PSS_SHA256 : SIG_RSA_PKCS1_SHA256;
		case HASH_SHA2_384: return rsa_pss ? SIG_RSA_PSS_SHA384 : SIG_RSA_PKCS1_SHA384;
		case HASH_SHA2_512: return rsa_pss ? SIG_RSA_PSS_SHA512 : SIG_RSA_PKCS1_SHA512;
		default: return SIG_NONE;
		}
	case PUBKEY_ECDSA:
		switch (hash_id) {
		case HASH_SHA2_256: return SIG_ECDSA_SHA256;
		case HASH_SHA2_384: return SIG_ECDSA_SHA384;
		case HASH_SHA2_512: return SIG_ECDSA_SHA512;
		default: return SIG_NONE;
		}
	case PUBKEY_ED25519:
		return hash_id == HASH_IDENTITY ? SIG_ED25519 : SIG_NONE;
	case PUBKEY_ED448:
		return hash_id == HASH_IDENTITY ? SIG_ED448 : SIG_NONE;
	case PUBKEY_NONE:
		break;
	}
	return SIG_NONE;
}

/* AlgorithmIdentifier { hash OID, NULL } as RFC 4055 and RFC 7427 A.4.3
 * write the PSS hash and MGF1 parameters. */
static X509_ALGOR *sigalg_md_algor(int md_nid)
{
	X509_ALGOR *a = X509_ALGOR_new();

	if (a && !X509_ALGOR_set0(a, OBJ_nid2obj(md_nid), V_ASN1_NULL, NULL)) {
		X509_ALGOR_free(a);
		a = NULL;
	}
	return a;
}

static bool sigalg_set_int(ASN1_INTEGER **dst, long v)
{
	*dst = ASN1_INTEGER_new();
	return *dst && ASN1_INTEGER_set(*dst, v);
}

/* Full RSASSA-PSS-params: hash, MGF1 with the same hash, salt = hash
 * length, trailerField 1 spelled out (RFC 7427 Appendix A.4.3). */
static ASN1_STRING *sigalg_pss_params(const struct sigalg_info *i, int salt)
{
	RSA_PSS_PARAMS *pss = RSA_PSS_PARAMS_new();
	X509_ALGOR *mgf_md = NULL;
	ASN1_STRING *mgf_str = NULL, *out = NULL;

	if (!pss)
		return NULL;
	pss->hashAlgorithm = sigalg_md_algor(i->md_nid);
	mgf_md = sigalg_md_algor(i->md_nid);
	pss->maskGenAlgorithm = X509_ALGOR_new();
	if (!pss->hashAlgorithm || !mgf_md || !pss->maskGenAlgorithm)
		goto out;
	if (!ASN1_item_pack(mgf_md, ASN1_ITEM_rptr(X509_ALGOR), &mgf_str))
		goto out;
	if (!X509_ALGOR_set0(pss->maskGenAlgorithm, OBJ_nid2obj(NID_mgf1),
			     V_ASN1_SEQUENCE, mgf_str))
		goto out;
	mgf_str = NULL;
	if (!sigalg_set_int(&pss->saltLength, salt) ||
	    !sigalg_set_int(&pss->trailerField, 1))
		goto out;
	ASN1_item_pack(pss, ASN1_ITEM_rptr(RSA_PSS_PARAMS), &out);
out:
	ASN1_STRING_free(mgf_str);
	X509_ALGOR_free(mgf_md);
	RSA_PSS_PARAMS_free(pss);
	return out;
}

bool sigalg_encode(enum sig_scheme s, struct chunk *out)
{
	const struct sigalg_info *i = sigalg_get(s);
	X509_ALGOR *a;
	ASN1_STRING *params = NULL;
	unsigned char *der = NULL;
	int len = -1;
	bool ok = false;

	out->ptr = NULL;
	out->len = 0;
	if (!i || !(a = X509_ALGOR_new()))
		return false;
	if (i->pss) {
		params = sigalg_pss_params(i, sigalg_md_len(s));
		if (!params || !X509_ALGOR_set0(a, OBJ_nid2obj(i->sig_nid),
						V_ASN1_SEQUENCE, params))
			goto out;
		params = NULL;
	} else if (i->key == PUBKEY_RSA) {
		/* PKCS#1 v1.5: NULL parameters (RFC 4055 section 5) */
		if (!X509_ALGOR_set0(a, OBJ_nid2obj(i->sig_nid), V_ASN1_NULL, NULL))
			goto out;
	} else {
		/* ECDSA (RFC 5758) and EdDSA (RFC 8410): parameters absent */
		if (!X509_ALGOR_set0(a, OBJ_nid2obj(i->sig_nid), V_ASN1_UNDEF, NULL))
			goto out;
	}
	len = i2d_X509_ALGOR(a, &der);
	ok = len > 0 && len < 256 && chunk_dup(out, der, (size_t)len);
out:
	OPENSSL_free(der);
	ASN1_STRING_free(params);
	X509_ALGOR_free(a);
	return ok;
}

static bool sigalg_param_null_or_absent(const X509_ALGOR *a)
{
	int ptype;
	const void *pval;

	X509_ALGOR_get0(NULL, &ptype, &pval, a);
	return ptype == V_ASN1_UNDEF || ptype == V_ASN1_NULL;
}

static bool sigalg_param_absent(const X509_ALGOR *a)
{
	int ptype;
	const void *pval;

	X509_ALGOR_get0(NULL, &ptype, &pval, a);
	return ptype == V_ASN1_UNDEF;
}

/* Hash AlgorithmIdentifier inside PSS params: SHA-256/384/512 with NULL or
 * absent parameters (RFC 4055 allows both). */
static int sigalg_pss_md(const X509_ALGOR *a)
{
	const ASN1_OBJECT *obj;
	int nid;

	X509_ALGOR_get0(&obj, NULL, NULL, a);
	nid = OBJ_obj2nid(obj);
	if (nid != NID_sha256 && nid != NID_sha384 && nid != NID_sha512)
		return NID_undef;
	return sigalg_param_null_or_absent(a) ? nid : NID_undef;
}

static bool sigalg_decode_pss(const X509_ALGOR *a, struct sigalg *out,
			      const char **reason)
{
	int ptype;
	const void *pval;
	RSA_PSS_PARAMS *pss = NULL;
	X509_ALGOR *mgf_md = NULL;
	const ASN1_OBJECT *mgf_obj;
	int md_nid, mgf_nid = NID_undef, mgf_ptype;
	const void *mgf_pval;
	int64_t salt = 20, trailer = 1;	/* RFC 4055 defaults */
	bool ok = false;

	X509_ALGOR_get0(NULL, &ptype, &pval, a);
	if (ptype != V_ASN1_SEQUENCE) {
		/* RFC 7427 A.4.1/A.4.2: defaults mean SHA-1, which we refuse */
		*reason = "RSASSA-PSS without parameters (SHA-1) not accepted";
		return false;
	}
	pss = ASN1_item_unpack(pval, ASN1_ITEM_rptr(RSA_PSS_PARAMS));
	if (!pss) {
		*reason = "malformed RSASSA-PSS parameters";
		return false;
	}
	md_nid = pss->hashAlgorithm ? sigalg_pss_md(pss->hashAlgorithm) : NID_sha1;
	if (md_nid == NID_undef || md_nid == NID_sha1) {
		*reason = "RSASSA-PSS hash not SHA-256/384/512";
		goto out;
	}
	if (!pss->maskGenAlgorithm) {
		*reason = "RSASSA-PSS default MGF (MGF1-SHA1) not accepted";
		goto out;
	}
	X509_ALGOR_get0(&mgf_obj, &mgf_ptype, &mgf_pval, pss->maskGenAlgorithm);
	if (OBJ_obj2nid(mgf_obj) != NID_mgf1 || mgf_ptype != V_ASN1_SEQUENCE) {
		*reason = "RSASSA-PSS mask generation is not MGF1";
		goto out;
	}
	mgf_md = ASN1_item_unpack(mgf_pval, ASN1_ITEM_rptr(X509_ALGOR));
	if (mgf_md)
		mgf_nid = sigalg_pss_md(mgf_md);
	if (mgf_nid != md_nid) {
		*reason = "RSASSA-PSS MGF1 hash differs from the message hash";
		goto out;
	}
	if (pss->saltLength && (!ASN1_INTEGER_get_int64(&salt, pss->saltLength) ||
				salt < 0 || salt > 1024)) {
		*reason = "RSASSA-PSS salt length out of range";
		goto out;
	}
	if (pss->trailerField && (!ASN1_INTEGER_get_int64(&trailer,
							   pss->trailerField) ||
				  trailer != 1)) {
		*reason = "RSASSA-PSS trailerField is not 1";
		goto out;
	}
	out->scheme = md_nid == NID_sha256 ? SIG_RSA_PSS_SHA256 :
		      md_nid == NID_sha384 ? SIG_RSA_PSS_SHA384 : SIG_RSA_PSS_SHA512;
	out->pss_salt_len = (int)salt;
	ok = true;
out:
	X509_ALGOR_free(mgf_md);
	RSA_PSS_PARAMS_free(pss);
	return ok;
}

/* d2i tolerates some BER (long-form lengths); a signature's algorithm must
 * be the one DER encoding, so re-encode and compare. */
static bool sigalg_is_der(const X509_ALGOR *a, const uint8_t *p, size_t len)
{
	unsigned char *der = NULL;
	int n = i2d_X509_ALGOR(a, &der);
	bool same = n > 0 && (size_t)n == len && memcmp(der, p, len) == 0;

	OPENSSL_free(der);
	return same;
}

enum sigalg_decode_status sigalg_decode(const uint8_t *p, size_t len,
					struct sigalg *out, const char **reason)
{
	const unsigned char *in = p;
	X509_ALGOR *a;
	const ASN1_OBJECT *obj;
	int nid;
	enum sigalg_decode_status st = SIGALG_MALFORMED;

	out->scheme = SIG_NONE;
	out->pss_salt_len = 0;
	if (!p || !len || len > 255) {
		*reason = "AlgorithmIdentifier length out of range";
		return SIGALG_MALFORMED;
	}
	a = d2i_X509_ALGOR(NULL, &in, (long)len);
	if (!a) {
		*reason = "malformed AlgorithmIdentifier";
		return SIGALG_MALFORMED;
	}
	if ((size_t)(in - p) != len) {
		*reason = "trailing bytes after AlgorithmIdentifier";
		goto out;
	}
	if (!sigalg_is_der(a, p, len)) {
		*reason = "AlgorithmIdentifier is not DER";
		goto out;
	}
	st = SIGALG_UNKNOWN;
	X509_ALGOR_get0(&obj, NULL, NULL, a);
	nid = OBJ_obj2nid(obj);
	if (nid == NID_rsassaPss) {
		if (sigalg_decode_pss(a, out, reason))
			st = SIGALG_OK;
		goto out;
	}
	for (int s = SIG_NONE + 1; s < SIG_SCHEME_COUNT; s++) {
		const struct sigalg_info *i = &sigalg_table[s];

		if (i->pss || i->sig_nid != nid)
			continue;
		/* PKCS#1: NULL or absent parameters (both are seen in the wild);
		 * ECDSA and EdDSA: absent, as RFC 5758 and RFC 8410 require */
		if (i->key == PUBKEY_RSA ? !sigalg_param_null_or_absent(a) :
					   !sigalg_param_absent(a)) {
			*reason = "unexpected AlgorithmIdentifier parameters";
			goto out;
		}
		out->scheme = (enum sig_scheme)s;
		st = SIGALG_OK;
		goto out;
	}
	*reason = "unknown signature algorithm";
out:
	X509_ALGOR_free(a);
	return st;
}

static const uint16_t sigalg_our_hashes[] = {
	HASH_SHA2_256, HASH_SHA2_384, HASH_SHA2_512, HASH_IDENTITY,
};

bool sigalg_parse_hash_notify(const uint8_t *p, size_t len, uint16_t *ids,
			      size_t max, size_t *n, const char **reason)
{
	struct rd r = rd_init(p, len);
	uint16_t id;

	*n = 0;
	if (len % 2) {
		*reason = "SIGNATURE_HASH_ALGORITHMS data has odd length";
		return false;
	}
	while (rd_u16(&r, &id)) {
		bool dup = false;

		if (id < HASH_SHA1 || id > HASH_IDENTITY)
			continue;	/* unknown ids are ignored (RFC 7427) */
		for (size_t i = 0; i < *n; i++)
			dup |= ids[i] == id;
		if (!dup && *n < max)
			ids[(*n)++] = id;
	}
	return true;
}

bool sigalg_build_hash_notify(struct chunk *out)
{
	struct wbuf w;
	size_t len;
	uint8_t *p;

	wbuf_init(&w);
	for (size_t i = 0; i < sizeof(sigalg_our_hashes) / sizeof(sigalg_our_hashes[0]); i++)
		wbuf_u16(&w, sigalg_our_hashes[i]);
	if (!wbuf_ok(&w)) {
		wbuf_free(&w);
		return false;
	}
	p = wbuf_steal(&w, &len);
	out->ptr = p;
	out->len = len;
	return p != NULL;
}

static bool sigalg_in(const uint16_t *list, size_t n, uint16_t id)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == id)
			return true;
	return false;
}

uint16_t sigalg_pick_hash(const EVP_PKEY *k, const uint16_t *peer, size_t n)
{
	/* preference order per key: the matching strength first, then
	 * stronger, then weaker; SHA-1 never (RFC 8247) */
	static const uint16_t pref_256[] = { HASH_SHA2_256, HASH_SHA2_384, HASH_SHA2_512 };
	static const uint16_t pref_384[] = { HASH_SHA2_384, HASH_SHA2_512, HASH_SHA2_256 };
	static const uint16_t pref_512[] = { HASH_SHA2_512, HASH_SHA2_384, HASH_SHA2_256 };
	const uint16_t *pref = pref_256;

	switch (pubkey_type(k)) {
	case PUBKEY_ED25519:
	case PUBKEY_ED448:
		return sigalg_in(peer, n, HASH_IDENTITY) ? HASH_IDENTITY : 0;
	case PUBKEY_ECDSA:
		if (pubkey_bits(k) == 384)
			pref = pref_384;
		else if (pubkey_bits(k) == 521)
			pref = pref_512;
		break;
	case PUBKEY_RSA:
		break;
	case PUBKEY_NONE:
		return 0;
	}
	for (size_t i = 0; i < 3; i++)
		if (sigalg_in(peer, n, pref[i]))
			return pref[i];
	return 0;
}
