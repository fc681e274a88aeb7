/* Fuzzes ike_core_import (the HA SA state format): hostile TLVs must be
 * refused cleanly or give a consistent SA that can be freed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_core.h"
#include "ike/ike_export.h"
#include "lib/log.h"

static bool f_send(void *ctx, const struct net_endpoints *ep, const uint8_t *m, size_t len)
{
	(void)ctx;
	(void)ep;
	(void)m;
	(void)len;
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_core *core;
	struct ike_env env = { .send = f_send, .timer_arm = f_arm, .timer_cancel = f_cancel };
	char why[64];
	uint32_t id;

	if (!core) {
		struct ike_conf *c = ike_conf_new("rw");

		log_set_level(LOG_LVL_ERROR);
		core = ike_core_new(&env);
		ike_prop_parse(1, "aes256gcm16-prfsha256-x25519", &c->props[0]);
		c->n_props = 1;
		ike_core_set_confs(core, &c, 1);
		ike_conf_unref(c);
	}
	id = ike_core_import(core, data, size, why, sizeof(why));
	if (id) {
		ike_core_activate(core, id);
		ike_core_terminate(core, id);
		/* the terminate only queued a Delete: drop the SA for real */
		ike_core_free(core);
		core = NULL;
	}
	return 0;
}
