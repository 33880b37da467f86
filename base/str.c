#include "str.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *kp_strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

bool kp_str_ends_with(const char *s, const char *tail)
{
	size_t l = strlen(s), tl = strlen(tail);

	return l >= tl && strcmp(s + l - tl, tail) == 0;
}

void *kp_grow(void *v, size_t n, size_t *cap, size_t size)
{
	size_t want = *cap ? *cap * 2 : 16;

	if (n < *cap)
		return v;
	if (want > SIZE_MAX / size)
		return NULL;
	v = realloc(v, want * size);
	if (v)
		*cap = want;
	return v;
}

int kp_strv_take(struct kp_strv *sv, char *s)
{
	char **v;

	if (!s)
		return -ENOMEM;
	v = realloc(sv->v, (sv->n + 1) * sizeof(*v));
	if (!v) {
		free(s);
		return -ENOMEM;
	}
	sv->v = v;
	sv->v[sv->n++] = s;
	return 0;
}

int kp_strv_push(struct kp_strv *sv, const char *s)
{
	return kp_strv_take(sv, strdup(s));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void kp_strv_sort(struct kp_strv *sv, size_t from)
{
	if (sv->n > from)
		qsort(sv->v + from, sv->n - from, sizeof(*sv->v), cmp_str);
}

char *kp_strv_join(const struct kp_strv *sv, const char *sep)
{
	size_t i, len = 1, sl = strlen(sep);
	char *s, *p;

	for (i = 0; i < sv->n; i++)
		len += strlen(sv->v[i]) + sl;
	s = p = malloc(len);
	if (!s)
		return NULL;
	*p = '\0';
	for (i = 0; i < sv->n; i++)
		p = stpcpy(i ? stpcpy(p, sep) : p, sv->v[i]);
	return s;
}

void kp_strv_free(struct kp_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

/* The value of key in text, whose fields are separated by sep ("k=v"
 * each); NULL when not there or out of memory. */
char *kp_kv_get(const char *text, char sep, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		const char *end = strchr(p, sep);
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > klen && !strncmp(p, key, klen) && p[klen] == '=')
			return strndup(p + klen + 1, len - klen - 1);
		p = end ? end + 1 : NULL;
	}
	return NULL;
}
