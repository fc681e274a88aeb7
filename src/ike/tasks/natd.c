/* NAT detection (RFC 7296 2.23): NAT_DETECTION_SOURCE_IP and
 * NAT_DETECTION_DESTINATION_IP in IKE_SA_INIT, both ways. An initiator
 * that finds a NAT moves to the NAT-T port for everything after
 * IKE_SA_INIT; a responder follows the peer to the port it uses. */
#include "ike/tasks/common.h"

#include <netinet/in.h>

struct natd {
	struct task t;
	uint8_t src[20], dst[20];
	bool seen;
};

/* Compare the peer's hashes with what we see. */
static void check(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_payload *p;
	uint8_t h[20];
	bool src_seen = false, src_match = false, dst_seen = false, dst_match = false;

	/* the peer's source: what we see as remote; its destination: us */
	if (!natd_hash(m->hdr.spi_i, m->hdr.spi_r, &sa->ep.remote, h))
		return;
	for (p = ike_msg_find_notify(m, N_NAT_DETECTION_SOURCE_IP); p;
	     p = ike_msg_next(m, p, PL_NOTIFY)) {
		if (p->notify.type != N_NAT_DETECTION_SOURCE_IP)
			continue;
		src_seen = true;
		src_match |= p->notify.data.len == 20 && memcmp(p->notify.data.ptr, h, 20) == 0;
	}
	if (!natd_hash(m->hdr.spi_i, m->hdr.spi_r, &sa->ep.local, h))
		return;
	for (p = ike_msg_find_notify(m, N_NAT_DETECTION_DESTINATION_IP); p;
	     p = ike_msg_next(m, p, PL_NOTIFY)) {
		if (p->notify.type != N_NAT_DETECTION_DESTINATION_IP)
			continue;
		dst_seen = true;
		dst_match |= p->notify.data.len == 20 && memcmp(p->notify.data.ptr, h, 20) == 0;
	}
	if (!src_seen || !dst_seen)
		return;
	sa->nat_there = !src_match;
	sa->nat_here = !dst_match;
	if (sa->nat_there || sa->nat_here)
		sa_info(sa, "NAT detected:%s%s", sa->nat_here ? " we are behind a NAT" : "",
			sa->nat_there ? " the peer is behind a NAT" : "");
}

static bool add(struct natd *n, struct ike_msg *m)
{
	struct ike_sa *sa = n->t.sa;
	uint64_t spi_r = n->t.initiator ? 0 : sa->spi_r;

	if (!natd_hash(sa->spi_i, spi_r, &sa->ep.local, n->src) ||
	    !natd_hash(sa->spi_i, spi_r, &sa->ep.remote, n->dst))
		return false;
	return ike_msg_add_notify(m, 0, N_NAT_DETECTION_SOURCE_IP, NULL, 0, n->src, 20) &&
	       ike_msg_add_notify(m, 0, N_NAT_DETECTION_DESTINATION_IP, NULL, 0, n->dst, 20);
}

static enum task_status build_i(struct task *t, struct ike_msg *m)
{
	return add((struct natd *)t, m) ? TASK_MORE : TASK_FAILED;
}

static enum task_status process_i(struct task *t, const struct ike_msg *m)
{
	struct ike_sa *sa = t->sa;
	uint16_t natt = sa->core->env.natt_port ? sa->core->env.natt_port : 4500;

	if (ike_msg_find_notify(m, N_INVALID_KE_PAYLOAD) || ike_msg_find_notify(m, N_COOKIE))
		return TASK_MORE;
	check(sa, m);
	if ((sa->nat_here || sa->nat_there) && sockaddr_port(&sa->ep.remote) == 500) {
		sockaddr_set_port(&sa->ep.local, natt);
		sockaddr_set_port(&sa->ep.remote, 4500);
		sa_debug(sa, "switching to port 4500");
	}
	return TASK_DONE;
}

static enum task_status process_r(struct task *t, const struct ike_msg *m)
{
	struct natd *n = (struct natd *)t;

	n->seen = ike_msg_find_notify(m, N_NAT_DETECTION_SOURCE_IP) != NULL;
	check(t->sa, m);
	return TASK_DONE;
}

static enum task_status build_r(struct task *t, struct ike_msg *m)
{
	struct natd *n = (struct natd *)t;

	/* only answer a peer that does NAT detection itself */
	if (!n->seen)
		return TASK_DONE;
	return add(n, m) ? TASK_DONE : TASK_FAILED;
}

static const struct task_ops ops_i = { TASK_NATD, "natd", build_i, process_i, task_free };
static const struct task_ops ops_r = { TASK_NATD, "natd", build_r, process_r, task_free };

struct task *task_natd_new(struct ike_sa *sa, bool initiator)
{
	return task_alloc(sizeof(struct natd), sa, initiator,
			  initiator ? &ops_i : &ops_r, IKE_SA_INIT);
}
