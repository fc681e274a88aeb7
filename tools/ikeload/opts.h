/* ikeload's command line: what to set up against whom, how many, how fast.
 * Pure (no sockets): parsed and validated here so that a test can check it. */
#ifndef CYGNET_TOOLS_IKELOAD_OPTS_H
#define CYGNET_TOOLS_IKELOAD_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_conf.h"

#define IKELOAD_MAX_THREADS 16

struct ikeload_opts {
	char remote[64];		/* responder address */
	uint16_t port;			/* responder IKE port, default 500 */
	char local[64];			/* our address; empty: the route's source */
	char psk[256];
	struct ike_id id_local, id_remote;
	struct ike_prop prop;		/* IKE proposal */
	struct ike_prop esp;		/* ESP proposal */
	struct ike_ts_conf local_ts[IKE_CONF_MAX_TS], remote_ts[IKE_CONF_MAX_TS];
	size_t n_local_ts, n_remote_ts;	/* 0: dynamic */
	bool vip;			/* ask for a virtual IPv4 address */
	bool no_child;			/* IKE SAs only */
	bool json;			/* one machine-readable line at the end */
	unsigned n;			/* SAs to set up */
	unsigned c;			/* exchanges in flight at most */
	unsigned threads;		/* independent cores, each with a socket */
	unsigned timeout_ms;		/* per setup and per delete */
	char log_level[16];
	char label[64];			/* free text for the report ("cygnetd") */
};

enum ikeload_parse {
	IKELOAD_PARSE_OK,
	IKELOAD_PARSE_HELP,
	IKELOAD_PARSE_ERROR,
};

/* Defaults, then argv; on error err says which option and why. */
enum ikeload_parse ikeload_opts_parse(int argc, char **argv,
				      struct ikeload_opts *o, char *err,
				      size_t errlen);
/* The --help text. */
extern const char ikeload_usage[];

#endif
