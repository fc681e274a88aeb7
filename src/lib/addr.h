/* Socket addresses: parsing, printing, comparing. */
#ifndef CYGNET_LIB_ADDR_H
#define CYGNET_LIB_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Where a datagram came from and went to (or will). */
struct net_endpoints {
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
};

uint16_t sockaddr_port(const struct sockaddr_storage *ss);
void sockaddr_set_port(struct sockaddr_storage *ss, uint16_t port);
bool sockaddr_parse(const char *text, uint16_t port, struct sockaddr_storage *out);
/* "192.0.2.1[500]" style, as strongSwan logs peers. */
const char *sockaddr_str(const struct sockaddr_storage *ss, char *buf, size_t len);
bool sockaddr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b,
		    bool with_port);

#endif
