/* BOOTPART that /etc/fstab lists but nothing has mounted is mounted
 * read-only for the run, with fstab's device and type, at its path under
 * the root, and unmounted after. */
#include <einfo.h>
#include <errno.h>
#include <stdlib.h>

#include "kexec-prep.h"
#include "sys.h"

int kp_bootpart_mount(struct kp_ctx *ctx)
{
	const struct kp_mounts *mounts;
	struct kp_fstab_entry e;
	char *fstab, *target = NULL;
	int rc;

	if (kp_read_file(&ctx->root, "/etc/fstab", 1 << 20, &fstab, NULL) < 0)
		return 0;
	rc = kp_fstab_find(fstab, ctx->conf.bootpart, &e);
	free(fstab);
	if (rc <= 0)
		return 0;
	mounts = kp_mounts(ctx);
	if (mounts && !kp_mounts_find(mounts, ctx->conf.bootpart))
		target = kp_root_host_path(&ctx->root, ctx->conf.bootpart);
	rc = target ? kp_sys_mount_ro(e.spec, e.type, target) : -1;
	if (target && rc != 0)
		ewarn("%s: %s is in /etc/fstab but not mounted, and mounting it read-only failed",
		      ctx->applet, ctx->conf.bootpart);
	free(target);
	kp_fstab_entry_free(&e);
	return rc == 0;
}

void kp_bootpart_umount(struct kp_ctx *ctx)
{
	char *target = kp_root_host_path(&ctx->root, ctx->conf.bootpart);

	if (target)
		kp_sys_umount(target);
	free(target);
}
