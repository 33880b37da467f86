/* What was staged, under /run/kexec-prep/staged: key=value lines, written
 * atomically through the seam. */
#include <einfo.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "kexec-prep.h"
#include "sys.h"

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

int kp_state_mark(struct kp_ctx *ctx)
{
	char text[64];
	int err;

	snprintf(text, sizeof(text), "pid=%ld\n", (long)getpid());
	err = kp_sys_state_write(&ctx->root, KP_STATE_DIR, KP_MARK_NAME, text,
				 "mark a staging in progress");
	if (err < 0)
		eerror("%s: cannot mark a staging in progress in %s (%s): not staging, as an image kexec-prep cannot account for is never jumped into",
		       ctx->applet, KP_MARK, strerror(-err));
	return err;
}

int kp_state_unmark(struct kp_ctx *ctx)
{
	int err = kp_sys_state_remove(&ctx->root, KP_STATE_DIR, KP_MARK_NAME);

	if (err < 0)
		eerror("%s: cannot remove %s (%s): the next exec will not jump", ctx->applet,
		       KP_MARK, strerror(-err));
	return err;
}

int kp_state_write(struct kp_ctx *ctx, const struct kp_target *t, const char *method)
{
	char *text = render(t, method);
	int err;

	if (!text)
		return -ENOMEM;
	err = kp_sys_state_write(&ctx->root, KP_STATE_DIR, KP_STATE_NAME, text,
				 "record what was staged");
	if (err < 0)
		eerror("%s: cannot record what was staged in %s: %s", ctx->applet, KP_STATE,
		       strerror(-err));
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

char *kp_state_value(const char *rec, const char *key)
{
	char *v = kp_kv_get(rec, '\n', key), *id;

	/* kernel=PATH dev=... ino=...: the path */
	if (v && (id = strstr(v, " dev=")))
		*id = '\0';
	return v;
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

const char *kp_state_trace(struct kp_ctx *ctx)
{
	static const char *const traces[] = {KP_MARK, KP_LOCK, KP_LOG, KP_FAILED};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(traces); i++)
		if (kp_root_exists(&ctx->root, traces[i]))
			return traces[i];
	return NULL;
}

const char *kp_state_why_unknown(struct kp_ctx *ctx)
{
	return kp_root_exists(&ctx->root, "/sys/kernel")
		       ? "/sys/kernel/kexec_loaded is unreadable: this kernel has no kexec"
		       : "/sys is not mounted (no /sys/kernel): cannot tell whether an image is staged";
}

int kp_state_remove(struct kp_ctx *ctx)
{
	int err = kp_sys_state_remove(&ctx->root, KP_STATE_DIR, KP_STATE_NAME);

	if (err == 0)
		err = kp_sys_state_remove(&ctx->root, KP_STATE_DIR, KP_MARK_NAME);
	if (err < 0)
		eerror("%s: cannot remove the record of what was staged from %s (%s): it must be a directory, root's alone",
		       ctx->applet, KP_STATE_DIR, strerror(-err));
	return err;
}
