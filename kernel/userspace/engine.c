/* The I/O of the userspace datapath around the us_ipsec core:
 *   out: TUN -> (GSO split) -> core (SPD, SA, segment filter, ESP) ->
 *        batch -> sendmmsg on the raw ESP socket / ESP in UDP
 *   in:  raw ESP (recvmmsg) or UDP/4500 -> core (segment filter, SAD, ESP,
 *        inbound selector check) -> batch -> GRO -> TUN (writev)
 * With TUN offloads (tun.h) one read carries up to 64 KiB of TCP that
 * gso.h cuts into MTU-sized segments, and one write carries a chain of
 * segments that gro.h coalesced. Buffers are allocated once at open;
 * nothing is allocated per packet except for the bounded hold queue of an
 * acquire. Everything runs on the caller's event loop, or each direction
 * on its own thread (threads.c: who may touch what). */
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kernel/userspace/csum.h"
#include "kernel/userspace/gso.h"
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

/* One packet to the TUN as it is (a zero virtio_net_hdr first if the
 * device has them). */
static void tun_write(struct us_be *u, uint8_t *pkt, size_t len)
{
	static struct virtio_net_hdr none;
	struct iovec iov[2] = { { &none, sizeof(none) }, { pkt, len } };
	ssize_t want = (ssize_t)(len + (u->tun.vnet ? sizeof(none) : 0));

	if (writev(u->tun.fds[0], u->tun.vnet ? iov : iov + 1, u->tun.vnet ? 2 : 1) != want) {
		u->counters.send_errors++;
		return;
	}
	u->counters.tun_out++;
}

/* The RX side's hold on the lock (a no-op unless on the RX thread): taken
 * for a batch, let go in between batches, never twice (a read lock taken
 * again would wait behind a waiting op). */
static void rx_enter(struct us_be *u)
{
	if (!u->rx_locked) {
		us_batch_enter(u);
		u->rx_locked = true;
	}
}

static void rx_leave(struct us_be *u)
{
	if (u->rx_locked) {
		u->rx_locked = false;
		us_batch_leave(u);
	}
}

/* Between batches: only clear packets are kept, no SA pointer. */
static void rx_cycle(struct us_be *u)
{
	rx_leave(u);
	rx_enter(u);
}

/* The decrypted packets of the batch, coalesced where gro.h allows. */
static void us_rx_flush(struct us_be *u)
{
	struct iovec iov[1 + GRO_MAX_SEGS];

	u->flush_pending = false;
	if (!u->nrx)
		return;
	gro_finish(&u->gro);
	for (int i = 0; i < u->gro.nitems; i++) {
		int n = gro_iov(&u->gro, i, iov);
		ssize_t want = 0;

		for (int j = 0; j < n; j++)
			want += (ssize_t)iov[j].iov_len;
		if (writev(u->tun.fds[0], iov, n) != want) {
			u->counters.send_errors++;
			continue;
		}
		u->counters.tun_out++;
		u->counters.tun_out_segs += (uint64_t)u->gro.item[i].nseg;
	}
	gro_reset(&u->gro);
	u->nrx = 0;
}

/* End of the loop iteration in which ESP in UDP arrived: write the batch,
 * and on the RX thread let go of the lock us_engine_input took. */
static void on_flush(evutil_socket_t fd, short what, void *arg)
{
	struct us_be *u = arg;

	(void)fd;
	(void)what;
	us_rx_flush(u);
	rx_leave(u);
}

/* A clear packet for the TUN in rx slot u->nrx: into the GRO batch (the
 * slot is kept until the flush) or straight out. */
static void us_rx_deliver(struct us_be *u, uint8_t *pkt, size_t len)
{
	if (!u->tun.offload) {
		tun_write(u, pkt, len);
		return;
	}
	gro_add(&u->gro, pkt, len);
	u->nrx++;
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
		uint16_t tot = (uint16_t)(b->len + hl);

		h[0] = 0x45;
		h[2] = (uint8_t)(tot >> 8);
		h[3] = (uint8_t)tot;
		h[8] = 64;
		h[9] = proto;
		sockaddr_ip(&sa->src, h + 12);	/* inbound SA: src is the peer */
		sockaddr_ip(&sa->dst, h + 16);
		csum_put(h + 10, (uint16_t)~csum_fold(csum_add(0, h, 20)));
	} else {
		h[0] = 0x60;
		h[4] = (uint8_t)(b->len >> 8);
		h[5] = (uint8_t)b->len;
		h[6] = proto;
		h[7] = 64;
		sockaddr_ip(&sa->src, h + 8);
		sockaddr_ip(&sa->dst, h + 24);
	}
	us_rx_deliver(u, h, b->len + hl);
}

/* The ESP packet at off in the free rx slot u->nrx, len bytes, or at src
 * (then decrypted from there into the slot). */
static void us_rx_one(struct us_be *u, size_t off, size_t len, const uint8_t *src,
		      const struct sockaddr_storage *peer)
{
	struct esp_buf b = { .base = u->rx[u->nrx], .cap = US_BUF_SIZE, .off = off, .len = len,
			     .src = src };
	enum esp_result res;
	struct esp_sa *sa;
	uint8_t nh = 0;

	u->counters.esp_in++;
	if (us_ipsec_input(u->us, &b, (const struct sockaddr *)peer, &sa, &res, &nh) != US_CLEAR)
		return;	/* counted by the core: verdicts, SA and SAD drops */
	if (sa->mode == KERNEL_MODE_TRANSPORT)
		tun_write_transport(u, &b, nh, sa);
	else
		us_rx_deliver(u, b.base + b.off, b.len);
}

void us_engine_input(struct us_be *u, const uint8_t *esp, size_t len,
		     const struct sockaddr_storage *peer, const struct sockaddr_storage *local)
{
	(void)local;
	rx_enter(u);	/* held until the flush at the end of this loop iteration */
	if (len > US_BUF_SIZE - US_HEADROOM) {
		u->counters.esp_in++;
		u->counters.malformed++;
	} else {
		if (u->nrx == US_RX_MAX) {
			us_rx_flush(u);
			rx_cycle(u);	/* let a waiting op in */
		}
		us_rx_one(u, US_HEADROOM, len, esp, peer);	/* no copy: decrypted into the slot */
	}
	if (!u->flush_pending) {
		/* the socket code delivers a burst one by one: write after it
		 * (and let go of the lock: every path must get here) */
		u->flush_pending = true;
		event_active(u->flush_ev, EV_TIMEOUT, 1);
	}
}

/* Sends the ESP packets of the batch: runs of raw ESP to one socket with
 * one sendmmsg, ESP in UDP through the NAT-T socket. */
static void us_tx_flush(struct us_be *u)
{
	int i = 0;

	while (i < u->ntx) {
		struct us_tx *t = &u->tx[i];
		const struct esp_sa *sa = t->sa;
		int fd, j, sent;

		if (sa->encap.enabled && u->net) {
			struct net_endpoints ep = { .local = sa->src, .remote = sa->dst };
			size_t total = 0;

			/* a run for one UDP GSO send: same SA, same length but
			 * for a shorter last one, at most 64 KiB */
			for (j = i; j < u->ntx && u->tx[j].sa == sa && j - i < US_UDP_GSO_MAX &&
				    (j == i || total + u->tx[j].len <= US_UDP_GSO_BYTES); j++) {
				u->txiov[j] = (struct iovec){ u->tx[j].buf + u->tx[j].off,
							      u->tx[j].len };
				total += u->tx[j].len;
				if (u->tx[j].len != t->len) {
					if (u->tx[j].len < t->len)
						j++;	/* a shorter one ends the run */
					else
						total -= u->tx[j].len;
					break;
				}
			}
			sockaddr_set_port(&ep.local, sa->encap.sport);
			sockaddr_set_port(&ep.remote, sa->encap.dport);
			if (net_send_esp_udp_gso(u->net, &ep, &u->txiov[i], j - i, (uint16_t)t->len))
				u->txc.esp_out += (uint64_t)(j - i);
			else
				u->txc.send_errors += (uint64_t)(j - i);
			i = j;
			continue;
		}
		fd = sa->dst.ss_family == AF_INET ? u->raw4 : u->raw6;
		for (j = i; j < u->ntx; j++) {
			const struct esp_sa *s = u->tx[j].sa;

			if ((s->encap.enabled && u->net) || s->dst.ss_family != sa->dst.ss_family)
				break;
			u->txaddr[j] = s->dst;
			sockaddr_set_port(&u->txaddr[j], 0);
			u->txiov[j] = (struct iovec){ u->tx[j].buf + u->tx[j].off, u->tx[j].len };
			u->txmsg[j] = (struct mmsghdr){ .msg_hdr = {
				.msg_name = &u->txaddr[j],
				.msg_namelen = s->dst.ss_family == AF_INET ?
					sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6),
				.msg_iov = &u->txiov[j], .msg_iovlen = 1 } };
		}
		while (i < j) {
			sent = fd >= 0 ? sendmmsg(fd, &u->txmsg[i], (unsigned)(j - i), 0) : -1;
			if (sent <= 0) {
				u->txc.send_errors++;	/* this one; go on after it */
				i++;
				continue;
			}
			u->txc.esp_out += (uint64_t)sent;
			u->txc.tx_batches++;
			i += sent;
		}
	}
	u->ntx = 0;
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
		u->txc.held_dropped++;
		return;
	}
	memcpy(copy, pkt, len);
	h->pkt[h->count] = copy;
	h->len[h->count] = len;
	h->count++;
	u->txc.held++;
}

/* The clear packet in tx slot idx (>= u->ntx; at US_HEADROOM, len bytes)
 * through the core; an ESP result moves to slot u->ntx for us_tx_flush.
 * With sa (the SA that the previous segment of the same GSO packet took)
 * the SPD and SAD lookups are skipped. Returns the SA on ESP, else NULL. */
static struct esp_sa *us_output(struct us_be *u, int idx, size_t len, bool may_hold,
				struct esp_sa *sa)
{
	struct us_tx *t = &u->tx[idx];
	struct esp_buf b = { .base = t->buf, .cap = u->tx_cap, .off = US_HEADROOM, .len = len };
	enum esp_result res;
	enum us_verdict v = sa ? us_ipsec_output_sa(u->us, &b, sa, &res) :
			    us_ipsec_output(u->us, &b, &sa, &res);

	switch (v) {
	case US_ESP:
		if (idx != u->ntx) {
			uint8_t *tmp = u->tx[u->ntx].buf;

			u->tx[u->ntx].buf = t->buf;
			t->buf = tmp;
			t = &u->tx[u->ntx];
		}
		t->off = b.off;
		t->len = b.len;
		t->sa = sa;
		if (++u->ntx == US_TX_MAX)
			us_tx_flush(u);
		return sa;
	case US_DROP_NO_SA:
		if (may_hold)
			us_hold(u, t->buf + US_HEADROOM, len);
		return NULL;
	default:
		return NULL;	/* counted by the core */
	}
}

/* A clear packet from anywhere (not a tx slot) through the core. */
static void us_output_copy(struct us_be *u, const uint8_t *pkt, size_t len, bool may_hold)
{
	if (len > u->tx_cap - US_HEADROOM - US_TAILROOM) {
		u->txc.malformed++;
		return;
	}
	memcpy(u->tx[u->ntx].buf + US_HEADROOM, pkt, len);
	us_output(u, u->ntx, len, may_hold, NULL);
}

void us_engine_flush_held(struct us_be *u, uint32_t reqid)
{
	struct us_hold *h = hold_slot(u, reqid, false);

	if (!h)
		return;
	for (int i = 0; i < h->count; i++) {
		us_output_copy(u, h->pkt[i], h->len[i], false);
		free(h->pkt[i]);
	}
	h->count = 0;
	us_tx_flush(u);
}

void us_engine_drop_held(struct us_be *u)
{
	for (int i = 0; i < US_HOLD_REQIDS; i++) {
		for (int j = 0; j < u->hold[i].count; j++)
			free(u->hold[i].pkt[j]);
		u->hold[i].count = 0;
	}
}

/* One read from a TUN with virtio_net_hdr: split a GSO packet into tx slots,
 * or complete a partial checksum. */
static void us_tun_offload(struct us_be *u, size_t n)
{
	struct virtio_net_hdr vh;
	uint8_t *pkt = u->rbuf + US_HEADROOM, *seg[US_TX_MAX];
	size_t len = n - sizeof(vh), seglen[US_TX_MAX];
	const char *why = NULL;
	struct esp_sa *sa = NULL;
	int cnt;

	memcpy(&vh, u->rbuf + US_HEADROOM - sizeof(vh), sizeof(vh));
	if (vh.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if (!gso_csum_complete(pkt, len, &vh, &why)) {
			u->txc.malformed++;
			return;
		}
		u->txc.tun_in_segs++;
		us_output_copy(u, pkt, len, true);
		return;
	}
	/* as many segments at a time as there are free slots; all take the
	 * policy and SA of the first (same addresses, protocol and ports) */
	for (size_t first = 0, total = 1; first < total; first += (size_t)cnt) {
		int base;

		if (US_TX_MAX - u->ntx < US_TX_MAX / 2)
			us_tx_flush(u);
		base = u->ntx;
		for (int i = base; i < US_TX_MAX; i++)
			seg[i - base] = u->tx[i].buf + US_HEADROOM;
		cnt = gso_split(pkt, len, &vh, first, seg, u->tx_cap - US_HEADROOM - US_TAILROOM,
				seglen, US_TX_MAX - base, &total, &why);
		if (cnt <= 0) {
			u->txc.malformed++;
			log_debug("userspace: GSO packet dropped: %s", why ? why : "no segment");
			return;
		}
		u->txc.tun_in_segs += (uint64_t)cnt;
		/* segment i is in slot base + i; us_output packs them at u->ntx */
		for (int i = 0; i < cnt; i++)
			sa = us_output(u, base + i, seglen[i], true, sa);
	}
}

/* TUN readable (on the TX thread if there is one): reads and their
 * segments go out in batches; a worker holds the lock per batch of at most
 * US_TX_MAX segments, and sends each batch before it lets go. */
static void on_tun(evutil_socket_t fd, short what, void *arg)
{
	struct us_be *u = arg;
	size_t vh = u->tun.vnet ? sizeof(struct virtio_net_hdr) : 0;
	uint64_t mark;

	(void)what;
	us_batch_enter(u);
	mark = u->txc.tun_in_segs;
	for (int i = 0; i < US_BATCH; i++) {
		/* leave room for the ESP trailer after the packet */
		ssize_t n = read(fd, u->rbuf + US_HEADROOM - vh,
				 US_BUF_SIZE - US_HEADROOM + vh - US_TAILROOM);

		if (n <= (ssize_t)vh)
			break;
		u->txc.tun_in++;
		if (vh) {
			us_tun_offload(u, (size_t)n);
		} else {
			u->txc.tun_in_segs++;
			us_output_copy(u, u->rbuf + US_HEADROOM, (size_t)n, true);
		}
		if (u->txc.tun_in_segs - mark >= US_TX_MAX) {
			/* let a waiting op in between batches */
			us_tx_flush(u);
			us_batch_leave(u);
			us_batch_enter(u);
			mark = u->txc.tun_in_segs;
		}
	}
	us_tx_flush(u);
	us_batch_leave(u);
}

static void on_raw(evutil_socket_t fd, short what, void *arg)
{
	struct us_be *u = arg;

	(void)what;
	rx_enter(u);
	for (int round = 0; round < US_BATCH; round++) {
		int free_slots, got;

		if (round)
			rx_cycle(u);	/* a batch per receive call */
		if (US_RX_MAX - u->nrx < US_RX_MAX / 2)
			us_rx_flush(u);
		free_slots = US_RX_MAX - u->nrx;
		for (int i = 0; i < free_slots; i++) {
			int s = u->nrx + i;

			u->rxiov[i] = (struct iovec){ u->rx[s] + US_HEADROOM,
						      US_BUF_SIZE - US_HEADROOM };
			u->rxmsg[i] = (struct mmsghdr){ .msg_hdr = {
				.msg_name = &u->rxaddr[i], .msg_namelen = sizeof(u->rxaddr[i]),
				.msg_iov = &u->rxiov[i], .msg_iovlen = 1 } };
		}
		got = recvmmsg(fd, u->rxmsg, (unsigned)free_slots, MSG_DONTWAIT, NULL);
		if (got <= 0)
			break;
		u->counters.rx_batches++;
		for (int i = 0, nrx0 = u->nrx; i < got; i++) {
			int s = nrx0 + i, base = u->nrx;
			size_t n = u->rxmsg[i].msg_len, off = 0;
			uint8_t *p = u->rx[s] + US_HEADROOM;

			if (u->rxaddr[i].ss_family == AF_INET) {
				/* IPv4 raw sockets deliver the IP header too */
				off = (size_t)(p[0] & 0x0f) * 4;
				if (n < 20 || off < 20 || off > n) {
					u->counters.esp_in++;
					u->counters.malformed++;
					continue;
				}
			}
			/* us_rx_one works on slot u->nrx: bring this one there */
			if (s != base) {
				uint8_t *tmp = u->rx[base];

				u->rx[base] = u->rx[s];
				u->rx[s] = tmp;
			}
			/* slots base..s-1 hold dropped packets: free */
			us_rx_one(u, US_HEADROOM + off, n - off, NULL, &u->rxaddr[i]);
		}
		if (got < free_slots)
			break;
	}
	us_rx_flush(u);
	rx_leave(u);
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

static bool us_buffers(struct us_be *u)
{
	int mtu = u->cfg.mtu > 1500 ? u->cfg.mtu : 1500;

	u->tx_cap = US_HEADROOM + (size_t)mtu + US_TAILROOM;
	if (!(u->rbuf = malloc(US_BUF_SIZE)))
		return false;
	for (int i = 0; i < US_TX_MAX; i++)
		if (!(u->tx[i].buf = malloc(u->tx_cap)))
			return false;
	for (int i = 0; i < US_RX_MAX; i++)
		if (!(u->rx[i] = malloc(US_BUF_SIZE)))	/* pages touched as used */
			return false;
	gro_reset(&u->gro);
	return true;
}

int us_engine_open(struct us_be *u, struct event_base *base)
{
	/* each side on its worker's loop if it has one */
	struct event_base *txb = u->txw.base ? u->txw.base : base;
	struct event_base *rxb = u->rxw.base ? u->rxw.base : base;

	if (!us_buffers(u) || !(u->flush_ev = event_new(rxb, -1, 0, on_flush, u)))
		return -ENOMEM;
	u->tun_ev = watch(txb, u->tun.fds[0], on_tun, u);
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
		if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
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
	if ((u->raw4 >= 0 && !(u->raw4_ev = watch(rxb, u->raw4, on_raw, u))) ||
	    (u->raw6 >= 0 && !(u->raw6_ev = watch(rxb, u->raw6, on_raw, u))))
		return -ENOMEM;
	return 0;
}

void us_engine_close(struct us_be *u)
{
	if (u->flush_ev)
		event_free(u->flush_ev);
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
	u->flush_ev = u->tun_ev = u->raw4_ev = u->raw6_ev = NULL;
	u->raw4 = u->raw6 = -1;
	free(u->rbuf);
	u->rbuf = NULL;
	for (int i = 0; i < US_TX_MAX; i++) {
		free(u->tx[i].buf);
		u->tx[i].buf = NULL;
	}
	for (int i = 0; i < US_RX_MAX; i++) {
		free(u->rx[i]);
		u->rx[i] = NULL;
	}
}
