/* Unified kernel images: a PE stub with the kernel, the initramfs and the
 * command line in sections (.linux, .initrd, .cmdline; .osrel, .uname). */
#ifndef KP_UKI_H
#define KP_UKI_H

#include <stdbool.h>
#include <sys/types.h>

#include "pe.h"

struct kp_uki {
	struct kp_pe_section linux, initrd, cmdline, osrel, uname;
	bool has_initrd, has_cmdline, has_osrel, has_uname;
};

/* -EBADMSG when fd is no PE file with a .linux section. */
int kp_uki_parse(int fd, off_t size, struct kp_uki *u);
/* A text section (at most 64 KiB), without its trailing NULs and blanks. */
int kp_uki_text(int fd, const struct kp_pe_section *s, char **out);
/* KEY= of an os-release text, quotes removed; NULL when absent. */
char *kp_osrel_get(const char *osrel, const char *key);

#endif
