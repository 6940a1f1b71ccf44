/* sender.h - private to the sender analyser's files (sender*.c)
 *
 * The pieces: sender.c loads the protected lists it needs (brand and
 * protected-domain names for display names, executives, free-mail domains,
 * rule weights); sender_address.c reads one address header (display name
 * and address); sender_auth.c reads one Authentication-Results header
 * (RFC 8601); sender_names.c matches display names against brands and
 * executives; sender_scan.c runs the checks on a message.
 */
#ifndef VIGIE_SENDER_H
#define VIGIE_SENDER_H

#include "internal.h"

/* every check, in report order; weights and categories are data
 * (sender-weights.conf) */
typedef enum {
	SENDER_R_DISPLAY_BRAND,
	SENDER_R_DISPLAY_EXECUTIVE,
	SENDER_R_DISPLAY_ADDRESS,
	SENDER_R_DISPLAY_MIXED_SCRIPT,
	SENDER_R_LOOKALIKE,
	SENDER_R_REPLY_TO_FREEMAIL_BRAND,
	SENDER_R_REPLY_TO_FREEMAIL,
	SENDER_R_REPLY_TO_MISMATCH,
	SENDER_R_RETURN_PATH_MISMATCH,
	SENDER_R_AUTH_DMARC,
	SENDER_R_AUTH_DKIM,
	SENDER_R_AUTH_SPF,
	SENDER_R_AUTH_SPF_SOFT,
	SENDER_R_DISPLAY_ROLE,
	SENDER_R_COUNT
} sender_rule;

extern const char *const sender_rule_ids[SENDER_R_COUNT];

/* one executive of executives.txt */
typedef struct {
	char *name;   /* as written in the file */
	char **words; /* normalised words (textnorm), NULL-terminated */
} sender_executive;

struct sender_engine {
	int weight[SENDER_R_COUNT];
	char *category[SENDER_R_COUNT];
	GHashTable *freemail;	     /* registrable domains */
	GHashTable *freemail_labels; /* "hotmail" for a "hotmail.*" line */
	GHashTable *brands;	     /* flat name ("creditagricole") -> name as listed */
	GHashTable *everyday;	     /* flat names marked "=" in brands.txt */
	GHashTable *owners;	     /* registrable domain -> GPtrArray of the flat names
					whose line lists it (brands.txt, domains.txt) */
	GHashTable *org_domains;     /* registrable domains of domains.txt */
	GPtrArray *executives;	     /* of sender_executive* */
	GPtrArray *roles;	     /* of char** (normalised words): internal departments */
	char **authserv_ids;	     /* trusted authserv-ids, lower case; empty: topmost only */
	char **own_domains;	     /* [sender] own_domains, lower case */
	char *describe;
};

/* ---- sender.c ---- */
/* sender_engine_load_dir - the lists of a protected folder (tests, fuzzing);
 * authserv_ids NULL or empty: trust the topmost Authentication-Results */
sender_engine *sender_engine_load_dir(const char *dir, const char *const *authserv_ids,
				      GError **err);
/* sender_read_executives - executives.txt into out (of sender_executive*);
 * false with err naming file:line */
bool sender_read_executives(const char *path, GPtrArray *out, GError **err);
void sender_executive_free(gpointer p);
/* sender_is_freemail - domain (any case, a host or registrable domain) is
 * a free-mail provider's */
bool sender_is_freemail(const sender_engine *s, const char *domain);

/* ---- sender_address.c ---- */
typedef struct {
	char *display; /* display name, unquoted; "" for none */
	char *address; /* addr-spec as written, "" for the null sender "<>" */
	char *domain;  /* lower-case domain of the address, or NULL */
} sender_address;

/* sender_address_parse - the first mailbox of an address header value
 * ("Name <a@b>", "a@b (Name)", "<a@b>", "<>"); NULL when there is none
 * (a group with no members, garbage). Bounded: only the first
 * SENDER_MAX_HEADER bytes are read. Free with sender_address_free. */
sender_address *sender_address_parse(const char *value);
void sender_address_free(sender_address *a); /* NULL is a no-op */

#define SENDER_MAX_HEADER 4096

/* ---- sender_auth.c ---- */
typedef struct {
	char *method; /* lower case: "spf", "dkim", "dmarc", ... */
	char *result; /* lower case: "pass", "fail", "softfail", ... */
	char *text;   /* the result as written, comments dropped (evidence) */
} sender_authres;

typedef struct {
	char *authserv_id;  /* lower case, or NULL when the header names none
			     * (Exchange Online writes "spf=pass ..." directly) */
	GPtrArray *results; /* of sender_authres*, at most SENDER_MAX_RESULTS */
} sender_auth;

#define SENDER_MAX_RESULTS 32

/* sender_auth_parse - one Authentication-Results value; never NULL (no
 * results for garbage). Bounded by SENDER_MAX_HEADER bytes. Free with
 * sender_auth_free. */
sender_auth *sender_auth_parse(const char *value);
void sender_auth_free(sender_auth *a); /* NULL is a no-op */

/* ---- sender_names.c ---- */
/* sender_names_words - the normalised words of a display name (textnorm:
 * case, accents, lookalike letters; split on anything not a letter or
 * digit), at most 32; caller g_strfreev */
char **sender_names_words(const char *display);
/* sender_names_spells - one to four consecutive words of words, joined,
 * are flat (a name as sender_names_brand compares it) */
bool sender_names_spells(char **words, const char *flat);
/* sender_names_brand - the brand or protected name a display name claims
 * (owned by s), or NULL */
const char *sender_names_brand(const sender_engine *s, char **words);
/* sender_names_role - the internal department (roles.txt) the display
 * name words claim ("HR Department", "Service informatique"), as its words
 * joined by blanks in a new string (caller g_free), or NULL */
char *sender_names_role(const sender_engine *s, char **words);
/* sender_names_executive - the executive a display name names (all the
 * words of the name, in any order), or NULL */
const sender_executive *sender_names_executive(const sender_engine *s, char **words);

#endif
