/* What the subcommands of kexec-prep share. */
#ifndef KEXEC_PREP_H
#define KEXEC_PREP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "sysroot.h"

#define KP_CONFD     "/etc/conf.d/kexec-load"
#define KP_STATE_DIR "/run/kexec-prep"
#define KP_STATE     KP_STATE_DIR "/staged"

enum kp_method { KP_METHOD_AUTO, KP_METHOD_FILE, KP_METHOD_TOOLS };

/* Settings: conf.d first, command-line flags over it. */
struct kp_conf {
	char *bootpart;
	char *kernel; /* "" means pick */
	char *initrd; /* "" means pick, "none" means no initramfs; else a list */
	char *append;
	char *cmdline; /* replaces the reused one when set */
	bool reuse_cmdline;
	bool kexec_on_poweroff;
	bool require_readonly;
	enum kp_method method;
};

struct kp_ctx {
	struct kp_root root;
	const char *root_path; /* as given with --root */
	const char *applet;
	bool json;
	bool dry_run;
	struct kp_conf conf;
	/* command-line flags, NULL when not given */
	const char *opt_kernel, *opt_initrd, *opt_append, *opt_cmdline, *opt_method, *opt_bootpart;
};

/* A validated file, held open: what was checked is what gets staged. */
struct kp_file {
	char *path; /* inside the root */
	int fd;
	struct stat st;
};

/* What load stages. */
struct kp_target {
	struct kp_file kernel;
	struct kp_file *initrds;
	size_t ninitrds;
	char *version; /* from the kernel image, "" when it carries none */
	char *cmdline;
	uint32_t cmdline_max; /* from the image header, 0 when it has none */
	char *why;	      /* how the kernel was chosen */
	char *initrd_names;   /* "a + b", "" when none */
};

/* conf.c */
int kp_conf_load(struct kp_ctx *ctx);
void kp_conf_free(struct kp_conf *conf);
/* Open under the root and check owner and mode; prints why not and returns -errno. */
int kp_file_open_checked(struct kp_ctx *ctx, const char *path, const char *what, struct kp_file *f);
void kp_file_close(struct kp_file *f);

/* pick.c */
int kp_version_cmp(const char *a, const char *b);
int kp_target_resolve(struct kp_ctx *ctx, struct kp_target *t);
void kp_target_free(struct kp_target *t);

/* image.c */
int kp_image_check_kernel(struct kp_ctx *ctx, struct kp_target *t);
int kp_image_check_initrd(struct kp_ctx *ctx, const struct kp_file *f);
int kp_image_check_modules(struct kp_ctx *ctx, const struct kp_target *t);

/* sys.c: the seam every syscall and command goes through. */
int kp_sys_file_load(struct kp_ctx *ctx, const struct kp_target *t, int initrd_fd);
int kp_sys_file_unload(struct kp_ctx *ctx);
int kp_sys_run(struct kp_ctx *ctx, char *const argv[], int keep_fd);
int kp_sys_kexec_reboot(struct kp_ctx *ctx);
char *kp_host_path(const struct kp_ctx *ctx, const char *path);

/* state.c */
int kp_state_write(struct kp_ctx *ctx, const struct kp_target *t, const char *method);
/* Does the staged state still match the target? 1 yes, 0 no, -ENOENT no state. */
int kp_state_matches(struct kp_ctx *ctx, const struct kp_target *t);
int kp_state_print(struct kp_ctx *ctx);
int kp_state_remove(struct kp_ctx *ctx);

/* the subcommands */
int kp_cmd_check(struct kp_ctx *ctx);
int kp_cmd_load(struct kp_ctx *ctx);
int kp_cmd_unload(struct kp_ctx *ctx);
int kp_cmd_status(struct kp_ctx *ctx);
int kp_cmd_exec(struct kp_ctx *ctx);
/* load without the settings step; used by exec to re-stage */
int kp_stage(struct kp_ctx *ctx, struct kp_target *t);

#endif
