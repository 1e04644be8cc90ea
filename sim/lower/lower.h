/*
 * lower.h - lowering: network graph + compilation configuration + hardware
 * description -> tasklist per core (docs/timing-model.md "Lowering").
 */
#ifndef AX_LOWER_H
#define AX_LOWER_H

#include "../common/err.h"
#include "../config/arch.h"
#include "../config/ccfg.h"
#include "../net/net.h"
#include "tasklist.h"

/* Output rows of a strip: a layer's output is processed in strips of about
 * this many bytes so that DMA, IMC and DPU work overlap (a compiler policy,
 * not a hardware parameter; docs/timing-model.md "Strips"). */
#define AX_STRIP_BYTES (64u * 1024u)
#define AX_MAX_STRIPS 16u


/*
 * Builds the tasklist for net.  tl must be initialised (ax_tasklist_init);
 * the caller releases it.  Returns AX_EINPUT with a message when the
 * configuration cannot be mapped (more cores than the chip has, a tensor that
 * fits in no memory, a tasklist larger than its reserve with nowhere to
 * stream from).
 */
int ax_lower(const struct ax_net *net, const struct ax_arch *a,
	     const struct ax_ccfg *c, struct ax_tasklist *tl, struct ax_err *err);

#endif
