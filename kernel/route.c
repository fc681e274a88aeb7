#include "kernel/route.h"

#include <netinet/in.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>
#include <linux/fib_rules.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

struct route_ctx {
	struct nl_sock *sk;
	uint32_t table;			/* 0: main */
};

struct route_ctx *route_open(void)
{
	struct route_ctx *r = calloc(1, sizeof(*r));
	int err = 0;

	if (!r)
		return NULL;
	r->sk = nl_socket_alloc();
	if (!r->sk || (err = nl_connect(r->sk, NETLINK_ROUTE)) < 0) {
		log_error("route: cannot open rtnetlink: %s",
			  r->sk ? nl_geterror(err) : "out of memory");
		route_close(r);
		return NULL;
	}
	return r;
}

void route_close(struct route_ctx *r)
{
	if (!r)
		return;
	if (r->sk)
		nl_socket_free(r->sk);
	free(r);
}

void route_set_table(struct route_ctx *r, uint32_t table)
{
	r->table = table;
}

static struct rtnl_rule *rule_build(int family, uint32_t mark, uint32_t table, uint32_t prio)
{
	struct rtnl_rule *rule = rtnl_rule_alloc();

	if (!rule)
		return NULL;
	rtnl_rule_set_family(rule, family);
	rtnl_rule_set_prio(rule, prio);
	rtnl_rule_set_table(rule, table);
	rtnl_rule_set_action(rule, FR_ACT_TO_TBL);
	if (mark) {
		rtnl_rule_set_mark(rule, mark);
		rtnl_rule_set_mask(rule, 0xffffffffu);
	}
	return rule;
}

bool route_rule_del(struct route_ctx *r, int family, uint32_t mark, uint32_t table,
		    uint32_t prio)
{
	struct rtnl_rule *rule = rule_build(family, mark, table, prio);
	int err = rule ? rtnl_rule_delete(r->sk, rule, 0) : -NLE_NOMEM;

	rtnl_rule_put(rule);
	return err >= 0;
}

bool route_rule_add(struct route_ctx *r, int family, uint32_t mark, uint32_t table,
		    uint32_t prio)
{
	struct rtnl_rule *rule;
	int err;

	while (route_rule_del(r, family, mark, table, prio))
		;	/* leftovers of an earlier run */
	rule = rule_build(family, mark, table, prio);
	err = rule ? rtnl_rule_add(r->sk, rule, NLM_F_CREATE | NLM_F_EXCL) : -NLE_NOMEM;
	rtnl_rule_put(rule);
	if (err < 0) {
		log_error("route: cannot add rule %u (table %u): %s", prio, table,
			  nl_geterror(err));
		return false;
	}
	return true;
}

static struct nl_addr *nl_addr_of(const struct sockaddr_storage *ss, uint8_t prefix)
{
	struct nl_addr *a;

	if (ss->ss_family == AF_INET)
		a = nl_addr_build(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else if (ss->ss_family == AF_INET6)
		a = nl_addr_build(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	else
		return NULL;
	if (a)
		nl_addr_set_prefixlen(a, prefix);
	return a;
}

static struct rtnl_route *route_build(const struct route_ctx *r,
				      const struct sockaddr_storage *dst, uint8_t prefix,
				      int ifindex, const struct sockaddr_storage *src)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *d = nl_addr_of(dst, prefix), *s = src ? nl_addr_of(src, 0) : NULL;

	if (!rt || !nh || !d || (src && !s)) {
		rtnl_route_put(rt);
		rtnl_route_nh_free(nh);
		nl_addr_put(d);
		nl_addr_put(s);
		return NULL;
	}
	rtnl_route_set_family(rt, dst->ss_family);
	rtnl_route_set_dst(rt, d);
	rtnl_route_set_scope(rt, RT_SCOPE_LINK);
	rtnl_route_set_protocol(rt, RTPROT_STATIC);
	if (r->table)
		rtnl_route_set_table(rt, r->table);
	if (s)
		rtnl_route_set_pref_src(rt, s);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(rt, nh);
	nl_addr_put(d);
	nl_addr_put(s);
	return rt;
}

bool route_add(struct route_ctx *r, const struct sockaddr_storage *dst, uint8_t prefix,
	       int ifindex, const struct sockaddr_storage *src)
{
	struct rtnl_route *rt = route_build(r, dst, prefix, ifindex, src);
	int err = 0;

	if (!rt)
		return false;
	err = rtnl_route_add(r->sk, rt, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_route_put(rt);
	if (err < 0) {
		log_error("route: cannot add route /%u via ifindex %d: %s", prefix, ifindex,
			  nl_geterror(err));
		return false;
	}
	return true;
}

bool route_del(struct route_ctx *r, const struct sockaddr_storage *dst, uint8_t prefix,
	       int ifindex)
{
	struct rtnl_route *rt = route_build(r, dst, prefix, ifindex, NULL);
	int err = 0;

	if (!rt)
		return false;
	err = rtnl_route_delete(r->sk, rt, 0);
	rtnl_route_put(rt);
	if (err < 0) {
		log_warn("route: cannot delete route /%u via ifindex %d: %s", prefix, ifindex,
			 nl_geterror(err));
		return false;
	}
	return true;
}

static bool route_addr_change(struct route_ctx *r, int ifindex,
			      const struct sockaddr_storage *addr, uint8_t prefix, bool add)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *a = nl_addr_of(addr, prefix);
	int err = -NLE_NOMEM;

	if (ra && a) {
		rtnl_addr_set_ifindex(ra, ifindex);
		rtnl_addr_set_local(ra, a);
		rtnl_addr_set_prefixlen(ra, prefix);
		err = add ? rtnl_addr_add(r->sk, ra, NLM_F_CREATE | NLM_F_REPLACE)
			  : rtnl_addr_delete(r->sk, ra, 0);
	}
	nl_addr_put(a);
	rtnl_addr_put(ra);
	if (err < 0) {
		log_error("route: cannot %s address on ifindex %d: %s", add ? "add" : "delete",
			  ifindex, nl_geterror(err));
		return false;
	}
	return true;
}

bool route_addr_add(struct route_ctx *r, int ifindex, const struct sockaddr_storage *addr,
		    uint8_t prefix)
{
	return route_addr_change(r, ifindex, addr, prefix, true);
}

bool route_addr_del(struct route_ctx *r, int ifindex, const struct sockaddr_storage *addr,
		    uint8_t prefix)
{
	return route_addr_change(r, ifindex, addr, prefix, false);
}
