/* kexec-prep unload: by hand it unstages, so the next reboot goes through
 * the firmware; during shutdown it keeps the staged kernel for the jump. */
#include <einfo.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kexec-prep.h"
#include "sys.h"

int kp_cmd_unload(struct kp_ctx *ctx)
{
	const struct kp_facts *f;
	char *why;
	int err, down = kp_going_down(ctx, &why);

	free(why);
	/* at shutdown OpenRC stops kexec-load too: the staged kernel stays */
	if (down) {
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
