/* kexec-prep load: prepare the target, stage it, record it; one staging at
 * a time. As the service (--background), in the background when
 * STAGE_IN_BACKGROUND says so. */
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
		kp_sys_state_remove(&ctx->root, KP_FAILED); /* an older failure is over */
	return err < 0 ? 1 : 0;
}

int kp_cmd_load(struct kp_ctx *ctx)
{
	int lock, ret;

	if (kp_conf_load(ctx) < 0)
		return 1;
	if (ctx->background && ctx->conf.stage_in_background) {
		ret = kp_staging_background(ctx, load_now);
		if (ret != -EAGAIN)
			return ret;
	}
	lock = kp_staging_lock(ctx, "This staging");
	ret = load_now(ctx);
	if (lock >= 0)
		close(lock);
	return ret;
}
