/* Config parser fuzz target: the input is a whole config buffer (include
 * refused: no include_dir), built into the model and dumped; short inputs
 * also go through the proposal and value parsers directly. */
#include "config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_items(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct proposal p;
	struct proposal_err perr;
	struct config_ts ts;
	struct config_host h;
	struct chunk c;
	const char *why;
	char buf[256];

	if (!s)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	if (proposal_parse(PROPOSAL_IKE, s, &p, &perr))
		proposal_format(&p, buf, sizeof(buf));
	if (proposal_parse(PROPOSAL_ESP, s, &p, &perr))
		proposal_format(&p, buf, sizeof(buf));
	if (value_parse_ts(s, &ts, &why))
		config_ts_format(&ts, buf, sizeof(buf));
	if (value_parse_host(s, &h, &why)) {
		config_host_format(&h, buf, sizeof(buf));
		config_host_clear(&h);
	}
	if (value_parse_secret(s, &c, &why))
		chunk_free(&c);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	struct config_err err;

	if (!sink)
		sink = fopen("/dev/null", "w");
	if (config_load_buffer("fuzz.conf", data, size, NULL, &cfg, &err)) {
		if (sink)
			config_dump(cfg, sink);
		config_free(cfg);
	}
	if (size < CONFIG_ITEM_MAX && !memchr(data, '\0', size))
		fuzz_items(data, size);
	return 0;
}
