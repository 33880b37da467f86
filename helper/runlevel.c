/* Is the machine going down? OpenRC writes the runlevel it goes to
 * ("shutdown", "single"; older ones "reboot") before it stops anything,
 * and rc.stopping exists while it stops services: librc reads both. For
 * another tree than "/", the same files under it. Only where neither can
 * tell (no OpenRC state at all) do the variables openrc-run sets count. */
#include <rc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kexec-prep.h"

static bool down_level(const char *lvl)
{
	return !strcmp(lvl, "shutdown") || !strcmp(lvl, "reboot") || !strcmp(lvl, "single");
}

static int from_env(char **why)
{
	const char *rl = getenv("RC_RUNLEVEL"), *gd = getenv("RC_GOINGDOWN");
	bool down = (gd && !strcmp(gd, "YES")) || (rl && down_level(rl));

	*why = kp_strdupf("no OpenRC runlevel on record; openrc-run says %s%s%s",
			  rl ? "RC_RUNLEVEL=" : "nothing", rl ? rl : "",
			  gd && !strcmp(gd, "YES") ? " RC_GOINGDOWN=YES" : "");
	return down;
}

int kp_going_down(struct kp_ctx *ctx, char **why)
{
	char *lvl = NULL;
	bool stopping;
	int down;

	*why = NULL;
	if (ctx->root.whole) {
		stopping = rc_runlevel_stopping();
		lvl = rc_runlevel_get();
		/* librc says sysinit when it has no record: it cannot tell */
		if (!stopping && (!lvl || !strcmp(lvl, "sysinit"))) {
			free(lvl);
			return from_env(why);
		}
	} else {
		stopping = kp_root_exists(&ctx->root, "/run/openrc/rc.stopping");
		if (kp_read_line(&ctx->root, "/run/openrc/softlevel", &lvl) < 0 && !stopping)
			return from_env(why);
	}
	down = stopping || (lvl && down_level(lvl));
	*why = kp_strdupf("OpenRC's runlevel is %s%s", lvl ? lvl : "unknown",
			  stopping ? ", and it is stopping services" : "");
	free(lvl);
	return down;
}

/* Under an init that tells reboot from poweroff, is this a poweroff? */
bool kp_is_poweroff(struct kp_ctx *ctx)
{
	const char *reboot = getenv("RC_REBOOT"), *rl = getenv("RC_RUNLEVEL");
	char exe[256];
	ssize_t n;

	if (!rl || strcmp(rl, "shutdown") != 0 || (reboot && !strcmp(reboot, "YES")))
		return false;
	/* busybox init runs "openrc shutdown" for reboot and poweroff alike. */
	n = readlinkat(ctx->root.fd, "proc/1/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false; /* which init runs is unknown: it cannot tell either */
	exe[n] = '\0';
	return strstr(exe, "busybox") == NULL;
}
