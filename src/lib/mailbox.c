#include "lib/mailbox.h"

#include <errno.h>
#include <event2/event.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/log.h"

#define MAILBOX_WARN_EVERY 10	/* seconds between drop log lines */

/* The loop: take everything that waits, deliver it in order. */
static void mailbox_drain(evutil_socket_t fd, short what, void *arg)
{
	struct mailbox *mb = arg;
	struct mailbox_item *it, *next;
	uint64_t v, dropped;

	(void)what;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("%s: wakeup: %s", mb->what, strerror(errno));
	pthread_mutex_lock(&mb->lock);
	it = mb->head;
	mb->head = NULL;
	mb->tail = &mb->head;
	mb->count = 0;
	dropped = mb->dropped;
	mb->dropped = 0;
	pthread_mutex_unlock(&mb->lock);
	for (; it; it = next) {
		next = it->next;
		mb->deliver(mb->ctx, it);
	}
	mb->unlogged += dropped;
	if (mb->unlogged && time(NULL) - mb->warned >= MAILBOX_WARN_EVERY) {
		log_warn("%s: %llu dropped, the queue to the loop was full", mb->what,
			 (unsigned long long)mb->unlogged);
		mb->unlogged = 0;
		mb->warned = time(NULL);
	}
}

int mailbox_init(struct mailbox *mb, struct event_base *base, int max, const char *what,
		 mailbox_fn deliver, void *ctx)
{
	int err;

	memset(mb, 0, sizeof(*mb));
	mb->fd = -1;
	mb->tail = &mb->head;
	mb->max = max;
	mb->what = what;
	mb->deliver = deliver;
	mb->ctx = ctx;
	if ((err = pthread_mutex_init(&mb->lock, NULL)))
		return -err;
	mb->ready = true;	/* from here on mailbox_free undoes it */
	mb->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (mb->fd < 0)
		return -errno;
	mb->ev = event_new(base, mb->fd, EV_READ | EV_PERSIST, mailbox_drain, mb);
	return mb->ev && event_add(mb->ev, NULL) == 0 ? 0 : -ENOMEM;
}

bool mailbox_post(struct mailbox *mb, struct mailbox_item *it, bool bounded)
{
	uint64_t one = 1;
	bool take;

	pthread_mutex_lock(&mb->lock);
	take = !bounded || mb->count < mb->max;
	if (take) {
		it->next = NULL;
		*mb->tail = it;
		mb->tail = &it->next;
		mb->count++;
	} else {
		mb->dropped++;
	}
	pthread_mutex_unlock(&mb->lock);
	/* fails only if the counter would overflow: a wakeup is pending then
	 * (and no log line here: a worker's log lines are posted themselves) */
	if (take && write(mb->fd, &one, sizeof(one)) < 0)
		return take;
	return take;
}

void mailbox_free(struct mailbox *mb, void (*free_item)(struct mailbox_item *))
{
	struct mailbox_item *it, *next;

	if (!mb->ready)
		return;
	if (mb->ev)
		event_free(mb->ev);
	if (mb->fd >= 0)
		close(mb->fd);
	for (it = mb->head; it; it = next) {
		next = it->next;
		free_item(it);
	}
	pthread_mutex_destroy(&mb->lock);
	memset(mb, 0, sizeof(*mb));
	mb->fd = -1;
}
