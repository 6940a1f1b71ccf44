/* lexicon_lang_test.c - the bundled Portuguese and Dutch lures (issue 12)
 *
 * Each rule line added for pt and nl has a sentence of its own, written
 * for this test from what the fraud asks (never copied from a sample): the
 * sentence must give that category with the words the line is for in its
 * evidence. Ordinary customer sentences in both languages must stay under
 * the tag threshold (5). Texts are scanned as one chat message each, with
 * the bundled signatures/lexicons.
 */
#include "internal.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
	const char *text;
	const char *rule;     /* a finding expected, or NULL */
	const char *evidence; /* words its evidence must contain (original text), or NULL */
	bool flagged;	      /* score >= 5 */
} lang_case;

static const lang_case cases[] = {
    /* pt: account blocked or about to be, unusual sign-in */
    {"A sua conta foi temporariamente bloqueada por motivos de segurança.", "lexicon.suspension",
     "temporariamente bloqueada", false},
    {"Regularize a situação hoje para evitar o bloqueio do serviço.", "lexicon.suspension",
     "para evitar o bloqueio", false},
    {"Detetámos um início de sessão invulgar a partir de um novo dispositivo.",
     "lexicon.suspension", "sessão invulgar", false},
    /* pt: verify your data, password expiry */
    {"Atualize os seus dados através da ligação abaixo.", "lexicon.credential",
     "Atualize os seus dados", false},
    {"A sua palavra-passe expira hoje às 23h59.", "lexicon.credential", "expira", true},
    /* pt: payment failed, invoice attached */
    {"O seu pagamento foi recusado pelo banco emissor.", "lexicon.payment", "recusado", false},
    {"Atualize o seu método de pagamento para continuar a usar o serviço.", "lexicon.payment",
     "método de pagamento", false},
    {"Segue em anexo a fatura referente ao mês de março.", "lexicon.payment", "fatura", false},
    /* pt: parcel held until a fee is paid */
    {"Pague a taxa de envio da encomenda para a entregarmos amanhã.", "lexicon.delivery",
     "Pague a taxa", false},
    {"Para receber a sua encomenda, pague 1,99 € no nosso site.", "lexicon.delivery",
     "receber a sua encomenda", true},
    /* pt: tax refund, prize */
    {"Tem um reembolso de IRS pendente no valor de 412 €.", "lexicon.prize", "reembolso de IRS",
     false},
    {"Reclame o seu prémio até sexta-feira.", "lexicon.prize", "Reclame o seu prémio", false},
    /* pt: urgent action */
    {"Ação urgente: responda no prazo de 48 horas.", "lexicon.urgency", NULL, false},
    /* pt: whole lures tag */
    {"A sua conta será bloqueada. Atualize os seus dados no prazo de 24 horas em "
     "https://seguranca.example.net",
     NULL, NULL, true},
    {"A sua encomenda está retida. Pague a taxa alfandegária da encomenda em "
     "https://envio.example.net",
     NULL, NULL, true},

    /* nl: account blocked or about to be, unusual sign-in */
    {"Uw betaalpas wordt binnenkort geblokkeerd.", "lexicon.suspension", "geblokkeerd", false},
    {"Log vandaag in om blokkering van uw rekening te voorkomen.", "lexicon.suspension",
     "te voorkomen", false},
    {"We zagen een ongebruikelijke aanmelding op uw account.", "lexicon.suspension",
     "ongebruikelijke aanmelding", false},
    /* nl: verify your data, password expiry, a new card to activate */
    {"Werk uw gegevens vandaag nog bij via onderstaande link.", "lexicon.credential",
     "Werk uw gegevens", false},
    {"Uw wachtwoord verloopt vandaag.", "lexicon.credential", "wachtwoord verloopt", true},
    {"Activeer uw nieuwe betaalpas vóór 31 maart.", "lexicon.credential", "betaalpas", false},
    /* nl: payment failed, invoice attached */
    {"Uw automatische incasso is mislukt.", "lexicon.payment", "mislukt", false},
    {"In de bijlage vindt u de factuur van deze maand.", "lexicon.payment", "factuur", false},
    /* nl: parcel held until a fee is paid */
    {"Betaal de bezorgkosten om uw pakket te ontvangen.", "lexicon.delivery", "bezorgkosten",
     false},
    {"Uw pakket kon niet worden bezorgd.", "lexicon.delivery", "niet worden bezorgd", false},
    /* nl: tax refund, prize */
    {"U heeft recht op een belastingteruggave van 256 euro.", "lexicon.prize",
     "belastingteruggave", false},
    {"Ontvang uw terugbetaling binnen twee werkdagen.", "lexicon.prize", "uw terugbetaling",
     false},
    /* nl: urgent action */
    {"Actie noodzakelijk voor het einde van de dag.", "lexicon.urgency", NULL, false},
    /* nl: whole lures tag */
    {"Uw rekening wordt geblokkeerd. Werk uw gegevens binnen 24 uur bij via "
     "https://beveiliging.example.net",
     NULL, NULL, true},
    {"Uw pakket wacht op bezorging. Betaal de verzendkosten voor uw pakket via "
     "https://pakket.example.net",
     NULL, NULL, true},

    /* ordinary customer sentences: never tagged */
    {"A minha encomenda ainda não chegou.", NULL, NULL, false},
    {"Gostaria de alterar a morada de entrega da minha encomenda.", NULL, NULL, false},
    {"Esqueci-me da palavra-passe, como a posso alterar?", NULL, NULL, false},
    {"Recebi a fatura mas o valor está errado, podem verificar?", NULL, NULL, false},
    {"O meu cartão foi bloqueado depois de errar o PIN, podem ajudar?", NULL, NULL, false},
    {"Quando vou receber o reembolso da minha devolução?", NULL, NULL, false},
    {"Paguei a taxa da alfândega mas a encomenda continua retida.", NULL, NULL, false},
    {"Minha senha expirou e não consigo entrar no aplicativo.", NULL, NULL, false},
    {"Ik wil mijn adres wijzigen.", NULL, NULL, false},
    {"Mijn pakket is nog steeds niet bezorgd.", NULL, NULL, false},
    {"Ik ben mijn wachtwoord vergeten, hoe kan ik het wijzigen?", NULL, NULL, false},
    {"Mijn betaling is mislukt, kan ik het opnieuw proberen?", NULL, NULL, false},
    {"Ik heb de factuur in de bijlage gestuurd.", NULL, NULL, false},
    {"Wanneer krijg ik mijn teruggave van de retourzending?", NULL, NULL, false},
    {"Mijn pas is geblokkeerd, kunt u mij helpen?", NULL, NULL, false},
};

static vigie_config *config_for(const char *tmp, const char *dir)
{
	char *conf = g_build_filename(tmp, "lex.conf", NULL);
	char *text =
	    g_strdup_printf("[av]\nenabled = no\n[lexicon]\ndir = %s\nshort_text = 60\n", dir);
	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	vigie_config *c = vigie_config_load(conf, NULL);
	g_assert_nonnull(c);
	g_unlink(conf);
	g_free(text);
	g_free(conf);
	return c;
}

/* test_lures - each case: its category, its evidence, tagged or not */
static void test_lures(void)
{
	const char *src = g_getenv("VIGIE_SRCDIR");
	char *dir = g_build_filename(src ? src : VIGIE_SRCDIR, "signatures", "lexicons", NULL);
	char *tmp = g_dir_make_tmp("vigie-lexlang-XXXXXX", NULL);
	GError *err = NULL;
	lexicon_engine *l = lexicon_engine_load_dir(dir, NULL, &err);
	g_assert_no_error(err);
	vigie_config *c = config_for(tmp, dir);
	unsigned failed = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const lang_case *k = &cases[i];
		vigie_message *m = message_new(VIGIE_CHANNEL_CHAT);
		message_add_text(m, VIGIE_TEXT_CHAT, g_strdup(k->text), NULL, "text");
		vigie_verdict *v = verdict_new(m->channel);
		scan_ctx *sc = scan_ctx_new(m, NULL);
		g_assert_true(lexicon_scan(l, sc, (gsize)vigie_config_get_int(c, "lexicon", "short_text"), v, NULL));
		scan_ctx_free(sc);
		int score = 0;
		bool rule_ok = k->rule == NULL;
		GString *got = g_string_new(NULL);
		for (guint j = 0; j < v->findings->len; j++) {
			const vigie_finding *f = g_ptr_array_index(v->findings, j);
			score += f->weight;
			g_string_append_printf(got, " %s=%d[%s]", f->rule, f->weight, f->evidence);
			if (k->rule && strcmp(f->rule, k->rule) == 0)
				rule_ok = !k->evidence || strstr(f->evidence, k->evidence);
		}
		if (!rule_ok || (score >= 5) != k->flagged) {
			g_test_message("case %zu: score %d:%s\n  %s", i, score, got->str, k->text);
			failed++;
		}
		g_string_free(got, TRUE);
		vigie_verdict_free(v);
		vigie_message_free(m);
	}
	g_assert_cmpuint(failed, ==, 0);
	vigie_config_free(c);
	lexicon_engine_free(l);
	g_rmdir(tmp);
	g_free(tmp);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lexicon_lang/lures", test_lures);
	return g_test_run();
}
