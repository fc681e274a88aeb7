/* Human-readable dump of a loaded config (--check-config -v). Secret
 * values never appear: only their length. */
#include "config/build.h"

#include <inttypes.h>
#include <string.h>

static const char *const frag_names[] = { "yes", "accept", "force", "no" };
static const char *const unique_names[] = { "no", "never", "keep", "replace" };
static const char *const send_cert_names[] = { "ifasked", "always", "never" };
static const char *const mode_names[] = { "tunnel", "transport" };
static const char *const action_names[] = { "none", "trap", "start" };
static const char *const dpd_names[] = { "clear", "trap", "restart" };
static const char *const method_names[] = { "pubkey", "rsa", "ecdsa", "psk" };
static const char *const secret_names[] = { "ike", "eap", "xauth" };
static const char *const hash_names[] = { "?", "sha1", "sha256", "sha384", "sha512" };

static void dump_hosts(FILE *out, const char *ind, const char *key,
		       const struct config_host *h, size_t n)
{
	char buf[128];

	fprintf(out, "%s%s =", ind, key);
	for (size_t i = 0; i < n; i++) {
		config_host_format(&h[i], buf, sizeof(buf));
		fprintf(out, "%s %s", i ? "," : "", buf);
	}
	fputc('\n', out);
}

static void dump_strs(FILE *out, const char *ind, const char *key,
		      const struct config_strs *s)
{
	if (!s->n)
		return;
	fprintf(out, "%s%s =", ind, key);
	for (size_t i = 0; i < s->n; i++)
		fprintf(out, "%s %s", i ? "," : "", s->v[i]);
	fputc('\n', out);
}

static void dump_proposals(FILE *out, const char *ind, const char *key,
			   const struct proposal *p, size_t n)
{
	char buf[512];

	fprintf(out, "%s%s =", ind, key);
	for (size_t i = 0; i < n; i++) {
		proposal_format(&p[i], buf, sizeof(buf));
		fprintf(out, "%s %s", i ? "," : "", buf);
	}
	fputc('\n', out);
}

static void dump_auth(FILE *out, const struct config_auth *a)
{
	fprintf(out, "    %s {\n      auth = %s%s", a->name,
		method_names[a->method], a->rsa_pss ? "/pss" : "");
	for (size_t i = 0; i < a->n_hashes; i++)
		fprintf(out, "-%s", a->hashes[i] < 5 ? hash_names[a->hashes[i]] : "?");
	fputc('\n', out);
	fprintf(out, "      id = %s\n", a->id ? a->id : "(default)");
	dump_strs(out, "      ", "certs", &a->certs);
	dump_strs(out, "      ", "cacerts", &a->cacerts);
	dump_strs(out, "      ", "pubkeys", &a->pubkeys);
	fprintf(out, "    }\n");
}

static void dump_child(FILE *out, const struct config_child *c)
{
	char buf[160];

	fprintf(out, "      %s {\n        local_ts =", c->name);
	for (size_t i = 0; i < c->n_local_ts; i++) {
		config_ts_format(&c->local_ts[i], buf, sizeof(buf));
		fprintf(out, "%s %s", i ? "," : "", buf);
	}
	fprintf(out, "\n        remote_ts =");
	for (size_t i = 0; i < c->n_remote_ts; i++) {
		config_ts_format(&c->remote_ts[i], buf, sizeof(buf));
		fprintf(out, "%s %s", i ? "," : "", buf);
	}
	fputc('\n', out);
	dump_proposals(out, "        ", "esp_proposals", c->esp, c->n_esp);
	fprintf(out, "        mode = %s\n        start_action = %s\n"
		"        close_action = %s\n        dpd_action = %s\n",
		mode_names[c->mode], action_names[c->start_action],
		action_names[c->close_action], dpd_names[c->dpd_action]);
	fprintf(out, "        rekey_time = %" PRIu64 "s\n        life_time = %" PRIu64
		"s\n        rand_time = %" PRIu64 "s\n", c->rekey_time, c->life_time,
		c->rand_time);
	fprintf(out, "        rekey_bytes = %" PRIu64 "\n        life_bytes = %" PRIu64
		"\n        rekey_packets = %" PRIu64 "\n        life_packets = %" PRIu64 "\n",
		c->rekey_bytes, c->life_bytes, c->rekey_packets, c->life_packets);
	fprintf(out, "        replay_window = %u\n        hostaccess = %s\n",
		c->replay_window, c->hostaccess ? "yes" : "no");
	if (c->updown)
		fprintf(out, "        updown = %s\n", c->updown);
	fprintf(out, "      }\n");
}

static void dump_conn(FILE *out, const struct config_conn *c)
{
	fprintf(out, "  %s {\n    version = %u\n", c->name, c->version);
	dump_hosts(out, "    ", "local_addrs", c->local_addrs, c->n_local_addrs);
	dump_hosts(out, "    ", "remote_addrs", c->remote_addrs, c->n_remote_addrs);
	fprintf(out, "    local_port = %u\n    remote_port = %u\n", c->local_port,
		c->remote_port);
	dump_proposals(out, "    ", "proposals", c->proposals, c->n_proposals);
	dump_strs(out, "    ", "pools", &c->pools);
	if (c->n_vips)
		dump_hosts(out, "    ", "vips", c->vips, c->n_vips);
	fprintf(out, "    encap = %s\n    mobike = %s\n    fragmentation = %s\n",
		c->encap ? "yes" : "no", c->mobike ? "yes" : "no",
		frag_names[c->fragmentation]);
	fprintf(out, "    dpd_delay = %" PRIu64 "s\n    dpd_timeout = %" PRIu64 "s\n"
		"    rekey_time = %" PRIu64 "s\n    reauth_time = %" PRIu64 "s\n"
		"    over_time = %" PRIu64 "s\n    rand_time = %" PRIu64 "s\n",
		c->dpd_delay, c->dpd_timeout, c->rekey_time, c->reauth_time,
		c->over_time, c->rand_time);
	fprintf(out, "    unique = %s\n    send_certreq = %s\n    send_cert = %s\n"
		"    keyingtries = %u\n", unique_names[c->unique],
		c->send_certreq ? "yes" : "no", send_cert_names[c->send_cert],
		c->keyingtries);
	for (size_t i = 0; i < c->n_local; i++)
		dump_auth(out, &c->local[i]);
	for (size_t i = 0; i < c->n_remote; i++)
		dump_auth(out, &c->remote[i]);
	if (c->n_children) {
		fprintf(out, "    children {\n");
		for (size_t i = 0; i < c->n_children; i++)
			dump_child(out, &c->children[i]);
		fprintf(out, "    }\n");
	}
	fprintf(out, "  }\n");
}

static void dump_pool(FILE *out, const struct config_pool *p)
{
	char buf[128];

	config_host_format(&p->addrs, buf, sizeof(buf));
	fprintf(out, "  %s {\n    addrs = %s\n", p->name, buf);
	if (p->n_dns)
		dump_hosts(out, "    ", "dns", p->dns, p->n_dns);
	if (p->n_nbns)
		dump_hosts(out, "    ", "nbns", p->nbns, p->n_nbns);
	if (p->n_split_include)
		dump_hosts(out, "    ", "split_include", p->split_include, p->n_split_include);
	if (p->n_split_exclude)
		dump_hosts(out, "    ", "split_exclude", p->split_exclude, p->n_split_exclude);
	fprintf(out, "  }\n");
}

static void dump_cluster(FILE *out, const struct config_cluster *cl)
{
	char buf[128];

	if (!cl->enabled) {
		fprintf(out, "# no cluster section: single node\n");
		return;
	}
	fprintf(out, "cluster {\n  node_id = %u\n", cl->node_id);
	dump_hosts(out, "  ", "cluster_addr", cl->cluster_addrs, cl->n_cluster_addrs);
	fprintf(out, "  segments = %u\n  secret = <%zu bytes hidden>\n"
		"  heartbeat_interval = %" PRIu64 "ms\n  heartbeat_timeout = %" PRIu64
		"ms\n  sync_port = %u\n  nodes {\n", cl->segments, cl->secret.len,
		cl->heartbeat_interval_ms, cl->heartbeat_timeout_ms, cl->sync_port);
	for (size_t i = 0; i < cl->n_nodes; i++) {
		config_host_format(&cl->nodes[i].addr, buf, sizeof(buf));
		fprintf(out, "    %s {\n      id = %u\n      addr = %s\n    }\n",
			cl->nodes[i].name, cl->nodes[i].id, buf);
	}
	fprintf(out, "  }\n}\n");
}

static void dump_daemon(FILE *out, const struct config_daemon *d)
{
	static const char *const dp_names[] = { "auto", "userspace", "xfrm" };

	static const char *const thread_names[] = { "0", "1", "2" };

	fprintf(out, "daemon {\n  datapath = %s\n  datapath_threads = %s\n  tun_name = %s\n"
		"  tun_mtu = %u\n", dp_names[d->datapath],
		d->datapath_threads >= 0 && d->datapath_threads <= 2 ?
		thread_names[d->datapath_threads] : "auto",
		d->tun_name ? d->tun_name : "cygnet0", d->tun_mtu);
	fprintf(out, "  cookie_threshold = %u\n  half_open_limit = %u\n"
		"  peer_half_open_limit = %u\n  key_stock = %u\n}\n", d->cookie_threshold,
		d->half_open_limit, d->peer_half_open_limit, d->key_stock);
}

void config_dump(const struct config *cfg, FILE *out)
{
	fprintf(out, "connections {\n");
	for (size_t i = 0; i < cfg->n_conns; i++)
		dump_conn(out, &cfg->conns[i]);
	fprintf(out, "}\nsecrets {\n");
	for (size_t i = 0; i < cfg->n_secrets; i++) {
		const struct config_secret *s = &cfg->secrets[i];

		fprintf(out, "  %s {\n    type = %s\n", s->name, secret_names[s->type]);
		for (size_t j = 0; j < s->ids.n; j++)
			fprintf(out, "    id = %s\n", s->ids.v[j]);
		fprintf(out, "    secret = <%zu bytes hidden>\n  }\n", s->secret.len);
	}
	fprintf(out, "}\npools {\n");
	for (size_t i = 0; i < cfg->n_pools; i++)
		dump_pool(out, &cfg->pools[i]);
	fprintf(out, "}\n");
	dump_cluster(out, &cfg->cluster);
	dump_daemon(out, &cfg->daemon);
}
