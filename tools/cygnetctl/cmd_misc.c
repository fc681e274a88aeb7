/* version, stats, log. */
#include <stdlib.h>
#include <string.h>

#include "tools/cygnetctl/cygnetctl.h"
#include "tools/cygnetctl/render_table.h"

/* A command with an empty request whose reply is shown as a tree. */
static int simple(struct ctl *ctl, int argc, char **argv, const char *cmd)
{
	struct vici_msg *resp = NULL;
	int rc;

	if (!ctl_parse(ctl, argc, argv, NULL, NULL, 0, 0))
		return CTL_EXIT_USAGE;
	if ((rc = ctl_open(ctl)))
		return rc;
	if ((rc = vici_client_command(ctl->c, cmd, NULL, 0, &resp)))
		return ctl_fail(ctl, rc);
	if (ctl->json)
		ctl_print_json(resp);
	else
		tree_print(stdout, resp);
	rc = ctl_check_reply(resp);
	vici_msg_free(resp);
	return rc;
}

static int run_version(struct ctl *ctl, int argc, char **argv)
{
	return simple(ctl, argc, argv, "version");
}

static int run_stats(struct ctl *ctl, int argc, char **argv)
{
	return simple(ctl, argc, argv, "stats");
}

struct follow {
	struct ctl *ctl;
	unsigned seen;
};

/* "[IKE] <name|id> message", as charon's own log lines look. */
static void on_log(void *ctx, const char *event, const struct vici_msg *m)
{
	struct follow *fl = ctx;
	const struct vici_node *root = vici_msg_root(m);
	char *group, *name, *id, *msg, *level;

	if (strcmp(event, "log"))
		return;
	fl->seen++;
	if (fl->ctl->json) {
		ctl_print_json_event(event, m);
		return;
	}
	group = text_get(root, "group");
	level = text_get(root, "level");
	name = text_get(root, "ikesa-name");
	id = text_get(root, "ikesa-uniqueid");
	msg = text_get(root, "msg");
	ctl_print_time(stdout);
	printf("[%s%s%s] ", group, *level ? " " : "", level);
	if (*name || *id)
		printf("<%s|%s> ", name, id);
	printf("%s\n", msg);
	fflush(stdout);
	free(group);
	free(level);
	free(name);
	free(id);
	free(msg);
}

static int run_log(struct ctl *ctl, int argc, char **argv)
{
	static const char *const events[] = { "log" };
	const char *count_s = NULL;
	struct ctl_opt opts[] = { { "count", &count_s, NULL }, { NULL, NULL, NULL } };
	struct follow fl = { .ctl = ctl };
	long count = 0;
	int rc;

	if (!ctl_parse(ctl, argc, argv, opts, NULL, 0, 0) ||
	    (count_s && !ctl_number("--count", count_s, 1, 1000000000L, &count)))
		return CTL_EXIT_USAGE;
	if ((rc = ctl_open(ctl)))
		return rc;
	vici_client_on_event(ctl->c, on_log, &fl);
	return ctl_follow(ctl, events, 1, count, &fl.seen);
}

const struct ctl_cmd ctl_cmds_misc[] = {
	{ NULL, "version", "",
	  "The daemon's name, version and system (command `version`).\n", run_version },
	{ NULL, "stats", "",
	  "Daemon statistics: uptime, workers, queues, IKE SA counts, plugins\n"
	  "(command `stats`).\n", run_stats },
	{ NULL, "log", "[--count N]",
	  "Follow the daemon's log (event `log`) until interrupted.\n"
	  "  --count N   stop after N log messages\n"
	  "Text lines: HH:MM:SS [GROUP LEVEL] <ike-name|ike-id> message\n"
	  "--json: one {\"event\":\"log\",\"message\":{...}} object per line.\n", run_log },
	{ NULL, NULL, NULL, NULL, NULL },
};
