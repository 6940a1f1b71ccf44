/* sender_address.c - the first mailbox of an address header (From,
 * Reply-To, Return-Path, the envelope sender)
 *
 * Reads RFC 5322 mailboxes as mail really writes them: "Name <a@b>",
 * "\"Name, Inc.\" <a@b>", "a@b (Name)", "<a@b>", a bare "a@b", the null
 * sender "<>", a group "list: a@b;" and obsolete source routes
 * "<@relay:a@b>". The header value has already been unfolded and its
 * RFC 2047 words decoded by the MIME parser.
 *
 * SECURITY: the value is the sender's. Only its first SENDER_MAX_HEADER
 * bytes are read, in one pass with bounded comment nesting; nothing is
 * resolved. Unbalanced quotes, brackets or comments end the mailbox where
 * the value ends.
 */
#include "sender.h"

#include <string.h>

#define SENDER_MAX_COMMENT_DEPTH 8

/* sender_address_clean - trimmed, white space collapsed, outer single
 * quotes dropped; caller g_free */
static char *sender_address_clean(const char *s)
{
	GString *o = g_string_new(NULL);
	bool space = false;
	for (; *s; s++) {
		if (g_ascii_isspace(*s)) {
			space = o->len > 0;
			continue;
		}
		if (space)
			g_string_append_c(o, ' ');
		space = false;
		g_string_append_c(o, *s);
	}
	while (o->len >= 2 && o->str[0] == '\'' && o->str[o->len - 1] == '\'') {
		g_string_truncate(o, o->len - 1);
		g_string_erase(o, 0, 1);
	}
	return g_string_free(o, FALSE);
}

/* sender_address_spec - addr-spec without white space and source route */
static char *sender_address_spec(const char *s)
{
	GString *o = g_string_new(NULL);
	for (; *s; s++)
		if (!g_ascii_isspace(*s) && *s != '"' && *s != '<' && *s != '>')
			g_string_append_c(o, *s);
	if (o->str[0] == '@') {
		const char *colon = strchr(o->str, ':');
		g_string_erase(o, 0, colon ? (gssize)(colon - o->str + 1) : (gssize)o->len);
	}
	return g_string_free(o, FALSE);
}

/* sender_address_domain - lower-case domain of an addr-spec, or NULL */
static char *sender_address_domain(const char *spec)
{
	const char *at = strrchr(spec, '@');
	if (!at || !at[1])
		return NULL;
	char *d = g_utf8_strdown(at + 1, -1);
	gsize n = strlen(d);
	while (n && d[n - 1] == '.')
		d[--n] = '\0';
	if (!*d) {
		g_free(d);
		return NULL;
	}
	return d;
}

/* sender_address_parse - see sender.h */
sender_address *sender_address_parse(const char *value)
{
	if (!value)
		return NULL;
	gsize len = strnlen(value, SENDER_MAX_HEADER);
	GString *text = g_string_new(NULL);    /* outside <> and comments */
	GString *comment = g_string_new(NULL); /* the first comment */
	GString *angle = NULL;		       /* inside <> */
	bool quoted = false, angle_done = false, comment_done = false;
	int depth = 0;
	for (gsize i = 0; i < len; i++) {
		char c = value[i];
		if (depth > 0) {
			if (c == '\\' && i + 1 < len)
				c = value[++i];
			else if (c == '(' && depth < SENDER_MAX_COMMENT_DEPTH) {
				depth++;
			} else if (c == ')') {
				if (--depth == 0)
					comment_done = comment->len > 0;
				continue;
			}
			if (!comment_done && depth > 0)
				g_string_append_c(comment, c);
			continue;
		}
		if (quoted) {
			if (c == '\\' && i + 1 < len)
				c = value[++i];
			else if (c == '"') {
				quoted = false;
				continue;
			}
			g_string_append_c(angle && !angle_done ? angle : text, c);
			continue;
		}
		if (c == '"') {
			quoted = true;
		} else if (c == '(') {
			depth = 1;
		} else if (angle && !angle_done) {
			if (c == '>')
				angle_done = true;
			else
				g_string_append_c(angle, c);
		} else if (c == '<' && !angle) {
			angle = g_string_new(NULL);
		} else if (c == ',' && (angle_done || strchr(text->str, '@'))) {
			break; /* the end of the first mailbox */
		} else if (c == ':' && !angle && !strchr(text->str, '@')) {
			g_string_truncate(text, 0); /* a group's name */
		} else if (c == ';' && !angle) {
			if (strchr(text->str, '@'))
				break;
			g_string_truncate(text, 0);
		} else if (!angle_done) {
			g_string_append_c(text, c);
		}
	}
	sender_address *a = NULL;
	char *spec = NULL, *display = NULL;
	if (angle) {
		spec = sender_address_spec(angle->str);
		display = sender_address_clean(text->str);
	} else if (!quoted) {
		char *t = sender_address_clean(text->str);
		/* a bare address: the word carrying '@' */
		char **words = g_strsplit(t, " ", -1);
		for (int i = 0; words[i] && !spec; i++)
			if (strchr(words[i], '@'))
				spec = sender_address_spec(words[i]);
		g_strfreev(words);
		g_free(t);
		display = sender_address_clean(comment->str);
	}
	if (spec && (angle || *spec)) {
		a = g_new0(sender_address, 1);
		a->display = utf8_sanitize(display, -1);
		a->address = utf8_sanitize(spec, -1);
		a->domain = sender_address_domain(a->address);
	}
	g_free(display);
	g_free(spec);
	if (angle)
		g_string_free(angle, TRUE);
	g_string_free(comment, TRUE);
	g_string_free(text, TRUE);
	return a;
}

/* sender_address_free - NULL is a no-op */
void sender_address_free(sender_address *a)
{
	if (!a)
		return;
	g_free(a->display);
	g_free(a->address);
	g_free(a->domain);
	g_free(a);
}
