#include "kconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

#define KCONFIG_MAX (16u << 20)

static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* One line, NUL-terminated in place. Returns 1 for an option, 0 for a line
 * that says nothing, -1 for a line that is not .config syntax. */
static int parse_line(char *line, struct kp_kconfig_opt *opt)
{
	char *p = line, *name;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	if (*p == '#') {
		/* "# CONFIG_FOO is not set" */
		p++;
		while (*p == ' ')
			p++;
		if (strncmp(p, "CONFIG_", 7) != 0)
			return 0;
		name = p;
		while (is_name_char(*p))
			p++;
		if (strcmp(p, " is not set") != 0)
			return 0;
		*p = '\0';
		opt->name = name;
		opt->value = "n";
		return 1;
	}
	if (strncmp(p, "CONFIG_", 7) != 0)
		return -1;
	name = p;
	while (is_name_char(*p))
		p++;
	if (*p != '=')
		return -1;
	*p++ = '\0';
	opt->name = name;
	opt->value = p;
	return 1;
}

int kp_kconfig_parse(struct kp_kconfig *kc, char *buf, size_t len)
{
	size_t cap = 0, i;
	char *line = buf;

	memset(kc, 0, sizeof(*kc));
	kc->buf = buf;
	/* A NUL byte inside the file ends its line: the rest is garbage. */
	for (i = 0; i <= len; i++) {
		struct kp_kconfig_opt opt;
		int rc;

		if (i < len && buf[i] != '\n' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (line[0] != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		rc = parse_line(line, &opt);
		if (rc < 0)
			kc->bad_lines++;
		if (rc > 0) {
			struct kp_kconfig_opt *o = kp_grow(kc->opts, kc->nopts, &cap, sizeof(*o));

			if (!o) {
				kp_kconfig_free(kc);
				return -ENOMEM;
			}
			kc->opts = o;
			kc->opts[kc->nopts++] = opt;
		}
		line = buf + i + 1;
	}
	return 0;
}

const char *kp_kconfig_get(const struct kp_kconfig *kc, const char *name)
{
	const char *v = NULL;
	size_t i;

	/* Like kconfig itself, the last assignment wins. */
	for (i = 0; i < kc->nopts; i++)
		if (strcmp(kc->opts[i].name, name) == 0)
			v = kc->opts[i].value;
	return v;
}

bool kp_kconfig_enabled(const struct kp_kconfig *kc, const char *name)
{
	const char *v = kp_kconfig_get(kc, name);

	return v && (strcmp(v, "y") == 0 || strcmp(v, "m") == 0);
}

void kp_kconfig_free(struct kp_kconfig *kc)
{
	free(kc->opts);
	free(kc->buf);
	memset(kc, 0, sizeof(*kc));
}

static int try_load(const struct kp_root *r, char *path, bool gz, struct kp_kconfig *kc,
		    char **source)
{
	char *buf;
	size_t len;
	int err;

	if (!path)
		return -ENOMEM;
	err = gz ? kp_read_gz(r, path, KCONFIG_MAX, &buf, &len)
		 : kp_read_file(r, path, KCONFIG_MAX, &buf, &len);
	if (err == -ENOENT) {
		free(path);
		return err;
	}
	*source = path;
	if (err < 0)
		return err;
	return kp_kconfig_parse(kc, buf, len);
}

int kp_kconfig_load(const struct kp_root *r, const char *release, bool running,
		    struct kp_kconfig *kc, char **source)
{
	const char *flavor = strrchr(release, '-');
	int err;

	*source = NULL;
	if (running) {
		err = try_load(r, strdup("/proc/config.gz"), true, kc, source);
		if (err != -ENOENT)
			return err;
	}
	err = try_load(r, kp_strdupf("/boot/config-%s", release), false, kc, source);
	if (err != -ENOENT)
		return err;
	err = try_load(r, kp_strdupf("/lib/modules/%s/config", release), false, kc, source);
	if (err != -ENOENT)
		return err;
	/* Older Alpine kernel packages install /boot/config-<flavor>. */
	if (flavor && flavor[1] != '\0')
		return try_load(r, kp_strdupf("/boot/config-%s", flavor + 1), false, kc, source);
	return -ENOENT;
}
