/* kexec-prep exec: at the end of shutdown, jump into the staged kernel once
 * it is still the configured one and nothing can lose data. */
#include <einfo.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kexec-prep.h"
#include "sys.h"

/* Filesystems that hold no data of their own: what may stay read-write. */
static const char *const virtual_fs[] = {
	"proc",	       "sysfs",	  "devtmpfs",	"tmpfs",     "ramfs",	 "devpts",
	"cgroup",      "cgroup2", "securityfs", "debugfs",   "tracefs",	 "pstore",
	"efivarfs",    "bpf",	  "mqueue",	"hugetlbfs", "configfs", "fusectl",
	"binfmt_misc", "autofs",  "rpc_pipefs", "nsfs",
};

/* Is a filesystem that holds data (a disk, ZFS, NFS, an overlay, FUSE,
 * anything not in the list above) still mounted read-write? Names the
 * first. */
static char *busy_rw_mount(struct kp_ctx *ctx)
{
	const struct kp_mounts *m = kp_mounts(ctx);
	size_t i, j;

	if (!m)
		return strdup("/proc/self/mountinfo (unreadable: cannot tell)");
	for (i = 0; i < m->n; i++) {
		const struct kp_mount *e = &m->v[i];
		bool virt = false;

		for (j = 0; j < ARRAY_SIZE(virtual_fs) && !virt; j++)
			virt = !strcmp(e->fstype, virtual_fs[j]);
		if (kp_mount_is_rw(e) && !virt)
			return kp_strdupf("%s (%s on %s)", e->target, e->fstype, e->source);
	}
	return NULL;
}

/* trace: kexec-prep's file that was there before this run took the lock
 * (kp_state_trace), or NULL. */
static int may_jump(struct kp_ctx *ctx, const char *trace)
{
	const struct kp_facts *f = kp_facts(ctx);

	if (!f)
		return -ENOMEM;
	/* a staging cut short (the lock is this run's: none is running) is
	 * made again, as what the kernel holds cannot be accounted for */
	if (kp_root_exists(&ctx->root, KP_MARK))
		return kp_confirm_staged(ctx);
	if (f->kexec_loaded < 0) {
		eerror("%s: cannot tell whether an image is staged (/sys/kernel/kexec_loaded is unreadable: is /sys mounted?): not jumping",
		       ctx->applet);
		return -ENOENT;
	}
	if (f->kexec_loaded == 0) {
		eerror("%s: nothing is staged: not jumping", ctx->applet);
		return -ENOENT;
	}
	if (!kp_root_exists(&ctx->root, KP_STATE)) {
		if (trace) {
			eerror("%s: an image is staged that kexec-prep did not record (no %s), yet %s shows kexec-prep has run in this boot: it cannot account for the image, so it does not jump into it",
			       ctx->applet, KP_STATE, trace);
			return -ESTALE;
		}
		einfo("An image was staged by hand (no %s): jumping into it as it is", KP_STATE);
		return 0;
	}
	return kp_confirm_staged(ctx);
}

/* What happens instead of the jump, as far as this process can tell. */
static void say_instead(bool poweroff)
{
	const char *reboot = getenv("RC_REBOOT");

	if (reboot && !strcmp(reboot, "YES"))
		ewarn("No kexec jump: the ordinary reboot through the firmware goes on");
	else if (poweroff)
		ewarn("No kexec jump: the poweroff goes on");
	else
		ewarn("No kexec jump: the shutdown goes on as init asked, without kexec (a reboot through the firmware, or a poweroff)");
}

static int jump(struct kp_ctx *ctx)
{
	/* before the lock, which this run makes when it is not there */
	const char *trace = kp_state_trace(ctx);
	char *busy, *plan;
	int err, lock, wd;

	kp_bootpart_mount(ctx);
	/* a staging still running finishes first (the deadline bounds the
	 * wait), and none starts while this one decides */
	lock = kp_staging_lock(ctx, "The jump");
	err = may_jump(ctx, trace);
	busy = err == 0 && ctx->conf.require_readonly ? busy_rw_mount(ctx) : NULL;
	if (busy) {
		eerror("%s: %s is still mounted read-write: not jumping, as unwritten data could be lost (mount-ro has not run, or could not remount it; REQUIRE_READONLY=no in %s overrides)",
		       ctx->applet, busy, KP_CONFD);
		free(busy);
		err = -EBUSY;
	}
	if (err < 0) {
		if (lock >= 0)
			close(lock);
		return err;
	}
	/* the watchdog the shutdown planned, armed last: a jump that does not
	 * reach the runlevel is reset */
	plan = kp_journal_planned(ctx);
	wd = kp_watchdog_arm(ctx, plan);
	/* the lock is held into the jump */
	einfo("Jumping into the staged kernel");
	err = kp_sys_kexec_reboot();
	if (err < 0) {
		eerror("%s: reboot(LINUX_REBOOT_CMD_KEXEC) failed (%s): the staged kernel was not entered",
		       ctx->applet, strerror(-err));
		if (wd >= 0) {
			char *dev = kp_kv_get(plan, '\n', "watchdog");

			kp_sys_watchdog_stop(&ctx->root, dev ? dev : "", wd);
			free(dev);
		}
	}
	free(plan);
	return err;
}

/* Exit 0: jumped (only --dry-run comes back); 3: a poweroff, not jumping
 * on purpose; 1: refused or failed, and it said what happens instead. */
int kp_cmd_exec(struct kp_ctx *ctx)
{
	bool poweroff = kp_is_poweroff(ctx);
	char *why;
	int err, down = kp_going_down(ctx, &why);

	if (!down && !ctx->force) {
		eerror("%s: exec jumps only at the end of shutdown, and this is not one (%s): not jumping; --force jumps anyway",
		       ctx->applet, why ? why : "cannot tell");
		free(why);
		return 1;
	}
	free(why);
	err = kp_conf_load(ctx);
	if (err == 0) {
		static const char gives_up[] =
			": giving up; no kexec jump, the shutdown goes on without it";
		char msg[256];

		snprintf(msg, sizeof(msg), " * %s: exec took longer than EXEC_TIMEOUT (%u s)%s",
			 ctx->applet, ctx->conf.exec_timeout, gives_up);
		kp_sys_deadline(ctx->conf.exec_timeout, msg, ctx->applet, gives_up);
	}

	if (err == 0 && poweroff && !ctx->conf.kexec_on_poweroff) {
		einfo("Powering off: not jumping (KEXEC_ON_POWEROFF=no)");
		return 3;
	}
	if (err == 0)
		err = jump(ctx);
	if (err < 0) {
		say_instead(poweroff);
		kp_journal_refused(ctx);
		return 1;
	}
	return 0;
}
