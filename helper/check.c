#include <einfo.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kexec-prep.h"

/* What load would stage, and why: resolved and validated as load does it,
 * nothing mounted or staged. A failure has printed its reason already. */
static int check_target(struct kp_ctx *ctx, struct kp_report *rep)
{
	struct kp_target t = {.kernel = {.fd = -1}};
	size_t i;
	int err = kp_conf_load(ctx);

	if (err == 0)
		err = kp_target_resolve(ctx, &t);
	if (err == 0)
		err = kp_image_check_kernel(ctx, &t);
	for (i = 0; err == 0 && i < t.ninitrds; i++)
		err = kp_image_check_initrd(ctx, &t.initrds[i]);
	if (err == 0)
		err = kp_image_check_modules(ctx, &t);
	if (err < 0)
		err = kp_report_add(rep, "kernel", KP_FAIL,
				    strdup("fix what the message above says; kexec-prep --dry-run "
					   "load shows the whole staging"),
				    "nothing can be staged: see the message above");
	else
		err = kp_report_add(rep, "kernel", KP_OK, NULL,
				    "would stage %s (%s), picked by %s, %s%s", t.kernel.path,
				    t.version[0] ? t.version : "no version string", t.why,
				    t.ninitrds ? "with " : "without an initramfs", t.initrd_names);
	kp_target_free(&t);
	return err;
}

int kp_cmd_check(struct kp_ctx *ctx)
{
	struct kp_report rep;
	int err = kp_check_run(&ctx->root, &rep);
	bool ok;

	if (err == 0)
		err = check_target(ctx, &rep);
	if (err < 0) {
		eerror("%s: check: %s", ctx->applet, strerror(-err));
		kp_report_free(&rep);
		return 1;
	}
	if (ctx->json)
		kp_report_print_json(&rep);
	else
		kp_report_print_text(&rep);
	ok = kp_report_ok(&rep);
	kp_report_free(&rep);
	return ok ? 0 : 1;
}
