/* kexec-prep unload: by hand it unstages, so the next reboot goes through
 * the firmware; during shutdown it keeps the staged kernel for the jump. */
#include <einfo.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kexec-prep.h"
#include "sys.h"

static bool going_down(void)
{
	const char *rl = getenv("RC_RUNLEVEL"), *gd = getenv("RC_GOINGDOWN");

	return (gd && !strcmp(gd, "YES")) ||
	       (rl && (!strcmp(rl, "shutdown") || !strcmp(rl, "reboot")));
}

int kp_cmd_unload(struct kp_ctx *ctx)
{
	const struct kp_facts *f;
	int err;

	if (going_down()) {
		einfo("Shutting down: keeping the staged kernel for the jump");
		return 0;
	}
	f = kp_facts(ctx);
	if (!f)
		return 1;
	if (f->kexec_loaded == 0) {
		einfo("Nothing is staged");
		return kp_state_remove(ctx) < 0 ? 1 : 0;
	}
	err = kp_unstage(ctx, false);
	if (err < 0) {
		eerror("%s: cannot unload the staged kernel (%s): it stays staged, and the next reboot jumps into it; run rc-service kexec-load stop as root, or take kexec-exec out of the shutdown runlevel (rc-update del kexec-exec shutdown)",
		       ctx->applet, strerror(-err));
		return 1;
	}
	if (kp_state_remove(ctx) < 0)
		return 1;
	einfo("Unloaded: the next reboot goes through the firmware");
	return 0;
}
