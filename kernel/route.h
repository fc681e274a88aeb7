/* Routes and addresses through rtnetlink (libnl-route): where the datapath
 * tells the host stack which destinations go into the tunnel, and where a
 * virtual IP a peer handed us is installed. */
#ifndef CYGNET_KERNEL_ROUTE_H
#define CYGNET_KERNEL_ROUTE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct route_ctx;

struct route_ctx *route_open(void);
void route_close(struct route_ctx *r);
/* dst/prefix via the device ifindex, optional preferred source address
 * (src may be NULL). Adding an existing route succeeds (replace). */
bool route_add(struct route_ctx *r, const struct sockaddr_storage *dst, uint8_t prefix,
	       int ifindex, const struct sockaddr_storage *src);
bool route_del(struct route_ctx *r, const struct sockaddr_storage *dst, uint8_t prefix,
	       int ifindex);
bool route_addr_add(struct route_ctx *r, int ifindex, const struct sockaddr_storage *addr,
		    uint8_t prefix);
bool route_addr_del(struct route_ctx *r, int ifindex, const struct sockaddr_storage *addr,
		    uint8_t prefix);

#endif
