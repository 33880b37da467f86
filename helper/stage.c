/* Staging a prepared target: the method, the kernel's answer explained,
 * and the record of what was staged. */
#include <einfo.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kexec-prep.h"
#include "sys.h"

/* The readiness checks that fail, or CAP_SYS_BOOT when none does. */
static void explain_with_checks(struct kp_ctx *ctx, const struct kp_facts *f)
{
	struct kp_report rep;
	bool explained = false;

	if (kp_check_run(&ctx->root, f, &rep) == 0 && !kp_report_ok(&rep)) {
		kp_report_print_failures(&rep);
		explained = true;
	}
	kp_report_free(&rep);
	if (f->cap_sys_boot == 0) {
		eerror("%s: this process lacks CAP_SYS_BOOT, which staging needs: run kexec-prep load as root",
		       ctx->applet);
		explained = true;
	}
	if (!explained)
		eerror("%s: no readiness check explains it: a security module (SELinux, AppArmor), a seccomp filter or a container (CAP_SYS_BOOT counts only in the host's initial user namespace) can refuse it; run kexec-prep as root on the host itself",
		       ctx->applet);
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
		explain_with_checks(ctx, f);
		break;
	case ENOSYS: /* and nothing fell back to kexec-tools */
		if (f->kexec_tools)
			eerror("%s: the running kernel has no kexec_file_load (ENOSYS): set LOAD_METHOD=auto or kexec-tools in %s to stage through %s (kexec_load)",
			       ctx->applet, KP_CONFD, f->kexec_tools);
		else
			tools_missing(
				ctx, f,
				"the running kernel has no kexec_file_load (ENOSYS), and staging through kexec_load needs");
		break;
	case ENOEXEC:
		eerror("%s: the running kernel's kexec_file_load does not accept %s as a kernel image (ENOEXEC): check that it is a kernel for this architecture; kexec-tools (LOAD_METHOD=kexec-tools) parses images itself",
		       ctx->applet, t->kernel.path);
		break;
	case EKEYREJECTED:
	case EBADMSG:
	case ENOKEY:
		eerror("%s: %s: the signature check failed (%s): under lockdown or CONFIG_KEXEC_SIG_FORCE only kernels signed with a trusted key can be staged; stage the distribution's signed kernel, or sign this one (sbsign) with a key the running kernel trusts (built in, or enrolled in the firmware's db or MOK)",
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
		eerror("%s: %s or its initramfs is open for writing (ETXTBSY): wait for the package manager to finish",
		       ctx->applet, t->kernel.path);
		break;
	default:
		eerror("%s: staging %s failed: %s", ctx->applet, t->kernel.path, strerror(-err));
	}
}

static int load_with_tools(struct kp_ctx *ctx, const struct kp_facts *f,
			   const struct kp_sys_fd *kernel, const struct kp_sys_fd *initrd,
			   const char *cmdline)
{
	struct kp_file bin;
	char *kexec;
	int rc = kp_file_open_checked(ctx, f->kexec_tools, "kexec-tools' program", &bin);

	/* it runs as root and chooses what is staged: root's own, like the kernel */
	if (rc < 0)
		return rc;
	kp_file_close(&bin);
	kexec = kp_root_host_path(&ctx->root, f->kexec_tools);
	rc = kexec ? kp_sys_tools_load(kexec, kernel, initrd, cmdline) : -ENOMEM;

	free(kexec);
	if (rc >= KP_SYS_KILLED || rc == -ETIMEDOUT) {
		/* perhaps after its kexec_load: the kernel may hold either image */
		if (rc == -ETIMEDOUT)
			eerror("%s: %s -l did not finish in time and was killed", ctx->applet,
			       f->kexec_tools);
		else
			eerror("%s: %s -l was killed (%s)", ctx->applet, f->kexec_tools,
			       strsignal(rc - KP_SYS_KILLED));
		return -ECANCELED;
	}
	if (rc < 0) {
		eerror("%s: cannot run %s: %s", ctx->applet, f->kexec_tools, strerror(-rc));
		return rc;
	}
	if (rc > 0) {
		eerror("%s: %s -l failed (exit status %d): see its message above; kexec-prep check tells what the machine needs",
		       ctx->applet, f->kexec_tools, rc);
		explain_with_checks(ctx, f);
		return -EIO;
	}
	return 0;
}

/* The kernel takes one descriptor for the kernel and one for the
 * initramfs: a single whole file goes as it is; several files, or a
 * section of one, become one memfd (*memfd set, the caller closes it). */
static int one_fd(const struct kp_file *files, size_t n, const char *names, struct kp_sys_fd *out,
		  char **memfd)
{
	struct kp_sys_fd *parts;
	size_t i;
	int err;

	if (n == 1 && files[0].off == 0 && files[0].size == files[0].st.st_size) {
		*out = (struct kp_sys_fd){files[0].fd, files[0].path, 0, files[0].size};
		return 0;
	}
	parts = calloc(n, sizeof(*parts));
	*memfd = kp_strdupf("memfd: %s", names);
	if (!parts || !*memfd) {
		free(parts);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		parts[i] =
			(struct kp_sys_fd){files[i].fd, files[i].path, files[i].off, files[i].size};
	err = kp_sys_memfd_join(parts, n, *memfd, out);
	free(parts);
	return err;
}

int kp_unstage(struct kp_ctx *ctx, bool tools)
{
	const struct kp_facts *f = kp_facts(ctx);
	int err = tools ? -ENOSYS : kp_sys_file_unload();

	/* kexec_load's images are kexec-tools' to unload; so is any image on a
	 * kernel without the file call */
	if ((err == -ENOSYS || err == -EINVAL) && f && f->kexec_tools) {
		char *kexec = kp_root_host_path(&ctx->root, f->kexec_tools);

		err = kexec ? kp_sys_tools_unload(kexec) : -ENOMEM;
		err = err > 0 ? -EIO : err;
		free(kexec);
	}
	return err;
}

int kp_stage(struct kp_ctx *ctx, const struct kp_target *t)
{
	const struct kp_facts *f = kp_facts(ctx);
	const struct kp_file *image;
	struct kp_sys_fd kernel = {-1, NULL, 0, 0}, initrd = {-1, NULL, 0, 0};
	enum kp_method m = ctx->conf.method;
	const char *used = "kexec_file_load";
	char *kernel_memfd = NULL, *initrd_memfd = NULL;
	/* a staging cut short (killed, the machine lost power) left its mark */
	bool cut_short = kp_root_exists(&ctx->root, KP_MARK);
	int err;

	if (!f)
		return -ENOMEM;
	if (!kp_can_file_load(f) && !kp_can_kexec_load(f)) {
		eerror("%s: this machine cannot stage a kernel; the readiness checks say why:",
		       ctx->applet);
		explain_with_checks(ctx, f);
		return -EPERM;
	}
	if (m == KP_METHOD_AUTO && f->has_kexec_file == 0)
		m = KP_METHOD_TOOLS; /* the kernel has only kexec_load */
	if (m == KP_METHOD_TOOLS && !f->kexec_tools) {
		tools_missing(
			ctx, f,
			ctx->conf.method == KP_METHOD_TOOLS
				? "LOAD_METHOD=kexec-tools needs"
				: "this kernel has only kexec_load (no CONFIG_KEXEC_FILE), which needs");
		return -ENOENT;
	}
	/* a compressed kernel goes decompressed, from the memfd checked */
	image = t->unpacked.fd >= 0 ? &t->unpacked : &t->kernel;
	err = one_fd(image, 1, image->path, &kernel, &kernel_memfd);
	if (err < 0) {
		eerror("%s: cannot copy %s into a memfd (%s): not staging it", ctx->applet,
		       t->kernel.path, strerror(-err));
		goto out;
	}
	if (t->ninitrds) {
		err = one_fd(t->initrds, t->ninitrds, t->initrd_names, &initrd, &initrd_memfd);
		if (err < 0) {
			eerror("%s: cannot join the initramfs files %s into one memfd (%s): not staging %s without them",
			       ctx->applet, t->initrd_names, strerror(-err), t->kernel.path);
			goto out;
		}
	}
	/* what is staged from here on is accounted for, or marked as not */
	err = kp_state_mark(ctx);
	if (err < 0)
		goto out;
	if (m != KP_METHOD_TOOLS) {
		err = kp_sys_file_load(&kernel, t->ninitrds ? &initrd : NULL, t->cmdline);
		/* As kexec-tools does: these mean "this kernel has no file loader for it". */
		if (m == KP_METHOD_AUTO && f->kexec_tools &&
		    (err == -ENOSYS || err == -EINVAL || err == -ENOEXEC || err == -EOPNOTSUPP)) {
			ewarn("%s: kexec_file_load: %s; staging through %s instead", ctx->applet,
			      strerror(-err), f->kexec_tools);
			m = KP_METHOD_TOOLS;
		} else if (err < 0) {
			explain_errno(ctx, f, t, err);
		}
	}
	if (m == KP_METHOD_TOOLS) {
		used = "kexec-tools";
		err = load_with_tools(ctx, f, &kernel, t->ninitrds ? &initrd : NULL, t->cmdline);
	}
	if (err == 0 && kp_state_write(ctx, t, used) < 0) {
		/* staged, but not recorded: take it back, or leave the mark */
		err = kp_unstage(ctx, m == KP_METHOD_TOOLS);
		if (err < 0) {
			eerror("%s: and unstaging it failed too (%s): %s stays, so exec will not jump into it",
			       ctx->applet, strerror(-err), KP_MARK);
			goto out;
		}
		eerror("%s: unstaged it again: nothing kexec-prep cannot account for is left staged",
		       ctx->applet);
		err = -EIO;
	} else if (err == 0) {
		einfo("%s %s (%s)%s%s via %s", kp_sys_said("Staged", "Would stage"), t->kernel.path,
		      t->version[0] ? t->version : "no version string",
		      t->ninitrds ? " with " : " without an initramfs", t->initrd_names, used);
	} else if (cut_short || (err == -ECANCELED && kp_state_matches(ctx, t) != 1)) {
		/* a refused load keeps the image the kernel had: what a staging
		 * cut short left there; or kexec-tools, stopped, may have loaded
		 * this one, which is not what the record says */
		eerror("%s: %s stays: the kernel may hold an image kexec-prep cannot account for, so no jump goes into it before a staging succeeds",
		       ctx->applet, KP_MARK);
		goto out;
	}
	/* recorded; or nothing changed (a refused load keeps what was staged) */
	kp_state_unmark(ctx);
out:
	if (kernel_memfd && kernel.fd >= 0)
		close(kernel.fd);
	if (initrd_memfd && initrd.fd >= 0)
		close(initrd.fd);
	free(kernel_memfd);
	free(initrd_memfd);
	return err;
}

/* Is the staged kernel still the configured one? Stages it again when not,
 * and when a staging was cut short (what the kernel holds is unknown).
 * 0 when the jump may go on. */
int kp_confirm_staged(struct kp_ctx *ctx)
{
	struct kp_target t;
	int err = kp_prepare(ctx, &t, false);

	if (err == 0 && kp_root_exists(&ctx->root, KP_MARK)) {
		einfo("A staging was cut short before it was recorded (%s is there): staging %s again",
		      KP_MARK, t.kernel.path);
		err = kp_stage(ctx, &t);
	} else if (err == 0) {
		err = kp_state_matches(ctx, &t);
		if (err < 0)
			eerror("%s: %s: %s", ctx->applet, KP_STATE, kp_read_strerror(err));
		if (err == 0) {
			einfo("The configured kernel changed since it was staged: staging %s again",
			      t.kernel.path);
			err = kp_stage(ctx, &t);
		}
	}
	kp_target_free(&t);
	if (err < 0) {
		eerror("%s: cannot confirm the staged kernel is the configured one: not jumping",
		       ctx->applet);
		return err;
	}
	return 0;
}
