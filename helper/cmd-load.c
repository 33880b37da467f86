/* kexec-prep load: prepare the target, stage it, record it. */
#include "kexec-prep.h"

int kp_cmd_load(struct kp_ctx *ctx)
{
	struct kp_target t;
	int err;

	if (kp_conf_load(ctx) < 0)
		return 1;
	kp_bootpart_mount(ctx);
	err = kp_prepare(ctx, &t, true);
	if (err == 0)
		err = kp_stage(ctx, &t);
	kp_target_free(&t);
	return err < 0 ? 1 : 0;
}
