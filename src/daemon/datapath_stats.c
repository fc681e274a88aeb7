/* The datapath's counters: all of them in the log at shutdown, and a live
 * snapshot by name for the control socket's stats reply. */
#include "daemon/datapath_int.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "control/ctl.h"
#include "kernel/socket.h"
#include "kernel/userspace/us_ipsec.h"
#include "kernel/userspace/userspace.h"
#include "lib/log.h"

void dp_counters_log(const struct datapath *dp)
{
	struct userspace_counters c, *u = &c;
	struct net_counters nc = { 0 }, *n = dp->net ? &nc : NULL;
	struct userspace_verdicts vc;
	uint64_t udp_in;

	if (n)
		net_get_counters(dp->net, n);
	udp_in = n ? n->esp_in : 0;

	log_info("datapath: %llu acquires, %llu soft / %llu hard expires (%llu stale), %llu "
		 "unknown SPIs (INVALID_SPI sent %llu, rate-limited %llu, no IKE SA %llu)",
		 (unsigned long long)dp->acquires, (unsigned long long)dp->expires_soft,
		 (unsigned long long)dp->expires_hard, (unsigned long long)dp->expires_stale,
		 (unsigned long long)dp->unknown_spi, (unsigned long long)dp->invalid_spi_sent,
		 (unsigned long long)dp->invalid_spi_limited,
		 (unsigned long long)dp->invalid_spi_no_sa);
	if (!dp->userspace)
		return;
	userspace_get_counters(dp->ki, &c);
	log_info("datapath counters: esp_in %llu (udp %llu, raw %llu) esp_out %llu tun_in %llu "
		 "tun_out %llu held %llu held_dropped %llu send_errors %llu malformed %llu",
		 (unsigned long long)u->esp_in, (unsigned long long)udp_in,
		 (unsigned long long)(u->esp_in - udp_in), (unsigned long long)u->esp_out,
		 (unsigned long long)u->tun_in, (unsigned long long)u->tun_out,
		 (unsigned long long)u->held, (unsigned long long)u->held_dropped,
		 (unsigned long long)u->send_errors, (unsigned long long)u->malformed);
	userspace_get_verdicts(dp->ki, &vc);
	for (int v = 0; v < US_VERDICT_MAX; v++)
		if (vc.verdicts[v])
			log_info("datapath verdict %s: %llu", us_verdict_name((enum us_verdict)v),
				 (unsigned long long)vc.verdicts[v]);
	for (int r = 1; r < ESP_RESULT_MAX; r++)
		if (vc.drops[r])
			log_info("datapath drop %s: %llu", esp_result_name((enum esp_result)r),
				 (unsigned long long)vc.drops[r]);
}

/* prefix + name in lower case, blanks as dashes ("ICV mismatch" ->
 * "drop-icv-mismatch"). */
static void put(struct ctl_datapath_stats *out, const char *prefix, const char *name,
		uint64_t value)
{
	struct ctl_counter *c;
	size_t i, len;

	if (out->n >= CTL_DP_COUNTERS)
		return;
	c = &out->c[out->n++];
	snprintf(c->name, sizeof(c->name), "%s%s", prefix, name);
	len = strlen(c->name);
	for (i = 0; i < len; i++)
		c->name[i] = c->name[i] == ' ' ? '-' : (char)tolower((unsigned char)c->name[i]);
	c->value = value;
}

/* The I/O counters in the stats reply, in order: a uint64_t at offset in
 * the userspace backend's counters, or in net's (ESP in UDP). */
static const struct io_counter {
	const char *name;
	bool net;
	size_t offset;
} io_counters[] = {
	{ "esp-in", false, offsetof(struct userspace_counters, esp_in) },
	{ "esp-in-udp", true, offsetof(struct net_counters, esp_in) },
	{ "esp-out", false, offsetof(struct userspace_counters, esp_out) },
	{ "esp-udp-gro-receives", true, offsetof(struct net_counters, esp_gro_in) },
	{ "esp-udp-gso-sends", true, offsetof(struct net_counters, esp_gso_out) },
	{ "tun-reads", false, offsetof(struct userspace_counters, tun_in) },
	{ "tun-read-segments", false, offsetof(struct userspace_counters, tun_in_segs) },
	{ "tun-writes", false, offsetof(struct userspace_counters, tun_out) },
	{ "tun-write-segments", false, offsetof(struct userspace_counters, tun_out_segs) },
	{ "held", false, offsetof(struct userspace_counters, held) },
	{ "held-dropped", false, offsetof(struct userspace_counters, held_dropped) },
	{ "send-errors", false, offsetof(struct userspace_counters, send_errors) },
	{ "malformed", false, offsetof(struct userspace_counters, malformed) },
};

void datapath_get_stats(struct datapath *dp, struct ctl_datapath_stats *out)
{
	struct userspace_counters u;
	struct userspace_verdicts vc;
	struct net_counters nc = { 0 };

	memset(out, 0, sizeof(*out));
	if (!dp || !dp->ki)
		return;
	out->backend = dp->ki->ops->name;
	if (!dp->userspace)
		return;	/* XFRM: the kernel counts (ip -s xfrm state) */
	out->threads = (unsigned)dp->threads;
	userspace_get_counters(dp->ki, &u);
	userspace_get_verdicts(dp->ki, &vc);
	if (dp->net)
		net_get_counters(dp->net, &nc);
	for (size_t i = 0; i < sizeof(io_counters) / sizeof(io_counters[0]); i++) {
		const struct io_counter *c = &io_counters[i];
		uint64_t v;

		memcpy(&v, (c->net ? (const uint8_t *)&nc : (const uint8_t *)&u) + c->offset,
		       sizeof(v));
		put(out, "", c->name, v);
	}
	for (int v = 0; v < US_VERDICT_MAX; v++)
		put(out, "verdict-", us_verdict_name((enum us_verdict)v), vc.verdicts[v]);
	for (int r = 1; r < ESP_RESULT_MAX; r++)
		put(out, "drop-", esp_result_name((enum esp_result)r), vc.drops[r]);
}
