/* webhook_pipeline.h - one request through verify, parse, scan, answer */
#ifndef VIGIE_WEBHOOK_PIPELINE_H
#define VIGIE_WEBHOOK_PIPELINE_H

#include "webhook_internal.h"

typedef struct {
	vigie_slot *slot;
	vigie_quarantine *q;
	wh_rate *rate;
	wh_dedup *dedup;
	bool shared_dedup;  /* [webhook] shared_dedup: ids claimed in the store too */
	gint64 dedup_ttl;   /* [webhook] dedup_ttl */
	long forward_timeout;
} wh_pipeline;

/* webhook_pipeline_run - rep set to the answer (status, body) */
void webhook_pipeline_run(wh_pipeline *p, const wh_channel *ch, const wh_request *r, wh_reply *rep);

#endif
