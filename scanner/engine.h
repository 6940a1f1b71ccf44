/* engine.h - the engine's insides, for scanner/ files only */
#ifndef VIGIE_ENGINE_H
#define VIGIE_ENGINE_H

#include "internal.h"

/* what vigie_scan reads of the configuration, typed, read when the engine
 * is built (scan.c) */
typedef struct {
	char **own_ids;		   /* [policy] own_ids */
	int malformed_weight;	   /* [policy] */
	int chat_executive_weight; /* [sender] */
	bool bulk_needs_auth;	   /* [policy] */
	gsize short_text;	   /* [lexicon]: the @short signal */
	mime_limits limits;	   /* [core] max_parts, max_depth, max_text */
} scan_settings;

struct vigie_engine {
	gint refs;
	vigie_config *config;
	av_engine *av;       /* NULL when [av] enabled = no */
	lexicon_engine *lexicon; /* NULL when [lexicon] enabled = no */
	url_engine *urls;    /* NULL when [urls] enabled = no */
	sender_engine *sender; /* NULL when [sender] enabled = no */
	structure_engine *structure; /* NULL when [structure] enabled = no */
	intent_engine *intent; /* NULL when [intent] enabled = no */
	attach_engine *attach; /* NULL when [attach] enabled = no */
	vigie_store *store;    /* NULL when [store] enabled = no; reached on first use */
	phone_engine *phone; /* NULL when [phone] enabled = no */
	scan_settings scan;    /* read at build */
	memory_settings *memory; /* [history] ..., read at build (scanner/memory/) */
	bool read_only_scans;  /* vigie_engine_read_only_scans: scans record nothing */
	policy_settings *policy; /* read at build */
	char *version;
	double load_ms;
};

#endif
