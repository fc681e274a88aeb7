/* cygnetctl main: global options (anywhere on the line), command lookup
 * and help. */
#include <stdlib.h>
#include <string.h>

#include "tools/cygnetctl/cygnetctl.h"

static const struct ctl_cmd *const groups[] = {
	ctl_cmds_misc, ctl_cmds_sa, ctl_cmds_conn, ctl_cmds_load, ctl_cmds_pool,
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static void usage_all(FILE *f)
{
	fputs("usage: cygnetctl [--socket PATH] [--json] COMMAND [ARGS]\n"
	      "\n"
	      "Operator CLI over the VICI control socket of cygnetd (or any VICI\n"
	      "daemon, e.g. strongSwan's charon).\n"
	      "\n"
	      "global options (anywhere on the line):\n"
	      "  -s, --socket PATH  control socket (default $CYGNET_SOCKET, else "
	      CTL_SOCKET_DEFAULT ")\n"
	      "  -j, --json         JSON output for scripts\n"
	      "  -h, --help         help (also after a command)\n"
	      "\ncommands:\n", f);
	for (size_t g = 0; g < NGROUPS; g++)
		for (const struct ctl_cmd *c = groups[g]; c->name; c++) {
			char words[64];

			snprintf(words, sizeof(words), "%s%s%s", c->group ? c->group : "",
				 c->group ? " " : "", c->name);
			fprintf(f, "  %-12s %s\n", words, c->args);
		}
	fputs("\nexit status: 0 ok, 1 the daemon reported an error, 2 usage,\n"
	      "3 cannot connect / I/O / timeout, 4 command unknown to the daemon\n", f);
}

static void usage_group(FILE *f, const char *group)
{
	fprintf(f, "usage:\n");
	for (size_t g = 0; g < NGROUPS; g++)
		for (const struct ctl_cmd *c = groups[g]; c->name; c++)
			if (c->group && !strcmp(c->group, group))
				fprintf(f, "  cygnetctl %s %s %s\n", group, c->name, c->args);
}

static bool is_group(const char *w)
{
	for (size_t g = 0; g < NGROUPS; g++)
		if (groups[g]->group && !strcmp(groups[g]->group, w))
			return true;
	return false;
}

static const struct ctl_cmd *lookup(int nwords, char **words, int *used)
{
	for (size_t g = 0; g < NGROUPS; g++)
		for (const struct ctl_cmd *c = groups[g]; c->name; c++) {
			if (!c->group && !strcmp(c->name, words[0])) {
				*used = 1;
				return c;
			}
			if (c->group && nwords > 1 && !strcmp(c->group, words[0]) &&
			    !strcmp(c->name, words[1])) {
				*used = 2;
				return c;
			}
		}
	return NULL;
}

int main(int argc, char **argv)
{
	struct ctl ctl = { .socket = getenv("CYGNET_SOCKET") };
	char **words = calloc((size_t)argc + 1, sizeof(char *));
	int nwords = 0, used = 0, rc;
	bool help = false, rest = false;

	if (!words)
		return CTL_EXIT_CONNECT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (rest) {
			words[nwords++] = argv[i];
		} else if (!strcmp(a, "--")) {
			rest = true;
			words[nwords++] = argv[i];	/* subcommands see it too */
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			ctl.json = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			help = true;
		} else if (!strncmp(a, "--socket=", 9)) {
			ctl.socket = a + 9;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--socket")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "cygnetctl: %s needs a path\n", a);
				free(words);
				return CTL_EXIT_USAGE;
			}
			ctl.socket = argv[++i];
		} else {
			words[nwords++] = argv[i];
		}
	}
	if (!ctl.socket || !*ctl.socket)
		ctl.socket = CTL_SOCKET_DEFAULT;

	if (nwords == 0) {
		usage_all(help ? stdout : stderr);
		free(words);
		return help ? CTL_EXIT_OK : CTL_EXIT_USAGE;
	}
	ctl.cmd = lookup(nwords, words, &used);
	if (!ctl.cmd) {
		if (is_group(words[0])) {
			if (!help)
				fprintf(stderr, "cygnetctl: %s: %s\n", words[0], nwords > 1 ?
					"unknown subcommand" : "subcommand missing");
			usage_group(help ? stdout : stderr, words[0]);
		} else {
			fprintf(stderr, "cygnetctl: unknown command '%s'\n", words[0]);
			usage_all(stderr);
			help = false;
		}
		free(words);
		return help ? CTL_EXIT_OK : CTL_EXIT_USAGE;
	}
	if (help) {
		ctl_usage(stdout, ctl.cmd);
		fputs(ctl.cmd->help, stdout);
		free(words);
		return CTL_EXIT_OK;
	}
	rc = ctl.cmd->run(&ctl, nwords - used, words + used);
	vici_client_close(ctl.c);
	free(words);
	return rc;
}
