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
/* Routes added or deleted from now on go to this table (0 or 254: main). */
void route_set_table(struct route_ctx *r, uint32_t table);
/* Policy rule "[fwmark mark/0xffffffff] lookup table" at priority prio for
 * family (AF_INET / AF_INET6); mark 0: every packet. An identical rule left
 * behind (e.g. by a crash) is replaced. */
bool route_rule_add(struct route_ctx *r, int family, uint32_t mark, uint32_t table,
		    uint32_t prio);
bool route_rule_del(struct route_ctx *r, int family, uint32_t mark, uint32_t table,
		    uint32_t prio);
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
