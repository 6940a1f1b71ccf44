/* alerts_incident.c - the skeleton of an incident report: what happened
 * in a period, from what Vigie kept of it.
 *
 * Sources: the quarantine's items of the period (new/, released/,
 * deleted/: their metadata, never their bytes), the operators' actions on
 * those items (QDIR/audit.log), and the alerts that overlap the period
 * (the history vigied writes, [alerts] state_dir/alerts.jsonl: one
 * document per opening and closing, merged here by id).
 *
 * The report (JSON; Markdown made from it):
 *   period, generated           the query and when
 *   summary                     items, first and last seen, channels,
 *                               distinct recipients/conversations
 *   by_channel, by_action, by_state, by_category, by_rule   counts
 *   timeline                    items per hour
 *   alerts                      kind, channel, series, start, end, band, peak
 *   indicators                  URLs, hosts, senders, sender domains, phone
 *                               numbers, with counts
 *   operator_actions            release, confirm, delete... with who and when
 *   nis2                        Directive (EU) 2022/2555 Art. 23: the early
 *                               warning (24 h), notification (72 h) and final
 *                               report (one month) deadlines counted from the
 *                               first sign, the machine's assessment of a
 *                               suspected malicious act and a suggested initial
 *                               severity, and the fields only the operator can
 *                               fill (cross-border impact, impact on the
 *                               service, affected users) marked as such
 *
 * SECURITY: every string taken from an item (senders, URLs, evidence) was
 * written by a sender: JSON-glib escapes it in JSON; the Markdown writer
 * escapes every Markdown metacharacter, folds line breaks, and defangs
 * links (hxxp, [.]) so that a report opened in a viewer links nowhere.
 */
#include "alerts_incident.h"

#include <stdio.h>
#include <string.h>

/* ---- counting --------------------------------------------------------- */

static void count(GHashTable *h, const char *key)
{
	if (!key || !*key)
		return;
	gpointer v = g_hash_table_lookup(h, key);
	g_hash_table_replace(h, g_strdup(key), GSIZE_TO_POINTER(GPOINTER_TO_SIZE(v) + 1));
}

static GHashTable *counter_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

typedef struct {
	const char *key;
	gsize n;
} kv;

static gint kv_cmp(gconstpointer a, gconstpointer b)
{
	const kv *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

static gint kv_cmp_key(gconstpointer a, gconstpointer b)
{
	return strcmp(((const kv *)a)->key, ((const kv *)b)->key);
}

static JsonNode *counted_sorted(GHashTable *h, const char *name, GCompareFunc cmp);

/* counted - [{NAME, "count"}], most first, then by value */
static JsonNode *counted(GHashTable *h, const char *name)
{
	return counted_sorted(h, name, kv_cmp);
}

/* counted_by_key - the same in the order of the values (hours) */
static JsonNode *counted_by_key(GHashTable *h, const char *name)
{
	return counted_sorted(h, name, kv_cmp_key);
}

static JsonNode *counted_sorted(GHashTable *h, const char *name, GCompareFunc cmp)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(kv));
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		kv e = {k, GPOINTER_TO_SIZE(v)};
		g_array_append_val(a, e);
	}
	g_array_sort(a, cmp);
	JsonArray *arr = json_array_new();
	for (guint i = 0; i < a->len; i++) {
		JsonObject *o = json_object_new();
		json_object_set_string_member(o, name, g_array_index(a, kv, i).key);
		json_object_set_int_member(o, "count", (gint64)g_array_index(a, kv, i).n);
		json_array_add_object_element(arr, o);
	}
	g_array_free(a, TRUE);
	JsonNode *n = json_node_new(JSON_NODE_ARRAY);
	json_node_take_array(n, arr);
	return n;
}

static char *iso(gint64 t)
{
	GDateTime *d = g_date_time_new_from_unix_utc(t);
	char *s = g_date_time_format(d, "%Y-%m-%dT%H:%M:%SZ");
	g_date_time_unref(d);
	return s;
}

static gint64 parse_iso(const char *s)
{
	GDateTime *d = s ? g_date_time_new_from_iso8601(s, NULL) : NULL;
	gint64 t = d ? g_date_time_to_unix(d) : 0;
	if (d)
		g_date_time_unref(d);
	return t;
}

/* ---- indicators from a finding ------------------------------------------ */

typedef struct {
	GHashTable *urls, *hosts, *senders, *sender_domains, *phones;
	GRegex *url_re, *phone_re;
	GHashTable *item[3]; /* one item's URLs, hosts, numbers: each counted once per item */
} indicators;

/* indicators_item_done - count what the item quoted, once each */
static void indicators_item_done(indicators *ind)
{
	GHashTable *to[3] = {ind->urls, ind->hosts, ind->phones};
	for (int i = 0; i < 3; i++) {
		GHashTableIter it;
		gpointer k;
		g_hash_table_iter_init(&it, ind->item[i]);
		while (g_hash_table_iter_next(&it, &k, NULL))
			count(to[i], k);
		g_hash_table_remove_all(ind->item[i]);
	}
}

/* indicators_finding - URLs and numbers a finding's evidence quotes */
static void indicators_finding(indicators *ind, const char *rule, const char *evidence)
{
	if (!evidence)
		return;
	GMatchInfo *mi;
	if (g_str_has_prefix(rule, "url.") || g_str_has_prefix(rule, "memory.campaign.url") ||
	    g_str_has_prefix(rule, "attach.")) {
		g_regex_match(ind->url_re, evidence, 0, &mi);
		while (g_match_info_matches(mi)) {
			char *u = g_match_info_fetch(mi, 0);
			size_t n = strlen(u);
			while (n && strchr(":.,;)]'\"", u[n - 1]))
				u[--n] = '\0';
			g_hash_table_add(ind->item[0], g_strdup(u));
			char *host = g_match_info_fetch(mi, 1);
			char *low = g_ascii_strdown(host, -1);
			g_hash_table_add(ind->item[1], g_strdup(low));
			g_free(low);
			g_free(host);
			g_free(u);
			g_match_info_next(mi, NULL);
		}
		g_match_info_free(mi);
	}
	if (g_str_has_prefix(rule, "phone.") || g_str_has_prefix(rule, "memory.campaign.phone")) {
		g_regex_match(ind->phone_re, evidence, 0, &mi);
		while (g_match_info_matches(mi)) {
			char *p = g_match_info_fetch(mi, 0);
			GString *d = g_string_new(NULL);
			for (const char *c = p; *c; c++)
				if (g_ascii_isdigit(*c) || *c == '+')
					g_string_append_c(d, *c);
			g_hash_table_add(ind->item[2], g_strdup(d->str));
			g_string_free(d, TRUE);
			g_free(p);
			g_match_info_next(mi, NULL);
		}
		g_match_info_free(mi);
	}
}

/* indicators_sender - the sender and its domain ("Name <a@b>" or a@b) */
static void indicators_sender(indicators *ind, const char *sender)
{
	count(ind->senders, sender);
	const char *at = sender ? strrchr(sender, '@') : NULL;
	if (at) {
		char *dom = g_ascii_strdown(at + 1, -1);
		dom[strcspn(dom, "> \t")] = '\0';
		count(ind->sender_domains, dom);
		g_free(dom);
	}
}

/* ---- the parts ------------------------------------------------------------ */

/* item_channel - the channel an item came from: its envelope's source
 * ([webhook.NAME]), or "milter" for mail */
static char *item_channel(JsonObject *meta)
{
	JsonNode *en = json_object_get_member(meta, "envelope");
	JsonObject *env = en && JSON_NODE_HOLDS_OBJECT(en) ? json_node_get_object(en) : NULL;
	const char *src =
	    env ? json_object_get_string_member_with_default(env, "source", NULL) : NULL;
	if (src)
		return g_strdup(src);
	return g_strdup(
	    !strcmp(json_object_get_string_member_with_default(meta, "channel", ""), "mail")
		? "milter"
		: "chat");
}

/* incident_alerts - the alert history's alerts overlapping the period */
static JsonNode *incident_alerts(const char *path, const alerts_incident_query *q,
				 GHashTable *kinds)
{
	JsonArray *out = json_array_new();
	char *text = NULL;
	GHashTable *by_id = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						  (GDestroyNotify)json_object_unref);
	GPtrArray *order = g_ptr_array_new_with_free_func(g_free);
	if (path && g_file_get_contents(path, &text, NULL, NULL)) {
		char **lines = g_strsplit(text, "\n", -1);
		for (char **l = lines; *l; l++) {
			JsonNode *n = **l ? json_from_string(*l, NULL) : NULL;
			if (!n || !JSON_NODE_HOLDS_OBJECT(n)) {
				if (n)
					json_node_unref(n);
				continue;
			}
			JsonObject *o = json_node_get_object(n);
			const char *id = json_object_get_string_member_with_default(o, "id", NULL);
			if (id) {
				if (!g_hash_table_contains(by_id, id))
					g_ptr_array_add(order, g_strdup(id));
				g_hash_table_replace(by_id, g_strdup(id), json_object_ref(o));
			}
			json_node_unref(n);
		}
		g_strfreev(lines);
	}
	for (guint i = 0; i < order->len; i++) {
		JsonObject *o = g_hash_table_lookup(by_id, g_ptr_array_index(order, i));
		const char *ch = json_object_get_string_member_with_default(o, "channel", "");
		gint64 start =
		    parse_iso(json_object_get_string_member_with_default(o, "start", NULL));
		const char *end_s =
		    json_object_get_null_member(o, "end")
			? NULL
			: json_object_get_string_member_with_default(o, "end", NULL);
		gint64 end = end_s ? parse_iso(end_s) : G_MAXINT64;
		if ((q->channel && strcmp(q->channel, ch)) || start > q->until || end < q->since)
			continue;
		count(kinds, json_object_get_string_member_with_default(o, "kind", ""));
		json_array_add_object_element(out, json_object_ref(o));
	}
	g_ptr_array_unref(order);
	g_hash_table_destroy(by_id);
	g_free(text);
	JsonNode *n = json_node_new(JSON_NODE_ARRAY);
	json_node_take_array(n, out);
	return n;
}

/* incident_audit - audit.log lines about the report's items */
static JsonNode *incident_audit(vigie_quarantine *q, GHashTable *ids)
{
	JsonArray *out = json_array_new();
	char *path = g_build_filename(vigie_quarantine_dir(q), "audit.log", NULL);
	char *text = NULL;
	if (g_file_get_contents(path, &text, NULL, NULL)) {
		char **lines = g_strsplit(text, "\n", -1);
		for (char **l = lines; *l; l++) {
			char **f = g_strsplit(*l, "\t", 5);
			if (g_strv_length(f) == 5 && g_hash_table_contains(ids, f[3])) {
				JsonObject *o = json_object_new();
				json_object_set_string_member(o, "time", f[0]);
				json_object_set_string_member(o, "who", f[1]);
				json_object_set_string_member(o, "action", f[2]);
				json_object_set_string_member(o, "id", f[3]);
				json_object_set_string_member(o, "result", f[4]);
				json_array_add_object_element(out, o);
			}
			g_strfreev(f);
		}
		g_strfreev(lines);
	}
	g_free(text);
	g_free(path);
	JsonNode *n = json_node_new(JSON_NODE_ARRAY);
	json_node_take_array(n, out);
	return n;
}

static const char *const operator_field = "to be completed by the operator";

/* incident_nis2 - the Art. 23 fields */
static JsonObject *incident_nis2(gint64 first, gsize items, gsize malicious, GHashTable *kinds,
				 GHashTable *channels)
{
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "basis", "Directive (EU) 2022/2555, Article 23");
	if (first) {
		char *s = iso(first);
		json_object_set_string_member(o, "first_sign", s);
		g_free(s);
		s = iso(first + 24 * 3600);
		json_object_set_string_member(o, "early_warning_due", s);
		g_free(s);
		s = iso(first + 72 * 3600);
		json_object_set_string_member(o, "notification_due", s);
		g_free(s);
		GDateTime *d = g_date_time_new_from_unix_utc(first);
		GDateTime *m = g_date_time_add_months(d, 1);
		s = g_date_time_format(m, "%Y-%m-%dT%H:%M:%SZ");
		json_object_set_string_member(o, "final_report_due", s);
		g_free(s);
		g_date_time_unref(m);
		g_date_time_unref(d);
	}
	bool campaign = g_hash_table_contains(kinds, "surge") ||
			g_hash_table_contains(kinds, "spread") ||
			g_hash_table_contains(kinds, "flood");
	char *why = g_strdup_printf(
	    "%s: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
	    " messages judged malicious%s (machine assessment; operator to confirm)",
	    malicious || campaign ? "yes" : "not indicated", malicious, items,
	    campaign ? ", traffic alerts raised" : "");
	json_object_set_string_member(o, "suspected_malicious_act", why);
	g_free(why);
	const char *sev = items >= 100 || g_hash_table_contains(kinds, "silence") ? "high"
			  : items >= 10 || campaign				  ? "medium"
										  : "low";
	char *s = g_strdup_printf("%s (suggested from %" G_GSIZE_FORMAT
				  " messages on %u channel(s); operator to confirm)",
				  sev, items, g_hash_table_size(channels));
	json_object_set_string_member(o, "initial_severity", s);
	g_free(s);
	json_object_set_string_member(o, "cross_border_impact", operator_field);
	json_object_set_string_member(o, "impact_on_service", operator_field);
	json_object_set_string_member(o, "affected_users", operator_field);
	json_object_set_string_member(o, "mitigation", operator_field);
	json_object_set_string_member(o, "indicators_of_compromise", "see indicators");
	return o;
}

/* alerts_incident_build - see alerts_incident.h */
JsonNode *alerts_incident_build(vigie_quarantine *q, const char *history_path,
				const alerts_incident_query *query, gint64 now, GError **err)
{
	static const char *const folders[] = {"new", "released", "deleted"};
	vigie_qfilter f = {.since = query->since, .until = query->until};
	GHashTable *by_channel = counter_new(), *by_action = counter_new(),
		   *by_state = counter_new(), *by_category = counter_new(),
		   *by_rule = counter_new(), *timeline = counter_new(), *recipients = counter_new(),
		   *kinds = counter_new();
	GHashTable *ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	indicators ind = {counter_new(),
			  counter_new(),
			  counter_new(),
			  counter_new(),
			  counter_new(),
			  g_regex_new("(?:https?|hxxps?)://([A-Za-z0-9.-]+)[^\\s\"'<>]*",
				      G_REGEX_CASELESS, 0, NULL),
			  g_regex_new("\\+?\\d[\\d .-]{6,}\\d", 0, 0, NULL),
			  {counter_new(), counter_new(), counter_new()}};
	gint64 first = 0, last = 0;
	gsize items = 0, malicious = 0;
	JsonNode *root = NULL;
	for (guint fi = 0; fi < G_N_ELEMENTS(folders); fi++) {
		GPtrArray *list = vigie_quarantine_list(q, folders[fi], &f, 0, NULL, err);
		if (!list)
			goto fail;
		for (guint i = 0; i < list->len; i++) {
			const vigie_qitem *it = g_ptr_array_index(list, i);
			JsonNode *mn = json_from_string(it->meta_json, NULL);
			if (!mn || !JSON_NODE_HOLDS_OBJECT(mn)) {
				if (mn)
					json_node_unref(mn);
				continue;
			}
			JsonObject *meta = json_node_get_object(mn);
			char *ch = item_channel(meta);
			if (query->channel && strcmp(query->channel, ch)) {
				g_free(ch);
				json_node_unref(mn);
				continue;
			}
			items++;
			g_hash_table_add(ids, g_strdup(it->id));
			count(by_channel, ch);
			count(by_action, it->action);
			/* the folder says the state: a deleted item's metadata still says
			 * quarantined */
			count(by_state, !strcmp(it->folder, "new") ? "quarantined" : it->folder);
			char **rc = g_strsplit(it->recipients, ", ", -1);
			for (char **r = rc; *r; r++)
				count(recipients, *r);
			g_strfreev(rc);
			if (!first || it->unix_time < first)
				first = it->unix_time;
			last = MAX(last, it->unix_time);
			char *hour = iso(it->unix_time - it->unix_time % 3600);
			count(timeline, hour);
			g_free(hour);
			indicators_sender(&ind, it->sender);
			JsonNode *vn = json_object_get_member(meta, "verdict");
			JsonObject *v =
			    vn && JSON_NODE_HOLDS_OBJECT(vn) ? json_node_get_object(vn) : NULL;
			if (v && !strcmp(json_object_get_string_member_with_default(v, "class", ""),
					 "malicious"))
				malicious++;
			JsonNode *fn = v ? json_object_get_member(v, "findings") : NULL;
			JsonArray *fa =
			    fn && JSON_NODE_HOLDS_ARRAY(fn) ? json_node_get_array(fn) : NULL;
			GHashTable *seen = counter_new();
			for (guint k = 0; fa && k < json_array_get_length(fa); k++) {
				JsonNode *e = json_array_get_element(fa, k);
				if (!JSON_NODE_HOLDS_OBJECT(e))
					continue;
				JsonObject *fo = json_node_get_object(e);
				const char *rule =
				    json_object_get_string_member_with_default(fo, "rule", "");
				const char *cat =
				    json_object_get_string_member_with_default(fo, "category", "");
				if (!g_hash_table_contains(seen, cat))
					count(by_category, cat);
				count(seen, cat);
				count(by_rule, rule);
				indicators_finding(&ind, rule,
						   json_object_get_string_member_with_default(
						       fo, "evidence", NULL));
			}
			g_hash_table_destroy(seen);
			indicators_item_done(&ind);
			g_free(ch);
			json_node_unref(mn);
		}
		g_ptr_array_unref(list);
	}

	JsonObject *r = json_object_new();
	json_object_set_string_member(r, "type", "vigie.incident-report");
	char *s = iso(now);
	json_object_set_string_member(r, "generated", s);
	g_free(s);
	JsonObject *period = json_object_new();
	s = iso(query->since);
	json_object_set_string_member(period, "since", s);
	g_free(s);
	s = iso(query->until);
	json_object_set_string_member(period, "until", s);
	g_free(s);
	if (query->channel)
		json_object_set_string_member(period, "channel", query->channel);
	json_object_set_object_member(r, "period", period);
	JsonNode *alerts = incident_alerts(history_path, query, kinds);
	/* the first sign: the first item or the first alert's start */
	JsonArray *aa = json_node_get_array(alerts);
	for (guint i = 0; i < json_array_get_length(aa); i++) {
		gint64 t = parse_iso(json_object_get_string_member_with_default(
		    json_array_get_object_element(aa, i), "start", NULL));
		if (t && (!first || t < first))
			first = t;
	}
	JsonObject *sum = json_object_new();
	json_object_set_int_member(sum, "messages", (gint64)items);
	json_object_set_int_member(sum, "malicious", (gint64)malicious);
	json_object_set_int_member(sum, "alerts", (gint64)json_array_get_length(aa));
	json_object_set_int_member(sum, "recipients_or_conversations",
				   g_hash_table_size(recipients));
	if (first) {
		s = iso(first);
		json_object_set_string_member(sum, "first_seen", s);
		g_free(s);
	}
	if (last) {
		s = iso(last);
		json_object_set_string_member(sum, "last_seen", s);
		g_free(s);
	}
	json_object_set_object_member(r, "summary", sum);
	json_object_set_member(r, "by_channel", counted(by_channel, "channel"));
	json_object_set_member(r, "by_action", counted(by_action, "action"));
	json_object_set_member(r, "by_state", counted(by_state, "state"));
	json_object_set_member(r, "by_category", counted(by_category, "category"));
	json_object_set_member(r, "by_rule", counted(by_rule, "rule"));
	json_object_set_member(r, "timeline", counted_by_key(timeline, "hour"));
	json_object_set_member(r, "alerts", alerts);
	JsonObject *io = json_object_new();
	json_object_set_member(io, "urls", counted(ind.urls, "value"));
	json_object_set_member(io, "hosts", counted(ind.hosts, "value"));
	json_object_set_member(io, "senders", counted(ind.senders, "value"));
	json_object_set_member(io, "sender_domains", counted(ind.sender_domains, "value"));
	json_object_set_member(io, "phone_numbers", counted(ind.phones, "value"));
	json_object_set_object_member(r, "indicators", io);
	json_object_set_member(r, "operator_actions", incident_audit(q, ids));
	json_object_set_object_member(r, "nis2",
				      incident_nis2(first, items, malicious, kinds, by_channel));
	root = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(root, r);
fail:
	g_hash_table_destroy(by_channel);
	g_hash_table_destroy(by_action);
	g_hash_table_destroy(by_state);
	g_hash_table_destroy(by_category);
	g_hash_table_destroy(by_rule);
	g_hash_table_destroy(timeline);
	g_hash_table_destroy(recipients);
	g_hash_table_destroy(kinds);
	g_hash_table_destroy(ids);
	g_hash_table_destroy(ind.urls);
	g_hash_table_destroy(ind.hosts);
	g_hash_table_destroy(ind.senders);
	g_hash_table_destroy(ind.sender_domains);
	g_hash_table_destroy(ind.phones);
	g_regex_unref(ind.url_re);
	g_regex_unref(ind.phone_re);
	for (int i = 0; i < 3; i++)
		g_hash_table_destroy(ind.item[i]);
	return root;
}

/* alerts_incident_alerts - see alerts_incident.h */
JsonNode *alerts_incident_alerts(const char *history_path, const alerts_incident_query *query)
{
	GHashTable *kinds = counter_new();
	JsonNode *n = incident_alerts(history_path, query, kinds);
	g_hash_table_destroy(kinds);
	return n;
}
