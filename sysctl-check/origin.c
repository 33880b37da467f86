#include "origin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
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

char *kp_origin_bootloader_fix(const struct kp_root *r)
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

	for (i = 0; i < ARRAY_SIZE(loaders); i++) {
		char *cur, *next, *fix;

		if (!kp_root_exists(r, loaders[i].file))
			continue;
		if (loaders[i].key)
			cur = read_assignment(r, loaders[i].file, loaders[i].key);
		else if (kp_read_line(r, loaders[i].file, &cur) < 0)
			cur = NULL;
		next = with_param(cur ? cur : "");
		if (loaders[i].key)
			fix = kp_strdupf(
				"add kexec_load_disabled=0 to the kernel command line: in %s set %s=\"%s\", %s, then reboot once the ordinary way (the parameter is read only at boot)",
				loaders[i].file, loaders[i].key, next ? next : "", loaders[i].then);
		else
			fix = kp_strdupf(
				"add kexec_load_disabled=0 to the kernel command line: write \"%s\" to %s, %s, then reboot once the ordinary way (the parameter is read only at boot)",
				next ? next : "", loaders[i].file, loaders[i].then);
		free(cur);
		free(next);
		return fix;
	}
	return strdup(
		"add kexec_load_disabled=0 to the kernel command line in your bootloader's configuration, then reboot once the ordinary way (the parameter is read only at boot)");
}
