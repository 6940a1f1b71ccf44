/* html.c - reduce an HTML body to what a reader sees: its visible text and
 * every link it carries, for the text and URL analysers.
 *
 * SECURITY: the input is sender-controlled and trusted for nothing. It may be
 * invalid UTF-8, contain NUL bytes, be many megabytes long or nest elements
 * a hundred thousand deep. What this file trusts is the gumbo HTML5 parser
 * (it decodes entities, so hrefs are kept exactly as gumbo gives them) and
 * utf8_sanitize(). Everything else is bounded here:
 *
 *  - only the first HTML_MAX_INPUT bytes are read; they are made valid UTF-8
 *    without NUL bytes before gumbo sees them, and character references
 *    gumbo would decode to a NUL byte are rewritten;
 *  - gumbo's tree builder costs time in proportion to the depth of its stack
 *    of open elements for every tag (and re-opens formatting elements on
 *    every insertion), and frees its tree recursively. html_canon() therefore
 *    rewrites the markup first, with its own tokenizer, so that no more than
 *    HTML_MAX_DEPTH elements (HTML_MAX_FMT formatting ones) are open at once
 *    and every element is closed explicitly and in order (gumbo 0.10.1 also
 *    asserts on some SVG/MathML and <select> mixtures: these are closed
 *    explicitly too). Tags it has to drop are never ones that can carry a
 *    link. Where its tokenizer and gumbo's could disagree on what is markup
 *    (raw text such as <style>, CDATA) it makes the text unambiguous rather
 *    than guess, and moves the link tags out;
 *  - the tree is walked with an explicit stack, never recursion;
 *  - at most HTML_MAX_TEXT bytes of text and HTML_MAX_LINKS links are kept.
 *
 * Choices: <script>, <style>, <template>, <iframe>, <noembed>, <noframes>
 * and <head> (except <title>) add no text; their links are still collected.
 * Link tags written inside raw text (<script>, <style>, <textarea>...) are
 * reported too, with no text, and one inside <select> closes the select:
 * a scanner would rather see a URL a browser ignores than miss one it
 * follows.
 * <noscript> text is kept: gumbo parses as a browser without scripts, which
 * is what a mail client is. Text of <pre>, <textarea>, <listing>, <xmp> and
 * <plaintext> keeps its line breaks. Table cells are separated by a space.
 * Image alt text is not part of the visible text; an <a> with no text takes
 * the alt of an image inside it as its link text.
 *
 * html_reduce_facts also counts, for the structure analyser, images, forms,
 * password fields, and the visible text against the text styled out of
 * sight (inline style or attributes only: display:none, visibility:hidden,
 * font-size:0, opacity:0, max-height:0, the hidden attribute, a text colour
 * equal to the background colour an element or its ancestors set). Such
 * text is still part of text_out: what is hidden from the reader is still
 * the sender's words.
 */
#include "internal.h"

#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTML_MAX_INPUT (16u << 20)	/* bytes of HTML read */
#define HTML_MAX_TEXT (8u << 20)	/* bytes of text appended */
#define HTML_MAX_LINKS 10000u		/* links appended */
#define HTML_MAX_LINK_TEXT 1024u	/* bytes of text kept per link */
#define HTML_MAX_DEPTH 256u		/* elements open at once */
#define HTML_MAX_FMT 8u			/* formatting elements open at once */

/* ---- tag table for the pre-pass ------------------------------------- */

enum {
	HF_VOID = 1 << 0,	/* no content, never open */
	HF_ROOT = 1 << 1,	/* html, head, body: merged by gumbo, never open */
	HF_RAW = 1 << 2,	/* content is text up to its own end tag */
	HF_EOF = 1 << 3,	/* raw text up to the end of input (plaintext) */
	HF_LINK = 1 << 4,	/* may carry a link: never dropped */
	HF_FMT = 1 << 5,	/* formatting element (gumbo re-opens these) */
	HF_BLOCK = 1 << 6,	/* starts a block: closes an open <p> */
	HF_SCOPE = 1 << 7,	/* bounds the search for an element to close */
	HF_LIST = 1 << 8,	/* ul, ol, dl...: bounds the search for li, dd, dt */
	HF_SVG = 1 << 9,	/* a name SVG content may use */
	HF_MATH = 1 << 10,	/* a name MathML content may use */
	HF_SVGROOT = 1 << 11,	/* svg */
	HF_MATHROOT = 1 << 12,	/* math */
	HF_SVGIP = 1 << 13,	/* in SVG, its content is HTML (foreignObject...) */
	HF_MATHIP = 1 << 14,	/* in MathML, its content is HTML (mi...) */
	HF_MGLYPH = 1 << 15,	/* mglyph, malignmark: MathML even below mi */
	HF_ANNOT = 1 << 16,	/* annotation-xml: may hold svg */
	HF_INSELECT = 1 << 17,	/* gumbo takes it inside <select> */
	HF_ENDSELECT = 1 << 18,	/* inside <select>, gumbo closes the select first */
};

/* what a start tag closes on its own in gumbo (see html_canon_autoclose) */
enum {
	HK_NONE, HK_P, HK_LI, HK_DDT, HK_HEADING, HK_OPTION, HK_OPTGROUP, HK_CELL, HK_TR,
	HK_BUTTON, HK_A, HK_NOBR, HK_SELECT, HK_TEMPLATE,
};

typedef struct {
	const char *name;
	guint32 flags;
	guint8 kind;
} html_tag;

/* every tag gumbo knows by name, sorted (strcmp) for bsearch */
static const html_tag html_tags[] = {
	{ "a", HF_LINK | HF_FMT | HF_SVG, HK_A },
	{ "abbr", 0, HK_NONE },
	{ "acronym", 0, HK_NONE },
	{ "address", HF_BLOCK, HK_NONE },
	{ "annotation-xml", HF_MATH | HF_ANNOT, HK_NONE },
	{ "applet", HF_SCOPE, HK_NONE },
	{ "area", HF_VOID | HF_LINK, HK_NONE },
	{ "article", HF_BLOCK, HK_NONE },
	{ "aside", HF_BLOCK, HK_NONE },
	{ "audio", 0, HK_NONE },
	{ "b", HF_FMT, HK_NONE },
	{ "base", HF_VOID | HF_LINK, HK_NONE },
	{ "basefont", HF_VOID, HK_NONE },
	{ "bdi", 0, HK_NONE },
	{ "bdo", 0, HK_NONE },
	{ "bgsound", HF_VOID, HK_NONE },
	{ "big", HF_FMT, HK_NONE },
	{ "blink", 0, HK_NONE },
	{ "blockquote", HF_BLOCK, HK_NONE },
	{ "body", HF_ROOT, HK_NONE },
	{ "br", HF_VOID, HK_NONE },
	{ "button", HF_LINK | HF_SCOPE, HK_BUTTON },
	{ "canvas", 0, HK_NONE },
	{ "caption", HF_SCOPE | HF_ENDSELECT, HK_NONE },
	{ "center", HF_BLOCK, HK_NONE },
	{ "cite", 0, HK_NONE },
	{ "code", HF_FMT, HK_NONE },
	{ "col", HF_VOID, HK_NONE },
	{ "colgroup", 0, HK_NONE },
	{ "data", 0, HK_NONE },
	{ "datalist", 0, HK_NONE },
	{ "dd", HF_BLOCK, HK_DDT },
	{ "del", 0, HK_NONE },
	{ "desc", HF_SVG | HF_SVGIP, HK_NONE },
	{ "details", HF_BLOCK, HK_NONE },
	{ "dfn", 0, HK_NONE },
	{ "dir", HF_BLOCK | HF_LIST, HK_NONE },
	{ "div", HF_BLOCK, HK_NONE },
	{ "dl", HF_BLOCK | HF_LIST, HK_NONE },
	{ "dt", HF_BLOCK, HK_DDT },
	{ "em", HF_FMT, HK_NONE },
	{ "embed", HF_VOID, HK_NONE },
	{ "fieldset", HF_BLOCK, HK_NONE },
	{ "figcaption", HF_BLOCK, HK_NONE },
	{ "figure", HF_BLOCK, HK_NONE },
	{ "font", HF_FMT, HK_NONE },
	{ "footer", HF_BLOCK, HK_NONE },
	{ "foreignobject", HF_SVG | HF_SVGIP, HK_NONE },
	{ "form", HF_LINK | HF_BLOCK, HK_NONE },
	{ "frame", HF_VOID | HF_LINK, HK_NONE },
	{ "frameset", 0, HK_NONE },
	{ "h1", HF_BLOCK, HK_HEADING },
	{ "h2", HF_BLOCK, HK_HEADING },
	{ "h3", HF_BLOCK, HK_HEADING },
	{ "h4", HF_BLOCK, HK_HEADING },
	{ "h5", HF_BLOCK, HK_HEADING },
	{ "h6", HF_BLOCK, HK_HEADING },
	{ "head", HF_ROOT, HK_NONE },
	{ "header", HF_BLOCK, HK_NONE },
	{ "hgroup", HF_BLOCK, HK_NONE },
	{ "hr", HF_VOID, HK_NONE },
	{ "html", HF_ROOT, HK_NONE },
	{ "i", HF_FMT, HK_NONE },
	{ "iframe", HF_RAW | HF_LINK, HK_NONE },
	{ "image", HF_VOID | HF_LINK | HF_SVG, HK_NONE },
	{ "img", HF_VOID | HF_LINK, HK_NONE },
	{ "input", HF_VOID | HF_LINK | HF_ENDSELECT, HK_NONE },
	{ "ins", 0, HK_NONE },
	{ "isindex", 0, HK_NONE },
	{ "kbd", 0, HK_NONE },
	{ "keygen", HF_VOID | HF_ENDSELECT, HK_NONE },
	{ "label", 0, HK_NONE },
	{ "legend", 0, HK_NONE },
	{ "li", HF_BLOCK, HK_LI },
	{ "link", HF_VOID, HK_NONE },
	{ "listing", HF_BLOCK, HK_NONE },
	{ "main", HF_BLOCK, HK_NONE },
	{ "malignmark", HF_MATH | HF_MGLYPH, HK_NONE },
	{ "map", 0, HK_NONE },
	{ "mark", 0, HK_NONE },
	{ "marquee", HF_SCOPE, HK_NONE },
	{ "math", HF_MATH | HF_MATHROOT | HF_SCOPE, HK_NONE },
	{ "menu", HF_BLOCK | HF_LIST, HK_NONE },
	{ "menuitem", 0, HK_NONE },
	{ "meta", HF_VOID | HF_LINK, HK_NONE },
	{ "meter", 0, HK_NONE },
	{ "mglyph", HF_MATH | HF_MGLYPH, HK_NONE },
	{ "mi", HF_MATH | HF_MATHIP, HK_NONE },
	{ "mn", HF_MATH | HF_MATHIP, HK_NONE },
	{ "mo", HF_MATH | HF_MATHIP, HK_NONE },
	{ "ms", HF_MATH | HF_MATHIP, HK_NONE },
	{ "mtext", HF_MATH | HF_MATHIP, HK_NONE },
	{ "multicol", 0, HK_NONE },
	{ "nav", HF_BLOCK, HK_NONE },
	{ "nextid", 0, HK_NONE },
	{ "nobr", HF_FMT, HK_NOBR },
	{ "noembed", HF_RAW, HK_NONE },
	{ "noframes", HF_RAW, HK_NONE },
	{ "noscript", 0, HK_NONE },
	{ "object", HF_SCOPE, HK_NONE },
	{ "ol", HF_BLOCK | HF_LIST, HK_NONE },
	{ "optgroup", HF_INSELECT, HK_OPTGROUP },
	{ "option", HF_INSELECT, HK_OPTION },
	{ "output", 0, HK_NONE },
	{ "p", HF_BLOCK, HK_P },
	{ "param", HF_VOID, HK_NONE },
	{ "plaintext", HF_RAW | HF_EOF, HK_NONE },
	{ "pre", HF_BLOCK, HK_NONE },
	{ "progress", 0, HK_NONE },
	{ "q", 0, HK_NONE },
	{ "rb", 0, HK_NONE },
	{ "rp", 0, HK_NONE },
	{ "rt", 0, HK_NONE },
	{ "rtc", 0, HK_NONE },
	{ "ruby", 0, HK_NONE },
	{ "s", HF_FMT, HK_NONE },
	{ "samp", 0, HK_NONE },
	{ "script", HF_RAW | HF_SVG | HF_INSELECT, HK_NONE },
	{ "section", HF_BLOCK, HK_NONE },
	{ "select", HF_SCOPE, HK_SELECT },
	{ "small", HF_FMT, HK_NONE },
	{ "source", HF_VOID, HK_NONE },
	{ "spacer", 0, HK_NONE },
	{ "span", 0, HK_NONE },
	{ "strike", HF_FMT, HK_NONE },
	{ "strong", HF_FMT, HK_NONE },
	{ "style", HF_RAW | HF_SVG, HK_NONE },
	{ "sub", 0, HK_NONE },
	{ "summary", HF_BLOCK, HK_NONE },
	{ "sup", 0, HK_NONE },
	{ "svg", HF_SVG | HF_SVGROOT | HF_SCOPE, HK_NONE },
	{ "table", HF_SCOPE | HF_ENDSELECT, HK_NONE },
	{ "tbody", HF_ENDSELECT, HK_NONE },
	{ "td", HF_SCOPE | HF_ENDSELECT, HK_CELL },
	{ "template", HF_SCOPE | HF_INSELECT, HK_TEMPLATE },
	{ "textarea", HF_RAW | HF_ENDSELECT, HK_NONE },
	{ "tfoot", HF_ENDSELECT, HK_NONE },
	{ "th", HF_SCOPE | HF_ENDSELECT, HK_CELL },
	{ "thead", HF_ENDSELECT, HK_NONE },
	{ "time", 0, HK_NONE },
	{ "title", HF_RAW | HF_SVG, HK_NONE },
	{ "tr", HF_ENDSELECT, HK_TR },
	{ "track", HF_VOID, HK_NONE },
	{ "tt", HF_FMT, HK_NONE },
	{ "u", HF_FMT, HK_NONE },
	{ "ul", HF_BLOCK | HF_LIST, HK_NONE },
	{ "var", 0, HK_NONE },
	{ "video", 0, HK_NONE },
	{ "wbr", HF_VOID, HK_NONE },
	{ "xmp", HF_RAW, HK_NONE },
};

static const html_tag html_tag_other = { "", 0, HK_NONE };

/* html_tag_cmp - bsearch comparator: key is a NUL-terminated lower-case name */
static int html_tag_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const html_tag *)elem)->name);
}

/* html_tag_find - table entry for the tag name s[0..len), any case */
static const html_tag *html_tag_find(const char *s, size_t len)
{
	char low[16];
	const html_tag *t;

	if (len == 0 || len >= sizeof(low))
		return &html_tag_other;
	for (size_t i = 0; i < len; i++)
		low[i] = g_ascii_tolower(s[i]);
	low[len] = '\0';
	t = bsearch(low, html_tags, G_N_ELEMENTS(html_tags), sizeof(html_tags[0]),
		    html_tag_cmp);
	return t ? t : &html_tag_other;
}

/* ---- pre-pass: bound what gumbo's tree builder has to do ----------- */

/* namespaces, as gumbo decides them */
enum { HN_HTML, HN_SVG, HN_MATH };

typedef struct {
	const char *name;	/* in the input */
	size_t len;
	const html_tag *tag;
	guint8 ns;		/* its own namespace (HN_*) */
	guint8 inner;		/* the namespace of its content */
	bool in_select;		/* its content is inside a <select> */
} html_open;

typedef struct {
	const char *s;		/* valid UTF-8, no NUL */
	size_t n;
	GString *out;
	size_t copied;		/* s[0..copied) has been written to out */
	html_open open[HTML_MAX_DEPTH];
	unsigned depth;
	unsigned nfmt;
} html_canon_state;

/* html_is_space - HTML white space (CR included: gumbo turns it into LF) */
static inline bool html_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* html_canon_copy - write the input up to pos, unchanged */
static void html_canon_copy(html_canon_state *cs, size_t pos)
{
	if (pos > cs->copied) {
		g_string_append_len(cs->out, cs->s + cs->copied, pos - cs->copied);
		cs->copied = pos;
	}
}

/* html_canon_replace - write s[from..to) as repl instead */
static void html_canon_replace(html_canon_state *cs, size_t from, size_t to, const char *repl)
{
	html_canon_copy(cs, from);
	g_string_append(cs->out, repl);
	cs->copied = to;
}

/* html_canon_closer - write "</name>" at the current position */
static void html_canon_closer(html_canon_state *cs, const char *name, size_t len)
{
	g_string_append_len(cs->out, "</", 2);
	g_string_append_len(cs->out, name, len);
	g_string_append_c(cs->out, '>');
}

/* html_find_gt - index just past the next '>' from i, or n */
static size_t html_find_gt(const char *s, size_t n, size_t i)
{
	const char *gt = i < n ? memchr(s + i, '>', n - i) : NULL;

	return gt ? (size_t)(gt - s) + 1 : n;
}

/* html_name_end - end of a tag name starting at i (HTML tokenizer rules) */
static size_t html_name_end(const char *s, size_t n, size_t i)
{
	while (i < n && !html_is_space(s[i]) && s[i] != '/' && s[i] != '>')
		i++;
	return i;
}

/* html_tag_end - index past the '>' closing a tag whose attributes start at
 * i, following the tokenizer's attribute states (quotes only count in
 * values); false if the input ends first (gumbo then drops the tag) */
static bool html_tag_end(const char *s, size_t n, size_t i, size_t *end)
{
	while (i < n) {
		char c = s[i];

		if (c == '>') {
			*end = i + 1;
			return true;
		}
		if (html_is_space(c) || c == '/') {
			i++;
			continue;
		}
		/* attribute name: its first character may be anything else */
		i++;
		while (i < n && !html_is_space(s[i]) && s[i] != '/' && s[i] != '>' && s[i] != '=')
			i++;
		while (i < n && html_is_space(s[i]))
			i++;
		if (i >= n || s[i] != '=')
			continue;
		i++;
		while (i < n && html_is_space(s[i]))
			i++;
		if (i >= n)
			break;
		if (s[i] == '"' || s[i] == '\'') {
			const char *q = memchr(s + i + 1, s[i], n - i - 1);

			if (!q)
				break;
			i = (size_t)(q - s) + 1;
		} else {
			while (i < n && !html_is_space(s[i]) && s[i] != '>')
				i++;
		}
	}
	*end = n;
	return false;
}

/* html_canon_pop - forget the top open element */
static void html_canon_pop(html_canon_state *cs)
{
	cs->depth--;
	if (cs->open[cs->depth].tag->flags & HF_FMT)
		cs->nfmt--;
}

/* html_canon_ns - the namespace new content goes into */
static unsigned html_canon_ns(const html_canon_state *cs)
{
	return cs->depth ? cs->open[cs->depth - 1].inner : HN_HTML;
}

/* html_canon_foreign - true if new content goes into SVG/MathML */
static bool html_canon_foreign(const html_canon_state *cs)
{
	return html_canon_ns(cs) != HN_HTML;
}

/* html_canon_in_select - true if gumbo is in its "in select" mode */
static bool html_canon_in_select(const html_canon_state *cs)
{
	return cs->depth && cs->open[cs->depth - 1].in_select;
}

/* html_canon_fits - true if t may be opened in the current SVG/MathML
 * content without gumbo taking it for HTML or for its HTML namesake */
static bool html_canon_fits(const html_canon_state *cs, const html_tag *t)
{
	const html_tag *top = cs->depth ? cs->open[cs->depth - 1].tag : &html_tag_other;

	if (t == &html_tag_other)
		return true;
	if (html_canon_ns(cs) == HN_SVG)
		return t->flags & HF_SVG;
	if (t->flags & HF_SVGROOT)
		return top->flags & HF_ANNOT;
	return t->flags & HF_MATH;
}

/* html_canon_set_ns - namespaces of an element t opened at the top */
static void html_canon_set_ns(const html_canon_state *cs, const html_tag *t, html_open *o)
{
	const html_open *top = cs->depth ? &cs->open[cs->depth - 1] : NULL;
	unsigned cur = html_canon_ns(cs);

	o->ns = (guint8)cur;
	o->inner = (guint8)cur;
	switch (cur) {
	case HN_HTML:
		if (t->flags & HF_SVGROOT)
			o->ns = o->inner = HN_SVG;
		else if (t->flags & HF_MATHROOT)
			o->ns = o->inner = HN_MATH;
		else if ((t->flags & HF_MGLYPH) && top && top->ns == HN_MATH &&
			 (top->tag->flags & HF_MATHIP))
			o->ns = o->inner = HN_MATH;
		break;
	case HN_SVG:
		if (t->flags & HF_SVGIP)
			o->inner = HN_HTML;
		break;
	default:
		if (t->flags & HF_MATHIP)
			o->inner = HN_HTML;
		else if (t->flags & HF_SVGROOT)
			o->ns = o->inner = HN_SVG;
		break;
	}
}

/* html_canon_find - index + 1 of the innermost open element of kind kind,
 * searching down from the top and giving up at an element with a flag in
 * stop (or after the top one if top_only), 0 if none */
static unsigned html_canon_find(const html_canon_state *cs, unsigned kind, unsigned stop,
				bool top_only)
{
	for (unsigned k = cs->depth; k > 0; k--) {
		const html_tag *t = cs->open[k - 1].tag;

		if (t->kind == kind)
			return k;
		if (top_only || (t->flags & stop))
			return 0;
	}
	return 0;
}

/* html_canon_close - at input position pos, close open elements explicitly
 * down to and including the one at index + 1 k (nothing if k is 0) */
static void html_canon_close(html_canon_state *cs, size_t pos, unsigned k)
{
	if (k == 0)
		return;
	html_canon_copy(cs, pos);
	while (cs->depth >= k) {
		const html_open *o = &cs->open[cs->depth - 1];

		html_canon_closer(cs, o->name, o->len);
		html_canon_pop(cs);
	}
}

/* html_canon_autoclose - a start tag at pos that gumbo would let close an
 * open element (a <p> before a block, an <li> before the next one...):
 * close that element explicitly first, and whatever is open above it, so
 * that gumbo never has formatting elements to re-open afterwards */
static void html_canon_autoclose(html_canon_state *cs, size_t pos, const html_tag *t)
{
	if (html_canon_foreign(cs))
		return;
	if (t->flags & HF_BLOCK)
		html_canon_close(cs, pos, html_canon_find(cs, HK_P, HF_SCOPE, false));
	switch (t->kind) {
	case HK_LI:
	case HK_DDT:
		html_canon_close(cs, pos, html_canon_find(cs, t->kind, HF_SCOPE | HF_LIST, false));
		break;
	case HK_HEADING:
	case HK_OPTION:
		html_canon_close(cs, pos, html_canon_find(cs, t->kind, 0, true));
		break;
	case HK_OPTGROUP:
		html_canon_close(cs, pos, html_canon_find(cs, HK_OPTION, 0, true));
		html_canon_close(cs, pos, html_canon_find(cs, HK_OPTGROUP, 0, true));
		break;
	case HK_TR:
		html_canon_close(cs, pos, html_canon_find(cs, HK_CELL, HF_SCOPE, false));
		html_canon_close(cs, pos, html_canon_find(cs, HK_TR, HF_SCOPE, false));
		break;
	case HK_CELL:
	case HK_BUTTON:
	case HK_A:
	case HK_NOBR:
		html_canon_close(cs, pos, html_canon_find(cs, t->kind, HF_SCOPE, false));
		break;
	default:
		break;
	}
}

/* html_canon_leave - at pos, close the SVG/MathML elements open above the
 * nearest HTML element (what gumbo does on its own for some tags) */
static void html_canon_leave(html_canon_state *cs, size_t pos)
{
	html_canon_copy(cs, pos);
	while (html_canon_foreign(cs)) {
		const html_open *o = &cs->open[cs->depth - 1];

		html_canon_closer(cs, o->name, o->len);
		html_canon_pop(cs);
	}
}

/* html_raw_end - where the raw text starting at i ends: the first "</name"
 * followed by space, '/' or '>' (n for plaintext or if there is none) */
static size_t html_raw_end(const char *s, size_t n, size_t i, const char *name, size_t nlen,
			   bool to_eof)
{
	while (!to_eof && i < n) {
		const char *lt = memchr(s + i, '<', n - i);

		if (!lt)
			break;
		i = (size_t)(lt - s);
		if (i + 2 + nlen < n && s[i + 1] == '/' &&
		    g_ascii_strncasecmp(s + i + 2, name, nlen) == 0 &&
		    (html_is_space(s[i + 2 + nlen]) || s[i + 2 + nlen] == '/' ||
		     s[i + 2 + nlen] == '>'))
			return i;
		i++;
	}
	return n;
}

/* html_canon_raw - a raw text element (script, style, textarea...) whose
 * start tag is s[lt..i): whether gumbo really reads its content as text
 * depends on a context (SVG/MathML, <select>, elements dropped for depth)
 * this pass cannot always know. So make the content text either way: every
 * '<' that could open markup becomes "&lt;" (the same text once decoded in
 * textarea and title). Link tags found in it are copied, closed at once,
 * before the start tag, so that no link can hide there; they are reported
 * even when a browser would have shown them as text. Returns where markup
 * resumes: the element's end tag. */
static size_t html_canon_raw(html_canon_state *cs, size_t lt, size_t i, const char *name,
			     size_t nlen, bool to_eof)
{
	const char *s = cs->s;
	size_t stop = html_raw_end(s, cs->n, i, name, nlen, to_eof);

	for (size_t k = i; k < stop; k++) {
		size_t ne, end;
		const html_tag *t;

		if (s[k] != '<' || k + 1 >= stop || !g_ascii_isalpha(s[k + 1]))
			continue;
		ne = html_name_end(s, cs->n, k + 1);
		t = html_tag_find(s + k + 1, ne - k - 1);
		if (!(t->flags & HF_LINK)) {
			k = ne - 1;	/* as markup, a name has no tag inside */
			continue;
		}
		if (!html_tag_end(s, cs->n, ne, &end))
			break;		/* as markup, the rest is this tag */
		html_canon_copy(cs, lt);
		if (html_canon_foreign(cs) && !(t->flags & HF_SVG))
			html_canon_leave(cs, lt);
		g_string_append_len(cs->out, s + k, (gssize)(end - k));
		if (!(t->flags & HF_VOID))
			html_canon_closer(cs, s + k + 1, ne - k - 1);
		k = end - 1;
	}
	/* xmp and plaintext are shown but, read as raw text, decode no
	 * reference: "&lt;" would be shown as such (4 characters for 1). So
	 * they become <pre>, always markup, with '&' escaped too: the same
	 * text whatever the context */
	bool shown_raw = (nlen == 3 && !g_ascii_strncasecmp(name, "xmp", 3)) ||
			 (nlen == 9 && !g_ascii_strncasecmp(name, "plaintext", 9));
	if (shown_raw)
		html_canon_replace(cs, lt + 1, lt + 1 + nlen, "pre");
	for (size_t k = i; k < stop; k++) {
		char c;

		if (shown_raw && s[k] == '&') {
			html_canon_replace(cs, k, k + 1, "&amp;");
			continue;
		}
		if (s[k] != '<' || k + 1 >= cs->n)
			continue;
		c = s[k + 1];
		if (g_ascii_isalpha(c) || c == '/' || c == '!' || c == '?')
			html_canon_replace(cs, k, k + 1, "&lt;");
	}
	if (shown_raw && stop < cs->n) {	/* its end tag: "</xmp" -> "</pre" */
		html_canon_replace(cs, stop, stop + 2 + nlen, "</pre");
		return stop + 2 + nlen;
	}
	return stop;
}

/* html_canon_start - a start tag at i ("<" + letter); returns the next index */
static size_t html_canon_start(html_canon_state *cs, size_t i)
{
	const char *s = cs->s;
	size_t ne = html_name_end(s, cs->n, i + 1), end;
	const html_tag *t = html_tag_find(s + i + 1, ne - i - 1);
	bool foreign = html_canon_foreign(cs);
	html_open *o;

	if (!html_tag_end(s, cs->n, ne, &end))
		return cs->n;
	/* gumbo 0.10.1 mixes up SVG/MathML elements named like HTML ones
	 * with the HTML ones (and asserts): an HTML tag leaves SVG/MathML */
	if (foreign && !html_canon_fits(cs, t)) {
		html_canon_leave(cs, i);
		foreign = false;
	}
	/* inside <select> gumbo ignores most tags, raw text ones included
	 * (their content is then markup): drop them too, never guess; but
	 * let a link tag close the select rather than be lost */
	if (!foreign && html_canon_in_select(cs)) {
		if (t->kind == HK_SELECT || (t->flags & (HF_ENDSELECT | HF_LINK)))
			html_canon_close(cs, i, html_canon_find(cs, HK_SELECT, 0, false));
		if (t->kind == HK_SELECT || !(t->flags & (HF_INSELECT | HF_ENDSELECT | HF_LINK))) {
			html_canon_replace(cs, i, end, "");
			return end;
		}
	}
	if (t->flags & (HF_VOID | HF_ROOT)) {
		if (foreign) {	/* not void in SVG: close it at once */
			html_canon_copy(cs, end);
			html_canon_closer(cs, s + i + 1, ne - i - 1);
		}
		return end;
	}
	if (t->flags & HF_RAW)
		return html_canon_raw(cs, i, end, s + i + 1, ne - i - 1, t->flags & HF_EOF);
	html_canon_autoclose(cs, i, t);
	if (cs->depth >= HTML_MAX_DEPTH || ((t->flags & HF_FMT) && cs->nfmt >= HTML_MAX_FMT)) {
		/* too deep: keep link tags (in HTML they cannot nest; in
		 * SVG/MathML they are closed at once), turn the others into
		 * the line break or space they stood for */
		if (t->flags & HF_LINK) {
			if (foreign) {
				html_canon_copy(cs, end);
				html_canon_closer(cs, s + i + 1, ne - i - 1);
			}
			return end;
		}
		if ((t->flags & HF_BLOCK) || t->kind == HK_TR || t->kind == HK_OPTION)
			html_canon_replace(cs, i, end, "<br>");
		else if (t->kind == HK_CELL)
			html_canon_replace(cs, i, end, " ");
		else
			html_canon_replace(cs, i, end, "");
		return end;
	}
	o = &cs->open[cs->depth];
	o->name = s + i + 1;
	o->len = ne - i - 1;
	o->tag = t;
	html_canon_set_ns(cs, t, o);
	if (t->kind == HK_SELECT)
		o->in_select = true;
	else if (t->kind == HK_TEMPLATE)
		o->in_select = false;
	else
		o->in_select = html_canon_in_select(cs);
	cs->depth++;
	if (t->flags & HF_FMT)
		cs->nfmt++;
	return end;
}

/* html_canon_end - an end tag at i ("</" + letter): close what is open above
 * the matching element explicitly, drop it if nothing matches */
static size_t html_canon_end(html_canon_state *cs, size_t i)
{
	const char *s = cs->s;
	const char *name = s + i + 2;
	size_t ne = html_name_end(s, cs->n, i + 2), end;
	size_t len = ne - i - 2;
	unsigned k = cs->depth;
	const html_tag *t;

	if (!html_tag_end(s, cs->n, ne, &end))
		return cs->n;
	while (k > 0) {
		const html_open *o = &cs->open[k - 1];

		if (o->len == len && g_ascii_strncasecmp(o->name, name, len) == 0)
			break;
		k--;
	}
	if (k > 0) {
		/* close what is above explicitly; the end tag itself closes k */
		html_canon_close(cs, i, k + 1);
		html_canon_pop(cs);
		return end;
	}
	/* stray: keep those that may close an element kept past the depth
	 * limit or raw text, and in HTML those with a meaning of their own;
	 * the others can only misnest */
	t = html_tag_find(name, len);
	if (t->flags & (HF_LINK | HF_RAW))
		return end;
	if (!html_canon_foreign(cs) && ((t->flags & HF_ROOT) || t->kind == HK_P ||
					(len == 2 && g_ascii_strncasecmp(name, "br", 2) == 0)))
		return end;
	html_canon_replace(cs, i, end, "");
	return end;
}

/* html_canon_decl - "<!" at i: comment, doctype or bogus comment */
static size_t html_canon_decl(html_canon_state *cs, size_t i)
{
	const char *s = cs->s;
	size_t n = cs->n, j;

	if (i + 3 < n && s[i + 2] == '-' && s[i + 3] == '-') {
		j = i + 4;
		if (j < n && s[j] == '>')
			return j + 1;
		if (j + 1 < n && s[j] == '-' && s[j + 1] == '>')
			return j + 2;
		while (j + 2 < n) {
			const char *dd = memmem(s + j, n - j, "--", 2);

			if (!dd)
				return n;
			j = (size_t)(dd - s);
			if (j + 2 < n && s[j + 2] == '>')
				return j + 3;
			if (j + 3 < n && s[j + 2] == '!' && s[j + 3] == '>')
				return j + 4;
			j++;
		}
		return n;
	}
	/* "<![CDATA[" is text up to "]]>" inside SVG and MathML but a bogus
	 * comment up to '>' elsewhere: make it the latter everywhere */
	if (i + 2 < n && s[i + 2] == '[')
		html_canon_replace(cs, i + 2, i + 3, "?");
	return html_find_gt(s, n, i + 2);
}

/* html_canon - the markup rewritten so that gumbo's work stays linear */
static GString *html_canon(const char *s, size_t n)
{
	html_canon_state *cs = g_new0(html_canon_state, 1);
	GString *out;
	size_t i = 0;

	cs->s = s;
	cs->n = n;
	cs->out = g_string_sized_new(n + n / 16 + 64);
	while (i < n) {
		const char *lt = memchr(s + i, '<', n - i);
		char c;

		if (!lt)
			break;
		i = (size_t)(lt - s);
		if (i + 1 >= n)
			break;
		c = s[i + 1];
		if (c == '!') {
			i = html_canon_decl(cs, i);
		} else if (c == '?') {
			i = html_find_gt(s, n, i + 2);
		} else if (c == '/') {
			if (i + 2 < n && g_ascii_isalpha(s[i + 2]))
				i = html_canon_end(cs, i);
			else if (i + 2 < n && s[i + 2] == '>')
				i += 3;
			else
				i = html_find_gt(s, n, i + 2);
		} else if (g_ascii_isalpha(c)) {
			i = html_canon_start(cs, i);
		} else {
			i++;
		}
	}
	html_canon_copy(cs, n);
	out = cs->out;
	g_free(cs);
	return out;
}

/* html_fix_refs - rewrite numeric character references beyond U+10FFFF as
 * "&#xFFFD;" (what they mean anyway): gumbo 0.10.1 overflows on them and
 * writes a NUL byte, which would hide the text or URL after it, another
 * character than meant ("&#x100000041;" is 'A'), or a byte that is not
 * UTF-8 (fuzz_html). In place (the rewrite is shorter); returns the new
 * length. */
static size_t html_fix_refs(char *s, size_t n)
{
	size_t r = 0, w = 0;

	while (r < n) {
		if (s[r] == '&' && r + 2 < n && s[r + 1] == '#') {
			size_t k = r + 2, d0;
			bool hex = s[k] == 'x' || s[k] == 'X';
			guint64 v = 0;

			if (hex)
				k++;
			d0 = k;
			while (k < n && (hex ? g_ascii_isxdigit(s[k]) : g_ascii_isdigit(s[k]))) {
				v = v * (hex ? 16 : 10) +
				    (guint64)(hex ? g_ascii_xdigit_value(s[k]) : s[k] - '0');
				if (v > 0x10FFFF)
					v = 0x110000;	/* saturate */
				k++;
			}
			if (k > d0 && v > 0x10FFFF) {
				/* with its ';', or the hex digits after it would
				 * join it ("&#xFFFDcc"); at least 9 bytes are
				 * replaced ("&#1114112", "&#x110000") */
				memcpy(s + w, "&#xFFFD;", 8);
				w += 8;
				r = k < n && s[k] == ';' ? k + 1 : k;
				continue;
			}
		}
		s[w++] = s[r++];
	}
	s[w] = '\0';
	return w;
}

/* ---- text output ---------------------------------------------------- */

typedef struct {
	GString *s;
	size_t base;		/* our text starts here in s */
	size_t limit;		/* s->len may not pass this */
	unsigned nl;		/* line breaks owed before the next character */
	bool sp;		/* a space owed before the next character */
	bool full;		/* the limit was reached */
	bool oneline;		/* line breaks become spaces (link text) */
} html_sink;

/* html_sink_block - the next text starts on a new line */
static void html_sink_block(html_sink *k)
{
	if (k->oneline)
		k->sp = true;
	else if (k->nl == 0)
		k->nl = 1;
}

/* html_sink_br - one more line break (at most two in a row) */
static void html_sink_br(html_sink *k)
{
	if (k->oneline)
		k->sp = true;
	else if (k->nl < 2)
		k->nl++;
}

/* html_sink_text - append text: white space collapsed, owed breaks first */
static void html_sink_text(html_sink *k, const char *t, size_t len, bool pre)
{
	const char *p = t, *end = t + len;

	while (p < end && !k->full) {
		size_t clen, need;

		if (html_is_space(*p)) {
			if (*p == '\n' && pre)
				html_sink_br(k);
			else
				k->sp = true;
			p++;
			continue;
		}
		clen = (size_t)g_utf8_skip[(guchar)*p];
		if (clen > (size_t)(end - p))
			clen = (size_t)(end - p);
		need = clen;
		if (k->s->len > k->base)
			need += k->nl ? k->nl : k->sp ? 1 : 0;
		if (k->s->len + need > k->limit) {
			k->full = true;
			break;
		}
		if (k->s->len > k->base) {
			if (k->nl)
				g_string_append_len(k->s, "\n\n", k->nl);
			else if (k->sp)
				g_string_append_c(k->s, ' ');
		}
		k->nl = 0;
		k->sp = false;
		g_string_append_len(k->s, p, (gssize)clen);
		p += clen;
	}
}

/* ---- the tree walk -------------------------------------------------- */

enum { HB_NONE, HB_BLOCK, HB_CELL };

typedef struct {
	GumboNode *node;
	unsigned next;		/* next child to visit */
	guint8 hidden;		/* its text is not shown */
	guint8 pre;		/* line breaks in its text are kept */
	guint8 brk;		/* HB_*: separation from what is around */
	guint8 anchor;		/* it opened an anchor record */
	guint8 unseen;		/* styled out of sight (html_facts) */
	gint32 fg, bg;		/* text and background colour 0xRRGGBB, -1 unknown */
} html_frame;

typedef struct {
	vigie_link *link;
	size_t start;		/* its text starts here in the capture */
	const char *alt;	/* alt of the first image inside, or NULL */
	bool hidden;		/* it is in hidden content (<template>) */
} html_anchor;

typedef struct {
	html_sink text;		/* the caller's text_out */
	html_sink cap;		/* text of the open anchors */
	GString *capbuf;
	GArray *anchors;	/* of html_anchor */
	GPtrArray *links;	/* the caller's links_out, or NULL */
	unsigned nlinks;
	html_facts *facts;	/* or NULL */
} html_ctx;

/* html_blank - true if s is NULL or only white space */
static bool html_blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!html_is_space(*s))
			return false;
	return true;
}

/* html_squash - s with white space runs as one space, trimmed, at most max
 * bytes (whole characters); caller g_free */
static char *html_squash(const char *s, size_t len, size_t max)
{
	GString *o = g_string_sized_new(MIN(len, max) + 1);
	const char *p = s, *end = s + len;
	bool sp = false;

	while (p < end) {
		size_t clen;

		if (html_is_space(*p)) {
			sp = true;
			p++;
			continue;
		}
		clen = (size_t)g_utf8_skip[(guchar)*p];
		if (clen > (size_t)(end - p))
			clen = (size_t)(end - p);
		if (o->len + clen + (sp && o->len ? 1 : 0) > max)
			break;
		if (sp && o->len)
			g_string_append_c(o, ' ');
		sp = false;
		g_string_append_len(o, p, (gssize)clen);
		p += clen;
	}
	return g_string_free(o, FALSE);
}

/* html_attr - value of attribute name, or NULL */
static const char *html_attr(GumboElement *e, const char *name)
{
	GumboAttribute *a = gumbo_get_attribute(&e->attributes, name);

	return a ? a->value : NULL;
}

/* html_add_link - append a link (text squashed) unless href is blank or the
 * limit is hit */
static vigie_link *html_add_link(html_ctx *cx, const char *href, const char *text,
				 const char *tag)
{
	vigie_link *l;
	char *t;

	if (!cx->links || html_blank(href) || cx->nlinks >= HTML_MAX_LINKS)
		return NULL;
	t = text ? html_squash(text, strlen(text), HTML_MAX_LINK_TEXT) : NULL;
	l = link_new(href, t, tag);
	g_free(t);
	g_ptr_array_add(cx->links, l);
	cx->nlinks++;
	return l;
}

/* html_refresh_url - the URL of a meta refresh content ("5; url='x'"), or
 * NULL; caller g_free */
static char *html_refresh_url(const char *c)
{
	const char *p = c, *e;

	while (html_is_space(*p))
		p++;
	while (g_ascii_isdigit(*p) || *p == '.')
		p++;
	while (html_is_space(*p))
		p++;
	if (*p == ';' || *p == ',')
		p++;
	while (html_is_space(*p))
		p++;
	if (g_ascii_strncasecmp(p, "url", 3) == 0) {
		const char *q = p + 3;

		while (html_is_space(*q))
			q++;
		if (*q == '=') {
			p = q + 1;
			while (html_is_space(*p))
				p++;
		}
	}
	if (*p == '"' || *p == '\'') {
		e = strchr(p + 1, *p);
		p++;
		if (!e)
			e = p + strlen(p);
	} else {
		e = p + strlen(p);
	}
	while (e > p && html_is_space(e[-1]))
		e--;
	return e > p ? g_strndup(p, (gsize)(e - p)) : NULL;
}

/* html_cap_limit - the capture may grow to the innermost anchor's share */
static void html_cap_limit(html_ctx *cx)
{
	if (cx->anchors->len == 0) {
		g_string_truncate(cx->capbuf, 0);
		cx->cap.limit = 0;
		cx->cap.sp = false;
		cx->cap.full = false;
		return;
	}
	cx->cap.limit = g_array_index(cx->anchors, html_anchor, cx->anchors->len - 1).start +
			HTML_MAX_LINK_TEXT;
	cx->cap.full = cx->capbuf->len >= cx->cap.limit;
}

/* html_anchor_close - give the innermost anchor its text and forget it */
static void html_anchor_close(html_ctx *cx)
{
	html_anchor *a = &g_array_index(cx->anchors, html_anchor, cx->anchors->len - 1);
	char *t = html_squash(cx->capbuf->str + a->start, cx->capbuf->len - a->start,
			      HTML_MAX_LINK_TEXT);

	if (!*t && a->alt) {
		g_free(t);
		t = html_squash(a->alt, strlen(a->alt), HTML_MAX_LINK_TEXT);
	}
	g_free(a->link->text);
	a->link->text = utf8_sanitize(t, -1);
	g_free(t);
	g_array_set_size(cx->anchors, cx->anchors->len - 1);
	html_cap_limit(cx);
}

/* html_links - collect the links an element carries; true if it opened an
 * anchor whose text is being captured */
static bool html_links(html_ctx *cx, GumboElement *e, bool hidden)
{
	bool html = e->tag_namespace == GUMBO_NAMESPACE_HTML;
	const char *v;
	char *url;

	if (e->tag == GUMBO_TAG_A) {
		html_anchor a = { NULL, cx->capbuf->len, NULL, hidden };

		a.link = html_add_link(cx, html_attr(e, "href"), "", "a");
		if (!a.link)
			return false;
		g_array_append_val(cx->anchors, a);
		html_cap_limit(cx);
		return true;
	}
	if (!html)
		return false;
	switch (e->tag) {
	case GUMBO_TAG_AREA:
		html_add_link(cx, html_attr(e, "href"), html_attr(e, "alt"), "area");
		break;
	case GUMBO_TAG_FORM:
		html_add_link(cx, html_attr(e, "action"), "", "form");
		break;
	case GUMBO_TAG_IMG:
		v = html_attr(e, "alt");
		html_add_link(cx, html_attr(e, "src"), v, "img");
		if (!html_blank(v)) {
			for (unsigned i = 0; i < cx->anchors->len; i++) {
				html_anchor *a = &g_array_index(cx->anchors, html_anchor, i);

				if (!a->alt)
					a->alt = v;
			}
		}
		break;
	case GUMBO_TAG_IFRAME:
		html_add_link(cx, html_attr(e, "src"), "", "iframe");
		break;
	case GUMBO_TAG_FRAME:
		html_add_link(cx, html_attr(e, "src"), "", "frame");
		break;
	case GUMBO_TAG_BASE:
		html_add_link(cx, html_attr(e, "href"), "", "base");
		break;
	case GUMBO_TAG_META:
		v = html_attr(e, "http-equiv");
		if (v) {
			char *h = g_strstrip(g_strdup(v));

			if (g_ascii_strcasecmp(h, "refresh") == 0 &&
			    (v = html_attr(e, "content")) && (url = html_refresh_url(v))) {
				html_add_link(cx, url, "", "meta");
				g_free(url);
			}
			g_free(h);
		}
		break;
	default:
		break;
	}
	html_add_link(cx, html_attr(e, "formaction"), "", "form");
	return false;
}

/* html_children - the child nodes of n, or NULL */
static GumboVector *html_children(GumboNode *n)
{
	switch (n->type) {
	case GUMBO_NODE_DOCUMENT:
		return &n->v.document.children;
	case GUMBO_NODE_ELEMENT:
	case GUMBO_NODE_TEMPLATE:
		return &n->v.element.children;
	default:
		return NULL;
	}
}

/* html_colour - 0xRRGGBB of a CSS/HTML colour (#rgb, #rrggbb, rgb(), a few
 * names), -1 when not understood; s is lower case without blanks, len bytes */
static gint32 html_colour(const char *s, size_t len)
{
	static const struct { const char *name; gint32 rgb; } names[] = {
		{ "white", 0xffffff }, { "black", 0x000000 }, { "red", 0xff0000 },
		{ "lime", 0x00ff00 }, { "blue", 0x0000ff }, { "yellow", 0xffff00 },
		{ "silver", 0xc0c0c0 }, { "gray", 0x808080 }, { "grey", 0x808080 },
	};
	char buf[32];
	unsigned r, g, b;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] == '#' && (len == 4 || len == 7) && strspn(buf + 1, "0123456789abcdef") == len - 1) {
		unsigned long v = strtoul(buf + 1, NULL, 16);
		if (len == 7)
			return (gint32)v;
		return (gint32)(((v >> 8 & 0xf) * 0x110000) | ((v >> 4 & 0xf) * 0x1100) | ((v & 0xf) * 0x11));
	}
	if (sscanf(buf, "rgb(%u,%u,%u)", &r, &g, &b) == 3 && r < 256 && g < 256 && b < 256)
		return (gint32)(r << 16 | g << 8 | b);
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (strcmp(buf, names[i].name) == 0)
			return names[i].rgb;
	return -1;
}

/* html_zero - a CSS length or number that is zero ("0", "0px", ".0em") */
static bool html_zero(const char *v, size_t len)
{
	size_t i = 0;
	bool digit = false;

	for (; i < len && (v[i] == '0' || v[i] == '.'); i++)
		digit |= v[i] == '0';
	return digit && (i == len || g_ascii_isalpha(v[i]) || v[i] == '%');
}

/* html_style - what an inline style says about visibility and colours */
static void html_style(const char *style, html_frame *f)
{
	char *s = g_ascii_strdown(style, (gssize)strnlen(style, 4096));
	char *w = s;

	for (char *r = s; *r; r++)	/* drop blanks */
		if (!html_is_space(*r))
			*w++ = *r;
	*w = '\0';
	for (char *d = s; d && *d;) {
		char *end = strchr(d, ';');
		char *colon = memchr(d, ':', end ? (size_t)(end - d) : strlen(d));
		size_t n = end ? (size_t)(end - d) : strlen(d);

		if (colon) {
			const char *v = colon + 1;
			size_t vl = n - (size_t)(v - d);
			const char *imp = g_strstr_len(v, (gssize)vl, "!important");

			if (imp)
				vl = (size_t)(imp - v);
			*colon = '\0';
			if ((strcmp(d, "display") == 0 && vl == 4 && memcmp(v, "none", 4) == 0) ||
			    (strcmp(d, "visibility") == 0 && vl == 6 && memcmp(v, "hidden", 6) == 0) ||
			    ((strcmp(d, "font-size") == 0 || strcmp(d, "opacity") == 0 ||
			      strcmp(d, "max-height") == 0 || strcmp(d, "line-height") == 0) &&
			     html_zero(v, vl)))
				f->unseen = 1;
			else if (strcmp(d, "color") == 0)
				f->fg = html_colour(v, vl);
			else if (strcmp(d, "background-color") == 0 || strcmp(d, "background") == 0)
				f->bg = html_colour(v, vl);
		}
		d = end ? end + 1 : NULL;
	}
	g_free(s);
}

/* html_attr_colour - colour of an attribute (bgcolor, color), or keep */
static gint32 html_attr_colour(GumboElement *e, const char *name, gint32 keep)
{
	const char *v = html_attr(e, name);
	gint32 c;
	char *low;

	if (!v)
		return keep;
	low = g_ascii_strdown(v, (gssize)strnlen(v, 64));
	c = html_colour(g_strstrip(low), strlen(low));
	g_free(low);
	return c;
}

/* html_look - visibility and colours of element e (html_facts only) */
static void html_look(html_ctx *cx, GumboElement *e, html_frame *f)
{
	const char *v;

	if (e->tag_namespace != GUMBO_NAMESPACE_HTML)
		return;
	switch (e->tag) {
	case GUMBO_TAG_IMG:
		cx->facts->images++;
		break;
	case GUMBO_TAG_FORM:
		cx->facts->forms++;
		break;
	case GUMBO_TAG_INPUT:
		v = html_attr(e, "type");
		if (v && g_ascii_strcasecmp(v, "password") == 0)
			cx->facts->passwords++;
		break;
	case GUMBO_TAG_FONT:
		f->fg = html_attr_colour(e, "color", f->fg);
		break;
	default:
		break;
	}
	f->bg = html_attr_colour(e, "bgcolor", f->bg);
	if (html_attr(e, "hidden"))
		f->unseen = 1;
	if ((v = html_attr(e, "style")))
		html_style(v, f);
}

/* html_count - visible and unseen characters of a text node */
static void html_count(html_ctx *cx, const html_frame *f, const char *t)
{
	size_t n = 0;

	for (; *t; t++)
		n += !html_is_space(*t) && ((guchar)*t & 0xc0) != 0x80;
	if (f->unseen || (f->fg >= 0 && f->fg == f->bg))
		cx->facts->hidden += n;
	else
		cx->facts->shown += n;
}

/* html_enter - the frame for element n below parent; breaks and links */
static html_frame html_enter(html_ctx *cx, GumboNode *n, const html_frame *parent)
{
	GumboElement *e = &n->v.element;
	html_frame f = { n, 0, parent->hidden, parent->pre, HB_NONE, 0,
			 parent->unseen, parent->fg, parent->bg };

	if (n->type == GUMBO_NODE_TEMPLATE || e->tag == GUMBO_TAG_SCRIPT || e->tag == GUMBO_TAG_STYLE)
		f.hidden = 1;	/* SVG has them too */
	if (e->tag_namespace == GUMBO_NAMESPACE_HTML) {
		switch (e->tag) {
		case GUMBO_TAG_SCRIPT:
		case GUMBO_TAG_STYLE:
		case GUMBO_TAG_TEMPLATE:
		case GUMBO_TAG_HEAD:
		case GUMBO_TAG_IFRAME:
		case GUMBO_TAG_NOEMBED:
		case GUMBO_TAG_NOFRAMES:
			f.hidden = 1;
			break;
		case GUMBO_TAG_TITLE:
			if (parent->node->type == GUMBO_NODE_ELEMENT &&
			    parent->node->v.element.tag == GUMBO_TAG_HEAD)
				f.hidden = 0;
			f.brk = HB_BLOCK;
			break;
		case GUMBO_TAG_PRE:
		case GUMBO_TAG_LISTING:
		case GUMBO_TAG_PLAINTEXT:
		case GUMBO_TAG_TEXTAREA:
		case GUMBO_TAG_XMP:
			f.pre = 1;
			f.brk = HB_BLOCK;
			break;
		case GUMBO_TAG_TD:
		case GUMBO_TAG_TH:
			f.brk = HB_CELL;
			break;
		case GUMBO_TAG_BR:
			if (!f.hidden)
				html_sink_br(&cx->text);
			html_sink_br(&cx->cap);
			break;
		case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE:
		case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_CAPTION: case GUMBO_TAG_CENTER:
		case GUMBO_TAG_DD: case GUMBO_TAG_DETAILS: case GUMBO_TAG_DIR:
		case GUMBO_TAG_DIV: case GUMBO_TAG_DL: case GUMBO_TAG_DT:
		case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_FIGURE:
		case GUMBO_TAG_FOOTER: case GUMBO_TAG_FORM: case GUMBO_TAG_FRAMESET:
		case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
		case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
		case GUMBO_TAG_HEADER: case GUMBO_TAG_HGROUP: case GUMBO_TAG_HR:
		case GUMBO_TAG_LEGEND: case GUMBO_TAG_LI: case GUMBO_TAG_MAIN:
		case GUMBO_TAG_MENU: case GUMBO_TAG_NAV: case GUMBO_TAG_OL:
		case GUMBO_TAG_OPTION: case GUMBO_TAG_P: case GUMBO_TAG_SECTION:
		case GUMBO_TAG_SUMMARY: case GUMBO_TAG_TABLE: case GUMBO_TAG_TBODY:
		case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT: case GUMBO_TAG_TR:
		case GUMBO_TAG_UL:
			f.brk = HB_BLOCK;
			break;
		default:
			break;
		}
	}
	f.anchor = html_links(cx, e, f.hidden);
	if (cx->facts)
		html_look(cx, e, &f);
	return f;
}

/* html_edge - the separation a frame asks for, at its start and its end */
static void html_edge(html_ctx *cx, const html_frame *f)
{
	if (f->brk == HB_NONE)
		return;
	if (f->brk == HB_BLOCK) {
		if (!f->hidden)
			html_sink_block(&cx->text);
		html_sink_block(&cx->cap);
	} else {
		if (!f->hidden)
			cx->text.sp = true;
		cx->cap.sp = true;
	}
}

/* html_walk - visit the tree in document order with an explicit stack */
static void html_walk(html_ctx *cx, GumboNode *root)
{
	GArray *st = g_array_sized_new(FALSE, FALSE, sizeof(html_frame), 64);
	html_frame top = { root, 0, 0, 0, HB_NONE, 0, 0, -1, -1 };

	g_array_append_val(st, top);
	while (st->len) {
		html_frame *f = &g_array_index(st, html_frame, st->len - 1);
		GumboVector *ch = html_children(f->node);
		GumboNode *c;

		if (!ch || f->next >= ch->length) {
			html_edge(cx, f);
			if (f->anchor)
				html_anchor_close(cx);
			g_array_set_size(st, st->len - 1);
			continue;
		}
		c = ch->data[f->next++];
		switch (c->type) {
		case GUMBO_NODE_TEXT:
		case GUMBO_NODE_WHITESPACE:
		case GUMBO_NODE_CDATA:
			if (!f->hidden)
				html_sink_text(&cx->text, c->v.text.text, strlen(c->v.text.text),
					       f->pre);
			if (!f->hidden && cx->facts)
				html_count(cx, f, c->v.text.text);
			if (cx->anchors->len && (!f->hidden ||
			    g_array_index(cx->anchors, html_anchor, cx->anchors->len - 1).hidden))
				html_sink_text(&cx->cap, c->v.text.text, strlen(c->v.text.text),
					       false);
			break;
		case GUMBO_NODE_ELEMENT:
		case GUMBO_NODE_TEMPLATE:
			top = html_enter(cx, c, f);
			html_edge(cx, &top);
			g_array_append_val(st, top);	/* f is stale from here */
			break;
		default:
			break;
		}
	}
	g_array_free(st, TRUE);
}

/* html_reduce - visible text to text_out, links (vigie_link*) to links_out */
void html_reduce(const char *html, size_t len, GString *text_out, GPtrArray *links_out)
{
	html_reduce_facts(html, len, text_out, links_out, NULL);
}

/* html_reduce_facts - html_reduce, and facts (if not NULL) filled */
void html_reduce_facts(const char *html, size_t len, GString *text_out, GPtrArray *links_out,
		       html_facts *facts)
{
	GumboOptions opt = kGumboDefaultOptions;
	GumboOutput *out;
	html_ctx cx;
	GString *canon;
	char *clean;

	if (facts)
		memset(facts, 0, sizeof(*facts));
	if (!html || len == 0 || !text_out)
		return;
	if (len > HTML_MAX_INPUT)
		len = HTML_MAX_INPUT;
	clean = utf8_sanitize(html, (gssize)len);
	/* references are fixed in what gumbo reads: the canonical pass drops
	 * tags (a stray </svg>, a <style> in a <select>), which can join
	 * "&#999999999" and the digits after the tag into one reference */
	canon = html_canon(clean, strlen(clean));
	g_free(clean);
	g_string_set_size(canon, html_fix_refs(canon->str, canon->len));

	opt.max_errors = 0;	/* errors are not used; do not let them pile up */
	out = gumbo_parse_with_options(&opt, canon->str, canon->len);
	if (out) {
		memset(&cx, 0, sizeof(cx));
		cx.text.s = text_out;
		cx.text.base = text_out->len;
		cx.text.limit = text_out->len + HTML_MAX_TEXT;
		cx.capbuf = g_string_new(NULL);
		cx.cap.s = cx.capbuf;
		cx.cap.oneline = true;
		cx.anchors = g_array_new(FALSE, FALSE, sizeof(html_anchor));
		cx.links = links_out;
		cx.facts = facts;
		html_walk(&cx, out->document);
		g_array_free(cx.anchors, TRUE);
		g_string_free(cx.capbuf, TRUE);
		gumbo_destroy_output(&opt, out);
	}
	g_string_free(canon, TRUE);
}
