#include <einfo.h>
#include <string.h>

#include "check.h"
#include "kexec-prep.h"

int kp_cmd_check(struct kp_ctx *ctx)
{
	struct kp_report rep;
	int err = kp_check_run(&ctx->root, &rep);
	bool ok;

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
