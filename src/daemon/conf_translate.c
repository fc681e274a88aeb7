#include "daemon/conf_translate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "crypto/pubkey.h"
#include "crypto/x509.h"
#include "crypto/x509_trust.h"
#include "ike/iana.h"

#include <dirent.h>
#include <unistd.h>

static X509 *load_cert(const char *confdir, const char *sub, const char *name,
		       char *why, size_t whylen)
{
	char path[1024];
	const char *reason = "";
	X509 *c;

	if (name[0] == '/') {
		snprintf(path, sizeof(path), "%s", name);
	} else {
		snprintf(path, sizeof(path), "%s/%s/%s", confdir, sub, name);
		if (access(path, R_OK) != 0)
			snprintf(path, sizeof(path), "%s/%s", confdir, name);
	}
	c = x509_load_file(path, &reason);
	if (!c)
		snprintf(why, whylen, "%s: %s", path, reason);
	return c;
}

/* The private key in confdir/{private,ecdsa,rsa,pkcs8}/ that fits cert. */
static EVP_PKEY *find_key(const char *confdir, X509 *cert)
{
	static const char *const dirs[] = { "private", "ecdsa", "rsa", "pkcs8" };
	EVP_PKEY *pub = x509_get_pubkey(cert), *found = NULL;

	for (size_t i = 0; pub && !found && i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char dir[1024];
		DIR *d;
		struct dirent *e;

		snprintf(dir, sizeof(dir), "%s/%s", confdir, dirs[i]);
		d = opendir(dir);
		while (d && !found && (e = readdir(d))) {
			char path[1280];
			const char *why;
			EVP_PKEY *k;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			k = pubkey_load_private_file(path, &why);
			if (k && pubkey_equal(k, pub))
				found = k;
			else
				pubkey_free(k);
		}
		if (d)
			closedir(d);
	}
	pubkey_free(pub);
	return found;
}

static void prop_copy(const struct proposal *p, struct ike_prop *out)
{
	memset(out, 0, sizeof(*out));
	out->protocol = p->proto == PROPOSAL_IKE ? PROTO_IKE : PROTO_ESP;
	for (size_t i = 0; i < p->n_encr && i < IKE_PROP_MAX_ALGS; i++) {
		out->encr[i].id = p->encr[i].id;
		out->encr[i].key_bits = p->encr[i].key_bits;
		out->n_encr++;
	}
	for (size_t i = 0; i < p->n_integ && i < IKE_PROP_MAX_ALGS; i++)
		out->integ[out->n_integ++] = p->integ[i];
	for (size_t i = 0; i < p->n_prf && i < IKE_PROP_MAX_ALGS; i++)
		out->prf[out->n_prf++] = p->prf[i];
	for (size_t i = 0; i < p->n_ke && i < IKE_PROP_MAX_ALGS; i++)
		out->ke[out->n_ke++] = p->ke[i];
	for (size_t i = 0; i < p->n_esn && i < 2; i++)
		out->esn[out->n_esn++] = p->esn[i];
	if (out->protocol == PROTO_ESP && !out->n_esn)
		out->esn[out->n_esn++] = ESN_NO;
}

static bool host_range(const struct config_host *h, struct ike_addr_range *out)
{
	memset(out, 0, sizeof(*out));
	switch (h->kind) {
	case HOST_ANY:
		return true;
	case HOST_ANY4:
		out->family = AF_INET;
		memset(out->to, 0xff, 4);
		return true;
	case HOST_ANY6:
		out->family = AF_INET6;
		memset(out->to, 0xff, 16);
		return true;
	case HOST_ADDR:
	case HOST_SUBNET:
	case HOST_RANGE:
		out->family = h->family;
		memcpy(out->from, h->from, 16);
		memcpy(out->to, h->to, 16);
		return true;
	case HOST_DNS:
		return false;
	}
	return false;
}

static void ts_copy(const struct config_ts *t, struct ike_ts_conf *out)
{
	memset(out, 0, sizeof(*out));
	out->dynamic = t->dynamic;
	if (!t->dynamic) {
		out->family = t->net.family;
		memcpy(out->from, t->net.from, 16);
		memcpy(out->to, t->net.to, 16);
	}
	out->proto = t->proto;
	out->port_from = t->port_from;
	out->port_to = t->port_to;
	if (!out->port_from && !out->port_to)
		out->port_to = 0xffff;
}

static bool load_auth(const struct config_conn *cc, const char *confdir,
		      struct ike_conf *c, char *why, size_t whylen)
{
	const struct config_auth *la = cc->n_local ? &cc->local[0] : NULL;
	const struct config_auth *ra = cc->n_remote ? &cc->remote[0] : NULL;

	if (la && la->method != CONFIG_AUTH_PSK) {
		if (!la->certs.n) {
			snprintf(why, whylen, "connection '%s': local auth needs certs", cc->name);
			return false;
		}
		c->local_cert = load_cert(confdir, "x509", la->certs.v[0], why, whylen);
		if (!c->local_cert)
			return false;
		c->local_key = find_key(confdir, c->local_cert);
		if (!c->local_key) {
			snprintf(why, whylen, "connection '%s': no private key in %s/private for %s",
				 cc->name, confdir, la->certs.v[0]);
			return false;
		}
		c->rsa_pss = la->rsa_pss;
	}
	if (ra && ra->method != CONFIG_AUTH_PSK) {
		c->trust = x509_trust_new();
		if (!c->trust)
			return false;
		for (size_t i = 0; i < ra->cacerts.n; i++) {
			X509 *ca = load_cert(confdir, "x509ca", ra->cacerts.v[i], why, whylen);
			const char *reason = "";
			bool ok;

			if (!ca)
				return false;
			ok = x509_trust_add(c->trust, ca, &reason);
			x509_free(ca);
			if (!ok) {
				snprintf(why, whylen, "connection '%s': cacert %s: %s", cc->name,
					 ra->cacerts.v[i], reason);
				return false;
			}
		}
		if (!ra->cacerts.n) {
			snprintf(why, whylen, "connection '%s': remote pubkey auth needs cacerts",
				 cc->name);
			return false;
		}
	}
	return true;
}

static bool one_conn(const struct config_conn *cc, const char *confdir,
		     struct ike_conf *c, char *why, size_t whylen)
{
	const struct config_auth *la = cc->n_local ? &cc->local[0] : NULL;
	const struct config_auth *ra = cc->n_remote ? &cc->remote[0] : NULL;

	for (size_t i = 0; i < cc->n_local_addrs && c->n_local_addrs < IKE_CONF_MAX_ADDRS; i++)
		if (host_range(&cc->local_addrs[i], &c->local_addrs[c->n_local_addrs]) &&
		    c->local_addrs[c->n_local_addrs].family)
			c->n_local_addrs++;
	for (size_t i = 0; i < cc->n_remote_addrs && c->n_remote_addrs < IKE_CONF_MAX_ADDRS; i++)
		if (host_range(&cc->remote_addrs[i], &c->remote_addrs[c->n_remote_addrs]) &&
		    c->remote_addrs[c->n_remote_addrs].family)
			c->n_remote_addrs++;
	for (size_t i = 0; i < cc->n_proposals && i < IKE_CONF_MAX_PROPS; i++)
		prop_copy(&cc->proposals[i], &c->props[c->n_props++]);
	if (!c->n_props) {
		snprintf(why, whylen, "connection '%s': no IKE proposals", cc->name);
		return false;
	}
	c->local_auth = la && la->method != CONFIG_AUTH_PSK ? IKE_AUTH_PUBKEY : IKE_AUTH_PSK;
	c->remote_auth = ra && ra->method != CONFIG_AUTH_PSK ? IKE_AUTH_PUBKEY : IKE_AUTH_PSK;
	if (!load_auth(cc, confdir, c, why, whylen))
		return false;
	if (!ike_id_from_string(la && la->id ? la->id : "%any", &c->local_id) ||
	    !ike_id_from_string(ra && ra->id ? ra->id : "%any", &c->remote_id)) {
		snprintf(why, whylen, "connection '%s': identity too long", cc->name);
		return false;
	}
	for (size_t i = 0; i < cc->n_vips; i++)
		if (cc->vips[i].family == AF_INET || cc->vips[i].kind == HOST_ANY ||
		    cc->vips[i].kind == HOST_ANY4)
			c->want_vip4 = true;
	for (size_t i = 0; i < cc->pools.n && i < IKE_CONF_MAX_POOLS; i++)
		snprintf(c->pools[c->n_pools++], IKE_NAME_MAX, "%s", cc->pools.v[i]);
	c->dpd_delay_s = (uint32_t)cc->dpd_delay;
	c->rekey_time_s = (uint32_t)cc->rekey_time;
	c->over_time_s = (uint32_t)cc->over_time;
	c->rand_time_s = (uint32_t)cc->rand_time;
	for (size_t i = 0; i < cc->n_children && i < IKE_CONF_MAX_CHILDREN; i++) {
		const struct config_child *ch = &cc->children[i];
		struct ike_child_conf *o = &c->children[c->n_children++];

		snprintf(o->name, sizeof(o->name), "%s", ch->name);
		for (size_t k = 0; k < ch->n_local_ts && k < IKE_CONF_MAX_TS; k++)
			ts_copy(&ch->local_ts[k], &o->local_ts[o->n_local_ts++]);
		for (size_t k = 0; k < ch->n_remote_ts && k < IKE_CONF_MAX_TS; k++)
			ts_copy(&ch->remote_ts[k], &o->remote_ts[o->n_remote_ts++]);
		if (!o->n_local_ts)
			ike_ts_conf_parse("dynamic", &o->local_ts[o->n_local_ts++]);
		if (!o->n_remote_ts)
			ike_ts_conf_parse("dynamic", &o->remote_ts[o->n_remote_ts++]);
		for (size_t k = 0; k < ch->n_esp && k < IKE_CONF_MAX_PROPS; k++)
			prop_copy(&ch->esp[k], &o->props[o->n_props++]);
		o->mode = ch->mode == CONFIG_MODE_TRANSPORT ? IKE_MODE_TRANSPORT : IKE_MODE_TUNNEL;
		o->start_action = ch->start_action == CONFIG_ACTION_START ? IKE_START_START :
				  ch->start_action == CONFIG_ACTION_TRAP ? IKE_START_TRAP :
				  IKE_START_NONE;
		o->rekey_time_s = (uint32_t)ch->rekey_time;
		o->life_time_s = (uint32_t)ch->life_time;
		o->rand_time_s = (uint32_t)ch->rand_time;
		o->rekey_bytes = ch->rekey_bytes;
		o->life_bytes = ch->life_bytes;
		o->rand_bytes = ch->rand_bytes;
		o->rekey_packets = ch->rekey_packets;
		o->life_packets = ch->life_packets;
		o->rand_packets = ch->rand_packets;
	}
	return true;
}

bool conf_translate(const struct config *cfg, const char *confdir,
		    struct ike_conf ***out, size_t *n, char *why, size_t whylen)
{
	struct ike_conf **v = calloc(cfg->n_conns ? cfg->n_conns : 1, sizeof(*v));

	if (!v) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	for (size_t i = 0; i < cfg->n_conns; i++) {
		v[i] = ike_conf_new(cfg->conns[i].name);
		if (!v[i] || !one_conn(&cfg->conns[i], confdir, v[i], why, whylen)) {
			conf_translate_free(v, i + 1);
			return false;
		}
	}
	*out = v;
	*n = cfg->n_conns;
	return true;
}

void conf_translate_free(struct ike_conf **confs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ike_conf_unref(confs[i]);
	free(confs);
}
