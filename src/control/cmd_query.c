/* Queries: list-sas (streams list-sa), list-conns (streams list-conn),
 * get-conns, stats. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "control/ctl.h"
#include "control/sa_render.h"
#include "crypto/ke_stock.h"
#include "ike/ike_core.h"
#include "ike/ike_sa.h"
#include "lib/log.h"

/* ---- list-sas ------------------------------------------------------- */

struct list_sas {
	struct ctl *ctl;
	struct vici_cmd *cmd;
	char ike[IKE_NAME_MAX], child[IKE_NAME_MAX];
	uint32_t ike_id, child_id;
	bool has_ike_id, has_child_id;
	unsigned sent;
};

static bool child_wanted(const struct list_sas *l, const struct child_sa *c)
{
	return (!l->child[0] || strcmp(l->child, c->name) == 0) &&
	       (!l->has_child_id || l->child_id == c->unique_id);
}

static void list_one(void *ctx, const struct ike_sa *sa)
{
	struct list_sas *l = ctx;
	struct wbuf w;
	struct vici_builder b;
	const char *name = sa_render_ike_name(sa), *why;

	if (sa->state == IKE_SA_DEAD || (l->ike[0] && strcmp(l->ike, name) != 0) ||
	    (l->has_ike_id && l->ike_id != sa->unique_id))
		return;
	wbuf_init(&w);
	vici_builder_init(&b, &w);
	vici_builder_begin_section(&b, *name ? name : "%any");
	sa_render_ike(&b, l->ctl, sa);
	vici_builder_begin_section(&b, "child-sas");
	for (const struct child_sa *c = sa->children; c; c = c->next) {
		char key[IKE_NAME_MAX + 16];

		if (!child_wanted(l, c))
			continue;
		sa_render_child_key(c, key, sizeof(key));
		vici_builder_begin_section(&b, key);
		sa_render_child(&b, l->ctl, c, NULL);
		vici_builder_end_section(&b);
	}
	vici_builder_end_section(&b);
	vici_builder_end_section(&b);
	if (vici_builder_finish(&b, &why)) {
		if (vici_cmd_stream(l->cmd, "list-sa", w.p, w.len))
			l->sent++;
	} else {
		log_warn("control: list-sa for ike#%u not sent: %s", sa->unique_id, why);
	}
	wbuf_free(&w);
}

static enum vici_cmd_result cmd_list_sas(struct vici_cmd *cmd, const struct vici_msg *req,
					 struct vici_builder *resp, void *ctx)
{
	struct list_sas l = { .ctl = ctx, .cmd = cmd };

	(void)resp;
	vici_msg_get_str_buf(req, "ike", l.ike, sizeof(l.ike));
	vici_msg_get_str_buf(req, "child", l.child, sizeof(l.child));
	l.has_ike_id = ctl_req_u32(req, "ike-id", &l.ike_id);
	l.has_child_id = ctl_req_u32(req, "child-id", &l.child_id);
	ike_core_foreach(l.ctl->core, list_one, &l);
	return VICI_CMD_DONE;
}

/* ---- list-conns / get-conns ------------------------------------------ */

static void add_hosts(struct vici_builder *b, const char *key, const struct config_host *h,
		      size_t n)
{
	char buf[128];

	vici_builder_begin_list(b, key);
	for (size_t i = 0; i < n; i++) {
		config_host_format(&h[i], buf, sizeof(buf));
		vici_builder_add_list_item_str(b, buf);
	}
	if (!n)
		vici_builder_add_list_item_str(b, "%any");
	vici_builder_end_list(b);
}

static const char *auth_class(enum config_auth_method m)
{
	return m == CONFIG_AUTH_PSK ? "pre-shared key" : "public key";
}

static void add_strs(struct vici_builder *b, const char *key, const struct config_strs *s)
{
	vici_builder_begin_list(b, key);
	for (size_t i = 0; i < s->n; i++)
		vici_builder_add_list_item_str(b, s->v[i]);
	vici_builder_end_list(b);
}

static void add_auth(struct vici_builder *b, const char *side, const struct config_auth *a,
		     size_t n)
{
	char sec[32];

	for (size_t i = 0; i < n; i++) {
		snprintf(sec, sizeof(sec), "%s-%zu", side, i + 1);
		vici_builder_begin_section(b, sec);
		vici_builder_add_kv_str(b, "class", auth_class(a[i].method));
		vici_builder_add_kv_str(b, "id", a[i].id ? a[i].id : "%any");
		add_strs(b, "certs", &a[i].certs);
		add_strs(b, "cacerts", &a[i].cacerts);
		vici_builder_end_section(b);
	}
}

static void add_ts(struct vici_builder *b, const char *key, const struct config_ts *ts,
		   size_t n)
{
	char buf[128];

	vici_builder_begin_list(b, key);
	for (size_t i = 0; i < n; i++) {
		config_ts_format(&ts[i], buf, sizeof(buf));
		vici_builder_add_list_item_str(b, buf);
	}
	if (!n)
		vici_builder_add_list_item_str(b, "dynamic");
	vici_builder_end_list(b);
}

static const char *action_name(enum config_action a)
{
	return a == CONFIG_ACTION_START ? "start" : a == CONFIG_ACTION_TRAP ? "trap" : "none";
}

static void cmd_query_build_conn(struct vici_builder *b, const struct config_conn *cc)
{
	vici_builder_begin_section(b, cc->name);
	add_hosts(b, "local_addrs", cc->local_addrs, cc->n_local_addrs);
	add_hosts(b, "remote_addrs", cc->remote_addrs, cc->n_remote_addrs);
	vici_builder_add_kv_fmt(b, "local_port", "%u", cc->local_port ? cc->local_port : 500);
	vici_builder_add_kv_fmt(b, "remote_port", "%u", cc->remote_port ? cc->remote_port : 500);
	vici_builder_add_kv_str(b, "version", "IKEv2");
	vici_builder_add_kv_fmt(b, "reauth_time", "%llu", (unsigned long long)cc->reauth_time);
	vici_builder_add_kv_fmt(b, "rekey_time", "%llu", (unsigned long long)cc->rekey_time);
	if (cc->dpd_delay)
		vici_builder_add_kv_fmt(b, "dpd_delay", "%llu", (unsigned long long)cc->dpd_delay);
	add_strs(b, "pools", &cc->pools);
	add_auth(b, "local", cc->local, cc->n_local);
	add_auth(b, "remote", cc->remote, cc->n_remote);
	vici_builder_begin_section(b, "children");
	for (size_t i = 0; i < cc->n_children; i++) {
		const struct config_child *ch = &cc->children[i];

		vici_builder_begin_section(b, ch->name);
		vici_builder_add_kv_str(b, "mode",
					ch->mode == CONFIG_MODE_TRANSPORT ? "TRANSPORT" : "TUNNEL");
		vici_builder_add_kv_fmt(b, "rekey_time", "%llu",
					(unsigned long long)ch->rekey_time);
		vici_builder_add_kv_fmt(b, "rekey_bytes", "%llu",
					(unsigned long long)ch->rekey_bytes);
		vici_builder_add_kv_fmt(b, "rekey_packets", "%llu",
					(unsigned long long)ch->rekey_packets);
		vici_builder_add_kv_str(b, "start_action", action_name(ch->start_action));
		vici_builder_add_kv_str(b, "dpd_action", ch->dpd_action == CONFIG_ACTION_START ?
					"restart" : ch->dpd_action == CONFIG_ACTION_TRAP ?
					"trap" : "clear");
		vici_builder_add_kv_str(b, "close_action", action_name(ch->close_action));
		add_ts(b, "local-ts", ch->local_ts, ch->n_local_ts);
		add_ts(b, "remote-ts", ch->remote_ts, ch->n_remote_ts);
		vici_builder_end_section(b);
	}
	vici_builder_end_section(b);
	vici_builder_end_section(b);
}

static enum vici_cmd_result cmd_list_conns(struct vici_cmd *cmd, const struct vici_msg *req,
					   struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;
	const struct config *cfg = ctl->ops.config ? ctl->ops.config(ctl->ops.ctx) : NULL;
	char ike[IKE_NAME_MAX] = "";

	(void)resp;
	vici_msg_get_str_buf(req, "ike", ike, sizeof(ike));
	for (size_t i = 0; cfg && i < cfg->n_conns; i++) {
		struct wbuf w;
		struct vici_builder b;
		const char *why;

		if (ike[0] && strcmp(ike, cfg->conns[i].name) != 0)
			continue;
		wbuf_init(&w);
		vici_builder_init(&b, &w);
		cmd_query_build_conn(&b, &cfg->conns[i]);
		if (vici_builder_finish(&b, &why))
			vici_cmd_stream(cmd, "list-conn", w.p, w.len);
		else
			log_warn("control: list-conn '%s' not sent: %s", cfg->conns[i].name, why);
		wbuf_free(&w);
	}
	return VICI_CMD_DONE;
}

/* charon lists only the connections loaded over VICI */
static enum vici_cmd_result cmd_get_conns(struct vici_cmd *cmd, const struct vici_msg *req,
					  struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;

	(void)cmd;
	(void)req;
	vici_builder_begin_list(resp, "conns");
	for (size_t i = 0; i < ctl->store.n_conns; i++)
		vici_builder_add_list_item_str(resp, ctl->store.conns[i].name);
	vici_builder_end_list(resp);
	return VICI_CMD_DONE;
}

/* ---- stats ------------------------------------------------------------ */

/* The IKE core's counters in the stats reply's cygnet section, in order. */
struct stat_counter {
	const char *name;
	size_t offset;	/* of a uint64_t in struct ike_core_stats */
};

static const struct stat_counter ike_counters_head[] = {
	{ "rx", offsetof(struct ike_core_stats, rx) },
	{ "tx", offsetof(struct ike_core_stats, tx) },
	{ "drop-parse", offsetof(struct ike_core_stats, drop_parse) },
	{ "drop-no-sa", offsetof(struct ike_core_stats, drop_no_sa) },
	{ "drop-decrypt", offsetof(struct ike_core_stats, drop_decrypt) },
	{ "drop-mid", offsetof(struct ike_core_stats, drop_mid) },
	{ "drop-unexpected", offsetof(struct ike_core_stats, drop_unexpected) },
	{ "drop-half-open-limit", offsetof(struct ike_core_stats, drop_half_open_limit) },
	{ "drop-peer-half-open-limit", offsetof(struct ike_core_stats, drop_peer_half_open_limit) },
	{ "cookies-sent", offsetof(struct ike_core_stats, cookies_sent) },
	{ "half-open-peak", offsetof(struct ike_core_stats, half_open_peak) },
};

static const struct stat_counter ike_counters_tail[] = {
	{ "retransmit-answered", offsetof(struct ike_core_stats, retransmit_answered) },
	{ "retransmit-sent", offsetof(struct ike_core_stats, retransmit_sent) },
	{ "sa-established", offsetof(struct ike_core_stats, sa_established) },
	{ "sa-failed", offsetof(struct ike_core_stats, sa_failed) },
	{ "auth-failed", offsetof(struct ike_core_stats, auth_failed) },
	{ "child-installed", offsetof(struct ike_core_stats, child_installed) },
	{ "child-soft-expired", offsetof(struct ike_core_stats, child_soft_expired) },
	{ "child-hard-expired", offsetof(struct ike_core_stats, child_hard_expired) },
	{ "child-expire-ignored", offsetof(struct ike_core_stats, child_expire_ignored) },
	{ "invalid-spi-sent", offsetof(struct ike_core_stats, invalid_spi_sent) },
	{ "invalid-spi-limited", offsetof(struct ike_core_stats, invalid_spi_limited) },
	{ "invalid-spi-no-sa", offsetof(struct ike_core_stats, invalid_spi_no_sa) },
	{ "rekey-collisions", offsetof(struct ike_core_stats, rekey_collisions) },
	{ "sa-duplicates", offsetof(struct ike_core_stats, sa_duplicates) },
};

static void add_counters(struct vici_builder *resp, const struct ike_core_stats *st,
			 const struct stat_counter *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v;

		memcpy(&v, (const uint8_t *)st + c[i].offset, sizeof(v));
		vici_builder_add_kv_fmt(resp, c[i].name, "%llu", (unsigned long long)v);
	}
}

/* The datapath's section: its backend and, for the userspace one, its
 * threads and counters (docs/control.md). */
static void add_datapath(struct ctl *ctl, struct vici_builder *resp)
{
	struct ctl_datapath_stats dp;

	if (!ctl->ops.datapath_stats)
		return;
	ctl->ops.datapath_stats(ctl->ops.ctx, &dp);
	vici_builder_begin_section(resp, "datapath");
	vici_builder_add_kv_str(resp, "backend", dp.backend ? dp.backend : "none");
	if (dp.n)
		vici_builder_add_kv_fmt(resp, "threads", "%u", dp.threads);
	for (size_t i = 0; i < dp.n && i < CTL_DP_COUNTERS; i++)
		vici_builder_add_kv_fmt(resp, dp.c[i].name, "%llu",
					(unsigned long long)dp.c[i].value);
	vici_builder_end_section(resp);
}

static enum vici_cmd_result cmd_stats(struct vici_cmd *cmd, const struct vici_msg *req,
				      struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;
	const struct ike_core_stats *st = ike_core_get_stats(ctl->core);
	struct ke_stock_stats ks;
	time_t now = time(NULL);
	char since[64];
	struct tm tm;

	(void)cmd;
	(void)req;
	localtime_r(&ctl->started, &tm);
	strftime(since, sizeof(since), "%b %d %H:%M:%S %Y", &tm);
	vici_builder_begin_section(resp, "uptime");
	vici_builder_add_kv_fmt(resp, "running", "%lld", (long long)(now - ctl->started));
	vici_builder_add_kv_str(resp, "since", since);
	vici_builder_end_section(resp);
	/* one event-loop thread does all the work */
	vici_builder_begin_section(resp, "workers");
	vici_builder_add_kv_str(resp, "total", "1");
	vici_builder_add_kv_str(resp, "idle", "1");
	vici_builder_begin_section(resp, "active");
	vici_builder_add_kv_str(resp, "critical", "0");
	vici_builder_add_kv_str(resp, "high", "0");
	vici_builder_add_kv_str(resp, "medium", "0");
	vici_builder_add_kv_str(resp, "low", "0");
	vici_builder_end_section(resp);
	vici_builder_end_section(resp);
	vici_builder_begin_section(resp, "queues");
	vici_builder_add_kv_str(resp, "critical", "0");
	vici_builder_add_kv_str(resp, "high", "0");
	vici_builder_add_kv_str(resp, "medium", "0");
	vici_builder_add_kv_str(resp, "low", "0");
	vici_builder_end_section(resp);
	vici_builder_add_kv_str(resp, "scheduled", "0");
	vici_builder_begin_section(resp, "ikesas");
	vici_builder_add_kv_fmt(resp, "total", "%llu", (unsigned long long)st->sas);
	vici_builder_add_kv_fmt(resp, "half-open", "%llu", (unsigned long long)st->half_open);
	vici_builder_end_section(resp);
	vici_builder_begin_list(resp, "plugins");
	vici_builder_end_list(resp);
	/* cygnet's own counters: every drop reason */
	vici_builder_begin_section(resp, "cygnet");
	add_counters(resp, st, ike_counters_head,
		     sizeof(ike_counters_head) / sizeof(ike_counters_head[0]));
	ke_stock_get_stats(&ks);
	vici_builder_add_kv_fmt(resp, "key-stock-taken", "%llu", (unsigned long long)ks.taken);
	vici_builder_add_kv_fmt(resp, "key-stock-inline", "%llu",
				(unsigned long long)ks.inline_made);
	vici_builder_add_kv_fmt(resp, "key-stock-ready", "%u", ks.ready);
	add_counters(resp, st, ike_counters_tail,
		     sizeof(ike_counters_tail) / sizeof(ike_counters_tail[0]));
	add_datapath(ctl, resp);
	vici_builder_end_section(resp);
	return VICI_CMD_DONE;
}

int cmd_query_register(struct ctl *ctl)
{
	return vici_server_register_cmd(ctl->srv, "list-sas", cmd_list_sas, ctl) ||
	       vici_server_register_cmd(ctl->srv, "list-conns", cmd_list_conns, ctl) ||
	       vici_server_register_cmd(ctl->srv, "get-conns", cmd_get_conns, ctl) ||
	       vici_server_register_cmd(ctl->srv, "stats", cmd_stats, ctl);
}
