/* Name conventions, when no boot loader says which kernel boots: the
 * running kernel's flavor (Alpine: vmlinuz-lts), its package (Arch and
 * Artix: vmlinuz-linux), else the newest vmlinuz-<version> or Gentoo's
 * kernel-<version>. */
#include <ctype.h>
#include <dirent.h>
#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source.h"
#include "version.h"

/* Alpine: uname -r 6.12.9-0-lts boots /boot/vmlinuz-lts. */
static int find_flavor(struct kp_ctx *ctx, const struct kp_loader_seen *seen, struct kp_entry *e)
{
	const struct kp_facts *f = kp_facts(ctx);
	const char *flavor;

	if (!f)
		return -ENOMEM;
	flavor = strrchr(f->release, '-');
	if (!flavor || !flavor[1] || isdigit((unsigned char)flavor[1]))
		return 0;
	e->kernel = kp_strdupf("%s/vmlinuz-%s", ctx->conf.bootpart, flavor + 1);
	if (!e->kernel)
		return -ENOMEM;
	if (!kp_root_is_file(&ctx->root, e->kernel))
		return 0;
	e->why = kp_strdupf("the running kernel's flavor (%s)", flavor + 1);
	return e->why ? 1 : -ENOMEM;
}

/* Arch and Artix: /lib/modules/<release>/pkgbase names the package,
 * whose kernel is /boot/vmlinuz-<pkgbase>. */
static int find_pkgbase(struct kp_ctx *ctx, const struct kp_loader_seen *seen, struct kp_entry *e)
{
	const struct kp_facts *f = kp_facts(ctx);
	char *path, *pkg = NULL;

	if (!f)
		return -ENOMEM;
	path = kp_strdupf("/lib/modules/%s/pkgbase", f->release);
	if (!path)
		return -ENOMEM;
	if (!f->release[0] || strchr(f->release, '/') || kp_read_line(&ctx->root, path, &pkg) < 0 ||
	    !pkg[0] || strchr(pkg, '/')) {
		free(path);
		free(pkg);
		return 0;
	}
	free(path);
	e->kernel = kp_strdupf("%s/vmlinuz-%s", ctx->conf.bootpart, pkg);
	e->why = kp_strdupf("the running kernel's package (%s, /lib/modules/%s/pkgbase)", pkg,
			    f->release);
	free(pkg);
	if (!e->kernel || !e->why)
		return -ENOMEM;
	return kp_root_is_file(&ctx->root, e->kernel) ? 1 : 0;
}

/* The kernel file name prefixes whose rest is a version. */
static const char *const prefixes[] = {"vmlinuz-", "kernel-"};

static const char *version_of(const char *name)
{
	size_t i, l;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
		l = strlen(prefixes[i]);
		if (!strncmp(name, prefixes[i], l) && kp_version_shape(name + l))
			return name + l;
	}
	return NULL;
}

/* A kernel candidate counts when it is a file, and the system has what a
 * kernel package installs with it: its modules or its config. Backups
 * and package-manager leftovers (vmlinuz-6.1.0-27-amd64.dpkg-bak, .save,
 * .apk-new, .1) never have either. */
static bool installed(struct kp_ctx *ctx, const char *name, const char *version)
{
	char *kernel = kp_strdupf("%s/%s", ctx->conf.bootpart, name);
	char *mods = kp_strdupf("/lib/modules/%s", version);
	char *config = kp_strdupf("%s/config-%s", ctx->conf.bootpart, version);
	bool yes = kernel && mods && config && kp_root_is_file(&ctx->root, kernel) &&
		   (kp_root_exists(&ctx->root, mods) || kp_root_is_file(&ctx->root, config));

	free(kernel);
	free(mods);
	free(config);
	return yes;
}

static int find_newest(struct kp_ctx *ctx, const struct kp_loader_seen *seen, struct kp_entry *e)
{
	char *best = NULL;
	struct dirent *de;
	DIR *d;
	int fd = kp_root_openat(&ctx->root, ctx->conf.bootpart, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		const char *v = version_of(de->d_name);

		if (!v || !installed(ctx, de->d_name, v))
			continue;
		if (!best || kp_version_cmp(v, version_of(best)) > 0) {
			free(best);
			best = strdup(de->d_name);
			if (!best)
				break;
		}
	}
	closedir(d);
	if (!best)
		return 0;
	e->kernel = kp_strdupf("%s/%s", ctx->conf.bootpart, best);
	e->why = kp_strdupf("the newest %.*s<version> in %s", (int)(version_of(best) - best), best,
			    ctx->conf.bootpart);
	free(best);
	return e->kernel && e->why ? 1 : -ENOMEM;
}

const struct kp_source kp_source_flavor = {"flavor", find_flavor};
const struct kp_source kp_source_pkgbase = {"pkgbase", find_pkgbase};
const struct kp_source kp_source_newest = {"newest", find_newest};

int kp_initrds_by_name(struct kp_ctx *ctx, const char *kernel, struct kp_strv *out)
{
	/* Debian, Alpine and Arch, dracut and Gentoo, older Red Hat */
	static const struct {
		const char *pre, *post;
	} shapes[] = {{"initramfs-", ""},  {"initrd.img-", ""}, {"initramfs-", ".img"},
		      {"initrd-", ".img"}, {"initrd-", ""},	{"initramfs-genkernel-", ""}};
	/* CPU microcode first, in the order grub-mkconfig puts it */
	static const char *const ucode[] = {"intel-uc.img",  "intel-ucode.img",	 "amd-uc.img",
					    "amd-ucode.img", "early_ucode.cpio", "microcode.cpio"};
	const char *kname = strrchr(kernel, '/') ? strrchr(kernel, '/') + 1 : kernel;
	const char *dir_end = strrchr(kernel, '/') ? strrchr(kernel, '/') : kernel;
	const char *suffix = NULL;
	char *found = NULL;
	size_t i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(prefixes) && !suffix; i++)
		if (!strncmp(kname, prefixes[i], strlen(prefixes[i])))
			suffix = kname + strlen(prefixes[i]);
	for (i = 0; suffix && i < ARRAY_SIZE(shapes) && !found; i++) {
		found = kp_strdupf("%.*s/%s%s%s", (int)(dir_end - kernel), kernel, shapes[i].pre,
				   suffix, shapes[i].post);
		if (!found)
			return -ENOMEM;
		if (!kp_root_is_file(&ctx->root, found)) {
			free(found);
			found = NULL;
		}
	}
	if (!found) {
		ewarn("%s: no initramfs found for %s in %.*s: staging the kernel without one (set INITRD in %s if it needs one)",
		      ctx->applet, kname, (int)(dir_end - kernel), kernel, KP_CONFD);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(ucode) && err == 0; i++) {
		char *p = kp_strdupf("%.*s/%s", (int)(dir_end - kernel), kernel, ucode[i]);

		if (p && kp_root_is_file(&ctx->root, p))
			err = kp_strv_take(out, p);
		else
			free(p);
	}
	if (err < 0) {
		free(found);
		return err;
	}
	return kp_strv_take(out, found);
}
