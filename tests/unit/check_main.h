/* Each tests/unit/test_*.c is its own runner: it defines its suite and ends
 * with CHECK_MAIN(suite_fn). */
#ifndef CYGNET_TESTS_CHECK_MAIN_H
#define CYGNET_TESTS_CHECK_MAIN_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_MAIN(suite_fn)                                           \
	int main(void)                                                     \
	{                                                                  \
		SRunner *sr = srunner_create(suite_fn());                      \
		int failed;                                                    \
		srunner_run_all(sr, CK_NORMAL);                                \
		failed = srunner_ntests_failed(sr);                            \
		srunner_free(sr);                                              \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                   \
	}

/* Hex to bytes for table-driven vectors; spaces, newlines and colons are skipped. */
static inline size_t test_unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	while (hex[0] && hex[1] && n < max) {
		unsigned v;
		if (hex[0] == ' ' || hex[0] == '\n' || hex[0] == ':') { hex++; continue; }
		sscanf(hex, "%2x", &v);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}
#endif
