/* The outbound half of the userspace datapath on a thread of its own: TUN
 * reads, GSO splitting, SPD/SAD lookups, encryption and sends, so that a
 * gateway encrypts on one core while the caller's loop decrypts, runs IKE
 * and answers the control socket on another.
 *
 * Sharing, in one place (us_int.h has the field list):
 * - The tables and SAs change only in the ops, on the caller's loop, which
 *   hold u->lock for writing. The TX thread holds it for reading around a
 *   batch (at most US_TX_MAX segments), never per packet, and leaves every
 *   batch with its tx slots sent, so no SA pointer outlives the lock.
 * - Outbound SA state, the tx slots, the hold queue and u->txc are touched
 *   only under the lock: by the TX thread, or by the ops (the release of
 *   held packets when an SA arrives). Inbound state stays on the caller's
 *   loop, which reads the tables without the lock: it is their only writer.
 * - What the TX thread raises for the caller (an acquire, a lifetime
 *   expiry, a log line for the control socket's listeners) is queued and
 *   delivered on the caller's loop, so the events keep their contract
 *   ("called from the backend's event context"). */
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kernel/userspace/us_int.h"
#include "lib/log.h"

#define US_DEFER_LOG_MAX 256	/* queued log lines; more are dropped and counted */

enum us_deferred_type { DEF_ACQUIRE, DEF_EXPIRE, DEF_LOG };

struct us_deferred {
	struct us_deferred *next;
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
			enum log_level lvl;
			char line[];	/* flexible: allocated to size */
		} log;
	};
};

/* Set by the TX thread for itself: no race with pthread_create's store. */
static _Thread_local const struct us_be *tx_self;

static bool on_tx_thread(const struct us_be *u)
{
	return tx_self == u;
}

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

/* Raised on the TX thread, or inside an op (installing an SA sends held
 * packets, which may reach a lifetime): the caller's handler may call an
 * op, which would wait for the lock held right here. */
static bool must_defer(const struct us_be *u)
{
	return on_tx_thread(u) || (u->threaded && u->in_op);
}

void us_tx_enter(struct us_be *u)
{
	if (u->threaded)
		pthread_rwlock_rdlock(&u->lock);
}

void us_tx_leave(struct us_be *u)
{
	if (u->threaded)
		pthread_rwlock_unlock(&u->lock);
}

static void wake(int fd)
{
	uint64_t one = 1;

	/* only fails if the counter would overflow: it is pending anyway */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

/* Queue d for the caller's loop. Log lines are bounded (a flood of debug
 * lines must not grow memory); acquires and expiries are not: an expiry
 * fires once per SA, and the core dedupes acquires per reqid. */
static void defer(struct us_be *u, struct us_deferred *d)
{
	bool drop;

	pthread_mutex_lock(&u->defer_lock);
	drop = d->type == DEF_LOG && u->ndeferred >= US_DEFER_LOG_MAX;
	if (drop) {
		u->deferred_dropped++;
	} else {
		d->next = NULL;
		*u->deferred_tail = d;
		u->deferred_tail = &d->next;
		u->ndeferred++;
	}
	pthread_mutex_unlock(&u->defer_lock);
	if (drop)
		free(d);
	else
		wake(u->defer_fd);
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
	if (!(d = calloc(1, sizeof(*d))))
		return;	/* the next packet raises it again */
	d->type = DEF_ACQUIRE;
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
	if (!(d = calloc(1, sizeof(*d)))) {
		log_error("userspace: out of memory: ESP SA %08x lifetime event lost", id->spi);
		return;
	}
	d->type = DEF_EXPIRE;
	d->expire.id = *id;
	d->expire.child_id = child_id;
	d->expire.hard = hard;
	defer(u, d);
}

static void ev_unknown_spi(void *ctx, uint32_t spi, const struct sockaddr *peer)
{
	struct us_be *u = ctx;

	/* inbound only: always on the caller's loop */
	if (u->user_ev.unknown_spi)
		u->user_ev.unknown_spi(u->user_ev.ctx, spi, peer);
}

const struct kernel_ipsec_events us_wrapped_events = {
	.acquire = ev_acquire,
	.expire = ev_expire,
	.unknown_spi = ev_unknown_spi,
};

static void log_line(void *ctx, enum log_level lvl, const char *line)
{
	size_t len = strlen(line) + 1;
	struct us_deferred *d = malloc(sizeof(*d) + len);

	if (!d)
		return;
	memset(d, 0, sizeof(*d));
	d->type = DEF_LOG;
	d->log.lvl = lvl;
	memcpy(d->log.line, line, len);
	defer(ctx, d);
}

/* Caller's loop: deliver what the TX thread queued, in order. */
static void on_deferred(evutil_socket_t fd, short what, void *arg)
{
	struct us_be *u = arg;
	struct us_deferred *d, *next;
	uint64_t n, dropped;

	(void)what;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_debug("userspace: deferred event wakeup: %s", strerror(errno));
	pthread_mutex_lock(&u->defer_lock);
	d = u->deferred;
	u->deferred = NULL;
	u->deferred_tail = &u->deferred;
	u->ndeferred = 0;
	dropped = u->deferred_dropped;
	u->deferred_dropped = 0;
	pthread_mutex_unlock(&u->defer_lock);
	for (; d; d = next) {
		next = d->next;
		switch (d->type) {
		case DEF_ACQUIRE:
			ev_acquire(u, d->acquire.reqid, &d->acquire.sel);
			break;
		case DEF_EXPIRE:
			ev_expire(u, &d->expire.id, d->expire.child_id, d->expire.hard);
			break;
		case DEF_LOG:
			log_to_sink(d->log.lvl, d->log.line);
			break;
		}
		free(d);
	}
	if (dropped)
		log_warn("userspace: %llu log lines of the TX thread dropped (queue full)",
			 (unsigned long long)dropped);
}

static void on_tx_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static void *tx_main(void *arg)
{
	struct us_be *u = arg;

	tx_self = u;
	log_set_thread_sink(log_line, u);
	event_base_dispatch(u->tx_base);
	log_set_thread_sink(NULL, NULL);
	tx_self = NULL;
	return NULL;
}

int us_tx_thread_init(struct us_be *u, struct event_base *base)
{
	pthread_rwlockattr_t ra;
	int err;

	u->deferred_tail = &u->deferred;
	u->tx_stop_fd = u->defer_fd = -1;
	/* the ops must not wait behind a stream of batches */
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	err = pthread_rwlock_init(&u->lock, &ra);
	pthread_rwlockattr_destroy(&ra);
	if (err)
		return -err;
	if ((err = pthread_mutex_init(&u->defer_lock, NULL))) {
		pthread_rwlock_destroy(&u->lock);
		return -err;
	}
	u->threaded = true;	/* from here on us_tx_thread_free undoes it all */
	u->tx_stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	u->defer_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (u->tx_stop_fd < 0 || u->defer_fd < 0)
		return -errno;
	if (!(u->tx_base = event_base_new()) ||
	    !(u->tx_stop_ev = event_new(u->tx_base, u->tx_stop_fd, EV_READ, on_tx_stop,
					u->tx_base)) ||
	    event_add(u->tx_stop_ev, NULL) < 0 ||
	    !(u->defer_ev = event_new(base, u->defer_fd, EV_READ | EV_PERSIST, on_deferred, u)) ||
	    event_add(u->defer_ev, NULL) < 0)
		return -ENOMEM;
	return 0;
}

int us_tx_thread_run(struct us_be *u)
{
	sigset_t all, old;
	int err;

	/* signals stay with the caller's thread */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&u->tx_tid, NULL, tx_main, u);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		log_error("userspace: cannot start the TX thread: %s", strerror(err));
		return -err;
	}
	u->tx_running = true;
	return 0;
}

void us_tx_thread_stop(struct us_be *u)
{
	if (!u->tx_running)
		return;
	wake(u->tx_stop_fd);
	pthread_join(u->tx_tid, NULL);
	u->tx_running = false;
}

void us_tx_thread_free(struct us_be *u)
{
	struct us_deferred *d, *next;

	if (!u->threaded)
		return;
	us_tx_thread_stop(u);
	if (u->tx_stop_ev)
		event_free(u->tx_stop_ev);
	if (u->defer_ev)
		event_free(u->defer_ev);
	u->tx_stop_ev = u->defer_ev = NULL;
	if (u->tx_base)	/* the engine freed its TUN event on it already */
		event_base_free(u->tx_base);
	u->tx_base = NULL;
	for (d = u->deferred; d; d = next) {	/* undelivered: the loop is ending */
		next = d->next;
		free(d);
	}
	u->deferred = NULL;
	if (u->tx_stop_fd >= 0)
		close(u->tx_stop_fd);
	if (u->defer_fd >= 0)
		close(u->defer_fd);
	u->tx_stop_fd = u->defer_fd = -1;
	pthread_mutex_destroy(&u->defer_lock);
	pthread_rwlock_destroy(&u->lock);
	u->threaded = false;
}
