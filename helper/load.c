#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "check.h"
#include "kexec-prep.h"

static bool going_down(void)
{
	const char *rl = getenv("RC_RUNLEVEL"), *gd = getenv("RC_GOINGDOWN");

	return (gd && !strcmp(gd, "YES")) ||
	       (rl && (!strcmp(rl, "shutdown") || !strcmp(rl, "reboot")));
}

/* Several initrds become one memfd, concatenated in order by the kernel
 * (sendfile), never through this process's memory. Returns the fd. */
static int concat_initrds(struct kp_ctx *ctx, const struct kp_target *t)
{
	int mfd = memfd_create("kexec-prep-initrd", MFD_CLOEXEC);
	size_t i;

	if (mfd < 0)
		return -errno;
	for (i = 0; i < t->ninitrds; i++) {
		off_t off = 0, left = t->initrds[i].st.st_size;

		while (left > 0) {
			ssize_t n = sendfile(mfd, t->initrds[i].fd, &off, (size_t)left);

			if (n <= 0) {
				int err = n < 0 ? -errno : -EIO;

				eerror("%s: cannot concatenate initramfs %s: %s", ctx->applet,
				       t->initrds[i].path, strerror(-err));
				close(mfd);
				return err;
			}
			left -= n;
		}
	}
	return mfd;
}

/* The readiness checks that fail, or CAP_SYS_BOOT when none does. */
static void explain_with_checks(struct kp_ctx *ctx)
{
	struct kp_report rep;
	bool explained = false;

	if (kp_check_run(&ctx->root, &rep) == 0 && !kp_report_ok(&rep)) {
		kp_report_print_failures(&rep);
		explained = true;
	}
	if (rep.f.cap_sys_boot == 0) {
		eerror("%s: this process lacks CAP_SYS_BOOT, which staging needs: run kexec-prep "
		       "load as root",
		       ctx->applet);
		explained = true;
	}
	if (!explained)
		eerror("%s: no readiness check explains it: a security module (SELinux, "
		       "AppArmor), a seccomp filter or a container (CAP_SYS_BOOT counts only in "
		       "the host's initial user namespace) can refuse it; run kexec-prep as root "
		       "on the host itself",
		       ctx->applet);
	kp_report_free(&rep);
}

/* "WHY kexec-tools, which is not installed: <how to install it here>" */
static void tools_missing(const struct kp_ctx *ctx, const struct kp_facts *f, const char *why)
{
	char *hint = kp_install_hint(f, "kexec-tools");

	eerror("%s: %s kexec-tools, which is not installed: %s", ctx->applet, why,
	       hint ? hint : "install kexec-tools");
	free(hint);
}

static void explain_errno(struct kp_ctx *ctx, const struct kp_facts *f, const struct kp_target *t,
			  int err)
{
	switch (-err) {
	case EPERM:
		eerror("%s: the kernel refused the load (EPERM); the readiness checks say why:",
		       ctx->applet);
		explain_with_checks(ctx);
		break;
	case ENOSYS: /* and nothing fell back to kexec-tools */
		if (f->kexec_tools)
			eerror("%s: the running kernel has no kexec_file_load (ENOSYS): set "
			       "LOAD_METHOD=auto or kexec-tools in %s to stage through %s "
			       "(kexec_load)",
			       ctx->applet, KP_CONFD, f->kexec_tools);
		else
			tools_missing(ctx, f,
				      "the running kernel has no kexec_file_load (ENOSYS), and "
				      "staging through kexec_load needs");
		break;
	case ENOEXEC:
		eerror("%s: the running kernel's kexec_file_load does not accept %s as a kernel "
		       "image (ENOEXEC): check that it is a kernel for this architecture; "
		       "kexec-tools (LOAD_METHOD=kexec-tools) parses images itself",
		       ctx->applet, t->kernel.path);
		break;
	case EKEYREJECTED:
	case EBADMSG:
	case ENOKEY:
		eerror("%s: %s: the signature check failed (%s): under lockdown or "
		       "CONFIG_KEXEC_SIG_FORCE only kernels signed with a trusted key can be "
		       "staged; stage the distribution's signed kernel, or sign this one "
		       "(sbsign) with a key the running kernel trusts (built in, or enrolled "
		       "in the firmware's db or MOK)",
		       ctx->applet, t->kernel.path,
		       err == -EKEYREJECTED ? "key rejected"
		       : err == -ENOKEY	    ? "no trusted key"
					    : "bad signature");
		break;
	case EBUSY:
		eerror("%s: another kexec operation is in progress (EBUSY): try again",
		       ctx->applet);
		break;
	case ETXTBSY:
		eerror("%s: %s or its initramfs is open for writing (ETXTBSY): wait for the "
		       "package manager to finish",
		       ctx->applet, t->kernel.path);
		break;
	default:
		eerror("%s: staging %s failed: %s", ctx->applet, t->kernel.path, strerror(-err));
	}
}

static int load_with_tools(struct kp_ctx *ctx, const struct kp_target *t, const char *tools,
			   int initrd_fd)
{
	char *argv[8] = {NULL}, *host = kp_host_path(ctx, tools), *cmd = NULL, *ird = NULL;
	char *kern = kp_host_path(ctx, t->kernel.path);
	int n = 0, rc = -ENOMEM;

	cmd = kp_strdupf("--command-line=%s", t->cmdline);
	if (initrd_fd >= 0 && t->ninitrds == 1) {
		char *p = kp_host_path(ctx, t->initrds[0].path);

		ird = p ? kp_strdupf("--initrd=%s", p) : NULL;
		free(p);
	} else if (initrd_fd >= 0 && ctx->dry_run) {
		ird = kp_strdupf("--initrd=<memfd: %s>", t->initrd_names);
	} else if (initrd_fd >= 0) {
		ird = kp_strdupf("--initrd=/proc/self/fd/%d", initrd_fd);
	}
	if (host && kern && cmd && (initrd_fd < 0 || ird)) {
		argv[n++] = host;
		argv[n++] = "-l";
		argv[n++] = "-c"; /* kexec_load(2): the path for kernels without the file call */
		argv[n++] = cmd;
		if (ird)
			argv[n++] = ird;
		argv[n++] = kern;
		rc = kp_sys_run(ctx, argv, initrd_fd);
		if (rc < 0)
			eerror("%s: cannot run %s: %s", ctx->applet, tools, strerror(-rc));
		else if (rc > 0)
			eerror("%s: %s -l failed (exit status %d): see its message above; "
			       "kexec-prep check tells what the machine needs",
			       ctx->applet, tools, rc);
	}
	free(host);
	free(kern);
	free(cmd);
	free(ird);
	return rc == 0 ? 0 : rc < 0 ? rc : -EIO;
}

int kp_stage(struct kp_ctx *ctx, struct kp_target *t)
{
	struct kp_facts f;
	enum kp_method m = ctx->conf.method;
	const char *used = "kexec_file_load";
	int initrd_fd = -1, err;
	size_t i;

	err = kp_image_check_kernel(ctx, t);
	for (i = 0; err == 0 && i < t->ninitrds; i++)
		err = kp_image_check_initrd(ctx, &t->initrds[i]);
	if (err == 0)
		err = kp_image_check_modules(ctx, t);
	if (err < 0)
		return err;
	err = kp_facts_read(&ctx->root, &f);
	if (err < 0)
		return err;
	if (!kp_can_file_load(&f) && !kp_can_kexec_load(&f)) {
		eerror("%s: this machine cannot stage a kernel; the readiness checks say why:",
		       ctx->applet);
		kp_facts_free(&f);
		explain_with_checks(ctx);
		return -EPERM;
	}
	if (m == KP_METHOD_AUTO && f.has_kexec_file == 0)
		m = KP_METHOD_TOOLS; /* the kernel has only kexec_load */
	if (m == KP_METHOD_TOOLS && !f.kexec_tools) {
		tools_missing(ctx, &f,
			      ctx->conf.method == KP_METHOD_TOOLS
				      ? "LOAD_METHOD=kexec-tools needs"
				      : "this kernel has only kexec_load (no CONFIG_KEXEC_FILE), "
					"which needs");
		kp_facts_free(&f);
		return -ENOENT;
	}
	if (t->ninitrds == 1)
		initrd_fd = t->initrds[0].fd;
	else if (t->ninitrds > 1 && !ctx->dry_run)
		initrd_fd = concat_initrds(ctx, t);
	else if (t->ninitrds > 1)
		initrd_fd = 0; /* dry-run: named, not made */
	if (initrd_fd < -1) {
		kp_facts_free(&f);
		return initrd_fd;
	}
	if (m != KP_METHOD_TOOLS) {
		err = kp_sys_file_load(ctx, t, initrd_fd);
		/* As kexec-tools does: these mean "this kernel has no file loader for it". */
		if (m == KP_METHOD_AUTO && f.kexec_tools &&
		    (err == -ENOSYS || err == -EINVAL || err == -ENOEXEC || err == -EOPNOTSUPP)) {
			ewarn("%s: kexec_file_load: %s; staging through %s instead", ctx->applet,
			      strerror(-err), f.kexec_tools);
			m = KP_METHOD_TOOLS;
		} else if (err < 0) {
			explain_errno(ctx, &f, t, err);
		}
	}
	if (m == KP_METHOD_TOOLS) {
		used = "kexec-tools";
		err = load_with_tools(ctx, t, f.kexec_tools, initrd_fd);
		if (err == -EIO)
			explain_with_checks(ctx);
	}
	if (t->ninitrds > 1 && initrd_fd > 0)
		close(initrd_fd);
	kp_facts_free(&f);
	if (err < 0)
		return err;
	err = kp_state_write(ctx, t, used);
	if (err == 0)
		einfo("%s %s (%s)%s%s via %s", ctx->dry_run ? "Would stage" : "Staged",
		      t->kernel.path, t->version[0] ? t->version : "no version string",
		      t->ninitrds ? " with " : " without an initramfs", t->initrd_names, used);
	return err;
}

/* BOOTPART from fstab that is not mounted gets mounted read-only for the
 * load, with the device and type fstab gives, at its path under the root.
 * Returns 1 when this call mounted it. */
static int mount_bootpart(struct kp_ctx *ctx)
{
	char *fstab = NULL, *info = NULL, *line, *save = NULL, *bp = ctx->conf.bootpart;
	char dev[4096] = "", type[256] = "", *needle, *target;
	bool mounted;
	int rc;

	if (kp_read_file(&ctx->root, "/etc/fstab", 1 << 20, &fstab, NULL) < 0)
		return 0;
	for (line = strtok_r(fstab, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char d[4096], mp[4096], t[256];

		if (line[strspn(line, " \t")] != '#' &&
		    sscanf(line, "%4095s %4095s %255s", d, mp, t) == 3 && !strcmp(mp, bp)) {
			strcpy(dev, d);
			strcpy(type, t);
		}
	}
	free(fstab);
	if (!dev[0] || kp_read_file(&ctx->root, "/proc/self/mountinfo", 1 << 22, &info, NULL) < 0)
		return 0;
	needle = kp_strdupf(" %s ", bp);
	mounted = needle && strstr(info, needle);
	free(needle);
	free(info);
	target = mounted ? NULL : kp_host_path(ctx, bp);
	if (!target)
		return 0;
	{
		char *argv[] = {"/bin/mount", "-o", "ro", "-t", type, dev, target, NULL};

		rc = kp_sys_run(ctx, argv, -1);
	}
	free(target);
	if (rc != 0) {
		ewarn("%s: %s is in /etc/fstab but not mounted, and mounting it read-only "
		      "failed",
		      ctx->applet, bp);
		return 0;
	}
	return 1;
}

static void umount_bootpart(struct kp_ctx *ctx)
{
	char *target = kp_host_path(ctx, ctx->conf.bootpart);
	char *argv[] = {"/bin/umount", target, NULL};

	if (target)
		kp_sys_run(ctx, argv, -1);
	free(target);
}

int kp_cmd_load(struct kp_ctx *ctx)
{
	struct kp_target t;
	int err, mounted;

	if (kp_conf_load(ctx) < 0)
		return 1;
	mounted = mount_bootpart(ctx);
	err = kp_target_resolve(ctx, &t);
	if (err == 0) {
		einfo("Kernel: %s (%s)", t.kernel.path, t.why);
		err = kp_stage(ctx, &t);
	}
	kp_target_free(&t);
	if (mounted)
		umount_bootpart(ctx);
	return err < 0 ? 1 : 0;
}

static long kexec_loaded(struct kp_ctx *ctx)
{
	long v;

	return kp_read_long(&ctx->root, "/sys/kernel/kexec_loaded", &v) < 0 ? -1 : v;
}

int kp_cmd_unload(struct kp_ctx *ctx)
{
	struct kp_facts f;
	int err;

	if (going_down()) {
		einfo("Shutting down: keeping the staged kernel for the jump");
		return 0;
	}
	if (kexec_loaded(ctx) == 0) {
		einfo("Nothing is staged");
		return kp_state_remove(ctx) < 0 ? 1 : 0;
	}
	err = kp_sys_file_unload(ctx);
	if (err == -ENOSYS || err == -EINVAL) {
		if (kp_facts_read(&ctx->root, &f) < 0)
			return 1;
		if (f.kexec_tools) {
			char *host = kp_host_path(ctx, f.kexec_tools);
			char *argv[] = {host, "-u", NULL};

			err = host ? kp_sys_run(ctx, argv, -1) : -ENOMEM;
			err = err > 0 ? -EIO : err;
			free(host);
		}
		kp_facts_free(&f);
	}
	if (err < 0) {
		eerror("%s: cannot unload the staged kernel (%s): it stays staged, and the next "
		       "reboot jumps into it; run rc-service kexec-load stop as root, or take "
		       "kexec-exec out of the shutdown runlevel (rc-update del kexec-exec "
		       "shutdown)",
		       ctx->applet, strerror(-err));
		return 1;
	}
	if (kp_state_remove(ctx) < 0)
		return 1;
	einfo("Unloaded: the next reboot goes through the firmware");
	return 0;
}

int kp_cmd_status(struct kp_ctx *ctx)
{
	long loaded = kexec_loaded(ctx);
	bool have_state = kp_root_exists(&ctx->root, KP_STATE);

	if (loaded < 0) {
		eerror("%s: /sys/kernel/kexec_loaded is unreadable: this kernel has no kexec",
		       ctx->applet);
		return 1;
	}
	if (!loaded) {
		einfo("Nothing is staged: the next reboot goes through the firmware");
		if (have_state)
			ewarn("%s: %s is left over from an image that is no longer staged (kexec "
			      "-u by hand?)",
			      ctx->applet, KP_STATE);
		return 3;
	}
	if (!have_state) {
		einfo("An image is staged that kexec-prep did not stage (kexec -l by hand?): "
		      "the next reboot jumps into it as it is");
		return 0;
	}
	einfo("Staged: the next reboot jumps into it");
	kp_state_print(ctx);
	return 0;
}

/* Is a block-backed filesystem still mounted read-write? Names the first. */
static char *busy_rw_mount(struct kp_ctx *ctx)
{
	char *info, *line, *save = NULL, *found = NULL;

	if (kp_read_file(&ctx->root, "/proc/self/mountinfo", 1 << 22, &info, NULL) < 0)
		return strdup("/proc/self/mountinfo (unreadable: cannot tell)");
	for (line = strtok_r(info, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char mp[4096], opts[1024], fstype[256], source[4096];
		unsigned major, minor;
		const char *sep = strstr(line, " - ");

		if (!sep ||
		    sscanf(line, "%*s %*s %u:%u %*s %4095s %1023s", &major, &minor, mp, opts) !=
			    4 ||
		    sscanf(sep + 3, "%255s %4095s", fstype, source) != 2)
			continue;
		if (strncmp(opts, "rw", 2) != 0 || (opts[2] != '\0' && opts[2] != ','))
			continue;
		/* Major 0 is an anonymous device (tmpfs, proc, ...), except btrfs. */
		if (major != 0 || !strncmp(source, "/dev/", 5))
			found = kp_strdupf("%s (%s on %s)", mp, fstype, source);
	}
	free(info);
	return found;
}

/* Under an init that tells reboot from poweroff, is this a poweroff? */
static bool is_poweroff(struct kp_ctx *ctx)
{
	const char *reboot = getenv("RC_REBOOT"), *rl = getenv("RC_RUNLEVEL");
	char exe[256];
	ssize_t n;

	if (!rl || strcmp(rl, "shutdown") != 0 || (reboot && !strcmp(reboot, "YES")))
		return false;
	/* busybox init runs "openrc shutdown" for reboot and poweroff alike. */
	n = readlinkat(ctx->root.fd, "proc/1/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false; /* which init runs is unknown: it cannot tell either */
	exe[n] = '\0';
	return strstr(exe, "busybox") == NULL;
}

/* Is the staged kernel still the configured one? Stages it again when not.
 * 0 when the jump may go on. */
static int confirm_staged(struct kp_ctx *ctx)
{
	struct kp_target t;
	int err, match, mounted = mount_bootpart(ctx);

	err = kp_target_resolve(ctx, &t);
	if (err == 0)
		err = kp_image_check_kernel(ctx, &t);
	match = err == 0 ? kp_state_matches(ctx, &t) : err;
	if (match == 0) {
		einfo("The configured kernel changed since it was staged: staging %s again",
		      t.kernel.path);
		err = kp_stage(ctx, &t);
	}
	kp_target_free(&t);
	if (mounted)
		umount_bootpart(ctx);
	if (err < 0 || match < 0) {
		eerror("%s: cannot confirm the staged kernel is the configured one: not jumping",
		       ctx->applet);
		return -1;
	}
	return 0;
}

int kp_cmd_exec(struct kp_ctx *ctx)
{
	long loaded;
	char *busy;
	int err;

	if (kp_conf_load(ctx) < 0)
		return 1;
	if (is_poweroff(ctx) && !ctx->conf.kexec_on_poweroff) {
		einfo("Powering off: not jumping (KEXEC_ON_POWEROFF=no)");
		return 1;
	}
	loaded = kexec_loaded(ctx);
	if (loaded <= 0) {
		eerror("%s: nothing is staged: not jumping", ctx->applet);
		return 1;
	}
	if (!kp_root_exists(&ctx->root, KP_STATE))
		einfo("An image was staged by hand (no %s): jumping into it as it is", KP_STATE);
	else if (confirm_staged(ctx) < 0)
		return 1;
	busy = ctx->conf.require_readonly ? busy_rw_mount(ctx) : NULL;
	if (busy) {
		eerror("%s: %s is still mounted read-write: not jumping, as unwritten data could "
		       "be lost (mount-ro has not run; REQUIRE_READONLY=no in %s overrides)",
		       ctx->applet, busy, KP_CONFD);
		free(busy);
		return 1;
	}
	einfo("Jumping into the staged kernel");
	err = kp_sys_kexec_reboot(ctx);
	if (err < 0) {
		eerror("%s: reboot(LINUX_REBOOT_CMD_KEXEC) failed (%s): the staged kernel was "
		       "not entered",
		       ctx->applet, strerror(-err));
		return 1;
	}
	return 0;
}
