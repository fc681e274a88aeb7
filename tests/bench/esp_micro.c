/* Micro benchmark, not part of make check: encap + decap of 1400-byte inner
 * packets on one core for one algorithm.
 *   cc -O2 -I. -Isrc tests/bench/esp_micro.c build/rel/libcygnet.a -lcrypto -o esp_micro
 *   ./esp_micro [seconds] [aes256gcm|chacha|aes256cbc]
 * Compare with: openssl speed -evp aes-256-gcm -bytes 1400 (one direction). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike/iana.h"
#include "kernel/userspace/esp.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0, t0, t;
	const char *alg = argc > 2 ? argv[2] : "aes256gcm";
	static uint8_t ekey[36], ikey[32], buf[2048];
	struct kernel_sa k = { 0 };
	struct esp_sa *out, *in;
	const char *why;
	int err;
	uint64_t n = 0;

	for (int i = 0; i < 36; i++)
		ekey[i] = (uint8_t)i;
	k.spi = 0x1000;
	k.protocol = PROTO_ESP;
	k.mode = KERNEL_MODE_TUNNEL;
	k.encr_key = ekey;
	k.integ_key = ikey;
	if (!strcmp(alg, "chacha")) {
		k.encr_alg = ENCR_CHACHA20_POLY1305;
		k.encr_key_len = 36;
	} else if (!strcmp(alg, "aes256cbc")) {
		k.encr_alg = ENCR_AES_CBC;
		k.encr_key_len = 32;
		k.integ_alg = AUTH_HMAC_SHA2_256_128;
		k.integ_key_len = 32;
	} else {
		k.encr_alg = ENCR_AES_GCM_16;
		k.encr_key_len = 36;
	}
	k.dir = KERNEL_DIR_OUT;
	out = esp_sa_new(&k, &err, &why);
	k.dir = KERNEL_DIR_IN;
	in = esp_sa_new(&k, &err, &why);
	if (!out || !in) {
		fprintf(stderr, "SA: %s\n", why);
		return 1;
	}
	t0 = now();
	do {
		for (int i = 0; i < 1000; i++) {
			struct esp_buf b = { buf, sizeof(buf), 64, 1400, NULL };
			uint8_t nh;

			buf[64] = 0x45;
			buf[66] = 1400 >> 8;
			buf[67] = 1400 & 0xff;
			if (esp_encap(out, &b, 0) != ESP_OK || esp_decap(in, &b, &nh) != ESP_OK) {
				fprintf(stderr, "round trip failed\n");
				return 1;
			}
		}
		n += 1000;
		t = now() - t0;
	} while (t < secs);
	printf("%s: %.0f encap+decap/s of 1400-byte packets (%.2f Gbit/s of inner traffic)\n",
	       alg, n / t, n / t * 1400 * 8 / 1e9);
	esp_sa_free(out);
	esp_sa_free(in);
	return 0;
}
