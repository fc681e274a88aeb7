/* cygnetctl: the operator CLI over the VICI control socket. Shared state,
 * exit codes and the helpers the command groups use. */
#ifndef CYGNET_TOOLS_CYGNETCTL_H
#define CYGNET_TOOLS_CYGNETCTL_H

#include <stdbool.h>
#include <stdio.h>

#include "control/vici_client.h"
#include "control/vici_msg.h"
#include "lib/wbuf.h"

#define CTL_SOCKET_DEFAULT "/var/run/cygnet.vici"

/* Exit codes (docs/cygnetctl.md). */
enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAILED = 1,	/* the daemon answered success=no */
	CTL_EXIT_USAGE = 2,	/* bad command line */
	CTL_EXIT_CONNECT = 3,	/* cannot connect, I/O, timeout, protocol */
	CTL_EXIT_UNKNOWN = 4,	/* command or event unknown to the daemon */
};

struct ctl_cmd;

struct ctl {
	const char *socket;
	bool json;
	const struct ctl_cmd *cmd;
	struct vici_client *c;
};

struct ctl_cmd {
	const char *group;	/* "sa", or NULL for a top-level command */
	const char *name;
	const char *args;	/* usage after the command words */
	const char *help;	/* what it does, options (several lines) */
	int (*run)(struct ctl *ctl, int argc, char **argv);
};

/* A subcommand option: "--name VALUE" (value != NULL) or a flag. */
struct ctl_opt {
	const char *name;	/* without the dashes */
	const char **value;	/* takes an argument */
	bool *flag;		/* or is a flag */
};

/* Parse argv against opts; positionals go to pos (at most maxpos, at
 * least minpos). Prints the problem and the usage; false on error. */
bool ctl_parse(struct ctl *ctl, int argc, char **argv, const struct ctl_opt *opts,
	       const char **pos, int minpos, int maxpos);
/* A decimal number within [min, max]; prints an error otherwise. */
bool ctl_number(const char *opt, const char *s, long min, long max, long *out);
void ctl_usage(FILE *f, const struct ctl_cmd *cmd);

/* Connect (exit code on failure, error printed). */
int ctl_open(struct ctl *ctl);
/* Print the client's error and map rc to an exit code. */
int ctl_fail(struct ctl *ctl, int rc);
/* Non-zero exit code (error printed) if resp says success=no. */
int ctl_check_reply(const struct vici_msg *resp);
/* A request body from key/value pairs (NULL value: skipped), NULL-ended. */
void ctl_body(struct wbuf *w, ...) __attribute__((sentinel));

/* Events collected for a --json document: "<event>": [ ... ]. */
struct ctl_events {
	char *json;		/* rendered events, comma-separated */
	size_t len;
	FILE *f;
	unsigned count;
};
void ctl_events_init(struct ctl_events *ev);
void ctl_events_add(struct ctl_events *ev, const struct vici_msg *m);
/* {"<event>": [events], "response": resp}; resp may be NULL (null). */
void ctl_events_print(struct ctl_events *ev, const char *event,
		      const struct vici_msg *resp);
void ctl_events_free(struct ctl_events *ev);

struct table;
/* Streams cmd with body (registering event), then prints the collected
 * table, or with --json the events and the response. Frees body, the
 * table and the events; returns the exit status. */
int ctl_stream_list(struct ctl *ctl, const char *cmd, const char *event, struct wbuf *body,
		    struct table *t, struct ctl_events *ev);

/* Print one JSON document (the response) followed by a newline. */
void ctl_print_json(const struct vici_msg *m);
/* One event as one line: {"event": name, "message": {...}}. */
void ctl_print_json_event(const char *event, const struct vici_msg *m);
/* "HH:MM:SS " of the local time, for followed events. */
void ctl_print_time(FILE *f);

/* Follow registered events until a signal, count events or an error;
 * each event goes to the handler set on ctl->c. */
int ctl_follow(struct ctl *ctl, const char *const *events, size_t nevents,
	       long count, unsigned *seen);

/* Command groups. */
extern const struct ctl_cmd ctl_cmds_misc[];	/* version, stats, log */
extern const struct ctl_cmd ctl_cmds_sa[];
extern const struct ctl_cmd ctl_cmds_conn[];
extern const struct ctl_cmd ctl_cmds_pool[];
extern const struct ctl_cmd ctl_cmds_load[];	/* conn load */

#endif
