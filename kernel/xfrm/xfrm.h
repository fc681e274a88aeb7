/* The Linux XFRM backend of kernel_ipsec (libnl-xfrm), for kernels that
 * have the ESP transform. At start it probes what the kernel offers and
 * says clearly what is missing; `datapath = auto` uses it only when ESP is
 * there. */
#ifndef CYGNET_KERNEL_XFRM_H
#define CYGNET_KERNEL_XFRM_H

#include <stdbool.h>

#include "kernel/kernel_ipsec.h"

struct event_base;

struct xfrm_caps {
	bool netlink;		/* NETLINK_XFRM answers (policies, SPIs) */
	bool esp;		/* an ESP SA can be installed */
	bool aes_gcm;		/* rfc4106(gcm(aes)) */
	bool chacha20_poly1305;	/* rfc7539esp(chacha20,poly1305) */
	bool aes_cbc_sha2;	/* cbc(aes) + hmac(sha256) */
	char reason[192];	/* why esp is false, for the log */
};

/* Probes the current network namespace; never leaves state behind. */
void xfrm_probe(struct xfrm_caps *caps);

/* Opens the backend; events (acquire, expire) are read on base. NULL with
 * a logged reason when NETLINK_XFRM is unavailable. */
struct kernel_ipsec *xfrm_backend_create(struct event_base *base,
					 const struct kernel_ipsec_events *ev);

#endif
