/* BOOTPART that /etc/fstab lists but nothing has mounted is mounted
 * read-only, with fstab's device and type, at its path under the root, in
 * a mount namespace of this process's own: nothing else on the machine
 * sees it, and it goes away with the process. check and --dry-run see the
 * kernels there as load does. */
#include <einfo.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kexec-prep.h"
#include "sys.h"

/* A bind mount names a directory of this tree, and a device may be named
 * by its path: found inside the root, as every file is (no ".." or symlink
 * out of it). UUID=, LABEL= and the like are mount(8)'s to find. */
static char *source_of(struct kp_ctx *ctx, const struct kp_fstab_entry *e)
{
	return e->spec[0] == '/' ? kp_root_resolve(&ctx->root, e->spec) : strdup(e->spec);
}

void kp_bootpart_mount(struct kp_ctx *ctx)
{
	const char *bp = ctx->conf.bootpart;
	const struct kp_fstab *t = kp_fstab(ctx);
	const struct kp_mounts *m = kp_mounts(ctx);
	const struct kp_fstab_entry *e = t ? kp_fstab_find(t, bp) : NULL;
	char *target, *source;
	int err;

	if (!e || !m || kp_mounts_find(m, bp))
		return;
	einfo("%s is in /etc/fstab but not mounted: mounting %s there read-only, in a private mount namespace that only kexec-prep sees",
	      bp, e->spec);
	target = kp_root_resolve(&ctx->root, bp);
	err = target ? 0 : -errno;
	source = err ? NULL : source_of(ctx, e);
	if (!err && !source)
		err = -errno;
	if (!err)
		err = kp_sys_private_mount_ro(source, e->type, e->opts, target);
	/* the root was opened in the old namespace: lookups from it would not
	 * see the new mount */
	if (!err)
		err = kp_root_reopen(&ctx->root);
	if (err)
		ewarn("%s: mounting %s read-only failed (%s): kernels there cannot be seen",
		      ctx->applet, bp, err < 0 ? strerror(-err) : "see mount's message above");
	free(target);
	free(source);
}
