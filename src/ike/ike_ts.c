#include "ike/ike_ts.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ike/iana.h"

static size_t alen(uint8_t type)
{
	return type == TS_IPV4_ADDR_RANGE ? 4 : 16;
}

void ts_from_addr(const struct sockaddr_storage *a, struct ike_ts *out)
{
	memset(out, 0, sizeof(*out));
	out->end_port = 0xffff;
	if (a->ss_family == AF_INET) {
		out->type = TS_IPV4_ADDR_RANGE;
		memcpy(out->start, &((const struct sockaddr_in *)a)->sin_addr, 4);
		memcpy(out->end, out->start, 4);
	} else {
		out->type = TS_IPV6_ADDR_RANGE;
		memcpy(out->start, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
		memcpy(out->end, out->start, 16);
	}
}

static bool addr_unspec(const struct sockaddr_storage *a)
{
	static const uint8_t zero[16];

	if (!a || (a->ss_family != AF_INET && a->ss_family != AF_INET6))
		return true;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr, zero, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, zero, 16) == 0;
}

bool ts_from_conf(const struct ike_ts_conf *c, const struct sockaddr_storage *dyn,
		  struct ike_ts *out)
{
	memset(out, 0, sizeof(*out));
	if (c->dynamic) {
		if (addr_unspec(dyn)) {
			int fam = dyn && dyn->ss_family ? dyn->ss_family : AF_INET;

			out->type = fam == AF_INET ? TS_IPV4_ADDR_RANGE : TS_IPV6_ADDR_RANGE;
			memset(out->end, 0xff, alen(out->type));
		} else {
			ts_from_addr(dyn, out);
		}
	} else {
		out->type = c->family == AF_INET ? TS_IPV4_ADDR_RANGE : TS_IPV6_ADDR_RANGE;
		memcpy(out->start, c->from, alen(out->type));
		memcpy(out->end, c->to, alen(out->type));
	}
	out->ip_proto = c->proto;
	out->start_port = c->port_from;
	out->end_port = c->port_to;
	return true;
}

static bool intersect(const struct ike_ts *a, const struct ike_ts *b,
		      struct ike_ts *out)
{
	size_t n;

	if (a->type != b->type || (a->type != TS_IPV4_ADDR_RANGE &&
				   a->type != TS_IPV6_ADDR_RANGE))
		return false;
	if (a->ip_proto && b->ip_proto && a->ip_proto != b->ip_proto)
		return false;
	n = alen(a->type);
	memset(out, 0, sizeof(*out));
	out->type = a->type;
	out->ip_proto = a->ip_proto ? a->ip_proto : b->ip_proto;
	out->start_port = a->start_port > b->start_port ? a->start_port : b->start_port;
	out->end_port = a->end_port < b->end_port ? a->end_port : b->end_port;
	memcpy(out->start, memcmp(a->start, b->start, n) > 0 ? a->start : b->start, n);
	memcpy(out->end, memcmp(a->end, b->end, n) < 0 ? a->end : b->end, n);
	return out->start_port <= out->end_port && memcmp(out->start, out->end, n) <= 0;
}

size_t ts_narrow(const struct ike_ts *allowed, size_t n_allowed,
		 const struct ike_ts *proposed, size_t n_proposed,
		 struct ike_ts *out, size_t max)
{
	size_t cnt = 0;

	for (size_t i = 0; i < n_proposed; i++)
		for (size_t j = 0; j < n_allowed && cnt < max; j++) {
			struct ike_ts t;
			bool dup = false;

			if (!intersect(&proposed[i], &allowed[j], &t))
				continue;
			for (size_t k = 0; k < cnt; k++)
				dup |= memcmp(&out[k], &t, sizeof(t)) == 0;
			if (!dup)
				out[cnt++] = t;
		}
	return cnt;
}

bool ts_all_within(const struct ike_ts *sub, size_t n_sub,
		   const struct ike_ts *sup, size_t n_sup)
{
	for (size_t i = 0; i < n_sub; i++) {
		bool ok = false;

		for (size_t j = 0; j < n_sup && !ok; j++) {
			struct ike_ts t;

			ok = intersect(&sub[i], &sup[j], &t) &&
			     memcmp(&t, &sub[i], sizeof(t)) == 0;
		}
		if (!ok)
			return false;
	}
	return true;
}

const char *ts_str(const struct ike_ts *ts, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], pp[32] = "";
	int fam = ts->type == TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6;
	size_t n = alen(ts->type);
	int prefix = -1;

	if (ts->type != TS_IPV4_ADDR_RANGE && ts->type != TS_IPV6_ADDR_RANGE) {
		snprintf(buf, len, "(TS type %u)", ts->type);
		return buf;
	}
	inet_ntop(fam, ts->start, a, sizeof(a));
	inet_ntop(fam, ts->end, b, sizeof(b));
	/* a prefix when start..end is one aligned block */
	for (int p = 0; p <= (int)n * 8 && prefix < 0; p++) {
		bool ok = true;

		for (size_t i = 0; i < n && ok; i++) {
			int bits = p - (int)i * 8;
			uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 :
				       (uint8_t)(0xff << (8 - bits));

			ok = (ts->start[i] & mask) == (ts->end[i] & mask) &&
			     (ts->start[i] & (uint8_t)~mask) == 0 &&
			     (ts->end[i] | mask) == 0xff;
		}
		if (ok)
			prefix = p;
	}
	if (ts->ip_proto || ts->start_port || ts->end_port != 0xffff)
		snprintf(pp, sizeof(pp), "[%u/%u-%u]", ts->ip_proto, ts->start_port,
			 ts->end_port);
	if (prefix >= 0)
		snprintf(buf, len, "%s/%d%s", a, prefix, pp);
	else
		snprintf(buf, len, "%s-%s%s", a, b, pp);
	return buf;
}

bool ts_add_payload(struct ike_msg *m, uint8_t type, const struct ike_ts *ts,
		    size_t n)
{
	struct ike_payload *pl = ike_msg_add(m, type);
	struct ike_ts *copy;

	if (!pl || !n)
		return false;
	copy = ike_msg_alloc(m, n * sizeof(*copy));
	if (!copy)
		return false;
	memcpy(copy, ts, n * sizeof(*copy));
	pl->ts.ts = copy;
	pl->ts.nts = n;
	return true;
}
