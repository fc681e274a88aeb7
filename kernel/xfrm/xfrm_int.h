/* Shared by the kernel/xfrm files only. */
#ifndef CYGNET_KERNEL_XFRM_INT_H
#define CYGNET_KERNEL_XFRM_INT_H

#include <netlink/netlink.h>
#include <stdint.h>

#include "kernel/xfrm/xfrm.h"
#include "lib/htable.h"

struct event;

/* The SAs we installed, so that an EXPIRE (which names only the SPI) maps
 * to a direction. */
struct xfrm_sa_entry {
	struct htable_node node;
	uint32_t spi;
	enum kernel_dir dir;
	struct sockaddr_storage src, dst;
	uint32_t reqid;
	uint32_t child_id;
};

struct xfrm_sa_key {
	uint32_t spi;
	enum kernel_dir dir;
};

struct xfrm_be {
	struct kernel_ipsec ki;
	struct nl_sock *sk;		/* requests */
	struct nl_sock *mon;		/* acquire and expire events */
	struct event *mon_ev;
	struct htable sas;		/* struct xfrm_sa_entry by (spi, dir) */
};

struct nl_addr *xfrm_nl_addr(const struct sockaddr_storage *ss, unsigned prefix);
struct nl_addr *xfrm_nl_addr_raw(int family, const uint8_t *a, unsigned prefix);
int xfrm_errno(int nlerr);

int xfrm_sa_get_spi(void *be, const struct sockaddr_storage *src,
		    const struct sockaddr_storage *dst, uint32_t reqid, uint32_t *spi);
int xfrm_sa_add(void *be, const struct kernel_sa *sa);
int xfrm_sa_del(void *be, const struct kernel_sa_id *id);
int xfrm_sa_query(void *be, const struct kernel_sa_id *id, struct kernel_sa_stats *out);
int xfrm_sa_get_seq_out(void *be, const struct kernel_sa_id *id, uint64_t *seq);
int xfrm_sa_set_seq_out(void *be, const struct kernel_sa_id *id, uint64_t seq);
struct xfrm_sa_entry *xfrm_sa_find(struct xfrm_be *x, uint32_t spi, enum kernel_dir dir);

int xfrm_policy_add(void *be, const struct kernel_policy *pol);
int xfrm_policy_del(void *be, const struct kernel_policy *pol);

int xfrm_events_open(struct xfrm_be *x, struct event_base *base);
void xfrm_events_close(struct xfrm_be *x);

#endif
