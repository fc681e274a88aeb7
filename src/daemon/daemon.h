/* The daemon's life: load, run, reload, stop. */
#ifndef CYGNET_DAEMON_DAEMON_H
#define CYGNET_DAEMON_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#ifndef CYGNET_VERSION
#define CYGNET_VERSION "0.1.0"
#endif
#define DAEMON_DEFAULT_CONFIG "/etc/cygnet/cygnet.conf"
#define DAEMON_DEFAULT_PIDFILE "/var/run/cygnetd.pid"

struct daemon_options {
	const char *config_path;
	const char *pidfile;
	bool foreground;
	bool syslog;
	uint16_t ike_port;
	uint16_t natt_port;
	const char *vici_socket;	/* NULL: control { } or the default */
	const char *vici_group;
};

/* Validates a configuration file, prints the first error with file:line:col.
 * Returns true when it is valid. */
bool daemon_check_config(const char *path);
/* Runs until SIGINT/SIGTERM; SIGHUP reloads the configuration. */
bool daemon_run(const struct daemon_options *o);

#endif
