#include "daemon/daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "daemon/conf_translate.h"
#include "daemon/datapath.h"
#include "daemon/ike_glue.h"
#include "kernel/socket.h"
#include "lib/log.h"

struct daemon {
	const struct daemon_options *opts;
	struct event_base *base;
	struct event *sig_int, *sig_term, *sig_hup;
	struct net *net;
	struct datapath *dp;
	struct ike_glue *ike;
};

/* The directory of the configuration file: certificates are relative to it. */
static const char *conf_dir(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(buf, len, ".");
	else if (slash == path)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(slash - path), path);
	return buf;
}

bool daemon_check_config(const char *path)
{
	char dir[1024];
	struct config_err err;
	struct config *cfg = NULL;
	struct ike_conf **confs;
	size_t n;
	char why[256];

	if (!config_load_file(path, &cfg, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return false;
	}
	if (!conf_translate(cfg, conf_dir(path, dir, sizeof(dir)), &confs, &n, why,
			    sizeof(why))) {
		fprintf(stderr, "%s: %s\n", path, why);
		config_free(cfg);
		return false;
	}
	conf_translate_free(confs, n);
	printf("%s: %zu connections, %zu secrets, %zu pools: OK\n", path, cfg->n_conns,
	       cfg->n_secrets, cfg->n_pools);
	config_free(cfg);
	return true;
}

static bool load_config(struct daemon *d)
{
	struct config_err err;
	struct config *cfg = NULL;

	if (!config_load_file(d->opts->config_path, &cfg, &err)) {
		log_error("%s", err.msg);
		return false;
	}
	char dir[1024];

	return ike_glue_apply(d->ike, cfg, conf_dir(d->opts->config_path, dir, sizeof(dir)));
}

static bool pidfile_write(const char *path)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error("cannot write pidfile %s: %s", path, strerror(errno));
		return false;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		log_error("cannot write pidfile %s: %s", path, strerror(errno));
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	log_info("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
	event_base_loopexit(d->base, NULL);
}

static void on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)sig;
	(void)what;
	log_info("received SIGHUP, reloading configuration");
	/* a failed reload keeps the running configuration */
	if (!load_config(d))
		log_error("reload failed, keeping the previous configuration");
}

static void on_esp(void *ctx, const uint8_t *pkt, size_t len, const struct net_endpoints *ep)
{
	struct daemon *d = ctx;

	if (d->dp)
		datapath_input_udp(d->dp, pkt, len, ep);
}

static void on_ike(void *ctx, const uint8_t *msg, size_t len, const struct net_endpoints *ep)
{
	struct daemon *d = ctx;

	if (d->ike)
		ike_core_input(ike_glue_core(d->ike), msg, len, ep);
}

bool daemon_run(const struct daemon_options *o)
{
	struct daemon d = { .opts = o };
	struct net_config nc = { .ike_port = o->ike_port, .natt_port = o->natt_port,
				 .on_ike = on_ike, .on_esp = on_esp, .ctx = &d };
	bool ok = false;

	if (o->syslog || !o->foreground)
		log_use_syslog(true, "cygnetd");
	if (!o->foreground && daemon(0, 0) < 0) {
		log_error("cannot daemonize: %s", strerror(errno));
		return false;
	}
	signal(SIGPIPE, SIG_IGN);
	d.base = event_base_new();
	if (!d.base)
		goto out;
	d.sig_int = evsignal_new(d.base, SIGINT, on_stop, &d);
	d.sig_term = evsignal_new(d.base, SIGTERM, on_stop, &d);
	d.sig_hup = evsignal_new(d.base, SIGHUP, on_reload, &d);
	if (!d.sig_int || !d.sig_term || !d.sig_hup || event_add(d.sig_int, NULL) ||
	    event_add(d.sig_term, NULL) || event_add(d.sig_hup, NULL))
		goto out;
	d.net = net_open(d.base, &nc);
	if (!d.net)
		goto out;
	/* without a datapath (no TUN, no privileges) CHILD SAs are negotiated
	 * and logged only */
	d.dp = datapath_new(d.base, d.net);
	if (!d.dp)
		log_warn("no ESP datapath: CHILD SAs are negotiated but carry no traffic");
	d.ike = ike_glue_new(d.base, d.net, d.dp, net_bound_port(d.net, true, AF_INET));
	if (!d.ike || !load_config(&d))
		goto out;
	if (o->pidfile && !pidfile_write(o->pidfile))
		goto out;
	log_info("cygnetd %s started, IKE on UDP %u and %u", CYGNET_VERSION,
		 net_bound_port(d.net, false, AF_INET), net_bound_port(d.net, true, AF_INET));
	ike_glue_start(d.ike);
	event_base_dispatch(d.base);
	ok = true;
out:
	/* SAs go first (their Deletes still need the sockets) */
	ike_glue_free(d.ike, ok);
	datapath_free(d.dp);
	if (o->pidfile && d.net)
		unlink(o->pidfile);
	net_close(d.net);
	if (d.sig_int)
		event_free(d.sig_int);
	if (d.sig_term)
		event_free(d.sig_term);
	if (d.sig_hup)
		event_free(d.sig_hup);
	if (d.base)
		event_base_free(d.base);
	log_info("cygnetd stopped");
	return ok;
}
