#include "ike/tasks/common.h"

#include <netinet/in.h>
#include <openssl/evp.h>

void task_my_id(struct ike_sa *sa, const struct ike_id *conf_id, struct ike_id *out)
{
	const struct sockaddr_storage *a = &sa->ep.local;

	if (!conf_id->any) {
		*out = *conf_id;
		return;
	}
	memset(out, 0, sizeof(*out));
	if (a->ss_family == AF_INET6) {
		out->type = ID_IPV6_ADDR;
		out->len = 16;
		memcpy(out->data, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
	} else {
		out->type = ID_IPV4_ADDR;
		out->len = 4;
		memcpy(out->data, &((const struct sockaddr_in *)a)->sin_addr, 4);
	}
}

bool natd_hash(uint64_t spi_i, uint64_t spi_r, const struct sockaddr_storage *a,
	       uint8_t out[20])
{
	uint8_t buf[8 + 8 + 16 + 2];
	size_t n = 0;
	unsigned int olen = 20;
	uint16_t port = sockaddr_port(a);

	for (int i = 7; i >= 0; i--)
		buf[n++] = (uint8_t)(spi_i >> (8 * i));
	for (int i = 7; i >= 0; i--)
		buf[n++] = (uint8_t)(spi_r >> (8 * i));
	if (a->ss_family == AF_INET) {
		memcpy(buf + n, &((const struct sockaddr_in *)a)->sin_addr, 4);
		n += 4;
	} else {
		memcpy(buf + n, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
		n += 16;
	}
	buf[n++] = (uint8_t)(port >> 8);
	buf[n++] = (uint8_t)port;
	return EVP_Digest(buf, n, out, &olen, EVP_sha1(), NULL) == 1 && olen == 20;
}

const char *notify_name(uint16_t type)
{
	switch (type) {
	case N_UNSUPPORTED_CRITICAL_PAYLOAD: return "UNSUPPORTED_CRITICAL_PAYLOAD";
	case N_INVALID_SYNTAX: return "INVALID_SYNTAX";
	case N_NO_PROPOSAL_CHOSEN: return "NO_PROPOSAL_CHOSEN";
	case N_INVALID_KE_PAYLOAD: return "INVALID_KE_PAYLOAD";
	case N_AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
	case N_INTERNAL_ADDRESS_FAILURE: return "INTERNAL_ADDRESS_FAILURE";
	case N_FAILED_CP_REQUIRED: return "FAILED_CP_REQUIRED";
	case N_TS_UNACCEPTABLE: return "TS_UNACCEPTABLE";
	case N_TEMPORARY_FAILURE: return "TEMPORARY_FAILURE";
	case N_CHILD_SA_NOT_FOUND: return "CHILD_SA_NOT_FOUND";
	case N_NO_ADDITIONAL_SAS: return "NO_ADDITIONAL_SAS";
	default: return "error notify";
	}
}

void task_free(struct task *t)
{
	free(t);
}

enum task_status task_process_done(struct task *t, const struct ike_msg *m)
{
	(void)t;
	(void)m;
	return TASK_DONE;
}
