#include "uki.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int kp_uki_parse(int fd, off_t size, struct kp_uki *u)
{
	struct kp_pe_section s[96];
	const struct kp_pe_section *p;
	int n = kp_pe_sections(fd, size, s, 96);

	memset(u, 0, sizeof(*u));
	if (n < 0)
		return n;
	if (!(p = kp_pe_find(s, n, ".linux")))
		return -EBADMSG;
	u->linux = *p;
	if ((p = kp_pe_find(s, n, ".initrd")))
		u->initrd = *p, u->has_initrd = true;
	if ((p = kp_pe_find(s, n, ".cmdline")))
		u->cmdline = *p, u->has_cmdline = true;
	if ((p = kp_pe_find(s, n, ".osrel")))
		u->osrel = *p, u->has_osrel = true;
	if ((p = kp_pe_find(s, n, ".uname")))
		u->uname = *p, u->has_uname = true;
	return 0;
}

int kp_uki_text(int fd, const struct kp_pe_section *s, char **out)
{
	size_t n = s->size;
	char *t;

	if (n > 65536)
		return -EFBIG;
	t = malloc(n + 1);
	if (!t)
		return -ENOMEM;
	if (pread(fd, t, n, s->offset) != (ssize_t)n) {
		free(t);
		return -EIO;
	}
	t[n] = '\0';
	n = strlen(t); /* a NUL ends it */
	while (n && strchr(" \t\r\n", t[n - 1]))
		t[--n] = '\0';
	*out = t;
	return 0;
}

char *kp_osrel_get(const char *osrel, const char *key)
{
	size_t kl = strlen(key);
	const char *p;

	for (p = osrel; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *v = p + kl + 1;
		size_t l;

		if (strncmp(p, key, kl) != 0 || p[kl] != '=')
			continue;
		l = strcspn(v, "\n");
		if (l >= 2 && (v[0] == '"' || v[0] == '\'') && v[l - 1] == v[0]) {
			v++;
			l -= 2;
		}
		return strndup(v, l);
	}
	return NULL;
}
