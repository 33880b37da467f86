/* The machine as this run found it: read on first use, never twice. */
#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

const struct kp_fstab *kp_fstab(struct kp_ctx *ctx)
{
	char *buf;
	int err;

	if (!ctx->fstab_read) {
		err = kp_read_file(&ctx->root, "/etc/fstab", 1 << 20, &buf, NULL);
		if (err == 0)
			err = kp_fstab_parse(&ctx->fstab, buf);
		ctx->fstab_read = err < 0 ? err : 1;
	}
	return ctx->fstab_read > 0 ? &ctx->fstab : NULL;
}

const char *kp_partition_of(struct kp_ctx *ctx, const char *path)
{
	const struct kp_mounts *m = kp_mounts(ctx);
	const struct kp_fstab *t = kp_fstab(ctx);
	const char *best = "/";
	size_t i;

	for (i = 0; m && i < m->n; i++)
		if (kp_path_within(path, m->v[i].target) && strlen(m->v[i].target) > strlen(best))
			best = m->v[i].target;
	for (i = 0; t && i < t->n; i++)
		if (kp_path_within(path, t->v[i].file) && strlen(t->v[i].file) > strlen(best))
			best = t->v[i].file;
	return best;
}

void kp_ctx_free(struct kp_ctx *ctx)
{
	kp_conf_free(&ctx->conf);
	if (ctx->facts_read > 0)
		kp_facts_free(&ctx->facts);
	if (ctx->mounts_read > 0)
		kp_mounts_free(&ctx->mounts);
	if (ctx->fstab_read > 0)
		kp_fstab_free(&ctx->fstab);
	kp_strv_free(&ctx->doubts);
	kp_root_close(&ctx->root);
}

/* --json: standard output holds the JSON object and nothing else (Ansible
 * and Prometheus parse it), so from here on it is a copy of standard
 * error, where what is said on the way goes; the object goes to the
 * stream returned. NULL (said why) when the descriptors cannot be had. */
FILE *kp_json_out(struct kp_ctx *ctx)
{
	FILE *out = NULL;
	int fd;

	fflush(stdout);
	fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd >= 0 && dup2(STDERR_FILENO, STDOUT_FILENO) >= 0)
		out = fdopen(fd, "w");
	if (!out) {
		eerror("%s: --json: standard output: %s", ctx->applet, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return out;
}
