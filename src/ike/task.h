/* Exchanges as tasks (style.md). Each concern of an exchange is a task with
 * build/process; an exchange is the set of tasks that run in one
 * request/response.
 *
 * Initiator: build(out) adds the task's payloads to the request; then
 * process(in) reads the response. Responder: process(in) reads the request,
 * then build(out) adds the response payloads. A task may fail: as
 * responder its build still runs (to add its error notify) and the other
 * tasks' builds are skipped. */
#ifndef CYGNET_IKE_TASK_H
#define CYGNET_IKE_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/msg.h"

struct ike_sa;

enum task_type {
	TASK_IKE_INIT,
	TASK_NATD,
	TASK_IKE_AUTH,
	TASK_CONFIG,
	TASK_CHILD_CREATE,
	TASK_DELETE,
	TASK_CHILD_DELETE,
	TASK_DPD,
	TASK_IKE_REKEY,
	TASK_INVALID_SPI,
};

enum task_status {
	TASK_DONE,	/* finished */
	TASK_MORE,	/* initiator: waiting for the response */
	TASK_FAILED,	/* the SA can not go on */
	TASK_RETRY,	/* initiator: repeat this exchange (INVALID_KE, COOKIE) */
};

struct task;

struct task_ops {
	enum task_type type;
	const char *name;
	enum task_status (*build)(struct task *t, struct ike_msg *out);
	enum task_status (*process)(struct task *t, const struct ike_msg *in);
	void (*destroy)(struct task *t);
};

struct task {
	const struct task_ops *ops;
	struct ike_sa *sa;
	bool initiator;		/* of this exchange */
	uint8_t exchange;	/* enum ike_exchange it runs in */
	enum task_status status;
	struct task *next;
};

/* Constructors: one per file in src/ike/tasks/. */
struct task *task_ike_init_new(struct ike_sa *sa, bool initiator);
struct task *task_natd_new(struct ike_sa *sa, bool initiator);
struct task *task_ike_auth_new(struct ike_sa *sa, bool initiator);
struct task *task_config_new(struct ike_sa *sa, bool initiator);
/* child_name: the conf child to set up (initiator); NULL as responder. */
struct task *task_child_create_new(struct ike_sa *sa, bool initiator,
				   const char *child_name, uint8_t exchange);
struct task *task_delete_new(struct ike_sa *sa, bool initiator);
/* Delete one CHILD SA by its inbound SPI (0 as responder). */
struct task *task_child_delete_new(struct ike_sa *sa, bool initiator,
				   uint32_t spi_in);
struct task *task_dpd_new(struct ike_sa *sa, bool initiator);
struct task *task_ike_rekey_new(struct ike_sa *sa, bool initiator);
/* Rekey the CHILD SA with inbound SPI spi_in (initiator). */
struct task *task_child_rekey_new(struct ike_sa *sa, uint32_t spi_in);
/* INFORMATIONAL with INVALID_SPI for an unknown inbound ESP SPI (initiator). */
struct task *task_invalid_spi_new(struct ike_sa *sa, uint32_t spi);

static inline void task_destroy(struct task *t)
{
	if (t)
		t->ops->destroy(t);
}

#endif
