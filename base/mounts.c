#include "mounts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

/* Both files escape space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* The next field of line at *p, NUL-terminated in place; NULL at the end. */
static char *field(char **p)
{
	char *s = *p + strspn(*p, " \t"), *e;

	if (!*s)
		return NULL;
	e = s + strcspn(s, " \t");
	if (*e)
		*e++ = '\0';
	*p = e;
	return s;
}

/* "36 35 98:0 /root /target rw,noatime shared:1 - ext4 /dev/vda1 rw" */
static int parse_line(char *line, struct kp_mount *m)
{
	char *p = line, *f[6], *sep, *fstype, *source;
	int i;

	for (i = 0; i < 6; i++)
		if (!(f[i] = field(&p)))
			return -1;
	if (sscanf(f[2], "%u:%u", &m->major, &m->minor) != 2)
		return -1;
	while ((sep = field(&p)) && strcmp(sep, "-") != 0)
		; /* optional fields */
	if (!sep || !(fstype = field(&p)) || !(source = field(&p)))
		return -1;
	unescape(f[4]);
	unescape(source);
	m->target = f[4];
	m->opts = f[5];
	m->fstype = fstype;
	m->source = source;
	m->super_opts = field(&p);
	return 0;
}

int kp_mounts_parse(struct kp_mounts *m, char *buf)
{
	char *line, *save = NULL;
	size_t cap = 0;

	memset(m, 0, sizeof(*m));
	m->buf = buf;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct kp_mount mnt, *v;

		if (parse_line(line, &mnt) < 0)
			continue;
		v = kp_grow(m->v, m->n, &cap, sizeof(*v));
		if (!v) {
			kp_mounts_free(m);
			return -ENOMEM;
		}
		m->v = v;
		m->v[m->n++] = mnt;
	}
	return 0;
}

const struct kp_mount *kp_mounts_find(const struct kp_mounts *m, const char *target)
{
	size_t i = m->n;

	while (i-- > 0)
		if (strcmp(m->v[i].target, target) == 0)
			return &m->v[i];
	return NULL;
}

static bool opts_rw(const char *o)
{
	return strncmp(o, "rw", 2) == 0 && (o[2] == '\0' || o[2] == ',');
}

bool kp_mount_is_rw(const struct kp_mount *m)
{
	return opts_rw(m->opts) && (!m->super_opts || opts_rw(m->super_opts));
}

void kp_mounts_free(struct kp_mounts *m)
{
	free(m->v);
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

int kp_fstab_parse(struct kp_fstab *t, char *buf)
{
	char *line, *save = NULL;
	size_t cap = 0;

	memset(t, 0, sizeof(*t));
	t->buf = buf;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct kp_fstab_entry *v;
		char *p = line, *f[4];
		int i;

		if (line[strspn(line, " \t")] == '#')
			continue;
		for (i = 0; i < 4; i++)
			if (!(f[i] = field(&p)))
				break;
		if (i < 3)
			continue;
		for (i = 0; i < 3; i++)
			unescape(f[i]);
		v = kp_grow(t->v, t->n, &cap, sizeof(*v));
		if (!v) {
			kp_fstab_free(t);
			return -ENOMEM;
		}
		t->v = v;
		t->v[t->n++] = (struct kp_fstab_entry){f[0], f[1], f[2], f[3] ? f[3] : "defaults"};
	}
	return 0;
}

const struct kp_fstab_entry *kp_fstab_find(const struct kp_fstab *t, const char *file)
{
	size_t i = t->n;

	while (i-- > 0)
		if (strcmp(t->v[i].file, file) == 0)
			return &t->v[i];
	return NULL;
}

void kp_fstab_free(struct kp_fstab *t)
{
	free(t->v);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

bool kp_path_within(const char *path, const char *dir)
{
	size_t l = strlen(dir);

	while (l > 1 && dir[l - 1] == '/')
		l--;
	if (l == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, l) == 0 && (path[l] == '\0' || path[l] == '/');
}
