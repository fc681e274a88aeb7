#include "daemon/daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/socket.h"
#include "lib/log.h"

struct daemon {
	const struct daemon_options *opts;
	struct event_base *base;
	struct event *sig_int, *sig_term, *sig_hup;
	struct net *net;
};

bool daemon_check_config(const char *path)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return false;
	}
	fclose(f);
	/* The configuration model arrives with src/config. */
	return true;
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
	(void)sig;
	(void)what;
	(void)arg;
	log_info("received SIGHUP, reloading configuration");
}

static void on_ike(void *ctx, const uint8_t *msg, size_t len, const struct net_endpoints *ep)
{
	char peer[64];

	(void)ctx;
	(void)msg;
	log_debug("received %zu bytes of IKE from %s", len,
		  sockaddr_str(&ep->remote, peer, sizeof(peer)));
}

bool daemon_run(const struct daemon_options *o)
{
	struct daemon d = { .opts = o };
	struct net_config nc = { .ike_port = o->ike_port, .natt_port = o->natt_port,
				 .on_ike = on_ike, .ctx = &d };
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
	if (o->pidfile && !pidfile_write(o->pidfile))
		goto out;
	log_info("cygnetd %s started, IKE on UDP %u and %u", CYGNET_VERSION,
		 net_bound_port(d.net, false, AF_INET), net_bound_port(d.net, true, AF_INET));
	event_base_dispatch(d.base);
	ok = true;
out:
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
