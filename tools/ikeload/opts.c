#include "tools/ikeload/opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/iana.h"
#include "lib/addr.h"
#include "lib/log.h"

const char ikeload_usage[] =
	"usage: ikeload --remote ADDR --psk SECRET --id-local ID --id-remote ID [options]\n"
	"Sets up N IKE SAs (each with one CHILD SA) against a responder with at most\n"
	"C exchanges in flight, then deletes them; prints setups/s and latencies.\n"
	"  --remote ADDR        responder address (required)\n"
	"  --port PORT          responder IKE port (500)\n"
	"  --local ADDR         our address (default: the route's source address)\n"
	"  --psk SECRET         pre-shared key (required)\n"
	"  --id-local ID        our identity (required), --id-remote ID the peer's (required)\n"
	"  --proposal P         IKE proposal (aes256gcm16-prfsha256-x25519)\n"
	"  --esp P              ESP proposal (aes256gcm16)\n"
	"  --local-ts TS[,TS]   our traffic selectors (dynamic)\n"
	"  --remote-ts TS[,TS]  the peer's traffic selectors (dynamic)\n"
	"  --vip                ask for a virtual IPv4 address\n"
	"  --no-child           IKE SAs only\n"
	"  -n N                 SAs to set up (100)\n"
	"  -c C                 exchanges in flight at most (8)\n"
	"  --threads T          independent initiator cores, one socket each (1)\n"
	"  --timeout MS         per setup and per delete (10000)\n"
	"  --label TEXT         name of the run in the report\n"
	"  --log-level L        error|warn|info|debug on stderr (error)\n"
	"  --json               also print one JSON line\n";

enum {
	OPT_REMOTE = 256, OPT_PORT, OPT_LOCAL, OPT_PSK, OPT_ID_LOCAL, OPT_ID_REMOTE,
	OPT_PROPOSAL, OPT_ESP, OPT_LOCAL_TS, OPT_REMOTE_TS, OPT_VIP, OPT_NO_CHILD,
	OPT_THREADS, OPT_TIMEOUT, OPT_LABEL, OPT_LOG_LEVEL, OPT_JSON,
};

static const struct option long_opts[] = {
	{ "remote", required_argument, NULL, OPT_REMOTE },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "local", required_argument, NULL, OPT_LOCAL },
	{ "psk", required_argument, NULL, OPT_PSK },
	{ "id-local", required_argument, NULL, OPT_ID_LOCAL },
	{ "id-remote", required_argument, NULL, OPT_ID_REMOTE },
	{ "proposal", required_argument, NULL, OPT_PROPOSAL },
	{ "esp", required_argument, NULL, OPT_ESP },
	{ "local-ts", required_argument, NULL, OPT_LOCAL_TS },
	{ "remote-ts", required_argument, NULL, OPT_REMOTE_TS },
	{ "vip", no_argument, NULL, OPT_VIP },
	{ "no-child", no_argument, NULL, OPT_NO_CHILD },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static bool say(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool say(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return false;
}

static bool parse_uint(const char *s, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool copy_str(char *dst, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (n >= len)
		return false;
	memcpy(dst, s, n + 1);
	return true;
}

/* "10.1.0.0/16,10.2.0.0/16" into ts[]. */
static bool parse_ts_list(const char *s, struct ike_ts_conf *ts, size_t *n)
{
	char buf[512], *save = NULL, *tok;

	if (!copy_str(buf, sizeof(buf), s))
		return false;
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (*n == IKE_CONF_MAX_TS || !ike_ts_conf_parse(tok, &ts[*n]))
			return false;
		(*n)++;
	}
	return *n > 0;
}

static void set_defaults(struct ikeload_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->port = 500;
	o->n = 100;
	o->c = 8;
	o->threads = 1;
	o->timeout_ms = 10000;
	ike_prop_parse(PROTO_IKE, "aes256gcm16-prfsha256-x25519", &o->prop);
	ike_prop_parse(PROTO_ESP, "aes256gcm16", &o->esp);
	snprintf(o->log_level, sizeof(o->log_level), "error");
	snprintf(o->label, sizeof(o->label), "ikeload");
}

static bool apply(struct ikeload_opts *o, int opt, const char *arg, bool *seen,
		  char *err, size_t len)
{
	unsigned long v;
	enum log_level lvl;

	switch (opt) {
	case OPT_REMOTE:
		return copy_str(o->remote, sizeof(o->remote), arg) ||
		       say(err, len, "--remote: too long");
	case OPT_PORT:
		if (!parse_uint(arg, 1, 65535, &v))
			return say(err, len, "--port: '%s' is not a port", arg);
		o->port = (uint16_t)v;
		return true;
	case OPT_LOCAL:
		return copy_str(o->local, sizeof(o->local), arg) ||
		       say(err, len, "--local: too long");
	case OPT_PSK:
		seen[0] = true;
		return copy_str(o->psk, sizeof(o->psk), arg) ||
		       say(err, len, "--psk: longer than %zu bytes", sizeof(o->psk) - 1);
	case OPT_ID_LOCAL:
		seen[1] = true;
		return ike_id_from_string(arg, &o->id_local) ||
		       say(err, len, "--id-local: '%s' is not an identity", arg);
	case OPT_ID_REMOTE:
		seen[2] = true;
		return ike_id_from_string(arg, &o->id_remote) ||
		       say(err, len, "--id-remote: '%s' is not an identity", arg);
	case OPT_PROPOSAL:
		return ike_prop_parse(PROTO_IKE, arg, &o->prop) ||
		       say(err, len, "--proposal: cannot parse '%s'", arg);
	case OPT_ESP:
		return ike_prop_parse(PROTO_ESP, arg, &o->esp) ||
		       say(err, len, "--esp: cannot parse '%s'", arg);
	case OPT_LOCAL_TS:
		return parse_ts_list(arg, o->local_ts, &o->n_local_ts) ||
		       say(err, len, "--local-ts: cannot parse '%s'", arg);
	case OPT_REMOTE_TS:
		return parse_ts_list(arg, o->remote_ts, &o->n_remote_ts) ||
		       say(err, len, "--remote-ts: cannot parse '%s'", arg);
	case OPT_VIP:
		o->vip = true;
		return true;
	case OPT_NO_CHILD:
		o->no_child = true;
		return true;
	case 'n':
		if (!parse_uint(arg, 1, 10000000, &v))
			return say(err, len, "-n: '%s' is not a count (1..10000000)", arg);
		o->n = (unsigned)v;
		return true;
	case 'c':
		if (!parse_uint(arg, 1, 100000, &v))
			return say(err, len, "-c: '%s' is not a concurrency (1..100000)", arg);
		o->c = (unsigned)v;
		return true;
	case OPT_THREADS:
		if (!parse_uint(arg, 1, IKELOAD_MAX_THREADS, &v))
			return say(err, len, "--threads: '%s' is not 1..%d", arg,
				   IKELOAD_MAX_THREADS);
		o->threads = (unsigned)v;
		return true;
	case OPT_TIMEOUT:
		if (!parse_uint(arg, 100, 600000, &v))
			return say(err, len, "--timeout: '%s' is not 100..600000 ms", arg);
		o->timeout_ms = (unsigned)v;
		return true;
	case OPT_LABEL:
		return copy_str(o->label, sizeof(o->label), arg) ||
		       say(err, len, "--label: too long");
	case OPT_LOG_LEVEL:
		if (!log_parse_level(arg, &lvl))
			return say(err, len, "--log-level: '%s' is not error|warn|info|debug",
				   arg);
		snprintf(o->log_level, sizeof(o->log_level), "%s", arg);
		return true;
	case OPT_JSON:
		o->json = true;
		return true;
	default:
		return say(err, len, "unknown option (see --help)");
	}
}

enum ikeload_parse ikeload_opts_parse(int argc, char **argv,
				      struct ikeload_opts *o, char *err,
				      size_t errlen)
{
	bool seen[3] = { false, false, false };
	struct sockaddr_storage ss;
	int opt;

	set_defaults(o);
	err[0] = '\0';
	optind = 0;		/* GNU: full re-initialisation (tests parse twice) */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n:c:h", long_opts, NULL)) != -1) {
		if (opt == 'h')
			return IKELOAD_PARSE_HELP;
		if (opt == '?') {
			say(err, errlen, "unknown option or missing value: %s",
			    argv[optind - 1]);
			return IKELOAD_PARSE_ERROR;
		}
		if (!apply(o, opt, optarg, seen, err, errlen))
			return IKELOAD_PARSE_ERROR;
	}
	if (optind < argc) {
		say(err, errlen, "unexpected argument '%s'", argv[optind]);
		return IKELOAD_PARSE_ERROR;
	}
	if (!o->remote[0] || !sockaddr_parse(o->remote, o->port, &ss)) {
		say(err, errlen, "--remote: an IP address is required");
		return IKELOAD_PARSE_ERROR;
	}
	if (o->local[0] && !sockaddr_parse(o->local, 0, &ss)) {
		say(err, errlen, "--local: '%s' is not an IP address", o->local);
		return IKELOAD_PARSE_ERROR;
	}
	if (!seen[0] || !seen[1] || !seen[2]) {
		say(err, errlen, "--psk, --id-local and --id-remote are required");
		return IKELOAD_PARSE_ERROR;
	}
	if (o->threads > o->n)
		o->threads = o->n;
	if (o->c < o->threads)
		o->c = o->threads;
	return IKELOAD_PARSE_OK;
}
