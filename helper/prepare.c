/* The prepared target: the one step check, load and exec share. A source
 * finds the entry; the settings adjust it; every file is opened and held;
 * then it is validated as the kernel will validate it. */
#include <einfo.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "image.h"
#include "source.h"
#include "uki.h"

/* INITRD: "none", a list (microcode first), or empty for the entry's own. */
static int initrd_paths(struct kp_ctx *ctx, struct kp_entry *e, struct kp_strv *out)
{
	const char *list = ctx->conf.initrd;
	char *copy, *w, *save = NULL;
	int err = 0;

	if (!strcmp(list, "none"))
		return 0;
	if (!list[0] && e->has_initrds) {
		*out = e->initrds;
		memset(&e->initrds, 0, sizeof(e->initrds));
		return 0;
	}
	if (!list[0])
		return kp_initrds_by_name(ctx, e->kernel, out);
	copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	for (w = strtok_r(copy, " \t,", &save); w && !err; w = strtok_r(NULL, " \t,", &save))
		err = kp_strv_take(out, kp_boot_path(ctx, w));
	free(copy);
	return err;
}

static int open_initrds(struct kp_ctx *ctx, struct kp_target *t, const struct kp_strv *paths)
{
	size_t i;
	int err;

	t->initrds = paths->n ? calloc(paths->n, sizeof(*t->initrds)) : NULL;
	if (paths->n && !t->initrds)
		return -ENOMEM;
	for (i = 0; i < paths->n; i++) {
		err = kp_file_open_checked(ctx, paths->v[i], "initramfs", &t->initrds[i]);
		if (err < 0)
			return err;
		t->ninitrds++;
	}
	t->initrd_names = kp_strv_join(paths, " + ");
	return t->initrd_names ? 0 : -ENOMEM;
}

/* The running command line, without what the boot loader adds for itself:
 * kexec-tools' --reuse-cmdline drops BOOT_IMAGE; initrd= names a file for
 * the EFI stub or the boot loader, never the initramfs staged here. */
static int running_cmdline(struct kp_ctx *ctx, struct kp_cmdline *cl)
{
	const struct kp_facts *f = kp_facts(ctx);
	int err;

	if (!f)
		return -ENOMEM;
	if (f->cmdline_err < 0) {
		eerror("%s: /proc/cmdline: %s (CMDLINE_FROM=running needs it; set CMDLINE in %s otherwise)",
		       ctx->applet, strerror(-f->cmdline_err), KP_CONFD);
		return f->cmdline_err;
	}
	err = kp_cmdline_parse(cl, f->cmdline, f->cmdline_len);
	if (err == 0) {
		kp_cmdline_remove(cl, "BOOT_IMAGE");
		kp_cmdline_remove(cl, "initrd");
	}
	return err;
}

/* CMDLINE; else as CMDLINE_FROM says: the entry's own (auto: when a boot
 * loader gave one), the running one, or none; then APPEND over it; then
 * panic=PANIC_TIMEOUT when the line sets no panic= of its own, so that a
 * kernel that panics after the jump reboots through the firmware instead
 * of waiting on its panic screen (Debian's kernels, among others, are built
 * with CONFIG_PANIC_TIMEOUT=0: wait forever); then, but on x86,
 * KP_JUMP_MARKER. */
static int build_cmdline(struct kp_ctx *ctx, const struct kp_entry *e, struct kp_target *t)
{
	enum kp_cmdline_from from = ctx->conf.cmdline_from;
	const char *base = ctx->conf.cmdline;
	struct kp_cmdline cl;
	int err;

	if (!base[0] && from == KP_FROM_AUTO)
		from = e->cmdline ? KP_FROM_ENTRY : KP_FROM_RUNNING;
	if (!base[0] && from == KP_FROM_ENTRY && !e->cmdline) {
		eerror("%s: CMDLINE_FROM=entry, but %s gives no command line: set CMDLINE_FROM=running or CMDLINE in %s",
		       ctx->applet, e->why, KP_CONFD);
		return -ENOENT;
	}
	if (!base[0] && from == KP_FROM_ENTRY)
		base = e->cmdline;
	else if (!base[0] && from == KP_FROM_NONE)
		base = "";
	err = base[0] || from != KP_FROM_RUNNING ? kp_cmdline_parse(&cl, base, strlen(base))
						 : running_cmdline(ctx, &cl);
	if (err < 0)
		return err;
	if (ctx->conf.append[0])
		err = kp_cmdline_set(&cl, ctx->conf.append);
	if (err == 0 && ctx->conf.panic_timeout && kp_cmdline_find(&cl, "panic") < 0) {
		char word[32];

		snprintf(word, sizeof(word), "panic=%u", ctx->conf.panic_timeout);
		err = kp_cmdline_set(&cl, word);
	}
	/* where the boot protocol cannot tell the next boot it came from a
	 * kexec jump, the line does (journal.c) */
	if (err == 0 && kp_facts(ctx) && kp_journal_needs_marker(kp_facts(ctx)))
		err = kp_cmdline_set(&cl, KP_JUMP_MARKER "=1");
	if (err == 0) {
		t->cmdline = kp_cmdline_join(&cl);
		if (!t->cmdline)
			err = -ENOMEM;
	}
	kp_cmdline_free(&cl);
	return err;
}

/* A unified kernel image: the file checked once, its sections as windows
 * of it; its .cmdline is the entry's command line. */
static int open_uki(struct kp_ctx *ctx, struct kp_entry *e, struct kp_target *t,
		    struct kp_strv *initrds)
{
	struct kp_file whole;
	struct kp_uki u;
	char *name;
	int err = kp_file_open_checked(ctx, e->kernel, "unified kernel image", &whole);

	if (err < 0)
		return err;
	err = kp_uki_parse(whole.fd, whole.size, &u);
	if (err < 0) {
		eerror("%s: %s is no unified kernel image (no PE file with a .linux section): %s",
		       ctx->applet, e->kernel, e->why);
		goto out;
	}
	name = kp_strdupf("%s:.linux", e->kernel);
	err = name ? kp_file_window(&whole, u.linux.offset, u.linux.size, name, &t->kernel)
		   : -ENOMEM;
	free(name);
	if (err == 0 && u.has_cmdline && !e->cmdline) {
		err = kp_uki_text(whole.fd, &u.cmdline, &e->cmdline);
		if (err < 0)
			eerror("%s: %s: its .cmdline section: %s", ctx->applet, e->kernel,
			       strerror(-err));
	}
	if (err == 0 && u.has_initrd && !ctx->conf.initrd[0]) {
		t->initrds = calloc(1, sizeof(*t->initrds));
		name = kp_strdupf("%s:.initrd", e->kernel);
		err = t->initrds && name ? kp_file_window(&whole, u.initrd.offset, u.initrd.size,
							  name, &t->initrds[0])
					 : -ENOMEM;
		t->ninitrds = err == 0;
		free(name);
		err = err ? err : kp_strv_push(initrds, t->initrds[0].path);
	}
out:
	kp_file_close(&whole);
	return err;
}

static int resolve(struct kp_ctx *ctx, struct kp_target *t)
{
	struct kp_strv initrds = {0};
	struct kp_entry e;
	int err = kp_source_find(ctx, &e, false);

	if (err < 0)
		return err;
	if (e.uki) {
		err = open_uki(ctx, &e, t, &initrds);
		if (err == 0 && ctx->conf.initrd[0])
			err = initrd_paths(ctx, &e, &initrds);
		if (err == 0 && ctx->conf.initrd[0])
			err = open_initrds(ctx, t, &initrds);
		else if (err == 0)
			t->initrd_names = kp_strv_join(&initrds, " + ");
	} else {
		err = kp_file_open_checked(ctx, e.kernel, "kernel", &t->kernel);
		if (err == 0)
			err = initrd_paths(ctx, &e, &initrds);
		if (err == 0)
			err = open_initrds(ctx, t, &initrds);
	}
	if (err == 0 && !t->initrd_names)
		err = -ENOMEM;
	if (err == 0)
		err = build_cmdline(ctx, &e, t);
	if (err == 0) {
		t->why = e.why;
		e.why = NULL;
	}
	kp_strv_free(&initrds);
	kp_entry_free(&e);
	return err;
}

int kp_prepare(struct kp_ctx *ctx, struct kp_target *t, bool say)
{
	size_t i;
	int err;

	memset(t, 0, sizeof(*t));
	t->kernel.fd = -1;
	t->unpacked.fd = -1;
	err = resolve(ctx, t);
	for (i = 0; say && i < ctx->doubts.n; i++)
		ewarn("%s: %s", ctx->applet, ctx->doubts.v[i]);
	if (err < 0)
		return err;
	if (say)
		einfo("Kernel: %s (%s)", t->kernel.path, t->why);
	err = kp_image_check_kernel(ctx, t);
	for (i = 0; err == 0 && i < t->ninitrds; i++)
		err = kp_image_check_initrd(ctx, &t->initrds[i]);
	if (err == 0)
		err = kp_image_check_modules(ctx, t);
	if (err == 0)
		err = kp_image_check_rootfs(ctx, t);
	return err;
}

void kp_target_free(struct kp_target *t)
{
	size_t i;

	kp_file_close(&t->kernel);
	kp_file_close(&t->unpacked);
	for (i = 0; i < t->ninitrds; i++)
		kp_file_close(&t->initrds[i]);
	free(t->initrds);
	free(t->initrd_names);
	free(t->cmdline);
	free(t->why);
	free(t->version);
	memset(t, 0, sizeof(*t));
	t->kernel.fd = -1;
	t->unpacked.fd = -1;
}
