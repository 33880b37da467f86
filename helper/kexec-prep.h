/* What the parts of kexec-prep share. */
#ifndef KEXEC_PREP_H
#define KEXEC_PREP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "mounts.h"
#include "readiness.h"
#include "root.h"
#include "str.h"

/* KP_CONFD comes from meson: <sysconfdir>/conf.d/kexec-load. */
#define KP_STATE_DIR  "/run/kexec-prep"
#define KP_STATE_NAME "staged"
#define KP_STATE      KP_STATE_DIR "/" KP_STATE_NAME
/* There from before a staging call until what was staged is recorded: an
 * image staged while it is there is one kexec-prep cannot account for. */
#define KP_MARK_NAME "staging"
#define KP_MARK	     KP_STATE_DIR "/" KP_MARK_NAME
/* One staging at a time: held by whoever stages (its file holds the pid). */
#define KP_LOCK_NAME "lock"
#define KP_LOCK	     KP_STATE_DIR "/" KP_LOCK_NAME
/* The output of the staging in the background, running or last done; kept
 * as "failed" instead when it failed, until a staging succeeds. */
#define KP_LOG_NAME    "log"
#define KP_LOG	       KP_STATE_DIR "/" KP_LOG_NAME
#define KP_FAILED_NAME "failed"
#define KP_FAILED      KP_STATE_DIR "/" KP_FAILED_NAME

/* What outlives a boot (journal.c): the planned jump, how each boot came
 * about, the suspension after jumps that did not come up. */
#define KP_VAR_DIR "/var/lib/kexec-prep"
/* On the staged command line where the boot protocol cannot tell a kexec
 * jump (all but x86): a module parameter, which the kernel keeps from init. */
#define KP_JUMP_MARKER "kexec_prep.jump"

enum kp_method { KP_METHOD_AUTO, KP_METHOD_FILE, KP_METHOD_TOOLS };
/* Where the command line comes from: auto is the boot entry's own when a
 * boot loader gave one, else the running one. */
enum kp_cmdline_from { KP_FROM_AUTO, KP_FROM_ENTRY, KP_FROM_RUNNING, KP_FROM_NONE };

/* Settings: conf.d first, command-line flags over it. */
struct kp_conf {
	char *bootpart;
	char *kernel; /* "" means pick */
	char *initrd; /* "" means pick, "none" means no initramfs; else a list */
	char *append;
	char *cmdline; /* replaces the others when set */
	enum kp_cmdline_from cmdline_from;
	bool kexec_on_poweroff;
	bool require_readonly;
	unsigned exec_timeout;	   /* seconds exec may take before it gives up */
	unsigned panic_timeout;	   /* panic= for the staged kernel; 0: leave the line alone */
	bool stage_in_background;  /* load --background returns at once */
	unsigned max_failed_jumps; /* in a row, before kexec is suspended; 0: never */
	char *metrics_file;	   /* node_exporter's textfile format; "" none */
	char *watchdog;		   /* "auto", "no" or /dev/watchdogN */
	unsigned watchdog_timeout; /* seconds it is armed for across the jump */
	enum kp_method method;
};

struct kp_ctx {
	struct kp_root root;
	const char *applet;
	bool json;
	bool force;		 /* exec outside the shutdown runlevel */
	bool background;	 /* load: as the service, in the background when so set */
	struct timespec started; /* CLOCK_REALTIME when this run began */
	bool resumed;		 /* resume: a suspension is over (under --dry-run too) */
	struct kp_conf conf;
	/* command-line flags, NULL when not given */
	const char *opt_kernel, *opt_initrd, *opt_append, *opt_cmdline, *opt_method, *opt_bootpart;
	/* read on first use, once per run: see ctx.c */
	struct kp_facts facts;
	struct kp_mounts mounts;
	struct kp_fstab fstab;
	int facts_read, mounts_read, fstab_read; /* 0 not yet, 1 read, -errno failed */
	/* boot loaders found but not read with certainty: said by check, warned by load */
	struct kp_strv doubts;
};

/* ctx.c: the machine as this run found it. */
/* NULL only when out of memory. */
const struct kp_facts *kp_facts(struct kp_ctx *ctx);
/* NULL when /proc/self/mountinfo is unreadable. */
const struct kp_mounts *kp_mounts(struct kp_ctx *ctx);
/* NULL when /etc/fstab is unreadable or absent. */
const struct kp_fstab *kp_fstab(struct kp_ctx *ctx);
/* The mount point (mounted, or listed in fstab) that holds path: the root
 * of the partition a boot loader reads it from. */
const char *kp_partition_of(struct kp_ctx *ctx, const char *path);
void kp_ctx_free(struct kp_ctx *ctx);
/* --json: from now on standard output is a copy of standard error (what is
 * said on the way), and the object goes to the stream returned, the real
 * standard output; NULL (said why) when the descriptors cannot be had. */
FILE *kp_json_out(struct kp_ctx *ctx);

/* A file held open: what was checked is what gets staged. It may be a
 * window of a file: a section of a unified kernel image. */
struct kp_file {
	char *path; /* inside the root, for the user */
	int fd;
	struct stat st;
	off_t off, size; /* the window: the whole file unless a section */
};

/* pread within the window: at is relative to its start. */
ssize_t kp_file_pread(const struct kp_file *f, void *buf, size_t n, off_t at);
/* A window of f (a new descriptor of the same open file), named path. */
int kp_file_window(const struct kp_file *f, off_t off, off_t size, const char *path,
		   struct kp_file *out);

/* file.c: open under the root, refuse what root does not own or others
 * may write; prints why not and returns -errno. */
int kp_file_open_checked(struct kp_ctx *ctx, const char *path, const char *what, struct kp_file *f);
void kp_file_close(struct kp_file *f);

/* conf.c */
int kp_conf_load(struct kp_ctx *ctx);
void kp_conf_free(struct kp_conf *conf);

/* The prepared target: what would be staged, resolved and validated. */
struct kp_target {
	struct kp_file kernel;
	struct kp_file *initrds;
	size_t ninitrds;
	char *initrd_names; /* "a + b", "" when none */
	char *cmdline;
	char *why; /* where the kernel came from */
	/* a compressed kernel, decompressed: what is staged (fd -1 when the
	 * kernel is not compressed) */
	struct kp_file unpacked;
	/* from the image itself */
	const char *format;  /* "bzImage", "arm64 Image" */
	const char *packing; /* NULL, "gzip-compressed", "EFI zboot, zstd", ... */
	char *version;	     /* "" when the image carries none */
	uint32_t cmdline_max;
};

/* prepare.c: the one step check, load and exec share. say prints which
 * kernel was picked before validating it. A failure has printed why. */
int kp_prepare(struct kp_ctx *ctx, struct kp_target *t, bool say);
void kp_target_free(struct kp_target *t);

/* stage.c: stage a prepared target and record it; unstage (tools: the
 * image was staged through kexec-tools). */
int kp_stage(struct kp_ctx *ctx, const struct kp_target *t);
int kp_unstage(struct kp_ctx *ctx, bool tools);
/* Is the staged kernel still the configured one? Stages it again when not.
 * 0 when the jump may go on; a failure has said why. */
int kp_confirm_staged(struct kp_ctx *ctx);

/* state.c: what was staged, under KP_STATE, and the mark of a staging in
 * progress, KP_MARK. */
int kp_state_mark(struct kp_ctx *ctx);
int kp_state_unmark(struct kp_ctx *ctx);
int kp_state_write(struct kp_ctx *ctx, const struct kp_target *t, const char *method);
/* Does the staged state still match the target? 1 yes, 0 no, -errno no state. */
int kp_state_matches(struct kp_ctx *ctx, const struct kp_target *t);
int kp_state_print(struct kp_ctx *ctx);
/* A value of the record's text (a file's path without its identity). */
char *kp_state_value(const char *rec, const char *key);
int kp_state_remove(struct kp_ctx *ctx);
/* The first of kexec-prep's files in the state directory that is there
 * (the mark, the lock, the background staging's log or failure), or NULL.
 * Any of them: kexec-prep has run in this boot, and an image
 * staged without a record is not one staged by hand. */
const char *kp_state_trace(struct kp_ctx *ctx);
/* Why /sys/kernel/kexec_loaded could not be read: /sys not mounted, or a
 * kernel without kexec. */
const char *kp_state_why_unknown(struct kp_ctx *ctx);

/* staging.c: one staging at a time, and the service's staging in the
 * background. The lock: a descriptor, after waiting (and saying so, doing
 * names who waits) for a staging that holds it; or -errno when the state
 * directory cannot hold it (not root's, not writable), and the caller goes
 * on without it: the mark and the record refuse such a directory, with the
 * reason, before anything is staged. */
int kp_staging_lock(struct kp_ctx *ctx, const char *doing);
/* Stage with load in a child that outlives this process, which returns at
 * once (the exit status): its output goes to syslog, to rc.log when
 * rc_logger is on, and on failure to the console and KP_FAILED. -EAGAIN:
 * the caller stages in the foreground (--dry-run, or no child could start). */
int kp_staging_background(struct kp_ctx *ctx, int (*load)(struct kp_ctx *ctx));
/* Is a staging running? Its pid (-1 unknown), or 0. */
long kp_staging_running(struct kp_ctx *ctx);

/* bootpart.c: BOOTPART from fstab, mounted read-only in a private mount
 * namespace for the run when it is not mounted. */
void kp_bootpart_mount(struct kp_ctx *ctx);

/* journal.c. At shutdown (kexec-load's stop): record the jump exec will
 * make, if it will make one. */
int kp_journal_plan(struct kp_ctx *ctx, bool poweroff);
/* No jump is planned any more: unloaded by hand, or the jump a watchdog
 * guards has come up (it is stopped; until then a reset counts as a
 * failed jump). */
void kp_journal_unplan(struct kp_ctx *ctx);
/* exec did not jump: record it, so the next boot does not count a failed
 * jump (the disks are read-only by then, mostly: it says so). */
void kp_journal_refused(struct kp_ctx *ctx);
/* At boot (the service's load): how this boot came about, on record once;
 * a planned jump that did not come up counts, and suspends kexec at
 * MAX_FAILED_JUMPS in a row. */
int kp_journal_boot(struct kp_ctx *ctx);
/* The plan the shutdown recorded (the caller's), or NULL. */
char *kp_journal_planned(struct kp_ctx *ctx);
/* Why kexec is suspended (owned by the caller), or NULL when it is not. */
char *kp_journal_suspended(struct kp_ctx *ctx);
const char *kp_journal_resume_hint(void);
int kp_journal_resume(struct kp_ctx *ctx);
/* Does the staged command line need KP_JUMP_MARKER on this machine? */
bool kp_journal_needs_marker(const struct kp_facts *f);
/* status: this boot, the counts, the suspension; --json, all of it with
 * the history and staged (a JSON value) in one object. */
void kp_journal_print(struct kp_ctx *ctx);
void kp_journal_print_json(struct kp_ctx *ctx, FILE *out, const char *staged_json);
/* METRICS_FILE, when set, rewritten atomically. */
void kp_journal_metrics(struct kp_ctx *ctx, bool staged);

/* watchdog.c: the hardware watchdog armed across the jump. */
struct kp_watchdog {
	char dev[32];	  /* /dev/watchdogN */
	char *name;	  /* watchdogN */
	char *identity;	  /* as sysfs says it: "i6300ESB timer" */
	char *module;	  /* its driver's module, "" when sysfs does not say */
	unsigned timeout; /* WATCHDOG_TIMEOUT, within the device's limits */
	bool nowayout;	  /* once started, it cannot be stopped */
	bool daemon;	  /* a watchdog service is in a runlevel */
	/* the running kernel's watchdog.stop_on_reboot: 0 keeps watchdogs
	 * running through a reboot, the jump too; 1 stops them; -1 each
	 * driver says; -2 a kernel without it */
	int keeps;
};
/* "watchdogN" for /dev/watchdogN (/dev/watchdog is watchdog0), NULL when
 * path is no watchdog device's. */
const char *kp_watchdog_device_name(const char *path);
/* Is the jump into the kernel of this version guarded? 1: w filled (free
 * it); 0: not, *why (the caller's) says why; -errno: WATCHDOG names no
 * device (*why says so), or out of memory. */
int kp_watchdog_decide(struct kp_ctx *ctx, const char *version, struct kp_watchdog *w, char **why);
void kp_watchdog_free(struct kp_watchdog *w);
int kp_watchdog_check(struct kp_ctx *ctx, const char *version, struct kp_report *rep);
/* exec: arm what the plan names; the descriptor (held into the jump, for
 * kp_sys_watchdog_stop when the jump fails), or -1 when none is armed. */
int kp_watchdog_arm(struct kp_ctx *ctx, const char *plan);
/* At boot, after a planned jump that armed one: stop it once OpenRC has
 * reached the runlevel (in a process of its own while it starts). */
void kp_watchdog_after_jump(struct kp_ctx *ctx, const char *plan, const char *boot);
/* status: what became of it in this boot (boot: its id). */
void kp_watchdog_print(struct kp_ctx *ctx, const char *boot);
void kp_watchdog_print_json(struct kp_ctx *ctx, const char *boot, FILE *out);

/* runlevel.c: 1 when the machine is going down, else 0; *why (owned by
 * the caller) says how that was told. */
int kp_going_down(struct kp_ctx *ctx, char **why);
/* Is this shutdown a poweroff, under an init that tells one from a reboot? */
bool kp_is_poweroff(struct kp_ctx *ctx);

/* the subcommands, one file each */
int kp_cmd_check(struct kp_ctx *ctx);
int kp_cmd_load(struct kp_ctx *ctx);
int kp_cmd_unload(struct kp_ctx *ctx);
int kp_cmd_status(struct kp_ctx *ctx);
int kp_cmd_exec(struct kp_ctx *ctx);
int kp_cmd_resume(struct kp_ctx *ctx);

#endif
