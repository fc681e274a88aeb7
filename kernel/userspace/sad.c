#include "kernel/userspace/sad.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <openssl/rand.h>

#include "lib/rd.h"

#define SPI_ALLOC_TRIES 64

struct out_key {
	uint32_t spi;
	struct kernel_ip dst;
};

bool sad_addr_of(const struct sockaddr *sa, struct kernel_ip *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;

		out->family = AF_INET;
		memcpy(out->a, &s4->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;

		out->family = AF_INET6;
		memcpy(out->a, &s6->sin6_addr, 16);
		return true;
	}
	return false;
}

static bool match_in(const struct htable_node *n, const void *key)
{
	return htable_entry(n, struct esp_sa, node_spi)->spi == *(const uint32_t *)key;
}

static uint32_t hash_out(const void *key, uint32_t seed)
{
	const struct out_key *k = key;

	return jhash(k->dst.a, 16, jhash_2words(k->spi, k->dst.family, seed));
}

static bool match_out(const struct htable_node *n, const void *key)
{
	const struct esp_sa *sa = htable_entry(n, struct esp_sa, node_spi);
	const struct out_key *k = key;
	struct kernel_ip d;

	return sa->spi == k->spi && sad_addr_of((const struct sockaddr *)&sa->dst, &d) &&
	       d.family == k->dst.family && memcmp(d.a, k->dst.a, 16) == 0;
}

static bool match_reqid(const struct htable_node *n, const void *key)
{
	return htable_entry(n, struct esp_sa, node_reqid)->reqid == *(const uint32_t *)key;
}

bool sad_init(struct sad *s)
{
	memset(s, 0, sizeof(*s));
	if (htable_init(&s->in, htable_hash_u32, match_in, htable_random_seed(), 64) &&
	    htable_init(&s->out_spi, hash_out, match_out, htable_random_seed(), 64) &&
	    htable_init(&s->out_reqid, htable_hash_u32, match_reqid, htable_random_seed(), 64))
		return true;
	htable_free(&s->in);
	htable_free(&s->out_spi);
	htable_free(&s->out_reqid);
	return false;
}

void sad_free(struct sad *s)
{
	struct htable_iter it;
	struct htable_node *n;

	htable_iter_init(&it, &s->in);
	while ((n = htable_iter_next(&it)))
		sad_del(s, htable_entry(n, struct esp_sa, node_spi));
	htable_iter_init(&it, &s->out_spi);
	while ((n = htable_iter_next(&it)))
		sad_del(s, htable_entry(n, struct esp_sa, node_spi));
	htable_free(&s->in);
	htable_free(&s->out_spi);
	htable_free(&s->out_reqid);
}

struct esp_sa *sad_find_in(const struct sad *s, uint32_t spi)
{
	struct htable_node *n = htable_find(&s->in, &spi);

	return n ? htable_entry(n, struct esp_sa, node_spi) : NULL;
}

struct esp_sa *sad_find_out(const struct sad *s, uint32_t spi, const struct sockaddr *dst)
{
	struct out_key k = { .spi = spi };
	struct htable_node *n;

	if (!sad_addr_of(dst, &k.dst))
		return NULL;
	n = htable_find(&s->out_spi, &k);
	return n ? htable_entry(n, struct esp_sa, node_spi) : NULL;
}

struct esp_sa *sad_find_out_reqid(const struct sad *s, uint32_t reqid)
{
	struct htable_node *n = htable_find(&s->out_reqid, &reqid);

	return n ? htable_entry(n, struct esp_sa, node_reqid) : NULL;
}

int sad_alloc_spi(struct sad *s, uint32_t reqid, uint32_t *spi)
{
	for (int i = 0; i < SPI_ALLOC_TRIES; i++) {
		uint32_t v;
		struct esp_sa *sa;

		if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
			return -EIO;
		if (v < 256 || sad_find_in(s, v))	/* 0 and 1..255 are reserved (RFC 4303 2.1) */
			continue;
		sa = esp_sa_new_larval(v, reqid);
		if (!sa)
			return -ENOMEM;
		htable_insert(&s->in, &sa->node_spi, &sa->spi);
		*spi = v;
		return 0;
	}
	return -EAGAIN;
}

int sad_add(struct sad *s, struct esp_sa *sa)
{
	if (sa->dir == KERNEL_DIR_IN) {
		struct esp_sa *old = sad_find_in(s, sa->spi);

		if (old && !old->larval)
			return -EEXIST;
		if (old)
			sad_del(s, old);
		htable_insert(&s->in, &sa->node_spi, &sa->spi);
		return 0;
	}
	if (sa->dir == KERNEL_DIR_OUT) {
		struct out_key k = { .spi = sa->spi };

		if (!sad_addr_of((const struct sockaddr *)&sa->dst, &k.dst))
			return -EINVAL;
		if (htable_find(&s->out_spi, &k))
			return -EEXIST;
		htable_insert(&s->out_spi, &sa->node_spi, &k);
		htable_insert(&s->out_reqid, &sa->node_reqid, &sa->reqid);
		return 0;
	}
	return -EINVAL;
}

void sad_del(struct sad *s, struct esp_sa *sa)
{
	if (sa->dir == KERNEL_DIR_IN) {
		htable_remove(&s->in, &sa->node_spi);
	} else {
		htable_remove(&s->out_spi, &sa->node_spi);
		htable_remove(&s->out_reqid, &sa->node_reqid);
	}
	esp_sa_free(sa);
}

enum esp_result sad_decap(struct sad *s, struct esp_buf *b, uint8_t *next_header,
			  struct esp_sa **sa_out)
{
	struct rd r;
	uint32_t spi;
	struct esp_sa *sa;
	enum esp_result res;

	*sa_out = NULL;
	if (b->off > b->cap || b->len > b->cap - b->off) {
		s->drops[ESP_DROP_TRUNCATED]++;
		return ESP_DROP_TRUNCATED;
	}
	r = rd_init(esp_buf_data(b), b->len);
	if (!rd_u32(&r, &spi)) {
		s->drops[ESP_DROP_TRUNCATED]++;
		return ESP_DROP_TRUNCATED;
	}
	sa = sad_find_in(s, spi);
	if (!sa || sa->larval) {
		s->drops[ESP_DROP_UNKNOWN_SPI]++;
		return ESP_DROP_UNKNOWN_SPI;
	}
	*sa_out = sa;
	res = esp_decap(sa, b, next_header);
	if (res != ESP_OK)
		s->drops[res]++;
	return res;
}
