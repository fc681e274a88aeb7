/* CHILD SAs into the ESP datapath (kernel_ipsec, userspace backend):
 * SPIs, inbound and outbound SAs, protect policies for every selector
 * pair (the backend routes the remote ranges through its TUN). */
#ifndef CYGNET_DAEMON_DATAPATH_H
#define CYGNET_DAEMON_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

struct event_base;
struct net;
struct ike_sa;
struct child_sa;
struct datapath;

/* NULL (logged) when the backend cannot start (no TUN, no privileges). */
struct datapath *datapath_new(struct event_base *base, struct net *net);
void datapath_free(struct datapath *dp);
bool datapath_get_spi(struct datapath *dp, uint32_t *spi);
bool datapath_install(struct datapath *dp, const struct ike_sa *sa, const struct child_sa *c);
void datapath_uninstall(struct datapath *dp, const struct ike_sa *sa, const struct child_sa *c);
/* ESP-in-UDP from the NAT-T socket. */
void datapath_input_udp(struct datapath *dp, const uint8_t *pkt, size_t len,
			const struct net_endpoints *ep);

#endif
