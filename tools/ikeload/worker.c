#include "tools/ikeload/worker.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/rng.h"
#include "ike/ike_core.h"
#include "ike/ike_sa.h"
#include "kernel/socket.h"

/* Where one SA is. Events only change these; launching more work happens
 * in pump(), outside the core's callbacks (the core is not re-entered from
 * its own event callback). */
enum slot_state {
	SLOT_IDLE,
	SLOT_SETUP,		/* IKE_SA_INIT / IKE_AUTH in flight */
	SLOT_UP,		/* IKE + CHILD SA established */
	SLOT_FAILED,
	SLOT_GONE,		/* was up, went down without our delete */
	SLOT_DELETING,
	SLOT_DELETED,
	SLOT_DELETE_FAILED,
};

struct slot {
	uint32_t uid;
	uint8_t state;
	bool ike_up, timed_out;
	uint32_t fl_pos;		/* index in the in-flight list */
	uint64_t t0_us;
	char why[IKELOAD_REASON_LEN];	/* first error/warning, else the kill reason */
};

struct worker {
	const struct ikeload_opts *o;
	unsigned id, n, c;
	pthread_barrier_t *phase;
	pthread_t thread;
	bool started;

	struct event_base *base;
	struct net *net;
	struct ike_core *core;
	struct event *tick;
	struct net_endpoints ep;

	struct slot *slots;
	uint32_t *slot_of_uid;		/* uid -> slot index + 1 (0: not ours) */
	uint32_t *fl;			/* slots in flight */
	uint32_t nfl;
	uint32_t *up_pending;		/* IKE up during this input, child unknown */
	uint32_t n_up_pending;
	uint32_t next;			/* next slot to start (setup or delete) */
	bool deleting, phase_done, in_pump;
	bool closing;			/* results final: ignore events */

	struct worker_result res;
};

static __thread struct worker *tls_w;

uint64_t worker_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static struct slot *slot_by_uid(struct worker *w, uint32_t uid)
{
	if (!uid || uid > w->n || !w->slot_of_uid[uid])
		return NULL;
	return &w->slots[w->slot_of_uid[uid] - 1];
}

/* --- in-flight list ---------------------------------------------------- */

static void fl_add(struct worker *w, struct slot *s)
{
	s->fl_pos = w->nfl;
	w->fl[w->nfl++] = (uint32_t)(s - w->slots);
}

static void fl_del(struct worker *w, struct slot *s)
{
	uint32_t last = w->fl[--w->nfl];

	w->fl[s->fl_pos] = last;
	w->slots[last].fl_pos = s->fl_pos;
}

static void set_why(struct slot *s, const char *why)
{
	if (!s->why[0])
		snprintf(s->why, sizeof(s->why), "%s", why);
}

/* --- outcomes ---------------------------------------------------------- */

static void setup_ok(struct worker *w, struct slot *s)
{
	uint64_t now = worker_now_us(), lat = now - s->t0_us;

	s->state = SLOT_UP;
	fl_del(w, s);
	w->res.lat_us[w->res.ok++] = lat > UINT32_MAX ? UINT32_MAX : (uint32_t)lat;
	w->res.setup_end_us = now;
}

static void setup_failed(struct worker *w, struct slot *s, const char *why)
{
	s->state = SLOT_FAILED;
	fl_del(w, s);
	w->res.failed++;
	w->res.setup_end_us = worker_now_us();
	ikeload_reasons_add(&w->res.fail, s->timed_out ? "timeout" : (s->why[0] ? s->why : why), 1);
}

static void delete_done(struct worker *w, struct slot *s, bool ok, const char *why)
{
	s->state = ok ? SLOT_DELETED : SLOT_DELETE_FAILED;
	fl_del(w, s);
	w->res.delete_end_us = worker_now_us();
	if (ok) {
		w->res.deleted++;
	} else {
		w->res.delete_failed++;
		ikeload_reasons_add(&w->res.delete_fail, why, 1);
	}
}

/* --- env --------------------------------------------------------------- */

static bool e_send(void *ctx, const struct net_endpoints *ep, const uint8_t *msg,
		   size_t len)
{
	struct worker *w = ctx;

	return net_send_ike(w->net, ep, msg, len);
}

static bool e_psk(void *ctx, const struct ike_id *local, const struct ike_id *remote,
		  struct chunk *out)
{
	struct worker *w = ctx;

	(void)local;
	(void)remote;
	return chunk_dup(out, (const uint8_t *)w->o->psk, strlen(w->o->psk));
}

static bool e_spi(void *ctx, uint32_t *spi)
{
	(void)ctx;
	do {
		if (!rng_bytes(spi, sizeof(*spi)))
			return false;
	} while (*spi < 256);
	return true;
}

static bool e_install(void *ctx, const struct ike_sa *sa, const struct child_sa *c)
{
	(void)ctx;
	(void)sa;
	(void)c;
	return true;		/* no datapath: ikeload measures IKE only */
}

static void pump(struct worker *w);

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct ike_timer *t = arg;

	(void)fd;
	(void)what;
	t->fire(t);
	pump(tls_w);
}

static void e_timer_arm(void *ctx, struct ike_timer *t, uint32_t ms)
{
	struct worker *w = ctx;
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	if (!t->impl)
		t->impl = evtimer_new(w->base, on_timer, t);
	if (t->impl)
		evtimer_add((struct event *)t->impl, &tv);
}

static void e_timer_cancel(void *ctx, struct ike_timer *t)
{
	(void)ctx;
	if (t->impl)
		evtimer_del((struct event *)t->impl);
}

static void e_timer_release(void *ctx, struct ike_timer *t)
{
	(void)ctx;
	if (t->impl)
		event_free((struct event *)t->impl);
	t->impl = NULL;
}

static uint64_t e_now(void *ctx)
{
	(void)ctx;
	return worker_now_us() / 1000;
}

static void e_event(void *ctx, enum ike_event ev, const struct ike_sa *sa,
		    const struct child_sa *c)
{
	struct worker *w = ctx;
	struct slot *s = slot_by_uid(w, sa->unique_id);

	(void)c;
	if (!s || w->closing)
		return;
	switch (ev) {
	case IKE_EV_SA_UP:
		if (s->state != SLOT_SETUP)
			break;
		s->ike_up = true;
		if (w->o->no_child)
			setup_ok(w, s);
		else
			w->up_pending[w->n_up_pending++] = sa->unique_id;
		break;
	case IKE_EV_CHILD_UP:
		if (s->state == SLOT_SETUP)
			setup_ok(w, s);
		break;
	case IKE_EV_SA_DOWN:
		if (s->state == SLOT_SETUP)
			setup_failed(w, s, "IKE SA down before it was up");
		else if (s->state == SLOT_UP)
			s->state = SLOT_GONE;
		else if (s->state == SLOT_DELETING)
			delete_done(w, s, true, NULL);
		break;
	default:
		break;
	}
}

/* Core log lines start with "[ike#UID addr]"; the first error or warning
 * (or else the kill reason) of an SA that fails is its failure reason. */
void worker_log_sink(void *ctx, enum log_level lvl, const char *line)
{
	struct worker *w = tls_w;
	const char *text, *kill = "IKE SA deleted: ";
	unsigned uid;
	struct slot *s;

	(void)ctx;
	if (!w || w->closing || lvl > LOG_LVL_INFO || sscanf(line, "[ike#%u ", &uid) != 1)
		return;
	s = slot_by_uid(w, uid);
	text = strstr(line, "] ");
	if (!s || !text || s->state != SLOT_SETUP)
		return;
	text += 2;
	if (lvl <= LOG_LVL_WARN)
		set_why(s, text);
	else if (strncmp(text, kill, strlen(kill)) == 0)
		set_why(s, text + strlen(kill));
}

/* --- driving ----------------------------------------------------------- */

static void start_setup(struct worker *w, struct slot *s)
{
	const char *child = w->o->no_child ? NULL : "ikeload";
	uint32_t uid;

	s->state = SLOT_SETUP;
	s->t0_us = worker_now_us();
	fl_add(w, s);
	uid = ike_core_initiate(w->core, "ikeload", child, &w->ep);
	if (!uid) {
		setup_failed(w, s, "initiate failed");
		return;
	}
	s->uid = uid;
	if (uid <= w->n)
		w->slot_of_uid[uid] = (uint32_t)(s - w->slots) + 1;
}

static void start_delete(struct worker *w, struct slot *s)
{
	s->state = SLOT_DELETING;
	s->t0_us = worker_now_us();
	fl_add(w, s);
	if (!ike_core_terminate(w->core, s->uid) && s->state == SLOT_DELETING)
		delete_done(w, s, false, "SA not found");
}

static void check_child_pending(struct worker *w)
{
	for (uint32_t i = 0; i < w->n_up_pending; i++) {
		struct slot *s = slot_by_uid(w, w->up_pending[i]);

		if (s && s->state == SLOT_SETUP) {
			/* IKE_AUTH done but no CHILD SA: a failure; the IKE
			 * SA itself is deleted */
			setup_failed(w, s, "IKE SA up, CHILD SA not created");
			ike_core_terminate(w->core, s->uid);
		}
	}
	w->n_up_pending = 0;
}

static void check_timeouts(struct worker *w)
{
	uint64_t now = worker_now_us(), limit = (uint64_t)w->o->timeout_ms * 1000;

	for (uint32_t i = 0; i < w->nfl;) {
		struct slot *s = &w->slots[w->fl[i]];

		if (now - s->t0_us < limit) {
			i++;
			continue;
		}
		s->timed_out = true;
		if (s->state == SLOT_SETUP) {
			/* kills a half-open SA at once (SA_DOWN lands here) */
			ike_core_terminate(w->core, s->uid);
			if (s->state == SLOT_SETUP)
				setup_failed(w, s, "timeout");
		} else {
			delete_done(w, s, false, "timeout");
		}
		/* fl[i] now holds another slot: look at i again */
	}
}

static void pump(struct worker *w)
{
	if (w->in_pump || w->phase_done)
		return;
	w->in_pump = true;
	check_child_pending(w);
	while (w->nfl < w->c && w->next < w->n) {
		struct slot *s = &w->slots[w->next++];

		if (!w->deleting)
			start_setup(w, s);
		else if (s->state == SLOT_UP)
			start_delete(w, s);
		check_child_pending(w);
	}
	if (w->next == w->n && w->nfl == 0) {
		w->phase_done = true;
		event_base_loopbreak(w->base);
	}
	w->in_pump = false;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)what;
	check_timeouts(w);
	pump(w);
}

static void on_ike(void *ctx, const uint8_t *msg, size_t len, const struct net_endpoints *ep)
{
	struct worker *w = ctx;

	ike_core_input(w->core, msg, len, ep);
	pump(w);
}

/* --- setup ------------------------------------------------------------- */

static struct ike_conf *make_conf(const struct ikeload_opts *o)
{
	struct ike_conf *conf = ike_conf_new("ikeload");
	struct ike_child_conf *ch;

	if (!conf)
		return NULL;
	conf->props[0] = o->prop;
	conf->n_props = 1;
	conf->local_auth = conf->remote_auth = IKE_AUTH_PSK;
	conf->local_id = o->id_local;
	conf->remote_id = o->id_remote;
	conf->want_vip4 = o->vip;
	conf->send_initial_contact = false;	/* many SAs, one identity */
	if (o->no_child)
		return conf;
	ch = &conf->children[0];
	conf->n_children = 1;
	snprintf(ch->name, sizeof(ch->name), "ikeload");
	ch->props[0] = o->esp;
	ch->n_props = 1;
	ch->mode = IKE_MODE_TUNNEL;
	ch->start_action = IKE_START_NONE;
	if (o->n_local_ts) {
		memcpy(ch->local_ts, o->local_ts, sizeof(ch->local_ts));
		ch->n_local_ts = o->n_local_ts;
	} else {
		ike_ts_conf_parse("dynamic", &ch->local_ts[0]);
		ch->n_local_ts = 1;
	}
	if (o->n_remote_ts) {
		memcpy(ch->remote_ts, o->remote_ts, sizeof(ch->remote_ts));
		ch->n_remote_ts = o->n_remote_ts;
	} else {
		ike_ts_conf_parse("dynamic", &ch->remote_ts[0]);
		ch->n_remote_ts = 1;
	}
	return conf;
}

struct worker *worker_new(const struct ikeload_opts *o, unsigned id, unsigned n,
			  unsigned c, const struct sockaddr_storage *local,
			  pthread_barrier_t *phase)
{
	struct worker *w = calloc(1, sizeof(*w));
	struct net_config nc = { .on_ike = on_ike };
	struct ike_conf *conf = NULL;
	struct ike_env env = {
		.send = e_send, .psk_lookup = e_psk, .spi_alloc = e_spi,
		.child_install = e_install, .timer_arm = e_timer_arm,
		.timer_cancel = e_timer_cancel, .timer_release = e_timer_release,
		.now_ms = e_now, .event = e_event,
	};
	struct timeval tick = { 0, 20000 };

	if (!w)
		return NULL;
	w->o = o;
	w->id = id;
	w->n = n;
	w->c = c ? c : 1;
	w->phase = phase;
	w->slots = calloc(n, sizeof(*w->slots));
	w->slot_of_uid = calloc((size_t)n + 1, sizeof(*w->slot_of_uid));
	w->fl = calloc(n, sizeof(*w->fl));
	w->up_pending = calloc(n, sizeof(*w->up_pending));
	w->res.lat_us = calloc(n, sizeof(*w->res.lat_us));
	w->base = event_base_new();
	if (!w->slots || !w->slot_of_uid || !w->fl || !w->up_pending || !w->res.lat_us ||
	    !w->base)
		goto fail;
	nc.ctx = w;
	nc.ipv6 = local->ss_family == AF_INET6;
	w->net = net_open(w->base, &nc);
	if (!w->net)
		goto fail;
	env.ctx = w;
	env.natt_port = net_bound_port(w->net, true, local->ss_family);
	w->core = ike_core_new(&env);
	conf = make_conf(o);
	if (!w->core || !conf)
		goto fail;
	ike_core_set_confs(w->core, &conf, 1);
	ike_conf_unref(conf);
	w->ep.local = *local;
	sockaddr_set_port(&w->ep.local, net_bound_port(w->net, false, local->ss_family));
	if (!sockaddr_parse(o->remote, o->port, &w->ep.remote))
		goto fail;
	w->tick = event_new(w->base, -1, EV_PERSIST, on_tick, w);
	if (!w->tick || event_add(w->tick, &tick) < 0)
		goto fail;
	return w;
fail:
	if (conf && !w->core)
		ike_conf_unref(conf);
	worker_free(w);
	return NULL;
}

static void run_phase(struct worker *w)
{
	w->phase_done = false;
	w->next = 0;
	pump(w);
	if (!w->phase_done)
		event_base_dispatch(w->base);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	tls_w = w;
	pthread_barrier_wait(w->phase);
	w->res.setup_start_us = worker_now_us();
	w->res.setup_end_us = w->res.setup_start_us;
	run_phase(w);
	pthread_barrier_wait(w->phase);
	w->deleting = true;
	w->res.delete_start_us = worker_now_us();
	w->res.delete_end_us = w->res.delete_start_us;
	run_phase(w);
	tls_w = NULL;
	return NULL;
}

bool worker_start(struct worker *w)
{
	w->started = pthread_create(&w->thread, NULL, worker_main, w) == 0;
	return w->started;
}

void worker_join(struct worker *w)
{
	if (w->started)
		pthread_join(w->thread, NULL);
	w->started = false;
}

const struct worker_result *worker_result(const struct worker *w)
{
	return &w->res;
}

void worker_free(struct worker *w)
{
	if (!w)
		return;
	/* SAs still in the core (delete timeouts) go without a word */
	w->closing = true;
	tls_w = w;
	ike_core_free(w->core);
	tls_w = NULL;
	if (w->tick)
		event_free(w->tick);
	net_close(w->net);
	if (w->base)
		event_base_free(w->base);
	free(w->slots);
	free(w->slot_of_uid);
	free(w->fl);
	free(w->up_pending);
	free(w->res.lat_us);
	free(w);
}
