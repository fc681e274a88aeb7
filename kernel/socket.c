#include "kernel/socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/mailbox.h"

#define NET_MAX_DGRAM 65536
#define NON_ESP_MARKER_LEN 4
#define NET_NATT_RCVBUF (4 << 20)

enum { SOCK_V4_IKE, SOCK_V4_NATT, SOCK_V6_IKE, SOCK_V6_NATT, SOCK_COUNT };

#define NET_FWD_MAX 256	/* IKE messages queued from another thread */

struct net_sock {
	struct net *owner;
	int fd;
	int family;
	bool natt;
	bool moved;		/* read on another thread's loop (net_natt_move) */
	uint16_t port;
	struct event *ev;
	/* receive counters: written by the reading thread only */
	struct net_counters in;
	uint8_t *buf;		/* NET_MAX_DGRAM: each socket's own receive buffer */
};

/* An IKE message found on a moved socket, on its way to the owner's loop. */
struct net_fwd {
	struct mailbox_item item;	/* first */
	struct net_endpoints ep;
	size_t len;
	uint8_t msg[];
};

struct net {
	struct net_config cfg;
	struct event_base *base;	/* the owner's loop: on_ike runs there */
	struct net_sock socks[SOCK_COUNT];
	struct net_counters counters;	/* sends; send_errors and esp_gso_out atomic */
	uint32_t mark;		/* SO_MARK of every socket, 0: none */
	bool no_udp_gso;	/* the kernel refused UDP_SEGMENT once */
	struct mailbox fwd;	/* IKE from moved sockets (net_natt_move) */
};

/* A receive counter: one writer (the socket's reader), read from anywhere. */
static void in_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

static uint64_t rd_cnt(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* The local address from IP_PKTINFO / IPV6_PKTINFO. */
static void net_local_from_cmsg(struct msghdr *mh, struct net_sock *s,
				struct sockaddr_storage *local)
{
	memset(local, 0, sizeof(*local));
	local->ss_family = (sa_family_t)s->family;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			((struct sockaddr_in *)local)->sin_addr = pi.ipi_addr;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi6;

			memcpy(&pi6, CMSG_DATA(c), sizeof(pi6));
			((struct sockaddr_in6 *)local)->sin6_addr = pi6.ipi6_addr;
		}
	}
	sockaddr_set_port(local, s->port);
}

/* A moved socket's IKE message: copied and queued for the owner's loop
 * (bounded; IKE retransmits what is dropped). */
static void net_forward_ike(struct net *n, const uint8_t *p, size_t len,
			    const struct net_endpoints *ep)
{
	struct net_fwd *f = malloc(sizeof(*f) + len);

	if (!f)
		return;
	f->ep = *ep;
	f->len = len;
	memcpy(f->msg, p, len);
	if (!mailbox_post(&n->fwd, &f->item, true))
		free(f);
}

static void net_on_forwarded(void *ctx, struct mailbox_item *it)
{
	struct net *n = ctx;
	struct net_fwd *f = (struct net_fwd *)it;

	n->cfg.on_ike(n->cfg.ctx, f->msg, f->len, &f->ep);
	free(f);
}

static void net_fwd_free(struct mailbox_item *it)
{
	free(it);
}

static void net_dispatch(struct net *n, struct net_sock *s, const uint8_t *p, size_t len,
			 const struct net_endpoints *ep)
{
	if (!s->natt) {
		in_add(&s->in.ike_in, 1);
		n->cfg.on_ike(n->cfg.ctx, p, len, ep);
		return;
	}
	if (len == 1 && p[0] == 0xff) {
		in_add(&s->in.keepalive_in, 1);
		return;
	}
	if (len < NON_ESP_MARKER_LEN) {
		in_add(&s->in.short_in, 1);
		return;
	}
	if (p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0) {
		in_add(&s->in.ike_in, 1);
		if (s->moved)
			net_forward_ike(n, p + NON_ESP_MARKER_LEN, len - NON_ESP_MARKER_LEN, ep);
		else
			n->cfg.on_ike(n->cfg.ctx, p + NON_ESP_MARKER_LEN,
				      len - NON_ESP_MARKER_LEN, ep);
		return;
	}
	in_add(&s->in.esp_in, 1);
	if (n->cfg.on_esp)
		n->cfg.on_esp(n->cfg.ctx, p, len, ep);
}

/* UDP_GRO: the size of the datagrams a coalesced receive carries, or 0. */
static size_t net_gro_size(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v > 0 ? (size_t)v : 0;
		}
	}
	return 0;
}

static void net_on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct net_sock *s = arg;
	struct net *n = s->owner;

	(void)what;
	/* bounded: never starve the rest of the loop */
	for (int i = 0; i < 64; i++) {
		struct net_endpoints ep;
		union {
			struct cmsghdr align;
			uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
		} ctl;
		struct iovec iov = { .iov_base = s->buf, .iov_len = NET_MAX_DGRAM };
		struct msghdr mh = {
			.msg_name = &ep.remote, .msg_namelen = sizeof(ep.remote),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
		};
		ssize_t got = recvmsg(fd, &mh, MSG_DONTWAIT);
		size_t seg;

		if (got < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("net: receive on port %u failed: %s", s->port,
					 strerror(errno));
			return;
		}
		if (mh.msg_flags & MSG_TRUNC)
			continue;
		net_local_from_cmsg(&mh, s, &ep.local);
		seg = net_gro_size(&mh);
		if (!seg || seg >= (size_t)got) {
			net_dispatch(n, s, s->buf, (size_t)got, &ep);
			continue;
		}
		/* several datagrams of one flow, each seg bytes (the last may be
		 * shorter): each is ESP, IKE or a keepalive on its own */
		in_add(&s->in.esp_gro_in, 1);
		for (size_t off = 0; off < (size_t)got; off += seg)
			net_dispatch(n, s, s->buf + off,
				     (size_t)got - off < seg ? (size_t)got - off : seg, &ep);
	}
}

static int net_sock_open(struct net *n, struct net_sock *s, struct event_base *base,
			 int family, uint16_t port, bool natt)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, fd;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	sockaddr_set_port(&ss, port);
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (natt) {
		/* ESP in UDP arrives here in bursts: a deep queue, not drops */
		int sz = NET_NATT_RCVBUF;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		/* a burst of ESP from one peer may arrive as one receive (kernels
		 * without UDP_GRO deliver datagrams one by one: fine too) */
		setsockopt(fd, IPPROTO_UDP, UDP_GRO, &one, sizeof(one));
	}
	if (family == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0)
			goto fail;
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)
			goto fail;
	}
	sl = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		goto fail;
	s->owner = n;
	s->fd = fd;
	s->family = family;
	s->natt = natt;
	s->port = sockaddr_port(&ss);
	s->buf = malloc(NET_MAX_DGRAM);
	s->ev = event_new(base, fd, EV_READ | EV_PERSIST, net_on_readable, s);
	if (!s->buf || !s->ev || event_add(s->ev, NULL) < 0)
		goto fail;
	return 0;
fail:
	log_error("net: cannot open UDP port %u (%s): %s", port,
		  family == AF_INET ? "IPv4" : "IPv6", strerror(errno));
	if (fd >= 0)
		close(fd);
	if (s->ev)
		event_free(s->ev);
	free(s->buf);
	s->ev = NULL;
	s->buf = NULL;
	s->fd = -1;
	return -1;
}

struct net *net_open(struct event_base *base, const struct net_config *cfg)
{
	struct net *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->cfg = *cfg;
	n->base = base;
	for (int i = 0; i < SOCK_COUNT; i++)
		n->socks[i].fd = -1;
	if (net_sock_open(n, &n->socks[SOCK_V4_IKE], base, AF_INET, cfg->ike_port, false) < 0 ||
	    net_sock_open(n, &n->socks[SOCK_V4_NATT], base, AF_INET, cfg->natt_port, true) < 0)
		goto fail;
	if (cfg->ipv6 &&
	    (net_sock_open(n, &n->socks[SOCK_V6_IKE], base, AF_INET6, cfg->ike_port, false) < 0 ||
	     net_sock_open(n, &n->socks[SOCK_V6_NATT], base, AF_INET6, cfg->natt_port, true) < 0))
		goto fail;
	return n;
fail:
	net_close(n);
	return NULL;
}

void net_close(struct net *n)
{
	if (!n)
		return;
	for (int i = 0; i < SOCK_COUNT; i++) {
		if (n->socks[i].ev)
			event_free(n->socks[i].ev);
		if (n->socks[i].fd >= 0)
			close(n->socks[i].fd);
		free(n->socks[i].buf);
	}
	mailbox_free(&n->fwd, net_fwd_free);
	free(n);
}

bool net_natt_move(struct net *n, struct event_base *base)
{
	bool away = base != n->base;

	if (away && !n->fwd.ready) {
		int rc = mailbox_init(&n->fwd, n->base, NET_FWD_MAX,
				      "net: IKE messages from the NAT-T port", net_on_forwarded, n);

		if (rc < 0) {
			log_error("net: cannot forward IKE from the NAT-T port: %s", strerror(-rc));
			return false;
		}
	}
	for (int i = 0; i < SOCK_COUNT; i++) {
		struct net_sock *s = &n->socks[i];
		struct event *ev;

		if (s->fd < 0 || !s->natt)
			continue;
		ev = event_new(base, s->fd, EV_READ | EV_PERSIST, net_on_readable, s);
		if (!ev || event_add(ev, NULL) < 0) {
			if (ev)
				event_free(ev);
			log_error("net: cannot move the NAT-T socket to another loop");
			return false;
		}
		event_free(s->ev);
		s->ev = ev;
		s->moved = away;
	}
	return true;
}

bool net_set_mark(struct net *n, uint32_t mark)
{
	for (int i = 0; i < SOCK_COUNT; i++) {
		if (n->socks[i].fd >= 0 &&
		    setsockopt(n->socks[i].fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) {
			log_error("net: cannot set SO_MARK: %s", strerror(errno));
			return false;
		}
	}
	n->mark = mark;
	return true;
}

static bool sockaddr_has_addr(const struct sockaddr_storage *ss)
{
	static const uint8_t zero[16];

	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr != 0;
	if (ss->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr, zero, 16) != 0;
	return false;
}

bool net_pick_source(struct net *n, struct net_endpoints *ep)
{
	int family = ep->remote.ss_family;
	socklen_t slen = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	struct sockaddr_storage src;
	char buf[64];
	bool ok = true;
	int fd;

	if (!sockaddr_has_addr(&ep->local)) {
		fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		memset(&src, 0, sizeof(src));
		ok = fd >= 0 &&
		     (!n->mark || setsockopt(fd, SOL_SOCKET, SO_MARK, &n->mark, sizeof(n->mark)) == 0) &&
		     connect(fd, (const struct sockaddr *)&ep->remote, slen) == 0 &&
		     getsockname(fd, (struct sockaddr *)&src, &slen) == 0;
		if (!ok)
			log_warn("net: no source address toward %s: %s",
				 sockaddr_str(&ep->remote, buf, sizeof(buf)), strerror(errno));
		else
			ep->local = src;
		if (fd >= 0)
			close(fd);
	}
	ep->local.ss_family = (sa_family_t)family;
	sockaddr_set_port(&ep->local, net_bound_port(n, false, family));
	return ok;
}

bool net_set_udp_encap(struct net *n)
{
	int type = UDP_ENCAP_ESPINUDP, off = 0;

	for (int i = 0; i < SOCK_COUNT; i++) {
		/* the kernel's ESP takes the datagrams: no coalescing for us */
		if (n->socks[i].fd >= 0 && n->socks[i].natt)
			setsockopt(n->socks[i].fd, IPPROTO_UDP, UDP_GRO, &off, sizeof(off));
		if (n->socks[i].fd >= 0 && n->socks[i].natt &&
		    setsockopt(n->socks[i].fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) < 0) {
			log_error("net: cannot set UDP_ENCAP: %s", strerror(errno));
			return false;
		}
	}
	return true;
}

static struct net_sock *net_pick(struct net *n, int family, uint16_t local_port)
{
	bool v6 = family == AF_INET6;
	struct net_sock *ike = &n->socks[v6 ? SOCK_V6_IKE : SOCK_V4_IKE];
	struct net_sock *natt = &n->socks[v6 ? SOCK_V6_NATT : SOCK_V4_NATT];

	if (natt->fd >= 0 && local_port == natt->port)
		return natt;
	return ike->fd >= 0 ? ike : NULL;
}

static bool net_sendv_gso(struct net *n, struct net_sock *s, const struct net_endpoints *ep,
			  struct iovec *iov, int iovcnt, uint16_t gso_size)
{
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(uint16_t))];
	} ctl;
	struct msghdr mh = {
		.msg_name = (void *)&ep->remote,
		.msg_namelen = ep->remote.ss_family == AF_INET ? sizeof(struct sockaddr_in)
							      : sizeof(struct sockaddr_in6),
		.msg_iov = iov, .msg_iovlen = (size_t)iovcnt,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	size_t used = 0;

	memset(&ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&mh);
	if (ep->local.ss_family == AF_INET &&
	    ((const struct sockaddr_in *)&ep->local)->sin_addr.s_addr != INADDR_ANY) {
		struct in_pktinfo pi = { .ipi_spec_dst =
					 ((const struct sockaddr_in *)&ep->local)->sin_addr };

		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		used += CMSG_SPACE(sizeof(pi));
		c = CMSG_NXTHDR(&mh, c);
	} else if (ep->local.ss_family == AF_INET6) {
		struct in6_pktinfo pi6 = { .ipi6_addr =
					   ((const struct sockaddr_in6 *)&ep->local)->sin6_addr };

		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi6));
		memcpy(CMSG_DATA(c), &pi6, sizeof(pi6));
		used += CMSG_SPACE(sizeof(pi6));
		c = CMSG_NXTHDR(&mh, c);
	}
	if (gso_size) {
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(gso_size));
		memcpy(CMSG_DATA(c), &gso_size, sizeof(gso_size));
		used += CMSG_SPACE(sizeof(gso_size));
	}
	mh.msg_controllen = used;
	if (!used)
		mh.msg_control = NULL;
	if (sendmsg(s->fd, &mh, 0) < 0) {
		if (gso_size)
			return false;	/* the caller counts and falls back */
		/* atomic: the datapath's TX thread sends ESP in UDP too */
		__atomic_fetch_add(&n->counters.send_errors, 1, __ATOMIC_RELAXED);
		log_debug("net: send failed: %s", strerror(errno));
		return false;
	}
	return true;
}

static bool net_sendv(struct net *n, struct net_sock *s, const struct net_endpoints *ep,
		      struct iovec *iov, int iovcnt)
{
	return net_sendv_gso(n, s, ep, iov, iovcnt, 0);
}

bool net_send_ike(struct net *n, const struct net_endpoints *ep,
		  const uint8_t *msg, size_t len)
{
	static const uint8_t marker[NON_ESP_MARKER_LEN];
	struct net_sock *s = net_pick(n, ep->remote.ss_family, sockaddr_port(&ep->local));
	struct iovec iov[2];
	int cnt = 0;

	if (!s)
		return false;
	if (s->natt)
		iov[cnt++] = (struct iovec){ .iov_base = (void *)marker, .iov_len = sizeof(marker) };
	iov[cnt++] = (struct iovec){ .iov_base = (void *)msg, .iov_len = len };
	if (!net_sendv(n, s, ep, iov, cnt))
		return false;
	n->counters.ike_out++;
	return true;
}

bool net_send_esp_udp(struct net *n, const struct net_endpoints *ep,
		      const uint8_t *pkt, size_t len)
{
	bool v6 = ep->remote.ss_family == AF_INET6;
	struct net_sock *s = &n->socks[v6 ? SOCK_V6_NATT : SOCK_V4_NATT];
	struct iovec iov = { .iov_base = (void *)pkt, .iov_len = len };

	if (s->fd < 0)
		return false;
	return net_sendv(n, s, ep, &iov, 1);
}

bool net_send_esp_udp_gso(struct net *n, const struct net_endpoints *ep,
			  struct iovec *pkts, int cnt, uint16_t seg_size)
{
	bool v6 = ep->remote.ss_family == AF_INET6;
	struct net_sock *s = &n->socks[v6 ? SOCK_V6_NATT : SOCK_V4_NATT];
	int i;

	if (s->fd < 0)
		return false;
	/* may run on the datapath's TX thread: shared fields are atomic */
	if (cnt > 1 && !__atomic_load_n(&n->no_udp_gso, __ATOMIC_RELAXED)) {
		if (net_sendv_gso(n, s, ep, pkts, cnt, seg_size)) {
			__atomic_fetch_add(&n->counters.esp_gso_out, 1, __ATOMIC_RELAXED);
			return true;
		}
		if (errno == EIO || errno == ENOPROTOOPT || errno == EOPNOTSUPP) {
			if (!__atomic_exchange_n(&n->no_udp_gso, true, __ATOMIC_RELAXED))
				log_warn("net: UDP GSO refused (%s): one ESP packet per send",
					 strerror(errno));
		} else if (errno != EINVAL && errno != EMSGSIZE) {
			__atomic_fetch_add(&n->counters.send_errors, 1, __ATOMIC_RELAXED);
			return false;
		}	/* else a segment too large for the path: send them singly */
	}
	for (i = 0; i < cnt; i++)
		if (!net_sendv(n, s, ep, &pkts[i], 1))
			return false;
	return true;
}

bool net_send_keepalive(struct net *n, const struct net_endpoints *ep)
{
	static const uint8_t ka = 0xff;

	return net_send_esp_udp(n, ep, &ka, 1);
}

void net_get_counters(const struct net *n, struct net_counters *out)
{
	*out = (struct net_counters){
		.ike_out = n->counters.ike_out,
		.send_errors = rd_cnt(&n->counters.send_errors),
		.esp_gso_out = rd_cnt(&n->counters.esp_gso_out),
	};
	for (int i = 0; i < SOCK_COUNT; i++) {
		const struct net_counters *c = &n->socks[i].in;

		out->ike_in += rd_cnt(&c->ike_in);
		out->esp_in += rd_cnt(&c->esp_in);
		out->keepalive_in += rd_cnt(&c->keepalive_in);
		out->short_in += rd_cnt(&c->short_in);
		out->esp_gro_in += rd_cnt(&c->esp_gro_in);
	}
}

uint16_t net_bound_port(const struct net *n, bool natt, int family)
{
	bool v6 = family == AF_INET6;
	const struct net_sock *s = &n->socks[v6 ? (natt ? SOCK_V6_NATT : SOCK_V6_IKE)
						 : (natt ? SOCK_V4_NATT : SOCK_V4_IKE)];

	return s->fd >= 0 ? s->port : 0;
}
