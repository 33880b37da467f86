/* What the subcommands of kexec-prep share. */
#ifndef KEXEC_PREP_H
#define KEXEC_PREP_H

#include <stdbool.h>

#include "sysroot.h"

struct kp_ctx {
	struct kp_root root;
	const char *applet; /* "kexec-prep", for messages */
	bool json;
	bool dry_run;
};

int kp_cmd_check(struct kp_ctx *ctx);

#endif
