/* kexec-prep status: what is staged; exit 3 when nothing is. */
#include <einfo.h>
#include <stdlib.h>
#include <string.h>

#include "kexec-prep.h"

/* What the last staging in the background said, when it failed. */
static void say_failed(struct kp_ctx *ctx)
{
	char *text, *line, *save = NULL;

	if (kp_read_file(&ctx->root, KP_FAILED, 1 << 16, &text, NULL) < 0)
		return;
	ewarn("The last staging in the background failed (%s):", KP_FAILED);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		ewarn("  %s", line + strspn(line, " *"));
	free(text);
}

int kp_cmd_status(struct kp_ctx *ctx)
{
	const struct kp_facts *f = kp_facts(ctx);
	bool have_state = kp_root_exists(&ctx->root, KP_STATE);
	long running = kp_staging_running(ctx);

	if (!f)
		return 1;
	if (running) {
		if (running > 0)
			einfo("Staging: kexec-prep (pid %ld) is staging the next kernel; ask again when it is done",
			      running);
		else
			einfo("Staging: a staging is in progress; ask again when it is done");
		return 0;
	}
	say_failed(ctx);
	if (f->kexec_loaded < 0) {
		eerror("%s: %s", ctx->applet, kp_state_why_unknown(ctx));
		return 1;
	}
	if (!f->kexec_loaded) {
		einfo("Nothing is staged: the next reboot goes through the firmware");
		if (have_state)
			ewarn("%s: %s is left over from an image that is no longer staged (kexec -u by hand?)",
			      ctx->applet, KP_STATE);
		return 3;
	}
	if (kp_root_exists(&ctx->root, KP_MARK)) {
		ewarn("%s: an image is staged, but a staging by kexec-prep was cut short before it was recorded (%s is there): exec will not jump into it; stage again with rc-service kexec-load restart",
		      ctx->applet, KP_MARK);
		return 0;
	}
	if (!have_state) {
		const char *trace = kp_state_trace(ctx);

		if (trace) {
			ewarn("%s: an image is staged that kexec-prep did not record (no %s), yet %s shows kexec-prep has run in this boot: exec will not jump into it; stage again with rc-service kexec-load restart",
			      ctx->applet, KP_STATE, trace);
			return 0;
		}
		einfo("An image is staged that kexec-prep did not stage (kexec -l by hand?): the next reboot jumps into it as it is");
		return 0;
	}
	einfo("Staged: the next reboot jumps into it");
	kp_state_print(ctx);
	return 0;
}
