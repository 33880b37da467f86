/* Where the settings that stand in kexec's way come from: sysctl files and
 * the boot loader's configuration. */
#ifndef KP_ORIGIN_H
#define KP_ORIGIN_H

#include "readiness.h"
#include "root.h"

/* The last line of the sysctl configuration that sets key ("kernel.x"), as
 * "file: line", in the order sysctl reads them; NULL when none does. */
char *kp_origin_sysctl(const struct kp_root *r, const char *key);
/* How to add kexec_load_disabled=0 to the command line through the
 * settings file of the boot loader that boots this machine, by the
 * evidence in f; NULL only when out of memory. */
char *kp_origin_bootloader_fix(const struct kp_root *r, const struct kp_facts *f);

#endif
