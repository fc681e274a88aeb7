/* ACQUIRE and EXPIRE from the kernel, read on the event loop. */
#include <event2/event.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <string.h>

#include "kernel/xfrm/xfrm_int.h"
#include "lib/log.h"

static void sel_from_xfrm(struct kernel_selector *out, const struct xfrm_selector *s)
{
	unsigned n = s->family == AF_INET ? 4 : 16;

	memset(out, 0, sizeof(*out));
	out->family = (uint8_t)s->family;
	memcpy(out->src_from, &s->saddr, n);
	memcpy(out->src_to, &s->saddr, n);
	memcpy(out->dst_from, &s->daddr, n);
	memcpy(out->dst_to, &s->daddr, n);
	out->proto = s->proto;
	out->sport_from = out->sport_to = ntohs(s->sport);
	out->dport_from = out->dport_to = ntohs(s->dport);
	if (!s->sport_mask) {
		out->sport_from = 0;
		out->sport_to = 0xffff;
	}
	if (!s->dport_mask) {
		out->dport_from = 0;
		out->dport_to = 0xffff;
	}
}

static void on_acquire(struct xfrm_be *x, struct nlmsghdr *nlh)
{
	static struct nla_policy pol[XFRMA_MAX + 1] = {
		[XFRMA_TMPL] = { .minlen = sizeof(struct xfrm_user_tmpl) },
	};
	struct nlattr *tb[XFRMA_MAX + 1];
	const struct xfrm_user_acquire *acq;
	struct kernel_selector sel;
	uint32_t reqid = 0;

	if (nlmsg_datalen(nlh) < (int)sizeof(*acq) ||
	    nlmsg_parse(nlh, sizeof(*acq), tb, XFRMA_MAX, pol) < 0) {
		log_warn("xfrm: malformed ACQUIRE ignored");
		return;
	}
	acq = nlmsg_data(nlh);
	if (acq->sel.family != AF_INET && acq->sel.family != AF_INET6)
		return;
	if (tb[XFRMA_TMPL]) {
		struct xfrm_user_tmpl t;

		memcpy(&t, nla_data(tb[XFRMA_TMPL]), sizeof(t));
		reqid = t.reqid;
	}
	sel_from_xfrm(&sel, &acq->sel);
	log_debug("xfrm: acquire for reqid %u", reqid);
	if (x->ki.ev.acquire)
		x->ki.ev.acquire(x->ki.ev.ctx, reqid, &sel);
}

static void on_expire(struct xfrm_be *x, struct nlmsghdr *nlh)
{
	const struct xfrm_user_expire *exp;
	struct xfrm_sa_entry *e;
	uint32_t spi;

	if (nlmsg_datalen(nlh) < (int)sizeof(*exp)) {
		log_warn("xfrm: malformed EXPIRE ignored");
		return;
	}
	exp = nlmsg_data(nlh);
	if (exp->state.id.proto != IPPROTO_ESP)
		return;
	spi = ntohl(exp->state.id.spi);
	/* the kernel says only which SA; our table says which direction */
	e = xfrm_sa_find(x, spi, KERNEL_DIR_IN);
	if (!e)
		e = xfrm_sa_find(x, spi, KERNEL_DIR_OUT);
	if (!e)
		return;
	if (x->ki.ev.expire) {
		struct kernel_sa_id id = { .spi = spi, .dir = e->dir, .dst = e->dst };

		x->ki.ev.expire(x->ki.ev.ctx, &id, e->child_id, exp->hard != 0);
	}
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (nlh->nlmsg_type == XFRM_MSG_ACQUIRE)
		on_acquire(arg, nlh);
	else if (nlh->nlmsg_type == XFRM_MSG_EXPIRE)
		on_expire(arg, nlh);
	return NL_OK;
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct xfrm_be *x = arg;
	int err;

	(void)fd;
	(void)what;
	err = nl_recvmsgs_default(x->mon);
	if (err < 0 && err != -NLE_AGAIN)
		log_warn("xfrm: reading kernel events failed: %s", nl_geterror(err));
}

int xfrm_events_open(struct xfrm_be *x, struct event_base *base)
{
	int err;

	x->mon = nl_socket_alloc();
	if (!x->mon)
		return -NLE_NOMEM;
	nl_socket_disable_seq_check(x->mon);
	nl_socket_modify_cb(x->mon, NL_CB_VALID, NL_CB_CUSTOM, on_event, x);
	err = nl_connect(x->mon, NETLINK_XFRM);
	if (err < 0)
		return err;
	err = nl_socket_add_memberships(x->mon, XFRMNLGRP_ACQUIRE, XFRMNLGRP_EXPIRE, 0);
	if (err < 0)
		return err;
	nl_socket_set_nonblocking(x->mon);
	if (!base)
		return 0;
	x->mon_ev = event_new(base, nl_socket_get_fd(x->mon), EV_READ | EV_PERSIST,
			      on_readable, x);
	if (!x->mon_ev || event_add(x->mon_ev, NULL) < 0)
		return -NLE_NOMEM;
	return 0;
}

void xfrm_events_close(struct xfrm_be *x)
{
	if (x->mon_ev)
		event_free(x->mon_ev);
	if (x->mon)
		nl_socket_free(x->mon);
	x->mon_ev = NULL;
	x->mon = NULL;
}
