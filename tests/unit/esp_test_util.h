/* Shared helpers for the ESP datapath tests: algorithm table, SA pairs with
 * fixed keys, inner packet builders. */
#ifndef CYGNET_TESTS_ESP_TEST_UTIL_H
#define CYGNET_TESTS_ESP_TEST_UTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>

#include "check_main.h"
#include "ike/iana.h"
#include "kernel/userspace/esp.h"

struct esp_test_alg {
	const char *name;
	uint16_t encr;
	size_t ekey_len;
	uint16_t integ;
	size_t ikey_len;
};

static const struct esp_test_alg esp_test_algs[] = {
	{ "aes128gcm16", ENCR_AES_GCM_16, 20, AUTH_NONE, 0 },
	{ "aes192gcm16", ENCR_AES_GCM_16, 28, AUTH_NONE, 0 },
	{ "aes256gcm16", ENCR_AES_GCM_16, 36, AUTH_NONE, 0 },
	{ "chacha20poly1305", ENCR_CHACHA20_POLY1305, 36, AUTH_NONE, 0 },
	{ "aes128-sha256", ENCR_AES_CBC, 16, AUTH_HMAC_SHA2_256_128, 32 },
	{ "aes256-sha256", ENCR_AES_CBC, 32, AUTH_HMAC_SHA2_256_128, 32 },
	{ "aes192-sha384", ENCR_AES_CBC, 24, AUTH_HMAC_SHA2_384_192, 48 },
	{ "aes256-sha512", ENCR_AES_CBC, 32, AUTH_HMAC_SHA2_512_256, 64 },
};
#define ESP_TEST_NALGS ((int)(sizeof(esp_test_algs) / sizeof(esp_test_algs[0])))

static uint8_t esp_test_ekey[64], esp_test_ikey[64];

static inline void esp_test_sockaddr4(struct sockaddr_storage *ss, const char *ip)
{
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &s->sin_addr);
}

static inline void esp_test_ksa(struct kernel_sa *k, const struct esp_test_alg *a,
				enum kernel_dir dir, enum kernel_mode mode, bool esn)
{
	for (int i = 0; i < 64; i++) {
		esp_test_ekey[i] = (uint8_t)(0x10 + i);
		esp_test_ikey[i] = (uint8_t)(0xa0 ^ i);
	}
	memset(k, 0, sizeof(*k));
	k->spi = 0x12345678;
	k->dir = dir;
	k->protocol = PROTO_ESP;
	k->mode = mode;
	esp_test_sockaddr4(&k->src, "192.0.2.1");
	esp_test_sockaddr4(&k->dst, "198.51.100.2");
	k->encr_alg = a->encr;
	k->encr_key = esp_test_ekey;
	k->encr_key_len = a->ekey_len;
	k->integ_alg = a->integ;
	k->integ_key = esp_test_ikey;
	k->integ_key_len = a->ikey_len;
	k->esn = esn;
	k->reqid = 7;
}

/* An outbound and an inbound SA with the same keys. */
static inline void esp_test_pair(const struct esp_test_alg *a, enum kernel_mode mode, bool esn,
				 struct esp_sa **out, struct esp_sa **in)
{
	struct kernel_sa k;
	const char *why;
	int err;

	esp_test_ksa(&k, a, KERNEL_DIR_OUT, mode, esn);
	*out = esp_sa_new(&k, &err, &why);
	ck_assert_msg(*out, "%s: %s", a->name, why ? why : "?");
	esp_test_ksa(&k, a, KERNEL_DIR_IN, mode, esn);
	*in = esp_sa_new(&k, &err, &why);
	ck_assert_msg(*in, "%s: %s", a->name, why ? why : "?");
}

#define ESP_TEST_HEADROOM 64
#define ESP_TEST_BUFSZ 2048

/* Inner IPv4 (version 4) or IPv6 (version 6) packet with len bytes of UDP-ish
 * payload, or a bare payload (version 0) for transport mode; written at
 * base + ESP_TEST_HEADROOM. */
static inline void esp_test_inner(struct esp_buf *b, uint8_t *base, int version, size_t len)
{
	uint8_t *p = base + ESP_TEST_HEADROOM;
	size_t hl = version == 4 ? 20 : version == 6 ? 40 : 0;

	memset(base, 0xee, ESP_TEST_BUFSZ);
	for (size_t i = 0; i < len; i++)
		p[hl + i] = (uint8_t)(i * 7 + 3);
	if (version == 4) {
		memset(p, 0, 20);
		p[0] = 0x45;
		p[2] = (uint8_t)((20 + len) >> 8);
		p[3] = (uint8_t)(20 + len);
		p[8] = 64;
		p[9] = 17;
		inet_pton(AF_INET, "203.0.113.5", p + 12);
		inet_pton(AF_INET, "192.0.2.77", p + 16);
	} else if (version == 6) {
		memset(p, 0, 40);
		p[0] = 0x60;
		p[4] = (uint8_t)(len >> 8);
		p[5] = (uint8_t)len;
		p[6] = 17;
		p[7] = 64;
		inet_pton(AF_INET6, "2001:db8::1", p + 8);
		inet_pton(AF_INET6, "2001:db8::2", p + 24);
	}
	b->base = base;
	b->cap = ESP_TEST_BUFSZ;
	b->off = ESP_TEST_HEADROOM;
	b->len = hl + len;
	b->src = NULL;
}

#endif
