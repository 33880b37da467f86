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
bool kp_mount_is_rw(const struct kp_mount *m);
void kp_mounts_free(struct kp_mounts *m);

struct kp_fstab_entry {
	char *spec, *file, *type, *opts;
};

/* The last line of fstab text (not changed) for mount point file:
 * 1 found, 0 none, -ENOMEM. */
int kp_fstab_find(const char *text, const char *file, struct kp_fstab_entry *e);
void kp_fstab_entry_free(struct kp_fstab_entry *e);

#endif
