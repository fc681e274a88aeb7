/* cygnetd's datapath glue (src/daemon/datapath*.c) over a fake kernel_ipsec
 * backend: CHILD SA tables, reqid sharing, SA moves and expire events. */
#include "check_main.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>

#include "control/ctl.h"
#include "daemon/datapath_int.h"
#include "ike/ike_core.h"
#include "ike/ike_ts.h"
#include "lib/log.h"

#define FAKE_MAX 8192

/* A backend that remembers which SAs exist (by SPI and direction) and how
 * often each op ran. */
struct fake {
	struct kernel_ipsec ki;
	unsigned add_sa, del_sa, update_sa, add_pol, del_pol, query;
	uint32_t in[FAKE_MAX], out[FAKE_MAX];
	size_t nin, nout;
	int fail_add_out;	/* -errno for the next outbound add_sa */
	uint64_t bytes;		/* query_sa: bytes = bytes + spi, packets = spi */
	struct kernel_lifetime soft, hard;	/* of the last add_sa */
};

static bool list_del(uint32_t *v, size_t *n, uint32_t spi)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i] == spi) {
			v[i] = v[--*n];
			return true;
		}
	return false;
}

static bool list_has(const uint32_t *v, size_t n, uint32_t spi)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == spi)
			return true;
	return false;
}

static int f_add_sa(void *be, const struct kernel_sa *sa)
{
	struct fake *f = be;

	f->add_sa++;
	f->soft = sa->soft;
	f->hard = sa->hard;
	if (sa->dir == KERNEL_DIR_OUT && f->fail_add_out) {
		int e = f->fail_add_out;

		f->fail_add_out = 0;
		return e;
	}
	if (sa->dir == KERNEL_DIR_IN)
		f->in[f->nin++] = sa->spi;
	else
		f->out[f->nout++] = sa->spi;
	return 0;
}

static int f_del_sa(void *be, const struct kernel_sa_id *id)
{
	struct fake *f = be;

	f->del_sa++;
	if (id->dir == KERNEL_DIR_IN)
		return list_del(f->in, &f->nin, id->spi) ? 0 : -ENOENT;
	return list_del(f->out, &f->nout, id->spi) ? 0 : -ENOENT;
}

static int f_update_sa(void *be, const struct kernel_sa_id *id, const struct sockaddr *src,
		       const struct sockaddr *dst, const struct kernel_encap *encap)
{
	(void)id;
	(void)src;
	(void)dst;
	(void)encap;
	((struct fake *)be)->update_sa++;
	return 0;
}

static int f_query_sa(void *be, const struct kernel_sa_id *id, struct kernel_sa_stats *out)
{
	struct fake *f = be;
	bool in = id->dir == KERNEL_DIR_IN;

	f->query++;
	if (!list_has(in ? f->in : f->out, in ? f->nin : f->nout, id->spi))
		return -ENOENT;
	out->bytes = f->bytes + id->spi;
	out->packets = id->spi;
	out->last_use = 0;
	return 0;
}

static int f_add_policy(void *be, const struct kernel_policy *p)
{
	(void)p;
	((struct fake *)be)->add_pol++;
	return 0;
}

static int f_del_policy(void *be, const struct kernel_policy *p)
{
	(void)p;
	((struct fake *)be)->del_pol++;
	return 0;
}

static void f_destroy(void *be)
{
	(void)be;
}

static const struct kernel_ipsec_ops fake_ops = {
	.name = "fake", .add_sa = f_add_sa, .update_sa = f_update_sa, .del_sa = f_del_sa,
	.query_sa = f_query_sa, .add_policy = f_add_policy, .del_policy = f_del_policy,
	.destroy = f_destroy,
};

static struct datapath *dp_with_fake(struct event_base *base, struct fake *f)
{
	struct datapath *dp = datapath_new(base, NULL);

	ck_assert_ptr_nonnull(dp);
	memset(f, 0, sizeof(*f));
	f->ki.ops = &fake_ops;
	f->ki.be = f;
	dp->ki = &f->ki;
	return dp;
}

static void set_addr(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	ck_assert(sockaddr_parse(ip, port, ss));
}

/* n IKE SAs, each with k CHILD SAs of the same child config: one reqid
 * per IKE SA (the remote selector is the peer's virtual IP). */
struct fixture {
	struct ike_sa *sas;
	struct child_sa *children;
	size_t n, k;
};

static void fixture_init(struct fixture *fx, size_t n, size_t k)
{
	fx->n = n;
	fx->k = k;
	fx->sas = calloc(n, sizeof(*fx->sas));
	fx->children = calloc(n * k, sizeof(*fx->children));
	ck_assert(fx->sas && fx->children);
	for (size_t i = 0; i < n; i++) {
		struct ike_sa *sa = &fx->sas[i];
		char ip[32];

		sa->unique_id = (uint32_t)i + 1;
		snprintf(ip, sizeof(ip), "198.51.%zu.%zu", i / 250, i % 250 + 1);
		set_addr(&sa->ep.remote, ip, 4500);
		set_addr(&sa->ep.local, "192.0.2.1", 4500);
		snprintf(sa->log_prefix, sizeof(sa->log_prefix), "[ike#%u]", sa->unique_id);
		for (size_t j = 0; j < k; j++) {
			struct child_sa *c = &fx->children[i * k + j];

			snprintf(c->name, sizeof(c->name), "net");
			c->unique_id = (uint32_t)(i * k + j + 1);
			c->spi_in = 0xc0000000u + c->unique_id;
			c->spi_out = 0xd0000000u + c->unique_id;
			c->alg.encr = ENCR_AES_GCM_16;
			c->alg.key_bits = 256;
			c->local_ts[0].type = TS_IPV4_ADDR_RANGE;
			c->local_ts[0].end_port = 65535;
			memcpy(c->local_ts[0].start, (uint8_t[]){ 10, 1, 0, 0 }, 4);
			memcpy(c->local_ts[0].end, (uint8_t[]){ 10, 1, 0, 255 }, 4);
			c->remote_ts[0] = c->local_ts[0];
			memcpy(c->remote_ts[0].start, (uint8_t[]){ 10, 3, (uint8_t)(i >> 8),
								   (uint8_t)i }, 4);
			memcpy(c->remote_ts[0].end, c->remote_ts[0].start, 4);
			c->n_local_ts = c->n_remote_ts = 1;
			c->state = CHILD_SA_INSTALLED;
			c->next = j ? &fx->children[i * k + j - 1] : NULL;
		}
		sa->children = &fx->children[i * k + k - 1];
	}
}

static void fixture_free(struct fixture *fx)
{
	free(fx->sas);
	free(fx->children);
}

START_TEST(child_tables_install_uninstall_and_move)
{
	struct event_base *base = event_base_new();
	struct fake f;
	struct datapath *dp = dp_with_fake(base, &f);
	struct fixture fx;
	size_t n = 1000, k = 3;

	fixture_init(&fx, n, k);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < k; j++)
			ck_assert(datapath_child_install(dp, &fx.sas[i], &fx.children[i * k + j]));
	ck_assert_uint_eq(f.nin, n * k);
	ck_assert_uint_eq(f.nout, n * k);
	/* one reqid per IKE SA (same conn, child, selectors): policies once */
	ck_assert_uint_eq(htable_count(&dp->reqids_by_id), n);
	ck_assert_uint_eq(f.add_pol, n * 3);
	ck_assert_uint_eq(htable_count(&dp->children_by_spi), n * k);
	for (size_t i = 0; i < n * k; i++) {
		struct dp_child *ch = dp_child_by_spi(dp, fx.children[i].spi_in);

		ck_assert_ptr_nonnull(ch);
		ck_assert_ptr_eq(dp_child_by_id(dp, fx.children[i].unique_id), ch);
		ck_assert_uint_eq(ch->spi_out, fx.children[i].spi_out);
	}
	/* counters of both ESP SAs (the fake: packets = SPI, bytes = 7 + SPI) */
	{
		struct ctl_child_stats st;

		f.bytes = 7;
		ck_assert(datapath_child_stats(dp, &fx.children[4], &st));
		ck_assert_uint_eq(st.packets_in, fx.children[4].spi_in);
		ck_assert_uint_eq(st.bytes_out, 7 + (uint64_t)fx.children[4].spi_out);
	}
	/* the peer of IKE SA 500 floats: only its 3 CHILD SAs move (2 SAs each) */
	set_addr(&fx.sas[499].ep.remote, "203.0.113.7", 61000);
	datapath_sa_updated(dp, &fx.sas[499]);
	ck_assert_uint_eq(f.update_sa, k * 2);
	datapath_sa_updated(dp, &fx.sas[499]);	/* nothing changed: no move */
	ck_assert_uint_eq(f.update_sa, k * 2);
	/* uninstall in a scattered order; policies go with the last holder */
	for (size_t s = 0; s < n * k; s++) {
		size_t i = (s * 7919) % (n * k);
		struct ike_sa *sa = &fx.sas[i / k];

		datapath_child_uninstall(dp, sa, &fx.children[i]);
		ck_assert_ptr_null(dp_child_by_spi(dp, fx.children[i].spi_in));
		if (s == 0) {
			struct ctl_child_stats st;

			ck_assert(!datapath_child_stats(dp, &fx.children[i], &st));
		}
		datapath_child_uninstall(dp, sa, &fx.children[i]);	/* twice: no-op */
	}
	ck_assert_uint_eq(f.nin, 0);
	ck_assert_uint_eq(f.nout, 0);
	ck_assert_uint_eq(f.del_pol, n * 3);
	ck_assert_uint_eq(htable_count(&dp->reqids_by_id), 0);
	ck_assert_uint_eq(htable_count(&dp->reqids_by_key), 0);
	ck_assert_uint_eq(htable_count(&dp->children_by_id), 0);
	datapath_free(dp);
	fixture_free(&fx);
	event_base_free(base);
}
END_TEST

START_TEST(failed_install_leaves_nothing)
{
	struct event_base *base = event_base_new();
	struct fake f;
	struct datapath *dp = dp_with_fake(base, &f);
	struct fixture fx;

	fixture_init(&fx, 1, 1);
	f.fail_add_out = -EINVAL;
	ck_assert(!datapath_child_install(dp, &fx.sas[0], &fx.children[0]));
	ck_assert_uint_eq(f.nin, 0);
	ck_assert_uint_eq(f.add_pol, f.del_pol);
	ck_assert_ptr_null(dp_child_by_spi(dp, fx.children[0].spi_in));
	ck_assert_uint_eq(htable_count(&dp->reqids_by_id), 0);
	/* and the same CHILD SA installs fine afterwards */
	ck_assert(datapath_child_install(dp, &fx.sas[0], &fx.children[0]));
	ck_assert_ptr_nonnull(dp_child_by_spi(dp, fx.children[0].spi_in));
	datapath_free(dp);	/* frees what is still installed */
	fixture_free(&fx);
	event_base_free(base);
}
END_TEST

START_TEST(lifetimes_from_the_child_config)
{
	struct event_base *base = event_base_new();
	struct fake f;
	struct datapath *dp = dp_with_fake(base, &f);
	struct fixture fx;
	struct ike_conf *conf = ike_conf_new("rw");

	fixture_init(&fx, 3, 1);
	conf->n_children = 1;
	snprintf(conf->children[0].name, IKE_NAME_MAX, "net");
	conf->children[0].rekey_bytes = 1000000;
	conf->children[0].life_bytes = 1100000;
	conf->children[0].rekey_packets = 1000;
	conf->children[0].life_packets = 2000;
	fx.sas[0].conf = conf;
	ck_assert(datapath_child_install(dp, &fx.sas[0], &fx.children[0]));
	ck_assert_uint_eq(f.soft.bytes, 1000000);
	ck_assert_uint_eq(f.hard.bytes, 1100000);
	ck_assert_uint_eq(f.soft.packets, 1000);
	ck_assert_uint_eq(f.hard.packets, 2000);
	/* rand_bytes: the soft limit moves down by at most that */
	conf->children[0].rand_bytes = 100000;
	fx.sas[1].conf = conf;
	ck_assert(datapath_child_install(dp, &fx.sas[1], &fx.children[1]));
	ck_assert_uint_ge(f.soft.bytes, 900000);
	ck_assert_uint_le(f.soft.bytes, 1000000);
	ck_assert_uint_eq(f.hard.bytes, 1100000);
	/* no conf: no limits */
	ck_assert(datapath_child_install(dp, &fx.sas[2], &fx.children[2]));
	ck_assert_uint_eq(f.soft.bytes + f.soft.packets + f.hard.bytes + f.hard.packets, 0);
	datapath_free(dp);
	ike_conf_unref(conf);
	fixture_free(&fx);
	event_base_free(base);
}
END_TEST

static bool e_send(void *ctx, const struct net_endpoints *ep, const uint8_t *m, size_t len)
{
	(void)ctx;
	(void)ep;
	(void)m;
	(void)len;
	return true;
}

START_TEST(expires_reach_the_core_once_per_child_from_the_loop)
{
	struct event_base *base = event_base_new();
	struct fake f;
	struct datapath *dp = dp_with_fake(base, &f);
	struct ike_env env = { .send = e_send };
	struct ike_core *core = ike_core_new(&env);
	struct fixture fx;
	struct kernel_sa_id in = { .dir = KERNEL_DIR_IN }, out = { .dir = KERNEL_DIR_OUT };

	datapath_set_core(dp, core);
	fixture_init(&fx, 1, 2);
	ck_assert(datapath_child_install(dp, &fx.sas[0], &fx.children[0]));
	ck_assert(datapath_child_install(dp, &fx.sas[0], &fx.children[1]));
	in.spi = fx.children[0].spi_in;
	out.spi = fx.children[0].spi_out;
	/* soft on both ESP SAs of child 0: one report; nothing before the loop */
	dp_on_expire(dp, &in, fx.children[0].unique_id, false);
	dp_on_expire(dp, &out, fx.children[0].unique_id, false);
	ck_assert_uint_eq(dp->n_expires, 1);
	ck_assert_uint_eq(dp->expires[0].spi_in, fx.children[0].spi_in);
	dp_on_expire(dp, &out, fx.children[0].unique_id, true);
	ck_assert_uint_eq(dp->n_expires, 2);
	ck_assert(dp->expires[1].hard);
	/* an outbound SA with the child's id but another SPI: stale */
	out.spi = 0x1234;
	dp_on_expire(dp, &out, fx.children[0].unique_id, true);
	/* an SA of a CHILD SA already uninstalled: stale */
	datapath_child_uninstall(dp, &fx.sas[0], &fx.children[1]);
	in.spi = fx.children[1].spi_in;
	dp_on_expire(dp, &in, fx.children[1].unique_id, false);
	ck_assert_uint_eq(dp->n_expires, 2);
	ck_assert_uint_eq(dp->expires_stale, 2);
	ck_assert_uint_eq(dp->expires_soft, 3);
	ck_assert_uint_eq(dp->expires_hard, 2);
	/* the loop hands them to the core, which has no such CHILD SA */
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_uint_eq(dp->n_expires, 0);
	ck_assert_uint_eq(dp->expires_stale, 4);
	ck_assert_uint_eq(ike_core_get_stats(core)->child_expire_ignored, 2);
	datapath_free(dp);
	ike_core_free(core);
	fixture_free(&fx);
	event_base_free(base);
}
END_TEST

static Suite *datapath_suite(void)
{
	Suite *s = suite_create("datapath");
	TCase *tc = tcase_create("tables");

	log_set_level(LOG_LVL_WARN);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, child_tables_install_uninstall_and_move);
	tcase_add_test(tc, failed_install_leaves_nothing);
	tcase_add_test(tc, lifetimes_from_the_child_config);
	tcase_add_test(tc, expires_reach_the_core_once_per_child_from_the_loop);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(datapath_suite)
