#include "cmdline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

static bool is_space(char c)
{
	/* The kernel's isspace(): the C locale's, plus 0xa0. */
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' ||
	       (unsigned char)c == 0xa0;
}

static bool name_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;

		if (x != y)
			return false;
		if (x == '\0')
			return true;
	}
}

static void param_free(struct kp_param *p)
{
	free(p->raw);
	free(p->name);
	free(p->value);
}

/* Split one word the way the kernel's next_arg() does. */
static int param_make(struct kp_param *p, const char *word, size_t len)
{
	size_t i, eq = 0, nstart = 0, vend = len;
	bool quoted = len > 0 && word[0] == '"', has_eq = false;

	memset(p, 0, sizeof(*p));
	if (quoted)
		nstart = 1;
	for (i = nstart; i < len; i++)
		if (word[i] == '=') {
			eq = i;
			has_eq = true;
			break;
		}
	p->raw = strndup(word, len);
	if (!p->raw)
		return -ENOMEM;
	if (has_eq) {
		size_t vstart = eq + 1;

		p->name = strndup(word + nstart, eq - nstart);
		if (vstart < len && word[vstart] == '"') {
			vstart++;
			if (vend > vstart && word[vend - 1] == '"')
				vend--;
		} else if (quoted && vend > vstart && word[vend - 1] == '"') {
			vend--;
		}
		p->value = strndup(word + vstart, vend > vstart ? vend - vstart : 0);
		if (!p->name || !p->value) {
			param_free(p);
			return -ENOMEM;
		}
	} else {
		size_t nend = len;

		if (quoted && nend > nstart && word[nend - 1] == '"')
			nend--;
		p->name = strndup(word + nstart, nend > nstart ? nend - nstart : 0);
		if (!p->name) {
			param_free(p);
			return -ENOMEM;
		}
	}
	return 0;
}

static int insert_at(struct kp_cmdline *cl, size_t at, struct kp_param *p)
{
	struct kp_param *v = kp_grow(cl->v, cl->n, &cl->cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	cl->v = v;
	memmove(cl->v + at + 1, cl->v + at, (cl->n - at) * sizeof(*cl->v));
	cl->v[at] = *p;
	cl->n++;
	/* Without "--", init_args is n and stays n. */
	if (at <= cl->init_args)
		cl->init_args++;
	return 0;
}

static void remove_at(struct kp_cmdline *cl, size_t at)
{
	param_free(&cl->v[at]);
	memmove(cl->v + at, cl->v + at + 1, (cl->n - at - 1) * sizeof(*cl->v));
	cl->n--;
	if (at < cl->init_args)
		cl->init_args--;
}

/* Split words into params appended to out (init_args untouched). */
static int split(struct kp_cmdline *out, const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && buf[i] != '\0') {
		struct kp_param p;
		size_t start;
		bool in_quote = false;
		int err;

		while (i < len && buf[i] != '\0' && is_space(buf[i]))
			i++;
		if (i >= len || buf[i] == '\0')
			break;
		start = i;
		for (; i < len && buf[i] != '\0'; i++) {
			if (is_space(buf[i]) && !in_quote)
				break;
			if (buf[i] == '"')
				in_quote = !in_quote;
		}
		err = param_make(&p, buf + start, i - start);
		if (err < 0)
			return err;
		err = insert_at(out, out->n, &p);
		if (err < 0) {
			param_free(&p);
			return err;
		}
	}
	return 0;
}

int kp_cmdline_parse(struct kp_cmdline *cl, const char *buf, size_t len)
{
	size_t i;
	int err;

	memset(cl, 0, sizeof(*cl));
	err = split(cl, buf, len);
	if (err < 0) {
		kp_cmdline_free(cl);
		return err;
	}
	cl->init_args = cl->n;
	for (i = 0; i < cl->n; i++)
		if (strcmp(cl->v[i].raw, "--") == 0) {
			cl->init_args = i;
			break;
		}
	return 0;
}

long kp_cmdline_find(const struct kp_cmdline *cl, const char *name)
{
	long found = -1;
	size_t i;

	for (i = 0; i < cl->init_args && i < cl->n; i++)
		if (name_eq(cl->v[i].name, name))
			found = (long)i;
	return found;
}

size_t kp_cmdline_remove(struct kp_cmdline *cl, const char *name)
{
	size_t i = 0, removed = 0;

	while (i < cl->init_args && i < cl->n) {
		if (name_eq(cl->v[i].name, name)) {
			remove_at(cl, i);
			removed++;
		} else {
			i++;
		}
	}
	return removed;
}

/* Is raw among init's arguments already? Then setting it again adds
 * nothing: a line reused jump after jump never piles them up. */
static bool has_init_arg(const struct kp_cmdline *cl, const char *raw)
{
	size_t i;

	for (i = cl->init_args + 1; i < cl->n; i++)
		if (strcmp(cl->v[i].raw, raw) == 0)
			return true;
	return false;
}

int kp_cmdline_set(struct kp_cmdline *cl, const char *words)
{
	struct kp_cmdline add;
	size_t i;
	int err = kp_cmdline_parse(&add, words, strlen(words));

	if (err < 0)
		return err;
	for (i = 0; i < add.n; i++) {
		struct kp_param *p = &add.v[i];
		long first = -1;
		size_t j = 0;

		if (i >= add.init_args) {
			/* Init's arguments go after the kernel's "--". */
			if (cl->init_args == cl->n && strcmp(p->raw, "--") == 0) {
				err = insert_at(cl, cl->n, p);
				if (err < 0)
					break;
				cl->init_args = cl->n - 1;
			} else if (strcmp(p->raw, "--") != 0 && !has_init_arg(cl, p->raw)) {
				err = insert_at(cl, cl->n, p);
				if (err < 0)
					break;
			} else {
				param_free(p);
			}
			memset(p, 0, sizeof(*p));
			continue;
		}
		while (j < cl->init_args && j < cl->n) {
			if (!name_eq(cl->v[j].name, p->name)) {
				j++;
			} else if (first < 0) {
				first = (long)j++;
			} else {
				remove_at(cl, j);
			}
		}
		if (first >= 0) {
			param_free(&cl->v[first]);
			cl->v[first] = *p;
		} else {
			err = insert_at(cl, cl->init_args, p);
			if (err < 0)
				break;
		}
		memset(p, 0, sizeof(*p));
	}
	kp_cmdline_free(&add);
	return err;
}

char *kp_cmdline_join(const struct kp_cmdline *cl)
{
	size_t i, len = 1;
	char *s, *p;

	for (i = 0; i < cl->n; i++)
		len += strlen(cl->v[i].raw) + 2;
	s = p = malloc(len);
	if (!s)
		return NULL;
	*p = '\0';
	for (i = 0; i < cl->n; i++) {
		const char *raw = cl->v[i].raw, *q;
		size_t l = strlen(raw), quotes = 0;

		if (i > 0)
			*p++ = ' ';
		memcpy(p, raw, l + 1);
		p += l;
		/* a quote left open (at the end of /proc/cmdline) would take every
		 * word after it into this one: close it */
		for (q = raw; (q = strchr(q, '"')); q++)
			quotes++;
		if (quotes % 2) {
			*p++ = '"';
			*p = '\0';
		}
	}
	return s;
}

void kp_cmdline_free(struct kp_cmdline *cl)
{
	size_t i;

	for (i = 0; i < cl->n; i++)
		param_free(&cl->v[i]);
	free(cl->v);
	memset(cl, 0, sizeof(*cl));
}
