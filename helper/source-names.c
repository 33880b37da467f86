/* Name conventions, when nothing says which kernel boots: the running
 * kernel's flavor (Alpine), else the newest vmlinuz-<version>. */
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
static int find_flavor(struct kp_ctx *ctx, struct kp_entry *e)
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
	if (!kp_root_exists(&ctx->root, e->kernel))
		return 0;
	e->why = kp_strdupf("the running kernel's flavor (%s)", flavor + 1);
	return e->why ? 1 : -ENOMEM;
}

static bool backup_name(const char *n)
{
	static const char *const tails[] = {".old",	 ".bak",     ".dpkg-tmp", ".dpkg-new",
					    ".dpkg-old", ".apk-new", "~"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tails); i++)
		if (kp_str_ends_with(n, tails[i]))
			return true;
	return false;
}

static int find_newest(struct kp_ctx *ctx, struct kp_entry *e)
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
		const char *v = de->d_name + 8;

		if (strncmp(de->d_name, "vmlinuz-", 8) != 0 || !isdigit((unsigned char)*v) ||
		    backup_name(de->d_name))
			continue;
		if (!best || kp_version_cmp(v, best) > 0) {
			free(best);
			best = strdup(v);
			if (!best)
				break;
		}
	}
	closedir(d);
	if (!best)
		return 0;
	e->kernel = kp_strdupf("%s/vmlinuz-%s", ctx->conf.bootpart, best);
	e->why = kp_strdupf("the newest vmlinuz-<version> in %s", ctx->conf.bootpart);
	free(best);
	return e->kernel && e->why ? 1 : -ENOMEM;
}

const struct kp_source kp_source_flavor = {"flavor", find_flavor};
const struct kp_source kp_source_newest = {"newest", find_newest};

int kp_initrds_by_name(struct kp_ctx *ctx, const char *kernel, struct kp_strv *out)
{
	static const struct {
		const char *pre, *post;
	} shapes[] = {{"initramfs-", ""},
		      {"initrd.img-", ""},
		      {"initramfs-", ".img"},
		      {"initrd-", ".img"}};
	/* CPU microcode goes first, as update-extlinux and GRUB put it. */
	static const char *const ucode[] = {"intel-ucode.img", "amd-ucode.img"};
	const char *kname = strrchr(kernel, '/') ? strrchr(kernel, '/') + 1 : kernel;
	const char *bp = ctx->conf.bootpart;
	char *found = NULL;
	size_t i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(shapes) && !found && !strncmp(kname, "vmlinuz-", 8); i++) {
		found = kp_strdupf("%s/%s%s%s", bp, shapes[i].pre, kname + 8, shapes[i].post);
		if (!found)
			return -ENOMEM;
		if (!kp_root_exists(&ctx->root, found)) {
			free(found);
			found = NULL;
		}
	}
	if (!found) {
		ewarn("%s: no initramfs found for %s in %s: staging the kernel without one (set INITRD in %s if it needs one)",
		      ctx->applet, kname, bp, KP_CONFD);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(ucode) && err == 0; i++) {
		char *p = kp_strdupf("%s/%s", bp, ucode[i]);

		if (p && kp_root_exists(&ctx->root, p))
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
