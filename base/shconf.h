/* Settings files that OpenRC sources with sh (conf.d): read as sh would
 * read NAME=value lines, without running a shell. */
#ifndef KP_SHCONF_H
#define KP_SHCONF_H

#include <stddef.h>

struct kp_shvar {
	char *name, *value;
	unsigned line;
};

struct kp_shconf {
	struct kp_shvar *v;
	size_t n, cap;
};

/* Where and why a file cannot be read without a shell. */
struct kp_shconf_error {
	unsigned line;
	char name[64]; /* the setting it was reading, "" when none */
	const char *what;
};

/* Parse len bytes: comments, blank lines, and [export] NAME=value with
 * single quotes, double quotes and backslashes as sh gives them. What only
 * a shell can give ($, backquotes, ;, a command) is -EINVAL, and e says
 * where and why. */
int kp_shconf_parse(const char *text, size_t len, struct kp_shconf *c, struct kp_shconf_error *e);
/* The value sh would leave in name: its last assignment; NULL when none. */
const char *kp_shconf_get(const struct kp_shconf *c, const char *name);
void kp_shconf_free(struct kp_shconf *c);

#endif
