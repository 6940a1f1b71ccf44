/* sender_scan.c - the sender analyser's checks on one mail
 *
 * Who the mail says it is from, against where it really comes from:
 *   - the From display name claims a brand, a protected organisation or an
 *     executive while the address is outside the protected domains
 *     (free-mail domains never count as protected, even when a brand owns
 *     them: gmail.com is Google's, but anyone has an address there), or
 *     claims one of its internal departments (roles.txt: "HR", "Service
 *     informatique"; not from a platform's authenticated no-reply address),
 *     shows an address of another domain than the real one, or spells a
 *     word with letters of several scripts (Latin with Cyrillic or Greek
 *     lookalikes: "Lеԁgеr"), which no real name does;
 *   - the From or Reply-To domain imitates a protected domain or brand
 *     (the URL analyser's lookalike check);
 *   - Reply-To at another registrable domain than From. Mailing lists do
 *     this all day, so alone it weighs little; Reply-To at a free-mail
 *     provider while From is a protected domain or the display name claims
 *     a brand or executive is the strong form;
 *   - Return-Path or the envelope sender at another registrable domain:
 *     what every mailing list, ESP and bounce-handling sender does, so it
 *     is reported for context and weighs nothing by default;
 *   - SPF, DKIM or DMARC failures in a trusted Authentication-Results.
 *
 * Which Authentication-Results to believe: any sender can write the header,
 * so only the receiving MTA's own count. With [sender] authserv_id set,
 * the first block of consecutive headers naming one of those ids is read
 * (headers of other ids above it, added downstream of our MTA, are
 * skipped); it ends at the first header naming another id or none: below
 * that, even a header with our id was there before our MTA saw the mail
 * (RFC 8601 s5 asks the MTA to remove those; we do not rely on it). With
 * authserv_id
 * empty, only the topmost Authentication-Results is read, whatever its id:
 * the MTA that delivers to us writes on top. DKIM fails only when no DKIM
 * signature passed (lists break the author's signature and add their own).
 *
 * Weights and categories come from sender-weights.conf; each rule reports
 * at most once per message.
 *
 * SECURITY: every header is the sender's. They are parsed with bounded
 * parsers (sender_address.c, sender_auth.c), at most SENDER_MAX_AUTH
 * Authentication-Results are looked at, and values are only compared and
 * quoted (sanitised, cut) in evidence, never resolved or fetched.
 */
#include "sender.h"
#include "url.h"

#include <string.h>

#define SENDER_MAX_AUTH 20
#define SENDER_QUOTE 100

typedef struct {
	const sender_engine *s;
	const url_engine *u;
	const vigie_message *m;
	vigie_verdict *v;
	bool fired[SENDER_R_COUNT];
} sender_ctx;

/* sender_quote - at most SENDER_QUOTE characters of value, controls as
 * spaces; caller g_free */
static char *sender_quote(const char *value)
{
	char *safe = utf8_sanitize(value ? value : "", -1);
	for (char *c = safe; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	if (g_utf8_strlen(safe, -1) > SENDER_QUOTE) {
		char *cut = g_utf8_substring(safe, 0, SENDER_QUOTE);
		g_free(safe);
		safe = g_strconcat(cut, "…", NULL);
		g_free(cut);
	}
	return safe;
}

/* sender_report - one finding: the header value quoted, then why */
static void sender_report(sender_ctx *x, sender_rule r, const char *value, const char *why,
			  const char *where)
{
	if (x->fired[r])
		return;
	char *q = sender_quote(value);
	char *evidence = g_strdup_printf("\"%s\": %s", q, why);
	verdict_add_finding(x->v, sender_rule_ids[r], x->s->category[r], x->s->weight[r], evidence,
			    where);
	x->fired[r] = true;
	g_free(evidence);
	g_free(q);
}

/* sender_key - what two domains are compared by: the registrable domain,
 * else the lower-case domain itself; caller g_free */
static char *sender_key(const char *domain)
{
	char *r = url_registrable_domain(domain);
	return r ? r : g_ascii_strdown(domain, -1);
}

/* sender_protected - a protected domain that is not a free-mail one */
static bool sender_protected(const sender_ctx *x, const char *domain)
{
	return domain && url_is_protected(x->u, domain) && !sender_is_freemail(x->s, domain);
}

/* sender_own_name - the registrable label of key spells name: a brand
 * writing from its own free-mail domain ("SFR" <x@sfr.fr>) */
static bool sender_own_name(const char *key, const char *name)
{
	const char *suffix = key ? url_normalise_suffix_of(key) : NULL;
	if (!suffix || suffix <= key + 1)
		return false;
	GString *label = g_string_new(NULL), *flat = g_string_new(NULL);
	for (const char *c = key; c < suffix - 1; c++)
		if (*c != '-')
			g_string_append_c(label, *c);
	for (const char *c = name; *c; c++)
		if (*c != '-')
			g_string_append_c(flat, *c);
	bool r = label->len && strcmp(label->str, flat->str) == 0;
	g_string_free(label, TRUE);
	g_string_free(flat, TRUE);
	return r;
}

/* sender_named_owner - the sender writes from the organisation's own
 * domain, or from a domain listed for a brand the display name names
 * ("X via DocuSign" <dse@docusign.net>): a brand claimed from another
 * brand's domain ("DocuSign" <info@tenant.onmicrosoft.com>, a tenant
 * anyone may open) is not its own */
static bool sender_named_owner(const sender_ctx *x, const char *key, char **words)
{
	if (!key)
		return false;
	if (g_hash_table_contains(x->s->org_domains, key))
		return true;
	for (int i = 0; x->s->own_domains && x->s->own_domains[i]; i++)
		if (strcmp(key, x->s->own_domains[i]) == 0)
			return true;
	GPtrArray *names = g_hash_table_lookup(x->s->owners, key);
	for (guint i = 0; names && i < names->len; i++)
		if (sender_names_spells(words, g_ptr_array_index(names, i)))
			return true;
	return false;
}

/* sender_noreply - an address a platform sends notifications from */
static bool sender_noreply(const char *address)
{
	static const char *const prefixes[] = {"no-reply", "noreply", "no_reply", "do-not-reply",
					       "donotreply", "notification", "notify", NULL};
	for (int i = 0; address && prefixes[i]; i++)
		if (g_ascii_strncasecmp(address, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* sender_check_display - the display name of From; returns the brand or
 * executive it claims (owned by the engine), or NULL */
static const char *sender_check_display(sender_ctx *x, const sender_address *from,
					const char *value, const char *from_key,
					bool from_protected)
{
	char **words = sender_names_words(from->display);
	const char *brand = sender_names_brand(x->s, words);
	const sender_executive *exec = sender_names_executive(x->s, words);
	const char *at = from->domain ? from->domain : "no domain";
	bool own = from_protected ? sender_named_owner(x, from_key, words)
				  : sender_own_name(from_key, brand ? brand : "");
	if (brand && x->u && !own) {
		char *why = from_protected
				? g_strdup_printf("the display name claims %s but the address is at "
						  "%s, a domain of another brand",
						  brand, at)
				: g_strdup_printf("the display name claims %s but the address is at "
						  "%s, not a protected domain",
						  brand, at);
		sender_report(x, SENDER_R_DISPLAY_BRAND, value, why, "From");
		g_free(why);
	}
	char *role = sender_names_role(x->s, words);
	/* a platform notifying on someone's behalf ("Marc Durand via
	 * SharePoint", an outsourced service desk): its own authenticated
	 * no-reply address, not free mail; asked only of a name that claims */
	bool platform = (exec || role) && from->domain && !sender_is_freemail(x->s, from->domain) &&
			sender_noreply(from->address) && sender_from_authenticated(x->s, x->m, NULL);
	if (exec && !from_protected && x->u && !platform) {
		char *why = g_strdup_printf("the display name is the executive %s but the address "
					    "is at %s, outside the protected domains",
					    exec->name, at);
		sender_report(x, SENDER_R_DISPLAY_EXECUTIVE, value, why, "From");
		g_free(why);
	}
	/* an internal department ("HR Department", "Service informatique")
	 * writing from outside: the payroll and mailbox lures */
	if (role && !from_protected && x->u && !platform) {
		char *why = g_strdup_printf("the display name claims the internal department '%s' "
					    "but the address is at %s, outside the protected domains",
					    role, at);
		sender_report(x, SENDER_R_DISPLAY_ROLE, value, why, "From");
		g_free(why);
	}
	g_free(role);
	/* a word of the display name mixing scripts ("Lеԁgеr" with Cyrillic
	 * letters): written to pass for a name, never a real person's */
	if (url_mixed_script_words(x->u, from->display))
		sender_report(x, SENDER_R_DISPLAY_MIXED_SCRIPT, value,
			      "a word of the display name mixes scripts (lookalike letters)",
			      "From");
	/* an address shown in the display name, of another domain */
	const char *a = strchr(from->display, '@');
	if (a && from_key) {
		const char *end = a + 1;
		while (*end && (g_ascii_isalnum(*end) || *end == '.' || *end == '-'))
			end++;
		while (end > a + 1 && end[-1] == '.')
			end--;
		char *shown = g_strndup(a + 1, (gsize)(end - a - 1));
		char *key = strchr(shown, '.') ? sender_key(shown) : NULL;
		if (key && strcmp(key, from_key) != 0) {
			char *why = g_strdup_printf("the display name shows an address at %s but "
						    "the mail is from %s",
						    shown, from->domain);
			sender_report(x, SENDER_R_DISPLAY_ADDRESS, value, why, "From");
			g_free(why);
		}
		g_free(key);
		g_free(shown);
	}
	g_strfreev(words);
	return brand ? brand : exec ? exec->name : NULL;
}

/* sender_check_lookalike - domain imitates a protected one */
static void sender_check_lookalike(sender_ctx *x, const char *domain, const char *value,
				   const char *where)
{
	if (!x->u || sender_is_freemail(x->s, domain))
		return;
	char *why = NULL;
	const char *name = url_lookalike(x->u, domain, &why);
	if (name) {
		char *w = g_strdup_printf("%s imitates %s: %s", domain, name, why ? why : "");
		sender_report(x, SENDER_R_LOOKALIKE, value, w, where);
		g_free(w);
	}
	g_free(why);
}

/* sender_check_reply_to - Reply-To against From */
static void sender_check_reply_to(sender_ctx *x, const vigie_message *m, const sender_address *from,
				  const char *from_key, bool from_protected, const char *claim)
{
	const char *value = vigie_message_header(m, "Reply-To");
	sender_address *rt = value ? sender_address_parse(value) : NULL;
	char *key = rt && rt->domain ? sender_key(rt->domain) : NULL;
	if (!key || !from_key || strcmp(key, from_key) == 0)
		goto out;
	sender_check_lookalike(x, rt->domain, value, "Reply-To");
	bool free_rt = sender_is_freemail(x->s, rt->domain);
	char *why;
	if (free_rt && (from_protected || claim)) {
		why = g_strdup_printf("replies go to the free-mail domain %s while the mail "
				      "claims to be from %s",
				      key, claim ? claim : from->domain);
		sender_report(x, SENDER_R_REPLY_TO_FREEMAIL_BRAND, value, why, "Reply-To");
	} else if (free_rt && !sender_is_freemail(x->s, from->domain)) {
		why = g_strdup_printf("replies go to the free-mail domain %s, the mail is from %s",
				      key, from_key);
		sender_report(x, SENDER_R_REPLY_TO_FREEMAIL, value, why, "Reply-To");
	} else {
		why = g_strdup_printf("replies go to %s, the mail is from %s", key, from_key);
		sender_report(x, SENDER_R_REPLY_TO_MISMATCH, value, why, "Reply-To");
	}
	g_free(why);
out:
	g_free(key);
	sender_address_free(rt);
}

/* sender_check_bounce - Return-Path and envelope sender against From */
static void sender_check_bounce(sender_ctx *x, const vigie_message *m, const char *from_key)
{
	const char *values[2] = {vigie_message_header(m, "Return-Path"), m->env.mail_from};
	static const char *const wheres[2] = {"Return-Path", "envelope sender"};
	for (int i = 0; from_key && i < 2 && !x->fired[SENDER_R_RETURN_PATH_MISMATCH]; i++) {
		sender_address *a = values[i] ? sender_address_parse(values[i]) : NULL;
		char *key = a && a->domain ? sender_key(a->domain) : NULL;
		if (key && strcmp(key, from_key) != 0) {
			char *why =
			    g_strdup_printf("bounces go to %s, the mail is from %s", key, from_key);
			sender_report(x, SENDER_R_RETURN_PATH_MISMATCH, values[i], why, wheres[i]);
			g_free(why);
		}
		g_free(key);
		sender_address_free(a);
	}
}

/* sender_trusted_auth - the Authentication-Results our MTA wrote, parsed
 * (see the top of this file); caller g_ptr_array_unref */
static GPtrArray *sender_trusted_auth(const sender_engine *s, const vigie_message *m)
{
	const char *const *ids = (const char *const *)s->authserv_ids;
	GPtrArray *trusted = g_ptr_array_new_with_free_func((GDestroyNotify)sender_auth_free);
	guint seen = 0;
	for (guint i = 0; i < m->headers->len && seen < SENDER_MAX_AUTH; i++) {
		const vigie_header *h = g_ptr_array_index(m->headers, i);
		if (!h->name || g_ascii_strcasecmp(h->name, "Authentication-Results") != 0)
			continue;
		seen++;
		sender_auth *a = sender_auth_parse(h->value);
		bool trust =
		    ids[0] ? a->authserv_id && g_strv_contains(ids, a->authserv_id) : seen == 1;
		if (!trust) {
			/* below our block: written before our MTA saw the mail */
			bool below = trusted->len > 0;
			sender_auth_free(a);
			if (below || !ids[0])
				break;
			continue;
		}
		g_ptr_array_add(trusted, a);
	}
	return trusted;
}

/* sender_chat_names - the executive the words of display name: the
 * words are only split (sender_names_words) when every word of some
 * executive occurs in the normalised text, as each of them must then
 * (a word is a run of the normalised text); most texts name nobody */
static const sender_executive *sender_chat_names(const sender_engine *s, const char *display)
{
	char *norm = textnorm_string(display);
	bool maybe = false;
	for (guint i = 0; !maybe && i < s->executives->len; i++) {
		const sender_executive *x = g_ptr_array_index(s->executives, i);
		maybe = true;
		for (guint k = 0; maybe && x->words[k]; k++)
			maybe = strstr(norm, x->words[k]) != NULL;
	}
	g_free(norm);
	if (!maybe)
		return NULL;
	char **w = sender_names_words(display);
	const sender_executive *x = sender_names_executive(s, w);
	g_strfreev(w);
	return x;
}

/* sender_chat_executive - see internal.h */
void sender_chat_executive(const sender_engine *s, const vigie_message *m, int weight, vigie_verdict *v)
{
	if (m->channel != VIGIE_CHANNEL_CHAT || weight == 0)
		return;
	const sender_executive *x = NULL;
	const char *where = "author";
	if (m->env.author_name)
		x = sender_chat_names(s, m->env.author_name);
	/* "Bonjour, Claire Dubois." "Hi, this is Claire Dubois": the opening
	 * words of the first text */
	if (!x && m->texts->len) {
		const vigie_text *t = g_ptr_array_index(m->texts, 0);
		/* its first 80 characters (not a count of the whole text's) */
		const char *stop = t->text;
		for (int k = 0; k < 80 && *stop; k++)
			stop = g_utf8_next_char(stop);
		char *head = g_strndup(t->text, (gsize)(stop - t->text));
		x = sender_chat_names(s, head);
		g_free(head);
		where = "text";
	}
	if (!x)
		return;
	char *ev = g_strdup_printf("an outside chat account names the executive %s", x->name);
	verdict_add_finding(v, "sender.chat-executive", "impersonation", weight, ev, where);
	g_free(ev);
}

/* sender_from_domain - see internal.h */
char *sender_from_domain(const vigie_message *m)
{
	const char *v = vigie_message_header(m, "From");
	sender_address *a = v ? sender_address_parse(v) : NULL;
	char *d = a && a->domain ? g_strdup(a->domain) : NULL;
	sender_address_free(a);
	return d;
}

/* sender_from_authenticated - see internal.h */
bool sender_from_authenticated(const sender_engine *s, const vigie_message *m, bool *own)
{
	if (own)
		*own = false;
	if (m->channel != VIGIE_CHANNEL_MAIL)
		return false;
	const char *from_value = vigie_message_header(m, "From");
	sender_address *from = from_value ? sender_address_parse(from_value) : NULL;
	if (!from || !from->domain) {
		sender_address_free(from);
		return false;
	}
	char *key = sender_key(from->domain);
	GPtrArray *trusted = sender_trusted_auth(s, m);
	bool ok = false;
	for (guint i = 0; !ok && i < trusted->len; i++) {
		const sender_auth *a = g_ptr_array_index(trusted, i);
		for (guint j = 0; !ok && j < a->results->len; j++) {
			const sender_authres *r = g_ptr_array_index(a->results, j);
			if (strcmp(r->result, "pass") != 0)
				continue;
			if (strcmp(r->method, "dmarc") == 0) {
				/* header.from, when written, must be the From domain */
				const char *hf = r->text ? strstr(r->text, "header.from=") : NULL;
				ok = !hf || g_ascii_strncasecmp(hf + 12, from->domain, strlen(from->domain)) == 0;
			} else if (strcmp(r->method, "dkim") == 0 && r->text) {
				const char *d = strstr(r->text, "header.d=");
				if (d) {
					d += 9;
					gsize n = strcspn(d, " \t;)");
					char *dom = g_ascii_strdown(d, (gssize)n);
					char *dkey = sender_key(dom);
					ok = strcmp(dkey, key) == 0;
					g_free(dkey);
					g_free(dom);
				}
			}
		}
	}
	g_ptr_array_unref(trusted);
	if (ok && own)
		for (int i = 0; s->own_domains && s->own_domains[i]; i++)
			if (strcmp(key, s->own_domains[i]) == 0 ||
			    g_ascii_strcasecmp(from->domain, s->own_domains[i]) == 0)
				*own = true;
	g_free(key);
	sender_address_free(from);
	return ok;
}

/* sender_check_auth - failures in the trusted Authentication-Results */
static void sender_check_auth(sender_ctx *x, const vigie_message *m)
{
	GPtrArray *trusted = sender_trusted_auth(x->s, m);
	const sender_authres *spf = NULL, *dkim_fail = NULL, *dmarc = NULL;
	bool dkim_pass = false;
	for (guint i = 0; i < trusted->len; i++) {
		const sender_auth *a = g_ptr_array_index(trusted, i);
		for (guint j = 0; j < a->results->len; j++) {
			const sender_authres *r = g_ptr_array_index(a->results, j);
			if (strcmp(r->method, "spf") == 0 && !spf)
				spf = r;
			else if (strcmp(r->method, "dmarc") == 0 && !dmarc)
				dmarc = r;
			else if (strcmp(r->method, "dkim") == 0) {
				dkim_pass |= strcmp(r->result, "pass") == 0;
				if (!dkim_fail && strcmp(r->result, "fail") == 0)
					dkim_fail = r;
			}
		}
	}
	if (dmarc && strcmp(dmarc->result, "fail") == 0)
		sender_report(x, SENDER_R_AUTH_DMARC, dmarc->text,
			      "the receiving MTA found DMARC failing", "Authentication-Results");
	if (dkim_fail && !dkim_pass)
		sender_report(x, SENDER_R_AUTH_DKIM, dkim_fail->text,
			      "the receiving MTA found the DKIM signature failing",
			      "Authentication-Results");
	if (spf && strcmp(spf->result, "fail") == 0)
		sender_report(x, SENDER_R_AUTH_SPF, spf->text,
			      "the receiving MTA found SPF failing", "Authentication-Results");
	else if (spf && strcmp(spf->result, "softfail") == 0)
		sender_report(x, SENDER_R_AUTH_SPF_SOFT, spf->text,
			      "the receiving MTA found SPF soft-failing", "Authentication-Results");
	g_ptr_array_unref(trusted);
}

/* sender_scan - see internal.h */
bool sender_scan(const sender_engine *s, const url_engine *u, const vigie_message *m,
		 vigie_verdict *v, GError **err)
{
	(void)err;
	if (m->channel != VIGIE_CHANNEL_MAIL)
		return true;
	sender_ctx x = {s, u, m, v, {0}};
	const char *from_value = vigie_message_header(m, "From");
	sender_address *from = from_value ? sender_address_parse(from_value) : NULL;
	char *from_key = from && from->domain ? sender_key(from->domain) : NULL;
	bool from_protected = from && sender_protected(&x, from->domain);
	const char *claim = NULL;
	if (from) {
		claim = sender_check_display(&x, from, from_value, from_key, from_protected);
		if (from->domain)
			sender_check_lookalike(&x, from->domain, from_value, "From");
		sender_check_reply_to(&x, m, from, from_key, from_protected, claim);
	}
	sender_check_bounce(&x, m, from_key);
	sender_check_auth(&x, m);
	g_free(from_key);
	sender_address_free(from);
	return true;
}
