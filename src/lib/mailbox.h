/* A queue from other threads to one libevent loop: any thread posts, the
 * loop gets the items in order through an eventfd. Posts may be bounded
 * (refused while max items wait, counted, and logged from the loop at most
 * every 10 s) or not (for what must not be lost). Used where a worker
 * thread hands something to the IKE loop: the datapath's events, IKE found
 * on the NAT-T socket. */
#ifndef CYGNET_LIB_MAILBOX_H
#define CYGNET_LIB_MAILBOX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct event;
struct event_base;

/* Embedded first in what is posted. */
struct mailbox_item {
	struct mailbox_item *next;
};

/* Called on the loop for each item, in order; it owns (frees) the item. */
typedef void (*mailbox_fn)(void *ctx, struct mailbox_item *it);

struct mailbox {
	pthread_mutex_t lock;
	struct mailbox_item *head, **tail;	/* under lock */
	int count, max;				/* under lock */
	uint64_t dropped;			/* under lock */
	uint64_t unlogged;			/* the loop's */
	time_t warned;
	int fd;					/* eventfd */
	struct event *ev;
	const char *what;			/* for the drop log line */
	mailbox_fn deliver;
	void *ctx;
	bool ready;
};

/* 0 or -errno. what names the items in the log ("net: IKE messages from
 * the NAT-T port"). */
int mailbox_init(struct mailbox *mb, struct event_base *base, int max, const char *what,
		 mailbox_fn deliver, void *ctx);
/* From any thread. A bounded post is refused (false, counted) while max
 * items wait: the caller still owns the item then. */
bool mailbox_post(struct mailbox *mb, struct mailbox_item *it, bool bounded);
/* Undelivered items are passed to free_item. Safe on a zeroed mailbox. */
void mailbox_free(struct mailbox *mb, void (*free_item)(struct mailbox_item *));

#endif
