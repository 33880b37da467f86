/* The readiness checks, one function each, run in the order of the table. */
#include "readiness.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "origin.h"
#include "str.h"

struct check_in {
	const struct kp_root *r;
	const struct kp_facts *f;
};

static int check_kconfig(const struct check_in *in, struct kp_report *rep, const char *id)
{
	const struct kp_facts *f = in->f;

	if (!f->release[0])
		return kp_report_add(
			rep, id, KP_WARN,
			strdup("mount /proc: kexec-prep reads the running kernel's release from /proc/sys/kernel/osrelease"),
			"cannot tell which kernel runs: /proc/sys/kernel/osrelease is unreadable");
	if (f->kconfig_err == -ENOENT)
		return kp_report_add(
			rep, id, KP_WARN,
			kp_strdupf(
				"load the configs module (modprobe configs) for /proc/config.gz, or install the kernel's config as /boot/config-%s",
				f->release),
			"cannot tell whether kernel %s has kexec: no /proc/config.gz, /boot/config-%s or /lib/modules/%s/config",
			f->release, f->release, f->release);
	if (f->kconfig_err < 0)
		return kp_report_add(
			rep, id, KP_WARN,
			kp_strdupf(
				"check that %s is the kernel's config file, readable by this user",
				f->kconfig_source),
			"cannot tell whether kernel %s has kexec: %s: %s", f->release,
			f->kconfig_source, strerror(-f->kconfig_err));
	if (f->kconfig_opts == 0)
		return kp_report_add(
			rep, id, KP_WARN,
			kp_strdupf("replace %s with the kernel's real config file",
				   f->kconfig_source),
			"cannot tell whether kernel %s has kexec: %s holds no CONFIG_ lines",
			f->release, f->kconfig_source);
	if (f->kconfig_bad)
		return kp_report_add(
			rep, id, KP_WARN,
			kp_strdupf("replace %s with the kernel's real config file",
				   f->kconfig_source),
			"%zu lines of %s are not kernel config syntax: it cannot be trusted to tell whether kernel %s has kexec",
			f->kconfig_bad, f->kconfig_source, f->release);
	if (!f->has_kexec && !f->has_kexec_file)
		return kp_report_add(
			rep, id, KP_FAIL,
			strdup("boot a kernel built with CONFIG_KEXEC_FILE=y or CONFIG_KEXEC=y (on Alpine: linux-lts or linux-virt)"),
			"kernel %s was built without CONFIG_KEXEC and CONFIG_KEXEC_FILE (%s): it cannot kexec",
			f->release, f->kconfig_source);
	if (!f->has_kexec_file)
		return kp_report_add(
			rep, id, KP_OK, NULL,
			"kernel %s has CONFIG_KEXEC but not CONFIG_KEXEC_FILE (%s): staging goes through kexec-tools (kexec_load)",
			f->release, f->kconfig_source);
	return kp_report_add(rep, id, KP_OK, NULL, "kernel %s has %s (%s)", f->release,
			     f->has_kexec ? "CONFIG_KEXEC_FILE and CONFIG_KEXEC"
					  : "CONFIG_KEXEC_FILE (not CONFIG_KEXEC)",
			     f->kconfig_source);
}

static int check_load_disabled(const struct check_in *in, struct kp_report *rep, const char *id)
{
	const struct kp_facts *f = in->f;
	struct kp_cmdline cl;
	long at;
	char *param = NULL, *setting, *fix;
	int err;

	if (f->load_disabled < 0)
		return kp_report_add(
			rep, id, KP_WARN,
			strdup("mount /proc, or boot a kernel with kexec support"),
			"cannot tell: /proc/sys/kernel/kexec_load_disabled is missing or not a number");
	if (f->load_disabled == 0)
		return kp_report_add(rep, id, KP_OK, NULL, "kernel.kexec_load_disabled = 0");
	if (kp_cmdline_parse(&cl, f->cmdline, f->cmdline_len) < 0)
		return -ENOMEM;
	at = kp_cmdline_find(&cl, "kexec_load_disabled");
	if (at >= 0)
		param = strdup(cl.v[at].raw);
	kp_cmdline_free(&cl);
	setting = kp_origin_sysctl(in->r, "kernel.kexec_load_disabled");
	if (setting)
		fix = kp_strdupf(
			"remove the setting (%s), then reboot once the ordinary way: the sysctl can only go from 0 to 1 until the next boot",
			setting);
	else if (strcmp(f->distro, "alpine") == 0 &&
		 !(param && strcmp(param, "kexec_load_disabled=0") == 0))
		fix = kp_origin_bootloader_fix(in->r, f);
	else
		fix = strdup(
			"find what sets kernel.kexec_load_disabled=1 after boot (a script or a sysctl file) and remove it, then reboot once the ordinary way: the sysctl can only go from 0 to 1 until the next boot");
	err = kp_report_add(
		rep, id, KP_FAIL, fix,
		"kernel.kexec_load_disabled = 1: the kernel refuses every kexec load until the next boot%s%s%s",
		param ? " (the command line has " : "", param ? param : "", param ? ")" : "");
	free(param);
	free(setting);
	return err;
}

static int check_limit(const struct check_in *in, struct kp_report *rep, const char *id)
{
	const struct kp_facts *f = in->f;
	char *setting, *fix;
	int err;

	if (f->limit_reboot == -2)
		return kp_report_add(rep, id, KP_OK, NULL,
				     "this kernel has no kexec_load_limit_reboot counter");
	if (f->limit_reboot < 0)
		return kp_report_add(rep, id, KP_OK, NULL,
				     "kernel.kexec_load_limit_reboot = %ld (no limit)",
				     f->limit_reboot);
	if (f->limit_reboot > 2)
		return kp_report_add(rep, id, KP_OK, NULL,
				     "kernel.kexec_load_limit_reboot = %ld loads left this boot",
				     f->limit_reboot);
	setting = kp_origin_sysctl(in->r, "kernel.kexec_load_limit_reboot");
	if (setting)
		fix = kp_strdupf(
			"remove or raise the setting (%s); the counter only goes down until the next boot",
			setting);
	else
		fix = strdup(
			"find what lowers kernel.kexec_load_limit_reboot and remove it; the counter only goes down until the next boot");
	if (f->limit_reboot == 0)
		err = kp_report_add(
			rep, id, KP_FAIL, fix,
			"kernel.kexec_load_limit_reboot = 0: no more kexec loads until the next boot");
	else
		err = kp_report_add(
			rep, id, KP_WARN, fix,
			"kernel.kexec_load_limit_reboot = %ld: a kernel upgrade before the next reboot needs a second load",
			f->limit_reboot);
	free(setting);
	return err;
}

static int check_lockdown(const struct check_in *in, struct kp_report *rep, const char *id)
{
	const struct kp_facts *f = in->f;

	if (!f->lockdown)
		return kp_report_add(rep, id, KP_OK, NULL,
				     "no lockdown (/sys/kernel/security/lockdown is absent)");
	if (strcmp(f->lockdown, "?") == 0)
		return kp_report_add(
			rep, id, KP_WARN,
			strdup("check that securityfs is mounted on /sys/kernel/security"),
			"cannot tell: /sys/kernel/security/lockdown does not name the active mode in [brackets]");
	if (strcmp(f->lockdown, "none") == 0)
		return kp_report_add(rep, id, KP_OK, NULL, "none");
	if (f->has_kexec_file == 0 || f->has_kexec_sig == 0)
		return kp_report_add(
			rep, id, KP_FAIL,
			strdup("boot with Secure Boot off (or lockdown=none where the kernel allows it), or use a kernel built with CONFIG_KEXEC_FILE and CONFIG_KEXEC_SIG and signed kernels"),
			"%s: kexec_load is refused, and this kernel cannot verify signed images for kexec_file_load",
			f->lockdown);
	return kp_report_add(
		rep, id, KP_WARN,
		strdup("stage only kernels signed with a key the running kernel trusts (your distribution's kernels usually are)"),
		"%s: kexec_load is refused and kexec_file_load accepts only signed kernels",
		f->lockdown);
}

static int check_privileges(const struct check_in *in, struct kp_report *rep, const char *id)
{
	if (in->f->cap_sys_boot == 1)
		return kp_report_add(rep, id, KP_OK, NULL, "CAP_SYS_BOOT is in the effective set");
	return kp_report_add(rep, id, KP_WARN,
			     strdup("run kexec-prep load as root (the kexec-load service does)"),
			     in->f->cap_sys_boot == 0
				     ? "this process lacks CAP_SYS_BOOT: it can check, not stage"
				     : "cannot tell: /proc/self/status has no CapEff line");
}

static int check_tools(const struct check_in *in, struct kp_report *rep, const char *id)
{
	const struct kp_facts *f = in->f;

	if (f->kexec_tools)
		return kp_report_add(rep, id, KP_OK, NULL, "%s is installed", f->kexec_tools);
	if (f->has_kexec_file != 0)
		return kp_report_add(
			rep, id, KP_OK, NULL,
			"not installed, not needed: kexec_file_load stages without it");
	if (f->has_kexec == 0)
		return kp_report_add(rep, id, KP_OK, NULL,
				     "not installed, and of no use on a kernel without kexec");
	return kp_report_add(rep, id, KP_FAIL, kp_install_hint(f, "kexec-tools"),
			     "not installed, and this kernel has only kexec_load, which needs it");
}

/* The services OpenRC runs must be ours: on Debian and Devuan, kexec-tools'
 * own SysV script has our service's name. */
static int check_services(const struct check_in *in, struct kp_report *rep, const char *id)
{
	const struct kp_facts *f = in->f;

	if (f->initd_foreign)
		return kp_report_add(
			rep, id, KP_FAIL,
			strdup("turn kexec-tools' reboot off and move its script aside for good (its upgrades then write to the new name): sed -i 's/^LOAD_KEXEC=.*/LOAD_KEXEC=false/' /etc/default/kexec; dpkg-divert --local --rename --divert /etc/init.d/kexec-load.kexec-tools --add /etc/init.d/kexec-load; then install openrc-kexec again"),
			"/etc/init.d/kexec-load is kexec-tools' SysV script (Debian and Devuan ship one of that name), not openrc-kexec's: rc-update add kexec-load would enable it instead");
	if (f->tools_reboot)
		return kp_report_add(
			rep, id, KP_WARN,
			strdup("sed -i 's/^LOAD_KEXEC=.*/LOAD_KEXEC=false/' /etc/default/kexec"),
			"kexec-tools' own kexec reboot is on (LOAD_KEXEC=true in /etc/default/kexec): its /etc/init.d/kexec stages and jumps by itself at the same reboot, whatever openrc-kexec decides");
	return kp_report_add(
		rep, id, KP_OK, NULL,
		"no other kexec service: /etc/init.d/kexec-load is openrc-kexec's, or absent");
}

static int check_staged(const struct check_in *in, struct kp_report *rep, const char *id)
{
	if (in->f->kexec_loaded < 0)
		return kp_report_add(
			rep, id, KP_WARN,
			strdup("mount /sys; a kernel without kexec has no /sys/kernel/kexec_loaded"),
			"cannot tell: /sys/kernel/kexec_loaded is unreadable");
	return kp_report_add(
		rep, id, KP_OK, NULL,
		in->f->kexec_loaded
			? "an image is staged: the next reboot jumps into it"
			: "no image is staged: the next reboot goes through the firmware");
}

static int check_method(const struct check_in *in, struct kp_report *rep, const char *id)
{
	bool file = kp_can_file_load(in->f), legacy = kp_can_kexec_load(in->f);

	if (file || legacy)
		return kp_report_add(rep, id, KP_OK, NULL, "staging will use %s",
				     file ? "kexec_file_load(2)" : "kexec-tools (kexec_load)");
	return kp_report_add(rep, id, KP_FAIL, strdup("fix the failures above"),
			     "no staging method can work on this machine");
}

static const struct {
	const char *id;
	int (*fn)(const struct check_in *in, struct kp_report *rep, const char *id);
} checks[] = {
	{"kernel-config", check_kconfig},  {"kexec-load-disabled", check_load_disabled},
	{"kexec-load-limit", check_limit}, {"lockdown", check_lockdown},
	{"privileges", check_privileges},  {"kexec-tools", check_tools},
	{"services", check_services},	   {"staged", check_staged},
	{"method", check_method},
};

int kp_check_run(const struct kp_root *r, const struct kp_facts *f, struct kp_report *rep)
{
	const struct check_in in = {r, f};
	size_t i;
	int err;

	memset(rep, 0, sizeof(*rep));
	for (i = 0; i < ARRAY_SIZE(checks); i++) {
		err = checks[i].fn(&in, rep, checks[i].id);
		if (err < 0)
			return err;
	}
	return 0;
}
