/* The XFRM backend object, its ops table and the capability probe. */
#include "kernel/xfrm/xfrm.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/xfrm/xfrm_int.h"
#include "lib/log.h"

static uint32_t sa_hash(const void *key, uint32_t seed)
{
	const struct xfrm_sa_key *k = key;

	return jhash_2words(k->spi, (uint32_t)k->dir, seed);
}

static bool sa_match(const struct htable_node *n, const void *key)
{
	const struct xfrm_sa_entry *e = htable_entry(n, struct xfrm_sa_entry, node);
	const struct xfrm_sa_key *k = key;

	return e->spi == k->spi && e->dir == k->dir;
}

/* XFRM identifies an SA by (dst, SPI, proto): moving it to new addresses
 * means a new SA with the same keys, which the IKE core re-installs. */
static int xfrm_update_sa(void *be, const struct kernel_sa_id *id,
			  const struct sockaddr *src, const struct sockaddr *dst,
			  const struct kernel_encap *encap)
{
	(void)be; (void)src; (void)dst; (void)encap;
	log_warn("xfrm: SA 0x%08x (%s) cannot move in place; re-install it", id->spi,
		 id->dir == KERNEL_DIR_IN ? "in" : "out");
	return -ENOTSUP;
}

static int xfrm_replay_unsupported(void *be, const struct kernel_sa_id *id,
				   struct kernel_replay_state *st)
{
	(void)be; (void)id; (void)st;
	return -ENOTSUP;
}

static int xfrm_set_replay_unsupported(void *be, const struct kernel_sa_id *id,
				       const struct kernel_replay_state *st)
{
	(void)be; (void)id; (void)st;
	return -ENOTSUP;
}

/* Kernel-processed packets are filtered per segment by kernel/nfqueue. */
static int xfrm_segment_filter(void *be, kernel_segment_fn fn, void *ctx)
{
	(void)be; (void)fn; (void)ctx;
	return -ENOTSUP;
}

static void xfrm_destroy(void *be)
{
	struct xfrm_be *x = be;
	struct htable_iter it;
	struct htable_node *n;

	if (!x)
		return;
	xfrm_events_close(x);
	htable_iter_init(&it, &x->sas);
	while ((n = htable_iter_next(&it))) {
		htable_remove(&x->sas, n);
		free(htable_entry(n, struct xfrm_sa_entry, node));
	}
	htable_free(&x->sas);
	if (x->sk)
		nl_socket_free(x->sk);
	free(x);
}

static const struct kernel_ipsec_ops xfrm_ops = {
	.name = "xfrm",
	.get_spi = xfrm_sa_get_spi,
	.add_sa = xfrm_sa_add,
	.update_sa = xfrm_update_sa,
	.del_sa = xfrm_sa_del,
	.query_sa = xfrm_sa_query,
	.add_policy = xfrm_policy_add,
	.del_policy = xfrm_policy_del,
	.get_seq_out = xfrm_sa_get_seq_out,
	.set_seq_out = xfrm_sa_set_seq_out,
	.get_replay = xfrm_replay_unsupported,
	.set_replay = xfrm_set_replay_unsupported,
	.set_segment_filter = xfrm_segment_filter,
	.destroy = xfrm_destroy,
};

static struct xfrm_be *xfrm_open(void)
{
	struct xfrm_be *x = calloc(1, sizeof(*x));
	int err = 0;

	if (!x || !htable_init(&x->sas, sa_hash, sa_match, htable_random_seed(), 64)) {
		free(x);
		return NULL;
	}
	x->ki.ops = &xfrm_ops;
	x->ki.be = x;
	x->sk = nl_socket_alloc();
	if (!x->sk || (err = nl_connect(x->sk, NETLINK_XFRM)) < 0) {
		log_error("xfrm: cannot open NETLINK_XFRM: %s",
			  x->sk ? nl_geterror(err) : "out of memory");
		xfrm_destroy(x);
		return NULL;
	}
	return x;
}

struct kernel_ipsec *xfrm_backend_create(struct event_base *base,
					 const struct kernel_ipsec_events *ev)
{
	struct xfrm_be *x = xfrm_open();
	int err = 0;

	if (!x)
		return NULL;
	if (ev)
		x->ki.ev = *ev;
	err = xfrm_events_open(x, base);
	if (err < 0) {
		log_error("xfrm: cannot listen for kernel events: %s", nl_geterror(err));
		xfrm_destroy(x);
		return NULL;
	}
	return &x->ki;
}

/* Tries to install one SA of the given algorithms on loopback, then removes
 * it; the error says what the kernel lacks. */
static bool probe_alg(struct xfrm_be *x, uint16_t encr, uint16_t integ, char *why, size_t len)
{
	static const uint8_t key[64] = { 1 };
	struct kernel_sa sa = {
		.dir = KERNEL_DIR_IN, .protocol = PROTO_ESP, .mode = KERNEL_MODE_TUNNEL,
		.encr_alg = encr, .encr_key = key,
		.encr_key_len = encr == ENCR_AES_CBC ? 32 : 36,
		.integ_alg = integ, .integ_key = key, .integ_key_len = integ ? 32 : 0,
	};
	int err = 0;

	sa.src.ss_family = sa.dst.ss_family = AF_INET;
	((struct sockaddr_in *)&sa.src)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	((struct sockaddr_in *)&sa.dst)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	err = xfrm_sa_get_spi(x, &sa.src, &sa.dst, 0, &sa.spi);
	if (err) {
		snprintf(why, len, "cannot allocate an SPI: %s", strerror(-err));
		return false;
	}
	err = xfrm_sa_add(x, &sa);
	if (err)
		snprintf(why, len, "the kernel cannot install ESP SAs (%s): is CONFIG_INET_ESP "
			 "(esp4/esp6) available?", strerror(-err));
	/* removes the SA, or the larval state ALLOCSPI left */
	struct kernel_sa_id id = { .spi = sa.spi, .dir = KERNEL_DIR_IN, .dst = sa.dst };

	xfrm_sa_del(x, &id);
	return err == 0;
}

void xfrm_probe(struct xfrm_caps *caps)
{
	struct xfrm_be *x;
	char why[160] = "";

	memset(caps, 0, sizeof(*caps));
	x = xfrm_open();
	if (!x) {
		snprintf(caps->reason, sizeof(caps->reason), "NETLINK_XFRM is not available");
		return;
	}
	caps->netlink = true;
	caps->aes_gcm = probe_alg(x, ENCR_AES_GCM_16, AUTH_NONE, why, sizeof(why));
	caps->chacha20_poly1305 = probe_alg(x, ENCR_CHACHA20_POLY1305, AUTH_NONE, why, sizeof(why));
	caps->aes_cbc_sha2 = probe_alg(x, ENCR_AES_CBC, AUTH_HMAC_SHA2_256_128, why, sizeof(why));
	caps->esp = caps->aes_gcm || caps->chacha20_poly1305 || caps->aes_cbc_sha2;
	if (!caps->esp)
		snprintf(caps->reason, sizeof(caps->reason), "%s", why);
	xfrm_destroy(x);
}
