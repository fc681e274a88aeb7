/* The datapath's own threads: the outbound path (TUN reads, GSO splitting,
 * SPD/SAD lookups, encryption, sends) on a TX thread and the inbound path
 * (raw ESP and the NAT-T socket, decryption, GRO, TUN writes) on an RX
 * thread, each with its own libevent base, so that the caller's loop runs
 * only IKE and the control socket while a gateway encrypts and decrypts on
 * other cores.
 *
 * Sharing, in one place (us_int.h has the field list):
 * - The tables and SAs change only in the ops, on the caller's loop, which
 *   hold u->lock for writing. Each worker holds it for reading around a
 *   batch (at most 64 packets), never per packet. The TX thread sends
 *   every batch before it lets go, so no SA pointer outlives the lock; the
 *   RX thread keeps only clear packets between batches.
 * - Outbound SA state, the tx slots, the hold queue and u->txc belong to
 *   the TX side, inbound SA state (replay windows), the rx slots, GRO and
 *   u->counters to the RX side: each is touched by its side under the lock,
 *   or by an op (which excludes both). Without an RX thread the inbound
 *   side runs on the caller's loop, which reads the tables without the
 *   lock: it is their only writer.
 * - What a worker raises for the caller (an acquire, a lifetime expiry, an
 *   unknown SPI, a log line for the control socket's listeners) is queued
 *   and delivered on the caller's loop, so the events keep their contract
 *   ("called from the backend's event context"). Acquires, unknown SPIs and
 *   log lines are bounded (a flood of them must not grow memory: the next
 *   packet raises an acquire again, INVALID_SPI is rate-limited anyway);
 *   expiries are not (one per SA and kind). */
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kernel/userspace/us_int.h"
#include "lib/log.h"
#include "lib/mailbox.h"

#define US_DEFER_MAX 256	/* queued bounded events; more are dropped and counted */

enum us_deferred_type { DEF_ACQUIRE, DEF_EXPIRE, DEF_UNKNOWN_SPI, DEF_LOG };

struct us_deferred {
	struct mailbox_item item;	/* first */
	enum us_deferred_type type;
	union {
		struct {
			uint32_t reqid;
			struct kernel_selector sel;
		} acquire;
		struct {
			struct kernel_sa_id id;
			uint32_t child_id;
			bool hard;
		} expire;
		struct {
			uint32_t spi;
			struct sockaddr_storage peer;
		} unknown;
		struct {
			enum log_level lvl;
			char line[];	/* flexible: allocated to size */
		} log;
	};
};

/* Set by a worker for itself: no race with pthread_create's store. */
static _Thread_local const struct us_be *worker_self;

void us_lock(struct us_be *u)
{
	if (u->threaded) {
		int err = pthread_rwlock_wrlock(&u->lock);

		if (err) {	/* EDEADLK: an op called from inside an op, a bug */
			log_error("userspace: datapath lock: %s", strerror(err));
			abort();
		}
		u->in_op = true;
	}
}

void us_unlock(struct us_be *u)
{
	if (u->threaded) {
		u->in_op = false;
		pthread_rwlock_unlock(&u->lock);
	}
}

void us_batch_enter(struct us_be *u)
{
	if (worker_self == u)
		pthread_rwlock_rdlock(&u->lock);
}

void us_batch_leave(struct us_be *u)
{
	if (worker_self == u)
		pthread_rwlock_unlock(&u->lock);
}

/* Raised on a worker, or inside an op (installing an SA sends held
 * packets, which may reach a lifetime): the caller's handler may call an
 * op, which would wait for the lock held right here. */
static bool must_defer(const struct us_be *u)
{
	return worker_self == u || (u->threaded && u->in_op);
}

static void wake(int fd)
{
	uint64_t one = 1;

	/* only fails if the counter would overflow: it is pending anyway */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

/* Queue d for the caller's loop; everything but an expiry is bounded. */
static void defer(struct us_be *u, struct us_deferred *d)
{
	if (!mailbox_post(&u->deferred, &d->item, d->type != DEF_EXPIRE))
		free(d);
}

static struct us_deferred *deferred_new(enum us_deferred_type type, size_t extra)
{
	struct us_deferred *d = calloc(1, sizeof(*d) + extra);

	if (d)
		d->type = type;
	return d;
}

static void ev_acquire(void *ctx, uint32_t reqid, const struct kernel_selector *pkt)
{
	struct us_be *u = ctx;
	struct us_deferred *d;

	if (!must_defer(u)) {
		if (u->user_ev.acquire)
			u->user_ev.acquire(u->user_ev.ctx, reqid, pkt);
		return;
	}
	if (!(d = deferred_new(DEF_ACQUIRE, 0)))
		return;	/* the next packet raises it again */
	d->acquire.reqid = reqid;
	d->acquire.sel = *pkt;
	defer(u, d);
}

static void ev_expire(void *ctx, const struct kernel_sa_id *id, uint32_t child_id, bool hard)
{
	struct us_be *u = ctx;
	struct us_deferred *d;

	if (!must_defer(u)) {
		if (u->user_ev.expire)
			u->user_ev.expire(u->user_ev.ctx, id, child_id, hard);
		return;
	}
	if (!(d = deferred_new(DEF_EXPIRE, 0))) {
		log_error("userspace: out of memory: ESP SA %08x lifetime event lost", id->spi);
		return;
	}
	d->expire.id = *id;
	d->expire.child_id = child_id;
	d->expire.hard = hard;
	defer(u, d);
}

static void ev_unknown_spi(void *ctx, uint32_t spi, const struct sockaddr *peer)
{
	struct us_be *u = ctx;
	struct us_deferred *d;

	if (!must_defer(u)) {
		if (u->user_ev.unknown_spi)
			u->user_ev.unknown_spi(u->user_ev.ctx, spi, peer);
		return;
	}
	if (!(d = deferred_new(DEF_UNKNOWN_SPI, 0)))
		return;
	d->unknown.spi = spi;
	memcpy(&d->unknown.peer, peer, peer->sa_family == AF_INET6 ?
	       sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	defer(u, d);
}

const struct kernel_ipsec_events us_wrapped_events = {
	.acquire = ev_acquire,
	.expire = ev_expire,
	.unknown_spi = ev_unknown_spi,
};

static void log_line(void *ctx, enum log_level lvl, const char *line)
{
	size_t len = strlen(line) + 1;
	struct us_deferred *d = deferred_new(DEF_LOG, len);

	if (!d)
		return;
	d->log.lvl = lvl;
	memcpy(d->log.line, line, len);
	defer(ctx, d);
}

/* Caller's loop: deliver what the workers queued, in order. */
static void on_deferred(void *ctx, struct mailbox_item *it)
{
	struct us_be *u = ctx;
	struct us_deferred *d = (struct us_deferred *)it;

	switch (d->type) {
	case DEF_ACQUIRE:
		ev_acquire(u, d->acquire.reqid, &d->acquire.sel);
		break;
	case DEF_EXPIRE:
		ev_expire(u, &d->expire.id, d->expire.child_id, d->expire.hard);
		break;
	case DEF_UNKNOWN_SPI:
		ev_unknown_spi(u, d->unknown.spi, (struct sockaddr *)&d->unknown.peer);
		break;
	case DEF_LOG:
		log_to_sink(d->log.lvl, d->log.line);
		break;
	}
	free(d);
}

static void deferred_free(struct mailbox_item *it)
{
	free(it);	/* undelivered: the loop is ending */
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static void *worker_main(void *arg)
{
	struct us_worker *w = arg;

	struct us_be *u = w->owner;

	worker_self = u;
	log_set_thread_sink(log_line, u);
	event_base_dispatch(w->base);
	/* stopped between a UDP batch and its flush: let go of the lock (the
	 * clear packets are dropped with the loop) */
	if (w == &u->rxw && u->rx_locked) {
		u->rx_locked = false;
		pthread_rwlock_unlock(&u->lock);
	}
	log_set_thread_sink(NULL, NULL);
	worker_self = NULL;
	return NULL;
}

static int worker_init(struct us_be *u, struct us_worker *w, const char *name)
{
	w->owner = u;
	w->name = name;
	w->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->stop_fd < 0)
		return -errno;
	if (!(w->base = event_base_new()) ||
	    !(w->stop_ev = event_new(w->base, w->stop_fd, EV_READ, on_stop, w->base)) ||
	    event_add(w->stop_ev, NULL) < 0)
		return -ENOMEM;
	return 0;
}

int us_threads_init(struct us_be *u, struct event_base *base, bool tx, bool rx)
{
	pthread_rwlockattr_t ra;
	int err;

	u->txw.stop_fd = u->rxw.stop_fd = -1;
	if (!tx && !rx)
		return 0;
	/* the ops must not wait behind a stream of batches */
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	err = pthread_rwlock_init(&u->lock, &ra);
	pthread_rwlockattr_destroy(&ra);
	if (err)
		return -err;
	u->threaded = true;	/* from here on us_threads_free undoes it all */
	if ((err = mailbox_init(&u->deferred, base, US_DEFER_MAX,
				"userspace: events of the datapath threads", on_deferred, u)) < 0 ||
	    (tx && (err = worker_init(u, &u->txw, "TX")) < 0) ||
	    (rx && (err = worker_init(u, &u->rxw, "RX")) < 0))
		return err;
	return 0;
}

static int worker_run(struct us_worker *w)
{
	sigset_t all, old;
	int err;

	if (!w->base || w->running)
		return 0;
	/* signals stay with the caller's thread */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&w->tid, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		log_error("userspace: cannot start the %s thread: %s", w->name, strerror(err));
		return -err;
	}
	w->running = true;
	return 0;
}

int us_threads_run(struct us_be *u)
{
	int err = worker_run(&u->txw);

	return err ? err : worker_run(&u->rxw);
}

static void worker_stop(struct us_worker *w)
{
	if (!w->running)
		return;
	wake(w->stop_fd);
	pthread_join(w->tid, NULL);
	w->running = false;
}

void us_threads_stop(struct us_be *u)
{
	worker_stop(&u->txw);
	worker_stop(&u->rxw);
}

static void worker_free(struct us_worker *w)
{
	if (w->stop_ev)
		event_free(w->stop_ev);
	if (w->base)	/* the engine freed its events on it already */
		event_base_free(w->base);
	if (w->stop_fd >= 0)
		close(w->stop_fd);
	w->stop_ev = NULL;
	w->base = NULL;
	w->stop_fd = -1;
}

void us_threads_free(struct us_be *u)
{
	if (!u->threaded)
		return;
	us_threads_stop(u);
	worker_free(&u->txw);
	worker_free(&u->rxw);
	mailbox_free(&u->deferred, deferred_free);
	pthread_rwlock_destroy(&u->lock);
	u->threaded = false;
}
