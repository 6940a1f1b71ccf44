/* lexicon.h - private to the lexicon analyser (lexicon.c, lexicon_scan.c) */
#ifndef VIGIE_LEXICON_H
#define VIGIE_LEXICON_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include "internal.h"

#include <pcre2.h>

/* one rule line: a phrase or a pattern of a category */
typedef struct {
	char *file;
	int line;
	int weight;
	char *lang;
	char *source; /* as written (after "re:" for a pattern) */
	char *regex;  /* what is compiled */
	char *guard;  /* "(?=(?-i:[...]))": what a match begins with, or NULL (lexicon.c) */
} lex_rule;

/* one compiled program: rules [first, first + count) of its category */
typedef struct {
	pcre2_code *code;
	guint first, count;
} lex_program;

typedef struct {
	char *name;
	GPtrArray *rules; /* of lex_rule*, heaviest first */
	GArray *programs; /* of lex_program */
	int max_weight;
	int min_weight;
} lex_category;

/* one requirement of a combination: any of names (categories or @signals),
 * or none of them when negated */
typedef struct {
	char **names;
	bool negated;
} lex_req;

typedef struct {
	char *name;
	int weight;
	char *file;
	int line;
	GPtrArray *reqs; /* of lex_req* */
} lex_combo;

struct lexicon_engine {
	GPtrArray *categories; /* of lex_category*, in name order */
	GHashTable *by_name;   /* name -> lex_category* (not owned) */
	GHashTable *declared;  /* every category named by a rule, even of a language not enabled */
	GPtrArray *combos;     /* of lex_combo* */
	unsigned rules;
	unsigned programs;
	char *describe;
};

/* lexicon_signals - the built-in signals a combination may name */
extern const char *const lexicon_signals[];

#endif
