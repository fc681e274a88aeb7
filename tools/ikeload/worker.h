/* One initiator: its own IKE core, libevent base and UDP sockets, running in
 * its own thread. It sets up its share of the SAs with at most c exchanges
 * in flight, waits at the barrier, then deletes them the same way. */
#ifndef CYGNET_TOOLS_IKELOAD_WORKER_H
#define CYGNET_TOOLS_IKELOAD_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/log.h"
#include "tools/ikeload/opts.h"
#include "tools/ikeload/stats.h"

struct worker;

struct worker_result {
	uint32_t ok, failed, deleted, delete_failed;
	uint64_t setup_start_us, setup_end_us, delete_start_us, delete_end_us;
	uint32_t *lat_us;		/* ok entries, owned by the worker */
	struct ikeload_reasons fail, delete_fail;
};

/* n SAs with c in flight from local (port chosen by the kernel). */
struct worker *worker_new(const struct ikeload_opts *o, unsigned id, unsigned n,
			  unsigned c, const struct sockaddr_storage *local,
			  pthread_barrier_t *phase);
bool worker_start(struct worker *w);
void worker_join(struct worker *w);
const struct worker_result *worker_result(const struct worker *w);
void worker_free(struct worker *w);

/* The log sink: attributes core log lines to the SA they name. */
void worker_log_sink(void *ctx, enum log_level lvl, const char *line);

uint64_t worker_now_us(void);

#endif
