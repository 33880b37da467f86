/* kexec-prep check: the readiness checks, and what load would stage. */
#include <einfo.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kexec-prep.h"

/* What load would stage, and why: prepared as load prepares it, nothing
 * mounted or staged. A failure has printed its reason already. */
static int check_target(struct kp_ctx *ctx, int conf_err, struct kp_report *rep)
{
	struct kp_target t = {.kernel = {.fd = -1}};
	int err = conf_err;

	if (err == 0)
		err = kp_prepare(ctx, &t, false);
	if (err < 0)
		err = kp_report_add(
			rep, "kernel", KP_FAIL,
			strdup("fix what the message above says; kexec-prep --dry-run load shows the whole staging"),
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
	int conf_err = kp_conf_load(ctx), err;
	const struct kp_facts *f;
	struct kp_report rep = {0};
	bool ok;

	/* the settings say where the kernels are: see them first */
	if (conf_err == 0)
		kp_bootpart_mount(ctx);
	f = kp_facts(ctx);
	err = f ? kp_check_run(&ctx->root, f, &rep) : -ENOMEM;
	if (err == 0)
		err = check_target(ctx, conf_err, &rep);
	if (err < 0) {
		eerror("%s: check: %s", ctx->applet, strerror(-err));
		kp_report_free(&rep);
		return 1;
	}
	if (ctx->json)
		kp_report_print_json(&rep, f);
	else
		kp_report_print_text(&rep);
	ok = kp_report_ok(&rep);
	kp_report_free(&rep);
	return ok ? 0 : 1;
}
