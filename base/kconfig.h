/* The kernel build configuration (.config syntax), as distros ship it in
 * /boot/config-<release> or /proc/config.gz. */
#ifndef KP_KCONFIG_H
#define KP_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "root.h"

struct kp_kconfig_opt {
	const char *name;  /* "CONFIG_KEXEC" */
	const char *value; /* "y", "m", "n" (is not set), "\"string\"", "42" */
};

struct kp_kconfig {
	char *buf; /* owns every string below */
	struct kp_kconfig_opt *opts;
	size_t nopts;
	size_t bad_lines; /* lines that were neither options, comments nor blank */
};

/* Takes buf (NUL-terminated, len bytes, may hold NUL bytes) and frees it with kc. */
int kp_kconfig_parse(struct kp_kconfig *kc, char *buf, size_t len);
const char *kp_kconfig_get(const struct kp_kconfig *kc, const char *name);
/* 1 for y or m, 0 for not set or absent. */
bool kp_kconfig_enabled(const struct kp_kconfig *kc, const char *name);
void kp_kconfig_free(struct kp_kconfig *kc);

/* Find and parse the config of kernel `release`: proc/config.gz (only when
 * running is set: it describes the running kernel), boot/config-<release>,
 * lib/modules/<release>/config, Alpine's boot/config-<flavor>. *source names
 * the file read. -ENOENT when there is none; other -errno for a file found
 * but unreadable (*source names it then too). */
int kp_kconfig_load(const struct kp_root *r, const char *release, bool running,
		    struct kp_kconfig *kc, char **source);

#endif
