/* The control socket in the daemon: the configuration file plus the
 * objects loaded over VICI, and the VICI server with cygnet's commands.
 *
 * The configuration file may hold a section the config model does not
 * know about, which is read and removed here:
 *
 *   control {
 *       socket = /var/run/cygnet.vici   # "none": no control socket
 *       group = vpn                     # socket group (mode 0660); default: 0600 owner only
 *   }
 *
 * cygnetd --vici-socket PATH / --vici-group GROUP override it. */
#ifndef CYGNET_DAEMON_CONTROL_H
#define CYGNET_DAEMON_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#define CONTROL_DEFAULT_SOCKET "/var/run/cygnet.vici"

struct event_base;
struct net;
struct ike_glue;
struct control;

struct control_options {
	const char *config_path;
	const char *socket;	/* command line; NULL: config or default */
	const char *group;	/* command line; NULL: config or none */
};

struct control *control_new(struct event_base *base, struct net *net,
			    struct ike_glue *glue, const struct control_options *o);
/* (Re)reads the configuration file and applies it with the VICI objects
 * laid over it; a failure keeps the running configuration. */
bool control_reload(struct control *c, char *why, size_t len);
/* Opens the socket (after the first load: the path may come from the
 * file). A socket that was asked for and cannot be opened is an error; the
 * default one only warns. */
bool control_start(struct control *c);
/* Answers pending commands (before the IKE core goes away). */
void control_shutdown(struct control *c);
void control_free(struct control *c);

/* --check-config: the file as control_reload reads it. */
bool control_check_config(const char *path, char *why, size_t len,
			  size_t *conns, size_t *secrets, size_t *pools);

#endif
