/* kexec-prep unload: by hand it unstages, so the next reboot goes through
 * the firmware; during shutdown it keeps the staged kernel for the jump. */
#include <einfo.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kexec-prep.h"
#include "sys.h"

/* At shutdown: a staging still running in the background finishes first,
 * as the jump needs it and killprocs would cut it short; then the jump is
 * planned (journal.c); no longer than EXEC_TIMEOUT, as a shutdown never
 * hangs on kexec-prep. */
static int keep(struct kp_ctx *ctx)
{
	char msg[320];
	int lock = -1, conf = kp_conf_load(ctx);

	if (conf == 0) {
		snprintf(
			msg, sizeof(msg),
			kp_staging_running(ctx)
				? " * %s: the staging in the background did not finish within EXEC_TIMEOUT (%u s): it is cut short, and kexec-exec never jumps into what it left (it stages again first)"
				: " * %s: confirming the staged kernel took longer than EXEC_TIMEOUT (%u s): given up, and kexec-exec never jumps into what it left (it stages again first)",
			ctx->applet, ctx->conf.exec_timeout);
		kp_sys_deadline(
			ctx->conf.exec_timeout, msg, ctx->applet,
			": given up; no jump is planned, and a jump kexec-exec makes that does not come up is not held back");
		lock = kp_staging_lock(ctx, "The shutdown");
	}
	einfo("Shutting down: keeping the staged kernel for the jump");
	/* while the disks are writable (kexec-exec runs after mount-ro): the
	 * jump exec will make, the staged kernel confirmed first */
	if (conf == 0)
		kp_journal_plan(ctx, kp_is_poweroff(ctx));
	if (lock >= 0)
		close(lock);
	return 0;
}

static int unload(struct kp_ctx *ctx)
{
	const struct kp_facts *f = kp_facts(ctx);
	int err;

	if (!f)
		return 1;
	if (f->kexec_loaded == 0) {
		einfo("Nothing is staged");
		return kp_state_remove(ctx) < 0 ? 1 : 0;
	}
	err = kp_unstage(ctx, false);
	if (err < 0 && f->kexec_loaded < 0) {
		eerror("%s: %s, and the unload failed (%s): an image, if one is staged, stays staged; mount /sys and run rc-service kexec-load stop again",
		       ctx->applet, kp_state_why_unknown(ctx), strerror(-err));
		return 1;
	}
	if (err < 0) {
		eerror("%s: cannot unload the staged kernel (%s): it stays staged, and the next reboot jumps into it; run rc-service kexec-load stop as root, or take kexec-exec out of the shutdown runlevel (rc-update del kexec-exec shutdown)",
		       ctx->applet, strerror(-err));
		return 1;
	}
	if (kp_state_remove(ctx) < 0)
		return 1;
	kp_journal_unplan(ctx);
	einfo("Unloaded: the next reboot goes through the firmware");
	if (kp_conf_load(ctx) == 0)
		kp_journal_metrics(ctx, false);
	return 0;
}

int kp_cmd_unload(struct kp_ctx *ctx)
{
	char *why;
	int lock, ret, down = kp_going_down(ctx, &why);

	free(why);
	/* at shutdown OpenRC stops kexec-load too: the staged kernel stays */
	if (down)
		return keep(ctx);
	lock = kp_staging_lock(ctx, "Unloading");
	ret = unload(ctx);
	if (lock >= 0)
		close(lock);
	return ret;
}
