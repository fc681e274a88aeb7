/* Subcommand option parsing: --name VALUE, --name=VALUE, flags and
 * positionals; "--" ends the options. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cygnetctl/cygnetctl.h"

void ctl_usage(FILE *f, const struct ctl_cmd *cmd)
{
	fprintf(f, "usage: cygnetctl %s%s%s %s\n", cmd->group ? cmd->group : "",
		cmd->group ? " " : "", cmd->name, cmd->args);
}

static void words(const struct ctl_cmd *cmd, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", cmd->group ? cmd->group : "",
		 cmd->group ? " " : "", cmd->name);
}

static bool bad(struct ctl *ctl, const char *what, const char *arg)
{
	char w[64];

	words(ctl->cmd, w, sizeof(w));
	fprintf(stderr, "cygnetctl %s: %s%s%s\n", w, what, arg ? " " : "", arg ? arg : "");
	ctl_usage(stderr, ctl->cmd);
	return false;
}

bool ctl_parse(struct ctl *ctl, int argc, char **argv, const struct ctl_opt *opts,
	       const char **pos, int minpos, int maxpos)
{
	int npos = 0;
	bool rest = false;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq;
		const struct ctl_opt *o = NULL;
		size_t nlen;

		if (rest || a[0] != '-' || !a[1]) {
			if (npos >= maxpos)
				return bad(ctl, "unexpected argument", a);
			pos[npos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			rest = true;
			continue;
		}
		if (strncmp(a, "--", 2))
			return bad(ctl, "unknown option", a);
		a += 2;
		eq = strchr(a, '=');
		nlen = eq ? (size_t)(eq - a) : strlen(a);
		for (const struct ctl_opt *p = opts; p && p->name; p++)
			if (strlen(p->name) == nlen && !strncmp(p->name, a, nlen))
				o = p;
		if (!o)
			return bad(ctl, "unknown option", argv[i]);
		if (o->flag) {
			if (eq)
				return bad(ctl, "option takes no value:", argv[i]);
			*o->flag = true;
		} else if (eq) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			return bad(ctl, "option needs a value:", argv[i]);
		}
	}
	if (npos < minpos)
		return bad(ctl, "missing argument", NULL);
	return true;
}

bool ctl_number(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max) {
		fprintf(stderr, "cygnetctl: %s: not a number in %ld..%ld: %s\n", opt,
			min, max, s);
		return false;
	}
	*out = v;
	return true;
}
