/* From the configuration model (src/config) to the IKE core's connection
 * policy (ike/ike_conf.h). */
#ifndef CYGNET_DAEMON_CONF_TRANSLATE_H
#define CYGNET_DAEMON_CONF_TRANSLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "ike/ike_conf.h"

/* One ike_conf per connection (*out: array of n references, free with
 * conf_translate_free). On error false and why names the connection.
 * Certificate files (certs, cacerts) are found as swanctl does, relative
 * to confdir: confdir/x509/NAME (certs), confdir/x509ca/NAME (cacerts),
 * else confdir/NAME; absolute paths are used as they are. The private key
 * of a local certificate is the file in confdir/private/ (or ecdsa/,
 * rsa/, pkcs8/) whose public key matches the certificate. */
bool conf_translate(const struct config *cfg, const char *confdir,
		    struct ike_conf ***out, size_t *n, char *why, size_t whylen);
void conf_translate_free(struct ike_conf **confs, size_t n);

#endif
