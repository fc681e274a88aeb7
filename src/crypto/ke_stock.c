#include "crypto/ke_stock.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "crypto/ke.h"

#define KE_STOCK_GROUPS 8	/* as many as ke.c supports */
#define KE_STOCK_MAX_DEPTH 1024

struct ke_shelf {
	uint16_t group;		/* 0: free slot */
	size_t count;
	EVP_PKEY **keys;	/* a stack of `depth` slots */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;	/* the thread waits here for work or stop */
	pthread_t thread;
	bool running, stopping;
	size_t depth;
	struct ke_shelf shelves[KE_STOCK_GROUPS];
	struct ke_stock_stats stats;
} stock = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

/* The wanted group with the fewest keys ready, if any is below depth.
 * Called with the lock held. */
static struct ke_shelf *neediest(void)
{
	struct ke_shelf *best = NULL;

	for (size_t i = 0; i < KE_STOCK_GROUPS; i++) {
		struct ke_shelf *s = &stock.shelves[i];

		if (s->group && s->count < stock.depth && (!best || s->count < best->count))
			best = s;
	}
	return best;
}

static void *stock_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&stock.lock);
	while (!stock.stopping) {
		struct ke_shelf *s = neediest();
		uint16_t group;
		EVP_PKEY *key;

		if (!s) {
			pthread_cond_wait(&stock.wake, &stock.lock);
			continue;
		}
		group = s->group;
		pthread_mutex_unlock(&stock.lock);
		key = ke_keygen(group);
		pthread_mutex_lock(&stock.lock);
		if (!key)
			continue;	/* OpenSSL failed: callers generate inline */
		/* the shelf cannot move or fill up meanwhile: only this thread adds */
		s->keys[s->count++] = key;
		stock.stats.generated++;
		stock.stats.ready++;
	}
	pthread_mutex_unlock(&stock.lock);
	return NULL;
}

bool ke_stock_start(size_t depth, char *why, size_t whylen)
{
	int err;

	if (!depth || stock.running)
		return true;
	if (depth > KE_STOCK_MAX_DEPTH)
		depth = KE_STOCK_MAX_DEPTH;
	for (size_t i = 0; i < KE_STOCK_GROUPS; i++) {
		stock.shelves[i].keys = calloc(depth, sizeof(EVP_PKEY *));
		if (!stock.shelves[i].keys) {
			snprintf(why, whylen, "out of memory");
			goto fail;
		}
	}
	stock.depth = depth;
	stock.stopping = false;
	err = pthread_create(&stock.thread, NULL, stock_thread, NULL);
	if (err) {
		snprintf(why, whylen, "cannot start the key thread: %s", strerror(err));
		goto fail;
	}
	pthread_mutex_lock(&stock.lock);
	stock.running = true;
	pthread_mutex_unlock(&stock.lock);
	return true;
fail:
	for (size_t i = 0; i < KE_STOCK_GROUPS; i++) {
		free(stock.shelves[i].keys);
		stock.shelves[i].keys = NULL;
	}
	return false;
}

void ke_stock_stop(void)
{
	if (!stock.running)
		return;
	pthread_mutex_lock(&stock.lock);
	stock.stopping = true;
	stock.running = false;
	pthread_cond_signal(&stock.wake);
	pthread_mutex_unlock(&stock.lock);
	pthread_join(stock.thread, NULL);
	for (size_t i = 0; i < KE_STOCK_GROUPS; i++) {
		struct ke_shelf *s = &stock.shelves[i];

		while (s->count)
			EVP_PKEY_free(s->keys[--s->count]);	/* clears the private key */
		free(s->keys);
		memset(s, 0, sizeof(*s));
	}
	stock.stats.ready = 0;
}

void ke_stock_get_stats(struct ke_stock_stats *out)
{
	pthread_mutex_lock(&stock.lock);
	*out = stock.stats;
	pthread_mutex_unlock(&stock.lock);
}

void *ke_stock_take(uint16_t group)
{
	struct ke_shelf *s = NULL, *free_slot = NULL;
	EVP_PKEY *key = NULL;

	pthread_mutex_lock(&stock.lock);
	if (!stock.running)
		goto out;
	for (size_t i = 0; i < KE_STOCK_GROUPS && !s; i++) {
		if (stock.shelves[i].group == group)
			s = &stock.shelves[i];
		else if (!stock.shelves[i].group && !free_slot)
			free_slot = &stock.shelves[i];
	}
	if (!s && free_slot) {
		s = free_slot;
		s->group = group;	/* wanted from now on */
	}
	if (s && s->count) {
		key = s->keys[--s->count];
		stock.stats.taken++;
		stock.stats.ready--;
	}
	pthread_cond_signal(&stock.wake);	/* refill */
out:
	if (!key)
		stock.stats.inline_made++;
	pthread_mutex_unlock(&stock.lock);
	return key;
}
