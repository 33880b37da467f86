/* kexec-prep check: the readiness checks, and what load would stage. */
#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kexec-prep.h"
#include "source.h"

/* Does the boot loader boot what kexec-prep stages? What it could not
 * read with certainty, and a kernel set by hand, are warnings. */
static int check_loader(struct kp_ctx *ctx, const struct kp_target *t, struct kp_report *rep)
{
	size_t said = ctx->doubts.n;
	struct kp_entry e;
	char *doubts;
	int err = 0, found = t ? kp_source_find(ctx, &e, true) : -ENOENT;

	/* the second look repeats the first one's doubts */
	while (ctx->doubts.n > said)
		free(ctx->doubts.v[--ctx->doubts.n]);
	doubts = kp_strv_join(&ctx->doubts, "; ");
	if (!doubts)
		err = -ENOMEM;
	else if (said)
		err = kp_report_add(
			rep, "boot-loader", KP_WARN,
			strdup("make the boot loader's configuration what its generator writes (update-extlinux, grub-mkconfig, kernel-install), or set KERNEL in the settings to the kernel it boots"),
			"not read with certainty, so a later source picked the kernel: %s", doubts);
	else if (found == 0 && strcmp(e.kernel, t->kernel.path) != 0 &&
		 !(e.uki && !strncmp(t->kernel.path, e.kernel, strlen(e.kernel))))
		err = kp_report_add(
			rep, "boot-loader", KP_WARN,
			kp_strdupf(
				"remove KERNEL and INITRD from %s to stage what the boot loader boots, or make the boot loader boot %s",
				KP_CONFD, t->kernel.path),
			"an ordinary reboot boots %s (%s), but kexec-prep stages %s (%s)", e.kernel,
			e.why, t->kernel.path, t->why);
	else if (found == 0)
		err = kp_report_add(rep, "boot-loader", KP_OK, NULL,
				    "kexec-prep stages what an ordinary reboot boots");
	else if (found == -ENOENT && t)
		err = kp_report_add(
			rep, "boot-loader", KP_OK, NULL,
			"no boot loader configuration found: kernels are found by their names");
	if (found == 0)
		kp_entry_free(&e);
	free(doubts);
	return err < 0 ? err : found == -ENOMEM ? found : 0;
}

/* What load would stage, and why: prepared as load prepares it, nothing
 * staged. A failure has printed its reason already. */
static int check_target(struct kp_ctx *ctx, int conf_err, struct kp_report *rep)
{
	struct kp_target t = {.kernel = {.fd = -1}, .unpacked = {.fd = -1}};
	int err = conf_err;

	if (err == 0)
		err = kp_prepare(ctx, &t, false);
	if (err < 0)
		err = kp_report_add(
			rep, "kernel", KP_FAIL,
			strdup("fix what the message above says; kexec-prep --dry-run load shows the whole staging"),
			"nothing can be staged: see the message above");
	else
		err = kp_report_add(
			rep, "kernel", KP_OK, NULL,
			"would stage %s (%s%s%s; %s), picked by %s, %s%s, command line \"%s\"",
			t.kernel.path, t.format, t.packing ? ", " : "", t.packing ? t.packing : "",
			t.version[0] ? t.version : "no version string", t.why,
			t.ninitrds ? "with " : "without an initramfs", t.initrd_names, t.cmdline);
	if (err == 0)
		err = check_loader(ctx, t.kernel.path ? &t : NULL, rep);
	/* the watchdog across the jump into it (settings that failed to
	 * load have said why already) */
	if (err == 0 && conf_err == 0)
		err = kp_watchdog_check(ctx, t.version ? t.version : "", rep);
	kp_target_free(&t);
	return err;
}

/* After jumps that did not come up, load stages nothing until resume. */
static int check_suspended(struct kp_ctx *ctx, struct kp_report *rep)
{
	char *why = kp_journal_suspended(ctx);
	int err;

	if (!why)
		return 0;
	err = kp_report_add(
		rep, "suspended", KP_FAIL,
		kp_strdupf("once what made it fail is fixed: %s", kp_journal_resume_hint()), "%s",
		why);
	free(why);
	return err;
}

int kp_cmd_check(struct kp_ctx *ctx)
{
	FILE *out = ctx->json ? kp_json_out(ctx) : stdout;
	int conf_err, err;
	const struct kp_facts *f;
	struct kp_report rep = {0};
	bool ok;

	if (!out)
		return 1;
	conf_err = kp_conf_load(ctx);

	/* the settings say where the kernels are: see them first */
	if (conf_err == 0)
		kp_bootpart_mount(ctx);
	f = kp_facts(ctx);
	err = f ? kp_check_run(&ctx->root, f, &rep) : -ENOMEM;
	if (err == 0)
		err = check_target(ctx, conf_err, &rep);
	if (err == 0)
		err = check_suspended(ctx, &rep);
	ok = err == 0 && kp_report_ok(&rep);
	if (err < 0)
		eerror("%s: check: %s", ctx->applet, strerror(-err));
	else if (ctx->json)
		kp_report_print_json(&rep, f, out);
	else
		kp_report_print_text(&rep);
	kp_report_free(&rep);
	if (out != stdout && fclose(out) != 0) {
		eerror("%s: check --json: standard output: %s", ctx->applet, strerror(errno));
		ok = false;
	}
	return ok ? 0 : 1;
}
