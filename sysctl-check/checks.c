#include "check.h"

#include <dirent.h>
#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"

int kp_report_add(struct kp_report *rep, const char *id, enum kp_status st, char *fix,
		  const char *fmt, ...)
{
	struct kp_check *c;
	va_list ap;
	char *detail;

	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0)
		detail = NULL;
	va_end(ap);
	if (!detail || (st != KP_OK && !fix)) {
		free(detail);
		free(fix);
		return -ENOMEM;
	}
	c = realloc(rep->checks, (rep->n + 1) * sizeof(*c));
	if (!c) {
		free(detail);
		free(fix);
		return -ENOMEM;
	}
	rep->checks = c;
	rep->checks[rep->n++] = (struct kp_check){id, st, detail, fix};
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the .conf files of dir, sorted, to list. */
static void list_conf_files(const struct kp_root *r, const char *dir, char ***list, size_t *n)
{
	size_t first = *n;
	struct dirent *de;
	DIR *d;
	int fd = kp_root_openat(r, dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char **nl;

		if (l < 6 || strcmp(de->d_name + l - 5, ".conf") != 0)
			continue;
		nl = realloc(*list, (*n + 1) * sizeof(**list));
		if (!nl)
			break;
		*list = nl;
		(*list)[*n] = kp_strdupf("%s/%s", dir, de->d_name);
		if ((*list)[*n])
			(*n)++;
	}
	closedir(d);
	qsort(*list + first, *n - first, sizeof(**list), cmp_str);
}

static bool is_sysctl_key(const char *p, size_t len, const char *key)
{
	size_t i;

	if (len != strlen(key))
		return false;
	/* kernel.x and kernel/x name the same sysctl. */
	for (i = 0; i < len; i++)
		if (p[i] != key[i] && !(p[i] == '/' && key[i] == '.'))
			return false;
	return true;
}

/* The last line of the sysctl configuration that sets key ("kernel.x"), as
 * "file: line", in the order sysctl reads them; NULL when none does. */
static char *find_sysctl_setting(const struct kp_root *r, const char *key)
{
	static const char *const dirs[] = {"/usr/lib/sysctl.d", "/lib/sysctl.d",
					   "/usr/local/lib/sysctl.d", "/run/sysctl.d",
					   "/etc/sysctl.d"};
	char **files = NULL, *found = NULL;
	size_t i, n = 0;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		list_conf_files(r, dirs[i], &files, &n);
	for (i = 0; i <= n; i++) {
		const char *path = i < n ? files[i] : "/etc/sysctl.conf";
		char *buf, *line, *save = NULL;

		if (kp_read_file(r, path, 1 << 20, &buf, NULL) < 0)
			continue;
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			const char *p = line + strspn(line, " \t-");

			if (is_sysctl_key(p, strcspn(p, " \t="), key)) {
				free(found);
				found = kp_strdupf("%s: %s", path, line);
			}
		}
		free(buf);
	}
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return found;
}

/* The value of KEY=... in a shell-style file, quotes removed. */
static char *read_assignment(const struct kp_root *r, const char *path, const char *key)
{
	char *buf, *line, *save = NULL, *val = NULL;
	size_t kl = strlen(key);

	if (kp_read_file(r, path, 1 << 20, &buf, NULL) < 0)
		return NULL;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v;
		size_t l;

		line += strspn(line, " \t");
		if (strncmp(line, key, kl) != 0 || line[kl] != '=')
			continue;
		v = line + kl + 1;
		l = strlen(v);
		while (l > 0 && (v[l - 1] == ' ' || v[l - 1] == '\t' || v[l - 1] == '\r'))
			l--;
		if (l >= 2 && (v[0] == '"' || v[0] == '\'') && v[l - 1] == v[0]) {
			v++;
			l -= 2;
		}
		free(val);
		val = strndup(v, l);
	}
	free(buf);
	return val;
}

/* value with kexec_load_disabled=0 set in it. */
static char *with_param(const char *value)
{
	struct kp_cmdline cl;
	char *s = NULL;

	if (kp_cmdline_parse(&cl, value, strlen(value)) < 0)
		return NULL;
	if (kp_cmdline_set(&cl, "kexec_load_disabled=0") == 0)
		s = kp_cmdline_join(&cl);
	kp_cmdline_free(&cl);
	return s;
}

static char *bootloader_fix(const struct kp_root *r)
{
	static const struct {
		const char *file, *key, *then;
	} loaders[] = {
		{"/etc/update-extlinux.conf", "default_kernel_opts", "run update-extlinux"},
		{"/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT",
		 "run grub-mkconfig -o /boot/grub/grub.cfg"},
		{"/etc/kernel/cmdline", NULL, "regenerate the unified kernel image that embeds it"},
	};
	size_t i;

	for (i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++) {
		char *cur, *next, *fix;

		if (!kp_root_exists(r, loaders[i].file))
			continue;
		if (loaders[i].key) {
			cur = read_assignment(r, loaders[i].file, loaders[i].key);
		} else if (kp_read_line(r, loaders[i].file, &cur) < 0) {
			cur = NULL;
		}
		next = with_param(cur ? cur : "");
		if (loaders[i].key)
			fix = kp_strdupf(
				"add kexec_load_disabled=0 to the kernel command line: in %s "
				"set %s=\"%s\", %s, then reboot once the ordinary way "
				"(the parameter is read only at boot)",
				loaders[i].file, loaders[i].key, next ? next : "", loaders[i].then);
		else
			fix = kp_strdupf(
				"add kexec_load_disabled=0 to the kernel command line: write "
				"\"%s\" to %s, %s, then reboot once the ordinary way (the "
				"parameter is read only at boot)",
				next ? next : "", loaders[i].file, loaders[i].then);
		free(cur);
		free(next);
		return fix;
	}
	return strdup("add kexec_load_disabled=0 to the kernel command line in your bootloader's "
		      "configuration, then reboot once the ordinary way (the parameter is read "
		      "only at boot)");
}

static int check_kconfig(struct kp_report *rep)
{
	const struct kp_facts *f = &rep->f;
	const char *id = "kernel-config";

	if (!f->release[0])
		return kp_report_add(rep, id, KP_WARN,
				     strdup("mount /proc: kexec-prep reads the running kernel's "
					    "release from /proc/sys/kernel/osrelease"),
				     "cannot tell which kernel runs: /proc/sys/kernel/osrelease is "
				     "unreadable");
	if (f->kconfig_err == -ENOENT)
		return kp_report_add(
			rep, id, KP_WARN,
			kp_strdupf(
				"load the configs module (modprobe configs) for /proc/config.gz, "
				"or install the kernel's config as /boot/config-%s",
				f->release),
			"cannot tell whether kernel %s has kexec: no /proc/config.gz, "
			"/boot/config-%s or /lib/modules/%s/config",
			f->release, f->release, f->release);
	if (f->kconfig_err < 0)
		return kp_report_add(rep, id, KP_WARN,
				     kp_strdupf("check that %s is the kernel's config file, "
						"readable by this user",
						f->kconfig_source),
				     "cannot tell whether kernel %s has kexec: %s: %s", f->release,
				     f->kconfig_source, strerror(-f->kconfig_err));
	if (f->kconfig_opts == 0)
		return kp_report_add(rep, id, KP_WARN,
				     kp_strdupf("replace %s with the kernel's real config file",
						f->kconfig_source),
				     "cannot tell whether kernel %s has kexec: %s holds no "
				     "CONFIG_ lines",
				     f->release, f->kconfig_source);
	if (f->kconfig_bad)
		return kp_report_add(rep, id, KP_WARN,
				     kp_strdupf("replace %s with the kernel's real config file",
						f->kconfig_source),
				     "%zu lines of %s are not kernel config syntax: it cannot be "
				     "trusted to tell whether kernel %s has kexec",
				     f->kconfig_bad, f->kconfig_source, f->release);
	if (!f->has_kexec && !f->has_kexec_file)
		return kp_report_add(rep, id, KP_FAIL,
				     kp_strdupf("boot a kernel built with CONFIG_KEXEC_FILE=y or "
						"CONFIG_KEXEC=y (on Alpine: %s)",
						"linux-lts or linux-virt"),
				     "kernel %s was built without CONFIG_KEXEC and "
				     "CONFIG_KEXEC_FILE (%s): it cannot kexec",
				     f->release, f->kconfig_source);
	if (!f->has_kexec_file)
		return kp_report_add(rep, id, KP_OK, NULL,
				     "kernel %s has CONFIG_KEXEC but not CONFIG_KEXEC_FILE (%s): "
				     "staging goes through kexec-tools (kexec_load)",
				     f->release, f->kconfig_source);
	return kp_report_add(rep, id, KP_OK, NULL, "kernel %s has %s (%s)", f->release,
			     f->has_kexec ? "CONFIG_KEXEC_FILE and CONFIG_KEXEC"
					  : "CONFIG_KEXEC_FILE (not CONFIG_KEXEC)",
			     f->kconfig_source);
}

static int check_load_disabled(const struct kp_root *r, struct kp_report *rep)
{
	const struct kp_facts *f = &rep->f;
	const char *id = "kexec-load-disabled";
	struct kp_cmdline cl;
	long at;
	char *param = NULL, *setting, *fix;
	int err;

	if (f->load_disabled < 0)
		return kp_report_add(rep, id, KP_WARN,
				     strdup("mount /proc, or boot a kernel with kexec support"),
				     "cannot tell: /proc/sys/kernel/kexec_load_disabled is "
				     "missing or not a number");
	if (f->load_disabled == 0)
		return kp_report_add(rep, id, KP_OK, NULL, "kernel.kexec_load_disabled = 0");
	if (kp_cmdline_parse(&cl, f->cmdline, strlen(f->cmdline)) < 0)
		return -ENOMEM;
	at = kp_cmdline_find(&cl, "kexec_load_disabled");
	if (at >= 0)
		param = strdup(cl.v[at].raw);
	kp_cmdline_free(&cl);
	setting = find_sysctl_setting(r, "kernel.kexec_load_disabled");
	if (setting)
		fix = kp_strdupf("remove the setting (%s), then reboot once the ordinary way: "
				 "the sysctl can only go from 0 to 1 until the next boot",
				 setting);
	else if (strcmp(f->distro, "alpine") == 0 &&
		 !(param && strcmp(param, "kexec_load_disabled=0") == 0))
		fix = bootloader_fix(r);
	else
		fix = strdup("find what sets kernel.kexec_load_disabled=1 after boot (a script "
			     "or a sysctl file) and remove it, then reboot once the ordinary way: "
			     "the sysctl can only go from 0 to 1 until the next boot");
	err = kp_report_add(rep, id, KP_FAIL, fix,
			    "kernel.kexec_load_disabled = 1: the kernel refuses every kexec load "
			    "until the next boot%s%s%s",
			    param ? " (the command line has " : "", param ? param : "",
			    param ? ")" : "");
	free(param);
	free(setting);
	return err;
}

static int check_limit(const struct kp_root *r, struct kp_report *rep)
{
	const struct kp_facts *f = &rep->f;
	const char *id = "kexec-load-limit";
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
	setting = find_sysctl_setting(r, "kernel.kexec_load_limit_reboot");
	if (setting)
		fix = kp_strdupf("remove or raise the setting (%s); the counter only goes down "
				 "until the next boot",
				 setting);
	else
		fix = strdup("find what lowers kernel.kexec_load_limit_reboot and remove it; the "
			     "counter only goes down until the next boot");
	if (f->limit_reboot == 0)
		err = kp_report_add(rep, id, KP_FAIL, fix,
				    "kernel.kexec_load_limit_reboot = 0: no more kexec loads until "
				    "the next boot");
	else
		err = kp_report_add(rep, id, KP_WARN, fix,
				    "kernel.kexec_load_limit_reboot = %ld: a kernel upgrade before "
				    "the next reboot needs a second load",
				    f->limit_reboot);
	free(setting);
	return err;
}

static int check_lockdown(struct kp_report *rep)
{
	const struct kp_facts *f = &rep->f;
	const char *id = "lockdown";

	if (!f->lockdown)
		return kp_report_add(rep, id, KP_OK, NULL,
				     "no lockdown (/sys/kernel/security/lockdown is absent)");
	if (strcmp(f->lockdown, "?") == 0)
		return kp_report_add(rep, id, KP_WARN,
				     strdup("check that securityfs is mounted on "
					    "/sys/kernel/security"),
				     "cannot tell: /sys/kernel/security/lockdown does not name "
				     "the active mode in [brackets]");
	if (strcmp(f->lockdown, "none") == 0)
		return kp_report_add(rep, id, KP_OK, NULL, "none");
	if (f->has_kexec_file == 0 || f->has_kexec_sig == 0)
		return kp_report_add(
			rep, id, KP_FAIL,
			strdup("boot with Secure Boot off (or lockdown=none where "
			       "the kernel allows it), or use a kernel built with "
			       "CONFIG_KEXEC_FILE and CONFIG_KEXEC_SIG and signed kernels"),
			"%s: kexec_load is refused, and this kernel cannot "
			"verify signed images for kexec_file_load",
			f->lockdown);
	return kp_report_add(rep, id, KP_WARN,
			     strdup("stage only kernels signed with a key the running kernel "
				    "trusts (your distribution's kernels usually are)"),
			     "%s: kexec_load is refused and kexec_file_load accepts "
			     "only signed kernels",
			     f->lockdown);
}

static int check_privileges(struct kp_report *rep)
{
	const struct kp_facts *f = &rep->f;

	if (f->cap_sys_boot == 1)
		return kp_report_add(rep, "privileges", KP_OK, NULL,
				     "CAP_SYS_BOOT is in the effective set");
	return kp_report_add(rep, "privileges", KP_WARN,
			     strdup("run kexec-prep load as root (the kexec-load service does)"),
			     f->cap_sys_boot == 0
				     ? "this process lacks CAP_SYS_BOOT: it can check, not stage"
				     : "cannot tell: /proc/self/status has no CapEff line");
}

static int check_staged(struct kp_report *rep)
{
	const struct kp_facts *f = &rep->f;

	if (f->kexec_loaded < 0)
		return kp_report_add(rep, "staged", KP_WARN,
				     strdup("mount /sys; a kernel without kexec has no "
					    "/sys/kernel/kexec_loaded"),
				     "cannot tell: /sys/kernel/kexec_loaded is unreadable");
	return kp_report_add(rep, "staged", KP_OK, NULL,
			     f->kexec_loaded ? "an image is staged: the next reboot jumps into it"
					     : "no image is staged: the next reboot goes through "
					       "the firmware");
}

static int check_tools(struct kp_report *rep)
{
	const struct kp_facts *f = &rep->f;

	if (f->kexec_tools)
		return kp_report_add(rep, "kexec-tools", KP_OK, NULL, "%s is installed",
				     f->kexec_tools);
	if (f->has_kexec_file != 0)
		return kp_report_add(
			rep, "kexec-tools", KP_OK, NULL,
			"not installed, not needed: kexec_file_load stages without it");
	if (f->has_kexec == 0)
		return kp_report_add(rep, "kexec-tools", KP_OK, NULL,
				     "not installed, and of no use on a kernel without kexec");
	return kp_report_add(rep, "kexec-tools", KP_FAIL, kp_install_hint(f, "kexec-tools"),
			     "not installed, and this kernel has only kexec_load, which needs it");
}

static int check_method(struct kp_report *rep)
{
	const struct kp_facts *f = &rep->f;
	bool file = kp_can_file_load(f), legacy = kp_can_kexec_load(f);

	if (file || legacy)
		return kp_report_add(rep, "method", KP_OK, NULL, "staging will use %s",
				     file ? "kexec_file_load(2)" : "kexec-tools (kexec_load)");
	return kp_report_add(rep, "method", KP_FAIL, strdup("fix the failures above"),
			     "no staging method can work on this machine");
}

int kp_check_run(const struct kp_root *r, struct kp_report *rep)
{
	int err;

	memset(rep, 0, sizeof(*rep));
	err = kp_facts_read(r, &rep->f);
	if (err < 0)
		return err;
	if ((err = check_kconfig(rep)) < 0 || (err = check_load_disabled(r, rep)) < 0 ||
	    (err = check_limit(r, rep)) < 0 || (err = check_lockdown(rep)) < 0 ||
	    (err = check_privileges(rep)) < 0 || (err = check_tools(rep)) < 0 ||
	    (err = check_staged(rep)) < 0 || (err = check_method(rep)) < 0)
		return err;
	return 0;
}

bool kp_report_ok(const struct kp_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (rep->checks[i].status == KP_FAIL)
			return false;
	return true;
}

static const char *status_word(enum kp_status st)
{
	return st == KP_OK ? "ok" : st == KP_WARN ? "warn" : "FAIL";
}

static void print_check(const struct kp_check *c)
{
	switch (c->status) {
	case KP_OK:
		einfo("%-5s %s: %s", status_word(c->status), c->id, c->detail);
		break;
	case KP_WARN:
		ewarn("%-5s %s: %s", status_word(c->status), c->id, c->detail);
		ewarn("      fix: %s", c->fix);
		break;
	case KP_FAIL:
		eerror("%-5s %s: %s", status_word(c->status), c->id, c->detail);
		eerror("      fix: %s", c->fix);
		break;
	}
}

void kp_report_print_failures(const struct kp_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (rep->checks[i].status == KP_FAIL)
			print_check(&rep->checks[i]);
}

void kp_report_print_text(const struct kp_report *rep)
{
	size_t i, fails = 0;

	for (i = 0; i < rep->n; i++) {
		print_check(&rep->checks[i]);
		fails += rep->checks[i].status == KP_FAIL;
	}
	if (fails)
		eerror("kexec cannot work here: %zu check%s failed", fails, fails == 1 ? "" : "s");
	else
		einfo("kexec can work here");
}

static void json_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7f || c >= 0x80)
			printf("\\u%04x", c); /* bytes, not UTF-8: keep the output valid */
		else
			putchar(c);
	}
	putchar('"');
}

void kp_report_print_json(const struct kp_report *rep)
{
	size_t i;

	fputs("{\"release\":", stdout);
	json_str(rep->f.release);
	fputs(",\"distro\":", stdout);
	json_str(rep->f.distro);
	printf(",\"ok\":%s,\"checks\":[", kp_report_ok(rep) ? "true" : "false");
	for (i = 0; i < rep->n; i++) {
		const struct kp_check *c = &rep->checks[i];

		fputs(i ? ",{\"id\":" : "{\"id\":", stdout);
		json_str(c->id);
		fputs(",\"status\":", stdout);
		json_str(c->status == KP_OK ? "ok" : c->status == KP_WARN ? "warn" : "fail");
		fputs(",\"detail\":", stdout);
		json_str(c->detail);
		fputs(",\"fix\":", stdout);
		if (c->fix)
			json_str(c->fix);
		else
			fputs("null", stdout);
		putchar('}');
	}
	fputs("]}\n", stdout);
}

void kp_report_free(struct kp_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++) {
		free(rep->checks[i].detail);
		free(rep->checks[i].fix);
	}
	free(rep->checks);
	kp_facts_free(&rep->f);
	memset(rep, 0, sizeof(*rep));
}
