/* Shared by userspace.c (the ops) and engine.c (the packet paths). */
#ifndef CYGNET_KERNEL_USERSPACE_US_INT_H
#define CYGNET_KERNEL_USERSPACE_US_INT_H

#include <pthread.h>
#include <sys/socket.h>

#include "kernel/route.h"
#include "kernel/userspace/gro.h"
#include "kernel/userspace/us_ipsec.h"
#include "kernel/userspace/tun.h"
#include "kernel/userspace/userspace.h"
#include "lib/mailbox.h"

#define US_BUF_SIZE 65600
#define US_HEADROOM 128
#define US_BATCH 64		/* TUN reads / socket receive calls per wakeup */
#define US_TX_MAX 64		/* ESP packets per sendmmsg */
#define US_RX_MAX 64		/* decrypted packets per GRO batch */
#define US_TAILROOM 256
#define US_UDP_GSO_MAX 64	/* ESP packets per UDP GSO send (kernel limit) */
#define US_UDP_GSO_BYTES 65000	/* and bytes (one UDP datagram's length field) */		/* ESP trailer, padding and ICV after a packet */
#define US_RAW_RCVBUF (4 << 20)	/* bytes */
#define US_HOLD_MAX 8		/* packets held per reqid while an SA is negotiated */
#define US_HOLD_REQIDS 32

struct event;
struct event_base;
struct us_deferred;
struct us_be;

/* One datapath thread and its loop. */
struct us_worker {
	struct us_be *owner;
	const char *name;		/* "TX", "RX" */
	struct event_base *base;	/* NULL: no such thread */
	struct event *stop_ev;
	int stop_fd;			/* eventfd */
	pthread_t tid;
	bool running;
};

struct us_hold {
	uint32_t reqid;
	int count;
	size_t len[US_HOLD_MAX];
	uint8_t *pkt[US_HOLD_MAX];
};

/* One outbound packet: clear text at off, then the ESP packet in place. */
struct us_tx {
	uint8_t *buf;
	size_t off, len;
	struct esp_sa *sa;
};

struct us_be {
	struct kernel_ipsec ki;		/* what callers hold: ops wrap inner's */
	struct kernel_ipsec inner;	/* the SAD/SPD core (us_ipsec) */
	struct us_ipsec *us;
	struct userspace_config cfg;
	struct net *net;
	struct tun tun;
	struct route_ctx *route;
	int raw4, raw6;
	bool rules;			/* policy routing rules installed */
	struct event *tun_ev, *raw4_ev, *raw6_ev;
	struct userspace_counters counters;	/* inbound path (RX side) */
	struct userspace_counters txc;		/* outbound path (TX side) */
	struct us_hold hold[US_HOLD_REQIDS];
	/* The datapath's threads (threads.c has the rules): with cfg.tx_thread
	 * the outbound path runs on tx.base in a thread of its own, with
	 * cfg.rx_thread the inbound path (raw ESP and the moved NAT-T socket)
	 * on rx.base; the rest stays on the caller's loop. Tables and SAs: the
	 * workers hold lock for reading around each batch, the ops hold it for
	 * writing. Events the workers raise wait in deferred for that loop. */
	bool threaded;			/* lock and deferred queue set up */
	bool in_op;			/* the caller's loop holds the lock (an op runs) */
	bool rx_locked;			/* the RX thread holds it across a UDP batch */
	bool natt_moved;		/* net's NAT-T sockets are read on rx.base */
	struct event_base *base;	/* the caller's loop */
	pthread_rwlock_t lock;
	struct us_worker txw, rxw;		/* the TX and RX threads */
	struct mailbox deferred;	/* the workers' events, to the caller's loop */
	struct kernel_ipsec_events user_ev;	/* the caller's */
	struct kernel_ipsec_events core_ev;	/* us_wrapped_events for us_ipsec */
	/* out: TUN reads land in rbuf; segments (or copies of small packets)
	 * in tx[] slots of tx_cap bytes, sent together by us_tx_flush */
	uint8_t *rbuf;
	size_t tx_cap;
	int ntx;
	struct us_tx tx[US_TX_MAX];
	struct mmsghdr txmsg[US_TX_MAX];
	struct iovec txiov[US_TX_MAX];
	struct sockaddr_storage txaddr[US_TX_MAX];
	/* in: ESP lands in rx[] (US_BUF_SIZE each), is decrypted in place; the
	 * first nrx hold packets waiting for us_rx_flush (GRO, TUN writes) */
	int nrx;
	bool flush_pending;
	struct event *flush_ev;
	uint8_t *rx[US_RX_MAX];
	struct mmsghdr rxmsg[US_RX_MAX];
	struct iovec rxiov[US_RX_MAX];
	struct sockaddr_storage rxaddr[US_RX_MAX];
	struct gro gro;
};

int us_engine_open(struct us_be *u, struct event_base *base);
void us_engine_close(struct us_be *u);
/* Inbound ESP from the SPI on; peer is the outer source. The clear packet
 * reaches the TUN when the receive batch is flushed (at the end of the
 * current event loop iteration at the latest). */
void us_engine_input(struct us_be *u, const uint8_t *esp, size_t len,
		     const struct sockaddr_storage *peer, const struct sockaddr_storage *local);
/* An outbound SA arrived: send what was held for its reqid. */
void us_engine_flush_held(struct us_be *u, uint32_t reqid);
void us_engine_drop_held(struct us_be *u);

/* threads.c. Init (before us_engine_open, which puts its events on the
 * workers' bases): the lock, the deferred-event queue with its watcher on
 * base, a base per requested worker; 0 or -errno. Run starts the threads
 * once the engine is open. Stop joins them; free undoes init (after
 * us_engine_close). All safe to repeat and without threads. */
int us_threads_init(struct us_be *u, struct event_base *base, bool tx, bool rx);
int us_threads_run(struct us_be *u);
void us_threads_stop(struct us_be *u);
void us_threads_free(struct us_be *u);
/* Events for the caller, from whichever thread raised them (us_ipsec's). */
extern const struct kernel_ipsec_events us_wrapped_events;
/* The caller's loop, around anything that touches tables, SAs or a side's
 * state: excludes the workers' batches (no-ops without threads). */
void us_lock(struct us_be *u);
void us_unlock(struct us_be *u);
/* A worker around one batch (no-ops when not called on a worker). */
void us_batch_enter(struct us_be *u);
void us_batch_leave(struct us_be *u);

#endif
