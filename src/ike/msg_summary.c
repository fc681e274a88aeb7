/* The one-line message summary for logs (declared in ike/names.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ike/msg.h"
#include "ike/names.h"

struct sbuf {
	char *p;
	size_t len, used;
	bool full;
};

static void sb_add(struct sbuf *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->p + s->used, s->len - s->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= s->len - s->used) {
		s->full = true;
		s->used = s->len - 1;
		if (s->len >= 4)
			memcpy(s->p + s->len - 4, "...", 4);
		return;
	}
	s->used += (size_t)n;
}

static void summary_payload(struct sbuf *s, const struct ike_payload *p)
{
	size_t i;

	switch (p->type) {
	case PL_NOTIFY:
		sb_add(s, " N(%s)", ike_notify_short_name(p->notify.type));
		break;
	case PL_SKF:
		sb_add(s, " EF(%u/%u)", p->skf.frag_num, p->skf.total);
		break;
	case PL_CP:
		sb_add(s, " %s", ike_cfg_type_short_name(p->cp.cfg_type));
		for (i = 0; i < p->cp.nattrs; i++)
			sb_add(s, "%s%s", i ? " " : "(",
			       ike_cfg_attr_short_name(p->cp.attrs[i].type));
		if (p->cp.nattrs)
			sb_add(s, ")");
		break;
	case PL_EAP:
		/* code: 1 request 2 response 3 success 4 failure */
		if (p->data.data.len >= 4) {
			static const char *codes[] = { "?", "REQ", "RES", "SUCC", "FAIL" };
			uint8_t c = p->data.data.ptr[0];

			sb_add(s, " EAP/%s", c <= 4 ? codes[c] : "?");
			if (p->data.data.len >= 5 && c <= 2)
				sb_add(s, "/%u", p->data.data.ptr[4]);
		} else {
			sb_add(s, " EAP");
		}
		break;
	default:
		sb_add(s, " %s", ike_payload_short_name(p->type));
		break;
	}
}

size_t ike_msg_summary(const struct ike_msg *m, char *buf, size_t len)
{
	struct sbuf s = { buf, len, 0, false };
	bool has_inner = m->decrypted;
	size_t i;

	if (!len)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < m->npl; i++)
		has_inner |= m->pl[i].inner;
	sb_add(&s, "%s %s %u [", ike_exchange_name(m->hdr.exchange),
	       m->hdr.flags & IKE_FLAG_RESPONSE ? "response" : "request",
	       m->hdr.msg_id);
	for (i = 0; i < m->npl; i++) {
		const struct ike_payload *p = &m->pl[i];

		if (has_inner && (p->type == PL_SK || p->type == PL_SKF))
			continue;
		summary_payload(&s, p);
	}
	sb_add(&s, " ]");
	return strlen(buf);
}
