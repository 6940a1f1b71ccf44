/* internal.h - declarations shared by the files of scanner/, never installed
 *
 * Front ends must not include this: they use vigie.h only.
 */
#ifndef VIGIE_INTERNAL_H
#define VIGIE_INTERNAL_H

#include "vigie.h"

/* ---- config.c ---- */
typedef enum { CFG_STR, CFG_INT, CFG_SIZE, CFG_BOOL, CFG_PATH, CFG_LIST } cfg_type;

/* config_path - the file this configuration was read from */
const char *config_path(const vigie_config *c);
/* config_get_list - comma-separated value split and trimmed; caller g_strfreev */
char **config_get_list(const vigie_config *c, const char *section, const char *key);

/* ---- message.c: constructors shared by the parsers ---- */
vigie_message *message_new(VigieChannel ch);
void message_add_text(vigie_message *m, VigieTextKind kind, char *text /* owned */,
		      GPtrArray *links /* owned or NULL */, const char *where);
vigie_attachment *message_add_attachment(vigie_message *m, const char *name,
					 const char *declared_type, GBytes *data,
					 const char *url, const char *where);
void message_add_header(vigie_message *m, const char *name, const char *value);
void message_add_problem(vigie_message *m, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
vigie_link *link_new(const char *href, const char *text, const char *tag);
void link_free(gpointer p);
/* utf8_sanitize - valid UTF-8 copy of s (invalid bytes become U+FFFD,
 * NUL bytes dropped); caller g_free */
char *utf8_sanitize(const char *s, gssize len);

/* ---- html.c ---- */
/* html_reduce - parse HTML with a real parser (gumbo); append the visible
 * text (script/style dropped, block elements separated by newlines) to
 * text_out and every link (vigie_link*) to links_out. */
void html_reduce(const char *html, size_t len, GString *text_out, GPtrArray *links_out);

/* ---- sniff.c ---- */
/* sniff_type - MIME type guessed from the first bytes of data; never NULL
 * ("application/octet-stream" when unknown). Static string. */
const char *sniff_type(const guint8 *data, size_t len);

/* ---- findings (verdict.c) ---- */
vigie_verdict *verdict_new(VigieChannel ch);
void verdict_add_finding(vigie_verdict *v, const char *rule, const char *category, int weight,
			 const char *evidence, const char *where);

/* ---- av.c: the ClamAV analyser ---- */
typedef struct av_engine av_engine;
bool av_global_init(GError **err);
av_engine *av_engine_load(const vigie_config *c, GError **err);
void av_engine_free(av_engine *a);
unsigned av_engine_signatures(const av_engine *a);
const char *av_engine_describe(const av_engine *a);
/* av_scan - scan attachments and raw message; findings into v; false with
 * err on an engine failure (not on a detection) */
bool av_scan(const av_engine *a, const vigie_config *c, const vigie_message *m,
	     vigie_verdict *v, GError **err);

/* ---- policy.c ---- */
void policy_apply(const vigie_config *c, vigie_verdict *v);

#endif
