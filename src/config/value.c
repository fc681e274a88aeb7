/* Typed value parsers for the config model. Inputs are NUL-terminated
 * items already split out of a value by value_list_next(). */
#include "config/value.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool value_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1", "enabled", "on" };
	static const char *const no[] = { "no", "false", "0", "disabled", "off" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* Leading decimal digits into *out; returns chars used (0: none/overflow). */
static size_t parse_digits(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		unsigned d = (unsigned)(s[n] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
		n++;
	}
	*out = v;
	return n;
}

bool value_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	size_t n = parse_digits(s, out);

	return n && s[n] == '\0' && *out <= max;
}

static bool mul_ok(uint64_t v, uint64_t m, uint64_t *out)
{
	if (m && v > UINT64_MAX / m)
		return false;
	*out = v * m;
	return true;
}

bool value_parse_duration_ms(const char *s, uint64_t *ms)
{
	uint64_t v, m;
	size_t n = parse_digits(s, &v);
	const char *suf = s + n;

	if (!n)
		return false;
	if (!*suf || strcmp(suf, "s") == 0)
		m = 1000;
	else if (strcmp(suf, "ms") == 0)
		m = 1;
	else if (strcmp(suf, "m") == 0)
		m = 60 * 1000;
	else if (strcmp(suf, "h") == 0)
		m = 3600 * 1000;
	else if (strcmp(suf, "d") == 0)
		m = 86400 * 1000;
	else
		return false;
	return mul_ok(v, m, ms);
}

bool value_parse_size(const char *s, uint64_t *out)
{
	uint64_t v, m;
	size_t n = parse_digits(s, &v);
	const char *suf = s + n;

	if (!n)
		return false;
	if (!*suf)
		m = 1;
	else if (strcasecmp(suf, "k") == 0)
		m = 1ull << 10;
	else if (strcasecmp(suf, "m") == 0)
		m = 1ull << 20;
	else if (strcasecmp(suf, "g") == 0)
		m = 1ull << 30;
	else
		return false;
	return mul_ok(v, m, out);
}

static bool is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool value_list_next(const char *s, size_t *pos, char item[CONFIG_ITEM_MAX],
		     size_t *off, bool *too_long)
{
	size_t i = *pos, n = 0;

	*too_long = false;
	while (s[i] && is_sep(s[i]))
		i++;
	if (!s[i]) {
		*pos = i;
		return false;
	}
	*off = i;
	while (s[i] && !is_sep(s[i])) {
		if (n + 1 < CONFIG_ITEM_MAX)
			item[n++] = s[i];
		else
			*too_long = true;
		i++;
	}
	item[n] = '\0';
	*pos = i;
	return true;
}

void config_host_clear(struct config_host *h)
{
	free(h->dns);
	memset(h, 0, sizeof(*h));
}

bool value_parse_ip(const char *s, struct config_host *h)
{
	memset(h, 0, sizeof(*h));
	h->kind = HOST_ADDR;
	if (inet_pton(AF_INET, s, h->from) == 1) {
		h->family = AF_INET;
		h->prefix = 32;
	} else if (inet_pton(AF_INET6, s, h->from) == 1) {
		h->family = AF_INET6;
		h->prefix = 128;
	} else {
		return false;
	}
	memcpy(h->to, h->from, sizeof(h->to));
	return true;
}

static size_t family_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* "a/p": clears host bits, as strongSwan does. */
static bool parse_cidr(const char *s, struct config_host *h, const char **why)
{
	char addr[CONFIG_ITEM_MAX];
	const char *slash = strchr(s, '/');
	uint64_t p;
	size_t alen;

	if ((size_t)(slash - s) >= sizeof(addr))
		return *why = "address too long", false;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (!value_parse_ip(addr, h))
		return *why = "invalid address in subnet", false;
	alen = family_len(h->family);
	if (!value_parse_uint(slash + 1, alen * 8, &p))
		return *why = "invalid prefix length", false;
	h->kind = HOST_SUBNET;
	h->prefix = (uint8_t)p;
	for (size_t i = 0; i < alen; i++) {
		unsigned bits = p >= (i + 1) * 8 ? 8 : (p > i * 8 ? (unsigned)(p - i * 8) : 0);
		uint8_t mask = (uint8_t)(bits ? 0xff << (8 - bits) : 0);

		h->from[i] &= mask;
		h->to[i] = h->from[i] | (uint8_t)~mask;
	}
	return true;
}

/* "a-b" where both parse as addresses of one family, a <= b. Returns
 * false without *why when s is not two addresses (it may be a DNS name). */
static bool parse_range(const char *s, struct config_host *h, const char **why)
{
	char a[CONFIG_ITEM_MAX];
	const char *dash = strchr(s, '-');
	struct config_host lo, hi;

	*why = NULL;
	if (!dash || (size_t)(dash - s) >= sizeof(a))
		return false;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = '\0';
	if (!value_parse_ip(a, &lo) || !value_parse_ip(dash + 1, &hi))
		return false;
	if (lo.family != hi.family)
		return *why = "range mixes IPv4 and IPv6", false;
	if (memcmp(lo.from, hi.from, family_len(lo.family)) > 0)
		return *why = "range start is above its end", false;
	*h = lo;
	h->kind = HOST_RANGE;
	h->prefix = 0;
	memcpy(h->to, hi.from, sizeof(h->to));
	return true;
}

bool value_parse_net(const char *s, struct config_host *h, const char **why)
{
	memset(h, 0, sizeof(*h));
	if (strchr(s, '/'))
		return parse_cidr(s, h, why);
	if (value_parse_ip(s, h))
		return true;
	if (parse_range(s, h, why))
		return true;
	if (!*why)
		*why = "expected an address, subnet (a/n) or range (a-b)";
	return false;
}

static bool valid_dns_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 253 || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
			return false;
	}
	return true;
}

bool value_parse_host(const char *s, struct config_host *h, const char **why)
{
	memset(h, 0, sizeof(*h));
	if (strcmp(s, "%any") == 0)
		return h->kind = HOST_ANY, true;
	if (strcmp(s, "%any4") == 0)
		return h->kind = HOST_ANY4, h->family = AF_INET, true;
	if (strcmp(s, "%any6") == 0)
		return h->kind = HOST_ANY6, h->family = AF_INET6, true;
	if (strchr(s, '/'))
		return parse_cidr(s, h, why);
	if (value_parse_ip(s, h))
		return true;
	if (parse_range(s, h, why))
		return true;
	if (*why)
		return false;
	/* Digits-and-dots or colons that failed as addresses are typos, not
	 * names. */
	if (strchr(s, ':') || strspn(s, "0123456789.") == strlen(s))
		return *why = "invalid IP address", false;
	if (!valid_dns_name(s))
		return *why = "expected %any, an address, subnet, range or DNS name", false;
	h->kind = HOST_DNS;
	h->dns = strdup(s);
	if (!h->dns)
		return *why = "out of memory", false;
	return true;
}

static const struct {
	const char *name;
	uint8_t num;
} protos[] = {
	{ "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 },
	{ "esp", 50 }, { "ah", 51 }, { "icmpv6", 58 }, { "ipv6-icmp", 58 },
	{ "sctp", 132 },
};

static bool parse_proto(const char *s, uint8_t *out)
{
	uint64_t v;

	if (!*s || strcmp(s, "%any") == 0)
		return *out = 0, true;
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strcasecmp(s, protos[i].name) == 0)
			return *out = protos[i].num, true;
	if (!value_parse_uint(s, 255, &v))
		return false;
	*out = (uint8_t)v;
	return true;
}

static bool parse_ports(const char *s, uint16_t *from, uint16_t *to)
{
	char a[16];
	const char *dash = strchr(s, '-');
	uint64_t lo, hi;

	if (!*s || strcmp(s, "%any") == 0) {
		*from = 0;
		*to = 65535;
		return true;
	}
	if (!dash) {
		if (!value_parse_uint(s, 65535, &lo))
			return false;
		*from = *to = (uint16_t)lo;
		return true;
	}
	if ((size_t)(dash - s) >= sizeof(a))
		return false;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = '\0';
	if (!value_parse_uint(a, 65535, &lo) ||
	    !value_parse_uint(dash + 1, 65535, &hi) || lo > hi)
		return false;
	*from = (uint16_t)lo;
	*to = (uint16_t)hi;
	return true;
}

bool value_parse_ts(const char *s, struct config_ts *ts, const char **why)
{
	char net[CONFIG_ITEM_MAX], pp[CONFIG_ITEM_MAX];
	const char *br = strchr(s, '[');
	size_t nlen = br ? (size_t)(br - s) : strlen(s);

	memset(ts, 0, sizeof(*ts));
	ts->port_to = 65535;
	if (nlen >= sizeof(net))
		return *why = "selector too long", false;
	memcpy(net, s, nlen);
	net[nlen] = '\0';
	if (br) {
		size_t plen = strlen(br + 1);
		char *slash;

		if (!plen || br[plen] != ']')
			return *why = "expected ']' closing [proto/port]", false;
		memcpy(pp, br + 1, plen - 1);
		pp[plen - 1] = '\0';
		slash = strchr(pp, '/');
		if (slash)
			*slash = '\0';
		if (!parse_proto(pp, &ts->proto))
			return *why = "unknown protocol in [proto/port]", false;
		if (slash && !parse_ports(slash + 1, &ts->port_from, &ts->port_to))
			return *why = "invalid port or port range in [proto/port]", false;
		if (slash && !ts->proto && !(ts->port_from == 0 && ts->port_to == 65535))
			return *why = "a port needs a protocol", false;
	}
	if (strcmp(net, "dynamic") == 0) {
		ts->dynamic = true;
		return true;
	}
	return value_parse_net(net, &ts->net, why);
}

void config_host_format(const struct config_host *h, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	switch (h->kind) {
	case HOST_ANY: snprintf(buf, len, "%%any"); return;
	case HOST_ANY4: snprintf(buf, len, "%%any4"); return;
	case HOST_ANY6: snprintf(buf, len, "%%any6"); return;
	case HOST_DNS: snprintf(buf, len, "%s", h->dns ? h->dns : ""); return;
	default: break;
	}
	inet_ntop(h->family, h->from, a, sizeof(a));
	inet_ntop(h->family, h->to, b, sizeof(b));
	if (h->kind == HOST_SUBNET)
		snprintf(buf, len, "%s/%u", a, h->prefix);
	else if (h->kind == HOST_RANGE)
		snprintf(buf, len, "%s-%s", a, b);
	else
		snprintf(buf, len, "%s", a);
}

void config_ts_format(const struct config_ts *ts, char *buf, size_t len)
{
	char net[2 * INET6_ADDRSTRLEN + 8];
	size_t n;

	if (ts->dynamic)
		snprintf(net, sizeof(net), "dynamic");
	else
		config_host_format(&ts->net, net, sizeof(net));
	snprintf(buf, len, "%s", net);
	n = strlen(buf);
	if (ts->proto || ts->port_from != 0 || ts->port_to != 65535) {
		if (ts->port_from == 0 && ts->port_to == 65535)
			snprintf(buf + n, len - n, "[%u]", ts->proto);
		else if (ts->port_from == ts->port_to)
			snprintf(buf + n, len - n, "[%u/%u]", ts->proto, ts->port_from);
		else
			snprintf(buf + n, len - n, "[%u/%u-%u]", ts->proto,
				 ts->port_from, ts->port_to);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static bool decode_hex(const char *s, struct chunk *out, const char **why)
{
	size_t n = strlen(s);

	if (!n || n % 2)
		return *why = "0x secret needs an even, non-zero number of hex digits", false;
	if (!chunk_alloc(out, n / 2))
		return *why = "out of memory", false;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			chunk_free(out);
			return *why = "invalid hex digit in 0x secret", false;
		}
		out->ptr[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static bool decode_b64(const char *s, struct chunk *out, const char **why)
{
	size_t n = strlen(s), pad = 0, o = 0;

	if (!n || n % 4)
		return *why = "0s secret: base64 length must be a non-zero multiple of 4", false;
	if (s[n - 1] == '=')
		pad++;
	if (s[n - 2] == '=')
		pad++;
	if (!chunk_alloc(out, n / 4 * 3 - pad) )
		return *why = "out of memory", false;
	if (out->len == 0) {
		chunk_free(out);
		return *why = "empty 0s secret", false;
	}
	for (size_t i = 0; i < n; i += 4) {
		uint32_t acc = 0;

		for (size_t j = 0; j < 4; j++) {
			int v = b64val(s[i + j]);

			if (v < 0 && !(s[i + j] == '=' && i + 4 == n && j >= 4 - pad)) {
				chunk_free(out);
				return *why = "invalid base64 in 0s secret", false;
			}
			acc = acc << 6 | (uint32_t)(v < 0 ? 0 : v);
		}
		for (size_t j = 0; j < 3 && o < out->len; j++)
			out->ptr[o++] = (uint8_t)(acc >> (16 - 8 * j));
	}
	return true;
}

bool value_parse_secret(const char *s, struct chunk *out, const char **why)
{
	out->ptr = NULL;
	out->len = 0;
	if (strncmp(s, "0x", 2) == 0)
		return decode_hex(s + 2, out, why);
	if (strncmp(s, "0s", 2) == 0)
		return decode_b64(s + 2, out, why);
	if (!*s)
		return *why = "empty secret", false;
	if (!chunk_dup(out, s, strlen(s)))
		return *why = "out of memory", false;
	return true;
}
