/* Operator actions on single SAs that the control socket needs beyond
 * ike_core.h: rekey an IKE SA or a CHILD SA, delete one CHILD SA, add a
 * CHILD SA to an established IKE SA. Each is one queued task, run like the
 * timers run them. All return false when the SA is unknown or not in a
 * state that allows the action. */
#ifndef CYGNET_IKE_IKE_CTL_H
#define CYGNET_IKE_IKE_CTL_H

#include <stdbool.h>
#include <stdint.h>

struct ike_core;
struct ike_sa;
struct child_sa;

bool ike_ctl_rekey_ike(struct ike_core *c, uint32_t ike_id);
bool ike_ctl_rekey_child(struct ike_core *c, uint32_t ike_id, uint32_t child_id);
/* Sends a Delete for the CHILD SA (INFORMATIONAL). */
bool ike_ctl_delete_child(struct ike_core *c, uint32_t ike_id, uint32_t child_id);
/* CREATE_CHILD_SA for the conf child named child on an established SA. */
bool ike_ctl_create_child(struct ike_core *c, uint32_t ike_id, const char *child);
/* Deletes the IKE SA at once without telling the peer (terminate force). */
bool ike_ctl_kill(struct ike_core *c, uint32_t ike_id);
/* The CHILD SA with this unique id within sa, or NULL. */
const struct child_sa *ike_ctl_child(const struct ike_sa *sa, uint32_t child_id);

#endif
