/* From the configuration model (src/config) to the IKE core's connection
 * policy (ike/ike_conf.h). */
#ifndef CYGNET_DAEMON_CONF_TRANSLATE_H
#define CYGNET_DAEMON_CONF_TRANSLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "ike/ike_conf.h"

/* One ike_conf per connection (*out: array of n references, free with
 * conf_translate_free). On error false and why names the connection. */
bool conf_translate(const struct config *cfg, struct ike_conf ***out, size_t *n,
		    char *why, size_t whylen);
void conf_translate_free(struct ike_conf **confs, size_t n);

#endif
