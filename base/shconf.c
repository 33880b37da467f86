#include "shconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

struct in {
	const char *p, *end;
	unsigned line;
};

static int peek(const struct in *in)
{
	return in->p < in->end ? (unsigned char)*in->p : -1;
}

static int next(struct in *in)
{
	int c = peek(in);

	if (c >= 0) {
		in->p++;
		in->line += c == '\n';
	}
	return c;
}

struct buf {
	char *s;
	size_t n, cap;
};

static int put(struct buf *b, char c)
{
	char *s = kp_grow(b->s, b->n + 1, &b->cap, 1);

	if (!s)
		return -ENOMEM;
	b->s = s;
	b->s[b->n++] = c;
	b->s[b->n] = '\0';
	return 0;
}

#define FAIL(msg)                                                                                  \
	do {                                                                                       \
		*what = msg;                                                                       \
		return -EINVAL;                                                                    \
	} while (0)

/* The value after NAME=, up to the first unquoted blank or newline. */
static int value(struct in *in, struct buf *b, const char **what)
{
	bool first = true;
	int c, err = put(b, '\0');

	b->n = 0;
	while (err == 0 && (c = peek(in)) >= 0 && c != ' ' && c != '\t' && c != '\n') {
		next(in);
		if (c == '\0')
			FAIL("a NUL byte");
		if (c == '$' || c == '`')
			FAIL("$ or a backquote: an expansion, which needs a shell; write the value out");
		if (strchr(";&|<>()", c))
			FAIL("; & | < > ( or ): more than an assignment, which needs a shell; quote the value");
		if (c == '~' && first)
			FAIL("~ at the start: a home directory, which needs a shell; write the path out");
		first = false;
		if (c == '\\') {
			c = next(in);
			if (c < 0)
				FAIL("a backslash at the end of the file");
			if (c != '\n')
				err = put(b, (char)c);
		} else if (c == '\'') {
			while ((c = next(in)) >= 0 && c != '\'' && err == 0)
				err = c ? put(b, (char)c) : (*what = "a NUL byte", -EINVAL);
			if (c < 0)
				FAIL("a single quote that is never closed");
		} else if (c == '"') {
			while ((c = next(in)) >= 0 && c != '"' && err == 0) {
				if (c == '$' || c == '`')
					FAIL("$ or a backquote in double quotes: an expansion, which needs a shell; use single quotes");
				if (c == '\\' && peek(in) >= 0 && strchr("\"\\\n", peek(in))) {
					c = next(in);
					if (c == '\n')
						continue;
				}
				err = c ? put(b, (char)c) : (*what = "a NUL byte", -EINVAL);
			}
			if (c < 0)
				FAIL("a double quote that is never closed");
		} else {
			err = put(b, (char)c);
		}
	}
	return err;
}

static int add(struct kp_shconf *c, const char *name, size_t nl, char *value, unsigned line)
{
	struct kp_shvar *v = kp_grow(c->v, c->n, &c->cap, sizeof(*v));
	char *n = strndup(name, nl);

	if (!v || !n) {
		free(n);
		free(value);
		if (v)
			c->v = v;
		return -ENOMEM;
	}
	c->v = v;
	c->v[c->n++] = (struct kp_shvar){n, value, line};
	return 0;
}

int kp_shconf_parse(const char *text, size_t len, struct kp_shconf *c, struct kp_shconf_error *e)
{
	unsigned *line = &e->line;
	const char **what = &e->what;
	struct in in = {text, text + len, 1};
	struct buf b = {0};
	int ch, err = 0;

	memset(c, 0, sizeof(*c));
	memset(e, 0, sizeof(*e));
	while (err == 0 && peek(&in) >= 0) {
		const char *name;
		size_t nl;
		unsigned start;

		while ((ch = peek(&in)) == ' ' || ch == '\t' || ch == '\n')
			next(&in);
		*line = start = in.line;
		if (ch < 0)
			break;
		if (ch == '#') {
			while ((ch = next(&in)) >= 0 && ch != '\n')
				;
			continue;
		}
		if (in.end - in.p > 7 && !strncmp(in.p, "export", 6) &&
		    (in.p[6] == ' ' || in.p[6] == '\t')) {
			in.p += 6;
			while (peek(&in) == ' ' || peek(&in) == '\t')
				next(&in);
		}
		name = in.p;
		while (peek(&in) >= 0 && (isalnum(peek(&in)) || peek(&in) == '_'))
			next(&in);
		nl = (size_t)(in.p - name);
		if (!nl || isdigit((unsigned char)name[0]) || peek(&in) != '=') {
			*what = "not a NAME=value line: a command, which needs a shell";
			err = -EINVAL;
			break;
		}
		next(&in);
		snprintf(e->name, sizeof(e->name), "%.*s", (int)nl, name);
		err = value(&in, &b, what);
		*line = err ? in.line : start;
		if (err)
			break;
		/* after the value: blanks, then a comment or the end of the line */
		while ((ch = peek(&in)) == ' ' || ch == '\t')
			next(&in);
		if (ch >= 0 && ch != '\n' && ch != '#') {
			*line = in.line;
			*what = "words after the value: in sh they would run as a command; quote the value";
			err = -EINVAL;
			break;
		}
		err = add(c, name, nl, b.s ? b.s : strdup(""), start);
		e->name[0] = '\0';
		b = (struct buf){0};
	}
	free(b.s);
	if (err)
		kp_shconf_free(c);
	return err;
}

const char *kp_shconf_get(const struct kp_shconf *c, const char *name)
{
	size_t i;

	for (i = c->n; i > 0; i--)
		if (!strcmp(c->v[i - 1].name, name))
			return c->v[i - 1].value;
	return NULL;
}

void kp_shconf_free(struct kp_shconf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].value);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}
