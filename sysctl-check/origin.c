#include "origin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "readiness.h"
#include "str.h"

/* Append the .conf files of dir, sorted, to list. */
static void list_conf_files(const struct kp_root *r, const char *dir, struct kp_strv *list)
{
	size_t first = list->n;
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
	while ((de = readdir(d)))
		if (strlen(de->d_name) > 5 && kp_str_ends_with(de->d_name, ".conf") &&
		    kp_strv_take(list, kp_strdupf("%s/%s", dir, de->d_name)) < 0)
			break;
	closedir(d);
	kp_strv_sort(list, first);
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

char *kp_origin_sysctl(const struct kp_root *r, const char *key)
{
	static const char *const dirs[] = {"/usr/lib/sysctl.d", "/lib/sysctl.d",
					   "/usr/local/lib/sysctl.d", "/run/sysctl.d",
					   "/etc/sysctl.d"};
	struct kp_strv files = {0};
	char *found = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		list_conf_files(r, dirs[i], &files);
	if (kp_strv_push(&files, "/etc/sysctl.conf") < 0)
		goto out;
	for (i = 0; i < files.n; i++) {
		char *buf, *line, *save = NULL;

		if (kp_read_file(r, files.v[i], 1 << 20, &buf, NULL) < 0)
			continue;
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			const char *p = line + strspn(line, " \t-");

			if (is_sysctl_key(p, strcspn(p, " \t="), key)) {
				free(found);
				found = kp_strdupf("%s: %s", files.v[i], line);
			}
		}
		free(buf);
	}
out:
	kp_strv_free(&files);
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

/* The settings file of each boot loader, where the kernel command line of
 * its entries comes from. */
static const struct {
	const char *file, *key, *then;
} settings[KP_LOADERS] = {
	[KP_LOADER_EXTLINUX] = {"/etc/update-extlinux.conf", "default_kernel_opts",
				"run update-extlinux"},
	[KP_LOADER_GRUB] = {"/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT",
			    "run grub-mkconfig -o /boot/grub/grub.cfg"},
	[KP_LOADER_SDBOOT] =
		{"/etc/kernel/cmdline", NULL,
		 "install the boot entries again (kernel-install add, or reinstall the kernel)"},
	[KP_LOADER_UKI] = {"/etc/kernel/cmdline", NULL,
			   "regenerate the unified kernel image that embeds it"},
};

#define AT_BOOT "then reboot once the ordinary way (the parameter is read only at boot)"

/* A command-line file as efi-mkuki and kernel-install read it: the lines
 * that are not comments, joined. Change the one line that needs it. */
static char *file_fix(const struct kp_root *r, const char *file, const char *then)
{
	char *text, *line, *save = NULL, *last = NULL, *fix;
	unsigned n = 0, last_n = 0;

	if (kp_read_file(r, file, 1 << 20, &text, NULL) < 0)
		return kp_strdupf(
			"add kexec_load_disabled=0 to the kernel command line: write it to %s, %s, " AT_BOOT,
			file, then);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		n++;
		if (line[strspn(line, " \t")] == '#' || !line[strspn(line, " \t\r")])
			continue;
		if (strstr(line, "kexec_load_disabled=")) {
			char *next = with_param(line);

			fix = kp_strdupf(
				"in %s, line %u sets kexec_load_disabled: make it read \"%s\" (every other line as it is), %s, " AT_BOOT,
				file, n, next ? next : "", then);
			free(next);
			free(text);
			return fix;
		}
		last = line;
		last_n = n;
	}
	if (last) {
		char *next = kp_strdupf("%s kexec_load_disabled=0", last);

		fix = kp_strdupf(
			"add kexec_load_disabled=0 to the kernel command line: in %s, make line %u read \"%s\" (every other line as it is), %s, " AT_BOOT,
			file, last_n, next ? next : "", then);
		free(next);
	} else {
		fix = kp_strdupf(
			"add kexec_load_disabled=0 to the kernel command line: add a line \"kexec_load_disabled=0\" to %s, %s, " AT_BOOT,
			file, then);
	}
	free(text);
	return fix;
}

static char *loader_fix(const struct kp_root *r, enum kp_loader id)
{
	char *cur, *next, *fix;

	if (!settings[id].key)
		return file_fix(r, settings[id].file, settings[id].then);
	cur = read_assignment(r, settings[id].file, settings[id].key);
	next = with_param(cur ? cur : "");
	fix = kp_strdupf(
		"add kexec_load_disabled=0 to the kernel command line: in %s set %s=\"%s\", %s, " AT_BOOT,
		settings[id].file, settings[id].key, next ? next : "", settings[id].then);
	free(cur);
	free(next);
	return fix;
}

char *kp_origin_bootloader_fix(const struct kp_root *r, const struct kp_facts *f)
{
	size_t i;

	/* the boot loader that boots this machine, by the evidence */
	if (f->loaders[0].score > 0) {
		enum kp_loader id = f->loaders[0].id;

		if (kp_root_exists(r, settings[id].file))
			return loader_fix(r, id);
		return kp_strdupf(
			"add kexec_load_disabled=0 to the kernel command line of the entries of %s (%s; it boots this machine: %s), " AT_BOOT,
			kp_loader_name(id),
			f->loaders[0].config ? f->loaders[0].config : "its configuration",
			f->loaders[0].why);
	}
	/* no boot loader configuration at all: the first settings file there */
	for (i = 0; i < KP_LOADERS; i++)
		if (kp_root_exists(r, settings[i].file))
			return loader_fix(r, (enum kp_loader)i);
	return strdup(
		"add kexec_load_disabled=0 to the kernel command line in your bootloader's configuration, " AT_BOOT);
}
