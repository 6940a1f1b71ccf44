/* vigied_priv.c - least privilege: the user vigied serves as, and the drop
 *
 * vigied_priv_resolve runs first, before the (long) engine load: started as
 * root, it looks up [daemon] user (default vigie) and [daemon] group (""
 * = the user's own group). A user or group that does not exist, or one that
 * is root itself, is an error naming it, unless [daemon] allow_root = yes
 * (a container with no other user), which keeps root with a warning.
 * Started as any other user, vigied runs as itself and nothing here applies.
 *
 * vigied_priv_give hands a path made as root (the quarantine folders, the
 * engine's temporary folder, a unix socket, the pid file) to that user.
 * vigied_priv_drop then sets the groups (initgroups, or only GROUP when
 * [daemon] group names one), the gid, the uid, and checks that none of
 * root can be had back: real, effective and saved ids are the user's, no
 * supplementary group is root's, setuid(0) and setgid(0) fail, no
 * capability is left. It runs after the sockets are bound and the logs
 * open, and before any mail or request is read.
 *
 * SECURITY: trusts the administrator's configuration and the system's
 * user database; nothing from a message reaches here.
 */
#include "vigied.h"
#include "vlog.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* vigied_priv_resolve - who to become; false with err naming the key */
bool vigied_priv_resolve(const vigie_config *c, vigied_priv *p, GError **err)
{
	memset(p, 0, sizeof *p);
	if (geteuid() != 0 && getuid() != 0)
		return true; /* not root: run as ourselves */
	const char *user = vigie_config_get(c, "daemon", "user");
	const char *group = vigie_config_get(c, "daemon", "group");
	bool allow_root = vigie_config_get_bool(c, "daemon", "allow_root");
	const char *why = NULL;
	char *detail = NULL;
	struct passwd *pw = NULL;
	if (!*user)
		why = "is empty";
	else if (strlen(user) >= sizeof p->user)
		why = "is too long";
	else if (!(pw = getpwnam(user)))
		why = "does not exist on this system";
	else if (pw->pw_uid == 0)
		why = "is root";
	if (why) {
		if (allow_root) {
			vlog(LOG_WARNING, NULL, "[daemon] user = %s %s: running as root, mail and requests are "
						"parsed as root ([daemon] allow_root = yes)", user, why);
			return true;
		}
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG,
			    "[daemon] user = %s %s: vigied started as root will not parse mail or requests as "
			    "root; create the user (adduser --system --group %s), name an existing one, or set "
			    "[daemon] allow_root = yes", user, why, *user ? user : "vigie");
		return false;
	}
	gid_t gid = pw->pw_gid;
	if (*group) {
		struct group *gr = getgrnam(group);
		if (!gr)
			detail = g_strdup_printf("[daemon] group = %s does not exist on this system", group);
		else if (gr->gr_gid == 0 && !allow_root)
			detail = g_strdup_printf("[daemon] group = %s is root's group", group);
		else
			gid = gr->gr_gid;
	} else if (gid == 0 && !allow_root) {
		detail = g_strdup_printf("[daemon] user = %s has root's group as its own: name another in [daemon] group",
					 user);
	}
	if (detail) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "%s", detail);
		g_free(detail);
		return false;
	}
	p->drop = true;
	p->uid = pw->pw_uid;
	p->gid = gid;
	p->own_groups = !*group;
	g_strlcpy(p->user, user, sizeof p->user);
	return true;
}

/* vigied_priv_give - PATH (made as root) to the user; missing is fine */
void vigied_priv_give(const vigied_priv *p, const char *path)
{
	if (!p->drop || !path || !*path)
		return;
	if (lchown(path, p->uid, p->gid) != 0 && errno != ENOENT)
		vlog(LOG_WARNING, NULL, "cannot give %s to %s: %s", path, p->user, g_strerror(errno));
}

/* vigied_priv_caps_left - any permitted or effective capability left */
static bool vigied_priv_caps_left(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return false; /* no /proc: the setuid(0) check below still holds */
	char line[256];
	bool left = false;
	while (fgets(line, sizeof line, f)) {
		unsigned long long v;
		if ((sscanf(line, "CapEff: %llx", &v) == 1 || sscanf(line, "CapPrm: %llx", &v) == 1) && v)
			left = true;
	}
	fclose(f);
	return left;
}

/* vigied_priv_drop - become the user for good; false with err saying why */
bool vigied_priv_drop(const vigied_priv *p, GError **err)
{
	if (!p->drop)
		return true;
	int rc = p->own_groups ? initgroups(p->user, p->gid) : setgroups(1, &p->gid);
	if (rc != 0 || setgid(p->gid) != 0 || setuid(p->uid) != 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "cannot become [daemon] user %s: %s", p->user,
			    g_strerror(errno));
		return false;
	}
	uid_t r, e, s;
	gid_t rg, eg, sg;
	gid_t groups[256];
	int n = getgroups(G_N_ELEMENTS(groups), groups);
	bool root_group = n < 0;
	for (int i = 0; i < n; i++)
		root_group |= groups[i] == 0;
	if (getresuid(&r, &e, &s) != 0 || r != p->uid || e != p->uid || s != p->uid ||
	    getresgid(&rg, &eg, &sg) != 0 || rg != p->gid || eg != p->gid || sg != p->gid || root_group ||
	    setuid(0) == 0 || setgid(0) == 0 || vigied_priv_caps_left()) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG,
			    "privileges were not dropped: still root in part after becoming %s", p->user);
		return false;
	}
	/* no set-id program or file capability can raise us again */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
#if defined(__SANITIZE_ADDRESS__)
	/* the id change made us undumpable, and LeakSanitizer's check at exit
	 * ptraces our threads: only the sanitizer builds undo that */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
	vlog(LOG_INFO, NULL, "running as %s (uid %u, gid %u)", p->user, (unsigned)p->uid, (unsigned)p->gid);
	return true;
}
