/* daemon { datapath datapath_threads tun_name tun_mtu cookie_threshold
 * half_open_limit peer_half_open_limit key_stock }: how cygnetd moves packets, guards its
 * responder and uses its cores. */
#include "config/build.h"

#include <stdlib.h>
#include <string.h>

#define DEF_TUN_MTU 1400
#define TUN_NAME_MAX 15		/* IFNAMSIZ - 1 */
#define DEF_COOKIE_THRESHOLD 30	/* the IKE core's defaults (ike_core.h) */
#define DEF_HALF_OPEN_LIMIT 10000
#define DEF_PEER_HALF_OPEN_LIMIT 32
#define DEF_KEY_STOCK 32		/* key pairs ready per group (crypto/ke_stock.h) */
#define MAX_KEY_STOCK 1024

static const char *const daemon_keys[] = { "datapath", "datapath_threads", "tun_name", "tun_mtu",
					   "cookie_threshold", "half_open_limit",
					   "peer_half_open_limit", "key_stock", NULL };

void config_daemon_defaults(struct config_daemon *d)
{
	memset(d, 0, sizeof(*d));
	d->datapath = CONFIG_DATAPATH_AUTO;
	d->datapath_threads = CONFIG_THREADS_AUTO;
	d->tun_mtu = DEF_TUN_MTU;
	d->cookie_threshold = DEF_COOKIE_THRESHOLD;
	d->half_open_limit = DEF_HALF_OPEN_LIMIT;
	d->peer_half_open_limit = DEF_PEER_HALF_OPEN_LIMIT;
	d->key_stock = DEF_KEY_STOCK;
}

bool build_daemon(struct config_err *err, const struct settings_node *sec,
		  struct config_daemon *d)
{
	static const struct build_enum dp[] = {
		{ "auto", CONFIG_DATAPATH_AUTO },
		{ "userspace", CONFIG_DATAPATH_USERSPACE },
		{ "xfrm", CONFIG_DATAPATH_XFRM },
		{ NULL, 0 },
	};
	static const struct build_enum threads[] = {
		{ "auto", CONFIG_THREADS_AUTO }, { "0", 0 }, { "1", 1 }, { "2", 2 }, { NULL, 0 },
	};
	const struct settings_node *n;
	uint64_t mtu = d->tun_mtu, cookie = d->cookie_threshold, ho = d->half_open_limit;
	uint64_t peer_ho = d->peer_half_open_limit, stock = d->key_stock;
	int v = (int)d->datapath, nthreads = d->datapath_threads;

	if (!build_check_keys(err, sec, daemon_keys, NULL) ||
	    !build_enum(err, sec, "datapath", dp, &v) ||
	    !build_enum(err, sec, "datapath_threads", threads, &nthreads) ||
	    !build_str(err, sec, "tun_name", &d->tun_name) ||
	    !build_uint(err, sec, "tun_mtu", 576, 65535, &mtu) ||
	    !build_uint(err, sec, "cookie_threshold", 0, UINT32_MAX, &cookie) ||
	    !build_uint(err, sec, "half_open_limit", 1, UINT32_MAX, &ho) ||
	    !build_uint(err, sec, "peer_half_open_limit", 1, UINT32_MAX, &peer_ho) ||
	    !build_uint(err, sec, "key_stock", 0, MAX_KEY_STOCK, &stock))
		return false;
	d->datapath = (enum config_datapath)v;
	d->datapath_threads = nthreads;
	d->tun_mtu = (unsigned)mtu;
	d->cookie_threshold = (unsigned)cookie;
	d->half_open_limit = (unsigned)ho;
	d->peer_half_open_limit = (unsigned)peer_ho;
	d->key_stock = (unsigned)stock;
	n = build_key(sec, "tun_name");
	if (d->tun_name && (!d->tun_name[0] || strlen(d->tun_name) > TUN_NAME_MAX ||
			    strchr(d->tun_name, '/') || strchr(d->tun_name, ' ')))
		return build_fail(err, n, 0, "'tun_name' must be an interface name of 1..%d characters",
				  TUN_NAME_MAX);
	return true;
}

void config_daemon_free(struct config_daemon *d)
{
	free(d->tun_name);
	d->tun_name = NULL;
}
