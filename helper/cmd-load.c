/* kexec-prep load: prepare the target, stage it, record it; one staging at
 * a time. As the service (--background), in the background when
 * STAGE_IN_BACKGROUND says so. */
#include <einfo.h>
#include <errno.h>
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

int kp_cmd_load(struct kp_ctx *ctx)
{
	int lock, ret;

	if (kp_conf_load(ctx) < 0)
		return service_said(ctx, 1);
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
