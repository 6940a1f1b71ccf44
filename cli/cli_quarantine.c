/* cli_quarantine.c - "vigie quarantine": the review tool security staff
 * live in.
 *
 *   list [filters] [--json] [--limit N] [--state quarantined|released|deleted]
 *   show ID [--raw]
 *   release ID... [--to ADDR]
 *   confirm ID...     (cli_learn.c)
 *   delete ID...
 *   purge --older-than AGE        (AGE: 30d, 12h, 90m)
 *
 * Every action is appended to the folder's audit.log (who, when, what,
 * result). A release counts only when the MTA accepted the message (mail)
 * and vigied honoured the release token, i.e. the mail was not scanned and
 * quarantined again (mail), or the channel's downstream answered 2xx (chat,
 * signed like the webhook's gateway mode by common/vhttp.c); a refusal
 * leaves the item quarantined and prints the MTA's or downstream's reply.
 * The tool never makes the release key: vigied does, owned by its user.
 *
 * SECURITY: ids are validated before any path is built; shown text has its
 * links defanged and control characters replaced, so that reading a
 * quarantined message cannot click or spoof anything in a terminal.
 */
#include "cli.h"
#include "cli_inputs.h"
#include "smtp_send.h"
#include "vhttp.h"

#include <json-glib/json-glib.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* q_who - the person acting, for the audit log */
static const char *q_who(void)
{
	const char *sudo = g_getenv("SUDO_USER");
	if (sudo && *sudo)
		return sudo;
	struct passwd *pw = getpwuid(getuid());
	return pw ? pw->pw_name : "unknown";
}

/* q_bidi - a character that reorders what a terminal shows: the bidi
 * embeddings, overrides and isolates, LRM, RLM and ALM */
static bool q_bidi(gunichar c)
{
	return c == 0x200e || c == 0x200f || c == 0x061c || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

/* q_safe - text fit for a terminal: C0, DEL and C1 controls replaced by
 * spaces, bidi controls shown as <U+202E> (so "exe.pdf" cannot be spelt
 * backwards), invalid UTF-8 made valid, length capped; caller g_free */
static char *q_safe(const char *s, glong max)
{
	char *v = g_utf8_make_valid(s ? s : "", -1);
	GString *o = g_string_sized_new(strlen(v));
	for (const char *p = v; *p; p = g_utf8_next_char(p)) {
		gunichar ch = g_utf8_get_char(p);
		if (ch < 0x20 || (ch >= 0x7f && ch < 0xa0))
			g_string_append_c(o, ' ');
		else if (q_bidi(ch))
			g_string_append_printf(o, "<U+%04X>", ch);
		else
			g_string_append_unichar(o, ch);
	}
	g_free(v);
	char *c = g_string_free(o, FALSE);
	if (max > 0 && g_utf8_strlen(c, -1) > max) {
		char *cut = g_utf8_substring(c, 0, max - 1);
		g_free(c);
		c = g_strconcat(cut, "…", NULL);
		g_free(cut);
	}
	return c;
}

/* q_defang - "https://evil.example/x" -> "hxxps://evil[.]example/x" */
static char *q_defang(const char *s)
{
	GString *o = g_string_new(NULL);
	for (const char *p = s; *p; p++) {
		if (!g_ascii_strncasecmp(p, "http", 4) && (p[4] == ':' || ((p[4] == 's' || p[4] == 'S') && p[5] == ':'))) {
			g_string_append(o, "hxxp");
			p += 3;
		} else if (*p == '.' && p > s && g_ascii_isalnum(p[-1]) && g_ascii_isalnum(p[1])) {
			g_string_append(o, "[.]");
		} else {
			g_string_append_c(o, *p);
		}
	}
	return g_string_free(o, FALSE);
}

/* q_parse_age - "30d", "12h", "90m", "45s" -> seconds; -1 if malformed */
static gint64 q_parse_age(const char *s)
{
	char *end;
	gint64 n = g_ascii_strtoll(s, &end, 10);
	if (end == s || n < 0)
		return -1;
	switch (*end) {
	case 'd': n *= 86400; break;
	case 'h': n *= 3600; break;
	case 'm': n *= 60; break;
	case 's': case '\0': break;
	default: return -1;
	}
	return end[0] && end[1] ? -1 : n;
}

/* q_parse_time - "2026-11-27", an ISO 8601 time, or an age ("2h" = 2 hours ago) */
static gint64 q_parse_time(const char *s)
{
	gint64 age = q_parse_age(s);
	if (age >= 0 && !g_ascii_isdigit(s[strlen(s) - 1]))
		return g_get_real_time() / G_USEC_PER_SEC - age;
	char *iso = strlen(s) == 10 ? g_strconcat(s, "T00:00:00Z", NULL) : g_strdup(s);
	GTimeZone *utc = g_time_zone_new_utc();
	GDateTime *dt = g_date_time_new_from_iso8601(iso, utc);
	g_time_zone_unref(utc);
	g_free(iso);
	if (!dt)
		return -1;
	gint64 t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

/* cli_parse_time - see cli.h */
gint64 cli_parse_time(const char *s)
{
	return q_parse_time(s);
}

static vigie_quarantine *q_open(const char *config, vigie_config **cfg_out)
{
	GError *err = NULL;
	vigie_config *c = vigie_config_load(config, &err);
	if (!c) {
		fprintf(stderr, "vigie: %s\n", err->message);
		g_error_free(err);
		return NULL;
	}
	vigie_quarantine *q = vigie_quarantine_open(vigie_config_get(c, "quarantine", "dir"), &err);
	if (!q) {
		fprintf(stderr, "vigie: %s\n", err->message);
		g_error_free(err);
		vigie_config_free(c);
		return NULL;
	}
	*cfg_out = c;
	return q;
}

/* q_list - the table (or JSON), newest first, with counts per category */
static int q_list(vigie_quarantine *q, int argc, char **argv)
{
	vigie_qfilter f = { 0 };
	bool json = false;
	guint limit = 50;
	const char *state = "new";
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--json")) { json = true; continue; }
		if (!v) { fprintf(stderr, "vigie quarantine list: %s needs a value\n", a); return CLI_EXIT_ERROR; }
		i++;
		if (!strcmp(a, "--channel")) f.channel = v;
		else if (!strcmp(a, "--action")) f.action = v;
		else if (!strcmp(a, "--category")) f.category = v;
		else if (!strcmp(a, "--rule")) f.rule = v;
		else if (!strcmp(a, "--from")) f.sender = v;
		else if (!strcmp(a, "--to")) f.recipient = v;
		else if (!strcmp(a, "--min-score")) f.min_score = atoi(v);
		else if (!strcmp(a, "--limit")) limit = (guint)atoi(v);
		else if (!strcmp(a, "--since") || !strcmp(a, "--until")) {
			gint64 t = q_parse_time(v);
			if (t < 0) {
				fprintf(stderr, "vigie quarantine list: %s '%s': expected a date (2026-11-27), an ISO time or an age (12h, 7d)\n", a, v);
				return CLI_EXIT_ERROR;
			}
			if (a[2] == 's') f.since = t; else f.until = t;
		} else if (!strcmp(a, "--state")) {
			state = !strcmp(v, "quarantined") ? "new" : v;
			if (strcmp(state, "new") && strcmp(state, "released") && strcmp(state, "deleted")) {
				fprintf(stderr, "vigie quarantine list: --state is quarantined, released or deleted\n");
				return CLI_EXIT_ERROR;
			}
		} else {
			fprintf(stderr, "vigie quarantine list: unknown option '%s'\n", a);
			return CLI_EXIT_ERROR;
		}
	}
	GError *err = NULL;
	guint skipped = 0;
	GPtrArray *items = vigie_quarantine_list(q, state, &f, limit, &skipped, &err);
	if (!items) {
		fprintf(stderr, "vigie: %s\n", err->message);
		g_error_free(err);
		return CLI_EXIT_ERROR;
	}
	GHashTable *cats = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (json)
		printf("[");
	else if (items->len)
		printf("%-33s  %-20s  %-4s  %-10s  %5s  %-28s  %-32s  %s\n", "ID", "TIME (UTC)", "CHAN",
		       "ACTION", "SCORE", "FROM", "SUBJECT", "CATEGORIES");
	for (guint i = 0; i < items->len; i++) {
		vigie_qitem *it = g_ptr_array_index(items, i);
		char **cl = g_strsplit(it->categories, ",", -1);
		for (char **c = cl; *c && **c; c++)
			g_hash_table_replace(cats, g_strdup(*c),
					     GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(cats, *c)) + 1));
		g_strfreev(cl);
		if (json) {
			printf("%s%s", i ? ",\n" : "\n", it->meta_json);
			continue;
		}
		char *when = g_strndup(it->time, 19);
		char *from = q_safe(it->sender, 28), *subj = q_safe(it->subject, 32);
		printf("%-33s  %-20s  %-4s  %-10s  %5d  %-28s  %-32s  %s\n", it->id, when, it->channel,
		       it->action, it->score, from, subj, it->categories);
		g_free(when);
		g_free(from);
		g_free(subj);
	}
	if (json) {
		printf("%s]\n", items->len ? "\n" : "");
	} else {
		printf("%u item%s", items->len, items->len == 1 ? "" : "s");
		GList *keys = g_list_sort(g_hash_table_get_keys(cats), (GCompareFunc)strcmp);
		for (GList *k = keys; k; k = k->next)
			printf("%s %s: %d", k == keys ? ";" : ",", (char *)k->data,
			       GPOINTER_TO_INT(g_hash_table_lookup(cats, k->data)));
		g_list_free(keys);
		printf("\n");
	}
	if (skipped)
		fprintf(stderr, "vigie: %u item(s) with unreadable metadata skipped\n", skipped);
	g_hash_table_unref(cats);
	g_ptr_array_unref(items);
	return CLI_EXIT_CLEAN;
}

/* q_show_value - one envelope or header line made safe; a value that
 * holds a link (a scheme's "://" or "www.": a From or Subject can carry a
 * URL too) is defanged as the text is, a plain address is left readable */
static void q_show_value(const char *label, const char *value)
{
	char *low = g_ascii_strdown(value, -1);
	bool link = strstr(low, "://") || strstr(low, "www.");
	g_free(low);
	char *d = link ? q_defang(value) : g_strdup(value), *s = q_safe(d, 0);
	printf("  %-14s %s\n", label, s);
	g_free(d);
	g_free(s);
}

/* q_show_member - envelope or header key of o, if it is there */
static void q_show_member(JsonObject *o, const char *key, const char *label)
{
	if (!o || !json_object_has_member(o, key))
		return;
	JsonNode *n = json_object_get_member(o, key);
	if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING) {
		q_show_value(label, json_node_get_string(n));
	} else if (JSON_NODE_HOLDS_ARRAY(n)) {
		JsonArray *a = json_node_get_array(n);
		for (guint i = 0; i < json_array_get_length(a); i++) {
			JsonNode *e = json_array_get_element(a, i);
			if (JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING)
				q_show_value(i ? "" : label, json_node_get_string(e));
		}
	}
}

/* q_show - envelope, headers, verdict with evidence, defanged text */
static int q_show(vigie_quarantine *q, int argc, char **argv)
{
	bool raw = false;
	const char *id = NULL;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--raw"))
			raw = true;
		else
			id = argv[i];
	}
	if (!id) {
		fprintf(stderr, "vigie quarantine show: which ID?\n");
		return CLI_EXIT_ERROR;
	}
	GError *err = NULL;
	vigie_qitem *it = vigie_quarantine_get(q, id, &err);
	GBytes *bytes = it ? vigie_quarantine_raw(q, it, &err) : NULL;
	if (!bytes) {
		fprintf(stderr, "vigie: %s\n", err->message);
		g_error_free(err);
		vigie_qitem_free(it);
		return CLI_EXIT_ERROR;
	}
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	if (raw) {
		fwrite(data, 1, len, stdout);
		g_bytes_unref(bytes);
		vigie_qitem_free(it);
		return CLI_EXIT_CLEAN;
	}
	JsonParser *p = json_parser_new();
	json_parser_load_from_data(p, it->meta_json, -1, NULL);
	JsonObject *o = json_node_get_object(json_parser_get_root(p));
	char *ch_s = q_safe(it->channel, 40), *time_s = q_safe(it->time, 40), *state_s = q_safe(it->state, 40);
	printf("Item %s  (%s, %s channel, %s)\n", it->id, it->folder[0] == 'n' ? "quarantined" : state_s,
	       ch_s, time_s);
	g_free(ch_s);
	g_free(time_s);
	g_free(state_s);
	printf("Envelope:\n");
	JsonObject *env = json_object_get_object_member(o, "envelope");
	static const char *const ek[][2] = { { "queue_id", "queue id" }, { "client_addr", "client" },
		{ "helo", "helo" }, { "mail_from", "mail from" }, { "rcpt_to", "rcpt to" },
		{ "platform", "platform" }, { "conversation", "conversation" },
		{ "author_id", "author id" }, { "author_name", "author name" } };
	for (size_t i = 0; i < G_N_ELEMENTS(ek); i++)
		q_show_member(env, ek[i][0], ek[i][1]);
	printf("Headers:\n");
	JsonObject *h = json_object_has_member(o, "headers") ? json_object_get_object_member(o, "headers") : NULL;
	static const char *const hk[] = { "From", "Reply-To", "To", "Subject", "Date", "Message-ID" };
	for (size_t i = 0; i < G_N_ELEMENTS(hk); i++)
		q_show_member(h, hk[i], hk[i]);
	printf("Verdict: %s, score %d\n", it->action, it->score);
	JsonObject *v = json_object_get_object_member(o, "verdict");
	JsonArray *fa = v && json_object_has_member(v, "findings") ? json_object_get_array_member(v, "findings") : NULL;
	for (guint i = 0; fa && i < json_array_get_length(fa); i++) {
		JsonObject *f = json_array_get_object_element(fa, i);
		const char *rule = json_object_get_string_member(f, "rule");
		const char *evidence = json_object_get_string_member(f, "evidence");
		/* links are defanged; signature names and phrases are not links */
		char *ev = g_str_has_prefix(rule, "url.") || strstr(evidence, "://") ? q_defang(evidence)
										       : g_strdup(evidence);
		char *evs = q_safe(ev, 0);
		char *where = q_safe(json_object_get_string_member(f, "where"), 0);
		printf("  %+4" G_GINT64_FORMAT "  %-36s %-18s \"%s\" in %s%s\n", json_object_get_int_member(f, "weight"),
		       json_object_get_string_member(f, "rule"), json_object_get_string_member(f, "category"), evs,
		       where, json_object_get_boolean_member(f, "decisive") ? " (decisive)" : "");
		g_free(ev);
		g_free(evs);
		g_free(where);
	}
	g_object_unref(p);
	vigie_message *m = !strcmp(it->channel, "mail") ? vigie_message_from_mime(data, len, NULL, NULL)
						       : vigie_message_from_chat_json(data, len, NULL);
	if (m) {
		for (guint i = 0; i < m->attachments->len; i++) {
			vigie_attachment *a = g_ptr_array_index(m->attachments, i);
			char *n = q_safe(a->name ? a->name : "(unnamed)", 60);
			printf("Attachment: %s (%s, sniffed %s, %zu bytes)\n", n, a->declared_type ? a->declared_type : "?",
			       a->sniffed_type ? a->sniffed_type : "?", a->data ? g_bytes_get_size(a->data) : (gsize)0);
			g_free(n);
		}
		for (guint i = 0; i < m->texts->len; i++) {
			vigie_text *t = g_ptr_array_index(m->texts, i);
			char *wh = q_safe(t->where, 0);
			printf("Text (%s, links defanged):\n", wh);
			g_free(wh);
			char *d = q_defang(t->text);
			char **lines = g_strsplit(d, "\n", 200);
			for (char **l = lines; *l; l++) {
				char *s = q_safe(*l, 0);
				printf("  | %s\n", s);
				g_free(s);
			}
			g_strfreev(lines);
			g_free(d);
			for (guint j = 0; j < t->links->len; j++) {
				vigie_link *l = g_ptr_array_index(t->links, j);
				char *href = q_defang(l->href), *hs = q_safe(href, 0), *ts = q_safe(l->text, 60);
				printf("  link: %s  [%s]\n", hs, ts);
				g_free(href);
				g_free(hs);
				g_free(ts);
			}
		}
		vigie_message_free(m);
	}
	g_bytes_unref(bytes);
	vigie_qitem_free(it);
	return CLI_EXIT_CLEAN;
}

/* q_unbracket - "<a@b>" -> "a@b", in place */
static void q_unbracket(char *s)
{
	g_strstrip(s);
	if (s[0] == '<') {
		memmove(s, s + 1, strlen(s));
		char *gt = strchr(s, '>');
		if (gt)
			*gt = '\0';
	}
}

/* q_deliver_mail - re-inject bytes with a release token to the original
 * recipients (or to); true only when the MTA accepted it and vigied
 * honoured the token (its delivery marker exists), so that a mail scanned
 * again and re-quarantined is not reported released; *why gets the MTA's
 * reply or the failure */
static bool q_deliver_mail(vigie_quarantine *q, const vigie_config *c, const char *id, JsonObject *env,
			   const char *to, GBytes *bytes, char **why)
{
	GError *err = NULL;
	char *from = g_strdup(json_object_has_member(env, "mail_from") && !json_object_get_null_member(env, "mail_from")
				      ? json_object_get_string_member(env, "mail_from") : "");
	q_unbracket(from);
	GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);
	if (to) {
		g_ptr_array_add(rcpts, g_strdup(to));
	} else if (json_object_has_member(env, "rcpt_to")) {
		JsonArray *a = json_object_get_array_member(env, "rcpt_to");
		for (guint i = 0; i < json_array_get_length(a); i++) {
			char *r = g_strdup(json_array_get_string_element(a, i));
			q_unbracket(r);
			g_ptr_array_add(rcpts, r);
		}
	}
	g_ptr_array_add(rcpts, NULL);
	char *reply = NULL, *header = NULL;
	bool ok = false;
	char *token = vigie_quarantine_release_token(q, id, bytes, (const char *const *)rcpts->pdata, &err);
	if (!token) {
		*why = g_strdup(err->message);
		goto out;
	}
	header = g_strdup_printf("X-Vigie-Release: %s", token);
	ok = smtp_send(vigie_config_get(c, "quarantine", "release_host"),
		       (int)vigie_config_get_int(c, "quarantine", "release_port"), from,
		       (const char *const *)rcpts->pdata, bytes, header, &reply, &err);
	*why = reply ? g_strdup(reply) : g_strdup(err ? err->message : "unknown error");
	if (ok && !vigie_quarantine_release_confirmed(q, token)) {
		/* the milter answers before the MTA does: no marker, no release */
		ok = false;
		g_free(*why);
		*why = g_strdup_printf("the MTA answered %s, but vigied did not honour the release token, "
				       "so the mail was scanned again (see vigied's log)",
				       reply ? reply : "2xx");
	}
out:
	g_clear_error(&err);
	g_free(header);
	g_free(reply);
	g_ptr_array_unref(rcpts);
	g_free(from);
	g_free(token);
	return ok;
}

/* q_chat_section - "[webhook.NAME]" of a chat item's source channel when it
 * has a downstream_url, else NULL with *why; caller g_free */
static char *q_chat_section(const vigie_config *c, JsonObject *env, char **why)
{
	const char *src = json_object_has_member(env, "source") && !json_object_get_null_member(env, "source")
				  ? json_object_get_string_member(env, "source") : NULL;
	if (!src || !*src) {
		*why = g_strdup("the item does not record which webhook channel it came from");
		return NULL;
	}
	char *sec = g_strconcat("webhook.", src, NULL);
	char **names = vigie_config_sections(c, "webhook");
	bool known = names && g_strv_contains((const char *const *)names, src);
	g_strfreev(names);
	if (!known)
		*why = g_strdup_printf("channel %s is no longer configured ([webhook.%s])", src, src);
	else if (!*vigie_config_get(c, sec, "downstream_url"))
		*why = g_strdup_printf("channel %s has no downstream_url to release to ([webhook.%s])", src, src);
	if (!known || *why) {
		g_free(sec);
		return NULL;
	}
	return sec;
}

/* q_deliver_chat - POST {"vigie": {...}, "message": <chat JSON>} to the
 * channel's downstream, signed like the webhook's gateway mode; true only
 * on a 2xx; *why gets the status or the failure */
static bool q_deliver_chat(const vigie_config *c, const char *sec, const vigie_qitem *it, JsonObject *env,
			   GBytes *bytes, char **why)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "channel");
	json_builder_add_string_value(b, sec + strlen("webhook."));
	json_builder_set_member_name(b, "platform");
	json_builder_add_string_value(b, json_object_has_member(env, "platform") && !json_object_get_null_member(env, "platform")
						 ? json_object_get_string_member(env, "platform") : "");
	json_builder_set_member_name(b, "action");
	json_builder_add_string_value(b, "release");
	json_builder_set_member_name(b, "score");
	json_builder_add_int_value(b, it->score);
	json_builder_set_member_name(b, "quarantine_id");
	json_builder_add_string_value(b, it->id);
	json_builder_set_member_name(b, "released_by");
	json_builder_add_string_value(b, q_who());
	json_builder_end_object(b);
	char *vigie = cli_json_text(b);
	gsize len;
	const char *raw = g_bytes_get_data(bytes, &len);
	char *body = g_strdup_printf("{\"vigie\":%s,\"message\":%.*s}", vigie, (int)len, raw);
	g_free(vigie);
	const char *url = vigie_config_get(c, sec, "downstream_url");
	long status = 0;
	GError *err = NULL;
	bool ok = vhttp_post_signed(url, vigie_config_get(c, sec, "downstream_secret"),
				    g_get_real_time() / G_USEC_PER_SEC, body,
				    vigie_config_get_int(c, "webhook", "forward_timeout"), &status, &err);
	*why = ok ? g_strdup_printf("downstream of channel %s: HTTP %ld", sec + strlen("webhook."), status)
		  : g_strdup_printf("downstream of channel %s: %s", sec + strlen("webhook."), err->message);
	g_clear_error(&err);
	g_free(body);
	return ok;
}

/* q_release_one - claim, deliver (mail: re-inject with a release token;
 * chat: the channel's downstream), then finish or undo */
static bool q_release_one(vigie_quarantine *q, const vigie_config *c, const char *config, const char *id,
			  const char *to)
{
	GError *err = NULL;
	char *sec = NULL, *why = NULL;
	JsonParser *p = NULL;
	JsonObject *env = NULL;
	vigie_qitem *it = vigie_quarantine_get(q, id, &err);
	if (it) {
		p = json_parser_new();
		if (json_parser_load_from_data(p, it->meta_json, -1, NULL) &&
		    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
			JsonObject *o = json_node_get_object(json_parser_get_root(p));
			if (json_object_has_member(o, "envelope"))
				env = json_object_get_object_member(o, "envelope");
		}
		if (!env)
			why = g_strdup("its metadata has no envelope");
		else if (strcmp(it->channel, "mail") && to)
			why = g_strdup("--to applies to mail items; a chat item goes to its channel's downstream");
		else if (strcmp(it->channel, "mail"))
			sec = q_chat_section(c, env, &why);
		if (why)
			g_set_error(&err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "cannot release: %s", why);
	}
	if (err || !vigie_quarantine_claim(q, id, &err)) {
		fprintf(stderr, "vigie: release %s: %s\n", id, err->message);
		vigie_quarantine_audit(q, q_who(), "release", vigie_quarantine_valid_id(id) ? id : "-", err->message);
		g_error_free(err);
		g_free(why);
		g_free(sec);
		if (p)
			g_object_unref(p);
		vigie_qitem_free(it);
		return false;
	}
	g_free(it->folder);
	it->folder = g_strdup("released");
	GBytes *bytes = vigie_quarantine_raw(q, it, &err);
	bool ok = false;
	if (!bytes)
		why = g_strdup(err->message);
	else if (sec)
		ok = q_deliver_chat(c, sec, it, env, bytes, &why);
	else
		ok = q_deliver_mail(q, c, id, env, to, bytes, &why);
	g_clear_error(&err);
	const char *dest = sec ? " to channel " : to ? " to " : "";
	const char *dest_name = sec ? sec + strlen("webhook.") : to ? to : "";
	if (ok && vigie_quarantine_finish_release(q, id, why, &err)) {
		printf("%s: released%s%s (%s%s)\n", id, dest, dest_name, sec ? "" : "MTA: ", why);
		char *result = g_strdup_printf("released%s%s: %s", dest, dest_name, why);
		vigie_quarantine_audit(q, q_who(), "release", id, result);
		g_free(result);
		/* a release is the analyst's word that it was a false positive */
		char *nope = NULL;
		if (cli_learn_item(config, it->channel, bytes, false, id, &nope)) {
			vigie_quarantine_audit(q, q_who(), "learn", id, "false positive: remembered");
		} else {
			fprintf(stderr, "vigie: release %s: not remembered as a false positive: %s\n", id, nope);
			char *res = g_strdup_printf("false positive not remembered: %s", nope);
			vigie_quarantine_audit(q, q_who(), "learn", id, res);
			g_free(res);
		}
		g_free(nope);
	} else {
		if (err) {
			char *w = g_strdup_printf("%s; %s", why, err->message);
			g_free(why);
			why = w;
		}
		vigie_quarantine_undo_claim(q, id);
		fprintf(stderr, "vigie: release %s refused, item stays quarantined: %s\n", id, why);
		char *result = g_strdup_printf("refused: %s", why);
		vigie_quarantine_audit(q, q_who(), "release", id, result);
		g_free(result);
		ok = false;
	}
	g_clear_error(&err);
	g_free(why);
	g_free(sec);
	g_object_unref(p);
	if (bytes)
		g_bytes_unref(bytes);
	vigie_qitem_free(it);
	return ok;
}

/* cli_quarantine - "vigie quarantine SUBCOMMAND ..." */
int cli_quarantine(const char *config, int argc, char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "usage: vigie quarantine list|show|release|delete|purge ...\n");
		return CLI_EXIT_ERROR;
	}
	vigie_config *c = NULL;
	if (!vigie_global_init(NULL))
		return CLI_EXIT_ERROR;
	vigie_quarantine *q = q_open(config, &c);
	if (!q)
		return CLI_EXIT_ERROR;
	const char *cmd = argv[0];
	int rc = CLI_EXIT_CLEAN;
	if (!strcmp(cmd, "list")) {
		rc = q_list(q, argc - 1, argv + 1);
	} else if (!strcmp(cmd, "show")) {
		rc = q_show(q, argc - 1, argv + 1);
	} else if (!strcmp(cmd, "release")) {
		const char *to = NULL;
		GPtrArray *ids = g_ptr_array_new();
		for (int i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "--to") && i + 1 < argc)
				to = argv[++i];
			else
				g_ptr_array_add(ids, argv[i]);
		}
		if (!ids->len) {
			fprintf(stderr, "vigie quarantine release: which ID?\n");
			rc = CLI_EXIT_ERROR;
		}
		GError *err = NULL;
		if (ids->len && !vhttp_global_init(&err)) { /* chat releases use libcurl */
			fprintf(stderr, "vigie: %s\n", err->message);
			g_error_free(err);
			rc = CLI_EXIT_ERROR;
		} else if (ids->len) {
			for (guint i = 0; i < ids->len; i++)
				if (!q_release_one(q, c, config, g_ptr_array_index(ids, i), to))
					rc = CLI_EXIT_ERROR;
			vhttp_global_cleanup();
			cli_learn_done();
		}
		g_ptr_array_unref(ids);
	} else if (!strcmp(cmd, "confirm")) {
		rc = cli_quarantine_confirm(q, config, q_who(), argc - 1, argv + 1);
	} else if (!strcmp(cmd, "delete")) {
		if (argc < 2) {
			fprintf(stderr, "vigie quarantine delete: which ID?\n");
			rc = CLI_EXIT_ERROR;
		}
		for (int i = 1; i < argc; i++) {
			GError *err = NULL;
			if (vigie_quarantine_delete(q, argv[i], &err)) {
				printf("%s: deleted\n", argv[i]);
				vigie_quarantine_audit(q, q_who(), "delete", argv[i], "deleted");
			} else {
				fprintf(stderr, "vigie: delete %s\n", err->message);
				vigie_quarantine_audit(q, q_who(), "delete", vigie_quarantine_valid_id(argv[i]) ? argv[i] : "-", err->message);
				g_error_free(err);
				rc = CLI_EXIT_ERROR;
			}
		}
	} else if (!strcmp(cmd, "purge")) {
		gint64 age = argc == 3 && !strcmp(argv[1], "--older-than") ? q_parse_age(argv[2]) : -1;
		if (age < 0) {
			fprintf(stderr, "usage: vigie quarantine purge --older-than AGE   (e.g. 30d, 12h)\n");
			rc = CLI_EXIT_ERROR;
		} else {
			guint n = vigie_quarantine_purge(q, age);
			printf("%u item(s) purged\n", n);
			char *res = g_strdup_printf("purged %u older than %s", n, argv[2]);
			vigie_quarantine_audit(q, q_who(), "purge", "-", res);
			g_free(res);
		}
	} else {
		fprintf(stderr, "vigie quarantine: unknown subcommand '%s' (list, show, release, confirm, delete, purge)\n", cmd);
		rc = CLI_EXIT_ERROR;
	}
	vigie_quarantine_close(q);
	vigie_config_free(c);
	return rc;
}
