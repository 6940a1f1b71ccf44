/* policy_test.c - scores, thresholds, decisive categories, per channel */
#include "internal.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	VigieChannel channel;
	const char *findings; /* "category:weight,..." */
	VigieAction action;
	int score;
} policy_case;

/* config: mail tag 5, quarantine 10, reject 30; chat tag 3, quarantine 6;
 * decisive: malware, phishing-kit */
static const char *conf_text =
	"[policy]\ndecisive_categories = malware, phishing-kit\n"
	"[channel.mail]\ntag = 5\nquarantine = 10\nreject = 30\n"
	"[channel.chat]\ntag = 3\nquarantine = 6\n";

static const policy_case cases[] = {
	{ VIGIE_CHANNEL_MAIL, "", VIGIE_ACTION_RELEASE, 0 },
	{ VIGIE_CHANNEL_MAIL, "urgency:4", VIGIE_ACTION_RELEASE, 4 },
	{ VIGIE_CHANNEL_MAIL, "urgency:5", VIGIE_ACTION_TAG, 5 },
	{ VIGIE_CHANNEL_MAIL, "urgency:3,link:3", VIGIE_ACTION_TAG, 6 },
	{ VIGIE_CHANNEL_MAIL, "urgency:3,link:3,otp:4", VIGIE_ACTION_QUARANTINE, 10 },
	{ VIGIE_CHANNEL_MAIL, "a:10,b:10,c:9", VIGIE_ACTION_QUARANTINE, 29 },
	{ VIGIE_CHANNEL_MAIL, "a:10,b:10,c:10", VIGIE_ACTION_REJECT, 30 },
	{ VIGIE_CHANNEL_MAIL, "malware:0", VIGIE_ACTION_QUARANTINE, 0 },
	{ VIGIE_CHANNEL_MAIL, "phishing-kit:1", VIGIE_ACTION_QUARANTINE, 1 },
	{ VIGIE_CHANNEL_MAIL, "malware:100", VIGIE_ACTION_REJECT, 100 },
	{ VIGIE_CHANNEL_MAIL, "malwarex:4", VIGIE_ACTION_RELEASE, 4 }, /* not the decisive category */
	{ VIGIE_CHANNEL_CHAT, "urgency:3", VIGIE_ACTION_TAG, 3 },
	{ VIGIE_CHANNEL_CHAT, "urgency:3,otp:3", VIGIE_ACTION_QUARANTINE, 6 },
	{ VIGIE_CHANNEL_CHAT, "a:50,b:50", VIGIE_ACTION_QUARANTINE, 100 }, /* chat never rejects */
	{ VIGIE_CHANNEL_CHAT, "malware:0", VIGIE_ACTION_QUARANTINE, 0 },
	{ VIGIE_CHANNEL_CHAT, "x:-2,y:4", VIGIE_ACTION_RELEASE, 2 },
};

static void test_cases(void)
{
	char *dir = g_dir_make_tmp("vigie-policy-XXXXXX", NULL);
	char *path = g_build_filename(dir, "p.conf", NULL);
	g_assert_true(g_file_set_contents(path, conf_text, -1, NULL));
	GError *err = NULL;
	vigie_config *c = vigie_config_load(path, &err);
	g_assert_no_error(err);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const policy_case *tc = &cases[i];
		vigie_verdict *v = verdict_new(tc->channel);
		char **items = g_strsplit(tc->findings, ",", -1);
		for (char **it = items; *it && **it; it++) {
			char **kv = g_strsplit(*it, ":", 2);
			verdict_add_finding(v, "test.rule", kv[0], atoi(kv[1]), "e", "w");
			g_strfreev(kv);
		}
		g_strfreev(items);
		policy_apply(c, v);
		if (v->action != tc->action || v->score != tc->score)
			g_error("case %zu (%s): got %s/%d, want %s/%d", i, tc->findings,
				vigie_action_name(v->action), v->score, vigie_action_name(tc->action), tc->score);
		vigie_verdict_free(v);
	}
	vigie_config_free(c);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}

/* who speaks, and the class: rule:category:weight@where findings (';' between), a
 * speaker, bulk or not -> action, score, class */
typedef struct {
	const char *speaker;
	bool bulk;
	const char *findings;
	VigieAction action;
	int score;
	VigieClass klass;
} class_case;

static const class_case class_cases[] = {
	/* content findings of the organisation speaking keep 30% (internal), 0% (outbound), 50% (brand) */
	{ "inbound", false, "lexicon.payment:payment:6", VIGIE_ACTION_TAG, 6, VIGIE_CLASS_SPAM },
	{ "internal", false, "lexicon.payment:payment:6", VIGIE_ACTION_RELEASE, 1, VIGIE_CLASS_CLEAN },
	{ "outbound", false, "intent.secret:intent:6", VIGIE_ACTION_RELEASE, 0, VIGIE_CLASS_CLEAN },
	{ "brand", false, "intent.fee:intent:6", VIGIE_ACTION_RELEASE, 3, VIGIE_CLASS_CLEAN },
	/* links, malware, sender checks keep their weight whoever speaks */
	{ "internal", false, "url.lookalike:phishing-link:6@part 1, link (a)", VIGIE_ACTION_TAG, 6, VIGIE_CLASS_MALICIOUS },
	/* ... unless the URL was only named in plain text */
	{ "internal", false, "url.lookalike:phishing-link:6@part 1, text (text)", VIGIE_ACTION_RELEASE, 1, VIGIE_CLASS_CLEAN },
	{ "inbound", false, "url.lookalike:phishing-link:6@part 1, text (text)", VIGIE_ACTION_TAG, 6, VIGIE_CLASS_MALICIOUS },
	/* what staff never ask each other ([policy] internal_kept_rules, intent.combo.control- by
	 * default) keeps its weight when staff speak; other combos and the outbound side are scaled */
	{ "internal", false, "intent.combo.control-bypass:intent:5;intent.redirect:intent:4", VIGIE_ACTION_TAG, 6,
	  VIGIE_CLASS_MALICIOUS },
	{ "internal", false, "intent.combo.redirect-pressure:intent:5", VIGIE_ACTION_RELEASE, 1, VIGIE_CLASS_CLEAN },
	{ "outbound", false, "intent.combo.control-bypass:intent:5", VIGIE_ACTION_RELEASE, 0, VIGIE_CLASS_CLEAN },
	/* class: malicious categories make fraud, the rest is spam; bulk is released with its class */
	{ "inbound", false, "intent.secret:intent:6", VIGIE_ACTION_TAG, 6, VIGIE_CLASS_MALICIOUS },
	{ "inbound", true, "lexicon.offer:offer:6", VIGIE_ACTION_RELEASE, 6, VIGIE_CLASS_BULK },
	{ "inbound", true, "intent.secret:intent:6", VIGIE_ACTION_TAG, 6, VIGIE_CLASS_MALICIOUS },
	{ "inbound", true, "", VIGIE_ACTION_RELEASE, 0, VIGIE_CLASS_BULK },
	{ "inbound", false, "av.x:malware:0", VIGIE_ACTION_QUARANTINE, 0, VIGIE_CLASS_MALICIOUS },
};

static void test_classes(void)
{
	char *dir = g_dir_make_tmp("vigie-policy-XXXXXX", NULL);
	char *path = g_build_filename(dir, "p.conf", NULL);
	g_assert_true(g_file_set_contents(path, "[channel.mail]\ntag = 5\nquarantine = 10\n", -1, NULL));
	GError *err = NULL;
	vigie_config *c = vigie_config_load(path, &err);
	g_assert_no_error(err);
	for (size_t i = 0; i < G_N_ELEMENTS(class_cases); i++) {
		const class_case *tc = &class_cases[i];
		vigie_verdict *v = verdict_new(VIGIE_CHANNEL_MAIL);
		v->speaker = tc->speaker;
		char **items = g_strsplit(tc->findings, ";", -1);
		for (char **it = items; *it && **it; it++) {
			char *at = strchr(*it, '@');
			if (at)
				*at++ = '\0';
			char **kv = g_strsplit(*it, ":", 3);
			verdict_add_finding(v, kv[0], kv[1], atoi(kv[2]), "e", at ? at : "part 1");
			g_strfreev(kv);
		}
		g_strfreev(items);
		policy_apply_class(c, v, tc->bulk);
		if (v->action != tc->action || v->score != tc->score || v->klass != tc->klass)
			g_error("class case %zu (%s %s): got %s/%d/%s, want %s/%d/%s", i, tc->speaker, tc->findings,
				vigie_action_name(v->action), v->score, vigie_class_name(v->klass),
				vigie_action_name(tc->action), tc->score, vigie_class_name(tc->klass));
		vigie_verdict_free(v);
	}
	vigie_config_free(c);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/policy/cases", test_cases);
	g_test_add_func("/policy/classes", test_classes);
	return g_test_run();
}
