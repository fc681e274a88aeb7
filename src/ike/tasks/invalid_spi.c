/* INFORMATIONAL with an INVALID_SPI notify (RFC 7296 1.5, 3.10.1): ESP
 * arrived from the peer for an SPI we do not have. The notification data
 * is that SPI; protocol and SPI size are 0 (the SPI field is empty). The
 * peer answers with an empty response; nothing changes here. Queued by
 * ike_core_invalid_spi (ike_child_life.c), which rate-limits it. The
 * responder side is the informational task in delete.c, which ignores it. */
#include "ike/tasks/common.h"

struct invalid_spi {
	struct task t;
	uint8_t spi[4];		/* wire order */
};

static enum task_status build(struct task *t, struct ike_msg *m)
{
	struct invalid_spi *n = (struct invalid_spi *)t;

	if (!ike_msg_add_notify(m, 0, N_INVALID_SPI, NULL, 0, n->spi, sizeof(n->spi)))
		return TASK_FAILED;
	sa_info(t->sa, "sending INVALID_SPI for ESP SPI %02x%02x%02x%02x", n->spi[0],
		n->spi[1], n->spi[2], n->spi[3]);
	return TASK_MORE;
}

static const struct task_ops ops = {
	TASK_INVALID_SPI, "invalid_spi", build, task_process_done, task_free,
};

struct task *task_invalid_spi_new(struct ike_sa *sa, uint32_t spi)
{
	struct invalid_spi *n = task_alloc(sizeof(*n), sa, true, &ops, INFORMATIONAL);

	if (n)
		for (int i = 0; i < 4; i++)
			n->spi[i] = (uint8_t)(spi >> (24 - 8 * i));
	return n ? &n->t : NULL;
}
