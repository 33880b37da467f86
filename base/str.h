/* String helpers shared by every layer. */
#ifndef KP_STR_H
#define KP_STR_H

#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* printf into a new string; NULL only when out of memory. */
char *kp_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

bool kp_str_ends_with(const char *s, const char *tail);

/* Room for one more element in an array v of n used and *cap allocated
 * elements of size bytes: the array (moved, perhaps), or NULL when out of
 * memory, v untouched. */
void *kp_grow(void *v, size_t n, size_t *cap, size_t size);

/* A growable list of owned strings. */
struct kp_strv {
	char **v;
	size_t n;
};

/* Takes s (NULL is -ENOMEM, so a failed kp_strdupf can be passed on). */
int kp_strv_take(struct kp_strv *sv, char *s);
int kp_strv_push(struct kp_strv *sv, const char *s);
void kp_strv_sort(struct kp_strv *sv, size_t from);
/* The strings joined with sep; "" for none; NULL only when out of memory. */
char *kp_strv_join(const struct kp_strv *sv, const char *sep);
void kp_strv_free(struct kp_strv *sv);

/* In text, fields separated by sep, each "key=value": the value of key (a
 * copy), or NULL when it is not there or out of memory. */
char *kp_kv_get(const char *text, char sep, const char *key);

#endif
