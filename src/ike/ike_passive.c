/* HA standby copies of IKE SAs: import as PASSIVE, activate, drop
 * (semantics in ike/sa_export.h and docs/ha-protocol.md).
 *
 * A PASSIVE SA is in the core's tables (by unique id and by SPI, so a
 * second import of the same SA is refused and the SPI stays taken) but is
 * silent: exchange.c allows no exchange in this state, no retransmit is
 * answered because has_last_resp stays false until activation, no timer is
 * armed, CHILD SAs stay CREATING (not installed, not in the CHILD table). */
#include "ike/sa_export.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crypto/aead.h"
#include "ike/core_priv.h"
#include "ike/ike_ts.h"

/* On activation the AEAD IV counter jumps by this much: the old owner may
 * have sealed messages after the export, and an IV must never repeat
 * under one key. */
#define IV_SEQ_TAKEOVER_GAP (1ull << 32)

static bool fail(struct sa_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool fail(struct sa_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return false;
}

static struct ike_sa *find_spi(struct ike_core *c, uint64_t spi)
{
	struct htable_node *n = htable_find(&c->by_spi, &spi);

	return n ? htable_entry(n, struct ike_sa, by_spi) : NULL;
}

/* Hold the SA's virtual IP in our pool, so nobody else gets it here. */
static void reserve_vip(struct ike_core *c, struct ike_sa *sa)
{
	char pools[1][64], id[IKE_ID_MAX + 8];
	struct ike_vip got;

	if (!sa->has_vip || !sa->vip_leased)
		return;
	if (!c->env.vip_acquire || !sa->vip.pool[0]) {
		sa->vip_leased = false;
		return;
	}
	snprintf(pools[0], sizeof(pools[0]), "%s", sa->vip.pool);
	ike_id_str(&sa->peer_id, id, sizeof(id));
	memset(&got, 0, sizeof(got));
	if (!c->env.vip_acquire(c->env.ctx, pools, 1, sa->vip.addr.ss_family, id,
				&sa->vip.addr, &got)) {
		sa_warn(sa, "virtual IP not in pool '%s' here, not reserved", sa->vip.pool);
		sa->vip_leased = false;
	} else if (!sockaddr_equal(&got.addr, &sa->vip.addr, false)) {
		sa_warn(sa, "virtual IP is leased to someone else in pool '%s' here",
			sa->vip.pool);
		if (c->env.vip_release)
			c->env.vip_release(c->env.ctx, &got);
		sa->vip_leased = false;
	}
}

uint32_t sa_import(struct ike_core *c, const uint8_t *blob, size_t len,
		   struct sa_err *err)
{
	struct net_endpoints ep0;
	char conf_name[64] = "";
	struct ike_conf *conf;
	struct ike_sa *sa;
	uint32_t id = 0;

	memset(&ep0, 0, sizeof(ep0));
	core_enter(c);
	/* as initiator: a responder SA would count as half-open */
	sa = ike_sa_new(c, true, &ep0);
	if (!sa) {
		fail(err, "out of memory");
		goto out;
	}
	if (!sa_decode(blob, len, sa, conf_name, err))
		goto out_free;
	conf = ike_core_conf(c, conf_name);
	if (!conf) {
		fail(err, "no connection '%s' here", conf_name);
		goto out_free;
	}
	for (struct child_sa *ch = sa->children; ch; ch = ch->next)
		if (!ike_conf_child(conf, ch->name)) {
			fail(err, "connection '%s' has no child '%s' here", conf_name, ch->name);
			goto out_free;
		}
	if (find_spi(c, ike_sa_my_spi(sa))) {
		fail(err, "SPI %016llx is in use here (already imported?)",
		     (unsigned long long)ike_sa_my_spi(sa));
		goto out_free;
	}
	for (struct child_sa *ch = sa->children; ch; ch = ch->next)
		if (core_child_find(c, ch->spi_in)) {
			fail(err, "CHILD SPI %08x is in use here", ch->spi_in);
			goto out_free;
		}
	sa->conf = ike_conf_ref(conf);
	sa->state = IKE_SA_PASSIVE;
	core_sa_register(c, sa);
	ike_sa_update_prefix(sa);
	reserve_vip(c, sa);
	id = sa->unique_id;
	sa_info(sa, "imported passive IKE SA '%s' (SPIs %016llx_i %016llx_r, %s)",
		conf->name, (unsigned long long)sa->spi_i, (unsigned long long)sa->spi_r,
		sa->initiator ? "initiator" : "responder");
	goto out;
out_free:
	ike_sa_free(sa);
out:
	core_leave(c);
	return id;
}

static bool activate_child(struct ike_sa *sa, struct child_sa *ch)
{
	struct ike_core *c = sa->core;
	char a[64], b[64];

	ch->unique_id = 0;	/* a local id, not the exporter's */
	core_child_register(c, ch);
	/* reqids bind SAs to policies in this node's datapath: a local one */
	ch->reqid = c->next_reqid++;
	if (c->env.child_install && !c->env.child_install(c->env.ctx, sa, ch)) {
		sa_error(sa, "CHILD SA '%s': the datapath refused it", ch->name);
		return false;
	}
	/* its rekey timer was armed by ike_sa_established() */
	ch->state = CHILD_SA_INSTALLED;
	c->stats.child_installed++;
	sa_info(sa, "CHILD SA '%s' taken over, SPIs %08x_i %08x_o, %s === %s%s", ch->name,
		ch->spi_in, ch->spi_out, ts_str(&ch->local_ts[0], a, sizeof(a)),
		ts_str(&ch->remote_ts[0], b, sizeof(b)), ch->encap ? " (UDP encap)" : "");
	core_event(sa, IKE_EV_CHILD_UP, ch);
	return true;
}

bool sa_activate(struct ike_core *c, uint32_t unique_id, struct sa_err *err)
{
	struct ike_sa *sa = ike_core_find(c, unique_id);
	struct child_sa *ch, *next;

	if (!sa)
		return fail(err, "no IKE SA #%u", unique_id);
	if (sa->state != IKE_SA_PASSIVE)
		return fail(err, "IKE SA #%u is %s, not PASSIVE", unique_id,
			    ike_sa_state_name(sa->state));
	core_enter(c);
	sa->iv_seq += IV_SEQ_TAKEOVER_GAP;
	sa->has_last_resp = sa->last_resp.n > 0;
	sa->last_in_ms = c->env.now_ms ? c->env.now_ms(c->env.ctx) : 0;
	/* SA_UP (and the DPD/rekey timers) first, then the CHILD SAs, as
	 * after an IKE_AUTH */
	ike_sa_established(sa);
	for (ch = sa->children; ch; ch = next) {
		next = ch->next;
		if (!activate_child(sa, ch))
			ike_sa_child_delete(sa, ch);	/* not installed: no event */
	}
	sa_info(sa, "took over IKE SA (next request %u, peer's next %u)", sa->mid_out,
		sa->mid_in);
	core_leave(c);
	return true;
}

bool sa_passive_drop(struct ike_core *c, uint32_t unique_id, struct sa_err *err)
{
	struct ike_sa *sa = ike_core_find(c, unique_id);

	if (!sa)
		return fail(err, "no IKE SA #%u", unique_id);
	if (sa->state != IKE_SA_PASSIVE)
		return fail(err, "IKE SA #%u is %s, not PASSIVE", unique_id,
			    ike_sa_state_name(sa->state));
	core_enter(c);
	ike_sa_kill(sa, "passive copy dropped");
	core_leave(c);
	return true;
}
