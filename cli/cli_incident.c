/* cli_incident.c - "vigie incident report": the skeleton of an incident
 * report (alerts/alerts_incident.c) for a period, as Markdown or JSON on
 * standard output; "vigie incident list": the traffic alerts of a period,
 * one line each (or JSON).
 *
 * Reads [quarantine] dir and [alerts] state_dir of the configuration (no
 * rules are loaded); run it beside vigied as a user that can read both.
 */
#include "alerts_incident.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static int incident_usage(void)
{
	fprintf(stderr,
		"usage: vigie [-c CONFIG] incident report [--since T] [--until T] [--channel NAME] "
		"[--format md|json]\n"
		"       vigie [-c CONFIG] incident list [--since T] [--until T] [--channel NAME] "
		"[--format text|json]\n");
	return CLI_EXIT_ERROR;
}

/* incident_list_text - one line per alert: start, end, kind, channel,
 * series, peak against the band (our own names only) */
static char *incident_list_text(JsonNode *alerts)
{
	JsonArray *a = json_node_get_array(alerts);
	GString *o = g_string_new(NULL);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *x = json_array_get_object_element(a, i);
		JsonNode *en = json_object_get_member(x, "expected");
		JsonObject *ex = en && JSON_NODE_HOLDS_OBJECT(en) ? json_node_get_object(en) : NULL;
		JsonNode *end = json_object_get_member(x, "end");
		g_string_append_printf(
		    o, "%s  %-20s  %-8s %-16s %-32s peak %g, expected %g (%g-%g)\n",
		    json_object_get_string_member_with_default(x, "start", "?"),
		    end && !JSON_NODE_HOLDS_NULL(end) ? json_node_get_string(end) : "open",
		    json_object_get_string_member_with_default(x, "kind", "?"),
		    json_object_get_string_member_with_default(x, "channel", "?"),
		    json_object_get_string_member_with_default(x, "series", "?"),
		    json_object_get_double_member_with_default(x, "peak", 0),
		    ex ? json_object_get_double_member_with_default(ex, "median", 0) : 0,
		    ex ? json_object_get_double_member_with_default(ex, "low", 0) : 0,
		    ex ? json_object_get_double_member_with_default(ex, "high", 0) : 0);
	}
	if (!json_array_get_length(a))
		g_string_append(o, "no alerts in the period\n");
	return g_string_free(o, FALSE);
}

/* cli_incident - see cli.h */
int cli_incident(const char *config, int argc, char **argv)
{
	if (argc < 1 || (strcmp(argv[0], "report") && strcmp(argv[0], "list")))
		return incident_usage();
	bool list = !strcmp(argv[0], "list");
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	alerts_incident_query q = {.since = now - 7 * 86400, .until = now};
	const char *format = list ? "text" : "md";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc)
			return incident_usage();
		const char *v = argv[++i];
		if (!strcmp(a, "--since") || !strcmp(a, "--until")) {
			gint64 t = cli_parse_time(v);
			if (t < 0) {
				fprintf(stderr,
					"vigie: %s %s: expected a date, an ISO 8601 time or an age "
					"(12h, 7d)\n",
					a, v);
				return CLI_EXIT_ERROR;
			}
			*(a[2] == 's' ? &q.since : &q.until) = t;
		} else if (!strcmp(a, "--channel")) {
			q.channel = v;
		} else if (!strcmp(a, "--format") &&
			   (!strcmp(v, list ? "text" : "md") || !strcmp(v, "json"))) {
			format = v;
		} else {
			return incident_usage();
		}
	}
	GError *err = NULL;
	vigie_config *c = vigie_config_load(config, &err);
	vigie_quarantine *qq =
	    c ? vigie_quarantine_open(vigie_config_get(c, "quarantine", "dir"), &err) : NULL;
	JsonNode *r = NULL;
	if (qq) {
		char *history = g_build_filename(vigie_config_get(c, "alerts", "state_dir"),
						 "alerts.jsonl", NULL);
		r = list ? alerts_incident_alerts(history, &q)
			 : alerts_incident_build(qq, history, &q, now, &err);
		g_free(history);
	}
	int rc = CLI_EXIT_CLEAN;
	if (!r) {
		fprintf(stderr, "vigie: %s\n", err->message);
		g_error_free(err);
		rc = CLI_EXIT_ERROR;
	} else {
		char *out;
		if (!strcmp(format, "json")) {
			JsonGenerator *g = json_generator_new();
			json_generator_set_pretty(g, TRUE);
			json_generator_set_root(g, r);
			out = json_generator_to_data(g, NULL);
			g_object_unref(g);
		} else if (list) {
			out = incident_list_text(r);
		} else {
			out = alerts_incident_markdown(r);
		}
		fputs(out, stdout);
		if (!g_str_has_suffix(out, "\n"))
			putchar('\n');
		g_free(out);
		json_node_unref(r);
	}
	vigie_quarantine_close(qq);
	vigie_config_free(c);
	return rc;
}
