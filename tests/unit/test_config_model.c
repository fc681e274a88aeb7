/* The config model: every key, defaults, semantic errors with exact
 * locations, secrets, pools, cluster, lookups, dump, the example file. */
#include "check_main.h"
#include "config/config.h"
#include "ike/iana.h"

#include <arpa/inet.h>

static struct config *load(const char *text)
{
	struct config *cfg = NULL;
	struct config_err err;

	ck_assert_msg(config_load_buffer("m.conf", text, strlen(text), NULL, &cfg, &err),
		      "%s", err.msg);
	return cfg;
}

static const char *all_keys =
	"connections {\n"
	"  gw {\n"
	"    version = 2\n"
	"    local_addrs = 192.0.2.1, 2001:db8::1\n"
	"    remote_addrs = 198.51.100.0/24 peer.example.org 203.0.113.5-203.0.113.9\n"
	"    local_port = 4500\n"
	"    remote_port = 14500\n"
	"    proposals = aes128-sha256-modp2048, default\n"
	"    pools = p4, p6\n"
	"    vips = 0.0.0.0, ::\n"
	"    encap = yes\n"
	"    mobike = no\n"
	"    fragmentation = force\n"
	"    dpd_delay = 30s\n"
	"    dpd_timeout = 2m\n"
	"    rekey_time = 2h\n"
	"    reauth_time = 1d\n"
	"    over_time = 5m\n"
	"    rand_time = 1m\n"
	"    unique = keep\n"
	"    send_certreq = no\n"
	"    send_cert = always\n"
	"    keyingtries = 0\n"
	"    local-2 { auth = psk }\n"
	"    local {\n"
	"      auth = rsa/pss-sha256-sha384\n"
	"      id = \"CN=gw, O=Example\"\n"
	"      certs = gw.pem, gw2.pem\n"
	"      cacerts = ca.pem\n"
	"      pubkeys = gw.pub\n"
	"    }\n"
	"    remote { auth = ecdsa-sha512\n id = %any }\n"
	"    remote-1 { auth = pubkey }\n"
	"    children {\n"
	"      net {\n"
	"        local_ts = 10.0.0.0/8[tcp/80], dynamic\n"
	"        remote_ts = 192.0.2.10-192.0.2.20[udp/1000-2000]\n"
	"        esp_proposals = aes256gcm16-modp2048-esn, aes128-sha1\n"
	"        mode = transport\n"
	"        start_action = trap\n"
	"        close_action = start\n"
	"        dpd_action = restart\n"
	"        rekey_time = 30m\n"
	"        life_time = 40m\n"
	"        rand_time = 2m\n"
	"        rekey_bytes = 1G\n"
	"        life_bytes = 2G\n"
	"        rand_bytes = 10M\n"
	"        rekey_packets = 1000\n"
	"        life_packets = 2K\n"
	"        rand_packets = 100\n"
	"        replay_window = 1024\n"
	"        hostaccess = yes\n"
	"        updown = /usr/lib/cygnet/updown.sh\n"
	"      }\n"
	"      second { }\n"
	"    }\n"
	"  }\n"
	"}\n"
	"pools {\n"
	"  p4 { addrs = 10.3.0.0/24\n dns = 10.3.0.53\n nbns = 10.3.0.54\n"
	"       split_include = 10.0.0.0/8, 172.16.0.0/12\n split_exclude = 10.9.0.0/16 }\n"
	"  p6 { addrs = 2001:db8:1::-2001:db8:1::ff }\n"
	"}\n";

static void host_is(const struct config_host *h, const char *fmt)
{
	char buf[128];

	config_host_format(h, buf, sizeof(buf));
	ck_assert_str_eq(buf, fmt);
}

START_TEST(model_every_key)
{
	struct config *cfg = load(all_keys);
	const struct config_conn *c = config_find_conn(cfg, "gw");
	const struct config_child *ch;
	char buf[160];

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->version, 2);
	ck_assert_uint_eq(c->n_local_addrs, 2);
	host_is(&c->local_addrs[1], "2001:db8::1");
	ck_assert_uint_eq(c->n_remote_addrs, 3);
	ck_assert_int_eq(c->remote_addrs[0].kind, HOST_SUBNET);
	ck_assert_int_eq(c->remote_addrs[1].kind, HOST_DNS);
	ck_assert_str_eq(c->remote_addrs[1].dns, "peer.example.org");
	host_is(&c->remote_addrs[2], "203.0.113.5-203.0.113.9");
	ck_assert_uint_eq(c->local_port, 4500);
	ck_assert_uint_eq(c->remote_port, 14500);
	ck_assert_uint_eq(c->n_proposals, 3);	/* one + two defaults */
	ck_assert_uint_eq(c->proposals[0].ke[0], KE_MODP_2048);
	ck_assert(c->proposals[1].aead);
	ck_assert_uint_eq(c->pools.n, 2);
	ck_assert_str_eq(c->pools.v[1], "p6");
	ck_assert_uint_eq(c->n_vips, 2);
	host_is(&c->vips[1], "::");
	ck_assert(c->encap);
	ck_assert(!c->mobike);
	ck_assert_int_eq(c->fragmentation, CONFIG_FRAG_FORCE);
	ck_assert_uint_eq(c->dpd_delay, 30);
	ck_assert_uint_eq(c->dpd_timeout, 120);
	ck_assert_uint_eq(c->rekey_time, 7200);
	ck_assert_uint_eq(c->reauth_time, 86400);
	ck_assert_uint_eq(c->over_time, 300);
	ck_assert_uint_eq(c->rand_time, 60);
	ck_assert_int_eq(c->unique, CONFIG_UNIQUE_KEEP);
	ck_assert(!c->send_certreq);
	ck_assert_int_eq(c->send_cert, CONFIG_SEND_CERT_ALWAYS);
	ck_assert_uint_eq(c->keyingtries, 0);
	/* rounds sorted by name: local, local-2; remote, remote-1 */
	ck_assert_uint_eq(c->n_local, 2);
	ck_assert_str_eq(c->local[0].name, "local");
	ck_assert_int_eq(c->local[0].method, CONFIG_AUTH_RSA);
	ck_assert(c->local[0].rsa_pss);
	ck_assert_uint_eq(c->local[0].n_hashes, 2);
	ck_assert_uint_eq(c->local[0].hashes[0], HASH_SHA2_256);
	ck_assert_uint_eq(c->local[0].hashes[1], HASH_SHA2_384);
	ck_assert_str_eq(c->local[0].id, "CN=gw, O=Example");
	ck_assert_uint_eq(c->local[0].certs.n, 2);
	ck_assert_str_eq(c->local[0].certs.v[1], "gw2.pem");
	ck_assert_str_eq(c->local[0].cacerts.v[0], "ca.pem");
	ck_assert_str_eq(c->local[0].pubkeys.v[0], "gw.pub");
	ck_assert_str_eq(c->local[1].name, "local-2");
	ck_assert_int_eq(c->local[1].method, CONFIG_AUTH_PSK);
	ck_assert_uint_eq(c->n_remote, 2);
	ck_assert_int_eq(c->remote[0].method, CONFIG_AUTH_ECDSA);
	ck_assert_uint_eq(c->remote[0].hashes[0], HASH_SHA2_512);
	ck_assert_str_eq(c->remote[0].id, "%any");
	ck_assert_int_eq(c->remote[1].method, CONFIG_AUTH_PUBKEY);
	ck_assert_ptr_null(c->remote[1].id);

	ck_assert_uint_eq(c->n_children, 2);
	ch = &c->children[0];
	ck_assert_str_eq(ch->name, "net");
	ck_assert_uint_eq(ch->n_local_ts, 2);
	config_ts_format(&ch->local_ts[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.0.0.0/8[6/80]");
	ck_assert(ch->local_ts[1].dynamic);
	ck_assert_uint_eq(ch->n_remote_ts, 1);
	ck_assert_uint_eq(ch->remote_ts[0].proto, 17);
	ck_assert_uint_eq(ch->remote_ts[0].port_from, 1000);
	ck_assert_uint_eq(ch->remote_ts[0].port_to, 2000);
	ck_assert_uint_eq(ch->n_esp, 2);
	ck_assert_uint_eq(ch->esp[0].ke[0], KE_MODP_2048);
	ck_assert_uint_eq(ch->esp[0].esn[0], ESN_YES);
	ck_assert_uint_eq(ch->esp[1].integ[0], AUTH_HMAC_SHA1_96);
	ck_assert_int_eq(ch->mode, CONFIG_MODE_TRANSPORT);
	ck_assert_int_eq(ch->start_action, CONFIG_ACTION_TRAP);
	ck_assert_int_eq(ch->close_action, CONFIG_ACTION_START);
	ck_assert_int_eq(ch->dpd_action, CONFIG_ACTION_START);
	ck_assert_uint_eq(ch->rekey_time, 1800);
	ck_assert_uint_eq(ch->life_time, 2400);
	ck_assert_uint_eq(ch->rand_time, 120);
	ck_assert_uint_eq(ch->rekey_bytes, 1ull << 30);
	ck_assert_uint_eq(ch->life_bytes, 2ull << 30);
	ck_assert_uint_eq(ch->rand_bytes, 10ull << 20);
	ck_assert_uint_eq(ch->rekey_packets, 1000);
	ck_assert_uint_eq(ch->life_packets, 2048);
	ck_assert_uint_eq(ch->rand_packets, 100);
	ck_assert_uint_eq(ch->replay_window, 1024);
	ck_assert(ch->hostaccess);
	ck_assert_str_eq(ch->updown, "/usr/lib/cygnet/updown.sh");
	ck_assert_str_eq(c->children[1].name, "second");

	ck_assert_uint_eq(cfg->n_pools, 2);
	{
		const struct config_pool *p = config_find_pool(cfg, "p4");

		ck_assert_ptr_nonnull(p);
		host_is(&p->addrs, "10.3.0.0/24");
		ck_assert_uint_eq(p->n_dns, 1);
		host_is(&p->dns[0], "10.3.0.53");
		host_is(&p->nbns[0], "10.3.0.54");
		ck_assert_uint_eq(p->n_split_include, 2);
		host_is(&p->split_include[1], "172.16.0.0/12");
		host_is(&p->split_exclude[0], "10.9.0.0/16");
		p = config_find_pool(cfg, "p6");
		ck_assert_int_eq(p->addrs.kind, HOST_RANGE);
		ck_assert_int_eq(p->addrs.family, AF_INET6);
		ck_assert_uint_eq(p->addrs.to[15], 0xff);
		ck_assert_ptr_null(config_find_pool(cfg, "p5"));
	}
	ck_assert_ptr_null(config_find_conn(cfg, "nope"));
	ck_assert(!cfg->cluster.enabled);
	config_free(cfg);
}
END_TEST

START_TEST(model_defaults)
{
	struct config *cfg = load("connections {\n c {\n  children { x { } }\n }\n}\n");
	const struct config_conn *c = &cfg->conns[0];
	const struct config_child *ch = &c->children[0];
	struct proposal def[4];

	ck_assert_uint_eq(cfg->n_conns, 1);
	ck_assert_uint_eq(c->version, 2);
	ck_assert_uint_eq(c->n_local_addrs, 1);
	ck_assert_int_eq(c->local_addrs[0].kind, HOST_ANY);
	ck_assert_int_eq(c->remote_addrs[0].kind, HOST_ANY);
	ck_assert_uint_eq(c->local_port, 500);
	ck_assert_uint_eq(c->remote_port, 500);
	ck_assert_uint_eq(c->n_proposals, proposal_defaults(PROPOSAL_IKE, def, 4));
	ck_assert(memcmp(c->proposals, def, c->n_proposals * sizeof(def[0])) == 0);
	ck_assert_uint_eq(c->pools.n, 0);
	ck_assert_uint_eq(c->n_vips, 0);
	ck_assert(!c->encap);
	ck_assert(c->mobike);
	ck_assert_int_eq(c->fragmentation, CONFIG_FRAG_YES);
	ck_assert_uint_eq(c->dpd_delay, 0);
	ck_assert_uint_eq(c->rekey_time, 4 * 3600);
	ck_assert_uint_eq(c->reauth_time, 0);
	ck_assert_uint_eq(c->over_time, 1440);	/* 10% of rekey_time */
	ck_assert_uint_eq(c->rand_time, 1440);	/* = over_time */
	ck_assert_int_eq(c->unique, CONFIG_UNIQUE_NO);
	ck_assert(c->send_certreq);
	ck_assert_int_eq(c->send_cert, CONFIG_SEND_CERT_IFASKED);
	ck_assert_uint_eq(c->keyingtries, 1);
	ck_assert_uint_eq(c->n_local, 0);
	ck_assert_uint_eq(c->n_remote, 0);
	ck_assert_uint_eq(ch->n_local_ts, 1);
	ck_assert(ch->local_ts[0].dynamic);
	ck_assert(ch->remote_ts[0].dynamic);
	ck_assert_uint_eq(ch->n_esp, proposal_defaults(PROPOSAL_ESP, def, 4));
	ck_assert(memcmp(ch->esp, def, ch->n_esp * sizeof(def[0])) == 0);
	ck_assert_int_eq(ch->mode, CONFIG_MODE_TUNNEL);
	ck_assert_int_eq(ch->start_action, CONFIG_ACTION_NONE);
	ck_assert_int_eq(ch->close_action, CONFIG_ACTION_NONE);
	ck_assert_int_eq(ch->dpd_action, CONFIG_ACTION_NONE);
	ck_assert_uint_eq(ch->rekey_time, 3600);
	ck_assert_uint_eq(ch->life_time, 3960);	/* rekey + 10% */
	ck_assert_uint_eq(ch->rand_time, 360);	/* life - rekey */
	ck_assert_uint_eq(ch->rekey_bytes, 0);
	ck_assert_uint_eq(ch->life_bytes, 0);
	ck_assert_uint_eq(ch->rekey_packets, 0);
	ck_assert_uint_eq(ch->replay_window, 32);
	ck_assert(!ch->hostaccess);
	ck_assert_ptr_null(ch->updown);
	/* cluster defaults without a cluster section */
	ck_assert(!cfg->cluster.enabled);
	ck_assert_uint_eq(cfg->cluster.heartbeat_interval_ms, 200);
	ck_assert_uint_eq(cfg->cluster.heartbeat_timeout_ms, 1000);
	ck_assert_uint_eq(cfg->cluster.sync_port, 4510);
	config_free(cfg);

	/* derived defaults follow the explicit values they depend on */
	cfg = load("connections { c { reauth_time = 10h\n children { x {\n"
		   "rekey_time = 10m\n rekey_bytes = 1000\n } } } }\n");
	c = &cfg->conns[0];
	ck_assert_uint_eq(c->over_time, 3600);
	ck_assert_uint_eq(c->rand_time, 3600);
	ch = &c->children[0];
	ck_assert_uint_eq(ch->life_time, 660);
	ck_assert_uint_eq(ch->rand_time, 60);
	ck_assert_uint_eq(ch->life_bytes, 1100);
	ck_assert_uint_eq(ch->rand_bytes, 100);
	config_free(cfg);

	/* aliases of strongSwan's older action names */
	cfg = load("connections { c { children { x {\n close_action = restart\n"
		   " dpd_action = hold\n start_action = route\n } } } }\n");
	ch = &cfg->conns[0].children[0];
	ck_assert_int_eq(ch->close_action, CONFIG_ACTION_START);
	ck_assert_int_eq(ch->dpd_action, CONFIG_ACTION_TRAP);
	ck_assert_int_eq(ch->start_action, CONFIG_ACTION_TRAP);
	config_free(cfg);

	/* an empty file is an empty config */
	cfg = load("# nothing\n");
	ck_assert_uint_eq(cfg->n_conns + cfg->n_secrets + cfg->n_pools, 0);
	config_free(cfg);
}
END_TEST

/* Semantic errors: exact message, pointing at the key or the list item. */
static const struct {
	const char *in;
	const char *msg;
} model_bad[] = {
	{ "connections {\n  c {\n    lcoal_addrs = 1.2.3.4\n  }\n}\n",
	  "m.conf:3:5: unknown key 'lcoal_addrs' in connections.c" },
	{ "connections {\n  c {\n    version = 1\n  }\n}\n",
	  "m.conf:3:15: unsupported IKE version '1': only version 2 is supported" },
	{ "connections { c { version = 0 } }\n",
	  "m.conf:1:29: unsupported IKE version '0': only version 2 is supported" },
	{ "connections {\n c {\n  proposals = aes128-sha256-x25519, aes256-foo-modp2048\n }\n}\n",
	  "m.conf:3:44: invalid IKE proposal 'aes256-foo-modp2048': unknown algorithm 'foo' at position 2" },
	{ "connections {\n c {\n  proposals = aes256gcm16-sha256-x25519\n }\n}\n",
	  "m.conf:3:27: invalid IKE proposal 'aes256gcm16-sha256-x25519': AEAD algorithm 'aes256gcm16' cannot be combined with integrity algorithm 'sha256' (use prf<hash>, e.g. prfsha256)" },
	{ "connections {\n c {\n  proposals = \"aes256-sha256\"\n }\n}\n",
	  "m.conf:3:16: invalid IKE proposal 'aes256-sha256': IKE proposal needs a key exchange group (e.g. x25519)" },
	{ "connections { c { children { x { esp_proposals = aes128gcm16-prfsha256 } } } }\n",
	  "m.conf:1:62: invalid ESP proposal 'aes128gcm16-prfsha256': 'prfsha256': ESP proposals take no PRF" },
	{ "connections {\n c {\n  local_addrs = 192.0.2.1, 192.0.2.300\n }\n}\n",
	  "m.conf:3:28: invalid address '192.0.2.300' in 'local_addrs': invalid IP address" },
	{ "connections {\n c {\n  vips = 10.0.0.0/8\n }\n}\n",
	  "m.conf:3:10: invalid IP address '10.0.0.0/8' in 'vips'" },
	{ "connections {\n c {\n  local_port = 70000\n }\n}\n",
	  "m.conf:3:16: invalid value '70000' for 'local_port': expected a number from 1 to 65535" },
	{ "connections {\n c {\n  rekey_time = 4 hours\n }\n}\n",
	  "m.conf:3:16: invalid value '4 hours' for 'rekey_time': expected a duration (e.g. 90s, 30m, 4h, 1d)" },
	{ "connections {\n c {\n  dpd_delay = 1500ms\n }\n}\n",
	  "m.conf:3:15: invalid value '1500ms' for 'dpd_delay': whole seconds only" },
	{ "connections {\n c {\n  mobike = maybe\n }\n}\n",
	  "m.conf:3:12: invalid value 'maybe' for 'mobike': expected yes or no" },
	{ "connections {\n c {\n  fragmentation = sometimes\n }\n}\n",
	  "m.conf:3:19: invalid value 'sometimes' for 'fragmentation': expected one of yes, accept, force, no" },
	{ "connections { c { children { x { close_action = hold_on } } } }\n",
	  "m.conf:1:49: invalid value 'hold_on' for 'close_action': expected one of none, trap, start" },
	{ "connections { c { children { x { mode = beet } } } }\n",
	  "m.conf:1:41: invalid value 'beet' for 'mode': expected one of tunnel, transport" },
	{ "connections {\n c {\n  pools = p1\n }\n}\n",
	  "m.conf:3:11: connection 'c' uses unknown pool 'p1'" },
	{ "connections {\n c {\n  local {\n   auth = eap-mschapv2\n  }\n }\n}\n",
	  "m.conf:4:11: unsupported auth method 'eap'" },
	{ "connections {\n c {\n  local {\n   auth = cert\n  }\n }\n}\n",
	  "m.conf:4:11: unknown auth method 'cert': expected psk, pubkey, rsa, rsa/pss or ecdsa" },
	{ "connections {\n c {\n  local {\n   auth = rsa-md5\n  }\n }\n}\n",
	  "m.conf:4:15: unknown signature hash 'md5' in 'auth' (sha1, sha256, sha384, sha512)" },
	{ "connections {\n c {\n  local {\n   auth = psk-sha256\n  }\n }\n}\n",
	  "m.conf:4:15: 'psk' takes no hash ('sha256')" },
	{ "connections {\n c {\n  local {\n   secret = x\n  }\n }\n}\n",
	  "m.conf:4:4: unknown key 'secret' in connections.c.local" },
	{ "connections {\n c {\n  locals { }\n }\n}\n",
	  "m.conf:3:3: unknown section 'locals' in connections.c" },
	{ "connections {\n c {\n  local = x\n }\n}\n",
	  "m.conf:3:3: 'local' must be a section ('local { ... }')" },
	{ "connections {\n c {\n  version { }\n }\n}\n",
	  "m.conf:3:3: 'version' is a key ('version = ...'), not a section" },
	{ "connections {\n c = 1\n}\n",
	  "m.conf:2:2: unknown key 'c' in connections (expected a connection section)" },
	{ "connections {\n c { children {\n  x = 1\n } }\n}\n",
	  "m.conf:3:3: unknown key 'x' in c.children (expected a child section)" },
	{ "connections { c { children { x {\n  local_ts = 10.0.0.0/8[tcp/80], 10.1.0.0/16[tcp/99999]\n } } } }\n",
	  "m.conf:2:34: invalid traffic selector '10.1.0.0/16[tcp/99999]' in 'local_ts': invalid port or port range in [proto/port]" },
	{ "connections { c { children { x {\n  remote_ts = %any\n } } } }\n",
	  "m.conf:2:15: invalid traffic selector '%any' in 'remote_ts': expected an address, subnet (a/n) or range (a-b)" },
	{ "connections { c { children { x {\n  rekey_time = 1h\n  life_time = 30m\n } } } }\n",
	  "m.conf:3:15: 'life_time' must be greater than 'rekey_time'" },
	{ "connections { c { children { x {\n  rekey_bytes = 10G\n  life_bytes = 5X\n } } } }\n",
	  "m.conf:3:16: invalid value '5X' for 'life_bytes': expected a number with optional K, M or G suffix" },
	{ "connections { c { children { x {\n  replay_window = -1\n } } } }\n",
	  "m.conf:2:19: invalid value '-1' for 'replay_window': expected a number from 0 to 4294967295" },
	{ "connections { c { proposals = default default default default default default "
	  "default default default } }\n",
	  "m.conf:1:95: more than 16 proposals in 'proposals'" },
	{ "connection { }\n", "m.conf:1:1: unknown section 'connection' at top level" },
	{ "authorities { }\n", "m.conf:1:1: unsupported section 'authorities'" },
	{ "version = 2\n", "m.conf:1:1: unknown key 'version' at top level" },
	{ "secrets {\n  ike-x {\n    id = a\n  }\n}\n", "m.conf:2:3: 'ike-x' needs a 'secret' key" },
	{ "secrets {\n  ike-x {\n    secret = 0xabc\n  }\n}\n",
	  "m.conf:3:14: invalid 'secret': 0x secret needs an even, non-zero number of hex digits" },
	{ "secrets {\n  ike-x {\n    secret = 0s!!!!\n  }\n}\n",
	  "m.conf:3:14: invalid 'secret': invalid base64 in 0s secret" },
	{ "secrets {\n  ike-x {\n    secret = s\n    ids = a\n  }\n}\n",
	  "m.conf:4:5: unknown key 'ids' in secrets.ike-x" },
	{ "secrets {\n  private-x {\n    file = k.pem\n  }\n}\n",
	  "m.conf:2:3: unsupported secret type 'private-x' (ike, eap and xauth are supported)" },
	{ "secrets {\n  foo { secret = x }\n}\n",
	  "m.conf:2:3: unknown secret section 'foo': expected ike<suffix>, eap<suffix> or xauth<suffix>" },
	{ "pools {\n  p {\n    dns = 1.1.1.1\n  }\n}\n", "m.conf:2:3: pool 'p' needs 'addrs'" },
	{ "pools {\n  p {\n    addrs = 10.0.0.0/24, 10.1.0.0/24\n  }\n}\n",
	  "m.conf:3:13: 'addrs' takes exactly one subnet or range (found 2)" },
	{ "pools {\n  p {\n    addrs = %any\n  }\n}\n",
	  "m.conf:3:13: invalid address '%any' in 'addrs': expected an address, subnet (a/n) or range (a-b)" },
	{ "pools {\n  p { addrs = 10.0.0.0/24 }\n  q {\n    addrs = 10.0.0.200-10.0.1.5\n  }\n}\n",
	  "m.conf:4:13: pool 'q' overlaps pool 'p'" },
	{ "pools {\n  p {\n    addrs = 10.0.0.0/24\n    dns = dns.example.org\n  }\n}\n",
	  "m.conf:4:11: invalid IP address 'dns.example.org' in 'dns'" },
	{ "pools {\n  p {\n    addrs = 10.0.0.0/24\n    wins = 10.0.0.1\n  }\n}\n",
	  "m.conf:4:5: unknown key 'wins' in pools.p" },
};

/* The derived life_time stays above a short rekey_time in whole seconds
 * (rekey + 10%, at least one second more), so cygnetd rekeys before the
 * hard lifetime deletes the SA. */
static const struct {
	const char *keys;
	uint64_t rekey, life, rand;
} short_lives[] = {
	{ "rekey_time = 4s", 4, 5, 1 },
	{ "rekey_time = 9s", 9, 10, 1 },
	{ "rekey_time = 10s", 10, 11, 1 },
	{ "rekey_time = 100s", 100, 110, 10 },
	{ "rekey_time = 4s\n rand_time = 0s", 4, 5, 0 },
	{ "rekey_time = 4s\n life_time = 60s", 4, 60, 56 },
	{ "rekey_time = 0s", 0, 0, 0 },
};

START_TEST(model_short_lifetimes)
{
	char text[256];
	struct config *cfg;
	const struct config_child *ch;

	snprintf(text, sizeof(text), "connections {\n c {\n  children { x {\n %s\n } }\n }\n}\n",
		 short_lives[_i].keys);
	cfg = load(text);
	ch = &cfg->conns[0].children[0];
	ck_assert_uint_eq(ch->rekey_time, short_lives[_i].rekey);
	ck_assert_uint_eq(ch->life_time, short_lives[_i].life);
	ck_assert_uint_eq(ch->rand_time, short_lives[_i].rand);
	config_free(cfg);
}
END_TEST

START_TEST(model_errors_exact)
{
	unsigned mismatches = 0;

	for (size_t i = 0; i < sizeof(model_bad) / sizeof(model_bad[0]); i++) {
		struct config *cfg = (struct config *)&cfg;	/* must stay untouched */
		struct config *before = cfg;
		struct config_err err = { 0 };
		bool ok = config_load_buffer("m.conf", model_bad[i].in,
					     strlen(model_bad[i].in), NULL, &cfg, &err);

		ck_assert_msg(!ok, "case %zu loaded", i);
		ck_assert_msg(cfg == before, "case %zu changed *out", i);
		if (strcmp(err.msg, model_bad[i].msg) != 0) {
			fprintf(stderr, "case %zu:\n got  '%s'\n want '%s'\n", i,
				err.msg, model_bad[i].msg);
			mismatches++;
		}
	}
	ck_assert_uint_eq(mismatches, 0);
}
END_TEST

static const char *secrets_text =
	"secrets {\n"
	"  ike-hex { id = alice@example.org\n secret = 0x00112233445566778899aabbccddeeff }\n"
	"  ike-b64 {\n id-1 = bob@example.org\n id-2 = 198.51.100.7\n"
	"    secret = 0sc3VwZXItc2VjcmV0LXBzaw==\n  }\n"
	"  ike-plain { id = carol\n secret = \"quoted # secret\" }\n"
	"  ike-any { secret = fallback-secret }\n"
	"  eap-dave { id = dave\n secret = eap-pass }\n"
	"}\n";

START_TEST(model_secrets_forms_and_lookup)
{
	struct config *cfg = load(secrets_text);
	const struct config_secret *s;
	uint8_t hex[16];

	ck_assert_uint_eq(cfg->n_secrets, 5);
	s = config_find_secret(cfg, "alice@example.org");
	ck_assert_str_eq(s->name, "ike-hex");
	test_unhex("00112233445566778899aabbccddeeff", hex, sizeof(hex));
	ck_assert_uint_eq(s->secret.len, 16);
	ck_assert(memcmp(s->secret.ptr, hex, 16) == 0);
	s = config_find_secret(cfg, "198.51.100.7");
	ck_assert_str_eq(s->name, "ike-b64");
	ck_assert_uint_eq(s->ids.n, 2);
	ck_assert_uint_eq(s->secret.len, strlen("super-secret-psk"));
	ck_assert(memcmp(s->secret.ptr, "super-secret-psk", s->secret.len) == 0);
	s = config_find_secret(cfg, "carol");
	ck_assert(memcmp(s->secret.ptr, "quoted # secret", s->secret.len) == 0);
	/* no specific match: the id-less IKE secret; EAP secrets are not IKE */
	s = config_find_secret(cfg, "dave");
	ck_assert_str_eq(s->name, "ike-any");
	ck_assert_int_eq(cfg->secrets[4].type, CONFIG_SECRET_EAP);
	config_free(cfg);

	cfg = load("secrets { ike-1 { id = a\n secret = x } }\n");
	ck_assert_ptr_null(config_find_secret(cfg, "b"));
	config_free(cfg);
}
END_TEST

START_TEST(model_dump_hides_secrets)
{
	struct config *cfg = load(secrets_text);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	config_dump(cfg, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "secret = <16 bytes hidden>"));
	ck_assert_ptr_nonnull(strstr(buf, "id = alice@example.org"));
	ck_assert_ptr_null(strstr(buf, "00112233"));
	ck_assert_ptr_null(strstr(buf, "c3VwZXIt"));
	ck_assert_ptr_null(strstr(buf, "super-secret"));
	ck_assert_ptr_null(strstr(buf, "quoted # secret"));
	ck_assert_ptr_null(strstr(buf, "fallback-secret"));
	ck_assert_ptr_null(strstr(buf, "eap-pass"));
	free(buf);
	config_free(cfg);
}
END_TEST

static const char *cluster_text =
	"cluster {\n"
	"  node_id = b\n"
	"  cluster_addr = 203.0.113.10, 2001:db8::10\n"
	"  secret = 0x000102030405060708090a0b0c0d0e0f1011\n"
	"  heartbeat_interval = 100ms\n"
	"  heartbeat_timeout = 1s\n"
	"  sync_port = 4600\n"
	"  nodes {\n"
	"    a { addr = 192.168.100.1 }\n"
	"    b { addr = 192.168.100.2 }\n"
	"    c { addr = 192.168.100.3\n id = 7 }\n"
	"  }\n"
	"}\n";

START_TEST(model_cluster)
{
	struct config *cfg = load(cluster_text);
	const struct config_cluster *cl = &cfg->cluster;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert(cl->enabled);
	ck_assert_uint_eq(cl->node_id, 2);
	ck_assert_uint_eq(cl->n_nodes, 3);
	ck_assert_uint_eq(cl->nodes[0].id, 1);
	ck_assert_uint_eq(cl->nodes[2].id, 7);
	host_is(&cl->nodes[2].addr, "192.168.100.3");
	ck_assert_uint_eq(cl->n_cluster_addrs, 2);
	ck_assert_uint_eq(cl->segments, 6);	/* 2 x nodes */
	ck_assert_uint_eq(cl->secret.len, 18);
	ck_assert_uint_eq(cl->heartbeat_interval_ms, 100);
	ck_assert_uint_eq(cl->heartbeat_timeout_ms, 1000);
	ck_assert_uint_eq(cl->sync_port, 4600);
	f = open_memstream(&buf, &len);
	config_dump(cfg, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "secret = <18 bytes hidden>"));
	ck_assert_ptr_null(strstr(buf, "0x0001"));
	free(buf);
	config_free(cfg);

	cfg = load("cluster {\n node_id = 7\n cluster_addr = 192.0.2.1\n segments = 32\n"
		   " secret = 0123456789abcdef\n nodes { x { addr = 10.0.0.1\n id = 7 } }\n}\n");
	ck_assert_uint_eq(cfg->cluster.node_id, 7);
	ck_assert_uint_eq(cfg->cluster.segments, 32);
	ck_assert_uint_eq(cfg->cluster.heartbeat_interval_ms, 200);
	ck_assert_uint_eq(cfg->cluster.sync_port, 4510);
	config_free(cfg);
}
END_TEST

static const struct {
	const char *in;
	const char *msg;
} cluster_bad[] = {
	{ "cluster {\n}\n", "m.conf:1:1: cluster needs 'nodes { NAME { addr = ... } }'" },
	{ "cluster {\n nodes { a { addr = 10.0.0.1 } }\n}\n", "m.conf:1:1: cluster needs 'node_id'" },
	{ "cluster {\n node_id = z\n nodes { a { addr = 10.0.0.1 } }\n}\n",
	  "m.conf:2:12: node_id 'z' names no node in cluster.nodes" },
	{ "cluster {\n node_id = a\n nodes { a { addr = 10.0.0.1 } }\n}\n",
	  "m.conf:1:1: cluster needs 'cluster_addr'" },
	{ "cluster {\n node_id = a\n cluster_addr = 192.0.2.1\n nodes { a { addr = 10.0.0.1 } }\n}\n",
	  "m.conf:1:1: 'cluster' needs a 'secret' key" },
	{ "cluster {\n node_id = a\n cluster_addr = 192.0.2.1\n secret = short\n"
	  " nodes { a { addr = 10.0.0.1 } }\n}\n",
	  "m.conf:4:11: cluster 'secret' must be at least 16 bytes" },
	{ "cluster {\n node_id = a\n cluster_addr = 192.0.2.1\n secret = 0123456789abcdef\n"
	  " segments = 33\n nodes { a { addr = 10.0.0.1 } }\n}\n",
	  "m.conf:5:13: invalid value '33' for 'segments': expected a number from 1 to 32" },
	{ "cluster {\n node_id = a\n cluster_addr = 192.0.2.1\n secret = 0123456789abcdef\n"
	  " heartbeat_timeout = 100ms\n nodes { a { addr = 10.0.0.1 } }\n}\n",
	  "m.conf:5:22: 'heartbeat_timeout' must be longer than 'heartbeat_interval'" },
	{ "cluster {\n node_id = a\n nodes {\n  a { addr = 10.0.0.1 }\n  b { addr = 10.0.0.1 }\n }\n}\n",
	  "m.conf:5:14: cluster node 'b' has the same addr as 'a'" },
	{ "cluster {\n nodes {\n  a { addr = 10.0.0.1 }\n  b { addr = 10.0.0.2\n id = 1 }\n }\n}\n",
	  "m.conf:4:3: cluster node 'b' has the same id (1) as 'a'" },
	{ "cluster {\n nodes {\n  a { addr = host.example }\n }\n}\n",
	  "m.conf:3:14: invalid IP address 'host.example' in 'addr'" },
	{ "cluster {\n nodes {\n  a { }\n }\n}\n", "m.conf:3:3: cluster node 'a' needs 'addr'" },
	{ "cluster {\n seed = 1\n}\n", "m.conf:2:2: unknown key 'seed' in cluster" },
	{ "cluster {\n nodes {\n  a { addr = 10.0.0.1\n port = 1 }\n }\n}\n",
	  "m.conf:4:2: unknown key 'port' in cluster.nodes.a" },
};

START_TEST(model_cluster_errors)
{
	unsigned mismatches = 0;

	for (size_t i = 0; i < sizeof(cluster_bad) / sizeof(cluster_bad[0]); i++) {
		struct config *cfg = NULL;
		struct config_err err;

		ck_assert_msg(!config_load_buffer("m.conf", cluster_bad[i].in,
						  strlen(cluster_bad[i].in), NULL, &cfg, &err),
			      "case %zu loaded", i);
		ck_assert_ptr_null(cfg);
		if (strcmp(err.msg, cluster_bad[i].msg) != 0) {
			fprintf(stderr, "case %zu:\n got  '%s'\n want '%s'\n", i,
				err.msg, cluster_bad[i].msg);
			mismatches++;
		}
	}
	ck_assert_uint_eq(mismatches, 0);
}
END_TEST

/* The shipped example must load and mean what its comments say. */
START_TEST(model_example_file)
{
	struct config *cfg = NULL;
	struct config_err err;
	const struct config_conn *c;
	const struct config_pool *p;

	ck_assert_msg(config_load_file("conf/cygnet.conf", &cfg, &err), "%s", err.msg);
	ck_assert_uint_eq(cfg->n_conns, 2);
	c = config_find_conn(cfg, "rw-psk");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->local[0].method, CONFIG_AUTH_PSK);
	ck_assert_int_eq(c->remote[0].method, CONFIG_AUTH_PSK);
	ck_assert_uint_eq(c->pools.n, 2);
	ck_assert_uint_eq(c->children[0].n_local_ts, 2);
	c = config_find_conn(cfg, "rw-cert");
	ck_assert_int_eq(c->local[0].method, CONFIG_AUTH_PUBKEY);
	ck_assert_str_eq(c->local[0].certs.v[0], "gateway.crt.pem");
	ck_assert_str_eq(c->remote[0].id, "CN=*, O=Example");
	p = config_find_pool(cfg, "rw-v4");
	ck_assert_uint_eq(p->n_dns, 2);
	p = config_find_pool(cfg, "rw-v6");
	ck_assert_int_eq(p->addrs.kind, HOST_RANGE);
	ck_assert_ptr_nonnull(config_find_secret(cfg, "alice@example.org"));
	ck_assert_uint_eq(config_find_secret(cfg, "bob@example.org")->secret.len, 16);
	ck_assert(!cfg->cluster.enabled);
	config_free(cfg);
}
END_TEST

/* Reload: a failing file leaves the caller's config pointer as it was,
 * a good one yields a distinct new object. */
START_TEST(model_reload_swaps_whole_objects)
{
	struct config *cur = load("connections { a { } }\n"), *old = cur;
	struct config_err err;

	ck_assert(!config_load_buffer("m.conf", "connections { a { bogus = 1 } }", 31,
				      NULL, &cur, &err));
	ck_assert_ptr_eq(cur, old);
	ck_assert_ptr_nonnull(config_find_conn(cur, "a"));
	ck_assert(!config_load_file("/nonexistent/cygnet.conf", &cur, &err));
	ck_assert_ptr_eq(cur, old);
	ck_assert(config_load_buffer("m.conf", "connections { b { } }", 21, NULL, &cur, &err));
	ck_assert_ptr_ne(cur, old);
	ck_assert_ptr_null(config_find_conn(cur, "a"));
	ck_assert_ptr_nonnull(config_find_conn(cur, "b"));
	config_free(old);
	config_free(cur);
	config_free(NULL);
}
END_TEST

static Suite *config_model_suite(void)
{
	Suite *s = suite_create("config_model");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, model_every_key);
	tcase_add_test(tc, model_defaults);
	tcase_add_loop_test(tc, model_short_lifetimes, 0,
			    sizeof(short_lives) / sizeof(short_lives[0]));
	tcase_add_test(tc, model_errors_exact);
	tcase_add_test(tc, model_secrets_forms_and_lookup);
	tcase_add_test(tc, model_dump_hides_secrets);
	tcase_add_test(tc, model_cluster);
	tcase_add_test(tc, model_cluster_errors);
	tcase_add_test(tc, model_example_file);
	tcase_add_test(tc, model_reload_swaps_whole_objects);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(config_model_suite)
