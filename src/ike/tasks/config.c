/* Configuration payload (RFC 7296 2.19, 3.15): the initiator asks for a
 * virtual IP and DNS servers, the responder leases them from a pool (via
 * the env) and replies. */
#include "ike/tasks/common.h"

#include <netinet/in.h>

struct config {
	struct task t;
	bool want4, want6;		/* responder: what the peer asked for */
	struct sockaddr_storage req4, req6;
	bool failed;			/* responder: no address for the peer */
	struct ike_cp_attr attrs[2 + 2 * IKE_MAX_DNS];
	uint8_t vals[2 + 2 * IKE_MAX_DNS][17];
};

static const uint8_t *addr_bytes(const struct sockaddr_storage *a, size_t *len)
{
	if (a->ss_family == AF_INET) {
		*len = 4;
		return (const uint8_t *)&((const struct sockaddr_in *)a)->sin_addr;
	}
	*len = 16;
	return (const uint8_t *)&((const struct sockaddr_in6 *)a)->sin6_addr;
}

static void set_addr(struct sockaddr_storage *a, int fam, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->ss_family = (sa_family_t)fam;
	if (fam == AF_INET)
		memcpy(&((struct sockaddr_in *)a)->sin_addr, p, 4);
	else
		memcpy(&((struct sockaddr_in6 *)a)->sin6_addr, p, 16);
}

/* --- initiator --------------------------------------------------------- */

static enum task_status build_i(struct task *t, struct ike_msg *m)
{
	struct config *c = (struct config *)t;
	struct ike_payload *cp;

	if (!t->sa->conf->want_vip4)
		return TASK_DONE;
	cp = ike_msg_add(m, PL_CP);
	if (!cp)
		return TASK_FAILED;
	c->attrs[0].type = INTERNAL_IP4_ADDRESS;
	c->attrs[1].type = INTERNAL_IP4_DNS;
	cp->cp.cfg_type = CFG_REQUEST;
	cp->cp.attrs = c->attrs;
	cp->cp.nattrs = 2;
	return TASK_MORE;
}

static enum task_status process_i(struct task *t, const struct ike_msg *m)
{
	struct ike_sa *sa = t->sa;
	const struct ike_payload *cp = ike_msg_find(m, PL_CP);
	char a[64];

	if (!sa->conf->want_vip4)
		return TASK_DONE;
	if (cp && cp->cp.cfg_type == CFG_REPLY) {
		for (size_t i = 0; i < cp->cp.nattrs; i++) {
			const struct ike_cp_attr *at = &cp->cp.attrs[i];

			if (at->type == INTERNAL_IP4_ADDRESS && at->value.len == 4 &&
			    !sa->has_vip) {
				set_addr(&sa->vip.addr, AF_INET, at->value.ptr);
				sa->has_vip = true;
			} else if (at->type == INTERNAL_IP4_DNS && at->value.len == 4 &&
				   sa->vip.ndns < IKE_MAX_DNS) {
				set_addr(&sa->vip.dns[sa->vip.ndns++], AF_INET, at->value.ptr);
			}
		}
	}
	if (!sa->has_vip) {
		sa_error(sa, "peer assigned no virtual IP");
		return TASK_FAILED;
	}
	sa_info(sa, "installing virtual IP %s (%zu DNS servers)",
		sockaddr_str(&sa->vip.addr, a, sizeof(a)), sa->vip.ndns);
	return TASK_DONE;
}

/* --- responder --------------------------------------------------------- */

static enum task_status process_r(struct task *t, const struct ike_msg *m)
{
	struct config *c = (struct config *)t;
	struct ike_sa *sa = t->sa;
	const struct ike_env *env = task_env(t);
	const struct ike_payload *cp = ike_msg_find(m, PL_CP);
	char id[IKE_ID_MAX + 8], a[64];

	if (!cp || cp->cp.cfg_type != CFG_REQUEST)
		return TASK_DONE;
	for (size_t i = 0; i < cp->cp.nattrs; i++) {
		const struct ike_cp_attr *at = &cp->cp.attrs[i];

		if (at->type == INTERNAL_IP4_ADDRESS) {
			c->want4 = true;
			c->req4.ss_family = AF_INET;
			if (at->value.len == 4)
				set_addr(&c->req4, AF_INET, at->value.ptr);
		} else if (at->type == INTERNAL_IP6_ADDRESS) {
			c->want6 = true;
			c->req6.ss_family = AF_INET6;
			if (at->value.len == 17)
				set_addr(&c->req6, AF_INET6, at->value.ptr);
		}
	}
	if (!c->want4 && !c->want6)
		return TASK_DONE;
	if (!sa->conf->n_pools || !env->vip_acquire) {
		sa_info(sa, "peer asks for a virtual IP, but no pool is configured");
		c->failed = true;
		return TASK_DONE;
	}
	ike_id_str(&sa->peer_id, id, sizeof(id));
	if (c->want4 && env->vip_acquire(env->ctx, sa->conf->pools, sa->conf->n_pools,
					 AF_INET, id, &c->req4, &sa->vip)) {
		sa->has_vip = sa->vip_leased = true;
	} else if (c->want6 && env->vip_acquire(env->ctx, sa->conf->pools,
						sa->conf->n_pools, AF_INET6, id,
						&c->req6, &sa->vip)) {
		sa->has_vip = sa->vip_leased = true;
	}
	if (!sa->has_vip) {
		sa_warn(sa, "no virtual IP for '%s': pools exhausted", id);
		c->failed = true;
		return TASK_DONE;
	}
	sa_info(sa, "assigning virtual IP %s to peer '%s'",
		sockaddr_str(&sa->vip.addr, a, sizeof(a)), id);
	return TASK_DONE;
}

static enum task_status build_r(struct task *t, struct ike_msg *m)
{
	struct config *c = (struct config *)t;
	struct ike_sa *sa = t->sa;
	struct ike_payload *cp;
	size_t n = 0, len;
	const uint8_t *p;

	if (c->failed)
		return ike_msg_add_notify(m, 0, N_INTERNAL_ADDRESS_FAILURE, NULL, 0, NULL, 0) ?
		       TASK_DONE : TASK_FAILED;
	if (!sa->has_vip)
		return TASK_DONE;
	p = addr_bytes(&sa->vip.addr, &len);
	memcpy(c->vals[n], p, len);
	if (len == 16)
		c->vals[n][16] = 128;	/* prefix length */
	c->attrs[n].type = len == 4 ? INTERNAL_IP4_ADDRESS : INTERNAL_IP6_ADDRESS;
	c->attrs[n].value.ptr = c->vals[n];
	c->attrs[n].value.len = len == 4 ? 4 : 17;
	n++;
	for (size_t i = 0; i < sa->vip.ndns; i++) {
		p = addr_bytes(&sa->vip.dns[i], &len);
		memcpy(c->vals[n], p, len);
		c->attrs[n].type = len == 4 ? INTERNAL_IP4_DNS : INTERNAL_IP6_DNS;
		c->attrs[n].value.ptr = c->vals[n];
		c->attrs[n].value.len = len;
		n++;
	}
	cp = ike_msg_add(m, PL_CP);
	if (!cp)
		return TASK_FAILED;
	cp->cp.cfg_type = CFG_REPLY;
	cp->cp.attrs = c->attrs;
	cp->cp.nattrs = n;
	return TASK_DONE;
}

static const struct task_ops ops_i = { TASK_CONFIG, "config", build_i, process_i, task_free };
static const struct task_ops ops_r = { TASK_CONFIG, "config", build_r, process_r, task_free };

struct task *task_config_new(struct ike_sa *sa, bool initiator)
{
	return task_alloc(sizeof(struct config), sa, initiator,
			  initiator ? &ops_i : &ops_r, IKE_AUTH);
}
