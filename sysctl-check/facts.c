#include "readiness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kconfig.h"
#include "shconf.h"
#include "str.h"

#define CAP_SYS_BOOT_BIT 22

static const char *const kexec_paths[] = {
	"/usr/sbin/kexec", "/sbin/kexec", "/usr/bin/kexec", "/bin/kexec", "/usr/local/sbin/kexec",
};

static char *read_os_id(const struct kp_root *r)
{
	static const char *const files[] = {"/etc/os-release", "/usr/lib/os-release"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		char *buf, *line, *save = NULL;

		if (kp_read_file(r, files[i], 65536, &buf, NULL) < 0)
			continue;
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *v, *end;

			if (strncmp(line, "ID=", 3) != 0)
				continue;
			v = line + 3;
			if (*v == '"' || *v == '\'')
				v++;
			end = v + strcspn(v, "\"' \t");
			*end = '\0';
			v = strdup(v);
			free(buf);
			return v;
		}
		free(buf);
	}
	if (kp_root_exists(r, "/etc/alpine-release"))
		return strdup("alpine");
	return strdup("");
}

static int read_cap_sys_boot(const struct kp_root *r)
{
	char *buf, *p;
	unsigned long long caps;
	int ret = -1;

	if (kp_read_file(r, "/proc/self/status", 1 << 20, &buf, NULL) < 0)
		return -1;
	/* a line of its own: at the start, or after a newline */
	p = strncmp(buf, "CapEff:", 7) ? strstr(buf, "\nCapEff:") : buf;
	if (p && sscanf(p + (*p == '\n') + 7, "%llx", &caps) == 1)
		ret = (int)((caps >> CAP_SYS_BOOT_BIT) & 1);
	free(buf);
	return ret;
}

static char *read_lockdown(const struct kp_root *r)
{
	char *line, *open, *close_;
	char *mode = NULL;

	if (kp_read_line(r, "/sys/kernel/security/lockdown", &line) < 0)
		return NULL;
	open = strchr(line, '[');
	close_ = open ? strchr(open, ']') : NULL;
	if (open && close_)
		mode = strndup(open + 1, (size_t)(close_ - open - 1));
	else
		mode = strdup("?"); /* present, but not in the kernel's format */
	free(line);
	return mode;
}

static char *find_kexec_tools(const struct kp_root *r)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kexec_paths); i++) {
		struct stat st;
		int fd = kp_root_openat(r, kexec_paths[i], O_PATH);

		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			close(fd);
			return strdup(kexec_paths[i]);
		}
		close(fd);
	}
	return NULL;
}

/* Debian's and Devuan's kexec-tools ship a SysV /etc/init.d/kexec-load of
 * their own (ours says kexec-prep), and jump by themselves at reboot when
 * /etc/default/kexec says LOAD_KEXEC=true. */
static void read_services(const struct kp_root *r, struct kp_facts *f)
{
	struct kp_shconf c = {0};
	struct kp_shconf_error e;
	const char *v;
	char *text;
	size_t len;

	if (kp_read_file(r, "/etc/init.d/kexec-load", 1 << 20, &text, &len) == 0) {
		f->initd_foreign = memmem(text, len, "kexec-prep", strlen("kexec-prep")) == NULL;
		free(text);
	}
	if (kp_read_file(r, "/etc/default/kexec", 1 << 16, &text, &len) < 0)
		return;
	if (kp_shconf_parse(text, len, &c, &e) == 0 && (v = kp_shconf_get(&c, "LOAD_KEXEC")))
		f->tools_reboot = !strcmp(v, "true") || !strcmp(v, "yes");
	kp_shconf_free(&c);
	free(text);
}

static void read_kconfig(const struct kp_root *r, struct kp_facts *f)
{
	struct kp_kconfig kc;

	f->has_kexec = f->has_kexec_file = f->has_kexec_sig = -1;
	f->kconfig_err = kp_kconfig_load(r, f->release, true, &kc, &f->kconfig_source);
	if (f->kconfig_err < 0)
		return;
	f->kconfig_opts = kc.nopts;
	f->kconfig_bad = kc.bad_lines;
	if (kc.nopts > 0) {
		f->has_kexec = kp_kconfig_enabled(&kc, "CONFIG_KEXEC");
		f->has_kexec_file = kp_kconfig_enabled(&kc, "CONFIG_KEXEC_FILE");
		f->has_kexec_sig = kp_kconfig_enabled(&kc, "CONFIG_KEXEC_SIG");
	}
	kp_kconfig_free(&kc);
}

/* kernel.arch exists on newer kernels only; a fixture root sets it. */
static char *read_arch(const struct kp_root *r)
{
	struct utsname u;
	char *arch;

	if (kp_read_line(r, "/proc/sys/kernel/arch", &arch) == 0)
		return arch;
	return strdup(uname(&u) == 0 ? u.machine : "");
}

int kp_facts_read(const struct kp_root *r, struct kp_facts *f)
{
	memset(f, 0, sizeof(*f));
	if (kp_read_line(r, "/proc/sys/kernel/osrelease", &f->release) < 0)
		f->release = strdup("");
	f->arch = read_arch(r);
	f->distro = read_os_id(r);
	f->cmdline_err = kp_read_file(r, "/proc/cmdline", 1 << 20, &f->cmdline, &f->cmdline_len);
	if (f->cmdline_err < 0)
		f->cmdline = strdup("");
	/* the newline is /proc's, not the command line's: inside a quote left
	 * open it would become part of a parameter */
	else if (f->cmdline_len && f->cmdline[f->cmdline_len - 1] == '\n')
		f->cmdline[--f->cmdline_len] = '\0';
	if (!f->release || !f->arch || !f->distro || !f->cmdline) {
		kp_facts_free(f);
		return -ENOMEM;
	}
	if (f->release[0])
		read_kconfig(r, f);
	else
		f->has_kexec = f->has_kexec_file = f->has_kexec_sig = -1;
	if (kp_read_long(r, "/proc/sys/kernel/kexec_load_disabled", &f->load_disabled) < 0)
		f->load_disabled = -1;
	if (kp_read_long(r, "/proc/sys/kernel/kexec_load_limit_reboot", &f->limit_reboot) < 0)
		f->limit_reboot = -2;
	f->lockdown = read_lockdown(r);
	f->cap_sys_boot = read_cap_sys_boot(r);
	if (kp_read_long(r, "/sys/kernel/kexec_loaded", &f->kexec_loaded) < 0)
		f->kexec_loaded = -1;
	f->efi_runtime = kp_root_exists(r, "/sys/firmware/efi/runtime");
	f->kexec_tools = find_kexec_tools(r);
	read_services(r, f);
	return kp_loaders_read(r, f);
}

void kp_facts_free(struct kp_facts *f)
{
	free(f->release);
	free(f->arch);
	free(f->distro);
	free(f->cmdline);
	free(f->kconfig_source);
	free(f->lockdown);
	free(f->kexec_tools);
	kp_loaders_free(f);
	memset(f, 0, sizeof(*f));
}

static bool locked_down(const struct kp_facts *f)
{
	return f->lockdown && strcmp(f->lockdown, "none") != 0 && strcmp(f->lockdown, "?") != 0;
}

bool kp_can_file_load(const struct kp_facts *f)
{
	return f->has_kexec_file != 0 && f->load_disabled != 1 && f->limit_reboot != 0 &&
	       !(locked_down(f) && f->has_kexec_sig == 0);
}

bool kp_can_kexec_load(const struct kp_facts *f)
{
	return f->has_kexec != 0 && f->kexec_tools && f->load_disabled != 1 &&
	       f->limit_reboot != 0 && !locked_down(f);
}

char *kp_install_hint(const struct kp_facts *f, const char *pkg)
{
	const char *d = f->distro;

	if (strcmp(d, "alpine") == 0 || strcmp(d, "postmarketos") == 0)
		return kp_strdupf("apk add %s", pkg);
	if (strcmp(d, "debian") == 0 || strcmp(d, "devuan") == 0 || strcmp(d, "ubuntu") == 0)
		return kp_strdupf("apt-get install %s", pkg);
	if (strcmp(d, "gentoo") == 0 || strcmp(d, "funtoo") == 0)
		return kp_strdupf("emerge sys-apps/%s", pkg);
	if (strcmp(d, "artix") == 0 || strcmp(d, "arch") == 0)
		return kp_strdupf("pacman -S %s", pkg);
	return kp_strdupf("install %s with your package manager", pkg);
}
