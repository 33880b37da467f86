/* kexec-prep load: prepare the target, stage it, record it; one staging at
 * a time. As the service (--background), in the background when
 * STAGE_IN_BACKGROUND says so. */
#include <einfo.h>
#include <errno.h>
#include <rc.h>
#include <stdlib.h>
#include <unistd.h>

#include "kexec-prep.h"
#include "sys.h"

static int load_now(struct kp_ctx *ctx)
{
	struct kp_target t;
	int err;

	kp_bootpart_mount(ctx);
	err = kp_prepare(ctx, &t, true);
	if (err == 0)
		err = kp_stage(ctx, &t);
	kp_target_free(&t);
	if (err == 0)
		kp_journal_metrics(ctx, true);
	if (err == 0 && kp_root_exists(&ctx->root, KP_FAILED))
		/* an older failure is over */
		kp_sys_state_remove(&ctx->root, KP_STATE_DIR, KP_FAILED_NAME);
	return err < 0 ? 1 : 0;
}

/* As the service, its own lines on the console (no ebegin or eend in the
 * script: each is one more program to start during the boot). */
static int service_said(struct kp_ctx *ctx, int ret)
{
	if (ctx->background && ret != 0)
		eerror("Not staged: the next reboot goes through the firmware");
	return ret;
}

/* After jumps that did not come up, nothing is staged until resume. */
static bool suspended(struct kp_ctx *ctx)
{
	char *why = ctx->resumed ? NULL : kp_journal_suspended(ctx);

	if (!why)
		return false;
	ewarn("%s: %s: not staging; reboots go through the firmware until %s", ctx->applet, why,
	      kp_journal_resume_hint());
	free(why);
	return true;
}

int kp_cmd_load(struct kp_ctx *ctx)
{
	int lock, ret;

	if (kp_conf_load(ctx) < 0)
		return service_said(ctx, 1);
	/* at boot, before anything is staged: how this boot came about */
	if (ctx->background)
		kp_journal_boot(ctx);
	if (suspended(ctx))
		return 0;
	/* the shutdown plans the jump when kexec-load stops (journal.c) */
	if (!ctx->background && ctx->root.whole &&
	    !(rc_service_state("kexec-load") & RC_SERVICE_STARTED))
		ewarn("%s: kexec-load is not started: the next reboot jumps into what this stages, but no jump is planned at shutdown, so one that does not come up is not held back (rc-service kexec-load start stages as the service)",
		      ctx->applet);
	if (ctx->background && ctx->conf.stage_in_background) {
		ret = kp_staging_background(ctx, load_now);
		if (ret != -EAGAIN)
			return service_said(ctx, ret);
	}
	if (ctx->background)
		einfo("Staging the next kernel for kexec");
	lock = kp_staging_lock(ctx, "This staging");
	ret = load_now(ctx);
	if (lock >= 0)
		close(lock);
	return service_said(ctx, ret);
}

int kp_cmd_resume(struct kp_ctx *ctx)
{
	if (kp_journal_resume(ctx) < 0)
		return 1;
	ctx->resumed = true;
	return kp_cmd_load(ctx);
}
