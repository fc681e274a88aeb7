/* The I/O of the userspace datapath around the us_ipsec core:
 *   out: TUN -> core (SPD, SA, segment filter, ESP) -> UDP/4500 or raw ESP
 *   in:  UDP/4500 or raw ESP -> core (segment filter, SAD, ESP, inbound
 *        selector check) -> TUN
 * One buffer per datapath, headroom reserved in front, nothing allocated
 * per packet except for the bounded hold queue of an acquire. */
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel/userspace/us_int.h"
#include "lib/log.h"
#include "lib/rd.h"

static void sockaddr_ip(const struct sockaddr_storage *ss, uint8_t *out)
{
	if (ss->ss_family == AF_INET)
		memcpy(out, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else
		memcpy(out, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
}

static uint16_t ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void tun_write(struct us_be *u, const uint8_t *pkt, size_t len)
{
	if (write(u->tun.fds[0], pkt, len) != (ssize_t)len) {
		u->counters.send_errors++;
		return;
	}
	u->counters.tun_out++;
}

/* Transport mode: the decrypted payload gets an IP header again, made from
 * the SA's addresses, so the host stack can deliver it. */
static void tun_write_transport(struct us_be *u, struct esp_buf *b, uint8_t proto,
				const struct esp_sa *sa)
{
	size_t hl = sa->src.ss_family == AF_INET ? 20 : 40;
	uint8_t *h;

	if (b->off < hl || b->len > 0xffff - hl) {
		u->counters.malformed++;
		return;
	}
	b->off -= hl;
	h = b->base + b->off;
	memset(h, 0, hl);
	if (hl == 20) {
		uint16_t tot = (uint16_t)(b->len + hl), c;

		h[0] = 0x45;
		h[2] = (uint8_t)(tot >> 8);
		h[3] = (uint8_t)tot;
		h[8] = 64;
		h[9] = proto;
		sockaddr_ip(&sa->src, h + 12);	/* inbound SA: src is the peer */
		sockaddr_ip(&sa->dst, h + 16);
		c = ip_checksum(h, 20);
		h[10] = (uint8_t)(c >> 8);
		h[11] = (uint8_t)c;
	} else {
		h[0] = 0x60;
		h[4] = (uint8_t)(b->len >> 8);
		h[5] = (uint8_t)b->len;
		h[6] = proto;
		h[7] = 64;
		sockaddr_ip(&sa->src, h + 8);
		sockaddr_ip(&sa->dst, h + 24);
	}
	tun_write(u, h, b->len + hl);
}

void us_engine_input(struct us_be *u, const uint8_t *esp, size_t len,
		     const struct sockaddr_storage *peer, const struct sockaddr_storage *local)
{
	struct esp_buf b = { .base = u->buf, .cap = sizeof(u->buf), .off = US_HEADROOM,
			     .len = len };
	enum esp_result res;
	struct esp_sa *sa;
	uint8_t nh = 0;

	(void)local;
	u->counters.esp_in++;
	if (len > sizeof(u->buf) - US_HEADROOM) {
		u->counters.malformed++;
		return;
	}
	memcpy(u->buf + US_HEADROOM, esp, len);
	if (us_ipsec_input(u->us, &b, (const struct sockaddr *)peer, &sa, &res, &nh) != US_CLEAR)
		return;	/* counted by the core: verdicts, SA and SAD drops */
	if (sa->mode == KERNEL_MODE_TRANSPORT)
		tun_write_transport(u, &b, nh, sa);
	else
		tun_write(u, b.base + b.off, b.len);
}

static bool us_send(struct us_be *u, const struct esp_sa *sa, const uint8_t *pkt, size_t len)
{
	bool ok;

	if (sa->encap.enabled && u->net) {
		struct net_endpoints ep = { .local = sa->src, .remote = sa->dst };

		sockaddr_set_port(&ep.local, sa->encap.sport);
		sockaddr_set_port(&ep.remote, sa->encap.dport);
		ok = net_send_esp_udp(u->net, &ep, pkt, len);
	} else {
		int fd = sa->dst.ss_family == AF_INET ? u->raw4 : u->raw6;
		struct sockaddr_storage to = sa->dst;

		sockaddr_set_port(&to, 0);
		ok = fd >= 0 && sendto(fd, pkt, len, 0, (struct sockaddr *)&to,
				       to.ss_family == AF_INET ? sizeof(struct sockaddr_in)
							       : sizeof(struct sockaddr_in6)) ==
						(ssize_t)len;
	}
	if (!ok)
		u->counters.send_errors++;
	else
		u->counters.esp_out++;
	return ok;
}

static struct us_hold *hold_slot(struct us_be *u, uint32_t reqid, bool create)
{
	struct us_hold *free_slot = NULL;

	for (int i = 0; i < US_HOLD_REQIDS; i++) {
		if (u->hold[i].count && u->hold[i].reqid == reqid)
			return &u->hold[i];
		if (!u->hold[i].count && !free_slot)
			free_slot = &u->hold[i];
	}
	if (create && free_slot)
		free_slot->reqid = reqid;
	return create ? free_slot : NULL;
}

/* Holds a packet (bounded) whose PROTECT policy has no SA yet; the core
 * already raised the acquire. */
static void us_hold(struct us_be *u, const uint8_t *pkt, size_t len)
{
	const struct kernel_policy *pol;
	struct spd_key k;
	struct us_hold *h;
	const char *why;
	uint8_t *copy;

	if (!spd_key_from_packet(pkt, len, &k, &why) ||
	    !(pol = spd_lookup(&u->us->spd, KERNEL_DIR_OUT, &k)) ||
	    !(h = hold_slot(u, pol->reqid, true)) || h->count == US_HOLD_MAX ||
	    !(copy = malloc(len))) {
		u->counters.held_dropped++;
		return;
	}
	memcpy(copy, pkt, len);
	h->pkt[h->count] = copy;
	h->len[h->count] = len;
	h->count++;
	u->counters.held++;
}

/* The clear packet at u->buf + US_HEADROOM through the core and out. */
static void us_output(struct us_be *u, size_t len, bool may_hold)
{
	struct esp_buf b = { .base = u->buf, .cap = sizeof(u->buf), .off = US_HEADROOM,
			     .len = len };
	enum esp_result res;
	struct esp_sa *sa;

	switch (us_ipsec_output(u->us, &b, &sa, &res)) {
	case US_ESP:
		us_send(u, sa, b.base + b.off, b.len);
		break;
	case US_DROP_NO_SA:
		if (may_hold)
			us_hold(u, u->buf + US_HEADROOM, len);
		break;
	default:
		break;	/* counted by the core */
	}
}

void us_engine_flush_held(struct us_be *u, uint32_t reqid)
{
	struct us_hold *h = hold_slot(u, reqid, false);

	if (!h)
		return;
	for (int i = 0; i < h->count; i++) {
		memcpy(u->buf + US_HEADROOM, h->pkt[i], h->len[i]);
		us_output(u, h->len[i], false);
		free(h->pkt[i]);
	}
	h->count = 0;
}

void us_engine_drop_held(struct us_be *u)
{
	for (int i = 0; i < US_HOLD_REQIDS; i++) {
		for (int j = 0; j < u->hold[i].count; j++)
			free(u->hold[i].pkt[j]);
		u->hold[i].count = 0;
	}
}

static void on_tun(evutil_socket_t fd, short what, void *arg)
{
	struct us_be *u = arg;

	(void)what;
	for (int i = 0; i < US_BATCH; i++) {
		/* leave room for ESP trailer, padding and ICV after the packet */
		ssize_t n = read(fd, u->buf + US_HEADROOM, sizeof(u->buf) - US_HEADROOM - 256);

		if (n <= 0)
			return;
		u->counters.tun_in++;
		us_output(u, (size_t)n, true);
	}
}

static void on_raw(evutil_socket_t fd, short what, void *arg)
{
	struct us_be *u = arg;
	uint8_t pkt[65536];

	(void)what;
	for (int i = 0; i < US_BATCH; i++) {
		struct sockaddr_storage peer;
		socklen_t sl = sizeof(peer);
		ssize_t n = recvfrom(fd, pkt, sizeof(pkt), MSG_DONTWAIT,
				     (struct sockaddr *)&peer, &sl);
		size_t off = 0;

		if (n <= 0)
			return;
		if (peer.ss_family == AF_INET) {
			/* IPv4 raw sockets deliver the IP header too */
			off = (size_t)(pkt[0] & 0x0f) * 4;
			if (n < 20 || off < 20 || off > (size_t)n) {
				u->counters.malformed++;
				continue;
			}
		}
		us_engine_input(u, pkt + off, (size_t)n - off, &peer, NULL);
	}
}

static struct event *watch(struct event_base *base, int fd, event_callback_fn fn, void *arg)
{
	struct event *ev = event_new(base, fd, EV_READ | EV_PERSIST, fn, arg);

	if (ev && event_add(ev, NULL) < 0) {
		event_free(ev);
		ev = NULL;
	}
	return ev;
}

int us_engine_open(struct us_be *u, struct event_base *base)
{
	u->tun_ev = watch(base, u->tun.fds[0], on_tun, u);
	if (!u->tun_ev)
		return -ENOMEM;
	if (!u->cfg.raw_esp)
		return 0;
	u->raw4 = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ESP);
	u->raw6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ESP);
	/* bursts of ESP arrive faster than one loop iteration drains them: a
	 * deep receive queue instead of drops (FORCE passes rmem_max as root) */
	for (int i = 0; i < 2; i++) {
		int fd = i ? u->raw6 : u->raw4, sz = US_RAW_RCVBUF;

		if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	if (u->cfg.fwmark) {
		if (u->raw4 >= 0)
			setsockopt(u->raw4, SOL_SOCKET, SO_MARK, &u->cfg.fwmark, sizeof(u->cfg.fwmark));
		if (u->raw6 >= 0)
			setsockopt(u->raw6, SOL_SOCKET, SO_MARK, &u->cfg.fwmark, sizeof(u->cfg.fwmark));
	}
	if (u->raw4 < 0)
		log_warn("userspace: no raw ESP socket (%s): only ESP in UDP is accepted",
			 strerror(errno));
	if ((u->raw4 >= 0 && !(u->raw4_ev = watch(base, u->raw4, on_raw, u))) ||
	    (u->raw6 >= 0 && !(u->raw6_ev = watch(base, u->raw6, on_raw, u))))
		return -ENOMEM;
	return 0;
}

void us_engine_close(struct us_be *u)
{
	if (u->tun_ev)
		event_free(u->tun_ev);
	if (u->raw4_ev)
		event_free(u->raw4_ev);
	if (u->raw6_ev)
		event_free(u->raw6_ev);
	if (u->raw4 >= 0)
		close(u->raw4);
	if (u->raw6 >= 0)
		close(u->raw6);
	u->tun_ev = u->raw4_ev = u->raw6_ev = NULL;
	u->raw4 = u->raw6 = -1;
}
