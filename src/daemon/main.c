/* cygnetd: start-up, signals and shut-down order. */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/control.h"
#include "daemon/daemon.h"
#include "lib/log.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cygnetd [options]\n"
		"  -c, --config FILE      configuration (default %s)\n"
		"  -f, --foreground       stay in the foreground, log to stderr\n"
		"  -p, --pidfile FILE     write the pid here (default %s)\n"
		"  -l, --log-level LEVEL  error|warn|info|debug (default info)\n"
		"      --syslog           log to syslog even in the foreground\n"
		"      --check-config FILE  validate a configuration and exit\n"
		"      --ike-port PORT    UDP port for IKE (default 500)\n"
		"      --natt-port PORT   UDP port for NAT-T and ESP-in-UDP (default 4500)\n"
		"      --vici-socket PATH control socket (default %s, \"none\": off)\n"
		"      --vici-group GROUP control socket group (mode 0660; default 0600)\n"
		"  -V, --version          print the version and exit\n"
		"  -h, --help             this text\n",
		DAEMON_DEFAULT_CONFIG, DAEMON_DEFAULT_PIDFILE, CONTROL_DEFAULT_SOCKET);
}

static bool parse_port(const char *s, uint16_t *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

enum { OPT_SYSLOG = 256, OPT_CHECK, OPT_IKE_PORT, OPT_NATT_PORT, OPT_VICI, OPT_VICI_GROUP };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "syslog", no_argument, NULL, OPT_SYSLOG },
		{ "check-config", required_argument, NULL, OPT_CHECK },
		{ "ike-port", required_argument, NULL, OPT_IKE_PORT },
		{ "natt-port", required_argument, NULL, OPT_NATT_PORT },
		{ "vici-socket", required_argument, NULL, OPT_VICI },
		{ "vici-group", required_argument, NULL, OPT_VICI_GROUP },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon_options o = {
		.config_path = DAEMON_DEFAULT_CONFIG,
		.pidfile = DAEMON_DEFAULT_PIDFILE,
		.ike_port = 500,
		.natt_port = 4500,
	};
	enum log_level lvl = LOG_LVL_INFO;
	const char *check = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "c:fp:l:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o.config_path = optarg; break;
		case 'f': o.foreground = true; break;
		case 'p': o.pidfile = optarg; break;
		case 'l':
			if (!log_parse_level(optarg, &lvl)) {
				fprintf(stderr, "cygnetd: unknown log level '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_SYSLOG: o.syslog = true; break;
		case OPT_CHECK: check = optarg; break;
		case OPT_VICI: o.vici_socket = optarg; break;
		case OPT_VICI_GROUP: o.vici_group = optarg; break;
		case OPT_IKE_PORT:
		case OPT_NATT_PORT:
			if (!parse_port(optarg, c == OPT_IKE_PORT ? &o.ike_port : &o.natt_port)) {
				fprintf(stderr, "cygnetd: bad port '%s'\n", optarg);
				return 2;
			}
			break;
		case 'V': printf("cygnetd %s\n", CYGNET_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cygnetd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	log_set_level(lvl);
	if (check)
		return daemon_check_config(check) ? 0 : 1;
	return daemon_run(&o) ? 0 : 1;
}
