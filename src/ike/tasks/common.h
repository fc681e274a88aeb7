/* Helpers shared by the task files. */
#ifndef CYGNET_IKE_TASKS_COMMON_H
#define CYGNET_IKE_TASKS_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "ike/core_priv.h"
#include "ike/task.h"

/* Allocates size bytes for a task object whose first member is a struct
 * task, and fills that member. */
static inline void *task_alloc(size_t size, struct ike_sa *sa, bool initiator,
			       const struct task_ops *ops, uint8_t exchange)
{
	struct task *t = calloc(1, size);

	if (t) {
		t->ops = ops;
		t->sa = sa;
		t->initiator = initiator;
		t->exchange = exchange;
	}
	return t;
}

static inline const struct ike_env *task_env(const struct task *t)
{
	return &t->sa->core->env;
}

/* The first error notify (type < 16384) of a message, or NULL. */
static inline const struct ike_payload *msg_error_notify(const struct ike_msg *m)
{
	const struct ike_payload *p;

	for (p = ike_msg_next(m, NULL, PL_NOTIFY); p; p = ike_msg_next(m, p, PL_NOTIFY))
		if (p->notify.type < 16384)
			return p;
	return NULL;
}

/* ID payload body: type, 3 reserved bytes, data (RFC 7296 3.5). */
static inline size_t id_body(const struct ike_id *id, uint8_t *buf, size_t len)
{
	if (len < 4u + id->len)
		return 0;
	buf[0] = id->type;
	buf[1] = buf[2] = buf[3] = 0;
	memcpy(buf + 4, id->data, id->len);
	return 4u + id->len;
}

/* For tasks with nothing of their own to free, and for requests whose
 * response carries nothing to process (DPD, INVALID_SPI). */
void task_free(struct task *t);
enum task_status task_process_done(struct task *t, const struct ike_msg *m);

/* Our identity: the configured one, else our IP address. */
void task_my_id(struct ike_sa *sa, const struct ike_id *conf_id, struct ike_id *out);
/* SHA-1 NAT detection hash (RFC 7296 2.23). */
bool natd_hash(uint64_t spi_i, uint64_t spi_r, const struct sockaddr_storage *a,
	       uint8_t out[20]);
const char *notify_name(uint16_t type);

/* auth_pubkey.c: sign our AUTH octets (RFC 7427 method 14 when the peer
 * announced hashes, else the classic method of the key), and verify the
 * peer's certificate chain, identity and signature. */
bool auth_pubkey_sign(struct ike_sa *sa, const struct chunk *octets, uint8_t *method,
		      struct chunk *out);
bool auth_pubkey_verify(struct ike_sa *sa, const struct ike_msg *m,
			const struct ike_payload *id, const struct ike_payload *auth,
			const struct chunk *octets);

#endif
