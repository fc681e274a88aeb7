/* The userspace backend of kernel_ipsec: SAD + SPD + ESP in this process.
 *
 * us_ipsec_create fills a struct kernel_ipsec whose ops manage SAs and
 * policies. The packet path (called by the TUN and socket code, which comes
 * later) is us_ipsec_output for clear packets leaving through the tunnel
 * and us_ipsec_input for ESP arriving from a peer. */
#ifndef CYGNET_KERNEL_USERSPACE_US_IPSEC_H
#define CYGNET_KERNEL_USERSPACE_US_IPSEC_H

#include "kernel/kernel_ipsec.h"
#include "kernel/userspace/esp.h"
#include "kernel/userspace/sad.h"
#include "kernel/userspace/spd.h"

enum us_verdict {
	US_ESP = 0,		/* output: *b is now an ESP packet for *sa_out */
	US_CLEAR,		/* input: *b is the authenticated inner packet */
	US_BYPASS,		/* output: send in the clear */
	US_DROP_POLICY,		/* DROP policy, no policy, or inbound policy mismatch */
	US_DROP_NO_SA,		/* PROTECT without SA: acquire was raised */
	US_DROP_ESP,		/* ESP layer drop: see *esp_res and the SA/SAD counters */
	US_DROP_SEGMENT,	/* another cluster node serves this packet */
	US_DROP_MALFORMED,	/* not a parseable IP packet */
	US_VERDICT_MAX
};

struct us_ipsec {
	struct sad sad;
	struct spd spd;
	struct kernel_ipsec_events ev;
	kernel_segment_fn segment;
	void *segment_ctx;
	/* Counted by the thread of each direction (the datapath may run each
	 * on its own thread): inbound in verdicts[] and sad.drops[], outbound in
	 * verdicts_out[] and drops_out[]. Read them summed, with the functions
	 * below, where the datapath is quiet (under its lock, or stopped:
	 * userspace_get_verdicts). */
	uint64_t verdicts[US_VERDICT_MAX];
	uint64_t verdicts_out[US_VERDICT_MAX];
	uint64_t drops_out[ESP_RESULT_MAX];
};

const char *us_verdict_name(enum us_verdict v);
uint64_t us_ipsec_verdicts(const struct us_ipsec *us, enum us_verdict v);
/* ESP-layer drops outside any SA's own counters (SAD and output path). */
uint64_t us_ipsec_drops(const struct us_ipsec *us, enum esp_result r);

/* 0 or -ENOMEM. ki->be is a struct us_ipsec; ki->ops->destroy frees it. */
int us_ipsec_create(struct kernel_ipsec *ki, const struct kernel_ipsec_events *ev);

/* Clear packet from the TUN device (data at b). In transport mode the IP
 * header is stripped and the payload protected: the caller sends it to the
 * SA's destination with the original protocol's header rebuilt by the
 * socket (UDP encapsulation or raw IP protocol 50). */
enum us_verdict us_ipsec_output(struct us_ipsec *us, struct esp_buf *b,
				struct esp_sa **sa_out, enum esp_result *esp_res);
/* The part of us_ipsec_output after the SPD and SAD lookups, for a packet
 * known to take the same policy and SA as one just passed (a segment of the
 * same GSO packet; sa valid until the caller returns to its event loop):
 * segment filter, transport-mode header strip, ESP, verdict counters. */
enum us_verdict us_ipsec_output_sa(struct us_ipsec *us, struct esp_buf *b, struct esp_sa *sa,
				   enum esp_result *esp_res);
/* ESP packet from peer (from the SPI on). On US_CLEAR *next_header (may be
 * NULL) is the payload's protocol: 4/41 in tunnel mode, the transport
 * protocol in transport mode, where the caller rebuilds the IP header. */
enum us_verdict us_ipsec_input(struct us_ipsec *us, struct esp_buf *b,
			       const struct sockaddr *peer, struct esp_sa **sa_out,
			       enum esp_result *esp_res, uint8_t *next_header);

#endif
