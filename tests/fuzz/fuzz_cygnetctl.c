/* cygnetctl's client path: hostile server bytes through vici_client and
 * the JSON renderer. The first input byte picks the mode:
 *   0: the rest is one value; its JSON string must be printable ASCII or
 *      valid UTF-8 without control bytes, and decoding the escapes
 *      (\udcXX = raw byte) must give the value back exactly;
 *   1: the rest is a message body; if it parses it is rendered compact
 *      and indented;
 *   2: the rest is what a server sends to a client running a streaming
 *      command (list-sas with list-sa events); every event and the reply
 *      are rendered, and the client must never hang or crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control/vici_client.h"
#include "tools/cygnetctl/render_json.h"

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode the JSON string at s (output of json_write_string) into out;
 * returns the length, aborts on anything json_write_string must not
 * produce. */
static size_t json_decode(const char *s, size_t slen, uint8_t *out)
{
	size_t n = 0, i = 1;

	if (slen < 2 || s[0] != '"' || s[slen - 1] != '"')
		abort();
	while (i < slen - 1) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '"')
			abort();		/* must have been escaped */
		if (c != '\\') {
			out[n++] = c;
			i++;
			continue;
		}
		switch (s[i + 1]) {
		case '"': out[n++] = '"'; i += 2; continue;
		case '\\': out[n++] = '\\'; i += 2; continue;
		case 'b': out[n++] = '\b'; i += 2; continue;
		case 'f': out[n++] = '\f'; i += 2; continue;
		case 'n': out[n++] = '\n'; i += 2; continue;
		case 'r': out[n++] = '\r'; i += 2; continue;
		case 't': out[n++] = '\t'; i += 2; continue;
		case 'u': {
			unsigned v = 0;

			if (i + 6 > slen - 1)
				abort();
			for (int k = 2; k < 6; k++) {
				int h = hexval(s[i + k]);

				if (h < 0)
					abort();
				v = v << 4 | (unsigned)h;
			}
			if (v >= 0xdc80 && v <= 0xdcff)
				out[n++] = (uint8_t)(v & 0xff);
			else if (v < 0x20 || v == 0x7f)
				out[n++] = (uint8_t)v;
			else
				abort();	/* nothing else is escaped this way */
			i += 6;
			continue;
		}
		default:
			abort();
		}
	}
	return n;
}

static void check_string(const uint8_t *p, size_t len)
{
	char *out = NULL;
	size_t olen = 0, n;
	uint8_t *back;
	FILE *f = open_memstream(&out, &olen);

	if (!f)
		return;
	json_write_string(f, p, len);
	fclose(f);
	/* raw output bytes >= 0x80 must be valid UTF-8 */
	for (size_t i = 0; i < olen;) {
		size_t k = json_utf8_seq_len((const uint8_t *)out + i, olen - i);

		if (k == 0)
			abort();
		i += k;
	}
	back = malloc(len + 1);
	if (!back)
		abort();
	n = json_decode(out, olen, back);
	if (n != len || (len && memcmp(back, p, len)))
		abort();
	free(back);
	free(out);
}

static void render(const struct vici_msg *m)
{
	char *out = NULL;
	size_t olen = 0;
	FILE *f = open_memstream(&out, &olen);

	if (!f)
		return;
	json_write_msg(f, m, -1, 0);
	json_write_msg(f, m, 2, 1);
	fclose(f);
	free(out);
}

static void on_event(void *ctx, const char *event, const struct vici_msg *m)
{
	(void)event;
	++*(unsigned *)ctx;
	render(m);
}

static void check_client(const uint8_t *p, size_t len)
{
	int sv[2];
	struct vici_client *c;
	struct vici_msg *resp = NULL;
	unsigned events = 0;
	int rc;

	if (len > 64 * 1024 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return;
	/* all the server's bytes are queued before the client reads */
	if (len && write(sv[1], p, len) != (ssize_t)len)
		abort();
	shutdown(sv[1], SHUT_WR);
	c = vici_client_from_fd(sv[0]);
	if (!c)
		abort();
	vici_client_set_timeout(c, 1000);
	vici_client_on_event(c, on_event, &events);
	rc = vici_client_stream(c, "list-sas", NULL, 0, "list-sa", &resp);
	if ((rc == VICI_CLIENT_OK) != (resp != NULL) || rc == VICI_CLIENT_TIMEOUT)
		abort();	/* EOF always comes: never a timeout */
	if (resp)
		render(resp);
	vici_msg_free(resp);
	while (vici_client_wait_event(c, 1000) == VICI_CLIENT_OK)
		;
	vici_client_close(c);
	close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vici_msg *m;
	struct rd r;
	const char *why;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		check_string(data + 1, size - 1);
		break;
	case 1:
		r = rd_init(data + 1, size - 1);
		if ((m = vici_msg_parse(&r, &why))) {
			render(m);
			vici_msg_free(m);
		}
		break;
	default:
		check_client(data + 1, size - 1);
		break;
	}
	return 0;
}
