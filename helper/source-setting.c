/* KERNEL in the settings (or --kernel): the user's word wins. */
#include <errno.h>

#include "source.h"

static int find(struct kp_ctx *ctx, const struct kp_loader_seen *seen, struct kp_entry *e)
{
	if (!ctx->conf.kernel[0])
		return 0;
	e->kernel = kp_boot_path(ctx, ctx->conf.kernel);
	e->why = kp_strdupf("KERNEL=%s", ctx->conf.kernel);
	return e->kernel && e->why ? 1 : -ENOMEM;
}

const struct kp_source kp_source_setting = {"setting", find};
