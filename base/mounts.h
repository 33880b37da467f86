/* The mount table (/proc/self/mountinfo) and /etc/fstab. */
#ifndef KP_MOUNTS_H
#define KP_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

struct kp_mount {
	unsigned major, minor;
	const char *target; /* mount point, unescaped */
	const char *opts;   /* per-mount options: "rw,relatime" */
	const char *fstype;
	const char *source;
	/* the filesystem's own: "rw,errors=remount-ro"; NULL if not given */
	const char *super_opts;
};

struct kp_mounts {
	char *buf; /* owns every string below */
	struct kp_mount *v;
	size_t n;
};

/* Takes buf (the whole mountinfo, NUL-terminated) and frees it with m.
 * Lines that are not mountinfo syntax are skipped. */
int kp_mounts_parse(struct kp_mounts *m, char *buf);
/* The mount on top at target, NULL when nothing is mounted there. */
const struct kp_mount *kp_mounts_find(const struct kp_mounts *m, const char *target);
/* Can data be written through it: the mount and its filesystem both
 * read-write. umount of the root directory (OpenRC 0.63's mount-ro runs
 * `umount -r /`) makes the kernel turn the filesystem read-only and leave
 * the mount's own flag as it was. */
bool kp_mount_is_rw(const struct kp_mount *m);
void kp_mounts_free(struct kp_mounts *m);

struct kp_fstab_entry {
	const char *spec, *file, *type, *opts; /* unescaped */
};

struct kp_fstab {
	char *buf; /* owns every string below */
	struct kp_fstab_entry *v;
	size_t n;
};

/* Takes buf (the whole of /etc/fstab, NUL-terminated) and frees it with t.
 * Comments and lines of fewer than three fields are skipped. */
int kp_fstab_parse(struct kp_fstab *t, char *buf);
/* The last entry for mount point file, NULL when none. */
const struct kp_fstab_entry *kp_fstab_find(const struct kp_fstab *t, const char *file);
void kp_fstab_free(struct kp_fstab *t);

/* Is path inside dir (dir itself included), component by component? */
bool kp_path_within(const char *path, const char *dir);

#endif
