#include "source.h"

#include <einfo.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct kp_source *const loaders[KP_LOADERS] = {
	[KP_LOADER_EXTLINUX] = &kp_source_extlinux,
	[KP_LOADER_GRUB] = &kp_source_grub,
	[KP_LOADER_SDBOOT] = &kp_source_bls,
	[KP_LOADER_UKI] = &kp_source_uki,
};

static const struct kp_source *const conventions[] = {
	&kp_source_flavor,
	&kp_source_pkgbase,
	&kp_source_newest,
};

static int try(struct kp_ctx *ctx, const struct kp_source *s, const struct kp_loader_seen *seen,
	       struct kp_entry *e)
{
	int rc = s->find(ctx, seen, e);

	if (rc <= 0)
		kp_entry_free(e);
	return rc;
}

int kp_source_find(struct kp_ctx *ctx, struct kp_entry *e, bool loaders_only)
{
	const struct kp_facts *f = kp_facts(ctx);
	size_t i;
	int rc = 0;

	memset(e, 0, sizeof(*e));
	if (!f)
		return -ENOMEM;
	if (!loaders_only)
		rc = try(ctx, &kp_source_setting, NULL, e);
	for (i = 0; rc == 0 && i < KP_LOADERS && f->loaders[i].score > 0; i++)
		rc = try(ctx, loaders[f->loaders[i].id], &f->loaders[i], e);
	for (i = 0; rc == 0 && !loaders_only && i < ARRAY_SIZE(conventions); i++)
		rc = try(ctx, conventions[i], NULL, e);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (!loaders_only)
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

void kp_source_doubt(struct kp_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	kp_strv_take(&ctx->doubts, s);
}

char *kp_boot_path(const struct kp_ctx *ctx, const char *name)
{
	if (name[0] == '/')
		return strdup(name);
	return kp_strdupf("%s/%s", ctx->conf.bootpart, name);
}

/* Append the components of path to out (at most max bytes), refusing to
 * go above floor bytes of it. */
static int append_components(char *out, size_t max, size_t floor, const char *path)
{
	while (*path) {
		size_t n = strcspn(path, "/"), l = strlen(out);

		if (n == 2 && !strncmp(path, "..", 2)) {
			char *slash = strrchr(out, '/');

			if (l <= floor || !slash || (size_t)(slash - out) < floor)
				return -EXDEV;
			*slash = '\0';
		} else if (n && !(n == 1 && path[0] == '.')) {
			if (l + 1 + n + 1 > max)
				return -ENAMETOOLONG;
			out[l] = '/';
			memcpy(out + l + 1, path, n);
			out[l + 1 + n] = '\0';
		}
		path += n;
		path += *path == '/';
	}
	return 0;
}

/* part + (dir) + path, lexically, never above part. */
static char *join_within(const char *part, const char *dir, const char *path)
{
	char out[4096];
	size_t floor;
	int err = 0;

	snprintf(out, sizeof(out), "%s", strcmp(part, "/") ? part : "");
	floor = strlen(out);
	if (dir)
		err = append_components(out, sizeof(out), floor, dir);
	if (!err)
		err = append_components(out, sizeof(out), floor, path);
	if (err) {
		errno = -err;
		return NULL;
	}
	return strdup(out[0] ? out : "/");
}

char *kp_loader_path(struct kp_ctx *ctx, const char *config, const char *path, bool relative)
{
	const char *part = kp_partition_of(ctx, config);
	char dir[4096];

	if (path[0] == '(' && strchr(path, ')'))
		path = strchr(path, ')') + 1;
	if (path[0] == '/' || !relative)
		return path[0] == '/' ? join_within(part, NULL, path) : (errno = EXDEV, NULL);
	/* the configuration's directory, under the partition */
	snprintf(dir, sizeof(dir), "%s", config + (strcmp(part, "/") ? strlen(part) : 0));
	*strrchr(dir, '/') = '\0';
	return join_within(part, dir, path);
}

char *kp_part_path(const char *part, const char *path)
{
	return join_within(part, NULL, path);
}
