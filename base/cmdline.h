/* A kernel command line, split the way the kernel's parse_args() splits it. */
#ifndef KP_CMDLINE_H
#define KP_CMDLINE_H

#include <stddef.h>

struct kp_param {
	char *raw;   /* the word as written, quotes included */
	char *name;  /* before the first '=', surrounding quotes removed */
	char *value; /* after it, quotes removed; NULL when there is no '=' */
};

struct kp_cmdline {
	struct kp_param *v;
	size_t n, cap;
	size_t init_args; /* index of "--" (what follows is init's), n if none */
};

/* Parse len bytes; a NUL byte ends the line, as the kernel sees a C string. */
int kp_cmdline_parse(struct kp_cmdline *cl, const char *buf, size_t len);
/* Last occurrence of a kernel parameter ("-" and "_" are the same), or -1. */
long kp_cmdline_find(const struct kp_cmdline *cl, const char *name);
/* Drop every kernel parameter called name; returns how many. */
size_t kp_cmdline_remove(struct kp_cmdline *cl, const char *name);
/* Add each word of words; a word whose name is already there replaces the
 * first occurrence in place and removes the others. Words after "--" go
 * to init, once: one that is there already is not added again. */
int kp_cmdline_set(struct kp_cmdline *cl, const char *words);
/* The line as one string, words separated by one space, a quote left open
 * closed (so that no word swallows the ones after it); NULL on ENOMEM. */
char *kp_cmdline_join(const struct kp_cmdline *cl);
void kp_cmdline_free(struct kp_cmdline *cl);

#endif
