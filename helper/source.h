/* Where the kernel of the next boot is found. Each source yields a whole
 * entry or nothing; they are tried in the order of the table in source.c,
 * and a new way of finding kernels is a new source there. */
#ifndef KP_SOURCE_H
#define KP_SOURCE_H

#include <stdbool.h>

#include "kexec-prep.h"

struct kp_entry {
	char *kernel;		/* path inside the root */
	struct kp_strv initrds; /* paths inside the root, in order */
	bool has_initrds;	/* the entry names them; else the kernel's name finds them */
	char *cmdline;		/* its own command line, NULL when it has none */
	char *why;		/* how it was found, for the user */
};

struct kp_source {
	const char *name;
	/* 1 found (e filled in), 0 nothing here, -errno (said why) */
	int (*find)(struct kp_ctx *ctx, struct kp_entry *e);
};

extern const struct kp_source kp_source_setting; /* source-setting.c */
extern const struct kp_source kp_source_flavor;	 /* source-names.c */
extern const struct kp_source kp_source_newest;	 /* source-names.c */

/* The first entry a source yields; -ENOENT (said why) when none does. */
int kp_source_find(struct kp_ctx *ctx, struct kp_entry *e);
void kp_entry_free(struct kp_entry *e);

/* name under BOOTPART, or an absolute path as it is. */
char *kp_boot_path(const struct kp_ctx *ctx, const char *name);
/* The initramfs that goes with the kernel by its name, CPU microcode
 * first; none found is a warning, not an error. */
int kp_initrds_by_name(struct kp_ctx *ctx, const char *kernel, struct kp_strv *out);

#endif
