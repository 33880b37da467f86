#include "source.h"

#include <einfo.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct kp_source *const sources[] = {
	&kp_source_setting,
	&kp_source_flavor,
	&kp_source_newest,
};

int kp_source_find(struct kp_ctx *ctx, struct kp_entry *e)
{
	size_t i;
	int rc;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < ARRAY_SIZE(sources); i++) {
		rc = sources[i]->find(ctx, e);
		if (rc != 0)
			return rc < 0 ? rc : 0;
		kp_entry_free(e);
	}
	eerror("%s: no kernel found in %s (no vmlinuz-<flavor> or vmlinuz-<version>): set KERNEL in %s",
	       ctx->applet, ctx->conf.bootpart, KP_CONFD);
	return -ENOENT;
}

void kp_entry_free(struct kp_entry *e)
{
	free(e->kernel);
	kp_strv_free(&e->initrds);
	free(e->cmdline);
	free(e->why);
	memset(e, 0, sizeof(*e));
}

char *kp_boot_path(const struct kp_ctx *ctx, const char *name)
{
	if (name[0] == '/')
		return strdup(name);
	return kp_strdupf("%s/%s", ctx->conf.bootpart, name);
}
