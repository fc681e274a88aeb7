/* XFRM policies. IKEv2 selectors are address ranges; XFRM selectors are
 * prefixes, so a range becomes the few prefixes that cover it exactly. */
#include <errno.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <netlink/xfrm/selector.h>
#include <netlink/xfrm/sp.h>
#include <netlink/xfrm/template.h>
#include <string.h>

#include "kernel/xfrm/xfrm_int.h"
#include "lib/prefix.h"
#include "lib/log.h"

#define XFRM_MAX_PREFIXES 8	/* per side; more means an odd range: refused */

/* One port or all ports: XFRM's port masks cannot say more here. */
static bool port_sel(uint16_t from, uint16_t to, unsigned *port, unsigned *mask)
{
	if (from == 0 && to == 0xffff) {
		*port = 0;
		*mask = 0;
		return true;
	}
	if (from == to) {
		*port = from;
		*mask = 0xffff;
		return true;
	}
	return false;
}

static int xfrm_dir(enum kernel_dir d)
{
	return d == KERNEL_DIR_IN ? XFRM_POLICY_IN : d == KERNEL_DIR_OUT ? XFRM_POLICY_OUT
									: XFRM_POLICY_FWD;
}

static int policy_one(struct xfrm_be *x, const struct kernel_policy *pol,
		      const struct prefix *s, const struct prefix *d, unsigned sport,
		      unsigned smask, unsigned dport, unsigned dmask, bool add)
{
	int family = pol->sel.family;
	struct xfrmnl_sp *sp = xfrmnl_sp_alloc();
	struct xfrmnl_sel *sel = xfrmnl_sel_alloc();
	struct nl_addr *sa = xfrm_nl_addr_raw(family, s->a, s->len);
	struct nl_addr *da = xfrm_nl_addr_raw(family, d->a, d->len);
	struct xfrmnl_user_tmpl *t = NULL;
	int err = -NLE_NOMEM;

	if (!sp || !sel || !sa || !da)
		goto out;
	xfrmnl_sel_set_family(sel, family);
	xfrmnl_sel_set_saddr(sel, sa);
	xfrmnl_sel_set_daddr(sel, da);
	xfrmnl_sel_set_prefixlen_s(sel, s->len);
	xfrmnl_sel_set_prefixlen_d(sel, d->len);
	xfrmnl_sel_set_proto(sel, pol->sel.proto);
	xfrmnl_sel_set_sport(sel, sport);
	xfrmnl_sel_set_sportmask(sel, smask);
	xfrmnl_sel_set_dport(sel, dport);
	xfrmnl_sel_set_dportmask(sel, dmask);
	xfrmnl_sp_set_sel(sp, sel);
	xfrmnl_sp_set_dir(sp, (unsigned)xfrm_dir(pol->dir));
	if (add) {
		xfrmnl_sp_set_priority(sp, pol->priority);
		xfrmnl_sp_set_action(sp, pol->action == KERNEL_POLICY_DROP ? XFRM_POLICY_BLOCK
									  : XFRM_POLICY_ALLOW);
	}
	if (add && pol->action == KERNEL_POLICY_PROTECT) {
		t = xfrmnl_user_tmpl_alloc();
		if (!t)
			goto out;
		xfrmnl_user_tmpl_set_proto(t, IPPROTO_ESP);
		xfrmnl_user_tmpl_set_reqid(t, pol->reqid);
		xfrmnl_user_tmpl_set_family(t, pol->tun_dst.ss_family ? pol->tun_dst.ss_family
								       : family);
		xfrmnl_user_tmpl_set_aalgos(t, ~0u);
		xfrmnl_user_tmpl_set_ealgos(t, ~0u);
		xfrmnl_user_tmpl_set_calgos(t, ~0u);
		if (pol->mode == KERNEL_MODE_TUNNEL) {
			struct nl_addr *ts = xfrm_nl_addr(&pol->tun_src, 0);
			struct nl_addr *td = xfrm_nl_addr(&pol->tun_dst, 0);

			if (!ts || !td) {
				nl_addr_put(ts);
				nl_addr_put(td);
				err = -NLE_INVAL;
				goto out;
			}
			xfrmnl_user_tmpl_set_mode(t, XFRM_MODE_TUNNEL);
			xfrmnl_user_tmpl_set_saddr(t, ts);
			xfrmnl_user_tmpl_set_daddr(t, td);
			nl_addr_put(ts);
			nl_addr_put(td);
		} else {
			xfrmnl_user_tmpl_set_mode(t, XFRM_MODE_TRANSPORT);
		}
		xfrmnl_sp_add_usertemplate(sp, t);
		t = NULL;	/* the policy owns it now */
	}
	err = add ? xfrmnl_sp_add(x->sk, sp, NLM_F_CREATE | NLM_F_REPLACE)
		  : xfrmnl_sp_delete(x->sk, sp, 0);
out:
	if (t)
		xfrmnl_user_tmpl_free(t);
	nl_addr_put(sa);
	nl_addr_put(da);
	xfrmnl_sel_put(sel);
	xfrmnl_sp_put(sp);
	return err;
}

static int policy_change(void *be, const struct kernel_policy *pol, bool add)
{
	struct prefix src[XFRM_MAX_PREFIXES], dst[XFRM_MAX_PREFIXES];
	const struct kernel_selector *s = &pol->sel;
	unsigned sport, smask, dport, dmask;
	int ns, nd, first_err = 0;

	if (s->family != AF_INET && s->family != AF_INET6)
		return -EINVAL;
	ns = prefix_cover_range(s->family, s->src_from, s->src_to, src, XFRM_MAX_PREFIXES);
	nd = prefix_cover_range(s->family, s->dst_from, s->dst_to, dst, XFRM_MAX_PREFIXES);
	if (ns < 0 || nd < 0 || !port_sel(s->sport_from, s->sport_to, &sport, &smask) ||
	    !port_sel(s->dport_from, s->dport_to, &dport, &dmask)) {
		log_error("xfrm: selector (reqid %u) needs more than %d prefixes or a port range: "
			  "not expressible as XFRM policies", pol->reqid, XFRM_MAX_PREFIXES);
		return -ENOTSUP;
	}
	for (int k = 0; k < ns * nd; k++) {
		int err = policy_one(be, pol, &src[k / nd], &dst[k % nd], sport, smask, dport,
				     dmask, add);

		if (err >= 0)
			continue;
		log_error("xfrm: cannot %s policy (reqid %u): %s", add ? "install" : "delete",
			  pol->reqid, nl_geterror(err));
		if (!first_err)
			first_err = xfrm_errno(err);
		if (add) {
			/* all or nothing: take back what this call installed */
			while (k-- > 0)
				policy_one(be, pol, &src[k / nd], &dst[k % nd], sport, smask,
					   dport, dmask, false);
			return first_err;
		}
	}
	return first_err;
}

int xfrm_policy_add(void *be, const struct kernel_policy *pol)
{
	return policy_change(be, pol, true);
}

int xfrm_policy_del(void *be, const struct kernel_policy *pol)
{
	return policy_change(be, pol, false);
}
