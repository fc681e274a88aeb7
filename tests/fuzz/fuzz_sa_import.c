/* Fuzzes the HA SA state decoder and import (ike/sa_export.h): each input
 * is a blob imported into a fresh core that has the connections the seeds
 * name ("rw" responder, "home" initiator, child "home"). An accepted blob
 * must export again (and that export must import into a second core: the
 * format is closed under its own output); the last byte's low bit additionally
 * activates the passive SA, which installs its CHILD SAs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/core_priv.h"
#include "ike/ike_conf.h"
#include "ike/ike_core.h"
#include "ike/sa_export.h"
#include "lib/log.h"

static bool f_send(void *ctx, const struct net_endpoints *ep, const uint8_t *m, size_t len)
{
	(void)ctx;
	(void)ep;
	(void)m;
	(void)len;
	return true;
}

static bool f_vip(void *ctx, const char pools[][64], size_t npools, int family,
		  const char *identity, const struct sockaddr_storage *req, struct ike_vip *out)
{
	(void)ctx;
	(void)pools;
	(void)npools;
	(void)identity;
	memset(out, 0, sizeof(*out));
	if (family != req->ss_family)
		return false;
	out->addr = *req;
	return true;
}

static void f_arm(void *ctx, struct ike_timer *t, uint32_t ms)
{
	(void)ctx;
	(void)t;
	(void)ms;
}

static void f_cancel(void *ctx, struct ike_timer *t)
{
	(void)ctx;
	(void)t;
}

static struct ike_conf *conf(const char *name, bool initiator)
{
	struct ike_conf *c = ike_conf_new(name);
	struct ike_child_conf *ch = &c->children[0];

	if (!c)
		abort();
	ike_prop_parse(PROTO_IKE, "aes256gcm16-prfsha256-x25519", &c->props[0]);
	c->n_props = 1;
	c->n_children = 1;
	c->dpd_delay_s = 30;
	snprintf(ch->name, sizeof(ch->name), "home");
	ike_prop_parse(PROTO_ESP, "aes256gcm16", &ch->props[0]);
	ch->n_props = 1;
	ike_ts_conf_parse(initiator ? "dynamic" : "10.1.0.0/24", &ch->local_ts[0]);
	ike_ts_conf_parse(initiator ? "10.1.0.0/24" : "dynamic", &ch->remote_ts[0]);
	ch->n_local_ts = ch->n_remote_ts = 1;
	ch->rekey_time_s = 3600;
	return c;
}

static struct ike_core *core_new(void)
{
	struct ike_env env = {
		.send = f_send, .vip_acquire = f_vip, .timer_arm = f_arm,
		.timer_cancel = f_cancel,
	};
	struct ike_conf *cs[2] = { conf("rw", false), conf("home", true) };
	struct ike_core *c = ike_core_new(&env);

	if (!c)
		abort();
	ike_core_set_confs(c, cs, 2);
	ike_conf_unref(cs[0]);
	ike_conf_unref(cs[1]);
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct ike_core *c, *c2;
	struct sa_err err;
	struct chunk out = { 0 };
	uint32_t id;

	if (!init) {
		log_set_level(LOG_LVL_ERROR);
		init = true;
	}
	c = core_new();
	id = sa_import(c, data, size, &err);
	if (id) {
		if (!sa_export(c, id, &out, &err))
			abort();
		c2 = core_new();
		if (!sa_import(c2, out.ptr, out.len, &err))
			abort();
		ike_core_free(c2);
		chunk_free(&out);
		if ((data[size - 1] & 1) && !sa_activate(c, id, &err))
			abort();
	}
	ike_core_free(c);
	return 0;
}
