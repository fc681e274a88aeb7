/* XFRM states: SPI allocation, install, delete, counters, sequence numbers. */
#include <errno.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <netlink/msg.h>
#include <netlink/xfrm/ae.h>
#include <netlink/xfrm/lifetime.h>
#include <netlink/xfrm/sa.h>
#include <netlink/xfrm/selector.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/xfrm/xfrm_int.h"
#include "lib/log.h"

#define UDP_ENCAP_ESPINUDP_TYPE 2

struct nl_addr *xfrm_nl_addr_raw(int family, const uint8_t *a, unsigned prefix)
{
	struct nl_addr *n = nl_addr_build(family, a, family == AF_INET ? 4 : 16);

	if (n)
		nl_addr_set_prefixlen(n, prefix);
	return n;
}

struct nl_addr *xfrm_nl_addr(const struct sockaddr_storage *ss, unsigned prefix)
{
	if (ss->ss_family == AF_INET)
		return xfrm_nl_addr_raw(AF_INET,
					(const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr,
					prefix);
	if (ss->ss_family == AF_INET6)
		return xfrm_nl_addr_raw(AF_INET6,
					(const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr,
					prefix);
	return NULL;
}

int xfrm_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_EXIST: return -EEXIST;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_OPNOTSUPP: case NLE_PROTO_MISMATCH: case NLE_NOATTR: return -ENOTSUP;
	case NLE_PERM: return -EPERM;
	default: return -EINVAL;
	}
}

struct xfrm_sa_entry *xfrm_sa_find(struct xfrm_be *x, uint32_t spi, enum kernel_dir dir)
{
	struct xfrm_sa_key k = { spi, dir };
	struct htable_node *n = htable_find(&x->sas, &k);

	return n ? htable_entry(n, struct xfrm_sa_entry, node) : NULL;
}

/* ALLOCSPI has no libnl-xfrm call: the request is built with libnl's message
 * API and the NEWSA reply parsed by xfrmnl_sa_parse. */
struct spi_reply {
	uint32_t spi;
	int err;
	bool acked;
};

static int on_spi_ack(struct nl_msg *msg, void *arg)
{
	struct spi_reply *r = arg;

	(void)msg;
	r->acked = true;
	return NL_STOP;
}

static int on_spi_reply(struct nl_msg *msg, void *arg)
{
	struct spi_reply *r = arg;
	struct xfrmnl_sa *sa = NULL;

	if (xfrmnl_sa_parse(nlmsg_hdr(msg), &sa) == 0) {
		r->spi = (uint32_t)xfrmnl_sa_get_spi(sa);
		r->err = 0;
		xfrmnl_sa_put(sa);
	}
	return NL_OK;
}

static void xfrm_addr_copy(xfrm_address_t *out, const struct sockaddr_storage *ss)
{
	memset(out, 0, sizeof(*out));
	if (ss->ss_family == AF_INET)
		memcpy(out, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else
		memcpy(out, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
}

int xfrm_sa_get_spi(void *be, const struct sockaddr_storage *src,
		    const struct sockaddr_storage *dst, uint32_t reqid, uint32_t *spi)
{
	struct xfrm_be *x = be;
	struct xfrm_userspi_info info;
	struct spi_reply reply = { .err = -EINVAL };
	struct nl_msg *msg;
	struct nl_cb *cb, *orig;
	int err;

	memset(&info, 0, sizeof(info));
	info.info.family = dst->ss_family;
	info.info.id.proto = IPPROTO_ESP;
	info.info.reqid = reqid;
	xfrm_addr_copy(&info.info.saddr, src);
	xfrm_addr_copy(&info.info.id.daddr, dst);
	info.min = 0xc0000000;	/* as the kernel's own range: never 0..255 */
	info.max = 0xcfffffff;
	msg = nlmsg_alloc_simple(XFRM_MSG_ALLOCSPI, 0);
	if (!msg || nlmsg_append(msg, &info, sizeof(info), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	orig = nl_socket_get_cb(x->sk);	/* takes a reference */
	cb = orig ? nl_cb_clone(orig) : NULL;
	nl_cb_put(orig);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_spi_reply, &reply);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_spi_ack, &reply);
	err = nl_send_auto(x->sk, msg);
	nlmsg_free(msg);
	/* the NEWSA reply, then the ACK: consume both so the socket stays in step */
	while (err >= 0 && !reply.acked)
		err = nl_recvmsgs(x->sk, cb);
	nl_cb_put(cb);
	if (err < 0) {
		log_error("xfrm: cannot allocate an SPI: %s", nl_geterror(err));
		return xfrm_errno(err);
	}
	if (reply.err)
		return reply.err;
	*spi = reply.spi;
	return 0;
}

/* Kernel crypto API names for the IKEv2 transform ids. */
static int xfrm_set_algs(struct xfrmnl_sa *sa, const struct kernel_sa *k)
{
	const char *encr = NULL, *integ = NULL;
	unsigned trunc = 0;
	char *ek = (char *)k->encr_key, *ik = (char *)k->integ_key;
	unsigned ebits = (unsigned)k->encr_key_len * 8;

	switch (k->encr_alg) {
	case ENCR_AES_GCM_16:
		return xfrmnl_sa_set_aead_params(sa, "rfc4106(gcm(aes))", ebits, 128, ek);
	case ENCR_CHACHA20_POLY1305:
		return xfrmnl_sa_set_aead_params(sa, "rfc7539esp(chacha20,poly1305)", ebits, 128, ek);
	case ENCR_AES_CBC:
		encr = "cbc(aes)";
		break;
	default:
		return -1;
	}
	switch (k->integ_alg) {
	case AUTH_HMAC_SHA1_96: integ = "hmac(sha1)"; trunc = 96; break;
	case AUTH_HMAC_SHA2_256_128: integ = "hmac(sha256)"; trunc = 128; break;
	case AUTH_HMAC_SHA2_384_192: integ = "hmac(sha384)"; trunc = 192; break;
	case AUTH_HMAC_SHA2_512_256: integ = "hmac(sha512)"; trunc = 256; break;
	default: return -1;
	}
	if (xfrmnl_sa_set_crypto_params(sa, encr, ebits, ek) < 0)
		return -1;
	return xfrmnl_sa_set_auth_params(sa, integ, (unsigned)k->integ_key_len * 8, trunc, ik);
}

static unsigned long long limit(uint64_t v)
{
	return v ? v : XFRM_INF;
}

static int xfrm_set_lifetime(struct xfrmnl_sa *sa, const struct kernel_sa *k)
{
	struct xfrmnl_ltime_cfg *lt = xfrmnl_ltime_cfg_alloc();
	int err;

	if (!lt)
		return -1;
	xfrmnl_ltime_cfg_set_soft_bytelimit(lt, limit(k->soft.bytes));
	xfrmnl_ltime_cfg_set_hard_bytelimit(lt, limit(k->hard.bytes));
	xfrmnl_ltime_cfg_set_soft_packetlimit(lt, limit(k->soft.packets));
	xfrmnl_ltime_cfg_set_hard_packetlimit(lt, limit(k->hard.packets));
	/* time-based rekeying is the IKE core's job */
	xfrmnl_ltime_cfg_set_soft_addexpires(lt, 0);
	xfrmnl_ltime_cfg_set_hard_addexpires(lt, 0);
	xfrmnl_ltime_cfg_set_soft_useexpires(lt, 0);
	xfrmnl_ltime_cfg_set_hard_useexpires(lt, 0);
	err = xfrmnl_sa_set_lifetime_cfg(sa, lt);
	xfrmnl_ltime_cfg_put(lt);
	return err;
}

static int xfrm_set_replay(struct xfrmnl_sa *sa, const struct kernel_sa *k)
{
	uint32_t win = k->replay_window ? k->replay_window : 128;

	if (win > KERNEL_REPLAY_MAX)
		return -1;
	/* the legacy field is a byte: larger windows and ESN need the ESN state */
	if (k->esn || win > 32) {
		unsigned int bmp[KERNEL_REPLAY_MAX / 32];

		memset(bmp, 0, sizeof(bmp));
		if (k->esn)
			xfrmnl_sa_set_flags(sa, XFRM_STATE_ESN);
		return xfrmnl_sa_set_replay_state_esn(sa, 0, 0, 0, 0, win, (win + 31) / 32, bmp);
	}
	return xfrmnl_sa_set_replay_window(sa, win);
}

int xfrm_sa_add(void *be, const struct kernel_sa *k)
{
	struct xfrm_be *x = be;
	struct xfrmnl_sa *sa = xfrmnl_sa_alloc();
	struct nl_addr *src = xfrm_nl_addr(&k->src, 0), *dst = xfrm_nl_addr(&k->dst, 0);
	struct xfrm_sa_entry *e = calloc(1, sizeof(*e));
	int err = -ENOMEM;

	if (!sa || !src || !dst || !e)
		goto out;
	err = -ENOTSUP;
	xfrmnl_sa_set_family(sa, k->dst.ss_family);
	xfrmnl_sa_set_saddr(sa, src);
	xfrmnl_sa_set_daddr(sa, dst);
	xfrmnl_sa_set_spi(sa, k->spi);
	xfrmnl_sa_set_proto(sa, IPPROTO_ESP);
	xfrmnl_sa_set_reqid(sa, k->reqid);
	xfrmnl_sa_set_mode(sa, k->mode == KERNEL_MODE_TUNNEL ? XFRM_MODE_TUNNEL
							     : XFRM_MODE_TRANSPORT);
	if (xfrm_set_algs(sa, k) < 0 || xfrm_set_lifetime(sa, k) < 0 ||
	    xfrm_set_replay(sa, k) < 0) {
		log_error("xfrm: SA 0x%08x: algorithm %u/%u or replay window %u not offered",
			  k->spi, k->encr_alg, k->integ_alg, k->replay_window);
		goto out;
	}
	if (k->tfc_pad)
		xfrmnl_sa_set_tfcpad(sa, k->tfc_pad);
	if (k->encap.enabled) {
		uint8_t zero[16] = { 0 };
		struct nl_addr *oa = xfrm_nl_addr_raw(k->dst.ss_family, zero, 0);

		err = oa ? xfrmnl_sa_set_encap_tmpl(sa, UDP_ENCAP_ESPINUDP_TYPE, k->encap.sport,
						    k->encap.dport, oa) : -NLE_NOMEM;
		nl_addr_put(oa);
		if (err < 0) {
			err = xfrm_errno(err);
			goto out;
		}
	}
	err = xfrmnl_sa_add(x->sk, sa, NLM_F_CREATE | NLM_F_EXCL);
	if (err < 0) {
		log_error("xfrm: cannot install SA 0x%08x: %s", k->spi, nl_geterror(err));
		err = xfrm_errno(err);
		goto out;
	}
	e->spi = k->spi;
	e->dir = k->dir;
	e->src = k->src;
	e->dst = k->dst;
	e->reqid = k->reqid;
	e->child_id = k->child_id;
	htable_insert(&x->sas, &e->node, &(struct xfrm_sa_key){ k->spi, k->dir });
	e = NULL;
	err = 0;
out:
	free(e);
	nl_addr_put(src);
	nl_addr_put(dst);
	xfrmnl_sa_put(sa);
	return err;
}

int xfrm_sa_del(void *be, const struct kernel_sa_id *id)
{
	struct xfrm_be *x = be;
	struct xfrm_sa_entry *e = xfrm_sa_find(x, id->spi, id->dir);
	struct xfrmnl_sa *sa = xfrmnl_sa_alloc();
	struct nl_addr *dst = xfrm_nl_addr(&id->dst, 0);
	int err = -NLE_NOMEM;

	if (sa && dst) {
		xfrmnl_sa_set_family(sa, id->dst.ss_family);
		xfrmnl_sa_set_daddr(sa, dst);
		xfrmnl_sa_set_spi(sa, id->spi);
		xfrmnl_sa_set_proto(sa, IPPROTO_ESP);
		err = xfrmnl_sa_delete(x->sk, sa, 0);
	}
	nl_addr_put(dst);
	xfrmnl_sa_put(sa);
	if (e) {
		htable_remove(&x->sas, &e->node);
		free(e);
	}
	return err < 0 ? xfrm_errno(err) : 0;
}

static int xfrm_sa_get(struct xfrm_be *x, const struct kernel_sa_id *id,
		       struct xfrmnl_sa **out)
{
	struct nl_addr *dst = xfrm_nl_addr(&id->dst, 0);
	int err;

	if (!dst)
		return -EINVAL;
	err = xfrmnl_sa_get_kernel(x->sk, dst, id->spi, IPPROTO_ESP, 0, 0, out);
	nl_addr_put(dst);
	return err < 0 ? xfrm_errno(err) : 0;
}

int xfrm_sa_query(void *be, const struct kernel_sa_id *id, struct kernel_sa_stats *out)
{
	struct xfrmnl_sa *sa = NULL;
	unsigned long long bytes = 0, packets = 0, add_time = 0, use_time = 0;
	int err = xfrm_sa_get(be, id, &sa);

	if (err)
		return err;
	xfrmnl_sa_get_curlifetime(sa, &bytes, &packets, &add_time, &use_time);
	xfrmnl_sa_put(sa);
	out->bytes = bytes;
	out->packets = packets;
	out->last_use = use_time;	/* the kernel's wall clock seconds */
	return 0;
}

int xfrm_sa_get_seq_out(void *be, const struct kernel_sa_id *id, uint64_t *seq)
{
	struct xfrmnl_sa *sa = NULL;
	unsigned int oseq = 0, iseq = 0, bmp = 0, oseq_hi = 0, seq_hi = 0, win = 0, blen = 0;
	int err = xfrm_sa_get(be, id, &sa);

	if (err)
		return err;
	if (xfrmnl_sa_get_replay_state_esn(sa, &oseq, &iseq, &oseq_hi, &seq_hi, &win, &blen,
					   NULL) == 0)
		*seq = (uint64_t)oseq_hi << 32 | oseq;
	else if (xfrmnl_sa_get_replay_state(sa, &oseq, &iseq, &bmp) == 0)
		*seq = oseq;
	else
		err = -ENOTSUP;
	xfrmnl_sa_put(sa);
	return err;
}

int xfrm_sa_set_seq_out(void *be, const struct kernel_sa_id *id, uint64_t seq)
{
	struct xfrm_be *x = be;
	struct xfrmnl_ae *ae = xfrmnl_ae_alloc();
	struct nl_addr *dst = xfrm_nl_addr(&id->dst, 0);
	int err = -NLE_NOMEM;

	if (ae && dst) {
		xfrmnl_ae_set_daddr(ae, dst);
		xfrmnl_ae_set_spi(ae, id->spi);
		xfrmnl_ae_set_proto(ae, IPPROTO_ESP);
		xfrmnl_ae_set_family(ae, id->dst.ss_family);
		xfrmnl_ae_set_replay_state(ae, (unsigned)seq, 0, 0);
		err = xfrmnl_ae_set(x->sk, ae, 0);
	}
	xfrmnl_ae_put(ae);
	nl_addr_put(dst);
	return err < 0 ? xfrm_errno(err) : 0;
}
