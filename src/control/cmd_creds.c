/* Credentials: load-shared / unload-shared / get-shared (PSKs, used by the
 * IKE core through the merged configuration's secrets), load-key /
 * unload-key / get-keys and load-cert / clear-creds (parsed, checked and
 * kept; the core authenticates with PSKs only so far). Secrets are never
 * logged or echoed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "control/ctl.h"
#include "crypto/pubkey.h"
#include "crypto/x509.h"
#include "lib/log.h"

static void strs_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static enum vici_cmd_result cmd_load_shared(struct vici_cmd *cmd, const struct vici_msg *req,
					    struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;
	const struct vici_node *data = vici_msg_find(req, "data");
	const struct vici_node *owners = vici_msg_get_list(req, "owners");
	char type[16] = "", id[VICI_MAX_NAME + 1] = "", why[512];
	const uint8_t *p;
	size_t len, n = 0;
	char **v = NULL;

	if (!vici_msg_get_str_buf(req, "type", type, sizeof(type))) {
		vici_cmd_set_error(cmd, "missing shared key type");
		return VICI_CMD_FAILED;
	}
	if (strcasecmp(type, "IKE") && strcasecmp(type, "EAP") && strcasecmp(type, "XAUTH")) {
		vici_cmd_set_error(cmd, "invalid shared key type: %s", type);
		return VICI_CMD_FAILED;
	}
	for (char *t = type; *t; t++)
		*t = (char)(*t >= 'A' && *t <= 'Z' ? *t + 32 : *t);
	if (!data || vici_node_type(data) != VICI_NODE_KV ||
	    !(p = vici_node_value(data, &len)) || !len) {
		vici_cmd_set_error(cmd, "missing shared key data");
		return VICI_CMD_FAILED;
	}
	if (owners && vici_node_count(owners)) {
		v = calloc(vici_node_count(owners), sizeof(*v));
		if (!v)
			goto oom;
		for (const struct vici_node *it = vici_node_first(owners); it;
		     it = vici_node_next(it)) {
			char *s = vici_node_str(it);

			if (!s || !*s || strchr(s, ',')) {
				free(s);
				strs_free(v, n);
				vici_cmd_set_error(cmd, "invalid owner identity");
				return VICI_CMD_FAILED;
			}
			v[n++] = s;
		}
	}
	if (!vici_msg_get_str_buf(req, "id", id, sizeof(id)) || !id[0])
		snprintf(id, sizeof(id), "vici-shared-%u", ++ctl->store.next_shared);
	if (!ctl_store_shared_add(&ctl->store, id, type, p, len, v, n)) {
		strs_free(v, n);
		goto oom;
	}
	if (!ctl->ops.apply(ctl->ops.ctx, why, sizeof(why))) {
		ctl_store_shared_del(&ctl->store, id);
		ctl->ops.apply(ctl->ops.ctx, why, sizeof(why));
		vici_cmd_set_error(cmd, "shared key rejected");
		return VICI_CMD_FAILED;
	}
	log_info("control: loaded %s shared key '%s' for %zu identities", type, id, n);
	vici_builder_add_kv_str(resp, "success", "yes");
	return VICI_CMD_DONE;
oom:
	vici_cmd_set_error(cmd, "out of memory");
	return VICI_CMD_FAILED;
}

static enum vici_cmd_result cmd_unload_shared(struct vici_cmd *cmd, const struct vici_msg *req,
					      struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;
	char id[VICI_MAX_NAME + 1], why[256];

	if (!vici_msg_get_str_buf(req, "id", id, sizeof(id))) {
		vici_cmd_set_error(cmd, "missing unique shared key identifier");
		return VICI_CMD_FAILED;
	}
	if (!ctl_store_shared_del(&ctl->store, id)) {
		vici_cmd_set_error(cmd, "shared key '%s' not found", id);
		return VICI_CMD_FAILED;
	}
	ctl->ops.apply(ctl->ops.ctx, why, sizeof(why));
	vici_builder_add_kv_str(resp, "success", "yes");
	return VICI_CMD_DONE;
}

static enum vici_cmd_result cmd_get_shared(struct vici_cmd *cmd, const struct vici_msg *req,
					   struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;

	(void)cmd;
	(void)req;
	vici_builder_begin_list(resp, "keys");
	for (size_t i = 0; i < ctl->store.n_shared; i++)
		vici_builder_add_list_item_str(resp, ctl->store.shared[i].id);
	vici_builder_end_list(resp);
	return VICI_CMD_DONE;
}

static const char hexd[] = "0123456789abcdef";

static enum vici_cmd_result cmd_load_key(struct vici_cmd *cmd, const struct vici_msg *req,
					 struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;
	const struct vici_node *data = vici_msg_find(req, "data");
	struct ctl_cred c = { .kind = CTL_CRED_KEY };
	uint8_t kid[PUBKEY_KEYID_LEN];
	const char *why = "missing private key data";
	const uint8_t *p = NULL;
	size_t len = 0;
	EVP_PKEY *k = NULL;

	vici_msg_get_str_buf(req, "type", c.type, sizeof(c.type));
	if (data && vici_node_type(data) == VICI_NODE_KV)
		p = vici_node_value(data, &len);
	if (p && len)
		k = pubkey_load_private_mem(p, len, &why);
	if (!k || !pubkey_keyid(k, kid)) {
		pubkey_free(k);
		vici_cmd_set_error(cmd, "loading private key failed: %s", why);
		return VICI_CMD_FAILED;
	}
	pubkey_free(k);
	for (size_t i = 0; i < sizeof(kid); i++) {
		c.id[2 * i] = hexd[kid[i] >> 4];
		c.id[2 * i + 1] = hexd[kid[i] & 15];
	}
	c.data.ptr = (uint8_t *)p;
	c.data.len = len;
	if (!ctl_store_cred_add(&ctl->store, &c)) {
		vici_cmd_set_error(cmd, "out of memory");
		return VICI_CMD_FAILED;
	}
	log_info("control: loaded private key %s", c.id);
	vici_builder_add_kv_str(resp, "success", "yes");
	vici_builder_add_kv_str(resp, "id", c.id);
	return VICI_CMD_DONE;
}

static enum vici_cmd_result cmd_unload_key(struct vici_cmd *cmd, const struct vici_msg *req,
					   struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;
	char id[64];

	if (!vici_msg_get_str_buf(req, "id", id, sizeof(id)) ||
	    !ctl_store_key_del(&ctl->store, id)) {
		vici_cmd_set_error(cmd, "private key not found");
		return VICI_CMD_FAILED;
	}
	vici_builder_add_kv_str(resp, "success", "yes");
	return VICI_CMD_DONE;
}

static enum vici_cmd_result cmd_get_keys(struct vici_cmd *cmd, const struct vici_msg *req,
					 struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;

	(void)cmd;
	(void)req;
	vici_builder_begin_list(resp, "keys");
	for (size_t i = 0; i < ctl->store.n_creds; i++)
		if (ctl->store.creds[i].kind == CTL_CRED_KEY)
			vici_builder_add_list_item_str(resp, ctl->store.creds[i].id);
	vici_builder_end_list(resp);
	return VICI_CMD_DONE;
}

static enum vici_cmd_result cmd_load_cert(struct vici_cmd *cmd, const struct vici_msg *req,
					  struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;
	const struct vici_node *data = vici_msg_find(req, "data");
	struct ctl_cred c = { .kind = CTL_CRED_CERT };
	const char *why = "missing certificate data";
	const uint8_t *p = NULL;
	size_t len = 0;
	X509 *x = NULL;
	bool ok;

	if (!vici_msg_get_str_buf(req, "type", c.type, sizeof(c.type)))
		snprintf(c.type, sizeof(c.type), "X509");
	if (!vici_msg_get_str_buf(req, "flag", c.flag, sizeof(c.flag)))
		snprintf(c.flag, sizeof(c.flag), "NONE");
	if (strcasecmp(c.type, "X509") != 0) {
		vici_cmd_set_error(cmd, "unsupported certificate type: %s", c.type);
		return VICI_CMD_FAILED;
	}
	if (data && vici_node_type(data) == VICI_NODE_KV)
		p = vici_node_value(data, &len);
	if (p && len)
		x = x509_load_mem(p, len, &why);
	if (!x) {
		vici_cmd_set_error(cmd, "parsing X509 certificate failed: %s", why);
		return VICI_CMD_FAILED;
	}
	/* keep the DER, whatever form it came in */
	ok = x509_der(x, &c.data);
	x509_free(x);
	if (!ok || !ctl_store_cred_add(&ctl->store, &c)) {
		chunk_free(&c.data);
		vici_cmd_set_error(cmd, "out of memory");
		return VICI_CMD_FAILED;
	}
	chunk_free(&c.data);
	vici_builder_add_kv_str(resp, "success", "yes");
	return VICI_CMD_DONE;
}

static enum vici_cmd_result cmd_clear_creds(struct vici_cmd *cmd, const struct vici_msg *req,
					    struct vici_builder *resp, void *ctx)
{
	struct ctl *ctl = ctx;
	char why[256];

	(void)cmd;
	(void)req;
	ctl_store_clear_creds(&ctl->store);
	ctl->ops.apply(ctl->ops.ctx, why, sizeof(why));
	vici_builder_add_kv_str(resp, "success", "yes");
	return VICI_CMD_DONE;
}

int cmd_creds_register(struct ctl *ctl)
{
	return vici_server_register_cmd(ctl->srv, "load-shared", cmd_load_shared, ctl) ||
	       vici_server_register_cmd(ctl->srv, "unload-shared", cmd_unload_shared, ctl) ||
	       vici_server_register_cmd(ctl->srv, "get-shared", cmd_get_shared, ctl) ||
	       vici_server_register_cmd(ctl->srv, "load-key", cmd_load_key, ctl) ||
	       vici_server_register_cmd(ctl->srv, "unload-key", cmd_unload_key, ctl) ||
	       vici_server_register_cmd(ctl->srv, "get-keys", cmd_get_keys, ctl) ||
	       vici_server_register_cmd(ctl->srv, "load-cert", cmd_load_cert, ctl) ||
	       vici_server_register_cmd(ctl->srv, "clear-creds", cmd_clear_creds, ctl);
}
