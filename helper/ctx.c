/* The machine as this run found it: read on first use, never twice. */
#include <errno.h>

#include "kexec-prep.h"

const struct kp_facts *kp_facts(struct kp_ctx *ctx)
{
	if (!ctx->facts_read)
		ctx->facts_read = kp_facts_read(&ctx->root, &ctx->facts) < 0 ? -ENOMEM : 1;
	return ctx->facts_read > 0 ? &ctx->facts : NULL;
}

const struct kp_mounts *kp_mounts(struct kp_ctx *ctx)
{
	char *buf;
	int err;

	if (!ctx->mounts_read) {
		err = kp_read_file(&ctx->root, "/proc/self/mountinfo", 1 << 22, &buf, NULL);
		if (err == 0)
			err = kp_mounts_parse(&ctx->mounts, buf);
		ctx->mounts_read = err < 0 ? err : 1;
	}
	return ctx->mounts_read > 0 ? &ctx->mounts : NULL;
}

void kp_ctx_free(struct kp_ctx *ctx)
{
	kp_conf_free(&ctx->conf);
	if (ctx->facts_read > 0)
		kp_facts_free(&ctx->facts);
	if (ctx->mounts_read > 0)
		kp_mounts_free(&ctx->mounts);
	kp_root_close(&ctx->root);
}
