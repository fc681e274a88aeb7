/* Proposal keywords to IANA transform ids. The keyword set is what the
 * crypto layer supports; everything else is refused by name. */
#include "config/proposal.h"

#include "ike/iana.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum kw_kind {
	KW_ENCR,
	KW_HASH,	/* shaN: integrity, and IKE prf unless one is given */
	KW_PRF,
	KW_KE,
	KW_ESN,
};

struct keyword {
	const char *name;
	enum kw_kind kind;
	uint16_t id;
	uint16_t bits;		/* ENCR: key length attribute (0: none) */
	bool aead;
	uint16_t prf;		/* HASH: the matching prf */
};

/* The first entry for an id is its canonical name (used by format). */
static const struct keyword keywords[] = {
	{ "aes128", KW_ENCR, ENCR_AES_CBC, 128, false, 0 },
	{ "aes192", KW_ENCR, ENCR_AES_CBC, 192, false, 0 },
	{ "aes256", KW_ENCR, ENCR_AES_CBC, 256, false, 0 },
	{ "aes", KW_ENCR, ENCR_AES_CBC, 128, false, 0 },
	{ "aes128gcm16", KW_ENCR, ENCR_AES_GCM_16, 128, true, 0 },
	{ "aes256gcm16", KW_ENCR, ENCR_AES_GCM_16, 256, true, 0 },
	{ "aes128gcm128", KW_ENCR, ENCR_AES_GCM_16, 128, true, 0 },
	{ "aes256gcm128", KW_ENCR, ENCR_AES_GCM_16, 256, true, 0 },
	{ "chacha20poly1305", KW_ENCR, ENCR_CHACHA20_POLY1305, 0, true, 0 },
	{ "sha1", KW_HASH, AUTH_HMAC_SHA1_96, 0, false, PRF_HMAC_SHA1 },
	{ "sha256", KW_HASH, AUTH_HMAC_SHA2_256_128, 0, false, PRF_HMAC_SHA2_256 },
	{ "sha384", KW_HASH, AUTH_HMAC_SHA2_384_192, 0, false, PRF_HMAC_SHA2_384 },
	{ "sha512", KW_HASH, AUTH_HMAC_SHA2_512_256, 0, false, PRF_HMAC_SHA2_512 },
	{ "sha", KW_HASH, AUTH_HMAC_SHA1_96, 0, false, PRF_HMAC_SHA1 },
	{ "sha2_256", KW_HASH, AUTH_HMAC_SHA2_256_128, 0, false, PRF_HMAC_SHA2_256 },
	{ "sha2_384", KW_HASH, AUTH_HMAC_SHA2_384_192, 0, false, PRF_HMAC_SHA2_384 },
	{ "sha2_512", KW_HASH, AUTH_HMAC_SHA2_512_256, 0, false, PRF_HMAC_SHA2_512 },
	{ "prfsha1", KW_PRF, PRF_HMAC_SHA1, 0, false, 0 },
	{ "prfsha256", KW_PRF, PRF_HMAC_SHA2_256, 0, false, 0 },
	{ "prfsha384", KW_PRF, PRF_HMAC_SHA2_384, 0, false, 0 },
	{ "prfsha512", KW_PRF, PRF_HMAC_SHA2_512, 0, false, 0 },
	{ "modp2048", KW_KE, KE_MODP_2048, 0, false, 0 },
	{ "modp3072", KW_KE, KE_MODP_3072, 0, false, 0 },
	{ "modp4096", KW_KE, KE_MODP_4096, 0, false, 0 },
	{ "ecp256", KW_KE, KE_ECP_256, 0, false, 0 },
	{ "ecp384", KW_KE, KE_ECP_384, 0, false, 0 },
	{ "ecp521", KW_KE, KE_ECP_521, 0, false, 0 },
	{ "x25519", KW_KE, KE_CURVE25519, 0, false, 0 },
	{ "curve25519", KW_KE, KE_CURVE25519, 0, false, 0 },
	{ "x448", KW_KE, KE_CURVE448, 0, false, 0 },
	{ "curve448", KW_KE, KE_CURVE448, 0, false, 0 },
	{ "noesn", KW_ESN, ESN_NO, 0, false, 0 },
	{ "esn", KW_ESN, ESN_YES, 0, false, 0 },
};

/* Known to strongSwan but not offered by cygnet: refused as unsupported
 * rather than unknown, so the operator knows the spelling was right. */
static const char *const unsupported[] = {
	"3des", "des", "blowfish", "cast128", "null", "md5", "md5_128",
	"aesxcbc", "aescmac", "prfmd5", "prfaesxcbc", "prfaescmac",
	"modp768", "modp1024", "modp1536", "modp6144", "modp8192",
	"modp1024s160", "modp2048s224", "modp2048s256", "ecp192", "ecp224",
	"ecp224bp", "ecp256bp", "ecp384bp", "ecp512bp", "sha256_96",
	"aes192gcm16", "aes192gcm128", "camellia128", "camellia192",
	"camellia256", "serpent", "twofish", "sha3_256", "sha3_384", "sha3_512",
	"aes128gmac", "aes256gmac", "ke1_mlkem768", "mlkem768",
};

static const char *const default_ike[PROPOSAL_N_DEFAULTS] = {
	"aes256gcm16-aes128gcm16-chacha20poly1305-prfsha256-prfsha384-prfsha512-x25519-ecp256-ecp384-modp3072",
	"aes256-aes128-sha256-sha384-sha512-x25519-ecp256-ecp384-modp3072",
};
static const char *const default_esp[PROPOSAL_N_DEFAULTS] = {
	"aes256gcm16-aes128gcm16-chacha20poly1305",
	"aes256-aes128-sha256-sha384-sha512",
};

static bool perr(struct proposal_err *err, const char *kw, unsigned pos,
		 size_t off, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static bool perr(struct proposal_err *err, const char *kw, unsigned pos,
		 size_t off, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return false;
	snprintf(err->keyword, sizeof(err->keyword), "%s", kw ? kw : "");
	err->position = pos;
	err->offset = off;
	va_start(ap, fmt);
	vsnprintf(err->what, sizeof(err->what), fmt, ap);
	va_end(ap);
	return false;
}

static const struct keyword *kw_find(const char *s)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcmp(keywords[i].name, s) == 0)
			return &keywords[i];
	return NULL;
}

static bool is_unsupported(const char *s)
{
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (strcmp(unsupported[i], s) == 0)
			return true;
	/* aes*gcm8/12/64/96, aes*ccm*, aes*ctr: right family, wrong variant */
	return strncmp(s, "aes", 3) == 0 &&
	       (strstr(s, "gcm") || strstr(s, "ccm") || strstr(s, "ctr"));
}

static bool add_u16(uint16_t *arr, size_t *n, uint16_t v)
{
	for (size_t i = 0; i < *n; i++)
		if (arr[i] == v)
			return true;	/* repeated keyword: once is enough */
	if (*n >= PROPOSAL_MAX_ALGS)
		return false;
	arr[(*n)++] = v;
	return true;
}

static bool add_encr(struct proposal *p, const struct keyword *k)
{
	for (size_t i = 0; i < p->n_encr; i++)
		if (p->encr[i].id == k->id && p->encr[i].key_bits == k->bits)
			return true;
	if (p->n_encr >= PROPOSAL_MAX_ALGS)
		return false;
	p->encr[p->n_encr].id = k->id;
	p->encr[p->n_encr].key_bits = k->bits;
	p->n_encr++;
	return true;
}

/* Per-keyword state while scanning: where the first of a kind was. */
struct scan {
	uint16_t hash_prf[PROPOSAL_MAX_ALGS];
	size_t n_hash_prf;
	char first_encr[64], first_integ[64];
	unsigned integ_pos;
	size_t integ_off;
};

static bool take_keyword(enum proposal_proto proto, const struct keyword *k,
			 const char *kw, unsigned pos, size_t off,
			 struct proposal *p, struct scan *sc,
			 struct proposal_err *err)
{
	bool ok = true;

	switch (k->kind) {
	case KW_ENCR:
		if (p->n_encr && p->aead != k->aead)
			return perr(err, kw, pos, off,
				    "cannot mix AEAD and non-AEAD encryption ('%s' and '%s') in one proposal",
				    sc->first_encr, kw);
		if (!p->n_encr)
			snprintf(sc->first_encr, sizeof(sc->first_encr), "%s", kw);
		p->aead = k->aead;
		ok = add_encr(p, k);
		break;
	case KW_HASH:
		if (!p->n_integ) {
			snprintf(sc->first_integ, sizeof(sc->first_integ), "%s", kw);
			sc->integ_pos = pos;
			sc->integ_off = off;
		}
		ok = add_u16(p->integ, &p->n_integ, k->id);
		if (ok && proto == PROPOSAL_IKE)
			ok = add_u16(sc->hash_prf, &sc->n_hash_prf, k->prf);
		break;
	case KW_PRF:
		if (proto == PROPOSAL_ESP)
			return perr(err, kw, pos, off,
				    "'%s': ESP proposals take no PRF", kw);
		ok = add_u16(p->prf, &p->n_prf, k->id);
		break;
	case KW_KE:
		ok = add_u16(p->ke, &p->n_ke, k->id);
		break;
	case KW_ESN:
		if (proto == PROPOSAL_IKE)
			return perr(err, kw, pos, off,
				    "'%s' applies to ESP proposals only", kw);
		ok = add_u16(p->esn, &p->n_esn, k->id);
		break;
	}
	if (!ok)
		return perr(err, kw, pos, off,
			    "too many algorithms of one type (at most %d)",
			    PROPOSAL_MAX_ALGS);
	return true;
}

static bool check_rules(enum proposal_proto proto, struct proposal *p,
			struct scan *sc, struct proposal_err *err)
{
	if (!p->n_encr)
		return perr(err, NULL, 0, 0, "no encryption algorithm");
	if (p->aead && p->n_integ)
		return perr(err, sc->first_integ, sc->integ_pos, sc->integ_off,
			    "AEAD algorithm '%s' cannot be combined with integrity algorithm '%s'%s",
			    sc->first_encr, sc->first_integ,
			    proto == PROPOSAL_IKE ? " (use prf<hash>, e.g. prfsha256)" : "");
	if (!p->aead && !p->n_integ)
		return perr(err, NULL, 0, 0,
			    "'%s' needs an integrity algorithm (e.g. sha256)",
			    sc->first_encr);
	if (proto == PROPOSAL_IKE) {
		if (!p->n_prf) {
			if (!sc->n_hash_prf)
				return perr(err, NULL, 0, 0,
					    "IKE proposal needs a PRF (e.g. prfsha256)");
			memcpy(p->prf, sc->hash_prf, sizeof(p->prf));
			p->n_prf = sc->n_hash_prf;
		}
		if (!p->n_ke)
			return perr(err, NULL, 0, 0,
				    "IKE proposal needs a key exchange group (e.g. x25519)");
	} else if (!p->n_esn) {
		p->esn[p->n_esn++] = ESN_NO;
	}
	return true;
}

bool proposal_parse(enum proposal_proto proto, const char *s,
		    struct proposal *out, struct proposal_err *err)
{
	struct scan sc = { 0 };
	unsigned pos = 0;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	out->proto = proto;
	if (!*s)
		return perr(err, NULL, 0, 0, "empty proposal");
	for (;;) {
		size_t start = i, len;
		char kw[64];
		const struct keyword *k;

		while (s[i] && s[i] != '-')
			i++;
		len = i - start;
		pos++;
		if (len >= sizeof(kw))
			return perr(err, NULL, pos, start,
				    "algorithm %u is too long", pos);
		memcpy(kw, s + start, len);
		kw[len] = '\0';
		if (!len)
			return perr(err, kw, pos, start,
				    "empty algorithm at position %u", pos);
		k = kw_find(kw);
		if (!k) {
			if (strcmp(kw, "default") == 0)
				return perr(err, kw, pos, start,
					    "'default' must stand alone as a list item");
			if (is_unsupported(kw))
				return perr(err, kw, pos, start,
					    "unsupported algorithm '%s' at position %u",
					    kw, pos);
			return perr(err, kw, pos, start,
				    "unknown algorithm '%s' at position %u", kw, pos);
		}
		if (!take_keyword(proto, k, kw, pos, start, out, &sc, err))
			return false;
		if (!s[i])
			break;
		i++;
	}
	return check_rules(proto, out, &sc, err);
}

size_t proposal_defaults(enum proposal_proto proto, struct proposal *out,
			 size_t max)
{
	const char *const *list = proto == PROPOSAL_IKE ? default_ike : default_esp;
	size_t n = 0;

	for (size_t i = 0; i < PROPOSAL_N_DEFAULTS && n < max; i++)
		if (proposal_parse(proto, list[i], &out[n], NULL))
			n++;
	return n;
}

static const char *kw_name(enum kw_kind kind, uint16_t id, uint16_t bits)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (keywords[i].kind == kind && keywords[i].id == id &&
		    (kind != KW_ENCR || keywords[i].bits == bits))
			return keywords[i].name;
	return "?";
}

static void put(char *buf, size_t len, size_t *off, const char *kw)
{
	int w;

	if (*off >= len)
		return;
	w = snprintf(buf + *off, len - *off, "%s%s", *off ? "-" : "", kw);
	if (w > 0)
		*off += (size_t)w;
}

void proposal_format(const struct proposal *p, char *buf, size_t len)
{
	size_t off = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < p->n_encr; i++)
		put(buf, len, &off, kw_name(KW_ENCR, p->encr[i].id, p->encr[i].key_bits));
	for (size_t i = 0; i < p->n_integ; i++)
		put(buf, len, &off, kw_name(KW_HASH, p->integ[i], 0));
	for (size_t i = 0; i < p->n_prf; i++)
		put(buf, len, &off, kw_name(KW_PRF, p->prf[i], 0));
	for (size_t i = 0; i < p->n_ke; i++)
		put(buf, len, &off, kw_name(KW_KE, p->ke[i], 0));
	for (size_t i = 0; i < p->n_esn; i++)
		put(buf, len, &off, kw_name(KW_ESN, p->esn[i], 0));
}
