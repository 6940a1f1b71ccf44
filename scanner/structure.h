/* structure.h - private to the structure analyser (structure*.c)
 *
 * structure.c loads the weights and runs the checks; structure_headers.c
 * looks at the top-level header fields, structure_body.c at the MIME form
 * of the body and at the attachments. Each check is one rule
 * "structure.NAME"; a check reports through structure_fire, which keeps
 * one finding per rule and message.
 */
#ifndef VIGIE_STRUCTURE_H
#define VIGIE_STRUCTURE_H

#include "internal.h"

typedef enum {
	/* header fields (structure_headers.c) */
	S_DATE_MISSING,
	S_DATE_INVALID,
	S_DATE_FUTURE,
	S_DATE_PAST,
	S_MSGID_MISSING,
	S_MSGID_MALFORMED,
	S_FROM_NUMERIC,
	S_SUBJECT_CAPS,
	S_SUBJECT_PUNCT,
	S_SUBJECT_ENCODED,
	S_TO_UNDISCLOSED,
	S_MANY_RECIPIENTS,
	/* body and attachments (structure_body.c) */
	S_HTML_ONLY,
	S_ALT_MISMATCH,
	S_IMAGE_ONLY,
	S_HIDDEN_TEXT,
	S_FORM,
	S_PASSWORD_FIELD,
	S_TEXT_BASE64,
	S_CHARSET_MISMATCH,
	S_DOUBLE_EXTENSION,
	S_HTML_ATTACHMENT,
	S_COUNT
} structure_rule;

extern const char *const structure_rule_ids[S_COUNT];

/* Thresholds from [structure] in the configuration. */
typedef struct {
	guint recipients;  /* To + Cc addresses for many-recipients */
	gint64 future_s;   /* Date ahead of the reference for date-future */
	gint64 past_s;	   /* Date behind the reference for date-past */
	guint little_text; /* characters of visible text an image-only mail has at most */
	guint hidden_text; /* characters styled out of sight for hidden-text */
} structure_limits;

/* per message */
typedef struct {
	const int *weight;
	char *const *category;
	const structure_limits *lim;
	vigie_verdict *v;
	bool fired[S_COUNT];
} structure_ctx;

/* structure_fire - one finding of rule r (the first one only) */
void structure_fire(structure_ctx *x, structure_rule r, const char *evidence, const char *where);

/* structure_headers_check - the header rules on m */
void structure_headers_check(structure_ctx *x, const vigie_message *m);
/* structure_body_check - the body and attachment rules on m, read from
 * the model: m->mime_parts (transfer encodings, charsets,
 * multipart/alternative, HTML facts), m->subject_raw, m->texts */
void structure_body_check(structure_ctx *x, const vigie_message *m);

/* structure_words - the distinct lower-case words (3 letters or more) of
 * text, at most max; a set (GHashTable of char*) */
GHashTable *structure_words(const char *text, guint max);

#endif
