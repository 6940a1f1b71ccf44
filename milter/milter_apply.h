/* milter_apply.h - verdicts and fail modes turned into MTA actions */
#ifndef VIGIE_MILTER_APPLY_H
#define VIGIE_MILTER_APPLY_H

#include <libmilter/mfapi.h>

#include "vigie.h"

/* What the filter learned about one message, for the apply step. */
typedef struct {
	const char *queue_id;      /* for logs */
	GHashTable *forged;        /* lower-case X-Vigie-* name -> occurrences (GUINT) */
	const char *subject;       /* first Subject value as received, or NULL */
	bool leadspc;              /* header values carry their leading space (SMFIP_HDR_LEADSPC) */
} milter_msg_facts;

/* milter_apply_fail - answer per fail mode (accept|tempfail|reject) */
sfsistat milter_apply_fail(SMFICTX *ctx, const vigie_config *c, const char *mode,
			   const char *why, const milter_msg_facts *facts);
/* milter_apply_released - a message released from quarantine by staff
 * (item id, its token already spent): every incoming X-Vigie-* header,
 * the token's included, is removed; X-Vigie-Status says released */
sfsistat milter_apply_released(SMFICTX *ctx, const vigie_config *c, const milter_msg_facts *facts,
			       const char *id);
/* milter_apply_verdict - headers, subject prefix, quarantine, reject */
sfsistat milter_apply_verdict(SMFICTX *ctx, const vigie_config *c, vigie_quarantine *q,
			      const vigie_message *m, const vigie_verdict *v,
			      const milter_msg_facts *facts);

#endif
