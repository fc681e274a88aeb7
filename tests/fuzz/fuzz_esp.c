/* libFuzzer target: inbound ESP on fixed SAs.
 *
 * Byte 0 selects the case: bit 0 AES-256-GCM / AES-256-CBC+HMAC-SHA256,
 * bit 1 ESN, bit 2 tunnel / transport mode, bit 3 "seal": the rest of the
 * input is taken as the plaintext (ESP header first) and sealed with the
 * SA's own keys before decapsulation, so the trailer and inner-packet checks
 * behind the ICV are reached too. Without bit 3 the rest is the raw ESP
 * packet. A decapsulated payload goes on through the SPD key parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/iana.h"
#include "kernel/userspace/esp.h"
#include "kernel/userspace/spd.h"

#define FUZZ_SPI 0x0a0b0c0d

static struct esp_sa *fz_in[16], *fz_out[16];

static void fuzz_esp_setup(void)
{
	static uint8_t ekey[36], ikey[32];
	struct kernel_sa k;
	const char *why;
	int err;

	if (fz_in[0])
		return;
	for (int i = 0; i < 36; i++)
		ekey[i] = (uint8_t)(0x40 + i);
	for (int i = 0; i < 32; i++)
		ikey[i] = (uint8_t)(0x90 + i);
	for (int c = 0; c < 8; c++) {
		memset(&k, 0, sizeof(k));
		k.spi = FUZZ_SPI;
		k.protocol = PROTO_ESP;
		k.mode = c & 4 ? KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL;
		k.esn = c & 2;
		k.encr_alg = c & 1 ? ENCR_AES_CBC : ENCR_AES_GCM_16;
		k.encr_key = ekey;
		k.encr_key_len = c & 1 ? 32 : 36;
		k.integ_alg = c & 1 ? AUTH_HMAC_SHA2_256_128 : AUTH_NONE;
		k.integ_key = ikey;
		k.integ_key_len = c & 1 ? 32 : 0;
		k.dir = KERNEL_DIR_IN;
		fz_in[c] = esp_sa_new(&k, &err, &why);
		k.dir = KERNEL_DIR_OUT;
		fz_out[c] = esp_sa_new(&k, &err, &why);
		if (!fz_in[c] || !fz_out[c])
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[70000];
	struct esp_sa *in, *out;
	struct esp_buf b;
	uint8_t nh;
	int c;

	fuzz_esp_setup();
	if (size < 1 || size - 1 > sizeof(buf) - 64)
		return 0;
	c = data[0] & 7;
	in = fz_in[c];
	out = fz_out[c];
	/* every input starts from the same SA state */
	replay_init(&in->replay, 0, in->esn);
	in->hard_fired = in->soft_fired = false;
	memcpy(buf, data + 1, size - 1);
	b = (struct esp_buf){ buf, sizeof(buf), 0, size - 1, NULL };
	if (data[0] & 8) {
		size_t fixed = ESP_HDR_LEN + out->crypto.iv_len + out->crypto.icv_len;
		size_t ct;
		uint32_t seq_lo;
		uint64_t seq;

		if (b.len < fixed)
			return 0;
		ct = b.len - fixed;
		ct -= ct % out->crypto.align;
		b.len = fixed + ct;
		buf[0] = FUZZ_SPI >> 24;
		buf[1] = (FUZZ_SPI >> 16) & 0xff;
		buf[2] = (FUZZ_SPI >> 8) & 0xff;
		buf[3] = FUZZ_SPI & 0xff;
		seq_lo = (uint32_t)buf[4] << 24 | buf[5] << 16 | buf[6] << 8 | buf[7];
		if (replay_check(&in->replay, seq_lo, &seq) != REPLAY_OK)
			seq = seq_lo;
		if (esp_crypto_seal(&out->crypto, buf, ct, seq, out->esn))
			abort();
	}
	if (esp_decap(in, &b, &nh) == ESP_OK) {
		struct spd_key k;
		const char *why;

		if (b.off + b.len > sizeof(buf))
			abort();
		(void)spd_key_from_packet(buf + b.off, b.len, &k, &why);
	}
	return 0;
}
