#include <ctype.h>
#include <dirent.h>
#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "kexec-prep.h"

/* Versions compared as versions: runs of digits by value, '~' before
 * anything (as in 6.13~rc1 < 6.13), other characters by byte. */
int kp_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			size_t la, lb;
			int c;

			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			la = strspn(a, "0123456789");
			lb = strspn(b, "0123456789");
			if (la != lb)
				return la < lb ? -1 : 1;
			c = strncmp(a, b, la);
			if (c)
				return c < 0 ? -1 : 1;
			a += la;
			b += lb;
			continue;
		}
		if (*a == *b) {
			a++;
			b++;
			continue;
		}
		if (*a == '~' || *b == '~')
			return *a == '~' ? -1 : 1;
		if (!*a || !*b)
			return !*a ? -1 : 1;
		return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
	}
	return 0;
}

/* name under BOOTPART, or an absolute path as it is. */
static char *boot_path(const struct kp_ctx *ctx, const char *name)
{
	if (name[0] == '/')
		return strdup(name);
	return kp_strdupf("%s/%s", ctx->conf.bootpart, name);
}

static bool backup_name(const char *n)
{
	static const char *const tails[] = {".old",	 ".bak",     ".dpkg-tmp", ".dpkg-new",
					    ".dpkg-old", ".apk-new", "~"};
	size_t i, l = strlen(n);

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		size_t tl = strlen(tails[i]);

		if (l >= tl && strcmp(n + l - tl, tails[i]) == 0)
			return true;
	}
	return false;
}

/* The newest vmlinuz-<version> under BOOTPART, as a version. */
static char *newest_versioned(struct kp_ctx *ctx)
{
	char *best = NULL;
	struct dirent *de;
	DIR *d;
	int fd = kp_root_openat(&ctx->root, ctx->conf.bootpart, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return NULL;
	}
	while ((de = readdir(d))) {
		const char *v = de->d_name + 8;

		if (strncmp(de->d_name, "vmlinuz-", 8) != 0 || !isdigit((unsigned char)*v) ||
		    backup_name(de->d_name))
			continue;
		if (!best || kp_version_cmp(v, best) > 0) {
			free(best);
			best = strdup(v);
		}
	}
	closedir(d);
	return best;
}

/* Pick the kernel: the setting, else the running flavor (Alpine), else the
 * newest version. */
static char *pick_kernel(struct kp_ctx *ctx, const char *release, char **why)
{
	const char *flavor = strrchr(release, '-');
	char *p, *v;

	if (ctx->conf.kernel[0]) {
		*why = kp_strdupf("KERNEL=%s", ctx->conf.kernel);
		return boot_path(ctx, ctx->conf.kernel);
	}
	if (flavor && !isdigit((unsigned char)flavor[1]) && flavor[1]) {
		p = kp_strdupf("%s/vmlinuz-%s", ctx->conf.bootpart, flavor + 1);
		if (p && kp_root_exists(&ctx->root, p)) {
			*why = kp_strdupf("the running kernel's flavor (%s)", flavor + 1);
			return p;
		}
		free(p);
	}
	v = newest_versioned(ctx);
	if (!v)
		return NULL;
	*why = kp_strdupf("the newest vmlinuz-<version> in %s", ctx->conf.bootpart);
	p = kp_strdupf("%s/vmlinuz-%s", ctx->conf.bootpart, v);
	free(v);
	return p;
}

static int add_initrd(struct kp_ctx *ctx, struct kp_target *t, const char *path)
{
	struct kp_file *n = realloc(t->initrds, (t->ninitrds + 1) * sizeof(*n));
	int err;

	if (!n)
		return -ENOMEM;
	t->initrds = n;
	err = kp_file_open_checked(ctx, path, "initramfs", &t->initrds[t->ninitrds]);
	if (err < 0)
		return err;
	t->ninitrds++;
	return 0;
}

static int pick_initrds(struct kp_ctx *ctx, struct kp_target *t, const char *kname)
{
	static const char *const ucode[] = {"intel-ucode.img", "amd-ucode.img"};
	const char *list = ctx->conf.initrd;
	char *found = NULL;
	size_t i;
	int err;

	if (!strcmp(list, "none"))
		return 0;
	if (list[0]) {
		char *copy = strdup(list), *save = NULL, *w;

		if (!copy)
			return -ENOMEM;
		err = 0;
		for (w = strtok_r(copy, " \t,", &save); w && !err;
		     w = strtok_r(NULL, " \t,", &save)) {
			char *p = boot_path(ctx, w);

			err = p ? add_initrd(ctx, t, p) : -ENOMEM;
			free(p);
		}
		free(copy);
		return err;
	}
	/* Picking: the initramfs that goes with the kernel's name. */
	if (!strncmp(kname, "vmlinuz-", 8)) {
		const char *suffix = kname + 8;
		char *cands[] = {
			kp_strdupf("%s/initramfs-%s", ctx->conf.bootpart, suffix),
			kp_strdupf("%s/initrd.img-%s", ctx->conf.bootpart, suffix),
			kp_strdupf("%s/initramfs-%s.img", ctx->conf.bootpart, suffix),
			kp_strdupf("%s/initrd-%s.img", ctx->conf.bootpart, suffix),
		};

		for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
			if (!found && cands[i] && kp_root_exists(&ctx->root, cands[i]))
				found = cands[i];
			else
				free(cands[i]);
		}
	}
	if (!found) {
		ewarn("%s: no initramfs found for %s in %s: staging the kernel without one "
		      "(set INITRD in %s if it needs one)",
		      ctx->applet, kname, ctx->conf.bootpart, KP_CONFD);
		return 0;
	}
	/* CPU microcode goes first, as update-extlinux and GRUB put it. */
	for (i = 0; i < sizeof(ucode) / sizeof(ucode[0]); i++) {
		char *p = kp_strdupf("%s/%s", ctx->conf.bootpart, ucode[i]);

		err = 0;
		if (p && kp_root_exists(&ctx->root, p))
			err = add_initrd(ctx, t, p);
		free(p);
		if (err < 0) {
			free(found);
			return err;
		}
	}
	err = add_initrd(ctx, t, found);
	free(found);
	return err;
}

/* The command line for the next kernel. */
static int build_cmdline(struct kp_ctx *ctx, struct kp_target *t)
{
	struct kp_cmdline cl;
	char *running = NULL;
	size_t len = 0;
	int err;

	if (ctx->conf.cmdline[0]) {
		err = kp_cmdline_parse(&cl, ctx->conf.cmdline, strlen(ctx->conf.cmdline));
	} else if (ctx->conf.reuse_cmdline) {
		err = kp_read_file(&ctx->root, "/proc/cmdline", 1 << 20, &running, &len);
		if (err < 0) {
			eerror("%s: /proc/cmdline: %s (REUSE_CMDLINE=yes needs it; set CMDLINE "
			       "in %s otherwise)",
			       ctx->applet, strerror(-err), KP_CONFD);
			return err;
		}
		err = kp_cmdline_parse(&cl, running, len);
		free(running);
		if (err == 0) {
			/* What the bootloader adds for itself: kexec-tools' --reuse-cmdline
			 * drops BOOT_IMAGE; initrd= names a file for the EFI stub or the
			 * bootloader, never the initramfs staged here. */
			kp_cmdline_remove(&cl, "BOOT_IMAGE");
			kp_cmdline_remove(&cl, "initrd");
		}
	} else {
		err = kp_cmdline_parse(&cl, "", 0);
	}
	if (err < 0)
		return err;
	if (ctx->conf.append[0])
		err = kp_cmdline_set(&cl, ctx->conf.append);
	if (err == 0) {
		t->cmdline = kp_cmdline_join(&cl);
		if (!t->cmdline)
			err = -ENOMEM;
	}
	kp_cmdline_free(&cl);
	return err;
}

static int name_initrds(struct kp_target *t)
{
	size_t i, len = 1;

	for (i = 0; i < t->ninitrds; i++)
		len += strlen(t->initrds[i].path) + 3;
	t->initrd_names = calloc(1, len);
	if (!t->initrd_names)
		return -ENOMEM;
	for (i = 0; i < t->ninitrds; i++) {
		if (i)
			strcat(t->initrd_names, " + ");
		strcat(t->initrd_names, t->initrds[i].path);
	}
	return 0;
}

int kp_target_resolve(struct kp_ctx *ctx, struct kp_target *t)
{
	char *release = NULL, *kpath;
	const char *kname;
	int err;

	memset(t, 0, sizeof(*t));
	t->kernel.fd = -1;
	if (kp_read_line(&ctx->root, "/proc/sys/kernel/osrelease", &release) < 0)
		release = strdup("");
	if (!release)
		return -ENOMEM;
	kpath = pick_kernel(ctx, release, &t->why);
	free(release);
	if (!kpath) {
		eerror("%s: no kernel found in %s (no vmlinuz-<flavor> or vmlinuz-<version>): "
		       "set KERNEL in %s",
		       ctx->applet, ctx->conf.bootpart, KP_CONFD);
		return -ENOENT;
	}
	err = kp_file_open_checked(ctx, kpath, "kernel", &t->kernel);
	kname = strrchr(kpath, '/') ? strrchr(kpath, '/') + 1 : kpath;
	if (err == 0)
		err = pick_initrds(ctx, t, kname);
	if (err == 0)
		err = build_cmdline(ctx, t);
	if (err == 0)
		err = name_initrds(t);
	free(kpath);
	return err;
}

void kp_target_free(struct kp_target *t)
{
	size_t i;

	kp_file_close(&t->kernel);
	for (i = 0; i < t->ninitrds; i++)
		kp_file_close(&t->initrds[i]);
	free(t->initrds);
	free(t->version);
	free(t->cmdline);
	free(t->why);
	free(t->initrd_names);
	memset(t, 0, sizeof(*t));
	t->kernel.fd = -1;
}
