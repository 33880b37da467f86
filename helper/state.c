/* What was staged, under /run/kexec-prep/staged: key=value lines, written
 * atomically (a temporary file, then rename). */
#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kexec-prep.h"

static void put_file(FILE *fp, const char *key, const struct kp_file *f)
{
	fprintf(fp, "%s=%s dev=%llu ino=%llu size=%lld mtime=%lld.%09ld\n", key, f->path,
		(unsigned long long)f->st.st_dev, (unsigned long long)f->st.st_ino,
		(long long)f->st.st_size, (long long)f->st.st_mtim.tv_sec, f->st.st_mtim.tv_nsec);
}

static char *render(const struct kp_target *t, const char *method)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
		return NULL;
	fprintf(fp, "method=%s\nversion=%s\n", method, t->version);
	put_file(fp, "kernel", &t->kernel);
	for (i = 0; i < t->ninitrds; i++)
		put_file(fp, "initrd", &t->initrds[i]);
	fprintf(fp, "cmdline=%s\n", t->cmdline);
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int kp_state_write(struct kp_ctx *ctx, const struct kp_target *t, const char *method)
{
	char *text = render(t, method);
	int dfd, fd, err = 0;
	size_t len;

	if (!text)
		return -ENOMEM;
	if (ctx->dry_run) {
		printf("dry-run: record what was staged in %s\n", KP_STATE);
		free(text);
		return 0;
	}
	len = strlen(text);
	mkdirat(ctx->root.fd, KP_STATE_DIR + 1, 0755);
	dfd = kp_root_openat(&ctx->root, KP_STATE_DIR, O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		eerror("%s: cannot record what was staged: %s: %s", ctx->applet, KP_STATE_DIR,
		       strerror(-dfd));
		free(text);
		return dfd;
	}
	fd = openat(dfd, "staged.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0)
		err = -errno;
	if (fd >= 0 && close(fd) < 0 && !err)
		err = -errno;
	if (!err && renameat(dfd, "staged.tmp", dfd, "staged") < 0)
		err = -errno;
	if (err)
		eerror("%s: cannot record what was staged in %s: %s", ctx->applet, KP_STATE,
		       strerror(-err));
	close(dfd);
	free(text);
	return err;
}

int kp_state_matches(struct kp_ctx *ctx, const struct kp_target *t)
{
	char *have, *want;
	const char *method_end;
	int err = kp_read_file(&ctx->root, KP_STATE, 1 << 20, &have, NULL);

	if (err < 0)
		return err;
	/* Compare all but the method line: the same files and command line. */
	want = render(t, "");
	method_end = strchr(have, '\n');
	err = want && method_end && strcmp(method_end, strchr(want, '\n')) == 0;
	free(have);
	free(want);
	return err;
}

int kp_state_print(struct kp_ctx *ctx)
{
	char *text, *line, *save = NULL;
	int err = kp_read_file(&ctx->root, KP_STATE, 1 << 20, &text, NULL);

	if (err < 0)
		return err;
	/* Paths, not the device, inode and mtime that identify them. */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *id = strstr(line, " dev=");

		if (id && (!strncmp(line, "kernel=", 7) || !strncmp(line, "initrd=", 7)))
			*id = '\0';
		einfo("  %s", line);
	}
	free(text);
	return 0;
}

int kp_state_remove(struct kp_ctx *ctx)
{
	if (ctx->dry_run) {
		printf("dry-run: remove %s\n", KP_STATE);
		return 0;
	}
	if (unlinkat(ctx->root.fd, KP_STATE + 1, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}
