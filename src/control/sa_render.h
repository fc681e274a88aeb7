/* The body of list-sa and of every SA event (ike-updown, child-updown,
 * ike-rekey, child-rekey, child-state-*), with charon's keys and names.
 * IKE keys always come before child-sas: nhrpd handles a CHILD SA when its
 * section closes and needs the IKE keys by then. */
#ifndef CYGNET_CONTROL_SA_RENDER_H
#define CYGNET_CONTROL_SA_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "control/vici_msg.h"

struct ctl;
struct ike_sa;
struct child_sa;

/* charon's state names: CONNECTING, ESTABLISHED, REKEYED, DELETING,
 * DESTROYING / INSTALLING, INSTALLED, REKEYING, DELETING. */
const char *sa_render_ike_state(const struct ike_sa *sa);
const char *sa_render_child_state(const struct child_sa *c);
/* The IKE SA's connection name ("" if not chosen yet). */
const char *sa_render_ike_name(const struct ike_sa *sa);
/* "name-uniqueid", the section name charon gives a CHILD SA. */
void sa_render_child_key(const struct child_sa *c, char *buf, size_t len);

/* The keys of an IKE SA (no child-sas). */
void sa_render_ike(struct vici_builder *b, const struct ctl *ctl,
		   const struct ike_sa *sa);
/* The keys of one CHILD SA; state overrides its state name if not NULL. */
void sa_render_child(struct vici_builder *b, const struct ctl *ctl,
		     const struct child_sa *c, const char *state);

enum sa_render_children {
	SA_RENDER_NO_CHILDREN,
	SA_RENDER_ALL_CHILDREN,
	SA_RENDER_ONE_CHILD,	/* only `one` (with `state` if given) */
};

/* <ike-name>={IKE keys, child-sas={...}} */
void sa_render_sa(struct vici_builder *b, const struct ctl *ctl,
		  const struct ike_sa *sa, enum sa_render_children which,
		  const struct child_sa *one, const char *state);

#endif
