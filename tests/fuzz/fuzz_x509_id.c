/* Hostile ID payloads and CERT payload data: byte 0 is the ID type, the
 * rest the ID data; the same bytes are also tried as a certificate (DER or
 * PEM), printed and matched against the identity. */
#include <stdlib.h>
#include <string.h>

#include "crypto/x509.h"
#include "crypto/x509_id.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *reason = NULL;
	struct x509_id id = { 0 }, parsed;
	struct x509_san sans[8];
	char buf[512], *str;
	bool have_id;
	X509 *c;

	if (size < 1)
		return 0;
	have_id = x509_id_from_wire(data[0], data + 1, size - 1, &id, &reason);
	if (have_id)
		x509_id_to_str(&id, buf, sizeof(buf));
	c = x509_load_mem(data + 1, size - 1, &reason);
	if (c) {
		x509_get_sans(c, sans, 8);
		x509_subject_str(c, buf, sizeof(buf));
		if (have_id)
			x509_id_matches_cert(&id, c);
		x509_free(c);
	}
	/* the same bytes as a config string */
	str = malloc(size);
	if (str) {
		memcpy(str, data + 1, size - 1);
		str[size - 1] = '\0';
		if (x509_id_parse(str, &parsed, &reason)) {
			x509_id_to_str(&parsed, buf, sizeof(buf));
			if (have_id)
				x509_id_equal(&id, &parsed);
			x509_id_free(&parsed);
		}
		free(str);
	}
	if (have_id)
		x509_id_free(&id);
	return 0;
}
