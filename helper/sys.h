/* The seam: every change kexec-prep makes to the machine goes through
 * these calls, with plain arguments. Under --dry-run they print exactly the
 * call they would make and make none (but the private mount, which
 * changes nothing anyone else sees); nothing else in kexec-prep knows
 * whether this is a dry run. Each returns 0 or -errno. */
#ifndef KP_SYS_H
#define KP_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "root.h"

/* A descriptor with the name --dry-run shows for it; for joining, the
 * window [off, off + len) of it. */
struct kp_sys_fd {
	int fd;
	const char *name;
	off_t off, len;
};

void kp_sys_set_dry_run(bool on);
/* From now on, give up after seconds: say msg and exit 1 (the shutdown
 * goes on without the jump); every command run gets no more than that.
 * SIGTERM and SIGINT (an operator's Ctrl-C at the console) give up the
 * same way, saying "<applet>: stopped by SIGTERM<stopped>"; a watchdog
 * armed for the jump is stopped first. SIGHUP is ignored. */
void kp_sys_deadline(unsigned seconds, const char *msg, const char *applet, const char *stopped);
/* done, or would under --dry-run: for the words that report a change. */
const char *kp_sys_said(const char *done, const char *would);

/* initrd NULL: none (KEXEC_FILE_NO_INITRAMFS). */
int kp_sys_file_load(const struct kp_sys_fd *kernel, const struct kp_sys_fd *initrd,
		     const char *cmdline);
int kp_sys_file_unload(void);
/* kexec(8), given as a path on this machine, stages through kexec_load
 * with /proc/self/fd/N of the descriptors, never by path name. A positive
 * return is kexec's exit status, or KP_SYS_KILLED + the signal that ended
 * it; -ETIMEDOUT when it ran out of time (and was killed). */
#define KP_SYS_KILLED 256
int kp_sys_tools_load(const char *kexec, const struct kp_sys_fd *kernel,
		      const struct kp_sys_fd *initrd, const char *cmdline);
int kp_sys_tools_unload(const char *kexec);
/* Windows of files (several initramfs files, a section of a unified
 * kernel image) as one memfd, copied in order by the kernel (sendfile),
 * never through this process's memory. On success out->fd is the memfd,
 * owned by the caller. */
int kp_sys_memfd_join(const struct kp_sys_fd *parts, size_t n, const char *name,
		      struct kp_sys_fd *out);
/* Moves this process into a mount namespace of its own (once), then runs
 * mount -o ro there; a positive return is mount's exit status. It changes
 * nothing any other process sees, so --dry-run does it too: it is how a
 * dry run sees an unmounted /boot. fstab_opts: for bind, which mount(8)
 * needs to know. */
int kp_sys_private_mount_ro(const char *source, const char *type, const char *fstab_opts,
			    const char *target);
/* Write dir/name under the root atomically (a fresh temporary file, then
 * rename), in a directory that is root's and nobody else's to write (else
 * -EPERM); what says what it records, for --dry-run. */
int kp_sys_state_write(const struct kp_root *r, const char *dir, const char *name, const char *text,
		       const char *what);
/* Read name in the state directory dir, the directory checked as the
 * writes check it, name no symlink (not a change: --dry-run reads too). */
int kp_sys_state_read(const struct kp_root *r, const char *dir, const char *name, size_t max,
		      char **text);
/* A fresh file in the state directory, for writing; under --dry-run it
 * says what it is for and is -EROFS. */
int kp_sys_state_create(const struct kp_root *r, const char *dir, const char *name,
			const char *what);
/* The lock that serialises stagings: a descriptor holding it (its file
 * says the holder's pid), or -EWOULDBLOCK when another process holds it and
 * wait is false (*holder: its pid as its file says, -1 unknown). Under --dry-run nothing is
 * created, and a missing file means nobody holds it. */
int kp_sys_state_lock(const struct kp_root *r, const char *dir, const char *name, bool wait,
		      long *holder);
/* Who holds the lock at path, without taking it for long or creating it:
 * 0 nobody (or it cannot be read), else its pid (-1 unknown). */
long kp_sys_state_lock_holder(const struct kp_root *r, const char *path);
/* This process (and what it runs) at the lowest priority for the CPU and
 * the disk, which still never starves. */
void kp_sys_background_priority(void);
/* Has someone raised it again (kp_sys_boost)? */
bool kp_sys_boosted(void);
/* Back to the ordinary priority, for the staging holder (a kexec-prep,
 * checked in /proc) and the kexec(8) it runs: someone waits for it. */
void kp_sys_boost(long holder);
/* Write this process's pid into the lock's file: it holds the lock now. */
int kp_sys_state_lock_own(int fd);
int kp_sys_state_rename(const struct kp_root *r, const char *dir, const char *from, const char *to);
/* name in the state directory dir, through the directory's descriptor,
 * checked as the writes check it (a symlink, or a directory others may
 * write, is refused); none there is no error. */
int kp_sys_state_remove(const struct kp_root *r, const char *dir, const char *name);
/* A hardware watchdog (dev, a path under the root): set running for
 * *timeout seconds (set to what the device took) and kicked once; the
 * descriptor, held into the jump. */
int kp_sys_watchdog_arm(const struct kp_root *r, const char *dev, unsigned *timeout);
/* Stop it with the magic close ('V', then close): fd, or dev opened first
 * when fd < 0 (-EBUSY: another process, a watchdog daemon, holds it). */
int kp_sys_watchdog_stop(const struct kp_root *r, const char *dev, int fd);
/* modprobe(8) a module by name. */
int kp_sys_modprobe(const char *module);
/* sync(), then reboot(LINUX_REBOOT_CMD_KEXEC): returns only when the jump
 * did not happen. */
int kp_sys_kexec_reboot(void);

#endif
