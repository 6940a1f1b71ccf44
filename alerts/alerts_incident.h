/* alerts_incident.h - an incident report's skeleton from the quarantine,
 * its audit log and the alert history (alerts_incident.c), for `vigie
 * incident report` (cli/cli_incident.c) */
#ifndef VIGIE_ALERTS_INCIDENT_H
#define VIGIE_ALERTS_INCIDENT_H

#include "vigie.h"

#include <json-glib/json-glib.h>

typedef struct {
	gint64 since, until; /* unix seconds */
	const char *channel; /* a [webhook.NAME] name or "milter", or NULL for all */
} alerts_incident_query;

/* alerts_incident_build - the report as a JSON object (caller
 * json_node_unref): q's items of the period in every state, the operators'
 * actions on them (audit.log), the alerts of history_path (state_dir's
 * alerts.jsonl; missing: none) that overlap the period, counts,
 * indicators, a timeline per hour and the NIS2 Art. 23 fields, those a
 * machine cannot know marked for the operator. NULL with err. */
JsonNode *alerts_incident_build(vigie_quarantine *q, const char *history_path,
				const alerts_incident_query *query, gint64 now, GError **err);
/* alerts_incident_alerts - the alerts of history_path overlapping the
 * period, one per id in its last state (a JSON array; caller unrefs) */
JsonNode *alerts_incident_alerts(const char *history_path, const alerts_incident_query *query);
/* alerts_incident_markdown - the same report as Markdown, every string
 * from a message escaped and links defanged; caller g_free */
char *alerts_incident_markdown(JsonNode *report);

#endif
