#include "tools/ikeload/stats.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ikeload_reasons_add(struct ikeload_reasons *r, const char *why, uint32_t k)
{
	if (!why || !*why)
		why = "unknown";
	for (size_t i = 0; i < r->n; i++) {
		if (strncmp(r->text[i], why, IKELOAD_REASON_LEN - 1) == 0) {
			r->count[i] += k;
			return;
		}
	}
	if (r->n == IKELOAD_REASONS) {
		r->other += k;
		return;
	}
	snprintf(r->text[r->n], IKELOAD_REASON_LEN, "%s", why);
	r->count[r->n++] = k;
}

void ikeload_reasons_merge(struct ikeload_reasons *into,
			   const struct ikeload_reasons *from)
{
	for (size_t i = 0; i < from->n; i++)
		ikeload_reasons_add(into, from->text[i], from->count[i]);
	into->other += from->other;
}

uint32_t ikeload_percentile(const uint32_t *sorted, size_t n, double p)
{
	double rank;
	size_t k;

	if (!n)
		return 0;
	if (p <= 0)
		return sorted[0];
	if (p >= 100)
		return sorted[n - 1];
	/* nearest rank: the smallest value with at least p% at or below it */
	/* the epsilon keeps 99.9% of 1000 at rank 999 despite rounding */
	rank = p * (double)n / 100.0 - 1e-9;
	k = (size_t)rank;
	if ((double)k < rank)
		k++;		/* ceil without libm */
	if (k < 1)
		k = 1;
	return sorted[(k > n ? n : k) - 1];
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

void ikeload_sort_u32(uint32_t *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_u32);
}

double ikeload_rate(uint32_t k, double seconds)
{
	return seconds > 0 ? (double)k / seconds : 0.0;
}

/* Appends to buf at *off; keeps counting past the end as snprintf does. */
static void put(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*off < len ? buf + *off : NULL, *off < len ? len - *off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

static void put_reasons_text(char *buf, size_t len, size_t *off, const char *title,
			     const struct ikeload_reasons *r)
{
	if (!r->n && !r->other)
		return;
	put(buf, len, off, "%s:\n", title);
	for (size_t i = 0; i < r->n; i++)
		put(buf, len, off, "  %6u  %s\n", r->count[i], r->text[i]);
	if (r->other)
		put(buf, len, off, "  %6u  (other reasons)\n", r->other);
}

static double ms(uint32_t us)
{
	return (double)us / 1000.0;
}

int ikeload_format_text(const struct ikeload_result *r, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	put(buf, len, &off, "%s: %u SAs, %u in flight, %u thread%s\n", r->label, r->n,
	    r->c, r->threads, r->threads == 1 ? "" : "s");
	put(buf, len, &off, "setup:   %u ok, %u failed in %.3f s = %.1f setups/s\n", r->ok,
	    r->failed, r->setup_s, ikeload_rate(r->ok, r->setup_s));
	put(buf, len, &off, "latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
	    ms(r->p50_us), ms(r->p99_us), ms(r->max_us));
	put(buf, len, &off, "delete:  %u ok, %u failed in %.3f s = %.1f deletes/s\n",
	    r->deleted, r->delete_failed, r->delete_s,
	    ikeload_rate(r->deleted, r->delete_s));
	put(buf, len, &off, "ikeload cpu: %.3f s\n", r->cpu_s);
	put_reasons_text(buf, len, &off, "setup failures", &r->fail);
	put_reasons_text(buf, len, &off, "delete failures", &r->delete_fail);
	return (int)off;
}

static void put_json_str(char *buf, size_t len, size_t *off, const char *s)
{
	put(buf, len, off, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			put(buf, len, off, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			put(buf, len, off, "\\u%04x", ch);
		else
			put(buf, len, off, "%c", ch);
	}
	put(buf, len, off, "\"");
}

static void put_reasons_json(char *buf, size_t len, size_t *off,
			     const struct ikeload_reasons *r)
{
	put(buf, len, off, "{");
	for (size_t i = 0; i < r->n; i++) {
		if (i)
			put(buf, len, off, ",");
		put_json_str(buf, len, off, r->text[i]);
		put(buf, len, off, ":%u", r->count[i]);
	}
	if (r->other)
		put(buf, len, off, "%s\"other\":%u", r->n ? "," : "", r->other);
	put(buf, len, off, "}");
}

int ikeload_format_json(const struct ikeload_result *r, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	put(buf, len, &off, "{\"label\":");
	put_json_str(buf, len, &off, r->label);
	put(buf, len, &off,
	    ",\"n\":%u,\"c\":%u,\"threads\":%u,\"ok\":%u,\"failed\":%u,"
	    "\"setup_s\":%.6f,\"setups_per_s\":%.2f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
	    "\"max_ms\":%.3f,\"deleted\":%u,\"delete_failed\":%u,\"delete_s\":%.6f,"
	    "\"deletes_per_s\":%.2f,\"cpu_s\":%.3f,\"fail_reasons\":",
	    r->n, r->c, r->threads, r->ok, r->failed, r->setup_s,
	    ikeload_rate(r->ok, r->setup_s), ms(r->p50_us), ms(r->p99_us), ms(r->max_us),
	    r->deleted, r->delete_failed, r->delete_s, ikeload_rate(r->deleted, r->delete_s),
	    r->cpu_s);
	put_reasons_json(buf, len, &off, &r->fail);
	put(buf, len, &off, ",\"delete_fail_reasons\":");
	put_reasons_json(buf, len, &off, &r->delete_fail);
	put(buf, len, &off, "}");
	return (int)off;
}
