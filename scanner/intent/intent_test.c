/* intent_test.c - the intent analyser: the loader (every error names file
 * and line, nothing half-loads), the stance rules on small rule sets
 * written here, and the bundled rules on texts written for this test:
 * asks fire in the writer's own voice and do not fire as advice, as
 * quotations, or about the writer's own account. */
#include "intent.h"
#include "test_files.h"

#include <string.h>

static char *tmpdir;

/* ---- loader errors ---------------------------------------------------- */

typedef struct {
	const char *text;
	const char *error; /* after "DIR/r.txt:" */
} load_case;

static const load_case load_cases[] = {
    {"slot give en send\nask secret x en {give}\n", "2: weight must be an integer in [-100, 100], not 'x'"},
    {"ask Secret 1 en code\n", "1: expected 'ask NAME WEIGHT LANG ELEMENT...' with NAME [a-z][a-z0-9_-]*"},
    {"ask secret 1 xx code\n", "1: language must be en, fr, de, es, pt, nl, it or any, not 'xx'"},
    {"ask secret 1 en {nope}\n", "1: unknown slot {nope}"},
    {"ask secret 1 en code ..13 word\n", "1: '..13': a gap is ..N with N in 0-12, between two elements"},
    {"ask secret 1 en code ..2\n", "1: a gap must be followed by an element"},
    {"ask secret 1 en re:(unclosed\n", "1: bad pattern: missing closing parenthesis at offset 9"},
    {"ask secret 1 en re:a?\n", "1: pattern matches empty text"},
    {"ask secret 1 en re:(*MARK:x)a\n", "1: control verbs (*...) are not allowed"},
    {"ask secret 1 en re:code|re:pin\n", "1: '|re:' inside a pattern: a pattern's alternatives are written a|b"},
    {"ask secret 1 en +maybe code\n", "1: unknown flag '+maybe' (asks take +negated or +own)"},
    {"claim boss 0 en +own ceo\n", "1: unknown flag '+own' (asks take +negated or +own)"},
    {"ask negated 1 en code\n", "1: 'negated' is reserved"},
    {"ask x 1 en code\nclaim x 1 en bank\n", "2: 'x' is declared both as ask and as claim"},
    {"stance doubt en maybe\n", "1: unknown stance cue 'doubt' (negation, unneg, own, third, report, forward, continue, advice, offer)"},
    {"slot give en send |  | give\n", "1: an empty alternative (two ' | ' in a row, or one at an end)"},
    {"combo x 2\n", "1: combo x has no requirement"},
    {"ask a 1 en code\ncombo x 2 a missing\n",
     "2: combo x: 'missing' is not an intent declared above, a pseudo-intent (negated, own, quoted) or a "
     "signal (@link, @short, @mail, @chat, @inbound, @internal, @outbound, @attachment)"},
    {"frobnicate x\n", "1: unknown declaration 'frobnicate' (slot, stance, ask, claim or combo)"},
};

static void test_load_errors(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(load_cases); i++) {
		char *dir = g_strdup_printf("%s/bad%zu", tmpdir, i);
		test_put(dir, "r.txt", load_cases[i].text);
		GError *err = NULL;
		intent_engine *ie = intent_engine_load_dir(dir, NULL, tmpdir, &err);
		g_assert_null(ie);
		g_assert_nonnull(err);
		char *want = g_strdup_printf("%s/r.txt:%s", dir, load_cases[i].error);
		if (strcmp(err->message, want) != 0)
			g_test_message("case %zu: got '%s', want '%s'", i, err->message, want);
		g_assert_cmpstr(err->message, ==, want);
		g_free(want);
		g_error_free(err);
		g_free(dir);
	}
}

/* ---- scanning --------------------------------------------------------- */

/* scan - the verdict of the engine on one chat text (direction may be NULL) */
static vigie_verdict *scan(intent_engine *ie, const char *text, const char *direction)
{
	GString *e = g_string_new(NULL);
	for (const char *p = text; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_c(e, '\\');
		if (*p == '\n')
			g_string_append(e, "\\n");
		else
			g_string_append_c(e, *p);
	}
	char *esc = g_string_free(e, FALSE);
	char *json = g_strdup_printf("{\"text\": \"%s\"%s%s%s}", esc, direction ? ", \"direction\": \"" : "",
				     direction ? direction : "", direction ? "\"" : "");
	GError *err = NULL;
	vigie_message *m = vigie_message_from_chat_json(json, strlen(json), &err);
	g_assert_no_error(err);
	vigie_verdict *v = verdict_new(VIGIE_CHANNEL_CHAT);
	scan_ctx *sc = scan_ctx_new(m, NULL);
	g_assert_true(intent_scan(ie, sc, m->env.direction, 400, v, NULL));
	scan_ctx_free(sc);
	vigie_message_free(m);
	g_free(json);
	g_free(esc);
	return v;
}

/* has - the verdict has a finding of rule (exactly) with a weight != 0, or
 * any weight when any_weight */
static bool has(const vigie_verdict *v, const char *rule, bool any_weight)
{
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		if (!strcmp(f->rule, rule) && (any_weight || f->weight != 0))
			return true;
	}
	return false;
}

typedef struct {
	const char *text;
	const char *want;   /* a rule that must be there (weighted unless it is a stance), or NULL */
	const char *absent; /* a rule that must not be there, or NULL */
} scan_case;

/* Texts written for this test, each a kind of message a contact centre sees. */
static const scan_case bundled_cases[] = {
    /* the writer's own asks */
    {"Hello, this is the card security team. A code will reach you by SMS in a minute: please send me "
     "the code you receive so I can cancel the payment.", "intent.secret", NULL},
    {"Bonjour, ici le service fraude de votre banque. Vous allez recevoir un code par SMS, merci de me "
     "le transmettre pour bloquer l'op\xc3\xa9ration.", "intent.secret", NULL},
    {"Pouvez-vous me donner le code \xc3\xa0 6 chiffres que vous venez de recevoir ?", "intent.secret", NULL},
    {"hi, it's IT. you'll get a push on your phone in a moment, just tap approve please", "intent.approve", NULL},
    {"Please install AnyDesk on your laptop and send me the 9-digit ID so I can fix it remotely.",
     "intent.remote", NULL},
    {"Merci d'effectuer les prochains paiements sur notre nouveau compte, l'ancien est cl\xc3\xb4tur\xc3\xa9.",
     "intent.redirect", NULL},
    {"Can you buy six gift cards for a client today and text me photos of the codes? Keep this between us.",
     "intent.combo.money-secrecy", NULL},
    {"Je suis le fils de Mme Roux, changez le num\xc3\xa9ro de t\xc3\xa9l\xc3\xa9phone du contrat pour le mien, pas "
     "la peine de l'appeler.", "intent.combo.account-relative", NULL},
    {"For the renewal, reply with your date of birth and your social security number.", "intent.identity", NULL},
    {"Pay 500 euros in bitcoin within 48 hours, otherwise I will send the videos to all your contacts.",
     "intent.threat", NULL},
    /* advice: negated asks */
    {"Votre code de connexion est 481516. Ne le communiquez jamais, m\xc3\xaame \xc3\xa0 un conseiller.", NULL,
     "intent.secret"},
    {"Reminder: we will never ask you to share your password or the code you receive by SMS.",
     "intent.advice.secret", "intent.secret"},
    {"Don't hesitate to send me the code you received so I can finish the transfer.", "intent.secret", NULL},
    /* quotations and reports */
    {"J'ai re\xc3\xa7u ce SMS : \xc2\xab Votre colis est bloqu\xc3\xa9, transmettez-nous le code re\xc3\xa7u "
     "pour le lib\xc3\xa9rer \xc2\xbb. Est-ce une arnaque ?", "intent.quoted.secret", "intent.secret"},
    {"Someone called me saying he was from your bank and asked me to read him the code I got by text. Was "
     "that you?", NULL, "intent.secret"},
    {"Attention : des escrocs vous demandent d'installer AnyDesk pour prendre la main sur votre poste.", NULL,
     "intent.remote"},
    /* the writer's own account */
    {"Bonjour, je voudrais changer mon num\xc3\xa9ro de t\xc3\xa9l\xc3\xa9phone et mon adresse mail sur mon contrat.",
     "intent.own.account", "intent.account"},
    {"How do I update my bank details for the refund?", NULL, "intent.redirect"},
    {"Je peux vous envoyer une copie de ma pi\xc3\xa8\x63\x65 d'identit\xc3\xa9 si besoin.", NULL, "intent.identity"},
    /* plain customer messages */
    {"Je n'ai pas re\xc3\xa7u le code de connexion, pouvez-vous m'aider ?", NULL, "intent.secret"},
    {"Merci pour le remboursement, le virement est bien arriv\xc3\xa9 sur mon compte.", NULL, "intent.money"},
    /* stance edges: Italian "mi" is "me", not Spanish "my"; "my client area" is the writer's own;
     * "if you did not make it, call" is a condition, not advice; the code asked as a need */
    {"Scarichi TeamViewer e mi comunichi l'ID e la password che vede sullo schermo.", "intent.remote",
     "intent.own.remote"},
    {"Please use my new bank details for the direct debit from next month, the form is in my client area.",
     "intent.own.redirect", "intent.redirect"},
    {"Se non l'ha autorizzato chiami subito il numero 800 000 000.", "intent.call", "intent.advice.call"},
    {"Om de betaling te annuleren heb ik de code nodig die u zojuist per sms hebt ontvangen.", "intent.secret",
     NULL},
    {"I need the code you sent me again, the first one expired.", NULL, "intent.secret"},
    {"Someone on WhatsApp offered me 20% a week on a crypto platform, I think it is a scam.", NULL,
     "intent.invest"},
    {"To move your savings to a safe account, confirm the transfer in your app when I send it.",
     "intent.safe-account", NULL},
    {"I think I was scammed: a 'bank advisor' told me to move my savings to a safe account.", NULL,
     "intent.safe-account"},
    {"Mais n'envoyez surtout rien sur les anciens, je n'y ai plus acc\xc3\xa8s.", "intent.bypass", NULL},
    /* a change of number with the check skipped: a takeover even when 'my' account */
    {"Mettez ce nouveau num\xc3\xa9ro sur mon compte sans m'envoyer de SMS, je suis press\xc3\xa9.",
     "intent.combo.own-account-bypass", NULL},
    {"Please update the phone number on my account without texting me a code.", "intent.bypass", NULL},
    /* the card to receive money; a charge not made, answered by a reply; a
     * bill paid for the writer; the writer's email on someone else's account */
    {"Il faudra saisir ta carte bancaire pour \xc3\xaatre cr\xc3\xa9" "dit\xc3\xa9 de la vente.", "intent.secret", NULL},
    {"Never enter your card details to receive a payment from a buyer.", NULL, "intent.secret"},
    {"If this wasn't you, reply 1 to speak to a fraud agent now.", "intent.call", NULL},
    {"Tu peux payer une facture pour moi ? Je te rembourse demain.", "intent.money", NULL},
    {"Could you add my email as the login on his account?", "intent.account", NULL},
    {"Nous ne changerons jamais votre num\xc3\xa9ro sans vous envoyer de code.", NULL, "intent.combo.account-bypass"},
    /* texting style, and a customer asking for the code to be sent again */
    {"slt c ta banque, envoie moi vite le code que ta recu par sms stp", "intent.secret", NULL},
    {"bjr jai pas recu le code pour me connecter, vous pouvez me le renvoyer svp", NULL,
     "intent.combo.secret-split"},
};

static void test_bundled(void)
{
	char *dir = g_build_filename(g_getenv("VIGIE_SRCDIR"), "signatures", "intent", NULL);
	GError *err = NULL;
	intent_engine *ie = intent_engine_load_dir(dir, NULL, tmpdir, &err);
	g_assert_no_error(err);
	g_assert_nonnull(ie);
	for (size_t i = 0; i < G_N_ELEMENTS(bundled_cases); i++) {
		const scan_case *c = &bundled_cases[i];
		vigie_verdict *v = scan(ie, c->text, NULL);
		bool stance = c->want && (strstr(c->want, ".quoted.") || strstr(c->want, ".advice.") ||
					  strstr(c->want, ".own."));
		bool ok_want = !c->want || has(v, c->want, stance);
		bool ok_absent = !c->absent || !has(v, c->absent, false);
		if (!ok_want || !ok_absent) {
			GString *got = g_string_new(NULL);
			for (guint j = 0; j < v->findings->len; j++) {
				const vigie_finding *f = g_ptr_array_index(v->findings, j);
				g_string_append_printf(got, " %s%+d", f->rule, f->weight);
			}
			g_test_message("case %zu (%s): want %s, absent %s; got%s", i, c->text,
				       c->want ? c->want : "-", c->absent ? c->absent : "-", got->str);
			g_string_free(got, TRUE);
		}
		g_assert_true(ok_want);
		g_assert_true(ok_absent);
		vigie_verdict_free(v);
	}
	intent_engine_free(ie);
	g_free(dir);
}

/* a rule set of our own: the stance machinery in isolation */
static void test_stance(void)
{
	char *dir = g_strdup_printf("%s/stance", tmpdir);
	test_put(dir, "r.txt",
		 "stance negation en never | re:do\\snot\n"
		 "stance unneg en re:do\\snot\\shesitate\n"
		 "stance own en my\n"
		 "stance third en re:my\\sfather's\n"
		 "stance report en i received\n"
		 "stance forward en re:-----original\\smessage-----\n"
		 "ask give 6 en send ..2 code\n"
		 "ask quiet 3 en +negated re:do\\snot\\stell\\sanyone\n"
		 "ask change 2 en change ..2 number\n"
		 "ask off 5 en +own disable ..2 2fa\n"
		 "claim bank 0 en fraud team\n"
		 "combo bank-code 3 give bank\n");
	GError *err = NULL;
	intent_engine *ie = intent_engine_load_dir(dir, NULL, tmpdir, &err);
	g_assert_no_error(err);
	static const scan_case cases[] = {
	    {"send the code", "intent.give", NULL},
	    {"never send the code", "intent.advice.give", "intent.give"},
	    {"do not hesitate to send the code", "intent.give", NULL},
	    {"do not tell anyone", "intent.quiet", NULL},
	    {"i received this: send the code now", "intent.quoted.give", "intent.give"},
	    {"he wrote \"please send the code to this number right away\" yesterday", "intent.quoted.give",
	     "intent.give"},
	    {"hello\n> send the code", "intent.quoted.give", "intent.give"},
	    {"ok\n-----Original Message-----\nsend the code", "intent.quoted.give", "intent.give"},
	    {"change my number please", "intent.own.change", "intent.change"},
	    {"change my number on my father's account", "intent.change", NULL},
	    {"disable the 2fa on my account", "intent.off", "intent.own.off"},
	    {"never disable the 2fa on my account", "intent.advice.off", "intent.off"},
	    {"fraud team here, send the code", "intent.combo.bank-code", NULL},
	    {"if this was not you, send the code", "intent.give", NULL},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		vigie_verdict *v = scan(ie, cases[i].text, NULL);
		bool stance = cases[i].want && strchr(cases[i].want + 7, '.') && !strstr(cases[i].want, "combo");
		if ((cases[i].want && !has(v, cases[i].want, stance)) ||
		    (cases[i].absent && has(v, cases[i].absent, false)))
			g_test_message("stance case %zu failed: %s", i, cases[i].text);
		g_assert_true(!cases[i].want || has(v, cases[i].want, stance));
		g_assert_true(!cases[i].absent || !has(v, cases[i].absent, false));
		vigie_verdict_free(v);
	}
	intent_engine_free(ie);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_true(vigie_global_init(NULL));
	tmpdir = g_dir_make_tmp("vigie-intent-test-XXXXXX", NULL);
	g_test_add_func("/intent/load-errors", test_load_errors);
	g_test_add_func("/intent/stance", test_stance);
	g_test_add_func("/intent/bundled", test_bundled);
	int rc = g_test_run();
	test_rm_tree(tmpdir);
	g_free(tmpdir);
	return rc;
}
