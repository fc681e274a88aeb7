/* ikeload: an IKEv2 initiator that sets up and tears down many IKE/CHILD SAs
 * against any responder and reports setups/s and latency percentiles. */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/log.h"
#include "tools/ikeload/opts.h"
#include "tools/ikeload/stats.h"
#include "tools/ikeload/worker.h"

/* The source address the kernel would use towards the responder: the NAT
 * detection hashes must name the address the peer really sees. */
static bool pick_local(const struct ikeload_opts *o, struct sockaddr_storage *out)
{
	struct sockaddr_storage remote;
	socklen_t len = sizeof(*out);
	int fd;
	bool ok;

	if (o->local[0])
		return sockaddr_parse(o->local, 0, out);
	if (!sockaddr_parse(o->remote, o->port, &remote))
		return false;
	fd = socket(remote.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&remote,
		     remote.ss_family == AF_INET ? sizeof(struct sockaddr_in)
						 : sizeof(struct sockaddr_in6)) == 0 &&
	     getsockname(fd, (struct sockaddr *)out, &len) == 0;
	close(fd);
	if (ok)
		sockaddr_set_port(out, 0);
	return ok;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void collect(struct worker **w, unsigned nw, const struct ikeload_opts *o,
		    struct ikeload_result *r, uint32_t *lat)
{
	uint64_t s0 = UINT64_MAX, s1 = 0, d0 = UINT64_MAX, d1 = 0;
	size_t nlat = 0;

	memset(r, 0, sizeof(*r));
	r->label = o->label;
	r->n = o->n;
	r->c = o->c;
	r->threads = nw;
	for (unsigned i = 0; i < nw; i++) {
		const struct worker_result *x = worker_result(w[i]);

		r->ok += x->ok;
		r->failed += x->failed;
		r->deleted += x->deleted;
		r->delete_failed += x->delete_failed;
		memcpy(lat + nlat, x->lat_us, x->ok * sizeof(*lat));
		nlat += x->ok;
		s0 = x->setup_start_us < s0 ? x->setup_start_us : s0;
		s1 = x->setup_end_us > s1 ? x->setup_end_us : s1;
		d0 = x->delete_start_us < d0 ? x->delete_start_us : d0;
		d1 = x->delete_end_us > d1 ? x->delete_end_us : d1;
		ikeload_reasons_merge(&r->fail, &x->fail);
		ikeload_reasons_merge(&r->delete_fail, &x->delete_fail);
	}
	r->setup_s = s1 > s0 ? (double)(s1 - s0) / 1e6 : 0;
	r->delete_s = d1 > d0 ? (double)(d1 - d0) / 1e6 : 0;
	ikeload_sort_u32(lat, nlat);
	r->p50_us = ikeload_percentile(lat, nlat, 50);
	r->p99_us = ikeload_percentile(lat, nlat, 99);
	r->max_us = ikeload_percentile(lat, nlat, 100);
}

int main(int argc, char **argv)
{
	struct ikeload_opts o;
	struct ikeload_result r;
	struct worker *w[IKELOAD_MAX_THREADS] = { 0 };
	struct sockaddr_storage local;
	pthread_barrier_t phase;
	enum log_level lvl = LOG_LVL_ERROR;
	uint32_t *lat = NULL;
	char err[256], *out = NULL;
	unsigned nw = 0;
	int rc = 2;

	switch (ikeload_opts_parse(argc, argv, &o, err, sizeof(err))) {
	case IKELOAD_PARSE_HELP:
		fputs(ikeload_usage, stdout);
		return 0;
	case IKELOAD_PARSE_ERROR:
		fprintf(stderr, "ikeload: %s\n", err);
		return 2;
	default:
		break;
	}
	log_parse_level(o.log_level, &lvl);
	log_set_level(lvl);
	log_set_sink(worker_log_sink, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!pick_local(&o, &local)) {
		fprintf(stderr, "ikeload: no local address towards %s\n", o.remote);
		return 2;
	}
	pthread_barrier_init(&phase, NULL, o.threads);
	for (nw = 0; nw < o.threads; nw++) {
		/* the SAs and the concurrency split evenly, remainders first */
		unsigned n = o.n / o.threads + (nw < o.n % o.threads);
		unsigned c = o.c / o.threads + (nw < o.c % o.threads);

		w[nw] = worker_new(&o, nw, n, c, &local, &phase);
		if (!w[nw]) {
			fprintf(stderr, "ikeload: cannot set up initiator %u (sockets?)\n", nw);
			goto out;
		}
	}
	for (unsigned i = 0; i < nw; i++) {
		if (!worker_start(w[i])) {
			/* the barrier would wait forever for the others */
			fprintf(stderr, "ikeload: cannot start a thread\n");
			exit(2);
		}
	}
	for (unsigned i = 0; i < nw; i++)
		worker_join(w[i]);
	lat = calloc(o.n, sizeof(*lat));
	out = malloc(16384);
	if (!lat || !out)
		goto out;
	collect(w, nw, &o, &r, lat);
	r.cpu_s = cpu_seconds();
	ikeload_format_text(&r, out, 16384);
	fputs(out, stdout);
	if (o.json) {
		ikeload_format_json(&r, out, 16384);
		printf("%s\n", out);
	}
	fflush(stdout);
	rc = r.failed ? 1 : 0;
out:
	log_set_sink(NULL, NULL);
	for (unsigned i = 0; i < nw; i++)
		worker_free(w[i]);
	pthread_barrier_destroy(&phase);
	free(lat);
	free(out);
	return rc;
}
