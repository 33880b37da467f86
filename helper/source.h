/* Where the kernel of the next boot is found. Each source yields a whole
 * entry (kernel, initrds, command line, and why) or nothing. They are
 * tried in this order: the KERNEL setting; the boot loaders, the likeliest
 * first by the evidence the facts hold; the name conventions. A new way of
 * finding kernels is a new source in the tables of source.c. */
#ifndef KP_SOURCE_H
#define KP_SOURCE_H

#include <stdbool.h>

#include "kexec-prep.h"

struct kp_entry {
	char *kernel;		/* path inside the root */
	struct kp_strv initrds; /* paths inside the root, in order */
	bool has_initrds;	/* the entry names them; else the kernel's name finds them */
	bool uki;		/* kernel is a unified kernel image: its sections hold it all */
	char *cmdline;		/* its own command line, NULL when it has none */
	char *why;		/* how it was found, for the user */
};

struct kp_source {
	const char *name;
	/* 1 found (e filled in), 0 nothing here (a boot loader that is there
	 * but cannot be read with certainty says why with kp_source_doubt),
	 * -errno (said why). seen: the evidence for a boot loader, else NULL. */
	int (*find)(struct kp_ctx *ctx, const struct kp_loader_seen *seen, struct kp_entry *e);
};

extern const struct kp_source kp_source_setting;  /* source-setting.c */
extern const struct kp_source kp_source_extlinux; /* source-extlinux.c */
extern const struct kp_source kp_source_grub;	  /* source-grub.c */
extern const struct kp_source kp_source_bls;	  /* source-bls.c */
extern const struct kp_source kp_source_uki;	  /* source-uki.c */
extern const struct kp_source kp_source_flavor;	  /* source-names.c */
extern const struct kp_source kp_source_pkgbase;  /* source-names.c */
extern const struct kp_source kp_source_newest;	  /* source-names.c */

/* The first entry a source yields; -ENOENT (said why) when none does.
 * loaders_only: only what a boot loader would boot (to compare). */
int kp_source_find(struct kp_ctx *ctx, struct kp_entry *e, bool loaders_only);
void kp_entry_free(struct kp_entry *e);
/* A boot loader is there but cannot be read with certainty: why. */
void kp_source_doubt(struct kp_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* name under BOOTPART, or an absolute path as it is. */
char *kp_boot_path(const struct kp_ctx *ctx, const char *name);
/* A path as a boot loader reads it from its configuration file config:
 * relative to the configuration's directory, or when absolute to the
 * partition that holds it (GRUB's "(hd0,1)" prefix dropped). NULL with
 * errno EXDEV when it leaves that partition, ENOMEM. */
char *kp_loader_path(struct kp_ctx *ctx, const char *config, const char *path, bool relative);
/* path (absolute or not) under the partition mounted at part; NULL with
 * errno EXDEV when it leaves it. */
char *kp_part_path(const char *part, const char *path);
/* The initramfs that goes with the kernel by its name, CPU microcode
 * first; none found is a warning, not an error. */
int kp_initrds_by_name(struct kp_ctx *ctx, const char *kernel, struct kp_strv *out);

#endif
