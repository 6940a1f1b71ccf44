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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/policy/cases", test_cases);
	return g_test_run();
}
