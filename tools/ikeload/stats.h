/* Results of a load run: latencies, failure reasons, the report.
 * Pure: unit-tested through tests/unit/test_ikeload.c. */
#ifndef CYGNET_TOOLS_IKELOAD_STATS_H
#define CYGNET_TOOLS_IKELOAD_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKELOAD_REASONS 12
#define IKELOAD_REASON_LEN 80

/* Distinct reason strings with a count each; the rest lands in other. */
struct ikeload_reasons {
	char text[IKELOAD_REASONS][IKELOAD_REASON_LEN];
	uint32_t count[IKELOAD_REASONS];
	size_t n;
	uint32_t other;
};

void ikeload_reasons_add(struct ikeload_reasons *r, const char *why, uint32_t k);
void ikeload_reasons_merge(struct ikeload_reasons *into,
			   const struct ikeload_reasons *from);

/* Nearest-rank percentile (p in 0..100) of a sorted array; 0 if empty. */
uint32_t ikeload_percentile(const uint32_t *sorted, size_t n, double p);
/* Sorts v ascending in place. */
void ikeload_sort_u32(uint32_t *v, size_t n);

/* Everything the report shows. Latencies in microseconds. */
struct ikeload_result {
	const char *label;
	unsigned n, c, threads;
	uint32_t ok, failed;
	double setup_s;			/* first initiate .. last setup done */
	uint32_t p50_us, p99_us, max_us;
	uint32_t deleted, delete_failed;
	double delete_s;
	double cpu_s;			/* ikeload's own user + system time */
	struct ikeload_reasons fail, delete_fail;
};

double ikeload_rate(uint32_t k, double seconds);
/* The human report (several lines) and the one-line JSON object. Both
 * return what snprintf would (truncated output is still terminated). */
int ikeload_format_text(const struct ikeload_result *r, char *buf, size_t len);
int ikeload_format_json(const struct ikeload_result *r, char *buf, size_t len);

#endif
