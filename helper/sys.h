/* The seam: every change kexec-prep makes to the machine goes through
 * these calls, with plain arguments. Under --dry-run they print exactly the
 * call they would make and make none; nothing else in kexec-prep knows
 * whether this is a dry run. Each returns 0 or -errno. */
#ifndef KP_SYS_H
#define KP_SYS_H

#include <stdbool.h>
#include <stddef.h>

#include "root.h"

/* A descriptor with the name --dry-run shows for it. */
struct kp_sys_fd {
	int fd;
	const char *name;
};

void kp_sys_set_dry_run(bool on);
/* done, or would under --dry-run: for the words that report a change. */
const char *kp_sys_said(const char *done, const char *would);

/* initrd NULL: none (KEXEC_FILE_NO_INITRAMFS). */
int kp_sys_file_load(const struct kp_sys_fd *kernel, const struct kp_sys_fd *initrd,
		     const char *cmdline);
int kp_sys_file_unload(void);
/* kexec(8), given as a path on this machine, stages through kexec_load
 * with /proc/self/fd/N of the descriptors, never by path name. A positive
 * return is kexec's exit status. */
int kp_sys_tools_load(const char *kexec, const struct kp_sys_fd *kernel,
		      const struct kp_sys_fd *initrd, const char *cmdline);
int kp_sys_tools_unload(const char *kexec);
/* Several initramfs files as one memfd, concatenated in order by the
 * kernel (sendfile), never through this process's memory. On success
 * out->fd is the memfd, owned by the caller. */
int kp_sys_initrd_join(const struct kp_sys_fd *parts, size_t n, const char *name,
		       struct kp_sys_fd *out);
/* mount -o ro, umount; a positive return is the command's exit status. */
int kp_sys_mount_ro(const char *dev, const char *type, const char *target);
int kp_sys_umount(const char *target);
/* Write dir/name under the root atomically (a temporary file, then rename). */
int kp_sys_state_write(const struct kp_root *r, const char *dir, const char *name,
		       const char *text);
int kp_sys_state_remove(const struct kp_root *r, const char *path);
/* sync(), then reboot(LINUX_REBOOT_CMD_KEXEC): returns only when the jump
 * did not happen. */
int kp_sys_kexec_reboot(void);

#endif
